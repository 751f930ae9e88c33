"""Writes for 路演推介 / 对接会: create, edit, publish or cancel, register, record attendance and outcomes — audited."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from ipoc.core.errors import ApplicationError, PermissionDenied
from ipoc.core.models import Organization, Role, User
from ipoc.core.permissions import CHANGE, VIEW, acting_center, require, require_role
from ipoc.core.services import audit_record, model_update, validated_save
from ipoc.events.models import EVENT_TRANSITIONS, Event, EventOutcome, EventRegistration, EventStatus

EDITABLE_FIELDS = ("kind", "title", "description", "held_on", "place", "online_url")
M2M_FIELDS = ("patents", "demands")


def _organizer_for(actor: User | None, organizer: Organization | None) -> Organization:
    """Center staff organise for their own center; administrators and the system name one."""
    return acting_center(actor, organizer, field="organizer", not_own=_("只能以本运营中心名义举办活动"),
                         missing=_("请指定主办运营中心"),
                         not_center=_("主办机构必须是产业知识产权运营中心"))


def _ids(objs: Iterable) -> list[int]:
    return sorted(o.pk for o in objs)


@transaction.atomic
def event_create(*, actor: User | None, title: str, held_on, organizer: Organization | None = None,
                 patents: Iterable = (), demands: Iterable = (), **fields: Any) -> Event:
    if actor is not None:
        require_role(actor, Role.CENTER_STAFF)
    unknown = set(fields) - set(EDITABLE_FIELDS)
    if unknown:
        raise ApplicationError(_("未知字段：%(f)s") % {"f": ", ".join(sorted(unknown))}, field=sorted(unknown)[0])
    event = Event(title=(title or "").strip(), held_on=held_on, organizer=_organizer_for(actor, organizer),
                  created_by=actor if actor is not None and actor.pk else None, **fields)
    validated_save(event)
    patents, demands = list(patents), list(demands)
    event.patents.set(patents)
    event.demands.set(demands)
    audit_record(actor=actor, action="create", obj=event, changes={
        "title": [None, event.title], "organizer": [None, str(event.organizer)], "held_on": [None, event.held_on],
        "patents": [None, _ids(patents)], "demands": [None, _ids(demands)]})
    return event


@transaction.atomic
def event_update(*, actor: User | None, event: Event, data: dict[str, Any]) -> Event:
    """Change an event; ``patents``/``demands`` in ``data`` replace the presented projects."""
    if actor is not None:
        require(actor, CHANGE, event)
    if event.status == EventStatus.CANCELLED:
        raise ApplicationError(_("已取消的活动不能修改"), field="status")
    data = dict(data)
    m2m = {name: list(data.pop(name)) for name in M2M_FIELDS if name in data}
    changes = model_update(instance=event, data=data, fields=EDITABLE_FIELDS)
    for name, objs in m2m.items():
        old = sorted(getattr(event, name).values_list("pk", flat=True))
        if old != _ids(objs):
            getattr(event, name).set(objs)
            changes[name] = [old, _ids(objs)]
    if changes:
        audit_record(actor=actor, action="update", obj=event, changes=changes)
    return event


@transaction.atomic
def event_transition(*, actor: User | None, event: Event, to_status: str, reason: str = "") -> Event:
    """草稿 → 已发布 → 已取消. Cancelling needs a reason."""
    event = Event.objects.select_for_update().get(pk=event.pk)
    if actor is not None:
        require(actor, CHANGE, event)
    if to_status not in EVENT_TRANSITIONS.get(event.status, ()):
        label = EventStatus(to_status).label if to_status in EventStatus.values else to_status
        raise ApplicationError(_("活动状态不能从“%(a)s”变为“%(b)s”") % {"a": event.get_status_display(), "b": label},
                               field="status", code="invalid_transition")
    if to_status == EventStatus.CANCELLED and not (reason or "").strip():
        raise ApplicationError(_("取消活动必须说明理由"), field="reason")
    previous = event.status
    event.status = to_status
    event.save(update_fields=["status", "updated_at"])
    audit_record(actor=actor, action="transition", obj=event, changes={"status": [previous, to_status]},
                 message=reason)
    return event


@transaction.atomic
def event_register(*, actor: User | None, event: Event, organization: Organization | None = None,
                   note: str = "") -> EventRegistration:
    """Register an organisation for a published event. Enterprise and institution users register their own
    organisation until the event day; the organiser's staff may register any organisation (also afterwards,
    e.g. walk-ins)."""
    if actor is not None:
        require(actor, VIEW, event)
        if actor.role in (Role.ENTERPRISE_USER, Role.INSTITUTION_USER) and not actor.is_platform_admin:
            if organization is not None and organization.pk != actor.organization_id:
                raise PermissionDenied(_("只能为本单位报名"), field="organization")
            organization = actor.organization
        else:
            require(actor, CHANGE, event)
    if organization is None:
        raise ApplicationError(_("请指定报名单位"), field="organization")
    if event.status != EventStatus.PUBLISHED:
        raise ApplicationError(_("只有已发布的活动可以报名"), field="event")
    self_service = actor is not None and actor.role in (Role.ENTERPRISE_USER, Role.INSTITUTION_USER)
    if self_service and event.held_on < timezone.localdate():
        raise ApplicationError(_("活动已结束，报名已截止"), field="event")
    if organization.pk == event.organizer_id:
        raise ApplicationError(_("主办运营中心无需报名"), field="organization")
    registration = EventRegistration(event=event, organization=organization, note=(note or "").strip(),
                                     registered_by=actor if actor is not None and actor.pk else None)
    if EventRegistration.objects.filter(event=event, organization=organization).exists():
        raise ApplicationError(_("该单位已报名此活动"), field="organization", code="duplicate")
    try:
        with transaction.atomic():
            validated_save(registration, validate_constraints=False)
    except IntegrityError:  # a concurrent registration of the same organisation
        raise ApplicationError(_("该单位已报名此活动"), field="organization", code="duplicate") from None
    audit_record(actor=actor, action="create", obj=registration,
                 changes={"event": [None, str(event)], "organization": [None, str(organization)]})
    return registration


@transaction.atomic
def registration_set_attendance(*, actor: User | None, registration: EventRegistration,
                                attended: bool | None) -> EventRegistration:
    """The organiser records whether a registered organisation attended (是/否; None: 未确认)."""
    if actor is not None:
        require(actor, CHANGE, registration.event)
    previous = registration.attended
    if previous != attended:
        registration.attended = attended
        registration.save(update_fields=["attended"])
        audit_record(actor=actor, action="update", obj=registration, changes={"attended": [previous, attended]})
    return registration


@transaction.atomic
def event_outcome_create(*, actor: User | None, event: Event, party_a: Organization, party_b: Organization,
                         patents: Iterable = (), note: str = "") -> EventOutcome:
    """Record an intention signed at the event (签约意向): the two organisations, the patents, a note."""
    if actor is not None:
        require(actor, CHANGE, event)
    if event.status != EventStatus.PUBLISHED:
        raise ApplicationError(_("只有已发布的活动可以记录签约意向"), field="event")
    outcome = EventOutcome(event=event, party_a=party_a, party_b=party_b, note=(note or "").strip(),
                           created_by=actor if actor is not None and actor.pk else None)
    validated_save(outcome)
    patents = list(patents)
    outcome.patents.set(patents)
    audit_record(actor=actor, action="create", obj=outcome, changes={
        "event": [None, str(event)], "party_a": [None, str(party_a)], "party_b": [None, str(party_b)],
        "patents": [None, _ids(patents)], "note": [None, outcome.note]})
    return outcome
