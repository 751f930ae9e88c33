"""The API's list pagination: django-ninja's ``LimitOffsetPagination`` with both numbers bounded.

Unbounded, ``?limit=100000`` answered a whole table in one response and a ``limit`` or ``offset`` past 64 bits
reached the database (500). Here ``limit`` is 1–``MAX_LIMIT`` and ``offset`` 0–``MAX_OFFSET``; a value outside
is a 422 naming the parameter, and the OpenAPI schema states the range. Every ``@paginate`` uses this class.
"""

from __future__ import annotations

from ninja import Field, Schema
from ninja.pagination import LimitOffsetPagination as _NinjaLimitOffsetPagination

DEFAULT_LIMIT = 100
MAX_LIMIT = 1000
MAX_OFFSET = 10**12


class LimitOffsetPagination(_NinjaLimitOffsetPagination):
    class Input(Schema):
        limit: int = Field(DEFAULT_LIMIT, ge=1, le=MAX_LIMIT, description=f"每页条数（1–{MAX_LIMIT}）")
        offset: int = Field(0, ge=0, le=MAX_OFFSET, description="跳过的条数")

    def __init__(self, **kwargs):
        kwargs.setdefault("max_limit", MAX_LIMIT)
        super().__init__(**kwargs)
