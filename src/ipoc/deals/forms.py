from django import forms
from django.utils.translation import gettext_lazy as _

from ipoc.deals.models import Deal


class DealForm(forms.ModelForm):
    """Input only; rules live in ``services``. Parties are given by organisation name, patents by number."""

    center_name = forms.CharField(label=_("撮合运营中心"), required=False,
                                  help_text=_("平台管理员登记时填写运营中心名称；运营中心工作人员无需填写"))
    seller_names = forms.CharField(label=_("转让/许可方"), required=False, help_text=_("单位名称，多个用逗号分隔"))
    buyer_names = forms.CharField(label=_("受让/被许可方"), required=False, help_text=_("单位名称，多个用逗号分隔"))
    patent_refs = forms.CharField(label=_("涉及专利"), required=False,
                                  help_text=_("公开（公告）号、申请号或专利ID，用逗号分隔"))
    demand_id = forms.IntegerField(label=_("来源需求ID"), required=False)
    event_id = forms.IntegerField(label=_("来源活动ID"), required=False)

    class Meta:
        model = Deal
        fields = ["title", "deal_type", "chain_scope", "amount", "intention_date", "signed_date", "completed_date",
                  "note"]
        widgets = {"note": forms.Textarea(attrs={"rows": 3}),
                   "intention_date": forms.DateInput(attrs={"type": "date"}),
                   "signed_date": forms.DateInput(attrs={"type": "date"}),
                   "completed_date": forms.DateInput(attrs={"type": "date"})}

    def _post_clean(self):
        pass


class AttachmentForm(forms.Form):
    contract_file = forms.FileField(label=_("合同文本"), required=False)
    filing_file = forms.FileField(label=_("备案材料"), required=False)
