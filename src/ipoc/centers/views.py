import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.staticfiles import finders
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from ipoc.centers import rules, selectors, services
from ipoc.centers.forms import CenterEditForm, CenterForm, CorrectForm, EvidenceForm, TransitionForm
from ipoc.centers.models import (
    CENTER_TRANSITIONS,
    QUALIFIED_STATUSES,
    ApplicationStatus,
    CenterLevel,
    CenterStatus,
    EvaluationStatus,
    ReportStatus,
    RevocationGround,
)
from ipoc.core.errors import ApplicationError, NotFound, PermissionDenied
from ipoc.core.models import Role
from ipoc.core.permissions import CHANGE, can
from ipoc.core.ui import handle_application_error

ECHARTS = "vendor/echarts/echarts.min.js"


def center_public_list(request):
    """已认定运营中心名录 — no login."""
    qs = selectors.center_public_list(q=request.GET.get("q", ""), level=request.GET.get("level", ""))
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    return render(request, "centers/center_public_list.html", {"page": page, "levels": CenterLevel.choices})


def rule_list(request):
    """Every rule with its source; an office sees and sets its own values for the configurable ones."""
    import json

    user = _user(request)
    office = user.organization if user is not None and user.role == Role.OFFICE_STAFF else None
    own = selectors.rule_overrides(office=office) if office is not None else {}
    rows = []
    for r in rules.RULES.values():
        row = r.as_dict()
        mine = own.get(r.code)
        row["office_value"] = mine.value if mine is not None else None
        row["office_reason"] = mine.reason if mine is not None else ""
        row["edit_json"] = json.dumps(mine.value if mine is not None else r.value, ensure_ascii=False)
        rows.append(row)
    return render(request, "centers/rule_list.html", {"rules": rows, "office": office})


@login_required
@require_POST
def rule_set(request, code: str):
    import json

    office = request.user.organization
    if office is None:
        raise PermissionDenied(_("只有知识产权管理部门可以设置规则"))
    try:
        if request.POST.get("clear"):
            services.rule_override_clear(actor=request.user, office=office, code=code)
        else:
            try:
                value = json.loads(request.POST.get("value", ""))
            except ValueError:
                raise ApplicationError(_("取值应为 JSON（如 500、[\"a\", \"b\"]、{\"k\": 1}）"), field="value") from None
            services.rule_override_set(actor=request.user, office=office, code=code, value=value,
                                       reason=request.POST.get("reason", ""))
        messages.success(request, _("已保存"))
    except ApplicationError as exc:
        if isinstance(exc, PermissionDenied):
            raise
        messages.error(request, f"{code}：{exc.message}")
    return redirect("center_rules")


@login_required
def center_list(request):
    qs = selectors.center_list(user=request.user, q=request.GET.get("q", ""), level=request.GET.get("level", ""),
                               status=request.GET.get("status", ""), flagged=request.GET.get("flagged") == "1")
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    return render(request, "centers/center_list.html", {"page": page, "levels": CenterLevel.choices,
                                                        "statuses": CenterStatus.choices})


def center_detail(request, pk: int):
    user = request.user if request.user.is_authenticated else None
    center = selectors.center_get(user=user, pk=pk)
    may_decide = user is not None and services.office_may_decide(user, center)
    may_change = user is not None and (may_decide or can(user, CHANGE, center))
    moves = [(s, CenterStatus(s).label) for s in CENTER_TRANSITIONS[center.status]] if may_decide else []
    form = TransitionForm(auto_id="tr_%s")
    form.fields["to_status"].choices = moves
    return render(request, "centers/center_detail.html", {
        "center": center, "moves": moves, "transition_form": form, "may_decide": may_decide,
        "may_change": may_change, "correct_form": CorrectForm(auto_id=False), "evidence_form": EvidenceForm(auto_id="ev_%s"),
        "decisions": selectors.decision_list(user=user, center=center),
        "applications": center.applications.all() if may_change else [],
        "reports": center.annual_reports.all() if may_change else [],
        "evaluations": center.evaluations.all() if may_change else [],
        "management": selectors.management_list(user=user, center=center) if may_change else [],
        "revocable": center.status in QUALIFIED_STATUSES,
        "grounds": [(g, RevocationGround(g).label) for g in rules.REVOCATION_GROUNDS.value],
        "evidence": selectors.evidence_list(user=user, center=center) if may_change or (
            user is not None and user.role == Role.OFFICE_STAFF) else [],
    })


