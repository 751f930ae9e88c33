"""Reads for 路演推介 / 对接会, their registrations and outcomes, restricted to what the user may see."""

from __future__ import annotations

from django.db.models import Q, QuerySet

from ipoc.core.errors import NotFound
from ipoc.core.models import User
from ipoc.core.permissions import CHANGE, VIEW, can, restrict
from ipoc.events.models import Event, EventOutcome, EventRegistration


def event_list(*, user: User, q: str = "", kind: str = "", status: str = "", organizer: int | None = None,
               year: int | None = None, mine: bool = False) -> QuerySet[Event]:
    qs = restrict(Event.objects.select_related("organizer"), user, VIEW)
    if mine and user.organization_id:
        qs = qs.filter(Q(organizer=user.organization_id) | Q(registrations__organization=user.organization_id))
    if q:
        qs = qs.filter(Q(title__icontains=q) | Q(description__icontains=q) | Q(place__icontains=q))
    if kind:
        qs = qs.filter(kind=kind)
    if status:
        qs = qs.filter(status=status)
    if organizer:
        qs = qs.filter(organizer=organizer)
    if year:
        qs = qs.filter(held_on__year=year)
    return qs.distinct()


def event_get(*, user: User, pk: int) -> Event:
    event = restrict(Event.objects.select_related("organizer"), user, VIEW).filter(pk=pk).first()
    if event is None:
        raise NotFound(f"活动 {pk} 不存在或无权查看", field="event")
    return event


def event_get_by_id(pk: int) -> Event | None:
    """System read for linking (e.g. a deal that came from an event); no user restriction."""
    return Event.objects.filter(pk=pk).first()


def event_registrations(*, user: User, event: Event) -> QuerySet[EventRegistration]:
    """The registrations this user may see: all of them for the organiser and offices; one's own otherwise."""
    return restrict(event.registrations.select_related("organization", "registered_by"), user, VIEW)


def registration_get(*, user: User, event: Event, pk: int) -> EventRegistration:
    reg = event_registrations(user=user, event=event).filter(pk=pk).first()
    if reg is None:
        raise NotFound(f"报名记录 {pk} 不存在或无权查看", field="registration")
    return reg


def event_outcomes(*, user: User, event: Event) -> QuerySet[EventOutcome]:
    return restrict(event.outcomes.select_related("party_a", "party_b").prefetch_related("patents"), user, VIEW)


def can_manage(user: User, event: Event) -> bool:
    return can(user, CHANGE, event)


def own_registration(*, user: User, event: Event) -> EventRegistration | None:
    if not user.organization_id:
        return None
    return event.registrations.filter(organization=user.organization_id).first()


# ---------------------------------------------------------------- resolving ids given in forms and API payloads


def patents_by_ids(*, user: User, ids, field: str = "patent_ids") -> list:
    """The patents with these ids that the user may see; refuses (404, naming ``field``) when one is missing."""
    from ipoc.patents import selectors as patent_selectors

    wanted = sorted({int(i) for i in ids or ()})
    found = list(patent_selectors.patent_list(user=user).filter(pk__in=wanted)) if wanted else []
    missing = sorted(set(wanted) - {p.pk for p in found})
    if missing:
        raise NotFound(f"专利 {', '.join(map(str, missing))} 不存在或无权查看", field=field)
    return found


def demands_by_ids(*, user: User, ids, field: str = "demand_ids") -> list:
    from ipoc.demands import selectors as demand_selectors

    wanted = sorted({int(i) for i in ids or ()})
    found = list(demand_selectors.demand_list(user=user).filter(pk__in=wanted)) if wanted else []
    missing = sorted(set(wanted) - {d.pk for d in found})
    if missing:
        raise NotFound(f"需求 {', '.join(map(str, missing))} 不存在或无权查看", field=field)
    return found


def organizations_by_ids(*, user: User, ids, field: str) -> list:
    from ipoc.core.selectors import organization_list

    wanted = sorted({int(i) for i in ids or ()})
    found = list(organization_list(user=user).filter(pk__in=wanted)) if wanted else []
    missing = sorted(set(wanted) - {o.pk for o in found})
    if missing:
        raise NotFound(f"组织机构 {', '.join(map(str, missing))} 不存在", field=field)
    return found


def events_for_patent(*, user: User, patent_id: int) -> QuerySet[Event]:
    """The events that presented a patent (推介专利), that the user may see (for the patent's page)."""
    return restrict(Event.objects.filter(patents=patent_id).select_related("organizer"), user, VIEW).distinct()
