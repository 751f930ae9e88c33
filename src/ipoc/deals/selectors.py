"""Reads for 交易撮合, restricted to what the user may see, and the per-center, per-year statistics."""

from __future__ import annotations

import datetime as dt
import statistics as pystats
from decimal import Decimal
from urllib.parse import urlencode

from django.db.models import Q, QuerySet, Sum
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from ipoc.core.errors import NotFound, PermissionDenied
from ipoc.core.models import Organization, OrganizationKind, Role, User
from ipoc.core.permissions import VIEW, restrict, settled_by_role
from ipoc.core.validators import region_scope_prefix
from ipoc.deals.models import SIGNED_STAGES, Deal, DealStage


def deal_list(*, user: User, q: str = "", stage: str = "", deal_type: str = "", chain_scope: str = "",
              center: int | None = None, party: int | None = None, signed_year: int | None = None,
              counted: bool = False, demand: int | None = None, event: int | None = None,
              ids: list[int] | None = None) -> QuerySet[Deal]:
    """``counted``: only deals the statistics count as signed (签约、履行、完成)."""
    qs = restrict(Deal.objects.select_related("center"), user, VIEW)
    if q:
        qs = qs.filter(Q(title__icontains=q) | Q(note__icontains=q))
    if stage:
        qs = qs.filter(stage=stage)
    if deal_type:
        qs = qs.filter(deal_type=deal_type)
    if chain_scope:
        qs = qs.filter(chain_scope=chain_scope)
    if center:
        qs = qs.filter(center=center)
    if party:
        qs = qs.filter(Q(sellers=party) | Q(buyers=party)).distinct()
    if signed_year:
        qs = qs.filter(signed_date__year=signed_year)
    if counted:
        qs = qs.filter(stage__in=SIGNED_STAGES)
    if demand:
        qs = qs.filter(demand=demand)
    if event:
        qs = qs.filter(event=event)
    if ids is not None:
        qs = qs.filter(pk__in=ids)
    return qs


def with_related(qs: QuerySet[Deal]) -> QuerySet[Deal]:
    """Prefetch what a deal's API representation shows (parties, patents, stage history)."""
    return qs.select_related("center").prefetch_related("sellers", "buyers", "patents", "stage_changes__actor")


def deal_get(*, user: User, pk: int) -> Deal:
    deal = restrict(Deal.objects.select_related("center", "demand", "event"), user, VIEW).filter(pk=pk).first()
    if deal is None:
        raise NotFound(f"交易 {pk} 不存在或无权查看", field="deal")
    return deal


# ---------------------------------------------------------------- statistics

CONVERSION_AMOUNT = "conversion_amount"
CONVERSION_PROJECTS = "conversion_projects"
DEMANDS_MATCHED = "demands_matched"
DEMANDS_SOLVED = "demands_solved"
SMES_SERVED = "smes_served"
MEDIAN_DAYS_DEMAND_TO_DEAL = "median_days_demand_to_deal"
FIGURES = (CONVERSION_AMOUNT, CONVERSION_PROJECTS, DEMANDS_MATCHED, DEMANDS_SOLVED, SMES_SERVED,
           MEDIAN_DAYS_DEMAND_TO_DEAL)

# Demand statuses as stored by ipoc.demands (对接中、已解决).
DEMAND_MATCHING, DEMAND_SOLVED = "matching", "solved"


def _system_reader() -> User:
    """An unsaved administrator used only to read other apps' records through their selectors, so that a figure
    is the same whoever looks at it (the viewer's right to see the center's figures is checked separately)."""
    return User(username="system", role=Role.PLATFORM_ADMIN, is_superuser=True)


def may_view_statistics(user: User | None, center: Organization) -> bool:
    """Administrators; the center's own staff; IP offices whose area covers the center (national: all)."""
    if (settled := settled_by_role(user)) is not None:
        return settled
    if user.role == Role.CENTER_STAFF:
        return user.organization_id == center.pk
    if user.role == Role.OFFICE_STAFF and user.organization is not None:
        office = user.organization
        if office.office_level == "national":
            return True
        return bool(office.region_code and center.region_code
                    and center.region_code.startswith(region_scope_prefix(office.region_code)))
    return False


def center_for_statistics(*, user: User | None, pk: int | None = None, name: str = "") -> Organization:
    """The center organisation (by id or exact name), refused unless the user may see its figures."""
    qs = Organization.objects.filter(kind=OrganizationKind.OPERATION_CENTER)
    center = qs.filter(pk=pk).first() if pk else qs.filter(name=(name or "").strip()).first()
    if center is None:
        raise NotFound(_("运营中心不存在：%(c)s") % {"c": pk or name}, field="center")
    if not may_view_statistics(user, center):
        raise PermissionDenied(_("您无权查看此运营中心的统计：%(c)s") % {"c": center}, field="center")
    return center


