"""Probe finding on the API's list endpoints (issue 14 items 9, 10): ``limit`` and ``offset`` had no upper
bound. ``?limit=100000`` answered a whole table in one response (the demo's 12,601 patents: 5 MB), and a
``limit`` or ``offset`` past 64 bits reached the database and answered 500 (SQLite: "datatype mismatch") on
every paginated endpoint. Both are now bounded in the schema: a value outside is a 422 naming the parameter."""

from __future__ import annotations

import pytest

from ipoc.core.pagination import MAX_LIMIT, MAX_OFFSET

pytestmark = pytest.mark.django_db


def _paginated(client) -> dict[str, dict]:
    """Every list endpoint with ``limit`` and ``offset``: path → {parameter: its schema}."""
    spec = client.get("/api/v1/openapi.json").json()
    found = {}
    for path, ops in spec["paths"].items():
        params = {p["name"]: p["schema"] for p in ops.get("get", {}).get("parameters", []) if p["in"] == "query"}
        if {"limit", "offset"} <= params.keys() and "{" not in path:
            found[path.removeprefix("/api/v1")] = params
    return found


def test_every_paginated_list_bounds_limit_and_offset(client, api_client, users):
    ent = api_client.as_user(users["ent_a"])
    lists = _paginated(client)
    assert {"/organizations", "/demands", "/patents", "/notifications", "/search/patents"} <= set(lists)
    for path, params in lists.items():
        top_limit, top_offset = params["limit"].get("maximum"), params["offset"].get("maximum")
        assert top_limit and top_offset, f"{path}: limit and offset state their maximum"
        for name, value in (("limit", 10**23), ("offset", 10**23), ("limit", top_limit + 1),
                            ("offset", top_offset + 1), ("limit", 0), ("offset", -1)):
            response = ent.get(path, **{name: value})
            assert response.status_code in (400, 422), (path, name, value, response.status_code)
            assert response.json()["error"]["field"] == name
        assert ent.get(path, limit=top_limit, offset=top_offset).status_code in (200, 403), path


def test_the_bounds_of_the_shared_pagination(client):
    params = _paginated(client)["/organizations"]
    assert params["limit"]["maximum"] == MAX_LIMIT and params["offset"]["maximum"] == MAX_OFFSET
