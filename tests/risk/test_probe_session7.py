"""Probe (session 7, hostile users) of the risk requester scope: the picker lookup URL called directly (by
anonymous users, experts, offices, a center searching for an organisation it does not serve), and requester ids
that are not ids or name organisations of another kind."""

from __future__ import annotations

import datetime as dt

import pytest

from ipoc.risk.models import RiskCheck
from tests.risk.conftest import FEATURES

HORIZON = dt.date.today() + dt.timedelta(days=365)
BODY = {"product_name": "预充电控制器", "features": FEATURES, "markets": ["CN"], "horizon_date": HORIZON.isoformat()}


def test_the_lookup_url_called_directly(db, client, api_client, users, orgs):
    assert client.get("/api/v1/lookups/risk_requesters").status_code == 401
    for who in ("expert", "js_office", "cnipa"):
        assert api_client.as_user(users[who]).get("/lookups/risk_requesters").json() == [], who
    api = api_client.as_user(users["center_a"])
    for q in ("杭州", "乙材料", orgs["ent_b"].name, "%", "_"):
        assert api.get("/lookups/risk_requesters", q=q).json() == [], q


@pytest.mark.parametrize("bad", [2**70, -1, "abc"])
def test_requester_ids_that_are_not_ids(db, api_client, users, bad):
    r = api_client.as_user(users["center_a"]).post("/risk/checks", {**BODY, "requester_id": bad})
    assert 400 <= r.status_code < 500 and "Traceback" not in r.content.decode()
    assert not RiskCheck.objects.exists()


def test_a_center_or_office_is_no_requester(db, api_client, users, orgs):
    api = api_client.as_user(users["admin"])
    for key in ("center_b", "js_office"):
        r = api.post("/risk/checks", {**BODY, "requester_id": orgs[key].pk, "center_id": orgs["center_a"].pk})
        assert r.status_code == 400 and r.json()["error"]["field"] == "requester", key
    r = api_client.as_user(users["center_a"]).post("/risk/checks", {**BODY, "requester_id": orgs["center_b"].pk})
    assert r.status_code in (400, 403, 404) and not RiskCheck.objects.exists()


SUPERSCRIPT = "²"  # str.isdigit() says yes, int() raises


def test_ids_that_are_digits_but_not_numbers(db, client, users, orgs):
    from ipoc.risk import services

    check = services.check_create(actor=users["ent_a"], product_name="预充电控制器", features=FEATURES,
                                  markets=["CN"], horizon_date=HORIZON, center=orgs["center_a"])
    client.force_login(users["ent_a"])
    assert client.get(f"/risk/{check.pk}/report/", {"v": SUPERSCRIPT}).status_code in (200, 302, 400, 404)
    client.force_login(users["center_a"])
    r = client.post("/risk/exposure/alert/", {"patent": SUPERSCRIPT, "message": "x"})
    assert r.status_code in (200, 302, 400, 403, 404)
