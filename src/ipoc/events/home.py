"""What the events app puts on home pages: a center's coming events (drafts to publish, registrations to
expect), and for enterprises and institutions the coming events they may join. Registered once from
``EventsConfig.ready``."""

from __future__ import annotations

from django.db.models import Count, Exists, OuterRef
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ipoc.core.home import item, queue, register_home_card, register_queue
from ipoc.core.models import Role
from ipoc.events import selectors
from ipoc.events.models import EventRegistration, EventStatus


def center_upcoming(user):
    """The center's own events from today on (草稿 to publish first by date), with their registrations."""
    if user.role != Role.CENTER_STAFF or not user.organization_id:
        return None
    today = timezone.localdate()
    qs = (selectors.event_list(user=user, organizer=user.organization_id)
          .filter(held_on__gte=today, status__in=(EventStatus.DRAFT, EventStatus.PUBLISHED))
          .annotate(registered=Count("registrations", distinct=True)).order_by("held_on", "id"))

    def make(e):
        if e.status == EventStatus.DRAFT:
            detail = _("%(k)s · 草稿，发布后企业和高校才能报名") % {"k": e.get_kind_display()}
        else:
            detail = _("%(k)s · 已报名 %(n)s 家单位") % {"k": e.get_kind_display(), "n": e.registered}
        return item(e.title, reverse("event_detail", args=[e.pk]), detail=detail, due=e.held_on,
                    due_label=_("举办"), badge=e.get_status_display(), colour=e.status)

    return queue(_("即将举办的活动"), qs, make, url=reverse("event_list") + "?mine=1", icon="presentation",
                 empty=_("暂无即将举办的活动"))


def open_events(user):
    """Published events from today on that the organisation may register for (already registered marked)."""
    if user.role not in (Role.ENTERPRISE_USER, Role.INSTITUTION_USER) or not user.organization_id:
        return None
    today = timezone.localdate()
    mine = EventRegistration.objects.filter(event=OuterRef("pk"), organization_id=user.organization_id)
    qs = (selectors.event_list(user=user, status=EventStatus.PUBLISHED).filter(held_on__gte=today)
          .annotate(registered=Exists(mine)).order_by("held_on", "id"))
    result = queue(_("近期路演对接活动"), qs, lambda e: item(
        e.title, reverse("event_detail", args=[e.pk]),
        detail=_("%(k)s · %(o)s") % {"k": e.get_kind_display(), "o": e.organizer.name}, due=e.held_on,
        due_label=_("举办"), badge=_("已报名") if e.registered else _("可报名"),
        colour="green" if e.registered else "blue"), url=reverse("event_list"), icon="presentation",
        empty=_("近期暂无可报名的活动"))
    result.info = True  # events one may join, not work waiting
    return result


def center_events_card(user):
    if user.role != Role.CENTER_STAFF or not user.organization_id:
        return None
    year = timezone.localdate().year
    n = selectors.event_list(user=user, organizer=user.organization_id, year=year).filter(
        status=EventStatus.PUBLISHED).count()
    return {"title": _("%(y)s 年举办的活动") % {"y": year}, "value": n,
            "url": reverse("event_list") + f"?mine=1&year={year}", "icon": "presentation"}


def registered_card(user):
    if user.role not in (Role.ENTERPRISE_USER, Role.INSTITUTION_USER) or not user.organization_id:
        return None
    year = timezone.localdate().year
    n = EventRegistration.objects.filter(organization_id=user.organization_id, event__held_on__year=year,
                                         event__in=selectors.event_list(user=user)).count()
    return {"title": _("%(y)s 年报名的活动") % {"y": year}, "value": n,
            "url": reverse("event_list") + f"?mine=1&year={year}", "icon": "presentation"}


def register() -> None:
    from ipoc.core.audit_display import register_audit_object

    register_queue((Role.CENTER_STAFF,), center_upcoming, order=40)
    register_queue((Role.ENTERPRISE_USER, Role.INSTITUTION_USER), open_events, order=50)
    register_home_card((Role.CENTER_STAFF,), center_events_card, order=50)
    register_home_card((Role.ENTERPRISE_USER, Role.INSTITUTION_USER), registered_card, order=40)
    register_audit_object("events.event", url_name="event_detail")
    register_audit_object("events.eventregistration", url_name="event_detail", url_arg=lambda r: r.event_id)
    register_audit_object("events.eventoutcome", url_name="event_detail", url_arg=lambda o: o.event_id)
