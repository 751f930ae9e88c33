"""产业知识产权创新联合体 (innovation consortium) and 大手拉小手: a consortium a center organises, its members by role,
its agreement, joint projects with milestones and the patents they produce (联合创造), the shared patent list with
its contribution ledger, joint protection decisions (共同保护) and the services large members give SMEs."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from ipoc.alliances import rules
from ipoc.core.permissions import AccessRule

# Who sees what: the center's staff, the lead's and every member's users; offices in the center's area.
CONSORTIUM_OWNERS = ("center", "lead", "members__organization")


def _via(prefix: str) -> AccessRule:
    return AccessRule(owner_fields=tuple(f"{prefix}__{f}" for f in CONSORTIUM_OWNERS), office_view=Q(),
                      region_field=f"{prefix}__center__region_code")


class ConsortiumStatus(models.TextChoices):
    FORMING = "forming", _("筹建中")
    ACTIVE = "active", _("运行中")
    DISSOLVED = "dissolved", _("已解散")


class MemberRole(models.TextChoices):
    LEAD_ENTERPRISE = rules.LEAD_ENTERPRISE, _("龙头企业")
    SME = rules.SME, _("中小企业")
    UNIVERSITY = rules.UNIVERSITY, _("高校")
    INSTITUTE = rules.INSTITUTE, _("院所")
    SERVICE_AGENCY = rules.SERVICE_AGENCY, _("服务机构")
    INVESTMENT_AGENCY = rules.INVESTMENT_AGENCY, _("投资机构")


class Consortium(models.Model):
    """一个产业知识产权创新联合体: organised by a center, led by one organisation."""

    name = models.CharField(_("联合体名称"), max_length=200)
    industry = models.CharField(_("产业领域"), max_length=100)
    center = models.ForeignKey("core.Organization", verbose_name=_("组建运营中心"), on_delete=models.PROTECT,
                               related_name="organised_consortia")
    lead = models.ForeignKey("core.Organization", verbose_name=_("牵头单位"), on_delete=models.PROTECT,
                             related_name="led_consortia")
    status = models.CharField(_("状态"), max_length=16, choices=ConsortiumStatus.choices,
                              default=ConsortiumStatus.FORMING, db_index=True)
    established_on = models.DateField(_("成立日期"))
    dissolved_on = models.DateField(_("解散日期"), null=True, blank=True)
    goal = models.TextField(_("组建目标"), blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("创建人"), null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    access = AccessRule(owner_fields=CONSORTIUM_OWNERS, office_view=Q(), region_field="center__region_code")

    class Meta:
        verbose_name = _("创新联合体")
        verbose_name_plural = _("创新联合体")
        ordering = ["-established_on", "-id"]
        constraints = [models.UniqueConstraint(fields=["center", "name"], name="consortium_name_unique_per_center")]

    def __str__(self) -> str:
        return self.name


class ConsortiumMember(models.Model):
    """A member by role, with the dates it joined and (once it left) left. Rows are never deleted."""

    consortium = models.ForeignKey(Consortium, verbose_name=_("创新联合体"), on_delete=models.CASCADE,
                                   related_name="members")
    organization = models.ForeignKey("core.Organization", verbose_name=_("成员单位"), on_delete=models.PROTECT,
                                     related_name="consortium_memberships")
    role = models.CharField(_("成员角色"), max_length=24, choices=MemberRole.choices)
    joined_on = models.DateField(_("加入日期"))
    left_on = models.DateField(_("退出日期"), null=True, blank=True)
    left_reason = models.CharField(_("退出原因"), max_length=300, blank=True)
    note = models.CharField(_("备注"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("登记时间"), auto_now_add=True)

    access = _via("consortium")

    class Meta:
        verbose_name = _("联合体成员")
        verbose_name_plural = _("联合体成员")
        ordering = ["joined_on", "id"]

    def __str__(self) -> str:
        return f"{self.organization.name}（{self.get_role_display()}）· {self.consortium.name}"

    def active_on(self, day) -> bool:
        return self.joined_on <= day and (self.left_on is None or self.left_on >= day)


class ResultOwnership(models.TextChoices):
    JOINT = "joint", _("参与方共有")
    CREATOR = "creator", _("归完成方所有")
    LEAD = "lead", _("归牵头单位所有")
    BY_CONTRIBUTION = "by_contribution", _("按贡献约定份额")
    AS_AGREED = "as_agreed", _("按项目合同另行约定")


class CrossLicenceScope(models.TextChoices):
    NONE = "none", _("不交叉许可")
    PROJECT = "project", _("限于联合项目内实施")
    MEMBERS_FREE = "members_free", _("成员间免费普通许可")
    MEMBERS_PAID = "members_paid", _("成员间有偿普通许可")


class RevenueSharing(models.TextChoices):
    BY_INVESTMENT = "by_investment", _("按出资比例")
    BY_CONTRIBUTION = "by_contribution", _("按贡献比例")
    FIXED = "fixed", _("按约定固定比例")
    CREATOR = "creator", _("归实施方所有")


class ConsortiumAgreement(models.Model):
    """联合体协议: the terms on ownership of joint results, cross-licensing and revenue sharing, and the signed text."""

    consortium = models.OneToOneField(Consortium, verbose_name=_("创新联合体"), on_delete=models.CASCADE,
                                      related_name="agreement")
    signed_on = models.DateField(_("签署日期"), null=True, blank=True)
    result_ownership = models.CharField(_("联合成果归属"), max_length=24, choices=ResultOwnership.choices)
    ownership_terms = models.TextField(_("成果归属条款"), blank=True)
    cross_licence_scope = models.CharField(_("交叉许可范围"), max_length=24, choices=CrossLicenceScope.choices)
    cross_licence_terms = models.TextField(_("交叉许可条款"), blank=True)
    revenue_sharing = models.CharField(_("收益分配方式"), max_length=24, choices=RevenueSharing.choices)
    revenue_terms = models.TextField(_("收益分配条款"), blank=True)
    document = models.FileField(_("协议文本"), upload_to="alliances/agreements/%Y/", blank=True)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("更新人"), null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    access = _via("consortium")

    class Meta:
        verbose_name = _("联合体协议")
        verbose_name_plural = _("联合体协议")

    def __str__(self) -> str:
        return _("%(c)s 的联合体协议") % {"c": self.consortium.name}


class ProjectStatus(models.TextChoices):
    PLANNED = "planned", _("立项")
    ONGOING = "ongoing", _("实施中")
    COMPLETED = "completed", _("已结题")
    CANCELLED = "cancelled", _("已终止")


class JointProject(models.Model):
    """联合攻关项目: a project members carry out together, with its budget, milestones and the patents it produced."""

    consortium = models.ForeignKey(Consortium, verbose_name=_("创新联合体"), on_delete=models.CASCADE,
                                   related_name="projects")
    title = models.CharField(_("项目名称"), max_length=200)
    leader = models.ForeignKey("core.Organization", verbose_name=_("承担单位"), on_delete=models.PROTECT,
                               related_name="+")
    participants = models.ManyToManyField("core.Organization", verbose_name=_("参与单位"), blank=True,
                                          related_name="+")
    budget = models.DecimalField(_("项目预算（元）"), max_digits=16, decimal_places=2)
    status = models.CharField(_("状态"), max_length=16, choices=ProjectStatus.choices,
                              default=ProjectStatus.PLANNED, db_index=True)
    start_date = models.DateField(_("开始日期"))
    end_date = models.DateField(_("计划结束日期"), null=True, blank=True)
    description = models.TextField(_("攻关内容"), blank=True)
    created_at = models.DateTimeField(_("登记时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    access = _via("consortium")

    class Meta:
        verbose_name = _("联合攻关项目")
        verbose_name_plural = _("联合攻关项目")
        ordering = ["-start_date", "-id"]
        constraints = [models.CheckConstraint(condition=Q(budget__gte=0), name="joint_project_budget_non_negative")]

    def __str__(self) -> str:
        return self.title


class Milestone(models.Model):
    """A project's milestone: due by a date, done on a date. Overdue ones reach the home work queues."""

    project = models.ForeignKey(JointProject, verbose_name=_("联合攻关项目"), on_delete=models.CASCADE,
                                related_name="milestones")
    title = models.CharField(_("里程碑"), max_length=200)
    due_on = models.DateField(_("计划完成日期"))
    done_on = models.DateField(_("实际完成日期"), null=True, blank=True)
    note = models.CharField(_("说明"), max_length=300, blank=True)

    access = _via("project__consortium")

    class Meta:
        verbose_name = _("项目里程碑")
        verbose_name_plural = _("项目里程碑")
        ordering = ["due_on", "id"]

    def __str__(self) -> str:
        return f"{self.project.title} · {self.title}"


