"""The center registry (登记): register and edit a center, status decisions (immutable, correctable),
evidence, and who may decide — each checked against ``rules``, each audited in the same transaction."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils.translation import gettext as _

from ipoc.centers import rules
from ipoc.centers.models import (
    CENTER_TRANSITIONS,
    INITIAL_STATUSES,
    QUALIFIED_STATUSES,
    Center,
    CenterDecision,
    CenterEvidence,
    CenterLevel,
    CenterStatus,
    DecisionKind,
    EvidenceKind,
    HostType,
)
from ipoc.core.errors import ApplicationError, PermissionDenied
from ipoc.core.models import OfficeLevel, Organization, OrganizationKind, Role, User
from ipoc.core.permissions import CHANGE, can, require_role
from ipoc.core.services import audit_record, model_update, validated_save
from ipoc.core.validators import region_scope_prefix

EDITABLE_FIELDS = ("name", "host_organization", "host_type", "industry", "industry_chain", "staff_count",
                   "started_on")
# Authority: the level and managing office decide who recognises the center, its region which office recommends
# it and which offices see it — only its offices (and administrators) change them.
OFFICE_ONLY_FIELDS = ("level", "managing_office", "region_code")
OFFICE_RANK = {OfficeLevel.NATIONAL: 0, OfficeLevel.PROVINCIAL: 1, OfficeLevel.MUNICIPAL: 2, OfficeLevel.COUNTY: 3}


class SubCenterRefused(PermissionDenied):
    code = "sub_center_forbidden"


def _refuse_sub_center(detail: str) -> None:
    raise SubCenterRefused(_("%(detail)s。依据规定：%(rule)s") % {"detail": detail,
                                                                 "rule": rules.NO_SUB_CENTERS.quote()},
                           field="name", extra={"rule": rules.NO_SUB_CENTERS.code,
                                                "source": rules.NO_SUB_CENTERS.source})


# ---------------------------------------------------------------- names and branches


def national_name(industry: str) -> str:
    """The name of a recognised national center, from the configured pattern."""
    return rules.NATIONAL_NAME_PATTERN.value.format(industry=industry.strip())


def check_center_name(name: str, *, level: str, status: str, industry: str) -> str:
    """Normalise and check a center's name on entry; returns the name or raises ApplicationError."""
    name = " ".join((name or "").replace("\u3000", " ").split())
    if not name:
        raise ApplicationError(_("请填写运营中心名称"), field="name")
    required = rules.NAME_REQUIRED_TEXT.value
    if required and required not in name:
        raise ApplicationError(_("名称不符合要求：%(rule)s") % {"rule": rules.NAME_REQUIRED_TEXT.quote()}, field="name")
    recognised_national = level == CenterLevel.NATIONAL and status in QUALIFIED_STATUSES
    prefix = rules.NATIONAL_NAME_PREFIX.value
    if prefix and name.startswith(prefix) and not recognised_national:
        raise ApplicationError(_("名称不符合要求：%(rule)s") % {"rule": rules.NATIONAL_NAME_PREFIX.quote()},
                               field="name")
    if recognised_national and name != national_name(industry):
        raise ApplicationError(_("已认定的国家级运营中心应命名为“%(n)s”：%(rule)s") % {
            "n": national_name(industry), "rule": rules.NATIONAL_NAME_PATTERN.quote()}, field="name")
    return name


def branch_suspicion(name: str, host_name: str = "") -> str:
    """Why a registry entry looks like an unapproved branch (分中心/分部/分站 …), or ""."""
    hits = []
    for label, text in ((_("名称"), name), (_("建设主体"), host_name)):
        found = [m for m in rules.BRANCH_NAME_MARKERS.value if m in (text or "")]
        if found:
            hits.append(_("%(what)s“%(text)s”含“%(markers)s”") % {"what": label, "text": text,
                                                                   "markers": "、".join(found)})
    if not hits:
        return ""
    return _("%(hits)s，疑似未经批准的分中心，请管理部门核查。%(rule)s") % {
        "hits": "；".join(hits), "rule": rules.NO_SUB_CENTERS.quote()}


# ---------------------------------------------------------------- who may decide


