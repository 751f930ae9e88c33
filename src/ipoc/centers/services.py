"""Writes for the center registry: register, edit, status decisions (immutable, correctable),
evidence — each checked against ``rules``, each audited in the same transaction."""

from __future__ import annotations

import datetime as dt
import math
from decimal import Decimal
from typing import Any

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from ipoc.centers import rules
from ipoc.centers.models import (
    APPLICATION_OPEN_STATUSES,
    CENTER_TRANSITIONS,
    INITIAL_STATUSES,
    QUALIFIED_STATUSES,
    AnnualReport,
    ApplicationMaterial,
    ApplicationMove,
    ApplicationStatus,
    Center,
    CenterDecision,
    CenterEvidence,
    CenterLevel,
    CenterStatus,
    ConflictDeclaration,
    DecisionKind,
    Evaluation,
    EvaluationStatus,
    EvidenceKind,
    ExpertReview,
    Grade,
    HostType,
    ManagementAction,
    ManagementKind,
    Objection,
    RecognitionApplication,
    RectificationReport,
    ReportStatus,
    RevocationGround,
    RuleOverride,
)
from ipoc.core.errors import ApplicationError, PermissionDenied
from ipoc.core.models import OfficeLevel, Organization, OrganizationKind, Role, User
from ipoc.core.permissions import CHANGE, can, require_role
from ipoc.core.services import assignment_create, audit_record, model_update, notify, validated_save
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


# ================================================================ 认定 workflow (先建设、后认定)
# 中心申报 → 地方知识产权管理部门审核推荐 → 形式审查（可退回补正）→ 专家评审 → 公示（异议）→ 认定


def today() -> dt.date:
    """The local date every deadline is measured against (one place, so tests can move the clock)."""
    return timezone.localdate()


def add_working_days(start: dt.date, days: int) -> dt.date:
    """The date ``days`` working days (Mon–Fri) after ``start``; public holidays are not known to the platform."""
    current = start
    left = days
    while left > 0:
        current += dt.timedelta(days=1)
        if current.weekday() < 5:
            left -= 1
    return current


def _step_due(step: str, office) -> dt.date:
    """The deadline of a step under the deciding office's rules."""
    return today() + dt.timedelta(days=int(rules.STEP_DAYS.value_for(office).get(step, 15)))


def _due(application: RecognitionApplication, step: str) -> dt.date:
    return _step_due(step, application.deciding_office_id)


def is_center_staff(actor: User | None, center: Center) -> bool:
    if actor is None:
        return True
    return actor.is_authenticated and (actor.is_platform_admin or (
        actor.role == Role.CENTER_STAFF and actor.organization_id == center.organization_id))


def _require_center_staff(actor: User | None, center: Center, what: str) -> None:
    if not is_center_staff(actor, center):
        raise PermissionDenied(_("只有运营中心“%(c)s”的工作人员可以%(what)s") % {"c": center, "what": what})


def _office_users(office: Organization | None) -> list[User]:
    if office is None:
        return []
    return list(User.objects.filter(organization=office, role=Role.OFFICE_STAFF, is_active=True))


def _center_users(center: Center) -> list[User]:
    return list(User.objects.filter(organization_id=center.organization_id, role=Role.CENTER_STAFF,
                                    is_active=True))


def recommending_office_for(center: Center) -> Organization | None:
    """The office one level below the center's managing office whose area covers the center (审核推荐), or None
    when there is no lower level on the platform (the application then goes straight to 形式审查)."""
    order = [OfficeLevel.NATIONAL, OfficeLevel.PROVINCIAL, OfficeLevel.MUNICIPAL, OfficeLevel.COUNTY]
    level = center.managing_office.office_level
    if level not in order or level == OfficeLevel.COUNTY:
        return None
    lower = order[order.index(level) + 1]
    candidates = Organization.objects.filter(kind=OrganizationKind.IP_OFFICE, office_level=lower).exclude(
        region_code="").order_by("region_code", "pk")
    for office in candidates:
        if center.region_code.startswith(region_scope_prefix(office.region_code)):
            return office
    return None


def may_recommend(actor: User | None, application: RecognitionApplication) -> bool:
    if actor is None:
        return True
    if not actor.is_authenticated:
        return False
    if actor.is_platform_admin:
        return True
    return (actor.role == Role.OFFICE_STAFF and application.recommending_office_id is not None
            and actor.organization_id == application.recommending_office_id)


def _require_deciding_office(actor: User | None, application: RecognitionApplication) -> None:
    if not office_may_decide(actor, application.center):
        raise PermissionDenied(_("只有认定部门（%(office)s）、其上级管理部门或平台管理员可以办理此环节") % {
            "office": application.deciding_office})


def _require_status(application: RecognitionApplication, *statuses: str) -> None:
    if application.status not in statuses:
        raise ApplicationError(_("认定申请当前为“%(s)s”，不能办理此环节") % {"s": application.get_status_display()},
                               field="status", code="invalid_transition")


def _app_url(application: RecognitionApplication) -> str:
    return reverse("center_application_detail", args=[application.pk])


def _application_move(*, actor: User | None, application: RecognitionApplication, action: str, to_status: str,
                      reason: str = "", due_on: dt.date | None = None) -> ApplicationMove:
    previous = application.status
    move = ApplicationMove(
        application=application, action=action, from_status=previous, to_status=to_status, reason=reason or "",
        actor=actor if actor is not None and actor.pk else None,
        actor_name=actor.username if actor is not None and actor.pk else "system",
        office=actor.organization if actor is not None and actor.pk and actor.role == Role.OFFICE_STAFF else None)
    validated_save(move)
    application.status = to_status
    application.due_on = due_on
    application.save()
    audit_record(actor=actor, action="transition", obj=application,
                 changes={"status": [previous, to_status], "step": [None, action]}, message=reason or "")
    return move


def _lock(application: RecognitionApplication) -> RecognitionApplication:
    return (RecognitionApplication.objects.select_for_update(of=("self",))
            .select_related("center", "center__managing_office", "deciding_office", "recommending_office")
            .get(pk=application.pk))


@transaction.atomic
def application_create(*, actor: User | None, center: Center, year: int, summary: str = "", achievements: str = "",
                       plan: str = "") -> RecognitionApplication:
    """中心申报: the center's staff open an application for its level (one open application at a time)."""
    _require_center_staff(actor, center, _("提出认定申请"))
    if center.status not in (CenterStatus.BUILDING, CenterStatus.LETTER_SUPPORTED):
        raise ApplicationError(_("运营中心当前为“%(s)s”，只有“建设运行中”或“复函支持”的运营中心可以申请认定。%(rule)s") % {
            "s": center.get_status_display(), "rule": rules.BUILD_THEN_RECOGNISE.quote()}, field="center")
    if center.applications.filter(status__in=APPLICATION_OPEN_STATUSES).exists():
        raise ApplicationError(_("该运营中心已有办理中的认定申请"), field="center")
    if not 2000 <= int(year) <= today().year:
        raise ApplicationError(_("工作成效年度应在2000年至今年之间"), field="year")
    application = RecognitionApplication(
        center=center, level=center.level, year=int(year), summary=(summary or "").strip(),
        achievements=(achievements or "").strip(), plan=(plan or "").strip(),
        deciding_office=center.managing_office, recommending_office=recommending_office_for(center),
        created_by=actor if actor is not None and actor.pk else None)
    validated_save(application)
    audit_record(actor=actor, action="create", obj=application, changes={
        "center": [None, str(center)], "level": [None, application.level], "year": [None, application.year]})
    return application


APPLICATION_TEXT_FIELDS = ("summary", "achievements", "plan", "year")


