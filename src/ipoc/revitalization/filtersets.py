"""List filters of 存量专利盘活. The FilterSet declares and validates the filters (its form is the list page's
filter bar); the filtering itself is ``selectors.stock_list`` / ``selectors.push_list``, the same the API calls."""

import django_filters
from django import forms
from django.utils.translation import gettext_lazy as _

from ipoc.core.models import Organization
from ipoc.revitalization import selectors
from ipoc.revitalization.models import Library, Recommendation, Response, Stage, StockPatent, StockPush


def _ordered(filtered, queryset):
    return filtered.order_by(*queryset.query.order_by) if queryset.query.order_by else filtered


class StockFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("关键词"),
                                  widget=forms.TextInput(attrs={"placeholder": _("专利名称、申请号或公开号")}))
    stage = django_filters.ChoiceFilter(label=_("审核环节"), choices=Stage.choices, empty_label=_("全部环节"))
    library = django_filters.ChoiceFilter(label=_("所在库"), choices=Library.choices[1:], empty_label=_("全部"))
    recommendation = django_filters.ChoiceFilter(label=_("分层分类建议"), choices=Recommendation.choices,
                                                 empty_label=_("全部"))
    department = django_filters.ChoiceFilter(label=_("所属院系"), choices=[], empty_label=_("全部院系"))
    institution = django_filters.ChoiceFilter(label=_("高校/院所"), choices=[], empty_label=_("全部单位"))

    class Meta:
        model = StockPatent
        fields = ["q", "stage", "library", "recommendation", "department", "institution"]

    def __init__(self, data=None, queryset=None, *, request=None, **kwargs):
        super().__init__(data, queryset, request=request, **kwargs)
        base = queryset if queryset is not None else StockPatent.objects.none()
        departments = base.exclude(department="").order_by().values_list("department", flat=True).distinct()
        self.filters["department"].extra["choices"] = [(d, d) for d in sorted(set(departments))]
        institutions = Organization.objects.filter(pk__in=base.order_by().values("institution")).order_by("name")
        if institutions.count() > 1:
            self.filters["institution"].extra["choices"] = [(str(o.pk), o.name) for o in institutions]
        else:
            del self.filters["institution"]

    def filter_queryset(self, queryset):
        d = self.form.cleaned_data
        institution = d.get("institution")
        filtered = selectors.stock_list(user=self.request.user, q=(d.get("q") or "").strip(),
                                        stage=d.get("stage") or "", library=d.get("library") or "",
                                        recommendation=d.get("recommendation") or "",
                                        department=d.get("department") or "",
                                        institution=int(institution) if institution else None)
        return _ordered(filtered, queryset)


class PushFilterSet(django_filters.FilterSet):
    response = django_filters.ChoiceFilter(label=_("最新反馈"), empty_label=_("全部"),
                                           choices=[("none", _("尚未反馈"))] + list(Response.choices))

    class Meta:
        model = StockPush
        fields = ["response"]

    def filter_queryset(self, queryset):
        response = self.form.cleaned_data.get("response") or ""
        if response == "none":
            filtered = selectors.push_list(user=self.request.user).filter(response="")
        else:
            filtered = selectors.push_list(user=self.request.user, response=response)
        return _ordered(filtered, queryset)
