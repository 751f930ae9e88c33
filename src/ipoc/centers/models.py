"""产业知识产权运营中心 registry: the center, its status decisions (immutable) and its evidence."""

from __future__ import annotations

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from ipoc.core.permissions import AccessRule
from ipoc.core.validators import validate_region_code


class HostType(models.TextChoices):
    LEADING_ENTERPRISE = "leading_enterprise", _("行业龙头企业")
    RESEARCH_INSTITUTE = "research_institute", _("科研院所")
    NATIONAL_PARK = "national_park", _("国家级产业园区")
    NATIONAL_ASSOCIATION = "national_association", _("全国性行业协会")
    OTHER = "other", _("其他")


class CenterLevel(models.TextChoices):
    NATIONAL = "national", _("国家级")
    PROVINCIAL = "provincial", _("省级")
    MUNICIPAL = "municipal", _("市级")


class CenterStatus(models.TextChoices):
    BUILDING = "building", _("建设运行中")
    APPLYING = "applying", _("申请认定中")
    RECOGNISED = "recognised", _("已认定")
    RECTIFYING = "rectifying", _("限期整改")
    REVOKED = "revoked", _("已取消资格")
    EXITED = "exited", _("已退出")
    LETTER_SUPPORTED = "letter_supported", _("复函支持")


# from-status → allowed to-statuses. 先建设、后认定；认定后动态管理、有进有出 (rules.BUILD_THEN_RECOGNISE).
CENTER_TRANSITIONS: dict[str, tuple[str, ...]] = {
    CenterStatus.BUILDING: (CenterStatus.APPLYING, CenterStatus.EXITED),
    CenterStatus.LETTER_SUPPORTED: (CenterStatus.APPLYING, CenterStatus.BUILDING, CenterStatus.EXITED),
    CenterStatus.APPLYING: (CenterStatus.RECOGNISED, CenterStatus.BUILDING, CenterStatus.LETTER_SUPPORTED,
                            CenterStatus.EXITED),
    CenterStatus.RECOGNISED: (CenterStatus.RECTIFYING, CenterStatus.REVOKED, CenterStatus.EXITED),
    CenterStatus.RECTIFYING: (CenterStatus.RECOGNISED, CenterStatus.REVOKED, CenterStatus.EXITED),
    CenterStatus.REVOKED: (),
    CenterStatus.EXITED: (),
}
INITIAL_STATUSES = (CenterStatus.BUILDING, CenterStatus.LETTER_SUPPORTED)
# A recognised national center carries the national name while it holds the qualification (incl. 限期整改).
QUALIFIED_STATUSES = (CenterStatus.RECOGNISED, CenterStatus.RECTIFYING)
# Recognised centers are listed publicly while they hold the qualification (限期整改 shown as such).
PUBLIC_STATUSES = (CenterStatus.RECOGNISED, CenterStatus.RECTIFYING)


