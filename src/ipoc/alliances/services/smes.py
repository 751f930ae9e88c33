"""大手拉小手: services a large member of a consortium gives to SMEs (licence, supply, technical help, training)."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils.translation import gettext as _

from ipoc.alliances import rules
from ipoc.alliances.models import (
    Consortium,
    ServiceKind,
    SmeService,
)
from ipoc.alliances.services.consortia import (
    _actor,
    _choice,
    _not_future,
    _text,
    active_member,
    require_manager,
)
from ipoc.core.errors import ApplicationError
from ipoc.core.models import Organization, OrganizationKind, User
from ipoc.core.services import audit_record, validated_save

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
