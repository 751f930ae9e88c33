"""Writes for 专利产业化 — projects (立项 → 中试 → 量产 → 达产), 专利密集型产品 with their yearly data and
备案认定 filings (checked before the pack is exported), brands and trademarks. Every write is checked, validated,
atomic and audited."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from ipoc.core.display import patent_label
from ipoc.core.errors import ApplicationError, PermissionDenied
from ipoc.core.models import Organization, OrganizationKind, Role, User
from ipoc.core.services import audit_record, model_update, validated_save
from ipoc.industrialization import rules
from ipoc.industrialization.models import (
    FILING_TRANSITIONS,
    MAX_YEAR,
    MAX_YUAN,
    MIN_YEAR,
    PROJECT_TRANSITIONS,
    Brand,
    BrandAward,
    FilingStatus,
    FilingStatusChange,
    Investment,
    Milestone,
    PatentSource,
    Product,
    ProductFiling,
    ProductPatent,
    ProductYear,
    Project,
    ProjectOutcome,
    ProjectPartner,
    ProjectPatent,
    ProjectStage,
    ProjectStageChange,
    Trademark,
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
    if Path(upload.name or "").suffix.lower() not in ATTACHMENT_SUFFIXES:
        raise ApplicationError(_("附件格式不支持（允许 %(s)s）：%(n)s") % {"s": " ".join(ATTACHMENT_SUFFIXES),
                                                                          "n": upload.name}, field=field)
    if upload.size is not None and upload.size > MAX_ATTACHMENT_BYTES:
        raise ApplicationError(_("附件过大（上限 20 MB）：%(n)s") % {"n": upload.name}, field=field)
    from ipoc.core.attachments import check_attachment

    upload.seek(0)
    head = upload.read(8192)
    upload.seek(0)
    try:
        check_attachment(upload.name or "", head)
    except ApplicationError as exc:
        raise ApplicationError(exc.message, field=field) from None


def _enterprise(org: Organization | None, field: str = "enterprise") -> Organization:
    if org is None:
        raise ApplicationError(_("请选择实施企业"), field=field)
    if org.kind != OrganizationKind.ENTERPRISE:
        raise ApplicationError(_("实施单位必须是企业：%(o)s") % {"o": org}, field=field)
    return org


def _center_for(actor: User | None, center: Organization | None) -> Organization:
    if actor is not None and actor.role == Role.CENTER_STAFF and not actor.is_platform_admin:
        if center is not None and center.pk != actor.organization_id:
            raise PermissionDenied(_("只能登记本运营中心的项目"), field="center")
        center = actor.organization
    if center is None:
        raise ApplicationError(_("请指定运营中心"), field="center")
    if center.kind != OrganizationKind.OPERATION_CENTER:
        raise ApplicationError(_("必须是产业知识产权运营中心：%(o)s") % {"o": center}, field="center")
    return center


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
    expected = {PatentSource.LICENSED: ("license",), PatentSource.BOUGHT: ("assignment", "equity")}.get(source)
    if expected and deal.deal_type not in expected:
        raise ApplicationError(_("交易“%(d)s”的交易方式为“%(t)s”，与取得方式不符") % {
            "d": deal, "t": deal.get_deal_type_display()}, field="deal")
    return deal


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


# ---------------------------------------------------------------- projects


PROJECT_FIELDS = ("title", "start_date", "summary", "chain_node", "demand", "event", "enterprise")


def _check_chain_node(center: Organization, node) -> None:
    if node is not None and node.center_id != center.pk:
        raise ApplicationError(_("产业链节点不属于本运营中心：%(n)s") % {"n": node}, field="chain_node")


DEAL_SOURCES = {"license": PatentSource.LICENSED, "assignment": PatentSource.BOUGHT, "equity": PatentSource.BOUGHT}


@transaction.atomic
def project_create(*, actor: User | None, title: str, enterprise: Organization | None = None,
                   start_date: dt.date | None = None, center: Organization | None = None, summary: str = "",
                   chain_node=None, demand=None, event=None, deal=None) -> Project:
    """Open a project at 立项. Center staff open projects for their own center.

    ``deal``: the deal the project implements (a deal the actor may see). Its buyer is the enterprise when none
    is given, its demand and event are the project's sources, and its patents are recorded as implemented —
    licensed (许可) or bought (转让、作价入股) through that deal."""
    if actor is not None and not actor.is_platform_admin and actor.role != Role.CENTER_STAFF:
        raise PermissionDenied(_("只有运营中心工作人员可以登记产业化项目"))
    center = _center_for(actor, center)
    if deal is not None:
        if deal.stage not in SIGNED_DEAL_STAGES:
            raise ApplicationError(_("交易“%(d)s”尚未签约，不能据此立项") % {"d": deal}, field="deal")
        if enterprise is None:
            enterprise = deal.buyers.filter(kind=OrganizationKind.ENTERPRISE).first()
            if enterprise is None:
                raise ApplicationError(_("交易“%(d)s”的受让/被许可方中没有企业，请选择实施企业") % {"d": deal},
                                       field="enterprise")
        demand = demand or deal.demand
        event = event or deal.event
    _check_chain_node(center, chain_node)
    project = Project(title=(title or "").strip(), center=center, enterprise=_enterprise(enterprise),
                      start_date=start_date or timezone.localdate(), summary=summary or "", chain_node=chain_node,
                      demand=demand, event=event, created_by=_real(actor))
    validated_save(project)
    ProjectStageChange.objects.create(project=project, from_stage="", to_stage=project.stage, actor=_real(actor),
                                      reason=_("立项"))
    audit_record(actor=actor, action="create", obj=project, changes={
        "title": [None, project.title], "center": [None, str(center)], "enterprise": [None, str(project.enterprise)],
        "chain_node": [None, str(chain_node) if chain_node else None], "demand": [None, project.demand_id],
        "deal": [None, deal.pk if deal is not None else None]})
    if deal is not None and deal.deal_type in DEAL_SOURCES:
        for patent in deal.patents.all():
            project_patent_add(actor=actor, project=project, patent=patent, source=DEAL_SOURCES[deal.deal_type],
                               deal_id=deal.pk)
    return project


@transaction.atomic
def project_update(*, actor: User | None, project: Project, data: dict[str, Any]) -> Project:
    _require(may_manage_project(actor, project), _("只有负责该项目的运营中心可以修改：%(p)s") % {"p": project})
    data = dict(data)
    if "enterprise" in data:
        _enterprise(data["enterprise"])
    if "chain_node" in data:
        _check_chain_node(project.center, data["chain_node"])
    changes = model_update(instance=project, data=data, fields=PROJECT_FIELDS)
    if changes:
        audit_record(actor=actor, action="update", obj=project, changes={k: [str(a) if a is not None else None,
                                                                             str(b) if b is not None else None]
                                                                         for k, (a, b) in changes.items()})
    return project


@transaction.atomic
def project_transition(*, actor: User | None, project: Project, to_stage: str, reason: str = "") -> Project:
    """Move a project one stage on (立项 → 中试 → 量产 → 达产). 量产 needs at least one implemented patent."""
    project = Project.objects.select_for_update().get(pk=project.pk)
    _require(may_manage_project(actor, project), _("只有负责该项目的运营中心可以推进阶段：%(p)s") % {"p": project})
    if to_stage not in PROJECT_TRANSITIONS.get(project.stage, ()):
        label = ProjectStage(to_stage).label if to_stage in ProjectStage.values else to_stage
        raise ApplicationError(_("项目阶段不能从“%(a)s”变为“%(b)s”") % {"a": project.get_stage_display(), "b": label},
                               field="stage", code="invalid_transition")
    if to_stage in (ProjectStage.MASS_PRODUCTION, ProjectStage.FULL_CAPACITY) and \
            not project.project_patents.exists():
        raise ApplicationError(_("进入量产前请登记项目实施的专利"), field="patents")
    previous = project.stage
    project.stage = to_stage
    validated_save(project)
    ProjectStageChange.objects.create(project=project, from_stage=previous, to_stage=to_stage, actor=_real(actor),
                                      reason=(reason or "").strip())
    audit_record(actor=actor, action="transition", obj=project, changes={"stage": [previous, to_stage]},
                 message=reason or "")
    return project


@transaction.atomic
def project_patent_add(*, actor: User | None, project: Project, patent, source: str, deal_id: int | None = None,
                       open_licence_id: int | None = None) -> ProjectPatent:
    """Record a patent the project implements and the deal or open licence that brought it."""
    _require(may_manage_project(actor, project), _("只有负责该项目的运营中心可以登记实施专利"))
    if patent is None:
        raise ApplicationError(_("请选择专利"), field="patent")
    if project.project_patents.filter(patent=patent).exists():
        raise ApplicationError(_("该专利已登记在本项目中"), field="patent")
    deal = _deal_for_link(deal_id=deal_id, patent=patent, enterprise=project.enterprise, source=source)
    licence = _check_open_licence(open_licence_id, project.enterprise, patent)
    _link_checks(source, deal, licence)
    link = ProjectPatent(project=project, patent=patent, source=source, deal=deal, open_licence_id=licence)
    validated_save(link)
    audit_record(actor=actor, action="update", obj=project, changes={
        "patents": [None, {"patent": patent.pk, "source": source, "deal": deal.pk if deal else None,
                           "open_licence": licence}]})
    return link


@transaction.atomic
def project_patent_remove(*, actor: User | None, link: ProjectPatent) -> None:
    _require(may_manage_project(actor, link.project), _("只有负责该项目的运营中心可以修改实施专利"))
    audit_record(actor=actor, action="update", obj=link.project, changes={"patents": [link.patent_id, None]})
    link.delete()


@transaction.atomic
def project_partner_add(*, actor: User | None, project: Project, organization: Organization,
                        role: str) -> ProjectPartner:
    _require(may_manage_project(actor, project), _("只有负责该项目的运营中心可以登记合作方"))
    if organization is None:
        raise ApplicationError(_("请选择合作单位"), field="organization")
    if project.partners.filter(organization=organization, role=role).exists():
        raise ApplicationError(_("该合作方已登记"), field="organization")
    partner = ProjectPartner(project=project, organization=organization, role=role)
    validated_save(partner)
    audit_record(actor=actor, action="update", obj=project, changes={"partners": [None, [organization.pk, role]]})
    return partner


@transaction.atomic
def project_milestone_add(*, actor: User | None, project: Project, title: str, due_date: dt.date | None = None,
                          done_date: dt.date | None = None, note: str = "") -> Milestone:
    _require(may_report_project(actor, project), _("您无权修改该项目的里程碑"))
    milestone = Milestone(project=project, title=(title or "").strip(), due_date=due_date, done_date=done_date,
                          note=note or "")
    validated_save(milestone)
    audit_record(actor=actor, action="update", obj=project, changes={"milestones": [None, milestone.title]})
    return milestone


@transaction.atomic
def project_milestone_done(*, actor: User | None, milestone: Milestone, on: dt.date | None = None) -> Milestone:
    _require(may_report_project(actor, milestone.project), _("您无权修改该项目的里程碑"))
    milestone.done_date = on or timezone.localdate()
    validated_save(milestone)
    audit_record(actor=actor, action="update", obj=milestone.project,
                 changes={"milestone_done": [milestone.title, milestone.done_date]})
    return milestone


@transaction.atomic
def project_investment_add(*, actor: User | None, project: Project, source: str, amount: Any,
                           investor: Organization | None = None, date: dt.date | None = None,
                           note: str = "") -> Investment:
    _require(may_manage_project(actor, project), _("只有负责该项目的运营中心可以登记投资"))
    value = clean_money(amount, "amount")
    if value is None:
        raise ApplicationError(_("请填写金额"), field="amount")
    inv = Investment(project=project, source=source, amount=value, investor=investor, date=date, note=note or "")
    validated_save(inv)
    audit_record(actor=actor, action="update", obj=project, changes={"investments": [None, [source, value]]})
    return inv


@transaction.atomic
def project_outcome_add(*, actor: User | None, project: Project, year: Any, output_value: Any = None,
                        sales: Any = None, jobs: Any = None, new_patents: Any = None, note: str = "",
                        evidence: UploadedFile | None = None) -> ProjectOutcome:
    """Record a year's outcomes; one record per year (a second one for the same year is refused)."""
    _require(may_report_project(actor, project), _("您无权填报该项目的成效"))
    year = clean_year(year)
    if project.outcomes.filter(year=year).exists():
        raise ApplicationError(_("%(y)s 年度成效已填报，不能重复填报") % {"y": year}, field="year",
                               code="duplicate")
    outcome = ProjectOutcome(project=project, year=year, output_value=clean_money(output_value, "output_value"),
                             sales=clean_money(sales, "sales"), jobs=clean_count(jobs, "jobs"),
                             new_patents=clean_count(new_patents, "new_patents"), note=note or "")
    if evidence is not None:
        check_upload(evidence, "evidence")
        outcome.evidence.save(evidence.name, evidence, save=False)
    validated_save(outcome)
    audit_record(actor=actor, action="update", obj=project, changes={"outcome": [None, {
        "year": year, "output_value": outcome.output_value, "sales": outcome.sales, "jobs": outcome.jobs,
        "new_patents": outcome.new_patents}]})
    return outcome