@login_required
def center_create(request):
    form = CenterForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            center = services.center_create(actor=request.user, **form.cleaned_data)
            return redirect("center_detail", pk=center.pk)
        except ApplicationError as exc:
            handle_application_error(form, exc)
    return render(request, "centers/center_form.html", {"form": form})


@login_required
def center_edit(request, pk: int):
    center = selectors.center_get(user=request.user, pk=pk)
    office = services.office_may_decide(request.user, center)
    if not (office or can(request.user, CHANGE, center)):
        raise PermissionDenied(f"您无权修改此运营中心的登记信息：{center}")
    form = CenterEditForm(request.POST or None, instance=center, office=office)
    if request.method == "POST" and form.is_valid():
        try:
            services.center_update(actor=request.user, center=selectors.center_get(user=request.user, pk=pk),
                                   data=form.changed_data_dict())
            return redirect("center_detail", pk=pk)
        except ApplicationError as exc:
            handle_application_error(form, exc)
    return render(request, "centers/center_form.html", {"form": form, "center": center})


def _post_error(request, pk, exc: ApplicationError):
    if isinstance(exc, PermissionDenied):
        raise exc
    messages.error(request, exc.message)
    return redirect("center_detail", pk=pk)


@login_required
@require_POST
def center_transition(request, pk: int):
    center = selectors.center_get(user=request.user, pk=pk)
    form = TransitionForm(request.POST, request.FILES)
    form.fields["to_status"].choices = CenterStatus.choices
    if not form.is_valid():
        messages.error(request, "；".join(f"{form.fields[f].label}：{e[0]}" for f, e in form.errors.items()))
        return redirect("center_detail", pk=pk)
    try:
        services.center_transition(actor=request.user, center=center, **form.cleaned_data)
    except ApplicationError as exc:
        return _post_error(request, pk, exc)
    return redirect("center_detail", pk=pk)


@login_required
@require_POST
def decision_correct(request, pk: int):
    decision = selectors.decision_get(user=request.user, pk=pk)
    form = CorrectForm(request.POST, request.FILES)
    if not form.is_valid():
        messages.error(request, "；".join(f"{form.fields[f].label}：{e[0]}" for f, e in form.errors.items()))
        return redirect("center_detail", pk=decision.center_id)
    data = form.cleaned_data
    try:
        services.center_decision_correct(actor=request.user, decision=decision, reason=data["reason"],
                                         document_ref=data["document_ref"], to_status=data["to_status"] or None,
                                         document=data["document"])
    except ApplicationError as exc:
        return _post_error(request, decision.center_id, exc)
    return redirect("center_detail", pk=decision.center_id)


@login_required
@require_POST
def evidence_add(request, pk: int):
    center = selectors.center_get(user=request.user, pk=pk)
    form = EvidenceForm(request.POST, request.FILES)
    if not form.is_valid():
        messages.error(request, "；".join(f"{form.fields[f].label}：{e[0]}" for f, e in form.errors.items()))
        return redirect("center_detail", pk=pk)
    try:
        services.center_evidence_add(actor=request.user, center=center, **form.cleaned_data)
    except ApplicationError as exc:
        return _post_error(request, pk, exc)
    return redirect("center_detail", pk=pk)


@login_required
def center_check(request, pk: int):
    center = selectors.center_get(user=request.user, pk=pk)
    try:
        year = int(request.GET.get("year") or dt.date.today().year - 1)
    except ValueError:
        raise ApplicationError("年度应为数字", field="year") from None
    data = selectors.center_check(user=request.user, center=center, level=request.GET.get("level", ""), year=year)
    return render(request, "centers/center_check.html", {"center": center, "check": data,
                                                         "levels": CenterLevel.choices})


@login_required
def center_dashboard(request):
    if not (request.user.is_platform_admin or request.user.role == Role.OFFICE_STAFF):
        raise PermissionDenied("看板仅限知识产权管理部门和平台管理员")
    data = selectors.dashboard(user=request.user, kpi_year=_int(request.GET.get("year") or dt.date.today().year - 1,
                                                                "year", "年度"))
    return render(request, "centers/center_dashboard.html", {
        "data": data, "charts": finders.find(ECHARTS) is not None, "echarts": ECHARTS})


