from __future__ import annotations

from datetime import date, datetime

from ninja import Field, Schema


class EventRegistrationRead(Schema):
    id: int
    organization_id: int
    organization_name: str = Field(..., alias="organization.name")
    attended: bool | None
    note: str
    registered_at: datetime


class EventOutcomeRead(Schema):
    id: int
    party_a_id: int
    party_a_name: str = Field(..., alias="party_a.name")
    party_b_id: int
    party_b_name: str = Field(..., alias="party_b.name")
    patent_ids: list[int] = []
    note: str
    created_at: datetime

    @staticmethod
    def resolve_patent_ids(obj) -> list[int]:
        return sorted(p.pk for p in obj.patents.all())


class EventRead(Schema):
    id: int
    kind: str
    kind_label: str = Field(..., alias="get_kind_display")
    title: str
    description: str
    organizer_id: int
    organizer_name: str = Field(..., alias="organizer.name")
    held_on: date
    place: str
    online_url: str
    status: str
    status_label: str = Field(..., alias="get_status_display")
    patent_ids: list[int] = []
    demand_ids: list[int] = []
    registrations: list[EventRegistrationRead] = []
    outcomes: list[EventOutcomeRead] = []
    created_at: datetime

    @staticmethod
    def resolve_patent_ids(obj) -> list[int]:
        return sorted(p.pk for p in obj.patents.all())

    @staticmethod
    def resolve_demand_ids(obj) -> list[int]:
        return sorted(d.pk for d in obj.demands.all())

    @staticmethod
    def resolve_registrations(obj) -> list:
        """Only on the detail (the API sets ``visible_registrations`` for the requesting user)."""
        return getattr(obj, "visible_registrations", [])

    @staticmethod
    def resolve_outcomes(obj) -> list:
        return getattr(obj, "visible_outcomes", [])


class EventCreate(Schema):
    title: str
    held_on: date
    kind: str = "roadshow"
    description: str = ""
    place: str = ""
    online_url: str = ""
    organizer_id: int | None = None
    patent_ids: list[int] = []
    demand_ids: list[int] = []


class EventUpdate(Schema):
    title: str | None = None
    kind: str | None = None
    description: str | None = None
    held_on: date | None = None
    place: str | None = None
    online_url: str | None = None
    patent_ids: list[int] | None = None
    demand_ids: list[int] | None = None


class EventTransition(Schema):
    to_status: str
    reason: str = ""


class EventRegister(Schema):
    organization_id: int | None = None
    note: str = ""


class AttendanceSet(Schema):
    attended: bool | None


class EventOutcomeCreate(Schema):
    party_a_id: int
    party_b_id: int
    patent_ids: list[int] = []
    note: str = ""