def counted_deals(center_id: int, year: int) -> QuerySet[Deal]:
    """Deals of the center signed in the year (签约日期 in the year) and now at 签约, 履行 or 完成."""
    return Deal.objects.filter(center_id=center_id, signed_date__year=year, stage__in=SIGNED_STAGES)


def _center_demands(center_id: int):
    from ipoc.demands import selectors as demand_selectors

    return demand_selectors.demand_list(user=_system_reader(), center=center_id)


def _demands_reaching(center_id: int, year: int, statuses: tuple[str, ...]) -> list[int]:
    """Demands of the center now in one of ``statuses`` that moved into one of them during the year (local time)."""
    start = timezone.make_aware(dt.datetime(year, 1, 1))
    end = timezone.make_aware(dt.datetime(year + 1, 1, 1))
    qs = _center_demands(center_id).filter(status__in=statuses, status_changes__to_status__in=statuses,
                                           status_changes__at__gte=start, status_changes__at__lt=end)
    return sorted(set(qs.values_list("pk", flat=True)))


def demands_matched(center_id: int, year: int) -> list[int]:
    """Ids of the center's demands now 对接中/已解决 that entered one of those statuses in the year."""
    return _demands_reaching(center_id, year, (DEMAND_MATCHING, DEMAND_SOLVED))


def _figure(code: str, label: str, value, unit: str, record_model: str, record_ids: list[int], definition: str,
            center_id: int, year: int) -> dict:
    url = reverse("deal_statistics_records") + "?" + urlencode({"center": center_id, "year": year, "figure": code})
    return {"label": label, "value": value, "unit": unit, "record_model": record_model,
            "record_ids": record_ids, "url": url, "definition": definition}


def deal_statistics(*, user: User | None, center: Organization, year: int) -> dict[str, dict]:
    """The center's figures for the year, each {value, unit, record_ids, definition, label, record_model, url}.

    Every figure is computed system-wide (the same whoever looks); ``user`` must be allowed to see the center's
    figures. Amounts are in 元 (Decimal), day counts may be halves (the median of an even number of deals).
    """
    if not may_view_statistics(user, center):
        raise PermissionDenied(_("您无权查看此运营中心的统计：%(c)s") % {"c": center}, field="center")
    cid = center.pk
    deals = counted_deals(cid, year)
    deal_ids = sorted(deals.values_list("pk", flat=True))
    amount = Decimal(deals.aggregate(total=Sum("amount"))["total"] or 0).quantize(Decimal("0.01"))

    matched = _demands_reaching(cid, year, (DEMAND_MATCHING, DEMAND_SOLVED))
    solved = _demands_reaching(cid, year, (DEMAND_SOLVED,))

    active_deals = (Deal.objects.filter(center_id=cid).exclude(stage=DealStage.TERMINATED)
                    .filter(Q(intention_date__year=year) | Q(signed_date__year=year)))
    sme = Q(is_sme=True, kind=OrganizationKind.ENTERPRISE)
    party_orgs = set(Organization.objects.filter(sme).filter(
        Q(deals_as_seller__in=active_deals) | Q(deals_as_buyer__in=active_deals)).values_list("pk", flat=True))
    handled = _demands_reaching(cid, year, ("published", DEMAND_MATCHING, DEMAND_SOLVED))
    owners = set(_center_demands(cid).filter(pk__in=handled, organization__is_sme=True,
                                             organization__kind=OrganizationKind.ENTERPRISE)
                 .values_list("organization_id", flat=True))
    smes = sorted(party_orgs | owners)

    lags = []
    lag_ids = []
    for deal_id, signed, published in (deals.filter(demand__published_at__isnull=False)
                                       .values_list("pk", "signed_date", "demand__published_at").order_by("pk")):
        lags.append((signed - timezone.localdate(published)).days)
        lag_ids.append(deal_id)
    median = pystats.median(lags) if lags else None
    if median is not None:
        median = int(median) if float(median).is_integer() else float(median)

    f = _figure
    return {
        CONVERSION_AMOUNT: f(
            CONVERSION_AMOUNT, _("转化运营金额"), amount, _("元"), "deals.deal", deal_ids,
            _("本中心撮合、签约日期在该年度、当前阶段为签约/履行/完成的交易金额之和（已终止的交易不计）"), cid, year),
        CONVERSION_PROJECTS: f(
            CONVERSION_PROJECTS, _("转化项目数"), len(deal_ids), _("个"), "deals.deal", deal_ids,
            _("本中心撮合、签约日期在该年度、当前阶段为签约/履行/完成的交易数（已终止的交易不计）"), cid, year),
        DEMANDS_MATCHED: f(
            DEMANDS_MATCHED, _("对接需求数"), len(matched), _("项"), "demands.demand", matched,
            _("受理运营中心为本中心、当前状态为对接中或已解决、且在该年度进入对接中或已解决的技术需求数"), cid, year),
        DEMANDS_SOLVED: f(
            DEMANDS_SOLVED, _("解决需求数"), len(solved), _("项"), "demands.demand", solved,
            _("受理运营中心为本中心、当前状态为已解决、且在该年度变为已解决的技术需求数"), cid, year),
        SMES_SERVED: f(
            SMES_SERVED, _("服务中小企业数"), len(smes), _("家"), "core.organization", smes,
            _("中小企业（企业且“是否中小企业”为是）中，作为本中心未终止交易（意向或签约日期在该年度）的一方，"
              "或其技术需求由本中心受理并在该年度发布、对接或解决的单位数（去重）"), cid, year),
        MEDIAN_DAYS_DEMAND_TO_DEAL: f(
            MEDIAN_DAYS_DEMAND_TO_DEAL, _("需求发布至签约天数中位数"), median, _("天"), "deals.deal", lag_ids,
            _("上述计入转化项目、且关联了已发布技术需求的交易，从需求发布日期到签约日期的天数中位数；没有此类交易时为空"),
            cid, year),
    }


