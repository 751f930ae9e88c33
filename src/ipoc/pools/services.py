"""Writes for 重点领域专利池 — every one checks who may make it, validates, runs in a transaction and is audited.

Who does what:
- the administrator (管理人: staff of the administering center, or a platform administrator) sets up the pool,
  standards, licensors, programmes, rate cards and agreements, assigns evaluators, decides essentiality,
  issues statements, records payments and audits, runs the allocation and the conflict check;
- a licensor's users submit their own patents (the patent must be held by the licensor);
- an evaluator (a platform 评审专家 assigned to an evaluation) declares conflicts, fills the claim chart and
  gives an opinion;
- a licensee's users sign their agreement and submit reports.
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from ipoc.core.bounds import check_date
from ipoc.core.errors import ApplicationError, PermissionDenied
from ipoc.core.models import Organization, OrganizationKind, Role, User
from ipoc.core.services import audit_record, notify, validated_save
from ipoc.patents import selectors as patent_selectors
from ipoc.pools import engine, rules, selectors
from ipoc.pools.models import (
    Agreement,
    AgreementStatus,
    Allocation,
    AllocationMethod,
    AllocationShare,
    AuditFlag,
    AuditRecord,
    ClaimChartRow,
    ConflictDeclaration,
    ConflictFlag,
    ConflictKind,
    Decision,
    EarlyBird,
    Evaluation,
    EvaluationStatus,
    EvaluatorAssignment,
    FlagKind,
    Licensor,
    ListingStatus,
    Pool,
    PoolPatent,
    PoolStatus,
    ProductCategory,
    Programme,
    Rate,
    RateCard,
    RegionalDiscount,
    Report,
    ReportLine,
    ReportStatus,
    Standard,
    StandardSection,
    StandardVersion,
    Statement,
    StatementLine,
)

MAX_REPORT_LINES = 5000
MAX_UNITS = 10**12
COUNTRY_RE = re.compile(r"^[A-Z]{2}$")
PERIOD_RE = re.compile(r"^(\d{4})(?:Q([1-4])|-(0[1-9]|1[0-2]))?$")
MAX_DECIMAL = Decimal("1e12")  # 1 万亿: any amount, rate or cap above it is a typing error, never a real figure
DROP_THRESHOLD = Decimal("0.5")  # a report below half the average of the previous (up to) four is flagged


# ---------------------------------------------------------------- who may


def is_admin(actor: User | None, pool: Pool) -> bool:
    if actor is None:
        return True
    if not actor.is_authenticated:
        return False
    return actor.is_platform_admin or (actor.role == Role.CENTER_STAFF and actor.organization_id is not None
                                       and actor.organization_id == pool.administrator_id)


def require_admin(actor: User | None, pool: Pool) -> None:
    if not is_admin(actor, pool):
        raise PermissionDenied(_("只有专利池管理人可以办理：%(p)s") % {"p": pool})


def _member_of(actor: User | None, org_id: int | None) -> bool:
    return actor is None or actor.is_platform_admin or (
        actor.is_authenticated and actor.organization_id is not None and actor.organization_id == org_id)


def _uid(actor: User | None) -> User | None:
    return actor if actor is not None and actor.pk else None


def clean_decimal(value: Any, field: str, *, places: int = 2, minimum: Decimal = Decimal("0"),
                  maximum: Decimal | None = None, label: str = "") -> Decimal:
    try:
        number = Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        raise ApplicationError(_("%(l)s必须是数字：%(v)s") % {"l": label or field, "v": value}, field=field) from None
    if not number.is_finite():
        raise ApplicationError(_("%(l)s必须是数字：%(v)s") % {"l": label or field, "v": value}, field=field)
    if number < minimum:
        raise ApplicationError(_("%(l)s不能小于 %(m)s") % {"l": label or field, "m": f"{minimum:,f}"}, field=field)
    maximum = MAX_DECIMAL if maximum is None else maximum
    if number > maximum:
        raise ApplicationError(_("%(l)s不能大于 %(m)s") % {"l": label or field, "m": f"{maximum:,f}"}, field=field)
    try:
        return number.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)  # 四舍五入, not banker's
    except InvalidOperation:
        raise ApplicationError(_("%(l)s超出范围：%(v)s") % {"l": label or field, "v": value}, field=field) from None


def clean_country(value: Any, field: str) -> str:
    code = str(value or "").strip().upper()
    if not COUNTRY_RE.match(code):
        raise ApplicationError(_("国家/地区代码应为两位字母（如 CN、US）：%(v)s") % {"v": value}, field=field)
    return code


def clean_countries(values: Any, field: str = "countries") -> list[str]:
    if isinstance(values, str):
        values = [v for v in re.split(r"[\s,，;；、]+", values) if v]
    return sorted({clean_country(v, field) for v in values or ()})


def parse_period(period: str) -> tuple[str, dt.date, dt.date]:
    """"2025Q4" → (2025Q4, 2025-10-01, 2025-12-31); "2025-03" a month; "2025" a year."""
    text = str(period or "").strip().upper()
    m = PERIOD_RE.match(text)
    if not m:
        raise ApplicationError(_("报告期格式应为 2025Q4、2025-03 或 2025：%(v)s") % {"v": period}, field="period")
    year = int(m.group(1))
    if not 1990 <= year <= 2100:
        raise ApplicationError(_("报告期年份超出范围：%(v)s") % {"v": period}, field="period")
    if m.group(2):
        q = int(m.group(2))
        start = dt.date(year, 3 * q - 2, 1)
        end_month = 3 * q
    elif m.group(3):
        start = dt.date(year, int(m.group(3)), 1)
        end_month = int(m.group(3))
    else:
        start, end_month = dt.date(year, 1, 1), 12
    end = (dt.date(year + 1, 1, 1) if end_month == 12 else dt.date(year, end_month + 1, 1)) - dt.timedelta(days=1)
    return text, start, end


# ---------------------------------------------------------------- pool set-up


@transaction.atomic
def pool_create(*, actor: User | None, name: str, domain: str = "", description: str = "",
                administrator: Organization | None = None, admin_fee_percent: Any = 0,
                allocation_method: str = AllocationMethod.POINTS, report_due_days: int = 30) -> Pool:
    """A center founds a pool it administers; platform administrators name the administrator."""
    if actor is not None and not actor.is_platform_admin:
        if actor.role != Role.CENTER_STAFF or actor.organization is None:
            raise PermissionDenied(_("只有运营中心工作人员可以组建专利池"))
        if administrator is not None and administrator.pk != actor.organization_id:
            raise PermissionDenied(_("只能以本单位为管理人组建专利池"), field="administrator")
        administrator = actor.organization
    if administrator is None:
        raise ApplicationError(_("请指定专利池管理人"), field="administrator")
    if allocation_method not in AllocationMethod.values:
        raise ApplicationError(_("未知的分配公式：%(v)s") % {"v": allocation_method}, field="allocation_method")
    pool = Pool(name=(name or "").strip(), domain=(domain or "").strip(), description=description or "",
                administrator=administrator, allocation_method=allocation_method,
                admin_fee_percent=clean_decimal(admin_fee_percent, "admin_fee_percent", maximum=Decimal(100),
                                                label=_("管理费比例")),
                report_due_days=report_due_days, created_by=_uid(actor))
    validated_save(pool)
    audit_record(actor=actor, action="create", obj=pool, changes={"name": [None, pool.name],
                                                                 "administrator": [None, str(administrator)]})
    return pool


POOL_EDITABLE = ("name", "domain", "description", "admin_fee_percent", "allocation_method", "report_due_days",
                 "status")


@transaction.atomic
def pool_update(*, actor: User | None, pool: Pool, data: dict[str, Any]) -> Pool:
    require_admin(actor, pool)
    changes = {}
    for name, value in data.items():
        if name not in POOL_EDITABLE:
            raise ApplicationError(_("字段“%(f)s”不可修改") % {"f": name}, field=name)
        if name == "admin_fee_percent":
            value = clean_decimal(value, name, maximum=Decimal(100), label=_("管理费比例"))
        if name == "status" and value not in PoolStatus.values:
            raise ApplicationError(_("未知的状态：%(v)s") % {"v": value}, field="status")
        if name == "allocation_method" and value not in AllocationMethod.values:
            raise ApplicationError(_("未知的分配公式：%(v)s") % {"v": value}, field=name)
        if name == "status" and value == PoolStatus.ACTIVE and pool.licensors.count() < 2:
            raise ApplicationError(_("专利池至少需要两个许可人才能运营"), field="status")
        if getattr(pool, name) != value:
            changes[name] = [getattr(pool, name), value]
            setattr(pool, name, value)
    if changes:
        validated_save(pool)
        audit_record(actor=actor, action="update", obj=pool, changes=changes)
    return pool


def _sections(version: StandardVersion, sections) -> list[StandardSection]:
    out = []
    for s in sections or ():
        number, title = (s if isinstance(s, (list, tuple)) else (s.get("number"), s.get("title", "")))
        number = str(number or "").strip()
        if not number:
            raise ApplicationError(_("标准条款号不能为空"), field="sections")
        out.append(StandardSection.objects.create(version=version, number=number[:40], title=(title or "")[:200]))
    return out


@transaction.atomic
def standard_add(*, actor: User | None, pool: Pool, code: str, name: str, version: str,
                 published_on: dt.date | None = None, sections=()) -> StandardVersion:
    """A standard, its first version and the sections patents read on."""
    require_admin(actor, pool)
    standard = Standard(pool=pool, code=(code or "").strip(), name=(name or "").strip())
    validated_save(standard)
    v = StandardVersion(standard=standard, version=(version or "").strip(), published_on=published_on)
    validated_save(v)
    _sections(v, sections)
    audit_record(actor=actor, action="create", obj=pool, changes={"standard": [None, f"{standard.code} {v.version}"]})
    return v


@transaction.atomic
def standard_version_add(*, actor: User | None, standard: Standard, version: str,
                         published_on: dt.date | None = None, sections=()) -> StandardVersion:
    """A new version of a standard: every listed patent evaluated against the previous version is re-evaluated
    (a new open evaluation referencing the old one)."""
    require_admin(actor, standard.pool)
    previous = standard.versions.order_by("-published_on", "-id").first()
    v = StandardVersion(standard=standard, version=(version or "").strip(), published_on=published_on)
    validated_save(v)
    _sections(v, sections)
    reopened = []
    if previous is not None:
        for ev in Evaluation.objects.filter(version=previous, status=EvaluationStatus.DECIDED,
                                            pool_patent__status=ListingStatus.LISTED):
            new = Evaluation.objects.create(pool_patent=ev.pool_patent, version=v, previous=ev)
            reopened.append(new.pk)
    audit_record(actor=actor, action="create", obj=standard.pool,
                 changes={"standard_version": [None, f"{standard.code} {v.version}"], "re_evaluations": [None, reopened]})
    return v


@transaction.atomic
def licensor_add(*, actor: User | None, pool: Pool, organization: Organization,
                 joined_on: dt.date | None = None) -> Licensor:
    require_admin(actor, pool)
    if organization.kind == OrganizationKind.IP_OFFICE:
        raise ApplicationError(_("知识产权局不能作为许可人"), field="organization")
    if pool.licensors.filter(organization=organization).exists():
        raise ApplicationError(_("该单位已是许可人：%(o)s") % {"o": organization}, field="organization")
    licensor = Licensor(pool=pool, organization=organization, joined_on=joined_on or timezone.localdate())
    validated_save(licensor)
    audit_record(actor=actor, action="update", obj=pool, changes={"licensors": [None, str(organization)]})
    return licensor


@transaction.atomic
def programme_create(*, actor: User | None, pool: Pool, name: str, terms: str = "", categories=()) -> Programme:
    """A licence programme and its product categories [(code, name), …]."""
    require_admin(actor, pool)
    programme = Programme(pool=pool, name=(name or "").strip(), terms=terms or "")
    validated_save(programme)
    seen = set()
    for item in categories or ():
        code, cname = (item if isinstance(item, (list, tuple)) else (item.get("code"), item.get("name")))
        code = str(code or "").strip()
        if not code or not str(cname or "").strip():
            raise ApplicationError(_("产品类别需要代码和名称"), field="categories")
        if code in seen:
            raise ApplicationError(_("产品类别代码重复：%(c)s") % {"c": code}, field="categories")
        seen.add(code)
        validated_save(ProductCategory(programme=programme, code=code, name=str(cname).strip()))
    audit_record(actor=actor, action="create", obj=programme, changes={"name": [None, programme.name],
                                                                      "categories": [None, sorted(seen)]})
    return programme


def _category(programme: Programme, value, field: str) -> ProductCategory:
    if isinstance(value, ProductCategory):
        if value.programme_id != programme.pk:
            raise ApplicationError(_("产品类别不属于该许可计划"), field=field)
        return value
    text = str(value or "").strip()
    cat = (programme.categories.filter(code=text).first() or programme.categories.filter(name=text).first()
           or (programme.categories.filter(pk=int(text)).first() if text.isdecimal() and len(text) < 12 else None))
    if cat is None:
        raise ApplicationError(_("未知的产品类别：%(v)s") % {"v": value}, field=field)
    return cat


def _date(value, field: str) -> dt.date:
    if isinstance(value, dt.datetime):
        return check_date(value.date(), field)
    if isinstance(value, dt.date):
        return check_date(value, field)
    try:
        day = dt.date.fromisoformat(str(value).strip()[:10])
    except (TypeError, ValueError):
        raise ApplicationError(_("日期格式应为 YYYY-MM-DD：%(v)s") % {"v": value}, field=field) from None
    return check_date(day, field)


@transaction.atomic
def rate_card_create(*, actor: User | None, programme: Programme, version: str, effective_from: dt.date,
                     rates=(), discounts=(), early_birds=(), back_royalty_surcharge_percent: Any = 0,
                     note: str = "") -> RateCard:
    """A new rate card version: rates [{category, per_unit, annual_cap}], discounts [{group, countries, percent}],
    early birds [{category, per_unit, signed_from, signed_to, sales_until}]. Earlier versions stay for sales
    before ``effective_from``."""
    require_admin(actor, programme.pool)
    effective_from = _date(effective_from, "effective_from")
    if programme.rate_cards.filter(effective_from=effective_from).exists():
        raise ApplicationError(_("该生效日期已有费率表版本"), field="effective_from")
    card = RateCard(programme=programme, version=(version or "").strip(), effective_from=effective_from, note=note,
                    back_royalty_surcharge_percent=clean_decimal(back_royalty_surcharge_percent,
                                                                 "back_royalty_surcharge_percent",
                                                                 maximum=Decimal(100), label=_("补缴附加比例")))
    validated_save(card)
    if not rates:
        raise ApplicationError(_("费率表至少需要一个产品类别的单位许可费"), field="rates")
    for r in rates:
        cap = r.get("annual_cap")
        validated_save(Rate(rate_card=card, category=_category(programme, r.get("category"), "rates"),
                            per_unit=clean_decimal(r.get("per_unit"), "rates", places=4, label=_("单位许可费")),
                            annual_cap=None if cap in (None, "") else clean_decimal(cap, "rates",
                                                                                    label=_("年度封顶"))))
    for d in discounts or ():
        validated_save(RegionalDiscount(rate_card=card, group=str(d.get("group") or "").strip(),
                                        countries=clean_countries(d.get("countries"), "discounts"),
                                        percent=clean_decimal(d.get("percent"), "discounts", maximum=Decimal(100),
                                                              label=_("折扣"))))
    for b in early_birds or ():
        validated_save(EarlyBird(rate_card=card, category=_category(programme, b.get("category"), "early_birds"),
                                 per_unit=clean_decimal(b.get("per_unit"), "early_birds", places=4,
                                                        label=_("早鸟单位许可费")),
                                 signed_from=_date(b.get("signed_from"), "early_birds"),
                                 signed_to=_date(b.get("signed_to"), "early_birds"),
                                 sales_until=_date(b.get("sales_until"), "early_birds")))
    audit_record(actor=actor, action="create", obj=card, changes={"version": [None, card.version],
                                                                 "effective_from": [None, effective_from]})
    return card


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


# ---------------------------------------------------------------- licensees


@transaction.atomic
def agreement_create(*, actor: User | None, pool: Pool, programme: Programme, licensee: Organization,
                     number: str = "", countries=(), back_royalty_from: dt.date | None = None) -> Agreement:
    require_admin(actor, pool)
    if programme.pool_id != pool.pk:
        raise ApplicationError(_("许可计划不属于该专利池"), field="programme")
    if licensee.kind == OrganizationKind.IP_OFFICE:
        raise ApplicationError(_("知识产权局不能作为被许可人"), field="licensee")
    if programme.agreements.filter(licensee=licensee).exists():
        raise ApplicationError(_("该单位已有本许可计划的协议"), field="licensee")
    agreement = Agreement(pool=pool, programme=programme, licensee=licensee, number=(number or "").strip(),
                          countries=clean_countries(countries), back_royalty_from=back_royalty_from)
    validated_save(agreement)
    audit_record(actor=actor, action="create", obj=agreement, changes={"licensee": [None, str(licensee)],
                                                                      "countries": [None, agreement.countries]})
    return agreement


@transaction.atomic
def agreement_sign(*, actor: User | None, agreement: Agreement, signed_on: dt.date | None = None) -> Agreement:
    """The licensee (its users) or the administrator records the signature."""
    if not (_member_of(actor, agreement.licensee_id) or is_admin(actor, agreement.pool)):
        raise PermissionDenied(_("只有被许可人或管理人可以签约"))
    if agreement.status != AgreementStatus.DRAFT:
        raise ApplicationError(_("协议已签约或已终止"), field="status")
    agreement.status = AgreementStatus.SIGNED
    agreement.signed_on = signed_on or timezone.localdate()
    validated_save(agreement)
    audit_record(actor=actor, action="transition", obj=agreement,
                 changes={"status": [AgreementStatus.DRAFT, agreement.status], "signed_on": [None, agreement.signed_on]})
    return agreement


def _may_report(actor: User | None, agreement: Agreement) -> bool:
    return _member_of(actor, agreement.licensee_id) or is_admin(actor, agreement.pool)


def clean_lines(agreement: Agreement, rows, period_end: dt.date) -> list[dict]:
    """Report rows [{category, country_made, country_sold, units, sale_date?}] checked; the first error names
    the row."""
    rows = list(rows or ())
    if not rows:
        raise ApplicationError(_("报告至少需要一行"), field="lines")
    if len(rows) > MAX_REPORT_LINES:
        raise ApplicationError(_("报告最多 %(n)d 行") % {"n": MAX_REPORT_LINES}, field="lines")
    out = []
    for i, r in enumerate(rows, start=1):
        try:
            out.append(_clean_line(agreement, r, period_end))
        except ApplicationError as exc:
            raise ApplicationError(_("第 %(i)d 行：%(m)s") % {"i": i, "m": exc.message},
                                   field=f"lines[{i}].{exc.field}") from None
    return out


def _clean_line(agreement: Agreement, r: dict, period_end: dt.date) -> dict:
    try:
        units = int(str(r.get("units", "")).strip().replace(",", ""))
    except ValueError:
        raise ApplicationError(_("数量必须是整数：%(v)s") % {"v": r.get("units")}, field="units") from None
    if units < 0 or units > MAX_UNITS:
        raise ApplicationError(_("数量应在 0 至 %(m)s 件之间：%(v)s") % {"m": f"{MAX_UNITS:,}", "v": f"{units:,}"},
                               field="units")
    sale = r.get("sale_date")
    sale_date = _date(sale, "sale_date") if sale not in (None, "") else period_end
    if sale_date > period_end:
        raise ApplicationError(_("销售日期不能晚于报告期末 %(d)s") % {"d": period_end}, field="sale_date")
    return {"category": _category(agreement.programme, r.get("category"), "category"),
            "country_made": clean_country(r.get("country_made"), "country_made"),
            "country_sold": clean_country(r.get("country_sold"), "country_sold"),
            "units": units, "sale_date": sale_date}


@transaction.atomic
def report_submit(*, actor: User | None, agreement: Agreement, period: str, lines, file_name: str = "",
                  on: dt.date | None = None) -> Report:
    """A licensee's report for a period; its statement is issued at once and audit flags raised. Lines may go
    back before the period (back-royalties) but not after its end."""
    if not _may_report(actor, agreement):
        raise PermissionDenied(_("只有被许可人或管理人可以提交报告"))
    if agreement.status == AgreementStatus.TERMINATED:
        raise ApplicationError(_("协议已终止"), field="agreement")
    period, start, end = parse_period(period)
    if start > (on or timezone.localdate()):
        raise ApplicationError(_("报告期 %(p)s 尚未开始，不能提交报告") % {"p": period}, field="period")
    if agreement.reports.filter(period=period).exists():
        raise ApplicationError(_("该报告期已提交报告：%(p)s") % {"p": period}, field="period")
    cleaned = clean_lines(agreement, lines, end)
    report = Report(agreement=agreement, period=period, period_start=start, period_end=end,
                    submitted_by=_uid(actor), file_name=(file_name or "")[:200])
    validated_save(report)
    ReportLine.objects.bulk_create([ReportLine(report=report, **c) for c in cleaned])
    audit_record(actor=actor, action="create", obj=report, changes={"period": [None, period],
                                                                   "lines": [None, len(cleaned)]})
    if on is not None and on != timezone.localdate():  # a report entered after the fact keeps its own date
        from django.utils.timezone import make_aware

        report.submitted_at = make_aware(dt.datetime.combine(on, dt.time(12)))
        Report.objects.filter(pk=report.pk).update(submitted_at=report.submitted_at)
    report_flags(report=report, on=on or timezone.localdate())
    statement_issue(actor=None, report=report)
    admins = User.objects.filter(organization_id=agreement.pool.administrator_id, role=Role.CENTER_STAFF,
                                 is_active=True)
    notify(users=admins, title=_("被许可人已提交报告：%(r)s") % {"r": report}, url=f"/pools/reports/{report.pk}/",
           kind="pool_report")
    return report


def report_flags(*, report: Report, on: dt.date) -> list[AuditFlag]:
    """Drops against the trend, countries outside the agreement, late reports."""
    agreement = report.agreement
    flags = []
    due = report.period_end + dt.timedelta(days=agreement.pool.report_due_days)
    if on > due:
        flags.append((FlagKind.LATE, _("期限 %(d)s，提交于 %(s)s") % {"d": due, "s": on}))
    allowed = {c.upper() for c in agreement.countries or ()}
    if allowed:
        outside = sorted({c for pair in report.lines.values_list("country_made", "country_sold") for c in pair}
                         - allowed)
        if outside:
            flags.append((FlagKind.OUTSIDE, _("协议地域外：%(c)s") % {"c": "、".join(outside)}))
    units = sum(report.lines.values_list("units", flat=True))
    previous = list(agreement.reports.filter(period_end__lt=report.period_start).order_by("-period_end")[:4])
    if previous:
        avg = Decimal(sum(sum(p.lines.values_list("units", flat=True)) for p in previous)) / len(previous)
        if avg > 0 and Decimal(units) < avg * DROP_THRESHOLD:
            flags.append((FlagKind.DROP, _("本期 %(u)s 件，前 %(n)d 期平均 %(a)s 件")
                          % {"u": f"{units:,}", "n": len(previous), "a": f"{avg.quantize(Decimal('0.1')):,}"}))
    return [AuditFlag.objects.update_or_create(report=report, kind=k, defaults={"detail": d[:500]})[0]
            for k, d in flags]


@transaction.atomic
def statement_issue(*, actor: User | None, report: Report) -> Statement:
    """Compute the report's statement (engine) and freeze it; a previous statement of the report is superseded."""
    if actor is not None:
        require_admin(actor, report.agreement.pool)
    if report.statements.filter(is_current=True, paid_on__isnull=False).exists():
        raise ApplicationError(_("账单已付款，不能重新出具；差额请以稽核记录调整"), field="statement")
    agreement = report.agreement
    pool = agreement.pool
    result = engine.compute_statement(selectors.report_sale_lines(report), selectors.pool_lives(pool),
                                      selectors.rate_card_terms(agreement.programme_id),
                                      selectors.agreement_terms(agreement), selectors.prior_charged(report))
    report.statements.filter(is_current=True).update(is_current=False)
    st = Statement.objects.create(report=report, total=result.total, back_royalties=result.back_royalties,
                                  steps=result.steps)
    StatementLine.objects.bulk_create([StatementLine(
        statement=st, report_line_id=r.line.id, owes=r.owes, back_royalty=r.back_royalty, rate=r.rate,
        rate_basis=r.rate_basis[:200], gross=r.gross, discount=r.discount, surcharge=r.surcharge,
        cap_reduction=r.cap_reduction, amount=r.amount, reason=r.reason,
        coverage=[list(c) for c in r.coverage]) for r in result.lines])
    report.status = ReportStatus.STATEMENT
    report.save(update_fields=["status"])
    audit_record(actor=actor, action="create", obj=st, changes={"total": [None, st.total],
                                                               "back_royalties": [None, st.back_royalties]})
    return st