@transaction.atomic
def application_update(*, actor: User | None, application: RecognitionApplication,
                       data: dict[str, Any]) -> RecognitionApplication:
    """Edit the application form while it is a draft or returned for correction."""
    application = _lock(application)
    _require_center_staff(actor, application.center, _("修改申报书"))
    _require_status(application, ApplicationStatus.DRAFT, ApplicationStatus.RETURNED)
    changes = model_update(instance=application, data={k: v for k, v in data.items() if v is not None},
                           fields=APPLICATION_TEXT_FIELDS)
    if changes:
        audit_record(actor=actor, action="update", obj=application, changes=changes)
    return application


@transaction.atomic
def application_material_add(*, actor: User | None, application: RecognitionApplication, title: str,
                             file: UploadedFile) -> ApplicationMaterial:
    """Attach a material (申报书、证明材料、补正材料) while the center can still edit the application."""
    _require_center_staff(actor, application.center, _("上传申报材料"))
    _require_status(application, ApplicationStatus.DRAFT, ApplicationStatus.RETURNED)
    if file is None:
        raise ApplicationError(_("请选择要上传的文件"), field="file")
    material = ApplicationMaterial(application=application, title=(title or "").strip() or file.name, file=file,
                                   uploaded_by=actor if actor is not None and actor.pk else None)
    validated_save(material)
    audit_record(actor=actor, action="create", obj=material, changes={"title": [None, material.title],
                                                                       "file": [None, material.file.name]})
    return material


def _conditions_snapshot(application: RecognitionApplication) -> dict:
    from ipoc.centers.conditions import check_basic_conditions

    return check_basic_conditions(application.center, level=application.level, year=application.year)


@transaction.atomic
def application_submit(*, actor: User | None, application: RecognitionApplication) -> RecognitionApplication:
    """提交申报: the basic-conditions check is taken as a snapshot, the center moves to 申请认定中 and the
    recommending office (or, without one, the deciding office) is notified."""
    application = _lock(application)
    center = application.center
    _require_center_staff(actor, center, _("提交认定申请"))
    _require_status(application, ApplicationStatus.DRAFT)
    for field, label in (("summary", _("建设与运行情况")), ("achievements", _("工作成效说明"))):
        if not getattr(application, field).strip():
            raise ApplicationError(_("请填写申报书的“%(f)s”") % {"f": label}, field=field)
    application.conditions_snapshot = _conditions_snapshot(application)
    if application.recommending_office_id:
        to_status, due, notified = (ApplicationStatus.SUBMITTED, _due(application, "recommend"),
                                    _office_users(application.recommending_office))
    else:
        to_status, due, notified = (ApplicationStatus.RECOMMENDED, _due(application, "formal_review"),
                                    _office_users(application.deciding_office))
    _application_move(actor=actor, application=application, action="submit", to_status=to_status,
                      reason=_("提交认定申请"), due_on=due)
    if center.status != CenterStatus.APPLYING:
        _center_move(actor=actor, center=Center.objects.select_for_update().get(pk=center.pk),
                     to_status=CenterStatus.APPLYING, reason=_("提交认定申请 #%(id)s") % {"id": application.pk},
                     document_ref=_("认定申请 #%(id)s") % {"id": application.pk})
    notify(users=notified, title=_("待办：%(a)s") % {"a": application}, url=_app_url(application),
           kind="center_application")
    return application


def _back_to_building(actor: User | None, application: RecognitionApplication, reason: str, document_ref: str):
    """The application ended without recognition: the center returns to the status it applied from
    (建设运行中, or 复函支持 for a legacy center)."""
    center = Center.objects.select_for_update().get(pk=application.center_id)
    if center.status != CenterStatus.APPLYING:
        return None
    applied = center.decisions.filter(to_status=CenterStatus.APPLYING).order_by("-id").first()
    previous = applied.from_status if applied is not None and applied.from_status in (
        CenterStatus.BUILDING, CenterStatus.LETTER_SUPPORTED) else CenterStatus.BUILDING
    return _center_move(actor=actor, center=center, to_status=previous, reason=reason,
                        document_ref=document_ref or _("认定申请 #%(id)s") % {"id": application.pk})


@transaction.atomic
def application_recommend(*, actor: User | None, application: RecognitionApplication, recommend: bool,
                          opinion: str) -> RecognitionApplication:
    """地方知识产权管理部门审核推荐: recommend to the deciding office, or decline with reasons."""
    application = _lock(application)
    if not may_recommend(actor, application):
        raise PermissionDenied(_("只有推荐部门（%(o)s）可以审核推荐此申请") % {
            "o": application.recommending_office or _("无")})
    _require_status(application, ApplicationStatus.SUBMITTED)
    if not (opinion or "").strip():
        raise ApplicationError(_("请填写推荐意见"), field="opinion")
    if recommend:
        _application_move(actor=actor, application=application, action="recommend",
                          to_status=ApplicationStatus.RECOMMENDED, reason=opinion.strip(),
                          due_on=_due(application, "formal_review"))
        notify(users=_office_users(application.deciding_office), title=_("待形式审查：%(a)s") % {"a": application},
               url=_app_url(application), kind="center_application")
    else:
        _application_move(actor=actor, application=application, action="decline",
                          to_status=ApplicationStatus.NOT_RECOMMENDED, reason=opinion.strip())
        _back_to_building(actor, application, _("未获推荐：%(r)s") % {"r": opinion.strip()}, "")
        notify(users=_center_users(application.center), title=_("认定申请未获推荐"), body=opinion.strip(),
               url=_app_url(application), kind="center_application")
    return application


FORMAL_OUTCOMES = ("accept", "return", "reject")


@transaction.atomic
def application_formal_review(*, actor: User | None, application: RecognitionApplication, outcome: str,
                              reason: str = "") -> RecognitionApplication:
    """形式审查 by the deciding office: accept for expert review, return for correction (with reasons), or reject."""
    application = _lock(application)
    _require_deciding_office(actor, application)
    _require_status(application, ApplicationStatus.RECOMMENDED)
    if outcome not in FORMAL_OUTCOMES:
        raise ApplicationError(_("形式审查结论应为 accept（受理）、return（退回补正）或 reject（不予受理）"),
                               field="outcome")
    reason = (reason or "").strip()
    if outcome != "accept" and not reason:
        raise ApplicationError(_("退回补正或不予受理须说明理由"), field="reason")
    if outcome == "accept":
        application.scoring_sheet = [dict(c) for c in rules.SCORING_SHEET.value_for(application.deciding_office_id)]
        _application_move(actor=actor, application=application, action="accept",
                          to_status=ApplicationStatus.EXPERT_REVIEW, reason=reason or _("形式审查通过"),
                          due_on=_due(application, "expert_review"))
    elif outcome == "return":
        _application_move(actor=actor, application=application, action="return",
                          to_status=ApplicationStatus.RETURNED, reason=reason, due_on=_due(application, "correction"))
        notify(users=_center_users(application.center), title=_("认定申请被退回补正"), body=reason,
               url=_app_url(application), kind="center_application")
    else:
        _application_move(actor=actor, application=application, action="reject",
                          to_status=ApplicationStatus.REJECTED, reason=reason)
        _back_to_building(actor, application, _("形式审查不予受理：%(r)s") % {"r": reason}, "")
    return application


@transaction.atomic
def application_resubmit(*, actor: User | None, application: RecognitionApplication,
                         note: str = "") -> RecognitionApplication:
    """补正后重新提交: back to the deciding office's 形式审查 with a fresh conditions snapshot."""
    application = _lock(application)
    _require_center_staff(actor, application.center, _("重新提交认定申请"))
    _require_status(application, ApplicationStatus.RETURNED)
    application.conditions_snapshot = _conditions_snapshot(application)
    _application_move(actor=actor, application=application, action="resubmit",
                      to_status=ApplicationStatus.RECOMMENDED, reason=(note or "").strip() or _("补正后重新提交"),
                      due_on=_due(application, "formal_review"))
    notify(users=_office_users(application.deciding_office), title=_("补正材料已提交：%(a)s") % {"a": application},
           url=_app_url(application), kind="center_application")
    return application


