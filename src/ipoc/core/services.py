"""Writes for organisations, users, assignments, tokens — and the audit log
that every service in every app writes through, in the same transaction."""

from __future__ import annotations

import datetime as dt
import decimal
import hashlib
import secrets
import uuid
from collections.abc import Iterable
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from ipoc.core.context import current_channel
from ipoc.core.errors import ApplicationError, PermissionDenied
from ipoc.core.models import (
    ApiToken,
    AuditAction,
    AuditEntry,
    ObjectAssignment,
    Organization,
    OrganizationKind,
    Role,
    User,
)
from ipoc.core.permissions import CHANGE, require, require_role
from ipoc.core.validators import normalise_name

# ---------------------------------------------------------------- audit


def _jsonable(value: Any) -> Any:
    if isinstance(value, models.Model):
        return str(value)
    if isinstance(value, dt.date | dt.datetime | uuid.UUID | decimal.Decimal):
        return str(value)
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    return value


def audit_record(*, actor: User | None, action: str, obj: models.Model | None = None,
                 changes: dict | None = None, message: str = "") -> AuditEntry:
    """Write one audit entry. Call it inside the service's transaction."""
    return AuditEntry.objects.create(
        actor=actor if actor is not None and actor.pk else None,
        actor_name=(actor.username if actor is not None and actor.pk else "system"),
        via=current_channel(),
        action=action,
        content_type=ContentType.objects.get_for_model(obj) if obj is not None else None,
        object_id=str(obj.pk) if obj is not None else "",
        object_repr=str(obj)[:300] if obj is not None else "",
        changes=_jsonable(changes or {}),
        message=message,
    )


def raise_validation(exc: ValidationError) -> None:
    """Turn Django's ValidationError into the one ApplicationError, keeping the first field."""
    if hasattr(exc, "error_dict"):
        field, errors = next(iter(exc.error_dict.items()))
        message = "；".join(str(m) for e in errors for m in e.messages)
        raise ApplicationError(message, field=None if field == "__all__" else field,
                               extra={"errors": {k: [m for e in v for m in e.messages]
                                                 for k, v in exc.error_dict.items()}}) from exc
    raise ApplicationError("；".join(exc.messages)) from exc


def validated_save(instance: models.Model, **clean_kwargs) -> None:
    try:
        instance.full_clean(**clean_kwargs)
    except ValidationError as exc:
        raise_validation(exc)
    instance.save()


def model_update(*, instance: models.Model, data: dict[str, Any], fields: Iterable[str]) -> dict[str, list]:
    """Apply ``data`` restricted to ``fields``; validate and save. Returns {field: [old, new]} of real changes."""
    changes: dict[str, list] = {}
    allowed = set(fields)
    for name, value in data.items():
        if name not in allowed:
            raise ApplicationError(_("字段“%(f)s”不可修改") % {"f": name}, field=name)
        old = getattr(instance, name)
        if old != value:
            changes[name] = [old, value]
            setattr(instance, name, value)
    if changes:
        validated_save(instance)
    return changes


# ---------------------------------------------------------------- organisations

ORGANIZATION_EDITABLE_FIELDS = (
    "name", "kind", "office_level", "is_sme", "region_code", "credit_code", "address", "website",
    "contact_name", "contact_phone", "contact_email", "profile",
)


# Authority: what an organisation *is* decides what its users may see and decide (an office's level and area,
# where a center's application is routed). Only platform administrators (or the system) change these.
AUTHORITY_FIELDS = ("kind", "office_level", "region_code")


def _normalised(name: str, value: Any) -> Any:
    return (value or "") if name in ("office_level", "region_code", "name", "kind") else value


