"""创新联合体: who may manage it, input checks, the consortium, its members and its agreement."""

from __future__ import annotations

import datetime as dt
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
    MemberRole,
    ResultOwnership,
    RevenueSharing,
)
from ipoc.core.errors import ApplicationError, PermissionDenied
from ipoc.core.models import Organization, OrganizationKind, Role, User
from ipoc.core.permissions import acting_center, settled_by_role
from ipoc.core.services import audit_record, model_update, validated_save

ATTACHMENT_SUFFIXES = (".pdf", ".ofd", ".doc", ".docx", ".jpg", ".jpeg", ".png", ".zip")
MAX_ATTACHMENT_BYTES = 20 * 1024 * 1024


def today() -> dt.date:
    from ipoc.centers import clock

    return clock.today()


# ---------------------------------------------------------------- authority


def may_manage(actor: User | None, consortium: Consortium) -> bool:
    """The organising center's staff, the lead's users, administrators and the system (``actor=None``)."""
    if (settled := settled_by_role(actor)) is not None:
        return settled
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
    return acting_center(actor, center, field="center", not_own=_("只能组建本运营中心的联合体"),
                         missing=_("请指定组建运营中心"),
                         not_center=_("组建单位必须是产业知识产权运营中心"))


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
    from ipoc.core.attachments import check_upload as check

    check(upload, field=field, suffixes=ATTACHMENT_SUFFIXES, max_bytes=MAX_ATTACHMENT_BYTES)


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
