"""What the demands app puts on home pages: a center's demands waiting to be accepted (受理), an enterprise's or
institution's own demands and where each stands; figures; an organisation's demands.
Registered once from ``DemandsConfig.ready`` (``register()``)."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from ipoc.core.home import item, queue, register_home_card, register_organization_figure, register_queue
from ipoc.core.models import OrganizationKind, Role
from ipoc.demands import selectors
from ipoc.demands.models import DealMode, DemandStatus

OPEN = (DemandStatus.DRAFT, DemandStatus.PENDING, DemandStatus.PUBLISHED, DemandStatus.MATCHING)


def _url(demand) -> str:
    return reverse("demand_detail", args=[demand.pk])


def center_pending(user):
    """Demands filed with this center and waiting for its review (待审核 → 受理并发布, or 退回)."""
    if user.role != Role.CENTER_STAFF or not user.organization_id:
        return None
    qs = (selectors.demand_list(user=user, status=DemandStatus.PENDING, center=user.organization_id)
          .order_by("updated_at", "id"))
    return queue(_("待受理的需求"), qs, lambda d: item(
        d.title, _url(d), detail=_("%(org)s · 提交于 %(d)s") % {"org": d.organization.name,
                                                              "d": d.updated_at.date()},
        due=d.deadline, due_label=_("需求截止"), badge=d.get_status_display(), colour=d.status),
        url=reverse("demand_list") + f"?status={DemandStatus.PENDING}&mine=1", icon="inbox",
        empty=_("暂无待受理的需求"))


def own_demands(user):
    """The organisation's own demands still open, the ones last moved first, each with its status."""
    if user.role not in (Role.ENTERPRISE_USER, Role.INSTITUTION_USER) or not user.organization_id:
        return None
    qs = (selectors.demand_list(user=user, organization=user.organization_id).filter(status__in=OPEN)
          .order_by("-updated_at", "-id"))

    def make(d):
        if d.status == DemandStatus.DRAFT:
            detail = _("草稿：填写完整后提交审核")
        elif d.status == DemandStatus.PENDING:
            detail = _("等待%(c)s受理") % {"c": d.center.name} if d.center_id else _("等待运营中心受理")
        else:
            detail = _("受理：%(c)s") % {"c": d.center.name} if d.center_id else _("已发布")
        return item(d.title, _url(d), detail=detail, due=d.deadline, due_label=_("需求截止"),
                    badge=d.get_status_display(), colour=d.status)

    return queue(_("我的需求进展"), qs, make, url=reverse("demand_list") + "?mine=1", icon="bulb",
                 empty=_("暂无进行中的需求，可在“技术需求”中发布"))


def center_demands_card(user):
    if user.role != Role.CENTER_STAFF or not user.organization_id:
        return None
    qs = selectors.demand_list(user=user, center=user.organization_id).filter(
        status__in=(DemandStatus.PUBLISHED, DemandStatus.MATCHING))
    return {"title": _("受理的在办需求"), "value": qs.count(), "url": reverse("demand_list") + "?mine=1",
            "icon": "bulb"}


def own_demands_card(user):
    if user.role not in (Role.ENTERPRISE_USER, Role.INSTITUTION_USER) or not user.organization_id:
        return None
    qs = selectors.demand_list(user=user, organization=user.organization_id)
    return {"title": _("本单位发布的需求"), "value": qs.exclude(status=DemandStatus.DRAFT).count(),
            "url": reverse("demand_list") + "?mine=1", "icon": "bulb",
            "hint": _("已解决 %(n)s 项") % {"n": qs.filter(status=DemandStatus.SOLVED).count()}}


def office_demands_card(user):
    if user.role != Role.OFFICE_STAFF:
        return None
    qs = selectors.demand_list(user=user).filter(status__in=(DemandStatus.PUBLISHED, DemandStatus.MATCHING))
    return {"title": _("辖区在办技术需求"), "value": qs.count(),
            "url": reverse("demand_list") + f"?status={DemandStatus.PUBLISHED}", "icon": "bulb"}


def organization_demands(user, organization):
    if organization.kind == OrganizationKind.OPERATION_CENTER:
        handled = selectors.demand_list(user=user, center=organization.pk).count()
        if handled:
            own = user.organization_id == organization.pk
            return {"title": _("受理的技术需求"), "value": handled, "icon": "bulb",
                    "url": reverse("demand_list") + "?mine=1" if own else ""}
    qs = selectors.demand_list(user=user, organization=organization.pk)
    n = qs.count()
    if not n:
        return None
    # The demand list filters by the reader's own organisation only; other organisations' demands are counted.
    own = user.organization_id == organization.pk
    return {"title": _("技术需求"), "value": n, "icon": "bulb",
            "url": reverse("demand_list") + "?mine=1" if own else ""}


def register() -> None:
    from ipoc.core.audit_display import register_audit_labels, register_audit_object

    register_queue((Role.CENTER_STAFF,), center_pending, order=10)
    register_queue((Role.ENTERPRISE_USER, Role.INSTITUTION_USER), own_demands, order=20)
    register_home_card((Role.CENTER_STAFF,), center_demands_card, order=20)
    register_home_card((Role.ENTERPRISE_USER, Role.INSTITUTION_USER), own_demands_card, order=10)
    register_home_card((Role.OFFICE_STAFF,), office_demands_card, order=40)
    register_organization_figure(organization_demands, order=20)
    register_audit_object("demands.demand", url_name="demand_detail")
    register_audit_labels("demands.demand", values={"modes": DealMode.choices})