def office_may_decide(actor: User | None, center: Center) -> bool:
    """The managing office, a higher-level office whose area covers it, or a platform administrator."""
    if actor is None:
        return True  # the system / CLI
    if not actor.is_authenticated:
        return False
    if actor.is_platform_admin:
        return True
    org = actor.organization
    if actor.role != Role.OFFICE_STAFF or org is None or org.kind != OrganizationKind.IP_OFFICE:
        return False
    office = center.managing_office
    if org.pk == office.pk:
        return True
    if OFFICE_RANK.get(org.office_level, 9) >= OFFICE_RANK.get(office.office_level, 9):
        return False
    if org.office_level == OfficeLevel.NATIONAL:
        return True
    return bool(org.region_code) and office.region_code.startswith(region_scope_prefix(org.region_code))


def _require_office(actor: User | None, center: Center) -> None:
    if not office_may_decide(actor, center):
        raise PermissionDenied(_("只有管理该运营中心的知识产权管理部门（%(office)s）、其上级管理部门或平台管理员可以作出此决定")
                               % {"office": center.managing_office}, field="status")


def _check_relations(*, organization: Organization, host_organization: Organization, host_type: str,
                     level: str, managing_office: Organization) -> None:
    if organization.kind != OrganizationKind.OPERATION_CENTER:
        raise ApplicationError(_("运营中心登记必须对应一个“产业知识产权运营中心”类型的组织机构"), field="organization")
    if host_organization.kind in (OrganizationKind.OPERATION_CENTER, OrganizationKind.IP_OFFICE):
        raise ApplicationError(_("建设主体不能是运营中心或知识产权管理部门"), field="host_organization")
    if host_type not in HostType.values:
        raise ApplicationError(_("未知的建设主体类型：%(t)s") % {"t": host_type}, field="host_type")
    if level not in CenterLevel.values:
        raise ApplicationError(_("未知的层级：%(l)s") % {"l": level}, field="level")
    if managing_office.kind != OrganizationKind.IP_OFFICE:
        raise ApplicationError(_("管理部门必须是知识产权管理部门"), field="managing_office")
    allowed = rules.OFFICE_LEVEL_FOR_CENTER_LEVEL.value.get(level, [])
    if managing_office.office_level not in allowed:
        raise ApplicationError(_("%(level)s运营中心的管理部门层级应为：%(allowed)s。%(rule)s") % {
            "level": CenterLevel(level).label,
            "allowed": "、".join(str(OfficeLevel(a).label) for a in allowed),
            "rule": rules.OFFICE_LEVEL_FOR_CENTER_LEVEL.quote()}, field="managing_office")


# ---------------------------------------------------------------- registry


def _check_own_registration(organization: Organization, region_code: str, managing_office: Organization,
                            status: str) -> None:
    """What a center's staff may declare when they register their own center: the status, region and managing
    office are authority (office-only on edit), so on entry they are 建设运行中, their organisation's region,
    and an office whose area covers it."""
    if status != CenterStatus.BUILDING:
        raise PermissionDenied(_("运营中心自行登记时状态只能是“建设运行中”；“%(s)s”由管理部门登记或决定")
                               % {"s": CenterStatus(status).label if status in CenterStatus.values else status},
                               field="status")
    region = region_code or organization.region_code
    if region != organization.region_code:
        raise PermissionDenied(_("行政区划应为本机构登记的行政区划（%(code)s）；如需更正请联系管理部门")
                               % {"code": organization.region_code or _("未登记")}, field="region_code")
    office = managing_office
    covers = office.office_level == OfficeLevel.NATIONAL or (
        bool(office.region_code) and bool(region) and region.startswith(region_scope_prefix(office.region_code)))
    if not covers:
        raise PermissionDenied(_("管理部门“%(o)s”的辖区不包括本中心所在地区，请选择所在地的知识产权管理部门")
                               % {"o": office}, field="managing_office")