@transaction.atomic
def statement_mark_paid(*, actor: User | None, statement: Statement, paid_on: dt.date | None = None) -> Statement:
    report = statement.report
    require_admin(actor, report.agreement.pool)
    if not statement.is_current:
        raise ApplicationError(_("只能登记当前账单的付款"), field="statement")
    if statement.paid_on is not None:
        raise ApplicationError(_("该账单已登记付款"), field="paid_on")
    statement.paid_on = paid_on or timezone.localdate()
    statement.save(update_fields=["paid_on"])
    report.status = ReportStatus.PAID
    report.save(update_fields=["status"])
    audit_record(actor=actor, action="update", obj=statement, changes={"paid_on": [None, statement.paid_on]})
    return statement


@transaction.atomic
def audit_create(*, actor: User | None, report: Report, findings: str, adjustment: Any = 0) -> AuditRecord:
    require_admin(actor, report.agreement.pool)
    if not (findings or "").strip():
        raise ApplicationError(_("请填写稽核发现"), field="findings")
    rec = AuditRecord(report=report, findings=findings.strip(), actor=_uid(actor),
                      adjustment=clean_decimal(adjustment, "adjustment", minimum=Decimal("-1e12"),
                                               label=_("调整金额")))
    validated_save(rec)
    audit_record(actor=actor, action="create", obj=report, changes={"audit": [None, rec.findings[:100]],
                                                                   "adjustment": [None, rec.adjustment]})
    return rec