class JointPatent(models.Model):
    """联合创造: a patent a joint project produced."""

    project = models.ForeignKey(JointProject, verbose_name=_("联合攻关项目"), on_delete=models.CASCADE,
                                related_name="joint_patents")
    patent = models.ForeignKey("patents.Patent", verbose_name=_("专利"), on_delete=models.PROTECT, related_name="+")
    recorded_on = models.DateField(_("登记日期"))
    note = models.CharField(_("说明"), max_length=300, blank=True)

    access = _via("project__consortium")

    class Meta:
        verbose_name = _("联合创造专利")
        verbose_name_plural = _("联合创造专利")
        ordering = ["recorded_on", "id"]
        constraints = [models.UniqueConstraint(fields=["project", "patent"], name="joint_patent_once_per_project")]

    def __str__(self) -> str:
        number = self.patent.publication_number or self.patent.application_number or ""
        return f"{number} {self.patent.title[:40]}".strip()


class SharedPatent(models.Model):
    """The shared patent list as a contribution ledger: who brought which patent when, and when it was withdrawn."""

    consortium = models.ForeignKey(Consortium, verbose_name=_("创新联合体"), on_delete=models.CASCADE,
                                   related_name="shared_patents")
    patent = models.ForeignKey("patents.Patent", verbose_name=_("专利"), on_delete=models.PROTECT, related_name="+")
    contributed_by = models.ForeignKey("core.Organization", verbose_name=_("贡献单位"), on_delete=models.PROTECT,
                                       related_name="+")
    contributed_on = models.DateField(_("纳入日期"))
    withdrawn_on = models.DateField(_("退出日期"), null=True, blank=True)
    note = models.CharField(_("说明"), max_length=300, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("登记人"), null=True, blank=True,
                                    on_delete=models.SET_NULL, related_name="+")

    access = _via("consortium")

    class Meta:
        verbose_name = _("共享专利")
        verbose_name_plural = _("共享专利")
        ordering = ["contributed_on", "id"]

    def __str__(self) -> str:
        number = self.patent.publication_number or self.patent.application_number or ""
        return f"{number} {self.patent.title[:40]}".strip()


