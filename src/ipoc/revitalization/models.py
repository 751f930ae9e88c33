"""存量专利盘活 (国知发运字〔2024〕5号: 全面盘点、筛选入库、市场评价、分层推广).

A university or institute inventories its patents (``StockPatent``, one row per
institution and patent), which go through the review chain
发明人/院系建档 → 院系审核 → 学校审核 → 入库 into the 存量专利基础库; screening
moves the good ones into the 专利转化资源库. Every move is a ``StockMove``
(who, when, why). Graded patents recommended for 重点推广/一般推广 are pushed by
center staff to enterprises (``StockPush``), whose responses
(``StockPushResponse``) and deals (``StockDeal``) are recorded.

Who reviews (the rule, also in docs of ``services``): a ``StockReviewer``
appointment names an institution user as 院系审核人 (for one 院系, or every 院系
when the department is blank) or 学校审核人. The 学校审核人 is the institution's
administrator for this process: they appoint reviewers. The first 学校审核人 is
appointed by a platform administrator or from the CLI.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from ipoc.core.models import TransitionRecord
from ipoc.core.permissions import AccessRule


class Stage(models.TextChoices):
    DRAFT = "draft", _("建档")
    DEPT_REVIEW = "dept_review", _("待院系审核")
    SCHOOL_REVIEW = "school_review", _("待学校审核")
    STORED = "stored", _("已入库")


class Library(models.TextChoices):
    NONE = "", _("未入库")
    BASE = "base", _("存量专利基础库")
    RESOURCE = "resource", _("专利转化资源库")


class Intention(models.TextChoices):
    ASSIGNMENT = "assignment", _("转让")  # one code for 转让 across demands, deals and stock patents
    LICENSE = "license", _("许可")
    SELF_USE = "self_use", _("自行应用或产业化")


class Recommendation(models.TextChoices):
    KEY = "key", _("重点推广")
    GENERAL = "general", _("一般推广")
    OBSERVE = "observe", _("持续观察")
    ABANDON = "abandon", _("建议放弃维持")
    NOT_APPLICABLE = "not_applicable", _("不适用（已失效）")


PROMOTABLE = (Recommendation.KEY, Recommendation.GENERAL)


class ReviewLevel(models.TextChoices):
    DEPARTMENT = "department", _("院系审核人")
    SCHOOL = "school", _("学校审核人")


class ServiceLink(models.Model):
    """运营中心服务的高校院所: the center's staff see and work on the institution's stock list. Exists only with
    the institution's consent (an accepted ``ServiceRequest``)."""

    center = models.ForeignKey("core.Organization", verbose_name=_("运营中心"), on_delete=models.CASCADE,
                               related_name="stock_served")
    institution = models.ForeignKey("core.Organization", verbose_name=_("高校/院所"), on_delete=models.CASCADE,
                                    related_name="stock_centers")
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    access = AccessRule(owner_fields=("center", "institution"), public_view=Q())

    class Meta:
        verbose_name = _("服务关系")
        verbose_name_plural = _("服务关系")
        constraints = [models.UniqueConstraint(fields=["center", "institution"], name="stock_unique_service")]

    def __str__(self) -> str:
        return f"{self.center} → {self.institution}"


class ServiceRequestStatus(models.TextChoices):
    PENDING = "pending", _("待高校/院所确认")
    ACCEPTED = "accepted", _("已同意")
    DECLINED = "declined", _("已拒绝")


class ServiceRequest(models.Model):
    """A center's request to serve an institution's 存量专利盘活. The ``ServiceLink`` (and with it the center's
    view of the institution's inventory) exists only once the institution's users accept; a relation an
    institution's user or an administrator sets up is accepted at once and recorded here too."""

    center = models.ForeignKey("core.Organization", verbose_name=_("运营中心"), on_delete=models.CASCADE,
                               related_name="stock_service_requests_made")
    institution = models.ForeignKey("core.Organization", verbose_name=_("高校/院所"), on_delete=models.CASCADE,
                                    related_name="stock_service_requests")
    status = models.CharField(_("状态"), max_length=16, choices=ServiceRequestStatus.choices,
                              default=ServiceRequestStatus.PENDING, db_index=True)
    note = models.TextField(_("说明"), blank=True)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("申请人"), null=True, blank=True,
                                     on_delete=models.SET_NULL, related_name="+")
    requested_at = models.DateTimeField(_("申请时间"), auto_now_add=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("确认人"), null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    decided_at = models.DateTimeField(_("确认时间"), null=True, blank=True)
    reason = models.TextField(_("确认意见"), blank=True)

    access = AccessRule(owner_fields=("center", "institution"), creator_field="requested_by", office_view=None)

    class Meta:
        verbose_name = _("服务关系申请")
        verbose_name_plural = _("服务关系申请")
        ordering = ["-requested_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["center", "institution"],
                                               condition=Q(status="pending"),
                                               name="stock_one_pending_service_request")]

    def __str__(self) -> str:
        return f"{self.center} → {self.institution}（{self.get_status_display()}）"


