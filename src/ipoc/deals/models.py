"""交易撮合: a deal a center brokers, from 意向 to 完成 (or 终止), with its parties, patents, amount and files."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from ipoc.core.models import TransitionRecord
from ipoc.core.permissions import AccessRule


class DealStage(models.TextChoices):
    INTENTION = "intention", _("意向")
    NEGOTIATION = "negotiation", _("洽谈")
    SIGNED = "signed", _("签约")
    PERFORMING = "performing", _("履行")
    COMPLETED = "completed", _("完成")
    TERMINATED = "terminated", _("终止")


# 意向 → 洽谈 → 签约 → 履行 → 完成; 终止 from any open stage. 完成 and 终止 are final.
OPEN_STAGES = (DealStage.INTENTION, DealStage.NEGOTIATION, DealStage.SIGNED, DealStage.PERFORMING)
DEAL_TRANSITIONS: dict[str, tuple[str, ...]] = {
    DealStage.INTENTION: (DealStage.NEGOTIATION, DealStage.TERMINATED),
    DealStage.NEGOTIATION: (DealStage.SIGNED, DealStage.TERMINATED),
    DealStage.SIGNED: (DealStage.PERFORMING, DealStage.TERMINATED),
    DealStage.PERFORMING: (DealStage.COMPLETED, DealStage.TERMINATED),
    DealStage.COMPLETED: (),
    DealStage.TERMINATED: (),
}
# A deal counts as signed (签约) in the statistics while it is at 签约, 履行 or 完成 — never once 终止.
SIGNED_STAGES = (DealStage.SIGNED, DealStage.PERFORMING, DealStage.COMPLETED)

DEFAULT_MAX_AMOUNT_YUAN = Decimal("100000000000")  # 1,000 亿元


def max_amount_yuan() -> Decimal:
    """The absurd-amount ceiling: ``settings.IPOC_DEAL_MAX_AMOUNT_YUAN`` (default 1000 亿元)."""
    return Decimal(str(getattr(settings, "IPOC_DEAL_MAX_AMOUNT_YUAN", DEFAULT_MAX_AMOUNT_YUAN)))


class DealType(models.TextChoices):
    ASSIGNMENT = "assignment", _("转让")
    LICENSE = "license", _("许可")
    EQUITY = "equity", _("作价入股")
    FINANCING = "financing", _("投融资")


class LicenceKind(models.TextChoices):
    """许可方式 of a licence deal (专利法第五十一条: no 独占/排他 licence while an open licence stands)."""

    ORDINARY = "ordinary", _("普通许可")
    EXCLUSIVE = "exclusive", _("排他许可")
    SOLE = "sole", _("独占许可")


EXCLUSIVE_KINDS = (LicenceKind.EXCLUSIVE, LicenceKind.SOLE)


class ChainScope(models.TextChoices):
    WITHIN_CHAIN = "within_chain", _("产业链上下游之间")
    BETWEEN_CHAINS = "between_chains", _("产业链之间")
    OTHER = "other", _("其他")


class Deal(models.Model):
    """一项交易撮合. The handling center's staff manage it; its parties and offices in the area may view it."""

    title = models.CharField(_("项目名称"), max_length=300)
    deal_type = models.CharField(_("交易类型"), max_length=16, choices=DealType.choices)
    licence_kind = models.CharField(_("许可方式"), max_length=16, choices=LicenceKind.choices, blank=True,
                                    help_text=_("许可交易填写：普通、排他或独占"))
    licence_start = models.DateField(_("许可期限起"), null=True, blank=True)
    licence_end = models.DateField(_("许可期限止"), null=True, blank=True)
    chain_scope = models.CharField(_("产业链范围"), max_length=16, choices=ChainScope.choices,
                                   default=ChainScope.OTHER)
    stage = models.CharField(_("阶段"), max_length=16, choices=DealStage.choices, default=DealStage.INTENTION,
                             db_index=True)
    amount = models.DecimalField(_("交易金额（元）"), max_digits=16, decimal_places=2, null=True, blank=True)
    intention_date = models.DateField(_("意向日期"), null=True, blank=True)
    signed_date = models.DateField(_("签约日期"), null=True, blank=True, db_index=True)
    completed_date = models.DateField(_("完成日期"), null=True, blank=True)
    center = models.ForeignKey("core.Organization", verbose_name=_("撮合运营中心"), on_delete=models.PROTECT,
                               related_name="brokered_deals")
    sellers = models.ManyToManyField("core.Organization", verbose_name=_("转让/许可方"), blank=True,
                                     related_name="deals_as_seller")
    buyers = models.ManyToManyField("core.Organization", verbose_name=_("受让/被许可方"), blank=True,
                                    related_name="deals_as_buyer")
    patents = models.ManyToManyField("patents.Patent", verbose_name=_("涉及专利"), blank=True, related_name="deals")
    demand = models.ForeignKey("demands.Demand", verbose_name=_("来源需求"), null=True, blank=True,
                               on_delete=models.SET_NULL, related_name="deals")
    event = models.ForeignKey("events.Event", verbose_name=_("来源活动"), null=True, blank=True,
                              on_delete=models.SET_NULL, related_name="deals")
    contract_file = models.FileField(_("合同文本"), upload_to="deals/contracts/%Y/", blank=True)
    filing_file = models.FileField(_("备案材料"), upload_to="deals/filings/%Y/", blank=True)
    note = models.TextField(_("备注"), blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("创建人"), null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    # Parties see their deals (owner paths through the M2M); services allow changes to the center's staff only.
    access = AccessRule(owner_fields=("center", "sellers__id", "buyers__id"), office_view=Q(),
                        region_field="center__region_code")

    class Meta:
        verbose_name = _("交易撮合")
        verbose_name_plural = _("交易撮合")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__isnull=True) | Q(amount__gte=0), name="deal_amount_non_negative"),
        ]

    def __str__(self) -> str:
        return self.title

    def clean(self) -> None:
        errors: dict[str, str] = {}
        ceiling = max_amount_yuan()
        if self.amount is not None:
            if self.amount < 0:
                errors["amount"] = _("交易金额不能为负数")
            elif self.amount > ceiling:
                errors["amount"] = _("交易金额超出合理范围（上限 %(max)s 元）：%(v)s") % {"max": ceiling, "v": self.amount}
        if self.stage in SIGNED_STAGES:
            if self.amount is None and "amount" not in errors:
                errors["amount"] = _("签约后必须填写交易金额")
            if self.signed_date is None:
                errors["signed_date"] = _("签约后必须填写签约日期")
        if self.stage == DealStage.COMPLETED and self.completed_date is None:
            errors["completed_date"] = _("完成时必须填写完成日期")
        if self.licence_kind and self.deal_type != DealType.LICENSE:
            errors["licence_kind"] = _("只有许可交易才有许可方式")
        if self.licence_start and self.licence_end and self.licence_end < self.licence_start:
            errors["licence_end"] = _("许可期限止不能早于许可期限起")
        if self.intention_date and self.signed_date and self.signed_date < self.intention_date:
            errors["signed_date"] = _("签约日期不能早于意向日期")
        if self.signed_date and self.completed_date and self.completed_date < self.signed_date:
            errors["completed_date"] = _("完成日期不能早于签约日期")
        if errors:
            raise ValidationError(errors)


class DealStageChange(TransitionRecord):
    """Who moved a deal from one stage to another, when and why."""

    deal = models.ForeignKey(Deal, on_delete=models.CASCADE, related_name="stage_changes")
    from_stage = models.CharField(_("原阶段"), max_length=16, choices=DealStage.choices, blank=True)
    to_stage = models.CharField(_("新阶段"), max_length=16, choices=DealStage.choices)

    class Meta(TransitionRecord.Meta):
        verbose_name = _("交易阶段变更")
        verbose_name_plural = _("交易阶段变更")

    def __str__(self) -> str:
        return f"{self.deal_id}: {self.from_stage} → {self.to_stage}"
