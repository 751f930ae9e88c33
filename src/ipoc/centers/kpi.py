"""工作成效 figures: a small registry of KPI providers.

A provider computes one figure for a center and a year from the platform's own
records and names every record behind it. Apps still being built (deals,
projects, 存量专利盘活) register theirs when they exist; until then a condition
that needs one reports 数据未接入 — never a made-up number.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal

from django.utils.translation import gettext_lazy as _

from ipoc.core.db_router import replica_reads


@dataclass(frozen=True)
class KpiFigure:
    value: Decimal | int
    unit: str
    record_refs: list[tuple[str, int]] = field(default_factory=list)  # (app_label.model, pk)


@dataclass(frozen=True)
class KpiProvider:
    code: str
    label: str
    fn: Callable  # (center, year) -> KpiFigure


KPI_PROVIDERS: dict[str, KpiProvider] = {}

# The figures the basic conditions ask for; the deal-based ones have no provider yet.
SMES_SERVED = "smes_served"
DEMANDS_SOLVED = "demands_solved"
ANNUAL_DEAL_AMOUNT = "annual_deal_amount"          # 万元, transactions app (not built yet)
CUMULATIVE_PROJECTS = "cumulative_projects"        # 转化项目 + 专利产业化项目, projects app (not built yet)
STOCK_PATENTS_REVITALIZED = "stock_patents_revitalized"  # 存量专利盘活, stock-patent app (not built yet)

# Figures of the annual duty report (年度工作报告), by duty; providers live in the apps that keep the records.
DEMANDS_MATCHED = "demands_matched"                # 对接需求数, deals app (from demands)
CONVERSION_PROJECTS = "conversion_projects"        # 年度转化项目数, deals app
EVENTS_HELD = "events_held"                        # 路演推介、对接活动场次, events app
STOCK_INSTITUTIONS_SERVED = "stock_institutions_served"  # 服务的高校院所数, stock-patent app
STOCK_PATENTS_INVENTORIED = "stock_patents_inventoried"  # 盘点入库存量专利数, stock-patent app
STOCK_PATENTS_PUSHED = "stock_patents_pushed"      # 分层推广推送数, stock-patent app
POOL_PATENTS = "pool_patents"                      # 重点领域专利池专利数 (no app keeps these yet)
INDUSTRIALISATION_PROJECTS = "industrialisation_projects"  # 专利产业化项目, industrialization app
# 产业协同 (pools and alliances apps)
POOL_LICENSEES = "pool_licensees"                  # 专利池被许可人数, pools app
POOL_ROYALTIES_COLLECTED = "pool_royalties_collected"      # 专利池许可费收取额, pools app
POOL_ROYALTIES_DISTRIBUTED = "pool_royalties_distributed"  # 专利池许可费分配额, pools app
CONSORTIUM_MEMBERS = "consortium_members"          # 创新联合体成员单位数, alliances app
CONSORTIUM_JOINT_PROJECTS = "consortium_joint_projects"    # 联合攻关项目数, alliances app
CONSORTIUM_JOINT_PATENTS = "consortium_joint_patents"      # 联合创造专利数, alliances app
CONSORTIUM_SMES_SERVED = "consortium_smes_served"  # 大手拉小手服务中小企业数, alliances app
# 专利产业化 (industrialization app)
PATENT_INTENSIVE_PRODUCTS = "patent_intensive_products"    # 专利密集型产品备案/认定数
INDUSTRIALISATION_OUTPUT = "industrialisation_output"      # 产业化项目产值
BRANDS = "brands"                                  # 商标品牌数
# 专业服务 (licensing, risk and analytics apps)
OPEN_LICENCE_DECLARATIONS = "open_licence_declarations"    # 开放许可声明数, licensing app
OPEN_LICENCES_FORMED = "open_licences_formed"      # 开放许可达成许可数, licensing app
OPEN_LICENCE_ROYALTIES = "open_licence_royalties"  # 开放许可许可费, licensing app
OPEN_LICENCE_SMES = "open_licence_smes"            # 获得开放许可的中小企业数, licensing app
PATENT_PLEDGES = "patent_pledges"                  # 专利开源承诺涉及专利数, licensing app
RISK_CHECKS = "risk_checks"                        # 出口前风险预警与供应链合规排查次数, risk app
RISK_REPORTS = "risk_reports"                      # 交付风险预警报告数, risk app
RISK_ALERTS = "risk_alerts"                        # 发布风险提示数, risk app
NAVIGATION_REPORTS = "navigation_reports"          # 专利导航/分析报告数, analytics app

KPI_LABELS = {
    DEMANDS_MATCHED: _("年度对接产业专利技术需求数"),
    CONVERSION_PROJECTS: _("年度转化项目数"),
    EVENTS_HELD: _("年度举办路演推介、供需对接活动场次"),
    STOCK_INSTITUTIONS_SERVED: _("服务的高校和科研机构数"),
    STOCK_PATENTS_INVENTORIED: _("年度盘点建档的存量专利数"),
    STOCK_PATENTS_PUSHED: _("年度分层推广推送次数"),
    POOL_PATENTS: _("重点领域专利池专利数"),
    INDUSTRIALISATION_PROJECTS: _("年度落地专利产业化项目数"),
    SMES_SERVED: _("年度服务中小企业数"),
    DEMANDS_SOLVED: _("年度解决产业专利技术需求数"),
    POOL_LICENSEES: _("专利池被许可人数"),
    POOL_ROYALTIES_COLLECTED: _("年度专利池许可费收取额"),
    POOL_ROYALTIES_DISTRIBUTED: _("年度专利池许可费分配额"),
    CONSORTIUM_MEMBERS: _("创新联合体成员单位数"),
    CONSORTIUM_JOINT_PROJECTS: _("年度联合攻关项目数"),
    CONSORTIUM_JOINT_PATENTS: _("年度联合创造专利数"),
    CONSORTIUM_SMES_SERVED: _("年度“大手拉小手”服务中小企业数"),
    PATENT_INTENSIVE_PRODUCTS: _("专利密集型产品备案认定数"),
    INDUSTRIALISATION_OUTPUT: _("年度专利产业化项目产值"),
    BRANDS: _("培育的商标品牌数"),
    OPEN_LICENCE_DECLARATIONS: _("年度专利开放许可声明数"),
    OPEN_LICENCES_FORMED: _("年度开放许可达成许可数"),
    OPEN_LICENCE_ROYALTIES: _("年度开放许可许可费"),
    OPEN_LICENCE_SMES: _("年度获得开放许可的中小企业数"),
    PATENT_PLEDGES: _("专利开源承诺涉及专利数"),
    RISK_CHECKS: _("年度出口前风险预警与供应链合规排查次数"),
    RISK_REPORTS: _("年度交付风险预警报告数"),
    RISK_ALERTS: _("年度发布知识产权风险提示数"),
    NAVIGATION_REPORTS: _("年度专利导航与分析报告数"),
    ANNUAL_DEAL_AMOUNT: _("年度转化运营金额"),
    CUMULATIVE_PROJECTS: _("组织实施转化项目、专利产业化项目累计数"),
    STOCK_PATENTS_REVITALIZED: _("存量专利盘活成效（累计盘活专利数）"),
}


DUTIES = {
    "collaboration": _("强化产业协同"),
    "academia": _("推进产学研合作"),
    "transfer": _("开展转化对接"),
    "industrialisation": _("推进专利产业化"),
    "services": _("开展专业服务"),
}

# The annual report's lines: (duty, figure code). A code without a registered provider is shown as 数据未接入.
REPORT_LINES: list[tuple[str, str]] = [
    ("collaboration", POOL_PATENTS),
    ("collaboration", POOL_LICENSEES),
    ("collaboration", POOL_ROYALTIES_COLLECTED),
    ("collaboration", POOL_ROYALTIES_DISTRIBUTED),
    ("collaboration", CONSORTIUM_MEMBERS),
    ("collaboration", CONSORTIUM_JOINT_PROJECTS),
    ("collaboration", CONSORTIUM_JOINT_PATENTS),
    ("collaboration", CONSORTIUM_SMES_SERVED),
    ("academia", STOCK_INSTITUTIONS_SERVED),
    ("academia", STOCK_PATENTS_INVENTORIED),
    ("academia", STOCK_PATENTS_PUSHED),
    ("academia", STOCK_PATENTS_REVITALIZED),
    ("transfer", DEMANDS_MATCHED),
    ("transfer", DEMANDS_SOLVED),
    ("transfer", EVENTS_HELD),
    ("transfer", CONVERSION_PROJECTS),
    ("transfer", ANNUAL_DEAL_AMOUNT),
    ("industrialisation", CUMULATIVE_PROJECTS),
    ("industrialisation", INDUSTRIALISATION_PROJECTS),
    ("industrialisation", INDUSTRIALISATION_OUTPUT),
    ("industrialisation", PATENT_INTENSIVE_PRODUCTS),
    ("industrialisation", BRANDS),
    ("services", SMES_SERVED),
    ("services", OPEN_LICENCE_DECLARATIONS),
    ("services", OPEN_LICENCES_FORMED),
    ("services", OPEN_LICENCE_ROYALTIES),
    ("services", OPEN_LICENCE_SMES),
    ("services", PATENT_PLEDGES),
    ("services", RISK_CHECKS),
    ("services", RISK_REPORTS),
    ("services", RISK_ALERTS),
    ("services", NAVIGATION_REPORTS),
]


def figure_line(code: str, center, year: int, duty: str = "") -> dict:
    """One figure as a JSON-able line: value, unit, the records behind it; ``missing`` when no provider."""
    figure = kpi_figure(code, center, year)
    line = {"duty": duty, "duty_label": str(DUTIES.get(duty, "")), "code": code,
            "label": str(KPI_LABELS.get(code, code))}
    if figure is None:
        return {**line, "value": None, "unit": "", "missing": True, "records": []}
    value = figure.value
    # Exact: a non-integral amount is kept as a decimal string (4,999,999.99 元 is 499.999999 万元, not 500).
    value = str(value.normalize()) if isinstance(value, Decimal) and value != value.to_integral_value() else int(value)
    return {**line, "value": value, "unit": str(figure.unit), "missing": False,
            "records": [{"model": m, "id": i} for m, i in figure.record_refs]}


def report_lines(center, year: int) -> list[dict]:
    return [figure_line(code, center, year, duty) for duty, code in REPORT_LINES]


# The page (URL name taking the record's pk) of each record type a figure names, so the annual report's
# drill-down opens it. Apps that provide figures add theirs with ``register_record_page``.
RECORD_PAGES: dict[str, str | Callable] = {
    "deals.deal": "deal_detail", "demands.demand": "demand_detail", "events.event": "event_detail",
    "revitalization.stockpatent": "stock_detail", "core.organization": "organization_detail",
    "centers.expertreview": "center_review_detail", "patents.patent": "patent_detail",
}


def register_record_page(model_label: str, page: str | Callable) -> None:
    """``page``: a URL name taking the record's pk, or a function of the record returning its URL (for a record
    shown on its parent's page)."""
    RECORD_PAGES.setdefault(model_label, page)