class StockReviewer(models.Model):
    """An institution user appointed as 院系审核人 or 学校审核人."""

    institution = models.ForeignKey("core.Organization", verbose_name=_("高校/院所"), on_delete=models.CASCADE,
                                    related_name="stock_reviewers")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("审核人"), on_delete=models.CASCADE,
                             related_name="stock_reviewer_roles")
    level = models.CharField(_("审核层级"), max_length=16, choices=ReviewLevel.choices)
    department = models.CharField(_("院系"), max_length=100, blank=True, help_text=_("留空表示全部院系"))
    appointed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                     related_name="+")
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    access = AccessRule(owner_fields=("institution",))

    class Meta:
        verbose_name = _("盘活审核人")
        verbose_name_plural = _("盘活审核人")
        constraints = [models.UniqueConstraint(fields=["institution", "user", "level", "department"],
                                               name="stock_unique_reviewer")]

    def __str__(self) -> str:
        return f"{self.user} {self.get_level_display()} {self.department}".strip()


class StockPatent(models.Model):
    """一件存量专利 of one institution: the 建档 data, where it stands in the review chain,
    which library it is in, and its grade and 分层分类 recommendation."""

    institution = models.ForeignKey("core.Organization", verbose_name=_("高校/院所"), on_delete=models.PROTECT,
                                    related_name="stock_patents")
    patent = models.ForeignKey("patents.Patent", verbose_name=_("专利"), on_delete=models.PROTECT,
                               related_name="stock_entries")
    number_raw = models.CharField(_("专利号（原文）"), max_length=80, blank=True)
    title = models.TextField(_("名称"))
    inventors = models.JSONField(_("发明人"), default=list, blank=True)
    department = models.CharField(_("所属院系"), max_length=100, blank=True, db_index=True)
    intentions = models.JSONField(_("转化意愿"), default=list, blank=True)
    implemented = models.BooleanField(_("是否已实施"), default=False)
    self_rating = models.PositiveSmallIntegerField(_("价值自评"), null=True, blank=True,
                                                   help_text=_("1–5 分，5 为最高"))
    contact_name = models.CharField(_("联系人"), max_length=100, blank=True)
    contact_phone = models.CharField(_("联系电话"), max_length=50, blank=True)
    contact_email = models.EmailField(_("联系邮箱"), blank=True)
    stage = models.CharField(_("审核环节"), max_length=16, choices=Stage.choices, default=Stage.DRAFT,
                             db_index=True)
    library = models.CharField(_("所在库"), max_length=16, choices=Library.choices, default=Library.NONE,
                               blank=True, db_index=True)
    score = models.FloatField(_("评估得分"), null=True, blank=True)
    grade = models.CharField(_("评级"), max_length=2, blank=True)
    confidence = models.FloatField(_("数据置信度"), null=True, blank=True)
    recommendation = models.CharField(_("分层分类建议"), max_length=16, choices=Recommendation.choices, blank=True,
                                      db_index=True)
    recommendation_rule = models.CharField(_("建议依据"), max_length=200, blank=True)
    fee_saving = models.DecimalField(_("放弃维持可节省年费（元）"), max_digits=12, decimal_places=2, null=True,
                                     blank=True)
    graded_at = models.DateTimeField(_("评估时间"), null=True, blank=True)
    valuation_run_ref = models.PositiveIntegerField(_("评估批次号"), null=True, blank=True,
                                                    help_text=_("专利评估模块中的评估批次"))
    screened_at = models.DateTimeField(_("筛选时间"), null=True, blank=True)
    screen_passed = models.BooleanField(_("筛选通过"), null=True, blank=True)
    source = models.CharField(_("来源"), max_length=32, default="manual")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("建档人"), null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    # The institution's users, the centers serving it, and offices in its area.
    access = AccessRule(owner_fields=("institution", "institution__stock_centers__center"),
                        creator_field="created_by", region_field="institution__region_code")

    class Meta:
        verbose_name = _("存量专利")
        verbose_name_plural = _("存量专利")
        ordering = ["institution", "-created_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["institution", "patent"], name="stock_unique_patent")]

    def __str__(self) -> str:
        return f"{self.patent.number if self.patent_id else self.number_raw} {self.title[:40]}"


class MoveKind(models.TextChoices):
    STAGE = "stage", _("审核环节")
    LIBRARY = "library", _("入库/出库")


class StockMove(TransitionRecord):
    """Who moved a stock patent along the chain or between the libraries, when and why."""

    stock = models.ForeignKey(StockPatent, on_delete=models.CASCADE, related_name="moves")
    kind = models.CharField(max_length=16, choices=MoveKind.choices)
    from_value = models.CharField(max_length=16, blank=True)
    to_value = models.CharField(max_length=16)

    class Meta(TransitionRecord.Meta):
        verbose_name = _("盘活流转记录")
        verbose_name_plural = _("盘活流转记录")

    def __str__(self) -> str:
        return f"{self.stock_id}: {self.from_value} → {self.to_value}"


class Response(models.TextChoices):
    INTERESTED = "interested", _("感兴趣")
    NEGOTIATING = "negotiating", _("洽谈")
    DEAL = "deal", _("成交")
    DECLINED = "declined", _("不感兴趣")


class DealMode(models.TextChoices):
    ASSIGNMENT = "assignment", _("转让")  # one code for 转让 across demands, deals and stock patents
    LICENSE = "license", _("许可")
    EQUITY = "equity", _("作价入股")
    OTHER = "other", _("其他")


class StockPush(models.Model):
    """分层推广: one stock patent pushed by a center to one enterprise, with why it was chosen."""

    stock = models.ForeignKey(StockPatent, verbose_name=_("存量专利"), on_delete=models.CASCADE,
                              related_name="pushes")
    enterprise = models.ForeignKey("core.Organization", verbose_name=_("推送企业"), on_delete=models.PROTECT,
                                   related_name="stock_pushes_received")
    center = models.ForeignKey("core.Organization", verbose_name=_("推送运营中心"), null=True, blank=True,
                               on_delete=models.SET_NULL, related_name="stock_pushes_made")
    pushed_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("推送人"), null=True, blank=True,
                                  on_delete=models.SET_NULL, related_name="+")
    match = models.JSONField(_("匹配依据"), default=dict, blank=True)
    note = models.TextField(_("说明"), blank=True)
    response = models.CharField(_("最新反馈"), max_length=16, choices=Response.choices, blank=True)
    responded_at = models.DateTimeField(_("反馈时间"), null=True, blank=True)
    pushed_at = models.DateTimeField(_("推送时间"), auto_now_add=True)

    access = AccessRule(owner_fields=("center", "enterprise", "stock__institution"),
                        creator_field="pushed_by")

    class Meta:
        verbose_name = _("专利推送")
        verbose_name_plural = _("专利推送")
        ordering = ["-pushed_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["stock", "enterprise"], name="stock_unique_push")]

    def __str__(self) -> str:
        return f"{self.stock} → {self.enterprise}"


class StockPushResponse(models.Model):
    """One response of the enterprise to a push (the history behind ``StockPush.response``)."""

    push = models.ForeignKey(StockPush, on_delete=models.CASCADE, related_name="responses")
    response = models.CharField(_("反馈"), max_length=16, choices=Response.choices)
    note = models.TextField(_("说明"), blank=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                              related_name="+")
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["at", "id"]
        verbose_name = _("推送反馈")
        verbose_name_plural = _("推送反馈")

    def __str__(self) -> str:
        return f"{self.push_id}: {self.response}"


class StockDeal(models.Model):
    """A deal (转让/许可/作价入股) that followed a push: the patent is converted."""

    push = models.ForeignKey(StockPush, verbose_name=_("推送"), on_delete=models.PROTECT, related_name="deals")
    mode = models.CharField(_("转化方式"), max_length=16, choices=DealMode.choices)
    amount = models.DecimalField(_("金额（元）"), max_digits=16, decimal_places=2, null=True, blank=True)
    signed_on = models.DateField(_("签约日期"))
    note = models.TextField(_("说明"), blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    access = AccessRule(owner_fields=("push__center", "push__enterprise", "push__stock__institution"))

    class Meta:
        verbose_name = _("转化成交")
        verbose_name_plural = _("转化成交")
        ordering = ["-signed_on", "-id"]
        constraints = [models.CheckConstraint(condition=Q(amount__isnull=True) | Q(amount__gte=0),
                                              name="stock_deal_amount_non_negative")]

    def __str__(self) -> str:
        return f"{self.push} {self.get_mode_display()} {self.amount or ''}"


class StockImport(models.Model):
    """One upload of a 批量建档 sheet and its row report."""

    institution = models.ForeignKey("core.Organization", verbose_name=_("高校/院所"), on_delete=models.CASCADE,
                                    related_name="stock_imports")
    file_name = models.CharField(_("文件名"), max_length=300)
    rows_read = models.PositiveIntegerField(_("已读行数"), default=0)
    created_count = models.PositiveIntegerField(_("新增"), default=0)
    updated_count = models.PositiveIntegerField(_("更新"), default=0)
    rejected_count = models.PositiveIntegerField(_("拒绝"), default=0)
    rows = models.JSONField(_("行报告"), default=list, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    access = AccessRule(owner_fields=("institution", "institution__stock_centers__center"),
                        creator_field="created_by")

    class Meta:
        verbose_name = _("批量建档")
        verbose_name_plural = _("批量建档")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.institution} {self.file_name}"
