"""产业专利技术需求: what enterprises and universities want, and who moved each demand when."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from ipoc.core.models import TransitionRecord
from ipoc.core.permissions import AccessRule
from ipoc.core.validators import validate_region_code


class DemandKind(models.TextChoices):
    ENTERPRISE = "enterprise", _("企业专利技术需求")
    INSTITUTION = "institution", _("高校院所专利技术转化需求")


class DealMode(models.TextChoices):
    ASSIGNMENT = "assignment", _("转让")
    LICENSE = "license", _("许可")
    EQUITY = "equity", _("作价入股")
    CO_DEVELOPMENT = "co_development", _("合作开发")
    OTHER = "other", _("其他")


class DemandStatus(models.TextChoices):
    DRAFT = "draft", _("草稿")
    PENDING = "pending", _("待审核")
    PUBLISHED = "published", _("已发布")
    MATCHING = "matching", _("对接中")
    SOLVED = "solved", _("已解决")
    CLOSED = "closed", _("已关闭")


# from-status → allowed to-statuses (草稿 → 待审核 → 已发布 → 对接中 → 已解决/已关闭)
DEMAND_TRANSITIONS: dict[str, tuple[str, ...]] = {
    DemandStatus.DRAFT: (DemandStatus.PENDING, DemandStatus.CLOSED),
    DemandStatus.PENDING: (DemandStatus.PUBLISHED, DemandStatus.DRAFT, DemandStatus.CLOSED),
    DemandStatus.PUBLISHED: (DemandStatus.MATCHING, DemandStatus.SOLVED, DemandStatus.CLOSED),
    DemandStatus.MATCHING: (DemandStatus.SOLVED, DemandStatus.CLOSED, DemandStatus.PUBLISHED),
    DemandStatus.SOLVED: (),
    DemandStatus.CLOSED: (),
}
PUBLIC_STATUSES = (DemandStatus.PUBLISHED, DemandStatus.MATCHING, DemandStatus.SOLVED)


class Demand(models.Model):
    """一条专利技术需求. Contact details are shown masked to anyone outside the owner, its center and offices."""

    kind = models.CharField(_("需求类型"), max_length=16, choices=DemandKind.choices, default=DemandKind.ENTERPRISE)
    title = models.CharField(_("需求名称"), max_length=300)
    description = models.TextField(_("需求描述"), blank=True)
    industry = models.CharField(_("所属行业"), max_length=100, blank=True,
                                help_text=_("如 新材料、智能装备制造、生物医药"))
    industry_code = models.CharField(_("国民经济行业分类"), max_length=8, blank=True,
                                     help_text=_("GB/T 4754 门类字母或大类两位代码"))
    keywords = models.JSONField(_("关键词"), default=list, blank=True)
    modes = models.JSONField(_("期望合作方式"), default=list, blank=True)
    budget_text = models.CharField(_("预算区间"), max_length=50, blank=True)
    budget_min = models.DecimalField(_("预算下限（元）"), max_digits=16, decimal_places=2, null=True, blank=True)
    budget_max = models.DecimalField(_("预算上限（元）"), max_digits=16, decimal_places=2, null=True, blank=True)
    region_code = models.CharField(_("行政区划代码"), max_length=6, blank=True, validators=[validate_region_code])
    deadline = models.DateField(_("截止日期"), null=True, blank=True)
    contact_name = models.CharField(_("联系人"), max_length=100, blank=True)
    contact_phone = models.CharField(_("联系电话"), max_length=50, blank=True)
    contact_email = models.EmailField(_("联系邮箱"), blank=True)
    status = models.CharField(_("状态"), max_length=16, choices=DemandStatus.choices, default=DemandStatus.DRAFT,
                              db_index=True)
    organization = models.ForeignKey("core.Organization", verbose_name=_("需求方"), on_delete=models.PROTECT,
                                     related_name="demands")
    center = models.ForeignKey("core.Organization", verbose_name=_("受理运营中心"), null=True, blank=True,
                               on_delete=models.SET_NULL, related_name="handled_demands")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("创建人"), null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    requester_name = models.CharField(_("需求方（原文）"), max_length=200, blank=True,
                                      help_text=_("导入时提供的需求方名称，可能为脱敏或个人称呼"))
    duplicate_of = models.ForeignKey("self", verbose_name=_("疑似重复于"), null=True, blank=True,
                                     on_delete=models.SET_NULL, related_name="near_duplicates")
    duplicate_score = models.FloatField(_("重复相似度"), null=True, blank=True)
    source = models.CharField(_("数据来源"), max_length=100, blank=True)
    source_key = models.CharField(_("来源唯一键"), max_length=64, blank=True, db_index=True)
    published_at = models.DateTimeField(_("发布时间"), null=True, blank=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    access = AccessRule(
        owner_fields=("organization", "center"),
        creator_field="created_by",
        public_view=Q(status__in=PUBLIC_STATUSES),
        office_view=~Q(status=DemandStatus.DRAFT),
        region_field="region_code",
    )

    class Meta:
        verbose_name = _("技术需求")
        verbose_name_plural = _("技术需求")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["source", "source_key"], condition=~Q(source_key=""),
                                    name="demand_unique_source_key"),
            models.CheckConstraint(condition=Q(budget_min__isnull=True) | Q(budget_min__gte=0),
                                   name="demand_budget_min_non_negative"),
        ]

    def __str__(self) -> str:
        return self.title


class DemandStatusChange(TransitionRecord):
    """Who moved a demand from one status to another, when and why."""

    demand = models.ForeignKey(Demand, on_delete=models.CASCADE, related_name="status_changes")
    from_status = models.CharField(max_length=16, choices=DemandStatus.choices, blank=True)
    to_status = models.CharField(max_length=16, choices=DemandStatus.choices)

    class Meta(TransitionRecord.Meta):
        verbose_name = _("需求状态变更")
        verbose_name_plural = _("需求状态变更")

    def __str__(self) -> str:
        return f"{self.demand_id}: {self.from_status} → {self.to_status}"
