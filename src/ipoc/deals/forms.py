"""Input of the 交易撮合 pages; the rules live in ``services``. Parties, patents, the demand and the event are
picked by search (no typed ids), dates are date fields: a wrong value is an error under its field."""

from django import forms
from django.utils.translation import gettext_lazy as _

from ipoc.core.pickers import MultiPickerField, PickerField
from ipoc.deals.models import Deal, DealStage, DealType, LicenceKind


class DealForm(forms.ModelForm):
    center = PickerField("operation_centers", label=_("撮合运营中心"), required=False,
                         help_text=_("平台管理员登记时选择；运营中心工作人员登记的交易属于本中心"))
    sellers = MultiPickerField("organizations", label=_("转让/许可方"), required=False,
                               help_text=_("输入单位名称搜索，可多选"))
    buyers = MultiPickerField("organizations", label=_("受让/被许可方"), required=False,
                              help_text=_("输入单位名称搜索，可多选"))
    patents = MultiPickerField("patents", label=_("涉及专利"), required=False,
                               help_text=_("输入专利号或名称搜索，可多选"))
    demand = PickerField("demands", label=_("来源需求"), required=False, help_text=_("由哪项技术需求促成（可选）"))
    event = PickerField("events", label=_("来源活动"), required=False, help_text=_("在哪场路演或对接会上达成（可选）"))

    class Meta:
        model = Deal
        fields = ["title", "deal_type", "licence_kind", "licence_start", "licence_end", "chain_scope", "center",
                  "sellers", "buyers", "patents", "demand", "event", "amount", "intention_date", "signed_date",
                  "completed_date", "note"]
        labels = {"amount": _("交易金额（元）"), "deal_type": _("交易方式")}
        widgets = {"note": forms.Textarea(attrs={"rows": 3}),
                   "intention_date": forms.DateInput(attrs={"type": "date"}),
                   "signed_date": forms.DateInput(attrs={"type": "date"}),
                   "completed_date": forms.DateInput(attrs={"type": "date"}),
                   "licence_start": forms.DateInput(attrs={"type": "date"}),
                   "licence_end": forms.DateInput(attrs={"type": "date"})}
        help_texts = {"signed_date": _("签约后填写；也可在“签约”时填写"),
                      "completed_date": _("完成时填写；也可在“完成”时填写")}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("sellers", "buyers", "patents"):
            self.fields[name].wide = True
        self.fields["title"].wide = True
        self.fields["deal_type"].choices = [("", _("请选择交易方式"))] + list(DealType.choices)
        self.fields["intention_date"].help_text = _("留空为今天")
        self.fields["licence_kind"].choices = [("", _("非许可交易或未定"))] + list(LicenceKind.choices)

    def _post_clean(self):
        """The service validates and saves (the form only parses input)."""


STAGE_ACTIONS = {
    DealStage.NEGOTIATION: (_("进入洽谈"), "messages", "primary"),
    DealStage.SIGNED: (_("签约"), "writing-sign", "success"),
    DealStage.PERFORMING: (_("开始履行"), "player-play", "primary"),
    DealStage.COMPLETED: (_("交易完成"), "circle-check", "success"),
    DealStage.TERMINATED: (_("终止交易"), "circle-x", "outline-danger"),
}


class TransitionForm(forms.Form):
    """One move of a deal: the fields shown depend on the stage it moves to."""

    to_stage = forms.ChoiceField(choices=DealStage.choices, widget=forms.HiddenInput)
    amount = forms.DecimalField(label=_("交易金额（元）"), required=False, min_value=0, max_digits=16,
                                decimal_places=2)
    on = forms.DateField(label=_("日期"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    reason = forms.CharField(label=_("说明"), required=False, max_length=500)

    def __init__(self, *args, stage: str, deal: Deal | None = None, **kwargs):
        kwargs.setdefault("auto_id", f"id_to_{stage}_%s")  # one form per move on the page: distinct ids
        initial = kwargs.setdefault("initial", {})
        initial.setdefault("to_stage", stage)
        super().__init__(*args, **kwargs)
        self.stage = stage
        label, icon, style = STAGE_ACTIONS.get(stage, (DealStage(stage).label, "arrow-right", "primary"))
        self.action_label, self.icon, self.style = label, icon, style
        if stage != DealStage.SIGNED:
            del self.fields["amount"]
        elif deal is not None and deal.amount is not None:
            self.fields["amount"].initial = deal.amount
        if stage == DealStage.SIGNED:
            self.fields["on"].label = _("签约日期")
            self.fields["on"].help_text = _("留空为今天")
        elif stage == DealStage.COMPLETED:
            self.fields["on"].label = _("完成日期")
            self.fields["on"].help_text = _("留空为今天")
        else:
            del self.fields["on"]
        if stage == DealStage.TERMINATED:
            self.fields["reason"].label = _("终止理由")
            self.fields["reason"].required = True

    @property
    def confirm(self) -> str:
        if self.stage == DealStage.TERMINATED:
            return str(_("终止后交易不能恢复。确定终止？"))
        if self.stage == DealStage.COMPLETED:
            return str(_("完成后交易不能再变更阶段。确定完成？"))
        return str(_("确定将交易推进到“%(s)s”？") % {"s": DealStage(self.stage).label})


class AttachmentForm(forms.Form):
    contract_file = forms.FileField(label=_("合同文本"), required=False)
    filing_file = forms.FileField(label=_("备案材料"), required=False,
                                  help_text=_("PDF、OFD、Word、图片或 ZIP，单个不超过 20 MB"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():  # one per line in the narrow side card
            field.wide = True
