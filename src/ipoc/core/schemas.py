"""API schemas for organisations, users, the audit log and jobs (``<Entity>Read/Create/Update``)."""

from __future__ import annotations

from datetime import datetime

from ninja import Field, Schema


class OrganizationRead(Schema):
    id: int
    name: str
    kind: str
    kind_label: str = Field(..., alias="get_kind_display")
    office_level: str
    is_sme: bool | None
    region_code: str
    credit_code: str | None
    address: str
    website: str
    profile: str
    source: str


class OrganizationCreate(Schema):
    name: str
    kind: str = Field(..., description="类型；登记知识产权管理部门（ip_office）仅限平台管理员")
    office_level: str = Field("", description="管理部门层级，仅平台管理员可设置")
    is_sme: bool | None = None
    region_code: str = Field("", description="行政区划代码；管理部门工作人员只能登记本辖区内的组织机构")
    credit_code: str | None = None
    address: str = ""
    website: str = ""
    contact_name: str = ""
    contact_phone: str = ""
    contact_email: str = ""
    profile: str = ""


ADMIN_ONLY = "仅平台管理员可修改（其他用户提交不同的值将被拒绝，403）/ platform administrators only"


class OrganizationUpdate(Schema):
    name: str | None = Field(None, description="名称；管理部门的名称" + ADMIN_ONLY)
    kind: str | None = Field(None, description="类型，" + ADMIN_ONLY)
    office_level: str | None = Field(None, description="管理部门层级，" + ADMIN_ONLY)
    is_sme: bool | None = None
    region_code: str | None = Field(None, description="行政区划代码，" + ADMIN_ONLY)
    credit_code: str | None = None
    address: str | None = None
    website: str | None = None
    contact_name: str | None = None
    contact_phone: str | None = None
    contact_email: str | None = None
    profile: str | None = None


class MeRead(Schema):
    id: int
    username: str
    display_name: str
    role: str
    role_label: str = Field(..., alias="get_role_display")
    organization: OrganizationRead | None


class AuditEntryRead(Schema):
    id: int
    at: datetime
    actor_name: str
    via: str
    action: str
    model: str | None = Field(None, alias="content_type.model")
    object_id: str
    object_repr: str
    changes: dict
    message: str


class JobRead(Schema):
    id: int
    kind: str
    title: str
    status: str
    progress_done: int
    progress_total: int | None
    percent: float | None
    result: dict
    log: str
    error: str
    created_at: datetime
    started_at: datetime | None
    finished_at: datetime | None


class NotificationRead(Schema):
    id: int
    title: str
    body: str
    url: str
    kind: str
    created_at: datetime
    read_at: datetime | None


class ApiTokenRead(Schema):
    id: int
    name: str
    prefix: str
    created_at: datetime
    last_used_at: datetime | None = None
    expires_at: datetime | None = None
    revoked: bool
    username: str

    @staticmethod
    def resolve_username(obj) -> str:
        return obj.user.username


class ApiTokenCreate(Schema):
    name: str = Field("api", max_length=100)
    expires_at: datetime | None = None


class ApiTokenCreated(ApiTokenRead):
    token: str = Field(..., description="明文令牌，只显示这一次 / the plain token, shown once")
