"""路演推介 / 对接会: who may organise, view, register, record attendance and outcomes — services, API, pages."""

import datetime as dt

import pytest
from django.utils import timezone

from ipoc.core.errors import ApplicationError, NotFound, PermissionDenied
from ipoc.core.models import AuditEntry
from ipoc.events import selectors, services
from ipoc.events.models import EventStatus

DAY = timezone.localdate() + dt.timedelta(days=20)
LATER = (timezone.localdate() + dt.timedelta(days=40)).isoformat()


def test_center_staff_organise_for_their_own_center(users, orgs, patents):
    ev = services.event_create(actor=users["center_a"], title="对接会", held_on=DAY, online_url="https://meet.example.cn/1",
                               kind="matchmaking", patents=patents)
    assert ev.organizer == orgs["center_a"] and ev.status == EventStatus.DRAFT
    assert sorted(ev.patents.values_list("pk", flat=True)) == [p.pk for p in patents]
    entry = AuditEntry.objects.get(object_id=str(ev.pk), content_type__model="event")
    assert entry.action == "create" and entry.actor == users["center_a"]
    with pytest.raises(PermissionDenied):
        services.event_create(actor=users["center_b"], title="x", held_on=DAY, place="杭州", organizer=orgs["center_a"])
    with pytest.raises(PermissionDenied):
        services.event_create(actor=users["ent_a"], title="x", held_on=DAY, place="苏州")
    with pytest.raises(ApplicationError) as exc:
        services.event_create(actor=users["center_a"], title="无地点", held_on=DAY)
    assert exc.value.field == "place"
    with pytest.raises(ApplicationError) as exc:
        services.event_create(actor=users["admin"], title="x", held_on=DAY, place="苏州", organizer=orgs["ent_a"])
    assert exc.value.field == "organizer"


def test_visibility_draft_published_cancelled(users, orgs):
    ev = services.event_create(actor=users["center_a"], title="草稿活动", held_on=DAY, place="苏州")
    assert not selectors.event_list(user=users["ent_a"]).filter(pk=ev.pk).exists()
    assert not selectors.event_list(user=users["js_office"]).filter(pk=ev.pk).exists()
    assert selectors.event_list(user=users["center_a"]).filter(pk=ev.pk).exists()
    services.event_transition(actor=users["center_a"], event=ev, to_status="published")
    for who in ("ent_a", "ent_b", "univ", "center_b", "expert", "js_office"):
        assert selectors.event_get(user=users[who], pk=ev.pk) == ev
    with pytest.raises(PermissionDenied):
        services.event_transition(actor=users["center_b"], event=ev, to_status="cancelled", reason="x")
    with pytest.raises(PermissionDenied):
        services.event_update(actor=users["ent_a"], event=ev, data={"title": "改名"})
    with pytest.raises(ApplicationError) as exc:
        services.event_transition(actor=users["center_a"], event=ev, to_status="cancelled")
    assert exc.value.field == "reason"
    with pytest.raises(ApplicationError) as exc:
        services.event_transition(actor=users["center_a"], event=ev, to_status="draft")
    assert exc.value.code == "invalid_transition"
    services.event_transition(actor=users["center_a"], event=ev, to_status="cancelled", reason="场地变更")
    assert not selectors.event_list(user=users["ent_a"]).filter(pk=ev.pk).exists()


def test_registration_and_attendance(users, orgs, event):
    reg = services.event_register(actor=users["ent_a"], event=event)
    assert reg.organization == orgs["ent_a"] and reg.attended is None
    with pytest.raises(PermissionDenied):
        services.event_register(actor=users["ent_b"], event=event, organization=orgs["ent_a"])
    with pytest.raises(ApplicationError) as exc:
        services.event_register(actor=users["ent_a"], event=event)
    assert exc.value.code == "duplicate"
    with pytest.raises(PermissionDenied):  # center staff of another center may not register others
        services.event_register(actor=users["center_b"], event=event, organization=orgs["univ"])
    services.event_register(actor=users["center_a"], event=event, organization=orgs["univ"])
    reg_b = services.event_register(actor=users["ent_b"], event=event)
    # the organiser sees all registrations; an enterprise only its own
    assert selectors.event_registrations(user=users["center_a"], event=event).count() == 3
    assert list(selectors.event_registrations(user=users["ent_b"], event=event)) == [reg_b]
    services.registration_set_attendance(actor=users["center_a"], registration=reg, attended=True)
    services.registration_set_attendance(actor=users["center_a"], registration=reg_b, attended=False)
    reg.refresh_from_db()
    reg_b.refresh_from_db()
    assert (reg.attended, reg_b.attended) == (True, False)
    for who in ("ent_a", "center_b"):
        with pytest.raises(PermissionDenied):
            services.registration_set_attendance(actor=users[who], registration=reg, attended=False)
    assert AuditEntry.objects.filter(content_type__model="eventregistration", action="update").count() == 2


