"""专利导航与分析: patent sets (专利集合), their members, the 技术功效矩阵 terms and the landscape reports made.

A set is defined by what it is (a saved search, a 产业链 node, an import batch, a stock list, a pool or a
hand-picked list) and evaluated into its members; it is re-evaluated after each import, and keeps its size
and the date of that evaluation. Analyses aggregate over the members in the database (``engine.py``).
"""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxLengthValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from ipoc.core.permissions import AccessRule


class SetKind(models.TextChoices):
    SEARCH = "search", _("保存的检索")
    CHAIN_NODE = "chain_node", _("产业链节点")
    IMPORT_BATCH = "import_batch", _("导入批次")
    STOCK = "stock", _("存量专利清单")
    POOL = "pool", _("专利池")
    MANUAL = "manual", _("自选专利清单")


class PatentSet(models.Model):
    """一个专利集合 (the object of a 专利导航 / landscape analysis)."""

    name = models.CharField(_("集合名称"), max_length=200)
    kind = models.CharField(_("集合类型"), max_length=16, choices=SetKind.choices)
    definition = models.JSONField(_("集合定义"), default=dict, blank=True,
                                  help_text=_("检索式与筛选条件、节点、批次、机构或专利清单"))
    description = models.TextField(_("说明"), blank=True, validators=[MaxLengthValidator(2000)])
    organization = models.ForeignKey("core.Organization", verbose_name=_("所属机构"), null=True, blank=True,
                                     on_delete=models.CASCADE, related_name="patent_sets")
    size = models.PositiveIntegerField(_("专利数"), default=0)
    evaluated_at = models.DateTimeField(_("评估时间"), null=True, blank=True)
    evaluation_note = models.CharField(_("评估说明"), max_length=300, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("创建人"), null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    access = AccessRule(owner_fields=("organization",), creator_field="created_by",
                        region_field="organization__region_code")

    class Meta:
        verbose_name = _("专利集合")
        verbose_name_plural = _("专利集合")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.name


class PatentSetMember(models.Model):
    """A patent of a set as of the set's last evaluation, with the facts the analyses count copied from the
    patent (a narrow row: aggregating over a set reads these rows, not the wide patent records with their
    texts). Re-evaluation after every import keeps the copy current.

    This row and the set's applicant, class and inventor rows are copies the evaluation writes in bulk, so their
    foreign keys carry no database constraint (``db_constraint=False``): checking two keys per inserted row made
    the evaluation of a whole-store set 2.4× slower on PostgreSQL (bench/RESULTS.md, session 10). Deleting a set
    or a patent still removes them (Django's cascade), and the evaluation only ever copies existing patents."""

    patent_set = models.ForeignKey(PatentSet, on_delete=models.CASCADE, db_constraint=False, related_name="members")
    patent = models.ForeignKey("patents.Patent", on_delete=models.CASCADE, db_constraint=False, related_name="+")
    app_year = models.CharField(_("申请年"), max_length=4, blank=True)
    grant_year = models.CharField(_("授权年"), max_length=4, blank=True)
    legal_status = models.CharField(_("法律状态"), max_length=16, blank=True)
    expiry_date = models.DateField(_("期限届满日"), null=True, blank=True)
    region_code = models.CharField(_("国省代码"), max_length=8, blank=True)
    region_name = models.CharField(_("国省名称"), max_length=50, blank=True)
    jurisdiction = models.CharField(_("国家/地区"), max_length=4, blank=True)
    transfer_count = models.PositiveIntegerField(_("转让次数"), default=0)
    transfer_year = models.CharField(_("最近转让年"), max_length=4, blank=True)
    licence_count = models.PositiveIntegerField(_("许可次数"), default=0)
    licence_year = models.CharField(_("最近许可年"), max_length=4, blank=True)
    pledge_count = models.PositiveIntegerField(_("质押次数"), default=0)
    pledge_year = models.CharField(_("最近质押年"), max_length=4, blank=True)
    forward_citations = models.PositiveIntegerField(_("被引证数"), default=0)
    backward_citations = models.PositiveIntegerField(_("引证数"), default=0)
    inventors = models.JSONField(_("发明人"), default=list, blank=True)
    priority_claims = models.JSONField(_("优先权"), default=list, blank=True)

    class Meta:
        verbose_name = _("集合专利")
        verbose_name_plural = _("集合专利")
        constraints = [models.UniqueConstraint(fields=["patent_set", "patent"], name="analytics_member_unique")]

    def __str__(self) -> str:
        return f"{self.patent_set_id}:{self.patent_id}"


class SetApplicant(models.Model):
    """An applicant of a set's patent, copied at evaluation (the applicant analyses scan these rows)."""

    patent_set = models.ForeignKey(PatentSet, on_delete=models.CASCADE, db_constraint=False, related_name="+")
    patent = models.ForeignKey("patents.Patent", on_delete=models.CASCADE, db_constraint=False, related_name="+")
    name = models.CharField(_("申请人"), max_length=300)
    party_type = models.CharField(_("申请人类型"), max_length=16, blank=True)
    app_year = models.CharField(_("申请年"), max_length=4, blank=True)

    class Meta:
        verbose_name = _("集合申请人")
        verbose_name_plural = _("集合申请人")

    def __str__(self) -> str:
        return self.name


class SetClass(models.Model):
    """An IPC code of a set's patent, copied at evaluation (the IPC analyses scan these rows)."""

    patent_set = models.ForeignKey(PatentSet, on_delete=models.CASCADE, db_constraint=False, related_name="+")
    patent = models.ForeignKey("patents.Patent", on_delete=models.CASCADE, db_constraint=False, related_name="+")
    code = models.CharField(_("分类号"), max_length=32)
    subclass = models.CharField(_("小类"), max_length=4)
    app_year = models.CharField(_("申请年"), max_length=4, blank=True)

    class Meta:
        verbose_name = _("集合分类号")
        verbose_name_plural = _("集合分类号")

    def __str__(self) -> str:
        return self.code


class SetInventor(models.Model):
    """An inventor of a set's patent, copied at evaluation (the inventor ranking scans these rows)."""

    patent_set = models.ForeignKey(PatentSet, on_delete=models.CASCADE, db_constraint=False, related_name="+")
    patent = models.ForeignKey("patents.Patent", on_delete=models.CASCADE, db_constraint=False, related_name="+")
    name = models.CharField(_("发明人"), max_length=300)

    class Meta:
        verbose_name = _("集合发明人")
        verbose_name_plural = _("集合发明人")

    def __str__(self) -> str:
        return self.name


class TermAxis(models.TextChoices):
    TECHNOLOGY = "technology", _("技术分支")
    EFFECT = "effect", _("技术功效")


class MatrixTerm(models.Model):
    """A row (技术分支) or column (技术功效) of a set's 技术功效矩阵: a label and the words that find it in a
    patent's title and abstract. Proposed from the texts, then edited and confirmed (reviewed) by staff."""

    patent_set = models.ForeignKey(PatentSet, on_delete=models.CASCADE, related_name="terms")
    axis = models.CharField(_("维度"), max_length=16, choices=TermAxis.choices)
    label = models.CharField(_("名称"), max_length=60)
    words = models.JSONField(_("检索词"), default=list, blank=True)
    reviewed = models.BooleanField(_("已审核"), default=False)
    reviewed_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("审核人"), null=True, blank=True,
                                    on_delete=models.SET_NULL, related_name="+")
    order = models.PositiveSmallIntegerField(_("顺序"), default=0)

    class Meta:
        verbose_name = _("矩阵词")
        verbose_name_plural = _("矩阵词")
        ordering = ["patent_set", "axis", "order", "id"]
        constraints = [models.UniqueConstraint(fields=["patent_set", "axis", "label"], name="analytics_term_unique")]

    def __str__(self) -> str:
        return self.label

    def search_words(self) -> list[str]:
        return [w for w in dict.fromkeys([self.label, *(self.words or [])]) if w]


class ReportFormat(models.TextChoices):
    PDF = "pdf", _("PDF")
    XLSX = "xlsx", _("Excel")
    JSON = "json", _("JSON")


class LandscapeReport(models.Model):
    """One landscape report (专利导航/分析报告) produced for a set — what the 年度专利导航与分析报告数 counts."""

    patent_set = models.ForeignKey(PatentSet, verbose_name=_("专利集合"), on_delete=models.CASCADE,
                                   related_name="reports")
    organization = models.ForeignKey("core.Organization", verbose_name=_("出具机构"), null=True, blank=True,
                                     on_delete=models.SET_NULL, related_name="+")
    format = models.CharField(_("格式"), max_length=8, choices=ReportFormat.choices)
    set_size = models.PositiveIntegerField(_("专利数"), default=0)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("出具人"), null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(_("出具时间"), auto_now_add=True)

    access = AccessRule(owner_fields=("organization",), creator_field="created_by",
                        region_field="organization__region_code")

    class Meta:
        verbose_name = _("专利导航报告")
        verbose_name_plural = _("专利导航报告")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.patent_set.name} · {self.get_format_display()} · {self.created_at:%Y-%m-%d}"