# ---------------------------------------------------------------- products


PRODUCT_FIELDS = ("name", "category", "catalogue_code", "description", "features", "brand", "project")


def _check_product_refs(actor: User | None, enterprise: Organization, brand, project) -> None:
    if brand is not None and brand.holder_id != enterprise.pk and not _is_admin(actor):
        # a brand of another holder may still be used under licence, but only an administrator records that
        raise ApplicationError(_("品牌“%(b)s”不属于 %(o)s") % {"b": brand, "o": enterprise}, field="brand")
    if project is not None and project.enterprise_id != enterprise.pk:
        raise ApplicationError(_("产业化项目“%(p)s”的实施企业不是 %(o)s") % {"p": project, "o": enterprise},
                               field="project")


def _center_serves(center_id: int, organization_id: int) -> bool:
    """A center serves an enterprise: a project of the center implemented by it, or (``deals.selectors.
    center_serves``) a deal the center brokers with it as a party or a demand of it the center handles."""
    from ipoc.deals import selectors as deal_selectors

    if Project.objects.filter(center_id=center_id, enterprise_id=organization_id).exists():
        return True
    return deal_selectors.center_serves(center_id, organization_id)


def _require_served(actor: User | None, center: Organization | None, organization: Organization | None, *,
                    field: str) -> None:
    """Center staff act in an enterprise's name only for an enterprise their center serves: one with a project of
    the center, a deal it brokers or a demand it handles (probe, issue 19: any center could file for anyone)."""
    if actor is None or actor.is_platform_admin or actor.role != Role.CENTER_STAFF or organization is None:
        return
    if center is not None and _center_serves(center.pk, organization.pk):
        return
    raise PermissionDenied(_("本中心尚未服务该单位（无本中心的产业化项目、撮合交易或受理需求），不能以其名义登记"), field=field)


