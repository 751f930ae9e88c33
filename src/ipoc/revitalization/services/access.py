"""存量专利盘活: who may do what, service links between centers and institutions, and reviewers."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from ipoc.core.display import patent_label
from ipoc.core.errors import ApplicationError, PermissionDenied
from ipoc.core.models import AuditAction, Organization, OrganizationKind, Role, User
from ipoc.core.services import audit_record
from ipoc.revitalization.models import (
    Intention,
    ReviewLevel,
    ServiceLink,
    ServiceRequest,
    ServiceRequestStatus,
    StockMove,
    StockPatent,
    StockReviewer,
)

INSTITUTION_KINDS = (OrganizationKind.UNIVERSITY, OrganizationKind.RESEARCH_INSTITUTE)
EDITABLE_FIELDS = ("title", "inventors", "department", "intentions", "implemented", "self_rating",
                   "contact_name", "contact_phone", "contact_email")

# How a stock patent came in (``StockPatent.source``), as a person reads it.
SOURCE_LABELS = {"manual": gettext_lazy("逐件建档"), "import": gettext_lazy("批量导入"),
                 "select": gettext_lazy("从专利库选择")}

# ---------------------------------------------------------------- who may


def _system_or_admin(actor: User | None) -> bool:
    return actor is None or actor.is_platform_admin


def is_member(actor: User | None, institution: Organization) -> bool:
    return (actor is not None and actor.role == Role.INSTITUTION_USER
            and actor.organization_id == institution.pk)


def serves(actor: User | None, institution: Organization) -> bool:
    return (actor is not None and actor.role == Role.CENTER_STAFF and actor.organization_id is not None
            and ServiceLink.objects.filter(center=actor.organization_id, institution=institution).exists())


def is_reviewer(actor: User | None, institution: Organization, level: str, department: str = "") -> bool:
    if not is_member(actor, institution):
        return False
    qs = StockReviewer.objects.filter(institution=institution, user=actor, level=level)
    if level == ReviewLevel.DEPARTMENT:
        qs = qs.filter(department__in=("", department))
    return qs.exists()


def patent_name(patent) -> str:
    """What a person calls the patent: its number, else its title (never the store's internal key)."""
    return patent_label(patent)[0]


def _deny(message: str) -> None:
    raise PermissionDenied(message)


def _require_member(actor: User | None, institution: Organization) -> None:
    if not (_system_or_admin(actor) or is_member(actor, institution)):
        _deny(_("只有本单位（%(org)s）的高校/院所用户可以建档或提交") % {"org": institution.name})


def _check_institution(institution: Organization) -> None:
    if institution.kind not in INSTITUTION_KINDS:
        raise ApplicationError(_("存量专利盘活的主体须为高校或科研院所：%(org)s") % {"org": institution.name},
                               field="institution")


def _move(stock: StockPatent, kind: str, from_value: str, to_value: str, actor: User | None, reason: str) -> None:
    StockMove.objects.create(stock=stock, kind=kind, from_value=from_value, to_value=to_value,
                             actor=actor if actor is not None and actor.pk else None, reason=reason)


def _check_fields(data: dict[str, Any]) -> None:
    for code in data.get("intentions") or []:
        if code not in Intention.values:
            raise ApplicationError(_("未知的转化意愿：%(v)s") % {"v": code}, field="intentions")
    rating = data.get("self_rating")
    if rating is not None and not 1 <= int(rating) <= 5:
        raise ApplicationError(_("价值自评应为 1–5 分"), field="self_rating")


# ---------------------------------------------------------------- service links and reviewers


def _is_center_staff_of(actor: User | None, center: Organization) -> bool:
    return actor is not None and actor.role == Role.CENTER_STAFF and actor.organization_id == center.pk


def _accept_request(actor: User | None, request: ServiceRequest, reason: str) -> ServiceLink:
    request.status = ServiceRequestStatus.ACCEPTED
    request.decided_by = actor if actor is not None and actor.pk else None
    request.decided_at = timezone.now()
    request.reason = reason or ""
    request.save()
    link, created = ServiceLink.objects.get_or_create(center=request.center, institution=request.institution)
    if created:
        audit_record(actor=actor, action=AuditAction.CREATE, obj=link,
                     changes={"center": [None, request.center.name], "institution": [None, request.institution.name],
                              "request": [None, request.pk]}, message=reason or "")
    return link


@transaction.atomic
def service_link_create(*, actor: User | None, center: Organization, institution: Organization,
                        note: str = "") -> ServiceRequest:
    """服务关系: a center serves an institution's 存量专利盘活 only with the institution's consent.

    Center staff ask (a pending ``ServiceRequest``; the institution's users are told) and see nothing of the
    institution's inventory until one of its users accepts (``service_request_decide``). A relation set up by
    the institution's own user, a platform administrator or the system takes effect at once (accepted, with
    the same record). Asking again while a request is pending returns that request."""
    if center.kind != OrganizationKind.OPERATION_CENTER:
        raise ApplicationError(_("服务方须为产业知识产权运营中心"), field="center")
    _check_institution(institution)
    consenting = _system_or_admin(actor) or is_member(actor, institution)
    if not (consenting or _is_center_staff_of(actor, center)):
        _deny(_("只有该运营中心的工作人员可以申请服务，只有该高校/院所的用户可以同意"))
    pending = (ServiceRequest.objects.select_for_update()
               .filter(center=center, institution=institution, status=ServiceRequestStatus.PENDING).first())
    if ServiceLink.objects.filter(center=center, institution=institution).exists():
        done = (ServiceRequest.objects.filter(center=center, institution=institution,
                                              status=ServiceRequestStatus.ACCEPTED).first())
        if done is not None:
            return done
        pending = pending or ServiceRequest(center=center, institution=institution, note=note,
                                            requested_by=actor if actor is not None and actor.pk else None)
        _accept_request(None, pending, _("已有服务关系"))  # a relation made before consent was recorded
        return pending
    if consenting:
        request = pending or ServiceRequest(center=center, institution=institution, note=note,
                                            requested_by=actor if actor is not None and actor.pk else None)
        _accept_request(actor, request, note)
        return request
    if pending is not None:
        return pending
    request = ServiceRequest.objects.create(center=center, institution=institution, note=(note or "").strip(),
                                            requested_by=actor if actor is not None and actor.pk else None)
    audit_record(actor=actor, action=AuditAction.CREATE, obj=request,
                 changes={"center": [None, center.name], "institution": [None, institution.name],
                          "status": [None, request.status]}, message=request.note)
    from ipoc.core.services import notify

    notify(users=User.objects.filter(organization=institution, role=Role.INSTITUTION_USER, is_active=True),
           kind="stock_service_request",
           title=_("%(c)s 申请为本单位提供存量专利盘活服务") % {"c": center.name},
           body=_("同意后，该运营中心可以查看本单位的存量专利清单并开展评价、筛选和推广。请同意或拒绝。%(n)s")
           % {"n": request.note})
    return request


@transaction.atomic
def service_request_decide(*, actor: User | None, request: ServiceRequest, accept: bool,
                           reason: str = "") -> ServiceRequest:
    """The institution's user accepts (the ``ServiceLink`` is made) or declines a center's request."""
    request = (ServiceRequest.objects.select_for_update().select_related("center", "institution")
               .get(pk=request.pk))
    if not (_system_or_admin(actor) or is_member(actor, request.institution)):
        _deny(_("只有“%(org)s”的用户可以同意或拒绝服务申请") % {"org": request.institution.name})
    if request.status != ServiceRequestStatus.PENDING:
        raise ApplicationError(_("该服务申请已处理（%(s)s）") % {"s": request.get_status_display()},
                               field="status", code="invalid_transition")
    if accept:
        _accept_request(actor, request, reason)
    else:
        request.status = ServiceRequestStatus.DECLINED
        request.decided_by = actor if actor is not None and actor.pk else None
        request.decided_at = timezone.now()
        request.reason = (reason or "").strip()
        request.save()
    audit_record(actor=actor, action=AuditAction.TRANSITION, obj=request,
                 changes={"status": [ServiceRequestStatus.PENDING, request.status]}, message=request.reason)
    from ipoc.core.services import notify

    verdict = _("同意") if accept else _("拒绝")
    notify(users=User.objects.filter(organization=request.center, role=Role.CENTER_STAFF, is_active=True),
           kind="stock_service_request",
           title=_("%(i)s %(v)s了存量专利盘活服务申请") % {"i": request.institution.name, "v": verdict},
           body=request.reason)
    return request


@transaction.atomic
def reviewer_appoint(*, actor: User | None, institution: Organization, user: User, level: str,
                     department: str = "") -> StockReviewer:
    """Appoint an institution user as 院系审核人 (for one 院系, blank = all) or 学校审核人."""
    if level not in ReviewLevel.values:
        raise ApplicationError(_("未知的审核层级：%(v)s") % {"v": level}, field="level")
    if not (_system_or_admin(actor) or is_reviewer(actor, institution, ReviewLevel.SCHOOL)):
        _deny(_("只有学校审核人或平台管理员可以指定审核人"))
    if not is_member(user, institution):
        raise ApplicationError(_("审核人须为本单位的高校/院所用户"), field="user")
    department = "" if level == ReviewLevel.SCHOOL else (department or "").strip()
    reviewer, created = StockReviewer.objects.get_or_create(
        institution=institution, user=user, level=level, department=department,
        defaults={"appointed_by": actor if actor is not None and actor.pk else None})
    if created:
        audit_record(actor=actor, action=AuditAction.ASSIGN, obj=reviewer,
                     changes={"user": [None, user.username], "level": [None, level], "department": [None, department]})
    return reviewer
