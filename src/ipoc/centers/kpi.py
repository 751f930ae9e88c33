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

KPI_LABELS = {
    SMES_SERVED: _("年度服务中小企业数"),
    DEMANDS_SOLVED: _("年度解决产业专利技术需求数"),
    ANNUAL_DEAL_AMOUNT: _("年度转化运营金额"),
    CUMULATIVE_PROJECTS: _("组织实施转化项目、专利产业化项目累计数"),
    STOCK_PATENTS_REVITALIZED: _("存量专利盘活成效（累计盘活专利数）"),
}


def register_kpi_provider(code: str, label: str, fn: Callable) -> None:
    KPI_PROVIDERS[code] = KpiProvider(code, label, fn)


def unregister_kpi_provider(code: str) -> None:
    KPI_PROVIDERS.pop(code, None)


def kpi_figure(code: str, center, year: int) -> KpiFigure | None:
    """The figure, or None when no provider is registered (数据未接入)."""
    provider = KPI_PROVIDERS.get(code)
    return provider.fn(center, year) if provider is not None else None


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
