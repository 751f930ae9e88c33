"""Searchable pickers (Tom Select) fed by the API, so no form asks a person to type an id.

Each domain app registers what may be picked (NetBox's ``DynamicModelChoiceField`` pattern):

    register_lookup("organizations", queryset=lambda user: selectors.organization_list(user=user),
                    search=("name", "credit_code"), label=str, sub=lambda o: o.get_kind_display())

``GET /api/v1/lookups/<kind>?q=…`` answers ``[{value, label, sub}]`` from the records the user may see, and
``PickerField(kind=…)`` renders a ``<select>`` that holds only the chosen options and searches that URL.
The field validates the chosen id against the same restricted queryset, so a picker cannot be used to
reach a record its user may not see.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import reduce
from operator import or_

from django import forms
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from ipoc.core.errors import ApplicationError

MAX_RESULTS = 50


@dataclass(frozen=True)
class Lookup:
    kind: str
    queryset: Callable  # (user) -> QuerySet restricted to what the user may see
    search: tuple[str, ...]
    label: Callable = str
    sub: Callable | None = None
    order_by: tuple[str, ...] = ()


LOOKUPS: dict[str, Lookup] = {}


def register_lookup(kind: str, *, queryset, search, label=str, sub=None, order_by=()) -> None:
    LOOKUPS[kind] = Lookup(kind, queryset, tuple(search), label, sub, tuple(order_by))


def get_lookup(kind: str) -> Lookup:
    try:
        return LOOKUPS[kind]
    except KeyError:
        raise ApplicationError(_("没有这种可选对象"), field="kind", status=404) from None


def lookup_search(*, user, kind: str, q: str = "", limit: int = 20, selected: list[int] | None = None) -> list[dict]:
    lookup = get_lookup(kind)
    qs: QuerySet = lookup.queryset(user)
    if selected:
        qs = qs.filter(pk__in=selected)
    q = (q or "").strip()[:100]
    if q:
        terms = [t for t in q.split() if t][:5]
        for term in terms:
            qs = qs.filter(reduce(or_, (Q(**{f"{f}__icontains": term}) for f in lookup.search)))
    if lookup.order_by:
        qs = qs.order_by(*lookup.order_by)
    limit = max(1, min(int(limit or 20), MAX_RESULTS))
    return [{"value": obj.pk, "label": str(lookup.label(obj)), "sub": str(lookup.sub(obj)) if lookup.sub else ""}
            for obj in qs[:limit]]


class PickerWidget(forms.Select):
    """A ``<select>`` holding only the chosen option(s); Tom Select searches the lookup URL for the rest."""

    def __init__(self, kind: str, attrs=None, multiple: bool = False, params: str = ""):
        self.kind = kind
        self.multiple = multiple
        self.params = params
        super().__init__(attrs)
        self.allow_multiple_selected = multiple

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        url = f"/api/v1/lookups/{self.kind}" + (f"?{self.params}" if self.params else "")
        widget_attrs = context["widget"]["attrs"]
        widget_attrs["data-picker-url"] = url
        widget_attrs.setdefault("data-placeholder", str(_("输入名称、编号搜索…")))
        if self.multiple:
            widget_attrs["multiple"] = True
        return context

    def value_from_datadict(self, data, files, name):
        if self.multiple:
            getter = getattr(data, "getlist", None)
            return getter(name) if getter else data.get(name)
        return data.get(name)

    def optgroups(self, name, value, attrs=None):
        # Only the chosen values are rendered (the full list may hold thousands of records).
        chosen = [str(v) for v in (value or []) if v not in (None, "")]
        options = []
        if chosen and hasattr(self.choices, "queryset"):
            field = self.choices.field
            for obj in self.choices.queryset.filter(pk__in=[c for c in chosen if c.isdecimal()]):
                options.append(self.create_option(name, obj.pk, field.label_from_instance(obj), True, len(options),
                                                  attrs=attrs))
        if not self.is_required and not self.multiple:
            options.insert(0, self.create_option(name, "", "", not chosen, 0, attrs=attrs))
        return [(None, options, 0)]


class PickerField(forms.ModelChoiceField):
    """Pick one record by search. ``queryset`` must already be restricted to what the user may see."""

    def __init__(self, kind: str, queryset=None, *, params: str = "", **kwargs):
        self.kind = kind
        kwargs.setdefault("widget", PickerWidget(kind, params=params))
        super().__init__(queryset if queryset is not None else _Unset(), **kwargs)

    def label_from_instance(self, obj):
        lookup = LOOKUPS.get(self.kind)
        return lookup.label(obj) if lookup else str(obj)


class MultiPickerField(forms.ModelMultipleChoiceField):
    """Pick several records by search."""

    def __init__(self, kind: str, queryset=None, *, params: str = "", **kwargs):
        self.kind = kind
        kwargs.setdefault("widget", PickerWidget(kind, multiple=True, params=params))
        super().__init__(queryset if queryset is not None else _Unset(), **kwargs)

    def label_from_instance(self, obj):
        lookup = LOOKUPS.get(self.kind)
        return lookup.label(obj) if lookup else str(obj)


class _Unset:
    """Placeholder queryset until the form sets a user-restricted one (``set_picker_querysets``)."""

    def none(self):
        return self

    def all(self):
        return self

    def filter(self, *a, **k):
        return self

    def __iter__(self):
        return iter(())


def set_picker_querysets(form: forms.Form, user) -> None:
    """Give every picker field of ``form`` the queryset its lookup allows ``user`` to see."""
    for field in form.fields.values():
        if isinstance(field, (PickerField, MultiPickerField)) and field.kind in LOOKUPS:
            field.queryset = LOOKUPS[field.kind].queryset(user)
