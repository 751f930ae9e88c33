"""One table class and one set of columns for every list page (NetBox's pattern over django-tables2).

- ``IpocTable``: sorting, pagination (``per_page``), a column chooser (``?cols=a,b``) and export
  (``?export=csv|xlsx``) of exactly the rows the filters selected, cells neutralised against spreadsheet
  formula injection.
- Columns for the shapes that recur: a record linked by name, a status badge (choices by label and colour),
  money, dates, an organisation, a patent by its human identity (number, else title with a source badge).

Views use ``render_table(request, table, template, context)``, which answers an export request with a file.
"""

from __future__ import annotations

import csv
import datetime
import io

import django_tables2 as tables
from django.db.models import F, QuerySet
from django.http import HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django_tables2.utils import OrderBy

from ipoc.core.display import EMPTY, patent_label, status_colour
from ipoc.core.pagination import CountedPaginator, list_count

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
MAX_EXPORT_ROWS = 50_000
MAX_PER_PAGE = 100  # ?per_page= asks for at most this many rows a page


def safe_cell(value):
    """A value written to CSV/XLSX that a spreadsheet will not run as a formula (OWASP CSV injection)."""
    if value is None:
        return ""
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


def safe_row(values) -> list:
    """``safe_cell`` over a row: what every CSV/XLSX export writes (exports outside tables use it too)."""
    return [safe_cell(v) for v in values]


class LinkedColumn(tables.Column):
    """The record's name linked to its page (``get_absolute_url`` or ``viewname`` with the row's pk)."""

    def __init__(self, *args, viewname: str | None = None, **kwargs):
        self.viewname = viewname
        super().__init__(*args, **kwargs)

    def render(self, value, record):
        url = reverse(self.viewname, args=[record.pk]) if self.viewname else record.get_absolute_url()
        return format_html('<a href="{}">{}</a>', url, value)

    def value(self, value):
        return value  # exports carry the name, not the link's HTML


class StatusColumn(tables.Column):
    """A choices field shown by its label in a coloured badge — never its stored code."""

    def render(self, value, record, bound_column):
        code = getattr(record, bound_column.accessor.split(".")[-1], value)
        getter = getattr(record, f"get_{bound_column.accessor.split('.')[-1]}_display", None)
        label = getter() if callable(getter) else value
        return format_html('<span class="badge bg-{}-lt">{}</span>', status_colour(str(code)), label)

    def value(self, value, record, bound_column):
        getter = getattr(record, f"get_{bound_column.accessor.split('.')[-1]}_display", None)
        return str(getter()) if callable(getter) else value


class ChoiceColumn(tables.Column):
    """A choices field shown by its label, no badge."""

    def render(self, value, record, bound_column):
        getter = getattr(record, f"get_{bound_column.accessor.split('.')[-1]}_display", None)
        return getter() if callable(getter) else value


class MoneyColumn(tables.Column):
    """An amount in 万元 (or the unit given), right-aligned, thousands separated."""

    def __init__(self, *args, unit: str = "万元", **kwargs):
        self.unit = unit
        kwargs.setdefault("attrs", {"td": {"class": "text-end text-nowrap"}, "th": {"class": "text-end"}})
        super().__init__(*args, **kwargs)

    def render(self, value):
        return f"{value:,.2f}".rstrip("0").rstrip(".") + f" {self.unit}" if value is not None else EMPTY


def _local(value, fmt: str):
    """A date or time for an export as the page shows it: local time (a datetime was written as UTC ISO)."""
    if isinstance(value, datetime.datetime):
        return (timezone.localtime(value) if timezone.is_aware(value) else value).strftime(fmt)
    if isinstance(value, datetime.date):
        return value.strftime("%Y-%m-%d")
    return value


class UndatedLast:
    """Sorting by a date column puts rows without a date last, both ways: PostgreSQL sorts NULLs first in a
    descending order and SQLite last, so on PostgreSQL a list sorted newest-first opened with undated rows.
    ``sort_fields`` (the column's query fields) is set by :class:`IpocTable`."""

    sort_fields: tuple[str, ...] = ()

    def order(self, queryset, is_descending):
        if not self.sort_fields or not isinstance(queryset, QuerySet):
            return queryset, False
        keys = [F(f).desc(nulls_last=True) if is_descending else F(f).asc(nulls_last=True) for f in self.sort_fields]
        return queryset.order_by(*keys, "-pk" if is_descending else "pk"), True


class DateColumn(UndatedLast, tables.DateColumn):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("format", "Y-m-d")
        kwargs.setdefault("attrs", {"td": {"class": "text-nowrap"}})
        super().__init__(*args, **kwargs)

    def value(self, value, **kwargs):
        return _local(value, "%Y-%m-%d") if value is not None else super().value(value=value, **kwargs)


