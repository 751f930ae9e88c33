"""Writes for 专利开放许可与专利开源 — each checks who may make it, validates, runs in a transaction and is audited.

Declaration: create (草稿) → co-owners' consents, reports attached → file (提交, after the eligibility check) →
publish (公告, pushes to enterprises whose demands fit) → withdraw (撤回, licences already formed continue).
Licence: formed by the licensee's written notice plus payment on the declared terms (专利法第五十一条);
the royalty ledger takes reports and payments; a payment the licensee declares waits for the licensor to confirm
receipt (确认收款) or dispute it (对账异议) before it counts. Pledges (专利开源): scope by list or by definition, resolved to
patents and refreshed after each import, with alerts.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from ipoc.core.errors import ApplicationError, PermissionDenied
from ipoc.core.models import Organization, OrganizationKind, Role, User
from ipoc.core.services import audit_record, notify, validated_save
from ipoc.licensing import eligibility, rules
from ipoc.licensing.models import (
    AlertKind,
    CoOwnerConsent,
    DeclarationPush,
    DeclarationStatus,
    DisputeRoute,
    EncumbranceKind,
    FeeMethod,
    LicenceDispute,
    LicenceStatus,
    OpenLicence,
    OpenLicenceDeclaration,
    PatentEncumbrance,
    PatentPledge,
    PaymentKind,
    PaymentStatus,
    PledgeAlert,
    PledgeCondition,
    PledgedPatent,
    PledgeMechanism,
    PledgeStatus,
    RoyaltyBase,
    RoyaltyPayment,
    RoyaltyReport,
    ScopeKind,
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
    if Path(upload.name or "").suffix.lower() not in ATTACHMENT_SUFFIXES:
        raise ApplicationError(_("附件格式不支持（允许 %(s)s）：%(n)s") % {"s": " ".join(ATTACHMENT_SUFFIXES),
                                                                          "n": upload.name}, field=name)
    if upload.size is not None and upload.size > MAX_ATTACHMENT_BYTES:
        raise ApplicationError(_("附件过大（上限 20 MB）：%(n)s") % {"n": upload.name}, field=name)
    from ipoc.core.attachments import check_attachment

    upload.seek(0)
    head = upload.read(8192)
    upload.seek(0)
    try:
        check_attachment(upload.name or "", head)
    except ApplicationError as exc:
        raise ApplicationError(exc.message, field=name) from None


# ---------------------------------------------------------------- who may do what


def may_manage_declaration(actor: User | None, declaration: OpenLicenceDeclaration) -> bool:
    """The patentee's users, the serving center's staff, administrators and the system."""
    if actor is None:
        return True
    if not actor.is_authenticated:
        return False
    if actor.is_platform_admin:
        return True
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

    return patent_selectors.patents_held_by(user=None, organization=organization).filter(pk=patent.pk).exists()


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
    if actor is not None and actor.role == Role.CENTER_STAFF and not actor.is_platform_admin:
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
    cannot clear a court's preservation or a bank's pledge a center recorded, nor one center another's record.
    A restriction recorded by the system (an import) is released by a center or an administrator."""
    if actor is None:
        return True
    if not actor.is_authenticated:
        return False
    if actor.is_platform_admin:
        return True
    recorder = encumbrance.recorded_by
    if recorder is not None and recorder.organization_id:
        return actor.organization_id == recorder.organization_id
    return actor.role == Role.CENTER_STAFF


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


# ---------------------------------------------------------------- licences formed by notice and payment


