"""KPI providers for the annual report and evaluation: 专利池专利数, 被许可人数, 许可费收取额与分配额 of the pools a
center administers. Every figure names its records."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.db.models import Q


def _pools(center):
    from ipoc.pools import selectors

    return selectors.administered_pools(center.organization_id)


def pool_patents(center, year: int):
    """Patents listed at the end of the year (入池 on or before 31 December, not withdrawn by then)."""
    from ipoc.centers.kpi import KpiFigure
    from ipoc.pools.models import ListingStatus, PoolPatent

    end = dt.date(year, 12, 31)
    ids = sorted(PoolPatent.objects.filter(pool__in=_pools(center), listed_on__lte=end)
                 .filter(Q(status=ListingStatus.LISTED) | Q(status=ListingStatus.WITHDRAWN, withdrawn_on__gt=end))
                 .values_list("pk", flat=True))
    return KpiFigure(len(ids), "件", [("pools.poolpatent", i) for i in ids])


def pool_licensees(center, year: int):
    """Distinct licensees with an agreement signed on or before the end of the year (not terminated)."""
    from ipoc.centers.kpi import KpiFigure
    from ipoc.pools.models import Agreement, AgreementStatus

    rows = list(Agreement.objects.filter(pool__in=_pools(center), status=AgreementStatus.SIGNED,
                                         signed_on__lte=dt.date(year, 12, 31)).values_list("pk", "licensee_id"))
    return KpiFigure(len({o for _pk, o in rows}), "家", [("pools.agreement", pk) for pk, _o in sorted(rows)])


def royalties_collected(center, year: int):
    """Royalties paid in the year (current statements with a payment date in the year), in 万元, exact."""
    from ipoc.centers.kpi import KpiFigure
    from ipoc.pools.models import Statement

    rows = list(Statement.objects.filter(report__agreement__pool__in=_pools(center), is_current=True,
                                         paid_on__year=year).values_list("pk", "total"))
    total = sum((t for _pk, t in rows), Decimal("0"))
    return KpiFigure(total / Decimal(10000), "万元", [("pools.statement", pk) for pk, _t in sorted(rows)])


def royalties_distributed(center, year: int):
    """The distributable amount of the year's current allocations (collected − fee), in 万元, exact."""
    from ipoc.centers.kpi import KpiFigure
    from ipoc.pools.models import Allocation

    rows = list(Allocation.objects.filter(pool__in=_pools(center), year=year, is_current=True)
                .values_list("pk", "distributable"))
    total = sum((t for _pk, t in rows), Decimal("0"))
    return KpiFigure(total / Decimal(10000), "万元", [("pools.allocation", pk) for pk, _t in sorted(rows)])


def _pool_page(obj) -> str:
    from django.urls import reverse

    return reverse("pool_detail", args=[obj.pool_id])


def _statement_page(obj) -> str:
    from django.urls import reverse

    return reverse("pool_report", args=[obj.report_id])


def _allocation_page(obj) -> str:
    from django.urls import reverse

    return reverse("pool_allocation", args=[obj.pool_id])


def register() -> bool:
    from django.apps import apps

    if not apps.is_installed("ipoc.centers"):
        return False
    from ipoc.centers import kpi

    for code, fn in ((kpi.POOL_PATENTS, pool_patents), (kpi.POOL_LICENSEES, pool_licensees),
                     (kpi.POOL_ROYALTIES_COLLECTED, royalties_collected),
                     (kpi.POOL_ROYALTIES_DISTRIBUTED, royalties_distributed)):
        kpi.register_kpi_provider(code, kpi.KPI_LABELS[code], fn)
    for label, page in (("pools.poolpatent", _pool_page), ("pools.agreement", _pool_page),
                        ("pools.statement", _statement_page), ("pools.allocation", _allocation_page)):
        kpi.register_record_page(label, page)
    return True