@transaction.atomic
def application_withdraw(*, actor: User | None, application: RecognitionApplication,
                         reason: str) -> RecognitionApplication:
    """The center withdraws its application before publicity; it returns to 建设运行中."""
    application = _lock(application)
    _require_center_staff(actor, application.center, _("撤回认定申请"))
    _require_status(application, ApplicationStatus.DRAFT, ApplicationStatus.SUBMITTED, ApplicationStatus.RECOMMENDED,
                    ApplicationStatus.RETURNED, ApplicationStatus.EXPERT_REVIEW)
    if not (reason or "").strip():
        raise ApplicationError(_("请说明撤回理由"), field="reason")
    _application_move(actor=actor, application=application, action="withdraw", to_status=ApplicationStatus.WITHDRAWN,
                      reason=reason.strip())
    _back_to_building(actor, application, _("撤回认定申请：%(r)s") % {"r": reason.strip()}, "")
    return application


# ---------------------------------------------------------------- 专家评审 (also used by 定期评价)


def scoring_sheet_for(review: ExpertReview) -> list[dict]:
    """The criteria an expert scores: the recognition sheet, or the evaluation's expert indicators (0–100 each)."""
    if review.application_id:
        return [dict(c) for c in review.application.scoring_sheet
                or rules.SCORING_SHEET.value_for(review.application.deciding_office_id)]
    return [{"code": i["code"], "label": i["label"], "max": 100} for i in indicator_system(review.evaluation)
            if i.get("source") == "expert"]


def indicator_system(evaluation: Evaluation) -> list[dict]:
    """The indicator system the evaluation was opened under (a later rule change does not reach it)."""
    return [dict(i) for i in evaluation.indicator_system
            or rules.EVALUATION_INDICATORS.value_for(evaluation.center.managing_office_id)]


@transaction.atomic
def review_assign(*, actor: User | None, expert: User, application: RecognitionApplication | None = None,
                  evaluation: Evaluation | None = None, due_on: dt.date | None = None) -> ExpertReview:
    """Assign an expert (角色：评审专家) to an application in 专家评审 or to a draft evaluation."""
    if (application is None) == (evaluation is None):
        raise ApplicationError(_("请指定一项认定申请或一项定期评价"), field="application")
    if application is not None:
        application = _lock(application)
    else:
        evaluation = Evaluation.objects.select_related("center__managing_office").get(pk=evaluation.pk)
    target = application or evaluation
    center = target.center
    if not office_may_decide(actor, center):
        raise PermissionDenied(_("只有管理部门可以指派评审专家"))
    if application is not None:
        _require_status(application, ApplicationStatus.EXPERT_REVIEW)
    elif evaluation.status != EvaluationStatus.DRAFT:
        raise ApplicationError(_("已定级的评价不能再指派专家"), field="evaluation")
    if expert.role != Role.EXPERT or not expert.is_active:
        raise ApplicationError(_("“%(u)s”不是评审专家账号") % {"u": expert}, field="expert")
    if ExpertReview.objects.filter(application=application, evaluation=evaluation, expert=expert).exists():
        raise ApplicationError(_("该专家已被指派"), field="expert")
    review = ExpertReview(application=application, evaluation=evaluation, expert=expert,
                          assigned_by=actor if actor is not None and actor.pk else None,
                          due_on=due_on or (application.due_on if application is not None else _step_due(
                              "expert_review", center.managing_office_id)))
    validated_save(review)
    purpose = _("认定评审") if application is not None else _("定期评价")
    assignment_create(actor=actor, user=expert, obj=target, purpose=purpose)
    if not _assigned(expert, center):
        assignment_create(actor=actor, user=expert, obj=center, purpose=purpose)
    audit_record(actor=actor, action="create", obj=review, changes={"expert": [None, expert.username],
                                                                     "target": [None, str(target)]})
    notify(users=[expert], title=_("评审任务：%(t)s") % {"t": target}, body=_("请先作出利益冲突声明，再填写评分表"),
           url=reverse("center_review_detail", args=[review.pk]), kind="center_review")
    return review


def _assigned(user: User, obj) -> bool:
    from django.contrib.contenttypes.models import ContentType

    from ipoc.core.models import ObjectAssignment

    return ObjectAssignment.objects.filter(user=user, content_type=ContentType.objects.get_for_model(obj),
                                           object_id=str(obj.pk)).exists()


def _require_expert(actor: User | None, review: ExpertReview) -> None:
    if actor is None or not actor.is_authenticated or actor.pk != review.expert_id:
        raise PermissionDenied(_("只有被指派的评审专家本人可以办理此评审"))


def _review_open(review: ExpertReview) -> None:
    if review.application_id:
        _require_status(review.application, ApplicationStatus.EXPERT_REVIEW)
    elif review.evaluation.status != EvaluationStatus.DRAFT:
        raise ApplicationError(_("该评价已定级"), field="evaluation")


@transaction.atomic
def review_declare(*, actor: User | None, review: ExpertReview, conflict: bool, note: str = "") -> ExpertReview:
    """利益冲突声明 (once): an expert with a conflict is withdrawn (回避) and scores nothing."""
    review = ExpertReview.objects.select_for_update().get(pk=review.pk)
    _require_expert(actor, review)
    _review_open(review)
    if review.declaration:
        raise ApplicationError(_("已作出利益冲突声明，不能更改"), field="declaration")
    if conflict and not (note or "").strip():
        raise ApplicationError(_("存在利益冲突的，请说明情况"), field="note")
    review.declaration = ConflictDeclaration.CONFLICT if conflict else ConflictDeclaration.NONE
    review.declaration_note = (note or "").strip()
    review.declared_at = timezone.now()
    review.save()
    audit_record(actor=actor, action="update", obj=review, changes={"declaration": ["", review.declaration]},
                 message=review.declaration_note)
    if conflict:
        target = review.application or review.evaluation
        notify(users=_office_users(target.center.managing_office), title=_("专家声明回避：%(t)s") % {"t": target},
               body=review.declaration_note, kind="center_review")
    return review


@transaction.atomic
def review_submit(*, actor: User | None, review: ExpertReview, scores: dict[str, Any],
                  comment: str = "") -> ExpertReview:
    """The scoring sheet: one score per criterion within its range; submitted once."""
    review = ExpertReview.objects.select_for_update().get(pk=review.pk)
    _require_expert(actor, review)
    _review_open(review)
    if review.declaration != ConflictDeclaration.NONE:
        raise ApplicationError(_("请先声明无利益冲突；声明回避的专家不评分"), field="declaration")
    if review.submitted_at is not None:
        raise ApplicationError(_("评分表已提交，不能修改"), field="scores")
    clean: dict[str, float] = {}
    for criterion in scoring_sheet_for(review):
        code, top = criterion["code"], Decimal(str(criterion["max"]))
        raw = (scores or {}).get(code)
        if raw is None or raw == "":
            raise ApplicationError(_("请为“%(c)s”打分") % {"c": criterion["label"]}, field=f"scores.{code}")
        try:
            value = Decimal(str(raw))
        except ArithmeticError:
            raise ApplicationError(_("“%(c)s”的分数应为数字") % {"c": criterion["label"]},
                                   field=f"scores.{code}") from None
        if not value.is_finite() or value < 0 or value > top:
            raise ApplicationError(_("“%(c)s”的分数应在0至%(m)s之间") % {"c": criterion["label"], "m": top},
                                   field=f"scores.{code}")
        if value != value.quantize(Decimal("0.01")):
            raise ApplicationError(_("“%(c)s”的分数最多保留两位小数") % {"c": criterion["label"]},
                                   field=f"scores.{code}")
        clean[code] = float(value)
    unknown = set(scores or {}) - set(clean)
    if unknown:
        raise ApplicationError(_("评分表中没有这些项：%(u)s") % {"u": "、".join(sorted(unknown))}, field="scores")
    review.scores = clean
    review.total = sum((Decimal(str(v)) for v in clean.values()), Decimal("0"))
    review.comment = (comment or "").strip()
    review.submitted_at = timezone.now()
    review.save()
    audit_record(actor=actor, action="update", obj=review, changes={"scores": [None, clean],
                                                                     "total": [None, str(review.total)]})
    return review


