"""The demand list API paginates first and decorates only the page (issue 14 item 9): a constant number of
queries whatever the number of demands, contacts in full for those who may change the demand, masked otherwise."""

from __future__ import annotations

import pytest

from ipoc.demands import services

pytestmark = pytest.mark.django_db


def make(users, n):
    for i in range(n):
        services.demand_create(actor=users["ent_a"], title=f"需求{i}", status="published", contact_name="王工程师",
                               contact_phone="13812345678", center=None)
    services.demand_create(actor=users["ent_b"], title="乙的需求", status="published", contact_name="李工",
                           contact_phone="13900001111")


def test_query_count_does_not_grow_with_the_demands(api_client, users, django_assert_max_num_queries):
    api = api_client.as_user(users["ent_a"])
    make(users, 5)
    with django_assert_max_num_queries(6) as small:
        assert api.get("/demands", limit=20).status_code == 200
    make(users, 40)
    with django_assert_max_num_queries(len(small.captured_queries)):
        body = api.get("/demands", limit=20).json()
    assert body["count"] == 47 and len(body["items"]) == 20


def test_contacts_in_full_for_the_owner_and_masked_for_others(api_client, users):
    make(users, 2)
    items = {d["title"]: d["contact"] for d in api_client.as_user(users["ent_a"]).get("/demands").json()["items"]}
    assert items["需求0"]["phone"] == "13812345678"  # its own demand
    assert items["乙的需求"]["phone"] != "13900001111" and items["乙的需求"]["phone"].startswith("139")
    detail = api_client.as_user(users["ent_b"]).get("/demands").json()["items"]
    mine = next(d for d in detail if d["title"] == "乙的需求")
    assert mine["contact"]["phone"] == "13900001111"
