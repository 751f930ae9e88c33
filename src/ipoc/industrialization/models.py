"""专利产业化: industrialization projects (专利产业化项目), patent-intensive products (专利密集型产品) with their
yearly data and 备案认定 filings, and brands (商标品牌) with their trademarks and awards."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator, MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from ipoc.core.models import TransitionRecord
from ipoc.core.permissions import AccessRule
from ipoc.core.validators import TYPED_DATE_RANGE

MAX_YUAN = Decimal("100000000000")  # 1,000 亿元: an absurd-amount ceiling for every money figure here
MIN_YEAR, MAX_YEAR = 2000, 2100
# Dates a person enters (立项、计划、到位、专用权期限、备案): within a plausible range, never year 9999.
DATE_RANGE = TYPED_DATE_RANGE


def text_limit(n: int) -> list:
    """A bound on a free text: a form and the API answer 400 naming the field instead of storing a megabyte."""
    return [MaxLengthValidator(n)]


def _money_errors(obj, fields: tuple[str, ...]) -> dict[str, str]:
    errors: dict[str, str] = {}
    for name in fields:
        value = getattr(obj, name)
        if value is None:
            continue
        if value < 0:
            errors[name] = _("金额不能为负数")
        elif value > MAX_YUAN:
            errors[name] = _("金额超出合理范围（上限 1000 亿元）")
    return errors


# ---------------------------------------------------------------------------------------------- projects


class ProjectStage(models.TextChoices):
    INITIATED = "initiated", _("立项")
    PILOT = "pilot", _("中试")
    MASS_PRODUCTION = "mass_production", _("量产")
    FULL_CAPACITY = "full_capacity", _("达产")


# 立项 → 中试 → 量产 → 达产, one step at a time; 达产 is final.
PROJECT_TRANSITIONS: dict[str, tuple[str, ...]] = {
    ProjectStage.INITIATED: (ProjectStage.PILOT,),
    ProjectStage.PILOT: (ProjectStage.MASS_PRODUCTION,),
    ProjectStage.MASS_PRODUCTION: (ProjectStage.FULL_CAPACITY,),
    ProjectStage.FULL_CAPACITY: (),
}


class Project(models.Model):
    """一个专利产业化项目: patents implemented by an enterprise, with partners, stage, milestones, money and outcomes."""

    title = models.CharField(_("项目名称"), max_length=300)
    center = models.ForeignKey("core.Organization", verbose_name=_("运营中心"), on_delete=models.PROTECT,
                               related_name="industrialization_projects")
    enterprise = models.ForeignKey("core.Organization", verbose_name=_("实施企业"), on_delete=models.PROTECT,
                                   related_name="implemented_projects")
    chain_node = models.ForeignKey("matching.ChainNode", verbose_name=_("产业链节点"), null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="industrialization_projects")
    stage = models.CharField(_("阶段"), max_length=20, choices=ProjectStage.choices, default=ProjectStage.INITIATED,
                             db_index=True)
    start_date = models.DateField(_("立项日期"), validators=DATE_RANGE)
    summary = models.TextField(_("项目简介"), blank=True, validators=text_limit(5000))
    demand = models.ForeignKey("demands.Demand", verbose_name=_("来源需求"), null=True, blank=True,
                               on_delete=models.SET_NULL, related_name="industrialization_projects")
    event = models.ForeignKey("events.Event", verbose_name=_("来源活动"), null=True, blank=True,
                              on_delete=models.SET_NULL, related_name="industrialization_projects")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("创建人"), null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    # The center's staff manage a project; the enterprise and the partners see it; offices in the area view it.
    access = AccessRule(owner_fields=("center", "enterprise", "partners__organization"), office_view=Q(),
                        region_field="center__region_code")

    class Meta:
        verbose_name = _("专利产业化项目")
        verbose_name_plural = _("专利产业化项目")
        ordering = ["-start_date", "-id"]

    def __str__(self) -> str:
        return self.title


class PatentSource(models.TextChoices):
    OWNED = "owned", _("自有")
    LICENSED = "licensed", _("许可取得")
    BOUGHT = "bought", _("受让取得")


class ProjectPatent(models.Model):
    """A patent a project implements, and the deal (or open licence) that brought it to the enterprise."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="project_patents")
    patent = models.ForeignKey("patents.Patent", verbose_name=_("专利"), on_delete=models.PROTECT,
                               related_name="industrialization_projects")
    source = models.CharField(_("取得方式"), max_length=16, choices=PatentSource.choices)
    deal = models.ForeignKey("deals.Deal", verbose_name=_("来源交易"), null=True, blank=True,
                             on_delete=models.SET_NULL, related_name="industrialization_project_patents")
    open_licence_id = models.PositiveIntegerField(_("开放许可记录"), null=True, blank=True)

    class Meta:
        verbose_name = _("实施专利")
        verbose_name_plural = _("实施专利")
        ordering = ["id"]
        constraints = [models.UniqueConstraint(fields=["project", "patent"], name="unique_project_patent")]

    def __str__(self) -> str:
        return f"{self.project_id}·{self.patent_id}"


