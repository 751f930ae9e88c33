"""The litigation / 337 watch list (诉讼/337 监控名单) kept by a center."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.urls import reverse
from django.utils.translation import gettext as _

from ipoc.core.errors import ApplicationError, PermissionDenied
from ipoc.core.models import Organization, OrganizationKind, Role, User
from ipoc.core.services import audit_record, notify, validated_save
from ipoc.risk import engine, selectors
from ipoc.risk.models import (
    AlertKind,
    CheckStatus,
    LitigationCase,
    RiskAlert,
    RiskCheck,
)
from ipoc.risk.services.watch import _reopen

# ---------------------------------------------------------------- litigation / 337 watch list


LITIGATION_FIELDS = ("kind", "case_number", "parties", "products", "patents", "status", "filed_date", "note")


def _require_center_staff(actor: User | None) -> Organization | None:
    if actor is None:
        return None
    if not actor.is_authenticated or not (actor.is_platform_admin or actor.role == Role.CENTER_STAFF):
        raise PermissionDenied(_("诉讼/337 监控名单由运营中心维护"))
    return actor.organization


@transaction.atomic
def litigation_case_create(*, actor: User | None, center: Organization | None = None, **data: Any) -> LitigationCase:
    """Add a case to the watch list; finished checks whose product class it names are re-opened."""
    own = _require_center_staff(actor)
    center = own or center
    if center is None or center.kind != OrganizationKind.OPERATION_CENTER:
        raise ApplicationError(_("请指定维护名单的运营中心"), field="center")
    unknown = set(data) - set(LITIGATION_FIELDS)
    if unknown:
        raise ApplicationError(_("未知字段：%(f)s") % {"f": ", ".join(sorted(unknown))}, field=sorted(unknown)[0])
    case = LitigationCase(center=center, **data)
    validated_save(case)
    audit_record(actor=actor, action="create", obj=case, changes={"case_number": [None, case.case_number]})
    _watch_case(case)
    return case


@transaction.atomic
def litigation_case_update(*, actor: User | None, case: LitigationCase, data: dict) -> LitigationCase:
    own = _require_center_staff(actor)
    if actor is not None and not actor.is_platform_admin and own is not None and own.pk != case.center_id:
        raise PermissionDenied(_("只能修改本运营中心维护的案件"))
    changes = {}
    for name in LITIGATION_FIELDS:
        if name in data and getattr(case, name) != data[name]:
            changes[name] = [getattr(case, name), data[name]]
            setattr(case, name, data[name])
    validated_save(case)
    if changes:
        audit_record(actor=actor, action="update", obj=case, changes=changes)
    return case


def _watch_case(case: LitigationCase) -> int:
    products = engine.words(case.products)
    if not products:
        return 0
    n = 0
    for check in RiskCheck.objects.filter(status=CheckStatus.FINISHED).select_related("requester", "center"):
        mine = engine.words(" ".join([check.product_name, *check.components]))
        if mine & products:
            _reopen(check, AlertKind.LITIGATION, _("诉讼/337 监控名单新增案件 %(c)s，涉案产品“%(p)s”与本产品同类") % {
                "c": case.case_number, "p": case.products[:80]})
            n += 1
    return n


@transaction.atomic
def exposure_alert(*, actor: User | None, patent_id: int, message: str = "") -> RiskAlert:
    """The center warns every member whose check hit the patent (行业风险提示)."""
    org = _require_center_staff(actor)
    rows = selectors.patent_rows([patent_id])
    if patent_id not in rows:
        raise ApplicationError(_("专利不存在"), field="patent")
    checks = RiskCheck.objects.filter(candidates__patent_id=patent_id, candidates__removed=False)
    if org is not None:
        checks = checks.filter(center=org)
    checks = list(checks.select_related("requester").distinct())
    if not checks:
        raise ApplicationError(_("本中心承办的排查中没有命中该专利的"), field="patent")
    text = (message or "").strip() or _("多家会员单位的出口风险排查命中专利 %(n)s，运营中心建议联合应对（共同许可、联合无效或维权援助）") % {
        "n": rows[patent_id]["number"]}
    alert = RiskAlert.objects.create(center=org or checks[0].center, kind=AlertKind.EXPOSURE, patent_id=patent_id,
                                     message=text[:2000])
    users: list[User] = []
    for c in checks:
        users += list(c.requester.users.all())
    notify(users=users, title=_("行业知识产权风险提示"), body=text, url=reverse("risk_alert_list"), kind="risk")
    audit_record(actor=actor, action="create", obj=alert, changes={"patent": [None, rows[patent_id]["number"]]})
    return alert
