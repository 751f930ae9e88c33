"""The audit log as a person reads it: who (“系统” for the system), did what (in words), to which record (by its
name, linked to its page), and what changed as “字段标签: 旧值 → 新值” — field labels from the model's verbose
names, values by their choice labels, never a Python dict or an internal key.

Any page that shows audit entries uses ``audit_rows(entries)`` (one page at a time). Apps add what the models
cannot say themselves, once, in ``AppConfig.ready``::

    register_audit_object("demands.demand", url_name="demand_detail")
    register_audit_labels("demands.demand", fields={"step": _("环节")}, values={"modes": DealMode.choices})
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext_lazy as _

from ipoc.core.display import EMPTY, SOURCE_BADGES
from ipoc.core.models import AuditAction

SYSTEM_NAME = _("系统")
VIA_LABELS = {"web": _("网页"), "api": _("接口"), "cli": _("命令行"), "job": _("后台任务"), "system": _("系统")}
ACTION_COLOURS = {AuditAction.CREATE: "green", AuditAction.UPDATE: "blue", AuditAction.DELETE: "red",
                  AuditAction.TRANSITION: "purple", AuditAction.IMPORT: "azure", AuditAction.ASSIGN: "orange",
                  AuditAction.LOGIN: "secondary"}
MAX_TEXT = 80

# Keys services write that are not model fields, by their meaning (any model).
COMMON_FIELDS = {
    "step": _("环节"), "reason": _("理由"), "created": _("新建"), "assigned_to": _("指派给"), "purpose": _("事由"),
    "api_tokens_revoked": _("撤销的令牌数"), "rows": _("读取行数"), "new": _("新增"), "updated": _("更新"),
    "unchanged": _("未变"), "rejected": _("拒绝"), "scored": _("已评分"), "grades": _("评级分布"),
    "chain_node": _("产业链节点"), "expert": _("评审专家"), "user": _("用户"), "event": _("活动"),
    "organization": _("组织机构"), "patent": _("专利"), "institution": _("高校/院所"), "center": _("运营中心"),
    "enterprise": _("企业"), "title": _("标题"), "name": _("名称"), "status": _("状态"), "level": _("层级"),
    "department": _("院系"), "content": _("内容"), "value": _("取值"), "scores": _("评分"), "lines": _("指标"),
    "narrative": _("工作情况说明"), "mode": _("方式"), "amount": _("金额"), "signed_on": _("签约日期"),
    "label": _("版本号"), "tree_version": _("指标体系版本"), "scenario": _("评估场景"), "role": _("角色"),
    "username": _("用户名"), "kind": _("类型"), "revoked": _("已撤销"), "total": _("总分"), "grade": _("评级"),
}
# Keys whose value is one list (not an [old, new] pair).
LIST_KEYS = {"created"}
# Keys whose value is a username (shown as the person's name).
USERNAME_KEYS = {"assigned_to", "expert", "user"}
# Keys that are internal (hashes, ids) and not shown.
HIDDEN_KEYS = {"digest", "password", "key_hash", "prefix"}

_EXT_KEY = re.compile(r"ext:([A-Za-z0-9_]+):[0-9A-Za-z_-]+")


@dataclass
class _ModelDisplay:
    url_name: str = ""
    url_arg: Callable | None = None
    label: Callable | None = None
    fields: dict = field(default_factory=dict)
    values: dict = field(default_factory=dict)
    hidden: set = field(default_factory=set)


_REGISTRY: dict[str, _ModelDisplay] = {}


def _entry(model_label: str) -> _ModelDisplay:
    return _REGISTRY.setdefault(model_label.lower(), _ModelDisplay())


def register_audit_object(model_label: str, *, url_name: str = "", url_arg: Callable | None = None,
                          label: Callable | None = None) -> None:
    """How a record of ``app_label.model`` is named (``label(obj)``) and linked (``url_name`` with the pk,
    or ``url_arg(obj)``) in the audit log."""
    entry = _entry(model_label)
    entry.url_name = url_name or entry.url_name
    entry.url_arg = url_arg or entry.url_arg
    entry.label = label or entry.label


def register_audit_labels(model_label: str, *, fields: dict | None = None, values: dict | None = None,
                          hidden: Iterable[str] = ()) -> None:
    """Labels for change keys that are not fields of the model, value labels for fields without choices
    (``values={"modes": DealMode.choices}``), and keys never shown."""
    entry = _entry(model_label)
    entry.fields.update(fields or {})
    for key, choices in (values or {}).items():
        if callable(choices):
            entry.values[key] = choices  # value -> label
        else:
            entry.values[key] = {str(k): v for k, v in (choices.items() if isinstance(choices, dict) else choices)}
    entry.hidden.update(hidden)


register_audit_object("core.organization", url_name="organization_detail")


def clean_text(text: str) -> str:
    """A text with internal patent keys (``ext:<source>:<id>``) replaced by the source's name."""
    def repl(match):
        return str(SOURCE_BADGES.get(match.group(1), _("无公开号专利")))
    return _EXT_KEY.sub(repl, text or "")


def _short(text: str) -> str:
    text = clean_text(str(text)).strip()
    return text if len(text) <= MAX_TEXT else text[: MAX_TEXT - 1] + "…"


def _model_field(model, key: str):
    if model is None:
        return None
    try:
        return model._meta.get_field(key)
    except FieldDoesNotExist:
        if key.endswith("_id"):
            return _model_field(model, key[:-3])
        return None


def field_label(model, key: str) -> str:
    entry = _REGISTRY.get(model._meta.label_lower) if model is not None else None
    if entry and key in entry.fields:
        return str(entry.fields[key])
    f = _model_field(model, key)
    if f is not None and getattr(f, "verbose_name", None) and str(f.verbose_name) != f.name.replace("_", " "):
        return str(f.verbose_name)
    if key in COMMON_FIELDS:
        return str(COMMON_FIELDS[key])
    return str(_("其他"))


