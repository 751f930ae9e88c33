"""/api/v1/events: 路演推介 / 对接会 — list, detail, create, update, status moves, registration, attendance, outcomes."""

from ninja import Query, Router, Schema, Status
from ninja.pagination import paginate

from ipoc.core import selectors as core_selectors
from ipoc.core.bounds import DbId, Year
from ipoc.core.pagination import LimitOffsetPagination
from ipoc.events import selectors, services
from ipoc.events.schemas import (
    AttendanceSet,
    EventCreate,
    EventOutcomeCreate,
    EventOutcomeRead,
    EventRead,
    EventRegister,
    EventRegistrationRead,
    EventTransition,
    EventUpdate,
)

router = Router(tags=["events"])


def _read(user, event):
    """The detail: with the registrations and outcomes this user may see."""
    event.visible_registrations = list(selectors.event_registrations(user=user, event=event))
    event.visible_outcomes = list(selectors.event_outcomes(user=user, event=event))
    return event


class EventFilters(Schema):
    q: str = ""
    kind: str = ""
    status: str = ""
    organizer: DbId | None = None
    year: Year | None = None
    mine: bool = False


@router.get("", response=list[EventRead], summary="路演对接活动列表")
@paginate(LimitOffsetPagination)
def event_list(request, filters: Query[EventFilters]):
    return selectors.event_list(user=request.auth, **filters.dict()).prefetch_related("patents", "demands")


@router.get("/{event_id}", response=EventRead, summary="活动详情（含可见的报名与签约意向）")
def event_detail(request, event_id: int):
    return _read(request.auth, selectors.event_get(user=request.auth, pk=event_id))


@router.post("", response={201: EventRead}, summary="新建活动（运营中心）")
def event_create(request, payload: EventCreate):
    user = request.auth
    data = payload.dict()
    organizer_id = data.pop("organizer_id")
    data["patents"] = selectors.patents_by_ids(user=user, ids=data.pop("patent_ids"))
    data["demands"] = selectors.demands_by_ids(user=user, ids=data.pop("demand_ids"))
    organizer = core_selectors.organization_get(user=user, pk=organizer_id, field="organizer_id") if organizer_id else None
    event = services.event_create(actor=user, organizer=organizer, **data)
    return Status(201, _read(user, event))


@router.patch("/{event_id}", response=EventRead, summary="修改活动")
def event_update(request, event_id: int, payload: EventUpdate):
    user = request.auth
    event = selectors.event_get(user=user, pk=event_id)
    data = payload.dict(exclude_unset=True)
    if "patent_ids" in data:
        data["patents"] = selectors.patents_by_ids(user=user, ids=data.pop("patent_ids") or [])
    if "demand_ids" in data:
        data["demands"] = selectors.demands_by_ids(user=user, ids=data.pop("demand_ids") or [])
    event = services.event_update(actor=user, event=event, data=data)
    return _read(user, event)


@router.post("/{event_id}/transition", response=EventRead, summary="活动状态变更（发布、取消）")
def event_transition(request, event_id: int, payload: EventTransition):
    event = selectors.event_get(user=request.auth, pk=event_id)
    event = services.event_transition(actor=request.auth, event=event, to_status=payload.to_status,
                                      reason=payload.reason)
    return _read(request.auth, event)


@router.post("/{event_id}/registrations", response={201: EventRegistrationRead}, summary="报名参加活动")
def event_register(request, event_id: int, payload: EventRegister):
    user = request.auth
    event = selectors.event_get(user=user, pk=event_id)
    org = core_selectors.organization_get(user=user, pk=payload.organization_id, field="organization_id") if payload.organization_id else None
    return Status(201, services.event_register(actor=user, event=event, organization=org, note=payload.note))


@router.post("/{event_id}/registrations/{registration_id}/attendance", response=EventRegistrationRead,
             summary="记录是否出席")
def registration_attendance(request, event_id: int, registration_id: int, payload: AttendanceSet):
    user = request.auth
    event = selectors.event_get(user=user, pk=event_id)
    reg = selectors.registration_get(user=user, event=event, pk=registration_id)
    return services.registration_set_attendance(actor=user, registration=reg, attended=payload.attended)


@router.post("/{event_id}/outcomes", response={201: EventOutcomeRead}, summary="记录签约意向")
def event_outcome_create(request, event_id: int, payload: EventOutcomeCreate):
    user = request.auth
    event = selectors.event_get(user=user, pk=event_id)
    party_a = core_selectors.organization_get(user=user, pk=payload.party_a_id, field="party_a_id")
    party_b = core_selectors.organization_get(user=user, pk=payload.party_b_id, field="party_b_id")
    patents = selectors.patents_by_ids(user=user, ids=payload.patent_ids)
    outcome = services.event_outcome_create(actor=user, event=event, party_a=party_a, party_b=party_b,
                                            patents=patents, note=payload.note)
    return Status(201, outcome)
