"""Probe finding on the pickers' lookups (issue 14): the ``users`` lookup limited a user to their own
organisation's people — and a user without an organisation (a 评审专家) matched everyone without one, so an
expert listed every other expert and the platform administrators (``GET /api/v1/lookups/users``), although the
expert pool is shown only to offices."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.django_db


def test_a_user_without_an_organisation_finds_only_themselves(api_client, users):
    found = api_client.as_user(users["expert"]).get("/lookups/users").json()
    assert [u["value"] for u in found] == [users["expert"].pk]
    assert api_client.as_user(users["expert"]).get("/lookups/users", q="admin").json() == []


def test_organisation_members_still_find_each_other(api_client, users):
    found = {u["value"] for u in api_client.as_user(users["ent_a"]).get("/lookups/users").json()}
    assert found == {users["ent_a"].pk}
    everyone = {u["value"] for u in api_client.as_user(users["admin"]).get("/lookups/users", limit=50).json()}
    assert {users["expert"].pk, users["expert2"].pk, users["ent_b"].pk} <= everyone
