"""What the risk app puts on home pages: a center's checks to work on, an enterprise's own checks."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from ipoc.core.home import item, queue, register_queue
from ipoc.core.models import Role
from ipoc.risk import selectors
from ipoc.risk.models import CheckStatus


def center_checks(user):
    """The center's checks not yet reported on (and those a watch re-opened), oldest first."""
    if user.role != Role.CENTER_STAFF or not user.organization_id:
        return None
    qs = selectors.open_checks_for_center(user).order_by("created_at", "id")
    return queue(_("待办理的风险预警"), qs, lambda c: item(
        c.title, reverse("risk_check_detail", args=[c.pk]),
        detail=f"{c.requester.name} · {c.get_status_display()}",
        badge=c.get_status_display(), colour="red" if c.status == CheckStatus.REOPENED else "yellow"),
        url=reverse("risk_check_list"), icon="shield-search", empty=_("暂无待办理的风险预警"))


def own_checks(user):
    if user.role != Role.ENTERPRISE_USER or not user.organization_id:
        return None
    qs = selectors.check_list(user=user, requester=user.organization_id).order_by("-updated_at", "-id")
    result = queue(_("本单位的出口风险预警"), qs, lambda c: item(
        c.title, reverse("risk_check_detail", args=[c.pk]), detail=c.center.name if c.center else "",
        badge=c.get_status_display(), colour="green" if c.status == CheckStatus.FINISHED else "blue"),
        url=reverse("risk_check_list"), icon="shield-search", empty=_("尚未申请出口风险预警"))
    result.info = True
    return result


def register() -> None:
    register_queue((Role.CENTER_STAFF,), center_checks, order=62)
    register_queue((Role.ENTERPRISE_USER,), own_checks, order=62)