def authority_fields(organization: Organization | None, data: dict[str, Any]) -> list[str]:
    """The authority fields ``data`` would set or change on ``organization`` (None: a new organisation):
    kind, office level and region code, and an office's name."""
    kind = data.get("kind") or (organization.kind if organization is not None else "")
    is_office = kind == OrganizationKind.IP_OFFICE or (
        organization is not None and organization.kind == OrganizationKind.IP_OFFICE)
    names = [*AUTHORITY_FIELDS, "name"] if is_office else list(AUTHORITY_FIELDS)
    touched = []
    for name in names:
        if name not in data:
            continue
        old = _normalised(name, getattr(organization, name) if organization is not None else "")
        if _normalised(name, data[name]) != old:
            touched.append(name)
    return touched


def _refuse_authority(field: str) -> None:
    label = Organization._meta.get_field(field).verbose_name
    raise PermissionDenied(_("“%(label)s”决定组织机构的权限，只有平台管理员可以设置或修改") % {"label": label},
                           field=field, code="authority_field")


def _office_area_allows(actor: User, region_code: str) -> bool:
    from ipoc.core.models import OfficeLevel
    from ipoc.core.validators import region_scope_prefix

    office = actor.organization
    if office is None or not office.region_code:
        return False
    return office.office_level == OfficeLevel.NATIONAL or region_code.startswith(
        region_scope_prefix(office.region_code))


@transaction.atomic
def organization_create(*, actor: User | None, name: str, kind: str, source: str = "manual",
                        **fields: Any) -> Organization:
    """Register an organisation (组织机构). Platform administrators (and the CLI/system, actor None) may register
    any; office staff may register organisations other than IP offices, inside their own office's area."""
    if actor is not None:
        require_role(actor, Role.OFFICE_STAFF)
    unknown = set(fields) - set(ORGANIZATION_EDITABLE_FIELDS)
    if unknown:
        raise ApplicationError(_("未知字段：%(f)s") % {"f": ", ".join(sorted(unknown))}, field=sorted(unknown)[0])
    if actor is not None and not actor.is_platform_admin:
        if kind == OrganizationKind.IP_OFFICE:
            _refuse_authority("kind")
        if fields.get("office_level"):
            _refuse_authority("office_level")
        region = fields.get("region_code") or ""
        if region and not _office_area_allows(actor, region):
            raise PermissionDenied(_("只能登记本管理部门辖区内的组织机构（行政区划代码 %(code)s 不在辖区内）；"
                                     "辖区外的请由其所在地的管理部门或平台管理员登记")
                                   % {"code": region}, field="region_code", code="authority_field")
    org = Organization(name=normalise_name(name), kind=kind, source=source, **fields)
    validated_save(org)
    audit_record(actor=actor, action=AuditAction.CREATE, obj=org,
                 changes={k: [None, getattr(org, k)] for k in ("name", "kind", *fields)})
    return org


def _check_kind_fits_users(organization: Organization, kind: str) -> None:
    from ipoc.core.models import ROLE_ORGANIZATION_KINDS

    for role in organization.users.values_list("role", flat=True).distinct():
        kinds = ROLE_ORGANIZATION_KINDS.get(role)
        if kinds is not None and kind not in kinds:
            raise ApplicationError(_("该组织机构有角色为“%(role)s”的用户，不能改为“%(kind)s”类型")
                                   % {"role": Role(role).label, "kind": OrganizationKind(kind).label
                                      if kind in OrganizationKind.values else kind}, field="kind")


@transaction.atomic
def organization_update(*, actor: User | None, organization: Organization, data: dict[str, Any]) -> Organization:
    """Change an organisation's record; only its own users (or administrators) may. The authority fields
    (kind, office level, region code, an office's name) only platform administrators may change; such a
    change is audited with its own message."""
    if actor is not None:
        require(actor, CHANGE, organization)
    if "name" in data:
        data = {**data, "name": normalise_name(data["name"])}
    authority = authority_fields(organization, data)
    if authority and actor is not None and not actor.is_platform_admin:
        _refuse_authority(authority[0])
    if "kind" in authority:
        _check_kind_fits_users(organization, data["kind"])
    changes = model_update(instance=organization, data=data, fields=ORGANIZATION_EDITABLE_FIELDS)
    if changes:
        message = _("平台管理员变更权限字段：%(f)s") % {"f": "、".join(authority)} if authority else ""
        audit_record(actor=actor, action=AuditAction.UPDATE, obj=organization, changes=changes, message=message)
    return organization


