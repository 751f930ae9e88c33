from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from ninja import Field, Schema


class StockRead(Schema):
    id: int
    institution_id: int
    institution_name: str = Field(..., alias="institution.name")
    patent_id: int
    number: str = Field(..., alias="patent.number")
    number_raw: str
    title: str
    inventors: list[str]
    department: str
    intentions: list[str]
    implemented: bool
    self_rating: int | None
    contact_name: str
    contact_phone: str
    contact_email: str
    stage: str
    stage_label: str = Field(..., alias="get_stage_display")
    library: str
    library_label: str = Field(..., alias="get_library_display")
    score: float | None
    grade: str
    confidence: float | None
    recommendation: str
    recommendation_label: str = Field(..., alias="get_recommendation_display")
    recommendation_rule: str
    fee_saving: Decimal | None
    graded_at: datetime | None
    screened_at: datetime | None
    screen_passed: bool | None
    source: str
    created_at: datetime


class StockMoveRead(Schema):
    kind: str
    from_value: str
    from_label: str
    to_value: str
    to_label: str
    actor: str
    reason: str
    at: datetime


class StockDetail(StockRead):
    moves: list[StockMoveRead] = Field([], alias="move_list")


class StockUpdate(Schema):
    title: str | None = None
    inventors: list[str] | None = None
    department: str | None = None
    intentions: list[str] | None = None
    implemented: bool | None = None
    self_rating: int | None = None
    contact_name: str | None = None
    contact_phone: str | None = None
    contact_email: str | None = None


class StockSelect(Schema):
    numbers: list[str]
    institution_id: int | None = None
    department: str = ""
    intentions: list[str] = []
    implemented: bool = False
    self_rating: int | None = None
    contact_name: str = ""
    contact_phone: str = ""
    contact_email: str = ""


class StockReview(Schema):
    approve: bool
    reason: str = ""


class StockReason(Schema):
    reason: str = ""


class StockScreen(Schema):
    passed: bool | None = None
    reason: str = ""


class InstitutionRef(Schema):
    institution_id: int | None = None


class ReviewerCreate(Schema):
    user_id: int
    level: str
    department: str = ""
    institution_id: int | None = None


class ServiceLinkCreate(Schema):
    center_id: int
    institution_id: int
    note: str = Field("", max_length=2000, description="申请说明（运营中心发起时给高校/院所看）")


class ServiceRequestRead(Schema):
    """A center's request to serve an institution (服务关系申请) and its outcome."""

    id: int
    center_id: int
    center_name: str = Field(..., alias="center.name")
    institution_id: int
    institution_name: str = Field(..., alias="institution.name")
    status: str = Field(..., description="pending 待高校/院所确认 · accepted 已同意 · declined 已拒绝")
    status_label: str = Field(..., alias="get_status_display")
    note: str
    requested_at: datetime
    decided_at: datetime | None
    reason: str


class ServiceRequestDecide(Schema):
    accept: bool
    reason: str = Field("", max_length=2000)


class PushCreate(Schema):
    enterprise_id: int
    note: str = ""


class PushRead(Schema):
    id: int
    stock_id: int
    number: str = Field(..., alias="stock.patent.number")
    title: str = Field(..., alias="stock.title")
    institution_name: str = Field(..., alias="stock.institution.name")
    enterprise_id: int
    enterprise_name: str = Field(..., alias="enterprise.name")
    center_id: int | None
    match: dict
    note: str
    response: str
    response_label: str = Field(..., alias="get_response_display")
    responded_at: datetime | None
    pushed_at: datetime


class PushRespond(Schema):
    response: str
    note: str = ""


class DealCreate(Schema):
    mode: str
    signed_on: date
    amount: Decimal | None = None
    note: str = ""


class DealRead(Schema):
    id: int
    push_id: int
    mode: str
    mode_label: str = Field(..., alias="get_mode_display")
    amount: Decimal | None
    signed_on: date
    note: str