def cumulative_conversion_projects(center_id: int, year: int) -> list[int]:
    """Ids of the center's deals signed up to the end of the year and now at 签约/履行/完成 (累计转化项目)."""
    return sorted(Deal.objects.filter(center_id=center_id, signed_date__lte=dt.date(year, 12, 31),
                                      stage__in=SIGNED_STAGES).values_list("pk", flat=True))


def statistics_records(*, user: User, center: Organization, year: int, figure: str) -> dict:
    """The records behind one figure, as far as the user may see them (for the drill-down page)."""
    from ipoc.core.selectors import organization_list
    from ipoc.demands import selectors as demand_selectors

    figures = deal_statistics(user=user, center=center, year=year)
    if figure not in figures:
        raise NotFound(_("未知的统计指标：%(f)s") % {"f": figure}, field="figure")
    data = figures[figure]
    ids = data["record_ids"]
    if data["record_model"] == "deals.deal":
        rows = list(deal_list(user=user, ids=ids).order_by("signed_date", "pk"))
    elif data["record_model"] == "demands.demand":
        rows = list(demand_selectors.demand_list(user=user).filter(pk__in=ids).order_by("pk"))
    else:
        rows = list(organization_list(user=user).filter(pk__in=ids))
    return {"figure": data, "code": figure, "rows": rows, "hidden": len(ids) - len(rows)}


def deals_for_patent(*, user: User, patent_id: int) -> QuerySet[Deal]:
    """The deals concerning a patent, that the user may see (for the patent's page)."""
    return restrict(Deal.objects.filter(patents=patent_id).select_related("center"), user, VIEW).distinct()


def statistics_breakdown(*, user: User | None, center: Organization, year: int) -> dict:
    """The deals counted for the center's year (``counted_deals``) by signing month and by deal type —
    {"by_month": [{month, count, amount}] × 12, "by_type": [{deal_type, label, count, amount}]}, amounts in 元."""
    from django.db.models import Count

    from ipoc.deals.models import DealType

    if not may_view_statistics(user, center):
        raise PermissionDenied(_("您无权查看此运营中心的统计：%(c)s") % {"c": center}, field="center")
    deals = counted_deals(center.pk, year).order_by()
    months = {row["signed_date__month"]: row for row in deals.values("signed_date__month")
              .annotate(count=Count("pk"), amount=Sum("amount"))}
    by_month = [{"month": m, "count": months.get(m, {}).get("count", 0),
                 "amount": Decimal(months.get(m, {}).get("amount") or 0)} for m in range(1, 13)]
    types = {row["deal_type"]: row for row in deals.values("deal_type").annotate(count=Count("pk"),
                                                                                   amount=Sum("amount"))}
    by_type = [{"deal_type": code, "label": str(label), "count": types[code]["count"],
                "amount": Decimal(types[code]["amount"] or 0)} for code, label in DealType.choices if code in types]
    return {"by_month": by_month, "by_type": by_type}


