"""KPI providers for the centers app's 工作成效 checks, computed from this app's statistics."""

from __future__ import annotations

from decimal import Decimal


def annual_deal_amount(center, year: int):
    """年度转化运营金额 in 万元 (the unit of the national threshold), from deals signed in the year."""
    from ipoc.centers.kpi import KpiFigure
    from ipoc.deals import selectors

    rows = list(selectors.counted_deals(center.organization_id, year).values_list("pk", "amount"))
    ids = sorted(pk for pk, _amount in rows)
    total = sum((a for _pk, a in rows if a is not None), Decimal("0"))
    # Exact (no rounding): 4,999,999.99 元 must stay below a 500 万元 threshold.
    return KpiFigure(total / Decimal(10000), "万元",
                     [("deals.deal", i) for i in ids])


def cumulative_projects(center, year: int):
    """转化项目累计数: deals signed up to the end of the year. When the industrialization app is installed it
    registers the full figure (these deals plus its 专利产业化项目) over this one."""
    from ipoc.centers.kpi import KpiFigure
    from ipoc.deals import selectors

    ids = selectors.cumulative_conversion_projects(center.organization_id, year)
    return KpiFigure(len(ids), "个", [("deals.deal", i) for i in ids])


def conversion_projects(center, year: int):
    """年度转化项目数: deals of the center signed in the year and now at 签约/履行/完成."""
    from ipoc.centers.kpi import KpiFigure
    from ipoc.deals import selectors

    ids = sorted(selectors.counted_deals(center.organization_id, year).values_list("pk", flat=True))
    return KpiFigure(len(ids), "个", [("deals.deal", i) for i in ids])


def demands_matched(center, year: int):
    """对接需求数: the center's demands now 对接中 or 已解决 that entered one of them in the year."""
    from ipoc.centers.kpi import KpiFigure
    from ipoc.deals import selectors

    ids = selectors.demands_matched(center.organization_id, year)
    return KpiFigure(len(ids), "项", [("demands.demand", i) for i in ids])


def register() -> bool:
    """Register with ipoc.centers.kpi when that app is installed; False when it is not."""
    from django.apps import apps

    if not apps.is_installed("ipoc.centers"):
        return False
    from ipoc.centers import kpi

    kpi.register_kpi_provider(kpi.ANNUAL_DEAL_AMOUNT, kpi.KPI_LABELS[kpi.ANNUAL_DEAL_AMOUNT], annual_deal_amount)
    kpi.register_kpi_provider(kpi.CUMULATIVE_PROJECTS, kpi.KPI_LABELS[kpi.CUMULATIVE_PROJECTS], cumulative_projects)
    kpi.register_kpi_provider(kpi.CONVERSION_PROJECTS, kpi.KPI_LABELS[kpi.CONVERSION_PROJECTS], conversion_projects)
    kpi.register_kpi_provider(kpi.DEMANDS_MATCHED, kpi.KPI_LABELS[kpi.DEMANDS_MATCHED], demands_matched)
    return True
