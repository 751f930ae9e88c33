"""Session-10 probe of the API: an anonymous write is 401 (sign in), not a CSRF 403; an organisation id that does
not exist is a 404 naming the field that gave it."""

import pytest


@pytest.mark.parametrize("path, body", [
    ("/api/v1/deals", {"title": "许可", "deal_type": "license"}),
    ("/api/v1/events", {"title": "路演", "held_on": "2026-12-20"}),
    ("/api/v1/demands", {"title": "锂电池热管理"}),
])
def test_an_anonymous_write_is_asked_to_sign_in(client, db, path, body):
    r = client.post(path, body, content_type="application/json")
    assert r.status_code == 401 and r.json()["error"]["code"] == "not_authenticated"
    r = client.post(path, body, content_type="application/json", HTTP_AUTHORIZATION="Bearer ipoc_bogus")
    assert r.status_code == 401


def test_a_signed_in_session_still_needs_its_csrf_token(users):
    from django.test import Client

    browser = Client(enforce_csrf_checks=True)
    browser.force_login(users["center_a"])
    r = browser.post("/api/v1/deals", {"title": "许可", "deal_type": "license"}, content_type="application/json")
    assert r.status_code == 403


@pytest.mark.parametrize("path, body, field", [
    ("/deals", {"title": "许可", "deal_type": "license", "center_id": 999999}, "center_id"),
    ("/events", {"title": "路演", "held_on": "2026-12-20", "organizer_id": 999999}, "organizer_id"),
])
def test_an_unknown_organisation_names_its_field(api_client, users, path, body, field):
    api_client.as_user(users["admin"])
    r = api_client.post(path, body)
    assert r.status_code == 404 and r.json()["error"]["field"] == field
