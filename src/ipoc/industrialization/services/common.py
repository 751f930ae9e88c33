"""What the sub-domains of 专利产业化 share: who may do what, the small parsers of money, years and shares, and the
checks of a patent link (a signed deal or an open licence)."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext as _

from ipoc.core.display import patent_label
from ipoc.core.errors import ApplicationError, PermissionDenied
from ipoc.core.models import Organization, OrganizationKind, Role, User
from ipoc.core.permissions import acting_center
from ipoc.core.services import audit_record, validated_save
from ipoc.industrialization.models import (
    MAX_YEAR,
    MAX_YUAN,
    MIN_YEAR,
    Brand,
    FilingStatus,
    PatentSource,
    Product,
    Project,
)

ATTACHMENT_SUFFIXES = (".pdf", ".ofd", ".doc", ".docx", ".xls", ".xlsx", ".jpg", ".jpeg", ".png", ".zip")
MAX_ATTACHMENT_BYTES = 20 * 1024 * 1024
MAX_IMPORT_ROWS = 2000
SIGNED_DEAL_STAGES = ("signed", "performing", "completed")  # deals.models.SIGNED_STAGES, by value


def _real(actor: User | None) -> User | None:
    return actor if actor is not None and actor.pk else None


def _is_admin(actor: User | None) -> bool:
    return actor is None or (actor.is_authenticated and actor.is_platform_admin)


# ---------------------------------------------------------------- who may do what


def may_manage_project(actor: User | None, project: Project) -> bool:
    """The project's center staff (and administrators, and the system)."""
    if _is_admin(actor):
        return True
    return (actor.is_authenticated and actor.role == Role.CENTER_STAFF
            and actor.organization_id == project.center_id)


def may_report_project(actor: User | None, project: Project) -> bool:
    """Outcomes are reported by the center or by the implementing enterprise."""
    if may_manage_project(actor, project):
        return True
    return actor.is_authenticated and actor.organization_id == project.enterprise_id


def may_manage_product(actor: User | None, product: Product) -> bool:
    """The enterprise that makes it, the center that cultivates it (or runs its project), administrators."""
    if _is_admin(actor):
        return True
    if not actor.is_authenticated or not actor.organization_id:
        return False
    if actor.organization_id == product.enterprise_id:
        return True
    centers = {product.center_id, product.project.center_id if product.project_id else None}
    return actor.role == Role.CENTER_STAFF and actor.organization_id in centers


def may_record_filing_result(actor: User | None, product: Product) -> bool:
    """Who records the national platform's answers on a filing (认定审查中 / 公示中 / 认定通过 / 未通过): never the
    applicant itself (probe: an enterprise could certify its own product). Platform administrators (and the
    system); staff of an IP office (知识产权管理部门, ``Role.OFFICE_STAFF``) whose area covers the product; staff of
    an operation center that cultivates the product or serves the enterprise (``_center_serves``). Source: the
    results are made and published by 专利密集型产品备案认定试点平台 (policy/RULES.md '专利密集型产品' [S]; the
    article naming who publishes them is 待核实 — rules.SOURCE_RESULTS)."""
    if _is_admin(actor):
        return True
    if not actor.is_authenticated or not actor.organization_id or actor.organization_id == product.enterprise_id:
        return False
    if actor.role == Role.OFFICE_STAFF:
        from ipoc.core.permissions import VIEW, can

        return actor.organization.kind == OrganizationKind.IP_OFFICE and can(actor, VIEW, product)
    if actor.role == Role.CENTER_STAFF:
        if actor.organization_id in {product.center_id, product.project.center_id if product.project_id else None}:
            return True
        return _center_serves(actor.organization_id, product.enterprise_id)
    return False


FILING_REASON_MAX = 500  # 说明 of a status change (the page's form has the same limit)

# The platform's answers on a filing, recorded only by ``may_record_filing_result``.
FILING_RESULTS = (FilingStatus.REVIEWING, FilingStatus.PUBLICIZED, FilingStatus.RECOGNISED,
                  FilingStatus.NOT_RECOGNISED)


def may_move_filing(actor: User | None, product: Product, to_status: str) -> bool:
    """备案 (已备案, with the platform's reference) is the applicant's step — the enterprise or a center acting for
    it (``may_manage_product``); every later status is a result of the platform (``may_record_filing_result``)."""
    if to_status == FilingStatus.FILED:
        return may_manage_product(actor, product)
    return to_status in FILING_RESULTS and may_record_filing_result(actor, product)


def may_manage_brand(actor: User | None, brand: Brand) -> bool:
    if _is_admin(actor):
        return True
    if not actor.is_authenticated or not actor.organization_id:
        return False
    return actor.organization_id == brand.holder_id or (
        actor.role == Role.CENTER_STAFF and actor.organization_id == brand.center_id)


