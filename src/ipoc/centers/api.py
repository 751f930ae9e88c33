"""/api/v1/centers: the public list (no login), registry CRUD, status decisions and corrections,
evidence, the basic-conditions check, the office dashboard and the rules with their sources."""

import datetime as dt

from ninja import File, Form, Query, Router, Schema, Status, UploadedFile
from ninja.pagination import paginate

from ipoc.centers import rules, selectors, services
from ipoc.centers.schemas import (
    ApplicationCreate,
    ApplicationMoveRead,
    ApplicationRead,
    ApplicationUpdate,
    AssignIn,
    CenterCreate,
    CenterPublic,
    CenterRead,
    CenterTransition,
    CenterUpdate,
    CloseReviewIn,
    CommendationIn,
    CommentIn,
    DecideIn,
    DecisionCorrect,
    DecisionRead,
    DeclareIn,
    EvaluationCreate,
    EvaluationRead,
    EvidenceRead,
    FollowUpIn,
    FormalReviewIn,
    ManagementRead,
    NarrativeIn,
    NoteIn,
    ObjectionIn,
    ObjectionRead,
    PublicityRead,
    ReasonIn,
    RecommendIn,
    RectificationIn,
    RectificationReportIn,
    ReportCreate,
    ReportRead,
    ResolveIn,
    ReviewDecisionIn,
    ReviewRead,
    RevokeIn,
    ScoresIn,
    SubCenterCreate,
)
from ipoc.core import selectors as core_selectors
from ipoc.core.bounds import DbId, Year
from ipoc.core.errors import NotFound, PermissionDenied
from ipoc.core.pagination import LimitOffsetPagination

router = Router(tags=["centers"])


class CenterFilters(Schema):
    q: str = ""
    level: str = ""
    industry: str = ""
    status: str = ""
    region: str = ""
    flagged: bool = False


class PublicFilters(Schema):
    q: str = ""
    level: str = ""
    industry: str = ""


@router.get("/public", response=list[CenterPublic], auth=None, summary="已认定运营中心名录（公开，无需登录）")
@paginate(LimitOffsetPagination)
def center_public_list(request, filters: Query[PublicFilters]):
    return selectors.center_public_list(**filters.dict())


@router.get("/rules", response=list[dict], auth=None,
            summary="运营中心规则及其依据（[S] 为待核实配置）；office_id 给出该管理部门的本级取值")
def rule_list(request, office_id: DbId | None = None):
    out = []
    own = selectors.rule_overrides(office=office_id) if office_id else {}
    for r in rules.RULES.values():
        row = r.as_dict()
        if office_id:
            mine = own.get(r.code)
            row["office_value"] = mine.value if mine is not None else None
            row["effective_value"] = r.value_for(office_id)
        out.append(row)
    return out


class RuleSetIn(Schema):
    value: object
    reason: str


@router.put("/rules/{code}", response=dict, summary="设置本部门（本级）规则取值（知识产权管理部门）")
def rule_set(request, code: str, payload: RuleSetIn):
    office = request.auth.organization
    if office is None:
        raise PermissionDenied("只有知识产权管理部门可以设置规则")
    row = services.rule_override_set(actor=request.auth, office=office, code=code, value=payload.value,
                                     reason=payload.reason)
    return {"code": row.code, "office_id": office.pk, "value": row.value, "reason": row.reason}


@router.delete("/rules/{code}", response={204: None}, summary="恢复平台默认取值")
def rule_clear(request, code: str):
    office = request.auth.organization
    if office is None:
        raise PermissionDenied("只有知识产权管理部门可以设置规则")
    services.rule_override_clear(actor=request.auth, office=office, code=code)
    return Status(204, None)


@router.get("/dashboard", response=dict, summary="管理部门看板：按层级、产业、状态统计")
def center_dashboard(request):
    user = request.auth
    if not (user.is_platform_admin or user.role == "office_staff"):
        raise PermissionDenied("看板仅限知识产权管理部门和平台管理员")
    return selectors.dashboard(user=user)


@router.get("", response=list[CenterRead], summary="运营中心登记列表")
@paginate(LimitOffsetPagination)
def center_list(request, filters: Query[CenterFilters]):
    return selectors.center_list(user=request.auth, **filters.dict())


@router.get("/{int:center_id}", response=CenterRead, summary="运营中心详情")
def center_detail(request, center_id: int):
    return selectors.center_get(user=request.auth, pk=center_id)


