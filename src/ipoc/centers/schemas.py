from __future__ import annotations

from datetime import date, datetime

from ninja import Field, Schema


class CenterPublic(Schema):
    id: int
    name: str
    level: str
    level_label: str = Field(..., alias="get_level_display")
    industry: str
    industry_chain: str
    host_organization_name: str = Field(..., alias="host_organization.name")
    host_type: str
    host_type_label: str = Field(..., alias="get_host_type_display")
    managing_office_name: str = Field(..., alias="managing_office.name")
    region_code: str
    status: str
    status_label: str = Field(..., alias="get_status_display")


class CenterRead(CenterPublic):
    organization_id: int
    host_organization_id: int
    managing_office_id: int
    staff_count: int | None
    started_on: date | None
    branch_flag: str
    created_at: datetime


class CenterCreate(Schema):
    organization_id: int
    name: str
    host_organization_id: int
    host_type: str
    industry: str
    level: str
    managing_office_id: int
    region_code: str = ""
    industry_chain: str = ""
    staff_count: int | None = None
    started_on: date | None = None
    status: str = "building"
    parent_center_id: int | None = None


class CenterUpdate(Schema):
    name: str | None = None
    host_organization_id: int | None = None
    host_type: str | None = None
    industry: str | None = None
    industry_chain: str | None = None
    region_code: str | None = None
    staff_count: int | None = None
    started_on: date | None = None
    level: str | None = None
    managing_office_id: int | None = None


class CenterTransition(Schema):
    to_status: str
    reason: str
    document_ref: str


class DecisionCorrect(Schema):
    reason: str
    document_ref: str
    to_status: str | None = None


class DecisionRead(Schema):
    id: int
    center_id: int
    kind: str
    from_status: str
    to_status: str
    to_status_label: str = Field(..., alias="get_to_status_display")
    reason: str
    document_ref: str
    document_url: str = ""
    corrects_id: int | None
    decided_by_name: str
    office_id: int | None
    name_before: str
    name_after: str
    decided_at: datetime

    @staticmethod
    def resolve_document_url(obj) -> str:
        return obj.document.url if obj.document else ""


class EvidenceRead(Schema):
    id: int
    kind: str
    kind_label: str = Field(..., alias="get_kind_display")
    description: str
    file_url: str = ""
    uploaded_at: datetime

    @staticmethod
    def resolve_file_url(obj) -> str:
        return obj.file.url if obj.file else ""


class SubCenterCreate(Schema):
    name: str
