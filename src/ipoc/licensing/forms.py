"""Input of the licensing pages; the rules live in ``services`` and ``eligibility``. Patents and organisations are
picked by search (no typed ids)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from ipoc.core.pickers import PickerField
from ipoc.licensing.models import (
    DisputeRoute,
    EncumbranceKind,
    FeeMethod,
    OpenLicenceDeclaration,
    PledgeCondition,
    PledgeMechanism,
    RoyaltyBase,
    ScopeKind,
)

DATE = {"type": "date"}


class CheckForm(forms.Form):
    patent = PickerField("patents", label=_("专利"), help_text=_("输入专利号或名称搜索"))


class DeclarationForm(forms.ModelForm):
    patent = PickerField("licensing_patents", label=_("专利"),
                         help_text=_("输入专利号或名称搜索；高校、企业用户可选本单位持有的专利"))
    patentee = PickerField("organizations", label=_("专利权人"), required=False,
                           help_text=_("运营中心或平台管理员代为起草时选择；高校、企业用户为本单位"))
    center = PickerField("operation_centers", label=_("服务运营中心"), required=False,
                         help_text=_("由哪家运营中心提供服务（可选）"))

    class Meta:
        model = OpenLicenceDeclaration
        fields = ["patent", "patentee", "center", "field", "fee_method", "fixed_fee", "entry_fee", "royalty_rate",
                  "royalty_base", "payment_terms", "term_years", "contact_name", "contact_phone", "contact_email",
                  "evaluation_report_number", "pledgee_consent_note", "other_terms"]
        widgets = {"other_terms": forms.Textarea(attrs={"rows": 3})}
        help_texts = {"fixed_fee": _("一次性付费时填写"), "entry_fee": _("入门费加提成时填写"),
                      "royalty_rate": _("提成方式时填写，例如 3 表示 3%"),
                      "evaluation_report_number": _("实用新型、外观设计须提供（专利法第五十条）"),
                      "pledgee_consent_note": _("专利已质押时，写明质权人同意的文件；也可在声明页上传同意书"),
                      "term_years": _("1 至 20 年")}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["fee_method"].choices = [("", _("请选择支付方式"))] + list(FeeMethod.choices)
        self.fields["royalty_base"].choices = list(RoyaltyBase.choices)
        for name in ("patent", "other_terms", "payment_terms"):
            self.fields[name].wide = True

    def _post_clean(self):
        """The service validates and saves."""


class EditDeclarationForm(DeclarationForm):
    class Meta(DeclarationForm.Meta):
        fields = [f for f in DeclarationForm.Meta.fields if f not in ("patent", "patentee", "center")]

    def __init__(self, *args, **kwargs):
        forms.ModelForm.__init__(self, *args, **kwargs)
        self.fields["fee_method"].choices = list(FeeMethod.choices)
        self.fields["royalty_base"].choices = list(RoyaltyBase.choices)


class ConsentForm(forms.Form):
    name = forms.CharField(widget=forms.HiddenInput)
    consented_on = forms.DateField(label=_("同意日期"), required=False, widget=forms.DateInput(attrs=DATE),
                                   help_text=_("留空为今天"))
    note = forms.CharField(label=_("说明"), required=False, max_length=300)
    document = forms.FileField(label=_("同意书"), required=False)


class AttachForm(forms.Form):
    evaluation_report = forms.FileField(label=_("专利权评价报告"), required=False)
    pledgee_consent = forms.FileField(label=_("质权人同意书"), required=False,
                                      help_text=_("PDF、OFD、Word 或图片，单个不超过 20 MB"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():  # one per line in the narrow side card
            field.wide = True


class PublishForm(forms.Form):
    on = forms.DateField(label=_("公告日期"), required=False, widget=forms.DateInput(attrs=DATE),
                         help_text=_("留空为今天"))
    announcement_number = forms.CharField(label=_("公告号"), required=False, max_length=60)


class WithdrawForm(forms.Form):
    reason = forms.CharField(label=_("撤回理由"), max_length=2000, widget=forms.Textarea(attrs={"rows": 2}))
    announced_on = forms.DateField(label=_("撤回公告日期"), required=False, widget=forms.DateInput(attrs=DATE),
                                   help_text=_("撤回自公告之日起生效；留空为今天"))


class NoticeForm(forms.Form):
    notice_text = forms.CharField(label=_("书面通知"), widget=forms.Textarea(attrs={"rows": 4}), max_length=5000,
                                  help_text=_("向专利权人说明实施该专利的意愿，接受公告的许可条件"))
    notice_date = forms.DateField(label=_("通知日期"), required=False, widget=forms.DateInput(attrs=DATE),
                                  help_text=_("留空为今天"))
    payment_amount = forms.DecimalField(label=_("付款金额（元）"), required=False, min_value=0, max_digits=14,
                                        decimal_places=2)
    payment_date = forms.DateField(label=_("付款日期"), required=False, widget=forms.DateInput(attrs=DATE))
    payment_reference = forms.CharField(label=_("付款凭证号"), required=False, max_length=100,
                                        help_text=_("有付款时必填：银行流水号等，专利权人据此核对收款"))
    licensee = PickerField("enterprises", label=_("被许可人"), required=False,
                           help_text=_("运营中心代为登记时选择；企业用户为本单位"))


class FilingForm(forms.Form):
    filed_on = forms.DateField(label=_("备案日期"), required=False, widget=forms.DateInput(attrs=DATE),
                               help_text=_("留空为今天"))
    filing_number = forms.CharField(label=_("备案号"), required=False, max_length=60)


class ReportForm(forms.Form):
    period_start = forms.DateField(label=_("报告期起"), widget=forms.DateInput(attrs=DATE))
    period_end = forms.DateField(label=_("报告期止"), widget=forms.DateInput(attrs=DATE))
    base_amount = forms.DecimalField(label=_("提成基数金额（元）"), min_value=0, max_digits=16, decimal_places=2,
                                     help_text=_("报告期内的净销售额（或利润，按声明的提成基数）"))


class PaymentForm(forms.Form):
    report = forms.TypedChoiceField(label=_("提成报告"), coerce=int)
    amount = forms.DecimalField(label=_("金额（元）"), min_value=0, max_digits=16, decimal_places=2)
    paid_on = forms.DateField(label=_("支付日期"), required=False, widget=forms.DateInput(attrs=DATE),
                              help_text=_("留空为今天"))
    reference = forms.CharField(label=_("凭证号"), required=False, max_length=100)

    def __init__(self, *args, reports=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["report"].choices = [(r.pk, f"{r.period_start:%Y-%m-%d} — {r.period_end:%Y-%m-%d}")
                                         for r in reports]


class DisputeForm(forms.Form):
    description = forms.CharField(label=_("纠纷事由"), widget=forms.Textarea(attrs={"rows": 2}), max_length=5000)
    route = forms.ChoiceField(label=_("解决途径"), choices=DisputeRoute.choices,
                              help_text=_("专利法第五十二条：协商；不愿协商或协商不成的，可请求调解或起诉"))
    raised_on = forms.DateField(label=_("发生日期"), required=False, widget=forms.DateInput(attrs=DATE))


class PledgeForm(forms.Form):
    title = forms.CharField(label=_("承诺名称"), max_length=200)
    pledgor = PickerField("organizations", label=_("承诺人"), required=False,
                          help_text=_("运营中心或平台管理员代为登记时选择；高校、企业用户为本单位"))
    pledged_on = forms.DateField(label=_("承诺日期"), required=False, widget=forms.DateInput(attrs=DATE),
                                 help_text=_("留空为今天"))
    summary = forms.CharField(label=_("摘要"), widget=forms.Textarea(attrs={"rows": 3}), max_length=5000)
    mechanism = forms.ChoiceField(label=_("实现方式"), choices=PledgeMechanism.choices)
    conditions = forms.MultipleChoiceField(label=_("条件"), choices=PledgeCondition.choices, required=False,
                                           widget=forms.CheckboxSelectMultiple)
    field_of_use = forms.CharField(label=_("使用领域"), required=False, max_length=200)
    valid_until = forms.DateField(label=_("有效期至"), required=False, widget=forms.DateInput(attrs=DATE),
                                  help_text=_("留空为至专利权届满"))
    signatories = forms.CharField(label=_("签署人"), required=False, max_length=300)
    full_text = forms.FileField(label=_("承诺全文"), required=False)
    scope_kind = forms.ChoiceField(label=_("范围方式"), choices=ScopeKind.choices)
    scope_numbers = forms.CharField(label=_("专利号清单"), required=False, widget=forms.Textarea(attrs={"rows": 3}),
                                    help_text=_("按专利清单时填写，每行或以逗号分隔一件"))
    scope_ipc = forms.CharField(label=_("IPC 分类"), required=False, max_length=100,
                                help_text=_("按检索条件时填写，例如 H04N 或 G06F16/"))
    scope_keywords = forms.CharField(label=_("关键词"), required=False, max_length=200,
                                     help_text=_("多个关键词以空格分隔，名称或摘要含任一即可"))
    scope_applicant = forms.CharField(label=_("申请人/权利人"), required=False, max_length=200)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("title", "summary", "scope_numbers"):
            self.fields[name].wide = True


class PledgeWithdrawForm(forms.Form):
    reason = forms.CharField(label=_("撤回理由"), max_length=2000, widget=forms.Textarea(attrs={"rows": 2}))


class EncumbranceForm(forms.Form):
    patent = PickerField("patents", label=_("专利"))
    kind = forms.ChoiceField(label=_("类型"), choices=EncumbranceKind.choices)
    party = forms.CharField(label=_("相关方"), required=False, max_length=300, help_text=_("质权人、法院或纠纷当事人"))
    start_date = forms.DateField(label=_("开始日期"), widget=forms.DateInput(attrs=DATE))
    end_date = forms.DateField(label=_("解除日期"), required=False, widget=forms.DateInput(attrs=DATE))
    reference = forms.CharField(label=_("文号/登记号"), required=False, max_length=100)
    note = forms.CharField(label=_("说明"), required=False, max_length=300)


class PublicFilterForm(forms.Form):
    q = forms.CharField(label=_("关键词"), required=False, max_length=100,
                        widget=forms.TextInput(attrs={"placeholder": _("专利名称、摘要或专利号")}))
    ipc = forms.CharField(label=_("IPC 分类"), required=False, max_length=20,
                          widget=forms.TextInput(attrs={"placeholder": _("例如 H01M")}))
    holder = forms.CharField(label=_("专利权人"), required=False, max_length=100)
    field = forms.CharField(label=_("技术领域"), required=False, max_length=100)
    fee_method = forms.ChoiceField(label=_("支付方式"), required=False,
                                   choices=[("", _("全部方式"))] + list(FeeMethod.choices))


class ListFilterForm(forms.Form):
    q = forms.CharField(label=_("关键词"), required=False, max_length=100)
    status = forms.ChoiceField(label=_("状态"), required=False, choices=[])

    def __init__(self, *args, statuses=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["status"].choices = [("", _("全部状态"))] + list(statuses)