REPORT_COLUMN_LABELS = {"category": _lazy("产品类别"), "country_made": _lazy("制造国"), "country_sold": _lazy("销售国"),
                        "units": _lazy("数量"), "sale_date": _lazy("销售日期"), "file": _lazy("文件")}


def report_import_rows(path: Path, *, file_name: str) -> tuple[list[dict], list[dict]]:
    """Rows of a licensee report spreadsheet (产品类别, 制造国, 销售国, 数量, 销售日期) and row-level errors
    [{row, field, message}] for rows that cannot be read at all (cell checks happen in ``report_submit``)."""
    from ipoc.core.tabular import sheet_rows

    columns = {"产品类别": "category", "category": "category", "制造国": "country_made",
               "country_made": "country_made", "销售国": "country_sold", "country_sold": "country_sold",
               "数量": "units", "units": "units", "销售日期": "sale_date", "sale_date": "sale_date"}
    rows, errors = [], []
    for number, record in sheet_rows(path, kind="spreadsheet", max_rows=MAX_REPORT_LINES, file_name=file_name):
        row = {columns[str(k).strip()]: v for k, v in record.items() if k and str(k).strip() in columns}
        if not rows and not errors and not row:  # the first record: no column the report knows
            errors.append({"row": 1, "field": "file", "message": _(
                "表头无法识别：第一行应为 产品类别、制造国、销售国、数量、销售日期")})
            break
        missing = [c for c in ("category", "country_made", "country_sold", "units") if row.get(c) in (None, "")]
        if missing:
            errors.append({"row": number, "field": missing[0], "message": _(
                "此项为空（公式单元格请先粘贴为数值）")})
            continue
        row["row"] = number
        rows.append(row)
    return rows, errors