def _require(ok: bool, message: str) -> None:
    if not ok:
        raise PermissionDenied(message)


# ---------------------------------------------------------------- small parsers


def clean_money(value: Any, field: str) -> Decimal | None:
    """An amount in 元: a non-negative number up to 1000 亿元 (None / "" stay None)."""
    if value is None or value == "":
        return None
    try:
        amount = Decimal(str(value).replace(",", "").strip())
    except (InvalidOperation, ValueError):
        raise ApplicationError(_("金额必须是数字：%(v)s") % {"v": value}, field=field) from None
    if not amount.is_finite():
        raise ApplicationError(_("金额必须是数字：%(v)s") % {"v": value}, field=field)
    if amount < 0:
        raise ApplicationError(_("金额不能为负数"), field=field)
    if amount > MAX_YUAN:
        raise ApplicationError(_("金额超出合理范围（上限 1000 亿元）：%(v)s") % {"v": value}, field=field)
    return amount.quantize(Decimal("0.01"))


def clean_share(value: Any, field: str = "patent_revenue_share") -> Decimal | None:
    if value is None or value == "":
        return None
    try:
        share = Decimal(str(value).replace("%", "").strip())
    except (InvalidOperation, ValueError):
        raise ApplicationError(_("占比必须是 0–100 之间的数字：%(v)s") % {"v": value}, field=field) from None
    if not share.is_finite() or share < 0 or share > 100:
        raise ApplicationError(_("占比必须是 0–100 之间的数字：%(v)s") % {"v": value}, field=field)
    return share.quantize(Decimal("0.01"))


def clean_year(value: Any, field: str = "year") -> int:
    try:
        year = int(str(value).strip())
    except (TypeError, ValueError):
        raise ApplicationError(_("年度必须是四位数字：%(v)s") % {"v": value}, field=field) from None
    if not MIN_YEAR <= year <= MAX_YEAR:
        raise ApplicationError(_("年度超出范围（%(a)s–%(b)s）：%(v)s") % {"a": MIN_YEAR, "b": MAX_YEAR, "v": year},
                               field=field)
    return year


def clean_count(value: Any, field: str) -> int | None:
    if value is None or value == "":
        return None
    try:
        n = int(str(value).strip())
    except (TypeError, ValueError):
        raise ApplicationError(_("必须是整数：%(v)s") % {"v": value}, field=field) from None
    if n < 0 or n > 10_000_000:
        raise ApplicationError(_("数值超出合理范围：%(v)s") % {"v": value}, field=field)
    return n


def check_upload(upload: UploadedFile, field: str) -> None:
    from ipoc.core.attachments import check_upload as check

    check(upload, field=field, suffixes=ATTACHMENT_SUFFIXES, max_bytes=MAX_ATTACHMENT_BYTES)


def _enterprise(org: Organization | None, field: str = "enterprise") -> Organization:
    if org is None:
        raise ApplicationError(_("请选择实施企业"), field=field)
    if org.kind != OrganizationKind.ENTERPRISE:
        raise ApplicationError(_("实施单位必须是企业：%(o)s") % {"o": org}, field=field)
    return org


def _center_for(actor: User | None, center: Organization | None) -> Organization:
    return acting_center(actor, center, field="center", not_own=_("只能登记本运营中心的项目"),
                         missing=_("请指定运营中心"),
                         not_center=_("必须是产业知识产权运营中心：%(o)s"))


# ---------------------------------------------------------------- patent links (deal / open licence)


def _deal_for_link(*, deal_id: int | None, patent, enterprise: Organization, source: str):
    """The deal that brought ``patent`` to ``enterprise``: the enterprise is its buyer and the patent is in it."""
    if not deal_id:
        return None
    from ipoc.deals import selectors as deal_selectors
    from ipoc.industrialization.selectors import system_reader

    deal = deal_selectors.deal_list(user=system_reader(), ids=[int(deal_id)]).first()
    if deal is None:
        raise ApplicationError(_("来源交易不存在：%(d)s") % {"d": deal_id}, field="deal")
    if not deal.patents.filter(pk=patent.pk).exists():
        raise ApplicationError(_("交易“%(d)s”不涉及专利 %(p)s") % {"d": deal, "p": patent_text(patent)},
                               field="deal")
    if not deal.buyers.filter(pk=enterprise.pk).exists():
        raise ApplicationError(_("%(o)s 不是交易“%(d)s”的受让/被许可方") % {"o": enterprise, "d": deal}, field="deal")
    if deal.stage not in SIGNED_DEAL_STAGES:
        raise ApplicationError(_("交易“%(d)s”处于“%(s)s”阶段，尚未签约，不能作为取得来源") % {
            "d": deal, "s": deal.get_stage_display()}, field="deal")
    expected = {PatentSource.LICENSED: ("license",), PatentSource.BOUGHT: ("assignment", "equity")}.get(source)
    if expected and deal.deal_type not in expected:
        raise ApplicationError(_("交易“%(d)s”的交易方式为“%(t)s”，与取得方式不符") % {
            "d": deal, "t": deal.get_deal_type_display()}, field="deal")
    return deal


