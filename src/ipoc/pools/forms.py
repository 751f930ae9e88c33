"""Input of the 专利池 pages; the rules live in ``services``. Organisations, patents and experts are picked by
search (no typed ids)."""

from __future__ import annotations

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ipoc.core.pickers import PickerField
from ipoc.pools.models import AllocationMethod, Decision, PoolStatus

DATE = {"type": "date"}



MAX_PER_UNIT = 1_000_000  # 元/件: a unit royalty above a million yuan is a typing error
MAX_AMOUNT = 10**12  # 1 万亿元, the services' bound (services.MAX_DECIMAL)

class PoolForm(forms.Form):
    name = forms.CharField(label=_("专利池名称"), max_length=200)
    domain = forms.CharField(label=_("技术领域"), max_length=200, required=False)
    description = forms.CharField(label=_("简介"), required=False, widget=forms.Textarea(attrs={"rows": 3}),
                                  max_length=5000)
    admin_fee_percent = forms.DecimalField(label=_("管理费比例（%）"), min_value=0, max_value=100, initial=10,
                                           decimal_places=2, help_text=_("从收取的许可费中扣除的管理人费用"))
    allocation_method = forms.ChoiceField(label=_("分配公式"), choices=AllocationMethod.choices)
    report_due_days = forms.IntegerField(label=_("报告期限（期末后天数）"), min_value=1, max_value=365, initial=30)


class PoolEditForm(PoolForm):
    status = forms.ChoiceField(label=_("状态"), choices=PoolStatus.choices,
                               help_text=_("运营中的专利池在公开页面展示；至少两个许可人"))


class StandardForm(forms.Form):
    code = forms.CharField(label=_("标准号"), max_length=80)
    name = forms.CharField(label=_("标准名称"), max_length=200)
    version = forms.CharField(label=_("版本"), max_length=40)
    published_on = forms.DateField(label=_("发布日期"), required=False, widget=forms.DateInput(attrs=DATE))
    sections = forms.CharField(label=_("标准条款"), widget=forms.Textarea(attrs={"rows": 4}), max_length=10000,
                               help_text=_("每行一个条款：条款号 条款名称，如“6.3 帧间预测”"))

    def section_list(self) -> list[tuple[str, str]]:
        out = []
        for line in self.cleaned_data["sections"].splitlines():
            parts = line.strip().split(None, 1)
            if parts:
                out.append((parts[0], parts[1] if len(parts) > 1 else ""))
        return out[:500]


class LicensorForm(forms.Form):
    organization = PickerField("organizations", label=_("许可人（专利权人）"))
    joined_on = forms.DateField(label=_("加入日期"), required=False, widget=forms.DateInput(attrs=DATE),
                                help_text=_("留空为今天"))


class ProgrammeForm(forms.Form):
    name = forms.CharField(label=_("许可计划名称"), max_length=200)
    terms = forms.CharField(label=_("许可条件"), required=False, widget=forms.Textarea(attrs={"rows": 3}),
                            max_length=10000)
    categories = forms.CharField(label=_("产品类别"), widget=forms.Textarea(attrs={"rows": 3}), max_length=5000,
                                 help_text=_("每行一个：类别代码 类别名称，如“TV 电视机”"))

    def category_list(self) -> list[tuple[str, str]]:
        out = []
        for line in self.cleaned_data["categories"].splitlines():
            parts = line.strip().split(None, 1)
            if len(parts) == 2:
                out.append((parts[0], parts[1]))
        return out[:200]


