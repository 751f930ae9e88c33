"""Pages of 路演推介 / 对接会: the list, an event's page (status moves, registrations and attendance, signed
intentions, related deals), and the form with pickers for patents, demands and organisations."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Count
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from ipoc.core.errors import ApplicationError
from ipoc.core.models import Role
from ipoc.core.permissions import CHANGE, require
from ipoc.core.pickers import set_picker_querysets
from ipoc.core.tables import render_table
from ipoc.core.ui import handle_application_error
from ipoc.deals import selectors as deal_selectors
from ipoc.events import selectors, services
from ipoc.events.filtersets import EventFilterSet
from ipoc.events.forms import EventForm, OutcomeForm, RegistrationForm
from ipoc.events.models import EVENT_TRANSITIONS, EventStatus
from ipoc.events.tables import EventTable


def _may_create(user) -> bool:
    return user.is_platform_admin or user.role == Role.CENTER_STAFF


@login_required
def event_list(request):
    base = selectors.event_list(user=request.user)
    filterset = EventFilterSet(request.GET or None, queryset=base, request=request)
    qs = filterset.qs if filterset.is_bound and filterset.is_valid() else base
    table = EventTable(qs.annotate(registered=Count("registrations", distinct=True)), request=request)
    return render_table(request, table, "events/event_list.html", {
        "filterset": filterset, "can_create": _may_create(request.user)})


# ---------------------------------------------------------------- one event


STATUS_ACTIONS = {
    EventStatus.PUBLISHED: {"label": gettext_lazy("发布活动"), "icon": "speakerphone", "style": "primary",
                            "confirm": gettext_lazy("发布后所有用户都能看到并报名。确定发布？")},
    EventStatus.CANCELLED: {"label": gettext_lazy("取消活动"), "icon": "circle-x", "style": "outline-danger",
                            "confirm": gettext_lazy("取消后活动不能恢复，已报名单位将看到活动已取消。确定取消？"),
                            "needs_reason": True},
}


def _detail(request, event, *, outcome_form=None, registration_form=None):
    user = request.user
    manage = selectors.can_manage(user, event)
    moves = [{"status": s, **STATUS_ACTIONS[s]} for s in EVENT_TRANSITIONS[event.status]] if manage else []
    published = event.status == EventStatus.PUBLISHED
    may_register = (published and not manage and event.held_on >= timezone.localdate()
                    and user.role in (Role.ENTERPRISE_USER, Role.INSTITUTION_USER)
                    and selectors.own_registration(user=user, event=event) is None)
    if manage and published:
        outcome_form = outcome_form or OutcomeForm()
        registration_form = registration_form or RegistrationForm()
        set_picker_querysets(outcome_form, user)
        set_picker_querysets(registration_form, user)
    return render(request, "events/event_detail.html", {
        "event": event, "manage": manage, "moves": moves, "may_register": may_register,
        "held": event.held_on <= timezone.localdate(),  # attendance is recorded once the event has taken place
        "own_registration": selectors.own_registration(user=user, event=event) if not manage else None,
        "patents": event.patents.all(), "demands": event.demands.select_related("organization"),
        "registrations": selectors.event_registrations(user=user, event=event),
        "outcomes": selectors.event_outcomes(user=user, event=event),
        "deals": deal_selectors.deal_list(user=user, event=event.pk),
        "may_broker": manage and _may_create(user),
        "outcome_form": outcome_form if manage and published else None,
        "registration_form": registration_form if manage and published else None})


@login_required
def event_detail(request, pk: int):
    return _detail(request, selectors.event_get(user=request.user, pk=pk))


def _form_page(request, event=None):
    user = request.user
    form = EventForm(request.POST or None, instance=event)
    set_picker_querysets(form, user)
    if event is not None or not user.is_platform_admin:
        del form.fields["organizer"]
    if request.method == "POST" and form.is_valid():
        data = {k: v for k, v in form.cleaned_data.items() if k != "organizer"}
        data["patents"] = list(data.get("patents") or [])
        data["demands"] = list(data.get("demands") or [])
        try:
            if event is None:
                event = services.event_create(actor=user, organizer=form.cleaned_data.get("organizer"), **data)
                messages.success(request, _("活动已保存为草稿；确认无误后请点击“发布活动”。"))
            else:
                event.refresh_from_db()
                services.event_update(actor=user, event=event, data=data)
                messages.success(request, _("活动已保存"))
            return redirect("event_detail", pk=event.pk)
        except ApplicationError as exc:
            handle_application_error(form, exc)
    return render(request, "events/event_form.html", {"form": form, "event": event})


@login_required
def event_create(request):
    if not _may_create(request.user):
        raise ApplicationError(_("只有运营中心工作人员可以新建活动"), status=403)
    return _form_page(request)


@login_required
def event_edit(request, pk: int):
    event = selectors.event_get(user=request.user, pk=pk)
    require(request.user, CHANGE, event)
    return _form_page(request, event)


@login_required
@require_POST
def event_transition(request, pk: int):
    event = selectors.event_get(user=request.user, pk=pk)
    to_status = request.POST.get("to_status", "")
    try:
        services.event_transition(actor=request.user, event=event, to_status=to_status,
                                  reason=request.POST.get("reason", ""))
        messages.success(request, _("活动已发布") if to_status == EventStatus.PUBLISHED else _("活动已取消"))
    except ApplicationError as exc:
        messages.error(request, exc.message)
    return redirect("event_detail", pk=pk)


@login_required
@require_POST
def event_register(request, pk: int):
    user = request.user
    event = selectors.event_get(user=user, pk=pk)
    manage = selectors.can_manage(user, event)
    try:
        if manage:  # the organiser registers an organisation
            form = RegistrationForm(request.POST)
            set_picker_querysets(form, user)
            if not form.is_valid():
                return _detail(request, event, registration_form=form)
            registration = services.event_register(actor=user, event=event,
                                                   organization=form.cleaned_data["organization"],
                                                   note=form.cleaned_data["note"])
        else:
            registration = services.event_register(actor=user, event=event, note=request.POST.get("note", ""))
        messages.success(request, _("已报名：%(o)s") % {"o": registration.organization.name})
    except ApplicationError as exc:
        messages.error(request, exc.message)
    return redirect("event_detail", pk=pk)


@login_required
@require_POST
def registration_attendance(request, pk: int, reg_pk: int):
    event = selectors.event_get(user=request.user, pk=pk)
    reg = selectors.registration_get(user=request.user, event=event, pk=reg_pk)
    value = request.POST.get("attended", "")
    try:
        services.registration_set_attendance(actor=request.user, registration=reg,
                                             attended={"1": True, "0": False}.get(value))
        messages.success(request, _("已记录 %(o)s %(a)s") % {
            "o": reg.organization.name, "a": _("出席") if value == "1" else _("未出席") if value == "0" else _("未确认")})
    except ApplicationError as exc:
        messages.error(request, exc.message)
    return redirect("event_detail", pk=pk)


@login_required
@require_POST
def event_outcome_create(request, pk: int):
    user = request.user
    event = selectors.event_get(user=user, pk=pk)
    form = OutcomeForm(request.POST)
    set_picker_querysets(form, user)
    if form.is_valid():
        d = form.cleaned_data
        try:
            services.event_outcome_create(actor=user, event=event, party_a=d["party_a"], party_b=d["party_b"],
                                          patents=list(d["patents"]), note=d["note"])
            messages.success(request, _("签约意向已记录"))
            return redirect("event_detail", pk=pk)
        except ApplicationError as exc:
            handle_application_error(form, exc)
    messages.error(request, _("未能记录签约意向，请按提示更正。"))
    return _detail(request, event, outcome_form=form)