def _org(request, pk):
    return core_selectors.organization_get(user=request.auth, pk=pk)


@router.post("", response={201: CenterRead}, summary="登记运营中心（不得自行设立分中心）")
def center_create(request, payload: CenterCreate):
    data = payload.dict()
    parent_id = data.pop("parent_center_id")
    parent = selectors.center_get(user=request.auth, pk=parent_id) if parent_id else None
    for key in ("organization", "host_organization", "managing_office"):
        data[key] = _org(request, data.pop(f"{key}_id"))
    center = services.center_create(actor=request.auth, parent_center=parent, **data)
    return Status(201, center)


@router.patch("/{int:center_id}", response=CenterRead, summary="修改运营中心登记信息")
def center_update(request, center_id: int, payload: CenterUpdate):
    center = selectors.center_get(user=request.auth, pk=center_id)
    data = payload.dict(exclude_unset=True)
    for key in ("host_organization", "managing_office"):
        if f"{key}_id" in data:
            data[key] = _org(request, data.pop(f"{key}_id"))
    return services.center_update(actor=request.auth, center=center, data=data)


@router.post("/{int:center_id}/sub-centers", response={201: CenterRead}, summary="设立分中心（一律拒绝：不得自行设立分中心）")
def center_sub_center(request, center_id: int, payload: SubCenterCreate):
    parent = selectors.center_get(user=request.auth, pk=center_id)
    services.center_create_sub_center(actor=request.auth, parent=parent, name=payload.name)


@router.post("/{int:center_id}/transition", response={201: DecisionRead}, summary="状态决定（管理部门）")
def center_transition(request, center_id: int, payload: CenterTransition):
    center = selectors.center_get(user=request.auth, pk=center_id)
    decision = services.center_transition(actor=request.auth, center=center, **payload.dict())
    return Status(201, decision)


@router.get("/{int:center_id}/decisions", response=list[DecisionRead], summary="状态决定记录")
def decision_list(request, center_id: int):
    center = selectors.center_get(user=request.auth, pk=center_id)
    return list(selectors.decision_list(user=request.auth, center=center))


@router.post("/decisions/{int:decision_id}/correct", response={201: DecisionRead},
             summary="更正决定（新建一条引用原决定的记录）")
def decision_correct(request, decision_id: int, payload: DecisionCorrect):
    decision = selectors.decision_get(user=request.auth, pk=decision_id)
    return Status(201, services.center_decision_correct(actor=request.auth, decision=decision, **payload.dict()))


@router.get("/{int:center_id}/evidence", response=list[EvidenceRead], summary="条件保障材料")
def evidence_list(request, center_id: int):
    center = selectors.center_get(user=request.auth, pk=center_id)
    return list(selectors.evidence_list(user=request.auth, center=center))


@router.post("/{int:center_id}/evidence", response={201: EvidenceRead}, summary="提交条件保障材料（附件）")
def evidence_add(request, center_id: int, kind: Form[str], description: Form[str],
                 file: File[UploadedFile] = None):
    center = selectors.center_get(user=request.auth, pk=center_id)
    return Status(201, services.center_evidence_add(actor=request.auth, center=center, kind=kind,
                                                    description=description, file=file))


@router.get("/{int:center_id}/check", response=dict, summary="基础条件核查（先建设、后认定）")
def center_check(request, center_id: int, level: str = "", year: Year | None = None):
    center = selectors.center_get(user=request.auth, pk=center_id)
    return selectors.center_check(user=request.auth, center=center, level=level,
                                  year=year or dt.date.today().year - 1)


# ================================================================ 认定 workflow


def _app(request, application_id: int):
    return selectors.application_get(user=request.auth, pk=application_id)


@router.get("/applications", response=list[ApplicationRead], summary="认定申请列表")
@paginate(LimitOffsetPagination)
def application_list(request, status: str = ""):
    return selectors.application_list(user=request.auth, status=status)


@router.post("/applications", response={201: ApplicationRead}, summary="中心申报：创建认定申请（运营中心工作人员）")
def application_create(request, payload: ApplicationCreate):
    center = selectors.own_center(user=request.auth, pk=payload.center_id)
    return Status(201, services.application_create(actor=request.auth, center=center, year=payload.year,
                                                   summary=payload.summary, achievements=payload.achievements,
                                                   plan=payload.plan))


