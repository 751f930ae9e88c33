from django import forms
from django.utils.translation import gettext_lazy as _

from ipoc.patents.importers import FORMATS
from ipoc.patents.models import ApplicantType, LegalStatus, PatentType


class PatentFilterForm(forms.Form):
    q = forms.CharField(label=_("关键词/号码"), required=False)
    patent_type = forms.ChoiceField(label=_("专利类型"), required=False, choices=[("", _("全部")), *PatentType.choices])
    legal_status = forms.ChoiceField(label=_("法律状态"), required=False,
                                     choices=[("", _("全部")), *LegalStatus.choices])
    ipc = forms.CharField(label=_("IPC前缀"), required=False, widget=forms.TextInput(attrs={"size": 8}))
    applicant = forms.CharField(label=_("申请人"), required=False)
    applicant_type = forms.ChoiceField(label=_("申请人类型"), required=False,
                                       choices=[("", _("全部")), *ApplicantType.choices])
    region = forms.CharField(label=_("国省代码"), required=False, widget=forms.TextInput(attrs={"size": 6}))
    jurisdiction = forms.CharField(label=_("国家/地区"), required=False, widget=forms.TextInput(attrs={"size": 4}))
    application_date_from = forms.DateField(label=_("申请日起"), required=False,
                                            widget=forms.DateInput(attrs={"type": "date"}))
    application_date_to = forms.DateField(label=_("申请日止"), required=False,
                                          widget=forms.DateInput(attrs={"type": "date"}))


class ImportForm(forms.Form):
    file = forms.FileField(label=_("文件"))
    format = forms.ChoiceField(label=_("格式"), choices=[("auto", _("自动识别")), *[(f, f) for f in FORMATS]])
