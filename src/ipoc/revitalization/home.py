"""What 存量专利盘活 puts on home pages: a university's patents in the review chain (those the user reviews
first) and the interest enterprises showed; a center's stored patents to screen and promote; an enterprise's
pushes waiting for its answer; figures. Registered once from ``RevitalizationConfig.ready``."""

from __future__ import annotations

from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from ipoc.core.display import patent_label
from ipoc.core.home import (
    WorkQueue,
    item,
    queue,
    register_home_card,
    register_organization_figure,
    register_queue,
)
from ipoc.core.models import Role
from ipoc.revitalization import selectors
from ipoc.revitalization.models import (
    PROMOTABLE,
    Library,
    Response,
    ReviewLevel,
    Stage,
    StockReviewer,
)

LIMIT = 5


def _stock_name(stock) -> str:
    """The patent's number and title; a patent without a number by its title alone (never its internal key)."""
    title = (stock.title or "").strip()
    label, no_number = patent_label(stock.patent) if stock.patent_id else (stock.number_raw, not stock.number_raw)
    if no_number or not label:
        return title[:40] or label
    return f"{label} {title[:30]}".strip()


def _stock_url(stock) -> str:
    return reverse("stock_detail", args=[stock.pk])


def _institution_user(user) -> bool:
    return user.role == Role.INSTITUTION_USER and bool(user.organization_id)


def university_review(user):
    """Stock patents of the institution in 建档 or review: first those this user reviews (院系/学校审核人)."""
    if not _institution_user(user):
        return None
    base = selectors.stock_list(user=user, institution=user.organization_id)
    mine = Q(pk__in=[])
    for r in StockReviewer.objects.filter(institution=user.organization_id, user=user):
        if r.level == ReviewLevel.SCHOOL:
            mine |= Q(stage=Stage.SCHOOL_REVIEW)
        else:
            mine |= Q(stage=Stage.DEPT_REVIEW, **({"department": r.department} if r.department else {}))
    to_review = base.filter(mine).order_by("updated_at", "id")
    own_drafts = base.filter(stage=Stage.DRAFT, created_by=user).order_by("-updated_at")
    waiting = base.filter(stage__in=(Stage.DEPT_REVIEW, Stage.SCHOOL_REVIEW)).exclude(mine).order_by("updated_at")
    rows, seen = [], set()
    for qs, what, colour in ((to_review, _("请您审核"), "red"), (own_drafts, _("建档未提交，请提交审核"), "yellow"),
                             (waiting, _("审核中"), "yellow")):
        for s in qs[:LIMIT]:
            if s.pk not in seen and len(rows) < LIMIT:
                seen.add(s.pk)
                rows.append(item(_stock_name(s), _stock_url(s),
                                 detail=f"{s.department or s.institution.name} · {what}",
                                 badge=s.get_stage_display(), colour=colour))
    count = to_review.count() + own_drafts.count() + waiting.count()
    return WorkQueue(title=str(_("盘活建档与审核")), items=rows, count=count,
                     url=reverse("stock_list"), icon="archive", empty=str(_("暂无建档或审核中的存量专利")))


def university_interest(user):
    """Enterprises' answers to pushes of the institution's patents (感兴趣、洽谈、成交), newest first."""
    if not _institution_user(user):
        return None
    qs = (selectors.push_list(user=user).filter(stock__institution=user.organization_id)
          .filter(response__in=(Response.INTERESTED, Response.NEGOTIATING, Response.DEAL))
          .order_by("-responded_at", "-id"))
    return queue(_("收到的企业意向"), qs, lambda p: item(
        _stock_name(p.stock), _stock_url(p.stock),
        detail=_("%(e)s · 经%(c)s推送") % {"e": p.enterprise.name, "c": p.center.name if p.center_id else "—"},
        badge=p.get_response_display(), colour="green" if p.response == Response.DEAL else "blue"),
        url=reverse("stock_list") + f"?library={Library.RESOURCE}", icon="heart-handshake",
        empty=_("暂无企业反馈"))


def center_stock(user):
    """Stored patents of the institutions the center serves: to screen (筛选), then to promote (推送)."""
    if user.role != Role.CENTER_STAFF or not user.organization_id:
        return None
    base = selectors.stock_list(user=user).filter(institution__stock_centers__center=user.organization_id)
    to_screen = base.filter(stage=Stage.STORED, screened_at__isnull=True).order_by("updated_at", "id")
    to_push = base.filter(library=Library.RESOURCE, recommendation__in=PROMOTABLE,
                          pushes__isnull=True).order_by("-score", "id")
    rows = [item(_stock_name(s), _stock_url(s), detail=_("%(i)s · 已入库，待筛选") % {"i": s.institution.name},
                 badge=_("待筛选"), colour="yellow") for s in to_screen[:LIMIT]]
    rows += [item(_stock_name(s), _stock_url(s),
                  detail=_("%(i)s · %(r)s，尚未推送") % {"i": s.institution.name, "r": s.get_recommendation_display()},
                  badge=_("待推送"), colour="blue") for s in to_push[:LIMIT - len(rows)]]
    return WorkQueue(title=str(_("存量专利待筛选与推送")), items=rows,
                     count=to_screen.distinct().count() + to_push.distinct().count(),
                     url=reverse("stock_list"), icon="archive", empty=str(_("暂无待筛选或待推送的存量专利")))


