"""出口前风险预警与供应链合规排查: an export risk check (FTO 自由实施排查) from the product to claim charts and a
report that stays watched, and a supply-chain review (供应链合规排查) over a bill of materials."""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxLengthValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from ipoc.core.permissions import AccessRule
from ipoc.core.validators import TYPED_DATE_RANGE


def text_limit(n: int) -> list:
    """A bound on a free text (a form and the API answer 400 naming the field, never store a megabyte)."""
    return [MaxLengthValidator(n)]


# Dates a person enters (立案日期, 完成期限): within a plausible range, never year 9999.
DATE_RANGE = TYPED_DATE_RANGE


class CheckStatus(models.TextChoices):
    REQUESTED = "requested", _("已申请")
    IN_PROGRESS = "in_progress", _("排查中")
    FINISHED = "finished", _("已出报告")
    REOPENED = "reopened", _("监控重开")


class RiskLevel(models.TextChoices):
    HIGH = "high", _("高风险")
    MEDIUM = "medium", _("中风险")
    LOW = "low", _("低风险")
    UNRATED = "unrated", _("待评估")


RISK_COLOURS = {"high": "red", "medium": "orange", "low": "green", "unrated": "secondary"}


class SearchRoute(models.TextChoices):
    KEYWORDS = "keywords", _("关键词检索")
    SEMANTIC = "semantic", _("语义检索")
    IPC = "ipc", _("IPC 分类检索")
    APPLICANTS = "applicants", _("申请人检索")
    CITATIONS = "citations", _("引证追踪")


class CandidateOrigin(models.TextChoices):
    SEARCH = "search", _("检索命中")
    STAFF = "staff", _("人工添加")
    WATCH = "watch", _("监控新增")


class Mapping(models.TextChoices):
    LITERAL = "literal", _("字面相同")
    EQUIVALENT = "equivalent", _("等同")
    ABSENT = "absent", _("不具备")
    OPEN = "open", _("待判断")


class RiskCheck(models.Model):
    """一项出口前风险预警（自由实施排查）: the matter — product, features, markets, horizon, requester."""

    title = models.CharField(_("排查名称"), max_length=200)
    product_name = models.CharField(_("产品名称"), max_length=200)
    description = models.TextField(_("产品描述"), blank=True, validators=text_limit(20000))
    features = models.JSONField(_("技术特征"), default=list, blank=True)
    variants = models.JSONField(_("型号/变体"), default=list, blank=True)
    components = models.JSONField(_("部件"), default=list, blank=True)
    ipc_codes = models.JSONField(_("IPC 分类"), default=list, blank=True)
    competitors = models.JSONField(_("关注的申请人"), default=list, blank=True)
    markets = models.JSONField(_("目标市场"), default=list)
    horizon_date = models.DateField(_("排查时间范围至"))
    requester = models.ForeignKey("core.Organization", verbose_name=_("申请单位"), on_delete=models.PROTECT,
                                  related_name="risk_checks")
    center = models.ForeignKey("core.Organization", verbose_name=_("承办运营中心"), null=True, blank=True,
                               on_delete=models.PROTECT, related_name="handled_risk_checks")
    product = models.ForeignKey("industrialization.Product", verbose_name=_("产品记录"), null=True, blank=True,
                                on_delete=models.SET_NULL, related_name="+")
    status = models.CharField(_("状态"), max_length=16, choices=CheckStatus.choices, default=CheckStatus.REQUESTED,
                              db_index=True)
    risk = models.CharField(_("总体风险"), max_length=10, choices=RiskLevel.choices, default=RiskLevel.UNRATED)
    stop_reason = models.TextField(_("检索终止理由"), blank=True, validators=text_limit(2000))
    reopen_reason = models.TextField(_("重开原因"), blank=True, validators=text_limit(2000))
    finished_at = models.DateTimeField(_("出具报告时间"), null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("申请人"), null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    access = AccessRule(owner_fields=("requester", "center"), office_view=Q(), region_field="requester__region_code")

    class Meta:
        verbose_name = _("出口前风险预警")
        verbose_name_plural = _("出口前风险预警")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.title


class SearchRound(models.Model):
    """一轮检索: route, query, what it found that was new, and why searching stopped after it."""

    check_obj = models.ForeignKey(RiskCheck, on_delete=models.CASCADE, related_name="rounds", db_column="check_id")
    number = models.PositiveIntegerField(_("轮次"))
    route = models.CharField(_("检索途径"), max_length=16, choices=SearchRoute.choices)
    query = models.TextField(_("检索式"))
    hits = models.PositiveIntegerField(_("命中数"), default=0)
    new_hits = models.PositiveIntegerField(_("新增命中"), default=0)
    stop_reason = models.CharField(_("终止理由"), max_length=300, blank=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                              related_name="+")
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("检索轮次")
        verbose_name_plural = _("检索轮次")
        ordering = ["number", "id"]

    def __str__(self) -> str:
        return f"{self.check_obj_id}#{self.number} {self.route}"


class Candidate(models.Model):
    """一件候选专利 of a check, with its market filter result and its risk from the claim chart."""

    check_obj = models.ForeignKey(RiskCheck, on_delete=models.CASCADE, related_name="candidates",
                                  db_column="check_id")
    patent = models.ForeignKey("patents.Patent", verbose_name=_("专利"), on_delete=models.CASCADE,
                               related_name="+")
    origin = models.CharField(_("来源"), max_length=10, choices=CandidateOrigin.choices, default=CandidateOrigin.SEARCH)
    found_in = models.ForeignKey(SearchRound, verbose_name=_("命中轮次"), null=True, blank=True,
                                 on_delete=models.SET_NULL, related_name="+")
    score = models.FloatField(_("相关度"), default=0)
    rank = models.PositiveIntegerField(_("排序"), default=0)
    family_key = models.CharField(_("同族"), max_length=120, blank=True)
    markets = models.JSONField(_("各市场状态"), default=dict, blank=True)  # {CN: {"kept": bool, "reason": str}}
    in_scope = models.BooleanField(_("在目标市场有效或审中"), default=False)
    removed = models.BooleanField(_("已移除"), default=False)
    removed_reason = models.CharField(_("移除理由"), max_length=300, blank=True)
    risk = models.CharField(_("风险"), max_length=10, choices=RiskLevel.choices, default=RiskLevel.UNRATED)
    design_around = models.TextField(_("规避设计建议"), blank=True, validators=text_limit(5000))
    added_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                 related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("候选专利")
        verbose_name_plural = _("候选专利")
        ordering = ["removed", "-in_scope", "rank", "id"]
        constraints = [models.UniqueConstraint(fields=["check_obj", "patent"], name="risk_candidate_unique")]

    def __str__(self) -> str:
        return f"{self.check_obj_id}: {self.patent_id}"


class ClaimElement(models.Model):
    """权利要求特征对比: one element of an independent claim, mapped to the product's features."""

    candidate = models.ForeignKey(Candidate, on_delete=models.CASCADE, related_name="elements")
    claim_number = models.PositiveIntegerField(_("权利要求"))
    position = models.PositiveIntegerField(_("序号"))
    text = models.TextField(_("技术特征"))
    proposed = models.CharField(_("平台建议"), max_length=12, choices=Mapping.choices, default=Mapping.OPEN)
    proposed_feature = models.TextField(_("对应产品特征"), blank=True, validators=text_limit(2000))
    evidence = models.TextField(_("建议依据"), blank=True, validators=text_limit(5000))
    overlap = models.FloatField(_("重合度"), default=0)
    mapping = models.CharField(_("对比结论"), max_length=12, choices=Mapping.choices, default=Mapping.OPEN)
    confirmed = models.BooleanField(_("已确认"), default=False)
    confirmed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                     related_name="+")
    confirmed_at = models.DateTimeField(null=True, blank=True)
    note = models.TextField(_("备注"), blank=True, validators=text_limit(2000))

    class Meta:
        verbose_name = _("权利要求特征")
        verbose_name_plural = _("权利要求特征")
        ordering = ["claim_number", "position"]

    def __str__(self) -> str:
        return f"{self.claim_number}.{self.position} {self.text[:40]}"


