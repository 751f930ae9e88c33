"""Patents of a pool and their essentiality (必要性评估): submissions, evaluators, claim charts, decisions."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from ipoc.core.errors import ApplicationError, PermissionDenied
from ipoc.core.models import Role, User
from ipoc.core.services import audit_record, notify, validated_save
from ipoc.patents import selectors as patent_selectors
from ipoc.pools import rules
from ipoc.pools.models import (
    ClaimChartRow,
    ConflictDeclaration,
    Decision,
    Evaluation,
    EvaluationStatus,
    EvaluatorAssignment,
    Licensor,
    ListingStatus,
    Pool,
    PoolPatent,
    StandardSection,
    StandardVersion,
)
from ipoc.pools.services.setup import _member_of, _uid, is_admin, require_admin

# ---------------------------------------------------------------- patents and essentiality


@transaction.atomic
def pool_patent_submit(*, actor: User | None, pool: Pool, licensor: Licensor, patent, family: str = "",
                       sections=()) -> PoolPatent:
    """A licensor offers one of its patents; it enters once evaluated essential. An evaluation against the
    version of the sections named (or the latest version of the pool's first standard) opens at once."""
    if licensor.pool_id != pool.pk:
        raise ApplicationError(_("许可人不属于该专利池"), field="licensor")
    if not (is_admin(actor, pool) or _member_of(actor, licensor.organization_id)):
        raise PermissionDenied(_("只有许可人本单位或管理人可以提交入池专利"), field="patent")
    held = patent_selectors.patents_held_by(user=None, organization=licensor.organization).filter(pk=patent.pk)
    if not held.exists():
        raise ApplicationError(_("该专利不属于许可人%(o)s（申请人或当前权利人）") % {"o": licensor.organization},
                               field="patent")
    if pool.patents.filter(patent=patent).exists():
        raise ApplicationError(_("该专利已提交入池"), field="patent")
    sections = list(sections or ())
    for s in sections:
        if s.version.standard.pool_id != pool.pk:
            raise ApplicationError(_("标准条款不属于该专利池"), field="sections")
    version = sections[0].version if sections else (
        StandardVersion.objects.filter(standard__pool=pool).order_by("-published_on", "-id").first())
    if version is None:
        raise ApplicationError(_("请先为专利池登记标准及其版本"), field="sections")
    listing = PoolPatent(pool=pool, licensor=licensor, patent=patent, family=(family or "").strip()[:80])
    validated_save(listing)
    listing.sections.set(sections)
    ev = Evaluation.objects.create(pool_patent=listing, version=version)
    audit_record(actor=actor, action="create", obj=listing, changes={"patent": [None, str(patent)],
                                                                    "licensor": [None, str(licensor)],
                                                                    "evaluation": [None, ev.pk]})
    admins = User.objects.filter(organization_id=pool.administrator_id, role=Role.CENTER_STAFF, is_active=True)
    notify(users=admins, title=_("新的入池专利待评估：%(p)s") % {"p": patent}, kind="pool_evaluation",
           url=f"/pools/evaluations/{ev.pk}/")
    return listing


@transaction.atomic
def evaluator_assign(*, actor: User | None, evaluation: Evaluation, expert: User) -> EvaluatorAssignment:
    require_admin(actor, evaluation.pool_patent.pool)
    if expert.role != Role.EXPERT or not expert.is_active:
        raise ApplicationError(_("评估专家须为平台的评审专家"), field="expert")
    if evaluation.status != EvaluationStatus.OPEN:
        raise ApplicationError(_("评估已结束，不能再指派专家"), field="expert")
    if evaluation.assignments.filter(expert=expert).exists():
        raise ApplicationError(_("该专家已被指派"), field="expert")
    a = EvaluatorAssignment.objects.create(evaluation=evaluation, expert=expert)
    audit_record(actor=actor, action="create", obj=a, changes={"expert": [None, str(expert)]})
    notify(users=[expert], title=_("请评估专利必要性：%(p)s") % {"p": evaluation.pool_patent},
           url=f"/pools/evaluations/{evaluation.pk}/", kind="pool_evaluation")
    return a


def _require_evaluator(actor: User | None, assignment: EvaluatorAssignment) -> None:
    if actor is not None and not actor.is_platform_admin and actor.pk != assignment.expert_id:
        raise PermissionDenied(_("只有被指派的评估专家可以办理"))
    if assignment.evaluation.status != EvaluationStatus.OPEN:
        raise ApplicationError(_("评估已结束"), field="evaluation")


@transaction.atomic
def evaluator_declare(*, actor: User | None, assignment: EvaluatorAssignment, conflict: bool,
                      note: str = "") -> EvaluatorAssignment:
    """The conflict-of-interest declaration, once, before any opinion; a conflict excludes the evaluator."""
    _require_evaluator(actor, assignment)
    if assignment.declaration:
        raise ApplicationError(_("已作出利益冲突声明，不能更改"), field="declaration")
    if conflict and not (note or "").strip():
        raise ApplicationError(_("声明存在利益冲突时请说明原因"), field="declaration_note")
    assignment.declaration = ConflictDeclaration.CONFLICT if conflict else ConflictDeclaration.NONE
    assignment.declaration_note = (note or "").strip()
    assignment.save(update_fields=["declaration", "declaration_note"])
    audit_record(actor=actor, action="update", obj=assignment,
                 changes={"declaration": ["", assignment.declaration]}, message=assignment.declaration_note)
    return assignment


def _require_cleared(assignment: EvaluatorAssignment) -> None:
    if assignment.declaration != ConflictDeclaration.NONE:
        raise ApplicationError(_("请先声明无利益冲突；声明回避的专家不参与评估"), field="declaration")


@transaction.atomic
def claim_chart_add(*, actor: User | None, assignment: EvaluatorAssignment, element: str,
                    section: StandardSection, claim_number: int = 1, reads_on: bool = True,
                    note: str = "") -> ClaimChartRow:
    _require_evaluator(actor, assignment)
    _require_cleared(assignment)
    if section.version_id != assignment.evaluation.version_id:
        raise ApplicationError(_("标准条款须属于本次评估的标准版本"), field="section")
    if not (element or "").strip():
        raise ApplicationError(_("请填写权利要求的技术特征"), field="element")
    row = ClaimChartRow(evaluation=assignment.evaluation, author=assignment, claim_number=claim_number,
                        element=element.strip(), section=section, reads_on=reads_on, note=note or "")
    validated_save(row)
    audit_record(actor=actor, action="create", obj=assignment.evaluation,
                 changes={"claim_chart": [None, f"{claim_number}: {row.element[:60]} ↔ §{section.number}"]})
    return row


@transaction.atomic
def evaluator_opinion(*, actor: User | None, assignment: EvaluatorAssignment, opinion: str,
                      comment: str = "") -> EvaluatorAssignment:
    _require_evaluator(actor, assignment)
    _require_cleared(assignment)
    if opinion not in Decision.values:
        raise ApplicationError(_("未知的评估意见：%(v)s") % {"v": opinion}, field="opinion")
    if assignment.submitted_at is not None:
        raise ApplicationError(_("评估意见已提交，不能更改"), field="opinion")
    if opinion == Decision.ESSENTIAL and not assignment.chart_rows.filter(reads_on=True).exists():
        raise ApplicationError(_("认定必要前请至少填写一行对应的权利要求对照"), field="opinion")
    assignment.opinion = opinion
    assignment.comment = (comment or "").strip()
    assignment.submitted_at = timezone.now()
    assignment.save(update_fields=["opinion", "comment", "submitted_at"])
    audit_record(actor=actor, action="update", obj=assignment, changes={"opinion": ["", opinion]},
                 message=assignment.comment)
    return assignment


def counted_opinions(evaluation: Evaluation) -> list[EvaluatorAssignment]:
    """Submitted opinions of evaluators who declared no conflict (a declared conflict is excluded)."""
    return [a for a in evaluation.assignments.all()
            if a.declaration == ConflictDeclaration.NONE and a.submitted_at is not None]


def decision_from(opinions: list[str]) -> str:
    """The opinion a strict majority shares; without one, 需补充材料."""
    for value in (Decision.ESSENTIAL, Decision.NOT_ESSENTIAL, Decision.NEEDS_MORE):
        if opinions.count(value) * 2 > len(opinions):
            return value
    return Decision.NEEDS_MORE


@transaction.atomic
def evaluation_decide(*, actor: User | None, evaluation: Evaluation, note: str = "") -> Evaluation:
    """The administrator's decision from at least ``rules.MIN_EVALUATORS`` counted opinions. 必要 lists the
    patent (入池), 非必要 rejects it (or withdraws it on re-evaluation), 需补充材料 keeps it under evaluation."""
    evaluation = Evaluation.objects.select_for_update().get(pk=evaluation.pk)
    listing = evaluation.pool_patent
    require_admin(actor, listing.pool)
    if evaluation.status != EvaluationStatus.OPEN:
        raise ApplicationError(_("该评估已作出结论"), field="evaluation")
    waiting = [a for a in evaluation.assignments.all()
               if a.declaration != ConflictDeclaration.CONFLICT and a.submitted_at is None]
    if waiting:
        raise ApplicationError(_("仍有 %(n)d 位专家未提交意见") % {"n": len(waiting)}, field="evaluation")
    counted = counted_opinions(evaluation)
    if len(counted) < rules.MIN_EVALUATORS:
        raise ApplicationError(_("至少需要 %(n)d 位无利益冲突专家的意见（现有 %(m)d 位）")
                               % {"n": rules.MIN_EVALUATORS, "m": len(counted)}, field="evaluation")
    decision = decision_from([a.opinion for a in counted])
    evaluation.decision = decision
    evaluation.decision_note = (note or "").strip()
    evaluation.status = EvaluationStatus.DECIDED if decision != Decision.NEEDS_MORE else EvaluationStatus.OPEN
    evaluation.decided_by = _uid(actor)
    evaluation.decided_at = timezone.now()
    evaluation.save()
    old = listing.status
    if decision == Decision.ESSENTIAL and listing.status == ListingStatus.EVALUATING:
        listing.status, listing.listed_on = ListingStatus.LISTED, timezone.localdate()
    elif decision == Decision.NOT_ESSENTIAL:
        if listing.status == ListingStatus.LISTED:
            listing.status, listing.withdrawn_on = ListingStatus.WITHDRAWN, timezone.localdate()
        elif listing.status == ListingStatus.EVALUATING:
            listing.status = ListingStatus.REJECTED
    if decision == Decision.NEEDS_MORE:  # a new round: the same evaluation reopens for new opinions
        for a in counted:
            a.submitted_at = None
            a.opinion = ""
            a.save(update_fields=["submitted_at", "opinion"])
    listing.save()
    audit_record(actor=actor, action="transition", obj=listing,
                 changes={"decision": ["", decision], "status": [old, listing.status],
                          "counted": [None, [a.expert.username for a in counted]],
                          "excluded": [None, [a.expert.username for a in evaluation.assignments.all()
                                              if a.declaration == ConflictDeclaration.CONFLICT]]},
                 message=evaluation.decision_note)
    return evaluation
