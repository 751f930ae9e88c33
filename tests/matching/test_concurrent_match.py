"""Two matches of one demand at the same moment (two staff, or a batch meanwhile) both succeed and leave one
set of proposed matches: the 50-user load at 1M patents hit the unique (demand, patent) constraint with a 500.
PostgreSQL only: SQLite serialises writers itself, and its in-memory test database is not shared by threads."""

from __future__ import annotations

import threading

import pytest
from django.db import connection

from ipoc.demands import services as demand_services
from ipoc.demands.models import DemandStatus
from ipoc.matching import services
from ipoc.matching.models import Match
from tests.matching.test_matching import corpus, search_index  # noqa: F401

pytestmark = pytest.mark.django_db(transaction=True)


def test_two_matches_of_one_demand_at_once_both_succeed(users, orgs, corpus):  # noqa: F811
    if connection.vendor != "postgresql":
        pytest.skip("needs a database that threads share (the PostgreSQL step of scripts/test.sh)")
    d = demand_services.demand_create(actor=users["ent_a"], title="锂电池正极材料包覆技术", center=orgs["center_a"])
    demand_services.demand_transition(actor=users["ent_a"], demand=d, to_status=DemandStatus.PENDING)
    d = demand_services.demand_transition(actor=users["center_a"], demand=d, to_status=DemandStatus.PUBLISHED)
    services.demand_match(actor=users["center_a"], demand=d)
    reference = sorted(Match.objects.filter(demand=d).values_list("patent_id", "rank"))
    assert reference
    errors: list[BaseException] = []

    def match(start: threading.Barrier) -> None:
        try:
            start.wait()
            services.demand_match(actor=users["center_a"], demand=d)
        except BaseException as exc:  # collected and asserted below
            errors.append(exc)
        finally:
            connection.close()

    for _round in range(5):
        start = threading.Barrier(2)
        threads = [threading.Thread(target=match, args=(start,)) for _ in range(2)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    assert not errors, errors
    assert sorted(Match.objects.filter(demand=d).values_list("patent_id", "rank")) == reference
