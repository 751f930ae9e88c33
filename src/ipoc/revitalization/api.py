"""/api/v1/stock: 存量专利盘活 — template, upload/selection, the review chain, grading and screening,
candidates, pushes, responses, deals and the progress dashboard."""

from ninja import File, Form, Query, Router, Schema, Status
from ninja.files import UploadedFile
from ninja.pagination import paginate

from ipoc.core import selectors as core_selectors
from ipoc.core.bounds import DbId
from ipoc.core.errors import ApplicationError
from ipoc.core.pagination import LimitOffsetPagination
from ipoc.revitalization import matching, selectors, services
from ipoc.revitalization.schemas import (
    DealCreate,
    DealRead,
    InstitutionRef,
    PushCreate,
    PushRead,
    PushRespond,
    ReviewerCreate,
    ServiceLinkCreate,
    ServiceRequestDecide,
    ServiceRequestRead,
    StockDetail,
    StockRead,
    StockReason,
    StockReview,
    StockScreen,
    StockSelect,
    StockUpdate,
)

router = Router(tags=["revitalization"])


class StockFilters(Schema):
    institution: DbId | None = None
    stage: str = ""
    library: str = ""
    recommendation: str = ""
    department: str = ""
    q: str = ""


def _institution(user, institution_id: int | None):
    """The institution an action concerns: given, else the user's own organisation."""
    if institution_id:
        return core_selectors.organization_get(user=user, pk=institution_id, field="institution_id")
    if user.organization_id is None:
        raise ApplicationError("请指定高校/院所 / institution_id is required", field="institution_id")
    return user.organization


def _detail(stock):
    stock.move_list = selectors.stock_moves(stock)
    return stock


