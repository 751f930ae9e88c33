"""KPI provider: 年度专利导航与分析报告数 (NAVIGATION_REPORTS), from the landscape reports (PDF, Excel) a center
produced in the year; each figure names its report records."""

from __future__ import annotations


def navigation_reports(center, year: int):
    from ipoc.analytics import selectors
    from ipoc.centers.kpi import KpiFigure

    ids = selectors.reports_in_year(center.organization_id, year)
    return KpiFigure(len(ids), "份", [("analytics.landscapereport", i) for i in ids])


def register() -> bool:
    from django.apps import apps

    if not apps.is_installed("ipoc.centers"):
        return False
    from ipoc.centers import kpi

    kpi.register_kpi_provider(kpi.NAVIGATION_REPORTS, kpi.KPI_LABELS[kpi.NAVIGATION_REPORTS], navigation_reports)
    kpi.register_record_page("analytics.landscapereport", "analytics_report")
    return True
