import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.staticfiles import finders
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from ipoc.centers import rules, selectors, services
from ipoc.centers.forms import CenterEditForm, CenterForm, CorrectForm, EvidenceForm, TransitionForm
from ipoc.centers.models import CENTER_TRANSITIONS, CenterLevel, CenterStatus
from ipoc.core.errors import ApplicationError, PermissionDenied
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
    return render(request, "centers/rule_list.html", {"rules": [r.as_dict() for r in rules.RULES.values()]})


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
    data = selectors.dashboard(user=request.user)
    return render(request, "centers/center_dashboard.html", {
        "data": data, "charts": finders.find(ECHARTS) is not None, "echarts": ECHARTS})