def test_draft_event_cannot_be_registered(users):
    ev = services.event_create(actor=users["center_a"], title="草稿", held_on=DAY, place="苏州")
    with pytest.raises(PermissionDenied):
        services.event_register(actor=users["ent_a"], event=ev)
    with pytest.raises(ApplicationError) as exc:
        services.event_register(actor=users["center_a"], event=ev, organization=ev.organizer)
    assert exc.value.field in ("event", "organization")


def test_outcomes(users, orgs, event, patents):
    out = services.event_outcome_create(actor=users["center_a"], event=event, party_a=orgs["univ"],
                                        party_b=orgs["ent_a"], patents=patents[:1], note="拟许可")
    assert list(out.patents.all()) == patents[:1]
    with pytest.raises(ApplicationError) as exc:
        services.event_outcome_create(actor=users["center_a"], event=event, party_a=orgs["ent_a"],
                                      party_b=orgs["ent_a"])
    assert exc.value.field == "party_b"
    with pytest.raises(PermissionDenied):
        services.event_outcome_create(actor=users["ent_a"], event=event, party_a=orgs["univ"], party_b=orgs["ent_a"])
    # parties and the organiser see the outcome; an uninvolved enterprise does not
    assert selectors.event_outcomes(user=users["ent_a"], event=event).count() == 1
    assert selectors.event_outcomes(user=users["ent_b"], event=event).count() == 0


def test_api_roundtrip_and_refusals(api_client, users, orgs, patents):
    center = api_client.as_user(users["center_a"])
    r = center.post("/events", {"title": "API 路演", "held_on": LATER, "place": "苏州",
                                "patent_ids": [patents[0].pk, patents[1].pk]})
    assert r.status_code == 201, r.content
    body = r.json()
    eid = body["id"]
    assert body["organizer_id"] == orgs["center_a"].pk and body["patent_ids"] == [patents[0].pk, patents[1].pk]
    assert body["status"] == "draft"
    assert center.post("/events", {"title": "x", "held_on": LATER, "place": "苏州",
                                   "patent_ids": [999999]}).json()["error"]["field"] == "patent_ids"
    assert api_client.as_user(users["ent_a"]).get(f"/events/{eid}").status_code == 404
    r = api_client.as_user(users["ent_a"]).post("/events", {"title": "x", "held_on": LATER, "place": "苏州"})
    assert r.status_code == 403
    center = api_client.as_user(users["center_a"])
    assert center.patch(f"/events/{eid}", {"patent_ids": [patents[2].pk]}).json()["patent_ids"] == [patents[2].pk]
    assert center.post(f"/events/{eid}/transition", {"to_status": "published"}).json()["status"] == "published"
    other = api_client.as_user(users["center_b"])
    assert other.patch(f"/events/{eid}", {"title": "改"}).status_code == 403
    ent = api_client.as_user(users["ent_a"])
    assert ent.get("/events").json()["count"] == 1
    r = ent.post(f"/events/{eid}/registrations", {})
    assert r.status_code == 201 and r.json()["organization_id"] == orgs["ent_a"].pk
    rid = r.json()["id"]
    assert ent.post(f"/events/{eid}/registrations", {"organization_id": orgs["ent_b"].pk}).status_code == 403
    assert ent.post(f"/events/{eid}/registrations/{rid}/attendance", {"attended": True}).status_code == 403
    center = api_client.as_user(users["center_a"])
    assert center.post(f"/events/{eid}/registrations/{rid}/attendance", {"attended": True}).json()["attended"] is True
    r = center.post(f"/events/{eid}/outcomes", {"party_a_id": orgs["univ"].pk, "party_b_id": orgs["ent_a"].pk,
                                               "patent_ids": [patents[2].pk], "note": "意向转让"})
    assert r.status_code == 201 and r.json()["patent_ids"] == [patents[2].pk]
    detail = center.get(f"/events/{eid}").json()
    assert [x["attended"] for x in detail["registrations"]] == [True] and len(detail["outcomes"]) == 1
    assert api_client.as_user(users["ent_b"]).get(f"/events/{eid}").json()["registrations"] == []


