"""Probe finding (issue 14: one user must not stop the platform): a demand's description and keywords had no
bound. An enterprise filed a demand of 5.7 MB (a 1.9 M-character description, 50,000 keywords — the request
body may be 50 MB) and then asked for its matches: the matching request held the server for 74 s, and again
each time it was asked. The longest description of the 607 real demands is 1,061 characters. Now a description
is at most 10,000 characters and a demand has at most 50 keywords of at most 50 characters — refused on the
field in the API, the form and the import (the row, with its reason)."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from ipoc.demands import services
from ipoc.demands.models import Demand

from .test_import import _template_with_rows

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("field, value", [
    ("description", "需求" * 5001),
    ("keywords", [f"关键词{i}" for i in range(51)]),
    ("keywords", ["锂" * 51]),
])
def test_the_api_refuses_an_oversized_demand_naming_the_field(api_client, users, orgs, field, value):
    api = api_client.as_user(users["ent_a"])
    response = api.post("/demands", {"title": "锂电池正极材料", "center_id": orgs["center_a"].pk, field: value})
    assert response.status_code == 400, response.content
    assert response.json()["error"]["field"] == field
    demand = services.demand_create(actor=users["ent_a"], title="锂电池正极材料", center=orgs["center_a"])
    response = api.patch(f"/demands/{demand.pk}", {field: value})
    assert response.status_code == 400 and response.json()["error"]["field"] == field


def test_the_real_longest_description_and_fifty_keywords_are_accepted(api_client, users, orgs):
    response = api_client.as_user(users["ent_a"]).post("/demands", {
        "title": "锂电池正极材料", "description": "需" * 10000, "keywords": [f"词{i}" for i in range(50)]})
    assert response.status_code == 201, response.content


def test_the_form_shows_it_under_the_field(client, users, orgs):
    client.force_login(users["ent_a"])
    response = client.post("/demands/new/", {"title": "锂电池正极材料", "center": orgs["center_a"].pk,
                                             "description": "需求" * 5001})
    assert response.status_code == 200 and response.context["form"].errors.get("description")
    assert not Demand.objects.exists()


def test_an_imported_row_over_the_bound_is_rejected_with_its_reason(client, api_client, users):
    content = _template_with_rows([
        ["钠离子电池正极材料量产", "需求" * 5001, "", "", "", "", "", "", "", "", "", "", "", ""],
        ["热管理系统", "寻求许可", "", "", "、".join(f"词{i}" for i in range(51)), "", "", "", "", "", "", "", "", ""],
        ["储能变流器", "寻求许可", "", "", "", "", "", "", "", "", "", "", "", ""],
    ])
    api = api_client.as_user(users["ent_a"])
    response = client.post("/api/v1/demands/import", {"file": SimpleUploadedFile("需求.xlsx", content)}, **api.headers)
    report = response.json()["report"]
    assert {r["row"] for r in report["rejected_rows"]} == {2, 3} and report["counts"]["new"] == 1
