"""重点领域专利池: a pool, its standards, licensors, listed patents (by family and country), essentiality
evaluation, licence programmes with their rate cards, licensees (agreements), licensee reports, royalty
statements, audit flags, conflict flags and the allocation to licensors.

Money is ``Decimal`` in 元 with two places; rates are 元 per unit (four places); percentages are fractions
written as percent (``12.50`` = 12.5 %). The royalty arithmetic lives in :mod:`ipoc.pools.engine`.
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from ipoc.core.permissions import AccessRule

MONEY = {"max_digits": 16, "decimal_places": 2}
RATE = {"max_digits": 14, "decimal_places": 4}
PERCENT = {"max_digits": 5, "decimal_places": 2}


class PoolStatus(models.TextChoices):
    DRAFT = "draft", _("筹建中")
    ACTIVE = "active", _("运营中")
    CLOSED = "closed", _("已关闭")


class AllocationMethod(models.TextChoices):
    POINTS = "points", _("按有效专利·国家计点")
    FAMILY_COUNTRY = "family_country", _("按专利族·国家计点")
    PATENT_COUNT = "patent_count", _("按入池专利件数")


class Pool(models.Model):
    """一个重点领域专利池: two or more patentees entrust its joint operation to an administrator (管理人)."""

    name = models.CharField(_("专利池名称"), max_length=200)
    domain = models.CharField(_("技术领域"), max_length=200, blank=True)
    description = models.TextField(_("简介"), blank=True)
    administrator = models.ForeignKey("core.Organization", verbose_name=_("管理人"), on_delete=models.PROTECT,
                                      related_name="administered_pools")
    status = models.CharField(_("状态"), max_length=16, choices=PoolStatus.choices, default=PoolStatus.DRAFT)
    admin_fee_percent = models.DecimalField(_("管理费比例（%）"), default=0, **PERCENT,
                                            help_text=_("从收取的许可费中扣除的管理人费用比例"))
    allocation_method = models.CharField(_("分配公式"), max_length=20, choices=AllocationMethod.choices,
                                         default=AllocationMethod.POINTS)
    report_due_days = models.PositiveSmallIntegerField(_("报告期限（期末后天数）"), default=30)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    # Active pools are public (their pages need no login); the administrator, licensors and licensees see theirs.
    access = AccessRule(owner_fields=("administrator", "licensors__organization", "agreements__licensee"),
                        public_view=Q(status=PoolStatus.ACTIVE), office_view=Q())

    class Meta:
        verbose_name = _("专利池")
        verbose_name_plural = _("专利池")
        ordering = ["-created_at", "-id"]
        constraints = [models.CheckConstraint(condition=Q(admin_fee_percent__gte=0, admin_fee_percent__lte=100),
                                              name="pool_fee_percent_range")]

    def __str__(self) -> str:
        return self.name


class Standard(models.Model):
    """A standard the pool's patents read on (e.g. GB/T 33475 AVS3)."""

    pool = models.ForeignKey(Pool, on_delete=models.CASCADE, related_name="standards")
    code = models.CharField(_("标准号"), max_length=80)
    name = models.CharField(_("标准名称"), max_length=200)

    access = AccessRule(owner_fields=("pool__administrator",), public_view=Q(pool__status=PoolStatus.ACTIVE))

    class Meta:
        verbose_name = _("标准")
        verbose_name_plural = _("标准")
        ordering = ["pool", "code"]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class StandardVersion(models.Model):
    """One version of a standard; a new version asks for re-evaluation of the patents listed against it."""

    standard = models.ForeignKey(Standard, on_delete=models.CASCADE, related_name="versions")
    version = models.CharField(_("版本"), max_length=40)
    published_on = models.DateField(_("发布日期"), null=True, blank=True)

    class Meta:
        verbose_name = _("标准版本")
        verbose_name_plural = _("标准版本")
        ordering = ["standard", "published_on", "id"]
        constraints = [models.UniqueConstraint(fields=["standard", "version"], name="pool_standard_version_unique")]

    def __str__(self) -> str:
        return f"{self.standard.code} {self.version} 版"


