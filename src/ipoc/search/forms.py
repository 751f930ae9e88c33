from django import forms
from django.apps import apps
from django.utils.translation import gettext_lazy as _


def _choices(model: str, field: str) -> list:
    """Choices of a patents field, read from the app registry (search imports no other app's models)."""
    return list(apps.get_model("patents", model)._meta.get_field(field).choices)


class SearchForm(forms.Form):
    q = forms.CharField(label=_("检索式"), required=False, max_length=2000,
                        widget=forms.TextInput(attrs={"size": 40, "placeholder": _("关键词或技术描述，引号内为短语")}))
    patent_type = forms.ChoiceField(label=_("专利类型"), required=False, choices=[])
    legal_status = forms.MultipleChoiceField(label=_("法律状态"), required=False, choices=[],
                                             widget=forms.CheckboxSelectMultiple)
    ipc = forms.CharField(label=_("IPC前缀"), required=False, widget=forms.TextInput(attrs={"size": 8}))
    applicant = forms.CharField(label=_("申请人"), required=False)
    applicant_type = forms.ChoiceField(label=_("申请人类型"), required=False, choices=[])
    region = forms.CharField(label=_("国省代码"), required=False, widget=forms.TextInput(attrs={"size": 6}))
    jurisdiction = forms.CharField(label=_("国家/地区"), required=False, widget=forms.TextInput(attrs={"size": 4}))
    application_date_from = forms.DateField(label=_("申请日起"), required=False,
                                            widget=forms.DateInput(attrs={"type": "date"}))
    application_date_to = forms.DateField(label=_("申请日止"), required=False,
                                          widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, data=None, *args, **kwargs):
        if data is not None and hasattr(data, "getlist"):  # "legal_status=" (nothing ticked) means no filter
            data = data.copy()
            data.setlist("legal_status", [v for v in data.getlist("legal_status") if v])
        super().__init__(data, *args, **kwargs)
        everything = [("", _("全部"))]
        self.fields["patent_type"].choices = everything + _choices("Patent", "patent_type")
        self.fields["legal_status"].choices = _choices("Patent", "legal_status")
        self.fields["applicant_type"].choices = everything + _choices("PatentParty", "party_type")

    def filters(self) -> dict:
        data = self.cleaned_data if self.is_valid() else {}
        return {k: v for k, v in data.items() if k != "q" and v not in ("", None, [])}