def valid_reviews(reviews) -> list[ExpertReview]:
    """Submitted scoring sheets of experts who declared no conflict."""
    return [r for r in reviews if r.declaration == ConflictDeclaration.NONE and r.submitted_at is not None]


@transaction.atomic
def application_close_review(*, actor: User | None, application: RecognitionApplication,
                             notice: str = "") -> RecognitionApplication:
    """End 专家评审: the score is the mean of the valid sheets; at or above the pass score the application goes to
    公示 for the configured number of working days, below it it is not recognised."""
    application = _lock(application)
    _require_deciding_office(actor, application)
    _require_status(application, ApplicationStatus.EXPERT_REVIEW)
    reviews = list(application.reviews.all())
    pending = [r for r in reviews if r.declaration != ConflictDeclaration.CONFLICT and r.submitted_at is None]
    if pending:
        raise ApplicationError(_("还有专家未提交评分表：%(e)s") % {"e": "、".join(r.expert.username for r in pending)},
                               field="reviews")
    valid = valid_reviews(reviews)
    office = application.deciding_office_id
    need = int(rules.MIN_EXPERT_SCORES.value_for(office))
    if len(valid) < need:
        raise ApplicationError(_("有效专家评分 %(n)s 份，少于规定的 %(m)s 份。%(rule)s") % {
            "n": len(valid), "m": need, "rule": rules.MIN_EXPERT_SCORES.quote()}, field="reviews")
    score = (sum((r.total for r in valid), Decimal("0")) / len(valid)).quantize(Decimal("0.01"))
    application.score = score
    pass_score = rules.PASS_SCORE.value_for(office)
    if score >= Decimal(str(pass_score)):
        start = today()
        application.publicity_start = start
        application.publicity_end = add_working_days(start, int(rules.PUBLICITY_WORKING_DAYS.value_for(office)))
        application.publicity_notice = (notice or "").strip() or _(
            "经专家评审，拟认定“%(c)s”为%(level)s产业知识产权运营中心，现予公示。公示期内，任何单位和个人可实名提出异议。") % {
            "c": application.center, "level": application.get_level_display()}
        _application_move(actor=actor, application=application, action="publicity",
                          to_status=ApplicationStatus.PUBLICITY,
                          reason=_("专家评审综合得分 %(s)s（%(n)s 份有效评分），进入公示，至 %(end)s") % {
                              "s": score, "n": len(valid), "end": application.publicity_end},
                          due_on=application.publicity_end)
    else:
        reason = _("专家评审综合得分 %(s)s，低于通过分数 %(p)s") % {"s": score, "p": pass_score}
        _application_move(actor=actor, application=application, action="reject",
                          to_status=ApplicationStatus.REJECTED, reason=reason)
        _back_to_building(actor, application, reason, "")
    return application


# ---------------------------------------------------------------- 公示与异议


OBJECTION_MAX_CHARS = 10_000


def _objections_per_address_per_day() -> int:
    import os

    try:
        return max(1, int(os.environ.get("IPOC_OBJECTIONS_PER_ADDRESS_PER_DAY", 5)))
    except ValueError:
        return 5


def _check_objection_flood(address: str) -> None:
    """Anyone may object without signing in, and the office must resolve every objection before it decides:
    one address files at most ``IPOC_OBJECTIONS_PER_ADDRESS_PER_DAY`` (default 5) objections a day."""
    from django.contrib.contenttypes.models import ContentType

    from ipoc.core.models import AuditEntry

    limit = _objections_per_address_per_day()
    recent = AuditEntry.objects.filter(content_type=ContentType.objects.get_for_model(Objection), action="create",
                                       at__gte=timezone.now() - dt.timedelta(days=1), changes__address=address)
    if recent.count() >= limit:
        raise ApplicationError(_("同一来源 24 小时内最多可提出 %(n)s 件异议，请稍后再试；如有更多异议请直接联系认定部门")
                               % {"n": limit}, field="content", status=429, code="throttled")


@transaction.atomic
def objection_create(*, actor: User | None, application: RecognitionApplication, submitter_name: str,
                     submitter_contact: str, content: str, address: str = "") -> Objection:
    """A real-name objection during the publicity period (anyone, signed in or not). ``address``: where it comes
    from (the web and API pass the client's address), bounded per day against floods."""
    application = _lock(application)
    if application.status != ApplicationStatus.PUBLICITY:
        raise ApplicationError(_("该申请不在公示期内"), field="application")
    if today() > application.publicity_end:
        raise ApplicationError(_("公示期已于 %(d)s 结束") % {"d": application.publicity_end}, field="application")
    for field, value, label in (("submitter_name", submitter_name, _("异议人")),
                                ("submitter_contact", submitter_contact, _("联系方式")),
                                ("content", content, _("异议内容"))):
        if not (value or "").strip():
            raise ApplicationError(_("请填写%(f)s（异议须实名提出）") % {"f": label}, field=field)
    if len(content.strip()) > OBJECTION_MAX_CHARS:
        raise ApplicationError(_("异议内容最多 %(n)s 字（现有 %(m)s 字），证明材料请写明获取方式")
                               % {"n": f"{OBJECTION_MAX_CHARS:,}", "m": f"{len(content.strip()):,}"}, field="content")
    if address:
        _check_objection_flood(address)
    user = actor if actor is not None and actor.is_authenticated else None
    objection = Objection(application=application, submitter_name=submitter_name.strip(),
                          submitter_contact=submitter_contact.strip(), content=content.strip(), submitted_by=user)
    validated_save(objection)
    audit_record(actor=user, action="create", obj=objection, changes={"content": [None, objection.content],
                                                                      **({"address": address} if address else {})})
    notify(users=_office_users(application.deciding_office), title=_("公示异议：%(a)s") % {"a": application},
           body=objection.content, url=_app_url(application), kind="center_application")
    return objection


@transaction.atomic
def objection_resolve(*, actor: User | None, objection: Objection, upheld: bool, resolution: str) -> Objection:
    """The deciding office resolves an objection (once): upheld or not, with its reasons."""
    objection = Objection.objects.select_for_update().select_related("application__center").get(pk=objection.pk)
    _require_deciding_office(actor, objection.application)
    if objection.resolved_at is not None:
        raise ApplicationError(_("该异议已处理"), field="objection")
    if not (resolution or "").strip():
        raise ApplicationError(_("请填写处理意见"), field="resolution")
    objection.upheld = bool(upheld)
    objection.resolution = resolution.strip()
    objection.resolved_by = actor if actor is not None and actor.pk else None
    objection.resolved_at = timezone.now()
    objection.save()
    audit_record(actor=actor, action="update", obj=objection, changes={"upheld": [None, objection.upheld]},
                 message=objection.resolution)
    return objection


