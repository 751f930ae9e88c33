"""定期评价 (indicators, grade, finalise) and 动态管理 (rectification, follow-up, revocation,
commendation, corrections)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from ipoc.centers import clock, rules
from ipoc.centers.models import (
    QUALIFIED_STATUSES,
    Center,
    CenterDecision,
    CenterStatus,
    ConflictDeclaration,
    Evaluation,
    EvaluationStatus,
    Grade,
    ManagementAction,
    ManagementKind,
    RectificationReport,
    ReportStatus,
    RevocationGround,
)
from ipoc.centers.services.recognition import _center_users, _office_users, _require_center_staff
from ipoc.centers.services.registry import _center_move, _require_office, office_may_decide
from ipoc.centers.services.reviews import indicator_system, valid_reviews
from ipoc.core.errors import ApplicationError, PermissionDenied
from ipoc.core.models import User
from ipoc.core.services import audit_record, notify, validated_save

# ================================================================ 定期评价


def grade_for(total: Decimal, office=None) -> str:
    cut = rules.GRADE_THRESHOLDS.value_for(office)
    for grade in (Grade.EXCELLENT, Grade.GOOD, Grade.PASS):
        if total >= Decimal(str(cut[grade.value])):
            return grade.value
    return Grade.FAIL.value


def compute_evaluation_indicators(evaluation: Evaluation) -> list[dict]:
    """Each indicator's value (from the accepted annual report where it has the line, else from the records),
    target, score = min(value / target, 1) × 100, weight and contribution; expert indicators average the valid
    expert scores. An indicator without data scores 0 and says so (``missing``)."""
    from ipoc.centers import kpi

    report_lines = {ln["code"]: ln for ln in (evaluation.report.lines if evaluation.report_id else [])}
    reviews = valid_reviews(evaluation.reviews.all()) if evaluation.pk else []
    system = indicator_system(evaluation)
    weight_sum = sum(Decimal(str(i["weight"])) for i in system) or Decimal(1)
    out = []
    for ind in system:
        code, target, weight = ind["code"], Decimal(str(ind["target"])), Decimal(str(ind["weight"]))
        row = {"code": code, "label": ind["label"], "source": ind["source"], "target": float(target),
               "weight": float(weight), "records": [], "missing": False, "from": ""}
        if ind["source"] == "expert":
            values = [Decimal(str(r.scores[code])) for r in reviews if code in (r.scores or {})]
            value = (sum(values, Decimal(0)) / len(values)) if values else None
            row["records"] = [{"model": "centers.expertreview", "id": r.pk} for r in reviews]
            row["from"] = "expert"
        else:
            line = report_lines.get(code) or kpi.figure_line(code, evaluation.center, evaluation.year)
            row["from"] = "report" if code in report_lines else "records"
            value = None if line["missing"] else Decimal(str(line["value"]))
            row["records"] = line["records"]
            row["unit"] = line.get("unit", "")
        row["missing"] = value is None
        score = Decimal(0) if value is None or target <= 0 else min(value / target, Decimal(1)) * 100
        contribution = score * weight / weight_sum
        row.update(value=None if value is None else float(value), score=float(score.quantize(Decimal("0.01"))),
                   contribution=float(contribution.quantize(Decimal("0.01"))))
        out.append(row)
    return out


def _evaluation_url(evaluation: Evaluation) -> str:
    return reverse("center_evaluation_detail", args=[evaluation.pk])


@transaction.atomic
def evaluation_create(*, actor: User | None, center: Center, year: int,
                      supersedes: Evaluation | None = None) -> Evaluation:
    """Open a 定期评价 of a recognised center for a year, from its accepted annual report (if any) and records.
    ``supersedes`` corrects a final evaluation: the old one stays as it was."""
    center = _lock_center(center)
    if not office_may_decide(actor, center):
        raise PermissionDenied(_("只有运营中心的管理部门可以开展定期评价"))
    if center.status not in QUALIFIED_STATUSES:
        raise ApplicationError(_("只对已认定的运营中心开展定期评价（当前：%(s)s）") % {"s": center.get_status_display()},
                               field="center")
    if supersedes is not None and (supersedes.center_id != center.pk or supersedes.status != EvaluationStatus.FINAL
                                   or supersedes.year != int(year) or supersedes.corrections.exists()):
        raise ApplicationError(_("只能更正本中心同一年度、已定级且尚未更正的评价"), field="supersedes")
    if center.evaluations.filter(year=year, status=EvaluationStatus.DRAFT).exists():
        raise ApplicationError(_("该年度已有进行中的评价"), field="year")
    if supersedes is None and center.evaluations.filter(year=year, status=EvaluationStatus.FINAL,
                                                        corrections__isnull=True).exists():
        raise ApplicationError(_("该年度已定级；如需更正，请新建引用原评价的评价"), field="year")
    report = center.annual_reports.filter(year=year, status=ReportStatus.ACCEPTED).first()
    evaluation = Evaluation(center=center, year=int(year), report=report, supersedes=supersedes,
                            indicator_system=[dict(i) for i in rules.EVALUATION_INDICATORS.value_for(
                                center.managing_office_id)],
                            created_by=actor if actor is not None and actor.pk else None)
    evaluation.indicators = compute_evaluation_indicators(evaluation)
    validated_save(evaluation)
    audit_record(actor=actor, action="create", obj=evaluation, changes={
        "year": [None, evaluation.year], "report": [None, report.pk if report else None],
        **({"supersedes": [None, supersedes.pk]} if supersedes else {})})
    return evaluation


@transaction.atomic
def evaluation_finalise(*, actor: User | None, evaluation: Evaluation, comment: str = "") -> Evaluation:
    """Score and grade (优秀/良好/合格/不合格); the evaluation is immutable from here."""
    evaluation = Evaluation.objects.select_for_update().select_related("center__managing_office").get(
        pk=evaluation.pk)
    if not office_may_decide(actor, evaluation.center):
        raise PermissionDenied(_("只有运营中心的管理部门可以评定等次"))
    if evaluation.status != EvaluationStatus.DRAFT:
        raise ApplicationError(_("该评价已定级"), field="status")
    reviews = list(evaluation.reviews.all())
    pending = [r for r in reviews if r.declaration != ConflictDeclaration.CONFLICT and r.submitted_at is None]
    if pending:
        raise ApplicationError(_("还有专家未提交评分：%(e)s") % {"e": "、".join(r.expert.username for r in pending)},
                               field="reviews")
    indicators = compute_evaluation_indicators(evaluation)
    missing_expert = [i["label"] for i in indicators if i["source"] == "expert" and i["missing"]]
    if missing_expert:
        raise ApplicationError(_("专家评价指标尚无有效评分：%(l)s") % {"l": "、".join(missing_expert)},
                               field="reviews")
    total = sum((Decimal(str(i["contribution"])) for i in indicators), Decimal(0)).quantize(Decimal("0.01"))
    evaluation.indicators = indicators
    evaluation.total = total
    evaluation.grade = grade_for(total, evaluation.center.managing_office_id)
    evaluation.comment = (comment or "").strip()
    evaluation.finalised_by = actor if actor is not None and actor.pk else None
    evaluation.finalised_at = timezone.now()
    evaluation.status = EvaluationStatus.FINAL
    Evaluation.objects.filter(pk=evaluation.pk).update(
        indicators=indicators, total=total, grade=evaluation.grade, comment=evaluation.comment,
        finalised_by=evaluation.finalised_by, finalised_at=evaluation.finalised_at, status=EvaluationStatus.FINAL)
    audit_record(actor=actor, action="transition", obj=evaluation, changes={
        "status": [EvaluationStatus.DRAFT, EvaluationStatus.FINAL], "total": [None, str(total)],
        "grade": [None, evaluation.grade]})
    notify(users=_center_users(evaluation.center), title=_("定期评价结果：%(g)s") % {
        "g": evaluation.get_grade_display()}, url=_evaluation_url(evaluation), kind="center_evaluation")
    return evaluation


# ================================================================ 动态管理


def _management(*, actor: User | None, center: Center, kind: str, content: str, document_ref: str,
                evaluation: Evaluation | None = None, follows: ManagementAction | None = None,
                corrects: ManagementAction | None = None, ground: str = "", deadline: dt.date | None = None,
                decision: CenterDecision | None = None) -> ManagementAction:
    if not (content or "").strip():
        raise ApplicationError(_("请填写内容"), field="content")
    if not (document_ref or "").strip():
        raise ApplicationError(_("请填写文件名称或文号"), field="document_ref")
    action = ManagementAction(center=center, kind=kind, evaluation=evaluation, follows=follows, corrects=corrects,
                              ground=ground, deadline=deadline, content=content.strip(),
                              document_ref=document_ref.strip(), decision=decision,
                              decided_by=actor if actor is not None and actor.pk else None)
    validated_save(action)
    audit_record(actor=actor, action="create", obj=action, changes={
        "kind": [None, kind], "decision": [None, decision.pk if decision else None],
        **({"ground": [None, ground]} if ground else {}), **({"deadline": [None, deadline]} if deadline else {})},
        message=action.content)
    return action


def _once_per_evaluation(evaluation: Evaluation, kind: str) -> None:
    if evaluation.corrections.exists():
        raise ApplicationError(_("该评价已被更正，请依据更正后的评价"), field="evaluation")
    if evaluation.actions.filter(kind=kind).exists():
        raise ApplicationError(_("已依据该评价作出过“%(k)s”") % {"k": ManagementKind(kind).label}, field="evaluation")


def _lock_center(center: Center) -> Center:
    return Center.objects.select_for_update(of=("self",)).select_related("managing_office").get(pk=center.pk)


@transaction.atomic
def center_order_rectification(*, actor: User | None, evaluation: Evaluation, content: str, document_ref: str,
                               deadline: dt.date | None = None) -> ManagementAction:
    """不合格 → 限期整改: the center moves to 限期整改 with the requirements and a deadline."""
    center = _lock_center(evaluation.center)
    _require_office(actor, center)
    if evaluation.status != EvaluationStatus.FINAL or evaluation.grade != Grade.FAIL:
        raise ApplicationError(_("限期整改须依据一项评为“不合格”的定期评价。%(rule)s") % {
            "rule": rules.RECTIFY_ON_FAIL.quote()}, field="evaluation")
    _once_per_evaluation(evaluation, ManagementKind.RECTIFICATION)
    deadline = deadline or clock.today() + dt.timedelta(days=int(rules.RECTIFY_ON_FAIL.value_for(center.managing_office_id)))
    if deadline <= clock.today():
        raise ApplicationError(_("整改期限应晚于今天"), field="deadline")
    decision = _center_move(actor=actor, center=center, to_status=CenterStatus.RECTIFYING,
                            reason=_("定期评价不合格，限期整改至 %(d)s：%(c)s") % {"d": deadline, "c": content.strip()},
                            document_ref=document_ref)
    action = _management(actor=actor, center=center, kind=ManagementKind.RECTIFICATION, content=content,
                         document_ref=document_ref, evaluation=evaluation, deadline=deadline, decision=decision)
    notify(users=_center_users(center), title=_("限期整改通知（期限 %(d)s）") % {"d": deadline}, body=action.content,
           url=reverse("center_management_detail", args=[action.pk]), kind="center_management")
    return action


@transaction.atomic
def rectification_report_submit(*, actor: User | None, action: ManagementAction, content: str,
                                file: UploadedFile | None = None) -> RectificationReport:
    """The center reports what it rectified (整改报告), before the office's follow-up review."""
    _require_center_staff(actor, action.center, _("提交整改报告"))
    if action.kind != ManagementKind.RECTIFICATION or action.follow_ups.exists():
        raise ApplicationError(_("该整改要求已复查完毕或不是整改要求"), field="action")
    if not (content or "").strip():
        raise ApplicationError(_("请填写整改情况"), field="content")
    report = RectificationReport(action=action, content=content.strip(),
                                 submitted_by=actor if actor is not None and actor.pk else None)
    if file is not None:
        report.file = file
    validated_save(report)
    audit_record(actor=actor, action="create", obj=report, changes={"content": [None, report.content]})
    notify(users=_office_users(action.center.managing_office), title=_("整改报告已提交：%(c)s") % {"c": action.center},
           url=reverse("center_management_detail", args=[action.pk]), kind="center_management")
    return report