@router.get("/applications/{int:application_id}", response=ApplicationRead, summary="认定申请详情")
def application_detail(request, application_id: int):
    return _app(request, application_id)


@router.patch("/applications/{int:application_id}", response=ApplicationRead, summary="修改申报书（草稿或退回补正时）")
def application_update(request, application_id: int, payload: ApplicationUpdate):
    return services.application_update(actor=request.auth, application=_app(request, application_id),
                                       data=payload.dict(exclude_unset=True))


@router.get("/applications/{int:application_id}/moves", response=list[ApplicationMoveRead], summary="办理记录")
def application_moves(request, application_id: int):
    return list(_app(request, application_id).moves.all())


@router.post("/applications/{int:application_id}/materials", response={201: dict}, summary="上传申报材料")
def application_material(request, application_id: int, title: Form[str], file: File[UploadedFile]):
    material = services.application_material_add(actor=request.auth, application=_app(request, application_id),
                                                 title=title, file=file)
    return Status(201, {"id": material.pk, "title": material.title, "file": material.file.name})


@router.post("/applications/{int:application_id}/submit", response=ApplicationRead, summary="提交认定申请")
def application_submit(request, application_id: int):
    return services.application_submit(actor=request.auth, application=_app(request, application_id))


@router.post("/applications/{int:application_id}/recommend", response=ApplicationRead,
             summary="地方知识产权管理部门审核推荐")
def application_recommend(request, application_id: int, payload: RecommendIn):
    return services.application_recommend(actor=request.auth, application=_app(request, application_id),
                                          **payload.dict())


@router.post("/applications/{int:application_id}/formal-review", response=ApplicationRead,
             summary="形式审查：accept（受理）/ return（退回补正）/ reject（不予受理）")
def application_formal_review(request, application_id: int, payload: FormalReviewIn):
    return services.application_formal_review(actor=request.auth, application=_app(request, application_id),
                                              **payload.dict())


@router.post("/applications/{int:application_id}/resubmit", response=ApplicationRead, summary="补正后重新提交")
def application_resubmit(request, application_id: int, payload: NoteIn):
    return services.application_resubmit(actor=request.auth, application=_app(request, application_id),
                                         note=payload.note)


@router.post("/applications/{int:application_id}/withdraw", response=ApplicationRead, summary="撤回认定申请")
def application_withdraw(request, application_id: int, payload: ReasonIn):
    return services.application_withdraw(actor=request.auth, application=_app(request, application_id),
                                         reason=payload.reason)


@router.get("/applications/{int:application_id}/reviews", response=list[ReviewRead], summary="专家评审")
def application_reviews(request, application_id: int):
    return selectors.application_reviews(user=request.auth, application=_app(request, application_id))


@router.post("/applications/{int:application_id}/reviews", response={201: ReviewRead}, summary="指派评审专家")
def application_assign(request, application_id: int, payload: AssignIn):
    return Status(201, services.review_assign(actor=request.auth, application=_app(request, application_id),
                                              expert=selectors.expert_get(payload.expert_id)))


@router.post("/applications/{int:application_id}/close-review", response=ApplicationRead,
             summary="汇总专家评分，结束专家评审（达到通过分数进入公示）")
def application_close_review(request, application_id: int, payload: CloseReviewIn):
    return services.application_close_review(actor=request.auth, application=_app(request, application_id),
                                             notice=payload.notice)


@router.get("/applications/{int:application_id}/objections", response=list[ObjectionRead], summary="公示异议")
def application_objections(request, application_id: int):
    app = _app(request, application_id)
    office = services.office_may_decide(request.auth, app.center)
    if not (office or services.is_center_staff(request.auth, app.center)):
        raise PermissionDenied("异议仅限认定部门和申请中心查看")
    objections = list(app.objections.all())
    if not office:  # the center reads what is objected, not who objected
        for o in objections:
            o.submitter_name = ""
    return objections


@router.post("/applications/{int:application_id}/decide", response=ApplicationRead,
             summary="认定决定（公示期满、异议处理完毕后）")
def application_decide(request, application_id: int, payload: DecideIn):
    return services.application_decide(actor=request.auth, application=_app(request, application_id),
                                       **payload.dict())


@router.get("/applications/{int:application_id}/certificate.pdf", auth=None, summary="认定证书（PDF）")
def application_certificate(request, application_id: int):
    from django.http import HttpResponse

    from ipoc.centers import certificate

    app = selectors.recognised_application_get(application_id)
    return HttpResponse(certificate.render_certificate(app), content_type="application/pdf")