class Center(models.Model):
    """一个产业知识产权运营中心 in the registry, tied one-to-one to its staff's organisation."""

    organization = models.OneToOneField("core.Organization", verbose_name=_("运营中心机构"),
                                        on_delete=models.PROTECT, related_name="center_record")
    name = models.CharField(_("运营中心名称"), max_length=200, unique=True)
    host_organization = models.ForeignKey("core.Organization", verbose_name=_("建设主体"), on_delete=models.PROTECT,
                                          related_name="hosted_centers")
    host_type = models.CharField(_("建设主体类型"), max_length=32, choices=HostType.choices)
    industry = models.CharField(_("产业领域"), max_length=100)
    industry_chain = models.CharField(_("产业链"), max_length=200, blank=True)
    level = models.CharField(_("层级"), max_length=16, choices=CenterLevel.choices, db_index=True)
    managing_office = models.ForeignKey("core.Organization", verbose_name=_("管理部门"), on_delete=models.PROTECT,
                                        related_name="managed_centers")
    region_code = models.CharField(_("行政区划代码"), max_length=6, validators=[validate_region_code], db_index=True)
    staff_count = models.PositiveIntegerField(_("工作人员数"), null=True, blank=True)
    started_on = models.DateField(_("开始运行日期"), null=True, blank=True)
    status = models.CharField(_("状态"), max_length=20, choices=CenterStatus.choices, default=CenterStatus.BUILDING,
                              db_index=True)
    branch_flag = models.TextField(_("疑似分中心提示"), blank=True,
                                   help_text=_("名称或建设主体疑似未经批准的分中心，供管理部门核查"))
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("登记人"), null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(_("登记时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    access = AccessRule(
        owner_fields=("organization",),
        public_view=Q(status__in=PUBLIC_STATUSES),
        office_view=Q(),
        region_field="region_code",
        assignable=True,
    )

    class Meta:
        verbose_name = _("运营中心")
        verbose_name_plural = _("运营中心")
        ordering = ["level", "name"]

    def __str__(self) -> str:
        return self.name


class DecisionKind(models.TextChoices):
    STATUS_CHANGE = "status_change", _("状态变更")
    CORRECTION = "correction", _("更正")


class ImmutableRecord(Exception):
    pass


class ImmutableModel(models.Model):
    """A decision-like record that is never changed or deleted once written; a correction is a new record
    that references the old one."""

    immutable_message = "该记录一经作出不可修改或删除；如需更正，请新建一条引用原记录的更正"

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        if self.pk is not None and type(self).objects.filter(pk=self.pk).exists():
            raise ImmutableRecord(self.immutable_message)
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ImmutableRecord(self.immutable_message)


class CenterDecision(ImmutableModel):
    """A decision on a center's status: who, when, why, the document. Immutable once written;
    a later correction is a new decision that references the one it corrects."""

    center = models.ForeignKey(Center, verbose_name=_("运营中心"), on_delete=models.PROTECT, related_name="decisions")
    kind = models.CharField(_("类型"), max_length=16, choices=DecisionKind.choices, default=DecisionKind.STATUS_CHANGE)
    from_status = models.CharField(_("原状态"), max_length=20, choices=CenterStatus.choices, blank=True)
    to_status = models.CharField(_("新状态"), max_length=20, choices=CenterStatus.choices)
    reason = models.TextField(_("理由"))
    document_ref = models.CharField(_("文件名称或文号"), max_length=300)
    document = models.FileField(_("文件"), upload_to="centers/decisions/%Y/", blank=True)
    corrects = models.ForeignKey("self", verbose_name=_("更正的决定"), null=True, blank=True, on_delete=models.PROTECT,
                                 related_name="corrections")
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("决定人"), null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    decided_by_name = models.CharField(_("决定人名称"), max_length=150)
    office = models.ForeignKey("core.Organization", verbose_name=_("决定机关"), null=True, blank=True,
                               on_delete=models.PROTECT, related_name="+")
    name_before = models.CharField(_("决定前名称"), max_length=200, blank=True)
    name_after = models.CharField(_("决定后名称"), max_length=200, blank=True)
    decided_at = models.DateTimeField(_("决定时间"), auto_now_add=True)

    # Everyone sees the recognition of a recognised center; the rest of its history stays with the center
    # and its offices.
    access = AccessRule(owner_fields=("center__organization",),
                        public_view=Q(center__status__in=PUBLIC_STATUSES, to_status__in=PUBLIC_STATUSES),
                        office_view=Q(), region_field="center__region_code")

    class Meta:
        verbose_name = _("运营中心状态决定")
        verbose_name_plural = _("运营中心状态决定")
        ordering = ["decided_at", "id"]

    immutable_message = "运营中心状态决定一经作出不可修改或删除；如需更正，请新建一条引用原决定的更正记录"

    def __str__(self) -> str:
        # statuses by their labels: this text is what the audit log and related-record fields show people
        statuses = dict(CenterStatus.choices)
        change = str(statuses.get(self.to_status, self.to_status))
        if self.from_status:
            change = f"{statuses.get(self.from_status, self.from_status)} → {change}"
        return f"{self.center} {change}（{self.document_ref}）"


class EvidenceKind(models.TextChoices):
    WORK_UNIT = "work_unit", _("工作机构")
    PREMISES = "premises", _("场地")
    PERSONNEL = "personnel", _("人员")
    FUNDING = "funding", _("经费")
    OTHER = "other", _("其他")


class CenterEvidence(models.Model):
    """A declared condition (工作机构、场地、人员、经费) with its evidence attachment."""

    center = models.ForeignKey(Center, verbose_name=_("运营中心"), on_delete=models.CASCADE, related_name="evidence")
    kind = models.CharField(_("条件"), max_length=16, choices=EvidenceKind.choices)
    description = models.TextField(_("说明"))
    file = models.FileField(_("证明材料"), upload_to="centers/evidence/%Y/", blank=True)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("提交人"), null=True, blank=True,
                                    on_delete=models.SET_NULL, related_name="+")
    uploaded_at = models.DateTimeField(_("提交时间"), auto_now_add=True)

    access = AccessRule(owner_fields=("center__organization",), office_view=Q(), region_field="center__region_code")

    class Meta:
        verbose_name = _("条件保障材料")
        verbose_name_plural = _("条件保障材料")
        ordering = ["kind", "id"]

    def __str__(self) -> str:
        return f"{self.center} · {self.get_kind_display()}"


