"""Pushes of screened stock patents to enterprises, their responses, and the deals they lead to."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from ipoc.core.errors import ApplicationError
from ipoc.core.models import AuditAction, Organization, OrganizationKind, Role, User
from ipoc.core.services import audit_record, validated_save
from ipoc.revitalization.models import (
    PROMOTABLE,
    DealMode,
    Library,
    Response,
    StockDeal,
    StockPatent,
    StockPush,
    StockPushResponse,
)
from ipoc.revitalization.services.access import _deny, _system_or_admin, serves

# ---------------------------------------------------------------- pushes, responses, deals


def _require_pusher(actor: User | None, stock: StockPatent) -> None:
    if not (_system_or_admin(actor) or serves(actor, stock.institution)):
        _deny(_("只有为该单位服务的运营中心工作人员可以推送"))


@transaction.atomic
def push_create(*, actor: User | None, stock: StockPatent, enterprise: Organization, note: str = "",
                match: dict | None = None) -> StockPush:
    """Push a 重点推广/一般推广 patent of the 专利转化资源库 to an enterprise, with why it was chosen."""
    _require_pusher(actor, stock)
    if stock.library != Library.RESOURCE or stock.recommendation not in PROMOTABLE:
        raise ApplicationError(_("只能推送专利转化资源库中建议重点推广或一般推广的专利"), field="stock",
                               code="invalid_transition")
    if enterprise.kind != OrganizationKind.ENTERPRISE:
        raise ApplicationError(_("推送对象须为企业：%(o)s") % {"o": enterprise.name}, field="enterprise")
    if StockPush.objects.filter(stock=stock, enterprise=enterprise).exists():
        raise ApplicationError(_("已向该企业推送过此专利"), field="enterprise")
    if match is None:
        from ipoc.revitalization.matching import find_enterprises

        found = [c for c in find_enterprises(user=actor, stock=stock, limit=50) if c["organization_id"] == enterprise.pk]
        match = found[0] if found else {"reason": _("人工指定")}
    center = actor.organization if actor is not None and actor.role == Role.CENTER_STAFF else None
    push = StockPush(stock=stock, enterprise=enterprise, center=center, note=note, match=match,
                     pushed_by=actor if actor is not None and actor.pk else None)
    validated_save(push)
    audit_record(actor=actor, action=AuditAction.CREATE, obj=push,
                 changes={"enterprise": [None, enterprise.name], "reason": [None, match.get("reason", "")]})
    return push


def _require_push_party(actor: User | None, push: StockPush, *, enterprise_may: bool) -> None:
    if _system_or_admin(actor) or serves(actor, push.stock.institution):
        return
    if actor.role == Role.CENTER_STAFF and push.center_id and actor.organization_id == push.center_id:
        return
    if enterprise_may and actor.role == Role.ENTERPRISE_USER and actor.organization_id == push.enterprise_id:
        return
    _deny(_("只有推送的运营中心%(e)s可以记录") % {"e": _("或被推送企业") if enterprise_may else ""})


@transaction.atomic
def push_respond(*, actor: User | None, push: StockPush, response: str, note: str = "") -> StockPush:
    """Record the enterprise's response: 感兴趣 / 洽谈 / 成交 / 不感兴趣."""
    push = StockPush.objects.select_for_update().select_related("stock__institution").get(pk=push.pk)
    _require_push_party(actor, push, enterprise_may=True)
    if response not in Response.values:
        raise ApplicationError(_("未知的反馈：%(v)s（可选：感兴趣、洽谈、成交、不感兴趣）") % {"v": response},
                               field="response")
    if response == Response.DEAL and not push.deals.exists():
        raise ApplicationError(_("成交请登记成交信息（转化方式、签约日期）"), field="response")
    _respond(actor, push, response, note)
    return push


def _respond(actor: User | None, push: StockPush, response: str, note: str) -> None:
    previous = push.response
    StockPushResponse.objects.create(push=push, response=response, note=note,
                                     actor=actor if actor is not None and actor.pk else None)
    push.response, push.responded_at = response, timezone.now()
    push.save(update_fields=["response", "responded_at"])
    audit_record(actor=actor, action=AuditAction.UPDATE, obj=push, changes={"response": [previous, response]},
                 message=note)


@transaction.atomic
def deal_record(*, actor: User | None, push: StockPush, mode: str, signed_on: dt.date,
                amount: Decimal | None = None, note: str = "") -> StockDeal:
    """A deal that followed a push: the stock patent is converted (the push's response becomes 成交)."""
    push = StockPush.objects.select_for_update().select_related("stock__institution").get(pk=push.pk)
    _require_push_party(actor, push, enterprise_may=False)
    if mode not in DealMode.values:
        raise ApplicationError(_("未知的转化方式：%(v)s") % {"v": mode}, field="mode")
    deal = StockDeal(push=push, mode=mode, signed_on=signed_on, amount=amount, note=note,
                     recorded_by=actor if actor is not None and actor.pk else None)
    validated_save(deal)
    audit_record(actor=actor, action=AuditAction.CREATE, obj=deal,
                 changes={"mode": [None, mode], "amount": [None, amount], "signed_on": [None, signed_on]})
    if push.response != Response.DEAL:
        _respond(actor, push, Response.DEAL, note or _("签约成交"))
    return deal