def certificate_number(application: RecognitionApplication) -> str:
    """The next free number of the pattern for the level and year (a unique constraint backs it)."""
    seq = RecognitionApplication.objects.filter(level=application.level, status=ApplicationStatus.RECOGNISED,
                                                decision__decided_at__year=today().year).count() + 1
    while True:
        number = rules.CERTIFICATE_NUMBER_PATTERN.value.format(level=application.level.upper()[:3],
                                                               year=today().year, seq=seq)
        if not RecognitionApplication.objects.filter(certificate_no=number).exists():
            return number
        seq += 1


@transaction.atomic
def application_decide(*, actor: User | None, application: RecognitionApplication, recognise: bool, reason: str,
                       document_ref: str, document: UploadedFile | None = None) -> RecognitionApplication:
    """认定 after the publicity period: every objection resolved; an upheld objection bars recognition.
    Recognition is a status decision on the center (named by the pattern at national level) with a certificate."""
    application = _lock(application)
    _require_deciding_office(actor, application)
    _require_status(application, ApplicationStatus.PUBLICITY)
    if today() <= application.publicity_end:
        raise ApplicationError(_("公示期至 %(d)s 结束，期满后方可作出认定决定") % {"d": application.publicity_end},
                               field="publicity_end")
    open_objections = application.objections.filter(resolved_at__isnull=True).count()
    if open_objections:
        raise ApplicationError(_("还有 %(n)s 件异议未处理") % {"n": open_objections}, field="objections")
    if recognise and application.objections.filter(upheld=True).exists():
        raise ApplicationError(_("有异议经核实成立，不能予以认定"), field="objections")
    if not (reason or "").strip():
        raise ApplicationError(_("请填写认定决定的理由"), field="reason")
    if not (document_ref or "").strip():
        raise ApplicationError(_("请填写认定文件的名称或文号"), field="document_ref")
    center = Center.objects.select_for_update(of=("self",)).select_related("managing_office").get(
        pk=application.center_id)
    if recognise:
        decision = _center_move(actor=actor, center=center, to_status=CenterStatus.RECOGNISED, reason=reason,
                                document_ref=document_ref, document=document)
        application.decision = decision
        application.certificate_no = certificate_number(application)
        _application_move(actor=actor, application=application, action="recognise",
                          to_status=ApplicationStatus.RECOGNISED, reason=reason.strip())
        notify(users=_center_users(center), title=_("已认定：%(c)s") % {"c": decision.name_after},
               url=_app_url(application), kind="center_application")
    else:
        application.decision = _back_to_building(actor, application, reason.strip(), document_ref)
        _application_move(actor=actor, application=application, action="reject",
                          to_status=ApplicationStatus.REJECTED, reason=reason.strip())
    return application


# ---------------------------------------------------------------- deadlines and reminders


def _pending_work(day: dt.date) -> list[tuple[list[User], str, str]]:
    """(who, what, url) for every application step or expert review due within the reminder window or overdue."""
    horizon = day + dt.timedelta(days=int(rules.REMIND_DAYS_BEFORE.value))
    work = []
    waiting = {ApplicationStatus.SUBMITTED: lambda a: _office_users(a.recommending_office),
               ApplicationStatus.RECOMMENDED: lambda a: _office_users(a.deciding_office),
               ApplicationStatus.RETURNED: lambda a: _center_users(a.center),
               ApplicationStatus.EXPERT_REVIEW: lambda a: _office_users(a.deciding_office)}
    for app in (RecognitionApplication.objects.filter(status__in=list(waiting), due_on__lte=horizon)
                .select_related("center", "recommending_office", "deciding_office")):
        state = _("已逾期") if app.due_on < day else _("即将到期")
        work.append((waiting[app.status](app), _("%(a)s：%(s)s环节%(state)s（期限 %(d)s）") % {
            "a": app, "s": app.get_status_display(), "state": state, "d": app.due_on}, _app_url(app)))
    for review in (ExpertReview.objects.filter(submitted_at__isnull=True, due_on__lte=horizon)
                   .exclude(declaration=ConflictDeclaration.CONFLICT)
                   .filter(application__status=ApplicationStatus.EXPERT_REVIEW)
                   .select_related("expert", "application__center")):
        state = _("已逾期") if review.due_on < day else _("即将到期")
        work.append(([review.expert], _("评审任务%(state)s（期限 %(d)s）：%(a)s") % {
            "state": state, "d": review.due_on, "a": review.application},
            reverse("center_review_detail", args=[review.pk])))
    return work


@transaction.atomic
def reminders_send(*, actor: User | None = None, day: dt.date | None = None) -> dict:
    """Remind whoever holds a step that is due soon or overdue; at most one reminder per user and item per day."""
    from ipoc.core.models import Notification

    day = day or today()
    sent = 0
    items = _pending_work(day)
    for users, title, url in items:
        fresh = [u for u in users if not Notification.objects.filter(
            recipient=u, url=url, kind="center_reminder", created_at__date=timezone.localdate()).exists()]
        sent += notify(users=fresh, title=title, url=url, kind="center_reminder")
    return {"items": len(items), "notifications": sent, "date": day.isoformat()}


# ================================================================ 年度工作报告


def _report_url(report: AnnualReport) -> str:
    return reverse("center_report_detail", args=[report.pk])


@transaction.atomic
def report_generate(*, actor: User | None, center: Center, year: int) -> AnnualReport:
    """Generate (or regenerate, while editable) the annual duty report from the center's records; the
    narrative the center wrote is kept."""
    from ipoc.centers import kpi

    _require_center_staff(actor, center, _("编制年度工作报告"))
    year = int(year)
    if not 2000 <= year <= today().year:
        raise ApplicationError(_("年度应在2000年至今年之间"), field="year")
    report, created = AnnualReport.objects.select_for_update().get_or_create(center=center, year=year)
    if report.status not in (ReportStatus.DRAFT, ReportStatus.RETURNED):
        raise ApplicationError(_("年度工作报告已%(s)s，不能重新生成") % {"s": report.get_status_display()},
                               field="status")
    report.lines = kpi.report_lines(center, year)
    report.generated_at = timezone.now()
    report.save()
    audit_record(actor=actor, action="create" if created else "update", obj=report,
                 changes={"lines": [None, {ln["code"]: ln["value"] for ln in report.lines}]})
    return report


@transaction.atomic
def report_update(*, actor: User | None, report: AnnualReport, narrative: dict[str, str]) -> AnnualReport:
    """The center's own account of each duty (工作情况说明); figures are never typed in."""
    from ipoc.centers import kpi

    report = AnnualReport.objects.select_for_update().select_related("center").get(pk=report.pk)
    _require_center_staff(actor, report.center, _("修改年度工作报告"))
    if report.status not in (ReportStatus.DRAFT, ReportStatus.RETURNED):
        raise ApplicationError(_("年度工作报告已%(s)s，不能修改") % {"s": report.get_status_display()}, field="status")
    unknown = set(narrative or {}) - set(kpi.DUTIES)
    if unknown:
        raise ApplicationError(_("未知的职责：%(u)s") % {"u": "、".join(sorted(unknown))}, field="narrative")
    before = dict(report.narrative)
    report.narrative = {**before, **{k: (v or "").strip() for k, v in (narrative or {}).items()}}
    report.save()
    audit_record(actor=actor, action="update", obj=report, changes={"narrative": [before, report.narrative]})
    return report


@transaction.atomic
def report_submit(*, actor: User | None, report: AnnualReport) -> AnnualReport:
    """Submit to the managing office; the figures are regenerated from the records at this moment."""
    from ipoc.centers import kpi

    report = AnnualReport.objects.select_for_update().select_related("center").get(pk=report.pk)
    _require_center_staff(actor, report.center, _("提交年度工作报告"))
    if report.status not in (ReportStatus.DRAFT, ReportStatus.RETURNED):
        raise ApplicationError(_("年度工作报告已%(s)s") % {"s": report.get_status_display()}, field="status")
    report.lines = kpi.report_lines(report.center, report.year)
    report.generated_at = report.submitted_at = timezone.now()
    report.submitted_by = actor if actor is not None and actor.pk else None
    previous, report.status = report.status, ReportStatus.SUBMITTED
    report.save()
    audit_record(actor=actor, action="transition", obj=report, changes={"status": [previous, report.status]})
    notify(users=_office_users(report.center.managing_office), title=_("待审核：%(r)s") % {"r": report},
           url=_report_url(report), kind="center_report")
    return report


