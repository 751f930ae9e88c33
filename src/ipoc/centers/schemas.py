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


# ---------------------------------------------------------------- 认定 workflow


class ApplicationMoveRead(Schema):
    action: str
    from_status: str
    to_status: str
    reason: str
    actor_name: str
    at: datetime


class ApplicationRead(Schema):
    id: int
    center_id: int
    center_name: str = Field(..., alias="center.name")
    level: str
    year: int
    status: str
    status_label: str = Field(..., alias="get_status_display")
    summary: str
    achievements: str
    plan: str
    recommending_office_id: int | None
    deciding_office_id: int
    due_on: date | None
    score: float | None
    publicity_start: date | None
    publicity_end: date | None
    publicity_notice: str
    certificate_no: str
    decision_id: int | None
    conditions_snapshot: dict


class ApplicationCreate(Schema):
    center_id: int | None = None
    year: int
    summary: str = ""
    achievements: str = ""
    plan: str = ""


class ApplicationUpdate(Schema):
    year: int | None = None
    summary: str | None = None
    achievements: str | None = None
    plan: str | None = None


class RecommendIn(Schema):
    recommend: bool
    opinion: str


class FormalReviewIn(Schema):
    outcome: str
    reason: str = ""


class ReasonIn(Schema):
    reason: str = ""


class NoteIn(Schema):
    note: str = ""


class CloseReviewIn(Schema):
    notice: str = ""


class DecideIn(Schema):
    recognise: bool
    reason: str
    document_ref: str


class AssignIn(Schema):
    expert_id: int


class ReviewRead(Schema):
    id: int
    application_id: int | None
    evaluation_id: int | None
    expert_id: int
    expert_name: str = Field(..., alias="expert.username")
    due_on: date | None
    declaration: str
    declaration_note: str
    scores: dict
    total: float | None
    comment: str
    submitted_at: datetime | None


class DeclareIn(Schema):
    conflict: bool
    note: str = ""


class ScoresIn(Schema):
    scores: dict[str, float | str | None]
    comment: str = ""


class ObjectionIn(Schema):
    submitter_name: str
    submitter_contact: str
    content: str


class ObjectionRead(Schema):
    id: int
    application_id: int
    submitter_name: str
    content: str
    submitted_at: datetime
    upheld: bool | None
    resolution: str
    resolved_at: datetime | None


class PublicityRead(Schema):
    id: int
    center_name: str = Field(..., alias="center.name")
    host_organization_name: str = Field(..., alias="center.host_organization.name")
    level: str
    publicity_start: date
    publicity_end: date
    publicity_notice: str


class ResolveIn(Schema):
    upheld: bool
    resolution: str


# ---------------------------------------------------------------- 年度工作报告、定期评价、动态管理


class ReportRead(Schema):
    id: int
    center_id: int
    center_name: str = Field(..., alias="center.name")
    year: int
    status: str
    lines: list[dict]
    narrative: dict
    generated_at: datetime | None
    submitted_at: datetime | None
    reviewed_at: datetime | None
    review_comment: str


class ReportCreate(Schema):
    center_id: int | None = None
    year: int


class NarrativeIn(Schema):
    narrative: dict[str, str]


class ReviewDecisionIn(Schema):
    accept: bool
    comment: str = ""


class EvaluationCreate(Schema):
    center_id: int
    year: int
    supersedes_id: int | None = None


class EvaluationRead(Schema):
    id: int
    center_id: int
    year: int
    report_id: int | None
    status: str
    indicators: list[dict]
    total: float | None
    grade: str
    comment: str
    supersedes_id: int | None
    finalised_at: datetime | None


class CommentIn(Schema):
    comment: str = ""


class RectificationIn(Schema):
    content: str
    document_ref: str
    deadline: date | None = None


class CommendationIn(Schema):
    content: str
    document_ref: str


class ManagementRead(Schema):
    id: int
    center_id: int
    kind: str
    kind_label: str = Field(..., alias="get_kind_display")
    evaluation_id: int | None
    follows_id: int | None
    corrects_id: int | None
    ground: str
    deadline: date | None
    content: str
    document_ref: str
    decision_id: int | None
    decided_at: datetime


class RectificationReportIn(Schema):
    content: str


class FollowUpIn(Schema):
    passed: bool
    content: str
    document_ref: str


class RevokeIn(Schema):
    ground: str
    content: str
    document_ref: str
