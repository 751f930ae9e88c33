"""What the deals app puts on home pages: a center's open deals to move on (the longest untouched first), the
deals an enterprise or institution is a party to, and figures. Registered once from ``DealsConfig.ready``."""

from __future__ import annotations

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ipoc.core.home import (
    format_value,
    item,
    queue,
    register_home_card,
    register_organization_figure,
    register_queue,
)
from ipoc.core.models import Role
from ipoc.deals import selectors
from ipoc.deals.models import OPEN_STAGES, DealStage

NEXT_STEP = {DealStage.INTENTION: _("推进洽谈"), DealStage.NEGOTIATION: _("推进签约"),
             DealStage.SIGNED: _("进入履行"), DealStage.PERFORMING: _("确认完成")}


def _amount(deal) -> str:
    if deal.amount is None:
        return _("金额待定")
    return _("%(v)s 万元") % {"v": format_value(round(float(deal.amount) / 10000, 2))}  # as the deal list shows it


def _idle(deal) -> str:
    days = (timezone.now() - deal.updated_at).days
    return _("今天有更新") if days <= 0 else _("%(n)s 天未更新") % {"n": days}


def center_open_deals(user):
    """The center's deals not yet 完成 or 终止, the one left longest first, with the next step."""
    if user.role != Role.CENTER_STAFF or not user.organization_id:
        return None
    qs = (selectors.deal_list(user=user, center=user.organization_id).filter(stage__in=OPEN_STAGES)
          .order_by("updated_at", "id"))
    return queue(_("待推进的交易"), qs, lambda d: item(
        d.title, reverse("deal_detail", args=[d.pk]),
        detail=f"{d.get_deal_type_display()} · {_amount(d)} · {_idle(d)} · {NEXT_STEP[d.stage]}",
        badge=d.get_stage_display(), colour="yellow" if d.stage in (DealStage.INTENTION, DealStage.NEGOTIATION)
        else "blue"), url=reverse("deal_list"), icon="briefcase", empty=_("暂无进行中的交易"))


def party_deals(user):
    """Open deals in which the organisation is a seller or buyer."""
    if user.role not in (Role.ENTERPRISE_USER, Role.INSTITUTION_USER) or not user.organization_id:
        return None
    qs = (selectors.deal_list(user=user, party=user.organization_id).filter(stage__in=OPEN_STAGES)
          .order_by("-updated_at", "-id"))
    result = queue(_("本单位参与的交易"), qs, lambda d: item(
        d.title, reverse("deal_detail", args=[d.pk]),
        detail=_("%(t)s · 撮合：%(c)s") % {"t": d.get_deal_type_display(), "c": d.center.name},
        badge=d.get_stage_display(), colour="blue"), url=reverse("deal_list"), icon="briefcase",
        empty=_("暂无进行中的交易"))
    result.info = True  # the center moves these deals; the party follows them
    return result


def center_open_card(user):
    if user.role != Role.CENTER_STAFF or not user.organization_id:
        return None
    n = selectors.deal_list(user=user, center=user.organization_id).filter(stage__in=OPEN_STAGES).count()
    return {"title": _("进行中的交易"), "value": n, "url": reverse("deal_list"), "icon": "briefcase"}


def party_open_card(user):
    if user.role not in (Role.ENTERPRISE_USER, Role.INSTITUTION_USER) or not user.organization_id:
        return None
    qs = selectors.deal_list(user=user, party=user.organization_id)
    return {"title": _("参与的进行中交易"), "value": qs.filter(stage__in=OPEN_STAGES).count(),
            "url": reverse("deal_list"), "icon": "briefcase",
            "hint": _("已完成 %(n)s 项") % {"n": qs.filter(stage=DealStage.COMPLETED).count()}}


def office_signed_card(user):
    if user.role != Role.OFFICE_STAFF:
        return None
    year = timezone.localdate().year
    n = selectors.deal_list(user=user, counted=True, signed_year=year).count()
    return {"title": _("%(y)s 年辖区签约交易") % {"y": year}, "value": n,
            "url": reverse("deal_list") + f"?counted=1&signed_year={year}", "icon": "briefcase"}


def organization_deals(user, organization):
    qs = selectors.deal_list(user=user, party=organization.pk)
    n = qs.count()
    if not n:
        return None
    # The deal list has no party filter yet: counted here, not linked.
    return {"title": _("参与的交易"), "value": n, "url": "", "icon": "briefcase"}


def register() -> None:
    from ipoc.core.audit_display import register_audit_object

    register_queue((Role.CENTER_STAFF,), center_open_deals, order=30)
    register_queue((Role.ENTERPRISE_USER, Role.INSTITUTION_USER), party_deals, order=40)
    register_home_card((Role.CENTER_STAFF,), center_open_card, order=30)
    register_home_card((Role.OFFICE_STAFF,), office_signed_card, order=30)
    register_home_card((Role.ENTERPRISE_USER, Role.INSTITUTION_USER), party_open_card, order=30)
    register_organization_figure(organization_deals, order=40)
    register_audit_object("deals.deal", url_name="deal_detail")