def product_create(*, actor: User | None, name: str, category: str, enterprise: Organization | None = None,
                   catalogue_code: str = "", center: Organization | None = None, project: Project | None = None,
                   brand: Brand | None = None, description: str = "", features: str = "") -> Product:
    """Register a 专利密集型产品. An enterprise user registers its own products; center staff those of the
    enterprises they serve (the center is recorded as cultivating it)."""
    if actor is not None and not actor.is_platform_admin:
        if actor.role == Role.CENTER_STAFF:
            center = actor.organization
        elif actor.role == Role.ENTERPRISE_USER:
            if enterprise is not None and enterprise.pk != actor.organization_id:
                raise PermissionDenied(_("只能登记本企业的产品"), field="enterprise")
            enterprise = actor.organization
        else:
            raise PermissionDenied(_("只有企业或运营中心可以登记专利密集型产品"))
    if project is not None and enterprise is None:
        enterprise = project.enterprise
    enterprise = _enterprise(enterprise)
    if project is not None and center is None:
        center = project.center
    _require_served(actor, center, enterprise, field="enterprise")
    _check_product_refs(actor, enterprise, brand, project)
    product = Product(name=(name or "").strip(), category=(category or "").strip(),
                      catalogue_code=(catalogue_code or "").strip(), enterprise=enterprise, center=center,
                      project=project, brand=brand, description=description or "", features=features or "",
                      created_by=_real(actor))
    validated_save(product)
    audit_record(actor=actor, action="create", obj=product, changes={
        "name": [None, product.name], "enterprise": [None, str(enterprise)], "project": [None, product.project_id],
        "catalogue_code": [None, product.catalogue_code]})
    return product


