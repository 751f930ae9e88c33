"""What the centers app puts on home pages: the office's recognition steps, reports to accept, evaluations and
rectifications; the center's own application and report; the expert's reviews — and a few figures.
Registered once from ``CentersConfig.ready`` (``register()``)."""

from __future__ import annotations

from django.db.models import Count, F, Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from ipoc.centers import selectors
from ipoc.centers.models import (
    APPLICATION_OPEN_STATUSES,
    QUALIFIED_STATUSES,
    ApplicationStatus,
    ConflictDeclaration,
    EvaluationStatus,
    ManagementAction,
    ManagementKind,
    ReportStatus,
)
from ipoc.core.home import item, queue, register_home_card, register_organization_figure, register_queue
from ipoc.core.models import Role
from ipoc.core.permissions import VIEW, restrict


def _office(user):
    """The user's office, if the user is office staff."""
    if user.role == Role.OFFICE_STAFF and user.organization_id:
        return user.organization
    return None


# ---------------------------------------------------------------- 管理部门


# The step an office holds for each status, and which office holds it.
OFFICE_STEPS = {
    ApplicationStatus.SUBMITTED: ("recommending_office", _("待推荐")),
    ApplicationStatus.RECOMMENDED: ("deciding_office", _("待形式审查")),
    ApplicationStatus.EXPERT_REVIEW: ("deciding_office", _("专家评审中")),
    ApplicationStatus.PUBLICITY: ("deciding_office", _("公示中")),
}


def office_applications(user):
    """认定申请 steps the user's office holds: 推荐 (as the office below), 形式审查, 专家评审, 公示后认定."""
    office = _office(user)
    if office is None:
        return None
    holds = Q(pk__in=[])
    for status, (field, _label) in OFFICE_STEPS.items():
        holds |= Q(status=status, **{f"{field}_id": office.pk})
    qs = (selectors.application_list(user=user).filter(holds)
          .annotate(reviews_total=Count("reviews", distinct=True),
                    reviews_done=Count("reviews", filter=Q(reviews__submitted_at__isnull=False), distinct=True))
          .order_by(F("due_on").asc(nulls_last=True), "created_at"))

    def make(app):
        step = OFFICE_STEPS[app.status][1]
        detail = _("%(level)s认定申请 · %(year)s年度") % {"level": app.get_level_display(), "year": app.year}
        due, label = app.due_on, ""
        if app.status == ApplicationStatus.EXPERT_REVIEW and app.reviews_total:
            detail = _("%(d)s · 专家评分 %(done)s/%(all)s") % {"d": detail, "done": app.reviews_done,
                                                              "all": app.reviews_total}
        if app.status == ApplicationStatus.PUBLICITY:
            due, label = app.publicity_end, _("公示截止")
        return item(app.center.name, reverse("center_application_detail", args=[app.pk]), detail=detail,
                    due=due, due_label=label, badge=step, colour="yellow")

    return queue(_("认定申请待办理"), qs, make, url=reverse("center_application_list"), icon="clipboard-check")


def office_reports(user):
    """年度工作报告 submitted by the centers the office manages, waiting for its review."""
    office = _office(user)
    if office is None:
        return None
    qs = (selectors.report_list(user=user).filter(status=ReportStatus.SUBMITTED, center__managing_office=office)
          .order_by("submitted_at", "id"))
    return queue(_("待审核的年度工作报告"), qs, lambda r: item(
        r.center.name, reverse("center_report_detail", args=[r.pk]),
        detail=_("%(y)s年度 · 提交于 %(d)s") % {"y": r.year, "d": r.submitted_at.date() if r.submitted_at else "—"},
        badge=r.get_status_display(), colour="yellow"), url=reverse("center_report_list"), icon="report")


def office_evaluations(user):
    """定期评价 still being scored (评价中) for the centers the office manages."""
    office = _office(user)
    if office is None:
        return None
    qs = (selectors.evaluation_list(user=user).filter(status=EvaluationStatus.DRAFT, center__managing_office=office)
          .annotate(reviews_total=Count("reviews", distinct=True),
                    reviews_done=Count("reviews", filter=Q(reviews__submitted_at__isnull=False), distinct=True))
          .order_by("created_at"))

    def make(ev):
        detail = _("%(y)s年度") % {"y": ev.year}
        if ev.reviews_total:
            detail = _("%(d)s · 专家评分 %(done)s/%(all)s") % {"d": detail, "done": ev.reviews_done,
                                                              "all": ev.reviews_total}
        return item(ev.center.name, reverse("center_evaluation_detail", args=[ev.pk]), detail=detail,
                    badge=ev.get_status_display(), colour="yellow")

    return queue(_("待定级的定期评价"), qs, make, url=reverse("center_evaluation_list"), icon="scale")


