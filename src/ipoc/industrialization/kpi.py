"""KPI providers for the annual report and the basic-conditions check, computed from this app's records.

``CUMULATIVE_PROJECTS`` (组织实施转化项目、专利产业化项目累计数) is first registered by ``ipoc.deals`` with deals
only; this app is installed after deals and replaces it with deals *plus* industrialization projects, naming both
kinds of record behind the figure."""

from __future__ import annotations

from decimal import Decimal


def industrialisation_projects(center, year: int):
    """年度落地专利产业化项目数: the center's projects opened (立项) in the year."""
    from ipoc.centers.kpi import KpiFigure
    from ipoc.industrialization import selectors

    ids = selectors.center_project_ids(center.organization_id, started_in=year)
    return KpiFigure(len(ids), "个", [("industrialization.project", i) for i in ids])


def industrialisation_output(center, year: int):
    """年度专利产业化项目产值 (万元): the output value the center's projects reported for the year."""
    from ipoc.centers.kpi import KpiFigure
    from ipoc.industrialization import selectors

    rows = list(selectors.center_outcomes(center.organization_id, year).values_list("project_id", "output_value"))
    total = sum((v for _p, v in rows if v is not None), Decimal("0"))
    ids = sorted({p for p, v in rows if v is not None})
    return KpiFigure(total / Decimal(10000), "万元", [("industrialization.project", i) for i in ids])


def patent_intensive_products(center, year: int):
    """专利密集型产品备案认定数: the center's products filed (备案) in the year and not refused."""
    from ipoc.centers.kpi import KpiFigure
    from ipoc.industrialization import selectors

    ids = selectors.center_filed_product_ids(center.organization_id, year)
    return KpiFigure(len(ids), "个", [("industrialization.product", i) for i in ids])


def brands(center, year: int):
    """培育的商标品牌数: brands the center cultivates, registered by the end of the year."""
    from ipoc.centers.kpi import KpiFigure
    from ipoc.industrialization import selectors

    ids = selectors.center_brand_ids(center.organization_id, year)
    return KpiFigure(len(ids), "个", [("industrialization.brand", i) for i in ids])


def cumulative_projects(center, year: int):
    """组织实施转化项目、专利产业化项目累计数: deals signed up to the end of the year (ipoc.deals) plus the
    center's industrialization projects opened up to the end of the year. Each record is counted once; a project
    that came from a deal is a second, distinct project (转化 then 产业化)."""
    from ipoc.centers.kpi import KpiFigure
    from ipoc.deals import selectors as deal_selectors
    from ipoc.industrialization import selectors

    deal_ids = deal_selectors.cumulative_conversion_projects(center.organization_id, year)
    project_ids = selectors.center_project_ids(center.organization_id, up_to=year)
    refs = [("deals.deal", i) for i in deal_ids] + [("industrialization.project", i) for i in project_ids]
    return KpiFigure(len(refs), "个", refs)


def register() -> bool:
    """Register with ipoc.centers.kpi when that app is installed; False when it is not."""
    from django.apps import apps

    if not apps.is_installed("ipoc.centers"):
        return False
    from ipoc.centers import kpi

    for code, fn in ((kpi.INDUSTRIALISATION_PROJECTS, industrialisation_projects),
                     (kpi.INDUSTRIALISATION_OUTPUT, industrialisation_output),
                     (kpi.PATENT_INTENSIVE_PRODUCTS, patent_intensive_products),
                     (kpi.BRANDS, brands),
                     (kpi.CUMULATIVE_PROJECTS, cumulative_projects)):
        kpi.register_kpi_provider(code, kpi.KPI_LABELS[code], fn)
    # the annual report's drill-down opens these records' pages
    kpi.register_record_page("industrialization.project", "industrialization_project_detail")
    kpi.register_record_page("industrialization.product", "industrialization_product_detail")
    kpi.register_record_page("industrialization.brand", "industrialization_brand_detail")
    return True