@transaction.atomic
def report_review(*, actor: User | None, report: AnnualReport, accept: bool, comment: str = "") -> AnnualReport:
    """The managing office accepts the report or returns it for changes (with its reasons)."""
    report = AnnualReport.objects.select_for_update().select_related("center__managing_office").get(pk=report.pk)
    if not office_may_decide(actor, report.center):
        raise PermissionDenied(_("只有运营中心的管理部门可以审核年度工作报告"))
    if report.status != ReportStatus.SUBMITTED:
        raise ApplicationError(_("只有已提交的报告可以审核"), field="status")
    if not accept and not (comment or "").strip():
        raise ApplicationError(_("退回修改须说明理由"), field="comment")
    previous = report.status
    report.status = ReportStatus.ACCEPTED if accept else ReportStatus.RETURNED
    report.review_comment = (comment or "").strip()
    report.reviewed_by = actor if actor is not None and actor.pk else None
    report.reviewed_at = timezone.now()
    report.save()
    audit_record(actor=actor, action="transition", obj=report, changes={"status": [previous, report.status]},
                 message=report.review_comment)
    notify(users=_center_users(report.center), title=_("年度工作报告%(s)s") % {"s": report.get_status_display()},
           body=report.review_comment, url=_report_url(report), kind="center_report")
    return report


# ================================================================ 定期评价


def grade_for(total: Decimal, office=None) -> str:
    cut = rules.GRADE_THRESHOLDS.value_for(office)
    for grade in (Grade.EXCELLENT, Grade.GOOD, Grade.PASS):
        if total >= Decimal(str(cut[grade.value])):
            return grade.value
    return Grade.FAIL.value


def compute_evaluation_indicators(evaluation: Evaluation) -> list[dict]:
    """Each indicator's value (from the accepted annual report where it has the line, else from the records),
    target, score = min(value / target, 1) × 100, weight and contribution; expert indicators average the valid
    expert scores. An indicator without data scores 0 and says so (``missing``)."""
    from ipoc.centers import kpi

    report_lines = {ln["code"]: ln for ln in (evaluation.report.lines if evaluation.report_id else [])}
    reviews = valid_reviews(evaluation.reviews.all()) if evaluation.pk else []
    system = indicator_system(evaluation)
    weight_sum = sum(Decimal(str(i["weight"])) for i in system) or Decimal(1)
    out = []
    for ind in system:
        code, target, weight = ind["code"], Decimal(str(ind["target"])), Decimal(str(ind["weight"]))
        row = {"code": code, "label": ind["label"], "source": ind["source"], "target": float(target),
               "weight": float(weight), "records": [], "missing": False, "from": ""}
        if ind["source"] == "expert":
            values = [Decimal(str(r.scores[code])) for r in reviews if code in (r.scores or {})]
            value = (sum(values, Decimal(0)) / len(values)) if values else None
            row["records"] = [{"model": "centers.expertreview", "id": r.pk} for r in reviews]
            row["from"] = "expert"
        else:
            line = report_lines.get(code) or kpi.figure_line(code, evaluation.center, evaluation.year)
            row["from"] = "report" if code in report_lines else "records"
            value = None if line["missing"] else Decimal(str(line["value"]))
            row["records"] = line["records"]
            row["unit"] = line.get("unit", "")
        row["missing"] = value is None
        score = Decimal(0) if value is None or target <= 0 else min(value / target, Decimal(1)) * 100
        contribution = score * weight / weight_sum
        row.update(value=None if value is None else float(value), score=float(score.quantize(Decimal("0.01"))),
                   contribution=float(contribution.quantize(Decimal("0.01"))))
        out.append(row)
    return out


def _evaluation_url(evaluation: Evaluation) -> str:
    return reverse("center_evaluation_detail", args=[evaluation.pk])


@transaction.atomic
def evaluation_create(*, actor: User | None, center: Center, year: int,
                      supersedes: Evaluation | None = None) -> Evaluation:
    """Open a 定期评价 of a recognised center for a year, from its accepted annual report (if any) and records.
    ``supersedes`` corrects a final evaluation: the old one stays as it was."""
    center = _lock_center(center)
    if not office_may_decide(actor, center):
        raise PermissionDenied(_("只有运营中心的管理部门可以开展定期评价"))
    if center.status not in QUALIFIED_STATUSES:
        raise ApplicationError(_("只对已认定的运营中心开展定期评价（当前：%(s)s）") % {"s": center.get_status_display()},
                               field="center")
    if supersedes is not None and (supersedes.center_id != center.pk or supersedes.status != EvaluationStatus.FINAL
                                   or supersedes.year != int(year) or supersedes.corrections.exists()):
        raise ApplicationError(_("只能更正本中心同一年度、已定级且尚未更正的评价"), field="supersedes")
    if center.evaluations.filter(year=year, status=EvaluationStatus.DRAFT).exists():
        raise ApplicationError(_("该年度已有进行中的评价"), field="year")
    if supersedes is None and center.evaluations.filter(year=year, status=EvaluationStatus.FINAL,
                                                        corrections__isnull=True).exists():
        raise ApplicationError(_("该年度已定级；如需更正，请新建引用原评价的评价"), field="year")
    report = center.annual_reports.filter(year=year, status=ReportStatus.ACCEPTED).first()
    evaluation = Evaluation(center=center, year=int(year), report=report, supersedes=supersedes,
                            indicator_system=[dict(i) for i in rules.EVALUATION_INDICATORS.value_for(
                                center.managing_office_id)],
                            created_by=actor if actor is not None and actor.pk else None)
    evaluation.indicators = compute_evaluation_indicators(evaluation)
    validated_save(evaluation)
    audit_record(actor=actor, action="create", obj=evaluation, changes={
        "year": [None, evaluation.year], "report": [None, report.pk if report else None],
        **({"supersedes": [None, supersedes.pk]} if supersedes else {})})
    return evaluation


@transaction.atomic
def evaluation_finalise(*, actor: User | None, evaluation: Evaluation, comment: str = "") -> Evaluation:
    """Score and grade (优秀/良好/合格/不合格); the evaluation is immutable from here."""
    evaluation = Evaluation.objects.select_for_update().select_related("center__managing_office").get(
        pk=evaluation.pk)
    if not office_may_decide(actor, evaluation.center):
        raise PermissionDenied(_("只有运营中心的管理部门可以评定等次"))
    if evaluation.status != EvaluationStatus.DRAFT:
        raise ApplicationError(_("该评价已定级"), field="status")
    reviews = list(evaluation.reviews.all())
    pending = [r for r in reviews if r.declaration != ConflictDeclaration.CONFLICT and r.submitted_at is None]
    if pending:
        raise ApplicationError(_("还有专家未提交评分：%(e)s") % {"e": "、".join(r.expert.username for r in pending)},
                               field="reviews")
    indicators = compute_evaluation_indicators(evaluation)
    missing_expert = [i["label"] for i in indicators if i["source"] == "expert" and i["missing"]]
    if missing_expert:
        raise ApplicationError(_("专家评价指标尚无有效评分：%(l)s") % {"l": "、".join(missing_expert)},
                               field="reviews")
    total = sum((Decimal(str(i["contribution"])) for i in indicators), Decimal(0)).quantize(Decimal("0.01"))
    evaluation.indicators = indicators
    evaluation.total = total
    evaluation.grade = grade_for(total, evaluation.center.managing_office_id)
    evaluation.comment = (comment or "").strip()
    evaluation.finalised_by = actor if actor is not None and actor.pk else None
    evaluation.finalised_at = timezone.now()
    evaluation.status = EvaluationStatus.FINAL
    Evaluation.objects.filter(pk=evaluation.pk).update(
        indicators=indicators, total=total, grade=evaluation.grade, comment=evaluation.comment,
        finalised_by=evaluation.finalised_by, finalised_at=evaluation.finalised_at, status=EvaluationStatus.FINAL)
    audit_record(actor=actor, action="transition", obj=evaluation, changes={
        "status": [EvaluationStatus.DRAFT, EvaluationStatus.FINAL], "total": [None, str(total)],
        "grade": [None, evaluation.grade]})
    notify(users=_center_users(evaluation.center), title=_("定期评价结果：%(g)s") % {
        "g": evaluation.get_grade_display()}, url=_evaluation_url(evaluation), kind="center_evaluation")
    return evaluation


