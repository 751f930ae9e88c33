from django import forms
from django.utils.translation import gettext_lazy as _

from ipoc.events.models import Event


def split_refs(raw: str) -> list[str]:
    """Split '1, CN1234567A；3' into ['1', 'CN1234567A', '3']."""
    for sep in ("，", "；", ";", "\n", " "):
        raw = (raw or "").replace(sep, ",")
    return [p.strip() for p in raw.split(",") if p.strip()]


class EventForm(forms.ModelForm):
    """Input only; rules live in ``services``."""

    patent_refs = forms.CharField(label=_("推介专利"), required=False,
                                  help_text=_("公开（公告）号、申请号或专利ID，用逗号分隔"))
    demand_refs = forms.CharField(label=_("对接需求"), required=False, help_text=_("需求ID，用逗号分隔"))

    class Meta:
        model = Event
        fields = ["kind", "title", "held_on", "place", "online_url", "description"]
        widgets = {"description": forms.Textarea(attrs={"rows": 5}),
                   "held_on": forms.DateInput(attrs={"type": "date"})}

    def _post_clean(self):
        pass


class OutcomeForm(forms.Form):
    party_a = forms.IntegerField(label=_("供给方（组织机构ID）"))
    party_b = forms.IntegerField(label=_("需求方（组织机构ID）"))
    patent_refs = forms.CharField(label=_("涉及专利"), required=False)
    note = forms.CharField(label=_("意向说明"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