@transaction.atomic
def center_create(*, actor: User | None, organization: Organization, name: str, host_organization: Organization,
                  host_type: str, industry: str, level: str, managing_office: Organization, region_code: str = "",
                  industry_chain: str = "", staff_count: int | None = None, started_on: dt.date | None = None,
                  status: str = CenterStatus.BUILDING, parent_center: Center | None = None) -> Center:
    """Register a center. Offices register the centers they manage; a center's staff may register only
    their own center — never a branch or sub-center (不得自行设立分中心)."""
    if actor is not None:
        require_role(actor, Role.OFFICE_STAFF, Role.CENTER_STAFF)
    if parent_center is not None:
        _refuse_sub_center(_("不能在运营中心“%(c)s”之下设立分中心或分支机构") % {"c": parent_center})
    is_center_staff = actor is not None and actor.role == Role.CENTER_STAFF and not actor.is_platform_admin
    suspicion = branch_suspicion(name, host_organization.name)
    if is_center_staff:
        if organization.pk != actor.organization_id:
            _refuse_sub_center(_("运营中心工作人员只能登记本中心，不能为其他机构设立运营中心"))
        if suspicion:
            _refuse_sub_center(suspicion.split("，")[0])
        _check_own_registration(organization, region_code, managing_office, status)
    if status not in INITIAL_STATUSES:
        raise ApplicationError(_("新登记的运营中心状态只能是“建设运行中”或“复函支持”；认定须经状态决定。%(rule)s")
                               % {"rule": rules.BUILD_THEN_RECOGNISE.quote()}, field="status")
    _check_relations(organization=organization, host_organization=host_organization, host_type=host_type,
                     level=level, managing_office=managing_office)
    if Center.objects.filter(organization=organization).exists():
        raise ApplicationError(_("组织机构“%(o)s”已登记为运营中心") % {"o": organization}, field="organization")
    name = check_center_name(name, level=level, status=status, industry=industry)
    center = Center(organization=organization, name=name, host_organization=host_organization, host_type=host_type,
                    industry=(industry or "").strip(), industry_chain=industry_chain, level=level,
                    managing_office=managing_office, region_code=region_code or organization.region_code,
                    staff_count=staff_count, started_on=started_on, status=status, branch_flag=suspicion,
                    created_by=actor if actor is not None and actor.pk else None)
    if actor is not None and actor.role == Role.OFFICE_STAFF:
        _require_office(actor, center)
    validated_save(center)
    audit_record(actor=actor, action="create", obj=center, changes={
        "name": [None, center.name], "organization": [None, str(organization)],
        "host_organization": [None, str(host_organization)], "level": [None, level],
        "managing_office": [None, str(managing_office)], "status": [None, status],
        **({"branch_flag": [None, suspicion]} if suspicion else {})})
    return center


@transaction.atomic
def center_update(*, actor: User | None, center: Center, data: dict[str, Any]) -> Center:
    """Edit the registry entry: the center's own staff or its offices; level and managing office by offices only.
    The status is never edited here (see ``center_transition``)."""
    is_office = office_may_decide(actor, center)
    if not is_office and not can(actor, CHANGE, center):
        raise PermissionDenied(_("您无权修改此运营中心的登记信息：%(c)s") % {"c": center})
    if "status" in data:
        raise ApplicationError(_("状态只能由管理部门通过状态决定变更"), field="status", status=403,
                               code="permission_denied")
    fields = EDITABLE_FIELDS + (OFFICE_ONLY_FIELDS if is_office else ())
    for name in data:
        if name in OFFICE_ONLY_FIELDS and not is_office:
            raise PermissionDenied(_("层级、管理部门和行政区划只能由管理部门修改"), field=name)
    merged = {f: data.get(f, getattr(center, f)) for f in ("host_organization", "host_type", "level",
                                                            "managing_office")}
    _check_relations(organization=center.organization, **merged)
    host_name = merged["host_organization"].name
    if "name" in data or "industry" in data or "level" in data:
        data["name"] = check_center_name(data.get("name", center.name), level=merged["level"], status=center.status,
                                         industry=data.get("industry", center.industry))
    suspicion = branch_suspicion(data.get("name", center.name), host_name)
    if suspicion and not is_office and actor is not None and actor.role == Role.CENTER_STAFF:
        _refuse_sub_center(suspicion.split("，")[0])
    changes = model_update(instance=center, data=data, fields=fields)
    if suspicion != center.branch_flag:
        changes["branch_flag"] = [center.branch_flag, suspicion]
        center.branch_flag = suspicion
        center.save(update_fields=["branch_flag", "updated_at"])
    if changes:
        audit_record(actor=actor, action="update", obj=center, changes=changes)
    return center


