"""List filters of the export risk checks; the filtering itself is ``selectors.check_list``."""

import django_filters
from django import forms
from django.utils.translation import gettext_lazy as _

from ipoc.risk import selectors
from ipoc.risk.models import CheckStatus, RiskCheck, RiskLevel


class CheckFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("关键词"), widget=forms.TextInput(attrs={"placeholder": _("排查名称或产品")}))
    status = django_filters.ChoiceFilter(label=_("状态"), choices=CheckStatus.choices, empty_label=_("全部状态"))
    risk = django_filters.ChoiceFilter(label=_("总体风险"), choices=RiskLevel.choices, empty_label=_("全部"))

    class Meta:
        model = RiskCheck
        fields = ["q", "status", "risk"]

    def filter_queryset(self, queryset):
        d = self.form.cleaned_data
        qs = selectors.check_list(user=self.request.user, q=(d.get("q") or "").strip(), status=d.get("status") or "",
                                  risk=d.get("risk") or "")
        return qs.order_by(*queryset.query.order_by) if queryset.query.order_by else qs