@transaction.atomic
def product_update(*, actor: User | None, product: Product, data: dict[str, Any]) -> Product:
    _require(may_manage_product(actor, product), _("您无权修改该产品：%(p)s") % {"p": product})
    data = dict(data)
    trademarks = data.pop("trademarks", None)
    _check_product_refs(actor, product.enterprise, data.get("brand", product.brand), data.get("project",
                                                                                            product.project))
    changes = model_update(instance=product, data=data, fields=PRODUCT_FIELDS)
    if trademarks is not None:
        trademarks = list(trademarks)
        foreign = [t for t in trademarks if t.holder_id != product.enterprise_id]
        if foreign and not _is_admin(actor):
            raise ApplicationError(_("商标 %(t)s 的注册人不是本企业") % {"t": foreign[0]}, field="trademarks")
        old = sorted(product.trademarks.values_list("pk", flat=True))
        new = sorted(t.pk for t in trademarks)
        if old != new:
            product.trademarks.set(trademarks)
            changes["trademarks"] = [old, new]
    if changes:
        audit_record(actor=actor, action="update", obj=product, changes={
            k: [str(a) if a is not None and not isinstance(a, list) else a,
                str(b) if b is not None and not isinstance(b, list) else b] for k, (a, b) in changes.items()})
    return product


@transaction.atomic
def product_patent_add(*, actor: User | None, product: Product, patent, source: str, deal_id: int | None = None,
                       open_licence_id: int | None = None) -> ProductPatent:
    """A patent covering the product: owned by the enterprise, or licensed/bought through a deal or open licence."""
    _require(may_manage_product(actor, product), _("您无权修改该产品：%(p)s") % {"p": product})
    if patent is None:
        raise ApplicationError(_("请选择专利"), field="patent")
    if product.product_patents.filter(patent=patent).exists():
        raise ApplicationError(_("该专利已登记为本产品的覆盖专利"), field="patent")
    deal = _deal_for_link(deal_id=deal_id, patent=patent, enterprise=product.enterprise, source=source)
    licence = _check_open_licence(open_licence_id, product.enterprise, patent)
    _link_checks(source, deal, licence)
    link = ProductPatent(product=product, patent=patent, source=source, deal=deal, open_licence_id=licence)
    validated_save(link)
    audit_record(actor=actor, action="update", obj=product, changes={
        "patents": [None, {"patent": patent.pk, "source": source, "deal": deal.pk if deal else None,
                           "open_licence": licence}]})
    return link


@transaction.atomic
def product_patent_remove(*, actor: User | None, link: ProductPatent) -> None:
    _require(may_manage_product(actor, link.product), _("您无权修改该产品"))
    audit_record(actor=actor, action="update", obj=link.product, changes={"patents": [link.patent_id, None]})
    link.delete()


@transaction.atomic
def product_year_add(*, actor: User | None, product: Product, year: Any, output_value: Any = None,
                     sales: Any = None, patent_revenue_share: Any = None, note: str = "",
                     evidence: UploadedFile | None = None) -> ProductYear:
    """A product's data for one year. One record per year: a second one for the same year is refused."""
    _require(may_manage_product(actor, product), _("您无权填报该产品的数据：%(p)s") % {"p": product})
    year = clean_year(year)
    if product.years.filter(year=year).exists():
        raise ApplicationError(_("%(p)s 的 %(y)s 年度数据已填报，不能重复填报") % {"p": product, "y": year},
                               field="year", code="duplicate")
    record = ProductYear(product=product, year=year, output_value=clean_money(output_value, "output_value"),
                         sales=clean_money(sales, "sales"), patent_revenue_share=clean_share(patent_revenue_share),
                         note=(note or "")[:500])
    if evidence is not None:
        check_upload(evidence, "evidence")
        record.evidence.save(evidence.name, evidence, save=False)
    try:
        with transaction.atomic():
            validated_save(record)
    except IntegrityError:  # a concurrent request filed the same year first
        raise ApplicationError(_("%(p)s 的 %(y)s 年度数据已填报，不能重复填报") % {"p": product, "y": year},
                               field="year", code="duplicate") from None
    audit_record(actor=actor, action="update", obj=product, changes={"year_data": [None, {
        "year": year, "output_value": record.output_value, "sales": record.sales,
        "patent_revenue_share": record.patent_revenue_share}]})
    return record


IMPORT_COLUMNS = {
    "product": ("产品名称", "产品"), "year": ("数据年度", "年度"), "output_value": ("产值（元）", "产值"),
    "sales": ("销售额（元）", "销售额"), "patent_revenue_share": ("专利贡献收入占比（%）", "专利贡献收入占比"),
    "note": ("说明", "备注"),
}


def _cell(row: dict, key: str):
    for header in IMPORT_COLUMNS[key]:
        if header in row and row[header] not in (None, ""):
            value = row[header]
            return value.strip() if isinstance(value, str) else value
    return None