# ============================================================== 认定 (recognition): 申报 → 推荐 → 形式审查 → 专家评审 → 公示 → 认定


class ApplicationStatus(models.TextChoices):
    DRAFT = "draft", _("草稿")
    SUBMITTED = "submitted", _("待地方推荐")
    RECOMMENDED = "recommended", _("待形式审查")
    RETURNED = "returned", _("退回补正")
    NOT_RECOMMENDED = "not_recommended", _("未获推荐")
    EXPERT_REVIEW = "expert_review", _("专家评审中")
    PUBLICITY = "publicity", _("公示中")
    RECOGNISED = "recognised", _("已认定")
    REJECTED = "rejected", _("未予认定")
    WITHDRAWN = "withdrawn", _("已撤回")


APPLICATION_OPEN_STATUSES = (ApplicationStatus.DRAFT, ApplicationStatus.SUBMITTED, ApplicationStatus.RECOMMENDED,
                             ApplicationStatus.RETURNED, ApplicationStatus.EXPERT_REVIEW, ApplicationStatus.PUBLICITY)


class RecognitionApplication(models.Model):
    """一次认定申请 (中心申报), for the center's level, decided by its managing office and recommended by the
    office one level below whose area covers the center (none for the lowest level)."""

    center = models.ForeignKey(Center, verbose_name=_("运营中心"), on_delete=models.PROTECT,
                               related_name="applications")
    level = models.CharField(_("申请层级"), max_length=16, choices=CenterLevel.choices)
    year = models.PositiveIntegerField(_("工作成效年度"))
    status = models.CharField(_("状态"), max_length=20, choices=ApplicationStatus.choices,
                              default=ApplicationStatus.DRAFT, db_index=True)
    summary = models.TextField(_("申报书：建设与运行情况"), blank=True)
    achievements = models.TextField(_("申报书：工作成效说明"), blank=True)
    plan = models.TextField(_("申报书：下一步工作计划"), blank=True)
    recommending_office = models.ForeignKey("core.Organization", verbose_name=_("推荐部门"), null=True, blank=True,
                                            on_delete=models.PROTECT, related_name="+")
    deciding_office = models.ForeignKey("core.Organization", verbose_name=_("认定部门"), on_delete=models.PROTECT,
                                        related_name="+")
    conditions_snapshot = models.JSONField(_("申报时的基础条件核查"), default=dict, blank=True,
                                           encoder=DjangoJSONEncoder)
    due_on = models.DateField(_("当前环节办理期限"), null=True, blank=True)
    publicity_start = models.DateField(_("公示开始日期"), null=True, blank=True)
    publicity_end = models.DateField(_("公示截止日期"), null=True, blank=True)
    publicity_notice = models.TextField(_("公示内容"), blank=True)
    scoring_sheet = models.JSONField(_("评分表（受理时的认定部门规则）"), default=list, blank=True)
    score = models.DecimalField(_("专家评审综合得分"), max_digits=6, decimal_places=2, null=True, blank=True)
    decision = models.ForeignKey(CenterDecision, verbose_name=_("认定决定"), null=True, blank=True,
                                 on_delete=models.PROTECT, related_name="+")
    certificate_no = models.CharField(_("证书编号"), max_length=64, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("申报人"), null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    # The public reads only the publicity notice and the certificate (selectors.publicity_list,
    # recognised_application_get), never the application form, its figures or the internal opinions.
    access = AccessRule(
        owner_fields=("center__organization",),
        office_view=Q(),
        region_field="center__region_code",
        assignable=True,
    )

    class Meta:
        verbose_name = _("认定申请")
        verbose_name_plural = _("认定申请")
        ordering = ["-created_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["certificate_no"], condition=~Q(certificate_no=""),
                                               name="center_certificate_no_unique")]

    def __str__(self) -> str:
        return _("%(center)s %(level)s认定申请（%(year)s年度）") % {
            "center": self.center, "level": self.get_level_display(), "year": self.year}