@router.get("/template.xlsx", summary="下载存量专利批量建档模板（Excel）", auth=None)
def stock_template(request):
    from django.http import HttpResponse

    from ipoc.revitalization.importers import template_xlsx

    response = HttpResponse(template_xlsx(),
                            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    response["Content-Disposition"] = 'attachment; filename="stock-patent-template.xlsx"'
    return response


class ImportJobStarted(Schema):
    job_id: int
    job_url: str
    status: str
    report: dict | None = None


@router.post("/imports", response={202: ImportJobStarted},
             summary="上传批量建档表（XLSX/CSV，后台任务）：返回任务；任务结果即逐行报告")
def stock_import(request, file: File[UploadedFile], institution_id: Form[int] = None):
    from ipoc.core.jobs import job_start_background, job_started
    from ipoc.core.uploads import save_upload

    institution = _institution(request.auth, institution_id)
    job = services.stock_import_start(actor=request.auth, institution=institution, path=save_upload(file),
                                      file_name=file.name)
    job_start_background(job)
    return Status(202, job_started(job))


@router.get("/imports/{import_id}", summary="批量建档报告")
def stock_import_report(request, import_id: int):
    return services.import_report(selectors.import_get(user=request.auth, pk=import_id))


@router.post("/select", summary="从专利库选择专利建档，返回逐行报告")
def stock_select(request, payload: StockSelect):
    data = payload.dict()
    institution = _institution(request.auth, data.pop("institution_id"))
    numbers = data.pop("numbers")
    return services.stock_select(actor=request.auth, institution=institution, numbers=numbers, **data)


@router.get("/items", response=list[StockRead], summary="存量专利清单")
@paginate(LimitOffsetPagination)
def stock_list(request, filters: Query[StockFilters]):
    return selectors.stock_list(user=request.auth, **filters.dict())


@router.get("/items/{stock_id}", response=StockDetail, summary="存量专利详情（含流转记录）")
def stock_detail(request, stock_id: int):
    return _detail(selectors.stock_get(user=request.auth, pk=stock_id))


@router.patch("/items/{stock_id}", response=StockDetail, summary="修改建档信息（仅建档环节）")
def stock_update(request, stock_id: int, payload: StockUpdate):
    stock = selectors.stock_get(user=request.auth, pk=stock_id)
    stock = services.stock_update(actor=request.auth, stock=stock, data=payload.dict(exclude_unset=True))
    return _detail(stock)


@router.post("/items/{stock_id}/submit", response=StockDetail, summary="提交院系审核")
def stock_submit(request, stock_id: int, payload: StockReason):
    stock = selectors.stock_get(user=request.auth, pk=stock_id)
    return _detail(services.stock_submit(actor=request.auth, stock=stock, reason=payload.reason))


@router.post("/items/{stock_id}/review", response=StockDetail, summary="院系审核 / 学校审核（通过或退回）")
def stock_review(request, stock_id: int, payload: StockReview):
    stock = selectors.stock_get(user=request.auth, pk=stock_id)
    return _detail(services.stock_review(actor=request.auth, stock=stock, approve=payload.approve,
                                         reason=payload.reason))


@router.post("/items/{stock_id}/screen", response=StockDetail, summary="筛选入库（专利转化资源库）")
def stock_screen(request, stock_id: int, payload: StockScreen):
    stock = selectors.stock_get(user=request.auth, pk=stock_id)
    return _detail(services.stock_screen(actor=request.auth, stock=stock, passed=payload.passed,
                                         reason=payload.reason))


@router.post("/grade", summary="市场评价：为本单位全部存量专利评级并给出分层分类建议")
def stock_grade(request, payload: InstitutionRef):
    institution = _institution(request.auth, payload.institution_id)
    return services.stock_grade(actor=request.auth, institution=institution)


@router.post("/screen", summary="按分层分类建议批量筛选入库")
def stock_screen_all(request, payload: InstitutionRef):
    institution = _institution(request.auth, payload.institution_id)
    return services.stock_screen_institution(actor=request.auth, institution=institution)


@router.get("/items/{stock_id}/candidates", summary="推送候选企业（需求、专利组合、经营范围匹配，含理由）")
def stock_candidates(request, stock_id: int, limit: int = 10):
    stock = selectors.stock_get(user=request.auth, pk=stock_id)
    return matching.find_enterprises(user=request.auth, stock=stock, limit=min(max(limit, 1), 50))


@router.post("/items/{stock_id}/pushes", response={201: PushRead}, summary="推送给企业")
def push_create(request, stock_id: int, payload: PushCreate):
    stock = selectors.stock_get(user=request.auth, pk=stock_id)
    enterprise = core_selectors.organization_get(user=request.auth, pk=payload.enterprise_id, field="enterprise_id")
    push = services.push_create(actor=request.auth, stock=stock, enterprise=enterprise, note=payload.note)
    return Status(201, push)


@router.get("/pushes", response=list[PushRead], summary="推送记录")
@paginate(LimitOffsetPagination)
def push_list(request, stock: DbId | None = None, enterprise: DbId | None = None, response: str = ""):
    return selectors.push_list(user=request.auth, stock=stock, enterprise=enterprise, response=response)


@router.post("/pushes/{push_id}/responses", response=PushRead, summary="记录企业反馈（感兴趣/洽谈/成交/不感兴趣）")
def push_respond(request, push_id: int, payload: PushRespond):
    push = selectors.push_get(user=request.auth, pk=push_id)
    return services.push_respond(actor=request.auth, push=push, response=payload.response, note=payload.note)


@router.post("/pushes/{push_id}/deals", response={201: DealRead}, summary="登记成交")
def deal_create(request, push_id: int, payload: DealCreate):
    push = selectors.push_get(user=request.auth, pk=push_id)
    deal = services.deal_record(actor=request.auth, push=push, **payload.dict())
    return Status(201, deal)


@router.get("/dashboard", summary="盘活进度：按高校院所与运营中心统计")
def stock_dashboard(request, institution: DbId | None = None, center: DbId | None = None):
    return selectors.dashboard(user=request.auth, institution=institution, center=center)


@router.post("/reviewers", summary="指定院系审核人 / 学校审核人")
def reviewer_appoint(request, payload: ReviewerCreate):
    from ipoc.core.models import User

    institution = _institution(request.auth, payload.institution_id)
    user = User.objects.filter(pk=payload.user_id).first()
    if user is None:
        raise ApplicationError(f"用户 {payload.user_id} 不存在", field="user_id", status=404, code="not_found")
    reviewer = services.reviewer_appoint(actor=request.auth, institution=institution, user=user,
                                         level=payload.level, department=payload.department)
    return {"id": reviewer.pk, "user": user.username, "level": reviewer.level, "department": reviewer.department}


@router.post("/services", response=ServiceRequestRead,
             summary="运营中心申请服务高校院所（服务关系）：运营中心发起的申请待该高校/院所同意后生效")
def service_link_create(request, payload: ServiceLinkCreate):
    center = core_selectors.organization_get(user=request.auth, pk=payload.center_id, field="center_id")
    institution = core_selectors.organization_get(user=request.auth, pk=payload.institution_id, field="institution_id")
    return services.service_link_create(actor=request.auth, center=center, institution=institution,
                                        note=payload.note)


@router.get("/services/requests", response=list[ServiceRequestRead],
            summary="服务关系申请（本中心发出的、本单位收到的）")
@paginate(LimitOffsetPagination)
def service_request_list(request, status: str = ""):
    return selectors.service_request_list(user=request.auth, status=status)


@router.post("/services/requests/{request_id}/decide", response=ServiceRequestRead,
             summary="高校/院所同意或拒绝运营中心的服务申请")
def service_request_decide(request, request_id: int, payload: ServiceRequestDecide):
    service_request = selectors.service_request_get(user=request.auth, pk=request_id)
    return services.service_request_decide(actor=request.auth, request=service_request, accept=payload.accept,
                                           reason=payload.reason)
