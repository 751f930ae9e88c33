"""重点领域专利池: who may do what, and the pool set-up (standards, licensors, programmes, rate cards, agreements)."""

from __future__ import annotations

import datetime as dt
import re
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from ipoc.core.bounds import check_date
from ipoc.core.errors import ApplicationError, PermissionDenied
from ipoc.core.models import Organization, OrganizationKind, Role, User
from ipoc.core.services import audit_record, validated_save
from ipoc.pools.models import (
    AllocationMethod,
    EarlyBird,
    Evaluation,
    EvaluationStatus,
    Licensor,
    ListingStatus,
    Pool,
    PoolStatus,
    ProductCategory,
    Programme,
    Rate,
    RateCard,
    RegionalDiscount,
    Standard,
    StandardSection,
    StandardVersion,
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