@transaction.atomic
def report_import(*, actor: User | None, agreement: Agreement, period: str, path: Path,
                  file_name: str) -> tuple[Report | None, list[dict]]:
    """Import a report from CSV/XLSX: every bad row is reported with its row number and field; nothing is saved
    while any row is bad."""
    rows, errors = report_import_rows(path, file_name=file_name)
    _p, _s, end = parse_period(period)
    good = []
    for r in rows:
        try:
            _clean_line(agreement, r, end)
            good.append(r)
        except ApplicationError as exc:
            errors.append({"row": r["row"], "field": exc.field, "message": exc.message})
    if errors or not good:
        if not errors:
            errors.append({"row": 0, "field": "file", "message": _("文件中没有数据行")})
        for e in errors:
            e["field_label"] = str(REPORT_COLUMN_LABELS.get(e["field"], e["field"]))
        return None, sorted(errors, key=lambda e: e["row"])
    report = report_submit(actor=actor, agreement=agreement, period=period, lines=good, file_name=file_name)
    return report, []


# ---------------------------------------------------------------- allocation


@transaction.atomic
def allocation_run(*, actor: User | None, pool: Pool, year: int, method: str | None = None) -> Allocation:
    """Allocate the year's collected royalties (paid statements) minus the fee; a previous run is superseded."""
    require_admin(actor, pool)
    method = method or pool.allocation_method
    if method not in AllocationMethod.values:
        raise ApplicationError(_("未知的分配公式：%(v)s") % {"v": method}, field="method")
    statements = list(selectors.collected_statements(pool, year))
    lines = [engine.CollectedLine(ln.pk, st.report_id, ln.amount, tuple((int(p), c) for p, c in ln.coverage))
             for st in statements for ln in st.lines.all() if ln.owes]
    counts = {}
    for lic_id in pool.licensors.values_list("pk", flat=True):
        counts[lic_id] = pool.patents.filter(licensor_id=lic_id, status=ListingStatus.LISTED).count()
    result = engine.allocate(lines, selectors.pool_lives(pool), fee_percent=pool.admin_fee_percent, method=method,
                             licensor_ids=list(counts), listed_counts=counts)
    pool.allocations.filter(year=year, is_current=True).update(is_current=False)
    alloc = Allocation.objects.create(pool=pool, year=year, method=method, collected=result.collected, fee=result.fee,
                                      distributable=result.distributable, created_by=_uid(actor))
    AllocationShare.objects.bulk_create([AllocationShare(
        allocation=alloc, licensor_id=s.licensor_id, points=engine.fraction_decimal(s.points), amount=s.amount,
        trace=s.trace) for s in result.shares.values()])
    audit_record(actor=actor, action="create", obj=alloc,
                 changes={"collected": [None, alloc.collected], "fee": [None, alloc.fee],
                          "distributable": [None, alloc.distributable], "method": [None, method],
                          "statements": [None, sorted(s.pk for s in statements)]})
    return alloc