def enterprise_pushes(user):
    """Patents pushed to the enterprise still waiting for (or in the middle of) its answer."""
    if user.role != Role.ENTERPRISE_USER or not user.organization_id:
        return None
    qs = (selectors.push_list(user=user, enterprise=user.organization_id)
          .filter(response__in=("", Response.INTERESTED, Response.NEGOTIATING)).order_by("-pushed_at", "-id"))
    return queue(_("待反馈与跟进中的专利推送"), qs, lambda p: item(
        _stock_name(p.stock), reverse("stock_push_list"),
        detail=_("%(i)s · 由%(c)s推送") % {"i": p.stock.institution.name, "c": p.center.name if p.center_id else "—"},
        badge=p.get_response_display() if p.response else _("待反馈"), colour="blue" if p.response else "yellow"),
        url=reverse("stock_push_list"), icon="send", empty=_("暂无待反馈的推送"))


def university_stock_card(user):
    if not _institution_user(user):
        return None
    qs = selectors.stock_list(user=user, institution=user.organization_id)
    return {"title": _("已入库存量专利"), "value": qs.filter(stage=Stage.STORED).count(),
            "url": reverse("stock_list") + f"?stage={Stage.STORED}", "icon": "archive",
            "hint": _("建档共 %(n)s 件") % {"n": qs.count()}}


def enterprise_pushes_card(user):
    if user.role != Role.ENTERPRISE_USER or not user.organization_id:
        return None
    qs = selectors.push_list(user=user, enterprise=user.organization_id)
    return {"title": _("收到的专利推送"), "value": qs.count(), "url": reverse("stock_push_list"), "icon": "send",
            "hint": _("待反馈 %(n)s 件") % {"n": qs.filter(response="").count()}}


def university_interest_card(user):
    if not _institution_user(user):
        return None
    qs = selectors.push_list(user=user).filter(stock__institution=user.organization_id)
    return {"title": _("企业意向"), "value": qs.filter(response__in=(Response.INTERESTED, Response.NEGOTIATING,
                                                                  Response.DEAL)).count(),
            "url": reverse("stock_list") + f"?library={Library.RESOURCE}", "icon": "heart-handshake",
            "hint": _("已推送 %(n)s 次") % {"n": qs.count()}}


def office_stock_card(user):
    if user.role != Role.OFFICE_STAFF:
        return None
    qs = selectors.stock_list(user=user)
    return {"title": _("辖区入库存量专利"), "value": qs.filter(stage=Stage.STORED).count(),
            "url": reverse("stock_dashboard"), "icon": "archive"}


def organization_stock(user, organization):
    qs = selectors.stock_list(user=user, institution=organization.pk)
    n = qs.count()
    if not n:
        return None
    own = user.organization_id == organization.pk
    return {"title": _("存量专利"), "value": n, "url": reverse("stock_list") if own else "", "icon": "archive"}


def register() -> None:
    from ipoc.core.audit_display import register_audit_labels, register_audit_object
    from ipoc.revitalization.models import Intention

    register_queue((Role.INSTITUTION_USER,), university_review, order=5)
    register_queue((Role.INSTITUTION_USER,), university_interest, order=15)
    register_queue((Role.CENTER_STAFF,), center_stock, order=50)
    register_queue((Role.ENTERPRISE_USER,), enterprise_pushes, order=5)
    register_home_card((Role.INSTITUTION_USER,), university_stock_card, order=5)
    register_home_card((Role.OFFICE_STAFF,), office_stock_card, order=50)
    register_home_card((Role.ENTERPRISE_USER,), enterprise_pushes_card, order=20)
    register_home_card((Role.INSTITUTION_USER,), university_interest_card, order=20)
    register_organization_figure(organization_stock, order=30)
    register_audit_object("revitalization.stockpatent", url_name="stock_detail", label=_stock_name)
    register_audit_object("revitalization.stockpush", label=lambda p: f"{_stock_name(p.stock)} → {p.enterprise}")
    register_audit_labels("revitalization.stockpatent", values={
        "intentions": Intention.choices, "stage": Stage.choices, "library": Library.choices})
