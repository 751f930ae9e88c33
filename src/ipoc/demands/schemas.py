from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from ninja import Field, Schema


class DemandRead(Schema):
    id: int
    kind: str
    title: str
    description: str
    industry: str
    industry_code: str
    keywords: list[str]
    modes: list[str]
    budget_text: str
    budget_min: Decimal | None
    budget_max: Decimal | None
    region_code: str
    deadline: date | None
    status: str
    status_label: str = Field(..., alias="get_status_display")
    organization_id: int
    organization_name: str = Field(..., alias="organization.name")
    center_id: int | None
    contact: dict[str, str] = {}
    source: str
    created_at: datetime
    published_at: datetime | None

    @staticmethod
    def resolve_contact(obj, context) -> dict[str, str]:
        if getattr(obj, "contact", None) is not None and isinstance(obj.contact, dict):
            return obj.contact  # already decorated (detail, create, update)
        request = context.get("request") if context else None
        user = getattr(request, "auth", None) or getattr(request, "user", None)
        from ipoc.demands.selectors import demand_contact

        return demand_contact(user=user, demand=obj)


class DemandCreate(Schema):
    title: str
    kind: str | None = None
    description: str = ""
    industry: str = ""
    industry_code: str = ""
    keywords: list[str] = []
    modes: list[str] = []
    budget_text: str = ""
    budget_min: Decimal | None = None
    budget_max: Decimal | None = None
    region_code: str = ""
    deadline: date | None = None
    contact_name: str = ""
    contact_phone: str = ""
    contact_email: str = ""
    organization_id: int | None = None
    center_id: int | None = None


class DemandUpdate(Schema):
    title: str | None = None
    description: str | None = None
    industry: str | None = None
    industry_code: str | None = None
    keywords: list[str] | None = None
    modes: list[str] | None = None
    budget_text: str | None = None
    budget_min: Decimal | None = None
    budget_max: Decimal | None = None
    region_code: str | None = None
    deadline: date | None = None
    contact_name: str | None = None
    contact_phone: str | None = None
    contact_email: str | None = None


class DemandTransition(Schema):
    to_status: str
    reason: str = ""
