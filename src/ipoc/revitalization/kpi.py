"""KPI providers for the centers app (年度工作报告 and 基础条件): 存量专利盘活 figures of a center, from the
services it gives institutions (``ServiceLink``), the stock patents inventoried there, its pushes and the deals
that followed them. Each figure names its records."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone


def _year_bounds(year: int) -> tuple[dt.datetime, dt.datetime]:
    return (timezone.make_aware(dt.datetime(year, 1, 1)), timezone.make_aware(dt.datetime(year + 1, 1, 1)))


def institutions_served(center, year: int):
    """高校和科研机构 the center serves (service links created up to the end of the year)."""
    from ipoc.centers.kpi import KpiFigure
    from ipoc.revitalization.models import ServiceLink

    _start, end = _year_bounds(year)
    ids = sorted(ServiceLink.objects.filter(center_id=center.organization_id, created_at__lt=end)
                 .values_list("institution_id", flat=True).distinct())
    return KpiFigure(len(ids), "家", [("core.organization", i) for i in ids])


def patents_inventoried(center, year: int):
    """Stock patents of the institutions the center serves that were 建档 (created) in the year."""
    from ipoc.centers.kpi import KpiFigure
    from ipoc.revitalization.models import StockPatent

    start, end = _year_bounds(year)
    ids = sorted(StockPatent.objects.filter(institution__stock_centers__center_id=center.organization_id,
                                            created_at__gte=start, created_at__lt=end)
                 .values_list("pk", flat=True).distinct())
    return KpiFigure(len(ids), "件", [("revitalization.stockpatent", i) for i in ids])


def pushes_made(center, year: int):
    """分层推广: pushes of stock patents to enterprises made by the center in the year."""
    from ipoc.centers.kpi import KpiFigure
    from ipoc.revitalization.models import StockPush

    start, end = _year_bounds(year)
    ids = sorted(StockPush.objects.filter(center_id=center.organization_id, pushed_at__gte=start,
                                          pushed_at__lt=end).values_list("pk", flat=True))
    return KpiFigure(len(ids), "次", [("revitalization.stockpush", i) for i in ids])


def patents_revitalized(center, year: int):
    """累计盘活专利数: distinct stock patents with a deal (转让/许可/作价入股) signed up to the end of the year
    after a push by the center. The records are the deals."""
    from ipoc.centers.kpi import KpiFigure
    from ipoc.revitalization.models import StockDeal

    rows = list(StockDeal.objects.filter(push__center_id=center.organization_id,
                                         signed_on__lte=dt.date(year, 12, 31))
                .values_list("pk", "push__stock_id").order_by("pk"))
    stocks = sorted({s for _d, s in rows})
    return KpiFigure(len(stocks), "件", [("revitalization.stockpatent", s) for s in stocks]
                     + [("revitalization.stockdeal", d) for d, _s in rows])


def register() -> bool:
    """Register with ipoc.centers.kpi when that app is installed; False when it is not."""
    from django.apps import apps

    if not apps.is_installed("ipoc.centers"):
        return False
    from ipoc.centers import kpi

    for code, fn in ((kpi.STOCK_INSTITUTIONS_SERVED, institutions_served),
                     (kpi.STOCK_PATENTS_INVENTORIED, patents_inventoried),
                     (kpi.STOCK_PATENTS_PUSHED, pushes_made),
                     (kpi.STOCK_PATENTS_REVITALIZED, patents_revitalized)):
        kpi.register_kpi_provider(code, kpi.KPI_LABELS[code], fn)
    return True