def center_create_sub_center(*, actor: User | None, parent: Center, name: str, **_fields: Any) -> None:
    """A branch or sub-center is never created: the attempt is refused with the rule quoted."""
    _refuse_sub_center(_("不能在运营中心“%(c)s”之下设立“%(n)s”") % {"c": parent, "n": name})


# ---------------------------------------------------------------- status decisions


def _decision(*, actor: User | None, center: Center, kind: str, from_status: str, to_status: str, reason: str,
              document_ref: str, document: UploadedFile | None, corrects: CenterDecision | None,
              name_before: str, name_after: str) -> CenterDecision:
    if not (reason or "").strip():
        raise ApplicationError(_("状态决定必须说明理由"), field="reason")
    if not (document_ref or "").strip():
        raise ApplicationError(_("状态决定必须注明依据文件的名称或文号"), field="document_ref")
    decision = CenterDecision(
        center=center, kind=kind, from_status=from_status, to_status=to_status, reason=reason.strip(),
        document_ref=document_ref.strip(), corrects=corrects,
        decided_by=actor if actor is not None and actor.pk else None,
        decided_by_name=actor.username if actor is not None and actor.pk else "system",
        office=actor.organization if actor is not None and actor.pk and actor.role == Role.OFFICE_STAFF else None,
        name_before=name_before, name_after=name_after)
    if document is not None:
        decision.document = document
    validated_save(decision)
    return decision


def _name_for(center: Center, to_status: str) -> str:
    """The name a center carries in ``to_status``: a national center takes the configured national name
    while qualified and gives it back (its name before recognition) when it leaves."""
    if center.level != CenterLevel.NATIONAL:
        return center.name
    if to_status in QUALIFIED_STATUSES:
        name = national_name(center.industry)
        if Center.objects.exclude(pk=center.pk).filter(name=name).exists():
            raise ApplicationError(_("名称“%(n)s”已被其他运营中心使用") % {"n": name}, field="name")
        return name
    if center.status in QUALIFIED_STATUSES:
        named = (center.decisions.filter(name_after=center.name).exclude(name_before=center.name)
                 .order_by("-id").first())
        if named is not None:
            return named.name_before
    return center.name


@transaction.atomic
def center_transition(*, actor: User | None, center: Center, to_status: str, reason: str, document_ref: str,
                      document: UploadedFile | None = None) -> CenterDecision:
    """Move a center along 建设运行中 → 申请认定中 → 已认定 → 限期整改 → 已取消资格/已退出 (and 复函支持 →),
    recording who, when, why and the document. A national center recognised takes the configured name."""
    center = Center.objects.select_for_update(of=("self",)).select_related("managing_office").get(pk=center.pk)
    _require_office(actor, center)
    return _center_move(actor=actor, center=center, to_status=to_status, reason=reason, document_ref=document_ref,
                        document=document)


def _center_move(*, actor: User | None, center: Center, to_status: str, reason: str, document_ref: str,
                 document: UploadedFile | None = None) -> CenterDecision:
    """The status decision itself, for callers that have already checked who may make it (an office deciding,
    or a workflow step such as submitting an application, which moves the center to 申请认定中)."""
    if to_status not in CENTER_TRANSITIONS.get(center.status, ()):
        raise ApplicationError(_("运营中心状态不能从“%(a)s”变为“%(b)s”") % {
            "a": center.get_status_display(),
            "b": CenterStatus(to_status).label if to_status in CenterStatus.values else to_status},
            field="status", code="invalid_transition")
    name_before = center.name
    name_after = _name_for(center, to_status)
    previous = center.status
    decision = _decision(actor=actor, center=center, kind=DecisionKind.STATUS_CHANGE, from_status=previous,
                         to_status=to_status, reason=reason, document_ref=document_ref, document=document,
                         corrects=None, name_before=name_before, name_after=name_after)
    center.status = to_status
    center.name = name_after
    center.save(update_fields=["status", "name", "updated_at"])
    changes = {"status": [previous, to_status], "decision": [None, decision.pk],
               "document_ref": [None, decision.document_ref]}
    if name_after != name_before:
        changes["name"] = [name_before, name_after]
        _rename_center_organization(actor=actor, center=center, name_before=name_before, name_after=name_after)
    audit_record(actor=actor, action="transition", obj=center, changes=changes, message=decision.reason)
    return decision


