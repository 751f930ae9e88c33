"""Writes for 交易撮合: create, edit, move through 意向 → 洽谈 → 签约 → 履行 → 完成 (or 终止), attach files — audited."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from ipoc.core.errors import ApplicationError, PermissionDenied
from ipoc.core.models import Organization, Role, User
from ipoc.core.permissions import CHANGE, acting_center, can, require_role, settled_by_role
from ipoc.core.services import audit_record, model_update, validated_save
from ipoc.deals.models import (
    DEAL_TRANSITIONS,
    EXCLUSIVE_KINDS,
    ChainScope,
    Deal,
    DealStage,
    DealStageChange,
    DealType,
    LicenceKind,
    max_amount_yuan,
)

EDITABLE_FIELDS = ("title", "deal_type", "chain_scope", "amount", "intention_date", "signed_date", "completed_date",
                   "demand", "event", "note", "licence_kind", "licence_start", "licence_end")
M2M_FIELDS = ("sellers", "buyers", "patents")
ATTACHMENT_FIELDS = ("contract_file", "filing_file")
ATTACHMENT_SUFFIXES = (".pdf", ".ofd", ".doc", ".docx", ".jpg", ".jpeg", ".png", ".zip")
MAX_ATTACHMENT_BYTES = 20 * 1024 * 1024


def may_manage(actor: User | None, deal: Deal) -> bool:
    """The handling center's staff (and administrators, and the system) manage a deal; parties only view it."""
    if (settled := settled_by_role(actor)) is not None:
        return settled
    return actor.role == Role.CENTER_STAFF and actor.organization_id == deal.center_id and can(actor, CHANGE, deal)


def require_manager(actor: User | None, deal: Deal) -> None:
    if not may_manage(actor, deal):
        raise PermissionDenied(_("只有撮合该交易的运营中心可以修改：%(d)s") % {"d": deal})


def _center_for(actor: User | None, center: Organization | None) -> Organization:
    return acting_center(actor, center, field="center", not_own=_("只能登记本运营中心撮合的交易"),
                         missing=_("请指定撮合运营中心"),
                         not_center=_("撮合机构必须是产业知识产权运营中心"))


def clean_amount(value: Any) -> Decimal | None:
    """An amount in 元: a non-negative number no larger than the configured ceiling (None stays None)."""
    if value is None or value == "":
        return None
    try:
        amount = Decimal(str(value))
    except (InvalidOperation, ValueError):
        raise ApplicationError(_("交易金额必须是数字：%(v)s") % {"v": value}, field="amount") from None
    if not amount.is_finite():
        raise ApplicationError(_("交易金额必须是数字：%(v)s") % {"v": value}, field="amount")
    if amount < 0:
        raise ApplicationError(_("交易金额不能为负数"), field="amount")
    ceiling = max_amount_yuan()
    if amount > ceiling:
        raise ApplicationError(_("交易金额超出合理范围（上限 %(max)s 元）：%(v)s") % {"max": ceiling, "v": amount},
                               field="amount")
    return amount.quantize(Decimal("0.01"))


def _check(data: dict[str, Any]) -> None:
    if "deal_type" in data and data["deal_type"] not in DealType.values:
        raise ApplicationError(_("未知的交易类型：%(t)s") % {"t": data["deal_type"]}, field="deal_type")
    if "chain_scope" in data and data["chain_scope"] not in ChainScope.values:
        raise ApplicationError(_("未知的产业链范围：%(t)s") % {"t": data["chain_scope"]}, field="chain_scope")
    if "amount" in data:
        data["amount"] = clean_amount(data["amount"])
    if data.get("licence_kind") and data["licence_kind"] not in LicenceKind.values:
        raise ApplicationError(_("未知的许可方式：%(t)s") % {"t": data["licence_kind"]}, field="licence_kind")


