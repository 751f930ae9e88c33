"""``ipoc demo`` step ``deals`` (order 70), through ``ipoc.deals.services``: the demo center's 交易撮合 at every
stage (意向, 洽谈, 签约, 履行, 完成, 终止) with amounts and dates — three completed and one being performed from
2024–2025 (last year's figures on the office dashboard and the annual report), the rest this year, linked to the
demand and the event they came from. Idempotent: a deal is found by its center and title and only moved forward."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

from ipoc.core.demo import register_demo_step

DEMO_CENTER = "新一代信息技术产业知识产权运营中心（演示）"
UNIVERSITY = "浙江大学"
INSTITUTE = "中科大数据研究院"
ENTERPRISE = "华为技术有限公司"
SME_A = "苏州芯测电子科技有限公司（演示）"
SME_B = "无锡精工智能装备有限公司（演示）"
SME_C = "常州烯创新材料有限公司（演示）"

STAGES = ("intention", "negotiation", "signed", "performing", "completed")


def _date(value) -> dt.date:
    from django.utils import timezone

    return timezone.localdate() + dt.timedelta(days=value) if isinstance(value, int) else dt.date.fromisoformat(value)


# title, type, chain scope, seller, buyer, patent titles (seller's), amount (元), stage, dates
# {intention, signed, completed} (ISO or days from today), source demand title, source event title, reason (终止)
DEALS = [
    ("纳米复合材料专利普通许可", "license", "within_chain", UNIVERSITY, SME_A, ("一种纳米复合材料及制备方法和应用",),
     "800000", "completed", {"intention": "2024-07-10", "signed": "2024-09-20", "completed": "2025-03-31"},
     "", "", ""),
    ("氧化石墨烯制备专利转让", "assignment", "within_chain", UNIVERSITY, SME_C, ("一种层间距可控的氧化石墨烯制备方法",),
     "1200000", "completed", {"intention": "2025-02-10", "signed": "2025-04-18", "completed": "2025-10-30"},
     "", "", ""),
    ("肌电手势识别方法专利许可", "license", "between_chains", UNIVERSITY, SME_B,
     ("一种基于深度学习和注意力机制的肌电信号手势识别方法",), "600000", "completed",
     {"intention": "2025-05-06", "signed": "2025-08-08", "completed": "2025-12-15"}, "", "", ""),
    ("石墨烯/硅太阳能电池专利作价入股", "equity", "between_chains", UNIVERSITY, SME_C, ("一种石墨烯/硅太阳能电池",),
     "3000000", "performing", {"intention": "2025-08-01", "signed": "2025-11-20"}, "",
     "高校院所新材料专利路演推介会（2025年秋季）", ""),
    ("集成光波导全波片专利许可", "license", "within_chain", UNIVERSITY, ENTERPRISE, ("一种真零级集成光波导型全波片",),
     "1500000", "signed", {"intention": "2026-06-01", "signed": -52}, "光模块高速光收发器件封装技术", "", ""),
    ("无人机巡检系统专利许可", "license", "between_chains", INSTITUTE, SME_B, ("无人机巡检系统",), "400000",
     "negotiation", {"intention": -40}, "", "", ""),
    ("实时视频稳像方法专利许可", "license", "within_chain", UNIVERSITY, ENTERPRISE,
     ("一种基于时序网格流叠加的实时视频稳像方法",), "", "intention", {"intention": -17}, "",
     "新一代信息技术产业专利供需对接会", ""),
    ("直流配电网断路器配置方法专利转让", "assignment", "other", UNIVERSITY, SME_A,
     ("一种直流配电网断路器优化配置方法及系统",), "500000", "terminated", {"intention": -120}, "", "",
     "双方对转让价格和后续技术服务未能达成一致，企业终止洽谈。"),
]


def _patents(org, titles) -> list:
    from ipoc.patents import selectors as patent_selectors

    found = {p.title: p for p in patent_selectors.patents_held_by(user=None, organization=org)
             .filter(title__in=list(titles))}
    return [found[t] for t in titles if t in found]


def demo_deals(data_dir: Path) -> dict:
    from ipoc.core.demo import demo_organization, demo_user
    from ipoc.deals import services
    from ipoc.deals.models import Deal
    from ipoc.demands import selectors as demand_selectors
    from ipoc.events import selectors as event_selectors

    center, staff = demo_organization(DEMO_CENTER), demo_user("center")
    if center is None or staff is None:
        return {"deals": "demo center or its user missing"}
    created = moves = 0
    for (title, deal_type, scope, seller_name, buyer_name, patent_titles, amount, stage, dates, demand_title,
         event_title, reason) in DEALS:
        seller, buyer = demo_organization(seller_name), demo_organization(buyer_name)
        if seller is None or buyer is None:
            continue
        deal = Deal.objects.filter(center=center, title=title).first()
        if deal is None:
            demand = (demand_selectors.demand_list(user=staff, center=center.pk).filter(title=demand_title).first()
                      if demand_title else None)
            event = (event_selectors.event_list(user=staff).filter(title=event_title).first()
                     if event_title else None)
            deal = services.deal_create(
                actor=staff, title=title, deal_type=deal_type, chain_scope=scope, sellers=[seller], buyers=[buyer],
                patents=_patents(seller, patent_titles), intention_date=_date(dates["intention"]),
                amount=Decimal(amount) if amount else None, demand=demand, event=event,
                note="合同条款经双方确认，由运营中心协助办理专利实施许可合同备案。（演示数据）")
            created += 1
        target = "negotiation" if stage == "terminated" else stage
        if deal.stage in STAGES:
            for to_stage in STAGES[STAGES.index(deal.stage) + 1:STAGES.index(target) + 1]:
                on = _date(dates["signed"]) if to_stage == "signed" else (
                    _date(dates["completed"]) if to_stage == "completed" else None)
                deal = services.deal_transition(actor=staff, deal=deal, to_stage=to_stage, on=on,
                                                reason="按合同约定推进")
                moves += 1
        if stage == "terminated" and deal.stage != "terminated":
            services.deal_transition(actor=staff, deal=deal, to_stage="terminated", reason=reason)
            moves += 1
    return {"deals_created": created, "stage_moves": moves}


register_demo_step("deals", demo_deals, order=70)