def _lookup_related(f, value):
    """An id written for a foreign key, named by the record it points to (if it still exists)."""
    related = f.related_model
    try:
        obj = related._default_manager.filter(pk=value).first()
    except (ValueError, TypeError):
        return None
    return object_label(obj) if obj is not None else None


def _user_label(username: str) -> str | None:
    from ipoc.core.models import User

    user = User.objects.filter(username=username).first()
    return str(user) if user is not None else None


def value_label(model, key: str, value) -> str:
    """One value as a person reads it."""
    if value is None or value == "" or value == [] or value == {}:
        return EMPTY
    if isinstance(value, bool):
        return str(_("是") if value else _("否"))
    entry = _REGISTRY.get(model._meta.label_lower) if model is not None else None
    if entry and callable(entry.values.get(key)):
        return _short(entry.values[key](value))
    choices = dict(entry.values.get(key, {})) if entry else {}
    f = _model_field(model, key)
    if not choices and f is not None and getattr(f, "choices", None):
        choices = {str(k): v for k, v in f.flatchoices}
    if isinstance(value, list):
        return "、".join(value_label(model, key, v) for v in value[:20]) + ("…" if len(value) > 20 else "")
    if isinstance(value, dict):
        return str(_("（%(n)s 项）") % {"n": len(value)})
    if choices and str(value) in choices:
        return str(choices[str(value)])
    if f is not None and f.is_relation and isinstance(value, int):
        named = _lookup_related(f, value)
        if named:
            return named
    if isinstance(value, str) and (key in USERNAME_KEYS or (
            f is not None and f.is_relation and f.related_model is not None
            and f.related_model._meta.label_lower == "core.user")):
        named = _user_label(value)  # services write a user as the username: shown by the person's name
        if named:
            return named
    if isinstance(value, float):
        return f"{value:,.4f}".rstrip("0").rstrip(".")
    return _short(value)


def change_lines(model, changes) -> list[dict]:
    """``{field: [old, new]}`` (or ``{key: value}``) as lines ``{label, old, new}`` / ``{label, value}``."""
    if not isinstance(changes, dict):
        return [{"label": str(_("变更内容")), "value": _short(changes)}] if changes else []
    entry = _REGISTRY.get(model._meta.label_lower) if model is not None else None
    hidden = HIDDEN_KEYS | (entry.hidden if entry else set())
    lines = []
    for key, raw in changes.items():
        if key in hidden:
            continue
        label = field_label(model, key)
        if isinstance(raw, list | tuple) and len(raw) == 2 and key not in LIST_KEYS:
            old, new = raw
            if old is None or old == "":
                if new is None or new == "" or new == [] or new == {}:
                    continue  # a field left empty when the record was made says nothing
                lines.append({"label": label, "value": value_label(model, key, new)})
            else:
                lines.append({"label": label, "old": value_label(model, key, old),
                              "new": value_label(model, key, new)})
        else:
            lines.append({"label": label, "value": value_label(model, key, raw)})
    return lines


def object_label(obj) -> str:
    entry = _REGISTRY.get(obj._meta.label_lower)
    if entry and entry.label:
        return clean_text(str(entry.label(obj)))
    return _short(str(obj))


def object_url(obj) -> str:
    entry = _REGISTRY.get(obj._meta.label_lower)
    if not entry or not entry.url_name:
        return ""
    try:
        return reverse(entry.url_name, args=[entry.url_arg(obj) if entry.url_arg else obj.pk])
    except NoReverseMatch:
        return ""


def actor_label(entry) -> str:
    if entry.actor is not None:
        return str(entry.actor)
    if not entry.actor_name or entry.actor_name == "system":
        return str(SYSTEM_NAME)
    return entry.actor_name


def audit_rows(entries: Iterable) -> list[dict]:
    """Entries (one page) ready to show. Records still present are named afresh and linked; one query per
    model on the page."""
    entries = list(entries)
    wanted: dict[int, set] = {}
    for e in entries:
        if e.content_type_id and e.object_id:
            wanted.setdefault(e.content_type_id, set()).add(e.object_id)
    live: dict[tuple[int, str], models.Model] = {}
    models_by_ct = {}
    for e in entries:
        if e.content_type_id and e.content_type_id not in models_by_ct:
            models_by_ct[e.content_type_id] = e.content_type.model_class()
    for ct_id, ids in wanted.items():
        model = models_by_ct.get(ct_id)
        if model is None:
            continue
        pk_field = model._meta.pk
        try:
            keys = [pk_field.to_python(i) for i in ids]
        except Exception:
            continue
        for obj in model._default_manager.filter(pk__in=keys):
            live[(ct_id, str(obj.pk))] = obj
    rows = []
    for e in entries:
        model = models_by_ct.get(e.content_type_id)
        obj = live.get((e.content_type_id, e.object_id))
        rows.append({
            "id": e.pk, "at": e.at, "actor": actor_label(e), "via": str(VIA_LABELS.get(e.via, _("其他渠道"))),
            "via_code": e.via,
            "action": e.get_action_display(), "action_code": e.action,
            "action_colour": ACTION_COLOURS.get(e.action, "secondary"),
            "object_type": str(model._meta.verbose_name) if model is not None else "",
            "object_label": object_label(obj) if obj is not None else _short(e.object_repr),
            "object_url": object_url(obj) if obj is not None else "",
            "object_exists": obj is not None,
            "changes": change_lines(model, e.changes),
            "message": clean_text(e.message),
        })
    return rows
