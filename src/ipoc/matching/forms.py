from django import forms
from django.utils.translation import gettext_lazy as _

from ipoc.core.pickers import PickerField
from ipoc.demands import selectors as demand_selectors
from ipoc.demands.forms import InlineCheckboxes
from ipoc.matching.models import ChainPosition


def _split(raw: str) -> list[str]:
    for sep in ("，", "；", ";", "、", " "):
        raw = (raw or "").replace(sep, ",")
    return [w.strip() for w in raw.split(",") if w.strip()]


class ChainNodeForm(forms.Form):
    name = forms.CharField(label=_("节点名称"), max_length=100, widget=forms.TextInput(attrs={"placeholder": _("如：正极材料")}))
    position = forms.ChoiceField(label=_("链位"), choices=ChainPosition.choices)
    keywords = forms.CharField(label=_("关键词"), required=False, help_text=_("用逗号分隔；需求或专利文本含其一即归入该节点"))
    ipc_prefixes = forms.CharField(label=_("IPC前缀"), required=False, help_text=_("如 H01M4, H01M10/05"))

    def service_data(self) -> dict:
        d = self.cleaned_data
        return {"name": d["name"], "position": d["position"], "keywords": _split(d["keywords"]),
                "ipc_prefixes": _split(d["ipc_prefixes"])}


class ListingForm(forms.Form):
    """挂牌 a patent: picked by search (number or title), never typed as a key."""

    patent = PickerField("listing_patents", label=_("专利"),
                         help_text=_("输入公开号、申请号或名称搜索；企业和高校院所可挂牌本单位持有的专利"))
    holder = PickerField("organizations", label=_("权利人"), required=False,
                         help_text=_("运营中心代为挂牌时选择权利人单位"))
    modes = forms.MultipleChoiceField(label=_("交易方式"), widget=InlineCheckboxes,
                                      choices=demand_selectors.DEAL_MODE_CHOICES)
    asking_price = forms.DecimalField(label=_("挂牌价格（元）"), required=False, max_digits=16, decimal_places=2,
                                      min_value=0, help_text=_("面议可不填"))
    terms = forms.CharField(label=_("交易条件"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
    open_license = forms.BooleanField(label=_("开放许可"), required=False)

    def __init__(self, *args, on_behalf: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if on_behalf:
            self.fields["holder"].required = True
        else:
            del self.fields["holder"]  # the holder is the user's own organisation


class CenterChoiceForm(forms.Form):
    """Which center's 产业链图谱 to show (for users who are not a center's staff)."""

    center = PickerField("operation_centers", label=_("运营中心"), required=False)


class MatchQueryForm(forms.Form):
    """Center staff correct what a demand is matched on: its key terms and, if misread, its kind."""

    terms_text = forms.CharField(
        label=_("匹配关键词"), required=False, max_length=500, widget=forms.TextInput(attrs={"class": "form-control"}),
        help_text=_("用空格或逗号分隔；留空则恢复系统自动提取的关键词。通用词（如 研发、应用、高性能）会自动降权"))
    kind = forms.ChoiceField(label=_("需求类型"), required=False, widget=forms.Select(attrs={"class": "form-select"}),
                             help_text=_("系统按需求名称识别；识别有误时可指定"))

    def __init__(self, *args, **kwargs):
        from ipoc.matching.models import NeedKind

        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = [("", _("自动识别")), *NeedKind.choices]