class ApplicationMove(ImmutableModel):
    """One step of an application (提交、推荐、退回、受理 …): who, when, why, the stage it left and entered."""

    application = models.ForeignKey(RecognitionApplication, on_delete=models.CASCADE, related_name="moves")
    action = models.CharField(_("操作"), max_length=32)
    from_status = models.CharField(_("原状态"), max_length=20, choices=ApplicationStatus.choices, blank=True)
    to_status = models.CharField(_("新状态"), max_length=20, choices=ApplicationStatus.choices)
    reason = models.TextField(_("意见或理由"), blank=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                              related_name="+")
    actor_name = models.CharField(_("办理人"), max_length=150)
    office = models.ForeignKey("core.Organization", verbose_name=_("办理部门"), null=True, blank=True,
                               on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(_("时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("认定环节记录")
        verbose_name_plural = _("认定环节记录")
        ordering = ["at", "id"]

    immutable_message = "认定环节记录不可修改或删除"

    def __str__(self) -> str:
        return f"{self.application_id}: {self.from_status} → {self.to_status}"


class ApplicationMaterial(models.Model):
    """申报材料: an attachment of the application (申报书、证明材料、补正材料)."""

    application = models.ForeignKey(RecognitionApplication, on_delete=models.CASCADE, related_name="materials")
    title = models.CharField(_("材料名称"), max_length=200)
    file = models.FileField(_("文件"), upload_to="centers/applications/%Y/")
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+")
    uploaded_at = models.DateTimeField(_("上传时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("申报材料")
        verbose_name_plural = _("申报材料")
        ordering = ["id"]

    def __str__(self) -> str:
        return self.title


class ConflictDeclaration(models.TextChoices):
    PENDING = "", _("未声明")
    NONE = "none", _("无利益冲突")
    CONFLICT = "conflict", _("存在利益冲突（回避）")


class ExpertReview(models.Model):
    """One expert's work on an application (认定专家评审) or an evaluation (定期评价专家意见):
    the conflict-of-interest declaration first, then a scoring sheet (one score per criterion)."""

    application = models.ForeignKey(RecognitionApplication, verbose_name=_("认定申请"), null=True, blank=True,
                                    on_delete=models.CASCADE, related_name="reviews")
    evaluation = models.ForeignKey("Evaluation", verbose_name=_("定期评价"), null=True, blank=True,
                                   on_delete=models.CASCADE, related_name="reviews")
    expert = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("评审专家"), on_delete=models.PROTECT,
                               related_name="center_reviews")
    assigned_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("指派人"), null=True, blank=True,
                                    on_delete=models.SET_NULL, related_name="+")
    assigned_at = models.DateTimeField(_("指派时间"), auto_now_add=True)
    due_on = models.DateField(_("评审期限"), null=True, blank=True)
    declaration = models.CharField(_("利益冲突声明"), max_length=16, choices=ConflictDeclaration.choices,
                                   blank=True, default=ConflictDeclaration.PENDING)
    declaration_note = models.TextField(_("声明说明"), blank=True)
    declared_at = models.DateTimeField(_("声明时间"), null=True, blank=True)
    scores = models.JSONField(_("评分表"), default=dict, blank=True)
    total = models.DecimalField(_("总分"), max_digits=6, decimal_places=2, null=True, blank=True)
    comment = models.TextField(_("评审意见"), blank=True)
    submitted_at = models.DateTimeField(_("提交时间"), null=True, blank=True)

    # The expert's own reviews; offices reach reviews through the application or evaluation they decide on.
    access = AccessRule(owner_fields=(), creator_field="expert")

    class Meta:
        verbose_name = _("专家评审")
        verbose_name_plural = _("专家评审")
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["application", "expert"], name="center_review_unique_application"),
            models.UniqueConstraint(fields=["evaluation", "expert"], name="center_review_unique_evaluation"),
            models.CheckConstraint(condition=Q(application__isnull=False) ^ Q(evaluation__isnull=False),
                                   name="center_review_one_target"),
        ]

    def __str__(self) -> str:
        return f"{self.expert} · {self.application or self.evaluation}"


class Objection(models.Model):
    """公示期内的异议: recorded (anyone, with name and contact) and resolved by the deciding office."""

    application = models.ForeignKey(RecognitionApplication, verbose_name=_("认定申请"), on_delete=models.CASCADE,
                                    related_name="objections")
    submitter_name = models.CharField(_("异议人"), max_length=100)
    submitter_contact = models.CharField(_("联系方式"), max_length=100)
    content = models.TextField(_("异议内容"))
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                     related_name="+")
    submitted_at = models.DateTimeField(_("提出时间"), auto_now_add=True)
    upheld = models.BooleanField(_("异议成立"), null=True, blank=True)
    resolution = models.TextField(_("处理意见"), blank=True)
    resolved_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+")
    resolved_at = models.DateTimeField(_("处理时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("公示异议")
        verbose_name_plural = _("公示异议")
        ordering = ["submitted_at", "id"]

    def __str__(self) -> str:
        return f"{self.application_id}: {self.submitter_name}"


# ============================================================== 年度工作报告、定期评价、动态管理


class ReportStatus(models.TextChoices):
    DRAFT = "draft", _("编制中")
    SUBMITTED = "submitted", _("已提交")
    RETURNED = "returned", _("退回修改")
    ACCEPTED = "accepted", _("审核通过")


class AnnualReport(models.Model):
    """年度工作报告: generated from the center's records across the five duties, edited and submitted by the
    center, reviewed by its office. ``lines`` is the figure snapshot taken when the report was (re)generated;
    every line carries the ids of the records behind it."""

    center = models.ForeignKey(Center, verbose_name=_("运营中心"), on_delete=models.PROTECT,
                               related_name="annual_reports")
    year = models.PositiveIntegerField(_("年度"))
    status = models.CharField(_("状态"), max_length=16, choices=ReportStatus.choices, default=ReportStatus.DRAFT,
                              db_index=True)
    lines = models.JSONField(_("指标"), default=list, blank=True, encoder=DjangoJSONEncoder)
    narrative = models.JSONField(_("工作情况说明"), default=dict, blank=True)
    generated_at = models.DateTimeField(_("生成时间"), null=True, blank=True)
    submitted_at = models.DateTimeField(_("提交时间"), null=True, blank=True)
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                     related_name="+")
    reviewed_at = models.DateTimeField(_("审核时间"), null=True, blank=True)
    reviewed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+")
    review_comment = models.TextField(_("审核意见"), blank=True)

    access = AccessRule(owner_fields=("center__organization",), office_view=Q(), region_field="center__region_code",
                        assignable=True)

    class Meta:
        verbose_name = _("年度工作报告")
        verbose_name_plural = _("年度工作报告")
        ordering = ["-year", "center__name"]
        constraints = [models.UniqueConstraint(fields=["center", "year"], name="center_report_unique_year")]

    def __str__(self) -> str:
        return _("%(center)s %(year)s年度工作报告") % {"center": self.center, "year": self.year}


class Grade(models.TextChoices):
    EXCELLENT = "excellent", _("优秀")
    GOOD = "good", _("良好")
    PASS = "pass", _("合格")
    FAIL = "fail", _("不合格")


class EvaluationStatus(models.TextChoices):
    DRAFT = "draft", _("评价中")
    FINAL = "final", _("已定级")


class Evaluation(models.Model):
    """定期评价: the indicator system applied to a center's year — figures from its accepted annual report and
    records, expert scores for the expert indicators, a weighted total and a grade. Immutable once final; a
    later correction is a new evaluation that references the one it supersedes."""

    center = models.ForeignKey(Center, verbose_name=_("运营中心"), on_delete=models.PROTECT,
                               related_name="evaluations")
    year = models.PositiveIntegerField(_("评价年度"))
    report = models.ForeignKey(AnnualReport, verbose_name=_("年度工作报告"), null=True, blank=True,
                               on_delete=models.PROTECT, related_name="evaluations")
    status = models.CharField(_("状态"), max_length=8, choices=EvaluationStatus.choices,
                              default=EvaluationStatus.DRAFT)
    indicator_system = models.JSONField(_("指标体系（开展评价时的管理部门规则）"), default=list, blank=True)
    indicators = models.JSONField(_("指标得分"), default=list, blank=True)
    total = models.DecimalField(_("综合得分"), max_digits=6, decimal_places=2, null=True, blank=True)
    grade = models.CharField(_("评价等次"), max_length=16, choices=Grade.choices, blank=True)
    comment = models.TextField(_("评价意见"), blank=True)
    supersedes = models.ForeignKey("self", verbose_name=_("更正的评价"), null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="corrections")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    finalised_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                     related_name="+")
    finalised_at = models.DateTimeField(_("定级时间"), null=True, blank=True)

    access = AccessRule(owner_fields=("center__organization",), office_view=Q(), region_field="center__region_code",
                        assignable=True)

    class Meta:
        verbose_name = _("定期评价")
        verbose_name_plural = _("定期评价")
        ordering = ["-year", "-id"]
        constraints = [models.UniqueConstraint(fields=["center", "year"], condition=Q(status="draft"),
                                               name="center_one_draft_evaluation_a_year")]

    def __str__(self) -> str:
        return _("%(center)s %(year)s年度定期评价") % {"center": self.center, "year": self.year}

    def save(self, *args, **kwargs):
        if self.pk is not None and type(self).objects.filter(pk=self.pk, status=EvaluationStatus.FINAL).exists():
            raise ImmutableRecord("定级后的定期评价不可修改；如需更正，请新建一条引用原评价的评价")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        if self.status == EvaluationStatus.FINAL:
            raise ImmutableRecord("定级后的定期评价不可删除")
        super().delete(*args, **kwargs)


