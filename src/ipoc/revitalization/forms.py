"""Input of the 存量专利盘活 pages; the rules live in ``services``."""

from django import forms
from django.utils.translation import gettext_lazy as _

from ipoc.core.pickers import MultiPickerField, PickerField
from ipoc.revitalization import importers
from ipoc.revitalization.models import DealMode, Intention, Response


class InlineCheckboxes(forms.CheckboxSelectMultiple):
    """A few choices as inline theme checkboxes."""

    template_name = "revitalization/widgets/checkbox_inline.html"


class StockDefaultsForm(forms.Form):
    """The 建档 data given once for every patent filed together."""

    department = forms.CharField(label=_("所属院系"), max_length=100, required=False,
                                 help_text=_("决定由哪个院系审核人审核；留空由学校统一审核"))
    intentions = forms.MultipleChoiceField(label=_("转化意愿"), choices=Intention.choices, required=False,
                                           widget=InlineCheckboxes)
    implemented = forms.BooleanField(label=_("已实施"), required=False)
    self_rating = forms.TypedChoiceField(label=_("价值自评"), required=False, coerce=int, empty_value=None,
                                         choices=[("", _("不填")), (5, _("5（高）")), (4, "4"), (3, "3"), (2, "2"),
                                                  (1, _("1（低）"))],
                                         help_text=_("1–5 分，5 为最高"))
    contact_name = forms.CharField(label=_("联系人"), max_length=100, required=False)
    contact_phone = forms.CharField(label=_("联系电话"), max_length=50, required=False)
    contact_email = forms.EmailField(label=_("联系邮箱"), required=False)

    def defaults(self) -> dict:
        data = dict(self.cleaned_data)
        data.pop("patents", None)
        data.pop("numbers", None)
        return {k: v for k, v in data.items() if v not in ("", None, [])}


class StockFileForm(StockDefaultsForm):
    """A university or institute files patents it holds for 存量盘活: chosen by search among its own patents
    in the store, numbered or not."""

    patents = MultiPickerField("own_patents", label=_("本单位专利"),
                               help_text=_("输入专利名称、申请号或公开号搜索本单位作为申请人或权利人的专利，可多选；"
                                           "没有公开号的专利（如研究数据集收录的专利）同样可选"))
    field_order = ["patents"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["patents"].wide = True


class StockNumbersForm(StockDefaultsForm):
    """建档 by typing numbers (a list copied from a spreadsheet)."""

    numbers = forms.CharField(label=_("专利号"), widget=forms.Textarea(attrs={"rows": 4}),
                              help_text=_("每行一个，申请号（可带 ZL、校验位可省略）或公开（公告）号"))
    field_order = ["numbers"]

    def clean_numbers(self):
        raw = self.cleaned_data["numbers"]
        numbers = [n for n in raw.replace("，", ",").replace(",", "\n").split() if n]
        if not numbers:
            raise forms.ValidationError(_("请至少填写一个专利号"))
        return numbers


class StockEditForm(StockDefaultsForm):
    """Change the 建档 data of a stock patent still at 建档."""

    title = forms.CharField(label=_("名称"), widget=forms.Textarea(attrs={"rows": 2}))
    inventors = forms.CharField(label=_("发明人"), required=False, help_text=_("多个发明人用分号或逗号分隔"))
    field_order = ["title", "inventors"]

    def data_for_service(self) -> dict:
        data = dict(self.cleaned_data)
        data["inventors"] = importers.split_names(data.get("inventors", ""))
        data["intentions"] = list(data.get("intentions") or [])
        return data


class StockUploadForm(forms.Form):
    file = forms.FileField(label=_("建档表（Excel 或 CSV）"),
                           help_text=_("请使用下载的建档模板；每行一件专利，专利须已在平台专利库中"),
                           widget=forms.ClearableFileInput(attrs={"accept": ".xlsx,.csv"}))


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("意见或理由"), required=False, max_length=500,
                             widget=forms.Textarea(attrs={"rows": 2}),
                             help_text=_("退回或筛选不通过时必填"))


class PushForm(forms.Form):
    enterprise = PickerField("enterprises", label=_("推送企业"))
    note = forms.CharField(label=_("推送说明"), required=False, max_length=500)


class ResponseForm(forms.Form):
    response = forms.ChoiceField(label=_("反馈"), choices=[c for c in Response.choices if c[0] != Response.DEAL])
    note = forms.CharField(label=_("说明"), required=False, max_length=500)


class DealRecordForm(forms.Form):
    mode = forms.ChoiceField(label=_("转化方式"), choices=DealMode.choices)
    amount = forms.DecimalField(label=_("金额（元）"), required=False, min_value=0, max_digits=16, decimal_places=2)
    signed_on = forms.DateField(label=_("签约日期"), widget=forms.DateInput(attrs={"type": "date"}))
    note = forms.CharField(label=_("说明"), required=False, max_length=500)


class ServiceRequestForm(forms.Form):
    """A center asks to serve an institution's 存量专利盘活 (the institution consents on its page)."""

    institution = PickerField("institutions", label=_("高校/院所"))
    note = forms.CharField(label=_("申请说明"), required=False, max_length=500,
                           widget=forms.Textarea(attrs={"rows": 2}),
                           help_text=_("例如服务内容、联系人；高校/院所同意后，本中心可以查看其存量专利清单"))

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("auto_id", "id_service_%s")
        super().__init__(*args, **kwargs)
        self.fields["institution"].wide = True


class DecideForm(forms.Form):
    reason = forms.CharField(label=_("意见"), required=False, max_length=500)