@router.post("/reminders", response=dict, summary="发送到期提醒（管理部门）")
def reminders(request):
    user = request.auth
    if not (user.is_platform_admin or user.role == "office_staff"):
        raise PermissionDenied("仅限知识产权管理部门")
    return services.reminders_send(actor=user)


@router.get("/reviews", response=list[ReviewRead], summary="我的评审任务（评审专家）")
def review_list(request):
    return list(selectors.review_list(user=request.auth))


@router.get("/reviews/{int:review_id}", response=ReviewRead, summary="评审详情")
def review_detail(request, review_id: int):
    return selectors.review_get(user=request.auth, pk=review_id)


@router.post("/reviews/{int:review_id}/declare", response=ReviewRead, summary="利益冲突声明（评审专家本人）")
def review_declare(request, review_id: int, payload: DeclareIn):
    return services.review_declare(actor=request.auth, review=selectors.review_get(user=request.auth, pk=review_id),
                                   **payload.dict())


@router.post("/reviews/{int:review_id}/scores", response=ReviewRead, summary="提交评分表（评审专家本人）")
def review_scores(request, review_id: int, payload: ScoresIn):
    return services.review_submit(actor=request.auth, review=selectors.review_get(user=request.auth, pk=review_id),
                                  **payload.dict())


@router.get("/publicity", response=list[PublicityRead], auth=None, summary="认定公示（公开，无需登录）")
def publicity_list(request):
    return list(selectors.publicity_list())


@router.post("/publicity/{int:application_id}/objections", response={201: ObjectionRead}, auth=None,
             summary="公示期内实名提出异议（无需登录）")
def objection_create(request, application_id: int, payload: ObjectionIn):
    from ipoc.core.security import client_address

    user = request.user if request.user.is_authenticated else None
    return Status(201, services.objection_create(actor=user, application=selectors.publicity_get(application_id),
                                                 address=client_address(request), **payload.dict()))


@router.post("/objections/{int:objection_id}/resolve", response=ObjectionRead, summary="处理异议（认定部门）")
def objection_resolve(request, objection_id: int, payload: ResolveIn):
    from ipoc.centers.models import Objection

    objection = Objection.objects.select_related("application").filter(pk=objection_id).first()
    if objection is None:
        raise NotFound(f"异议不存在：{objection_id}")
    _app(request, objection.application_id)
    return services.objection_resolve(actor=request.auth, objection=objection, **payload.dict())


# ================================================================ 年度工作报告


@router.get("/reports", response=list[ReportRead], summary="年度工作报告列表")
def report_list(request, center_id: DbId | None = None, year: Year | None = None):
    return list(selectors.report_list(user=request.auth, center=center_id, year=year))


@router.post("/reports", response={201: ReportRead}, summary="从平台记录生成（或重新生成）年度工作报告")
def report_generate(request, payload: ReportCreate):
    center = selectors.own_center(user=request.auth, pk=payload.center_id)
    return Status(201, services.report_generate(actor=request.auth, center=center, year=payload.year))


@router.get("/reports/{int:report_id}", response=ReportRead, summary="年度工作报告详情（每个数字带来源记录）")
def report_detail(request, report_id: int):
    return selectors.report_get(user=request.auth, pk=report_id)


@router.get("/reports/{int:report_id}/records/{code}", response=list[dict], summary="某一指标的来源记录")
def report_records(request, report_id: int, code: str):
    report = selectors.report_get(user=request.auth, pk=report_id)
    line = next((ln for ln in report.lines if ln["code"] == code), None)
    if line is None:
        raise NotFound(f"报告中没有该指标：{code}", field="code")
    return selectors.figure_records(user=request.auth, refs=line["records"])


@router.patch("/reports/{int:report_id}", response=ReportRead, summary="填写各项职责的工作情况说明")
def report_update(request, report_id: int, payload: NarrativeIn):
    return services.report_update(actor=request.auth, report=selectors.report_get(user=request.auth, pk=report_id),
                                  narrative=payload.narrative)


@router.post("/reports/{int:report_id}/submit", response=ReportRead, summary="提交年度工作报告")
def report_submit(request, report_id: int):
    return services.report_submit(actor=request.auth, report=selectors.report_get(user=request.auth, pk=report_id))


