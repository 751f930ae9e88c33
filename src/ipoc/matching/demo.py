"""``ipoc demo`` step ``matching`` (order 60), through ``ipoc.matching.services``: the demo center's 产业链图谱,
listings (挂牌) by the university, the enterprise and the center, and matches computed for the center's demands —
on each of the enterprise's published demands one match confirmed (定向推送 to both sides), one rejected with its
reason, the rest waiting for the center. Idempotent: nodes and listings are found by name and patent, and a
demand that already has matches is not matched again."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

from ipoc.core.demo import register_demo_step

DEMO_CENTER = "新一代信息技术产业知识产权运营中心（演示）"

CHAIN = [
    ("集成电路设计与制造", "upstream", ["芯片", "集成电路", "半导体", "晶圆", "探针"], ["H01L", "G06F"]),
    ("光电子器件", "upstream", ["光波导", "光收发", "激光", "光模块", "光纤"], ["G02B", "H01S"]),
    ("通信设备", "midstream", ["基站", "射频", "天线", "信道", "5G", "无线通信"], ["H04B", "H04W", "H01Q"]),
    ("智能终端", "downstream", ["终端", "显示", "图像", "视频", "手势"], ["H04N", "G06T", "G06V"]),
    ("物联网应用", "downstream", ["物联网", "传感器", "低功耗", "无人机"], ["H04L", "G08C"]),
]

# (holder: demo user name or "center:<organisation>", patent title, modes, asking price (元), open licence, terms)
LISTINGS = [
    ("university", "一种基于时序网格流叠加的实时视频稳像方法", ["license", "assignment"], "800000", False,
     "可独占许可或转让；许可期限5年起，提供技术交底。"),
    ("university", "基于多球面相机模型的大视野图像三维重构优化方法", ["license"], "500000", True,
     "开放许可，年许可费5万元起，不限被许可人数量。"),
    ("university", "一种铜基合金气凝胶的制备方法", ["assignment", "equity"], "1200000", False,
     "可转让或作价入股，需受让方具备中试条件。"),
    ("enterprise", "用于波束控制天线的液晶可调谐超颖表面", ["license"], None, False, "面议；优先许可产业链上下游企业。"),
    ("enterprise", "一种数据处理方法和数据库服务器", ["license"], "300000", True, "开放许可，按年计费。"),
    ("center:中科大数据研究院", "无人机空气污染物溯源系统", ["license", "assignment"], "350000", False,
     "运营中心受托挂牌，可转让或许可。"),
]

# The center's demands matched in the demo (by exact title), with the enterprise's own first.
MATCHED_DEMANDS = [
    "面向5G基站的高效率射频功率放大器技术", "车载毫米波雷达天线阵列设计技术", "芯片测试探针卡国产化技术",
    "基于机器视觉的零件缺陷在线检测技术", "石墨烯复合材料中试放大合作", "微波通信技术解决方案",
    "【项目落地对接】高速5G无线通信模块",
]
# Demands on which the center has decided: one confirmed (preferring a patent of the demo university or
# institute, so they hear of the interest) and one rejected.
DECIDED = {"面向5G基站的高效率射频功率放大器技术", "车载毫米波雷达天线阵列设计技术", "基于机器视觉的零件缺陷在线检测技术",
           "芯片测试探针卡国产化技术", "石墨烯复合材料中试放大合作"}
PREFERRED_HOLDERS = ("浙江大学", "中科大数据研究院")


def _listings(center, staff) -> int:
    from ipoc.core.demo import demo_organization, demo_user
    from ipoc.matching import services
    from ipoc.matching.models import Listing
    from ipoc.patents import selectors as patent_selectors

    created = 0
    for holder_ref, title, modes, price, open_license, terms in LISTINGS:
        if holder_ref.startswith("center:"):
            actor, holder = staff, demo_organization(holder_ref.split(":", 1)[1])
        else:
            actor = demo_user(holder_ref)
            holder = actor.organization if actor is not None else None
        if holder is None or actor is None:
            continue
        patent = patent_selectors.patents_held_by(user=None, organization=holder).filter(title=title).first()
        if patent is None or Listing.objects.filter(patent=patent, holder=holder).exists():
            continue
        services.listing_create(actor=actor, patent_id=patent.pk, holder=holder, modes=modes,
                                asking_price=Decimal(price) if price else None, terms=terms,
                                open_license=open_license, center=center)
        created += 1
    return created


def _decide(demand, staff) -> int:
    """Confirm one proposed match (a demo institution's patent if there is one) and reject another."""
    from ipoc.matching import services
    from ipoc.matching.models import Match, MatchStatus
    from ipoc.patents import selectors as patent_selectors

    matches = list(Match.objects.filter(demand=demand).order_by("rank"))
    if not matches or any(m.status != MatchStatus.PROPOSED for m in matches):
        return 0
    summaries = patent_selectors.patent_summaries([m.patent_id for m in matches])
    held = [m for m in matches if any(h["name"] in PREFERRED_HOLDERS
                                      for h in summaries.get(m.patent_id, {}).get("holders", []))]
    confirm = held[0] if held else matches[0]
    services.match_decide(actor=staff, match=confirm, confirm=True,
                          reason="技术方向与需求一致，权利人有许可意愿，推荐双方对接。")
    others = [m for m in matches if m.pk != confirm.pk]
    if others:
        services.match_decide(actor=staff, match=others[-1], confirm=False,
                              reason="技术领域与需求不符（检索词偶然重合）。")
        return 2
    return 1


def demo_matching(data_dir: Path) -> dict:
    from ipoc.core.demo import demo_organization, demo_user
    from ipoc.demands import selectors as demand_selectors
    from ipoc.matching import services
    from ipoc.matching.models import ChainNode, Match

    center, staff = demo_organization(DEMO_CENTER), demo_user("center")
    if center is None or staff is None:
        return {"matching": "demo center or its user missing"}
    nodes = 0
    for name, position, keywords, ipc in CHAIN:
        if not ChainNode.objects.filter(center=center, name=name).exists():
            services.chain_node_create(actor=staff, center=center, name=name, position=position, keywords=keywords,
                                       ipc_prefixes=ipc)
            nodes += 1
    listings = _listings(center, staff)
    matched = decided = 0
    demands = {d.title: d for d in demand_selectors.demand_list(user=staff, center=center.pk)
               .filter(title__in=MATCHED_DEMANDS)}
    for title in MATCHED_DEMANDS:
        demand = demands.get(title)
        if demand is None or demand.status not in ("published", "matching"):
            continue
        if not Match.objects.filter(demand=demand).exists():
            services.demand_match(actor=staff, demand=demand)
            matched += 1
        if title in DECIDED:
            decided += _decide(demand, staff)
    return {"chain_nodes": nodes, "listings": listings, "demands_matched": matched, "decisions": decided}


register_demo_step("matching", demo_matching, order=60)