class RateCardForm(forms.Form):
    """A rate card version: one rate (and optional cap) per category of the programme."""

    version = forms.CharField(label=_("版本"), max_length=40)
    effective_from = forms.DateField(label=_("生效日期"), widget=forms.DateInput(attrs=DATE))
    back_royalty_surcharge_percent = forms.DecimalField(label=_("补缴附加比例（%）"), min_value=0, max_value=100,
                                                        initial=0, decimal_places=2)
    discounts = forms.CharField(label=_("地区折扣"), required=False, widget=forms.Textarea(attrs={"rows": 2}),
                                max_length=2000, help_text=_("每行一组：国家组名称 国家代码（逗号分隔） 折扣%，如“新兴市场 IN,VN 20”"))
    early_category = forms.ChoiceField(label=_("早鸟费率适用类别"), required=False)
    early_per_unit = forms.DecimalField(label=_("早鸟单位许可费（元/件）"), required=False, min_value=0,
                                        max_value=MAX_PER_UNIT, decimal_places=4)
    early_signed_from = forms.DateField(label=_("签约窗口起"), required=False, widget=forms.DateInput(attrs=DATE))
    early_signed_to = forms.DateField(label=_("签约窗口止"), required=False, widget=forms.DateInput(attrs=DATE))
    early_sales_until = forms.DateField(label=_("早鸟费率适用至（销售日）"), required=False,
                                        widget=forms.DateInput(attrs=DATE))
    note = forms.CharField(label=_("说明"), required=False, widget=forms.Textarea(attrs={"rows": 2}), max_length=2000)

    def __init__(self, *args, programme, **kwargs):
        super().__init__(*args, **kwargs)
        self.categories = list(programme.categories.all())
        self.fields["early_category"].choices = [("", _("不设早鸟费率"))] + [(c.code, c.name) for c in self.categories]
        for c in self.categories:
            self.fields[f"rate_{c.code}"] = forms.DecimalField(label=_("%(c)s 单位许可费（元/件）") % {"c": c.name},
                                                               min_value=0, max_value=MAX_PER_UNIT,
                                                               decimal_places=4)
            self.fields[f"cap_{c.code}"] = forms.DecimalField(label=_("%(c)s 年度封顶（元/被许可人）") % {"c": c.name},
                                                              min_value=0, max_value=MAX_AMOUNT,
                                                              decimal_places=2, required=False)

    def service_kwargs(self) -> dict:
        d = self.cleaned_data
        rates = [{"category": c.code, "per_unit": d[f"rate_{c.code}"], "annual_cap": d.get(f"cap_{c.code}")}
                 for c in self.categories]
        discounts = []
        for line in (d.get("discounts") or "").splitlines():
            parts = line.split()
            if len(parts) >= 3:
                discounts.append({"group": parts[0], "countries": parts[1], "percent": parts[2]})
            elif parts:
                raise forms.ValidationError(_("地区折扣每行需要：国家组名称 国家代码 折扣%"))
        early = []
        if d.get("early_category"):
            early.append({"category": d["early_category"], "per_unit": d.get("early_per_unit"),
                          "signed_from": d.get("early_signed_from"), "signed_to": d.get("early_signed_to"),
                          "sales_until": d.get("early_sales_until")})
        return {"version": d["version"], "effective_from": d["effective_from"], "rates": rates,
                "discounts": discounts, "early_birds": early, "note": d.get("note") or "",
                "back_royalty_surcharge_percent": d["back_royalty_surcharge_percent"]}


