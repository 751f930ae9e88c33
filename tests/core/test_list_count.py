"""A list's total (共 N 条, the API's ``count``): exact up to IPOC_EXACT_COUNT_LIMIT rows; past it on PostgreSQL
the planner's estimate, labelled as one (count_exact: false, 约 … 条（估算）) — COUNT(*) over 3M patents took a
second per page (#21). SQLite has no estimate and keeps counting exactly."""

from pathlib import Path

import pytest
from django.db import connection

from ipoc.core import pagination
from ipoc.core.pagination import ListCount, list_count, planner_estimate
from ipoc.patents import services
from ipoc.patents.models import Patent

FIXTURES = Path(__file__).parents[1] / "patents" / "fixtures"


@pytest.fixture
def patents(db):
    services.patent_import(actor=None, path=FIXTURES / "broken_incopat.csv", format="incopat")
    assert Patent.objects.count() == 3


def _forget_statistics():
    """Put patents_patent back to "never analysed" (reltuples -1) inside the test's transaction: ANALYZE writes
    pg_class in place, so a previous test's statistics outlive its rollback."""
    with connection.cursor() as cursor:
        cursor.execute("UPDATE pg_class SET reltuples = -1 WHERE oid = 'patents_patent'::regclass")


def test_under_the_limit_the_total_is_counted(patents, settings):
    settings.IPOC_EXACT_COUNT_LIMIT = 3
    assert list_count(Patent.objects.all()) == ListCount(3, exact=True)
    assert list_count(Patent.objects.filter(patent_type="utility_model")) == ListCount(1, exact=True)
    assert list_count([1, 2]) == ListCount(2, exact=True)


def test_the_planner_estimate_is_postgresql_s_own(patents):
    if connection.vendor != "postgresql":
        assert planner_estimate(Patent.objects.all()) is None  # SQLite: no estimate, so counts stay exact
        return
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE patents_patent")
    assert planner_estimate(Patent.objects.all()) == 3  # reltuples after ANALYZE
    assert planner_estimate(Patent.objects.order_by("-application_date")) == 3  # ordering does not change it
    _forget_statistics()
    assert planner_estimate(Patent.objects.all()) is None  # never analysed: PostgreSQL's figure is only a guess


def test_past_the_limit_postgresql_answers_its_estimate_and_says_so(patents, settings, api_client, users):
    settings.IPOC_EXACT_COUNT_LIMIT = 2
    api = api_client.as_user(users["ent_a"])
    body = api.get("/patents", limit=1).json()
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE patents_patent")
        body = api.get("/patents", limit=1).json()
        # past the limit of 2: the planner's figure, labelled as an estimate (here it happens to be right)
        assert body["count"] == planner_estimate(Patent.objects.all()) == 3 and body["count_exact"] is False
        _forget_statistics()
        body = api.get("/patents", limit=1).json()
    assert body["count"] == 3 and body["count_exact"] is True  # SQLite, or a table PostgreSQL never analysed
    assert len(body["items"]) == 1  # the page itself is unaffected
    # a filter that leaves fewer rows than the limit is counted exactly, whatever the engine
    assert api.get("/patents", patent_type="utility_model").json() | {"items": []} == {
        "items": [], "count": 1, "count_exact": True}


def test_an_estimate_that_contradicts_the_rows_seen_is_not_used(patents, settings, monkeypatch):
    settings.IPOC_EXACT_COUNT_LIMIT = 2
    monkeypatch.setattr(pagination, "planner_estimate", lambda qs: 1)  # says 1, but 3 rows were just seen
    assert list_count(Patent.objects.all()) == ListCount(3, exact=True)
    monkeypatch.setattr(pagination, "planner_estimate", lambda qs: None)
    assert list_count(Patent.objects.all()) == ListCount(3, exact=True)


def test_the_list_page_labels_an_estimated_total(patents, settings, monkeypatch, client, users):
    client.force_login(users["ent_a"])
    page = client.get("/patents/").content.decode()
    assert "共 3 条" in page and "估算" not in page

    settings.IPOC_EXACT_COUNT_LIMIT = 2
    monkeypatch.setattr(pagination, "planner_estimate", lambda qs: 3_012_609)  # as at 3M patents on PostgreSQL
    page = client.get("/patents/", {"per_page": 1}).content.decode()
    assert "约 3,012,609 条（估算）" in page and "共 3 条" not in page
    assert "第 1 / 3012609 页" in page
    # paging still walks the real rows
    second = client.get("/patents/", {"per_page": 1, "page": 2})
    assert second.status_code == 200
    assert client.get("/patents/", {"per_page": 1, "page": 4}).status_code == 200  # past the real end: no error