# ================================================================ 认定 workflow pages


def _user(request):
    return request.user if request.user.is_authenticated else None


def _attempt(request, action, success: str = ""):
    """Run a service call for a posted form: its result, or None with the error shown as a message on the
    page the user returns to. A refusal (PermissionDenied) still raises: the user gets the 403 page."""
    try:
        result = action()
    except ApplicationError as exc:
        if isinstance(exc, PermissionDenied):
            raise
        messages.error(request, exc.message)
        return None
    if success:
        messages.success(request, success)
    return result


def _post_step(request, steps: dict, step: str, success: str):
    """Dispatch a posted ``step`` to its service call (see ``_attempt``)."""
    if step not in steps:
        messages.error(request, _("未知的操作"))
        return None
    return _attempt(request, steps[step], success)


def _int(value, field: str, label: str) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        raise ApplicationError(f"{label}应为整数", field=field) from None


def _date(value, field: str, label: str):
    if not value:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise ApplicationError(f"{label}应为日期（YYYY-MM-DD）", field=field) from None


@login_required
def application_list(request):
    qs = selectors.application_list(user=request.user, status=request.GET.get("status", ""))
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    return render(request, "centers/application_list.html", {
        "page": page, "statuses": ApplicationStatus.choices,
        "may_apply": request.user.role == Role.CENTER_STAFF})


@login_required
def application_create(request):
    center = selectors.own_center(user=request.user)
    data = {"year": request.POST.get("year") or dt.date.today().year - 1, "summary": request.POST.get("summary", ""),
            "achievements": request.POST.get("achievements", ""), "plan": request.POST.get("plan", "")}
    error = None
    if request.method == "POST":
        try:
            app = services.application_create(actor=request.user, center=center,
                                              year=_int(data["year"], "year", "年度"), summary=data["summary"],
                                              achievements=data["achievements"], plan=data["plan"])
            return redirect("center_application_detail", pk=app.pk)
        except ApplicationError as exc:
            if isinstance(exc, PermissionDenied):
                raise
            error = exc
    return render(request, "centers/application_form.html", {"center": center, "data": data, "error": error})


@login_required
def application_edit(request, pk: int):
    app = selectors.application_get(user=request.user, pk=pk)
    data = {f: request.POST.get(f, getattr(app, f)) for f in ("year", "summary", "achievements", "plan")}
    error = None
    if request.method == "POST":
        try:
            data["year"] = _int(data["year"], "year", "年度")
            services.application_update(actor=request.user, application=app, data=data)
            return redirect("center_application_detail", pk=pk)
        except ApplicationError as exc:
            if isinstance(exc, PermissionDenied):
                raise
            error = exc
    return render(request, "centers/application_form.html", {"center": app.center, "data": data, "error": error,
                                                             "application": app})


def _application_context(request, app) -> dict:
    user = request.user
    office = services.office_may_decide(user, app.center)
    staff = services.is_center_staff(user, app.center)
    return {
        "app": app, "is_office": office, "is_center": staff,
        "may_recommend": services.may_recommend(user, app),
        "moves": app.moves.select_related("office").all(),
        "materials": app.materials.all(),
        "reviews": selectors.application_reviews(user=user, application=app),
        "objections": app.objections.all() if office or staff else [],
        "experts": selectors.experts() if office else [],
        "sheet": app.scoring_sheet or rules.SCORING_SHEET.value_for(app.deciding_office_id),
        "snapshot": app.conditions_snapshot or None,
        "S": ApplicationStatus,
        "publicity_over": app.publicity_end is not None and services.today() > app.publicity_end,
    }


@login_required
def application_detail(request, pk: int):
    app = selectors.application_get(user=request.user, pk=pk)
    return render(request, "centers/application_detail.html", _application_context(request, app))


def _yes(value) -> bool:
    return str(value).lower() in ("1", "true", "yes", "on")


def _objection(app, objection_id):
    objection = app.objections.filter(pk=_int(objection_id, "objection", "异议")).first()
    if objection is None:
        raise NotFound(_("异议不存在：%(o)s") % {"o": objection_id})
    return objection