class PatentSubmitForm(forms.Form):
    licensor = forms.ChoiceField(label=_("许可人"))
    patent = PickerField("pool_patents", label=_("专利"), help_text=_("输入专利号或名称搜索；须为许可人持有的专利"))
    family = forms.CharField(label=_("专利族"), max_length=80, required=False,
                             help_text=_("同族专利的共同标识（如最早优先权号），用于按族分配"))
    sections = forms.MultipleChoiceField(label=_("对应标准条款"), required=False,
                                         widget=forms.CheckboxSelectMultiple)

    def __init__(self, *args, licensors, sections, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["licensor"].choices = [(str(x.pk), x.organization.name) for x in licensors]
        self.fields["sections"].choices = [(str(s.pk), f"{s.version} §{s.number} {s.title}") for s in sections]


class AgreementForm(forms.Form):
    programme = forms.ChoiceField(label=_("许可计划"))
    licensee = PickerField("organizations", label=_("被许可人"))
    number = forms.CharField(label=_("协议编号"), max_length=60, required=False)
    countries = forms.CharField(label=_("许可地域"), max_length=500, required=False,
                                help_text=_("国家/地区代码，逗号分隔，如“CN,US,IN”；留空为全球"))
    back_royalty_from = forms.DateField(label=_("补缴起算日"), required=False, widget=forms.DateInput(attrs=DATE),
                                        help_text=_("签约前的销售自此日起补缴许可费"))

    def __init__(self, *args, programmes, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["programme"].choices = [(str(p.pk), p.name) for p in programmes]


class SignForm(forms.Form):
    signed_on = forms.DateField(label=_("签约日期"), widget=forms.DateInput(attrs=DATE),
                                initial=timezone.localdate)


class ReportUploadForm(forms.Form):
    period = forms.CharField(label=_("报告期"), max_length=8, help_text=_("如 2025Q4（季度）、2025-03（月）"))
    file = forms.FileField(label=_("报告文件（XLSX 或 CSV）"),
                           help_text=_("列：产品类别、制造国、销售国、数量、销售日期（可空，默认期末）"))

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if not (upload.name or "").lower().endswith((".xlsx", ".csv")):
            raise forms.ValidationError(_("请上传 .xlsx 或 .csv 文件：%(n)s") % {"n": upload.name})
        return upload


class AssignForm(forms.Form):
    expert = PickerField("pool_experts", label=_("评估专家"), help_text=_("平台评审专家；被指派后先作利益冲突声明"))


class DeclareForm(forms.Form):
    conflict = forms.ChoiceField(label=_("利益冲突声明"), choices=[("none", _("无利益冲突")),
                                                                   ("conflict", _("存在利益冲突（回避）"))],
                                 widget=forms.RadioSelect)
    note = forms.CharField(label=_("说明"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2}))


class ChartRowForm(forms.Form):
    claim_number = forms.IntegerField(label=_("权利要求"), min_value=1, max_value=999, initial=1)
    element = forms.CharField(label=_("技术特征"), max_length=500)
    section = forms.ChoiceField(label=_("标准条款"))
    reads_on = forms.BooleanField(label=_("对应"), required=False, initial=True)
    note = forms.CharField(label=_("说明"), required=False, max_length=500)

    def __init__(self, *args, sections, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["section"].choices = [(str(s.pk), f"§{s.number} {s.title}") for s in sections]


class OpinionForm(forms.Form):
    opinion = forms.ChoiceField(label=_("评估意见"), choices=Decision.choices)
    comment = forms.CharField(label=_("意见说明"), required=False, max_length=5000,
                              widget=forms.Textarea(attrs={"rows": 3}))


class AuditForm(forms.Form):
    findings = forms.CharField(label=_("稽核发现"), max_length=5000, widget=forms.Textarea(attrs={"rows": 3}))
    adjustment = forms.DecimalField(label=_("调整金额（元）"), decimal_places=2, initial=0, min_value=-MAX_AMOUNT,
                                    max_value=MAX_AMOUNT,
                                    help_text=_("正数为被许可人应补缴"))


class PaidForm(forms.Form):
    paid_on = forms.DateField(label=_("付款日期"), widget=forms.DateInput(attrs=DATE), initial=timezone.localdate)


class SimulatorForm(forms.Form):
    year = forms.IntegerField(label=_("以哪一年的报告为基础"), min_value=2000, max_value=2100)
    patents = forms.CharField(label=_("假设新增专利"), required=False, max_length=2000,
                              help_text=_("专利号，逗号分隔（按新增许可人计）"))
    category = forms.ChoiceField(label=_("假设调整费率的类别"), required=False)
    per_unit = forms.DecimalField(label=_("假设单位许可费（元/件）"), required=False, min_value=0,
                                  max_value=MAX_PER_UNIT, decimal_places=4)
    discount_countries = forms.CharField(label=_("假设地区折扣国家"), required=False, max_length=200,
                                         help_text=_("国家代码，逗号分隔"))
    discount_percent = forms.DecimalField(label=_("假设地区折扣（%）"), required=False, min_value=0, max_value=100,
                                          decimal_places=2)
    years_ahead = forms.IntegerField(label=_("向后推演年数"), min_value=0, max_value=20, initial=5)

    def __init__(self, *args, categories, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["category"].choices = [("", _("不调整"))] + [(str(c.pk), c.name) for c in categories]
