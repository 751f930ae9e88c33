from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from ninja import Schema


class MatchRead(Schema):
    id: int
    demand_id: int
    patent_id: int
    patent_number: str
    patent_title: str
    rank: int
    score: float
    retrieval_score: float
    status: str
    reason: str
    features: dict
    explanation: dict
    decided_at: datetime | None


class MatchDecision(Schema):
    confirm: bool
    reason: str = ""


class ListingCreate(Schema):
    patent_id: int
    holder_id: int
    modes: list[str]
    asking_price: Decimal | None = None
    terms: str = ""
    open_license: bool = False


class ListingRead(Schema):
    id: int
    patent_id: int
    holder_id: int
    modes: list[str]
    asking_price: Decimal | None
    terms: str
    open_license: bool
    status: str


class ChainNodeCreate(Schema):
    name: str
    position: str
    keywords: list[str] = []
    ipc_prefixes: list[str] = []


class ChainNodeRead(Schema):
    id: int
    center_id: int
    name: str
    position: str
    keywords: list[str]
    ipc_prefixes: list[str]


class BatchStarted(Schema):
    job_id: int
    run_id: int