class RiskReport(models.Model):
    """一份风险预警报告: a frozen snapshot of the check when it was published (HTML and PDF render it)."""

    check_obj = models.ForeignKey(RiskCheck, on_delete=models.CASCADE, related_name="reports", db_column="check_id")
    version = models.PositiveIntegerField(_("版本"))
    content = models.JSONField(_("报告内容"), default=dict)
    published_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                     related_name="+")
    published_at = models.DateTimeField(_("发布时间"), auto_now_add=True)

    access = AccessRule(owner_fields=("check_obj__requester", "check_obj__center"), office_view=Q(),
                        region_field="check_obj__requester__region_code")

    class Meta:
        verbose_name = _("风险预警报告")
        verbose_name_plural = _("风险预警报告")
        ordering = ["-version"]

    def __str__(self) -> str:
        return f"{self.check_obj} v{self.version}"


class AlertKind(models.TextChoices):
    NEW_PATENT = "new_patent", _("新增相关专利")
    GRANTED = "granted", _("申请获得授权")
    RESTORED = "restored", _("专利权恢复")
    LITIGATION = "litigation", _("新增诉讼/337 案件")
    EXPOSURE = "exposure", _("行业风险提示")


class RiskAlert(models.Model):
    """风险提示: the watch re-opened a finished check, or a center warned its members about a patent."""

    check_obj = models.ForeignKey(RiskCheck, null=True, blank=True, on_delete=models.CASCADE, related_name="alerts",
                                  db_column="check_id")
    center = models.ForeignKey("core.Organization", verbose_name=_("运营中心"), null=True, blank=True,
                               on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(_("类型"), max_length=12, choices=AlertKind.choices)
    patent = models.ForeignKey("patents.Patent", verbose_name=_("专利"), null=True, blank=True,
                               on_delete=models.SET_NULL, related_name="+")
    message = models.TextField(_("内容"))
    created_at = models.DateTimeField(_("时间"), auto_now_add=True)

    access = AccessRule(owner_fields=("check_obj__requester", "check_obj__center", "center"), office_view=Q(),
                        region_field="center__region_code")

    class Meta:
        verbose_name = _("风险提示")
        verbose_name_plural = _("风险提示")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.message[:60]


# ---------------------------------------------------------------- supply chain


class LitigationCase(models.Model):
    """诉讼/337 监控名单: a case the center maintains (case, parties, products, patents, status)."""

    class Kind(models.TextChoices):
        LITIGATION = "litigation", _("专利诉讼")
        ITC337 = "itc337", _("337 调查")

    class Status(models.TextChoices):
        OPEN = "open", _("进行中")
        CLOSED = "closed", _("已结案")

    center = models.ForeignKey("core.Organization", verbose_name=_("维护运营中心"), on_delete=models.CASCADE,
                               related_name="+")
    kind = models.CharField(_("类型"), max_length=10, choices=Kind.choices, default=Kind.LITIGATION)
    case_number = models.CharField(_("案号"), max_length=120)
    parties = models.TextField(_("当事人"), help_text=_("多个用逗号或换行分隔"), validators=text_limit(2000))
    products = models.TextField(_("涉案产品"), blank=True, validators=text_limit(5000))
    patents = models.TextField(_("涉案专利号"), blank=True, validators=text_limit(5000))
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices, default=Status.OPEN)
    filed_date = models.DateField(_("立案日期"), null=True, blank=True, validators=DATE_RANGE)
    note = models.TextField(_("备注"), blank=True, validators=text_limit(2000))
    created_at = models.DateTimeField(auto_now_add=True)

    # The watch list is shared with every signed-in user; only the maintaining center edits it.
    access = AccessRule(owner_fields=("center",), public_view=Q())

    class Meta:
        verbose_name = _("诉讼/337 案件")
        verbose_name_plural = _("诉讼/337 案件")
        ordering = ["-filed_date", "-id"]

    def __str__(self) -> str:
        return self.case_number


