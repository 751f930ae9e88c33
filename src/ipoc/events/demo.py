"""``ipoc demo`` step ``events`` (order 65), through ``ipoc.events.services``: the demo center's 路演推介 and 对接会 —
two held (registrations, attendance and the 签约意向 signed there), one coming up (the demo enterprise and
university registered themselves), one still a draft and one cancelled. Idempotent: an event is found by its
organiser and title; registrations and outcomes are added only when missing."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from ipoc.core.demo import register_demo_step

DEMO_CENTER = "新一代信息技术产业知识产权运营中心（演示）"
UNIVERSITY = "浙江大学"
ENTERPRISE = "华为技术有限公司"
SME_A = "苏州芯测电子科技有限公司（演示）"
SME_B = "无锡精工智能装备有限公司（演示）"
SME_C = "常州烯创新材料有限公司（演示）"

# Patents of the demo university named by title (the sample records have no publication numbers).
GRAPHENE = "一种层间距可控的氧化石墨烯制备方法"
NANO = "一种纳米复合材料及制备方法和应用"
SOLAR = "一种石墨烯/硅太阳能电池"
VIDEO = "一种基于时序网格流叠加的实时视频稳像方法"
GESTURE = "一种基于深度学习和注意力机制的肌电信号手势识别方法"
WAVEGUIDE = "一种真零级集成光波导型全波片"

# (title, kind, held_on: ISO date or days from today, status, place, patents, demands, description)
EVENTS = [
    ("高校院所新材料专利路演推介会（2025年秋季）", "roadshow", "2025-10-28", "published", "苏州工业园区知识产权服务中心路演厅",
     (GRAPHENE, NANO, SOLAR), (), "浙江大学等高校院所推介石墨烯、纳米复合材料等新材料专利，面向长三角新材料企业。"),
    ("新一代信息技术产业专利供需对接会", "matchmaking", -18, "published", "苏州国际博览中心B馆",
     (VIDEO, GESTURE, WAVEGUIDE), ("面向5G基站的高效率射频功率放大器技术", "车载毫米波雷达天线阵列设计技术"),
     "围绕通信设备、智能终端和光电子器件，发布企业技术需求，组织高校专利与企业一对一洽谈。"),
    ("集成电路与通信专利路演推介会", "roadshow", 12, "published", "苏州工业园区知识产权服务中心路演厅",
     (WAVEGUIDE, VIDEO), ("芯片测试探针卡国产化技术", "低功耗物联网终端休眠唤醒技术"),
     "推介集成电路测试、光通信和智能终端领域的高校专利，现场开放企业报名洽谈。"),
    ("2027年度高校存量专利分层推广对接会", "matchmaking", 45, "draft", "线上（腾讯会议）",
     (), (), "面向服务的高校院所，发布2027年度重点推广的存量专利清单。（筹备中）"),
    ("智能装备专利线上路演", "roadshow", 20, "cancelled", "线上（腾讯会议）",
     (GESTURE,), ("基于机器视觉的零件缺陷在线检测技术",), "智能装备领域专利线上推介。"),
]

# (event title, organisation, registered by: "center" or the organisation's own demo user, attended)
REGISTRATIONS = [
    (0, SME_C, "center", True), (0, SME_B, "center", True), (0, SME_A, "center", False), (0, ENTERPRISE, "center", True),
    (1, ENTERPRISE, "center", True), (1, UNIVERSITY, "center", True), (1, SME_A, "center", True),
    (1, SME_B, "center", None),
    (2, ENTERPRISE, "enterprise", None), (2, UNIVERSITY, "university", None), (2, SME_A, "center", None),
]
# (event, party_a (供给方), party_b (需求方), patents, note)
OUTCOMES = [
    (0, UNIVERSITY, SME_C, (GRAPHENE, SOLAR), "双方就氧化石墨烯制备专利转让及石墨烯/硅太阳能电池作价入股达成合作意向。"),
    (0, UNIVERSITY, SME_A, (NANO,), "就纳米复合材料专利普通许可达成意向，拟于年内签约。"),
    (1, UNIVERSITY, ENTERPRISE, (VIDEO,), "就实时视频稳像方法专利许可达成意向，用于智能终端影像算法。"),
]


def _held_on(value) -> dt.date:
    from django.utils import timezone

    if isinstance(value, int):
        return timezone.localdate() + dt.timedelta(days=value)
    return dt.date.fromisoformat(value)


def demo_patents_by_title(organization, titles) -> list:
    """The organisation's patents with these titles, in the given order (missing titles are skipped)."""
    from ipoc.patents import selectors as patent_selectors

    found = {p.title: p for p in patent_selectors.patents_held_by(user=None, organization=organization)
             .filter(title__in=list(titles))}
    return [found[t] for t in titles if t in found]


