"""Input of the 专利产业化 pages; the rules live in ``services``. Organisations, patents, deals, demands, events,
projects and brands are picked by search (no typed ids); a wrong value is an error under its field."""

from django import forms
from django.utils.translation import gettext_lazy as _

from ipoc.core.pickers import PickerField
from ipoc.industrialization.models import (
    InvestmentSource,
    PartnerRole,
    PatentSource,
    Product,
    Project,
    TrademarkStatus,
)

DATE = {"type": "date"}


class ProjectForm(forms.ModelForm):
    center = PickerField("operation_centers", label=_("运营中心"), required=False,
                         help_text=_("平台管理员登记时选择；运营中心工作人员登记的项目属于本中心"))
    deal = PickerField("industrialization_deals", label=_("来源交易"), required=False,
                       help_text=_("据已签约的交易立项：交易的受让/被许可企业、来源需求和涉及专利自动带入"))
    enterprise = PickerField("enterprises", label=_("实施企业"), required=False,
                             help_text=_("输入企业名称搜索；选择了来源交易时可留空"))
    demand = PickerField("demands", label=_("来源需求"), required=False, help_text=_("由哪项技术需求促成（可选）"))
    event = PickerField("events", label=_("来源活动"), required=False, help_text=_("在哪场路演或对接会上达成（可选）"))

    class Meta:
        model = Project
        fields = ["title", "center", "deal", "enterprise", "chain_node", "start_date", "demand", "event", "summary"]
        widgets = {"start_date": forms.DateInput(attrs=DATE), "summary": forms.Textarea(attrs={"rows": 3})}
        help_texts = {"start_date": _("留空为今天")}

    def __init__(self, *args, chain_nodes=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["title"].wide = True
        self.fields["summary"].wide = True
        self.fields["start_date"].required = False
        node = self.fields["chain_node"]
        node.queryset = node.queryset.model.objects.filter(pk__in=[n.pk for n in chain_nodes])
        node.empty_label = _("未指定")
        if not chain_nodes:
            node.help_text = _("本中心尚未建立产业链图谱")

    def _post_clean(self):
        """The service validates and saves (the form only parses input)."""


class TransitionForm(forms.Form):
    to_stage = forms.CharField(widget=forms.HiddenInput)
    reason = forms.CharField(label=_("说明"), required=False, max_length=500)


class PatentLinkForm(forms.Form):
    patent = PickerField("patents", label=_("专利"), help_text=_("输入专利号或名称搜索"))
    source = forms.ChoiceField(label=_("取得方式"), choices=PatentSource.choices)
    deal = PickerField("industrialization_deals", label=_("来源交易"), required=False,
                       help_text=_("许可或受让取得时，选择带来该专利的交易"))

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("prefix", "patent")
        super().__init__(*args, **kwargs)
        for f in self.fields.values():
            f.wide = True


class PartnerForm(forms.Form):
    organization = PickerField("organizations", label=_("合作单位"))
    role = forms.ChoiceField(label=_("合作角色"), choices=PartnerRole.choices)

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("prefix", "partner")
        super().__init__(*args, **kwargs)
        for f in self.fields.values():
            f.wide = True


class MilestoneForm(forms.Form):
    title = forms.CharField(label=_("里程碑"), max_length=200)
    due_date = forms.DateField(label=_("计划日期"), required=False, widget=forms.DateInput(attrs=DATE))
    done_date = forms.DateField(label=_("完成日期"), required=False, widget=forms.DateInput(attrs=DATE))

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("prefix", "milestone")
        super().__init__(*args, **kwargs)


class InvestmentForm(forms.Form):
    source = forms.ChoiceField(label=_("资金来源"), choices=InvestmentSource.choices)
    amount = forms.DecimalField(label=_("金额（元）"), min_value=0, max_digits=16, decimal_places=2)
    investor = PickerField("organizations", label=_("出资单位"), required=False)
    date = forms.DateField(label=_("到位日期"), required=False, widget=forms.DateInput(attrs=DATE))

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("prefix", "investment")
        super().__init__(*args, **kwargs)


class OutcomeForm(forms.Form):
    year = forms.IntegerField(label=_("年度"), min_value=2000, max_value=2100)
    output_value = forms.DecimalField(label=_("产值（元）"), required=False, min_value=0, max_digits=16,
                                      decimal_places=2)
    sales = forms.DecimalField(label=_("销售额（元）"), required=False, min_value=0, max_digits=16, decimal_places=2)
    jobs = forms.IntegerField(label=_("带动就业（人）"), required=False, min_value=0)
    new_patents = forms.IntegerField(label=_("新申请专利（件）"), required=False, min_value=0)
    evidence = forms.FileField(label=_("证明材料"), required=False,
                               help_text=_("PDF、Word、Excel、图片或 ZIP，不超过 20 MB"))

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("prefix", "outcome")
        super().__init__(*args, **kwargs)


class ProductForm(forms.ModelForm):
    enterprise = PickerField("enterprises", label=_("生产企业"), required=False,
                             help_text=_("运营中心代企业登记时选择；企业用户登记的产品属于本企业"))
    project = PickerField("industrialization_projects", label=_("产业化项目"), required=False)
    brand = PickerField("industrialization_brands", label=_("品牌"), required=False)

    class Meta:
        model = Product
        fields = ["name", "category", "catalogue_code", "enterprise", "project", "brand", "description", "features"]
        widgets = {"description": forms.Textarea(attrs={"rows": 3}), "features": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("name", "description", "features"):
            self.fields[name].wide = True

    def _post_clean(self):
        """The service validates and saves."""


class ProductYearForm(forms.Form):
    year = forms.IntegerField(label=_("数据年度"), min_value=2000, max_value=2100)
    output_value = forms.DecimalField(label=_("产值（元）"), required=False, min_value=0, max_digits=16,
                                      decimal_places=2)
    sales = forms.DecimalField(label=_("销售额（元）"), required=False, min_value=0, max_digits=16, decimal_places=2)
    patent_revenue_share = forms.DecimalField(label=_("专利贡献收入占比（%）"), required=False, min_value=0,
                                              max_value=100, max_digits=5, decimal_places=2)
    evidence = forms.FileField(label=_("证明材料"), required=False,
                               help_text=_("审计报告、销售发票汇总等，不超过 20 MB"))

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("prefix", "year")
        super().__init__(*args, **kwargs)


class ImportForm(forms.Form):
    file = forms.FileField(label=_("数据表（Excel .xlsx 或 .csv）"),
                           help_text=_("表头：产品名称、数据年度、产值（元）、销售额（元）、专利贡献收入占比（%）、说明"))


class FilingPrepareForm(forms.Form):
    data_year = forms.IntegerField(label=_("数据年度"), min_value=2000, max_value=2100)

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("prefix", "filing")
        super().__init__(*args, **kwargs)


class FilingTransitionForm(forms.Form):
    to_status = forms.CharField(widget=forms.HiddenInput)
    on = forms.DateField(label=_("日期"), required=False, widget=forms.DateInput(attrs=DATE),
                         help_text=_("留空为今天"))
    platform_reference = forms.CharField(label=_("平台受理编号"), required=False, max_length=100)
    publication_reference = forms.CharField(label=_("公示/公告编号"), required=False, max_length=100)
    reason = forms.CharField(label=_("说明"), required=False, max_length=500)


class TrademarkLinkForm(forms.Form):
    trademarks = forms.ModelMultipleChoiceField(label=_("勾选本产品使用的商标"), queryset=None, required=False,
                                                widget=forms.CheckboxSelectMultiple)

    def __init__(self, *args, queryset, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["trademarks"].queryset = queryset


class BrandForm(forms.Form):
    name = forms.CharField(label=_("品牌名称"), max_length=200)
    holder = PickerField("organizations", label=_("品牌持有人"), required=False,
                         help_text=_("运营中心代登记时选择；企业用户登记的品牌属于本单位"))
    description = forms.CharField(label=_("品牌简介"), required=False, widget=forms.Textarea(attrs={"rows": 3}))


class TrademarkForm(forms.Form):
    registration_number = forms.CharField(label=_("注册号"), max_length=20)
    mark = forms.CharField(label=_("商标名称"), max_length=200)
    nice_class = forms.IntegerField(label=_("类别（1–45）"), min_value=1, max_value=45)
    goods = forms.CharField(label=_("核定使用商品/服务"), required=False, max_length=2000)
    status = forms.ChoiceField(label=_("状态"), choices=TrademarkStatus.choices)
    valid_until = forms.DateField(label=_("专用权期限至"), required=False, widget=forms.DateInput(attrs=DATE))

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("prefix", "tm")
        super().__init__(*args, **kwargs)


class AwardForm(forms.Form):
    title = forms.CharField(label=_("荣誉名称"), max_length=200)
    year = forms.IntegerField(label=_("年度"), min_value=2000, max_value=2100)
    awarded_by = forms.CharField(label=_("授予单位"), required=False, max_length=200)

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("prefix", "award")
        super().__init__(*args, **kwargs)
