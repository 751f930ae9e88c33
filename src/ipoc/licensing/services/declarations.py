"""专利开放许可 declarations: who may do what, create, co-owners' consents, file after the eligibility check, publish,
withdraw, and the encumbrances (records behind blockers)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from ipoc.core.errors import ApplicationError, PermissionDenied
from ipoc.core.models import Organization, OrganizationKind, Role, User
from ipoc.core.permissions import settled_by_role
from ipoc.core.services import audit_record, notify, validated_save
from ipoc.licensing import eligibility, rules
from ipoc.licensing.models import (
    CoOwnerConsent,
    DeclarationStatus,
    EncumbranceKind,
    FeeMethod,
    OpenLicenceDeclaration,
    PatentEncumbrance,
    RoyaltyBase,
)

CENTS = Decimal("0.01")
MAX_MONEY = Decimal("100000000000")  # 1,000 亿元
ATTACHMENT_SUFFIXES = (".pdf", ".ofd", ".doc", ".docx", ".jpg", ".jpeg", ".png")
MAX_ATTACHMENT_BYTES = 20 * 1024 * 1024
MAX_SCOPE_NUMBERS = 500
MAX_SCOPE_PATENTS = 5000

DECLARATION_FIELDS = ("field", "fee_method", "fixed_fee", "entry_fee", "royalty_rate", "royalty_base", "payment_terms",
                      "term_years", "contact_name", "contact_phone", "contact_email", "other_terms",
                      "evaluation_report_number", "pledgee_consent_note")


def today() -> dt.date:
    return timezone.localdate()


def _actor_pk(actor: User | None) -> User | None:
    return actor if actor is not None and actor.pk else None


def _users_of(org_ids: Iterable[int | None]) -> list[User]:
    ids = [i for i in org_ids if i]
    return list(User.objects.filter(organization_id__in=ids, is_active=True)) if ids else []


NOTICE_MAX = 5000  # the written notice (专利法第五十一条)
REFERENCE_MAX = 100  # a payment's 凭证号


def _max_chars(value: str, limit: int, field: str) -> str:
    """Refuse a text over ``limit`` characters (400 naming ``field``) rather than store it cut short: a 凭证号
    or a written notice cut at the limit says something else than what was sent (probe)."""
    if len(value) > limit:
        raise ApplicationError(_("每项最多 %(n)d 字") % {"n": limit}, field=field)
    return value


def money(value: Any, field: str, *, allow_none: bool = True) -> Decimal | None:
    if value is None or value == "":
        if allow_none:
            return None
        raise ApplicationError(_("请填写金额"), field=field)
    try:
        amount = Decimal(str(value))
    except (InvalidOperation, ValueError):
        raise ApplicationError(_("金额必须是数字：%(v)s") % {"v": value}, field=field) from None
    if not amount.is_finite() or amount < 0:
        raise ApplicationError(_("金额不能为负数或非数字：%(v)s") % {"v": value}, field=field)
    if amount > MAX_MONEY:
        raise ApplicationError(_("金额超出合理范围（上限 %(m)s 元）：%(v)s") % {"m": MAX_MONEY, "v": value}, field=field)
    return amount.quantize(CENTS)


def _check_attachment(name: str, upload: UploadedFile) -> None:
    from ipoc.core.attachments import check_upload as check

    check(upload, field=name, suffixes=ATTACHMENT_SUFFIXES, max_bytes=MAX_ATTACHMENT_BYTES)


# ---------------------------------------------------------------- who may do what


def may_manage_declaration(actor: User | None, declaration: OpenLicenceDeclaration) -> bool:
    """The patentee's users, the serving center's staff, administrators and the system."""
    if (settled := settled_by_role(actor)) is not None:
        return settled
    org = actor.organization_id
    if not org:
        return False
    if actor.role == Role.CENTER_STAFF:
        return org == declaration.center_id
    return actor.role in (Role.INSTITUTION_USER, Role.ENTERPRISE_USER) and org == declaration.patentee_id


def require_manager(actor: User | None, declaration: OpenLicenceDeclaration) -> None:
    if not may_manage_declaration(actor, declaration):
        raise PermissionDenied(_("只有专利权人或其服务运营中心可以办理此开放许可声明"))


def _holds(patent, organization: Organization) -> bool:
    from ipoc.patents import selectors as patent_selectors

    return patent_selectors.is_held_by(patent, organization)


CHECK_ROLES = (Role.PLATFORM_ADMIN, Role.OFFICE_STAFF, Role.CENTER_STAFF, Role.INSTITUTION_USER, Role.ENTERPRISE_USER)


def may_check(actor: User | None) -> bool:
    """Who may run the eligibility check (资格核查): patentees for their own patents, centers, offices, administrators."""
    return actor is None or (actor.is_authenticated and (actor.is_platform_admin or actor.role in CHECK_ROLES))


def may_record_encumbrance(actor: User | None) -> bool:
    """Who is offered 登记权利限制 (the service still checks a patentee holds the patent)."""
    return actor is None or (actor.is_authenticated and (
        actor.is_platform_admin or actor.role in (Role.CENTER_STAFF, Role.INSTITUTION_USER, Role.ENTERPRISE_USER)))


def check_for(*, actor: User | None, patent) -> dict:
    """The eligibility check as ``actor`` sees it: a patentee's users only for a patent their organisation holds
    (the check lists the patent's deals, pledges and disputes, which are not an outsider's to read)."""
    if not may_check(actor):
        raise PermissionDenied(_("只有专利权人、运营中心和知识产权局可以进行开放许可资格核查"))
    patentee = None
    if actor is not None and actor.role in (Role.INSTITUTION_USER, Role.ENTERPRISE_USER) \
            and not actor.is_platform_admin:
        patentee = actor.organization
        if patentee is None or not _holds(patent, patentee):
            raise PermissionDenied(_("只能核查本单位作为权利人或申请人的专利：%(p)s") % {"p": patent.number},
                                   field="patent")
    return eligibility.check(patent, patentee=patentee)


def _center_of(actor: User | None, center: Organization | None) -> Organization | None:
    """The serving center (服务机构), optional: center staff serve as their own center and may not name another."""
    if actor is not None and actor.role == Role.CENTER_STAFF and not actor.is_platform_admin:
        if center is not None and center.pk != actor.organization_id:
            raise PermissionDenied(_("只能以本运营中心作为服务机构"), field="center")
        return actor.organization
    if center is not None and center.kind != OrganizationKind.OPERATION_CENTER:
        raise ApplicationError(_("服务机构必须是产业知识产权运营中心"), field="center")
    return center


# ---------------------------------------------------------------- declarations


def _check_terms(data: dict[str, Any]) -> None:
    if "fee_method" in data and data["fee_method"] not in FeeMethod.values:
        raise ApplicationError(_("未知的许可使用费支付方式：%(v)s") % {"v": data["fee_method"]}, field="fee_method")
    if data.get("fee_method") and data["fee_method"] not in (rules.FEE_METHODS.value or FeeMethod.values):
        raise ApplicationError(_("该支付方式未启用：%(v)s") % {"v": data["fee_method"]}, field="fee_method")
    if "royalty_base" in data and data["royalty_base"] not in RoyaltyBase.values:
        raise ApplicationError(_("未知的提成基数：%(v)s") % {"v": data["royalty_base"]}, field="royalty_base")
    for name in ("fixed_fee", "entry_fee"):
        if name in data:
            data[name] = money(data[name], name)
    if data.get("royalty_rate") not in (None, ""):
        try:
            rate = Decimal(str(data["royalty_rate"]))
            if not rate.is_finite() or not (Decimal("0") < rate <= Decimal("100")):
                raise ApplicationError(_("提成比例应大于 0 且不超过 100%"), field="royalty_rate")
            data["royalty_rate"] = rate.quantize(Decimal("0.001"))
        except (InvalidOperation, ValueError):
            raise ApplicationError(_("提成比例必须是数字"), field="royalty_rate") from None
    elif "royalty_rate" in data:
        data["royalty_rate"] = None


@transaction.atomic
def declaration_create(*, actor: User | None, patent, patentee: Organization | None = None,
                       center: Organization | None = None, **terms: Any) -> OpenLicenceDeclaration:
    """A draft declaration for ``patent`` by ``patentee`` (default: the actor's organisation), which must hold it."""
    if actor is not None:
        if not actor.is_authenticated:
            raise PermissionDenied(_("请先登录"), status=401)
        if not (actor.is_platform_admin or actor.role in (Role.INSTITUTION_USER, Role.ENTERPRISE_USER,
                                                          Role.CENTER_STAFF)):
            raise PermissionDenied(_("只有专利权人或运营中心可以起草开放许可声明"))
        if actor.role in (Role.INSTITUTION_USER, Role.ENTERPRISE_USER):
            if patentee is not None and patentee.pk != actor.organization_id:
                raise PermissionDenied(_("只能以本单位名义声明"), field="patentee")
            patentee = actor.organization
    if patentee is None:
        raise ApplicationError(_("请选择专利权人"), field="patentee")
    if not _holds(patent, patentee):
        raise ApplicationError(_("%(o)s 不是专利 %(p)s 的权利人或申请人") % {"o": patentee.name, "p": patent.number},
                               field="patent")
    unknown = set(terms) - set(DECLARATION_FIELDS)
    if unknown:
        raise ApplicationError(_("未知字段：%(f)s") % {"f": ", ".join(sorted(unknown))}, field=sorted(unknown)[0])
    _check_terms(terms)
    decl = OpenLicenceDeclaration(patent=patent, patentee=patentee, center=_center_of(actor, center),
                                  created_by=_actor_pk(actor), **terms)
    validated_save(decl)
    for owner in eligibility.co_owners(patent, patentee):
        CoOwnerConsent.objects.get_or_create(declaration=decl, name=owner["name"],
                                             defaults={"organization_id": owner["organization_id"]})
    audit_record(actor=actor, action="create", obj=decl, changes={
        "patent": [None, patent.number], "patentee": [None, patentee.name], "fee_method": [None, decl.fee_method]})
    if actor is not None and actor.organization_id and actor.organization_id != patentee.pk:
        notify(users=_users_of([patentee.pk]),
               title=_("%(c)s 以贵单位名义起草了开放许可声明：%(p)s") % {"c": actor.organization.name, "p": patent.number},
               body=_("请核对许可条件；声明须由贵单位确认提交。"),
               url=reverse("licensing_declaration_detail", args=[decl.pk]), kind="licensing")
    return decl


@transaction.atomic
def declaration_update(*, actor: User | None, declaration: OpenLicenceDeclaration,
                       data: dict[str, Any]) -> OpenLicenceDeclaration:
    """Edit a draft's terms (a filed or published declaration is changed only by withdrawing it)."""
    require_manager(actor, declaration)
    if declaration.status != DeclarationStatus.DRAFT:
        raise ApplicationError(_("已提交的声明不能修改；如需变更请撤回后重新声明"), field="status")
    data = {k: v for k, v in data.items() if k in DECLARATION_FIELDS}
    _check_terms(data)
    from ipoc.core.services import model_update

    changes = model_update(instance=declaration, data=data, fields=DECLARATION_FIELDS)
    if changes:
        audit_record(actor=actor, action="update", obj=declaration, changes=changes)
    return declaration


@transaction.atomic
def declaration_attach(*, actor: User | None, declaration: OpenLicenceDeclaration,
                       evaluation_report: UploadedFile | None = None,
                       pledgee_consent: UploadedFile | None = None) -> OpenLicenceDeclaration:
    """Attach the 专利权评价报告 and/or the pledgee's written consent."""
    require_manager(actor, declaration)
    uploads = {k: v for k, v in {"evaluation_report": evaluation_report,
                                 "pledgee_consent": pledgee_consent}.items() if v is not None}
    if not uploads:
        raise ApplicationError(_("请选择要上传的附件"), field="evaluation_report")
    changes = {}
    for name, upload in uploads.items():
        _check_attachment(name, upload)
        old = getattr(declaration, name).name or ""
        getattr(declaration, name).save(upload.name, upload, save=False)
        changes[name] = [old, getattr(declaration, name).name]
    validated_save(declaration)
    audit_record(actor=actor, action="update", obj=declaration, changes=changes)
    return declaration


@transaction.atomic
def consent_record(*, actor: User | None, declaration: OpenLicenceDeclaration, name: str, consented: bool = True,
                   consented_on: dt.date | None = None, note: str = "",
                   document: UploadedFile | None = None) -> CoOwnerConsent:
    """Record a co-owner's consent (or its refusal) to the declaration."""
    require_manager(actor, declaration)
    name = (name or "").strip()
    known = {o["name"]: o for o in eligibility.co_owners(declaration.patent, declaration.patentee)}
    if name not in known:
        raise ApplicationError(_("%(n)s 不是该专利的共有人") % {"n": name or "—"}, field="name")
    if consented and consented_on and consented_on > today():
        raise ApplicationError(_("同意日期不能晚于今天"), field="consented_on")
    consent, _created = CoOwnerConsent.objects.get_or_create(
        declaration=declaration, name=name, defaults={"organization_id": known[name]["organization_id"]})
    old = consent.consented
    consent.consented = bool(consented)
    consent.consented_on = (consented_on or today()) if consented else None
    consent.note = (note or "")[:300]
    consent.recorded_by = _actor_pk(actor)
    if document is not None:
        _check_attachment("document", document)
        consent.document.save(document.name, document, save=False)
    consent.save()
    audit_record(actor=actor, action="update", obj=declaration,
                 changes={f"consent:{name}": [old, consent.consented]}, message=consent.note)
    return consent


def declaration_check(*, declaration: OpenLicenceDeclaration, on_date: dt.date | None = None) -> dict:
    return eligibility.check(declaration.patent, declaration=declaration, on_date=on_date)


def _refuse_blockers(result: dict) -> None:
    if result["blockers"]:
        lines = [f"{b['message']}（{b['rule']['source']}）" for b in result["blockers"]]
        raise ApplicationError(_("不能提交开放许可声明：%(l)s") % {"l": "；".join(lines)}, field="patent",
                               code="not_eligible", extra={"blockers": result["blockers"]})


def patentee_files_itself_ok(actor: User | None, declaration: OpenLicenceDeclaration) -> bool:
    """False when a center would file for a patentee that has users on the platform (they file it themselves)."""
    return not (actor is not None and actor.role == Role.CENTER_STAFF and not actor.is_platform_admin
                and _users_of([declaration.patentee_id]))


@transaction.atomic
def declaration_file(*, actor: User | None, declaration: OpenLicenceDeclaration,
                     on: dt.date | None = None) -> OpenLicenceDeclaration:
    """提交: the eligibility check runs first; any blocker refuses, naming its rule and records."""
    declaration = OpenLicenceDeclaration.objects.select_for_update().get(pk=declaration.pk)
    require_manager(actor, declaration)
    if declaration.status != DeclarationStatus.DRAFT:
        raise ApplicationError(_("只有草稿可以提交"), field="status", code="invalid_transition")
    if not patentee_files_itself_ok(actor, declaration):
        # 专利法第五十条: the declaration is the patentee's own (自愿) act. A center drafts for a patentee, but a
        # patentee with users on the platform submits it itself; a center files alone only for a patentee it
        # represents off the platform.
        raise PermissionDenied(_("%(o)s 在平台有账户：开放许可声明须由专利权人自行确认提交（专利法第五十条）")
                               % {"o": declaration.patentee.name}, field="status")
    _refuse_blockers(declaration_check(declaration=declaration, on_date=on))
    declaration.status = DeclarationStatus.FILED
    declaration.filed_on = on or today()
    validated_save(declaration)
    audit_record(actor=actor, action="transition", obj=declaration,
                 changes={"status": [DeclarationStatus.DRAFT, DeclarationStatus.FILED]})
    return declaration


@transaction.atomic
def declaration_publish(*, actor: User | None, declaration: OpenLicenceDeclaration, on: dt.date | None = None,
                        announcement_number: str = "", push: bool = True) -> OpenLicenceDeclaration:
    """公告: record the announcement (date, number); the check runs again (things change between filing and
    announcement). Published declarations appear on the public list and are pushed to fitting enterprises."""
    declaration = OpenLicenceDeclaration.objects.select_for_update().get(pk=declaration.pk)
    require_manager(actor, declaration)
    if declaration.status != DeclarationStatus.FILED:
        raise ApplicationError(_("只有已提交的声明可以登记公告"), field="status", code="invalid_transition")
    on = on or today()
    if declaration.filed_on and on < declaration.filed_on:
        raise ApplicationError(_("公告日期不能早于提交日期"), field="on")
    _refuse_blockers(declaration_check(declaration=declaration, on_date=on))
    declaration.status = DeclarationStatus.PUBLISHED
    declaration.published_on = on
    declaration.announcement_number = (announcement_number or "").strip()[:60]
    validated_save(declaration)
    audit_record(actor=actor, action="transition", obj=declaration,
                 changes={"status": [DeclarationStatus.FILED, DeclarationStatus.PUBLISHED],
                          "published_on": [None, on]})
    if push:
        from ipoc.licensing.services.pushes import declaration_push  # pushes reads this module: imported here

        declaration_push(declaration=declaration)
    return declaration


@transaction.atomic
def declaration_withdraw(*, actor: User | None, declaration: OpenLicenceDeclaration, reason: str,
                         requested_on: dt.date | None = None,
                         announced_on: dt.date | None = None) -> OpenLicenceDeclaration:
    """撤回 (专利法第五十条第二款): in writing with a reason; effective on announcement. Licences already formed
    continue on their terms."""
    declaration = OpenLicenceDeclaration.objects.select_for_update().get(pk=declaration.pk)
    require_manager(actor, declaration)
    if declaration.status not in (DeclarationStatus.FILED, DeclarationStatus.PUBLISHED):
        raise ApplicationError(_("只有已提交或已公告的声明可以撤回"), field="status", code="invalid_transition")
    reason = (reason or "").strip()
    if not reason:
        raise ApplicationError(_("撤回须书面说明理由"), field="reason")
    requested_on = requested_on or today()
    announced_on = announced_on or requested_on
    if announced_on < requested_on:
        raise ApplicationError(_("撤回公告日期不能早于提出日期"), field="announced_on")
    if announced_on > today():
        raise ApplicationError(_("撤回自公告之日起生效：请在公告后登记（公告日期不能晚于今天）"), field="announced_on")
    if declaration.published_on and requested_on < declaration.published_on:
        raise ApplicationError(_("撤回日期不能早于声明公告日期"), field="requested_on")
    old = declaration.status
    declaration.status = DeclarationStatus.WITHDRAWN
    declaration.withdrawal_reason = reason
    declaration.withdrawal_requested_on = requested_on
    declaration.withdrawn_on = announced_on
    validated_save(declaration)
    audit_record(actor=actor, action="transition", obj=declaration,
                 changes={"status": [old, DeclarationStatus.WITHDRAWN], "withdrawn_on": [None, announced_on]},
                 message=reason)
    licensee_ids = declaration.licences.values_list("licensee_id", flat=True)
    notify(users=_users_of(licensee_ids), title=_("开放许可声明已撤回：%(p)s") % {"p": declaration.patent.number},
           body=_("撤回不影响您已获得的开放许可，许可按原条件继续有效（专利法第五十条第二款）。"),
           url=reverse("licensing_declaration_detail", args=[declaration.pk]), kind="licensing")
    return declaration


# ---------------------------------------------------------------- encumbrances (records behind blockers)


def holder_organization_ids(patent) -> list[int]:
    """The platform organisations that hold ``patent``, found as ``_holds`` finds them (a party linked to the
    organisation, or an unlinked party bearing its exact name): its current holders (当前权利人), or, where no
    holder is recorded, its applicants. Empty for a patent no organisation on the platform holds."""
    parties = list(patent.parties.all())
    rows = [p for p in parties if p.role == "holder"] or [p for p in parties if p.role == "applicant"]
    ids = {p.organization_id for p in rows if p.organization_id}
    names = {p.name for p in rows if not p.organization_id and p.name}
    if names:
        ids |= set(Organization.objects.filter(name__in=names).values_list("pk", flat=True))
    return sorted(ids)


def encumbrance_refusal(actor: User | None, patent) -> str | None:
    """Why ``actor`` may not record a 权利限制 on ``patent`` (None: it may).

    A restriction blocks the patentee's open-licence declaration (专利法实施细则第八十六条 as configured in
    ``rules``), so not anyone may put one on a patent: the patentee's own users on its own patents; a center's
    staff on a patent held by an organisation the center serves (``deals.selectors.center_serves``: a deal it
    brokers or a demand it handles) or on a patent no organisation on the platform holds (an outside patent the
    center may legitimately note); platform administrators and the system on any patent."""
    if actor is None:
        return None
    if not actor.is_authenticated:
        return _("请先登录")
    if actor.is_platform_admin:
        return None
    if actor.role in (Role.INSTITUTION_USER, Role.ENTERPRISE_USER):
        if actor.organization is not None and _holds(patent, actor.organization):
            return None
        return _("只能为本单位作为权利人或申请人的专利登记权利限制：%(p)s") % {"p": patent.number}
    if actor.role == Role.CENTER_STAFF and actor.organization_id:
        holders = holder_organization_ids(patent)
        if not holders:
            return None
        from ipoc.deals.selectors import center_serves

        if any(center_serves(actor.organization_id, org_id) for org_id in holders):
            return None
        names = "、".join(Organization.objects.filter(pk__in=holders).order_by("pk").values_list("name", flat=True))
        return _("本中心未服务专利 %(p)s 的权利人（%(o)s），不能为其登记权利限制；"
                 "运营中心只为所服务单位的专利或平台外权利人的专利登记") % {"p": patent.number, "o": names}
    return _("只有专利权人、运营中心或平台管理员可以登记权利限制")


@transaction.atomic
def encumbrance_record(*, actor: User | None, patent, kind: str, start_date: dt.date, party: str = "",
                       end_date: dt.date | None = None, reference: str = "", note: str = "") -> PatentEncumbrance:
    """Record a pledge, a dispute, a preservation, unpaid fees or an outside exclusive licence on a patent — by
    those ``encumbrance_refusal`` allows (a center only for the holders it serves or an outside patent)."""
    refusal = encumbrance_refusal(actor, patent)
    if refusal is not None:
        raise PermissionDenied(refusal, field="patent",
                               status=401 if actor is not None and not actor.is_authenticated else 403)
    if kind not in EncumbranceKind.values:
        raise ApplicationError(_("未知的权利限制类型：%(k)s") % {"k": kind}, field="kind")
    enc = PatentEncumbrance(patent=patent, kind=kind, start_date=start_date, end_date=end_date, party=party[:300],
                            reference=reference[:100], note=note[:300], recorded_by=_actor_pk(actor))
    validated_save(enc)
    audit_record(actor=actor, action="create", obj=enc, changes={"patent": [None, patent.number],
                                                                 "kind": [None, kind]})
    return enc


def may_release_encumbrance(actor: User | None, encumbrance: PatentEncumbrance) -> bool:
    """Only the organisation that recorded a restriction (or an administrator) records its release: a patentee
    cannot clear a court's preservation or a bank's pledge a center recorded, nor one center another's record;
    an administrator's record is released by an administrator. A restriction recorded by the system (an import)
    is released by an administrator or a center that serves the patent's holder (as ``encumbrance_refusal``)."""
    if (settled := settled_by_role(actor)) is not None:
        return settled
    recorder = encumbrance.recorded_by
    if recorder is not None:  # a user's record: that user's organisation; an administrator's: administrators
        return bool(recorder.organization_id) and actor.organization_id == recorder.organization_id
    # the system's record (an import): a center that may record a restriction on this patent (one serving its holder)
    return actor.role == Role.CENTER_STAFF and encumbrance_refusal(actor, encumbrance.patent) is None


@transaction.atomic
def encumbrance_release(*, actor: User | None, encumbrance: PatentEncumbrance,
                        end_date: dt.date | None = None) -> PatentEncumbrance:
    if not may_release_encumbrance(actor, encumbrance):
        raise PermissionDenied(_("只有登记该权利限制的单位或平台管理员可以登记解除"))
    old = encumbrance.end_date
    encumbrance.end_date = end_date or today()
    validated_save(encumbrance)
    audit_record(actor=actor, action="update", obj=encumbrance, changes={"end_date": [old, encumbrance.end_date]})
    return encumbrance