class ProtectionKind(models.TextChoices):
    ENFORCEMENT = "enforcement", _("联合维权（侵权诉讼、行政裁决）")
    INVALIDATION = "invalidation", _("联合提起无效宣告请求")
    DEFENCE = "defence", _("联合应对（被诉侵权、无效宣告答辩）")


class ProtectionStatus(models.TextChoices):
    DECIDED = "decided", _("已决定")
    ONGOING = "ongoing", _("进行中")
    CLOSED = "closed", _("已结案")


class ProtectionAction(models.Model):
    """共同保护: a joint enforcement or invalidation action the members decided on, against whom, and who pays."""

    consortium = models.ForeignKey(Consortium, verbose_name=_("创新联合体"), on_delete=models.CASCADE,
                                   related_name="protection_actions")
    kind = models.CharField(_("行动类型"), max_length=16, choices=ProtectionKind.choices)
    title = models.CharField(_("事项名称"), max_length=200)
    target = models.CharField(_("对象"), max_length=300, help_text=_("被诉侵权方、无效宣告所针对的专利权人等"))
    target_patent = models.ForeignKey("patents.Patent", verbose_name=_("涉及的对方专利"), null=True, blank=True,
                                      on_delete=models.PROTECT, related_name="+")
    patents = models.ManyToManyField("patents.Patent", verbose_name=_("据以维权的联合体专利"), blank=True,
                                     related_name="+")
    decided_on = models.DateField(_("决定日期"))
    status = models.CharField(_("状态"), max_length=16, choices=ProtectionStatus.choices,
                              default=ProtectionStatus.DECIDED)
    budget = models.DecimalField(_("预计费用（元）"), max_digits=16, decimal_places=2, null=True, blank=True)
    outcome = models.TextField(_("结果"), blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("登记人"), null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(_("登记时间"), auto_now_add=True)

    access = _via("consortium")

    class Meta:
        verbose_name = _("共同保护决定")
        verbose_name_plural = _("共同保护决定")
        ordering = ["-decided_on", "-id"]

    def __str__(self) -> str:
        return self.title


class ProtectionShare(models.Model):
    """Who pays what share (%) of a protection action."""

    action = models.ForeignKey(ProtectionAction, verbose_name=_("共同保护决定"), on_delete=models.CASCADE,
                               related_name="shares")
    organization = models.ForeignKey("core.Organization", verbose_name=_("承担单位"), on_delete=models.PROTECT,
                                     related_name="+")
    percent = models.DecimalField(_("承担比例（%）"), max_digits=5, decimal_places=2)

    access = _via("action__consortium")

    class Meta:
        verbose_name = _("费用分担")
        verbose_name_plural = _("费用分担")
        ordering = ["-percent", "id"]
        constraints = [models.UniqueConstraint(fields=["action", "organization"], name="protection_share_once")]

    def __str__(self) -> str:
        return f"{self.organization.name} {self.percent}%"


class ServiceKind(models.TextChoices):
    LICENCE = "licence", _("专利许可")
    SUPPLY = "supply", _("供应链配套")
    TECHNICAL = "technical", _("技术帮扶")
    TRAINING = "training", _("培训指导")
    OTHER = "other", _("其他")


class SmeService(models.Model):
    """大手拉小手: which large member served which SME with what, when, and with what outcome."""

    consortium = models.ForeignKey(Consortium, verbose_name=_("创新联合体"), on_delete=models.CASCADE,
                                   related_name="sme_services")
    provider = models.ForeignKey("core.Organization", verbose_name=_("服务提供方"), on_delete=models.PROTECT,
                                 related_name="+")
    sme = models.ForeignKey("core.Organization", verbose_name=_("受服务中小企业"), on_delete=models.PROTECT,
                            related_name="+")
    kind = models.CharField(_("服务方式"), max_length=16, choices=ServiceKind.choices)
    served_on = models.DateField(_("服务日期"), db_index=True)
    content = models.CharField(_("服务内容"), max_length=300)
    outcome = models.TextField(_("服务成效"), blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("登记人"), null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(_("登记时间"), auto_now_add=True)

    access = _via("consortium")

    class Meta:
        verbose_name = _("“大手拉小手”服务记录")
        verbose_name_plural = _("“大手拉小手”服务记录")
        ordering = ["-served_on", "-id"]

    def __str__(self) -> str:
        return f"{self.provider.name} → {self.sme.name}：{self.get_kind_display()}（{self.served_on:%Y-%m-%d}）"
