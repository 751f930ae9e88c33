"""专利记录: one normalised store for CN, US and EP patents, with import batches and their reports.

A patent's identity is its ``key``: the canonical publication number (e.g.
``CN218751475U``), else its grant number, else ``ext:<source>:<id>`` for
sources without numbers (the BDCI and KPPatent research sets).
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.db.models import F, OrderBy, Q
from django.utils.translation import gettext_lazy as _

from ipoc.core.permissions import AccessRule
from ipoc.patents import lifecycle

# Newest filing first, patents without a filing date last on every engine (PostgreSQL puts NULLs first in a
# descending sort, SQLite last: the demo on PostgreSQL opened its list with 30 undated title-only records).
# Meta.ordering, the pickers and the drill-down lists share it; Patent's "newest_first" index serves it.
NEWEST_FIRST = (F("application_date").desc(nulls_last=True), F("id").desc())


class NullsLastIndex(models.Index):
    """An index on ``NEWEST_FIRST``-style keys. Only PostgreSQL can say NULLS LAST in an index; SQLite refuses it,
    and its descending index puts NULLs last anyway, so there the same keys are indexed without it."""

    def create_sql(self, model, schema_editor, using="", **kwargs):
        if schema_editor.connection.vendor == "postgresql":
            return super().create_sql(model, schema_editor, using=using, **kwargs)
        plain = models.Index(*(OrderBy(e.expression, descending=e.descending) for e in self.expressions),
                             name=self.name)
        return plain.create_sql(model, schema_editor, using=using, **kwargs)


class PatentType(models.TextChoices):
    INVENTION = "invention", _("发明")
    UTILITY_MODEL = "utility_model", _("实用新型")
    DESIGN = "design", _("外观设计")


class LegalStatus(models.TextChoices):
    VALID = "valid", _("有效")
    PENDING = "pending", _("审中")
    LAPSED = "lapsed", _("失效")


class ApplicantType(models.TextChoices):
    ENTERPRISE = "enterprise", _("企业")
    UNIVERSITY = "university", _("高校")
    RESEARCH = "research", _("科研机构")
    INDIVIDUAL = "individual", _("个人")
    PUBLIC_BODY = "public_body", _("机关团体")


# The parsing layer speaks Chinese domain values; the database stores these codes.
PATENT_TYPE_FROM_CN = {"发明": PatentType.INVENTION, "实用新型": PatentType.UTILITY_MODEL, "外观设计": PatentType.DESIGN}
PATENT_TYPE_TO_CN = {v: k for k, v in PATENT_TYPE_FROM_CN.items()}
LEGAL_STATUS_FROM_CN = {"有效": LegalStatus.VALID, "审中": LegalStatus.PENDING, "失效": LegalStatus.LAPSED}
APPLICANT_TYPE_FROM_CN = {"企业": ApplicantType.ENTERPRISE, "高校": ApplicantType.UNIVERSITY,
                          "科研机构": ApplicantType.RESEARCH, "个人": ApplicantType.INDIVIDUAL,
                          "机关团体": ApplicantType.PUBLIC_BODY}


class Patent(models.Model):
    """一件专利（著录项目、文本、法律状态、引证、同族、运营记录）."""

    key = models.CharField(_("唯一键"), max_length=160, unique=True)
    application_number = models.CharField(_("申请号"), max_length=40, blank=True, db_index=True)
    application_number_raw = models.CharField(_("申请号（原文）"), max_length=80, blank=True)
    publication_number = models.CharField(_("公开（公告）号"), max_length=40, blank=True, db_index=True)
    publication_number_raw = models.CharField(_("公开（公告）号（原文）"), max_length=80, blank=True)
    grant_number = models.CharField(_("授权公告号"), max_length=40, blank=True, db_index=True)
    grant_number_raw = models.CharField(_("授权公告号（原文）"), max_length=80, blank=True)
    external_id = models.CharField(_("外部ID"), max_length=100, blank=True)
    source = models.CharField(_("数据来源"), max_length=60, blank=True)
    jurisdiction = models.CharField(_("国家/地区"), max_length=4, blank=True)
    kind_code = models.CharField(_("文献类型代码"), max_length=4, blank=True)
    patent_type = models.CharField(_("专利类型"), max_length=16, choices=PatentType.choices, blank=True)
    title = models.TextField(_("名称"))
    title_translations = models.JSONField(_("多语种名称"), default=dict, blank=True)
    abstract = models.TextField(_("摘要"), blank=True)
    claims = models.JSONField(_("权利要求"), default=list, blank=True,
                              help_text=_("[{number, text, independent, refers_to}]"))
    claims_translations = models.JSONField(_("多语种权利要求"), default=dict, blank=True)
    description = models.TextField(_("说明书"), blank=True)
    language = models.CharField(_("语种"), max_length=8, blank=True)
    claims_count = models.PositiveIntegerField(_("权利要求数"), default=0)
    independent_claims_count = models.PositiveIntegerField(_("独立权利要求数"), default=0)
    claim1_chars = models.PositiveIntegerField(_("权利要求1字数"), null=True, blank=True)
    claim1_features = models.PositiveIntegerField(_("权利要求1技术特征数"), null=True, blank=True)
    inventors = models.JSONField(_("发明人"), default=list, blank=True)
    agency = models.CharField(_("代理机构"), max_length=200, blank=True)
    agents = models.JSONField(_("代理人"), default=list, blank=True)
    examiner = models.CharField(_("审查员"), max_length=100, blank=True)
    ipc_main = models.CharField(_("IPC主分类号"), max_length=32, blank=True, db_index=True)
    cpc_main = models.CharField(_("CPC主分类号"), max_length=32, blank=True)
    application_date = models.DateField(_("申请日"), null=True, blank=True, db_index=True)
    publication_date = models.DateField(_("公开（公告）日"), null=True, blank=True, db_index=True)
    grant_date = models.DateField(_("授权公告日"), null=True, blank=True, db_index=True)
    priority_date = models.DateField(_("最早优先权日"), null=True, blank=True)
    priority_claims = models.JSONField(_("优先权"), default=list, blank=True)
    region_code = models.CharField(_("国省代码"), max_length=8, blank=True, db_index=True)
    region_name = models.CharField(_("国省名称"), max_length=50, blank=True)
    legal_status = models.CharField(_("法律状态"), max_length=16, choices=LegalStatus.choices, blank=True)
    legal_status_detail = models.CharField(_("法律状态详情"), max_length=200, blank=True)
    legal_events = models.JSONField(_("法律事件"), default=list, blank=True)
    lapse_date = models.DateField(_("失效日期"), null=True, blank=True)
    expiry_date = models.DateField(_("期限届满日"), null=True, blank=True,
                                   help_text=_("按专利类型与申请日计算：发明20年，实用新型10年，外观设计10年（2021-06-01起申请15年）"))
    examination_days = models.PositiveIntegerField(_("审查时长（天）"), null=True, blank=True)
    backward_citations = models.JSONField(_("引证文献"), default=list, blank=True)
    forward_citations = models.JSONField(_("被引证文献"), default=list, blank=True)
    family_members = models.JSONField(_("同族专利"), default=list, blank=True)
    backward_citations_count = models.PositiveIntegerField(_("引证数"), default=0)
    forward_citations_count = models.PositiveIntegerField(_("被引证数"), default=0)
    family_size = models.PositiveIntegerField(_("同族数"), default=0)
    transfer_count = models.PositiveIntegerField(_("转让次数"), default=0)
    last_transfer_date = models.DateField(_("最近转让日"), null=True, blank=True)
    licence_count = models.PositiveIntegerField(_("许可次数"), default=0)
    last_licence_date = models.DateField(_("最近许可日"), null=True, blank=True)
    pledge_count = models.PositiveIntegerField(_("质押次数"), default=0)
    last_pledge_date = models.DateField(_("最近质押日"), null=True, blank=True)
    source_meta = models.JSONField(_("来源附加信息"), default=dict, blank=True)
    flags = models.JSONField(_("导入提示"), default=list, blank=True)
    content_hash = models.CharField(max_length=40, editable=False)
    last_import = models.ForeignKey("ImportBatch", null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    # Patent records are public information: every signed-in user may read them.
    access = AccessRule(public_view=Q())

    class Meta:
        verbose_name = _("专利")
        verbose_name_plural = _("专利")
        ordering = list(NEWEST_FIRST)
        # The list's order needs its own index: the plain one on application_date serves date ranges and the
        # ascending sort (NULLS LAST), but read backwards it gives NULLS FIRST.
        indexes = [NullsLastIndex(*NEWEST_FIRST, name="patent_newest_first")]
        # Low-cardinality fields (type, status, jurisdiction, source) carry no single-column index: every
        # import row would maintain it, and at scale the search index answers those filters.

    def __str__(self) -> str:
        return f"{self.publication_number or self.key} {self.title[:60]}"

    @property
    def number(self) -> str:
        """The number a person would quote: publication number, else the external id key."""
        return self.publication_number or self.grant_number or self.key

    def computed_expiry(self) -> dt.date | None:
        if not self.patent_type or not self.application_date:
            return None
        return lifecycle.expiry_date(PATENT_TYPE_TO_CN[self.patent_type], self.application_date)

    def remaining_life_years(self, on_date: dt.date | None = None) -> float | None:
        if not self.patent_type or not self.application_date:
            return None
        if self.legal_status == LegalStatus.LAPSED:
            return 0.0
        return lifecycle.remaining_life_years(PATENT_TYPE_TO_CN[self.patent_type], self.application_date, on_date)

    def in_force_on(self, on_date: dt.date | None = None) -> bool:
        status = {v: k for k, v in LEGAL_STATUS_FROM_CN.items()}.get(self.legal_status)
        return lifecycle.in_force(status, on_date, expiry=self.expiry_date, lapse_date=self.lapse_date,
                                  grant_date=self.grant_date)


class PartyRole(models.TextChoices):
    APPLICANT = "applicant", _("申请人")
    HOLDER = "holder", _("当前权利人")


class PatentParty(models.Model):
    """申请人 / 当前权利人 of a patent, linked to an organisation (not for individuals)."""

    patent = models.ForeignKey(Patent, on_delete=models.CASCADE, related_name="parties")
    role = models.CharField(_("角色"), max_length=16, choices=PartyRole.choices)
    position = models.PositiveSmallIntegerField(_("顺序"), default=0)
    name = models.CharField(_("名称"), max_length=300)
    party_type = models.CharField(_("申请人类型"), max_length=16, choices=ApplicantType.choices, blank=True,
                                  db_index=True)
    organization = models.ForeignKey("core.Organization", null=True, blank=True, on_delete=models.SET_NULL,
                                     related_name="patent_parties")
    country = models.CharField(_("国家"), max_length=4, blank=True)
    address = models.CharField(_("地址"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("申请人/权利人")
        verbose_name_plural = _("申请人/权利人")
        ordering = ["patent", "role", "position"]
        # no index on name: the applicant filter is a substring match, which a b-tree cannot serve
        indexes = [models.Index(fields=["organization", "role"])]

    def __str__(self) -> str:
        return self.name


class PatentClassification(models.Model):
    """One IPC or CPC symbol of a patent (normalised like ``H04N5/225``), for prefix filters and statistics."""

    patent = models.ForeignKey(Patent, on_delete=models.CASCADE, related_name="classifications")
    scheme = models.CharField(max_length=4, default="ipc")  # ipc / cpc
    code = models.CharField(_("分类号"), max_length=32)
    subclass = models.CharField(_("小类"), max_length=4, db_index=True)
    is_main = models.BooleanField(_("主分类"), default=False)

    class Meta:
        verbose_name = _("分类号")
        verbose_name_plural = _("分类号")
        indexes = [models.Index(fields=["scheme", "code"])]

    def __str__(self) -> str:
        return self.code


class ImportStatus(models.TextChoices):
    RUNNING = "running", _("导入中")
    DONE = "done", _("已完成")
    FAILED = "failed", _("失败")
    INTERRUPTED = "interrupted", _("已中断")


class ImportBatch(models.Model):
    """One import of one file, and its report: counts and every rejected row."""

    file_name = models.CharField(_("文件名"), max_length=300)
    file_path = models.CharField(_("文件路径"), max_length=1000)
    file_sha256 = models.CharField(max_length=64, blank=True)
    format = models.CharField(_("格式"), max_length=20)
    options = models.JSONField(_("选项"), default=dict, blank=True)
    status = models.CharField(_("状态"), max_length=16, choices=ImportStatus.choices, default=ImportStatus.RUNNING)
    rows_read = models.PositiveIntegerField(_("已读行数"), default=0)
    new_count = models.PositiveIntegerField(_("新增"), default=0)
    updated_count = models.PositiveIntegerField(_("更新"), default=0)
    unchanged_count = models.PositiveIntegerField(_("未变"), default=0)
    rejected_count = models.PositiveIntegerField(_("拒绝"), default=0)
    seconds = models.FloatField(_("耗时（秒）"), null=True, blank=True)
    job = models.ForeignKey("core.Job", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    organization = models.ForeignKey("core.Organization", null=True, blank=True, on_delete=models.SET_NULL,
                                     related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    access = AccessRule(owner_fields=("organization",), creator_field="created_by")

    class Meta:
        verbose_name = _("导入批次")
        verbose_name_plural = _("导入批次")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.file_name} ({self.format})"

    def counts(self) -> dict[str, int]:
        return {"rows": self.rows_read, "new": self.new_count, "updated": self.updated_count,
                "unchanged": self.unchanged_count, "rejected": self.rejected_count}


class ImportRejection(models.Model):
    """A rejected source row: where (file, row, field) and why."""

    batch = models.ForeignKey(ImportBatch, on_delete=models.CASCADE, related_name="rejections")
    file = models.CharField(_("文件"), max_length=300)
    row = models.PositiveIntegerField(_("行"))
    field = models.CharField(_("字段"), max_length=100)
    reason = models.TextField(_("原因"))

    class Meta:
        verbose_name = _("拒绝行")
        verbose_name_plural = _("拒绝行")
        ordering = ["batch", "row", "id"]

    def __str__(self) -> str:
        return f"{self.file}:{self.row} [{self.field}] {self.reason}"