def _open_rectifications(user):
    return (restrict(ManagementAction.objects.select_related("center"), user, VIEW)
            .filter(kind=ManagementKind.RECTIFICATION, follow_ups__isnull=True, corrections__isnull=True)
            .order_by(F("deadline").asc(nulls_last=True), "decided_at"))


def office_rectifications(user):
    """限期整改 the office ordered and has not yet followed up (复查)."""
    office = _office(user)
    if office is None:
        return None
    qs = _open_rectifications(user).filter(center__managing_office=office).annotate(report_count=Count("reports"))
    return queue(_("整改复查"), qs, lambda a: item(
        a.center.name, reverse("center_management_detail", args=[a.pk]),
        detail=_("已提交整改报告") if a.report_count else _("尚未提交整改报告"), due=a.deadline,
        due_label=_("整改期限"), badge=a.get_kind_display(), colour="orange"),
        url=reverse("center_list") + "?status=rectifying", icon="tool")


# ---------------------------------------------------------------- 运营中心


def _own_center(user):
    if user.role != Role.CENTER_STAFF or not user.organization_id:
        return None
    return selectors.center_list(user=user).filter(organization_id=user.organization_id).first()


CENTER_STEPS = {ApplicationStatus.DRAFT: _("待提交"), ApplicationStatus.RETURNED: _("退回补正")}


def center_recognition(user):
    """The center's own work on recognition and reporting: an application to submit or correct, a report to
    write or revise, a rectification report to send."""
    center = _own_center(user)
    if center is None:
        return None
    apps = list(selectors.application_list(user=user, center=center.pk)
                .filter(status__in=list(CENTER_STEPS)).order_by(F("due_on").asc(nulls_last=True))[:5])
    reports = list(selectors.report_list(user=user, center=center.pk)
                   .filter(status__in=(ReportStatus.DRAFT, ReportStatus.RETURNED)).order_by("-year")[:5])
    fixes = list(_open_rectifications(user).filter(center=center, reports__isnull=True)[:5])
    items = [item(_("%(level)s认定申请（%(y)s年度）") % {"level": a.get_level_display(), "y": a.year},
                  reverse("center_application_detail", args=[a.pk]),
                  detail=_("补正后重新提交") if a.status == ApplicationStatus.RETURNED else _("完善申报书后提交"),
                  due=a.due_on, badge=CENTER_STEPS[a.status], colour="red" if a.status == "returned" else "yellow")
             for a in apps]
    items += [item(_("%(y)s年度工作报告") % {"y": r.year}, reverse("center_report_detail", args=[r.pk]),
                   detail=r.review_comment[:60] if r.status == ReportStatus.RETURNED and r.review_comment
                   else _("核对数据、填写工作情况说明后提交"),
                   badge=r.get_status_display(), colour="red" if r.status == ReportStatus.RETURNED else "yellow")
              for r in reports]
    items += [item(_("限期整改：提交整改报告"), reverse("center_management_detail", args=[a.pk]),
                   detail=a.content[:60], due=a.deadline, due_label=_("整改期限"), badge=_("限期整改"), colour="red")
              for a in fixes]
    items.sort(key=lambda i: (i.due is None, i.due or 0))
    return {"title": _("认定申请与年度报告"), "items": items[:5], "count": len(items),
            "url": reverse("center_report_list"), "icon": "report"}


# ---------------------------------------------------------------- 评审专家


def expert_reviews(user):
    """评审任务 assigned to the expert and not yet submitted (conflict declared first, then scores)."""
    if user.role != Role.EXPERT:
        return None
    qs = (selectors.review_list(user=user).filter(submitted_at__isnull=True)
          .exclude(declaration=ConflictDeclaration.CONFLICT)
          .filter(Q(application__status=ApplicationStatus.EXPERT_REVIEW)
                  | Q(evaluation__status=EvaluationStatus.DRAFT))
          .order_by(F("due_on").asc(nulls_last=True), "assigned_at"))

    def make(r):
        target = r.application or r.evaluation
        what = _("认定评审") if r.application_id else _("定期评价")
        step = _("待声明利益冲突") if not r.declaration else _("待评分")
        return item(target.center.name, reverse("center_review_detail", args=[r.pk]),
                    detail=_("%(what)s · %(y)s年度") % {"what": what, "y": target.year}, due=r.due_on,
                    due_label=_("评审期限"),
                    badge=step, colour="yellow")

    return queue(_("待完成的评审"), qs, make, url=reverse("center_review_list"), icon="gavel")


