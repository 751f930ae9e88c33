"""List filters of the centers app. Each FilterSet declares and validates the filters (its form is the list
page's filter bar); the filtering itself is the app's selector — the same call the API makes."""

from __future__ import annotations

import django_filters
from django import forms
from django.utils.translation import gettext_lazy as _

from ipoc.centers import selectors
from ipoc.centers.models import (
    AnnualReport,
    ApplicationStatus,
    Center,
    CenterLevel,
    CenterStatus,
    Evaluation,
    EvaluationStatus,
    Grade,
    RecognitionApplication,
    ReportStatus,
)


def _province_choices(queryset) -> list[tuple[str, str]]:
    from ipoc.core.validators import region_name

    prefixes = sorted({(code or "")[:2] for code in queryset.order_by().values_list("region_code", flat=True)} - {""})
    return [(p, region_name(p + "0000") or selectors.PROVINCE_SHORT.get(p, p)) for p in prefixes]


def _years(queryset) -> list[tuple[int, int]]:
    years = sorted(set(queryset.order_by().values_list("year", flat=True)), reverse=True)
    return [(y, _("%(y)s年度") % {"y": y}) for y in years]


class CenterFilterSet(django_filters.FilterSet):
    """运营中心登记: keyword, level, status, province, industry, flagged branches."""

    q = django_filters.CharFilter(label=_("关键词"),
                                  widget=forms.TextInput(attrs={"placeholder": _("名称、建设主体或产业领域")}))
    level = django_filters.ChoiceFilter(label=_("层级"), choices=CenterLevel.choices, empty_label=_("全部"))
    status = django_filters.ChoiceFilter(label=_("状态"), choices=CenterStatus.choices, empty_label=_("全部"))
    province = django_filters.ChoiceFilter(label=_("省份"), choices=[], empty_label=_("全部"))
    industry = django_filters.ChoiceFilter(label=_("产业领域"), choices=[], empty_label=_("全部"))
    flagged = django_filters.ChoiceFilter(label=_("提示"), choices=[("1", _("仅疑似分中心"))], empty_label=_("全部"))

    class Meta:
        model = Center
        fields = ["q", "level", "status", "province", "industry", "flagged"]

    def __init__(self, data=None, queryset=None, *, request=None, public: bool = False, **kwargs):
        super().__init__(data, queryset, request=request, **kwargs)
        base = queryset if queryset is not None else Center.objects.none()
        self.public = public
        self.filters["province"].extra["choices"] = _province_choices(base)
        industries = sorted(set(base.order_by().exclude(industry="").values_list("industry", flat=True)))
        self.filters["industry"].extra["choices"] = [(i, i) for i in industries]
        for name in ("province", "industry"):
            self.form.fields[name].widget.attrs["data-searchable"] = ""
        if public:  # the public list shows recognised centers only, and no internal hints
            for name in ("status", "flagged"):
                del self.form.fields[name]

    def filter_queryset(self, queryset):
        d = self.form.cleaned_data
        args = {"q": (d.get("q") or "").strip(), "level": d.get("level") or "", "industry": d.get("industry") or ""}
        if self.public:
            filtered = selectors.center_public_list(**args)
            if d.get("province"):
                filtered = filtered.filter(region_code__startswith=d["province"])
        else:
            filtered = selectors.center_list(user=self.request.user, status=d.get("status") or "",
                                             region=d.get("province") or "", flagged=d.get("flagged") == "1", **args)
        return filtered.order_by(*queryset.query.order_by) if queryset.query.order_by else filtered


class ApplicationFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("运营中心"), method="filter_q",
                                  widget=forms.TextInput(attrs={"placeholder": _("运营中心名称")}))
    status = django_filters.ChoiceFilter(label=_("状态"), choices=ApplicationStatus.choices,
                                         empty_label=_("全部"))
    level = django_filters.ChoiceFilter(label=_("申请层级"), choices=CenterLevel.choices, empty_label=_("全部"))
    year = django_filters.ChoiceFilter(label=_("工作成效年度"), choices=[], empty_label=_("全部"))

    class Meta:
        model = RecognitionApplication
        fields = ["q", "status", "level", "year"]

    def __init__(self, data=None, queryset=None, *, request=None, **kwargs):
        super().__init__(data, queryset, request=request, **kwargs)
        self.filters["year"].extra["choices"] = _years(queryset if queryset is not None
                                                       else RecognitionApplication.objects.none())

    def filter_q(self, queryset, name, value):
        return queryset.filter(center__name__icontains=value.strip()) if value.strip() else queryset


class ReportFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("运营中心"), method="filter_q",
                                  widget=forms.TextInput(attrs={"placeholder": _("运营中心名称")}))
    status = django_filters.ChoiceFilter(label=_("状态"), choices=ReportStatus.choices, empty_label=_("全部"))
    year = django_filters.ChoiceFilter(label=_("年度"), choices=[], empty_label=_("全部"))

    class Meta:
        model = AnnualReport
        fields = ["q", "status", "year"]

    def __init__(self, data=None, queryset=None, *, request=None, **kwargs):
        super().__init__(data, queryset, request=request, **kwargs)
        self.filters["year"].extra["choices"] = _years(queryset if queryset is not None
                                                       else AnnualReport.objects.none())

    def filter_q(self, queryset, name, value):
        return queryset.filter(center__name__icontains=value.strip()) if value.strip() else queryset


class EvaluationFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("运营中心"), method="filter_q",
                                  widget=forms.TextInput(attrs={"placeholder": _("运营中心名称")}))
    status = django_filters.ChoiceFilter(label=_("状态"), choices=EvaluationStatus.choices,
                                         empty_label=_("全部"))
    grade = django_filters.ChoiceFilter(label=_("评价等次"), choices=Grade.choices, empty_label=_("全部"))
    year = django_filters.ChoiceFilter(label=_("评价年度"), choices=[], empty_label=_("全部"))

    class Meta:
        model = Evaluation
        fields = ["q", "status", "grade", "year"]

    def __init__(self, data=None, queryset=None, *, request=None, **kwargs):
        super().__init__(data, queryset, request=request, **kwargs)
        self.filters["year"].extra["choices"] = _years(queryset if queryset is not None
                                                       else Evaluation.objects.none())

    def filter_q(self, queryset, name, value):
        return queryset.filter(center__name__icontains=value.strip()) if value.strip() else queryset
