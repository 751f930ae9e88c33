from django import forms
from django.apps import apps
from django.utils.translation import gettext_lazy as _


def _choices(model: str, field: str) -> list:
    """Choices of a patents field, read from the app registry (search imports no other app's models)."""
    return list(apps.get_model("patents", model)._meta.get_field(field).choices)


class SearchForm(forms.Form):
    q = forms.CharField(label=_("检索式"), required=False, max_length=2000,
                        widget=forms.TextInput(attrs={"placeholder": _("输入关键词或一段技术描述，引号内为短语"),
                                                      "autofocus": True, "aria-label": _("检索式")}))
    patent_type = forms.ChoiceField(label=_("专利类型"), required=False, choices=[])
    legal_status = forms.MultipleChoiceField(label=_("法律状态"), required=False, choices=[],
                                             widget=forms.CheckboxSelectMultiple(attrs={"class": "form-check-input"}))
    ipc = forms.CharField(label=_("IPC 分类号"), required=False,
                          widget=forms.TextInput(attrs={"placeholder": _("前缀，如 H01M")}))
    applicant = forms.CharField(label=_("申请人"), required=False,
                                widget=forms.TextInput(attrs={"placeholder": _("申请人全称")}))
    applicant_type = forms.ChoiceField(label=_("申请人类型"), required=False, choices=[])
    region = forms.CharField(label=_("国省代码"), required=False,
                             widget=forms.TextInput(attrs={"placeholder": _("前缀，如 32（江苏）")}))
    jurisdiction = forms.CharField(label=_("国家/地区"), required=False,
                                   widget=forms.TextInput(attrs={"placeholder": _("如 CN、US、EP")}))
    application_date_from = forms.DateField(label=_("申请日 起"), required=False,
                                            widget=forms.DateInput(attrs={"type": "date"}))
    application_date_to = forms.DateField(label=_("申请日 止"), required=False,
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


class IpcSuggestForm(forms.Form):
    text = forms.CharField(label=_("技术描述"), max_length=5000,
                           widget=forms.Textarea(attrs={"rows": 5, "placeholder": _(
                               "例如：一种锂离子电池正极材料的制备方法，包括将前驱体与锂源混合后烧结……")}),
                           help_text=_("粘贴专利名称、摘要或一段技术方案，推荐最可能的 IPC 小类。"))
    top = forms.TypedChoiceField(label=_("推荐个数"), coerce=int, initial=5, required=False,
                                 choices=[(5, "5"), (10, "10"), (20, "20")])