class StandardSection(models.Model):
    """A section (条款) of a standard version, the unit of a claim chart."""

    version = models.ForeignKey(StandardVersion, on_delete=models.CASCADE, related_name="sections")
    number = models.CharField(_("条款号"), max_length=40)
    title = models.CharField(_("条款名称"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("标准条款")
        verbose_name_plural = _("标准条款")
        ordering = ["version", "number"]

    def __str__(self) -> str:
        return f"§{self.number} {self.title}".strip()


class Licensor(models.Model):
    """许可人: a patentee that entrusts patents to the pool."""

    pool = models.ForeignKey(Pool, on_delete=models.CASCADE, related_name="licensors")
    organization = models.ForeignKey("core.Organization", verbose_name=_("许可人"), on_delete=models.PROTECT,
                                     related_name="pool_memberships")
    joined_on = models.DateField(_("加入日期"))
    withdrawn_on = models.DateField(_("退出日期"), null=True, blank=True)

    class Meta:
        verbose_name = _("许可人")
        verbose_name_plural = _("许可人")
        ordering = ["pool", "joined_on", "id"]
        constraints = [models.UniqueConstraint(fields=["pool", "organization"], name="pool_licensor_unique")]

    def __str__(self) -> str:
        return str(self.organization)


class Programme(models.Model):
    """许可计划: a licence programme of the pool (terms, documents) with its product categories."""

    pool = models.ForeignKey(Pool, on_delete=models.CASCADE, related_name="programmes")
    name = models.CharField(_("许可计划名称"), max_length=200)
    terms = models.TextField(_("许可条件"), blank=True)
    document = models.FileField(_("许可协议范本"), upload_to="pools/programmes/%Y/", blank=True)

    class Meta:
        verbose_name = _("许可计划")
        verbose_name_plural = _("许可计划")
        ordering = ["pool", "id"]

    def __str__(self) -> str:
        return self.name


class ProductCategory(models.Model):
    """A product category of a programme (e.g. 电视机, 机顶盒); reports and rates are by category."""

    programme = models.ForeignKey(Programme, on_delete=models.CASCADE, related_name="categories")
    code = models.CharField(_("类别代码"), max_length=40)
    name = models.CharField(_("产品类别"), max_length=100)

    class Meta:
        verbose_name = _("产品类别")
        verbose_name_plural = _("产品类别")
        ordering = ["programme", "code"]
        constraints = [models.UniqueConstraint(fields=["programme", "code"], name="pool_category_code_unique")]

    def __str__(self) -> str:
        return self.name


class ListingStatus(models.TextChoices):
    EVALUATING = "evaluating", _("必要性评估中")
    LISTED = "listed", _("已入池")
    REJECTED = "rejected", _("未入池")
    WITHDRAWN = "withdrawn", _("已退出")


class PoolPatent(models.Model):
    """A patent offered by a licensor, listed once found essential. Country and life come from the patent
    store (``patents.Patent``); ``family`` groups the members of one patent family across countries."""

    pool = models.ForeignKey(Pool, on_delete=models.CASCADE, related_name="patents")
    licensor = models.ForeignKey(Licensor, verbose_name=_("许可人"), on_delete=models.PROTECT,
                                 related_name="patents")
    patent = models.ForeignKey("patents.Patent", verbose_name=_("专利"), on_delete=models.PROTECT,
                               related_name="pool_listings")
    family = models.CharField(_("专利族"), max_length=80, blank=True,
                              help_text=_("同族专利的共同标识（如最早优先权号）；空则按专利自身计"))
    sections = models.ManyToManyField(StandardSection, verbose_name=_("对应标准条款"), blank=True,
                                      related_name="pool_patents")
    status = models.CharField(_("入池状态"), max_length=16, choices=ListingStatus.choices,
                              default=ListingStatus.EVALUATING)
    listed_on = models.DateField(_("入池日期"), null=True, blank=True)
    withdrawn_on = models.DateField(_("退出日期"), null=True, blank=True)
    created_at = models.DateTimeField(_("提交时间"), auto_now_add=True)

    access = AccessRule(owner_fields=("pool__administrator", "licensor__organization"),
                        public_view=Q(pool__status=PoolStatus.ACTIVE, status=ListingStatus.LISTED))

    class Meta:
        verbose_name = _("入池专利")
        verbose_name_plural = _("入池专利")
        ordering = ["pool", "family", "id"]
        constraints = [models.UniqueConstraint(fields=["pool", "patent"], name="pool_patent_unique")]

    def __str__(self) -> str:
        return str(self.patent)


class Decision(models.TextChoices):
    ESSENTIAL = "essential", _("必要")
    NOT_ESSENTIAL = "not_essential", _("非必要")
    NEEDS_MORE = "needs_more", _("需补充材料")


class EvaluationStatus(models.TextChoices):
    OPEN = "open", _("评估中")
    DECIDED = "decided", _("已决定")


class Evaluation(models.Model):
    """必要性评估 of one pool patent against one standard version (a new version asks for a new one)."""

    pool_patent = models.ForeignKey(PoolPatent, on_delete=models.CASCADE, related_name="evaluations")
    version = models.ForeignKey(StandardVersion, verbose_name=_("标准版本"), on_delete=models.PROTECT,
                                related_name="evaluations")
    status = models.CharField(_("状态"), max_length=16, choices=EvaluationStatus.choices,
                              default=EvaluationStatus.OPEN)
    decision = models.CharField(_("评估结论"), max_length=16, choices=Decision.choices, blank=True)
    decision_note = models.TextField(_("结论说明"), blank=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    decided_at = models.DateTimeField(_("决定时间"), null=True, blank=True)
    previous = models.ForeignKey("self", verbose_name=_("前次评估"), null=True, blank=True,
                                 on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(_("发起时间"), auto_now_add=True)

    access = AccessRule(owner_fields=("pool_patent__pool__administrator", "pool_patent__licensor__organization"))

    class Meta:
        verbose_name = _("必要性评估")
        verbose_name_plural = _("必要性评估")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.pool_patent} · {self.version}"


class ConflictDeclaration(models.TextChoices):
    PENDING = "", _("未声明")
    NONE = "none", _("无利益冲突")
    CONFLICT = "conflict", _("存在利益冲突（回避）")


class EvaluatorAssignment(models.Model):
    """An independent evaluator (a platform 评审专家) on an evaluation: conflict declaration first, then an
    opinion. An evaluator who declares a conflict is excluded from the decision."""

    evaluation = models.ForeignKey(Evaluation, on_delete=models.CASCADE, related_name="assignments")
    expert = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("评估专家"), on_delete=models.PROTECT,
                               related_name="pool_evaluations")
    declaration = models.CharField(_("利益冲突声明"), max_length=16, choices=ConflictDeclaration.choices,
                                   blank=True, default=ConflictDeclaration.PENDING)
    declaration_note = models.TextField(_("声明说明"), blank=True)
    opinion = models.CharField(_("评估意见"), max_length=16, choices=Decision.choices, blank=True)
    comment = models.TextField(_("意见说明"), blank=True)
    submitted_at = models.DateTimeField(_("提交时间"), null=True, blank=True)

    access = AccessRule(creator_field="expert", owner_fields=("evaluation__pool_patent__pool__administrator",))

    class Meta:
        verbose_name = _("评估专家")
        verbose_name_plural = _("评估专家")
        ordering = ["evaluation", "id"]
        constraints = [models.UniqueConstraint(fields=["evaluation", "expert"], name="pool_evaluator_unique")]

    def __str__(self) -> str:
        return f"{self.expert} · {self.evaluation}"


class ClaimChartRow(models.Model):
    """One row of a claim chart: a claim element against a standard section, and whether it reads on it."""

    evaluation = models.ForeignKey(Evaluation, on_delete=models.CASCADE, related_name="chart")
    author = models.ForeignKey(EvaluatorAssignment, on_delete=models.CASCADE, related_name="chart_rows")
    claim_number = models.PositiveSmallIntegerField(_("权利要求"), default=1)
    element = models.CharField(_("技术特征"), max_length=500)
    section = models.ForeignKey(StandardSection, verbose_name=_("标准条款"), on_delete=models.PROTECT,
                                related_name="+")
    reads_on = models.BooleanField(_("对应"), default=True)
    note = models.CharField(_("说明"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("权利要求对照")
        verbose_name_plural = _("权利要求对照")
        ordering = ["evaluation", "claim_number", "id"]

    def __str__(self) -> str:
        return f"{self.claim_number}: {self.element[:40]} ↔ {self.section}"


class RateCard(models.Model):
    """费率表: one version of a programme's rates, effective from a date until the next version."""

    programme = models.ForeignKey(Programme, on_delete=models.CASCADE, related_name="rate_cards")
    version = models.CharField(_("版本"), max_length=40)
    effective_from = models.DateField(_("生效日期"))
    back_royalty_surcharge_percent = models.DecimalField(_("补缴许可费附加比例（%）"), default=0, **PERCENT,
                                                         help_text=_("签约前销售补缴时在标准费率上加收的比例"))
    note = models.TextField(_("说明"), blank=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    access = AccessRule(owner_fields=("programme__pool__administrator",),
                        public_view=Q(programme__pool__status=PoolStatus.ACTIVE))

    class Meta:
        verbose_name = _("费率表")
        verbose_name_plural = _("费率表")
        ordering = ["programme", "-effective_from", "-id"]
        constraints = [models.UniqueConstraint(fields=["programme", "effective_from"],
                                               name="pool_ratecard_one_per_date")]

    def __str__(self) -> str:
        return f"{self.programme} {self.version}"


class Rate(models.Model):
    """Per-unit royalty for a product category."""

    rate_card = models.ForeignKey(RateCard, on_delete=models.CASCADE, related_name="rates")
    category = models.ForeignKey(ProductCategory, verbose_name=_("产品类别"), on_delete=models.PROTECT,
                                 related_name="+")
    per_unit = models.DecimalField(_("单位许可费（元/件）"), **RATE)
    annual_cap = models.DecimalField(_("年度封顶（元/被许可人）"), null=True, blank=True, **MONEY)

    class Meta:
        verbose_name = _("费率")
        verbose_name_plural = _("费率")
        ordering = ["rate_card", "category"]
        constraints = [
            models.UniqueConstraint(fields=["rate_card", "category"], name="pool_rate_unique"),
            models.CheckConstraint(condition=Q(per_unit__gte=0), name="pool_rate_non_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.category}: {self.per_unit}"


class RegionalDiscount(models.Model):
    """A discount for sales in a country group (by country of sale)."""

    rate_card = models.ForeignKey(RateCard, on_delete=models.CASCADE, related_name="discounts")
    group = models.CharField(_("国家组"), max_length=100)
    countries = models.JSONField(_("国家/地区代码"), default=list, help_text=_("如 [\"IN\", \"VN\"]"))
    percent = models.DecimalField(_("折扣（%）"), **PERCENT)

    class Meta:
        verbose_name = _("地区折扣")
        verbose_name_plural = _("地区折扣")
        ordering = ["rate_card", "group"]
        constraints = [models.CheckConstraint(condition=Q(percent__gte=0, percent__lte=100),
                                              name="pool_discount_range")]

    def __str__(self) -> str:
        return f"{self.group} −{self.percent}%"


class EarlyBird(models.Model):
    """早鸟费率: licensees signing within [signed_from, signed_to] pay ``per_unit`` on sales up to ``sales_until``."""

    rate_card = models.ForeignKey(RateCard, on_delete=models.CASCADE, related_name="early_birds")
    category = models.ForeignKey(ProductCategory, verbose_name=_("产品类别"), on_delete=models.PROTECT,
                                 related_name="+")
    per_unit = models.DecimalField(_("早鸟单位许可费（元/件）"), **RATE)
    signed_from = models.DateField(_("签约窗口起"))
    signed_to = models.DateField(_("签约窗口止"))
    sales_until = models.DateField(_("早鸟费率适用至（销售日）"))

    class Meta:
        verbose_name = _("早鸟费率")
        verbose_name_plural = _("早鸟费率")
        ordering = ["rate_card", "category"]

    def __str__(self) -> str:
        return f"{self.category}: {self.per_unit}"

    def clean(self) -> None:
        if self.signed_from and self.signed_to and self.signed_to < self.signed_from:
            raise ValidationError({"signed_to": _("签约窗口止不能早于签约窗口起")})


class AgreementStatus(models.TextChoices):
    DRAFT = "draft", _("待签约")
    SIGNED = "signed", _("已签约")
    TERMINATED = "terminated", _("已终止")


class Agreement(models.Model):
    """被许可人 and its licence agreement under a programme: the countries it covers and back-royalties."""

    pool = models.ForeignKey(Pool, on_delete=models.CASCADE, related_name="agreements")
    programme = models.ForeignKey(Programme, verbose_name=_("许可计划"), on_delete=models.PROTECT,
                                  related_name="agreements")
    licensee = models.ForeignKey("core.Organization", verbose_name=_("被许可人"), on_delete=models.PROTECT,
                                 related_name="pool_agreements")
    number = models.CharField(_("协议编号"), max_length=60, blank=True)
    status = models.CharField(_("状态"), max_length=16, choices=AgreementStatus.choices,
                              default=AgreementStatus.DRAFT)
    signed_on = models.DateField(_("签约日期"), null=True, blank=True)
    back_royalty_from = models.DateField(_("补缴起算日"), null=True, blank=True,
                                         help_text=_("签约前销售自此日起补缴许可费"))
    countries = models.JSONField(_("许可地域（国家/地区代码）"), default=list, blank=True,
                                 help_text=_("空表示全球"))
    document = models.FileField(_("协议文本"), upload_to="pools/agreements/%Y/", blank=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    access = AccessRule(owner_fields=("pool__administrator", "licensee"),
                        public_view=Q(pool__status=PoolStatus.ACTIVE, status=AgreementStatus.SIGNED))

    class Meta:
        verbose_name = _("许可协议")
        verbose_name_plural = _("许可协议")
        ordering = ["pool", "signed_on", "id"]
        constraints = [models.UniqueConstraint(fields=["programme", "licensee"], name="pool_agreement_unique")]

    def __str__(self) -> str:
        return f"{self.licensee} · {self.programme}"


class ReportStatus(models.TextChoices):
    SUBMITTED = "submitted", _("已提交")
    STATEMENT = "statement", _("已出账单")
    PAID = "paid", _("已付款")


class Report(models.Model):
    """被许可人报告: units per period by category, country of manufacture and country of sale."""

    agreement = models.ForeignKey(Agreement, on_delete=models.CASCADE, related_name="reports")
    period = models.CharField(_("报告期"), max_length=8, help_text=_("如 2025Q4"))
    period_start = models.DateField(_("期初"))
    period_end = models.DateField(_("期末"))
    status = models.CharField(_("状态"), max_length=16, choices=ReportStatus.choices,
                              default=ReportStatus.SUBMITTED)
    submitted_at = models.DateTimeField(_("提交时间"), auto_now_add=True)
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                     related_name="+")
    file_name = models.CharField(_("来源文件"), max_length=200, blank=True)

    access = AccessRule(owner_fields=("agreement__pool__administrator", "agreement__licensee"))

    class Meta:
        verbose_name = _("许可报告")
        verbose_name_plural = _("许可报告")
        ordering = ["-period_end", "-id"]
        constraints = [models.UniqueConstraint(fields=["agreement", "period"], name="pool_report_one_per_period")]

    def __str__(self) -> str:
        return f"{self.agreement.licensee} · {self.period}"


class ReportLine(models.Model):
    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="lines")
    category = models.ForeignKey(ProductCategory, verbose_name=_("产品类别"), on_delete=models.PROTECT,
                                 related_name="+")
    country_made = models.CharField(_("制造国"), max_length=4)
    country_sold = models.CharField(_("销售国"), max_length=4)
    sale_date = models.DateField(_("销售日期"))
    units = models.PositiveBigIntegerField(_("数量（件）"))

    class Meta:
        verbose_name = _("报告行")
        verbose_name_plural = _("报告行")
        ordering = ["report", "sale_date", "id"]

    def __str__(self) -> str:
        return f"{self.category} {self.country_made}→{self.country_sold} {self.units}"


class Statement(models.Model):
    """许可费账单 for one report: the engine's lines frozen with their reasons; a correction is a new one."""

    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="statements")
    total = models.DecimalField(_("应付许可费（元）"), **MONEY)
    back_royalties = models.DecimalField(_("其中补缴（元）"), default=0, **MONEY)
    is_current = models.BooleanField(_("当前账单"), default=True)
    issued_at = models.DateTimeField(_("出具时间"), auto_now_add=True)
    paid_on = models.DateField(_("付款日期"), null=True, blank=True)
    steps = models.JSONField(_("计算顺序"), default=list, blank=True)

    access = AccessRule(owner_fields=("report__agreement__pool__administrator", "report__agreement__licensee"))

    class Meta:
        verbose_name = _("许可费账单")
        verbose_name_plural = _("许可费账单")
        ordering = ["-issued_at", "-id"]

    def __str__(self) -> str:
        return f"{self.report} · {self.total}"


class StatementLine(models.Model):
    statement = models.ForeignKey(Statement, on_delete=models.CASCADE, related_name="lines")
    report_line = models.ForeignKey(ReportLine, on_delete=models.CASCADE, related_name="+")
    owes = models.BooleanField(_("应付"))
    back_royalty = models.BooleanField(_("补缴"), default=False)
    rate = models.DecimalField(_("适用单价"), **RATE)
    rate_basis = models.CharField(_("费率依据"), max_length=200, blank=True)
    gross = models.DecimalField(_("折前金额"), **MONEY)
    discount = models.DecimalField(_("地区折扣"), default=0, **MONEY)
    surcharge = models.DecimalField(_("补缴附加"), default=0, **MONEY)
    cap_reduction = models.DecimalField(_("封顶扣减"), default=0, **MONEY)
    amount = models.DecimalField(_("应付金额"), **MONEY)
    reason = models.TextField(_("计费理由"))
    coverage = models.JSONField(_("有效专利"), default=list, blank=True,
                                help_text=_("[[入池专利ID, 国家], …]：销售日在制造国或销售国有效的入池专利"))

    class Meta:
        verbose_name = _("账单行")
        verbose_name_plural = _("账单行")
        ordering = ["statement", "id"]

    def __str__(self) -> str:
        return f"{self.statement_id}: {self.amount}"


class FlagKind(models.TextChoices):
    DROP = "drop", _("报告量较趋势下降")
    OUTSIDE = "outside", _("许可地域外的国家")
    LATE = "late", _("逾期报告")


class AuditFlag(models.Model):
    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="flags")
    kind = models.CharField(_("类型"), max_length=16, choices=FlagKind.choices)
    detail = models.CharField(_("说明"), max_length=500)
    created_at = models.DateTimeField(_("发现时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("稽核提示")
        verbose_name_plural = _("稽核提示")
        ordering = ["report", "kind"]
        constraints = [models.UniqueConstraint(fields=["report", "kind"], name="pool_flag_unique")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}：{self.detail}"


class AuditRecord(models.Model):
    """稽核记录: findings and an adjustment (元, positive = the licensee owes more) on a report."""

    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="audits")
    findings = models.TextField(_("稽核发现"))
    adjustment = models.DecimalField(_("调整金额（元）"), default=0, **MONEY)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                              related_name="+")
    created_at = models.DateTimeField(_("稽核时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("稽核记录")
        verbose_name_plural = _("稽核记录")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.findings[:60]


class ConflictKind(models.TextChoices):
    EXCLUSIVE = "exclusive", _("存在排他/独占许可")
    OPEN_LICENCE = "open_licence", _("已作开放许可声明")
    PLEDGE = "pledge", _("已纳入专利开源承诺")
    TRANSFER = "transfer", _("权利人已变更")
    LAPSE = "lapse", _("专利已失效或届满")


class ConflictFlag(models.Model):
    """A platform record that conflicts with a pool listing, for the administrator to resolve."""

    pool_patent = models.ForeignKey(PoolPatent, on_delete=models.CASCADE, related_name="conflicts")
    kind = models.CharField(_("冲突类型"), max_length=16, choices=ConflictKind.choices)
    detail = models.CharField(_("说明"), max_length=500, blank=True)
    detected_at = models.DateTimeField(_("发现时间"), auto_now_add=True)
    resolved_at = models.DateTimeField(_("处理时间"), null=True, blank=True)
    resolution = models.CharField(_("处理说明"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("冲突提示")
        verbose_name_plural = _("冲突提示")
        ordering = ["-detected_at", "-id"]

    def __str__(self) -> str:
        return f"{self.pool_patent} · {self.get_kind_display()}"


class Allocation(models.Model):
    """年度分配: collected royalties of a year, the administrator's fee, and each licensor's share."""

    pool = models.ForeignKey(Pool, on_delete=models.CASCADE, related_name="allocations")
    year = models.PositiveSmallIntegerField(_("年度"))
    method = models.CharField(_("分配公式"), max_length=20, choices=AllocationMethod.choices)
    collected = models.DecimalField(_("收取许可费（元）"), **MONEY)
    fee = models.DecimalField(_("管理费（元）"), **MONEY)
    distributable = models.DecimalField(_("可分配（元）"), **MONEY)
    is_current = models.BooleanField(_("当前分配"), default=True)
    created_at = models.DateTimeField(_("计算时间"), auto_now_add=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")

    access = AccessRule(owner_fields=("pool__administrator", "pool__licensors__organization"))

    class Meta:
        verbose_name = _("许可费分配")
        verbose_name_plural = _("许可费分配")
        ordering = ["-year", "-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.pool} {self.year}"


class AllocationShare(models.Model):
    allocation = models.ForeignKey(Allocation, on_delete=models.CASCADE, related_name="shares")
    licensor = models.ForeignKey(Licensor, verbose_name=_("许可人"), on_delete=models.PROTECT, related_name="+")
    points = models.DecimalField(_("点数"), max_digits=20, decimal_places=6)
    amount = models.DecimalField(_("分配金额（元）"), **MONEY)
    trace = models.JSONField(_("来源明细"), default=list, blank=True,
                             help_text=_("[{statement_line, report, patents, points, amount}]"))

    class Meta:
        verbose_name = _("许可人分配")
        verbose_name_plural = _("许可人分配")
        ordering = ["allocation", "-amount", "id"]

    def __str__(self) -> str:
        return f"{self.licensor_id}: {self.amount}"