def _assign_experts(user, expert_ids, **target) -> None:
    if not expert_ids:
        raise ApplicationError(_("请选择评审专家"), field="expert")
    for expert_id in expert_ids:
        services.review_assign(actor=user, expert=selectors.expert_get(expert_id), **target)


@login_required
@require_POST
def application_act(request, pk: int, action: str):
    """Every step of the workflow posts here; the service decides whether this user may take it."""
    app = selectors.application_get(user=request.user, pk=pk)
    p, u = request.POST, request.user
    steps = {
        "submit": lambda: services.application_submit(actor=u, application=app),
        "recommend": lambda: services.application_recommend(actor=u, application=app,
                                                            recommend=_yes(p.get("recommend")),
                                                            opinion=p.get("opinion", "")),
        "formal-review": lambda: services.application_formal_review(actor=u, application=app,
                                                                    outcome=p.get("outcome", ""),
                                                                    reason=p.get("reason", "")),
        "resubmit": lambda: services.application_resubmit(actor=u, application=app, note=p.get("note", "")),
        "withdraw": lambda: services.application_withdraw(actor=u, application=app, reason=p.get("reason", "")),
        "material": lambda: services.application_material_add(actor=u, application=app, title=p.get("title", ""),
                                                              file=request.FILES.get("file")),
        "assign": lambda: _assign_experts(u, p.getlist("expert"), application=app),
        "close-review": lambda: services.application_close_review(actor=u, application=app,
                                                                  notice=p.get("notice", "")),
        "resolve": lambda: services.objection_resolve(
            actor=u, objection=_objection(app, p.get("objection")),
            upheld=_yes(p.get("upheld")), resolution=p.get("resolution", "")),
        "decide": lambda: services.application_decide(actor=u, application=app, recognise=_yes(p.get("recognise")),
                                                      reason=p.get("reason", ""),
                                                      document_ref=p.get("document_ref", ""),
                                                      document=request.FILES.get("document")),
    }
    if action not in steps:
        raise NotFound(f"未知的操作：{action}")
    _attempt(request, steps[action], _("已办理"))
    return redirect("center_application_detail", pk=pk)


