"""List filters of 专利产业化; the filtering itself is the selectors' (the same the API calls)."""

import django_filters
from django import forms
from django.utils.translation import gettext_lazy as _

from ipoc.industrialization import selectors
from ipoc.industrialization.models import FilingStatus, Product, Project, ProjectStage


class ProjectFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("关键词"), widget=forms.TextInput(attrs={"placeholder": _("项目名称或企业")}))
    stage = django_filters.ChoiceFilter(label=_("阶段"), choices=ProjectStage.choices, empty_label=_("全部阶段"))
    chain_node = django_filters.NumberFilter(widget=forms.HiddenInput)
    center = django_filters.NumberFilter(widget=forms.HiddenInput)

    class Meta:
        model = Project
        fields = ["q", "stage", "chain_node", "center"]

    def filter_queryset(self, queryset):
        d = self.form.cleaned_data
        return selectors.project_list(user=self.request.user, q=(d.get("q") or "").strip(),
                                      stage=d.get("stage") or "", chain_node=d.get("chain_node") or None,
                                      center=d.get("center") or None)


class ProductFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("关键词"),
                                  widget=forms.TextInput(attrs={"placeholder": _("产品名称、类别或企业")}))
    status = django_filters.ChoiceFilter(label=_("备案状态"), choices=FilingStatus.choices, empty_label=_("全部"))

    class Meta:
        model = Product
        fields = ["q", "status"]

    def filter_queryset(self, queryset):
        d = self.form.cleaned_data
        return selectors.product_list(user=self.request.user, q=(d.get("q") or "").strip(),
                                      status=d.get("status") or "")