def _add_years(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


@transaction.atomic
def licence_form(*, actor: User | None, declaration: OpenLicenceDeclaration, licensee: Organization,
                 notice_text: str, notice_date: dt.date | None = None, payment_amount: Any = None,
                 payment_date: dt.date | None = None, payment_reference: str = "") -> OpenLicence:
    """专利法第五十一条: the licensee's written notice plus payment per the published terms forms an ordinary
    licence, dated the later of notice and payment. The patentee is told, with a reminder to 备案.

    Payment is a fact the platform cannot see. 第五十一条第一款 ("以书面方式通知专利权人，并依照公告的许可使用费支付
    方式、标准支付许可使用费后，即获得专利实施许可") makes the licence turn on the notice and the payment, not on the
    licensor's consent, so the licence record is made (status 有效, dated as declared) on the notice and the declared
    payment — but the payment is the licensee's declaration: it is 待许可人确认, the licence is shown as 付款待确认,
    and neither counts as received (ledger, royalty totals) nor as a licence formed (the centers' KPIs) until the
    licensor confirms receipt (``payment_confirm``). A licensor that has not received the money disputes it
    (``payment_dispute``), which opens a 第五十二条 dispute on the licence. A licence with nothing to pay up front
    (免费, 提成) has no payment to confirm."""
    if actor is not None:
        if not actor.is_authenticated:
            raise PermissionDenied(_("请先登录"), status=401)
        if not (actor.is_platform_admin or (actor.role == Role.CENTER_STAFF
                                            and actor.organization_id == declaration.center_id)
                or (actor.organization_id == licensee.pk
                    and actor.role in (Role.ENTERPRISE_USER, Role.INSTITUTION_USER))):
            raise PermissionDenied(_("只能以本单位名义发出实施开放许可的通知"), field="licensee")
    if licensee.kind == OrganizationKind.IP_OFFICE:
        raise ApplicationError(_("知识产权局不能作为被许可人"), field="licensee")
    declaration = OpenLicenceDeclaration.objects.select_for_update().get(pk=declaration.pk)
    rule = rules.LAW_51_FORMATION
    notice_date = notice_date or today()
    if notice_date > today():
        raise ApplicationError(_("通知日期不能晚于今天"), field="notice_date")
    if declaration.status != DeclarationStatus.PUBLISHED or (declaration.published_on
                                                             and notice_date < declaration.published_on):
        raise ApplicationError(_("该专利在通知日没有公告中的开放许可声明，不能据此获得许可 %(r)s")
                               % {"r": rule.quote()}, field="declaration", code="not_published")
    if licensee.pk == declaration.patentee_id:
        raise ApplicationError(_("专利权人不能成为自己专利的被许可人"), field="licensee")
    if OpenLicence.objects.filter(declaration=declaration, licensee=licensee, status=LicenceStatus.IN_FORCE).exists():
        raise ApplicationError(_("%(o)s 已获得该专利的开放许可") % {"o": licensee.name}, field="licensee")
    notice_text = (notice_text or "").strip()
    if not notice_text:
        raise ApplicationError(_("请填写书面通知内容"), field="notice_text")
    _max_chars(notice_text, NOTICE_MAX, "notice_text")
    _max_chars((payment_reference or "").strip(), REFERENCE_MAX, "payment_reference")
    initial = declaration.initial_fee().quantize(CENTS)
    amount = money(payment_amount, "payment_amount") or Decimal("0.00")
    if amount < initial:
        raise ApplicationError(_("按公告的标准应支付 %(f)s 元，付款记录为 %(a)s 元：付款后方能获得许可 %(r)s")
                               % {"f": f"{initial:,.2f}", "a": f"{amount:,.2f}", "r": rule.quote()},
                               field="payment_amount", code="payment_short")
    if amount > initial:
        raise ApplicationError(_("付款金额 %(a)s 元多于公告的标准 %(f)s 元；提成请在许可成立后按报告支付")
                               % {"a": f"{amount:,.2f}", "f": f"{initial:,.2f}"}, field="payment_amount")
    if initial > 0 and payment_date is None:
        raise ApplicationError(_("请填写付款日期"), field="payment_date")
    self_declared = actor is not None and not actor.is_platform_admin and actor.role != Role.CENTER_STAFF
    if initial > 0 and self_declared and not (payment_reference or "").strip():
        # The platform does not see the money: a licensee's own notice names the transfer, and the patentee is
        # told to check it against its account.
        raise ApplicationError(_("请填写付款凭证号（银行流水号等），专利权人据此核对收款"), field="payment_reference")
    if payment_date is not None:  # also for a free licence: a future date would date the licence in the future
        if payment_date > today():
            raise ApplicationError(_("付款日期不能晚于今天"), field="payment_date")
        if payment_date < declaration.published_on:
            raise ApplicationError(_("付款日期不能早于声明公告日期"), field="payment_date")
    formed_on = max(notice_date, payment_date or notice_date)
    terms = {"fee_method": declaration.fee_method, "fee_text": _fee_text(declaration),
             "initial_fee": str(initial), "royalty_rate": str(declaration.royalty_rate or ""),
             "royalty_base": declaration.royalty_base, "term_years": declaration.term_years,
             "payment_terms": declaration.payment_terms, "announcement_number": declaration.announcement_number,
             "published_on": declaration.published_on.isoformat()}
    licence = OpenLicence(declaration=declaration, licensee=licensee, notice_date=notice_date,
                          notice_text=notice_text, payment_date=payment_date if initial > 0 else payment_date,
                          payment_amount=amount, payment_reference=(payment_reference or "").strip(),
                          formed_on=formed_on,
                          term_end=_add_years(formed_on, declaration.term_years) - dt.timedelta(days=1),
                          terms=terms, created_by=_actor_pk(actor))
    validated_save(licence)
    if amount > 0:
        # Never confirmed here: the licensor is never the one giving notice (it cannot license itself).
        RoyaltyPayment.objects.create(licence=licence, kind=PaymentKind.INITIAL, paid_on=payment_date, amount=amount,
                                      reference=licence.payment_reference, recorded_by=_actor_pk(actor),
                                      status=PaymentStatus.PENDING)
    audit_record(actor=actor, action="create", obj=licence, changes={
        "declaration": [None, declaration.pk], "licensee": [None, licensee.name], "formed_on": [None, formed_on],
        "payment_amount": [None, amount]})
    days = int(rules.FILING_REMINDER_DAYS.value)
    url = reverse("licensing_licence_detail", args=[licence.pk])
    notify(users=_users_of([declaration.patentee_id, declaration.center_id]),
           title=_("%(o)s 已通过开放许可获得专利 %(p)s 的实施许可") % {"o": licensee.name, "p": declaration.patent.number},
           body=(_("付款 %(a)s 元（凭证号 %(r)s）待许可人确认：请核对收款后在许可页确认收款；如未收到，请提出对账异议。")
                 % {"a": f"{amount:,.2f}", "r": licence.payment_reference or "—"} if amount > 0 else "")
           + _("请在 %(d)s 前办理许可备案（%(s)s）。") % {
               "d": formed_on + dt.timedelta(days=days), "s": rules.REGS_87_FILING.source},
           url=url, kind="licensing")
    notify(users=_users_of([licensee.pk]), title=_("开放许可已成立：%(p)s") % {"p": declaration.patent.number},
           body=_("许可自 %(f)s 起至 %(e)s 止，普通许可。") % {"f": formed_on, "e": licence.term_end}
           + (_("所报付款待许可人确认收款，确认前不计入已收许可费。") if amount > 0 else ""), url=url,
           kind="licensing")
    return licence


def _fee_text(declaration) -> str:
    from ipoc.licensing.selectors import fee_text

    return fee_text(declaration)


def may_manage_licence(actor: User | None, licence: OpenLicence) -> bool:
    if actor is None:
        return True
    if not actor.is_authenticated:
        return False
    if actor.is_platform_admin:
        return True
    org = actor.organization_id
    return bool(org) and org in (licence.licensee_id, licence.declaration.patentee_id, licence.declaration.center_id)


def require_licence_party(actor: User | None, licence: OpenLicence) -> None:
    if not may_manage_licence(actor, licence):
        raise PermissionDenied(_("只有许可双方或服务运营中心可以办理"))


@transaction.atomic
def licence_file(*, actor: User | None, licence: OpenLicence, filed_on: dt.date | None = None,
                 filing_number: str = "") -> OpenLicence:
    """备案 (细则第八十七条): record the filing date and number."""
    require_licence_party(actor, licence)
    filed_on = filed_on or today()
    if filed_on < licence.formed_on:
        raise ApplicationError(_("备案日期不能早于许可生效日期"), field="filed_on")
    old = licence.filed_on
    licence.filed_on = filed_on
    licence.filing_number = (filing_number or "").strip()[:60]
    validated_save(licence)
    audit_record(actor=actor, action="update", obj=licence, changes={"filed_on": [old, filed_on]})
    return licence


@transaction.atomic
def royalty_report_create(*, actor: User | None, licence: OpenLicence, period_start: dt.date, period_end: dt.date,
                          base_amount: Any, reported_on: dt.date | None = None) -> RoyaltyReport:
    """提成报告: the royalty due is base × the declared rate, rounded to the fen (half up); due within the
    configured days after the period."""
    require_licence_party(actor, licence)
    if licence.terms.get("fee_method") not in (FeeMethod.ROYALTY, FeeMethod.ENTRY_PLUS_ROYALTY):
        raise ApplicationError(_("该许可不是提成方式，无需提成报告"), field="licence")
    if period_end < period_start:
        raise ApplicationError(_("报告期止不能早于报告期起"), field="period_end")
    if period_start < licence.formed_on or period_start > licence.term_end or period_end > licence.term_end:
        raise ApplicationError(_("报告期应在许可期限内（%(f)s 至 %(e)s）") % {"f": licence.formed_on,
                                                                            "e": licence.term_end},
                               field="period_start")
    if licence.reports.filter(period_start__lte=period_end, period_end__gte=period_start).exists():
        raise ApplicationError(_("该报告期与已有报告重叠"), field="period_start")
    base = money(base_amount, "base_amount", allow_none=False)
    rate = Decimal(str(licence.terms.get("royalty_rate") or "0"))
    due = (base * rate / Decimal(100)).quantize(CENTS, rounding=ROUND_HALF_UP)
    report = RoyaltyReport(licence=licence, period_start=period_start, period_end=period_end, base_amount=base,
                           rate=rate, royalty_due=due,
                           due_date=period_end + dt.timedelta(days=int(rules.ROYALTY_OVERDUE_DAYS.value)),
                           reported_on=reported_on or today(), reported_by=_actor_pk(actor))
    validated_save(report)
    audit_record(actor=actor, action="create", obj=licence, changes={
        "report": [None, f"{period_start}—{period_end}"], "base_amount": [None, base], "royalty_due": [None, due]})
    return report


@transaction.atomic
def royalty_payment_record(*, actor: User | None, licence: OpenLicence, amount: Any, paid_on: dt.date | None = None,
                           report: RoyaltyReport | None = None, reference: str = "") -> RoyaltyPayment:
    """A royalty payment against a report; never more than what the report still owes (the ledger reconciles;
    a payment under 对账异议 no longer takes up the report, one awaiting confirmation does). Recorded by the
    licensor's own users it is their statement of receipt (confirmed); recorded by anyone else it waits for the
    licensor to confirm it (``payment_confirm``)."""
    require_licence_party(actor, licence)
    value = money(amount, "amount", allow_none=False)
    if value <= 0:
        raise ApplicationError(_("支付金额必须大于 0"), field="amount")
    paid_on = paid_on or today()
    if paid_on > today():
        raise ApplicationError(_("支付日期不能晚于今天"), field="paid_on")
    if report is None:
        raise ApplicationError(_("请选择对应的提成报告"), field="report")
    if report.licence_id != licence.pk:
        raise ApplicationError(_("提成报告不属于该许可"), field="report")
    paid = sum((p.amount for p in report.payments.exclude(status=PaymentStatus.DISPUTED)), Decimal("0"))
    outstanding = report.royalty_due - paid
    if value > outstanding:
        raise ApplicationError(_("支付金额 %(a)s 元超过该报告尚欠的 %(o)s 元") % {"a": value, "o": outstanding},
                               field="amount")
    by_licensor = _licensor_side(actor, licence)
    payment = RoyaltyPayment(licence=licence, report=report, kind=PaymentKind.ROYALTY, paid_on=paid_on, amount=value,
                             reference=_max_chars((reference or "").strip(), REFERENCE_MAX, "reference"),
                             recorded_by=_actor_pk(actor), status=PaymentStatus.CONFIRMED if by_licensor else PaymentStatus.PENDING)
    if by_licensor:
        payment.reviewed_by, payment.reviewed_at = _actor_pk(actor), timezone.now()
    validated_save(payment)
    audit_record(actor=actor, action="create", obj=licence, changes={"payment": [None, str(value)],
                                                                     "report": [None, report.pk],
                                                                     "payment_status": [None, payment.status]})
    if not by_licensor:
        notify(users=_licensor_users(licence),
               title=_("开放许可提成付款待确认：%(p)s") % {"p": licence.declaration.patent.number},
               body=_("%(o)s 登记支付提成 %(a)s 元（%(d)s，凭证号 %(r)s）。请核对收款后确认收款；如未收到，请提出对账异议。")
               % {"o": licence.licensee.name, "a": f"{value:,.2f}", "d": paid_on, "r": payment.reference or "—"},
               url=reverse("licensing_licence_detail", args=[licence.pk]), kind="licensing")
    return payment


# ---------------------------------------------------------------- 确认收款 / 对账异议


def _licensor_side(actor: User | None, licence: OpenLicence) -> bool:
    """The actor speaks for the licensor (the patentee) as one of its own users."""
    return (actor is not None and actor.is_authenticated and bool(actor.organization_id)
            and actor.organization_id == licence.declaration.patentee_id)


def _licensor_users(licence: OpenLicence) -> list[User]:
    """Who is asked to confirm: the patentee's users; for a patentee with none on the platform, the serving
    center's staff (who confirm on its behalf)."""
    return _users_of([licence.declaration.patentee_id]) or _users_of([licence.declaration.center_id])


def payment_review_refusal(actor: User | None, payment: RoyaltyPayment) -> str | None:
    """Why ``actor`` may not confirm or dispute ``payment`` (None: it may).

    Receipt is the licensor's to confirm: the patentee's own users; for a patentee with no users on the platform,
    its serving center's staff or a platform administrator on its behalf. Never the licensee (a payer cannot
    confirm its own payment), nor the organisation (or, for an administrator, the user) that recorded the payment
    — confirmation must come from the other side of the one who declared it. The system (``actor=None``) may."""
    if actor is None:
        return None
    if not actor.is_authenticated:
        return _("请先登录")
    licence = payment.licence
    declaration = licence.declaration
    if actor.organization_id and actor.organization_id == licence.licensee_id:
        return _("被许可人不能确认自己的付款：收款须由许可人（专利权人）确认")
    if _licensor_side(actor, licence):
        return None
    if _users_of([declaration.patentee_id]):
        return _("只有许可人 %(o)s 可以确认收款或提出对账异议") % {"o": declaration.patentee.name}
    on_behalf = actor.is_platform_admin or (actor.role == Role.CENTER_STAFF and bool(actor.organization_id)
                                            and actor.organization_id == declaration.center_id)
    if not on_behalf:
        return _("只有许可人、其服务运营中心或平台管理员可以确认收款或提出对账异议")
    recorder = payment.recorded_by
    if recorder is not None and (recorder.pk == actor.pk or (
            recorder.organization_id and recorder.organization_id == actor.organization_id)):
        return _("该付款由本单位（或本人）登记，不能再由本单位确认收款：请由许可人一方的其他单位或平台管理员确认")
    return None


def may_review_payment(actor: User | None, payment: RoyaltyPayment) -> bool:
    return payment_review_refusal(actor, payment) is None


def _locked_payment(payment: RoyaltyPayment) -> RoyaltyPayment:
    return RoyaltyPayment.objects.select_for_update().get(pk=payment.pk)


def _review_check(actor: User | None, payment: RoyaltyPayment) -> None:
    refusal = payment_review_refusal(actor, payment)
    if refusal is not None:
        raise PermissionDenied(refusal, status=401 if actor is not None and not actor.is_authenticated else 403)


@transaction.atomic
def payment_confirm(*, actor: User | None, payment: RoyaltyPayment) -> RoyaltyPayment:
    """确认收款: the licensor confirms it received the payment; from then on it counts as received (ledger,
    royalty totals, KPIs). A payment under 对账异议 may still be confirmed (the money turned up)."""
    payment = _locked_payment(payment)
    _review_check(actor, payment)
    if payment.status == PaymentStatus.CONFIRMED:
        raise ApplicationError(_("该付款已确认收款"), field="status", code="invalid_transition")
    if payment.status == PaymentStatus.DISPUTED and payment.report_id:
        # A disputed payment freed its report, so the licensee may have paid it again meanwhile: confirming this
        # one as well must not count the report as paid twice (probe: a 3,000 元 report received 6,000 元).
        report = payment.report
        taken = sum((p.amount for p in report.payments.exclude(pk=payment.pk).exclude(status=PaymentStatus.DISPUTED)),
                    Decimal("0"))
        if taken + payment.amount > report.royalty_due:
            raise ApplicationError(
                _("该提成报告应付 %(d)s 元，其他付款已占 %(t)s 元，再确认这笔 %(a)s 元将超付；"
                  "请先对重复登记的付款提出对账异议") % {"d": f"{report.royalty_due:,.2f}", "t": f"{taken:,.2f}",
                                          "a": f"{payment.amount:,.2f}"},
                field="status", code="invalid_transition")
    old = payment.status
    payment.status = PaymentStatus.CONFIRMED
    payment.reviewed_by, payment.reviewed_at = _actor_pk(actor), timezone.now()
    validated_save(payment)
    licence = payment.licence
    audit_record(actor=actor, action="transition", obj=licence,
                 changes={f"payment:{payment.pk}": [old, PaymentStatus.CONFIRMED]})
    notify(users=_users_of([licence.licensee_id]),
           title=_("许可人已确认收款：%(p)s") % {"p": licence.declaration.patent.number},
           body=_("%(o)s 已确认收到 %(a)s 元（%(d)s，凭证号 %(r)s）。") % {
               "o": licence.declaration.patentee.name, "a": f"{payment.amount:,.2f}", "d": payment.paid_on,
               "r": payment.reference or "—"},
           url=reverse("licensing_licence_detail", args=[licence.pk]), kind="licensing")
    return payment


DISPUTE_REASON_MAX = 2000


@transaction.atomic
def payment_dispute(*, actor: User | None, payment: RoyaltyPayment, reason: str) -> RoyaltyPayment:
    """对账异议: the licensor has not received the payment as declared, and says why. The payment stays out of
    what is received, and a dispute on the licence is opened (专利法第五十二条: 协商, then 调解 or 诉讼); a
    disputed royalty payment no longer takes up its report, so the licensee may record the payment again."""
    payment = _locked_payment(payment)
    _review_check(actor, payment)
    if payment.status != PaymentStatus.PENDING:
        raise ApplicationError(_("只能对待确认的付款提出对账异议（当前：%(s)s）") % {"s": payment.get_status_display()},
                               field="status", code="invalid_transition")
    reason = (reason or "").strip()
    if not reason:
        raise ApplicationError(_("对账异议须说明理由"), field="reason")
    if len(reason) > DISPUTE_REASON_MAX:  # refused, not cut short silently (probe)
        raise ApplicationError(_("对账异议理由最多 %(n)d 字") % {"n": DISPUTE_REASON_MAX}, field="reason")
    payment.status = PaymentStatus.DISPUTED
    payment.dispute_reason = reason
    payment.reviewed_by, payment.reviewed_at = _actor_pk(actor), timezone.now()
    validated_save(payment)
    licence = payment.licence
    description = _("对账异议：%(d)s 付款 %(a)s 元（凭证号 %(r)s）未收到或不符：%(why)s") % {
        "d": payment.paid_on, "a": f"{payment.amount:,.2f}", "r": payment.reference or "—",
        "why": payment.dispute_reason}
    dispute = LicenceDispute(licence=licence, raised_on=today(), route=DisputeRoute.NEGOTIATION,
                             description=description[:5000], recorded_by=_actor_pk(actor))
    validated_save(dispute)
    audit_record(actor=actor, action="transition", obj=licence,
                 changes={f"payment:{payment.pk}": [PaymentStatus.PENDING, PaymentStatus.DISPUTED],
                          "dispute": [None, dispute.pk]}, message=payment.dispute_reason)
    notify(users=_users_of([licence.licensee_id, licence.declaration.center_id]),
           title=_("许可人对付款提出对账异议：%(p)s") % {"p": licence.declaration.patent.number},
           body=_("%(o)s 未确认 %(a)s 元（%(d)s，凭证号 %(r)s）：%(why)s") % {
               "o": licence.declaration.patentee.name, "a": f"{payment.amount:,.2f}", "d": payment.paid_on,
               "r": payment.reference or "—", "why": payment.dispute_reason},
           url=reverse("licensing_licence_detail", args=[licence.pk]), kind="licensing")
    return payment


def reminders_send(*, on_date: dt.date | None = None) -> dict:
    """Daily reminders: royalties overdue (both parties) and licences not yet 备案 past the filing period
    (licensor and licensee). Returns the number of notices sent by kind."""
    on_date = on_date or today()
    days = int(rules.FILING_REMINDER_DAYS.value)
    filing = 0
    for lic in OpenLicence.objects.filter(filed_on__isnull=True, status=LicenceStatus.IN_FORCE,
                                          formed_on__lt=on_date - dt.timedelta(days=days)).select_related(
            "declaration__patent"):
        filing += notify(users=_users_of([lic.licensee_id, lic.declaration.patentee_id]),
                         title=_("开放许可尚未备案：%(p)s") % {"p": lic.declaration.patent.number},
                         body=_("许可自 %(f)s 生效，已超过 %(d)s 天。") % {"f": lic.formed_on, "d": days},
                         url=reverse("licensing_licence_detail", args=[lic.pk]), kind="licensing")
    return {"royalty_overdue": royalty_overdue_remind(on_date=on_date), "filing_overdue": filing}


def royalty_overdue_remind(*, on_date: dt.date | None = None) -> int:
    """Remind both parties of each royalty report past its due date with money still owed; the count sent."""
    from ipoc.licensing import selectors

    sent = 0
    for report in selectors.overdue_reports(user=None, on_date=on_date):
        lic = report.licence
        sent += notify(users=_users_of([lic.licensee_id, lic.declaration.patentee_id]),
                       title=_("开放许可提成逾期：%(p)s %(s)s—%(e)s") % {"p": lic.declaration.patent.number,
                                                                   "s": report.period_start, "e": report.period_end},
                       url=reverse("licensing_licence_detail", args=[lic.pk]), kind="licensing")
    return sent


@transaction.atomic
def dispute_record(*, actor: User | None, licence: OpenLicence, description: str, route: str = "negotiation",
                   raised_on: dt.date | None = None) -> LicenceDispute:
    """专利法第五十二条: 协商, then 国务院专利行政部门调解 or 诉讼."""
    require_licence_party(actor, licence)
    if route not in DisputeRoute.values:
        raise ApplicationError(_("未知的解决途径：%(r)s") % {"r": route}, field="route")
    description = (description or "").strip()
    if not description:
        raise ApplicationError(_("请填写纠纷事由"), field="description")
    dispute = LicenceDispute(licence=licence, raised_on=raised_on or today(), description=description[:5000],
                             route=route, recorded_by=_actor_pk(actor))
    validated_save(dispute)
    audit_record(actor=actor, action="create", obj=licence, changes={"dispute": [None, route]})
    return dispute


@transaction.atomic
def dispute_close(*, actor: User | None, dispute: LicenceDispute, outcome: str,
                  closed_on: dt.date | None = None) -> LicenceDispute:
    require_licence_party(actor, dispute.licence)
    if not (outcome or "").strip():
        raise ApplicationError(_("请填写结果"), field="outcome")
    dispute.outcome = outcome.strip()[:5000]
    dispute.closed_on = closed_on or today()
    if dispute.closed_on < dispute.raised_on:
        raise ApplicationError(_("解决日期不能早于发生日期"), field="closed_on")
    validated_save(dispute)
    audit_record(actor=actor, action="update", obj=dispute.licence, changes={"dispute_closed": [None, dispute.pk]})
    return dispute


# ---------------------------------------------------------------- pushes (大手拉小手: SMEs first)


def _words(text: str) -> set[str]:
    import rjieba

    return {w for w in rjieba.cut(text or "") if len(w) >= 2 and not w.isdigit()} - STOPWORDS


STOPWORDS = {"一种", "方法", "系统", "装置", "及其", "制备", "应用", "基于", "用于", "技术", "需求", "我们", "企业",
             "公司", "产品", "需要", "进行", "研发", "合作", "相关", "以及", "实现", "提高", "具有", "提供", "解决",
             "问题", "能够", "通过", "包括", "一个", "使用", "可以", "采用", "本发明", "实用新型", "公开"}


def push_candidates(declaration: OpenLicenceDeclaration, *, limit: int | None = None) -> list[dict]:
    """Open demands whose words meet the patent's (title, abstract, field; the demand's keywords, title and
    description), SMEs first, then by how many words meet: {"demand", "organization", "score", "is_sme",
    "explanation"}; one per enterprise."""
    from ipoc.demands import selectors as demand_selectors

    patent = declaration.patent
    patent_words = _words(f"{patent.title} {patent.abstract[:2000]} {declaration.field}")
    best: dict[int, dict] = {}
    for demand in demand_selectors.open_demands(center_id=None):
        org = demand.organization
        if org is None or org.pk == declaration.patentee_id or org.kind != OrganizationKind.ENTERPRISE:
            continue
        keywords = {str(k) for k in (demand.keywords or []) if str(k)}
        demand_words = _words(f"{demand.title} {demand.description[:2000]}") | keywords
        common = sorted(demand_words & patent_words, key=lambda w: (-len(w), w))
        common = [w for w in common if not any(w != o and w in o for o in common)]  # 学习 within 深度学习
        kw_hits = sorted(k for k in keywords if k in patent.title or k in patent.abstract or k in declaration.field)
        if not common and not kw_hits:
            continue
        score = len(common) + 2 * len(kw_hits)
        is_sme = bool(org.is_sme)
        words = "、".join((kw_hits + [w for w in common if w not in kw_hits])[:6])
        explanation = _("需求“%(d)s”与专利 %(p)s 的共同技术词：%(w)s；开放许可，%(f)s") % {
            "d": demand.title, "p": patent.number, "w": words, "f": _fee_text(declaration)}
        if is_sme:
            explanation += _("；需求方为中小企业，优先推送（大手拉小手）")
        row = {"demand": demand, "organization": org, "score": float(score), "is_sme": is_sme,
               "explanation": explanation}
        if org.pk not in best or best[org.pk]["score"] < score:
            best[org.pk] = row
    rows = sorted(best.values(), key=lambda r: (not r["is_sme"], -r["score"], r["organization"].name))
    return rows[: (limit or int(rules.PUSH_LIMIT.value))]


@transaction.atomic
def declaration_push(*, declaration: OpenLicenceDeclaration) -> list[DeclarationPush]:
    """Push a published declaration to the enterprises whose open demands fit (once each), and tell them."""
    if declaration.status != DeclarationStatus.PUBLISHED:
        return []
    made = []
    url = reverse("licensing_public_detail", args=[declaration.pk])
    for row in push_candidates(declaration):
        push, created = DeclarationPush.objects.get_or_create(
            declaration=declaration, organization=row["organization"],
            defaults={"demand": row["demand"], "score": row["score"], "is_sme": row["is_sme"],
                      "explanation": row["explanation"]})
        if created:
            made.append(push)
            notify(users=_users_of([row["organization"].pk]),
                   title=_("开放许可专利推荐：%(t)s") % {"t": declaration.patent.title[:60]},
                   body=row["explanation"], url=url, kind="licensing")
    return made


# ---------------------------------------------------------------- pledges (专利开源)


def may_manage_pledge(actor: User | None, pledge: PatentPledge) -> bool:
    if actor is None:
        return True
    if not actor.is_authenticated:
        return False
    if actor.is_platform_admin:
        return True
    org = actor.organization_id
    if actor.role == Role.CENTER_STAFF:
        return bool(org) and org == pledge.center_id
    return bool(org) and org == pledge.pledgor_id


def _clean_numbers(numbers: Any) -> list[str]:
    if isinstance(numbers, str):
        numbers = numbers.replace("，", ",").replace("；", ",").replace(";", ",").replace("\n", ",").split(",")
    out = []
    for n in numbers or []:
        n = str(n).strip().replace(" ", "").upper()
        if n and n not in out:
            out.append(n[:40])
    if len(out) > MAX_SCOPE_NUMBERS:
        raise ApplicationError(_("专利号清单最多 %(n)s 件") % {"n": MAX_SCOPE_NUMBERS}, field="scope_numbers")
    return out


PLEDGE_FIELDS = ("title", "pledged_on", "summary", "mechanism", "conditions", "field_of_use", "valid_until",
                 "signatories", "scope_kind", "scope_numbers", "scope_ipc", "scope_keywords", "scope_applicant")


def _check_pledge(data: dict[str, Any]) -> None:
    if "mechanism" in data and data["mechanism"] not in PledgeMechanism.values:
        raise ApplicationError(_("未知的实现方式：%(v)s") % {"v": data["mechanism"]}, field="mechanism")
    if "conditions" in data:
        bad = [c for c in data["conditions"] or [] if c not in PledgeCondition.values]
        if bad:
            raise ApplicationError(_("未知的条件：%(v)s") % {"v": "、".join(bad)}, field="conditions")
        data["conditions"] = list(dict.fromkeys(data["conditions"] or []))
    if "scope_kind" in data and data["scope_kind"] not in ScopeKind.values:
        raise ApplicationError(_("未知的范围方式：%(v)s") % {"v": data["scope_kind"]}, field="scope_kind")
    if "scope_numbers" in data:
        data["scope_numbers"] = _clean_numbers(data["scope_numbers"])
    for name in ("scope_ipc", "scope_keywords", "scope_applicant", "title", "summary", "field_of_use", "signatories"):
        if name in data and data[name] is not None:
            data[name] = str(data[name]).strip()


def _check_pledge_dates(data: dict[str, Any]) -> None:
    from ipoc.core.bounds import check_date

    pledged_on = data.get("pledged_on")
    if pledged_on is not None:
        check_date(pledged_on, "pledged_on")
        if pledged_on > today():
            raise ApplicationError(_("承诺日期不能晚于今天"), field="pledged_on")
        if pledged_on.year < 1985:  # 专利法 came into force on 1 April 1985
            raise ApplicationError(_("承诺日期不能早于 1985 年"), field="pledged_on")
    valid_until = data.get("valid_until")
    if valid_until is not None:
        check_date(valid_until, "valid_until")
        if pledged_on is not None and valid_until < pledged_on:
            raise ApplicationError(_("有效期不能早于承诺日期"), field="valid_until")


@transaction.atomic
def pledge_create(*, actor: User | None, pledgor: Organization | None = None, center: Organization | None = None,
                  full_text: UploadedFile | None = None, **data: Any) -> PatentPledge:
    """A pledge, its scope resolved to patents at once."""
    if actor is not None:
        if not actor.is_authenticated:
            raise PermissionDenied(_("请先登录"), status=401)
        if actor.role in (Role.INSTITUTION_USER, Role.ENTERPRISE_USER):
            if pledgor is not None and pledgor.pk != actor.organization_id:
                raise PermissionDenied(_("只能以本单位名义作出承诺"), field="pledgor")
            pledgor = actor.organization
        elif not (actor.is_platform_admin or actor.role == Role.CENTER_STAFF):
            raise PermissionDenied(_("只有专利权人或运营中心可以登记专利开源承诺"))
    if pledgor is None:
        raise ApplicationError(_("请选择承诺人"), field="pledgor")
    if (actor is not None and actor.role == Role.CENTER_STAFF and not actor.is_platform_admin
            and _users_of([pledgor.pk])):
        # A pledge binds the pledgor: one with users on the platform makes it itself; a center registers the
        # published pledge of a pledgor that is not on the platform.
        raise PermissionDenied(_("%(o)s 在平台有账户：专利开源承诺须由承诺人自行登记") % {"o": pledgor.name},
                               field="pledgor")
    unknown = set(data) - set(PLEDGE_FIELDS)
    if unknown:
        raise ApplicationError(_("未知字段：%(f)s") % {"f": ", ".join(sorted(unknown))}, field=sorted(unknown)[0])
    _check_pledge(data)
    data.setdefault("pledged_on", today())
    _check_pledge_dates(data)
    pledge = PatentPledge(pledgor=pledgor, center=_center_of(actor, center), created_by=_actor_pk(actor), **data)
    if pledge.scope_kind == ScopeKind.LIST and not pledge.scope_numbers:
        raise ApplicationError(_("按专利清单承诺时请列出专利号"), field="scope_numbers")
    if pledge.scope_kind == ScopeKind.DEFINITION and not (pledge.scope_ipc or pledge.scope_keywords
                                                          or pledge.scope_applicant):
        raise ApplicationError(_("按检索条件承诺时请至少填写 IPC、关键词或申请人之一"), field="scope_ipc")
    if pledge.scope_kind == ScopeKind.LIST:
        _ids, unknown_or_other = scope_patent_ids(pledge)
        others = [n for n in unknown_or_other if _exists(n)]
        if others:
            raise ApplicationError(_("以下专利不属于承诺人 %(o)s（申请人或权利人），不能纳入承诺：%(n)s")
                                   % {"o": pledgor.name, "n": "、".join(others[:10])}, field="scope_numbers")
    if full_text is not None:
        _check_attachment("full_text", full_text)
        pledge.full_text.save(full_text.name, full_text, save=False)
    validated_save(pledge)
    audit_record(actor=actor, action="create", obj=pledge, changes={"title": [None, pledge.title],
                                                                    "pledgor": [None, pledgor.name]})
    pledge_resolve(pledge=pledge)
    return pledge


def _numbered(pledge: PatentPledge, ids: list[int]) -> list[tuple[str, int]]:
    """(publication number, id) of the listed patents found."""
    from django.apps import apps

    Patent = apps.get_model("patents", "Patent")
    return list(Patent.objects.filter(pk__in=ids).values_list("publication_number", "pk"))


def scope_patent_ids(pledge: PatentPledge) -> tuple[list[int], list[str]]:
    """The pledgor's patents the scope names now, and the listed numbers not found on the platform or not the
    pledgor's."""
    from ipoc.patents import selectors as patent_selectors

    # A pledgor pledges its own patents only (applicant or holder): a pledge never reaches another's patents.
    own = patent_selectors.patents_held_by(user=None, organization=pledge.pledgor)
    if pledge.scope_kind == ScopeKind.LIST:
        ids, missing = [], []
        for number in pledge.scope_numbers or []:
            try:
                ids.append(patent_selectors.patent_get(user=None, key_or_number=number).pk)
            except ApplicationError:
                missing.append(number)
        held = set(own.filter(pk__in=ids).values_list("pk", flat=True))
        return sorted(held), missing + [n for n, pk in _numbered(pledge, ids) if pk not in held]

    from ipoc.patents.selectors import PatentFilters, filter_patents

    qs = own  # the system reads every patent the pledgor holds
    filters = PatentFilters(ipc=pledge.scope_ipc, applicant=pledge.scope_applicant)
    qs = filter_patents(qs, filters)
    words = [w for w in (pledge.scope_keywords or "").replace("，", " ").replace(",", " ").split() if w]
    if words:
        cond = Q()
        for w in words:
            cond |= Q(title__icontains=w) | Q(abstract__icontains=w)
        qs = qs.filter(cond)
    return sorted(qs.values_list("pk", flat=True)[:MAX_SCOPE_PATENTS]), []


def _exists(number: str) -> bool:
    from ipoc.patents import selectors as patent_selectors

    try:
        patent_selectors.patent_get(user=None, key_or_number=number)
    except ApplicationError:
        return False
    return True


def _holders(patent) -> str:
    names = [p.name for p in patent.parties.all() if p.role == "holder"] or \
            [p.name for p in patent.parties.all() if p.role == "applicant"]
    return "；".join(names)[:500]


def _lapsed(patent, on_date: dt.date) -> bool:
    """Dropped when known to be lapsed or expired (an unknown status keeps the patent)."""
    if patent.legal_status == "lapsed":
        return True
    if patent.lapse_date and patent.lapse_date <= on_date:
        return True
    return bool(patent.expiry_date and patent.expiry_date < on_date)


@transaction.atomic
def pledge_resolve(*, pledge: PatentPledge, on_date: dt.date | None = None) -> dict:
    """Resolve the scope: add newly named patents, drop lapsed ones (and, by definition, those no longer named),
    alert on a change of holder. Returns {"added", "dropped", "transferred", "missing"}."""
    from django.apps import apps

    on_date = on_date or today()
    result = {"added": [], "dropped": [], "transferred": [], "missing": []}
    if pledge.status != PledgeStatus.ACTIVE:
        return result
    Patent = apps.get_model("patents", "Patent")
    ids, missing = scope_patent_ids(pledge)
    result["missing"] = missing
    current = {c.patent_id: c for c in pledge.covered.all()}
    patents = {p.pk: p for p in Patent.objects.filter(pk__in=set(ids) | set(current)).prefetch_related("parties")}
    alerts = []
    for pid in ids:
        patent = patents[pid]
        row = current.get(pid)
        if _lapsed(patent, on_date):
            if row is not None and row.dropped_on is None:
                row.dropped_on, row.drop_reason = on_date, _("专利失效")
                row.save(update_fields=["dropped_on", "drop_reason"])
                result["dropped"].append(pid)
                alerts.append(PledgeAlert(pledge=pledge, patent=patent, kind=AlertKind.LAPSED,
                                          message=_("专利 %(p)s 已失效，移出承诺范围") % {"p": patent.number}))
            continue
        holders = _holders(patent)
        if row is None:
            PledgedPatent.objects.create(pledge=pledge, patent=patent, added_on=on_date, holders_seen=holders)
            result["added"].append(pid)
            if pledge.resolved_at is not None:
                alerts.append(PledgeAlert(pledge=pledge, patent=patent, kind=AlertKind.ADDED,
                                          message=_("专利 %(p)s 符合承诺范围，已纳入") % {"p": patent.number}))
        elif row.dropped_on is not None:
            row.dropped_on, row.drop_reason, row.holders_seen = None, "", holders
            row.save(update_fields=["dropped_on", "drop_reason", "holders_seen"])
            result["added"].append(pid)
        elif row.holders_seen and holders and holders != row.holders_seen:
            alerts.append(PledgeAlert(pledge=pledge, patent=patent, kind=AlertKind.TRANSFERRED,
                                      message=_("专利 %(p)s 权利人由“%(a)s”变更为“%(b)s”")
                                      % {"p": patent.number, "a": row.holders_seen, "b": holders}))
            row.holders_seen = holders
            row.save(update_fields=["holders_seen"])
            result["transferred"].append(pid)
    for pid, row in current.items():
        if pid not in ids and row.dropped_on is None and pledge.scope_kind == ScopeKind.DEFINITION:
            row.dropped_on, row.drop_reason = on_date, _("不再符合检索条件")
            row.save(update_fields=["dropped_on", "drop_reason"])
            result["dropped"].append(pid)
    PledgeAlert.objects.bulk_create(alerts)
    pledge.resolved_at = timezone.now()
    pledge.save(update_fields=["resolved_at"])
    if alerts:
        notify(users=_users_of([pledge.pledgor_id, pledge.center_id]),
               title=_("专利开源承诺“%(t)s”范围有变化") % {"t": pledge.title},
               body="；".join(a.message for a in alerts[:10]),
               url=reverse("licensing_pledge_detail", args=[pledge.pk]), kind="licensing")
    return result


def pledges_refresh(patent_ids: list[int] | None = None) -> int:
    """After an import: re-resolve every active pledge by definition, and the list pledges naming a touched
    patent. The number of pledges refreshed."""
    touched = set(patent_ids or [])
    count = 0
    for pledge in PatentPledge.objects.filter(status=PledgeStatus.ACTIVE).order_by("pk"):
        # a list pledge names few patents and an import may touch millions: intersect on the small side (an
        # IN of every touched id held the end of a 3M-patent import for many minutes)
        if pledge.scope_kind == ScopeKind.LIST and touched and touched.isdisjoint(
                pledge.covered.values_list("patent_id", flat=True)):
            continue
        pledge_resolve(pledge=pledge)
        count += 1
    return count


@transaction.atomic
def pledge_withdraw(*, actor: User | None, pledge: PatentPledge, reason: str,
                    on: dt.date | None = None) -> PatentPledge:
    if not may_manage_pledge(actor, pledge):
        raise PermissionDenied(_("只有承诺人或其服务运营中心可以撤回承诺"))
    if pledge.status != PledgeStatus.ACTIVE:
        raise ApplicationError(_("承诺已撤回"), field="status", code="invalid_transition")
    reason = (reason or "").strip()
    if not reason:
        raise ApplicationError(_("撤回须说明理由"), field="reason")
    pledge.status = PledgeStatus.WITHDRAWN
    pledge.withdrawn_on = on or today()
    pledge.withdrawal_reason = reason
    validated_save(pledge)
    PledgeAlert.objects.create(pledge=pledge, kind=AlertKind.WITHDRAWN,
                               message=_("承诺于 %(d)s 撤回：%(r)s") % {"d": pledge.withdrawn_on, "r": reason})
    audit_record(actor=actor, action="transition", obj=pledge,
                 changes={"status": [PledgeStatus.ACTIVE, PledgeStatus.WITHDRAWN]}, message=reason)
    notify(users=_users_of([pledge.pledgor_id, pledge.center_id]),
           title=_("专利开源承诺已撤回：%(t)s") % {"t": pledge.title}, body=reason,
           url=reverse("licensing_pledge_detail", args=[pledge.pk]), kind="licensing")
    return pledge
