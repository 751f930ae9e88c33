"""Picker lookups (/api/v1/lookups/<kind>) answer only records the user may see, bounded, searchable."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.django_db


def test_organisations_are_searchable_and_bounded(api_client, users, orgs):
    api = api_client.as_user(users["ent_a"])
    hits = api.get("/lookups/organizations", q="浙江").json()
    assert {h["label"] for h in hits} >= {"浙江大学", "浙江省知识产权局"}
    assert all(set(h) == {"value", "label", "sub"} for h in hits)
    assert len(api.get("/lookups/organizations", limit=100000).json()) <= 50


def test_users_lookup_is_limited_to_ones_own_organisation(api_client, users):
    api = api_client.as_user(users["ent_a"])
    labels = {h["label"] for h in api.get("/lookups/users").json()}
    assert labels == {str(users["ent_a"])}


def test_the_expert_pool_is_for_offices_and_administrators(api_client, users):
    assert api_client.as_user(users["ent_a"]).get("/lookups/experts").json() == []
    assert api_client.as_user(users["center_a"]).get("/lookups/experts").json() == []
    office = {h["value"] for h in api_client.as_user(users["js_office"]).get("/lookups/experts").json()}
    assert office == {users["expert"].pk, users["expert2"].pk}


def test_unknown_kind_is_a_404_naming_the_field(api_client, users):
    response = api_client.as_user(users["ent_a"]).get("/lookups/secrets")
    assert response.status_code == 404 and response.json()["error"]["field"] == "kind"


def test_anonymous_is_refused(client, db):
    assert client.get("/api/v1/lookups/organizations").status_code == 401
