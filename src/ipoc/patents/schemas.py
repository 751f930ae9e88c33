from __future__ import annotations

import datetime as dt

from ninja import Field, Schema


class PatentListItem(Schema):
    id: int
    key: str
    publication_number: str
    application_number: str
    title: str
    patent_type: str
    legal_status: str
    jurisdiction: str
    ipc_main: str
    application_date: dt.date | None
    publication_date: dt.date | None
    expiry_date: dt.date | None
    applicants: list[str] = Field(default_factory=list)

    @staticmethod
    def resolve_applicants(obj) -> list[str]:
        """Applicant names from the prefetched parties (``selectors.with_parties``)."""
        return [party.name for party in obj.parties.all()]


class ImportReportRead(Schema):
    id: int
    file: str
    format: str
    status: str
    counts: dict[str, int]
    seconds: float | None
    job_id: int | None
    rejected_rows: list[dict]


class ImportStarted(Schema):
    job_id: int
    batch_id: int
    job_url: str
