"""Organisations (组织机构), users and roles, object assignments, API tokens,
the audit log and long-running jobs — the records every domain app builds on."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from ipoc.core.permissions import AccessRule
from ipoc.core.validators import validate_credit_code, validate_region_code


class OrganizationKind(models.TextChoices):
    IP_OFFICE = "ip_office", _("知识产权管理部门")
    OPERATION_CENTER = "operation_center", _("产业知识产权运营中心")
    ENTERPRISE = "enterprise", _("企业")
    UNIVERSITY = "university", _("高校")
    RESEARCH_INSTITUTE = "research_institute", _("科研院所")
    SERVICE_AGENCY = "service_agency", _("服务机构")
    INVESTMENT_AGENCY = "investment_agency", _("投资机构")
    INDUSTRY_ASSOCIATION = "industry_association", _("行业协会")
    INDUSTRIAL_PARK = "industrial_park", _("产业园区")
    GOVERNMENT = "government", _("政府部门")


class OfficeLevel(models.TextChoices):
    NATIONAL = "national", _("国家")
    PROVINCIAL = "provincial", _("省")
    MUNICIPAL = "municipal", _("市")
    COUNTY = "county", _("区县")


class Organization(models.Model):
    """组织机构: an office, a center, an enterprise, a university, an institute …"""

    name = models.CharField(_("名称"), max_length=200, unique=True)
    kind = models.CharField(_("类型"), max_length=32, choices=OrganizationKind.choices, db_index=True)
    office_level = models.CharField(_("管理部门层级"), max_length=16, choices=OfficeLevel.choices, blank=True)
    is_sme = models.BooleanField(_("是否中小企业"), null=True, blank=True)
    region_code = models.CharField(_("行政区划代码"), max_length=6, blank=True, db_index=True,
                                   validators=[validate_region_code])
    credit_code = models.CharField(_("统一社会信用代码"), max_length=18, blank=True, null=True, unique=True,
                                   validators=[validate_credit_code])
    address = models.CharField(_("地址"), max_length=300, blank=True)
    website = models.URLField(_("网址"), blank=True)
    contact_name = models.CharField(_("联系人"), max_length=100, blank=True)
    contact_phone = models.CharField(_("联系电话"), max_length=50, blank=True)
    contact_email = models.EmailField(_("联系邮箱"), blank=True)
    profile = models.TextField(_("简介/经营范围"), blank=True)
    source = models.CharField(_("数据来源"), max_length=100, blank=True,
                              help_text=_("记录来源，例如 manual、demo:bdci-applicant"))
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    # Everybody signed in may see the registry of organisations; only the
    # organisation's own users (and platform administrators) may change it.
    access = AccessRule(owner_fields=("pk",), public_view=Q(), region_field="region_code")

    class Meta:
        verbose_name = _("组织机构")
        verbose_name_plural = _("组织机构")
        ordering = ["name"]
        indexes = [models.Index(fields=["kind", "region_code"])]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        errors = {}
        if self.kind == OrganizationKind.IP_OFFICE and not self.office_level:
            errors["office_level"] = _("知识产权管理部门必须填写层级（国家/省/市/区县）")
        if self.kind != OrganizationKind.IP_OFFICE and self.office_level:
            errors["office_level"] = _("只有知识产权管理部门才有层级")
        if self.kind != OrganizationKind.ENTERPRISE and self.is_sme is not None:
            errors["is_sme"] = _("“是否中小企业”只适用于企业")
        if self.credit_code == "":
            self.credit_code = None
        if errors:
            raise ValidationError(errors)


class Role(models.TextChoices):
    PLATFORM_ADMIN = "platform_admin", _("平台管理员")
    OFFICE_STAFF = "office_staff", _("管理部门工作人员")
    CENTER_STAFF = "center_staff", _("运营中心工作人员")
    ENTERPRISE_USER = "enterprise_user", _("企业用户")
    INSTITUTION_USER = "institution_user", _("高校/院所用户")
    EXPERT = "expert", _("评审专家")


# Which organisation kinds a role's user may belong to (None: may have no organisation).
ROLE_ORGANIZATION_KINDS: dict[str, tuple[str, ...] | None] = {
    Role.PLATFORM_ADMIN: None,
    Role.OFFICE_STAFF: (OrganizationKind.IP_OFFICE,),
    Role.CENTER_STAFF: (OrganizationKind.OPERATION_CENTER,),
    Role.ENTERPRISE_USER: (OrganizationKind.ENTERPRISE,),
    Role.INSTITUTION_USER: (OrganizationKind.UNIVERSITY, OrganizationKind.RESEARCH_INSTITUTE),
    Role.EXPERT: None,
}


class User(AbstractUser):
    """A person using the platform, in one organisation with one role."""

    organization = models.ForeignKey(Organization, verbose_name=_("所属组织"), null=True, blank=True,
                                     on_delete=models.PROTECT, related_name="users")
    role = models.CharField(_("角色"), max_length=32, choices=Role.choices, default=Role.ENTERPRISE_USER)
    display_name = models.CharField(_("姓名"), max_length=100, blank=True)
    phone = models.CharField(_("手机"), max_length=30, blank=True)

    class Meta:
        verbose_name = _("用户")
        verbose_name_plural = _("用户")

    def __str__(self) -> str:
        return self.display_name or self.username

    def clean(self) -> None:
        super().clean()
        kinds = ROLE_ORGANIZATION_KINDS.get(self.role)
        if kinds is not None:
            if self.organization_id is None:
                raise ValidationError({"organization": _("该角色的用户必须属于一个组织")})
            if self.organization.kind not in kinds:
                raise ValidationError({"organization": _("角色“%(role)s”不能属于“%(kind)s”类型的组织") % {
                    "role": self.get_role_display(), "kind": self.organization.get_kind_display()}})

    @property
    def is_platform_admin(self) -> bool:
        return self.is_superuser or self.role == Role.PLATFORM_ADMIN


class TransitionRecord(models.Model):
    """The who, why and when of a move between states (a demand's status, a stock patent's review step …).
    Concrete records add what moved and from/to which state."""

    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                              related_name="+")
    reason = models.TextField(_("理由"), blank=True)
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        abstract = True
        ordering = ["at", "id"]


class ObjectAssignment(models.Model):
    """An object assigned to a user for work, e.g. an application to a 评审专家.
    Experts see only what is assigned to them."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("被指派人"), on_delete=models.CASCADE,
                             related_name="assignments")
    content_type = models.ForeignKey(ContentType, on_delete=models.CASCADE)
    object_id = models.CharField(max_length=64)
    target = GenericForeignKey("content_type", "object_id")
    purpose = models.CharField(_("事由"), max_length=100, blank=True)
    assigned_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("指派人"), null=True, blank=True,
                                    on_delete=models.SET_NULL, related_name="+")
    assigned_at = models.DateTimeField(_("指派时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("指派")
        verbose_name_plural = _("指派")
        constraints = [models.UniqueConstraint(fields=["user", "content_type", "object_id", "purpose"],
                                               name="unique_assignment")]

    def __str__(self) -> str:
        return f"{self.user} ← {self.content_type.model}#{self.object_id} {self.purpose}"


class ApiToken(models.Model):
    """A personal API token (``Authorization: Bearer <token>``); only its hash is stored."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(_("名称"), max_length=100)
    prefix = models.CharField(max_length=12, db_index=True)
    key_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(_("最近使用"), null=True, blank=True)
    expires_at = models.DateTimeField(_("有效期至"), null=True, blank=True)
    revoked = models.BooleanField(_("已吊销"), default=False)

    class Meta:
        verbose_name = _("API 令牌")
        verbose_name_plural = _("API 令牌")

    def __str__(self) -> str:
        return f"{self.user} {self.name} {self.prefix}…"


class LoginFailure(models.Model):
    """A failed sign-in, kept to slow down password guessing per account and per address (and for the audit)."""

    username = models.CharField(_("用户名"), max_length=150, db_index=True)
    ip_address = models.CharField(_("来源地址"), max_length=45, db_index=True)
    at = models.DateTimeField(_("时间"), auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("登录失败记录")
        verbose_name_plural = _("登录失败记录")

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.username} {self.ip_address}"


class AuditAction(models.TextChoices):
    CREATE = "create", _("创建")
    UPDATE = "update", _("修改")
    DELETE = "delete", _("删除")
    TRANSITION = "transition", _("状态变更")
    IMPORT = "import", _("导入")
    ASSIGN = "assign", _("指派")
    LOGIN = "login", _("登录")


class AuditEntry(models.Model):
    """审计日志: who did what to which object, when, through which channel, and what changed."""

    at = models.DateTimeField(_("时间"), auto_now_add=True, db_index=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("操作人"), null=True, blank=True,
                              on_delete=models.SET_NULL, related_name="+")
    actor_name = models.CharField(_("操作人名称"), max_length=150)
    via = models.CharField(_("渠道"), max_length=16)  # web / api / cli / job / system
    action = models.CharField(_("动作"), max_length=16, choices=AuditAction.choices)
    content_type = models.ForeignKey(ContentType, null=True, blank=True, on_delete=models.SET_NULL)
    object_id = models.CharField(_("对象ID"), max_length=64, blank=True)
    object_repr = models.CharField(_("对象"), max_length=300, blank=True)
    changes = models.JSONField(_("变更内容"), default=dict, blank=True)
    message = models.TextField(_("说明"), blank=True)

    class Meta:
        verbose_name = _("审计日志")
        verbose_name_plural = _("审计日志")
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["content_type", "object_id"])]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor_name} {self.action} {self.object_repr}"


class Notification(models.Model):
    """站内消息: what a user is told (a 定向推送, a review to do); e-mailed too where e-mail is configured."""

    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("接收人"), on_delete=models.CASCADE,
                                  related_name="notifications")
    title = models.CharField(_("标题"), max_length=300)
    body = models.TextField(_("内容"), blank=True)
    url = models.CharField(_("链接"), max_length=500, blank=True)
    kind = models.CharField(_("类别"), max_length=50, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    read_at = models.DateTimeField(null=True, blank=True)
    emailed = models.BooleanField(default=False)

    class Meta:
        verbose_name = _("站内消息")
        verbose_name_plural = _("站内消息")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.recipient} · {self.title}"


class JobStatus(models.TextChoices):
    PENDING = "pending", _("排队中")
    RUNNING = "running", _("运行中")
    SUCCEEDED = "succeeded", _("已完成")
    FAILED = "failed", _("失败")
    INTERRUPTED = "interrupted", _("已中断")


class Job(models.Model):
    """A long piece of work (import, indexing, encoding, batch scoring): its status,
    progress, log, result and a checkpoint from which an interrupted run resumes."""

    kind = models.CharField(_("任务类型"), max_length=50, db_index=True)
    title = models.CharField(_("标题"), max_length=300, blank=True)
    status = models.CharField(_("状态"), max_length=16, choices=JobStatus.choices, default=JobStatus.PENDING,
                              db_index=True)
    params = models.JSONField(_("参数"), default=dict, blank=True)
    progress_done = models.BigIntegerField(_("已完成"), default=0)
    progress_total = models.BigIntegerField(_("总量"), null=True, blank=True)
    checkpoint = models.JSONField(_("断点"), default=dict, blank=True)
    result = models.JSONField(_("结果"), default=dict, blank=True)
    log = models.TextField(_("日志"), blank=True)
    error = models.TextField(_("错误"), blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    organization = models.ForeignKey(Organization, null=True, blank=True, on_delete=models.SET_NULL,
                                     related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    heartbeat_at = models.DateTimeField(null=True, blank=True)

    access = AccessRule(owner_fields=("organization",), creator_field="created_by")

    class Meta:
        verbose_name = _("后台任务")
        verbose_name_plural = _("后台任务")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.kind}#{self.pk} {self.status}"

    @property
    def percent(self) -> float | None:
        if not self.progress_total:
            return None
        return round(100.0 * self.progress_done / self.progress_total, 1)
