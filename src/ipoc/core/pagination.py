"""List pagination for the API and the list pages: bounded pages, and totals that stay cheap at millions of rows.

**Bounds.** Unbounded, ``?limit=100000`` answered a whole table in one response and a ``limit`` or ``offset`` past
64 bits reached the database (500). Here ``limit`` is 1–``MAX_LIMIT`` and ``offset`` 0–``MAX_OFFSET``; a value
outside is a 422 naming the parameter, and the OpenAPI schema states the range. Every ``@paginate`` uses this class.

**Totals (共 N 条).** A page of 20 patents costs milliseconds; ``COUNT(*)`` under it read all 3,012,609 rows and took
about a second on every request (bench/RESULTS.md, #21). :func:`list_count` counts at most
``IPOC_EXACT_COUNT_LIMIT`` + 1 rows. Up to the limit the total is exact. Past it, on PostgreSQL, the total is the
planner's estimate for the same query (``EXPLAIN``) and says so: ``exact`` is false, the API answers
``count_exact: false`` and the list pages show 约. SQLite has no estimate, so there the count is always exact.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cached_property

from django.conf import settings
from django.core.paginator import Paginator
from django.db.models import QuerySet
from ninja import Field, Schema
from ninja.pagination import LimitOffsetPagination as _NinjaLimitOffsetPagination

DEFAULT_LIMIT = 100
MAX_LIMIT = 1000
MAX_OFFSET = 10**12


@dataclass(frozen=True)
class ListCount:
    """A list's total: ``value`` rows, counted (``exact``) or the planner's estimate of a list past the limit."""

    value: int
    exact: bool = True


def planner_estimate(queryset: QuerySet) -> int | None:
    """PostgreSQL's estimate of how many rows ``queryset`` returns (its plan's top node); None on other engines
    and for a table PostgreSQL has never analysed, whose estimate is a guess from its width (12,609 demo
    patents were estimated at 2,200). Autovacuum analyses a growing table, and a large import does at once."""
    from django.db import connections

    connection = connections[queryset.db]
    if connection.vendor != "postgresql":
        return None
    with connection.cursor() as cursor:
        cursor.execute("SELECT reltuples FROM pg_class WHERE oid = %s::regclass", [queryset.model._meta.db_table])
        row = cursor.fetchone()
    if row is None or row[0] < 0:  # -1: never vacuumed or analysed
        return None
    plan = json.loads(queryset.order_by().explain(format="json"))
    return int(plan[0]["Plan"]["Plan Rows"])


def list_count(queryset) -> ListCount:
    """The total of a list: exact up to ``IPOC_EXACT_COUNT_LIMIT`` rows, past it the planner's estimate on
    PostgreSQL (labelled), an exact count elsewhere. A plain list is measured with ``len``."""
    if not isinstance(queryset, QuerySet):
        return ListCount(len(queryset))
    limit = settings.IPOC_EXACT_COUNT_LIMIT
    plain = queryset.order_by()
    seen = plain[: limit + 1].count()  # reads at most limit + 1 rows
    if seen <= limit:
        return ListCount(seen)
    estimate = planner_estimate(queryset)
    if estimate is None or estimate <= limit:  # no estimate, or one that contradicts what was just counted
        return ListCount(plain.count())
    return ListCount(estimate, exact=False)


class CountedPaginator(Paginator):
    """Django's paginator with the total from :func:`list_count` (``total`` when the caller already has it)."""

    def __init__(self, object_list, per_page, *args, total: ListCount | None = None, **kwargs):
        super().__init__(object_list, per_page, *args, **kwargs)
        self._total = total

    @cached_property
    def total(self) -> ListCount:
        return self._total or list_count(self.object_list)

    @cached_property
    def count(self) -> int:
        return self.total.value


class LimitOffsetPagination(_NinjaLimitOffsetPagination):
    class Input(Schema):
        limit: int = Field(DEFAULT_LIMIT, ge=1, le=MAX_LIMIT, description=f"每页条数（1–{MAX_LIMIT}）")
        offset: int = Field(0, ge=0, le=MAX_OFFSET, description="跳过的条数")

    class Output(Schema):
        items: list
        count: int = Field(description="总条数；count_exact 为 false 时是数据库的估算值")
        count_exact: bool = Field(True, description="总条数是否逐条计数所得（超过 IPOC_EXACT_COUNT_LIMIT 条的列表"
                                                    "在 PostgreSQL 上取查询规划器的估算值，为 false）")

    def __init__(self, **kwargs):
        kwargs.setdefault("max_limit", MAX_LIMIT)
        super().__init__(**kwargs)

    def paginate_queryset(self, queryset, pagination: Input, request, **params):
        offset, limit = pagination.offset, min(pagination.limit, self.max_limit)
        total = list_count(queryset)
        return {self.items_attribute: queryset[offset: offset + limit], "count": total.value,
                "count_exact": total.exact}