def statistics_overview(*, user: User | None, year: int) -> list[dict]:
    """Every operation center whose figures the user may see, with the deals counted for the year (count and
    amount in 元), largest amount first — the office's view across centers."""
    from django.db.models import Count

    centers = [c for c in Organization.objects.filter(kind=OrganizationKind.OPERATION_CENTER).order_by("name")
               if may_view_statistics(user, c)]
    totals = {row["center"]: row for row in Deal.objects.filter(
        center__in=[c.pk for c in centers], signed_date__year=year, stage__in=SIGNED_STAGES).order_by()
        .values("center").annotate(count=Count("pk"), amount=Sum("amount"))}
    rows = [{"center": c, "count": totals.get(c.pk, {}).get("count", 0),
             "amount": Decimal(totals.get(c.pk, {}).get("amount") or 0)} for c in centers]
    return sorted(rows, key=lambda r: (-r["amount"], -r["count"], r["center"].name))


def exclusive_licence_patent_ids(on_date: dt.date | None = None) -> set[int]:
    """Patents under an 独占/排他 licence deal in force on ``on_date`` (default today): a licence deal at 签约, 履行 or
    完成 whose licence term (许可期限起/止, open ends allowed) covers the date. Used by the open-licence check."""
    from ipoc.deals.models import EXCLUSIVE_KINDS, DealType

    on_date = on_date or timezone.localdate()
    qs = Deal.objects.filter(deal_type=DealType.LICENSE, licence_kind__in=EXCLUSIVE_KINDS, stage__in=SIGNED_STAGES)
    qs = qs.filter(Q(licence_start__isnull=True) | Q(licence_start__lte=on_date))
    qs = qs.filter(Q(licence_end__isnull=True) | Q(licence_end__gte=on_date))
    return set(qs.exclude(patents__isnull=True).values_list("patents", flat=True))


def exclusive_licence_deals(patent_id: int, on_date: dt.date | None = None) -> list[dict]:
    """The 独占/排他 licence deals in force on a patent, as {"id", "title", "kind", "kind_label", "start", "end", "url"}
    (the records behind the open-licence blocker)."""
    from ipoc.deals.models import EXCLUSIVE_KINDS, DealType

    on_date = on_date or timezone.localdate()
    qs = (Deal.objects.filter(deal_type=DealType.LICENSE, licence_kind__in=EXCLUSIVE_KINDS, stage__in=SIGNED_STAGES,
                              patents=patent_id)
          .filter(Q(licence_start__isnull=True) | Q(licence_start__lte=on_date))
          .filter(Q(licence_end__isnull=True) | Q(licence_end__gte=on_date)).distinct().order_by("pk"))
    return [{"id": d.pk, "title": d.title, "kind": d.licence_kind, "kind_label": str(d.get_licence_kind_display()),
             "start": d.licence_start, "end": d.licence_end, "url": reverse("deal_detail", args=[d.pk])} for d in qs]


def licence_deal_amounts(*, ipc_prefix: str, limit: int = 50) -> list[dict]:
    """Signed licence deals (签约/履行/完成, with an amount) on patents whose IPC main class starts with ``ipc_prefix``:
    {"id", "title", "amount", "per_patent", "signed_date"} — comparables for an open-licence fee estimate."""
    prefix = (ipc_prefix or "").strip().upper()
    if len(prefix) < 3:
        return []
    from django.db.models import Count

    from ipoc.deals.models import DealType

    qs = (Deal.objects.filter(deal_type=DealType.LICENSE, stage__in=SIGNED_STAGES, amount__isnull=False,
                              patents__ipc_main__startswith=prefix).distinct()
          .annotate(n=Count("patents", distinct=True)).order_by("-signed_date", "-pk")[:limit])
    return [{"id": d.pk, "title": d.title, "amount": d.amount, "per_patent": (d.amount / max(d.n, 1)).quantize(
        Decimal("0.01")), "signed_date": d.signed_date} for d in qs]


def center_serves(center_id: int, organization_id: int) -> bool:
    """Whether an operation center serves an organisation on the platform's records: a party (转让/许可方 or
    受让/被许可方) of a deal the center brokers that has been signed (签约/履行/完成), or the requester of a demand
    the center handles that the organisation's own users submitted. Used where center staff act in another
    organisation's name (a product, a filing result, a brand, a 权利限制, a risk check). An intention a center
    records alone, or a demand it registers in someone's name, does not make it serve them: otherwise any center
    could make itself serve anyone."""
    if Deal.objects.filter(center_id=center_id, stage__in=SIGNED_STAGES).filter(
            Q(sellers__id=organization_id) | Q(buyers__id=organization_id)).exists():
        return True
    return _center_demands(center_id).filter(organization_id=organization_id,
                                             created_by__organization_id=organization_id).exists()
