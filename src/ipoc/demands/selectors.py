"""Reads for 技术需求, restricted to what the user may see; contacts masked for outsiders."""

from __future__ import annotations

from django.db.models import Exists, OuterRef, Q, QuerySet

from ipoc.core.errors import NotFound
from ipoc.core.models import User
from ipoc.core.permissions import CHANGE, VIEW, can, restrict
from ipoc.demands.models import DealMode, Demand, DemandStatus, DemandStatusChange


def demand_list(*, user: User, q: str = "", status: str = "", kind: str = "", industry: str = "",
                organization: int | None = None, center: int | None = None, region: str = "",
                mine: bool = False) -> QuerySet[Demand]:
    qs = restrict(Demand.objects.select_related("organization", "center"), user, VIEW)
    if mine and user.organization_id:
        qs = qs.filter(Q(organization=user.organization_id) | Q(center=user.organization_id))
    if q:
        qs = qs.filter(Q(title__icontains=q) | Q(description__icontains=q))
    if status:
        qs = qs.filter(status=status)
    if kind:
        qs = qs.filter(kind=kind)
    if industry:
        qs = qs.filter(industry=industry)
    if organization:
        qs = qs.filter(organization=organization)
    if center:
        qs = qs.filter(center=center)
    if region:
        qs = qs.filter(region_code__startswith=region)
    return qs


def demand_get(*, user: User, pk: int) -> Demand:
    demand = restrict(Demand.objects.select_related("organization", "center"), user, VIEW).filter(pk=pk).first()
    if demand is None:
        raise NotFound(f"需求 {pk} 不存在或无权查看", field="demand")
    return demand


def mask(value: str) -> str:
    """Mask a contact value: keep the first and last characters (13812345678 → 138****5678)."""
    if not value:
        return ""
    if len(value) <= 2:
        return value[0] + "*"
    keep = 3 if len(value) >= 7 else 1
    return value[:keep] + "*" * max(len(value) - 2 * keep, 1) + value[-keep:] if len(value) > 2 * keep else value[0] + "**"


def with_contact_access(qs: QuerySet[Demand], user: User) -> QuerySet[Demand]:
    """Annotate each row with whether ``user`` may change it (``_may_change``), in the same SQL query, so a list
    page shows contacts without one permission query per row."""
    changeable = restrict(Demand.objects.filter(pk=OuterRef("pk")), user, CHANGE)
    return qs.annotate(_may_change=Exists(changeable))


def demand_contact(*, user: User, demand: Demand) -> dict[str, str]:
    """The contact as this user may see it: in full for the owner, its center and offices; masked otherwise."""
    may_change = getattr(demand, "_may_change", None)
    if may_change is None:
        may_change = can(user, CHANGE, demand)
    full = may_change or (user.is_authenticated and user.role == "office_staff")
    fields = {"name": demand.contact_name, "phone": demand.contact_phone, "email": demand.contact_email}
    return fields if full else {k: mask(v) for k, v in fields.items()}


# ---- system-level reads used by matching and batch jobs (no user: the caller has checked access)

DEAL_MODES = tuple(DealMode.values)

STATUS_PUBLISHED = DemandStatus.PUBLISHED
STATUS_MATCHING = DemandStatus.MATCHING
OPEN_STATUSES = (DemandStatus.PUBLISHED, DemandStatus.MATCHING)


def open_demands(*, center_id: int | None) -> QuerySet[Demand]:
    """Demands open for matching (已发布、对接中), of one center or of all."""
    qs = Demand.objects.filter(status__in=OPEN_STATUSES).select_related("organization", "center")
    return qs.filter(center_id=center_id) if center_id else qs


def demand_by_id(pk: int) -> Demand:
    return Demand.objects.select_related("organization", "center").get(pk=pk)


def description_copies(text: str) -> int:
    """How many demands share exactly this description (a repeated company profile is not a need)."""
    return Demand.objects.filter(description=text).count() if text else 0

STATUS_SOLVED = DemandStatus.SOLVED


def handled_status_changes(*, center_org_id: int, year: int) -> QuerySet[DemandStatusChange]:
    """Status changes of a center's demands into 已发布/对接中/已解决 during a year: the records behind
    the center KPIs 'SMEs served' and 'demands solved'."""
    return DemandStatusChange.objects.filter(
        demand__center_id=center_org_id, at__year=year,
        to_status__in=(DemandStatus.PUBLISHED, DemandStatus.MATCHING, DemandStatus.SOLVED))


DEAL_MODE_CHOICES = DealMode.choices


def deal_mode_labels(codes) -> list[str]:
    """交易/合作方式 by label (转让、许可 …), in the order given; an unknown code is shown as it is."""
    labels = dict(DealMode.choices)
    return [str(labels.get(c, c)) for c in codes or []]


OPEN_STATUS_CHOICES = [(s.value, s.label) for s in OPEN_STATUSES]
