"""API shapes of 专利产业化: <Entity>Create / <Entity>Read next to the models."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from ninja import Field, Schema

from ipoc.core.bounds import DbId


class PatentLinkRead(Schema):
    patent_id: int
    patent_number: str = Field("", alias="patent.number")
    patent_title: str = Field("", alias="patent.title")
    source: str
    source_label: str = Field(..., alias="get_source_display")
    deal_id: int | None = None
    open_licence_id: int | None = None


class OutcomeRead(Schema):
    year: int
    output_value: Decimal | None
    sales: Decimal | None
    jobs: int | None
    new_patents: int | None
    evidence: str = ""

    @staticmethod
    def resolve_evidence(obj) -> str:
        return obj.evidence.url if obj.evidence else ""


class ProjectRead(Schema):
    id: int
    title: str
    stage: str
    stage_label: str = Field(..., alias="get_stage_display")
    center_id: int
    center_name: str = Field(..., alias="center.name")
    enterprise_id: int
    enterprise_name: str = Field(..., alias="enterprise.name")
    chain_node_id: int | None = None
    chain_node: str = ""
    start_date: date
    summary: str
    demand_id: int | None = None
    event_id: int | None = None
    patents: list[PatentLinkRead] = []
    outcomes: list[OutcomeRead] = []
    product_ids: list[int] = []
    created_at: datetime

    @staticmethod
    def resolve_chain_node(obj) -> str:
        return str(obj.chain_node) if obj.chain_node_id else ""

    @staticmethod
    def resolve_patents(obj):
        return list(obj.project_patents.all())

    @staticmethod
    def resolve_outcomes(obj):
        return list(obj.outcomes.all())

    @staticmethod
    def resolve_product_ids(obj) -> list[int]:
        return sorted(p.pk for p in obj.products.all())


class ProjectCreate(Schema):
    title: str
    enterprise_id: DbId | None = None
    center_id: DbId | None = None
    deal_id: DbId | None = None
    start_date: date | None = None
    summary: str = ""
    demand_id: DbId | None = None


class ProjectTransition(Schema):
    to_stage: str
    reason: str = ""


class PatentLinkCreate(Schema):
    patent_id: DbId
    source: str
    deal_id: DbId | None = None
    open_licence_id: DbId | None = None


class OutcomeCreate(Schema):
    year: int
    output_value: Decimal | None = None
    sales: Decimal | None = None
    jobs: int | None = None
    new_patents: int | None = None


class ProductYearRead(Schema):
    year: int
    output_value: Decimal | None
    sales: Decimal | None
    patent_revenue_share: Decimal | None


class FilingRead(Schema):
    id: int
    data_year: int
    status: str
    status_label: str = Field(..., alias="get_status_display")
    filed_date: date | None
    result_date: date | None
    platform_reference: str
    publication_reference: str


class ProductRead(Schema):
    id: int
    name: str
    category: str
    catalogue_code: str
    enterprise_id: int
    enterprise_name: str = Field(..., alias="enterprise.name")
    center_id: int | None = None
    project_id: int | None = None
    brand_id: int | None = None
    patents: list[PatentLinkRead] = []
    years: list[ProductYearRead] = []
    filings: list[FilingRead] = []

    @staticmethod
    def resolve_patents(obj):
        return list(obj.product_patents.all())

    @staticmethod
    def resolve_years(obj):
        return list(obj.years.all())

    @staticmethod
    def resolve_filings(obj):
        return list(obj.filings.all())


class ProductCreate(Schema):
    name: str
    category: str
    catalogue_code: str = ""
    enterprise_id: DbId | None = None
    project_id: DbId | None = None
    description: str = ""
    features: str = ""


class ProductYearCreate(Schema):
    year: int
    output_value: Decimal | None = None
    sales: Decimal | None = None
    patent_revenue_share: Decimal | None = None


class FilingPrepare(Schema):
    data_year: int


class FilingTransition(Schema):
    to_status: str
    reason: str = ""
    on: date | None = None
    platform_reference: str = ""
    publication_reference: str = ""


class TrademarkRead(Schema):
    id: int
    registration_number: str
    mark: str
    nice_class: int
    goods: str
    holder_id: int
    status: str
    status_label: str = Field(..., alias="get_status_display")
    valid_until: date | None


class BrandRead(Schema):
    id: int
    name: str
    holder_id: int
    holder_name: str = Field(..., alias="holder.name")
    center_id: int | None = None
    description: str
    trademarks: list[TrademarkRead] = []
    product_ids: list[int] = []

    @staticmethod
    def resolve_trademarks(obj):
        return list(obj.trademarks.all())

    @staticmethod
    def resolve_product_ids(obj) -> list[int]:
        return sorted(p.pk for p in obj.products.all())


class BrandCreate(Schema):
    name: str
    holder_id: DbId | None = None
    description: str = ""


class TrademarkCreate(Schema):
    registration_number: str
    mark: str
    nice_class: int
    goods: str = ""
    status: str = "registered"
    valid_until: date | None = None