class DateTimeColumn(UndatedLast, tables.DateTimeColumn):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("format", "Y-m-d H:i")
        kwargs.setdefault("attrs", {"td": {"class": "text-nowrap"}})
        super().__init__(*args, **kwargs)

    def value(self, value, **kwargs):
        return _local(value, "%Y-%m-%d %H:%M") if value is not None else super().value(value=value, **kwargs)


class OrganizationColumn(tables.Column):
    def render(self, value):
        return format_html('<a href="{}">{}</a>', reverse("organization_detail", args=[value.pk]), value.name)

    def value(self, value):
        return value.name if value else ""


class PatentColumn(tables.Column):
    """A patent by its human identity: its number, or its title with a source badge when it has none."""

    def render(self, value):
        patent = value
        label, badge = patent_label(patent)
        url = reverse("patent_detail", args=[patent.pk])
        if badge:
            return format_html('<a href="{}">{}</a> <span class="badge bg-azure-lt">{}</span>', url, label, badge)
        return format_html('<a href="{}">{}</a>', url, label)

    def value(self, value):
        return patent_label(value)[0] if value else ""


class IpocTable(tables.Table):
    """Base of every list table: theme markup, Chinese empty text, column chooser and export."""

    export_name = "export"

    class Meta:
        template_name = "ui/table.html"
        attrs = {"class": "table table-vcenter card-table table-striped"}
        empty_text = _("没有符合条件的记录")
        per_page = 30

    def __init__(self, *args, request=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.request = request
        for bound in self.columns.all():  # each table has its own copies of the columns
            if isinstance(bound.column, UndatedLast) and bound.orderable:
                names = bound.column.order_by or (bound.accessor,)
                bound.column.sort_fields = tuple(OrderBy(str(n)).bare.replace(".", "__") for n in names)
        chosen = (request.GET.get("cols", "") if request is not None else "").strip()
        if chosen:
            keep = {c for c in chosen.split(",") if c}
            for column in self.columns:
                if column.name not in keep and not column.column.exclude_from_export:
                    self.columns.hide(column.name)

    @property
    def choosable_columns(self):
        return [(c.name, c.header, c.visible) for c in self.columns.all()]

    def export_rows(self):
        columns = [c for c in self.columns if c.visible]
        yield [str(c.header) for c in columns]
        for n, row in enumerate(self.rows):
            if n >= MAX_EXPORT_ROWS:
                break
            yield [safe_cell(row.get_cell_value(c.name)) for c in columns]


def export_response(table: IpocTable, fmt: str) -> HttpResponse:
    if fmt == "xlsx":
        from openpyxl import Workbook

        wb = Workbook(write_only=True)
        ws = wb.create_sheet()
        for row in table.export_rows():
            ws.append([c if isinstance(c, (int, float)) else str(c) for c in row])
        buf = io.BytesIO()
        wb.save(buf)
        response = HttpResponse(buf.getvalue(),
                                content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    else:
        buf = io.StringIO()
        writer = csv.writer(buf)
        for row in table.export_rows():
            writer.writerow(row)
        response = HttpResponse("\ufeff" + buf.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{table.export_name}.{fmt}"'
    return response


def _int_param(request, name: str, default: int) -> int:
    try:
        return int(request.GET.get(name, ""))
    except (TypeError, ValueError):
        return default


def paginate(request, table: IpocTable) -> None:
    """``?page=`` and ``?per_page=`` as asked, within bounds: a page size between 1 and ``MAX_PER_PAGE``
    (a junk or negative one is the table's default), a page number below 1 is the first page and one past
    the end the last — never an error page, never the whole table in one page."""
    per_page = _int_param(request, table.prefixed_per_page_field, table._meta.per_page)
    per_page = min(per_page, MAX_PER_PAGE) if per_page >= 1 else table._meta.per_page
    number = _int_param(request, table.prefixed_page_field, 1)
    # The total (共 N 条) from list_count: exact up to IPOC_EXACT_COUNT_LIMIT rows, an estimate labelled 约 past it.
    data = getattr(table.data, "data", None)
    total = list_count(data) if isinstance(data, QuerySet) else None
    table.paginate(paginator_class=CountedPaginator, per_page=per_page, page=1, total=total)
    if number > 1:
        table.page = table.paginator.page(min(number, table.paginator.num_pages))


def render_table(request, table: IpocTable, template: str, context: dict | None = None):
    """Paginate and render a list page, or answer ``?export=csv|xlsx`` with the filtered rows as a file."""
    tables.RequestConfig(request, paginate=False).configure(table)  # sorting (an export keeps it too)
    fmt = request.GET.get("export", "")
    if fmt in ("csv", "xlsx"):
        return export_response(table, fmt)
    paginate(request, table)  # bounded paging
    ctx = {"table": table}
    ctx.update(context or {})
    return render(request, template, ctx)
