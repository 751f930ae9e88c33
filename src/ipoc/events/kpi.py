"""KPI provider for the centers app: 路演推介 and 对接会 a center held in a year."""

from __future__ import annotations


def events_held(center, year: int):
    """Published (not cancelled, not draft) events organised by the center and held in the year — up to today:
    an event announced for next month has not been held."""
    import datetime as dt

    from django.utils import timezone

    from ipoc.centers.kpi import KpiFigure
    from ipoc.events.models import Event, EventStatus

    last = min(timezone.localdate(), dt.date(year, 12, 31))
    ids = sorted(Event.objects.filter(organizer_id=center.organization_id, held_on__year=year, held_on__lte=last,
                                      status=EventStatus.PUBLISHED).values_list("pk", flat=True))
    return KpiFigure(len(ids), "场", [("events.event", i) for i in ids])


def register() -> bool:
    from django.apps import apps

    if not apps.is_installed("ipoc.centers"):
        return False
    from ipoc.centers import kpi

    kpi.register_kpi_provider(kpi.EVENTS_HELD, kpi.KPI_LABELS[kpi.EVENTS_HELD], events_held)
    return True