class ManagementKind(models.TextChoices):
    RECTIFICATION = "rectification", _("限期整改")
    FOLLOW_UP_PASSED = "follow_up_passed", _("整改复查通过")
    FOLLOW_UP_FAILED = "follow_up_failed", _("整改复查不通过")
    REVOCATION = "revocation", _("取消资格")
    COMMENDATION = "commendation", _("鼓励支持")
    CORRECTION = "correction", _("更正")


class RevocationGround(models.TextChoices):
    FAILED_RECTIFICATION = "failed_rectification", _("整改不合格")
    FRAUD = "fraud", _("弄虚作假")
    SUB_CENTER = "sub_center", _("自行设立分中心")
    OTHER = "other", _("其他")


class ManagementAction(ImmutableModel):
    """动态管理 decision (限期整改 / 复查 / 取消资格 / 鼓励支持): immutable; a correction is a new record
    referencing the old. Status effects go through ``CenterDecision`` (``decision``)."""

    center = models.ForeignKey(Center, verbose_name=_("运营中心"), on_delete=models.PROTECT,
                               related_name="management_actions")
    kind = models.CharField(_("类型"), max_length=20, choices=ManagementKind.choices)
    evaluation = models.ForeignKey(Evaluation, verbose_name=_("依据的评价"), null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="actions")
    follows = models.ForeignKey("self", verbose_name=_("关联的整改要求"), null=True, blank=True,
                                on_delete=models.PROTECT, related_name="follow_ups")
    corrects = models.ForeignKey("self", verbose_name=_("更正的记录"), null=True, blank=True,
                                 on_delete=models.PROTECT, related_name="corrections")
    ground = models.CharField(_("取消资格事由"), max_length=24, choices=RevocationGround.choices, blank=True)
    deadline = models.DateField(_("整改期限"), null=True, blank=True)
    content = models.TextField(_("内容（整改要求、复查意见、支持措施等）"))
    document_ref = models.CharField(_("文件名称或文号"), max_length=300)
    decision = models.ForeignKey(CenterDecision, verbose_name=_("状态决定"), null=True, blank=True,
                                 on_delete=models.PROTECT, related_name="+")
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    decided_at = models.DateTimeField(_("决定时间"), auto_now_add=True)

    access = AccessRule(owner_fields=("center__organization",),
                        public_view=Q(kind=ManagementKind.COMMENDATION), office_view=Q(),
                        region_field="center__region_code")

    class Meta:
        verbose_name = _("动态管理记录")
        verbose_name_plural = _("动态管理记录")
        ordering = ["decided_at", "id"]

    immutable_message = "动态管理记录一经作出不可修改或删除；如需更正，请新建一条引用原记录的更正"

    def __str__(self) -> str:
        return f"{self.center} · {self.get_kind_display()}"


