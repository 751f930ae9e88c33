"""KPI providers for the centers' annual report (专业服务: 专利开放许可、专利开源), from this app's records.

A declaration, licence, payment or pledge counts for the center that serves it (the ``center`` named on the
declaration or pledge). A payment counts only once the licensor confirmed receiving it (确认收款), and a licence
formed on a payment not yet confirmed (付款待确认) is not counted as formed: a licensee's own word is not a figure
of the annual report. What was declared but not confirmed stays traceable beside the figures
(``selectors.center_royalty_payments_unconfirmed``, ``selectors.center_licences_unconfirmed``, the royalty page
and ``ipoc licensing royalties``)."""

from __future__ import annotations

from decimal import Decimal


def declarations(center, year: int):
    """年度专利开放许可声明数: the center's declarations announced (公告) in the year."""
    from ipoc.centers.kpi import KpiFigure
    from ipoc.licensing import selectors

    ids = selectors.center_declarations(center.organization_id, year)
    return KpiFigure(len(ids), "项", [("licensing.openlicencedeclaration", i) for i in ids])


def licences_formed(center, year: int):
    """年度开放许可达成许可数: licences formed (notice + payment) in the year on the center's declarations, the
    payment made with the notice confirmed by the licensor (or none due)."""
    from ipoc.centers.kpi import KpiFigure
    from ipoc.licensing import selectors

    ids = selectors.center_licences(center.organization_id, year)
    return KpiFigure(len(ids), "项", [("licensing.openlicence", i) for i in ids])


def royalties(center, year: int):
    """年度开放许可许可费 in 万元: every payment (initial fee and royalties) dated in the year that the licensor
    confirmed receiving; declared but unconfirmed payments are left out."""
    from ipoc.centers.kpi import KpiFigure
    from ipoc.licensing import selectors

    total, ids = selectors.center_royalty_payments(center.organization_id, year)
    return KpiFigure(Decimal(total) / Decimal(10000), "万元", [("licensing.royaltypayment", i) for i in ids])


def smes(center, year: int):
    """年度获得开放许可的中小企业数: distinct SME licensees of licences formed in the year (payment confirmed, or
    none due)."""
    from ipoc.centers.kpi import KpiFigure
    from ipoc.licensing import selectors

    ids = selectors.center_sme_licensees(center.organization_id, year)
    return KpiFigure(len(ids), "家", [("core.organization", i) for i in ids])


def pledged_patents(center, year: int):
    """专利开源承诺涉及专利数: patents covered at the end of the year by the center's active pledges."""
    from ipoc.centers.kpi import KpiFigure
    from ipoc.licensing import selectors

    ids = selectors.center_pledged_patents(center.organization_id, year)
    return KpiFigure(len(ids), "件", [("patents.patent", i) for i in ids])


def register() -> bool:
    from django.apps import apps

    if not apps.is_installed("ipoc.centers"):
        return False
    from ipoc.centers import kpi

    for code, fn in ((kpi.OPEN_LICENCE_DECLARATIONS, declarations), (kpi.OPEN_LICENCES_FORMED, licences_formed),
                     (kpi.OPEN_LICENCE_ROYALTIES, royalties), (kpi.OPEN_LICENCE_SMES, smes),
                     (kpi.PATENT_PLEDGES, pledged_patents)):
        kpi.register_kpi_provider(code, kpi.KPI_LABELS[code], fn)
    register_page = getattr(kpi, "register_record_page", None)  # the annual report's drill-down to the records
    if register_page is not None:
        from django.urls import reverse

        register_page("licensing.openlicencedeclaration", "licensing_declaration_detail")
        register_page("licensing.openlicence", "licensing_licence_detail")
        register_page("licensing.royaltypayment",
                      lambda payment: reverse("licensing_licence_detail", args=[payment.licence_id]))
    return True
