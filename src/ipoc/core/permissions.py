"""Object-level permissions as a queryset filter (after NetBox's ``restrict``).

Each restricted model declares ``access = AccessRule(...)``: which of its fields
lead to the organisation that owns a row, which rows any signed-in user may
view, which rows an office may view in its area, and so on. ``restrict`` turns
that into a filter for a user and an action; ``require`` refuses with a clear
message. Services call ``require`` before every write; selectors call
``restrict`` before every read, so web pages, the API and the CLI agree.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.core.exceptions import ImproperlyConfigured
from django.db.models import Model, Q, QuerySet
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

if TYPE_CHECKING:
    from ipoc.core.models import Organization, User

VIEW, CHANGE, DELETE = "view", "change", "delete"
ACTION_LABELS = {VIEW: gettext_noop("查看"), CHANGE: gettext_noop("修改"), DELETE: gettext_noop("删除")}


@dataclass(frozen=True)
class AccessRule:
    """Who may see and change rows of a model.

    - ``owner_fields``: paths to the owning ``Organization`` (``"pk"`` when the
      row *is* the organisation); users of that organisation may view and change.
    - ``creator_field``: path to the creating user, who may view and change.
    - ``public_view``: rows every signed-in user may view (``None``: none).
    - ``office_view``: rows an IP office may view inside its area, judged by
      ``region_field`` (a national office sees the whole country).
    - ``assignable``: users may view rows assigned to them (``ObjectAssignment``),
      which is the only way a 评审专家 sees anything not public.
    """

    owner_fields: tuple[str, ...] = ()
    creator_field: str | None = None
    public_view: Q | None = None
    office_view: Q | None = Q()
    region_field: str | None = None
    assignable: bool = True


def _all_if_empty(q: Q) -> Q:
    """An empty ``Q()`` means "every row"; OR-ing an empty Q would add nothing, so make it explicit."""
    return q if q else Q(pk__isnull=False)


def _rule(model: type[Model]) -> AccessRule:
    rule = getattr(model, "access", None)
    if not isinstance(rule, AccessRule):
        raise ImproperlyConfigured(f"{model.__name__} declares no AccessRule")
    return rule


def _assigned_ids(model: type[Model], user: User) -> list:
    from django.contrib.contenttypes.models import ContentType

    from ipoc.core.models import ObjectAssignment

    ct = ContentType.objects.get_for_model(model)
    raw = ObjectAssignment.objects.filter(user=user, content_type=ct).values_list("object_id", flat=True)
    return [model._meta.pk.to_python(v) for v in raw]


def _office_area_q(rule: AccessRule, user: User) -> Q | None:
    """Rows in the area of the user's office; None when the user is not office staff."""
    from ipoc.core.models import OfficeLevel, Role
    from ipoc.core.validators import region_scope_prefix

    org = user.organization
    if user.role != Role.OFFICE_STAFF or org is None or rule.office_view is None:
        return None
    if org.office_level == OfficeLevel.NATIONAL:
        return _all_if_empty(rule.office_view)
    if not rule.region_field or not org.region_code:
        return None
    return rule.office_view & Q(**{f"{rule.region_field}__startswith": region_scope_prefix(org.region_code)})


def restrict(queryset: QuerySet, user: User | None, action: str = VIEW) -> QuerySet:
    """Only the rows of ``queryset`` that ``user`` may ``action``."""
    model = queryset.model
    rule = _rule(model)
    if user is None or not user.is_authenticated:
        return queryset.none()
    if user.is_platform_admin:
        return queryset
    allowed = Q(pk__in=[])
    if user.organization_id:
        for field in rule.owner_fields:
            allowed |= Q(**{field: user.organization_id})
    if rule.creator_field:
        allowed |= Q(**{rule.creator_field: user.pk})
    if action == VIEW:
        if rule.public_view is not None:
            allowed |= _all_if_empty(rule.public_view)
        area = _office_area_q(rule, user)
        if area is not None:
            allowed |= area
        if rule.assignable:
            ids = _assigned_ids(model, user)
            if ids:
                allowed |= Q(pk__in=ids)
    return queryset.filter(allowed).distinct() if _needs_distinct(rule) else queryset.filter(allowed)


def _needs_distinct(rule: AccessRule) -> bool:
    paths = list(rule.owner_fields) + [rule.creator_field or "", rule.region_field or ""]
    return any("__" in p for p in paths)


def can(user: User | None, action: str, obj: Model) -> bool:
    return restrict(type(obj)._default_manager.filter(pk=obj.pk), user, action).exists()


def require(user: User | None, action: str, obj: Model) -> None:
    """Refuse (``PermissionDenied``, HTTP 403) unless ``user`` may ``action`` ``obj``."""
    from ipoc.core.errors import PermissionDenied

    if not can(user, action, obj):
        raise PermissionDenied(
            _("您无权%(action)s此%(what)s：%(obj)s") % {
                "action": _(ACTION_LABELS.get(action, action)),
                "what": obj._meta.verbose_name, "obj": obj},
        )


def require_role(user: User | None, *roles: str) -> None:
    """Refuse unless the user holds one of ``roles`` (platform administrators always pass)."""
    from ipoc.core.errors import PermissionDenied
    from ipoc.core.models import Role

    if user is None or not user.is_authenticated:
        raise PermissionDenied(_("请先登录"), code="not_authenticated", status=401)
    if user.is_platform_admin or user.role in roles:
        return
    names = "、".join(str(Role(r).label) for r in (roles or (Role.PLATFORM_ADMIN,)))
    raise PermissionDenied(_("此操作仅限以下角色：%(roles)s") % {"roles": names})


def acting_center(user: User | None, center: Organization | None, *, field: str = "center",
                  not_own: str, missing: str, not_center: str) -> Organization:
    """The operation center a write is made for (以运营中心名义登记).

    Center staff always act for their own center: naming another one is refused with ``not_own``.
    Administrators and the system (``user`` None) name one; none named is ``missing``, and an organisation
    that is not an operation center is ``not_center`` (formatted with ``%(o)s``, the organisation). Each
    message names ``field``."""
    from ipoc.core.errors import ApplicationError, PermissionDenied
    from ipoc.core.models import OrganizationKind, Role

    if user is not None and user.role == Role.CENTER_STAFF and not user.is_platform_admin:
        if center is not None and center.pk != user.organization_id:
            raise PermissionDenied(not_own, field=field)
        center = user.organization
    if center is None:
        raise ApplicationError(missing, field=field)
    if center.kind != OrganizationKind.OPERATION_CENTER:
        raise ApplicationError(not_center % {"o": center}, field=field)
    return center


def settled_by_role(user: User | None) -> bool | None:
    """What every "who may" rule answers before it looks at the object: the system (``None``) and platform
    administrators may, a user who is not signed in may not; ``None`` means the object decides."""
    if user is None:
        return True
    if not user.is_authenticated:
        return False
    return True if user.is_platform_admin else None