def product_years_import(*, actor: User | None, path: Path, file_name: str = "") -> dict:
    """Import yearly product data from an xlsx/csv: each valid row is saved, each bad row is reported with its
    row number, column and reason (a product the actor may not manage, a year already filed, a bad number)."""
    from ipoc.core.tabular import sheet_rows
    from ipoc.industrialization import selectors

    manageable = {p.name: p for p in selectors.product_list(user=actor) if may_manage_product(actor, p)} \
        if actor is not None else {p.name: p for p in Product.objects.all()}
    created, errors = [], []
    for number, row in sheet_rows(Path(path), max_rows=MAX_IMPORT_ROWS, file_name=file_name or Path(path).name):
        if not created and not errors and not any(h in row for h in (*IMPORT_COLUMNS["product"],
                                                                      *IMPORT_COLUMNS["year"])):
            # not a yearly-data sheet: one clear refusal rather than every row "找不到可填报的产品：（空）"
            raise ApplicationError(_("%(f)s 的表头缺少“产品名称”和“数据年度”列") % {"f": file_name or Path(path).name},
                                   field="file")
        name = _cell(row, "product")
        product = manageable.get(str(name)) if name else None
        if product is None:
            errors.append({"row": number, "field": "产品名称",
                           "message": _("找不到可填报的产品：%(n)s") % {"n": name or "（空）"}})
            continue
        try:
            with transaction.atomic():
                record = product_year_add(actor=actor, product=product, year=_cell(row, "year"),
                                          output_value=_cell(row, "output_value"), sales=_cell(row, "sales"),
                                          patent_revenue_share=_cell(row, "patent_revenue_share"),
                                          note=str(_cell(row, "note") or ""))
            created.append(record.pk)
        except ApplicationError as exc:
            column = {"year": "数据年度", "output_value": "产值（元）", "sales": "销售额（元）",
                      "patent_revenue_share": "专利贡献收入占比（%）"}.get(exc.field or "", exc.field or "")
            errors.append({"row": number, "field": column, "message": exc.message})
    return {"created": len(created), "ids": created, "errors": errors}


# ---------------------------------------------------------------- filing (备案认定)


def filing_problems(product: Product, data_year: int, *, on_date: dt.date | None = None) -> list[dict]:
    """What stops the pack from being exported: each problem names its field and says why.

    - at least one covering patent, each in force on ``on_date`` (today);
    - the enterprise holds each owned patent, and each licensed/bought one comes from a signed deal in which it
      is the buyer (or an open licence it holds);
    - the data year's figures (产值、销售额、专利贡献收入占比) are present.
    """
    from ipoc.patents import selectors as patent_selectors

    on_date = on_date or timezone.localdate()
    problems: list[dict] = []
    links = list(product.product_patents.select_related("patent", "deal"))
    if not links:
        problems.append({"field": "patents", "message": _("尚未登记覆盖该产品的专利")})
    summaries = patent_selectors.patent_summaries([link.patent_id for link in links], on_date=on_date)
    enterprise = product.enterprise
    for link in links:
        s = summaries.get(link.patent_id, {})
        label = patent_text(link.patent)
        if not s.get("in_force"):
            if s.get("legal_status"):
                problems.append({"field": "patents", "code": "lapsed", "patent": link.patent_id, "message": _(
                    "专利 %(p)s 已不在有效期内（法律状态：%(s)s），不能作为支撑专利") % {
                    "p": label, "s": s.get("legal_status_label")}})
            else:
                problems.append({"field": "patents", "code": "status_unknown", "patent": link.patent_id,
                                 "message": _("专利 %(p)s 的法律状态未知，无法确认有效，请先更新法律状态") % {"p": label}})
        if link.source == PatentSource.OWNED:
            holders = s.get("holders") or []
            held = any(h.get("organization_id") == enterprise.pk or h.get("name") == enterprise.name
                       for h in holders)
            if not held:
                problems.append({"field": "patents", "code": "not_held", "patent": link.patent_id, "message": _(
                    "专利 %(p)s 的权利人不是 %(o)s，请改为许可或受让取得并关联交易") % {"p": label, "o": enterprise}})
        elif link.deal_id:
            if link.deal is None or link.deal.stage not in SIGNED_DEAL_STAGES:
                problems.append({"field": "patents", "code": "deal_not_signed", "patent": link.patent_id,
                                 "message": _("专利 %(p)s 的来源交易尚未签约") % {"p": label}})
        elif not (link.open_licence_id and any(int(r.get("id", 0)) == link.open_licence_id
                                               and _licence_covers(r, link.patent)
                                               for r in open_licences_of(enterprise.pk))):
            problems.append({"field": "patents", "code": "no_licence", "patent": link.patent_id,
                             "message": _("专利 %(p)s 未关联有效的许可或受让记录") % {"p": label}})
    record = product.years.filter(year=data_year).first()
    if record is None:
        problems.append({"field": "year", "message": _("缺少 %(y)s 年度数据") % {"y": data_year}})
    else:
        for name, label in (("output_value", _("产值")), ("sales", _("销售额")),
                            ("patent_revenue_share", _("专利贡献收入占比"))):
            if getattr(record, name) is None:
                problems.append({"field": name, "message": _("%(y)s 年度缺少%(f)s") % {"y": data_year, "f": label}})
    if not enterprise.credit_code:
        problems.append({"field": "enterprise", "message": _("申报单位缺少统一社会信用代码")})
    return problems


def _has_number(patent) -> bool:
    return bool(patent.publication_number or patent.grant_number or patent.application_number)


def patent_text(patent) -> str:
    """How a message names a patent: its number, else its title in quotes (never an internal key)."""
    label = patent_label(patent)[0]
    return label if _has_number(patent) else f"“{label}”"


def _wan(value: Decimal | None) -> str:
    return "" if value is None else f"{value / Decimal(10000):.2f}"