def refuse_exclusive_on_open_licence(*, deal_type: str, licence_kind: str, patents: Iterable) -> None:
    """专利法第五十一条第三款: while a patent's open licence stands, no 独占/排他 licence may be granted on it.
    The refusal names the rule and the declarations behind it."""
    if deal_type != DealType.LICENSE or licence_kind not in EXCLUSIVE_KINDS:
        return
    from ipoc.licensing import selectors as licensing_selectors

    ids = {getattr(p, "pk", p) for p in patents}
    blocked = licensing_selectors.open_licence_declarations_for(ids)
    if blocked:
        from ipoc.licensing import rules as licensing_rules

        rule = licensing_rules.LAW_51_NO_EXCLUSIVE
        names = "；".join(f"{d['patent_number']}（开放许可声明 {d['published_on']} 公告）" for d in blocked)
        raise ApplicationError(
            _("不能登记%(k)s：以下专利正在实行开放许可，%(r)s：%(n)s")
            % {"k": LicenceKind(licence_kind).label, "r": rule.quote(), "n": names},
            field="licence_kind", code="open_licence", extra={"rule": rule.code, "declarations": blocked})


def _check_parties(sellers: Iterable[Organization], buyers: Iterable[Organization]) -> None:
    both = {o.pk for o in sellers} & {o.pk for o in buyers}
    if both:
        raise ApplicationError(_("同一单位不能同时是转让/许可方和受让/被许可方"), field="buyers")


def _ids(objs: Iterable) -> list[int]:
    return sorted(o.pk for o in objs)


@transaction.atomic
def deal_create(*, actor: User | None, title: str, deal_type: str, center: Organization | None = None,
                sellers: Iterable[Organization] = (), buyers: Iterable[Organization] = (), patents: Iterable = (),
                intention_date: dt.date | None = None, **fields: Any) -> Deal:
    """Register a deal at 意向. Center staff register for their own center; administrators name the center."""
    if actor is not None:
        require_role(actor, Role.CENTER_STAFF)
    unknown = set(fields) - set(EDITABLE_FIELDS)
    if unknown:
        raise ApplicationError(_("未知字段：%(f)s") % {"f": ", ".join(sorted(unknown))}, field=sorted(unknown)[0])
    fields["deal_type"] = deal_type
    _check(fields)
    sellers, buyers, patents = list(sellers), list(buyers), list(patents)
    _check_parties(sellers, buyers)
    refuse_exclusive_on_open_licence(deal_type=deal_type, licence_kind=fields.get("licence_kind", ""),
                                     patents=patents)
    deal = Deal(title=(title or "").strip(), center=_center_for(actor, center), stage=DealStage.INTENTION,
                intention_date=intention_date or timezone.localdate(),
                created_by=actor if actor is not None and actor.pk else None, **fields)
    validated_save(deal)
    deal.sellers.set(sellers)
    deal.buyers.set(buyers)
    deal.patents.set(patents)
    DealStageChange.objects.create(deal=deal, from_stage="", to_stage=deal.stage, actor=deal.created_by,
                                   reason=_("创建"))
    audit_record(actor=actor, action="create", obj=deal, changes={
        "title": [None, deal.title], "deal_type": [None, deal.deal_type], "center": [None, str(deal.center)],
        "amount": [None, deal.amount], "sellers": [None, _ids(sellers)], "buyers": [None, _ids(buyers)],
        "patents": [None, _ids(patents)], "demand": [None, deal.demand_id], "event": [None, deal.event_id]})
    return deal


@transaction.atomic
def deal_update(*, actor: User | None, deal: Deal, data: dict[str, Any]) -> Deal:
    """Edit a deal; ``sellers``/``buyers``/``patents`` in ``data`` replace the current sets."""
    require_manager(actor, deal)
    data = dict(data)
    m2m = {name: list(data.pop(name)) for name in M2M_FIELDS if name in data}
    _check(data)
    _check_parties(m2m.get("sellers", deal.sellers.all()), m2m.get("buyers", deal.buyers.all()))
    refuse_exclusive_on_open_licence(deal_type=data.get("deal_type", deal.deal_type),
                                     licence_kind=data.get("licence_kind", deal.licence_kind),
                                     patents=m2m.get("patents", deal.patents.all()))
    changes = model_update(instance=deal, data=data, fields=EDITABLE_FIELDS)
    for name, objs in m2m.items():
        old = sorted(getattr(deal, name).values_list("pk", flat=True))
        if old != _ids(objs):
            getattr(deal, name).set(objs)
            changes[name] = [old, _ids(objs)]
    if changes:
        audit_record(actor=actor, action="update", obj=deal, changes=changes)
    return deal


