"""Pages of 技术需求: list, detail with the workflow's buttons, the form (发布需求), import. Thin: parse, call, render."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import FieldDoesNotExist
from django.db import transaction
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from ipoc.core.errors import ApplicationError
from ipoc.core.jobs import job_of_request
from ipoc.core.models import JobStatus, Role
from ipoc.core.permissions import CHANGE, can, require
from ipoc.core.pickers import set_picker_querysets
from ipoc.core.tables import render_table
from ipoc.core.ui import handle_application_error
from ipoc.demands import selectors, services
from ipoc.demands.filtersets import DemandFilterSet
from ipoc.demands.forms import DemandForm, DemandImportForm
from ipoc.demands.models import Demand, DemandStatus
from ipoc.demands.tables import DemandTable

# The workflow's buttons: (from, to) → (label, style, confirmation or "", reason: "" | "optional" | "required").
# A confirmation is asked before a decision that cannot be undone.
MOVE_BUTTONS = {
    (DemandStatus.DRAFT, DemandStatus.PENDING): (gettext_lazy("提交审核"), "primary", "", ""),
    (DemandStatus.DRAFT, DemandStatus.CLOSED): (
        gettext_lazy("关闭需求"), "outline-danger", gettext_lazy("关闭后需求不能再提交或对接，确定关闭吗？"), "optional"),
    (DemandStatus.PENDING, DemandStatus.PUBLISHED): (
        gettext_lazy("受理并发布"), "success", gettext_lazy("发布后需求对平台用户公开并进入对接，确定受理并发布吗？"), ""),
    (DemandStatus.PENDING, DemandStatus.DRAFT): (gettext_lazy("退回补正"), "outline-warning", "", "required"),
    (DemandStatus.PENDING, DemandStatus.CLOSED): (
        gettext_lazy("关闭需求"), "outline-danger", gettext_lazy("关闭后需求不能再提交或对接，确定关闭吗？"), "optional"),
    (DemandStatus.PUBLISHED, DemandStatus.MATCHING): (gettext_lazy("开始对接"), "primary", "", ""),
    (DemandStatus.PUBLISHED, DemandStatus.SOLVED): (
        gettext_lazy("标记为已解决"), "success", gettext_lazy("标记为已解决后不能再变更，确定吗？"), "optional"),
    (DemandStatus.PUBLISHED, DemandStatus.CLOSED): (
        gettext_lazy("关闭需求"), "outline-danger", gettext_lazy("关闭后需求不能再对接，确定关闭吗？"), "optional"),
    (DemandStatus.MATCHING, DemandStatus.SOLVED): (
        gettext_lazy("标记为已解决"), "success", gettext_lazy("标记为已解决后不能再变更，确定吗？"), "optional"),
    (DemandStatus.MATCHING, DemandStatus.PUBLISHED): (gettext_lazy("暂停对接（恢复为已发布）"), "outline-secondary",
                                                      "", "optional"),
    (DemandStatus.MATCHING, DemandStatus.CLOSED): (
        gettext_lazy("关闭需求"), "outline-danger", gettext_lazy("关闭后需求不能再对接，确定关闭吗？"), "optional"),
}

MOVE_DONE = {
    DemandStatus.PENDING: gettext_lazy("需求已提交，等待运营中心受理。"),
    DemandStatus.PUBLISHED: gettext_lazy("需求已发布。"),
    DemandStatus.DRAFT: gettext_lazy("需求已退回补正，需求方会收到通知。"),
    DemandStatus.MATCHING: gettext_lazy("需求已进入对接。"),
    DemandStatus.SOLVED: gettext_lazy("需求已标记为已解决。"),
    DemandStatus.CLOSED: gettext_lazy("需求已关闭。"),
}


def _may_file(user) -> bool:
    return user.is_platform_admin or user.role in (Role.ENTERPRISE_USER, Role.INSTITUTION_USER, Role.CENTER_STAFF)


@login_required
def demand_list(request):
    base = selectors.demand_list(user=request.user)
    filterset = DemandFilterSet(request.GET or None, queryset=base, request=request)
    qs = filterset.qs if filterset.is_bound and filterset.is_valid() else base
    table = DemandTable(qs, request=request)
    return render_table(request, table, "demands/demand_list.html",
                        {"filterset": filterset, "may_file": _may_file(request.user),
                         "may_import": request.user.role in (Role.CENTER_STAFF, Role.ENTERPRISE_USER,
                                                             Role.INSTITUTION_USER)})


def _own_draft(user, demand) -> bool:
    """Whether ``user`` is on the side that writes this draft: its organisation, or the center that filed it."""
    if user.is_platform_admin or user.organization_id == demand.organization_id:
        return True
    creator = demand.created_by
    return creator is not None and creator.organization_id == user.organization_id


def _actor_name(user) -> str:
    if user is None:
        return _("系统")
    return f"{user}（{user.organization}）" if user.organization_id else str(user)


@login_required
def demand_detail(request, pk: int):
    from ipoc.deals import selectors as deal_selectors
    from ipoc.events import selectors as event_selectors
    from ipoc.matching import selectors as match_selectors

    demand = selectors.demand_get(user=request.user, pk=pk)
    moves = []
    # a draft is its author's to edit and submit: a center's staff do so only for a draft they filed themselves
    # (代录), not for one they returned to the enterprise for 补正
    authors_turn = demand.status == DemandStatus.DRAFT and not _own_draft(request.user, demand)
    for to_status in services.demand_allowed_moves(actor=request.user, demand=demand):
        if authors_turn and to_status == DemandStatus.PENDING:
            continue
        label, style, confirm, reason = MOVE_BUTTONS.get((demand.status, to_status),
                                                         (DemandStatus(to_status).label, "secondary", "", "optional"))
        moves.append({"to": to_status, "label": label, "style": style, "confirm": confirm, "reason": reason})
    changes = [{"at": c.at, "actor": _actor_name(c.actor), "from": c.get_from_status_display() if c.from_status else "",
                "to": c.get_to_status_display(), "to_code": c.to_status, "reason": c.reason}
               for c in demand.status_changes.select_related("actor", "actor__organization")]
    match_counts = match_selectors.demand_match_counts(user=request.user, demand_id=demand.pk)
    is_center = request.user.role == Role.CENTER_STAFF and request.user.organization_id == demand.center_id
    owner_view = request.user.role in (Role.ENTERPRISE_USER, Role.INSTITUTION_USER)  # sees the pushes only
    return render(request, "demands/demand_detail.html", {
        "demand": demand, "contact": selectors.demand_contact(user=request.user, demand=demand),
        "modes": selectors.deal_mode_labels(demand.modes),
        "moves": moves, "changes": changes, "needs_reason": any(m["reason"] for m in moves),
        "reason_required": any(m["reason"] == "required" for m in moves),
        "may_act": can(request.user, CHANGE, demand),
        "can_edit": demand.status == DemandStatus.DRAFT and can(request.user, CHANGE, demand) and not authors_turn,
        "match_counts": match_counts,
        "show_matches": match_counts["confirmed" if owner_view else "total"] > 0 or (
            (is_center or request.user.is_platform_admin) and demand.status in selectors.OPEN_STATUSES),
        "events": event_selectors.event_list(user=request.user).filter(demands=demand).order_by("-held_on")[:20],
        "deals": deal_selectors.deal_list(user=request.user, demand=demand.pk).order_by("-id")[:20],
        "may_add_deal": is_center,
        "owner_view": owner_view,
    })


def _save(request, form, demand: Demand | None):
    """Create or update from the form; '发布需求' also submits it into the workflow. Errors go on the form."""
    data = form.service_data()
    if not data.get("region_code") and demand is None:  # where the demand is: by default, where its owner is
        owner = data.get("organization") or request.user.organization
        data["region_code"] = getattr(owner, "region_code", "") or ""
    submit = "save_draft" not in request.POST
    try:
        with transaction.atomic():
            if demand is None:
                demand = services.demand_create(actor=request.user, **data)
            else:
                demand = services.demand_update(actor=request.user, demand=demand, data=data)
            if submit:
                demand = services.demand_submit(actor=request.user, demand=demand)
    except ApplicationError as exc:
        handle_application_error(form, exc)
        return None
    if not submit:
        messages.success(request, _("需求已保存为草稿，尚未提交。"))
    elif demand.status == DemandStatus.PUBLISHED:
        messages.success(request, _("需求已发布。"))
    else:
        messages.success(request, _("需求已提交至%(c)s，等待受理；受理后即公开发布。") % {"c": demand.center})
    return demand


@login_required
def demand_create(request):
    if not _may_file(request.user):
        raise ApplicationError(_("只有企业、高校院所和运营中心可以发布需求"), status=403, code="permission_denied")
    form = DemandForm(request.POST or None, user=request.user)
    set_picker_querysets(form, request.user)
    if request.method == "POST" and form.is_valid():
        demand = _save(request, form, None)
        if demand is not None:
            return redirect("demand_detail", pk=demand.pk)
    return render(request, "demands/demand_form.html", {"form": form, "demand": None})


@login_required
def demand_edit(request, pk: int):
    demand = selectors.demand_get(user=request.user, pk=pk)
    require(request.user, CHANGE, demand)
    if demand.status != DemandStatus.DRAFT or not _own_draft(request.user, demand):
        messages.warning(request, _("只有需求方（或代录的运营中心）可以修改草稿状态的需求。"))
        return redirect("demand_detail", pk=pk)
    form = DemandForm(request.POST or None, instance=demand, user=request.user)
    set_picker_querysets(form, request.user)
    if request.method == "POST" and form.is_valid():
        saved = _save(request, form, demand)
        if saved is not None:
            return redirect("demand_detail", pk=saved.pk)
    return render(request, "demands/demand_form.html", {"form": form, "demand": demand})


@login_required
@require_POST
def demand_transition(request, pk: int):
    demand = selectors.demand_get(user=request.user, pk=pk)
    to_status = request.POST.get("to_status", "")
    try:
        demand = services.demand_transition(actor=request.user, demand=demand, to_status=to_status,
                                            reason=request.POST.get("reason", "").strip())
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, MOVE_DONE.get(demand.status, _("状态已更新。")))
    return redirect("demand_detail", pk=pk)


@login_required
def demand_template(request):
    from ipoc.demands.importers import template_xlsx

    response = HttpResponse(template_xlsx(),
                            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    response["Content-Disposition"] = 'attachment; filename="demand-template.xlsx"'
    return response


REPORT_COUNTS = [("rows", gettext_lazy("读取行数"), "blue"), ("new", gettext_lazy("新增"), "green"),
                 ("updated", gettext_lazy("更新"), "azure"), ("unchanged", gettext_lazy("未变"), "secondary"),
                 ("rejected", gettext_lazy("被拒绝"), "red"), ("flagged_duplicates", gettext_lazy("疑似重复"), "yellow")]


def _field_label(name: str) -> str:
    from ipoc.demands.importers import COLUMN_MAP

    if not name:
        return "—"
    try:
        return str(Demand._meta.get_field(name).verbose_name)
    except FieldDoesNotExist:  # a template column that is not a model field (e.g. requester)
        headers = [h for h, f in COLUMN_MAP.items() if f == name and not h.isascii()]
        return headers[0] if headers else name


@login_required
def demand_import(request):
    if request.user.role not in (Role.CENTER_STAFF, Role.ENTERPRISE_USER, Role.INSTITUTION_USER):
        raise ApplicationError(_("只有企业、高校院所和运营中心可以导入需求"), status=403, code="permission_denied")
    form = DemandImportForm(request.POST or None, request.FILES or None)
    report = None
    if request.method == "POST" and form.is_valid():
        from ipoc.core.jobs import job_start_background
        from ipoc.core.uploads import save_upload

        upload = form.cleaned_data["file"]
        try:  # a background job (short transactions); its page shows progress, then this page its report
            job = services.demand_import_start(actor=request.user, path=save_upload(upload), file_name=upload.name)
            job_start_background(job)
        except ApplicationError as exc:
            form.add_error("file", exc.message)
        else:
            return redirect(f"{request.path}?job={job.pk}")
    elif (job := job_of_request(request, "demands.import")) is not None:
        if job.status in (JobStatus.PENDING, JobStatus.RUNNING):
            return redirect("job_detail", pk=job.pk)
        if job.status != JobStatus.SUCCEEDED:
            messages.error(request, job.error or _("导入未完成（任务 #%(j)s）") % {"j": job.pk})
        else:
            report = (job.result or {}).get("report")
        if report:
            counts = report["counts"]
            messages.success(request, _("导入完成：新增 %(n)s 条，更新 %(u)s 条，拒绝 %(r)s 条。")
                             % {"n": counts["new"], "u": counts["updated"], "r": counts["rejected"]})
            for row in report["rejected_rows"]:
                row["field_label"] = _field_label(row.get("field") or "")
    return render(request, "demands/demand_import.html", {
        "form": form, "report": report,
        "counts": [(label, report["counts"].get(key, 0), colour) for key, label, colour in REPORT_COUNTS]
        if report else [],
        "publishes": request.user.role == Role.CENTER_STAFF}, status=400 if form.errors else 200)
