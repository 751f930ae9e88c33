"""本级规则设置: an office's own values of the configurable rules (its overrides of ``rules``)."""

from __future__ import annotations

import math
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from ipoc.centers import rules
from ipoc.centers.models import (
    EvidenceKind,
    HostType,
    RuleOverride,
)
from ipoc.core.errors import ApplicationError, PermissionDenied
from ipoc.core.models import Organization, OrganizationKind, Role, User
from ipoc.core.services import audit_record, validated_save

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
