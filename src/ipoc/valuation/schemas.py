from __future__ import annotations

from datetime import date, datetime

from ninja import Field, Schema


class ValuationRunRead(Schema):
    id: int
    scenario: str
    tree_version_id: int
    as_of: date
    patent_count: int
    scored_count: int
    grade_distribution: dict
    recommendation_distribution: dict
    mean_confidence: float | None
    seconds: float | None
    finished: bool
    job_id: int | None
    job_status: str | None = Field(None, alias="job.status")
    created_at: datetime


class ValuationRunStart(Schema):
    scenario: str = "license_transfer"
    patent_ids: list[int] | None = None
    as_of: date | None = None


class ValuationRunStarted(Schema):
    run_id: int
    job_id: int
    status: str
    job_url: str


class TreeRead(Schema):
    id: int
    label: str
    digest: str
    note: str
    is_active: bool
    created_at: datetime
    tree: dict


class TreeUpdate(Schema):
    tree: dict
    note: str = ""
