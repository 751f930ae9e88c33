"""Probe (session 7, hostile users) of filing results through the API: the enterprise recording its own result,
outsiders, ids that are not ids, over-long reasons, and results dated before the filing or in the future (a
center could date a 认定通过 into an earlier year's figures)."""

from __future__ import annotations

import datetime as dt

import pytest

from ipoc.industrialization import services
from ipoc.industrialization.models import FilingStatus


@pytest.fixture
def filed(users, product_with_data, data_year):
    filing = services.filing_prepare(actor=users["ent_a"], product=product_with_data, data_year=data_year)
    return services.filing_transition(actor=users["ent_a"], filing=filing, to_status="filed",
                                      on=dt.date.today() - dt.timedelta(days=10), platform_reference="BA-2026-0001")


def _url(filing):
    return f"/industrialization/products/{filing.product_id}/filings/{filing.pk}/transition"


def test_the_enterprise_cannot_record_a_result_through_the_api(users, api_client, filed):
    api = api_client.as_user(users["ent_a"])
    for status in ("reviewing", "publicized", "recognised", "not_recognised"):
        r = api.post(_url(filed), {"to_status": status, "reason": "自行登记", "publication_reference": "自拟"})
        assert r.status_code in (400, 403), (status, r.status_code)
        assert r.json()["error"]["field"] == "status"
    for who in ("ent_b", "center_b", "univ", "expert"):
        r = api_client.as_user(users[who]).post(_url(filed), {"to_status": "reviewing"})
        assert r.status_code in (403, 404), who
    filed.refresh_from_db()
    assert filed.status == FilingStatus.FILED


@pytest.mark.parametrize("bad", ["99999999999999999999999", "-1", "abc"])
def test_ids_that_are_not_ids(users, api_client, filed, bad):
    api = api_client.as_user(users["center_a"])
    for path in (f"/industrialization/products/{bad}/filings/{filed.pk}/transition",
                 f"/industrialization/products/{filed.product_id}/filings/{bad}/transition"):
        r = api.post(path, {"to_status": "reviewing"})
        assert 400 <= r.status_code < 500, (path, r.status_code)
        assert "Traceback" not in r.content.decode() and "/work/" not in r.content.decode()


@pytest.mark.parametrize("body, field", [
    ({"to_status": "bogus"}, "status"),
    ({"to_status": "not_recognised", "reason": "理" * 20_000}, "reason"),
    ({"to_status": "reviewing", "platform_reference": "B" * 101}, "platform_reference"),
])
def test_bad_values_name_their_field(users, api_client, filed, body, field):
    r = api_client.as_user(users["center_a"]).post(_url(filed), body)
    assert r.status_code == 400 and r.json()["error"]["field"] == field, r.content[:300]
    filed.refresh_from_db()
    assert filed.status == FilingStatus.FILED and filed.status_changes.count() == 2


def test_a_result_is_not_dated_before_the_filing_nor_in_the_future(users, api_client, filed):
    api = api_client.as_user(users["center_a"])
    assert api.post(_url(filed), {"to_status": "reviewing"}).status_code == 200
    assert api.post(_url(filed), {"to_status": "publicized"}).status_code == 200
    for on in (filed.filed_date - dt.timedelta(days=400), dt.date.today() + dt.timedelta(days=30)):
        r = api.post(_url(filed), {"to_status": "recognised", "on": on.isoformat()})
        assert r.status_code == 400 and r.json()["error"]["field"] == "on", (on, r.content[:300])
    filed.refresh_from_db()
    assert filed.status == FilingStatus.PUBLICIZED and filed.result_date is None
    r = api.post(_url(filed), {"to_status": "recognised", "on": filed.filed_date.isoformat()})
    assert r.status_code == 200 and r.json()["result_date"] == filed.filed_date.isoformat()


SUPERSCRIPT = "²"  # str.isdigit() says yes, int() raises


def test_query_ids_that_are_digits_but_not_numbers(users, client, product):
    client.force_login(users["center_a"])
    for url, params in (("/industrialization/", {"center": SUPERSCRIPT}),
                        ("/industrialization/projects/new/", {"demand": SUPERSCRIPT, "deal": SUPERSCRIPT}),
                        ("/industrialization/products/new/", {"project": SUPERSCRIPT}),
                        (f"/industrialization/products/{product.pk}/", {"year": SUPERSCRIPT})):
        assert client.get(url, params).status_code in (200, 400, 404), url
