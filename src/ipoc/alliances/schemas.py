"""API shapes of 创新联合体: ``<E>Read`` / ``<E>Create`` / ``<E>Update``; labels next to codes."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from ninja import Field, Schema

from ipoc.core.bounds import BoundedDate, DbId


class MemberRead(Schema):
    id: int
    organization_id: int
    organization_name: str = Field(..., alias="organization.name")
    role: str
    role_label: str = Field(..., alias="get_role_display")
    joined_on: date
    left_on: date | None
    left_reason: str
    note: str


class AgreementRead(Schema):
    signed_on: date | None
    result_ownership: str
    result_ownership_label: str = Field(..., alias="get_result_ownership_display")
    ownership_terms: str
    cross_licence_scope: str
    cross_licence_scope_label: str = Field(..., alias="get_cross_licence_scope_display")
    cross_licence_terms: str
    revenue_sharing: str
    revenue_sharing_label: str = Field(..., alias="get_revenue_sharing_display")
    revenue_terms: str
    document: str = ""

    @staticmethod
    def resolve_document(obj) -> str:
        return obj.document.url if obj.document else ""


class ConsortiumRead(Schema):
    id: int
    name: str
    industry: str
    center_id: int
    center_name: str = Field(..., alias="center.name")
    lead_id: int
    lead_name: str = Field(..., alias="lead.name")
    status: str
    status_label: str = Field(..., alias="get_status_display")
    established_on: date
    dissolved_on: date | None
    goal: str
    created_at: datetime


class ConsortiumDetail(ConsortiumRead):
    members: list[MemberRead] = []
    agreement: AgreementRead | None = None

    @staticmethod
    def resolve_members(obj) -> list:
        return list(obj.members.select_related("organization").order_by("joined_on", "id"))

    @staticmethod
    def resolve_agreement(obj):
        return getattr(obj, "agreement", None) if hasattr(obj, "agreement") else None


class ConsortiumCreate(Schema):
    name: str
    industry: str
    lead_id: DbId
    center_id: DbId | None = None
    status: str = "forming"
    established_on: BoundedDate | None = None
    goal: str = ""


class ConsortiumUpdate(Schema):
    name: str | None = None
    industry: str | None = None
    status: str | None = None
    established_on: BoundedDate | None = None
    dissolved_on: BoundedDate | None = None
    goal: str | None = None


class MemberCreate(Schema):
    organization_id: DbId
    role: str
    joined_on: BoundedDate | None = None
    note: str = ""


class MemberLeave(Schema):
    left_on: BoundedDate | None = None
    reason: str = ""


class AgreementWrite(Schema):
    signed_on: BoundedDate | None = None
    result_ownership: str | None = None
    ownership_terms: str | None = None
    cross_licence_scope: str | None = None
    cross_licence_terms: str | None = None
    revenue_sharing: str | None = None
    revenue_terms: str | None = None


class MilestoneRead(Schema):
    id: int
    title: str
    due_on: date
    done_on: date | None
    note: str


class JointPatentRead(Schema):
    id: int
    patent_id: int
    patent_title: str = Field(..., alias="patent.title")
    application_number: str = Field(..., alias="patent.application_number")
    publication_number: str = Field(..., alias="patent.publication_number")
    application_date: date | None = Field(None, alias="patent.application_date")
    recorded_on: date
    note: str


class ProjectRead(Schema):
    id: int
    consortium_id: int
    title: str
    leader_id: int
    leader_name: str = Field(..., alias="leader.name")
    participant_ids: list[int] = []
    budget: Decimal
    status: str
    status_label: str = Field(..., alias="get_status_display")
    start_date: date
    end_date: date | None
    description: str
    milestones: list[MilestoneRead] = []
    joint_patents: list[JointPatentRead] = []

    @staticmethod
    def resolve_participant_ids(obj) -> list[int]:
        return sorted(o.pk for o in obj.participants.all())

    @staticmethod
    def resolve_milestones(obj) -> list:
        return list(obj.milestones.all())

    @staticmethod
    def resolve_joint_patents(obj) -> list:
        return list(obj.joint_patents.select_related("patent"))


class ProjectCreate(Schema):
    title: str
    leader_id: DbId
    participant_ids: list[DbId] = []
    budget: Decimal
    status: str = "planned"
    start_date: BoundedDate
    end_date: BoundedDate | None = None
    description: str = ""


class ProjectUpdate(Schema):
    title: str | None = None
    leader_id: DbId | None = None
    participant_ids: list[DbId] | None = None
    budget: Decimal | None = None
    status: str | None = None
    start_date: BoundedDate | None = None
    end_date: BoundedDate | None = None
    description: str | None = None


class MilestoneCreate(Schema):
    title: str
    due_on: BoundedDate
    note: str = ""


class MilestoneDone(Schema):
    done_on: BoundedDate | None = None


class JointPatentCreate(Schema):
    patent_id: DbId
    recorded_on: BoundedDate | None = None
    note: str = ""


class SharedPatentRead(Schema):
    id: int
    patent_id: int
    patent_title: str = Field(..., alias="patent.title")
    publication_number: str = Field(..., alias="patent.publication_number")
    contributed_by_id: int
    contributed_by_name: str = Field(..., alias="contributed_by.name")
    contributed_on: date
    withdrawn_on: date | None
    note: str


class SharedPatentCreate(Schema):
    patent_id: DbId
    contributed_by_id: DbId | None = None
    contributed_on: BoundedDate | None = None
    note: str = ""


class ShareRead(Schema):
    organization_id: int
    organization_name: str = Field(..., alias="organization.name")
    percent: Decimal


class ShareWrite(Schema):
    organization_id: DbId
    percent: Decimal


class ProtectionRead(Schema):
    id: int
    kind: str
    kind_label: str = Field(..., alias="get_kind_display")
    title: str
    target: str
    target_patent_id: int | None
    patent_ids: list[int] = []
    decided_on: date
    status: str
    status_label: str = Field(..., alias="get_status_display")
    budget: Decimal | None
    outcome: str
    shares: list[ShareRead] = []

    @staticmethod
    def resolve_patent_ids(obj) -> list[int]:
        return sorted(p.pk for p in obj.patents.all())

    @staticmethod
    def resolve_shares(obj) -> list:
        return list(obj.shares.select_related("organization"))


class ProtectionCreate(Schema):
    kind: str
    title: str
    target: str
    target_patent_id: DbId | None = None
    patent_ids: list[DbId] = []
    decided_on: BoundedDate
    status: str = "decided"
    budget: Decimal | None = None
    shares: list[ShareWrite]


class SmeServiceRead(Schema):
    id: int
    consortium_id: int
    provider_id: int
    provider_name: str = Field(..., alias="provider.name")
    sme_id: int
    sme_name: str = Field(..., alias="sme.name")
    kind: str
    kind_label: str = Field(..., alias="get_kind_display")
    served_on: date
    content: str
    outcome: str


class SmeServiceCreate(Schema):
    provider_id: DbId
    sme_id: DbId
    kind: str
    served_on: BoundedDate
    content: str
    outcome: str = ""