class PartnerRole(models.TextChoices):
    INSTITUTION = "institution", _("合作高校院所")
    INVESTOR = "investor", _("投资机构")
    CENTER = "center", _("运营中心")
    OTHER = "other", _("其他合作方")


class ProjectPartner(models.Model):
    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="partners")
    organization = models.ForeignKey("core.Organization", verbose_name=_("合作单位"), on_delete=models.PROTECT,
                                     related_name="industrialization_partnerships")
    role = models.CharField(_("合作角色"), max_length=16, choices=PartnerRole.choices)

    class Meta:
        verbose_name = _("合作方")
        verbose_name_plural = _("合作方")
        ordering = ["id"]
        constraints = [models.UniqueConstraint(fields=["project", "organization", "role"],
                                               name="unique_project_partner")]

    def __str__(self) -> str:
        return f"{self.organization_id}·{self.role}"


class Milestone(models.Model):
    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="milestones")
    title = models.CharField(_("里程碑"), max_length=200)
    due_date = models.DateField(_("计划日期"), null=True, blank=True, validators=DATE_RANGE)
    done_date = models.DateField(_("完成日期"), null=True, blank=True, validators=DATE_RANGE)
    note = models.CharField(_("说明"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("里程碑")
        verbose_name_plural = _("里程碑")
        ordering = ["due_date", "id"]

    def __str__(self) -> str:
        return self.title


class InvestmentSource(models.TextChoices):
    SELF = "self", _("企业自筹")
    GOVERNMENT = "government", _("财政资金")
    EQUITY = "equity", _("股权投资")
    LOAN = "loan", _("银行贷款")
    PLEDGE = "pledge", _("知识产权质押融资")
    OTHER = "other", _("其他")


class Investment(models.Model):
    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="investments")
    source = models.CharField(_("资金来源"), max_length=16, choices=InvestmentSource.choices)
    amount = models.DecimalField(_("金额（元）"), max_digits=16, decimal_places=2)
    investor = models.ForeignKey("core.Organization", verbose_name=_("出资单位"), null=True, blank=True,
                                 on_delete=models.SET_NULL, related_name="+")
    date = models.DateField(_("到位日期"), null=True, blank=True, validators=DATE_RANGE)
    note = models.CharField(_("说明"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("项目投资")
        verbose_name_plural = _("项目投资")
        ordering = ["date", "id"]

    def __str__(self) -> str:
        return f"{self.get_source_display()} {self.amount}"

    def clean(self) -> None:
        errors = _money_errors(self, ("amount",))
        if errors:
            raise ValidationError(errors)


class ProjectOutcome(models.Model):
    """一个项目某年的成效: 产值、销售额、带动就业、新申请专利, with the evidence."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="outcomes")
    year = models.PositiveSmallIntegerField(_("年度"), validators=[MinValueValidator(MIN_YEAR),
                                                                  MaxValueValidator(MAX_YEAR)])
    output_value = models.DecimalField(_("产值（元）"), max_digits=16, decimal_places=2, null=True, blank=True)
    sales = models.DecimalField(_("销售额（元）"), max_digits=16, decimal_places=2, null=True, blank=True)
    jobs = models.PositiveIntegerField(_("带动就业（人）"), null=True, blank=True)
    new_patents = models.PositiveIntegerField(_("新申请专利（件）"), null=True, blank=True)
    evidence = models.FileField(_("证明材料"), upload_to="industrialization/outcomes/%Y/",
                                blank=True)
    note = models.CharField(_("说明"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("项目年度成效")
        verbose_name_plural = _("项目年度成效")
        ordering = ["-year"]
        constraints = [models.UniqueConstraint(fields=["project", "year"], name="unique_project_outcome_year")]

    def __str__(self) -> str:
        return f"{self.project_id}·{self.year}"

    def clean(self) -> None:
        errors = _money_errors(self, ("output_value", "sales"))
        if errors:
            raise ValidationError(errors)


class ProjectStageChange(TransitionRecord):
    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="stage_changes")
    from_stage = models.CharField(_("原阶段"), max_length=20, choices=ProjectStage.choices, blank=True)
    to_stage = models.CharField(_("新阶段"), max_length=20, choices=ProjectStage.choices)

    class Meta(TransitionRecord.Meta):
        verbose_name = _("项目阶段变更")
        verbose_name_plural = _("项目阶段变更")

    def __str__(self) -> str:
        return f"{self.project_id}: {self.from_stage} → {self.to_stage}"


# ------------------------------------------------------------------------------------------------ brands


class Brand(models.Model):
    """一个商标品牌: its trademarks, the products that bear it, the awards it won."""

    name = models.CharField(_("品牌名称"), max_length=200)
    holder = models.ForeignKey("core.Organization", verbose_name=_("品牌持有人"), on_delete=models.PROTECT,
                               related_name="brands")
    center = models.ForeignKey("core.Organization", verbose_name=_("培育运营中心"), null=True, blank=True,
                               on_delete=models.SET_NULL, related_name="cultivated_brands")
    description = models.TextField(_("品牌简介"), blank=True, validators=text_limit(5000))
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    access = AccessRule(owner_fields=("holder", "center"), office_view=Q(), region_field="holder__region_code")

    class Meta:
        verbose_name = _("商标品牌")
        verbose_name_plural = _("商标品牌")
        ordering = ["name", "id"]
        constraints = [models.UniqueConstraint(fields=["holder", "name"], name="unique_brand_per_holder")]

    def __str__(self) -> str:
        return self.name


class TrademarkStatus(models.TextChoices):
    APPLIED = "applied", _("申请中")
    REGISTERED = "registered", _("已注册")
    EXPIRED = "expired", _("已失效")
    INVALIDATED = "invalidated", _("已撤销/无效")


class Trademark(models.Model):
    """一件注册商标 (尼斯分类 1–45 类)."""

    brand = models.ForeignKey(Brand, verbose_name=_("品牌"), on_delete=models.CASCADE, related_name="trademarks")
    registration_number = models.CharField(_("注册号/申请号"), max_length=20, unique=True)
    mark = models.CharField(_("商标名称"), max_length=200)
    nice_class = models.PositiveSmallIntegerField(_("类别"), validators=[MinValueValidator(1),
                                                                       MaxValueValidator(45)])
    goods = models.TextField(_("核定使用商品/服务"), blank=True, validators=text_limit(5000))
    holder = models.ForeignKey("core.Organization", verbose_name=_("注册人"), on_delete=models.PROTECT,
                               related_name="trademarks")
    status = models.CharField(_("状态"), max_length=16, choices=TrademarkStatus.choices,
                              default=TrademarkStatus.REGISTERED)
    valid_until = models.DateField(_("专用权期限至"), null=True, blank=True, validators=DATE_RANGE)

    class Meta:
        verbose_name = _("商标")
        verbose_name_plural = _("商标")
        ordering = ["nice_class", "registration_number"]

    def __str__(self) -> str:
        return f"{self.mark}（第{self.nice_class}类 {self.registration_number}）"

    def clean(self) -> None:
        number = (self.registration_number or "").strip()
        if number and not number.isdigit():
            raise ValidationError({"registration_number": _("商标注册号应为数字")})


class BrandAward(models.Model):
    brand = models.ForeignKey(Brand, on_delete=models.CASCADE, related_name="awards")
    title = models.CharField(_("荣誉名称"), max_length=200)
    year = models.PositiveSmallIntegerField(_("年度"), validators=[MinValueValidator(MIN_YEAR),
                                                                  MaxValueValidator(MAX_YEAR)])
    awarded_by = models.CharField(_("授予单位"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("品牌荣誉")
        verbose_name_plural = _("品牌荣誉")
        ordering = ["-year", "id"]

    def __str__(self) -> str:
        return self.title


# -------------------------------------------------------------------------------------------- products


class Product(models.Model):
    """一个专利密集型产品: the enterprise that makes it, the patents covering it, its yearly data and filings."""

    name = models.CharField(_("产品名称"), max_length=200)
    category = models.CharField(_("产品类别"), max_length=200)
    catalogue_code = models.CharField(_("国家产品目录代码"), max_length=32, blank=True,
                                      help_text=_("《专利密集型产品目录》或统计用产品分类代码，未知可留空"))
    enterprise = models.ForeignKey("core.Organization", verbose_name=_("生产企业"), on_delete=models.PROTECT,
                                   related_name="patent_intensive_products")
    center = models.ForeignKey("core.Organization", verbose_name=_("培育运营中心"), null=True, blank=True,
                               on_delete=models.SET_NULL, related_name="cultivated_products")
    project = models.ForeignKey(Project, verbose_name=_("产业化项目"), null=True, blank=True,
                                on_delete=models.SET_NULL, related_name="products")
    brand = models.ForeignKey(Brand, verbose_name=_("品牌"), null=True, blank=True, on_delete=models.SET_NULL,
                              related_name="products")
    trademarks = models.ManyToManyField(Trademark, verbose_name=_("使用商标"), blank=True, related_name="products")
    description = models.TextField(_("产品简介"), blank=True, validators=text_limit(5000))
    features = models.TextField(_("技术特征"), blank=True, help_text=_("每行一条，供出口前风险排查使用"),
                                validators=text_limit(5000))
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("创建人"), null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    access = AccessRule(owner_fields=("enterprise", "center"), office_view=Q(),
                        region_field="enterprise__region_code")

    class Meta:
        verbose_name = _("专利密集型产品")
        verbose_name_plural = _("专利密集型产品")
        ordering = ["name", "id"]

    def __str__(self) -> str:
        return self.name


class ProductPatent(models.Model):
    """A patent covering a product, held by the enterprise or licensed to it (the deal or open licence named)."""

    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="product_patents")
    patent = models.ForeignKey("patents.Patent", verbose_name=_("专利"), on_delete=models.PROTECT,
                               related_name="covered_products")
    source = models.CharField(_("取得方式"), max_length=16, choices=PatentSource.choices)
    deal = models.ForeignKey("deals.Deal", verbose_name=_("来源交易"), null=True, blank=True,
                             on_delete=models.SET_NULL, related_name="industrialization_product_patents")
    open_licence_id = models.PositiveIntegerField(_("开放许可记录"), null=True, blank=True)

    class Meta:
        verbose_name = _("覆盖专利")
        verbose_name_plural = _("覆盖专利")
        ordering = ["id"]
        constraints = [models.UniqueConstraint(fields=["product", "patent"], name="unique_product_patent")]

    def __str__(self) -> str:
        return f"{self.product_id}·{self.patent_id}"


class ProductYear(models.Model):
    """一个产品某年的数据: 产值、销售额、专利贡献率 (patent-attributed share of revenue), the evidence. One per year."""

    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="years")
    year = models.PositiveSmallIntegerField(_("数据年度"), validators=[MinValueValidator(MIN_YEAR),
                                                                      MaxValueValidator(MAX_YEAR)])
    output_value = models.DecimalField(_("产值（元）"), max_digits=16, decimal_places=2, null=True, blank=True)
    sales = models.DecimalField(_("销售额（元）"), max_digits=16, decimal_places=2, null=True, blank=True)
    patent_revenue_share = models.DecimalField(
        _("专利贡献收入占比（%）"), max_digits=5, decimal_places=2, null=True, blank=True,
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("100"))])
    evidence = models.FileField(_("证明材料"), upload_to="industrialization/products/%Y/",
                                blank=True)
    note = models.CharField(_("说明"), max_length=500, blank=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("产品年度数据")
        verbose_name_plural = _("产品年度数据")
        ordering = ["-year"]
        constraints = [models.UniqueConstraint(fields=["product", "year"], name="unique_product_year")]

    def __str__(self) -> str:
        return f"{self.product_id}·{self.year}"

    def clean(self) -> None:
        errors = _money_errors(self, ("output_value", "sales"))
        share = self.patent_revenue_share
        if share is not None and not (Decimal("0") <= share <= Decimal("100")):
            errors["patent_revenue_share"] = _("专利贡献收入占比应在 0–100 之间")
        if errors:
            raise ValidationError(errors)


class FilingStatus(models.TextChoices):
    PREPARED = "prepared", _("材料已准备")
    FILED = "filed", _("已备案")
    REVIEWING = "reviewing", _("认定审查中")
    PUBLICIZED = "publicized", _("公示中")
    RECOGNISED = "recognised", _("认定通过")
    NOT_RECOGNISED = "not_recognised", _("未通过")


# 备案 → 认定 → 公示 → 结果; 未通过 may end any step after 备案. The applicant (or its center) moves to 备案; every
# later status is the platform's answer, recorded by others (services.may_record_filing_result, rules.SOURCE_RESULTS).
FILING_TRANSITIONS: dict[str, tuple[str, ...]] = {
    FilingStatus.PREPARED: (FilingStatus.FILED,),
    FilingStatus.FILED: (FilingStatus.REVIEWING, FilingStatus.NOT_RECOGNISED),
    FilingStatus.REVIEWING: (FilingStatus.PUBLICIZED, FilingStatus.NOT_RECOGNISED),
    FilingStatus.PUBLICIZED: (FilingStatus.RECOGNISED, FilingStatus.NOT_RECOGNISED),
    FilingStatus.RECOGNISED: (),
    FilingStatus.NOT_RECOGNISED: (),
}
FILED_STATUSES = (FilingStatus.FILED, FilingStatus.REVIEWING, FilingStatus.PUBLICIZED, FilingStatus.RECOGNISED,
                  FilingStatus.NOT_RECOGNISED)


class ProductFiling(models.Model):
    """A product's 备案认定 filing for one data year: the pack as exported, then the platform's answer."""

    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="filings")
    data_year = models.PositiveSmallIntegerField(_("数据年度"), validators=[MinValueValidator(MIN_YEAR),
                                                                           MaxValueValidator(MAX_YEAR)])
    status = models.CharField(_("状态"), max_length=16, choices=FilingStatus.choices, default=FilingStatus.PREPARED,
                              db_index=True)
    pack = models.JSONField(_("备案材料字段"), default=dict, blank=True)
    filed_date = models.DateField(_("备案日期"), null=True, blank=True, validators=DATE_RANGE)
    result_date = models.DateField(_("结果日期"), null=True, blank=True, validators=DATE_RANGE)
    platform_reference = models.CharField(_("平台受理编号"), max_length=100, blank=True)
    publication_reference = models.CharField(_("公示/公告编号"), max_length=100, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("创建人"), null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("备案认定")
        verbose_name_plural = _("备案认定")
        ordering = ["-data_year", "-id"]
        constraints = [models.UniqueConstraint(fields=["product", "data_year"], name="unique_product_filing_year")]

    def __str__(self) -> str:
        return f"{self.product_id}·{self.data_year}"


class FilingStatusChange(TransitionRecord):
    filing = models.ForeignKey(ProductFiling, on_delete=models.CASCADE, related_name="status_changes")
    from_status = models.CharField(_("原状态"), max_length=16, choices=FilingStatus.choices, blank=True)
    to_status = models.CharField(_("新状态"), max_length=16, choices=FilingStatus.choices)

    class Meta(TransitionRecord.Meta):
        verbose_name = _("备案状态变更")
        verbose_name_plural = _("备案状态变更")

    def __str__(self) -> str:
        return f"{self.filing_id}: {self.from_status} → {self.to_status}"
