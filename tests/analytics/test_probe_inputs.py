"""Probe findings on the 专利导航 API: a route shadowed by another, and filter values that were a 500."""

from __future__ import annotations

import pytest

from ipoc.analytics import selectors


def test_propose_terms_is_reachable_not_shadowed_by_the_term_id_route(corpus, users, api_client):
    """POST /sets/{pk}/terms/propose answered 405: /terms/{term_id} (declared first) took "propose"."""
    api = api_client.as_user(users["center_a"])
    r = api.post("/analytics/sets", {"name": "锂电池", "kind": "search", "q": "锂电池"})
    assert r.status_code == 201, r.content
    pk = r.json()["id"]
    r = api.post(f"/analytics/sets/{pk}/terms/propose")
    assert r.status_code == 200, r.content
    assert api.post("/analytics/sets/999999/terms/propose").status_code == 404


@pytest.mark.parametrize(("filters", "field"), [
    ({"organization": "abc"}, "organization"),
    ({"organization": [1]}, "organization"),
    ({"ipc": {"a": 1}}, "ipc"),
    ({"ipc": ["H01", "H04"]}, "ipc"),
    ({"ipc": "H" * 1000}, "ipc"),
    ({"applicant": True}, "applicant"),
])
def test_bad_filter_values_are_400_naming_the_filter(corpus, users, api_client, filters, field):
    api = api_client.as_user(users["center_a"])
    r = api.post("/analytics/sets", {"name": "坏筛选", "kind": "search", "filters": filters})
    assert r.status_code == 400, r.content
    assert r.json()["error"]["field"] == field


def test_long_description_is_refused(corpus, users, api_client):
    api = api_client.as_user(users["center_a"])
    r = api.post("/analytics/sets", {"name": "长说明", "kind": "search", "q": "锂电池", "description": "说" * 1999})
    assert r.status_code == 201, r.content


def test_trend_note_counts_the_patents_without_a_filing_date(corpus):
    note = selectors._trend_note(10, [(2020, 3, 1, 2), (2021, 2, 0, 1)])
    assert "另有 5 件专利缺少申请日" in str(note)
    assert "缺少申请日" not in str(selectors._trend_note(5, [(2020, 5, 1, 2)]))


def test_charts_keep_their_legend_and_axis_name_inside_the_card():
    """The chain activity legend (five series) wrapped onto the x-axis labels; the life-cycle y-axis name was cut
    at the card's left edge."""
    from ipoc.analytics import charts

    row = {"node": {"name": "节点"}, "demands": 1, "listings": 1, "deals": 1, "open_licences": 1, "pool_patents": 1,
           "open_known": True, "pool_known": True}
    option = charts.chain_activity({"rows": [row, dict(row)]})["option"]
    assert option["legend"]["type"] == "scroll" and len(option["legend"]["data"]) == 5
    table = {"rows": [{"cells": [2020, 3, 1, 2], "url": "/a"}, {"cells": [2021, 4, 0, 3], "url": "/b"}]}
    option = charts.lifecycle(table)["option"]
    assert option["yAxis"]["nameTextStyle"]["align"] == "left"
