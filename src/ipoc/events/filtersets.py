"""List filters of 路演推介 / 对接会. The FilterSet declares and validates the filters (its form is the list
page's filter bar); the filtering itself is ``selectors.event_list``, the same the API calls."""

import django_filters
from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ipoc.events import selectors
from ipoc.events.models import Event, EventKind, EventStatus


class EventFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("关键词"),
                                  widget=forms.TextInput(attrs={"placeholder": _("活动名称、简介或地点")}))
    kind = django_filters.ChoiceFilter(label=_("活动类型"), choices=EventKind.choices, empty_label=_("全部类型"))
    status = django_filters.ChoiceFilter(label=_("状态"), choices=EventStatus.choices, empty_label=_("全部状态"))
    year = django_filters.ChoiceFilter(label=_("年度"), choices=[], empty_label=_("全部年度"))
    mine = django_filters.ChoiceFilter(label=_("范围"), empty_label=_("全部可见"),
                                       choices=[("1", _("本单位主办或报名"))])

    class Meta:
        model = Event
        fields = ["q", "kind", "status", "year", "mine"]

    def __init__(self, data=None, queryset=None, *, request=None, **kwargs):
        super().__init__(data, queryset, request=request, **kwargs)
        this_year = timezone.localdate().year
        self.filters["year"].extra["choices"] = [(str(y), str(y)) for y in range(this_year + 1, this_year - 6, -1)]

    def filter_queryset(self, queryset):
        d = self.form.cleaned_data
        filtered = selectors.event_list(user=self.request.user, q=(d.get("q") or "").strip(), kind=d.get("kind") or "",
                                        status=d.get("status") or "", mine=d.get("mine") == "1",
                                        year=int(d["year"]) if d.get("year") else None)
        return filtered.order_by(*queryset.query.order_by) if queryset.query.order_by else filtered
