"""Writes for 技术需求: create, edit, and move through the status workflow, each audited."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from ipoc.core.errors import ApplicationError
from ipoc.core.models import Organization, OrganizationKind, Role, User
from ipoc.core.permissions import CHANGE, require, require_role
from ipoc.core.services import audit_record, model_update, validated_save
from ipoc.demands.models import (
    DEMAND_TRANSITIONS,
    DealMode,
    Demand,
    DemandKind,
    DemandStatus,
    DemandStatusChange,
)

EDITABLE_FIELDS = ("kind", "title", "description", "industry", "industry_code", "keywords", "modes", "budget_text",
                   "budget_min", "budget_max", "region_code", "deadline", "contact_name", "contact_phone",
                   "contact_email", "center")
MAX_BUDGET_YUAN = Decimal("100000000000")  # 1,000 亿元: anything above is a typo, not a budget


def _check_fields(data: dict[str, Any]) -> None:
    for mode in data.get("modes") or []:
        if mode not in DealMode.values:
            raise ApplicationError(_("未知的合作方式：%(m)s") % {"m": mode}, field="modes")
    for name in ("budget_min", "budget_max"):
        value = data.get(name)
        if value is not None and not (Decimal(0) <= Decimal(value) <= MAX_BUDGET_YUAN):
            raise ApplicationError(_("预算金额超出合理范围（0 至 1000 亿元）：%(v)s") % {"v": value}, field=name)
    lo, hi = data.get("budget_min"), data.get("budget_max")
    if lo is not None and hi is not None and Decimal(lo) > Decimal(hi):
        raise ApplicationError(_("预算下限不能高于上限"), field="budget_min")
    center = data.get("center")
    if center is not None and center.kind != OrganizationKind.OPERATION_CENTER:
        raise ApplicationError(_("受理机构必须是产业知识产权运营中心"), field="center")


def _owner_for(actor: User | None, organization: Organization | None) -> Organization:
    """Enterprise and institution users file for their own organisation; center staff and admins name one."""
    if actor is not None and actor.role in (Role.ENTERPRISE_USER, Role.INSTITUTION_USER):
        if organization is not None and organization.pk != actor.organization_id:
            raise ApplicationError(_("只能为本单位提交需求"), field="organization", status=403,
                                   code="permission_denied")
        return actor.organization
    if organization is None:
        raise ApplicationError(_("请指定需求方"), field="organization")
    return organization


@transaction.atomic
def demand_create(*, actor: User | None, title: str, organization: Organization | None = None,
                  source: str = "manual", source_key: str = "", status: str = DemandStatus.DRAFT,
                  **fields: Any) -> Demand:
    if actor is not None:
        require_role(actor, Role.ENTERPRISE_USER, Role.INSTITUTION_USER, Role.CENTER_STAFF)
    owner = _owner_for(actor, organization)
    unknown = set(fields) - set(EDITABLE_FIELDS)
    if unknown:
        raise ApplicationError(_("未知字段：%(f)s") % {"f": ", ".join(sorted(unknown))}, field=sorted(unknown)[0])
    _check_fields(fields)
    if "kind" not in fields and owner.kind in (OrganizationKind.UNIVERSITY, OrganizationKind.RESEARCH_INSTITUTE):
        fields["kind"] = DemandKind.INSTITUTION
    if actor is not None and actor.role == Role.CENTER_STAFF and not fields.get("center"):
        fields["center"] = actor.organization
    demand = Demand(title=(title or "").strip(), organization=owner, source=source, source_key=source_key,
                    status=status, created_by=actor if actor and actor.pk else None, **fields)
    if status in (DemandStatus.PUBLISHED, DemandStatus.MATCHING):
        demand.published_at = timezone.now()
    validated_save(demand)
    DemandStatusChange.objects.create(demand=demand, from_status="", to_status=status,
                                      actor=demand.created_by, reason=_("创建"))
    audit_record(actor=actor, action="create", obj=demand,
                 changes={"title": [None, demand.title], "organization": [None, str(owner)],
                          "status": [None, status]})
    return demand


@transaction.atomic
def demand_update(*, actor: User | None, demand: Demand, data: dict[str, Any]) -> Demand:
    if actor is not None:
        require(actor, CHANGE, demand)
    _check_fields(data)
    changes = model_update(instance=demand, data=data, fields=EDITABLE_FIELDS)
    if changes:
        audit_record(actor=actor, action="update", obj=demand, changes=changes)
    return demand


# Who may make which move: owners submit and close; the handling center (or an admin) reviews and publishes.
REVIEW_MOVES = {(DemandStatus.PENDING, DemandStatus.PUBLISHED), (DemandStatus.PENDING, DemandStatus.DRAFT),
                (DemandStatus.PUBLISHED, DemandStatus.MATCHING), (DemandStatus.MATCHING, DemandStatus.PUBLISHED)}


@transaction.atomic
def demand_transition(*, actor: User | None, demand: Demand, to_status: str, reason: str = "") -> Demand:
    """Move a demand along 草稿 → 待审核 → 已发布 → 对接中 → 已解决/已关闭, recording who, when and why."""
    demand = Demand.objects.select_for_update().get(pk=demand.pk)
    if actor is not None:
        require(actor, CHANGE, demand)
    allowed = DEMAND_TRANSITIONS.get(demand.status, ())
    if to_status not in allowed:
        raise ApplicationError(
            _("需求状态不能从“%(a)s”变为“%(b)s”") % {"a": demand.get_status_display(),
                                                    "b": DemandStatus(to_status).label if to_status in
                                                    DemandStatus.values else to_status},
            field="status", code="invalid_transition")
    move = (demand.status, to_status)
    if actor is not None and move in REVIEW_MOVES and not actor.is_platform_admin:
        if actor.role != Role.CENTER_STAFF or actor.organization_id != demand.center_id:
            raise ApplicationError(_("只有受理该需求的运营中心可以审核、发布或开始对接"), field="status",
                                   status=403, code="permission_denied")
    if move == (DemandStatus.PENDING, DemandStatus.DRAFT) and not reason:
        raise ApplicationError(_("退回修改必须说明理由"), field="reason")
    previous = demand.status
    demand.status = to_status
    if to_status == DemandStatus.PUBLISHED and demand.published_at is None:
        demand.published_at = timezone.now()
    demand.save(update_fields=["status", "published_at", "updated_at"])
    DemandStatusChange.objects.create(demand=demand, from_status=previous, to_status=to_status,
                                      actor=actor if actor and actor.pk else None, reason=reason)
    audit_record(actor=actor, action="transition", obj=demand, changes={"status": [previous, to_status]},
                 message=reason)
    return demand
