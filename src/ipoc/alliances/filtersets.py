"""List filters of 创新联合体: the FilterSet is the list page's filter bar; the filtering is
``selectors.consortium_list``, the same the API's ``ConsortiumFilters`` call."""

import django_filters
from django import forms
from django.utils.translation import gettext_lazy as _

from ipoc.alliances import selectors
from ipoc.alliances.models import Consortium, ConsortiumStatus


class ConsortiumFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("关键词"),
                                  widget=forms.TextInput(attrs={"placeholder": _("联合体名称、产业领域或牵头单位")}))
    status = django_filters.ChoiceFilter(label=_("状态"), choices=ConsortiumStatus.choices, empty_label=_("全部状态"))
    center = django_filters.NumberFilter(widget=forms.HiddenInput)
    member = django_filters.NumberFilter(widget=forms.HiddenInput)

    class Meta:
        model = Consortium
        fields = ["q", "status", "center", "member"]

    def filter_queryset(self, queryset):
        d = self.form.cleaned_data
        filtered = selectors.consortium_list(user=self.request.user, q=(d.get("q") or "").strip(),
                                             status=d.get("status") or "",
                                             center=int(d["center"]) if d.get("center") else None,
                                             member=int(d["member"]) if d.get("member") else None)
        return filtered.order_by(*queryset.query.order_by) if queryset.query.order_by else filtered
