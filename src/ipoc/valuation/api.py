"""/api/v1/valuation: start and list runs, a patent's latest report (JSON or PDF), the indicator tree."""

from django.http import HttpResponse
from ninja import Router, Status
from ninja.pagination import paginate

from ipoc.core.jobs import job_start_background
from ipoc.core.pagination import LimitOffsetPagination
from ipoc.patents import selectors as patent_selectors
from ipoc.valuation import selectors, services
from ipoc.valuation.pdf import pdf_filename, report_pdf
from ipoc.valuation.schemas import (
    TreeRead,
    TreeUpdate,
    ValuationRunRead,
    ValuationRunStart,
    ValuationRunStarted,
)

router = Router(tags=["valuation"])


@router.post("/runs", response={202: ValuationRunStarted}, summary="启动专利评估（后台任务）")
def run_start(request, payload: ValuationRunStart):
    run, job = services.valuation_run_start(actor=request.auth, scenario=payload.scenario,
                                            patents=payload.patent_ids, as_of=payload.as_of)
    job_start_background(job)
    job.refresh_from_db()
    return Status(202, {"run_id": run.pk, "job_id": job.pk, "status": job.status,
                        "job_url": f"/api/v1/jobs/{job.pk}"})


@router.get("/runs", response=list[ValuationRunRead], summary="评估批次列表")
@paginate(LimitOffsetPagination)
def run_list(request):
    return selectors.valuation_run_list(user=request.auth)


@router.get("/runs/{run_id}", response=ValuationRunRead, summary="评估批次详情")
def run_detail(request, run_id: int):
    return selectors.valuation_run_get(user=request.auth, pk=run_id)


@router.get("/patents/{patent_ref}", response=dict, summary="专利评估报告（最近一次评估）")
def patent_report(request, patent_ref: str):
    patent = patent_selectors.patent_get(user=request.auth, key_or_number=patent_ref)
    return selectors.valuation_report(selectors.valuation_get(user=request.auth, patent=patent))


@router.get("/patents/{patent_ref}/report.pdf", summary="专利评估报告 PDF（最近一次评估，内嵌中文字体）",
            openapi_extra={"responses": {200: {"description": "PDF",
                                               "content": {"application/pdf": {"schema": {"type": "string",
                                                                                          "format": "binary"}}}}}})
def patent_report_pdf(request, patent_ref: str):
    patent = patent_selectors.patent_get(user=request.auth, key_or_number=patent_ref)
    report = selectors.valuation_report(selectors.valuation_get(user=request.auth, patent=patent))
    response = HttpResponse(report_pdf(report), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{pdf_filename(report)}"'
    return response


@router.get("/tree", response=TreeRead, summary="当前评估指标体系")
def tree_get(request):
    return services.tree_active()


@router.put("/tree", response=TreeRead, summary="修改评估指标体系（平台管理员）")
def tree_put(request, payload: TreeUpdate):
    return services.tree_update(actor=request.auth, tree_json=payload.tree, note=payload.note)
