"""``ipoc demo`` step ``risk`` (order 87), through ``ipoc.risk.services``: 华为's export risk check of a hybrid-vehicle
pre-charging controller (described from the claims of the real US grant US 9,358,892, imported from the sample
data) for the US and CN, searched, charted, confirmed and reported; a second member's check of the same product
class (the center sees the shared exposure); a litigation/337 watch-list entry; a supply-chain review from a BOM
with one bad row, a contract-term checklist and a remediation action. Idempotent: found by requester and title."""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path

from ipoc.core.demo import register_demo_step

DEMO_CENTER = "新一代信息技术产业知识产权运营中心（演示）"
ENTERPRISE = "华为技术有限公司"
SME = "苏州芯测电子科技有限公司（演示）"
GRANT = Path("us") / "uspto_formats" / "grant_v4-5-B1.xml"
TITLE = "混合动力车辆倒车爬坡预充电控制器出口风险排查"
TITLE_SME = "车载预充电模块出口风险排查"
REVIEW = "预充电控制器供应链合规排查"

FEATURES = [
    "Pre-charging system of a hybrid vehicle that improves hill climb performance in reverse direction",
    "A battery whose state of charge value is monitored",
    "A motor powers the movement of the hybrid vehicle with energy stored in the battery",
    "An engine outputs power for driving the hybrid vehicle or for charging the battery",
    "A grade sensor detects the grade value of the surface on which the hybrid vehicle is positioned",
    "A gear selection sensor detects the gear selection made by the driver",
    "An electronic control unit determines whether to activate a pre-charge mode based on the gear selection, "
    "the grade value and the state of charge value; after the pre-charge mode is activated it determines a target "
    "charge value from the grade value and the state of charge value and charges the battery with power outputted "
    "by the engine until the state of charge value is equal to or greater than the target charge value",
]


def _bom() -> bytes:
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.append(["部件", "供应商", "原产国", "金额（元）"])
    for row in (["坡度传感器", "无锡精工智能装备有限公司（演示）", "中国", "86000"],
                ["电子控制单元", SME, "中国", "240000"],
                ["动力电池模组", "常州烯创新材料有限公司（演示）", "中国", "1250000"],
                ["挡位传感器", "某进口传感器供应商", "德国", "62000"],
                ["", "某线束厂", "中国", "不详"]):
        ws.append(row)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def demo_risk(data_dir: Path) -> dict:
    from django.utils import timezone

    from ipoc.core.demo import demo_organization, demo_user
    from ipoc.core.services import organization_create
    from ipoc.patents import services as patent_services
    from ipoc.risk import services
    from ipoc.risk.models import CheckStatus, LitigationCase, RiskCheck, SupplyReview

    center, staff = demo_organization(DEMO_CENTER), demo_user("center")
    enterprise = demo_organization(ENTERPRISE)
    if center is None or staff is None or enterprise is None:
        return {"skipped": "demo center, its staff or the enterprise missing (run the earlier steps)"}
    sme = demo_organization(SME) or organization_create(actor=None, name=SME, kind="enterprise", is_sme=True,
                                                        region_code="320505", source="demo")
    grant = Path(data_dir) / GRANT
    # Imported once, with the first check: importing it again is an import like any other — the watch would
    # re-open the finished check and the demo would not repeat without change.
    if grant.exists() and not RiskCheck.objects.filter(requester=enterprise, title=TITLE).exists():
        patent_services.patent_import(actor=None, path=grant, format="auto")
    horizon = timezone.localdate() + dt.timedelta(days=5 * 365)
    made = []
    for org, title, markets in ((enterprise, TITLE, ["US", "CN"]), (sme, TITLE_SME, ["US"])):
        check = RiskCheck.objects.filter(requester=org, title=title).first()
        if check is None:
            check = services.check_create(
                actor=None, requester=org, center=center, title=title, product_name="混合动力车辆倒车爬坡预充电控制器",
                description="在倒车爬坡前根据坡度、挡位和电池荷电状态，由发动机为电池预充电的控制器，出口北美与国内销售。",
                features=FEATURES, variants=["HV-PC200", "HV-PC300"], components=["坡度传感器", "挡位传感器", "电子控制单元"],
                markets=markets, horizon_date=horizon, competitors=[])
            services.check_run(actor=staff, check=check)
            made.append(check.pk)
        if check.status != CheckStatus.FINISHED and org == enterprise and not check.reports.exists():
            top = check.candidates.filter(in_scope=True, removed=False).order_by("rank").first()
            if top is not None:
                services.chart_confirm_all(actor=staff, candidate=top)
                if not top.design_around:
                    services.candidate_note(actor=staff, candidate=top, design_around=(
                        "考虑取消以坡度值参与预充电模式判断的逻辑，改为仅依据挡位与荷电状态；需评估对爬坡性能的影响。"))
            for cand in check.candidates.filter(in_scope=True, removed=False, risk__in=("high", "medium")):
                services.chart_confirm_all(actor=staff, candidate=cand)
            services.report_publish(actor=staff, check=check)
    if not LitigationCase.objects.filter(case_number="337-TA-1399（演示）").exists():
        services.litigation_case_create(actor=None, center=center, kind="itc337", case_number="337-TA-1399（演示）",
                                        parties="某外国汽车零部件公司；常州烯创新材料有限公司（演示）", products="车载动力电池模组",
                                        patents="US9358892", filed_date=timezone.localdate() - dt.timedelta(days=40))
    review = SupplyReview.objects.filter(requester=enterprise, title=REVIEW).first()
    if review is None:
        from ipoc.core.uploads import uploads_folder

        folder = uploads_folder()
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / "demo-risk-bom.xlsx"
        path.write_bytes(_bom())
        review = services.review_import(actor=None, path=path, title=REVIEW, requester=enterprise, center=center,
                                        file_name="预充电控制器物料清单.xlsx")
        path.unlink(missing_ok=True)
        services.terms_set(actor=None, review=review, supplier_name=SME, checks={
            "ip_warranty": {"ok": True, "evidence": "采购框架协议第 9.1 条"},
            "indemnity": {"ok": True, "evidence": "第 9.3 条：赔偿含律师费"},
            "defence_control": {"ok": False, "evidence": ""}})
        services.remediation_add(actor=None, review=review, supplier_name="某进口传感器供应商",
                                 action="要求供应商提供知识产权担保函并补签赔偿条款", owner="采购部",
                                 due_date=timezone.localdate() + dt.timedelta(days=60))
    return {"checks_created": made, "review": review.pk}


register_demo_step("risk", demo_risk, order=87)
