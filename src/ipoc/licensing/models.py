"""专利开放许可与专利开源: records.

- ``OpenLicenceDeclaration`` 开放许可声明 (专利法第五十条): a patentee's declaration with its fee terms; checked
  before filing (``eligibility``), published, withdrawn. ``CoOwnerConsent`` records each co-owner's consent.
- ``OpenLicence`` 开放许可实施许可 (专利法第五十一条): formed by a licensee's written notice plus payment.
  ``RoyaltyReport`` / ``RoyaltyPayment`` are its ledger (a payment counts once the licensor confirms receipt);
  ``LicenceDispute`` a dispute and its route (第五十二条).
- ``PatentEncumbrance`` 权利限制记录: a pledge (质押), an ownership dispute (权属纠纷), a court preservation
  (保全) or unpaid annual fees (年费未缴) the platform knows of — the records behind a blocker.
- ``PatentPledge`` 专利开源承诺 with its scope by list or by definition, resolved to ``PledgedPatent`` rows;
  ``PledgeAlert`` records what changed (transferred, lapsed, withdrawn).
- ``DeclarationPush`` 推送: a published declaration pushed to an enterprise whose demand fits, with the reason.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from ipoc.core.permissions import AccessRule


class DeclarationStatus(models.TextChoices):
    DRAFT = "draft", _("草稿")
    FILED = "filed", _("已提交待公告")
    PUBLISHED = "published", _("已公告")
    WITHDRAWN = "withdrawn", _("已撤回")


PUBLIC_STATUSES = (DeclarationStatus.PUBLISHED, DeclarationStatus.WITHDRAWN)


class FeeMethod(models.TextChoices):
    FIXED = "fixed", _("一次性付费")
    ROYALTY = "royalty", _("提成支付")
    ENTRY_PLUS_ROYALTY = "entry_plus_royalty", _("入门费加提成")
    FREE = "free", _("免费（限期）")


ROYALTY_METHODS = (FeeMethod.ROYALTY, FeeMethod.ENTRY_PLUS_ROYALTY)


class RoyaltyBase(models.TextChoices):
    NET_SALES = "net_sales", _("净销售额")
    PROFIT = "profit", _("利润")


class OpenLicenceDeclaration(models.Model):
    """开放许可声明: the patentee's (and co-owners') declaration, with the fee standard and payment method."""

    patent = models.ForeignKey("patents.Patent", verbose_name=_("专利"), on_delete=models.PROTECT,
                               related_name="open_licence_declarations")
    patentee = models.ForeignKey("core.Organization", verbose_name=_("专利权人"), on_delete=models.PROTECT,
                                 related_name="open_licence_declarations")
    center = models.ForeignKey("core.Organization", verbose_name=_("服务运营中心"), null=True, blank=True,
                               on_delete=models.SET_NULL, related_name="serviced_open_licences")
    status = models.CharField(_("状态"), max_length=16, choices=DeclarationStatus.choices,
                              default=DeclarationStatus.DRAFT, db_index=True)
    field = models.CharField(_("技术领域"), max_length=200, blank=True)
    fee_method = models.CharField(_("许可使用费支付方式"), max_length=24, choices=FeeMethod.choices)
    fixed_fee = models.DecimalField(_("一次性许可费（元）"), max_digits=14, decimal_places=2, null=True, blank=True)
    entry_fee = models.DecimalField(_("入门费（元）"), max_digits=14, decimal_places=2, null=True, blank=True)
    royalty_rate = models.DecimalField(_("提成比例（%）"), max_digits=6, decimal_places=3, null=True, blank=True)
    royalty_base = models.CharField(_("提成基数"), max_length=16, choices=RoyaltyBase.choices,
                                    default=RoyaltyBase.NET_SALES)
    payment_terms = models.CharField(_("支付方式说明"), max_length=300, blank=True,
                                     help_text=_("例如：通知后 30 日内一次付清；提成按季度报告并支付"))
    term_years = models.PositiveSmallIntegerField(_("许可期限（年）"))
    contact_name = models.CharField(_("联系人"), max_length=100)
    contact_phone = models.CharField(_("联系电话"), max_length=50, blank=True)
    contact_email = models.EmailField(_("联系邮箱"), blank=True)
    other_terms = models.TextField(_("其他条件"), blank=True)
    evaluation_report_number = models.CharField(_("专利权评价报告编号"), max_length=60, blank=True)
    evaluation_report = models.FileField(_("专利权评价报告"), upload_to="licensing/evaluation/%Y/", blank=True)
    pledgee_consent = models.FileField(_("质权人同意书"), upload_to="licensing/consent/%Y/", blank=True)
    pledgee_consent_note = models.CharField(_("质权人同意说明"), max_length=300, blank=True)
    filed_on = models.DateField(_("提交日期"), null=True, blank=True)
    published_on = models.DateField(_("公告日期"), null=True, blank=True, db_index=True)
    announcement_number = models.CharField(_("公告号"), max_length=60, blank=True)
    withdrawal_requested_on = models.DateField(_("撤回提出日期"), null=True, blank=True)
    withdrawal_reason = models.TextField(_("撤回理由"), blank=True)
    withdrawn_on = models.DateField(_("撤回公告日期"), null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("创建人"), null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    # The patentee and its center manage a declaration; once published (or withdrawn) it is public.
    access = AccessRule(owner_fields=("patentee", "center"), creator_field="created_by",
                        public_view=Q(status__in=PUBLIC_STATUSES), office_view=Q(),
                        region_field="patentee__region_code")

    class Meta:
        verbose_name = _("开放许可声明")
        verbose_name_plural = _("开放许可声明")
        ordering = [F("published_on").desc(nulls_last=True), "-created_at", "-id"]  # drafts last on every engine
        constraints = [
            models.CheckConstraint(condition=Q(fixed_fee__isnull=True) | Q(fixed_fee__gte=0),
                                   name="olic_fixed_fee_non_negative"),
            models.CheckConstraint(condition=Q(entry_fee__isnull=True) | Q(entry_fee__gte=0),
                                   name="olic_entry_fee_non_negative"),
        ]

    def __str__(self) -> str:
        number = getattr(self.patent, "number", "") if self.patent_id else ""
        return _("开放许可声明 %(n)s") % {"n": number or self.pk}

    @property
    def is_in_force(self) -> bool:
        return self.status == DeclarationStatus.PUBLISHED

    @property
    def is_royalty(self) -> bool:
        return self.fee_method in ROYALTY_METHODS

    def initial_fee(self) -> Decimal:
        """What a licensee pays with its notice: the fixed fee, the entry fee, or nothing."""
        if self.fee_method == FeeMethod.FIXED:
            return self.fixed_fee or Decimal("0")
        if self.fee_method == FeeMethod.ENTRY_PLUS_ROYALTY:
            return self.entry_fee or Decimal("0")
        return Decimal("0")

    def clean(self) -> None:
        errors: dict[str, str] = {}
        m = self.fee_method
        if m == FeeMethod.FIXED and self.fixed_fee is None:
            errors["fixed_fee"] = _("一次性付费须填写许可费金额")
        if m == FeeMethod.ENTRY_PLUS_ROYALTY and self.entry_fee is None:
            errors["entry_fee"] = _("入门费加提成须填写入门费")
        if m in ROYALTY_METHODS:
            if self.royalty_rate is None:
                errors["royalty_rate"] = _("提成支付须填写提成比例")
            elif not (Decimal("0") < self.royalty_rate <= Decimal("100")):
                errors["royalty_rate"] = _("提成比例应大于 0 且不超过 100%")
        if self.term_years is not None and not (1 <= self.term_years <= 20):
            errors["term_years"] = _("许可期限应为 1 至 20 年")
        if errors:
            raise ValidationError(errors)


class CoOwnerConsent(models.Model):
    """共有人同意: one co-owner of the patent and whether (and when) it consented to the declaration."""

    declaration = models.ForeignKey(OpenLicenceDeclaration, on_delete=models.CASCADE, related_name="consents")
    name = models.CharField(_("共有人"), max_length=300)
    organization = models.ForeignKey("core.Organization", verbose_name=_("共有人单位"), null=True, blank=True,
                                     on_delete=models.SET_NULL, related_name="+")
    consented = models.BooleanField(_("已同意"), default=False)
    consented_on = models.DateField(_("同意日期"), null=True, blank=True)
    document = models.FileField(_("同意书"), upload_to="licensing/consent/%Y/", blank=True)
    note = models.CharField(_("说明"), max_length=300, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+")

    class Meta:
        verbose_name = _("共有人同意")
        verbose_name_plural = _("共有人同意")
        ordering = ["declaration", "id"]
        constraints = [models.UniqueConstraint(fields=["declaration", "name"], name="olic_consent_unique")]

    def __str__(self) -> str:
        return self.name


class EncumbranceKind(models.TextChoices):
    PLEDGE = "pledge", _("质押")
    DISPUTE = "dispute", _("权属纠纷")
    PRESERVATION = "preservation", _("财产保全")
    ANNUITY_UNPAID = "annuity_unpaid", _("年费未缴")
    EXCLUSIVE_LICENCE = "exclusive_licence", _("独占/排他许可（平台外）")


class PatentEncumbrance(models.Model):
    """权利限制记录: what the platform knows of a pledge, a dispute, a preservation or unpaid fees on a patent."""

    patent = models.ForeignKey("patents.Patent", verbose_name=_("专利"), on_delete=models.CASCADE,
                               related_name="encumbrances")
    kind = models.CharField(_("类型"), max_length=20, choices=EncumbranceKind.choices)
    party = models.CharField(_("相关方"), max_length=300, blank=True, help_text=_("质权人、法院或纠纷当事人"))
    start_date = models.DateField(_("开始日期"))
    end_date = models.DateField(_("解除日期"), null=True, blank=True)
    reference = models.CharField(_("文号/登记号"), max_length=100, blank=True)
    note = models.CharField(_("说明"), max_length=300, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+")
    created_at = models.DateTimeField(_("登记时间"), auto_now_add=True)

    access = AccessRule(public_view=Q())

    class Meta:
        verbose_name = _("权利限制记录")
        verbose_name_plural = _("权利限制记录")
        ordering = ["-start_date", "-id"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.start_date:%Y-%m-%d}"

    def clean(self) -> None:
        if self.end_date and self.start_date and self.end_date < self.start_date:
            raise ValidationError({"end_date": _("解除日期不能早于开始日期")})


class LicenceStatus(models.TextChoices):
    IN_FORCE = "in_force", _("有效")
    ENDED = "ended", _("已终止")


class OpenLicence(models.Model):
    """开放许可实施许可: formed by the licensee's written notice and its payment, on the declared terms (普通许可)."""

    declaration = models.ForeignKey(OpenLicenceDeclaration, verbose_name=_("开放许可声明"), on_delete=models.PROTECT,
                                    related_name="licences")
    licensee = models.ForeignKey("core.Organization", verbose_name=_("被许可人"), on_delete=models.PROTECT,
                                 related_name="open_licences")
    status = models.CharField(_("状态"), max_length=16, choices=LicenceStatus.choices, default=LicenceStatus.IN_FORCE)
    notice_date = models.DateField(_("书面通知日期"))
    notice_text = models.TextField(_("书面通知内容"))
    payment_date = models.DateField(_("付款日期"), null=True, blank=True)
    payment_amount = models.DecimalField(_("付款金额（元）"), max_digits=14, decimal_places=2, default=Decimal("0"))
    payment_reference = models.CharField(_("付款凭证号"), max_length=100, blank=True)
    formed_on = models.DateField(_("许可生效日期"), db_index=True)
    term_end = models.DateField(_("许可期限届满日"))
    terms = models.JSONField(_("许可条件（声明时）"), default=dict)
    filed_on = models.DateField(_("备案日期"), null=True, blank=True)
    filing_number = models.CharField(_("备案号"), max_length=60, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    access = AccessRule(owner_fields=("licensee", "declaration__patentee", "declaration__center"),
                        office_view=Q(), region_field="declaration__patentee__region_code")

    class Meta:
        verbose_name = _("开放许可实施许可")
        verbose_name_plural = _("开放许可实施许可")
        ordering = ["-formed_on", "-id"]

    def __str__(self) -> str:
        return _("%(l)s 的开放许可（%(d)s）") % {"l": self.licensee.name if self.licensee_id else "—",
                                            "d": self.formed_on}

    def formation_payment(self) -> RoyaltyPayment | None:
        """The payment made with the notice (none for a free or royalty-only licence)."""
        return next((p for p in self.payments.all() if p.kind == PaymentKind.INITIAL), None)

    @property
    def payment_status(self) -> str:
        """The formation payment's confirmation: "" when none was due, else a ``PaymentStatus`` (a list may
        annotate ``formation_payment_status`` to spare the query)."""
        if hasattr(self, "formation_payment_status"):
            return self.formation_payment_status or ""
        payment = self.formation_payment()
        return payment.status if payment is not None else ""

    @property
    def awaiting_payment_confirmation(self) -> bool:
        """付款待确认: formed on the licensee's notice and declared payment, receipt not yet confirmed."""
        return self.payment_status in UNCONFIRMED_STATUSES


class RoyaltyReport(models.Model):
    """提成报告: the licensee's sales (or profit) for a period and the royalty due on it."""

    licence = models.ForeignKey(OpenLicence, on_delete=models.CASCADE, related_name="reports")
    period_start = models.DateField(_("报告期起"))
    period_end = models.DateField(_("报告期止"))
    base_amount = models.DecimalField(_("提成基数金额（元）"), max_digits=16, decimal_places=2)
    rate = models.DecimalField(_("提成比例（%）"), max_digits=6, decimal_places=3)
    royalty_due = models.DecimalField(_("应付提成（元）"), max_digits=16, decimal_places=2)
    due_date = models.DateField(_("应付日期"))
    reported_on = models.DateField(_("报告日期"))
    reported_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+")

    access = AccessRule(owner_fields=("licence__licensee", "licence__declaration__patentee",
                                      "licence__declaration__center"), office_view=None)

    class Meta:
        verbose_name = _("提成报告")
        verbose_name_plural = _("提成报告")
        ordering = ["licence", "period_start"]
        constraints = [models.UniqueConstraint(fields=["licence", "period_start"], name="olic_report_period_unique"),
                       models.CheckConstraint(condition=Q(base_amount__gte=0), name="olic_report_base_non_negative")]

    def __str__(self) -> str:
        return f"{self.period_start:%Y-%m-%d}—{self.period_end:%Y-%m-%d}"


class PaymentKind(models.TextChoices):
    INITIAL = "initial", _("许可费（通知时支付）")
    ROYALTY = "royalty", _("提成")


class PaymentStatus(models.TextChoices):
    PENDING = "pending", _("待许可人确认")
    CONFIRMED = "confirmed", _("许可人已确认收款")
    DISPUTED = "disputed", _("对账异议")


UNCONFIRMED_STATUSES = (PaymentStatus.PENDING, PaymentStatus.DISPUTED)


class RoyaltyPayment(models.Model):
    """许可费支付: the initial payment that forms the licence, or a royalty payment (against a report).

    The platform does not see the money: a payment the licensee (or a center on its behalf, or the system) records
    is its declaration, 待许可人确认 until the licensor confirms receipt (确认收款) or disputes it (对账异议, with a
    reason). Only confirmed payments count as received in the ledger, the royalty totals and the KPIs; the others
    are shown beside them. A payment the licensor itself records is its own statement of receipt (confirmed)."""

    licence = models.ForeignKey(OpenLicence, on_delete=models.CASCADE, related_name="payments")
    report = models.ForeignKey(RoyaltyReport, null=True, blank=True, on_delete=models.PROTECT, related_name="payments")
    kind = models.CharField(_("类型"), max_length=16, choices=PaymentKind.choices)
    paid_on = models.DateField(_("支付日期"), db_index=True)
    amount = models.DecimalField(_("金额（元）"), max_digits=16, decimal_places=2)
    reference = models.CharField(_("凭证号"), max_length=100, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+")
    status = models.CharField(_("收款确认"), max_length=16, choices=PaymentStatus.choices,
                              default=PaymentStatus.PENDING, db_index=True)
    reviewed_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("确认/异议人"), null=True, blank=True,
                                    on_delete=models.SET_NULL, related_name="+")
    reviewed_at = models.DateTimeField(_("确认/异议时间"), null=True, blank=True)
    dispute_reason = models.TextField(_("对账异议理由"), blank=True)

    access = AccessRule(owner_fields=("licence__licensee", "licence__declaration__patentee",
                                      "licence__declaration__center"), office_view=Q(),
                        region_field="licence__declaration__patentee__region_code")

    class Meta:
        verbose_name = _("许可费支付")
        verbose_name_plural = _("许可费支付")
        ordering = ["licence", "paid_on", "id"]
        constraints = [models.CheckConstraint(condition=Q(amount__gte=0), name="olic_payment_non_negative")]

    def __str__(self) -> str:
        return f"{self.paid_on:%Y-%m-%d} {self.amount}"

    @property
    def is_confirmed(self) -> bool:
        return self.status == PaymentStatus.CONFIRMED


class DisputeRoute(models.TextChoices):
    NEGOTIATION = "negotiation", _("协商")
    MEDIATION = "mediation", _("国务院专利行政部门调解")
    LITIGATION = "litigation", _("诉讼")


class LicenceDispute(models.Model):
    """开放许可纠纷 (专利法第五十二条): between licensor and licensee, with its route and outcome."""

    licence = models.ForeignKey(OpenLicence, on_delete=models.CASCADE, related_name="disputes")
    raised_on = models.DateField(_("发生日期"))
    description = models.TextField(_("纠纷事由"))
    route = models.CharField(_("解决途径"), max_length=16, choices=DisputeRoute.choices,
                             default=DisputeRoute.NEGOTIATION)
    closed_on = models.DateField(_("解决日期"), null=True, blank=True)
    outcome = models.TextField(_("结果"), blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+")

    class Meta:
        verbose_name = _("开放许可纠纷")
        verbose_name_plural = _("开放许可纠纷")
        ordering = ["-raised_on", "-id"]

    def __str__(self) -> str:
        return f"{self.get_route_display()} {self.raised_on:%Y-%m-%d}"


# ---------------------------------------------------------------- 专利开源


class PledgeMechanism(models.TextChoices):
    COVENANT = "covenant", _("不起诉承诺")
    ROYALTY_FREE_ON_REQUEST = "royalty_free", _("依申请免费许可")
    CONTRACT = "contract", _("签订许可合同")


class PledgeCondition(models.TextChoices):
    GOOD_FAITH = "good_faith", _("善意使用")
    DEFENSIVE_SUSPENSION = "defensive", _("防御性中止")
    RECIPROCITY = "reciprocity", _("互惠")


class ScopeKind(models.TextChoices):
    LIST = "list", _("按专利清单")
    DEFINITION = "definition", _("按检索条件")


class PledgeStatus(models.TextChoices):
    ACTIVE = "active", _("有效")
    WITHDRAWN = "withdrawn", _("已撤回")


class PatentPledge(models.Model):
    """专利开源承诺: who pledges what, on which conditions, for which patents (a list or a saved search)."""

    title = models.CharField(_("承诺名称"), max_length=200)
    pledgor = models.ForeignKey("core.Organization", verbose_name=_("承诺人"), on_delete=models.PROTECT,
                                related_name="patent_pledges")
    center = models.ForeignKey("core.Organization", verbose_name=_("服务运营中心"), null=True, blank=True,
                               on_delete=models.SET_NULL, related_name="serviced_pledges")
    pledged_on = models.DateField(_("承诺日期"), db_index=True)
    summary = models.TextField(_("摘要"))
    full_text = models.FileField(_("承诺全文"), upload_to="licensing/pledges/%Y/", blank=True)
    mechanism = models.CharField(_("实现方式"), max_length=16, choices=PledgeMechanism.choices)
    conditions = models.JSONField(_("条件"), default=list, blank=True)
    field_of_use = models.CharField(_("使用领域"), max_length=200, blank=True)
    valid_until = models.DateField(_("有效期至"), null=True, blank=True, help_text=_("留空为至专利权届满"))
    signatories = models.CharField(_("签署人"), max_length=300, blank=True)
    scope_kind = models.CharField(_("范围方式"), max_length=16, choices=ScopeKind.choices, default=ScopeKind.LIST)
    scope_numbers = models.JSONField(_("专利号清单"), default=list, blank=True)
    scope_ipc = models.CharField(_("IPC 分类"), max_length=100, blank=True)
    scope_keywords = models.CharField(_("关键词"), max_length=200, blank=True)
    scope_applicant = models.CharField(_("申请人/权利人"), max_length=200, blank=True)
    status = models.CharField(_("状态"), max_length=16, choices=PledgeStatus.choices, default=PledgeStatus.ACTIVE,
                              db_index=True)
    withdrawn_on = models.DateField(_("撤回日期"), null=True, blank=True)
    withdrawal_reason = models.TextField(_("撤回理由"), blank=True)
    resolved_at = models.DateTimeField(_("最近解析时间"), null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    # A pledge is a public promise: every signed-in user may read it; the pledgor and its center manage it.
    access = AccessRule(owner_fields=("pledgor", "center"), creator_field="created_by", public_view=Q())

    class Meta:
        verbose_name = _("专利开源承诺")
        verbose_name_plural = _("专利开源承诺")
        ordering = ["-pledged_on", "-id"]

    def __str__(self) -> str:
        return self.title

    def conditions_display(self) -> list[str]:
        labels = dict(PledgeCondition.choices)
        return [str(labels.get(c, c)) for c in self.conditions or []]


class PledgedPatent(models.Model):
    """A patent a pledge covers (resolved from its scope), with the state seen when last resolved."""

    pledge = models.ForeignKey(PatentPledge, on_delete=models.CASCADE, related_name="covered")
    patent = models.ForeignKey("patents.Patent", verbose_name=_("专利"), on_delete=models.CASCADE,
                               related_name="pledge_coverages")
    added_on = models.DateField(_("纳入日期"))
    holders_seen = models.CharField(_("权利人（解析时）"), max_length=500, blank=True)
    dropped_on = models.DateField(_("移出日期"), null=True, blank=True)
    drop_reason = models.CharField(_("移出原因"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("承诺涵盖专利")
        verbose_name_plural = _("承诺涵盖专利")
        ordering = ["pledge", "id"]
        constraints = [models.UniqueConstraint(fields=["pledge", "patent"], name="pledge_patent_unique")]

    def __str__(self) -> str:
        return str(self.patent)


class AlertKind(models.TextChoices):
    ADDED = "added", _("新纳入")
    TRANSFERRED = "transferred", _("权利人变更")
    LAPSED = "lapsed", _("专利失效")
    WITHDRAWN = "withdrawn", _("承诺撤回")


class PledgeAlert(models.Model):
    """A change to a pledge's coverage: a patent added, transferred or lapsed; the pledge withdrawn."""

    pledge = models.ForeignKey(PatentPledge, on_delete=models.CASCADE, related_name="alerts")
    patent = models.ForeignKey("patents.Patent", null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(_("类型"), max_length=16, choices=AlertKind.choices)
    message = models.CharField(_("内容"), max_length=500)
    created_at = models.DateTimeField(_("时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("开源承诺提醒")
        verbose_name_plural = _("开源承诺提醒")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.message


class DeclarationPush(models.Model):
    """推送: a published declaration sent to an enterprise whose open demand fits, with why."""

    declaration = models.ForeignKey(OpenLicenceDeclaration, on_delete=models.CASCADE, related_name="pushes")
    organization = models.ForeignKey("core.Organization", verbose_name=_("企业"), on_delete=models.CASCADE,
                                     related_name="open_licence_pushes")
    demand = models.ForeignKey("demands.Demand", verbose_name=_("技术需求"), null=True, blank=True,
                               on_delete=models.SET_NULL, related_name="+")
    is_sme = models.BooleanField(_("中小企业"), default=False)
    score = models.FloatField(_("匹配度"), default=0)
    explanation = models.TextField(_("推送理由"))
    pushed_at = models.DateTimeField(_("推送时间"), auto_now_add=True)

    access = AccessRule(owner_fields=("organization", "declaration__patentee", "declaration__center"),
                        office_view=None)

    class Meta:
        verbose_name = _("开放许可推送")
        verbose_name_plural = _("开放许可推送")
        ordering = ["-is_sme", "-score", "id"]
        constraints = [models.UniqueConstraint(fields=["declaration", "organization"], name="olic_push_unique")]

    def __str__(self) -> str:
        return f"{self.declaration} → {self.organization}"