# ================================================================ 动态管理


def _management(*, actor: User | None, center: Center, kind: str, content: str, document_ref: str,
                evaluation: Evaluation | None = None, follows: ManagementAction | None = None,
                corrects: ManagementAction | None = None, ground: str = "", deadline: dt.date | None = None,
                decision: CenterDecision | None = None) -> ManagementAction:
    if not (content or "").strip():
        raise ApplicationError(_("请填写内容"), field="content")
    if not (document_ref or "").strip():
        raise ApplicationError(_("请填写文件名称或文号"), field="document_ref")
    action = ManagementAction(center=center, kind=kind, evaluation=evaluation, follows=follows, corrects=corrects,
                              ground=ground, deadline=deadline, content=content.strip(),
                              document_ref=document_ref.strip(), decision=decision,
                              decided_by=actor if actor is not None and actor.pk else None)
    validated_save(action)
    audit_record(actor=actor, action="create", obj=action, changes={
        "kind": [None, kind], "decision": [None, decision.pk if decision else None],
        **({"ground": [None, ground]} if ground else {}), **({"deadline": [None, deadline]} if deadline else {})},
        message=action.content)
    return action


def _once_per_evaluation(evaluation: Evaluation, kind: str) -> None:
    if evaluation.corrections.exists():
        raise ApplicationError(_("该评价已被更正，请依据更正后的评价"), field="evaluation")
    if evaluation.actions.filter(kind=kind).exists():
        raise ApplicationError(_("已依据该评价作出过“%(k)s”") % {"k": ManagementKind(kind).label}, field="evaluation")


def _lock_center(center: Center) -> Center:
    return Center.objects.select_for_update(of=("self",)).select_related("managing_office").get(pk=center.pk)


@transaction.atomic
def center_order_rectification(*, actor: User | None, evaluation: Evaluation, content: str, document_ref: str,
                               deadline: dt.date | None = None) -> ManagementAction:
    """不合格 → 限期整改: the center moves to 限期整改 with the requirements and a deadline."""
    center = _lock_center(evaluation.center)
    _require_office(actor, center)
    if evaluation.status != EvaluationStatus.FINAL or evaluation.grade != Grade.FAIL:
        raise ApplicationError(_("限期整改须依据一项评为“不合格”的定期评价。%(rule)s") % {
            "rule": rules.RECTIFY_ON_FAIL.quote()}, field="evaluation")
    _once_per_evaluation(evaluation, ManagementKind.RECTIFICATION)
    deadline = deadline or today() + dt.timedelta(days=int(rules.RECTIFY_ON_FAIL.value_for(center.managing_office_id)))
    if deadline <= today():
        raise ApplicationError(_("整改期限应晚于今天"), field="deadline")
    decision = _center_move(actor=actor, center=center, to_status=CenterStatus.RECTIFYING,
                            reason=_("定期评价不合格，限期整改至 %(d)s：%(c)s") % {"d": deadline, "c": content.strip()},
                            document_ref=document_ref)
    action = _management(actor=actor, center=center, kind=ManagementKind.RECTIFICATION, content=content,
                         document_ref=document_ref, evaluation=evaluation, deadline=deadline, decision=decision)
    notify(users=_center_users(center), title=_("限期整改通知（期限 %(d)s）") % {"d": deadline}, body=action.content,
           url=reverse("center_management_detail", args=[action.pk]), kind="center_management")
    return action


@transaction.atomic
def rectification_report_submit(*, actor: User | None, action: ManagementAction, content: str,
                                file: UploadedFile | None = None) -> RectificationReport:
    """The center reports what it rectified (整改报告), before the office's follow-up review."""
    _require_center_staff(actor, action.center, _("提交整改报告"))
    if action.kind != ManagementKind.RECTIFICATION or action.follow_ups.exists():
        raise ApplicationError(_("该整改要求已复查完毕或不是整改要求"), field="action")
    if not (content or "").strip():
        raise ApplicationError(_("请填写整改情况"), field="content")
    report = RectificationReport(action=action, content=content.strip(),
                                 submitted_by=actor if actor is not None and actor.pk else None)
    if file is not None:
        report.file = file
    validated_save(report)
    audit_record(actor=actor, action="create", obj=report, changes={"content": [None, report.content]})
    notify(users=_office_users(action.center.managing_office), title=_("整改报告已提交：%(c)s") % {"c": action.center},
           url=reverse("center_management_detail", args=[action.pk]), kind="center_management")
    return report


@transaction.atomic
def rectification_follow_up(*, actor: User | None, action: ManagementAction, passed: bool, content: str,
                            document_ref: str) -> ManagementAction:
    """复查: passed → back to 已认定; failed → 取消资格 (整改不合格), and the center leaves the public list."""
    center = _lock_center(action.center)
    _require_office(actor, center)
    if action.kind != ManagementKind.RECTIFICATION:
        raise ApplicationError(_("只能对限期整改要求进行复查"), field="action")
    if action.follow_ups.exists():
        raise ApplicationError(_("该整改要求已复查"), field="action")
    if center.status != CenterStatus.RECTIFYING:
        raise ApplicationError(_("运营中心当前不在限期整改中"), field="center")
    if passed and not action.reports.exists():
        raise ApplicationError(_("运营中心尚未提交整改报告，不能认定整改合格"), field="action")
    if passed:
        decision = _center_move(actor=actor, center=center, to_status=CenterStatus.RECOGNISED,
                                reason=_("整改复查合格：%(c)s") % {"c": content.strip()}, document_ref=document_ref)
        kind, ground = ManagementKind.FOLLOW_UP_PASSED, ""
    else:
        decision = _center_move(actor=actor, center=center, to_status=CenterStatus.REVOKED,
                                reason=_("整改复查不合格，取消资格：%(c)s。%(rule)s") % {
                                    "c": content.strip(), "rule": rules.REVOCATION_GROUNDS.quote()},
                                document_ref=document_ref)
        kind, ground = ManagementKind.FOLLOW_UP_FAILED, RevocationGround.FAILED_RECTIFICATION
    return _management(actor=actor, center=center, kind=kind, content=content, document_ref=document_ref,
                       follows=action, evaluation=action.evaluation, ground=ground, decision=decision)


