"""/api/v1/deals: 交易撮合 — list, detail, create, update, stage moves, attachments, statistics."""

from django.utils import timezone
from ninja import File, Query, Router, Schema, Status
from ninja.files import UploadedFile
from ninja.pagination import paginate

from ipoc.core.bounds import DbId, Year
from ipoc.core.pagination import LimitOffsetPagination
from ipoc.deals import selectors, services
from ipoc.deals.schemas import DealCreate, DealRead, DealTransition, DealUpdate
from ipoc.events import selectors as event_selectors

router = Router(tags=["deals"])


def read(deal):
    """Reload one deal with what DealRead shows prefetched."""
    return selectors.with_related(type(deal).objects.filter(pk=deal.pk)).get()


def resolve_relations(user, data: dict) -> dict:
    """Turn the *_id / *_ids of a payload into the objects the services take (each refused if unseen)."""
    from ipoc.demands import selectors as demand_selectors

    if "seller_ids" in data:
        data["sellers"] = event_selectors.organizations_by_ids(user=user, ids=data.pop("seller_ids") or [],
                                                               field="seller_ids")
    if "buyer_ids" in data:
        data["buyers"] = event_selectors.organizations_by_ids(user=user, ids=data.pop("buyer_ids") or [],
                                                              field="buyer_ids")
    if "patent_ids" in data:
        data["patents"] = event_selectors.patents_by_ids(user=user, ids=data.pop("patent_ids") or [])
    if "demand_id" in data:
        demand_id = data.pop("demand_id")
        data["demand"] = demand_selectors.demand_get(user=user, pk=demand_id) if demand_id else None
    if "event_id" in data:
        event_id = data.pop("event_id")
        data["event"] = event_selectors.event_get(user=user, pk=event_id) if event_id else None
    return data


class DealFilters(Schema):
    q: str = ""
    stage: str = ""
    deal_type: str = ""
    chain_scope: str = ""
    center: DbId | None = None
    party: DbId | None = None
    signed_year: Year | None = None
    counted: bool = False
    demand: DbId | None = None
    event: DbId | None = None


class StatisticsQuery(Schema):
    center: DbId
    year: Year | None = None


@router.get("/statistics", summary="运营中心年度转化统计（每项含记录ID与下钻链接）")
def deal_statistics(request, params: Query[StatisticsQuery]):
    year = params.year or timezone.localdate().year
    center = selectors.center_for_statistics(user=request.auth, pk=params.center)
    figures = selectors.deal_statistics(user=request.auth, center=center, year=year)
    return {"center": {"id": center.pk, "name": center.name}, "year": year, "figures": figures}


@router.get("", response=list[DealRead], summary="交易撮合列表")
@paginate(LimitOffsetPagination)
def deal_list(request, filters: Query[DealFilters]):
    return selectors.with_related(selectors.deal_list(user=request.auth, **filters.dict()))


@router.get("/{deal_id}", response=DealRead, summary="交易详情（含阶段记录）")
def deal_detail(request, deal_id: int):
    return read(selectors.deal_get(user=request.auth, pk=deal_id))


@router.post("", response={201: DealRead}, summary="登记交易（意向阶段）")
def deal_create(request, payload: DealCreate):
    from ipoc.core import selectors as core_selectors

    user = request.auth
    data = payload.dict()
    center_id = data.pop("center_id")
    data = resolve_relations(user, data)
    center = core_selectors.organization_get(user=user, pk=center_id, field="center_id") if center_id else None
    deal = services.deal_create(actor=user, center=center, **data)
    return Status(201, read(deal))


@router.patch("/{deal_id}", response=DealRead, summary="修改交易")
def deal_update(request, deal_id: int, payload: DealUpdate):
    user = request.auth
    deal = selectors.deal_get(user=user, pk=deal_id)
    data = resolve_relations(user, payload.dict(exclude_unset=True))
    return read(services.deal_update(actor=user, deal=deal, data=data))


@router.post("/{deal_id}/transition", response=DealRead,
             summary="交易阶段变更（意向→洽谈→签约→履行→完成，或终止）")
def deal_transition(request, deal_id: int, payload: DealTransition):
    deal = selectors.deal_get(user=request.auth, pk=deal_id)
    deal = services.deal_transition(actor=request.auth, deal=deal, to_stage=payload.to_stage, reason=payload.reason,
                                    amount=payload.amount, on=payload.on)
    return read(deal)


@router.post("/{deal_id}/attachments", response=DealRead, summary="上传合同文本、备案材料")
def deal_attach(request, deal_id: int, contract_file: File[UploadedFile] = None,
                filing_file: File[UploadedFile] = None):
    deal = selectors.deal_get(user=request.auth, pk=deal_id)
    return read(services.deal_attach(actor=request.auth, deal=deal, contract_file=contract_file,
                                     filing_file=filing_file))
