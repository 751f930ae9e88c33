"""``ipoc demo`` step ``pools`` (order 75), through ``ipoc.pools.services``: the demo center administers an
AVS3 video-coding pool with two licensors (中科大数据研究院 and 浙江大学, their demo patents in CN and US imported
through the patent store's importer with legal status and dates), essentiality decided by the two demo experts, a
programme with a rate card (regional discount, early-bird window, annual cap), 华为 as licensee with quarterly
reports for 2025 (two paid, one not), the 2025 allocation and a conflict check. Idempotent: the pool is found by
name and the step does nothing more once it exists."""

from __future__ import annotations

import datetime as dt
import json
import tempfile
from pathlib import Path

from ipoc.core.demo import register_demo_step

DEMO_CENTER = "新一代信息技术产业知识产权运营中心（演示）"
LICENSOR_A = "中科大数据研究院"
LICENSOR_B = "浙江大学"
LICENSEE = "华为技术有限公司"
POOL_NAME = "AVS3 超高清视频编码专利池（演示）"

# number, country, applicant, application, grant, status, lapse, family, title
PATENTS = [
    ("CN105100001B", "CN", LICENSOR_A, "2015-03-10", "2017-06-20", "有效", None, "AVS-F01",
     "一种基于仿射运动模型的帧间预测方法（演示）"),
    ("US10100001B2", "US", LICENSOR_A, "2016-02-01", "2018-09-11", "有效", None, "AVS-F01",
     "Inter prediction with an affine motion model (demo)"),
    ("CN102800002B", "CN", LICENSOR_B, "2012-05-04", "2014-10-08", "有效", None, "AVS-F02",
     "一种视频熵编码上下文建模方法（演示）"),
    ("US7500003B2", "US", LICENSOR_B, "2005-04-01", "2008-02-12", "期限届满", "2025-04-01", "AVS-F02",
     "Context modelling for video entropy coding (demo)"),
]


def _import_patents() -> dict:
    from ipoc.patents.services import patent_import

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "pool_demo_patents.jsonl"
        with path.open("w", encoding="utf-8") as fh:
            for number, country, applicant, app, grant, status, lapse, _family, title in PATENTS:
                fh.write(json.dumps({"publication_number": number, "jurisdiction": country, "title": title,
                                     "patent_type": "发明", "application_date": app, "grant_date": grant,
                                     "legal_status": status, "lapse_date": lapse, "applicants": [applicant]},
                                    ensure_ascii=False) + "\n")
        return patent_import(actor=None, path=path, format="jsonl").counts()


