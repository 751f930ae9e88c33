"""List filters of 转化对接 pages: the demands to match, listings, a run's matches."""

import django_filters
from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from ipoc.demands import selectors as demand_selectors
from ipoc.matching.models import Listing, ListingStatus, Match, MatchStatus

YES_NO = [("1", _("是")), ("0", _("否"))]


class OpenDemandFilterSet(django_filters.FilterSet):
    """Filters of the matching home's list of open demands (a demand queryset annotated with match counts)."""

    q = django_filters.CharFilter(label=_("关键词"), method="filter_q",
                                  widget=forms.TextInput(attrs={"placeholder": _("需求名称或需求方")}))
    status = django_filters.ChoiceFilter(label=_("需求状态"), method="filter_status", empty_label=_("全部开放需求"),
                                         choices=[])
    waiting = django_filters.ChoiceFilter(label=_("待确认匹配"), method="filter_waiting", empty_label=_("不限"),
                                          choices=[("1", _("有待确认的匹配")), ("0", _("尚未匹配"))])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.filters["status"].extra["choices"] = demand_selectors.OPEN_STATUS_CHOICES

    def filter_q(self, queryset, name, value):
        return queryset.filter(Q(title__icontains=value) | Q(organization__name__icontains=value))

    def filter_status(self, queryset, name, value):
        return queryset.filter(status=value)

    def filter_waiting(self, queryset, name, value):
        return queryset.filter(n_proposed__gt=0) if value == "1" else queryset.filter(n_total=0)


class ListingFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("关键词"), method="filter_q",
                                  widget=forms.TextInput(attrs={"placeholder": _("专利号、名称或权利人")}))
    mode = django_filters.ChoiceFilter(label=_("交易方式"), method="filter_mode", empty_label=_("全部方式"),
                                       choices=demand_selectors.DEAL_MODE_CHOICES)
    status = django_filters.ChoiceFilter(label=_("状态"), choices=ListingStatus.choices, empty_label=_("全部状态"))
    open_license = django_filters.ChoiceFilter(label=_("开放许可"), method="filter_open", choices=YES_NO,
                                               empty_label=_("不限"))

    class Meta:
        model = Listing
        fields = ["q", "mode", "status", "open_license"]

    def filter_q(self, queryset, name, value):
        return queryset.filter(Q(patent__title__icontains=value) | Q(patent__publication_number__icontains=value)
                               | Q(patent__application_number__icontains=value)
                               | Q(holder__name__icontains=value))

    def filter_mode(self, queryset, name, value):
        # modes is a JSON list; a containment lookup is not available on SQLite, so match the quoted code
        return queryset.filter(modes__icontains=f'"{value}"')

    def filter_open(self, queryset, name, value):
        return queryset.filter(open_license=value == "1")


class RunMatchFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("需求"), method="filter_q",
                                  widget=forms.TextInput(attrs={"placeholder": _("需求名称")}))
    status = django_filters.ChoiceFilter(label=_("状态"), choices=MatchStatus.choices, empty_label=_("全部状态"))

    class Meta:
        model = Match
        fields = ["q", "status"]

    def filter_q(self, queryset, name, value):
        return queryset.filter(demand__title__icontains=value)
