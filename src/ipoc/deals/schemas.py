from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from ninja import Field, Schema


class DealStageChangeRead(Schema):
    from_stage: str
    to_stage: str
    actor_name: str = ""
    reason: str
    at: datetime


class DealRead(Schema):
    id: int
    title: str
    deal_type: str
    deal_type_label: str = Field(..., alias="get_deal_type_display")
    licence_kind: str = ""
    licence_start: date | None = None
    licence_end: date | None = None
    chain_scope: str
    chain_scope_label: str = Field(..., alias="get_chain_scope_display")
    stage: str
    stage_label: str = Field(..., alias="get_stage_display")
    amount: Decimal | None
    intention_date: date | None
    signed_date: date | None
    completed_date: date | None
    center_id: int
    center_name: str = Field(..., alias="center.name")
    seller_ids: list[int] = []
    buyer_ids: list[int] = []
    patent_ids: list[int] = []
    demand_id: int | None
    event_id: int | None
    contract_file: str = ""
    filing_file: str = ""
    note: str
    history: list[DealStageChangeRead] = []
    created_at: datetime
    updated_at: datetime

    @staticmethod
    def resolve_seller_ids(obj) -> list[int]:
        return sorted(o.pk for o in obj.sellers.all())

    @staticmethod
    def resolve_buyer_ids(obj) -> list[int]:
        return sorted(o.pk for o in obj.buyers.all())

    @staticmethod
    def resolve_patent_ids(obj) -> list[int]:
        return sorted(p.pk for p in obj.patents.all())

    @staticmethod
    def resolve_contract_file(obj) -> str:
        return obj.contract_file.url if obj.contract_file else ""

    @staticmethod
    def resolve_filing_file(obj) -> str:
        return obj.filing_file.url if obj.filing_file else ""

    @staticmethod
    def resolve_history(obj) -> list[dict]:
        return [{"from_stage": c.from_stage, "to_stage": c.to_stage, "actor_name": str(c.actor or "system"),
                 "reason": c.reason, "at": c.at} for c in obj.stage_changes.all()]


class DealCreate(Schema):
    title: str
    deal_type: str
    chain_scope: str = "other"
    center_id: int | None = None
    seller_ids: list[int] = []
    buyer_ids: list[int] = []
    patent_ids: list[int] = []
    demand_id: int | None = None
    event_id: int | None = None
    amount: Decimal | None = None
    intention_date: date | None = None
    licence_kind: str = Field("", description="许可方式：ordinary 普通 / exclusive 排他 / sole 独占（许可交易）")
    licence_start: date | None = None
    licence_end: date | None = None
    note: str = ""


class DealUpdate(Schema):
    title: str | None = None
    deal_type: str | None = None
    chain_scope: str | None = None
    seller_ids: list[int] | None = None
    buyer_ids: list[int] | None = None
    patent_ids: list[int] | None = None
    demand_id: int | None = None
    event_id: int | None = None
    amount: Decimal | None = None
    intention_date: date | None = None
    signed_date: date | None = None
    completed_date: date | None = None
    licence_kind: str | None = None
    licence_start: date | None = None
    licence_end: date | None = None
    note: str | None = None


class DealTransition(Schema):
    to_stage: str
    reason: str = ""
    amount: Decimal | None = None
    on: date | None = Field(None, description="签约或完成日期（默认今天）")