def demo_events(data_dir: Path) -> dict:
    from ipoc.core import services as core_services
    from ipoc.core.demo import DEMO_SOURCE, demo_organization, demo_user
    from ipoc.core.models import OrganizationKind
    from ipoc.demands import selectors as demand_selectors
    from ipoc.events import services
    from ipoc.events.models import Event, EventOutcome, EventRegistration

    center_org, staff = demo_organization(DEMO_CENTER), demo_user("center")
    university = demo_organization(UNIVERSITY)
    if center_org is None or staff is None:
        return {"events": "demo center or its user missing"}
    if demo_organization(SME_C) is None:
        core_services.organization_create(actor=None, name=SME_C, kind=OrganizationKind.ENTERPRISE, is_sme=True,
                                          region_code="320412", source=DEMO_SOURCE)
    events, created = [], 0
    for title, kind, held, status, place, patent_titles, demand_titles, description in EVENTS:
        event = Event.objects.filter(organizer=center_org, title=title).first()
        if event is None:
            demands = list(demand_selectors.demand_list(user=staff, center=center_org.pk)
                           .filter(title__in=demand_titles)) if demand_titles else []
            event = services.event_create(actor=staff, title=title, kind=kind, held_on=_held_on(held), place=place,
                                          description=description, patents=demo_patents_by_title(university,
                                                                                                 patent_titles),
                                          demands=demands)
            created += 1
        if status == "published" and event.status == "draft":
            event = services.event_transition(actor=staff, event=event, to_status="published")
        if status == "cancelled" and event.status == "draft":
            services.event_transition(actor=staff, event=event, to_status="published")
            event = services.event_transition(actor=staff, event=event, to_status="cancelled",
                                              reason="主讲专家行程冲突，活动取消，另行通知。")
        events.append(event)
    registered = outcomes = 0
    for index, org_name, by, attended in REGISTRATIONS:
        event, org = events[index], demo_organization(org_name)
        if org is None or event.status != "published":
            continue
        registration = EventRegistration.objects.filter(event=event, organization=org).first()
        if registration is None:
            actor = staff if by == "center" else demo_user(by)
            registration = services.event_register(actor=actor, event=event,
                                                   organization=None if by != "center" else org,
                                                   note="" if by != "center" else "运营中心代为报名")
            registered += 1
        if attended is not None and registration.attended is None:
            services.registration_set_attendance(actor=staff, registration=registration, attended=attended)
    for index, a_name, b_name, patent_titles, note in OUTCOMES:
        event, party_a, party_b = events[index], demo_organization(a_name), demo_organization(b_name)
        if None in (party_a, party_b) or EventOutcome.objects.filter(event=event, party_a=party_a,
                                                                      party_b=party_b).exists():
            continue
        services.event_outcome_create(actor=staff, event=event, party_a=party_a, party_b=party_b,
                                      patents=demo_patents_by_title(university, patent_titles), note=note)
        outcomes += 1
    return {"events_created": created, "registrations": registered, "outcomes": outcomes}


register_demo_step("events", demo_events, order=65)
