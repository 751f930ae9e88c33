"""/api/v1 endpoints for the current user, organisations, the audit log and jobs."""


from ninja import Query, Router, Schema, Status
from ninja.pagination import paginate

from ipoc.core import selectors, services
from ipoc.core.pagination import LimitOffsetPagination
from ipoc.core.schemas import (
    ApiTokenCreate,
    ApiTokenCreated,
    ApiTokenRead,
    AuditEntryRead,
    JobRead,
    MeRead,
    NotificationRead,
    OrganizationCreate,
    OrganizationRead,
    OrganizationUpdate,
)

router = Router(tags=["core"])


class LookupItem(Schema):
    value: int
    label: str
    sub: str = ""


@router.get("/me", response=MeRead, summary="当前用户 / current user")
def me(request):
    return request.auth


class OrganizationFilters(Schema):
    q: str = ""
    kind: str = ""
    region: str = ""
    is_sme: bool | None = None


@router.get("/organizations", response=list[OrganizationRead], summary="组织机构列表")
@paginate(LimitOffsetPagination)
def organization_list(request, filters: Query[OrganizationFilters]):
    return selectors.organization_list(user=request.auth, **filters.dict())


@router.get("/organizations/{org_id}", response=OrganizationRead, summary="组织机构详情")
def organization_detail(request, org_id: int):
    return selectors.organization_get(user=request.auth, pk=org_id)


@router.post("/organizations", response={201: OrganizationRead}, summary="新建组织机构")
def organization_create(request, payload: OrganizationCreate):
    data = payload.dict()
    return Status(201, services.organization_create(actor=request.auth, name=data.pop("name"), kind=data.pop("kind"),
                                             **data))


@router.patch("/organizations/{org_id}", response=OrganizationRead, summary="修改组织机构")
def organization_update(request, org_id: int, payload: OrganizationUpdate):
    org = selectors.organization_get(user=request.auth, pk=org_id)
    return services.organization_update(actor=request.auth, organization=org,
                                        data=payload.dict(exclude_unset=True))


class AuditFilters(Schema):
    actor: str = ""
    model: str = ""
    object_id: str = ""
    action: str = ""


@router.get("/audit", response=list[AuditEntryRead], summary="审计日志（平台管理员）")
@paginate(LimitOffsetPagination)
def audit_list(request, filters: Query[AuditFilters]):
    return selectors.audit_list(user=request.auth, **filters.dict())


@router.get("/lookups/{kind}", response=list[LookupItem],
            summary="选择器搜索：按名称/编号查找可选记录（组织、专利、需求、活动、专家、用户）")
def lookup(request, kind: str, q: str = "", limit: int = 20):
    from ipoc.core.pickers import lookup_search

    return lookup_search(user=request.auth, kind=kind, q=q, limit=limit)


@router.get("/tokens", response=list[ApiTokenRead], summary="我的 API 令牌（平台管理员可按用户查看）")
def token_list(request, user: str = ""):
    return selectors.api_token_list(user=request.auth, username=user)


@router.post("/tokens", response={201: ApiTokenCreated}, summary="创建 API 令牌（明文只返回这一次）")
def token_create(request, payload: ApiTokenCreate):
    token, plain = services.api_token_create(actor=request.auth, user=request.auth, name=payload.name,
                                             expires_at=payload.expires_at)
    token.token = plain
    return Status(201, token)


@router.delete("/tokens/{token_id}", response=ApiTokenRead, summary="吊销 API 令牌")
def token_revoke(request, token_id: int):
    token = selectors.api_token_get(user=request.auth, pk=token_id)
    return services.api_token_revoke(actor=request.auth, token=token)


@router.get("/jobs/{job_id}", response=JobRead, summary="后台任务进度")
def job_detail(request, job_id: int):
    return selectors.job_get(user=request.auth, pk=job_id)


@router.get("/notifications", response=list[NotificationRead], summary="我的站内消息（含定向推送）")
@paginate(LimitOffsetPagination)
def notification_list(request, unread: bool = False):
    return selectors.notification_list(user=request.auth, unread=unread)


@router.post("/notifications/read", summary="标为已读")
def notification_mark_read(request, ids: list[int]):
    return {"marked": services.notification_mark_read(user=request.auth, ids=ids)}
