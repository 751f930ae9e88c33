"""The patent list's filters as a django-filter FilterSet, in the shape of ``selectors.PatentFilters``.

One shape for the page, the API (``/api/v1/patents?…``, ``api.PatentFilterQuery``) and the exports: the
FilterSet declares one filter per field of ``PatentFilters`` (same names, same meaning — checked when this
module is imported), its form validates and labels them, and the filtering itself is
``selectors.filter_patents``, the code the API runs. Nothing is filtered twice or in two ways.
"""

from __future__ import annotations

import dataclasses
import datetime as dt

import django_filters
from django import forms
from django.core.cache import cache
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from ipoc.core.errors import ApplicationError
from ipoc.core.pickers import PickerField, set_picker_querysets
from ipoc.patents import selectors
from ipoc.patents.models import ApplicantType, LegalStatus, Patent, PatentType


class PickerFilter(django_filters.Filter):
    """A filter whose field is a searchable picker (``core.pickers``) instead of a typed id."""

    field_class = PickerField


def _date(label):
    return django_filters.DateFilter(label=label, widget=forms.DateInput(attrs={"type": "date"}))


def _text(label, placeholder=""):
    attrs = {"placeholder": placeholder} if placeholder else {}
    return django_filters.CharFilter(label=label, widget=forms.TextInput(attrs=attrs))


def _source_choices():
    """The data sources present in the store, by label (the distinct list is cached for ten minutes: at a
    million patents it is a scan of the table)."""
    from ipoc.patents.forms import source_label

    codes = cache.get_or_set("patents:source-codes", lambda: sorted(
        c for c in Patent.objects.order_by().values_list("source", flat=True).distinct() if c), 600)
    return sorted(((c, source_label(c)) for c in codes), key=lambda x: x[1])


# One filter per field of selectors.PatentFilters, in the order the form shows them.
FILTERS = {
    "q": _text(_("关键词 / 号码"), _("名称、摘要、申请号或公开号")),
    "patent_type": django_filters.ChoiceFilter(label=_("专利类型"), choices=PatentType.choices,
                                               empty_label=_("全部")),
    "legal_status": django_filters.ChoiceFilter(label=_("法律状态"), choices=LegalStatus.choices,
                                                empty_label=_("全部")),
    "applicant": _text(_("申请人"), _("名称包含")),
    "ipc": _text(_("IPC 分类号"), _("前缀，如 H01M")),
    "applicant_type": django_filters.ChoiceFilter(label=_("申请人类型"), choices=ApplicantType.choices,
                                                  empty_label=_("全部")),
    "organization": PickerFilter(label=_("申请人单位"), kind="organizations"),
    "region": _text(_("国省代码"), _("前缀，如 32（江苏）")),
    "jurisdiction": _text(_("国家/地区"), _("如 CN、US、EP")),
    "source": django_filters.ChoiceFilter(label=_("数据来源"), choices=_source_choices, empty_label=_("全部")),
    "application_date_from": _date(_("申请日 起")),
    "application_date_to": _date(_("申请日 止")),
    "publication_date_from": _date(_("公开日 起")),
    "publication_date_to": _date(_("公开日 止")),
    "grant_date_from": _date(_("授权日 起")),
    "grant_date_to": _date(_("授权日 止")),
}

_SHAPE = [f.name for f in dataclasses.fields(selectors.PatentFilters)]
if sorted(FILTERS) != sorted(_SHAPE):  # pragma: no cover - a new PatentFilters field needs its filter here
    raise ImportError(f"PatentFilterSet and PatentFilters differ: {sorted(set(FILTERS) ^ set(_SHAPE))}")

# Shown in the filter bar; the rest sit under “更多条件”.
PRIMARY = ("q", "patent_type", "legal_status", "applicant", "ipc")


class _PatentFilterSetBase(django_filters.FilterSet):
    class Meta:
        model = Patent
        fields: list[str] = []

    def __init__(self, data=None, queryset=None, *, request=None, prefix=None):
        user = getattr(request, "user", None)
        if queryset is None:
            queryset = selectors.patent_list(user=user)
        super().__init__(data, queryset, request=request, prefix=prefix)
        if user is not None:
            set_picker_querysets(self.form, user)

    @property
    def primary_fields(self):
        return [self.form[name] for name in PRIMARY]

    @property
    def more_fields(self):
        return [self.form[name] for name in FILTERS if name not in PRIMARY]

    @property
    def more_active(self) -> bool:
        """Whether a filter under “更多条件” is in use (the section is then shown open)."""
        return any(name not in PRIMARY for name in self.to_filters().as_dict()) or any(
            self.form[name].errors for name in FILTERS if name not in PRIMARY)

    def to_filters(self) -> selectors.PatentFilters:
        """The valid values of the form as the selectors' (and the API's) filter dataclass; an invalid
        value (a malformed date) is left out and its error shown under its field."""
        if not self.is_bound:
            return selectors.PatentFilters()
        self.form.is_valid()
        values = {}
        for name, value in self.form.cleaned_data.items():
            if value in ("", None):
                continue
            if name == "organization":
                value = value.pk
            elif isinstance(value, str):
                value = value.strip()
            elif not isinstance(value, dt.date):
                value = str(value)
            values[name] = value
        while True:
            try:
                return selectors.PatentFilters(**values)
            except ApplicationError as exc:  # a value the store cannot hold (e.g. a year 1500): shown, left out
                if exc.field not in values:
                    raise
                values.pop(exc.field)
                if not self.form.has_error(exc.field):
                    self.form.add_error(exc.field, exc.message)

    def filter_queryset(self, queryset: QuerySet[Patent]) -> QuerySet[Patent]:
        return selectors.filter_patents(queryset, self.to_filters())


PatentFilterSet = type(_PatentFilterSetBase)("PatentFilterSet", (_PatentFilterSetBase,), {
    "__module__": __name__, **FILTERS,
    "__doc__": "Filters of the patent list (页面、API 与导出共用 ``selectors.PatentFilters``)."})