@transaction.atomic
def deal_transition(*, actor: User | None, deal: Deal, to_stage: str, reason: str = "",
                    amount: Any = None, on: dt.date | None = None) -> Deal:
    """Move a deal one stage on (or to 终止), recording who, when and why.

    Moving to 签约 needs the amount (given here or already on the deal) and at least one party on each side;
    the signed date is ``on`` or today. Moving to 完成 sets the completed date the same way. 终止 needs a reason.
    """
    deal = Deal.objects.select_for_update().get(pk=deal.pk)
    require_manager(actor, deal)
    if to_stage not in DEAL_TRANSITIONS.get(deal.stage, ()):
        label = DealStage(to_stage).label if to_stage in DealStage.values else to_stage
        raise ApplicationError(_("交易阶段不能从“%(a)s”变为“%(b)s”") % {"a": deal.get_stage_display(), "b": label},
                               field="stage", code="invalid_transition")
    reason = (reason or "").strip()
    changes: dict[str, list] = {"stage": [deal.stage, to_stage]}
    if to_stage == DealStage.TERMINATED and not reason:
        raise ApplicationError(_("终止交易必须说明理由"), field="reason")
    if amount is not None and amount != "":
        new_amount = clean_amount(amount)
        if new_amount != deal.amount:
            changes["amount"] = [deal.amount, new_amount]
            deal.amount = new_amount
    if to_stage == DealStage.SIGNED:
        if deal.amount is None:
            raise ApplicationError(_("签约后必须填写交易金额"), field="amount")
        if not deal.sellers.exists():
            raise ApplicationError(_("签约前请登记转让/许可方"), field="sellers")
        if not deal.buyers.exists():
            raise ApplicationError(_("签约前请登记受让/被许可方"), field="buyers")
        refuse_exclusive_on_open_licence(deal_type=deal.deal_type, licence_kind=deal.licence_kind,
                                         patents=deal.patents.all())
        signed = on or deal.signed_date or timezone.localdate()
        if signed != deal.signed_date:
            changes["signed_date"] = [deal.signed_date, signed]
            deal.signed_date = signed
    if to_stage == DealStage.COMPLETED:
        completed = on or deal.completed_date or timezone.localdate()
        if completed != deal.completed_date:
            changes["completed_date"] = [deal.completed_date, completed]
            deal.completed_date = completed
    previous = deal.stage
    deal.stage = to_stage
    validated_save(deal)
    DealStageChange.objects.create(deal=deal, from_stage=previous, to_stage=to_stage,
                                   actor=actor if actor is not None and actor.pk else None, reason=reason)
    audit_record(actor=actor, action="transition", obj=deal, changes=changes, message=reason)
    return deal


def _check_attachment(name: str, upload: UploadedFile) -> None:
    from ipoc.core.attachments import check_upload as check

    check(upload, field=name, suffixes=ATTACHMENT_SUFFIXES, max_bytes=MAX_ATTACHMENT_BYTES)


@transaction.atomic
def deal_attach(*, actor: User | None, deal: Deal, contract_file: UploadedFile | None = None,
                filing_file: UploadedFile | None = None) -> Deal:
    """Attach (or replace) the contract text and the 备案 (registration/filing) documents."""
    require_manager(actor, deal)
    uploads = {"contract_file": contract_file, "filing_file": filing_file}
    uploads = {k: v for k, v in uploads.items() if v is not None}
    if not uploads:
        raise ApplicationError(_("请选择要上传的附件"), field="contract_file")
    changes = {}
    for name, upload in uploads.items():
        _check_attachment(name, upload)
        old = getattr(deal, name).name or ""
        getattr(deal, name).save(upload.name, upload, save=False)
        changes[name] = [old, getattr(deal, name).name]
    validated_save(deal)
    audit_record(actor=actor, action="update", obj=deal, changes=changes)
    return deal