def organization_kind_from_name(name: str) -> str:
    """Guess an organisation's kind from its Chinese name (for records derived from patent applicants)."""
    if "大学" in name:
        return OrganizationKind.UNIVERSITY
    if any(k in name for k in ("研究院", "研究所", "科学院", "研究中心", "实验室")):
        return OrganizationKind.RESEARCH_INSTITUTE
    if "学院" in name or "学校" in name:
        return OrganizationKind.UNIVERSITY
    if name.endswith(("政府", "人民政府", "管委会", "管理委员会")):
        return OrganizationKind.GOVERNMENT
    if "协会" in name or "学会" in name:
        return OrganizationKind.INDUSTRY_ASSOCIATION
    if "园区" in name or "开发区" in name or "高新区" in name:
        return OrganizationKind.INDUSTRIAL_PARK
    return OrganizationKind.ENTERPRISE


@transaction.atomic
def organizations_ensure(*, actor: User | None, names: Iterable[str], source: str,
                         kind: str | None = None) -> dict[str, Organization]:
    """Get or create organisations by exact name in bulk (idempotent); returns name → organisation.
    New ones get their kind from ``kind`` or from the name; one audit entry summarises the batch."""
    wanted = {n.strip() for n in names if n and n.strip()}
    existing = {o.name: o for o in Organization.objects.filter(name__in=wanted)}
    new = [Organization(name=n, kind=kind or organization_kind_from_name(n), source=source)
           for n in sorted(wanted - existing.keys())]
    if new:
        Organization.objects.bulk_create(new, ignore_conflicts=True)
        existing = {o.name: o for o in Organization.objects.filter(name__in=wanted)}
        audit_record(actor=actor, action=AuditAction.IMPORT, message=_("批量建立组织机构 %(n)d 个（来源：%(s)s）")
                     % {"n": len(new), "s": source}, changes={"created": [o.name for o in new[:50]]})
    return existing


def organization_ids_ensure(*, actor: User | None, names: Iterable[str], source: str) -> dict[str, int]:
    """Like ``organizations_ensure`` but returns name → id without building model objects (import hot path)."""
    wanted = {n.strip() for n in names if n and n.strip()}
    existing = dict(Organization.objects.filter(name__in=wanted).values_list("name", "id"))
    if len(existing) < len(wanted):
        organizations_ensure(actor=actor, names=wanted - existing.keys(), source=source)
        existing = dict(Organization.objects.filter(name__in=wanted).values_list("name", "id"))
    return existing


# ---------------------------------------------------------------- users


@transaction.atomic
def user_create(*, actor: User | None, username: str, password: str, role: str,
                organization: Organization | None = None, display_name: str = "", email: str = "",
                is_superuser: bool = False) -> User:
    if actor is not None:
        require_role(actor)  # platform administrators only
    if User.objects.filter(username=username).exists():
        raise ApplicationError(_("用户名“%(u)s”已存在") % {"u": username}, field="username")
    user = User(username=username, role=role, organization=organization, display_name=display_name,
                email=email, is_superuser=is_superuser, is_staff=is_superuser or role == Role.PLATFORM_ADMIN)
    user.set_password(password)
    validated_save(user)
    audit_record(actor=actor, action=AuditAction.CREATE, obj=user,
                 changes={"username": [None, username], "role": [None, role],
                          "organization": [None, str(organization) if organization else None]})
    return user


# ---------------------------------------------------------------- assignments


@transaction.atomic
def assignment_create(*, actor: User | None, user: User, obj: models.Model, purpose: str = "") -> ObjectAssignment:
    """Assign an object to a user (e.g. an application to a 评审专家)."""
    if actor is not None:
        require_role(actor, Role.OFFICE_STAFF)
    assignment, _created = ObjectAssignment.objects.get_or_create(
        user=user, content_type=ContentType.objects.get_for_model(obj), object_id=str(obj.pk), purpose=purpose,
        defaults={"assigned_by": actor if actor and actor.pk else None})
    audit_record(actor=actor, action=AuditAction.ASSIGN, obj=obj,
                 changes={"assigned_to": [None, user.username], "purpose": [None, purpose]})
    return assignment


