"""/api/v1/matching: match a demand, read and decide matches, listings, chain nodes, batch runs."""

from ninja import Router, Schema, Status

from ipoc.core import selectors as core_selectors
from ipoc.core.bounds import DbId
from ipoc.core.jobs import job_start_background
from ipoc.demands import selectors as demand_selectors
from ipoc.matching import selectors, services
from ipoc.matching.schemas import (
    BatchStarted,
    ChainNodeCreate,
    ChainNodeRead,
    ListingCreate,
    ListingRead,
    MatchDecision,
    MatchRead,
)

router = Router(tags=["matching"])


def _read(m):
    m.patent_number = m.patent.number
    m.patent_title = m.patent.title
    return m


@router.post("/demands/{demand_id}/match", response=list[MatchRead], summary="为需求匹配专利（含匹配说明）")
def demand_match(request, demand_id: int):
    demand = demand_selectors.demand_get(user=request.auth, pk=demand_id)
    services.demand_match(actor=request.auth, demand=demand)
    return [_read(m) for m in selectors.demand_matches(user=request.auth, demand_id=demand_id)]


@router.get("/demands/{demand_id}/matches", response=list[MatchRead], summary="需求的匹配结果")
def demand_matches(request, demand_id: int):
    return [_read(m) for m in selectors.demand_matches(user=request.auth, demand_id=demand_id)]


@router.post("/matches/{match_id}/decision", response=MatchRead, summary="确认或否决匹配（确认后定向推送双方）")
def match_decide(request, match_id: int, payload: MatchDecision):
    match = selectors.match_get(user=request.auth, pk=match_id)
    return _read(services.match_decide(actor=request.auth, match=match, confirm=payload.confirm,
                                       reason=payload.reason))


@router.get("/patents/{patent_id}/demands", summary="与专利相关的需求与企业")
def patent_demands(request, patent_id: int, limit: int = 10):
    return selectors.patent_demands(user=request.auth, patent_id=patent_id, limit=limit)


@router.post("/listings", response={201: ListingRead}, summary="专利挂牌")
def listing_create(request, payload: ListingCreate):
    holder = core_selectors.organization_get(user=request.auth, pk=payload.holder_id, field="holder_id")
    data = payload.dict(exclude={"holder_id"})
    return Status(201, services.listing_create(actor=request.auth, holder=holder, **data))


@router.get("/listings", response=list[ListingRead], summary="挂牌列表")
def listing_list(request, patent_id: DbId | None = None):
    return list(selectors.listing_list(user=request.auth, patent_id=patent_id)[:500])


@router.post("/chain-nodes", response={201: ChainNodeRead}, summary="新增产业链节点（本中心）")
def chain_node_create(request, payload: ChainNodeCreate):
    return Status(201, services.chain_node_create(actor=request.auth, center=request.auth.organization,
                                                  **payload.dict()))


@router.get("/chain-nodes", response=list[ChainNodeRead], summary="产业链图谱节点")
def chain_node_list(request, center_id: DbId):
    return list(selectors.chain_nodes(user=request.auth, center_id=center_id))


@router.post("/runs", response={202: BatchStarted}, summary="批量匹配本中心全部开放需求（后台任务）")
def batch_start(request):
    job = services.match_batch_start(actor=request.auth, center=request.auth.organization)
    job_start_background(job)
    return Status(202, {"job_id": job.pk, "run_id": job.params["run_id"]})


class ChainTagSet(Schema):
    node_id: int
    include: bool


@router.post("/demands/{demand_id}/chain-tags", summary="修正需求的产业链节点标注（人工确认或排除）")
def demand_chain_tag(request, demand_id: int, payload: ChainTagSet):
    demand = demand_selectors.demand_get(user=request.auth, pk=demand_id)
    node = selectors.chain_nodes(user=request.auth, center_id=demand.center_id).filter(pk=payload.node_id).first()
    if node is None:
        from ipoc.core.errors import NotFound

        raise NotFound(f"产业链节点 {payload.node_id} 不存在", field="node_id")
    tag = services.demand_chain_tag_set(actor=request.auth, demand=demand, node=node, include=payload.include)
    return {"demand_id": demand_id, "node_id": node.pk, "manual": tag.manual, "excluded": tag.excluded}
