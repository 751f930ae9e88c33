"""Writes for 创新联合体 and 大手拉小手 — each checks who may make it, validates, runs in a transaction and is audited.

Who may manage a consortium (its members, agreement, projects, shared patents, protection decisions, service
records): the staff of the center that organised it, the users of its lead organisation, and administrators.
A member's own users may add their organisation's patents to the shared list. Everyone else only views.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils.translation import gettext as _

from ipoc.alliances import rules
from ipoc.alliances.models import (
    Consortium,
    ConsortiumAgreement,
    ConsortiumMember,
    ConsortiumStatus,
    CrossLicenceScope,
    JointPatent,
    JointProject,
    MemberRole,
    Milestone,
    ProjectStatus,
    ProtectionAction,
    ProtectionKind,
    ProtectionShare,
    ProtectionStatus,
    ResultOwnership,
    RevenueSharing,
    ServiceKind,
    SharedPatent,
    SmeService,
)
from ipoc.core.errors import ApplicationError, PermissionDenied
from ipoc.core.models import Organization, OrganizationKind, Role, User
from ipoc.core.services import audit_record, model_update, validated_save

ATTACHMENT_SUFFIXES = (".pdf", ".ofd", ".doc", ".docx", ".jpg", ".jpeg", ".png", ".zip")
MAX_ATTACHMENT_BYTES = 20 * 1024 * 1024


def today() -> dt.date:
    from ipoc.centers import clock

    return clock.today()


# ---------------------------------------------------------------- authority


def may_manage(actor: User | None, consortium: Consortium) -> bool:
    """The organising center's staff, the lead's users, administrators and the system (``actor=None``)."""
    if actor is None:
        return True
    if not actor.is_authenticated:
        return False
    if actor.is_platform_admin:
        return True
    if actor.role == Role.CENTER_STAFF:
        return actor.organization_id == consortium.center_id
    if actor.role in (Role.ENTERPRISE_USER, Role.INSTITUTION_USER):
        return actor.organization_id is not None and actor.organization_id == consortium.lead_id
    return False


def require_manager(actor: User | None, consortium: Consortium) -> None:
    if not may_manage(actor, consortium):
        raise PermissionDenied(_("只有组建该联合体的运营中心和牵头单位可以办理：%(c)s") % {"c": consortium})


def may_contribute(actor: User | None, consortium: Consortium) -> bool:
    """Managers, and users of an organisation that is a member today (for their own organisation's patents)."""
    if may_manage(actor, consortium):
        return True
    if actor is None or not actor.is_authenticated or not actor.organization_id:
        return False
    return active_member(consortium, actor.organization_id, today()) is not None


def may_record_for_members(actor: User | None) -> bool:
    """Who may record a shared patent on another member's behalf: the system, administrators and center staff
    (``may_manage`` still decides which consortium)."""
    return actor is None or actor.is_platform_admin or actor.role == Role.CENTER_STAFF


def active_member(consortium: Consortium, organization_id: int, on: dt.date) -> ConsortiumMember | None:
    """The organisation's membership in force on ``on`` (None when it was not a member that day)."""
    for m in consortium.members.filter(organization_id=organization_id, joined_on__lte=on).order_by("-joined_on"):
        if m.left_on is None or m.left_on >= on:
            return m
    return None


# ---------------------------------------------------------------- input


def clean_money(value: Any, field: str, *, required: bool = False) -> Decimal | None:
    """An amount in 元: a number, not negative, below the absurd-amount ceiling; two decimals."""
    if value is None or value == "":
        if required:
            raise ApplicationError(_("请填写金额"), field=field)
        return None
    try:
        amount = Decimal(str(value))
    except (InvalidOperation, ValueError):
        raise ApplicationError(_("金额必须是数字：%(v)s") % {"v": value}, field=field) from None
    if not amount.is_finite():
        raise ApplicationError(_("金额必须是数字：%(v)s") % {"v": value}, field=field)
    if amount < 0:
        raise ApplicationError(_("金额不能为负数"), field=field)
    if amount > rules.MAX_BUDGET_YUAN:
        raise ApplicationError(_("金额超出合理范围（上限 %(m)s 元）：%(v)s") % {"m": f"{rules.MAX_BUDGET_YUAN:,}",
                                                                              "v": amount}, field=field)
    return amount.quantize(Decimal("0.01"))


def _choice(value: str, choices, field: str, what: str) -> str:
    if value not in choices.values:
        raise ApplicationError(_("未知的%(w)s：%(v)s") % {"w": what, "v": value}, field=field)
    return value


def _text(value: str | None, field: str, what: str, *, required: bool = True, max_length: int = 300) -> str:
    value = (value or "").strip()
    if required and not value:
        raise ApplicationError(_("请填写%(w)s") % {"w": what}, field=field)
    if len(value) > max_length:
        raise ApplicationError(_("%(w)s过长（最多 %(n)s 字）") % {"w": what, "n": max_length}, field=field)
    return value


def _not_future(day: dt.date | None, field: str, what: str) -> None:
    if day is not None and day > today():
        raise ApplicationError(_("%(w)s不能晚于今天：%(d)s") % {"w": what, "d": day.isoformat()}, field=field)


def _actor(actor: User | None) -> User | None:
    return actor if actor is not None and actor.pk else None


# ---------------------------------------------------------------- consortium


def _lead_role(lead: Organization) -> str:
    if lead.kind not in rules.LEAD_KINDS or (lead.kind == OrganizationKind.ENTERPRISE and lead.is_sme is True):
        raise ApplicationError(_("牵头单位须为龙头企业（非中小企业）、高校或科研院所：%(o)s（%(k)s）")
                               % {"o": lead.name, "k": lead.get_kind_display()}, field="lead")
    return rules.role_for(lead.kind, lead.is_sme)


def _center_for(actor: User | None, center: Organization | None) -> Organization:
    if actor is not None and actor.role == Role.CENTER_STAFF and not actor.is_platform_admin:
        if center is not None and center.pk != actor.organization_id:
            raise PermissionDenied(_("只能组建本运营中心的联合体"), field="center")
        center = actor.organization
    if center is None:
        raise ApplicationError(_("请指定组建运营中心"), field="center")
    if center.kind != OrganizationKind.OPERATION_CENTER:
        raise ApplicationError(_("组建单位必须是产业知识产权运营中心"), field="center")
    return center


@transaction.atomic
def consortium_create(*, actor: User | None, name: str, industry: str, lead: Organization | None,
                      established_on: dt.date | None = None, center: Organization | None = None,
                      status: str = ConsortiumStatus.FORMING, goal: str = "") -> Consortium:
    """A center organises a consortium; its lead joins as its first member, in the role its kind gives it."""
    if actor is not None and not actor.is_platform_admin and actor.role != Role.CENTER_STAFF:
        raise PermissionDenied(_("只有运营中心工作人员可以组建创新联合体"))
    if lead is None:
        raise ApplicationError(_("请选择牵头单位"), field="lead")
    role = _lead_role(lead)
    center = _center_for(actor, center)
    if status not in (ConsortiumStatus.FORMING, ConsortiumStatus.ACTIVE):
        raise ApplicationError(_("新建联合体的状态只能是筹建中或运行中"), field="status")
    established_on = established_on or today()
    name = _text(name, "name", _("联合体名称"), max_length=200)
    if Consortium.objects.filter(center=center, name=name).exists():
        raise ApplicationError(_("本中心已有同名联合体：%(n)s") % {"n": name}, field="name")
    consortium = Consortium(name=name, industry=_text(industry, "industry", _("产业领域"), max_length=100),
                            center=center, lead=lead, status=status, established_on=established_on,
                            goal=_text(goal, "goal", _("组建目标"), required=False, max_length=4000),
                            created_by=_actor(actor))
    validated_save(consortium)
    ConsortiumMember.objects.create(consortium=consortium, organization=lead, role=role, joined_on=established_on,
                                    note=_("牵头单位"))
    audit_record(actor=actor, action="create", obj=consortium, changes={
        "name": [None, consortium.name], "center": [None, center.name], "lead": [None, lead.name],
        "status": [None, consortium.status], "established_on": [None, established_on]})
    return consortium


CONSORTIUM_FIELDS = ("name", "industry", "status", "established_on", "dissolved_on", "goal")


@transaction.atomic
def consortium_update(*, actor: User | None, consortium: Consortium, data: dict[str, Any]) -> Consortium:
    """Edit the consortium. Setting 已解散 needs a date (default today) and closes every membership in force."""
    require_manager(actor, consortium)
    data = dict(data)
    unknown = set(data) - set(CONSORTIUM_FIELDS)
    if unknown:
        raise ApplicationError(_("字段“%(f)s”不可修改") % {"f": sorted(unknown)[0]}, field=sorted(unknown)[0])
    if "status" in data:
        _choice(data["status"], ConsortiumStatus, "status", _("联合体状态"))
    if "name" in data:
        data["name"] = _text(data["name"], "name", _("联合体名称"), max_length=200)
        if Consortium.objects.filter(center=consortium.center_id, name=data["name"]).exclude(pk=consortium.pk).exists():
            raise ApplicationError(_("本中心已有同名联合体：%(n)s") % {"n": data["name"]}, field="name")
    if "industry" in data:
        data["industry"] = _text(data["industry"], "industry", _("产业领域"), max_length=100)
    if data.get("established_on") is None:
        data.pop("established_on", None)
    status = data.get("status", consortium.status)
    if status == ConsortiumStatus.DISSOLVED:
        data["dissolved_on"] = data.get("dissolved_on") or consortium.dissolved_on or today()
        _not_future(data["dissolved_on"], "dissolved_on", _("解散日期"))
    elif "status" in data:
        data["dissolved_on"] = None
    established = data.get("established_on", consortium.established_on)
    if data.get("dissolved_on") and data["dissolved_on"] < established:
        raise ApplicationError(_("解散日期不能早于成立日期"), field="dissolved_on")
    if "established_on" in data and consortium.members.filter(joined_on__lt=data["established_on"]).exists():
        raise ApplicationError(_("已有成员的加入日期早于该成立日期"), field="established_on")
    changes = model_update(instance=consortium, data=data, fields=CONSORTIUM_FIELDS)
    if status == ConsortiumStatus.DISSOLVED and consortium.dissolved_on:
        closed = []
        for m in consortium.members.filter(left_on__isnull=True):
            m.left_on = max(consortium.dissolved_on, m.joined_on)
            m.left_reason = _("联合体解散")
            m.save(update_fields=["left_on", "left_reason"])
            closed.append(m.organization_id)
        if closed:
            changes["members_left"] = [None, sorted(closed)]
    if changes:
        audit_record(actor=actor, action="update", obj=consortium, changes=changes)
    return consortium


# ---------------------------------------------------------------- members


@transaction.atomic
def member_add(*, actor: User | None, consortium: Consortium, organization: Organization | None, role: str,
               joined_on: dt.date | None = None, note: str = "") -> ConsortiumMember:
    """Add a member in a role its organisation fits (龙头企业: a non-SME enterprise; 中小企业: an SME …)."""
    require_manager(actor, consortium)
    if consortium.status == ConsortiumStatus.DISSOLVED:
        raise ApplicationError(_("联合体已解散，不能再加入成员"), field="organization")
    if organization is None:
        raise ApplicationError(_("请选择成员单位"), field="organization")
    _choice(role, MemberRole, "role", _("成员角色"))
    if not rules.role_fits(role, organization.kind, organization.is_sme):
        sme = ""
        if organization.kind == OrganizationKind.ENTERPRISE:
            sme = _("，中小企业") if organization.is_sme else _("，非中小企业")
        raise ApplicationError(
            _("成员角色“%(r)s”与单位类型不符：%(o)s 是%(k)s%(s)s") % {
                "r": MemberRole(role).label, "o": organization.name, "k": organization.get_kind_display(), "s": sme},
            field="role")
    joined_on = joined_on or today()
    _not_future(joined_on, "joined_on", _("加入日期"))
    if joined_on < consortium.established_on:
        raise ApplicationError(_("加入日期不能早于联合体成立日期（%(d)s）") % {"d": consortium.established_on.isoformat()},
                               field="joined_on")
    if consortium.members.filter(organization=organization, left_on__isnull=True).exists() or \
            consortium.members.filter(organization=organization, left_on__gte=joined_on).exists():
        raise ApplicationError(_("%(o)s 已是该联合体成员") % {"o": organization.name}, field="organization")
    member = ConsortiumMember(consortium=consortium, organization=organization, role=role, joined_on=joined_on,
                              note=_text(note, "note", _("备注"), required=False))
    validated_save(member)
    audit_record(actor=actor, action="create", obj=member, changes={
        "consortium": [None, consortium.name], "organization": [None, organization.name], "role": [None, role],
        "joined_on": [None, joined_on]})
    return member


@transaction.atomic
def member_leave(*, actor: User | None, member: ConsortiumMember, left_on: dt.date | None = None,
                 reason: str = "") -> ConsortiumMember:
    """Record that a member left (the row stays: the ledger of who was a member when). The lead cannot leave."""
    consortium = member.consortium
    require_manager(actor, consortium)
    if member.left_on is not None:
        raise ApplicationError(_("该成员已于 %(d)s 退出") % {"d": member.left_on.isoformat()}, field="left_on")
    if member.organization_id == consortium.lead_id:
        raise ApplicationError(_("牵头单位不能退出联合体"), field="organization")
    left_on = left_on or today()
    _not_future(left_on, "left_on", _("退出日期"))
    if left_on < member.joined_on:
        raise ApplicationError(_("退出日期不能早于加入日期（%(d)s）") % {"d": member.joined_on.isoformat()},
                               field="left_on")
    member.left_on = left_on
    member.left_reason = _text(reason, "reason", _("退出原因"), required=False)
    validated_save(member)
    audit_record(actor=actor, action="update", obj=member, changes={"left_on": [None, left_on]},
                 message=member.left_reason)
    return member


# ---------------------------------------------------------------- agreement

AGREEMENT_FIELDS = ("signed_on", "result_ownership", "ownership_terms", "cross_licence_scope", "cross_licence_terms",
                    "revenue_sharing", "revenue_terms")


@transaction.atomic
def agreement_save(*, actor: User | None, consortium: Consortium, data: dict[str, Any]) -> ConsortiumAgreement:
    """Record (or change) the agreement's terms: ownership of joint results, cross-licence scope, revenue sharing."""
    require_manager(actor, consortium)
    data = dict(data)
    unknown = set(data) - set(AGREEMENT_FIELDS)
    if unknown:
        raise ApplicationError(_("字段“%(f)s”不可修改") % {"f": sorted(unknown)[0]}, field=sorted(unknown)[0])
    agreement = ConsortiumAgreement.objects.filter(consortium=consortium).first()
    for name, choices, what in (("result_ownership", ResultOwnership, _("成果归属方式")),
                                ("cross_licence_scope", CrossLicenceScope, _("交叉许可范围")),
                                ("revenue_sharing", RevenueSharing, _("收益分配方式"))):
        if name in data or agreement is None:
            _choice(data.get(name) or "", choices, name, what)
    for name in ("ownership_terms", "cross_licence_terms", "revenue_terms"):
        if name in data:
            data[name] = _text(data[name], name, _("条款"), required=False, max_length=4000)
    if data.get("signed_on"):
        _not_future(data["signed_on"], "signed_on", _("签署日期"))
    if agreement is None:
        agreement = ConsortiumAgreement(consortium=consortium, updated_by=_actor(actor), **data)
        validated_save(agreement)
        audit_record(actor=actor, action="create", obj=agreement,
                     changes={k: [None, v] for k, v in data.items()})
        return agreement
    agreement.updated_by = _actor(actor)
    changes = model_update(instance=agreement, data=data, fields=AGREEMENT_FIELDS)
    if changes:
        audit_record(actor=actor, action="update", obj=agreement, changes=changes)
    return agreement


def _check_upload(field: str, upload: UploadedFile) -> None:
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


@transaction.atomic
def agreement_attach(*, actor: User | None, consortium: Consortium,
                     document: UploadedFile | None) -> ConsortiumAgreement:
    """Attach (or replace) the signed agreement text; stored by ProtectedStorage, served to who may see it."""
    require_manager(actor, consortium)
    agreement = ConsortiumAgreement.objects.filter(consortium=consortium).first()
    if agreement is None:
        raise ApplicationError(_("请先登记协议条款，再上传协议文本"), field="document")
    if document is None:
        raise ApplicationError(_("请选择要上传的协议文本"), field="document")
    _check_upload("document", document)
    old = agreement.document.name or ""
    agreement.document.save(Path(document.name).name, document, save=False)
    agreement.updated_by = _actor(actor)
    validated_save(agreement)
    audit_record(actor=actor, action="update", obj=agreement, changes={"document": [old, agreement.document.name]})
    return agreement


# ---------------------------------------------------------------- joint projects, milestones, joint patents


def _members_on(consortium: Consortium, orgs: Iterable[Organization], on: dt.date, field: str) -> None:
    for org in orgs:
        if active_member(consortium, org.pk, on) is None:
            raise ApplicationError(_("%(o)s 在 %(d)s 不是该联合体成员") % {"o": org.name, "d": on.isoformat()},
                                   field=field)


PROJECT_FIELDS = ("title", "leader", "budget", "status", "start_date", "end_date", "description")


def _check_project(consortium: Consortium, data: dict[str, Any]) -> None:
    if "title" in data:
        data["title"] = _text(data["title"], "title", _("项目名称"), max_length=200)
    if "budget" in data:
        data["budget"] = clean_money(data["budget"], "budget", required=True)
    if "status" in data:
        _choice(data["status"], ProjectStatus, "status", _("项目状态"))
    if "description" in data:
        data["description"] = _text(data["description"], "description", _("攻关内容"), required=False,
                                    max_length=4000)


@transaction.atomic
def project_create(*, actor: User | None, consortium: Consortium, title: str, leader: Organization | None,
                   budget: Any, start_date: dt.date | None, end_date: dt.date | None = None,
                   participants: Iterable[Organization] = (), status: str = ProjectStatus.PLANNED,
                   description: str = "") -> JointProject:
    """A joint project: undertaken by a member, with other members taking part, a budget and dates."""
    require_manager(actor, consortium)
    if consortium.status == ConsortiumStatus.DISSOLVED:
        raise ApplicationError(_("联合体已解散，不能再立项"), field="title")
    data = {"title": title, "budget": budget, "status": status, "description": description}
    _check_project(consortium, data)
    if leader is None:
        raise ApplicationError(_("请选择承担单位"), field="leader")
    if start_date is None:
        raise ApplicationError(_("请填写开始日期"), field="start_date")
    if end_date is not None and end_date < start_date:
        raise ApplicationError(_("计划结束日期不能早于开始日期"), field="end_date")
    participants = [p for p in participants if p.pk != leader.pk]
    check_on = min(start_date, today())
    _members_on(consortium, [leader], check_on, "leader")
    _members_on(consortium, participants, check_on, "participants")
    project = JointProject(consortium=consortium, leader=leader, start_date=start_date, end_date=end_date, **data)
    validated_save(project)
    project.participants.set(participants)
    audit_record(actor=actor, action="create", obj=project, changes={
        "consortium": [None, consortium.name], "title": [None, project.title], "leader": [None, leader.name],
        "budget": [None, project.budget], "start_date": [None, start_date], "end_date": [None, end_date],
        "participants": [None, sorted(p.pk for p in participants)]})
    return project


@transaction.atomic
def project_update(*, actor: User | None, project: JointProject, data: dict[str, Any]) -> JointProject:
    consortium = project.consortium
    require_manager(actor, consortium)
    data = dict(data)
    participants = data.pop("participants", None)
    unknown = set(data) - set(PROJECT_FIELDS)
    if unknown:
        raise ApplicationError(_("字段“%(f)s”不可修改") % {"f": sorted(unknown)[0]}, field=sorted(unknown)[0])
    _check_project(consortium, data)
    start = data.get("start_date") or project.start_date
    data.setdefault("start_date", project.start_date)
    end = data.get("end_date", project.end_date)
    if end is not None and end < start:
        raise ApplicationError(_("计划结束日期不能早于开始日期"), field="end_date")
    check_on = min(start, today())
    if "leader" in data:
        if data["leader"] is None:
            raise ApplicationError(_("请选择承担单位"), field="leader")
        _members_on(consortium, [data["leader"]], check_on, "leader")
    changes = model_update(instance=project, data=data, fields=PROJECT_FIELDS)
    if participants is not None:
        participants = [p for p in participants if p.pk != project.leader_id]
        _members_on(consortium, participants, check_on, "participants")
        old = sorted(project.participants.values_list("pk", flat=True))
        new = sorted(p.pk for p in participants)
        if old != new:
            project.participants.set(participants)
            changes["participants"] = [old, new]
    if changes:
        audit_record(actor=actor, action="update", obj=project, changes=changes)
    return project


@transaction.atomic
def milestone_add(*, actor: User | None, project: JointProject, title: str, due_on: dt.date | None,
                  note: str = "") -> Milestone:
    require_manager(actor, project.consortium)
    if due_on is None:
        raise ApplicationError(_("请填写计划完成日期"), field="due_on")
    if due_on < project.start_date:
        raise ApplicationError(_("计划完成日期不能早于项目开始日期（%(d)s）") % {"d": project.start_date.isoformat()},
                               field="due_on")
    milestone = Milestone(project=project, title=_text(title, "title", _("里程碑"), max_length=200), due_on=due_on,
                          note=_text(note, "note", _("说明"), required=False))
    validated_save(milestone)
    audit_record(actor=actor, action="create", obj=milestone,
                 changes={"title": [None, milestone.title], "due_on": [None, due_on]})
    return milestone


@transaction.atomic
def milestone_done(*, actor: User | None, milestone: Milestone, done_on: dt.date | None = None) -> Milestone:
    require_manager(actor, milestone.project.consortium)
    if milestone.done_on is not None:
        raise ApplicationError(_("该里程碑已于 %(d)s 完成") % {"d": milestone.done_on.isoformat()}, field="done_on")
    done_on = done_on or today()
    _not_future(done_on, "done_on", _("完成日期"))
    if done_on < milestone.project.start_date:
        raise ApplicationError(_("完成日期不能早于项目开始日期"), field="done_on")
    milestone.done_on = done_on
    validated_save(milestone)
    audit_record(actor=actor, action="update", obj=milestone, changes={"done_on": [None, done_on]})
    return milestone


def _held_by_member(consortium: Consortium, patent) -> bool:
    from ipoc.patents import selectors as patent_selectors

    orgs = Organization.objects.filter(consortium_memberships__consortium=consortium).distinct()
    return any(patent_selectors.patents_held_by(user=None, organization=o).filter(pk=patent.pk).exists()
               for o in orgs)


@transaction.atomic
def joint_patent_add(*, actor: User | None, project: JointProject, patent, recorded_on: dt.date | None = None,
                     note: str = "") -> JointPatent:
    """联合创造: a patent the project produced — held by a member, filed on or after the project started."""
    consortium = project.consortium
    require_manager(actor, consortium)
    if patent is None:
        raise ApplicationError(_("请选择专利"), field="patent")
    if project.status == ProjectStatus.CANCELLED:
        raise ApplicationError(_("项目已终止，不能再登记产出专利"), field="patent")
    if JointPatent.objects.filter(project=project, patent=patent).exists():
        raise ApplicationError(_("该专利已登记为本项目的产出"), field="patent")
    if patent.application_date and patent.application_date < project.start_date:
        raise ApplicationError(
            _("该专利申请日（%(a)s）早于项目开始日期（%(s)s），不是本项目的联合创造成果") % {
                "a": patent.application_date.isoformat(), "s": project.start_date.isoformat()}, field="patent")
    if not _held_by_member(consortium, patent):
        raise ApplicationError(_("该专利的申请人或专利权人中没有联合体成员：%(t)s") % {"t": patent.title[:60]},
                               field="patent")
    recorded_on = recorded_on or today()
    _not_future(recorded_on, "recorded_on", _("登记日期"))
    link = JointPatent(project=project, patent=patent, recorded_on=recorded_on,
                       note=_text(note, "note", _("说明"), required=False))
    validated_save(link)
    audit_record(actor=actor, action="create", obj=link, changes={
        "project": [None, project.title], "patent": [None, patent.pk]})
    return link


# ---------------------------------------------------------------- shared patents (contribution ledger)


@transaction.atomic
def shared_patent_add(*, actor: User | None, consortium: Consortium, patent, contributed_by: Organization | None,
                      contributed_on: dt.date | None = None, note: str = "") -> SharedPatent:
    """Put a member's patent on the shared list: the ledger says who brought it and when."""
    if not may_contribute(actor, consortium):
        raise PermissionDenied(_("只有联合体成员、牵头单位和组建运营中心可以纳入共享专利：%(c)s") % {"c": consortium})
    # Only the organising center (and administrators) record on a member's behalf; the lead's users, like any
    # member's, bring their own organisation's patents — a lead cannot commit another member's patent.
    if actor is not None and not may_record_for_members(actor):
        if contributed_by is not None and contributed_by.pk != actor.organization_id:
            raise PermissionDenied(_("成员单位只能纳入本单位的专利"), field="contributed_by")
        contributed_by = actor.organization
    if consortium.status == ConsortiumStatus.DISSOLVED:
        raise ApplicationError(_("联合体已解散，不能再纳入共享专利"), field="patent")
    if patent is None:
        raise ApplicationError(_("请选择专利"), field="patent")
    if contributed_by is None:
        raise ApplicationError(_("请选择贡献单位"), field="contributed_by")
    contributed_on = contributed_on or today()
    _not_future(contributed_on, "contributed_on", _("纳入日期"))
    _members_on(consortium, [contributed_by], contributed_on, "contributed_by")
    from ipoc.patents import selectors as patent_selectors

    if not patent_selectors.patents_held_by(user=None, organization=contributed_by).filter(pk=patent.pk).exists():
        raise ApplicationError(_("%(o)s 不是该专利的申请人或专利权人") % {"o": contributed_by.name}, field="patent")
    if SharedPatent.objects.filter(consortium=consortium, patent=patent, withdrawn_on__isnull=True).exists():
        raise ApplicationError(_("该专利已在共享专利清单中"), field="patent")
    row = SharedPatent(consortium=consortium, patent=patent, contributed_by=contributed_by,
                       contributed_on=contributed_on, note=_text(note, "note", _("说明"), required=False),
                       recorded_by=_actor(actor))
    validated_save(row)
    audit_record(actor=actor, action="create", obj=row, changes={
        "consortium": [None, consortium.name], "patent": [None, patent.pk],
        "contributed_by": [None, contributed_by.name], "contributed_on": [None, contributed_on]})
    return row


@transaction.atomic
def shared_patent_withdraw(*, actor: User | None, shared: SharedPatent,
                           withdrawn_on: dt.date | None = None) -> SharedPatent:
    consortium = shared.consortium
    own = actor is not None and actor.organization_id == shared.contributed_by_id
    if not (may_manage(actor, consortium) or (own and may_contribute(actor, consortium))):
        raise PermissionDenied(_("只有贡献单位、牵头单位和组建运营中心可以撤出共享专利"))
    if shared.withdrawn_on is not None:
        raise ApplicationError(_("该专利已于 %(d)s 撤出") % {"d": shared.withdrawn_on.isoformat()},
                               field="withdrawn_on")
    withdrawn_on = withdrawn_on or today()
    _not_future(withdrawn_on, "withdrawn_on", _("撤出日期"))
    if withdrawn_on < shared.contributed_on:
        raise ApplicationError(_("撤出日期不能早于纳入日期"), field="withdrawn_on")
    shared.withdrawn_on = withdrawn_on
    validated_save(shared)
    audit_record(actor=actor, action="update", obj=shared, changes={"withdrawn_on": [None, withdrawn_on]})
    return shared


# ---------------------------------------------------------------- joint protection (共同保护)


def clean_shares(consortium: Consortium, shares: Iterable[tuple[Organization, Any]],
                 on: dt.date) -> list[tuple[Organization, Decimal]]:
    """(organisation, percent) pairs: members on ``on``, each once, each > 0, summing to exactly 100."""
    cleaned: list[tuple[Organization, Decimal]] = []
    seen: set[int] = set()
    for org, raw in shares:
        if raw is None or raw == "":
            continue
        try:
            percent = Decimal(str(raw))
        except (InvalidOperation, ValueError):
            raise ApplicationError(_("承担比例必须是数字：%(v)s") % {"v": raw}, field="shares") from None
        if not percent.is_finite() or percent < 0 or percent > 100:
            raise ApplicationError(_("承担比例须在 0 到 100 之间：%(v)s") % {"v": raw}, field="shares")
        if percent == 0:
            continue
        if percent != percent.quantize(Decimal("0.01")):
            raise ApplicationError(_("承担比例最多两位小数：%(v)s") % {"v": raw}, field="shares")
        if org.pk in seen:
            raise ApplicationError(_("%(o)s 重复出现在费用分担中") % {"o": org.name}, field="shares")
        seen.add(org.pk)
        cleaned.append((org, percent.quantize(Decimal("0.01"))))
    if not cleaned:
        raise ApplicationError(_("请填写各成员的费用承担比例"), field="shares")
    _members_on(consortium, [o for o, _p in cleaned], on, "shares")
    total = sum((p for _o, p in cleaned), Decimal("0"))
    if total != rules.SHARES_TOTAL:
        raise ApplicationError(_("各成员承担比例合计须为 100%%，现为 %(t)s%%") % {"t": f"{total.normalize():f}"},
                               field="shares")
    return cleaned


@transaction.atomic
def protection_create(*, actor: User | None, consortium: Consortium, kind: str, title: str, target: str,
                      decided_on: dt.date | None, shares: Iterable[tuple[Organization, Any]],
                      target_patent=None, patents: Iterable = (), budget: Any = None,
                      status: str = ProtectionStatus.DECIDED, outcome: str = "") -> ProtectionAction:
    """共同保护: the members decide a joint enforcement, invalidation or defence, and who pays which share."""
    require_manager(actor, consortium)
    _choice(kind, ProtectionKind, "kind", _("行动类型"))
    _choice(status, ProtectionStatus, "status", _("状态"))
    title = _text(title, "title", _("事项名称"), max_length=200)
    target = _text(target, "target", _("对象"))
    if decided_on is None:
        raise ApplicationError(_("请填写决定日期"), field="decided_on")
    _not_future(decided_on, "decided_on", _("决定日期"))
    patents = list(patents)
    if kind == ProtectionKind.ENFORCEMENT and not patents:
        raise ApplicationError(_("联合维权须选择据以维权的联合体专利"), field="patents")
    if kind == ProtectionKind.INVALIDATION and target_patent is None:
        raise ApplicationError(_("无效宣告请求须选择所针对的对方专利"), field="target_patent")
    if target_patent is not None and SharedPatent.objects.filter(
            consortium=consortium, patent=target_patent, withdrawn_on__isnull=True).exists():
        raise ApplicationError(_("所针对的专利在本联合体的共享专利清单中"), field="target_patent")
    for p in patents:
        if not _held_by_member(consortium, p):
            raise ApplicationError(_("据以维权的专利须由联合体成员持有：%(t)s") % {"t": p.title[:60]}, field="patents")
    cleaned = clean_shares(consortium, shares, decided_on)
    action = ProtectionAction(consortium=consortium, kind=kind, title=title, target=target,
                              target_patent=target_patent, decided_on=decided_on, status=status,
                              budget=clean_money(budget, "budget"),
                              outcome=_text(outcome, "outcome", _("结果"), required=False, max_length=4000),
                              created_by=_actor(actor))
    validated_save(action)
    action.patents.set(patents)
    ProtectionShare.objects.bulk_create([ProtectionShare(action=action, organization=o, percent=p)
                                         for o, p in cleaned])
    audit_record(actor=actor, action="create", obj=action, changes={
        "consortium": [None, consortium.name], "kind": [None, kind], "title": [None, title], "target": [None, target],
        "target_patent": [None, target_patent.pk if target_patent else None],
        "patents": [None, sorted(p.pk for p in patents)],
        "shares": [None, {o.name: str(p) for o, p in cleaned}]})
    return action


@transaction.atomic
def protection_update(*, actor: User | None, action: ProtectionAction, status: str, outcome: str = "") -> ProtectionAction:
    """Move a protection action on (进行中, 已结案) and record its result."""
    require_manager(actor, action.consortium)
    _choice(status, ProtectionStatus, "status", _("状态"))
    data = {"status": status, "outcome": _text(outcome, "outcome", _("结果"), required=False, max_length=4000)}
    changes = model_update(instance=action, data=data, fields=("status", "outcome"))
    if changes:
        audit_record(actor=actor, action="update", obj=action, changes=changes)
    return action


# ---------------------------------------------------------------- 大手拉小手


@transaction.atomic
def sme_service_create(*, actor: User | None, consortium: Consortium, provider: Organization | None,
                       sme: Organization | None, kind: str, served_on: dt.date | None, content: str,
                       outcome: str = "") -> SmeService:
    """Record that a large member served an SME (licence, supply, technical help, training) on a day."""
    require_manager(actor, consortium)
    _choice(kind, ServiceKind, "kind", _("服务方式"))
    if provider is None:
        raise ApplicationError(_("请选择服务提供方"), field="provider")
    if sme is None:
        raise ApplicationError(_("请选择受服务的中小企业"), field="sme")
    if served_on is None:
        raise ApplicationError(_("请填写服务日期"), field="served_on")
    _not_future(served_on, "served_on", _("服务日期"))
    membership = active_member(consortium, provider.pk, served_on)
    if membership is None:
        raise ApplicationError(_("%(o)s 在 %(d)s 不是该联合体成员") % {"o": provider.name, "d": served_on.isoformat()},
                               field="provider")
    if membership.role not in rules.PROVIDER_ROLES:
        raise ApplicationError(_("服务提供方须为非中小企业成员（龙头企业、高校、院所、服务机构或投资机构）：%(o)s")
                               % {"o": provider.name}, field="provider")
    if sme.kind != OrganizationKind.ENTERPRISE or sme.is_sme is not True:
        raise ApplicationError(_("受服务单位须为中小企业：%(o)s") % {"o": sme.name}, field="sme")
    if sme.pk == provider.pk:
        raise ApplicationError(_("服务提供方和受服务企业不能是同一单位"), field="sme")
    record = SmeService(consortium=consortium, provider=provider, sme=sme, kind=kind, served_on=served_on,
                        content=_text(content, "content", _("服务内容")),
                        outcome=_text(outcome, "outcome", _("服务成效"), required=False, max_length=4000),
                        created_by=_actor(actor))
    validated_save(record)
    audit_record(actor=actor, action="create", obj=record, changes={
        "consortium": [None, consortium.name], "provider": [None, provider.name], "sme": [None, sme.name],
        "kind": [None, kind], "served_on": [None, served_on]})
    return record
