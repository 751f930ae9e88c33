"""Reads for 存量专利盘活, restricted to what the user may see, and the progress dashboard."""

from __future__ import annotations

from django.db.models import Count, Q, QuerySet, Sum

from ipoc.core.errors import NotFound
from ipoc.core.models import Organization, User
from ipoc.core.permissions import VIEW, restrict
from ipoc.revitalization.models import (
    Library,
    Recommendation,
    ServiceLink,
    Stage,
    StockDeal,
    StockImport,
    StockPatent,
    StockPush,
)


def stock_list(*, user: User, institution: int | None = None, stage: str = "", library: str = "",
               recommendation: str = "", department: str = "", q: str = "") -> QuerySet[StockPatent]:
    qs = StockPatent.objects.filter(pk__in=restrict(StockPatent.objects.all(), user, VIEW).values("pk"))
    qs = qs.select_related("institution", "patent")
    if institution:
        qs = qs.filter(institution=institution)
    if stage:
        qs = qs.filter(stage=stage)
    if library:
        qs = qs.filter(library=library)
    if recommendation:
        qs = qs.filter(recommendation=recommendation)
    if department:
        qs = qs.filter(department=department)
    if q:
        qs = qs.filter(Q(title__icontains=q) | Q(patent__publication_number__iexact=q.strip())
                       | Q(patent__application_number__icontains=q.strip()))
    return qs


def stock_get(*, user: User | None, pk: int) -> StockPatent:
    qs = StockPatent.objects.select_related("institution", "patent")
    stock = (qs if user is None else qs.filter(pk__in=restrict(StockPatent.objects.all(), user, VIEW)
                                               .values("pk"))).filter(pk=pk).first()
    if stock is None:
        raise NotFound(f"存量专利 {pk} 不存在或无权查看", field="stock")
    return stock


def stock_moves(stock: StockPatent) -> list[dict]:
    labels = dict(Stage.choices) | dict(Library.choices)
    return [{"kind": m.kind, "from_value": m.from_value, "from_label": str(labels.get(m.from_value, m.from_value)),
             "to_value": m.to_value, "to_label": str(labels.get(m.to_value, m.to_value)),
             "actor": m.actor.username if m.actor else "system", "reason": m.reason, "at": m.at}
            for m in stock.moves.select_related("actor")]


def push_list(*, user: User, stock: int | None = None, enterprise: int | None = None,
              response: str = "") -> QuerySet[StockPush]:
    qs = StockPush.objects.filter(pk__in=restrict(StockPush.objects.all(), user, VIEW).values("pk"))
    qs = qs.select_related("stock__patent", "stock__institution", "enterprise", "center")
    if stock:
        qs = qs.filter(stock=stock)
    if enterprise:
        qs = qs.filter(enterprise=enterprise)
    if response:
        qs = qs.filter(response=response)
    return qs


def push_get(*, user: User | None, pk: int) -> StockPush:
    qs = StockPush.objects.select_related("stock__institution", "stock__patent", "enterprise", "center")
    if user is not None:
        qs = qs.filter(pk__in=restrict(StockPush.objects.all(), user, VIEW).values("pk"))
    push = qs.filter(pk=pk).first()
    if push is None:
        raise NotFound(f"推送 {pk} 不存在或无权查看", field="push")
    return push


def import_get(*, user: User | None, pk: int) -> StockImport:
    qs = StockImport.objects.select_related("institution")
    if user is not None:
        qs = qs.filter(pk__in=restrict(StockImport.objects.all(), user, VIEW).values("pk"))
    record = qs.filter(pk=pk).first()
    if record is None:
        raise NotFound(f"批量建档记录 {pk} 不存在或无权查看", field="import")
    return record


def institution_by_name(name: str) -> Organization:
    org = Organization.objects.filter(name=(name or "").strip()).first()
    if org is None:
        raise NotFound(f"组织机构不存在：{name}", field="institution")
    return org


# ---------------------------------------------------------------- dashboard

COUNT_KEYS = ("inventoried", "in_review", "base_library", "graded", "screened", "resource_library", "pushed",
              "responded", "converted")


