from django import forms

from ipoc.core.models import Organization, OrganizationKind

# What an organisation *is* (type, office level, region; an office's name) decides its users' authority:
# only platform administrators see and change these fields (services.organization_update refuses them too).
AUTHORITY_FORM_FIELDS = ("kind", "office_level", "region_code")


class OrganizationForm(forms.ModelForm):
    """Input only: validation and saving happen in ``services.organization_update``.

    Pass ``user``: the authority fields appear only for platform administrators.
    """

    class Meta:
        model = Organization
        fields = ["name", "kind", "office_level", "is_sme", "region_code", "credit_code", "address", "website",
                  "contact_name", "contact_phone", "contact_email", "profile"]
        widgets = {"profile": forms.Textarea(attrs={"rows": 4})}

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        if user is not None and user.is_platform_admin:
            return
        hidden = list(AUTHORITY_FORM_FIELDS)
        if self.instance is not None and self.instance.kind == OrganizationKind.IP_OFFICE:
            hidden.append("name")
        if self.instance is not None and self.instance.kind != OrganizationKind.ENTERPRISE:
            hidden.append("is_sme")  # only enterprises are or are not SMEs
        for name in hidden:
            self.fields.pop(name, None)

    def _post_clean(self):  # model validation is the service's job (one place for rules)
        pass