class RectificationReport(models.Model):
    """The center's 整改报告 answering a 限期整改 requirement."""

    action = models.ForeignKey(ManagementAction, verbose_name=_("整改要求"), on_delete=models.PROTECT,
                               related_name="reports")
    content = models.TextField(_("整改情况"))
    file = models.FileField(_("附件"), upload_to="centers/rectification/%Y/", blank=True)
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                     related_name="+")
    submitted_at = models.DateTimeField(_("提交时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("整改报告")
        verbose_name_plural = _("整改报告")
        ordering = ["submitted_at", "id"]

    def __str__(self) -> str:
        return f"{self.action} · {self.submitted_at:%Y-%m-%d}"


class RuleOverride(models.Model):
    """An office's own value for a configurable rule (地方参照开展本级认定、评价，按本地标准): it applies to the
    centers that office manages. Every change is audited; removing the row restores the platform default."""

    office = models.ForeignKey("core.Organization", verbose_name=_("管理部门"), on_delete=models.CASCADE,
                               related_name="center_rule_overrides")
    code = models.CharField(_("规则"), max_length=64)
    value = models.JSONField(_("取值"))
    reason = models.TextField(_("依据或说明"))
    changed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    changed_at = models.DateTimeField(_("修改时间"), auto_now=True)

    class Meta:
        verbose_name = _("本级规则设置")
        verbose_name_plural = _("本级规则设置")
        ordering = ["office", "code"]
        constraints = [models.UniqueConstraint(fields=["office", "code"], name="center_rule_override_unique")]

    def __str__(self) -> str:
        return f"{self.office} · {self.code}"
