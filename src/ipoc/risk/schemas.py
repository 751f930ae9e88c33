"""API shapes of the risk app."""

from __future__ import annotations

import datetime as dt

from ninja import Schema

from ipoc.core.bounds import DbId


class CheckCreate(Schema):
    product_name: str
    features: list[str]
    markets: list[str]
    horizon_date: dt.date
    title: str = ""
    description: str = ""
    variants: list[str] = []
    components: list[str] = []
    ipc_codes: list[str] = []
    competitors: list[str] = []
    requester_id: DbId | None = None
    center_id: DbId | None = None


class CheckRead(Schema):
    id: int
    title: str
    product_name: str
    description: str
    features: list[str]
    variants: list[str]
    components: list[str]
    markets: list[str]
    horizon_date: dt.date
    requester_id: int
    center_id: int | None
    status: str
    status_label: str
    risk: str
    risk_label: str
    stop_reason: str
    reopen_reason: str

    @staticmethod
    def resolve_status_label(obj) -> str:
        return str(obj.get_status_display())

    @staticmethod
    def resolve_risk_label(obj) -> str:
        return str(obj.get_risk_display())


class ElementConfirm(Schema):
    mapping: str
    note: str = ""


class CandidateAdd(Schema):
    patent_id: DbId


class CandidateRemove(Schema):
    reason: str
