"""专家评审: assigning experts, conflict declarations, scoring sheets and closing a review (also used by
定期评价)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from ipoc.centers import clock, rules
from ipoc.centers.clock import add_working_days
from ipoc.centers.models import (
    ApplicationStatus,
    ConflictDeclaration,
    Evaluation,
    EvaluationStatus,
    ExpertReview,
    RecognitionApplication,
)
from ipoc.centers.services.recognition import (
    _application_move,
    _back_to_building,
    _lock,
    _office_users,
    _require_deciding_office,
    _require_status,
    _step_due,
)
from ipoc.centers.services.registry import office_may_decide
from ipoc.core.errors import ApplicationError, PermissionDenied
from ipoc.core.models import Role, User
from ipoc.core.services import assignment_create, audit_record, notify, validated_save

# ---------------------------------------------------------------- 专家评审 (also used by 定期评价)


def scoring_sheet_for(review: ExpertReview) -> list[dict]:
    """The criteria an expert scores: the recognition sheet, or the evaluation's expert indicators (0–100 each)."""
    if review.application_id:
        return [dict(c) for c in review.application.scoring_sheet
                or rules.SCORING_SHEET.value_for(review.application.deciding_office_id)]
    return [{"code": i["code"], "label": i["label"], "max": 100} for i in indicator_system(review.evaluation)
            if i.get("source") == "expert"]


def indicator_system(evaluation: Evaluation) -> list[dict]:
    """The indicator system the evaluation was opened under (a later rule change does not reach it)."""
    return [dict(i) for i in evaluation.indicator_system
            or rules.EVALUATION_INDICATORS.value_for(evaluation.center.managing_office_id)]


@transaction.atomic
def review_assign(*, actor: User | None, expert: User, application: RecognitionApplication | None = None,
                  evaluation: Evaluation | None = None, due_on: dt.date | None = None) -> ExpertReview:
    """Assign an expert (角色：评审专家) to an application in 专家评审 or to a draft evaluation."""
    if (application is None) == (evaluation is None):
        raise ApplicationError(_("请指定一项认定申请或一项定期评价"), field="application")
    if application is not None:
        application = _lock(application)
    else:
        evaluation = Evaluation.objects.select_related("center__managing_office").get(pk=evaluation.pk)
    target = application or evaluation
    center = target.center
    if not office_may_decide(actor, center):
        raise PermissionDenied(_("只有管理部门可以指派评审专家"))
    if application is not None:
        _require_status(application, ApplicationStatus.EXPERT_REVIEW)
    elif evaluation.status != EvaluationStatus.DRAFT:
        raise ApplicationError(_("已定级的评价不能再指派专家"), field="evaluation")
    if expert.role != Role.EXPERT or not expert.is_active:
        raise ApplicationError(_("“%(u)s”不是评审专家账号") % {"u": expert}, field="expert")
    if ExpertReview.objects.filter(application=application, evaluation=evaluation, expert=expert).exists():
        raise ApplicationError(_("该专家已被指派"), field="expert")
    review = ExpertReview(application=application, evaluation=evaluation, expert=expert,
                          assigned_by=actor if actor is not None and actor.pk else None,
                          due_on=due_on or (application.due_on if application is not None else _step_due(
                              "expert_review", center.managing_office_id)))
    validated_save(review)
    purpose = _("认定评审") if application is not None else _("定期评价")
    assignment_create(actor=actor, user=expert, obj=target, purpose=purpose)
    if not _assigned(expert, center):
        assignment_create(actor=actor, user=expert, obj=center, purpose=purpose)
    audit_record(actor=actor, action="create", obj=review, changes={"expert": [None, expert.username],
                                                                     "target": [None, str(target)]})
    notify(users=[expert], title=_("评审任务：%(t)s") % {"t": target}, body=_("请先作出利益冲突声明，再填写评分表"),
           url=reverse("center_review_detail", args=[review.pk]), kind="center_review")
    return review


def _assigned(user: User, obj) -> bool:
    from django.contrib.contenttypes.models import ContentType

    from ipoc.core.models import ObjectAssignment

    return ObjectAssignment.objects.filter(user=user, content_type=ContentType.objects.get_for_model(obj),
                                           object_id=str(obj.pk)).exists()


def _require_expert(actor: User | None, review: ExpertReview) -> None:
    if actor is None or not actor.is_authenticated or actor.pk != review.expert_id:
        raise PermissionDenied(_("只有被指派的评审专家本人可以办理此评审"))


def _review_open(review: ExpertReview) -> None:
    if review.application_id:
        _require_status(review.application, ApplicationStatus.EXPERT_REVIEW)
    elif review.evaluation.status != EvaluationStatus.DRAFT:
        raise ApplicationError(_("该评价已定级"), field="evaluation")


@transaction.atomic
def review_declare(*, actor: User | None, review: ExpertReview, conflict: bool, note: str = "") -> ExpertReview:
    """利益冲突声明 (once): an expert with a conflict is withdrawn (回避) and scores nothing."""
    review = ExpertReview.objects.select_for_update().get(pk=review.pk)
    _require_expert(actor, review)
    _review_open(review)
    if review.declaration:
        raise ApplicationError(_("已作出利益冲突声明，不能更改"), field="declaration")
    if conflict and not (note or "").strip():
        raise ApplicationError(_("存在利益冲突的，请说明情况"), field="note")
    review.declaration = ConflictDeclaration.CONFLICT if conflict else ConflictDeclaration.NONE
    review.declaration_note = (note or "").strip()
    review.declared_at = timezone.now()
    review.save()
    audit_record(actor=actor, action="update", obj=review, changes={"declaration": ["", review.declaration]},
                 message=review.declaration_note)
    if conflict:
        target = review.application or review.evaluation
        notify(users=_office_users(target.center.managing_office), title=_("专家声明回避：%(t)s") % {"t": target},
               body=review.declaration_note, kind="center_review")
    return review