@router.post("/reports/{int:report_id}/review", response=ReportRead, summary="审核年度工作报告（管理部门）")
def report_review(request, report_id: int, payload: ReviewDecisionIn):
    return services.report_review(actor=request.auth, report=selectors.report_get(user=request.auth, pk=report_id),
                                  **payload.dict())


# ================================================================ 定期评价、动态管理


@router.get("/evaluations", response=list[EvaluationRead], summary="定期评价列表")
def evaluation_list(request, center_id: DbId | None = None):
    return list(selectors.evaluation_list(user=request.auth, center=center_id))


@router.post("/evaluations", response={201: EvaluationRead}, summary="开展定期评价（管理部门）")
def evaluation_create(request, payload: EvaluationCreate):
    center = selectors.center_get(user=request.auth, pk=payload.center_id)
    supersedes = (selectors.evaluation_get(user=request.auth, pk=payload.supersedes_id)
                  if payload.supersedes_id else None)
    return Status(201, services.evaluation_create(actor=request.auth, center=center, year=payload.year,
                                                  supersedes=supersedes))


@router.get("/evaluations/{int:evaluation_id}", response=EvaluationRead, summary="定期评价详情")
def evaluation_detail(request, evaluation_id: int):
    evaluation = selectors.evaluation_get(user=request.auth, pk=evaluation_id)
    evaluation.indicators = selectors.evaluation_indicators(user=request.auth, evaluation=evaluation)
    return evaluation


@router.post("/evaluations/{int:evaluation_id}/reviews", response={201: ReviewRead}, summary="指派评价专家")
def evaluation_assign(request, evaluation_id: int, payload: AssignIn):
    return Status(201, services.review_assign(
        actor=request.auth, evaluation=selectors.evaluation_get(user=request.auth, pk=evaluation_id),
        expert=selectors.expert_get(payload.expert_id)))


@router.post("/evaluations/{int:evaluation_id}/finalise", response=EvaluationRead, summary="评定等次（定级后不可修改）")
def evaluation_finalise(request, evaluation_id: int, payload: CommentIn):
    return services.evaluation_finalise(
        actor=request.auth, evaluation=selectors.evaluation_get(user=request.auth, pk=evaluation_id),
        comment=payload.comment)


@router.post("/evaluations/{int:evaluation_id}/rectification", response={201: ManagementRead},
             summary="不合格 → 限期整改")
def evaluation_rectification(request, evaluation_id: int, payload: RectificationIn):
    return Status(201, services.center_order_rectification(
        actor=request.auth, evaluation=selectors.evaluation_get(user=request.auth, pk=evaluation_id),
        **payload.dict()))


@router.post("/evaluations/{int:evaluation_id}/commendation", response={201: ManagementRead},
             summary="优秀 → 鼓励支持")
def evaluation_commendation(request, evaluation_id: int, payload: CommendationIn):
    return Status(201, services.center_commend(
        actor=request.auth, evaluation=selectors.evaluation_get(user=request.auth, pk=evaluation_id),
        **payload.dict()))


@router.get("/{int:center_id}/management", response=list[ManagementRead], summary="动态管理记录")
def management_list(request, center_id: int):
    center = selectors.center_get(user=request.auth, pk=center_id)
    return list(selectors.management_list(user=request.auth, center=center))


@router.post("/management/{int:action_id}/reports", response={201: dict}, summary="提交整改报告（运营中心）")
def rectification_report(request, action_id: int, payload: RectificationReportIn):
    report = services.rectification_report_submit(
        actor=request.auth, action=selectors.management_get(user=request.auth, pk=action_id), content=payload.content)
    return Status(201, {"id": report.pk, "content": report.content, "submitted_at": report.submitted_at})


@router.post("/management/{int:action_id}/follow-up", response={201: ManagementRead},
             summary="整改复查：合格恢复已认定，不合格取消资格")
def rectification_follow_up(request, action_id: int, payload: FollowUpIn):
    return Status(201, services.rectification_follow_up(
        actor=request.auth, action=selectors.management_get(user=request.auth, pk=action_id), **payload.dict()))


@router.post("/{int:center_id}/revoke", response={201: ManagementRead},
             summary="取消资格（弄虚作假、自行设立分中心、整改不合格等）")
def center_revoke(request, center_id: int, payload: RevokeIn):
    center = selectors.center_get(user=request.auth, pk=center_id)
    return Status(201, services.center_revoke(actor=request.auth, center=center, **payload.dict()))
