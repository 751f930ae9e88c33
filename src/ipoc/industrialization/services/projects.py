"""产业化项目: 立项 → 中试 → 量产 → 达产, their patents (from a deal or an open licence) and yearly figures."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from ipoc.core.errors import ApplicationError, PermissionDenied
from ipoc.core.models import Organization, OrganizationKind, Role, User
from ipoc.core.services import audit_record, model_update, validated_save
from ipoc.industrialization.models import (
    PROJECT_TRANSITIONS,
    Investment,
    Milestone,
    PatentSource,
    Project,
    ProjectOutcome,
    ProjectPartner,
    ProjectPatent,
    ProjectStage,
    ProjectStageChange,
)
from ipoc.industrialization.services.common import (
    SIGNED_DEAL_STAGES,
    _center_for,
    _enterprise,
    _real,
    _require,
    check_upload,
    clean_count,
    clean_money,
    clean_year,
    may_manage_project,
    may_report_project,
    patent_link_add,
)

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
    return patent_link_add(actor=actor, owner=project, link_model=ProjectPatent, owner_field="project", patent=patent,
                           source=source, deal_id=deal_id, open_licence_id=open_licence_id,
                           duplicate=_("该专利已登记在本项目中"))


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
