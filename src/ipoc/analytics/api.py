"""/api/v1/analytics: 专利导航与分析 — sets, evaluation, the landscape as JSON, drill-downs, matrix terms."""

from ninja import Query, Router, Schema, Status
from ninja.pagination import paginate

from ipoc.analytics import report, selectors, services
from ipoc.analytics.models import MatrixTerm
from ipoc.analytics.schemas import MatrixTermRead, MatrixTermWrite, PatentSetCreate, PatentSetRead
from ipoc.core.bounds import DbId
from ipoc.core.errors import NotFound
from ipoc.core.pagination import LimitOffsetPagination

router = Router(tags=["analytics"])


class SetFilters(Schema):
    q: str = ""
    kind: str = ""


class DrillQuery(Schema):
    a: str = "all"
    k: str = ""


@router.get("/sets", response=list[PatentSetRead], summary="专利集合列表")
@paginate(LimitOffsetPagination)
def set_list(request, filters: Query[SetFilters]):
    return selectors.patent_set_list(user=request.auth, q=filters.q[:100], kind=filters.kind)


@router.post("/sets", response={201: PatentSetRead}, summary="新建专利集合（立即评估；大库时在后台评估）")
def set_create(request, payload: PatentSetCreate):
    data = payload.dict()
    definition = {"q": data["q"], "filters": data["filters"], "node_id": data["node_id"],
                  "batch_id": data["batch_id"], "institution_id": data["institution_id"],
                  "patent_ids": data["patent_ids"]}
    patent_set = services.patent_set_create(actor=request.auth, name=data["name"], kind=data["kind"],
                                            definition=definition, description=data["description"])
    return Status(201, patent_set)


@router.get("/sets/{pk}", response=PatentSetRead, summary="专利集合")
def set_get(request, pk: DbId):
    return selectors.patent_set_get(user=request.auth, pk=pk)


class EvaluationStarted(Schema):
    job_id: int
    job_url: str
    status: str


@router.post("/sets/{pk}/evaluate", response={200: PatentSetRead, 202: EvaluationStarted},
             summary="重新评估专利集合（大库时为后台任务，返回 202 与任务地址）")
def set_evaluate(request, pk: DbId):
    from ipoc.core.jobs import job_started

    patent_set = selectors.patent_set_get(user=request.auth, pk=pk)
    job = services.patent_set_evaluate_request(actor=request.auth, patent_set=patent_set)
    if job is None:
        return Status(200, patent_set)
    return Status(202, job_started(job))


@router.get("/sets/{pk}/landscape", summary="专利导航分析（全部分析项，每行含下钻链接）")
def set_landscape(request, pk: DbId):
    patent_set = selectors.patent_set_get(user=request.auth, pk=pk)
    land = selectors.landscape(patent_set, user=request.auth)
    services.landscape_report_record(actor=request.auth, patent_set=patent_set, format="json")
    return report.as_json(land)


@router.get("/sets/{pk}/patents", summary="某项分析中某个数字对应的专利（ID 与号码）")
def set_patents(request, pk: DbId, params: Query[DrillQuery]):
    patent_set = selectors.patent_set_get(user=request.auth, pk=pk)
    qs, words = selectors.drill(patent_set, params.a[:40], params.k[:400])
    rows = list(qs.order_by("pk").values("id", "publication_number", "key", "title")[:5000])
    return {"description": words, "count": qs.count(),
            "patents": [{"id": r["id"], "number": r["publication_number"] or r["key"], "title": r["title"]}
                        for r in rows]}


@router.get("/sets/{pk}/terms", response=list[MatrixTermRead], summary="技术功效矩阵词条")
def term_list(request, pk: DbId):
    patent_set = selectors.patent_set_get(user=request.auth, pk=pk)
    tech, effects = selectors.matrix_terms(patent_set)
    return [*tech, *effects]


@router.post("/sets/{pk}/terms", response={201: MatrixTermRead}, summary="新增矩阵词条")
def term_create(request, pk: DbId, payload: MatrixTermWrite):
    patent_set = selectors.patent_set_get(user=request.auth, pk=pk)
    return Status(201, services.matrix_term_save(actor=request.auth, patent_set=patent_set, **payload.dict()))


# Before /terms/{term_id}: the path converter of {term_id} would take "propose" and answer 405.
@router.post("/sets/{pk}/terms/propose", summary="从文本中提出矩阵词条（未审核）")
def term_propose(request, pk: DbId):
    patent_set = selectors.patent_set_get(user=request.auth, pk=pk)
    return services.matrix_terms_propose(actor=request.auth, patent_set=patent_set)


@router.put("/sets/{pk}/terms/{term_id}", response=MatrixTermRead, summary="修改或审核矩阵词条")
def term_update(request, pk: DbId, term_id: DbId, payload: MatrixTermWrite):
    patent_set = selectors.patent_set_get(user=request.auth, pk=pk)
    term = MatrixTerm.objects.filter(patent_set=patent_set, pk=term_id).first()
    if term is None:
        raise NotFound("矩阵词条不存在", field="term_id")
    return services.matrix_term_save(actor=request.auth, patent_set=patent_set, term=term, **payload.dict())