# ---------------------------------------------------------------- conflict check


def _selectors_of(app: str):
    """Another app's selectors module, or None while that app has none yet."""
    import importlib

    try:
        return importlib.import_module(f"ipoc.{app}.selectors")
    except ImportError:
        return None


def _optional(module, name: str, **kwargs) -> set[int]:
    fn = getattr(module, name, None) if module is not None else None
    return set(fn(**kwargs)) if callable(fn) else set()


def conflict_sources(patent_ids: set[int], on: dt.date) -> dict[str, set[int]]:
    """Which of ``patent_ids`` the platform's other records put in conflict with a pool listing (apps that are
    still being built answer nothing)."""
    deal_selectors, licensing_selectors = _selectors_of("deals"), _selectors_of("licensing")
    exclusive = _optional(deal_selectors, "exclusive_licence_patent_ids", on_date=on)
    return {ConflictKind.EXCLUSIVE: exclusive & patent_ids,
            ConflictKind.OPEN_LICENCE: set(_optional(licensing_selectors, "open_licence_patent_ids")) & patent_ids,
            ConflictKind.PLEDGE: set(_optional(licensing_selectors, "pledged_patent_ids")) & patent_ids}


@transaction.atomic
def conflicts_refresh(*, actor: User | None, pool: Pool, on: dt.date | None = None) -> list[ConflictFlag]:
    """Flag listed patents under an exclusive licence, an open-licence declaration, a pledge, a transfer after
    listing (or a holder no longer the licensor) or a lapse; notify the administrator of new flags."""
    if actor is not None:
        require_admin(actor, pool)
    on = on or timezone.localdate()
    listings = list(pool.patents.filter(status=ListingStatus.LISTED).select_related("licensor__organization"))
    by_patent = {x.patent_id: x for x in listings}
    found: list[tuple[PoolPatent, str, str]] = []
    deals = _selectors_of("deals")
    for kind, ids in conflict_sources(set(by_patent), on).items():
        for pid in sorted(ids):
            detail = ""
            if kind == ConflictKind.EXCLUSIVE and callable(getattr(deals, "exclusive_licence_deals", None)):
                detail = "；".join(f"{d['kind_label']}：{d['title']}" for d in deals.exclusive_licence_deals(pid, on))
            found.append((by_patent[pid], kind, detail))
    rows = selectors._patent_rows(by_patent)
    for pid, x in by_patent.items():
        r = rows.get(pid)
        if r is None:
            continue
        life = engine.PatentLife(x.pk, r["number"], r["country"], x.licensor_id, **selectors.life_interval(r))
        state = life.state_on(on)
        if state in (engine.EXPIRED, engine.LAPSED):
            found.append((x, ConflictKind.LAPSE, engine.STATE_WORDS[state]))
        held = patent_selectors.patents_held_by(user=None, organization=x.licensor.organization).filter(pk=pid)
        moved = r["last_transfer_date"] and x.listed_on and r["last_transfer_date"] >= x.listed_on
        if moved or not held.exists():
            found.append((x, ConflictKind.TRANSFER, _("最近转让 %(d)s") % {"d": r["last_transfer_date"]}
                          if moved else _("许可人已不是申请人或权利人")))
    new = []
    for listing, kind, detail in found:
        if not ConflictFlag.objects.filter(pool_patent=listing, kind=kind, resolved_at__isnull=True).exists():
            new.append(ConflictFlag.objects.create(pool_patent=listing, kind=kind, detail=detail[:500]))
    if new:
        audit_record(actor=actor, action="update", obj=pool,
                     changes={"conflicts": [None, [f"{f.pool_patent_id}:{f.kind}" for f in new]]})
        admins = User.objects.filter(organization_id=pool.administrator_id, role=Role.CENTER_STAFF, is_active=True)
        notify(users=admins, title=_("专利池冲突提示 %(n)d 条：%(p)s") % {"n": len(new), "p": pool},
               body="；".join(f"{f.pool_patent.patent.number} {f.get_kind_display()}" for f in new[:10]),
               url=f"/pools/{pool.pk}/#conflicts", kind="pool_conflict")
    return new