def patent_link_add(*, actor: User | None, owner, link_model, owner_field: str, patent, source: str,
                    deal_id: int | None, open_licence_id: int | None, duplicate: str):
    """Record a patent behind a project or a product (实施专利 / 覆盖专利): owned by the enterprise, or licensed
    or bought through a signed deal or an open licence that covers it; each patent once per owner."""
    if patent is None:
        raise ApplicationError(_("请选择专利"), field="patent")
    if link_model.objects.filter(**{owner_field: owner, "patent": patent}).exists():
        raise ApplicationError(duplicate, field="patent")
    deal = _deal_for_link(deal_id=deal_id, patent=patent, enterprise=owner.enterprise, source=source)
    licence = _check_open_licence(open_licence_id, owner.enterprise, patent)
    _link_checks(source, deal, licence)
    from ipoc.patents import selectors as patent_selectors

    if source == PatentSource.OWNED and not patent_selectors.is_held_by(patent, owner.enterprise):
        raise ApplicationError(_("专利 %(p)s 的申请人或权利人不是 %(o)s：请选择许可或受让取得并关联交易或开放许可") % {
            "p": patent_text(patent), "o": owner.enterprise}, field="source")
    link = link_model(**{owner_field: owner}, patent=patent, source=source, deal=deal, open_licence_id=licence)
    validated_save(link)
    audit_record(actor=actor, action="update", obj=owner, changes={
        "patents": [None, {"patent": patent.pk, "source": source, "deal": deal.pk if deal else None,
                           "open_licence": licence}]})
    return link


def open_licences_of(org_id: int) -> list[dict]:
    """The open licences (开放许可) the organisation holds as licensee, when the licensing app offers them."""
    from ipoc.licensing import selectors as licensing_selectors

    fn = getattr(licensing_selectors, "organization_licences", None)
    if fn is None:
        return []
    try:
        return [row for row in fn(org_id) if row.get("role", "licensee") == "licensee"]
    except Exception:  # another app's read never breaks ours
        return []


def _licence_covers(row: dict, patent) -> bool:
    """An open licence row (licensing.selectors.organization_licences) for ``patent``, still in force."""
    if row.get("status", "in_force") != "in_force":
        return False
    if row.get("patent_id") is not None:
        return int(row["patent_id"]) == patent.pk
    return bool(row.get("patent_number")) and row.get("patent_number") == patent.number


def _check_open_licence(licence_id: int | None, enterprise: Organization, patent) -> int | None:
    if not licence_id:
        return None
    for row in open_licences_of(enterprise.pk):
        if int(row.get("id", 0)) == int(licence_id) and _licence_covers(row, patent):
            return int(licence_id)
    raise ApplicationError(_("%(o)s 没有该开放许可记录：%(l)s") % {"o": enterprise, "l": licence_id},
                           field="open_licence")


def _link_checks(source: str, deal, licence_id) -> None:
    if source not in PatentSource.values:
        raise ApplicationError(_("未知的取得方式：%(s)s") % {"s": source}, field="source")
    if source == PatentSource.OWNED and (deal is not None or licence_id):
        raise ApplicationError(_("自有专利无需关联交易或许可"), field="deal")
    if source == PatentSource.BOUGHT and deal is None:
        raise ApplicationError(_("受让取得的专利请关联带来该专利的交易"), field="deal")
    if source == PatentSource.LICENSED and deal is None and not licence_id:
        raise ApplicationError(_("许可取得的专利请关联许可交易或开放许可记录"), field="deal")


def _center_serves(center_id: int, organization_id: int) -> bool:
    """A center serves an enterprise: a project of the center implemented by it, or (``deals.selectors.
    center_serves``) a deal the center brokers with it as a party or a demand of it the center handles."""
    from ipoc.deals import selectors as deal_selectors

    if Project.objects.filter(center_id=center_id, enterprise_id=organization_id).exists():
        return True
    return deal_selectors.center_serves(center_id, organization_id)


def _has_number(patent) -> bool:
    return bool(patent.publication_number or patent.grant_number or patent.application_number)


def patent_text(patent) -> str:
    """How a message names a patent: its number, else its title in quotes (never an internal key)."""
    label = patent_label(patent)[0]
    return label if _has_number(patent) else f"“{label}”"
