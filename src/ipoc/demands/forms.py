from django import forms
from django.utils.translation import gettext_lazy as _

from ipoc.core.models import Organization, OrganizationKind
from ipoc.demands.models import DealMode, Demand


class DemandForm(forms.ModelForm):
    """Input only; rules live in ``services``."""

    keywords_text = forms.CharField(label=_("关键词"), required=False, help_text=_("用逗号或空格分隔"))
    modes = forms.MultipleChoiceField(label=_("期望合作方式"), choices=DealMode.choices, required=False,
                                      widget=forms.CheckboxSelectMultiple)
    center = forms.ModelChoiceField(label=_("受理运营中心"), required=False,
                                    queryset=Organization.objects.filter(kind=OrganizationKind.OPERATION_CENTER))

    class Meta:
        model = Demand
        fields = ["kind", "title", "description", "industry", "industry_code", "budget_text", "budget_min",
                  "budget_max", "region_code", "deadline", "contact_name", "contact_phone", "contact_email"]
        widgets = {"description": forms.Textarea(attrs={"rows": 6}), "deadline": forms.DateInput(attrs={"type": "date"})}

    def _post_clean(self):
        pass

    def service_data(self) -> dict:
        data = {k: v for k, v in self.cleaned_data.items() if k != "keywords_text"}
        raw = self.cleaned_data.get("keywords_text", "").replace("，", ",").replace(" ", ",")
        data["keywords"] = [w for w in (s.strip() for s in raw.split(",")) if w]
        return data