def record_url(model_label: str, obj) -> str:
    from django.urls import reverse

    page = RECORD_PAGES.get(model_label)
    if page is None:
        return ""
    return page(obj) if callable(page) else reverse(page, args=[obj.pk])


def register_kpi_provider(code: str, label: str, fn: Callable) -> None:
    KPI_PROVIDERS[code] = KpiProvider(code, label, fn)


def unregister_kpi_provider(code: str) -> None:
    KPI_PROVIDERS.pop(code, None)


def kpi_figure(code: str, center, year: int) -> KpiFigure | None:
    """The figure, or None when no provider is registered (数据未接入). Computed on the read replica when one is
    configured (读写分离: a yearly figure tolerates a few seconds' lag) — except inside a transaction, so a figure
    a service stores (年度工作报告, 定期评价, a conditions snapshot) is always the primary's."""
    provider = KPI_PROVIDERS.get(code)
    if provider is None:
        return None
    with replica_reads():
        return provider.fn(center, year)


# ---------------------------------------------------------------- providers computed from ipoc.demands
# Read-only use of the demands app's records (its selectors restrict by user; these figures are system-wide).
# A demand counts as handled by a center in a year when it names the center and moved to 已发布/对接中/已解决
# in that year (local time).


def _handled_status_changes(center, year: int):
    from ipoc.demands import selectors as demand_selectors

    return demand_selectors.handled_status_changes(center_org_id=center.organization_id, year=year)