def patents_changed(ids: list[int]) -> int:
    """After an import changed patents (legal status, lapse, transfer): the conflict check of every pool listing one
    of them, so a lapse or a transfer reaches its administrator. Returns the number of new flags."""
    changed = set(ids or ())
    if not changed:
        return 0
    # listed patents are few and an import may change millions: intersect on the small side (an IN of every
    # changed id is millions of parameters at 3M patents)
    listed = PoolPatent.objects.filter(status=ListingStatus.LISTED).values_list("pool_id", "patent_id")
    pool_ids = sorted({pool_id for pool_id, patent_id in listed.iterator(chunk_size=5000) if patent_id in changed})
    pools = Pool.objects.filter(pk__in=pool_ids).order_by("pk")
    return sum(len(conflicts_refresh(actor=None, pool=pool)) for pool in pools)


@transaction.atomic
def conflict_resolve(*, actor: User | None, flag: ConflictFlag, resolution: str) -> ConflictFlag:
    require_admin(actor, flag.pool_patent.pool)
    if flag.resolved_at is not None:
        raise ApplicationError(_("该冲突提示已处理"), field="flag")
    if not (resolution or "").strip():
        raise ApplicationError(_("请填写处理说明"), field="resolution")
    flag.resolved_at, flag.resolution = timezone.now(), resolution.strip()[:500]
    flag.save(update_fields=["resolved_at", "resolution"])
    audit_record(actor=actor, action="update", obj=flag.pool_patent, changes={"conflict": [flag.kind, "resolved"]},
                 message=flag.resolution)
    return flag
