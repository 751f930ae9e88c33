from django import forms
from django.utils.translation import gettext_lazy as _


class RunStartForm(forms.Form):
    """Input only; rules live in ``services``."""

    scenario = forms.ChoiceField(label=_("评估场景"))
    as_of = forms.DateField(label=_("评估基准日"), required=False, widget=forms.DateInput(attrs={"type": "date"}),
                            help_text=_("留空为今天"))

    def __init__(self, *args, scenarios: dict[str, str], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["scenario"].choices = list(scenarios.items())


class TreeForm(forms.Form):
    tree = forms.CharField(label=_("指标体系（JSON）"), widget=forms.Textarea(attrs={"rows": 30, "spellcheck": "false",
                                                                                    "style": "font-family:monospace;width:100%"}))
    note = forms.CharField(label=_("修改说明"), max_length=300, required=False)
    rescore = forms.BooleanField(label=_("保存后按新指标体系重新评估全部专利"), required=False)
