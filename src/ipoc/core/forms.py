from django import forms

from ipoc.core.models import Organization


class OrganizationForm(forms.ModelForm):
    """Input only: validation and saving happen in ``services.organization_update``."""

    class Meta:
        model = Organization
        fields = ["name", "kind", "office_level", "is_sme", "region_code", "credit_code", "address", "website",
                  "contact_name", "contact_phone", "contact_email", "profile"]
        widgets = {"profile": forms.Textarea(attrs={"rows": 4})}

    def _post_clean(self):  # model validation is the service's job (one place for rules)
        pass