def pack_data(product: Product, data_year: int) -> dict:
    """The pack's fields (rules.PACK_FIELDS) filled from the records, and the covering patents' rows."""
    from ipoc.core.validators import region_name
    from ipoc.patents import selectors as patent_selectors

    record = product.years.filter(year=data_year).first()
    links = list(product.product_patents.select_related("patent", "deal"))
    summaries = patent_selectors.patent_summaries([link.patent_id for link in links])
    e = product.enterprise
    patents = []
    for link in links:
        s = summaries.get(link.patent_id, {})
        p = link.patent
        patents.append({"number": patent_label(p)[0] if _has_number(p) else "", "title": p.title,
                        "type": str(p.get_patent_type_display()) if p.patent_type else "",
                        "legal_status": s.get("legal_status_label", ""),
                        "source": str(link.get_source_display()),
                        "deal": str(link.deal) if link.deal else "",
                        "holders": "、".join(h["name"] for h in s.get("holders", []))})
    values = {
        "product_name": product.name, "category": product.category, "catalogue_code": product.catalogue_code,
        "enterprise": e.name, "credit_code": e.credit_code or "",
        "region": f"{region_name(e.region_code) or ''}（{e.region_code}）" if e.region_code else "",
        "contact": " ".join(x for x in (e.contact_name, e.contact_phone) if x), "data_year": str(data_year),
        "output_value": _wan(record.output_value) if record else "", "sales": _wan(record.sales) if record else "",
        "patent_revenue_share": str(record.patent_revenue_share) if record and record.patent_revenue_share
        is not None else "",
        "patents": "；".join(f"{x['number'] or x['title']}（{x['source']}）" for x in patents),
        "brand": "、".join(str(t) for t in product.trademarks.all()) or (product.brand.name if product.brand else ""),
        "evidence": _("已上传") if record and record.evidence else "",
    }
    fields = [{"code": f.code, "label": str(f.label), "value": values.get(f.code, ""), "required": f.required,
               "verified": f.verified} for f in rules.pack_fields()]
    return {"fields": fields, "patents": patents, "data_year": data_year,
            "sources": [str(rules.SOURCE_FILING), str(rules.SOURCE_APPLICANT), str(rules.SOURCE_STANDARD)]}


def _refuse_problems(problems: list[dict]) -> None:
    message = _("备案材料未通过导出前检查：") + "；".join(p["message"] for p in problems)
    raise ApplicationError(message, field=problems[0]["field"], code="pack_refused",
                           extra={"problems": [{k: str(v) if k == "message" else v for k, v in p.items()}
                                               for p in problems]})


@transaction.atomic
def filing_prepare(*, actor: User | None, product: Product, data_year: Any) -> ProductFiling:
    """Check the records and freeze the pack for the data year. Refused, with every reason, when a check fails."""
    _require(may_manage_product(actor, product), _("您无权为该产品准备备案材料：%(p)s") % {"p": product})
    data_year = clean_year(data_year, "data_year")
    problems = filing_problems(product, data_year)
    if problems:
        _refuse_problems(problems)
    filing = product.filings.filter(data_year=data_year).first()
    if filing is not None and filing.status != FilingStatus.PREPARED:
        raise ApplicationError(_("%(y)s 年度已备案（%(s)s），不能重新准备材料") % {
            "y": data_year, "s": filing.get_status_display()}, field="data_year", code="duplicate")
    pack = pack_data(product, data_year)
    if filing is None:
        filing = ProductFiling(product=product, data_year=data_year, created_by=_real(actor), pack=pack)
        validated_save(filing)
        FilingStatusChange.objects.create(filing=filing, from_status="", to_status=filing.status,
                                          actor=_real(actor), reason=_("材料已准备"))
    else:
        filing.pack = pack
        validated_save(filing)
    audit_record(actor=actor, action="update", obj=product, changes={"filing": [None, {"data_year": data_year}]})
    return filing


def filing_for_export(product: Product, data_year: int | None = None) -> ProductFiling:
    """The filing to export (the command line): the one of ``data_year`` (default: the latest year with data);
    prepared now — checks first, refused with every reason — when there is none yet or it is still a draft."""
    if data_year is None:
        latest = product.years.order_by("-year").first()
        if latest is None:
            raise ApplicationError(_("%(p)s 尚未填报年度数据") % {"p": product}, field="year")
        data_year = latest.year
    filing = product.filings.filter(data_year=data_year).first()
    if filing is None or filing.status == FilingStatus.PREPARED:
        filing = filing_prepare(actor=None, product=product, data_year=data_year)
    return filing


def _reference(value: str, field: str) -> str:
    value = (value or "").strip()
    if len(value) > 100:
        raise ApplicationError(_("编号最多 100 字"), field=field)
    return value


