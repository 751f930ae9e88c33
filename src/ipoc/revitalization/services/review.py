"""The review chain (建档 → 院系审核 → 学校审核 → 入库 存量专利基础库), grading and screening into the two libraries."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from ipoc.core.errors import ApplicationError
from ipoc.core.models import AuditAction, Organization, User
from ipoc.core.services import audit_record
from ipoc.revitalization import grading
from ipoc.revitalization.models import (
    PROMOTABLE,
    Library,
    MoveKind,
    Recommendation,
    ReviewLevel,
    Stage,
    StockPatent,
)
from ipoc.revitalization.services.access import (
    _deny,
    _move,
    _require_member,
    _system_or_admin,
    is_member,
    is_reviewer,
    patent_name,
    serves,
)

# ---------------------------------------------------------------- the review chain


def _set_stage(stock: StockPatent, to_stage: str, actor: User | None, reason: str) -> None:
    previous = stock.stage
    stock.stage = to_stage
    stock.save(update_fields=["stage", "updated_at"])
    _move(stock, MoveKind.STAGE, previous, to_stage, actor, reason)
    audit_record(actor=actor, action=AuditAction.TRANSITION, obj=stock, changes={"stage": [previous, to_stage]},
                 message=reason)


def _set_library(stock: StockPatent, to_library: str, actor: User | None, reason: str) -> None:
    previous = stock.library
    if previous == to_library:
        return
    stock.library = to_library
    stock.save(update_fields=["library", "updated_at"])
    _move(stock, MoveKind.LIBRARY, previous, to_library, actor, reason)
    audit_record(actor=actor, action=AuditAction.TRANSITION, obj=stock, changes={"library": [previous, to_library]},
                 message=reason)


def _locked(stock: StockPatent) -> StockPatent:
    return StockPatent.objects.select_for_update().select_related("institution", "patent").get(pk=stock.pk)


@transaction.atomic
def stock_submit(*, actor: User | None, stock: StockPatent, reason: str = "") -> StockPatent:
    """发明人/院系建档 → 院系审核."""
    stock = _locked(stock)
    _require_member(actor, stock.institution)
    if stock.stage != Stage.DRAFT:
        raise ApplicationError(_("只有“建档”环节的专利可以提交审核（当前：%(s)s）") % {"s": stock.get_stage_display()},
                               field="stage", code="invalid_transition")
    _set_stage(stock, Stage.DEPT_REVIEW, actor, reason or _("提交院系审核"))
    return stock


@transaction.atomic
def stock_review(*, actor: User | None, stock: StockPatent, approve: bool, reason: str = "") -> StockPatent:
    """院系审核 (→ 学校审核) or 学校审核 (→ 入库 存量专利基础库); a refusal returns it to 建档 and needs a reason."""
    stock = _locked(stock)
    institution = stock.institution
    if stock.stage == Stage.DEPT_REVIEW:
        if not (_system_or_admin(actor) or is_reviewer(actor, institution, ReviewLevel.DEPARTMENT, stock.department)):
            _deny(_("只有“%(d)s”的院系审核人可以进行院系审核") % {"d": stock.department or _("本单位")})
        target = Stage.SCHOOL_REVIEW
    elif stock.stage == Stage.SCHOOL_REVIEW:
        if not (_system_or_admin(actor) or is_reviewer(actor, institution, ReviewLevel.SCHOOL)):
            _deny(_("只有学校审核人可以进行学校审核"))
        target = Stage.STORED
    else:
        raise ApplicationError(_("该专利当前不在审核环节（%(s)s）") % {"s": stock.get_stage_display()},
                               field="stage", code="invalid_transition")
    if not approve:
        if not reason.strip():
            raise ApplicationError(_("退回必须说明理由"), field="reason")
        _set_stage(stock, Stage.DRAFT, actor, reason)
        return stock
    step = _("院系审核通过") if target == Stage.SCHOOL_REVIEW else _("学校审核通过，入库")
    _set_stage(stock, target, actor, reason or step)
    if target == Stage.STORED:
        _set_library(stock, Library.BASE, actor, reason or _("学校审核通过，进入存量专利基础库"))
    return stock


# ---------------------------------------------------------------- grading and screening


@transaction.atomic
def stock_grade(*, actor: User | None, institution: Organization, as_of: dt.date | None = None) -> dict:
    """市场评价: grade every inventoried patent of the institution (together, as peers) with the
    valuation engine; store score, grade, 分层分类 recommendation and the fee saving."""
    if not (_system_or_admin(actor) or is_member(actor, institution) or serves(actor, institution)):
        _deny(_("只有本单位用户或为其服务的运营中心可以进行评价"))
    stocks = list(StockPatent.objects.select_for_update().filter(institution=institution).select_related("patent"))
    grades = grading.grade_patents([s.patent for s in stocks], actor=actor, as_of=as_of)
    now = timezone.now()
    summary: dict[str, int] = {}
    ungraded = []
    for stock in stocks:
        g = grades.get(stock.patent_id)
        if g is None:
            ungraded.append(patent_name(stock.patent))
            continue
        old = stock.recommendation
        stock.score, stock.grade, stock.confidence = g.score, g.grade, g.confidence
        stock.recommendation = g.recommendation if g.recommendation in Recommendation.values else Recommendation.OBSERVE
        stock.recommendation_rule, stock.fee_saving, stock.graded_at = g.rule[:200], g.fee_saving, now
        stock.valuation_run_ref = g.run_id
        stock.save(update_fields=["score", "grade", "confidence", "recommendation", "recommendation_rule",
                                  "fee_saving", "graded_at", "valuation_run_ref", "updated_at"])
        summary[stock.recommendation] = summary.get(stock.recommendation, 0) + 1
        audit_record(actor=actor, action=AuditAction.UPDATE, obj=stock,
                     changes={"recommendation": [old, stock.recommendation], "grade": [None, g.grade]},
                     message=_("市场评价"))
    saving = sum((s.fee_saving or Decimal(0)) for s in stocks if s.recommendation == Recommendation.ABANDON)
    runs = sorted({g.run_id for g in grades.values() if g.run_id})
    return {"institution": institution.name, "graded": sum(summary.values()), "ungraded": ungraded,
            "valuation_runs": runs,
            "by_recommendation": {str(Recommendation(k).label): v for k, v in sorted(summary.items())},
            "by_code": summary, "abandon_fee_saving": str(saving)}


@transaction.atomic
def stock_screen(*, actor: User | None, stock: StockPatent, passed: bool | None = None,
                 reason: str = "") -> StockPatent:
    """筛选入库: a patent of the 存量专利基础库 passes into the 专利转化资源库 (or not).
    ``passed=None`` follows the grade: 重点推广/一般推广 pass, the rest stay in the base library."""
    stock = _locked(stock)
    institution = stock.institution
    if not (_system_or_admin(actor) or serves(actor, institution)
            or is_reviewer(actor, institution, ReviewLevel.SCHOOL)):
        _deny(_("只有为该单位服务的运营中心或学校审核人可以筛选入库"))
    if stock.stage != Stage.STORED:
        raise ApplicationError(_("只有已入库（存量专利基础库）的专利可以筛选"), field="stage", code="invalid_transition")
    if passed is None:
        if not stock.recommendation:
            raise ApplicationError(_("尚未评价，无法按评级筛选"), field="recommendation")
        passed = stock.recommendation in PROMOTABLE
        reason = reason or _("按分层分类建议筛选：%(r)s") % {"r": stock.get_recommendation_display()}
    if not passed and not reason.strip():
        raise ApplicationError(_("未通过筛选必须说明理由"), field="reason")
    stock.screened_at, stock.screen_passed = timezone.now(), passed
    stock.save(update_fields=["screened_at", "screen_passed", "updated_at"])
    audit_record(actor=actor, action=AuditAction.UPDATE, obj=stock, changes={"screen_passed": [None, passed]},
                 message=reason)
    _set_library(stock, Library.RESOURCE if passed else Library.BASE, actor,
                 reason or _("筛选通过，进入专利转化资源库"))
    return stock


def stock_screen_institution(*, actor: User | None, institution: Organization) -> dict:
    """Screen every graded patent of the base library by its recommendation."""
    if not (_system_or_admin(actor) or serves(actor, institution)
            or is_reviewer(actor, institution, ReviewLevel.SCHOOL)):  # refused even with nothing to screen
        _deny(_("只有为该单位服务的运营中心或学校审核人可以筛选入库"))
    counts = {"passed": 0, "kept_in_base": 0}
    for stock in StockPatent.objects.filter(institution=institution, stage=Stage.STORED).exclude(recommendation=""):
        stock = stock_screen(actor=actor, stock=stock)
        counts["passed" if stock.screen_passed else "kept_in_base"] += 1
    return counts