class SupplyReview(models.Model):
    """一次供应链合规排查 over a bill of materials or supplier list."""

    title = models.CharField(_("排查名称"), max_length=200)
    requester = models.ForeignKey("core.Organization", verbose_name=_("申请单位"), on_delete=models.PROTECT,
                                  related_name="supply_reviews")
    center = models.ForeignKey("core.Organization", verbose_name=_("承办运营中心"), null=True, blank=True,
                               on_delete=models.PROTECT, related_name="handled_supply_reviews")
    file_name = models.CharField(_("导入文件"), max_length=300, blank=True)
    import_report = models.JSONField(_("导入报告"), default=dict, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    access = AccessRule(owner_fields=("requester", "center"), office_view=Q(), region_field="requester__region_code")

    class Meta:
        verbose_name = _("供应链合规排查")
        verbose_name_plural = _("供应链合规排查")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.title


class BomLine(models.Model):
    """物料清单的一行: component, supplier, country of origin, value."""

    review = models.ForeignKey(SupplyReview, on_delete=models.CASCADE, related_name="lines")
    row = models.PositiveIntegerField(_("行号"))
    component = models.CharField(_("部件"), max_length=200)
    supplier_name = models.CharField(_("供应商"), max_length=200)
    supplier = models.ForeignKey("core.Organization", verbose_name=_("供应商单位"), null=True, blank=True,
                                 on_delete=models.SET_NULL, related_name="+")
    country = models.CharField(_("原产国"), max_length=40, blank=True)
    value = models.DecimalField(_("金额（元）"), max_digits=16, decimal_places=2, null=True, blank=True)
    risk_check = models.ForeignKey(RiskCheck, verbose_name=_("部件风险预警"), null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")

    class Meta:
        verbose_name = _("物料清单行")
        verbose_name_plural = _("物料清单行")
        ordering = ["row"]

    def __str__(self) -> str:
        return f"{self.component} / {self.supplier_name}"


class SupplierTerms(models.Model):
    """合同条款核查: per supplier of a review, the IP terms checked with their evidence."""

    review = models.ForeignKey(SupplyReview, on_delete=models.CASCADE, related_name="terms")
    supplier_name = models.CharField(_("供应商"), max_length=200)
    checks = models.JSONField(_("条款核查"), default=dict, blank=True)  # {code: {"ok": bool, "evidence": str}}
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("合同条款核查")
        verbose_name_plural = _("合同条款核查")
        constraints = [models.UniqueConstraint(fields=["review", "supplier_name"], name="risk_terms_unique")]

    def __str__(self) -> str:
        return self.supplier_name


class RemediationAction(models.Model):
    """整改措施: what is done about a supplier's risk, by whom, by when."""

    review = models.ForeignKey(SupplyReview, on_delete=models.CASCADE, related_name="actions")
    supplier_name = models.CharField(_("供应商"), max_length=200, blank=True)
    action = models.CharField(_("措施"), max_length=300)
    owner = models.CharField(_("负责人"), max_length=100)
    due_date = models.DateField(_("完成期限"), validators=DATE_RANGE)
    done = models.BooleanField(_("已完成"), default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("整改措施")
        verbose_name_plural = _("整改措施")
        ordering = ["done", "due_date", "id"]

    def __str__(self) -> str:
        return self.action
