"""Input of the risk pages; the rules live in ``services`` (the forms only parse)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from ipoc.core.pickers import PickerField
from ipoc.risk import rules
from ipoc.risk.models import LitigationCase, Mapping

LINES_HELP = _("每行一项")
REQUESTER_HELP = _("运营中心代其登记时选择；只列出本中心服务的单位（本中心撮合交易的当事方、受理需求的提出方，或曾自行向本中心申请排查的单位）")


class CheckForm(forms.Form):
    product_name = forms.CharField(label=_("产品名称"), max_length=200)
    title = forms.CharField(label=_("排查名称"), max_length=200, required=False, help_text=_("留空时按产品名称生成"))
    requester = PickerField("risk_requesters", label=_("申请单位"), required=False, help_text=REQUESTER_HELP)
    center = PickerField("operation_centers", label=_("承办运营中心"), required=False,
                         help_text=_("由哪家运营中心开展排查"))
    product = forms.TypedChoiceField(label=_("产品记录"), required=False, coerce=int, empty_value=None,
                                     help_text=_("选择本单位在“专利产业化”中登记的产品，技术特征留空时按产品记录预填"))
    description = forms.CharField(label=_("产品描述"), widget=forms.Textarea(attrs={"rows": 4}), required=False,
                                  max_length=20000, help_text=_("产品的结构、工作原理与用途"))
    features = forms.CharField(label=_("技术特征"), widget=forms.Textarea(attrs={"rows": 6}), required=False,
                               help_text=_("每行一项：产品实现的一个技术特征，将与专利权利要求逐项对比"))
    variants = forms.CharField(label=_("型号/变体"), widget=forms.Textarea(attrs={"rows": 2}), required=False,
                               help_text=LINES_HELP)
    components = forms.CharField(label=_("部件"), widget=forms.Textarea(attrs={"rows": 2}), required=False,
                                 help_text=LINES_HELP)
    markets = forms.MultipleChoiceField(label=_("目标市场"), choices=rules.MARKETS,
                                        widget=forms.CheckboxSelectMultiple,
                                        help_text=_("产品制造、销售或进口的国家/地区"))
    horizon_date = forms.DateField(label=_("排查时间范围至"), widget=forms.DateInput(attrs={"type": "date"}),
                                   help_text=_("计划出口的截止日期：在此之前有效或审中的专利都会纳入"))
    ipc_codes = forms.CharField(label=_("IPC 分类"), required=False, widget=forms.Textarea(attrs={"rows": 1}),
                                help_text=_("可空，每行一个，如 B60L"))
    competitors = forms.CharField(label=_("关注的申请人"), required=False, widget=forms.Textarea(attrs={"rows": 2}),
                                  help_text=_("可空，竞争对手或主要专利权人，每行一个"))

    def __init__(self, *args, user=None, products=(), **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("description", "features", "title"):
            self.fields[name].wide = True
        if products:
            self.fields["product"].choices = [("", _("不关联"))] + [(p["id"], p["name"]) for p in products]
        else:
            del self.fields["product"]
        if user is not None and not user.is_platform_admin:
            if user.role == "enterprise_user":
                del self.fields["requester"]
                self.fields["center"].required = True
            elif user.role == "center_staff":
                del self.fields["center"]
                self.fields["requester"].required = True


class RemoveForm(forms.Form):
    reason = forms.CharField(label=_("移除理由"), max_length=300)


class AddCandidateForm(forms.Form):
    patent = PickerField("patents", label=_("专利"), help_text=_("输入专利号或名称搜索"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["patent"].wide = True


class ElementForm(forms.Form):
    mapping = forms.ChoiceField(label=_("对比结论"), choices=Mapping.choices,
                                widget=forms.Select(attrs={"class": "form-select form-select-sm"}))
    note = forms.CharField(label=_("备注"), required=False, max_length=2000)


class NoteForm(forms.Form):
    design_around = forms.CharField(label=_("规避设计建议"), required=False, max_length=4000,
                                    widget=forms.Textarea(attrs={"rows": 3}))


class LitigationForm(forms.ModelForm):
    class Meta:
        model = LitigationCase
        fields = ["kind", "case_number", "parties", "products", "patents", "status", "filed_date", "note"]
        widgets = {"parties": forms.Textarea(attrs={"rows": 2}), "products": forms.Textarea(attrs={"rows": 2}),
                   "patents": forms.Textarea(attrs={"rows": 2}), "note": forms.Textarea(attrs={"rows": 2}),
                   "filed_date": forms.DateInput(attrs={"type": "date"})}

    def _post_clean(self):
        """The service validates and saves."""


class LitigationImportForm(forms.Form):
    file = forms.FileField(label=_("案件清单"), help_text=_("Excel（.xlsx）或 CSV；列：案号、类型、当事人、涉案产品、涉案专利号、状态、立案日期、备注"))


class BomForm(forms.Form):
    title = forms.CharField(label=_("排查名称"), max_length=200, required=False)
    requester = PickerField("risk_requesters", label=_("申请单位"), required=False, help_text=REQUESTER_HELP)
    center = PickerField("operation_centers", label=_("承办运营中心"), required=False)
    file = forms.FileField(label=_("物料清单/供应商清单"), help_text=_("Excel（.xlsx）或 CSV，按模板填写"))

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        if user is not None and not user.is_platform_admin:
            if user.role == "enterprise_user":
                del self.fields["requester"]
                self.fields["center"].required = True
            elif user.role == "center_staff":
                del self.fields["center"]
                self.fields["requester"].required = True


class TermsForm(forms.Form):
    def __init__(self, *args, initial_checks=None, **kwargs):
        super().__init__(*args, **kwargs)
        initial_checks = initial_checks or {}
        for code, label in rules.CONTRACT_TERMS:
            cur = initial_checks.get(code) or {}
            self.fields[f"ok_{code}"] = forms.BooleanField(label=label, required=False, initial=cur.get("ok"))
            self.fields[f"evidence_{code}"] = forms.CharField(label=_("依据"), required=False, max_length=1000,
                                                              initial=cur.get("evidence", ""))

    def checks(self) -> dict:
        return {code: {"ok": self.cleaned_data.get(f"ok_{code}"), "evidence": self.cleaned_data.get(f"evidence_{code}")}
                for code, _label in rules.CONTRACT_TERMS}


class RemediationForm(forms.Form):
    supplier_name = forms.CharField(label=_("供应商"), required=False, max_length=200)
    action = forms.CharField(label=_("措施"), max_length=300)
    owner = forms.CharField(label=_("负责人"), max_length=100)
    due_date = forms.DateField(label=_("完成期限"), widget=forms.DateInput(attrs={"type": "date"}))