# ---------------------------------------------------------------- figures


def office_recognised_card(user):
    if _office(user) is None:
        return None
    centers = selectors.center_list(user=user)
    return {"title": _("已认定运营中心"), "value": centers.filter(status__in=QUALIFIED_STATUSES).count(),
            "url": reverse("center_list") + "?status=recognised", "icon": "award",
            "hint": _("登记共 %(n)s 家") % {"n": centers.count()}}


def office_open_applications_card(user):
    if _office(user) is None:
        return None
    qs = selectors.application_list(user=user).filter(status__in=APPLICATION_OPEN_STATUSES)
    return {"title": _("办理中的认定申请"), "value": qs.count(), "url": reverse("center_application_list"),
            "icon": "clipboard-check"}


def center_status_card(user):
    center = _own_center(user)
    if center is None:
        return None
    return {"title": _("本中心状态"), "value": center.get_status_display(),
            "url": reverse("center_detail", args=[center.pk]), "icon": "building-community",
            "hint": center.get_level_display()}


def expert_open_card(user):
    if user.role != Role.EXPERT:
        return None
    result = expert_reviews(user)
    return {"title": _("待完成的评审"), "value": result.count, "url": reverse("center_review_list"),
            "icon": "gavel"}


def expert_done_card(user):
    if user.role != Role.EXPERT:
        return None
    return {"title": _("已提交的评审"), "value": selectors.review_list(user=user).filter(
        submitted_at__isnull=False).count(), "url": reverse("center_review_list"), "icon": "circle-check"}


def admin_centers_card(user):
    if not user.is_platform_admin:
        return None
    return {"title": _("登记的运营中心"), "value": selectors.center_list(user=user).count(),
            "url": reverse("center_list"), "icon": "building-community"}


def organization_center(user, organization):
    """An organisation's page links to its center record (if it is a registered center)."""
    center = selectors.center_list(user=user).filter(organization=organization).first()
    if center is None:
        return None
    return {"title": _("运营中心登记（%(s)s）") % {"s": center.get_status_display()}, "value": center.get_level_display(),
            "url": reverse("center_detail", args=[center.pk]), "icon": "building-community"}


# ---------------------------------------------------------------- audit log

APPLICATION_STEP_LABELS = {
    "submit": _("提交申报"), "recommend": _("推荐"), "decline": _("不予推荐"), "accept": _("形式审查通过"),
    "return": _("退回补正"), "reject": _("不予受理"), "resubmit": _("补正后重新提交"), "withdraw": _("撤回"),
    "publicity": _("进入公示"), "recognise": _("认定"),
}


def register() -> None:
    from ipoc.core.audit_display import register_audit_labels, register_audit_object

    office, center, expert = (Role.OFFICE_STAFF,), (Role.CENTER_STAFF,), (Role.EXPERT,)
    register_queue(office, office_applications, order=10)
    register_queue(office, office_reports, order=20)
    register_queue(office, office_evaluations, order=30)
    register_queue(office, office_rectifications, order=40)
    register_queue(center, center_recognition, order=60)
    register_queue(expert, expert_reviews, order=10)
    register_home_card(office, office_recognised_card, order=10)
    register_home_card(office, office_open_applications_card, order=20)
    register_home_card(center, center_status_card, order=10)
    register_home_card(expert, expert_open_card, order=5)
    register_home_card(expert, expert_done_card, order=10)
    register_home_card((Role.PLATFORM_ADMIN,), admin_centers_card, order=30)
    register_organization_figure(organization_center, order=5)
    for model, url_name in (("centers.center", "center_detail"),
                            ("centers.recognitionapplication", "center_application_detail"),
                            ("centers.annualreport", "center_report_detail"),
                            ("centers.evaluation", "center_evaluation_detail"),
                            ("centers.managementaction", "center_management_detail"),
                            ("centers.expertreview", "center_review_detail")):
        register_audit_object(model, url_name=url_name)
    register_audit_labels("centers.recognitionapplication", values={"step": APPLICATION_STEP_LABELS},
                          fields={"step": _("办理环节")})
    register_audit_labels("centers.center", fields={"document_ref": _("文件名称或文号")}, hidden=("decision",))
