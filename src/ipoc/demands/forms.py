"""Input only; rules live in ``services``. Organisations and centers are picked by search, never typed as ids."""

from django import forms
from django.core.validators import MinValueValidator
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ipoc.core.models import Role
from ipoc.core.pickers import PickerField
from ipoc.demands.models import DealMode, Demand


class InlineCheckboxes(forms.CheckboxSelectMultiple):
    """A few choices (合作方式) as inline theme checkboxes."""

    template_name = "demands/widgets/checkbox_inline.html"


FORM_FIELDS = ["title", "description", "industry", "industry_code", "budget_text", "budget_min", "budget_max",
               "region_code", "deadline", "contact_name", "contact_phone", "contact_email"]


class DemandForm(forms.ModelForm):
    """The demand an enterprise or institution fills in. There is no status field: the status moves only by the
    buttons of the workflow (发布需求 submits it to the accepting center).

    ``user`` decides the owner fields: center staff pick the organisation they file for (the center is
    their own); enterprise and institution users file for their own organisation and pick the center
    that accepts and publishes the demand."""

    organization = PickerField("organizations", label=_("需求方"), required=True,
                               help_text=_("代企业或高校院所录入需求时，搜索并选择需求方单位"))
    center = PickerField("operation_centers", label=_("受理运营中心"), required=False,
                         help_text=_("由该运营中心受理、发布并组织对接"))
    keywords_text = forms.CharField(label=_("关键词"), required=False, help_text=_("用逗号或空格分隔，如：正极材料，包覆"))
    modes = forms.MultipleChoiceField(label=_("期望合作方式"), choices=DealMode.choices, required=False,
                                      widget=InlineCheckboxes)

    class Meta:
        model = Demand
        fields = FORM_FIELDS
        widgets = {"description": forms.Textarea(attrs={"rows": 5}),
                   "deadline": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")}

    field_order = ["organization", "title", "center", "description", "keywords_text", "industry", "industry_code",
                   "modes", "budget_text", "budget_min", "budget_max", "region_code", "deadline", "contact_name",
                   "contact_phone", "contact_email"]

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        editing = self.instance.pk is not None
        on_behalf = user is not None and (user.role == Role.CENTER_STAFF or user.is_platform_admin)
        if editing or not on_behalf:
            del self.fields["organization"]  # own organisation, or the owner of the record being edited
        if user is not None and user.role == Role.CENTER_STAFF:
            del self.fields["center"]  # the center files for itself
        elif "center" in self.fields and not (user is not None and user.is_platform_admin):
            self.fields["center"].required = True
        self.fields["title"].widget.attrs.setdefault("placeholder", _("如：锂电池正极材料包覆技术"))
        self.fields["budget_text"].widget.attrs.setdefault("placeholder", _("如：10~50万、面议"))
        for name in ("budget_min", "budget_max"):
            self.fields[name].validators.append(MinValueValidator(0))
            self.fields[name].widget.attrs["min"] = "0"
        self.fields["region_code"].help_text = _("6 位行政区划代码（GB/T 2260），留空则取需求方单位所在地")
        self.fields["industry_code"].help_text = _("可选：GB/T 4754 门类字母或大类两位代码，如 C、38")
        if editing:
            self.initial.setdefault("keywords_text", "，".join(self.instance.keywords or []))
            self.initial.setdefault("modes", list(self.instance.modes or []))
            if "center" in self.fields and self.instance.center_id:
                self.initial.setdefault("center", self.instance.center_id)
        elif user is not None and not on_behalf:
            org = user.organization
            self.initial.setdefault("contact_name", str(user) if user.display_name else "")
            self.initial.setdefault("contact_email", user.email)
            if org is not None:
                self.initial.setdefault("region_code", org.region_code)

    def clean_deadline(self):
        deadline = self.cleaned_data.get("deadline")
        if deadline and deadline < timezone.localdate() and deadline != getattr(self.instance, "deadline", None):
            raise forms.ValidationError(_("截止日期不能早于今天"))
        return deadline

    def _post_clean(self):
        pass  # the service validates the model (and names the field of any error)

    def service_data(self) -> dict:
        data = {k: v for k, v in self.cleaned_data.items() if k != "keywords_text"}
        raw = self.cleaned_data.get("keywords_text", "")
        for sep in ("，", "、", "；", ";", " "):
            raw = raw.replace(sep, ",")
        data["keywords"] = [w for w in (s.strip() for s in raw.split(",")) if w]
        if "center" in data and data["center"] is None:
            data.pop("center")
        return data


class DemandImportForm(forms.Form):
    file = forms.FileField(label=_("需求表格文件"), help_text=_("Excel（.xlsx）或 CSV，表头与模板一致"))

    def clean_file(self):
        f = self.cleaned_data["file"]
        if not f.name.lower().endswith((".xlsx", ".csv")):
            raise forms.ValidationError(_("请上传 .xlsx 或 .csv 文件"))
        return f
