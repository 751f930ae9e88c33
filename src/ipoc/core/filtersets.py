"""List filters and tables of the core pages (organisations, the audit log). Each FilterSet declares and validates
the filters (its form is the list page's filter bar); the filtering itself is ``core.selectors`` — the same call
the API makes."""

from __future__ import annotations

import django_filters
import django_tables2 as tables
from django import forms
from django.contrib.contenttypes.models import ContentType
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from ipoc.core import selectors
from ipoc.core.display import EMPTY
from ipoc.core.models import AuditAction, AuditEntry, Organization, OrganizationKind
from ipoc.core.tables import ChoiceColumn, IpocTable, LinkedColumn
from ipoc.core.validators import region_name, region_table


def province_choices() -> list[tuple[str, str]]:
    """Provinces (省级行政区) by their two-digit prefix, as the region filter offers them."""
    return sorted((code[:2], name) for code, name in region_table().items() if code.endswith("0000"))


def region_label(code: str) -> str:
    return (region_name(code) or code) if code else EMPTY


class OrganizationFilterSet(django_filters.FilterSet):
    """组织机构: name or credit code, kind, province."""

    q = django_filters.CharFilter(label=_("名称"),
                                  widget=forms.TextInput(attrs={"placeholder": _("名称或统一社会信用代码")}))
    kind = django_filters.ChoiceFilter(label=_("类型"), choices=OrganizationKind.choices, empty_label=_("全部类型"))
    region = django_filters.ChoiceFilter(label=_("所在省份"), choices=province_choices, empty_label=_("全部省份"))

    class Meta:
        model = Organization
        fields = ["q", "kind", "region"]

    def __init__(self, data=None, queryset=None, *, request=None, **kwargs):
        super().__init__(data, queryset, request=request, **kwargs)
        self.form.fields["region"].widget.attrs["data-searchable"] = ""

    def filter_queryset(self, queryset):
        data = self.form.cleaned_data
        return selectors.organization_list(user=self.request.user, q=(data.get("q") or "").strip(),
                                           kind=data.get("kind") or "", region=data.get("region") or "")


class RegionColumn(tables.Column):
    def render(self, value):
        return region_label(value)

    def value(self, value):
        return region_label(value) if value else ""


class OrganizationTable(IpocTable):
    export_name = "organizations"
    name = LinkedColumn(viewname="organization_detail", verbose_name=_("名称"))
    kind = ChoiceColumn(verbose_name=_("类型"))
    region_code = RegionColumn(verbose_name=_("所在地区"), default=EMPTY)
    credit_code = tables.Column(verbose_name=_("统一社会信用代码"), default=EMPTY)
    is_sme = tables.Column(verbose_name=_("中小企业"), default="", orderable=False)

    class Meta(IpocTable.Meta):
        model = Organization
        fields = ("name", "kind", "region_code", "credit_code", "is_sme")

    def render_kind(self, value, record):
        label = record.get_kind_display()
        if record.office_level:
            return f"{label}（{record.get_office_level_display()}）"
        return label

    def render_is_sme(self, value):
        return format_html('<span class="badge bg-green-lt">{}</span>', _("中小企业")) if value else ""

    def value_is_sme(self, value):
        return str(_("是")) if value else ""


def audit_model_choices() -> list[tuple[str, str]]:
    """The kinds of record the audit log holds, by their names."""
    ids = AuditEntry.objects.order_by().values_list("content_type", flat=True).distinct()
    choices = []
    for ct in ContentType.objects.filter(pk__in=[i for i in ids if i]):
        model = ct.model_class()
        if model is not None:
            choices.append((ct.model, str(model._meta.verbose_name)))
    return sorted(choices, key=lambda c: c[1])


class AuditFilterForm(forms.Form):
    actor = forms.CharField(label=_("操作人（用户名）"), required=False)
    action = forms.ChoiceField(label=_("动作"), required=False,
                               choices=[("", _("全部动作")), *AuditAction.choices])
    model = forms.ChoiceField(label=_("对象类型"), required=False, choices=())
    object_id = forms.CharField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["model"].choices = [("", _("全部类型")), *audit_model_choices()]