def test_pages(client, users, orgs, patents, event):
    client.force_login(users["center_a"])
    html = client.get("/events/").content.decode()
    assert "纳米材料专利路演" in html and "新建活动" in html
    html = client.get("/events/new/").content.decode()  # pickers, no typed ids
    assert 'data-picker-url="/api/v1/lookups/patents"' in html and 'data-picker-url="/api/v1/lookups/demands"' in html
    assert "patent_refs" not in html and "demand_refs" not in html
    r = client.post("/events/new/", {"kind": "roadshow", "title": "页面新建的路演", "held_on": LATER,
                                     "place": "苏州", "patents": [patents[2].pk]}, follow=True)
    assert r.redirect_chain and "活动已保存为草稿" in r.content.decode()
    new = selectors.event_list(user=users["center_a"]).get(title="页面新建的路演")
    assert list(new.patents.all()) == [patents[2]] and new.status == "draft"
    html = client.get(f"/events/{new.pk}/").content.decode()
    assert 'data-status="published"' in html and "data-confirm=" in html  # 发布 offered, with a confirmation
    r = client.post(f"/events/{new.pk}/transition/", {"to_status": "published"}, follow=True)
    assert "活动已发布" in r.content.decode()
    r = client.post(f"/events/{new.pk}/transition/", {"to_status": "cancelled"}, follow=True)  # no reason
    assert r.status_code == 200 and "取消活动必须说明理由" in r.content.decode()
    r = client.post("/events/new/", {"kind": "roadshow", "title": "无地点", "held_on": LATER})
    assert r.status_code == 200 and "请填写举办地点或线上地址" in r.content.decode()
    r = client.post("/events/new/", {"kind": "roadshow", "title": "错日期", "held_on": "2026-02-30", "place": "苏州"})
    assert r.status_code == 200 and "invalid-feedback" in r.content.decode()  # an inline error, not an error page
    html = client.get(f"/events/{event.pk}/").content.decode()
    assert "修改活动" in html and "记录签约意向" in html and "代为登记报名单位" in html

    client.force_login(users["ent_a"])
    html = client.get(f"/events/{event.pk}/").content.decode()
    assert "本单位报名" in html and "修改活动" not in html and 'name="to_status"' not in html
    r = client.post(f"/events/{event.pk}/register/", {"note": "两人参加"}, follow=True)
    assert "已报名" in r.content.decode()
    assert "本单位报名" not in client.get(f"/events/{event.pk}/").content.decode()
    assert client.get(f"/events/{event.pk}/edit/").status_code == 403
    assert client.get(f"/events/{new.pk}/").status_code == 200  # published now
    r = client.post(f"/events/{event.pk}/register/", {"note": "再报一次"}, follow=True)
    assert r.status_code == 200 and "该单位已报名此活动" in r.content.decode()

    client.force_login(users["center_a"])
    reg = event.registrations.get()
    assert client.post(f"/events/{event.pk}/registrations/{reg.pk}/attendance/", {"attended": "1"}).status_code == 302
    reg.refresh_from_db()
    assert reg.attended is True
    r = client.post(f"/events/{event.pk}/register/", {"organization": orgs["ent_b"].pk, "note": "现场报名"})
    assert r.status_code == 302 and event.registrations.filter(organization=orgs["ent_b"]).exists()
    r = client.post(f"/events/{event.pk}/outcomes/", {"party_a": orgs["univ"].pk, "party_b": orgs["univ"].pk})
    assert r.status_code == 200 and "意向双方不能是同一单位" in r.content.decode() and event.outcomes.count() == 0
    r = client.post(f"/events/{event.pk}/outcomes/", {"party_a": orgs["univ"].pk, "party_b": orgs["ent_a"].pk,
                                                      "patents": [patents[0].pk], "note": "拟合作"})
    assert r.status_code == 302 and event.outcomes.count() == 1
    assert list(event.outcomes.get().patents.all()) == [patents[0]]


def test_not_found_is_404(users):
    with pytest.raises(NotFound):
        selectors.event_get(user=users["ent_a"], pk=424242)


def test_self_registration_closes_after_the_event(users, orgs, event):
    event.held_on = timezone.localdate() - dt.timedelta(days=1)
    event.save()
    with pytest.raises(ApplicationError) as exc:
        services.event_register(actor=users["ent_a"], event=event)
    assert exc.value.field == "event"
    # the organiser may still record a walk-in
    assert services.event_register(actor=users["center_a"], event=event, organization=orgs["ent_a"]).pk


def test_attendance_is_offered_only_once_the_event_has_taken_place(client, users, orgs, event):
    services.event_register(actor=users["center_a"], event=event, organization=orgs["ent_a"])
    client.force_login(users["center_a"])
    html = client.get(f"/events/{event.pk}/").content.decode()
    assert "活动举办后记录" in html and 'name="attended"' not in html  # the event is still to come
    event.held_on = timezone.localdate()
    event.save(update_fields=["held_on"])
    html = client.get(f"/events/{event.pk}/").content.decode()
    assert 'name="attended"' in html and "活动举办后记录" not in html
