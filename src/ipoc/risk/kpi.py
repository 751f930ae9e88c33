"""KPI providers (centers app): risk checks done, reports delivered, risk alerts issued."""

from __future__ import annotations


def risk_checks(center, year: int):
    """年度出口前风险预警与供应链合规排查次数: checks the center finished and supply reviews it handled."""
    from ipoc.centers.kpi import KpiFigure
    from ipoc.risk import selectors

    refs = selectors.center_checks_in_year(center.organization_id, year)
    return KpiFigure(len(refs), "次", refs)


def risk_reports(center, year: int):
    """年度交付风险预警报告数: report versions published in the year."""
    from ipoc.centers.kpi import KpiFigure
    from ipoc.risk import selectors

    ids = selectors.center_reports_in_year(center.organization_id, year)
    return KpiFigure(len(ids), "份", [("risk.riskreport", i) for i in ids])


def risk_alerts(center, year: int):
    """年度发布知识产权风险提示数: watch alerts on the center's checks and its industry alerts."""
    from ipoc.centers.kpi import KpiFigure
    from ipoc.risk import selectors

    ids = selectors.center_alerts_in_year(center.organization_id, year)
    return KpiFigure(len(ids), "条", [("risk.riskalert", i) for i in ids])


def register() -> bool:
    from django.apps import apps

    if not apps.is_installed("ipoc.centers"):
        return False
    from ipoc.centers import kpi

    kpi.register_kpi_provider(kpi.RISK_CHECKS, kpi.KPI_LABELS[kpi.RISK_CHECKS], risk_checks)
    kpi.register_kpi_provider(kpi.RISK_REPORTS, kpi.KPI_LABELS[kpi.RISK_REPORTS], risk_reports)
    kpi.register_kpi_provider(kpi.RISK_ALERTS, kpi.KPI_LABELS[kpi.RISK_ALERTS], risk_alerts)
    register_pages = getattr(kpi, "register_record_page", None)  # the drill-down from a figure to its records
    if register_pages is not None:
        for label, url_name in (("risk.riskcheck", "risk_check_detail"), ("risk.supplyreview", "risk_review_detail"),
                                ("risk.riskreport", "risk_report_by_id"), ("risk.riskalert", "risk_alert_detail")):
            register_pages(label, url_name)
    return True
