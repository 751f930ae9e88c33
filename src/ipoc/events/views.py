from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from ipoc.core import selectors as core_selectors
from ipoc.core.errors import ApplicationError, NotFound
from ipoc.core.models import Role
from ipoc.core.permissions import CHANGE, require
from ipoc.core.ui import handle_application_error
from ipoc.events import selectors, services
from ipoc.events.forms import EventForm, OutcomeForm, split_refs
from ipoc.events.models import EVENT_TRANSITIONS, EventKind, EventStatus


def _patents(user, raw: str) -> list:
    from ipoc.patents import selectors as patent_selectors

    out = []
    for ref in split_refs(raw):
        try:
            out.append(patent_selectors.patent_get(user=user, key_or_number=ref))
        except NotFound as exc:
            raise ApplicationError(exc.message, field="patent_refs") from exc
    return out


def _demands(user, raw: str) -> list:
    refs = split_refs(raw)
    if any(not r.isdigit() for r in refs):
        raise ApplicationError("需求ID应为数字", field="demand_refs")
    return selectors.demands_by_ids(user=user, ids=refs, field="demand_refs")


@login_required
def event_list(request):
    year = request.GET.get("year", "")
    qs = selectors.event_list(user=request.user, q=request.GET.get("q", ""), kind=request.GET.get("kind", ""),
                              status=request.GET.get("status", ""), mine=request.GET.get("mine") == "1",
                              year=int(year) if year.isdigit() else None)
    page = Paginator(qs, 30).get_page(request.GET.get("page"))
    return render(request, "events/event_list.html", {
        "page": page, "kinds": EventKind.choices, "statuses": EventStatus.choices,
        "can_create": request.user.is_platform_admin or request.user.role == Role.CENTER_STAFF})


@login_required
def event_detail(request, pk: int):
    user = request.user
    event = selectors.event_get(user=user, pk=pk)
    manage = selectors.can_manage(user, event)
    moves = [(s, EventStatus(s).label) for s in EVENT_TRANSITIONS[event.status]] if manage else []
    may_register = (event.status == EventStatus.PUBLISHED and not manage and event.held_on >= timezone.localdate()
                    and user.role in (Role.ENTERPRISE_USER, Role.INSTITUTION_USER)
                    and selectors.own_registration(user=user, event=event) is None)
    return render(request, "events/event_detail.html", {
        "event": event, "manage": manage, "moves": moves, "may_register": may_register,
        "patents": event.patents.all(), "demands": event.demands.all(),
        "registrations": selectors.event_registrations(user=user, event=event),
        "outcomes": selectors.event_outcomes(user=user, event=event),
        "outcome_form": OutcomeForm() if manage and event.status == EventStatus.PUBLISHED else None})


def _form_page(request, event=None):
    initial = {}
    if event is not None:
        initial = {"patent_refs": ", ".join(p.publication_number or str(p.pk) for p in event.patents.all()),
                   "demand_refs": ", ".join(str(d.pk) for d in event.demands.all())}
    form = EventForm(request.POST or None, instance=event, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            data = {k: v for k, v in form.cleaned_data.items() if k not in ("patent_refs", "demand_refs")}
            data["patents"] = _patents(request.user, form.cleaned_data["patent_refs"])
            data["demands"] = _demands(request.user, form.cleaned_data["demand_refs"])
            if event is None:
                event = services.event_create(actor=request.user, **data)
            else:
                event.refresh_from_db()
                services.event_update(actor=request.user, event=event, data=data)
            return redirect("event_detail", pk=event.pk)
        except ApplicationError as exc:
            handle_application_error(form, exc)
    return render(request, "events/event_form.html", {"form": form, "event": event})


@login_required
def event_create(request):
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
    services.event_transition(actor=request.user, event=event, to_status=request.POST.get("to_status", ""),
                              reason=request.POST.get("reason", ""))
    return redirect("event_detail", pk=pk)


@login_required
@require_POST
def event_register(request, pk: int):
    event = selectors.event_get(user=request.user, pk=pk)
    services.event_register(actor=request.user, event=event, note=request.POST.get("note", ""))
    return redirect("event_detail", pk=pk)


@login_required
@require_POST
def registration_attendance(request, pk: int, reg_pk: int):
    event = selectors.event_get(user=request.user, pk=pk)
    reg = selectors.registration_get(user=request.user, event=event, pk=reg_pk)
    value = request.POST.get("attended", "")
    services.registration_set_attendance(actor=request.user, registration=reg,
                                         attended={"1": True, "0": False}.get(value))
    return redirect("event_detail", pk=pk)


@login_required
@require_POST
def event_outcome_create(request, pk: int):
    user = request.user
    event = selectors.event_get(user=user, pk=pk)
    form = OutcomeForm(request.POST)
    if not form.is_valid():
        raise ApplicationError("；".join(f"{k}: {' '.join(v)}" for k, v in form.errors.items()))
    services.event_outcome_create(
        actor=user, event=event, party_a=core_selectors.organization_get(user=user, pk=form.cleaned_data["party_a"]),
        party_b=core_selectors.organization_get(user=user, pk=form.cleaned_data["party_b"]),
        patents=_patents(user, form.cleaned_data["patent_refs"]), note=form.cleaned_data["note"])
    return redirect("event_detail", pk=pk)
