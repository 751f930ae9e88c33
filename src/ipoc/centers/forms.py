from django import forms
from django.utils.translation import gettext_lazy as _

from ipoc.centers.models import Center, CenterStatus, EvidenceKind
from ipoc.core.models import Organization, OrganizationKind


class CenterForm(forms.ModelForm):
    """Input only; rules live in ``services``."""

    class Meta:
        model = Center
        fields = ["organization", "name", "host_organization", "host_type", "industry", "industry_chain", "level",
                  "managing_office", "region_code", "staff_count", "started_on", "status"]
        widgets = {"started_on": forms.DateInput(attrs={"type": "date"})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        orgs = Organization.objects.order_by("name")
        self.fields["organization"].queryset = orgs.filter(kind=OrganizationKind.OPERATION_CENTER,
                                                           center_record__isnull=True)
        self.fields["host_organization"].queryset = orgs.exclude(
            kind__in=(OrganizationKind.OPERATION_CENTER, OrganizationKind.IP_OFFICE))
        self.fields["managing_office"].queryset = orgs.filter(kind=OrganizationKind.IP_OFFICE)
        self.fields["status"].choices = [(s, CenterStatus(s).label) for s in
                                         (CenterStatus.BUILDING, CenterStatus.LETTER_SUPPORTED)]
        self.fields["region_code"].required = False

    def _post_clean(self):
        pass


class TransitionForm(forms.Form):
    to_status = forms.ChoiceField(label=_("新状态"), choices=CenterStatus.choices)
    reason = forms.CharField(label=_("理由"), widget=forms.Textarea(attrs={"rows": 2}))
    document_ref = forms.CharField(label=_("文件名称或文号"), max_length=300)
    document = forms.FileField(label=_("文件"), required=False)


class CorrectForm(forms.Form):
    to_status = forms.ChoiceField(label=_("更正后的状态"), choices=[("", _("不变"))] + CenterStatus.choices,
                                  required=False)
    reason = forms.CharField(label=_("更正理由"))
    document_ref = forms.CharField(label=_("文件名称或文号"), max_length=300)
    document = forms.FileField(label=_("文件"), required=False)


class EvidenceForm(forms.Form):
    kind = forms.ChoiceField(label=_("条件"), choices=EvidenceKind.choices)
    description = forms.CharField(label=_("说明"), widget=forms.Textarea(attrs={"rows": 2}))
    file = forms.FileField(label=_("证明材料"), required=False)


class CenterEditForm(forms.ModelForm):
    """Registry fields the center's staff and its offices may edit; level and office only for offices."""

    class Meta:
        model = Center
        fields = ["name", "host_organization", "host_type", "industry", "industry_chain", "region_code",
                  "staff_count", "started_on", "level", "managing_office"]
        widgets = {"started_on": forms.DateInput(attrs={"type": "date"})}

    def __init__(self, *args, office: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        orgs = Organization.objects.order_by("name")
        self.fields["host_organization"].queryset = orgs.exclude(
            kind__in=(OrganizationKind.OPERATION_CENTER, OrganizationKind.IP_OFFICE))
        self.fields["managing_office"].queryset = orgs.filter(kind=OrganizationKind.IP_OFFICE)
        if not office:
            del self.fields["level"], self.fields["managing_office"]

    def _post_clean(self):
        pass

    def changed_data_dict(self) -> dict:
        return {f: self.cleaned_data[f] for f in self.changed_data}
