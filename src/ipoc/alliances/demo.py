"""``ipoc demo`` step ``alliances`` (order 75), through ``ipoc.alliances.services``: the demo center's
创新联合体 led by the demo enterprise (华为技术有限公司) with two SMEs, a university, a research institute and an
industrial park; its agreement; a completed joint project that produced two real demo patents of the institute
(filed 2022-12 and 2023-05), an ongoing one with milestones (one overdue: the home work queue), shared patents with
their contribution ledger, a joint protection decision with its cost shares, and 大手拉小手 service records in
2025 and this year. Idempotent: each record is found by its natural key before it is created."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from ipoc.core.demo import register_demo_step

DEMO_CENTER = "新一代信息技术产业知识产权运营中心（演示）"
NAME = "新一代信息技术产业知识产权创新联合体（演示）"
LEAD = "华为技术有限公司"
UNIVERSITY = "浙江大学"
INSTITUTE = "中科大数据研究院"
PARK = "新一代信息技术产业园（演示）"
SME_A = "苏州芯测电子科技有限公司（演示）"
SME_B = "无锡精工智能装备有限公司（演示）"
SME_C = "常州烯创新材料有限公司（演示）"

# organisation, role, joined on
MEMBERS = [
    (INSTITUTE, "institute", "2022-09-01"),
    (UNIVERSITY, "university", "2022-09-01"),
    (SME_A, "sme", "2023-03-15"),
    (SME_B, "sme", "2024-06-01"),
    (PARK, "service_agency", "2024-06-01"),
]
JOINT_PATENTS = ("CN116245100A", "CN116595400A")  # the institute's, filed 2022-12-30 and 2023-05-23


def _find_patent(number: str):
    from ipoc.core.errors import NotFound
    from ipoc.patents import selectors as patent_selectors

    try:
        return patent_selectors.patent_get(user=None, key_or_number=number)
    except NotFound:
        return None


def demo_alliances(data_dir: Path) -> dict:
    from django.utils import timezone

    from ipoc.alliances import selectors, services
    from ipoc.alliances.models import (
        Consortium,
        ConsortiumAgreement,
        JointProject,
        ProtectionAction,
        SmeService,
    )
    from ipoc.core.demo import demo_organization, demo_user
    from ipoc.patents import selectors as patent_selectors

    center, staff = demo_organization(DEMO_CENTER), demo_user("center")
    lead = demo_organization(LEAD)
    if center is None or staff is None or lead is None:
        return {"alliances": "demo center, its user or the demo enterprise missing"}
    d = dt.date.fromisoformat
    today = timezone.localdate()
    created: dict[str, int] = {}

    def count(what: str) -> None:
        created[what] = created.get(what, 0) + 1

    consortium = Consortium.objects.filter(center=center, name=NAME).first()
    if consortium is None:
        consortium = services.consortium_create(
            actor=staff, name=NAME, industry="新一代信息技术", lead=lead, established_on=d("2022-09-01"),
            status="active", goal="围绕数据智能与通信终端产业链，联合攻关关键核心技术，构建共享专利组合，"
                                   "协同应对知识产权纠纷，带动链上中小企业融通发展。（演示数据）")
        count("consortia")
    orgs = {}
    for name, role, joined in MEMBERS:
        org = demo_organization(name)
        if org is None:
            continue
        orgs[name] = org
        if not consortium.members.filter(organization=org).exists():
            services.member_add(actor=staff, consortium=consortium, organization=org, role=role, joined_on=d(joined))
            count("members")
    if not ConsortiumAgreement.objects.filter(consortium=consortium).exists():
        services.agreement_save(actor=staff, consortium=consortium, data={
            "signed_on": d("2022-09-01"), "result_ownership": "by_contribution",
            "ownership_terms": "联合攻关形成的专利由参与单位按项目任务书约定的贡献份额共有，单独完成的归完成方所有。",
            "cross_licence_scope": "members_free",
            "cross_licence_terms": "成员在联合体存续期间可免费普通许可实施共享专利清单中的专利，不得转授权。",
            "revenue_sharing": "by_contribution",
            "revenue_terms": "对外许可、转让共享专利的收益，扣除运营成本后按贡献比例分配。"})
        count("agreements")

    institute, university = orgs.get(INSTITUTE), orgs.get(UNIVERSITY)
    sme_a, sme_b = orgs.get(SME_A), orgs.get(SME_B)
    done = JointProject.objects.filter(consortium=consortium, title="多源数据智能分析关键技术联合攻关").first()
    if done is None and institute is not None:
        done = services.project_create(
            actor=staff, consortium=consortium, title="多源数据智能分析关键技术联合攻关", leader=institute,
            participants=[p for p in (lead, university) if p], budget="3200000", status="completed",
            start_date=d("2022-10-01"), end_date=d("2024-06-30"),
            description="面向舆情与城市治理的数据采集、关键词抽取与人员聚集发现算法。")
        for title, due, finished in (("完成算法原型", "2023-03-31", "2023-03-20"),
                                     ("完成专利布局与申请", "2023-06-30", "2023-05-30"),
                                     ("项目结题验收", "2024-06-30", "2024-06-28")):
            m = services.milestone_add(actor=staff, project=done, title=title, due_on=d(due))
            services.milestone_done(actor=staff, milestone=m, done_on=d(finished))
        count("projects")
    if done is not None:
        for number in JOINT_PATENTS:
            patent = _find_patent(number)
            if patent is not None and not done.joint_patents.filter(patent=patent).exists():
                services.joint_patent_add(actor=staff, project=done, patent=patent, recorded_on=d("2023-06-30"),
                                          note="项目任务书约定的产出专利")
                count("joint_patents")

    ongoing = JointProject.objects.filter(consortium=consortium, title="端侧视频智能处理芯片联合攻关").first()
    if ongoing is None:
        ongoing = services.project_create(
            actor=staff, consortium=consortium, title="端侧视频智能处理芯片联合攻关", leader=lead,
            participants=[p for p in (university, sme_a) if p], budget="8500000", status="ongoing",
            start_date=d("2025-03-01"), end_date=d("2027-02-28"),
            description="视频稳像、图像三维重构算法的端侧芯片化实现与测试验证。")
        for title, due in (("完成算法芯片化方案评审", today - dt.timedelta(days=12)),
                           ("流片与样片测试", today + dt.timedelta(days=20)),
                           ("中小企业产线试用", today + dt.timedelta(days=150))):
            services.milestone_add(actor=staff, project=ongoing, title=title, due_on=due)
        count("projects")

    # Shared patents: the institute's drone patents and two of the university's, by contribution date.
    for holder, numbers, on in ((institute, ("CN217546176U", "CN216160555U", "CN218824140U"), "2023-01-10"),
                                (institute, ("CN116245100A",), "2023-07-15")):
        if holder is None:
            continue
        for number in numbers:
            patent = _find_patent(number)
            if patent is None or consortium.shared_patents.filter(patent=patent).exists():
                continue
            services.shared_patent_add(actor=staff, consortium=consortium, patent=patent, contributed_by=holder,
                                       contributed_on=d(on))
            count("shared_patents")
    if university is not None:
        own = list(patent_selectors.patents_held_by(user=None, organization=university)
                   .filter(title__in=["一种基于时序网格流叠加的实时视频稳像方法",
                                      "基于多球面相机模型的大视野图像三维重构优化方法"]).order_by("pk"))
        for patent in own:
            if not consortium.shared_patents.filter(patent=patent).exists():
                services.shared_patent_add(actor=staff, consortium=consortium, patent=patent,
                                           contributed_by=university, contributed_on=d("2025-03-01"))
                count("shared_patents")
    for lead_patent in patent_selectors.patents_held_by(user=None, organization=lead).order_by("pk")[:2]:
        if not consortium.shared_patents.filter(patent=lead_patent).exists():
            services.shared_patent_add(actor=staff, consortium=consortium, patent=lead_patent, contributed_by=lead,
                                       contributed_on=d("2024-01-05"))
            count("shared_patents")

    if not ProtectionAction.objects.filter(consortium=consortium).exists() and institute is not None:
        drone = _find_patent("CN217546176U")
        if drone is not None:
            shares = [(lead, 50), (institute, 30)] + ([(sme_b, 20)] if sme_b else [(university, 20)])
            services.protection_create(
                actor=staff, consortium=consortium, kind="enforcement", title="无人机巡检系统专利联合维权",
                target="某无人机巡检设备制造商（演示）", patents=[drone], decided_on=d("2025-09-10"),
                status="ongoing", budget="600000", shares=shares)
            count("protection")

    if not SmeService.objects.filter(consortium=consortium).exists():
        rows = []
        if sme_a:
            rows += [(lead, sme_a, "supply", d("2025-04-18"), "将芯测电子纳入终端测试设备配套供应商名录",
                      "年度配套订单约 600 万元"),
                     (university, sme_a, "technical", today - dt.timedelta(days=40), "视频稳像算法移植技术帮扶",
                      "完成两款测试仪器算法升级")]
        if sme_b:
            rows += [(institute, sme_b, "licence", d("2025-06-20"), "无人机巡检系统专利普通许可",
                      "许可费 40 万元，已投产巡检机器人"),
                     (lead, sme_b, "training", today - dt.timedelta(days=75), "知识产权布局与海外风险防控培训",
                      "培训 12 人次，建立专利管理制度")]
        sme_c = demo_organization(SME_C)
        if sme_c is not None and sme_c.is_sme:
            rows.append((lead, sme_c, "technical", today - dt.timedelta(days=20), "石墨烯散热材料导入测试",
                         "通过可靠性测试，进入样品验证"))
        for provider, sme, kind, on, content, outcome in rows:
            if provider is None:
                continue
            services.sme_service_create(actor=staff, consortium=consortium, provider=provider, sme=sme, kind=kind,
                                        served_on=on, content=content, outcome=outcome + "（演示数据）")
            count("sme_services")
    return {"consortium": consortium.pk, "created": created,
            "members": selectors.members(consortium, current=True).count()}


register_demo_step("alliances", demo_alliances, order=75)