def application_certificate(request, pk: int):
    """认定证书 (PDF) of a recognised application: public, like the recognition itself."""
    from django.http import HttpResponse

    from ipoc.centers import certificate

    app = selectors.recognised_application_get(pk)
    response = HttpResponse(certificate.render_certificate(app), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="certificate-{app.certificate_no}.pdf"'
    return response


def publicity_list(request):
    """公示 — public, no login."""
    return render(request, "centers/publicity_list.html", {"apps": selectors.publicity_list(),
                                                           "today": services.today()})


def publicity_object(request, pk: int):
    """Real-name objection during publicity — anyone, no login needed."""
    app = selectors.publicity_get(pk)
    data = {f: request.POST.get(f, "") for f in ("submitter_name", "submitter_contact", "content")}
    error = None
    if request.method == "POST":
        try:
            services.objection_create(actor=_user(request), application=app, **data)
            messages.success(request, _("异议已提交，认定部门将核实处理"))
            return redirect("center_publicity_list")
        except ApplicationError as exc:
            error = exc
    return render(request, "centers/publicity_object.html", {"app": app, "data": data, "error": error})


@login_required
def review_list(request):
    return render(request, "centers/review_list.html", {"reviews": selectors.review_list(user=request.user)})


@login_required
def review_detail(request, pk: int):
    review = selectors.review_get(user=request.user, pk=pk)
    sheet = services.scoring_sheet_for(review)
    if request.method == "POST":
        p, u = request.POST, request.user
        _post_step(request, {
            "declare": lambda: services.review_declare(actor=u, review=review, conflict=_yes(p.get("conflict")),
                                                       note=p.get("note", "")),
            "score": lambda: services.review_submit(actor=u, review=review, comment=p.get("comment", ""),
                                                    scores={c["code"]: p.get(f"score_{c['code']}", "")
                                                            for c in sheet}),
        }, p.get("step", ""), _("已提交"))
        return redirect("center_review_detail", pk=pk)
    target = review.application or review.evaluation
    return render(request, "centers/review_detail.html", {
        "review": review, "target": target, "sheet": sheet,
        "rows": [{**c, "value": (review.scores or {}).get(c["code"])} for c in sheet],
        "is_expert": review.expert_id == request.user.pk})


# ================================================================ 年度工作报告


@login_required
def report_list(request):
    may_generate = request.user.role == Role.CENTER_STAFF
    return render(request, "centers/report_list.html", {
        "reports": selectors.report_list(user=request.user), "may_generate": may_generate,
        "year": dt.date.today().year - 1})


@login_required
@require_POST
def report_generate(request):
    center = selectors.own_center(user=request.user)
    report = _attempt(request, lambda: services.report_generate(
        actor=request.user, center=center, year=_int(request.POST.get("year"), "year", "年度")))
    return redirect("center_report_detail", pk=report.pk) if report else redirect("center_report_list")


def _group_lines(lines: list[dict]) -> list[dict]:
    from ipoc.centers import kpi

    return [{"code": code, "label": label, "lines": [ln for ln in lines if ln["duty"] == code]}
            for code, label in kpi.DUTIES.items()]


@login_required
def report_detail(request, pk: int):
    report = selectors.report_get(user=request.user, pk=pk)
    if request.method == "POST":
        from ipoc.centers import kpi

        p, u = request.POST, request.user
        _post_step(request, {
            "narrative": lambda: services.report_update(actor=u, report=report, narrative={
                d: p.get(f"narrative_{d}", "") for d in kpi.DUTIES}),
            "regenerate": lambda: services.report_generate(actor=u, center=report.center, year=report.year),
            "submit": lambda: services.report_submit(actor=u, report=report),
            "review": lambda: services.report_review(actor=u, report=report, accept=_yes(p.get("accept")),
                                                     comment=p.get("comment", "")),
        }, p.get("step", ""), _("已保存"))
        return redirect("center_report_detail", pk=pk)
    duties = _group_lines(report.lines)
    for duty in duties:
        duty["narrative"] = report.narrative.get(duty["code"], "")
    return render(request, "centers/report_detail.html", {
        "report": report, "duties": duties, "is_center": services.is_center_staff(request.user, report.center),
        "is_office": services.office_may_decide(request.user, report.center), "RS": ReportStatus})


@login_required
def report_records(request, pk: int, code: str):
    report = selectors.report_get(user=request.user, pk=pk)
    line = next((ln for ln in report.lines if ln["code"] == code), None)
    if line is None:
        raise NotFound(f"报告中没有该指标：{code}")
    return render(request, "centers/figure_records.html", {
        "title": f"{report} · {line['label']}", "line": line, "back": reverse("center_report_detail", args=[pk]),
        "rows": selectors.figure_records(user=request.user, refs=line["records"])})


@login_required
def check_records(request, pk: int, code: str):
    """The records behind one condition of the basic-conditions check."""
    center = selectors.center_get(user=request.user, pk=pk)
    year = _int(request.GET.get("year") or dt.date.today().year - 1, "year", "年度")
    data = selectors.center_check(user=request.user, center=center, level=request.GET.get("level", ""), year=year)
    flat = [c for top in data["conditions"] for c in (top, *top["any_of"])]
    cond = next((c for c in flat if c["code"] == code), None)
    if cond is None:
        raise NotFound(f"没有该条件：{code}")
    line = {"label": cond["label"], "value": cond["figure"], "unit": cond["unit"], "records": cond["records"]}
    return render(request, "centers/figure_records.html", {
        "title": f"{center} · {cond['label']}（{year}）", "line": line,
        "back": reverse("center_check", args=[pk]) + f"?year={year}",
        "rows": selectors.figure_records(user=request.user, refs=cond["records"])})


# ================================================================ 定期评价、动态管理


@login_required
def evaluation_list(request):
    is_office = request.user.role == Role.OFFICE_STAFF or request.user.is_platform_admin
    return render(request, "centers/evaluation_list.html", {
        "evaluations": selectors.evaluation_list(user=request.user), "is_office": is_office,
        "centers": selectors.center_list(user=request.user).filter(status__in=QUALIFIED_STATUSES) if is_office else [],
        "year": dt.date.today().year - 1})


@login_required
@require_POST
def evaluation_create(request):
    evaluation = _attempt(request, lambda: services.evaluation_create(
        actor=request.user, year=_int(request.POST.get("year"), "year", "年度"),
        center=selectors.center_get(user=request.user, pk=_int(request.POST.get("center"), "center", "运营中心"))))
    if evaluation is None:
        return redirect("center_evaluation_list")
    return redirect("center_evaluation_detail", pk=evaluation.pk)


@login_required
def evaluation_detail(request, pk: int):
    evaluation = selectors.evaluation_get(user=request.user, pk=pk)
    office = services.office_may_decide(request.user, evaluation.center)
    if request.method == "POST":
        p, u, step = request.POST, request.user, request.POST.get("step", "")
        result = _post_step(request, {
            "assign": lambda: _assign_experts(u, p.getlist("expert"), evaluation=evaluation),
            "finalise": lambda: services.evaluation_finalise(actor=u, evaluation=evaluation,
                                                             comment=p.get("comment", "")),
            "rectify": lambda: services.center_order_rectification(
                actor=u, evaluation=evaluation, content=p.get("content", ""), document_ref=p.get("document_ref", ""),
                deadline=_date(p.get("deadline"), "deadline", "整改期限")),
            "commend": lambda: services.center_commend(actor=u, evaluation=evaluation, content=p.get("content", ""),
                                                       document_ref=p.get("document_ref", "")),
        }, step, _("已办理"))
        if step == "rectify" and result is not None:
            return redirect("center_management_detail", pk=result.pk)
        return redirect("center_evaluation_detail", pk=pk)
    indicators = selectors.evaluation_indicators(user=request.user, evaluation=evaluation)
    return render(request, "centers/evaluation_detail.html", {
        "evaluation": evaluation, "indicators": indicators, "is_office": office,
        "reviews": list(evaluation.reviews.select_related("expert")) if office else [],
        "experts": selectors.experts() if office else [], "ES": EvaluationStatus,
        "actions": evaluation.actions.all(),
        "rectify_days": rules.RECTIFY_ON_FAIL.value_for(evaluation.center.managing_office_id)})


@login_required
def evaluation_records(request, pk: int, code: str):
    evaluation = selectors.evaluation_get(user=request.user, pk=pk)
    indicators = selectors.evaluation_indicators(user=request.user, evaluation=evaluation)
    ind = next((i for i in indicators if i["code"] == code), None)
    if ind is None:
        raise NotFound(f"没有该指标：{code}")
    line = {"label": ind["label"], "value": ind["value"], "unit": ind.get("unit", ""), "records": ind["records"]}
    return render(request, "centers/figure_records.html", {
        "title": f"{evaluation} · {ind['label']}", "line": line,
        "back": reverse("center_evaluation_detail", args=[pk]),
        "rows": selectors.figure_records(user=request.user, refs=ind["records"])})


@login_required
def management_detail(request, pk: int):
    action = selectors.management_get(user=request.user, pk=pk)
    office = services.office_may_decide(request.user, action.center)
    if request.method == "POST":
        p, u = request.POST, request.user
        _post_step(request, {
            "report": lambda: services.rectification_report_submit(actor=u, action=action, content=p.get("content", ""),
                                                                   file=request.FILES.get("file")),
            "follow-up": lambda: services.rectification_follow_up(
                actor=u, action=action, passed=_yes(p.get("passed")), content=p.get("content", ""),
                document_ref=p.get("document_ref", "")),
        }, p.get("step", ""), _("已办理"))
        return redirect("center_management_detail", pk=pk)
    return render(request, "centers/management_detail.html", {
        "action": action, "is_office": office,
        "is_center": services.is_center_staff(request.user, action.center),
        "reports": action.reports.all(), "follow_ups": action.follow_ups.all(),
        "corrections": action.corrections.all()})


@login_required
@require_POST
def center_revoke(request, pk: int):
    center = selectors.center_get(user=request.user, pk=pk)
    p = request.POST
    _attempt(request, lambda: services.center_revoke(actor=request.user, center=center, ground=p.get("ground", ""),
                                                     content=p.get("content", ""),
                                                     document_ref=p.get("document_ref", "")), _("已取消资格"))
    return redirect("center_detail", pk=pk)


@login_required
@require_POST
def reminders_send(request):
    if not (request.user.is_platform_admin or request.user.role == Role.OFFICE_STAFF):
        raise PermissionDenied(_("仅限知识产权管理部门"))
    result = services.reminders_send(actor=request.user)
    messages.success(request, _("已发送提醒 %(n)s 条") % {"n": result["notifications"]})
    return redirect("center_application_list")
