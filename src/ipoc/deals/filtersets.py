"""List filters of 交易撮合. The FilterSet declares and validates the filters (its form is the list page's filter
bar); the filtering itself is ``selectors.deal_list``, the same the API's ``DealFilters`` call. Links from the
statistics add hidden filters (center, counted, month) so a figure opens exactly its records."""

import django_filters
from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ipoc.deals import selectors
from ipoc.deals.models import ChainScope, Deal, DealStage, DealType


class DealFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("关键词"), widget=forms.TextInput(attrs={"placeholder": _("项目名称或备注")}))
    stage = django_filters.ChoiceFilter(label=_("阶段"), choices=DealStage.choices, empty_label=_("全部阶段"))
    deal_type = django_filters.ChoiceFilter(label=_("交易方式"), choices=DealType.choices, empty_label=_("全部方式"))
    chain_scope = django_filters.ChoiceFilter(label=_("产业链范围"), choices=ChainScope.choices, empty_label=_("全部"))
    signed_year = django_filters.ChoiceFilter(label=_("签约年度"), choices=[], empty_label=_("全部年度"))
    center = django_filters.NumberFilter(widget=forms.HiddenInput)
    counted = django_filters.CharFilter(widget=forms.HiddenInput)
    signed_month = django_filters.NumberFilter(widget=forms.HiddenInput)
    demand = django_filters.NumberFilter(widget=forms.HiddenInput)
    event = django_filters.NumberFilter(widget=forms.HiddenInput)

    class Meta:
        model = Deal
        fields = ["q", "stage", "deal_type", "chain_scope", "signed_year", "center", "counted", "signed_month",
                  "demand", "event"]

    def __init__(self, data=None, queryset=None, *, request=None, **kwargs):
        super().__init__(data, queryset, request=request, **kwargs)
        this_year = timezone.localdate().year
        self.filters["signed_year"].extra["choices"] = [(str(y), str(y)) for y in range(this_year, this_year - 8, -1)]

    def filter_queryset(self, queryset):
        d = self.form.cleaned_data

        def number(name):
            value = d.get(name)
            return int(value) if value else None

        filtered = selectors.deal_list(user=self.request.user, q=(d.get("q") or "").strip(), stage=d.get("stage") or "",
                                       deal_type=d.get("deal_type") or "", chain_scope=d.get("chain_scope") or "",
                                       center=number("center"), signed_year=number("signed_year"),
                                       counted=d.get("counted") == "1", demand=number("demand"),
                                       event=number("event"))
        if d.get("signed_month"):
            filtered = filtered.filter(signed_date__month=int(d["signed_month"]))
        return filtered.order_by(*queryset.query.order_by) if queryset.query.order_by else filtered