@transaction.atomic
def review_submit(*, actor: User | None, review: ExpertReview, scores: dict[str, Any],
                  comment: str = "") -> ExpertReview:
    """The scoring sheet: one score per criterion within its range; submitted once."""
    review = ExpertReview.objects.select_for_update().get(pk=review.pk)
    _require_expert(actor, review)
    _review_open(review)
    if review.declaration != ConflictDeclaration.NONE:
        raise ApplicationError(_("请先声明无利益冲突；声明回避的专家不评分"), field="declaration")
    if review.submitted_at is not None:
        raise ApplicationError(_("评分表已提交，不能修改"), field="scores")
    clean: dict[str, float] = {}
    for criterion in scoring_sheet_for(review):
        code, top = criterion["code"], Decimal(str(criterion["max"]))
        raw = (scores or {}).get(code)
        if raw is None or raw == "":
            raise ApplicationError(_("请为“%(c)s”打分") % {"c": criterion["label"]}, field=f"scores.{code}")
        try:
            value = Decimal(str(raw))
        except ArithmeticError:
            raise ApplicationError(_("“%(c)s”的分数应为数字") % {"c": criterion["label"]},
                                   field=f"scores.{code}") from None
        if not value.is_finite() or value < 0 or value > top:
            raise ApplicationError(_("“%(c)s”的分数应在0至%(m)s之间") % {"c": criterion["label"], "m": top},
                                   field=f"scores.{code}")
        if value != value.quantize(Decimal("0.01")):
            raise ApplicationError(_("“%(c)s”的分数最多保留两位小数") % {"c": criterion["label"]},
                                   field=f"scores.{code}")
        clean[code] = float(value)
    unknown = set(scores or {}) - set(clean)
    if unknown:
        raise ApplicationError(_("评分表中没有这些项：%(u)s") % {"u": "、".join(sorted(unknown))}, field="scores")
    review.scores = clean
    review.total = sum((Decimal(str(v)) for v in clean.values()), Decimal("0"))
    review.comment = (comment or "").strip()
    review.submitted_at = timezone.now()
    review.save()
    audit_record(actor=actor, action="update", obj=review, changes={"scores": [None, clean],
                                                                     "total": [None, str(review.total)]})
    return review


def valid_reviews(reviews) -> list[ExpertReview]:
    """Submitted scoring sheets of experts who declared no conflict."""
    return [r for r in reviews if r.declaration == ConflictDeclaration.NONE and r.submitted_at is not None]


@transaction.atomic
def application_close_review(*, actor: User | None, application: RecognitionApplication,
                             notice: str = "") -> RecognitionApplication:
    """End 专家评审: the score is the mean of the valid sheets; at or above the pass score the application goes to
    公示 for the configured number of working days, below it it is not recognised."""
    application = _lock(application)
    _require_deciding_office(actor, application)
    _require_status(application, ApplicationStatus.EXPERT_REVIEW)
    reviews = list(application.reviews.all())
    pending = [r for r in reviews if r.declaration != ConflictDeclaration.CONFLICT and r.submitted_at is None]
    if pending:
        raise ApplicationError(_("还有专家未提交评分表：%(e)s") % {"e": "、".join(r.expert.username for r in pending)},
                               field="reviews")
    valid = valid_reviews(reviews)
    office = application.deciding_office_id
    need = int(rules.MIN_EXPERT_SCORES.value_for(office))
    if len(valid) < need:
        raise ApplicationError(_("有效专家评分 %(n)s 份，少于规定的 %(m)s 份。%(rule)s") % {
            "n": len(valid), "m": need, "rule": rules.MIN_EXPERT_SCORES.quote()}, field="reviews")
    score = (sum((r.total for r in valid), Decimal("0")) / len(valid)).quantize(Decimal("0.01"))
    application.score = score
    pass_score = rules.PASS_SCORE.value_for(office)
    if score >= Decimal(str(pass_score)):
        start = clock.today()
        application.publicity_start = start
        application.publicity_end = add_working_days(start, int(rules.PUBLICITY_WORKING_DAYS.value_for(office)))
        application.publicity_notice = (notice or "").strip() or _(
            "经专家评审，拟认定“%(c)s”为%(level)s产业知识产权运营中心，现予公示。公示期内，任何单位和个人可实名提出异议。") % {
            "c": application.center, "level": application.get_level_display()}
        _application_move(actor=actor, application=application, action="publicity",
                          to_status=ApplicationStatus.PUBLICITY,
                          reason=_("专家评审综合得分 %(s)s（%(n)s 份有效评分），进入公示，至 %(end)s") % {
                              "s": score, "n": len(valid), "end": application.publicity_end},
                          due_on=application.publicity_end)
    else:
        reason = _("专家评审综合得分 %(s)s，低于通过分数 %(p)s") % {"s": score, "p": pass_score}
        _application_move(actor=actor, application=application, action="reject",
                          to_status=ApplicationStatus.REJECTED, reason=reason)
        _back_to_building(actor, application, reason, "")
    return application
