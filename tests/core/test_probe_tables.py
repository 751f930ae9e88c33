"""Probe findings on the list tables (issue 14): paging parameters and exports.

- ``?per_page=-1`` answered 500 (django-tables2 asked the paginator for page "num_pages" of a negative page size);
- ``?per_page=100000`` rendered every row in one page (the patent list: 12,601 rows, 10 MB, 71 s for one request);
- ``?export=csv`` wrote the linked name column as HTML (``<a href="/demands/1/">…</a>``) instead of the name.
"""

from __future__ import annotations

import csv
import io

import pytest

from ipoc.core import services
from ipoc.core.models import OrganizationKind
from ipoc.core.tables import MAX_PER_PAGE
from tests.conftest import PASSWORD


@pytest.fixture
def many_orgs(orgs):
    for n in range(MAX_PER_PAGE + 15):
        services.organization_create(actor=None, name=f"测试企业{n:03d}有限公司", kind=OrganizationKind.ENTERPRISE)
    return orgs


@pytest.mark.parametrize("per_page", ["-1", "0", "-99999999999999999999", "abc", "1e9"])
def test_bad_page_size_is_not_an_error(client, users, many_orgs, per_page):
    client.login(username="ent_a", password=PASSWORD)
    response = client.get("/organizations/", {"per_page": per_page})
    assert response.status_code == 200


@pytest.mark.parametrize("page", ["-1", "0", "99999999999999999999", "abc"])
def test_bad_page_number_shows_a_page(client, users, many_orgs, page):
    client.login(username="ent_a", password=PASSWORD)
    response = client.get("/organizations/", {"page": page})
    assert response.status_code == 200
    assert response.context["table"].page.number >= 1


def test_page_size_is_capped(client, users, many_orgs):
    client.login(username="ent_a", password=PASSWORD)
    response = client.get("/organizations/", {"per_page": "100000"})
    assert response.status_code == 200
    table = response.context["table"]
    assert table.paginator.per_page == MAX_PER_PAGE
    assert len(table.page.object_list) == MAX_PER_PAGE


def test_smaller_page_size_is_kept(client, users, many_orgs):
    client.login(username="ent_a", password=PASSWORD)
    response = client.get("/organizations/", {"per_page": "5"})
    assert len(response.context["table"].page.object_list) == 5


def test_export_writes_linked_names_as_text(client, users, orgs):
    client.login(username="ent_a", password=PASSWORD)
    response = client.get("/organizations/", {"export": "csv"})
    assert response.status_code == 200
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    names = [r[0] for r in rows[1:]]
    assert "浙江大学" in names
    assert not any("<a" in cell or "href" in cell for row in rows for cell in row)


def test_exported_times_are_local_as_on_the_page(client, users, orgs):
    """A datetime was exported as UTC ISO with microseconds (2026-01-01T20:00:00.123456+00:00) under a header
    the page shows in Beijing time (2026-01-02)."""
    import datetime as dt

    from ipoc.core.tables import DateColumn, DateTimeColumn
    from ipoc.demands import services as demand_services
    from ipoc.demands.models import Demand

    at = dt.datetime(2026, 1, 1, 20, 0, 0, 123456, tzinfo=dt.UTC)
    assert DateTimeColumn().value(value=at) == "2026-01-02 04:00"
    assert DateColumn().value(value=at) == "2026-01-02"
    assert DateColumn().value(value=dt.date(2026, 1, 1)) == "2026-01-01"
    demand = demand_services.demand_create(actor=users["ent_a"], title="锂电池正极材料", center=orgs["center_a"])
    Demand.objects.filter(pk=demand.pk).update(created_at=at)
    client.login(username="ent_a", password=PASSWORD)
    rows = list(csv.reader(io.StringIO(client.get("/demands/", {"export": "csv"}).content.decode("utf-8-sig"))))
    assert rows[1][-1] == "2026-01-02"
