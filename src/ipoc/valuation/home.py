"""What the valuation app puts on home pages: valuation batches still running (for whoever started them and
for administrators) and the audit log's names for its records. Registered once from ``ValuationConfig.ready``."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from ipoc.core.home import item, queue, register_queue
from ipoc.core.models import Role
from ipoc.valuation import selectors


def running_runs(user):
    """Batches not finished that this user started (administrators: all) — where to follow their progress."""
    if not (user.is_platform_admin or user.role in (Role.CENTER_STAFF, Role.OFFICE_STAFF)):
        return None
    qs = selectors.valuation_run_list(user=user).filter(finished=False).order_by("-created_at")
    if not user.is_platform_admin:
        qs = qs.filter(created_by=user)
    qs_count = qs.count()
    if not qs_count:
        return None  # nothing to follow: no card at all for a role for which valuation is occasional
    return queue(_("进行中的专利评估"), qs, lambda r: item(
        _("评估批次 #%(n)s（基准日 %(d)s）") % {"n": r.pk, "d": r.as_of},
        reverse("valuation_run_detail", args=[r.pk]),
        detail=_("已评分 %(s)s / %(n)s 件") % {"s": f"{r.scored_count:,}", "n": f"{r.patent_count:,}"},
        badge=_("评估中"), colour="yellow"), url=reverse("valuation_run_list"), icon="scale", count=qs_count)


def register() -> None:
    from ipoc.core.audit_display import register_audit_labels, register_audit_object

    register_queue((Role.PLATFORM_ADMIN, Role.CENTER_STAFF, Role.OFFICE_STAFF), running_runs, order=70)
    register_audit_object("valuation.valuationrun", url_name="valuation_run_detail",
                          label=lambda r: _("评估批次 #%(n)s（基准日 %(d)s）") % {"n": r.pk, "d": r.as_of})
    register_audit_labels("valuation.indicatortreeversion", hidden=("digest",))