def _counts(qs: QuerySet[StockPatent]) -> dict:
    """Progress counts over stock patents; each counts distinct patents, so they reconcile with records."""
    agg = qs.aggregate(
        inventoried=Count("pk", distinct=True),
        in_review=Count("pk", filter=Q(stage__in=(Stage.DEPT_REVIEW, Stage.SCHOOL_REVIEW)), distinct=True),
        base_library=Count("pk", filter=Q(stage=Stage.STORED), distinct=True),
        graded=Count("pk", filter=Q(graded_at__isnull=False), distinct=True),
        screened=Count("pk", filter=Q(screened_at__isnull=False), distinct=True),
        resource_library=Count("pk", filter=Q(library=Library.RESOURCE), distinct=True),
        pushed=Count("pk", filter=Q(pushes__isnull=False), distinct=True),
        responded=Count("pk", filter=Q(pushes__isnull=False) & ~Q(pushes__response=""), distinct=True),
        converted=Count("pk", filter=Q(pushes__deals__isnull=False), distinct=True),
    )
    ids = qs.values("pk")
    deals = StockDeal.objects.filter(push__stock__in=ids).aggregate(n=Count("pk"), amount=Sum("amount"))
    by_rec = dict(StockPatent.objects.filter(pk__in=ids).exclude(recommendation="").order_by()
                  .values_list("recommendation").annotate(n=Count("pk")))
    abandon_saving = StockPatent.objects.filter(pk__in=ids, recommendation=Recommendation.ABANDON).aggregate(
        s=Sum("fee_saving"))["s"]
    return {**agg, "deals": deals["n"], "deal_amount": str(deals["amount"] or 0),
            "by_recommendation": {str(Recommendation(k).label): v for k, v in sorted(by_rec.items())},
            "abandon_fee_saving": str(abandon_saving or 0)}


def dashboard(*, user: User, institution: int | None = None, center: int | None = None) -> dict:
    """Progress per institution and per center: inventoried, screened, in the resource library,
    pushed, responded, converted (and the intermediate stages)."""
    visible = StockPatent.objects.filter(pk__in=restrict(StockPatent.objects.all(), user, VIEW).values("pk"))
    if institution:
        visible = visible.filter(institution=institution)
    if center:
        visible = visible.filter(institution__stock_centers__center=center).distinct()
    institutions = Organization.objects.filter(pk__in=visible.values("institution")).order_by("name")
    rows = [{"id": org.pk, "name": org.name, **_counts(visible.filter(institution=org))} for org in institutions]
    links = ServiceLink.objects.filter(institution__in=institutions).select_related("center")
    if center:
        links = links.filter(center=center)
    centers: dict[int, Organization] = {link.center_id: link.center for link in links}
    center_rows = []
    for org in sorted(centers.values(), key=lambda o: o.name):
        served = visible.filter(institution__stock_centers__center=org)
        center_rows.append({"id": org.pk, "name": org.name,
                            "institutions": served.values("institution").distinct().count(), **_counts(served)})
    return {"institutions": rows, "centers": center_rows, "totals": _counts(visible)}


# ---------------------------------------------------------------- service relations (consent)


def service_request_list(*, user: User, status: str = "") -> QuerySet:
    """The service requests a user may see: those its center made, those its institution received."""
    from ipoc.revitalization.models import ServiceRequest

    qs = restrict(ServiceRequest.objects.all(), user, VIEW).select_related("center", "institution")
    return qs.filter(status=status) if status else qs


def service_request_get(*, user: User | None, pk: int):
    from ipoc.revitalization.models import ServiceRequest

    qs = ServiceRequest.objects.select_related("center", "institution")
    if user is not None:
        qs = restrict(qs, user, VIEW)
    request = qs.filter(pk=pk).first()
    if request is None:
        raise NotFound(f"服务申请 {pk} 不存在或无权查看", field="request")
    return request


def stock_for_patent(*, user: User, patent_id: int) -> QuerySet[StockPatent]:
    """The stock-patent records (存量盘活) of a patent the user may see (for the patent's page)."""
    return stock_list(user=user).filter(patent_id=patent_id).order_by("-id")
