"""What the matching app puts on home pages: a center's proposed matches to confirm (by demand), the patents
pushed to an enterprise's or institution's demands, and figures. Registered once from ``MatchingConfig.ready``."""

from __future__ import annotations

from django.db.models import Count, Max
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from ipoc.core.home import WorkQueue, item, register_queue
from ipoc.core.models import Role
from ipoc.core.permissions import VIEW, restrict
from ipoc.matching.models import Match, MatchStatus

LIMIT = 5


def _by_demand(qs, *, newest: str):
    """Matches grouped by demand: (count of demands, first rows of {demand id, title, n, latest})."""
    grouped = (qs.order_by().values("demand_id", "demand__title", "demand__organization__name")
               .annotate(n=Count("id"), latest=Max(newest)))
    return grouped.count(), list(grouped.order_by("-latest", "demand_id")[:LIMIT])


def center_proposed(user):
    """Demands of this center with proposed matches waiting for a staff decision (确认 / 否决)."""
    if user.role != Role.CENTER_STAFF or not user.organization_id:
        return None
    qs = restrict(Match.objects.all(), user, VIEW).filter(status=MatchStatus.PROPOSED,
                                                          demand__center_id=user.organization_id)
    total, rows = _by_demand(qs, newest="created_at")
    items = [item(r["demand__title"], reverse("match_demand", args=[r["demand_id"]]),
                  detail=_("%(org)s · %(n)s 件专利待确认") % {"org": r["demand__organization__name"] or "—",
                                                            "n": r["n"]},
                  badge=_("待确认"), colour="yellow") for r in rows]
    return WorkQueue(title=str(_("待确认的匹配")), items=items, count=total, url=reverse("match_home"),
                     icon="arrows-exchange", empty=str(_("暂无待确认的匹配")))


def pushed_to_me(user):
    """Patents the center confirmed for the organisation's own demands (定向推送)."""
    if user.role not in (Role.ENTERPRISE_USER, Role.INSTITUTION_USER) or not user.organization_id:
        return None
    qs = restrict(Match.objects.all(), user, VIEW).filter(status=MatchStatus.CONFIRMED,
                                                          demand__organization_id=user.organization_id)
    total, rows = _by_demand(qs, newest="decided_at")
    items = [item(r["demand__title"], reverse("match_demand", args=[r["demand_id"]]),
                  detail=_("运营中心推荐了 %(n)s 件专利") % {"n": r["n"]},
                  badge=_("已推荐"), colour="green") for r in rows]
    return WorkQueue(title=str(_("推荐给本单位的专利")), items=items, count=total, url=reverse("match_home"),
                     icon="send", empty=str(_("暂无推荐；需求发布后，运营中心会推送匹配的专利")))


def register() -> None:
    from ipoc.core.audit_display import register_audit_object
    from ipoc.core.display import patent_label

    register_queue((Role.CENTER_STAFF,), center_proposed, order=20)
    register_queue((Role.ENTERPRISE_USER, Role.INSTITUTION_USER), pushed_to_me, order=10)
    register_audit_object("matching.match", url_name="match_demand", url_arg=lambda m: m.demand_id,
                          label=lambda m: f"{m.demand.title} ↔ {patent_label(m.patent)[0]}")
    register_audit_object("matching.listing", label=lambda li: f"{patent_label(li.patent)[0]} · {li.holder}")
