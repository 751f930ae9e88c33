"""/api/v1/risk: 出口前风险预警与供应链合规排查 — checks, runs, candidates, charts, reports, exposure."""

from django.http import HttpResponse
from ninja import Query, Router, Schema, Status
from ninja.pagination import paginate

from ipoc.core.errors import NotFound
from ipoc.core.pagination import LimitOffsetPagination
from ipoc.risk import selectors, services
from ipoc.risk.models import ClaimElement
from ipoc.risk.schemas import CandidateAdd, CandidateRemove, CheckCreate, CheckRead, ElementConfirm

router = Router(tags=["risk"])


class CheckFilters(Schema):
    q: str = ""
    status: str = ""
    risk: str = ""


def _candidates(check) -> list[dict]:
    rows = selectors.patent_rows(check.candidates.values_list("patent_id", flat=True))
    out = []
    for c in check.candidates.prefetch_related("elements"):
        row = rows.get(c.patent_id, {})
        out.append({"id": c.pk, "patent_id": c.patent_id, "number": row.get("number", ""),
                    "title": row.get("title", ""), "rank": c.rank, "score": c.score, "origin": c.origin,
                    "family": c.family_key, "in_scope": c.in_scope, "removed": c.removed,
                    "removed_reason": c.removed_reason, "markets": c.markets, "risk": c.risk,
                    "elements": [{"id": e.pk, "claim": e.claim_number, "position": e.position, "text": e.text,
                                  "proposed": e.proposed, "evidence": e.evidence, "overlap": e.overlap,
                                  "mapping": e.mapping, "confirmed": e.confirmed} for e in c.elements.all()]})
    return out


@router.get("/checks", response=list[CheckRead], summary="出口前风险预警列表")
@paginate(LimitOffsetPagination)
def check_list(request, filters: Query[CheckFilters]):
    return selectors.check_list(user=request.auth, **filters.dict())


def _organization(user, pk, field: str):
    """An organisation chosen by id; an unknown or hidden one is a 404 naming the field."""
    from ipoc.core import selectors as core_selectors

    return core_selectors.organization_get(user=user, pk=pk, field=field) if pk else None


@router.post("/checks", response={201: CheckRead}, summary="申请出口前风险预警")
def check_create(request, payload: CheckCreate):
    user = request.auth
    data = payload.dict()
    requester_id, center_id = data.pop("requester_id"), data.pop("center_id")
    requester = _organization(user, requester_id, "requester_id")
    center = _organization(user, center_id, "center_id")
    return Status(201, services.check_create(actor=user, requester=requester, center=center, **data))


@router.get("/checks/{check_id}", summary="风险预警详情（检索轮次、候选专利、特征对比）")
def check_detail(request, check_id: int):
    check = selectors.check_get(user=request.auth, pk=check_id)
    return {"check": CheckRead.from_orm(check).dict(),
            "rounds": [{"number": r.number, "route": r.route, "query": r.query, "hits": r.hits,
                        "new_hits": r.new_hits, "stop_reason": r.stop_reason} for r in check.rounds.all()],
            "candidates": _candidates(check)}


@router.post("/checks/{check_id}/run", response=CheckRead, summary="运行检索、市场筛选与对比建议")
def check_run(request, check_id: int):
    check = selectors.check_get(user=request.auth, pk=check_id)
    return services.check_run(actor=request.auth, check=check)


@router.post("/checks/{check_id}/candidates", summary="添加候选专利")
def candidate_add(request, check_id: int, payload: CandidateAdd):
    check = selectors.check_get(user=request.auth, pk=check_id)
    cand = services.candidate_add(actor=request.auth, check=check, patent_id=payload.patent_id)
    return {"id": cand.pk, "in_scope": cand.in_scope, "markets": cand.markets, "risk": cand.risk}


@router.post("/checks/{check_id}/candidates/{candidate_id}/remove", summary="移除候选专利（须说明理由）")
def candidate_remove(request, check_id: int, candidate_id: int, payload: CandidateRemove):
    check = selectors.check_get(user=request.auth, pk=check_id)
    cand = selectors.candidate_get(check=check, pk=candidate_id)
    services.candidate_remove(actor=request.auth, candidate=cand, reason=payload.reason)
    return {"id": cand.pk, "removed": True}


@router.post("/checks/{check_id}/elements/{element_id}", summary="确认或更正一项特征对比")
def element_confirm(request, check_id: int, element_id: int, payload: ElementConfirm):
    check = selectors.check_get(user=request.auth, pk=check_id)
    element = ClaimElement.objects.filter(pk=element_id, candidate__check_obj=check).first()
    if element is None:
        raise NotFound("技术特征不存在", field="element_id")
    element = services.element_confirm(actor=request.auth, element=element, mapping=payload.mapping,
                                       note=payload.note)
    return {"id": element.pk, "mapping": element.mapping, "confirmed": True, "risk": element.candidate.risk}


@router.post("/checks/{check_id}/report", summary="出具报告（报告后持续监控）")
def report_publish(request, check_id: int):
    check = selectors.check_get(user=request.auth, pk=check_id)
    report = services.report_publish(actor=request.auth, check=check)
    return {"version": report.version, "content": report.content}


@router.get("/checks/{check_id}/report", summary="最新报告（JSON；?pdf=1 为 PDF）")
def report_get(request, check_id: int, pdf: bool = False):
    check = selectors.check_get(user=request.auth, pk=check_id)
    report = selectors.report_latest(check)
    if report is None:
        raise NotFound("该排查尚未出具报告", field="check_id")
    if pdf:
        return HttpResponse(services.report_pdf(report), content_type="application/pdf")
    return {"version": report.version, "published_at": report.published_at, "content": report.content}


@router.get("/exposure", summary="行业风险：被多家会员的排查命中的专利")
def exposure(request):
    rows = selectors.exposure(user=request.auth)
    return [{"patent_id": r["patent"]["id"], "number": r["patent"]["number"], "title": r["patent"]["title"],
             "members": r["members"], "checks": [x["check"].pk for x in r["checks"]]} for r in rows]


@router.get("/reviews/{review_id}", summary="供应链合规排查：供应商评分")
def review_detail(request, review_id: int):
    review = selectors.review_get(user=request.auth, pk=review_id)
    return {"id": review.pk, "title": review.title, "import_report": review.import_report,
            "suppliers": [{"name": s["name"], "score": s["score"], "components": [x.component for x in s["lines"]]}
                          for s in selectors.review_suppliers(review)]}