@transaction.atomic
def filing_transition(*, actor: User | None, filing: ProductFiling, to_status: str, reason: str = "",
                      on: dt.date | None = None, platform_reference: str = "",
                      publication_reference: str = "") -> ProductFiling:
    """Record the platform's progress: 备案 → 认定审查 → 公示 → 认定通过 (or 未通过, with the reason).

    备案 is marked by the enterprise or a center acting for it, with the platform's 受理编号 when known. The later
    statuses are the national platform's results (专利密集型产品备案认定试点平台, policy/RULES.md [S]; who publishes
    them: 待核实), transcribed here by others than the applicant (``may_record_filing_result``). 认定通过 needs the
    platform's reference or the 公示/公告 number (``publication_reference``) on the filing, so the recognised count
    can be traced to the publication."""
    filing = ProductFiling.objects.select_for_update().select_related("product").get(pk=filing.pk)
    product = filing.product
    _require(may_manage_product(actor, product) or may_record_filing_result(actor, product),
             _("您无权更新该产品的备案状态"))
    if to_status not in FILING_TRANSITIONS.get(filing.status, ()):
        label = FilingStatus(to_status).label if to_status in FilingStatus.values else to_status
        raise ApplicationError(_("备案状态不能从“%(a)s”变为“%(b)s”") % {"a": filing.get_status_display(), "b": label},
                               field="status", code="invalid_transition")
    if to_status == FilingStatus.FILED and not may_move_filing(actor, product, to_status):
        raise PermissionDenied(_("备案由申报企业或代其办理的运营中心登记"), field="status")
    if not may_move_filing(actor, product, to_status):
        raise PermissionDenied(_("“%(s)s”是国家专利密集型产品备案认定平台公布的结果，申报企业不能自行登记；"
                                 "请由服务该企业的运营中心、知识产权管理部门或平台管理员依据平台公布结果登记")
                               % {"s": FilingStatus(to_status).label}, field="status")
    reason = (reason or "").strip()
    if len(reason) > FILING_REASON_MAX:  # the page's form stops at 500; the API took any length (probe)
        raise ApplicationError(_("说明最多 %(n)d 字") % {"n": FILING_REASON_MAX}, field="reason")
    if on is not None and to_status in FILING_RESULTS:
        # A result is the platform's answer to this filing: not before it was filed, not in the future — else a
        # 认定通过 could be dated into an earlier year's figures (probe).
        if on > timezone.localdate():
            raise ApplicationError(_("结果日期不能晚于今天"), field="on")
        if filing.filed_date and on < filing.filed_date:
            raise ApplicationError(_("结果日期不能早于备案日期 %(d)s") % {"d": filing.filed_date}, field="on")
    platform_reference = _reference(platform_reference, "platform_reference")
    publication_reference = _reference(publication_reference, "publication_reference")
    if to_status == FilingStatus.NOT_RECOGNISED and not reason:
        raise ApplicationError(_("未通过时请填写原因"), field="reason")
    if publication_reference and to_status not in (FilingStatus.PUBLICIZED, FilingStatus.RECOGNISED):
        raise ApplicationError(_("公示/公告编号在登记公示或认定通过时填写"), field="publication_reference")
    if platform_reference and filing.platform_reference and platform_reference != filing.platform_reference:
        raise ApplicationError(_("平台受理编号已登记为 %(r)s，不能改为 %(n)s") % {
            "r": filing.platform_reference, "n": platform_reference}, field="platform_reference")
    if to_status == FilingStatus.FILED:
        # the records may have changed since the pack was prepared: check again before it counts as filed
        problems = filing_problems(product, filing.data_year)
        if problems:
            _refuse_problems(problems)
        filing.filed_date = on or timezone.localdate()
    if platform_reference:
        filing.platform_reference = platform_reference
    if publication_reference:
        filing.publication_reference = publication_reference
    if to_status == FilingStatus.RECOGNISED and not (filing.platform_reference or filing.publication_reference):
        raise ApplicationError(_("登记认定通过须填写平台受理编号或公示/公告编号，以便核对平台公布的结果"),
                               field="publication_reference")
    if to_status in (FilingStatus.RECOGNISED, FilingStatus.NOT_RECOGNISED):
        filing.result_date = on or timezone.localdate()
    previous = filing.status
    filing.status = to_status
    validated_save(filing)
    FilingStatusChange.objects.create(filing=filing, from_status=previous, to_status=to_status, actor=_real(actor),
                                      reason=reason)
    changes = {"filing_status": [previous, to_status], "data_year": [None, filing.data_year]}
    if platform_reference:
        changes["platform_reference"] = [None, platform_reference]
    if publication_reference:
        changes["publication_reference"] = [None, publication_reference]
    audit_record(actor=actor, action="transition", obj=product, changes=changes, message=reason)
    return filing


def pack_xlsx(filing: ProductFiling) -> bytes:
    """The filing pack as a workbook: the fields (with 待核实 marks), then the covering patents."""
    import io

    from openpyxl import Workbook

    from ipoc.core.tables import safe_row

    pack = filing.pack or pack_data(filing.product, filing.data_year)
    wb = Workbook()
    ws = wb.active
    ws.title = "备案信息"
    ws.append(safe_row(["字段", "填写内容", "必填", "核实情况"]))
    for f in pack["fields"]:
        ws.append(safe_row([f["label"], f["value"], "是" if f["required"] else "否",
                            "已核实" if f["verified"] else str(rules.UNVERIFIED)]))
    ws.column_dimensions["A"].width = 36
    ws.column_dimensions["B"].width = 60
    ps = wb.create_sheet("支撑专利")
    ps.append(safe_row(["专利号", "专利名称", "类型", "法律状态", "取得方式", "来源交易", "权利人"]))
    for p in pack["patents"]:
        ps.append(safe_row([p["number"], p["title"], p["type"], p["legal_status"], p["source"], p["deal"],
                            p["holders"]]))
    src = wb.create_sheet("依据")
    for line in pack.get("sources", []):
        src.append(safe_row([line]))
    src.append(safe_row([_("字段以国家平台实际表单为准；标“待核实”的字段尚未与平台表单核对。")]))
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def _line(pdf, height: int, text: str) -> None:
    pdf.multi_cell(0, height, text, new_x="LMARGIN", new_y="NEXT")


def pack_pdf(filing: ProductFiling) -> bytes:
    """The filing pack as a PDF (CJK font from ipoc.core.pdf)."""
    from ipoc.core.pdf import new_document

    pack = filing.pack or pack_data(filing.product, filing.data_year)
    title = _("专利密集型产品备案材料") + f" · {filing.product.name} · {filing.data_year}"
    pdf = new_document(title=title)
    pdf.set_auto_page_break(True, margin=15)
    pdf.add_page()
    pdf.set_font_size(15)
    _line(pdf, 9, title)
    pdf.set_font_size(10)
    pdf.ln(2)
    for f in pack["fields"]:
        mark = "" if f["verified"] else f"（{rules.UNVERIFIED}）"
        _line(pdf, 6, f"{f['label']}{mark}：{f['value'] or '—'}")
    pdf.ln(3)
    pdf.set_font_size(12)
    _line(pdf, 8, _("支撑专利"))
    pdf.set_font_size(10)
    for p in pack["patents"]:
        _line(pdf, 6, f"{p['number']} {p['title']}".strip() + f" · {p['type']} · {p['legal_status']} · {p['source']}"
                       + (f" · {p['deal']}" if p["deal"] else ""))
    pdf.ln(3)
    pdf.set_font_size(8)
    for line in pack.get("sources", []):
        _line(pdf, 5, line)
    return bytes(pdf.output())


