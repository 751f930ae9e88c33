"""API shapes of 重点领域专利池 (<Entity>Read / <Entity>Create)."""

from __future__ import annotations

import datetime as dt

from ninja import Schema
from pydantic import Field

from ipoc.core.bounds import DbId, Year


class PoolRead(Schema):
    id: int
    name: str
    domain: str
    status: str
    status_label: str
    administrator_id: int
    administrator: str
    admin_fee_percent: str
    allocation_method: str
    url: str

    @staticmethod
    def resolve_status_label(obj) -> str:
        return str(obj.get_status_display())

    @staticmethod
    def resolve_administrator(obj) -> str:
        return obj.administrator.name

    @staticmethod
    def resolve_admin_fee_percent(obj) -> str:
        return str(obj.admin_fee_percent)

    @staticmethod
    def resolve_url(obj) -> str:
        return f"/pools/{obj.pk}/"


class ReportLineIn(Schema):
    category: str = Field(max_length=100)
    country_made: str = Field(max_length=4)
    country_sold: str = Field(max_length=4)
    units: int = Field(ge=0, le=10**12)
    sale_date: dt.date | None = None


class ReportCreate(Schema):
    period: str = Field(max_length=8)
    lines: list[ReportLineIn] = Field(max_length=5000)


class AllocationRun(Schema):
    year: Year
    method: str = ""


class SimulationQuery(Schema):
    year: Year
    patents: str = Field("", max_length=2000)
    category: DbId | None = None
    per_unit: str = Field("", max_length=20)
    discount_countries: str = Field("", max_length=200)
    discount_percent: str = Field("", max_length=10)
    years_ahead: int = Field(5, ge=0, le=20)
