"""Deadlines and reminders of the 认定 workflow, and the 年度工作报告 (generate, edit, submit, review)."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from ipoc.centers import clock, rules
from ipoc.centers.models import (
    AnnualReport,
    ApplicationStatus,
    Center,
    ConflictDeclaration,
    ExpertReview,
    RecognitionApplication,
    ReportStatus,
)
from ipoc.centers.services.recognition import _app_url, _center_users, _office_users, _require_center_staff
from ipoc.centers.services.registry import office_may_decide
from ipoc.core.errors import ApplicationError, PermissionDenied
from ipoc.core.models import User
from ipoc.core.services import audit_record, notify

# ---------------------------------------------------------------- deadlines and reminders


def _pending_work(day: dt.date) -> list[tuple[list[User], str, str]]:
    """(who, what, url) for every application step or expert review due within the reminder window or overdue."""
    horizon = day + dt.timedelta(days=int(rules.REMIND_DAYS_BEFORE.value))
    work = []
    waiting = {ApplicationStatus.SUBMITTED: lambda a: _office_users(a.recommending_office),
               ApplicationStatus.RECOMMENDED: lambda a: _office_users(a.deciding_office),
               ApplicationStatus.RETURNED: lambda a: _center_users(a.center),
               ApplicationStatus.EXPERT_REVIEW: lambda a: _office_users(a.deciding_office)}
    for app in (RecognitionApplication.objects.filter(status__in=list(waiting), due_on__lte=horizon)
                .select_related("center", "recommending_office", "deciding_office")):
        state = _("已逾期") if app.due_on < day else _("即将到期")
        work.append((waiting[app.status](app), _("%(a)s：%(s)s环节%(state)s（期限 %(d)s）") % {
            "a": app, "s": app.get_status_display(), "state": state, "d": app.due_on}, _app_url(app)))
    for review in (ExpertReview.objects.filter(submitted_at__isnull=True, due_on__lte=horizon)
                   .exclude(declaration=ConflictDeclaration.CONFLICT)
                   .filter(application__status=ApplicationStatus.EXPERT_REVIEW)
                   .select_related("expert", "application__center")):
        state = _("已逾期") if review.due_on < day else _("即将到期")
        work.append(([review.expert], _("评审任务%(state)s（期限 %(d)s）：%(a)s") % {
            "state": state, "d": review.due_on, "a": review.application},
            reverse("center_review_detail", args=[review.pk])))
    return work


@transaction.atomic
def reminders_send(*, actor: User | None = None, day: dt.date | None = None) -> dict:
    """Remind whoever holds a step that is due soon or overdue; at most one reminder per user and item per day."""
    from ipoc.core.models import Notification

    day = day or clock.today()
    sent = 0
    items = _pending_work(day)
    for users, title, url in items:
        fresh = [u for u in users if not Notification.objects.filter(
            recipient=u, url=url, kind="center_reminder", created_at__date=timezone.localdate()).exists()]
        sent += notify(users=fresh, title=title, url=url, kind="center_reminder")
    return {"items": len(items), "notifications": sent, "date": day.isoformat()}


# ================================================================ 年度工作报告


def _report_url(report: AnnualReport) -> str:
    return reverse("center_report_detail", args=[report.pk])


@transaction.atomic
def report_generate(*, actor: User | None, center: Center, year: int) -> AnnualReport:
    """Generate (or regenerate, while editable) the annual duty report from the center's records; the
    narrative the center wrote is kept."""
    from ipoc.centers import kpi

    _require_center_staff(actor, center, _("编制年度工作报告"))
    year = int(year)
    if not 2000 <= year <= clock.today().year:
        raise ApplicationError(_("年度应在2000年至今年之间"), field="year")
    report, created = AnnualReport.objects.select_for_update().get_or_create(center=center, year=year)
    if report.status not in (ReportStatus.DRAFT, ReportStatus.RETURNED):
        raise ApplicationError(_("年度工作报告已%(s)s，不能重新生成") % {"s": report.get_status_display()},
                               field="status")
    report.lines = kpi.report_lines(center, year)
    report.generated_at = timezone.now()
    report.save()
    audit_record(actor=actor, action="create" if created else "update", obj=report,
                 changes={"lines": [None, {ln["code"]: ln["value"] for ln in report.lines}]})
    return report


@transaction.atomic
def report_update(*, actor: User | None, report: AnnualReport, narrative: dict[str, str]) -> AnnualReport:
    """The center's own account of each duty (工作情况说明); figures are never typed in."""
    from ipoc.centers import kpi

    report = AnnualReport.objects.select_for_update().select_related("center").get(pk=report.pk)
    _require_center_staff(actor, report.center, _("修改年度工作报告"))
    if report.status not in (ReportStatus.DRAFT, ReportStatus.RETURNED):
        raise ApplicationError(_("年度工作报告已%(s)s，不能修改") % {"s": report.get_status_display()}, field="status")
    unknown = set(narrative or {}) - set(kpi.DUTIES)
    if unknown:
        raise ApplicationError(_("未知的职责：%(u)s") % {"u": "、".join(sorted(unknown))}, field="narrative")
    before = dict(report.narrative)
    report.narrative = {**before, **{k: (v or "").strip() for k, v in (narrative or {}).items()}}
    report.save()
    audit_record(actor=actor, action="update", obj=report, changes={"narrative": [before, report.narrative]})
    return report