# ---------------------------------------------------------------- brands


@transaction.atomic
def brand_create(*, actor: User | None, name: str, holder: Organization | None = None, description: str = "",
                 center: Organization | None = None) -> Brand:
    if actor is not None and not actor.is_platform_admin:
        if actor.role == Role.CENTER_STAFF:
            center = actor.organization
        elif actor.organization_id and actor.role in (Role.ENTERPRISE_USER, Role.INSTITUTION_USER):
            if holder is not None and holder.pk != actor.organization_id:
                raise PermissionDenied(_("只能登记本单位的品牌"), field="holder")
            holder = actor.organization
        else:
            raise PermissionDenied(_("只有企业或运营中心可以登记品牌"))
    if holder is None:
        raise ApplicationError(_("请选择品牌持有人"), field="holder")
    _require_served(actor, center, holder, field="holder")
    if Brand.objects.filter(holder=holder, name=(name or "").strip()).exists():
        raise ApplicationError(_("%(o)s 已有品牌“%(n)s”") % {"o": holder, "n": name}, field="name")
    brand = Brand(name=(name or "").strip(), holder=holder, center=center, description=description or "")
    validated_save(brand)
    audit_record(actor=actor, action="create", obj=brand, changes={"name": [None, brand.name],
                                                                   "holder": [None, str(holder)]})
    return brand


@transaction.atomic
def trademark_add(*, actor: User | None, brand: Brand, registration_number: str, mark: str, nice_class: Any,
                  goods: str = "", status: str = "registered", valid_until: dt.date | None = None,
                  holder: Organization | None = None) -> Trademark:
    """A trademark of the brand: 注册号 (digits), 尼斯分类 1–45, goods, holder (the brand's holder by default)."""
    _require(may_manage_brand(actor, brand), _("您无权修改该品牌：%(b)s") % {"b": brand})
    number = (registration_number or "").strip().replace(" ", "")
    if not number.isdecimal() or len(number) > 20:
        raise ApplicationError(_("商标注册号应为数字：%(n)s") % {"n": registration_number}, field="registration_number")
    try:
        cls = int(str(nice_class).strip().removeprefix("第").removesuffix("类"))
    except (TypeError, ValueError):
        raise ApplicationError(_("商标类别应为 1–45 的整数：%(c)s") % {"c": nice_class}, field="nice_class") from None
    if not 1 <= cls <= 45:
        raise ApplicationError(_("商标类别应为 1–45 的整数：%(c)s") % {"c": nice_class}, field="nice_class")
    if Trademark.objects.filter(registration_number=number).exists():
        raise ApplicationError(_("注册号 %(n)s 已登记") % {"n": number}, field="registration_number")
    tm = Trademark(brand=brand, registration_number=number, mark=(mark or "").strip(), nice_class=cls,
                   goods=goods or "", status=status, valid_until=valid_until, holder=holder or brand.holder)
    validated_save(tm)
    audit_record(actor=actor, action="update", obj=brand, changes={"trademarks": [None, [number, cls]]})
    return tm


@transaction.atomic
def brand_award_add(*, actor: User | None, brand: Brand, title: str, year: Any, awarded_by: str = "") -> BrandAward:
    _require(may_manage_brand(actor, brand), _("您无权修改该品牌：%(b)s") % {"b": brand})
    award = BrandAward(brand=brand, title=(title or "").strip(), year=clean_year(year), awarded_by=awarded_by or "")
    validated_save(award)
    audit_record(actor=actor, action="update", obj=brand, changes={"awards": [None, [award.title, award.year]]})
    return award


# ---------------------------------------------------------------- reminders


def filing_reminders(*, today: dt.date | None = None) -> int:
    """Before the yearly window (rules.window_opens, 待核实): tell the users of each enterprise with a recognised
    product not yet filed for the new data year. Sent once per product and year; returns how many were sent."""
    from django.urls import reverse

    from ipoc.core.models import Notification
    from ipoc.core.services import notify

    today = today or timezone.localdate()
    if not rules.reminder_due(today):
        return 0
    data_year = rules.data_year_for(today)
    kind = f"industrialization.filing_reminder.{data_year}"
    sent = 0
    products = (Product.objects.filter(filings__status=FilingStatus.RECOGNISED)
                .exclude(filings__data_year=data_year).distinct().select_related("enterprise"))
    for product in products:
        url = reverse("industrialization_product_detail", args=[product.pk])
        already = Notification.objects.filter(kind=kind, url=url).values("recipient_id")
        users = list(User.objects.filter(organization=product.enterprise, is_active=True).exclude(pk__in=already))
        if not users:
            continue
        sent += notify(users=users, kind=kind,
                       title=_("专利密集型产品年度备案即将开始：%(p)s") % {"p": product.name},
                       body=_("请在 %(d)s 前准备 %(y)s 年度数据并更新备案材料。") % {
                           "d": rules.window_opens(today.year).isoformat(), "y": data_year},
                       url=url)
    return sent
