from __future__ import annotations

from datetime import datetime

from ninja import Field, Schema

from ipoc.core.bounds import DbId


class PatentSetRead(Schema):
    id: int
    name: str
    kind: str
    kind_label: str = Field(..., alias="get_kind_display")
    definition: dict
    description: str = ""
    size: int
    evaluated_at: datetime | None
    evaluation_note: str = ""
    organization_id: int | None = None


class PatentSetCreate(Schema):
    name: str = Field(..., max_length=200)
    kind: str
    description: str = Field("", max_length=2000)
    q: str = Field("", max_length=200)
    filters: dict = {}
    node_id: DbId | None = None
    batch_id: DbId | None = None
    institution_id: DbId | None = None
    patent_ids: list[DbId] = Field([], max_length=5000)


class MatrixTermWrite(Schema):
    axis: str
    label: str = Field(..., max_length=60)
    words: list[str] = Field([], max_length=10)
    reviewed: bool = True


class MatrixTermRead(Schema):
    id: int
    axis: str
    label: str
    words: list[str]
    reviewed: bool
