"""List filters of 技术需求. The FilterSet declares and validates the filters (its form is the list page's
filter bar); the filtering itself is ``selectors.demand_list``, the same the API's ``DemandFilters`` call."""

import django_filters
from django import forms
from django.utils.translation import gettext_lazy as _

from ipoc.demands import selectors
from ipoc.demands.models import Demand, DemandKind, DemandStatus


class DemandFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("关键词"),
                                  widget=forms.TextInput(attrs={"placeholder": _("需求名称或描述")}))
    status = django_filters.ChoiceFilter(label=_("状态"), choices=DemandStatus.choices, empty_label=_("全部状态"))
    industry = django_filters.ChoiceFilter(label=_("所属行业"), choices=[], empty_label=_("全部行业"))
    kind = django_filters.ChoiceFilter(label=_("需求类型"), choices=DemandKind.choices, empty_label=_("全部类型"))
    mine = django_filters.ChoiceFilter(label=_("范围"), empty_label=_("全部可见"), choices=[("1", _("本单位相关"))])

    class Meta:
        model = Demand
        fields = ["q", "status", "industry", "kind", "mine"]

    def __init__(self, data=None, queryset=None, *, request=None, **kwargs):
        super().__init__(data, queryset, request=request, **kwargs)
        base = queryset if queryset is not None else Demand.objects.none()
        industries = base.exclude(industry="").order_by().values_list("industry", flat=True).distinct()
        self.filters["industry"].extra["choices"] = [(i, i) for i in sorted(set(industries))]

    def filter_queryset(self, queryset):
        d = self.form.cleaned_data
        filtered = selectors.demand_list(user=self.request.user, q=(d.get("q") or "").strip(),
                                         status=d.get("status") or "", kind=d.get("kind") or "",
                                         industry=d.get("industry") or "", mine=d.get("mine") == "1")
        return filtered.order_by(*queryset.query.order_by) if queryset.query.order_by else filtered