def demo_pools(data_dir: Path) -> dict:
    from ipoc.core.demo import demo_organization, demo_user
    from ipoc.patents import selectors as patent_selectors
    from ipoc.pools import services
    from ipoc.pools.models import Pool

    center, staff = demo_organization(DEMO_CENTER), demo_user("center")
    orgs = {n: demo_organization(n) for n in (LICENSOR_A, LICENSOR_B, LICENSEE)}
    experts = [demo_user("expert"), demo_user("expert2")]
    if center is None or staff is None or None in orgs.values() or None in experts:
        return {"pools": "demo center, organisations or experts missing"}
    if Pool.objects.filter(name=POOL_NAME).exists():
        return {"pools": "unchanged"}
    imported = _import_patents()
    pool = services.pool_create(actor=staff, name=POOL_NAME, domain="超高清视频编码", admin_fee_percent="10",
                                description="围绕 AVS3 视频编码标准的必要专利联合许可：许可人委托运营中心统一许可、"
                                            "统一收费、按有效专利点数分配。（演示数据）")
    version = services.standard_add(actor=staff, pool=pool, code="AVS3-P2（演示）", name="信息技术 智能媒体编码 第2部分：视频",
                                    version="2021", published_on=dt.date(2021, 5, 1),
                                    sections=[("9.5", "仿射运动补偿帧间预测"), ("9.8", "自适应运动矢量精度"),
                                              ("10.2", "上下文自适应熵编码")])
    sections = {s.number: s for s in version.sections.all()}
    licensors = {n: services.licensor_add(actor=staff, pool=pool, organization=orgs[n], joined_on=dt.date(2024, 1, 1))
                 for n in (LICENSOR_A, LICENSOR_B)}
    for number, _country, applicant, _a, _g, _s, _l, family, _t in PATENTS:
        patent = patent_selectors.patent_get(user=None, key_or_number=number)
        section = sections["9.5"] if family == "AVS-F01" else sections["10.2"]
        listing = services.pool_patent_submit(actor=staff, pool=pool, licensor=licensors[applicant], patent=patent,
                                              family=family, sections=[section])
        ev = listing.evaluations.get()
        for ex in experts:
            a = services.evaluator_assign(actor=staff, evaluation=ev, expert=ex)
            services.evaluator_declare(actor=ex, assignment=a, conflict=False)
            services.claim_chart_add(actor=ex, assignment=a, claim_number=1, section=section,
                                     element="根据相邻块运动矢量推导仿射控制点" if family == "AVS-F01"
                                     else "按相邻语法元素选择上下文模型")
            services.evaluator_opinion(actor=ex, assignment=a, opinion="essential", comment="权利要求1的全部技术特征均对应标准条款")
        services.evaluation_decide(actor=staff, evaluation=ev, note="两位专家一致认为必要")
    services.pool_update(actor=staff, pool=pool, data={"status": "active"})
    programme = services.programme_create(actor=staff, pool=pool, name="超高清终端许可计划",
                                          terms="普通许可；按台计费；每季度结束后30日内报告；签约前销售补缴。",
                                          categories=[("TV", "电视机"), ("STB", "机顶盒"), ("MOB", "手机")])
    services.rate_card_create(actor=staff, programme=programme, version="2024版", effective_from=dt.date(2024, 1, 1),
                              back_royalty_surcharge_percent="5",
                              rates=[{"category": "TV", "per_unit": "3.00", "annual_cap": "2000000"},
                                     {"category": "STB", "per_unit": "0.80"}, {"category": "MOB", "per_unit": "0.50"}],
                              discounts=[{"group": "新兴市场", "countries": ["IN", "VN", "ID"], "percent": "30"}],
                              early_birds=[{"category": "TV", "per_unit": "2.40", "signed_from": "2025-01-01",
                                            "signed_to": "2025-06-30", "sales_until": "2026-12-31"}])
    agreement = services.agreement_create(actor=staff, pool=pool, programme=programme, licensee=orgs[LICENSEE],
                                          number="AVS3-2025-001", countries=["CN", "US", "IN", "VN"],
                                          back_royalty_from=dt.date(2024, 7, 1))
    services.agreement_sign(actor=staff, agreement=agreement, signed_on=dt.date(2025, 3, 15))
    reports = [
        ("2025Q2", dt.date(2025, 7, 20), dt.date(2025, 7, 28), [
            ("TV", "CN", "CN", 12000, "2025-05-20"), ("TV", "CN", "US", 4000, "2025-06-10"),
            ("TV", "CN", "CN", 3000, "2024-11-15"), ("STB", "CN", "IN", 8000, None)]),
        ("2025Q3", dt.date(2025, 10, 25), dt.date(2025, 10, 30), [
            ("TV", "CN", "CN", 11000, "2025-08-20"), ("TV", "US", "US", 2000, "2025-09-01"),
            ("STB", "CN", "IN", 7500, None), ("MOB", "VN", "VN", 20000, None)]),
        ("2025Q4", dt.date(2026, 2, 10), None, [
            ("TV", "CN", "CN", 4000, "2025-11-20"), ("TV", "CN", "US", 3000, "2025-12-01")]),
    ]
    enterprise = demo_user("enterprise")
    for period, submitted, paid, lines in reports:
        report = services.report_submit(actor=enterprise if enterprise and enterprise.organization_id ==
                                        orgs[LICENSEE].pk else None, agreement=agreement, period=period, on=submitted,
                                        lines=[{"category": c, "country_made": m, "country_sold": s, "units": u,
                                                "sale_date": d} for c, m, s, u, d in lines])
        if paid:
            services.statement_mark_paid(actor=staff, statement=report.statements.get(is_current=True), paid_on=paid)
    allocation = services.allocation_run(actor=staff, pool=pool, year=2025)
    conflicts = services.conflicts_refresh(actor=None, pool=pool)
    return {"pools": pool.pk, "patents": imported, "allocation": str(allocation.distributable),
            "conflicts": len(conflicts)}


register_demo_step("pools", demo_pools, order=75)