def smes_served(center, year: int) -> KpiFigure:
    """Distinct SME enterprises with a demand handled by the center in the year."""
    rows = (_handled_status_changes(center, year)
            .filter(demand__organization__is_sme=True, demand__organization__kind="enterprise")
            .values_list("demand_id", "demand__organization_id").distinct())
    demand_ids = sorted({d for d, _o in rows})
    org_ids = sorted({o for _d, o in rows})
    refs = [("core.organization", o) for o in org_ids] + [("demands.demand", d) for d in demand_ids]
    return KpiFigure(len(org_ids), "家", refs)


def demands_solved(center, year: int) -> KpiFigure:
    """Demands handled by the center that reached 已解决 in the year."""
    from ipoc.demands import selectors as demand_selectors

    solved = demand_selectors.STATUS_SOLVED
    ids = sorted(set(_handled_status_changes(center, year)
                     .filter(to_status=solved, demand__status=solved)
                     .values_list("demand_id", flat=True)))
    return KpiFigure(len(ids), "项", [("demands.demand", i) for i in ids])


def register_builtin_providers() -> None:
    register_kpi_provider(SMES_SERVED, KPI_LABELS[SMES_SERVED], smes_served)
    register_kpi_provider(DEMANDS_SOLVED, KPI_LABELS[DEMANDS_SOLVED], demands_solved)