# ---------------------------------------------------------------- API tokens


def _hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


TOKEN_TOUCH_INTERVAL = dt.timedelta(minutes=1)  # last_used_at is written at most once a minute


@transaction.atomic
def api_token_create(*, actor: User | None, user: User, name: str,
                     expires_at: dt.datetime | None = None) -> tuple[ApiToken, str]:
    """Create a token; the plain token is returned once and never stored (only its SHA-256)."""
    if actor is not None and actor.pk != user.pk:
        require_role(actor)
    if expires_at is not None and expires_at <= timezone.now():
        raise ApplicationError(_("有效期必须晚于当前时间"), field="expires_at")
    plain = "ipoc_" + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(user=user, name=(name or "token")[:100], prefix=plain[:12],
                                    key_hash=_hash_token(plain), expires_at=expires_at)
    audit_record(actor=actor or user, action=AuditAction.CREATE, obj=token, changes={"name": [None, token.name]})
    return token, plain


@transaction.atomic
def api_token_revoke(*, actor: User | None, token: ApiToken, reason: str = "") -> ApiToken:
    """Revoke a token: its owner, a platform administrator, or the operator on the command line (actor None)."""
    if actor is not None and actor.pk != token.user_id and not actor.is_platform_admin:
        raise PermissionDenied(_("只能吊销自己的令牌"), field="token")
    if not token.revoked:
        token.revoked = True
        token.save(update_fields=["revoked"])
        audit_record(actor=actor, action=AuditAction.UPDATE, obj=token, changes={"revoked": [False, True]},
                     message=reason)
    return token


def api_tokens_revoke_all(*, user: User, reason: str) -> int:
    """Revoke every live token of ``user`` (password changed, account deactivated)."""
    count = ApiToken.objects.filter(user=user, revoked=False).update(revoked=True)
    if count:
        audit_record(actor=None, action=AuditAction.UPDATE, obj=user, changes={"api_tokens_revoked": [0, count]},
                     message=reason)
    return count


def api_token_authenticate(plain: str) -> User | None:
    token = (ApiToken.objects.select_related("user", "user__organization")
             .filter(key_hash=_hash_token(plain), revoked=False, user__is_active=True).first())
    if token is None:
        return None
    now = timezone.now()
    if token.expires_at is not None and token.expires_at <= now:
        return None
    if token.last_used_at is None or now - token.last_used_at >= TOKEN_TOUCH_INTERVAL:
        # One write a minute at most: a write per request serialised every API call on SQLite's write lock.
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token.user


# ---------------------------------------------------------------- notifications


def notify(*, users: Iterable[User], title: str, body: str = "", url: str = "", kind: str = "") -> int:
    """Send an in-app message to each user (once), and an e-mail where ``IPOC_EMAIL`` is enabled."""
    from django.conf import settings
    from django.core.mail import send_mail

    from ipoc.core.models import Notification

    recipients = {u.pk: u for u in users if u is not None and u.is_active}
    emailed = bool(getattr(settings, "IPOC_EMAIL", False))
    Notification.objects.bulk_create([Notification(recipient=u, title=title[:300], body=body, url=url, kind=kind,
                                                   emailed=emailed and bool(u.email))
                                      for u in recipients.values()])
    if emailed:
        for u in recipients.values():
            if u.email:
                send_mail(title, f"{body}\n\n{url}", None, [u.email], fail_silently=True)
    return len(recipients)


def notification_mark_read(*, user: User, ids: Iterable[int]) -> int:
    from ipoc.core.models import Notification

    return Notification.objects.filter(recipient=user, pk__in=list(ids), read_at=None).update(read_at=timezone.now())