@transaction.atomic
def center_revoke(*, actor: User | None, center: Center, ground: str, content: str,
                  document_ref: str) -> ManagementAction:
    """取消资格 for 弄虚作假, a self-established sub-center, failed rectification or another ground."""
    center = _lock_center(center)
    _require_office(actor, center)
    if ground not in rules.REVOCATION_GROUNDS.value:
        raise ApplicationError(_("未知的取消资格事由：%(g)s") % {"g": ground}, field="ground")
    if center.status not in QUALIFIED_STATUSES:
        raise ApplicationError(_("只有已认定（含限期整改中）的运营中心可以取消资格"), field="center")
    label = RevocationGround(ground).label
    decision = _center_move(actor=actor, center=center, to_status=CenterStatus.REVOKED,
                            reason=_("取消资格（%(g)s）：%(c)s。%(rule)s") % {
                                "g": label, "c": (content or "").strip(), "rule": rules.REVOCATION_GROUNDS.quote()},
                            document_ref=document_ref)
    return _management(actor=actor, center=center, kind=ManagementKind.REVOCATION, content=content,
                       document_ref=document_ref, ground=ground, decision=decision)


@transaction.atomic
def center_commend(*, actor: User | None, evaluation: Evaluation, content: str,
                   document_ref: str) -> ManagementAction:
    """优秀 → 鼓励支持: the commendation and the support measures are recorded."""
    center = _lock_center(evaluation.center)
    _require_office(actor, center)
    if evaluation.status != EvaluationStatus.FINAL or evaluation.grade != Grade.EXCELLENT:
        raise ApplicationError(_("鼓励支持须依据一项评为“优秀”的定期评价。%(rule)s") % {
            "rule": rules.COMMEND_EXCELLENT.quote()}, field="evaluation")
    _once_per_evaluation(evaluation, ManagementKind.COMMENDATION)
    return _management(actor=actor, center=center, kind=ManagementKind.COMMENDATION, content=content,
                       document_ref=document_ref, evaluation=evaluation)


@transaction.atomic
def management_action_correct(*, actor: User | None, action: ManagementAction, content: str,
                              document_ref: str) -> ManagementAction:
    """Correct a 动态管理 record with a new one that references it (the status is corrected through
    ``center_decision_correct``)."""
    center = _lock_center(action.center)
    _require_office(actor, center)
    return _management(actor=actor, center=center, kind=ManagementKind.CORRECTION, content=content,
                       document_ref=document_ref, corrects=action, evaluation=action.evaluation)


# ================================================================ 本级规则设置 (an office's own rule set)


COUNT_RULES = ("min_expert_scores", "publicity_working_days", "rectify_on_fail")


def _check_rule_value(rule: rules.PolicyRule, value: Any) -> Any:
    """The value must have the default's shape: a number for a number, the same keys for a mapping, known
    codes and non-negative numbers in lists of criteria or indicators."""
    from ipoc.centers import kpi

    default = rule.default

    def bad(msg: str):
        raise ApplicationError(_("规则“%(r)s”的取值无效：%(m)s") % {"r": rule.title, "m": msg}, field="value")

    def finite(v) -> bool:  # NaN and infinity are not numbers a rule can hold (nor JSON)
        if isinstance(v, float):
            return math.isfinite(v)
        if isinstance(v, dict):
            return all(finite(x) for x in v.values())
        if isinstance(v, list):
            return all(finite(x) for x in v)
        return True

    if not finite(value):
        bad(_("数字应为有限值（不能是 NaN 或无穷大）"))
    if isinstance(default, bool) or default is None:
        bad(_("该规则不可设置"))
    if isinstance(default, (int, float)):
        if isinstance(value, bool) or not isinstance(value, (int, float)) or value < 0:
            bad(_("应为不小于0的数字"))
        if rule.code in COUNT_RULES and (value != int(value) or value < 1):
            bad(_("应为不小于1的整数"))
        return value
    if isinstance(default, str):
        if not isinstance(value, str) or not value.strip():
            bad(_("应为非空文本"))
        return value.strip()
    if isinstance(default, dict):
        if not isinstance(value, dict) or set(value) != set(default):
            bad(_("应包含且只包含这些项：%(k)s") % {"k": "、".join(default)})
        if any(isinstance(v, bool) or not isinstance(v, (int, float)) or v < 0 for v in value.values()):
            bad(_("各项应为不小于0的数字"))
        if rule.code == "grade_thresholds" and not value["excellent"] > value["good"] > value["pass"]:
            bad(_("分数线应为 优秀 > 良好 > 合格"))
        if rule.code == "step_days" and any(v < 1 or v != int(v) for v in value.values()):
            bad(_("各环节期限应为不小于1的整数（日）"))
        return value
    if not isinstance(value, list) or not value:
        bad(_("应为非空列表"))
    if all(isinstance(x, str) for x in default):
        allowed = {"host_types_national": HostType.values, "host_types_local": HostType.values,
                   "support_conditions": EvidenceKind.values}.get(rule.code, default)
        unknown = [x for x in value if x not in allowed]
        if unknown:
            bad(_("未知的取值：%(u)s") % {"u": "、".join(map(str, unknown))})
        return list(dict.fromkeys(value))
    number_key = "max" if rule.code == "scoring_sheet" else "weight"
    codes = set()
    for item in value:
        if not isinstance(item, dict) or not str(item.get("code", "")).strip() or not str(item.get("label", "")).strip():
            bad(_("每一项应有 code 和 label"))
        for key in (number_key, *(("target",) if rule.code == "evaluation_indicators" else ())):
            number = item.get(key)
            if isinstance(number, bool) or not isinstance(number, (int, float)) or number <= 0:
                bad(_("“%(c)s”的 %(k)s 应为正数") % {"c": item["code"], "k": key})
        if rule.code == "evaluation_indicators":
            if item.get("source") not in ("kpi", "expert"):
                bad(_("“%(c)s”的 source 应为 kpi 或 expert") % {"c": item["code"]})
            if item["source"] == "kpi" and item["code"] not in kpi.KPI_LABELS:
                bad(_("没有这一平台指标：%(c)s") % {"c": item["code"]})
        if item["code"] in codes:
            bad(_("重复的 code：%(c)s") % {"c": item["code"]})
        codes.add(item["code"])
    return value


def _require_own_office(actor: User | None, office: Organization) -> None:
    if actor is None or (actor.is_authenticated and actor.is_platform_admin):
        return
    if not (actor.is_authenticated and actor.role == Role.OFFICE_STAFF and actor.organization_id == office.pk):
        raise PermissionDenied(_("只有%(o)s的工作人员可以设置本部门的规则") % {"o": office})


@transaction.atomic
def rule_override_set(*, actor: User | None, office: Organization, code: str, value: Any,
                      reason: str) -> RuleOverride:
    """Set an office's own value for a configurable rule (applies to the centers it manages)."""
    _require_own_office(actor, office)
    if office.kind != OrganizationKind.IP_OFFICE:
        raise ApplicationError(_("只有知识产权管理部门可以设置规则"), field="office")
    rule = rules.RULES.get(code)
    if rule is None or not rule.office_configurable:
        raise ApplicationError(_("规则“%(c)s”不能由管理部门设置") % {"c": code}, field="code")
    if not (reason or "").strip():
        raise ApplicationError(_("请说明依据（如本地认定办法的文号）"), field="reason")
    value = _check_rule_value(rule, value)
    row = RuleOverride.objects.select_for_update().filter(office=office, code=code).first()
    before = row.value if row is not None else rule.value
    row = row or RuleOverride(office=office, code=code)
    row.value, row.reason = value, reason.strip()
    row.changed_by = actor if actor is not None and actor.pk else None
    validated_save(row)
    audit_record(actor=actor, action="update", obj=row, changes={"value": [before, value]}, message=row.reason)
    return row


@transaction.atomic
def rule_override_clear(*, actor: User | None, office: Organization, code: str) -> None:
    """Go back to the platform value."""
    _require_own_office(actor, office)
    row = RuleOverride.objects.filter(office=office, code=code).first()
    if row is None:
        raise ApplicationError(_("本部门未设置该规则"), field="code")
    audit_record(actor=actor, action="delete", obj=row, changes={"value": [row.value, None]})
    row.delete()
