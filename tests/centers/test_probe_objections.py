"""Probe finding on 公示异议 (issue 14: one user must not stop the platform). Anyone may object during publicity,
without signing in — and nothing bounded it: 30 anonymous objections of 100,000 characters each were accepted
in 2 s on the demo (``POST /api/v1/centers/publicity/7/objections``), each notifying every user of the deciding
office, and the office cannot decide until it has resolved each one. Now one address may file a few objections
a day (``IPOC_OBJECTIONS_PER_ADDRESS_PER_DAY``, default 5; 429 after) and an objection is at most 10,000
characters, refused on the field."""

from __future__ import annotations

import pytest

from ipoc.centers.models import Objection
from tests.centers.test_recognition_rules import _application, _to_publicity


@pytest.fixture
def in_publicity(users, center_a):
    return _to_publicity(_application(center_a, users["center_a"]), users["js_office"],
                         [users["expert"], users["expert2"]])


def _object(client, app, n, addr="198.51.100.7", content="场地为临时租用"):
    return client.post(f"/api/v1/centers/publicity/{app.pk}/objections",
                       {"submitter_name": f"张三{n}", "submitter_contact": "13800000000", "content": content},
                       content_type="application/json", REMOTE_ADDR=addr)


def test_one_address_cannot_flood_an_application_with_objections(client, in_publicity):
    for n in range(5):
        assert _object(client, in_publicity, n).status_code == 201
    refused = _object(client, in_publicity, 5)
    assert refused.status_code == 429 and refused.json()["error"]["field"] == "content"
    assert _object(client, in_publicity, 6, addr="198.51.100.8").status_code == 201  # someone else still may
    assert Objection.objects.filter(application=in_publicity).count() == 6


def test_the_publicity_page_refuses_it_under_the_form(client, in_publicity, settings, monkeypatch):
    monkeypatch.setenv("IPOC_OBJECTIONS_PER_ADDRESS_PER_DAY", "1")
    data = {"submitter_name": "张三", "submitter_contact": "138", "content": "经费存疑"}
    assert client.post(f"/centers/publicity/{in_publicity.pk}/object/", data, REMOTE_ADDR="198.51.100.9"
                       ).status_code == 302
    response = client.post(f"/centers/publicity/{in_publicity.pk}/object/", data, REMOTE_ADDR="198.51.100.9")
    assert response.status_code == 200 and response.context["form"].errors
    assert Objection.objects.filter(application=in_publicity).count() == 1


def test_an_objection_is_at_most_10000_characters(client, in_publicity):
    response = _object(client, in_publicity, 0, content="经费存疑" * 2501)
    assert response.status_code == 400 and response.json()["error"]["field"] == "content"
    assert not Objection.objects.exists()