@transaction.atomic
def rectification_follow_up(*, actor: User | None, action: ManagementAction, passed: bool, content: str,
                            document_ref: str) -> ManagementAction:
    """复查: passed → back to 已认定; failed → 取消资格 (整改不合格), and the center leaves the public list."""
    center = _lock_center(action.center)
    _require_office(actor, center)
    if action.kind != ManagementKind.RECTIFICATION:
        raise ApplicationError(_("只能对限期整改要求进行复查"), field="action")
    if action.follow_ups.exists():
        raise ApplicationError(_("该整改要求已复查"), field="action")
    if center.status != CenterStatus.RECTIFYING:
        raise ApplicationError(_("运营中心当前不在限期整改中"), field="center")
    if passed and not action.reports.exists():
        raise ApplicationError(_("运营中心尚未提交整改报告，不能认定整改合格"), field="action")
    if passed:
        decision = _center_move(actor=actor, center=center, to_status=CenterStatus.RECOGNISED,
                                reason=_("整改复查合格：%(c)s") % {"c": content.strip()}, document_ref=document_ref)
        kind, ground = ManagementKind.FOLLOW_UP_PASSED, ""
    else:
        decision = _center_move(actor=actor, center=center, to_status=CenterStatus.REVOKED,
                                reason=_("整改复查不合格，取消资格：%(c)s。%(rule)s") % {
                                    "c": content.strip(), "rule": rules.REVOCATION_GROUNDS.quote()},
                                document_ref=document_ref)
        kind, ground = ManagementKind.FOLLOW_UP_FAILED, RevocationGround.FAILED_RECTIFICATION
    return _management(actor=actor, center=center, kind=kind, content=content, document_ref=document_ref,
                       follows=action, evaluation=action.evaluation, ground=ground, decision=decision)