def _rename_center_organization(*, actor: User | None, center: Center, name_before: str, name_after: str) -> None:
    """The center's own organisation takes the name the decision gave the center (e.g. 国家…运营中心 on
    recognition), so pages that name the center through its organisation do not show the old name. Skipped
    when the organisation was named differently or another organisation already bears the new name."""
    org = center.organization
    if org is None or org.name != name_before or Organization.objects.filter(name=name_after).exists():
        return
    org.name = name_after
    org.save(update_fields=["name", "updated_at"])
    audit_record(actor=actor, action="update", obj=org, changes={"name": [name_before, name_after]},
                 message=_("随运营中心状态决定更名"))


@transaction.atomic
def center_decision_correct(*, actor: User | None, decision: CenterDecision, reason: str, document_ref: str,
                            to_status: str | None = None, document: UploadedFile | None = None) -> CenterDecision:
    """Correct a decision with a new one that references it; the old record stays as it was.
    Only the center's latest decision may be corrected to a different status."""
    center = Center.objects.select_for_update(of=("self",)).select_related("managing_office").get(
        pk=decision.center_id)
    _require_office(actor, center)
    if decision.corrections.exists():
        raise ApplicationError(_("该决定已被更正，请更正最新的更正记录"), field="decision")
    to_status = to_status or decision.to_status
    latest = center.decisions.order_by("-id").first()
    if to_status != decision.to_status:
        if latest is None or latest.pk != decision.pk:
            raise ApplicationError(_("只有运营中心最新的一条决定可以更正为其他状态"), field="to_status")
        possible = {decision.from_status, *CENTER_TRANSITIONS.get(decision.from_status, ())} - {""}
        if to_status not in possible:
            raise ApplicationError(_("更正后的状态“%(s)s”不是原状态的合法去向") % {
                "s": CenterStatus(to_status).label if to_status in CenterStatus.values else to_status},
                field="to_status", code="invalid_transition")
    name_before = center.name
    name_after = _name_for(center, to_status) if to_status != decision.to_status else name_before
    correction = _decision(actor=actor, center=center, kind=DecisionKind.CORRECTION, from_status=center.status,
                           to_status=to_status, reason=reason, document_ref=document_ref, document=document,
                           corrects=decision, name_before=name_before, name_after=name_after)
    changes = {"corrects": [None, decision.pk], "decision": [None, correction.pk]}
    if to_status != center.status or name_after != center.name:
        changes["status"] = [center.status, to_status]
        if name_after != center.name:
            changes["name"] = [center.name, name_after]
        center.status = to_status
        previous_name, center.name = center.name, name_after
        center.save(update_fields=["status", "name", "updated_at"])
        if previous_name != name_after:
            _rename_center_organization(actor=actor, center=center, name_before=previous_name, name_after=name_after)
    audit_record(actor=actor, action="transition", obj=center, changes=changes,
                 message=_("更正决定 #%(id)s：%(r)s") % {"id": decision.pk, "r": correction.reason})
    return correction


# ---------------------------------------------------------------- evidence


@transaction.atomic
def center_evidence_add(*, actor: User | None, center: Center, kind: str, description: str,
                        file: UploadedFile | None = None) -> CenterEvidence:
    """Declare a condition (工作机构、场地、人员、经费) with its evidence attachment."""
    if actor is not None and not (can(actor, CHANGE, center) or office_may_decide(actor, center)):
        raise PermissionDenied(_("您无权为此运营中心提交材料：%(c)s") % {"c": center})
    if kind not in EvidenceKind.values:
        raise ApplicationError(_("未知的条件类型：%(k)s") % {"k": kind}, field="kind")
    evidence = CenterEvidence(center=center, kind=kind, description=(description or "").strip(),
                              uploaded_by=actor if actor is not None and actor.pk else None)
    if file is not None:
        evidence.file = file
    validated_save(evidence)
    audit_record(actor=actor, action="create", obj=evidence, changes={
        "kind": [None, kind], "description": [None, evidence.description],
        "file": [None, evidence.file.name if evidence.file else ""]})
    return evidence


def is_center_staff(actor: User | None, center: Center) -> bool:
    if actor is None:
        return True
    return actor.is_authenticated and (actor.is_platform_admin or (
        actor.role == Role.CENTER_STAFF and actor.organization_id == center.organization_id))