@transaction.atomic
def report_submit(*, actor: User | None, report: AnnualReport) -> AnnualReport:
    """Submit to the managing office; the figures are regenerated from the records at this moment."""
    from ipoc.centers import kpi

    report = AnnualReport.objects.select_for_update().select_related("center").get(pk=report.pk)
    _require_center_staff(actor, report.center, _("提交年度工作报告"))
    if report.status not in (ReportStatus.DRAFT, ReportStatus.RETURNED):
        raise ApplicationError(_("年度工作报告已%(s)s") % {"s": report.get_status_display()}, field="status")
    report.lines = kpi.report_lines(report.center, report.year)
    report.generated_at = report.submitted_at = timezone.now()
    report.submitted_by = actor if actor is not None and actor.pk else None
    previous, report.status = report.status, ReportStatus.SUBMITTED
    report.save()
    audit_record(actor=actor, action="transition", obj=report, changes={"status": [previous, report.status]})
    notify(users=_office_users(report.center.managing_office), title=_("待审核：%(r)s") % {"r": report},
           url=_report_url(report), kind="center_report")
    return report


@transaction.atomic
def report_review(*, actor: User | None, report: AnnualReport, accept: bool, comment: str = "") -> AnnualReport:
    """The managing office accepts the report or returns it for changes (with its reasons)."""
    report = AnnualReport.objects.select_for_update().select_related("center__managing_office").get(pk=report.pk)
    if not office_may_decide(actor, report.center):
        raise PermissionDenied(_("只有运营中心的管理部门可以审核年度工作报告"))
    if report.status != ReportStatus.SUBMITTED:
        raise ApplicationError(_("只有已提交的报告可以审核"), field="status")
    if not accept and not (comment or "").strip():
        raise ApplicationError(_("退回修改须说明理由"), field="comment")
    previous = report.status
    report.status = ReportStatus.ACCEPTED if accept else ReportStatus.RETURNED
    report.review_comment = (comment or "").strip()
    report.reviewed_by = actor if actor is not None and actor.pk else None
    report.reviewed_at = timezone.now()
    report.save()
    audit_record(actor=actor, action="transition", obj=report, changes={"status": [previous, report.status]},
                 message=report.review_comment)
    notify(users=_center_users(report.center), title=_("年度工作报告%(s)s") % {"s": report.get_status_display()},
           body=report.review_comment, url=_report_url(report), kind="center_report")
    return report