@transaction.atomic
def center_revoke(*, actor: User | None, center: Center, ground: str, content: str,
                  document_ref: str) -> ManagementAction:
    """取消资格 for 弄虚作假, a self-established sub-center, failed rectification or another ground."""
    center = _lock_center(center)
    _require_office(actor, center)
    if ground not in rules.REVOCATION_GROUNDS.value:
        raise ApplicationError(_("未知的取消资格事由：%(g)s") % {"g": ground}, field="ground")
    if center.status not in QUALIFIED_STATUSES:
        raise ApplicationError(_("只有已认定（含限期整改中）的运营中心可以取消资格"), field="center")
    label = RevocationGround(ground).label
    decision = _center_move(actor=actor, center=center, to_status=CenterStatus.REVOKED,
                            reason=_("取消资格（%(g)s）：%(c)s。%(rule)s") % {
                                "g": label, "c": (content or "").strip(), "rule": rules.REVOCATION_GROUNDS.quote()},
                            document_ref=document_ref)
    return _management(actor=actor, center=center, kind=ManagementKind.REVOCATION, content=content,
                       document_ref=document_ref, ground=ground, decision=decision)


@transaction.atomic
def center_commend(*, actor: User | None, evaluation: Evaluation, content: str,
                   document_ref: str) -> ManagementAction:
    """优秀 → 鼓励支持: the commendation and the support measures are recorded."""
    center = _lock_center(evaluation.center)
    _require_office(actor, center)
    if evaluation.status != EvaluationStatus.FINAL or evaluation.grade != Grade.EXCELLENT:
        raise ApplicationError(_("鼓励支持须依据一项评为“优秀”的定期评价。%(rule)s") % {
            "rule": rules.COMMEND_EXCELLENT.quote()}, field="evaluation")
    _once_per_evaluation(evaluation, ManagementKind.COMMENDATION)
    return _management(actor=actor, center=center, kind=ManagementKind.COMMENDATION, content=content,
                       document_ref=document_ref, evaluation=evaluation)


@transaction.atomic
def management_action_correct(*, actor: User | None, action: ManagementAction, content: str,
                              document_ref: str) -> ManagementAction:
    """Correct a 动态管理 record with a new one that references it (the status is corrected through
    ``center_decision_correct``)."""
    center = _lock_center(action.center)
    _require_office(actor, center)
    return _management(actor=actor, center=center, kind=ManagementKind.CORRECTION, content=content,
                       document_ref=document_ref, corrects=action, evaluation=action.evaluation)
