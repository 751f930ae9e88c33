"""Reads for organisations, the audit log and jobs — already restricted to what the user may see."""

from __future__ import annotations

from django.db.models import Q, QuerySet

from ipoc.core.errors import NotFound, PermissionDenied
from ipoc.core.models import AuditEntry, Job, Notification, Organization, User
from ipoc.core.permissions import VIEW, restrict


def organization_list(*, user: User, q: str = "", kind: str = "", region: str = "",
                      is_sme: bool | None = None) -> QuerySet[Organization]:
    qs = restrict(Organization.objects.all(), user, VIEW)
    if q:
        qs = qs.filter(Q(name__icontains=q) | Q(credit_code__iexact=q))
    if kind:
        qs = qs.filter(kind=kind)
    if region:
        qs = qs.filter(region_code__startswith=region)
    if is_sme is not None:
        qs = qs.filter(is_sme=is_sme)
    return qs.order_by("name")


def organization_get(*, user: User, pk: int, field: str | None = None) -> Organization:
    """An organisation the user may see; ``field``: the input that named it, for the refusal."""
    org = restrict(Organization.objects.all(), user, VIEW).filter(pk=pk).first()
    if org is None:
        raise NotFound(f"组织机构 {pk} 不存在或无权查看", field=field)
    return org


def organization_contacts_visible(*, user: User, organization: Organization) -> bool:
    """联系方式 (contact person, phone, e-mail) are personal data: shown to the organisation's own users, to
    operation-center and IP-office staff (who broker contacts) and to platform administrators; other users are
    pointed to the center."""
    from ipoc.core.models import Role

    if not (user and user.is_authenticated):
        return False
    return (user.is_platform_admin or user.organization_id == organization.pk
            or user.role in (Role.CENTER_STAFF, Role.OFFICE_STAFF))


def audit_list(*, user: User, actor: str = "", model: str = "", object_id: str = "",
               action: str = "") -> QuerySet[AuditEntry]:
    """The audit log is for platform administrators."""
    if not (user and user.is_authenticated and user.is_platform_admin):
        raise PermissionDenied("审计日志仅平台管理员可查看")
    qs = AuditEntry.objects.select_related("content_type")
    if actor:
        qs = qs.filter(actor_name=actor)
    if model:
        qs = qs.filter(content_type__model=model.lower())
    if object_id:
        qs = qs.filter(object_id=object_id)
    if action:
        qs = qs.filter(action=action)
    return qs


def job_get(*, user: User, pk: int) -> Job:
    job = restrict(Job.objects.all(), user, VIEW).filter(pk=pk).first()
    if job is None:
        raise NotFound(f"任务 {pk} 不存在或无权查看")
    return job


def job_list(*, user: User, kind: str = "") -> QuerySet[Job]:
    """Jobs, without the task queue's chunk rows (``queue.chunk``: parts of a job, shown on its page)."""
    qs = restrict(Job.objects.all(), user, VIEW)
    return qs.filter(kind=kind) if kind else qs.exclude(kind="queue.chunk")


def notification_list(*, user: User, unread: bool = False) -> QuerySet[Notification]:
    """A user's own messages, newest first."""
    qs = Notification.objects.filter(recipient=user)
    return qs.filter(read_at=None) if unread else qs


def api_token_list(*, user: User, username: str = "") -> QuerySet:
    """A user's own API tokens; a platform administrator may list anyone's (``username``)."""
    from ipoc.core.models import ApiToken

    qs = ApiToken.objects.select_related("user").order_by("-created_at")
    if user.is_platform_admin:
        return qs.filter(user__username=username) if username else qs
    return qs.filter(user=user)


def api_token_get(*, user: User, pk: int):
    token = api_token_list(user=user).filter(pk=pk).first()
    if token is None:
        raise NotFound(f"令牌 {pk} 不存在或无权查看", field="token_id")
    return token
