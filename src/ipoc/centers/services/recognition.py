"""认定 (先建设、后认定): the application, the local office's recommendation, formal review, publicity
and objections (公示与异议), and the decision with its certificate."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from ipoc.centers import clock, rules
from ipoc.centers.models import (
    APPLICATION_OPEN_STATUSES,
    ApplicationMaterial,
    ApplicationMove,
    ApplicationStatus,
    Center,
    CenterStatus,
    Objection,
    RecognitionApplication,
)
from ipoc.centers.services.registry import _center_move, is_center_staff, office_may_decide
from ipoc.core.errors import ApplicationError, PermissionDenied
from ipoc.core.models import OfficeLevel, Organization, OrganizationKind, Role, User
from ipoc.core.permissions import settled_by_role
from ipoc.core.services import audit_record, model_update, notify, validated_save
from ipoc.core.validators import region_scope_prefix

# ================================================================ 认定 workflow (先建设、后认定)
# 中心申报 → 地方知识产权管理部门审核推荐 → 形式审查（可退回补正）→ 专家评审 → 公示（异议）→ 认定


def _step_due(step: str, office) -> dt.date:
    """The deadline of a step under the deciding office's rules."""
    return clock.today() + dt.timedelta(days=int(rules.STEP_DAYS.value_for(office).get(step, 15)))


def _due(application: RecognitionApplication, step: str) -> dt.date:
    return _step_due(step, application.deciding_office_id)


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
    if (settled := settled_by_role(actor)) is not None:
        return settled
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
    if not 2000 <= int(year) <= clock.today().year:
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
    if clock.today() > application.publicity_end:
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
                                                decision__decided_at__year=clock.today().year).count() + 1
    while True:
        number = rules.CERTIFICATE_NUMBER_PATTERN.value.format(level=application.level.upper()[:3],
                                                               year=clock.today().year, seq=seq)
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
    if clock.today() <= application.publicity_end:
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
