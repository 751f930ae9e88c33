from django import forms
from django.utils.translation import gettext_lazy as _

from ipoc.demands import selectors as demand_selectors
from ipoc.matching.models import ChainPosition


def _split(raw: str) -> list[str]:
    for sep in ("，", "；", ";", " "):
        raw = (raw or "").replace(sep, ",")
    return [w.strip() for w in raw.split(",") if w.strip()]


class ChainNodeForm(forms.Form):
    name = forms.CharField(label=_("节点名称"), max_length=100)
    position = forms.ChoiceField(label=_("链位"), choices=ChainPosition.choices)
    keywords = forms.CharField(label=_("关键词"), required=False, help_text=_("用逗号分隔"))
    ipc_prefixes = forms.CharField(label=_("IPC前缀"), required=False, help_text=_("如 H01M4, H01M10/05"))

    def service_data(self) -> dict:
        d = self.cleaned_data
        return {"name": d["name"], "position": d["position"], "keywords": _split(d["keywords"]),
                "ipc_prefixes": _split(d["ipc_prefixes"])}


class ListingForm(forms.Form):
    patent = forms.CharField(label=_("专利（公开号或申请号）"))
    holder = forms.IntegerField(label=_("权利人（组织机构ID，运营中心代为挂牌时填写）"), required=False)
    modes = forms.MultipleChoiceField(label=_("交易方式"), widget=forms.CheckboxSelectMultiple,
                                      choices=[(m, m) for m in demand_selectors.DEAL_MODES])
    asking_price = forms.DecimalField(label=_("挂牌价格（元）"), required=False, max_digits=16, decimal_places=2)
    terms = forms.CharField(label=_("交易条件"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
    open_license = forms.BooleanField(label=_("开放许可"), required=False)
