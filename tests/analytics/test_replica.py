"""读写分离 for 专利导航: a landscape and the 产业链 map count on the read replica once the set's evaluation has
settled; the set, its 矩阵 terms and chain nodes come from the primary; a set evaluated moments ago is counted
on the primary (the replica may not have its members yet)."""

from __future__ import annotations

import datetime as dt
import threading

import pytest
from django.db import connections
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from ipoc.analytics import engine, selectors, services
from ipoc.analytics.models import PatentSet, SetKind, TermAxis
from ipoc.core.db_router import replica_reads
from tests.core import test_replica
from tests.core.test_replica import REPLICA_DB, sqls, writes

replica_mirror = test_replica.replica_mirror  # the class-scoped "replica" alias (a fixture)

TODAY = dt.date(2026, 12, 6)
MEMBER_TABLES = ("analytics_patentsetmember", "analytics_setapplicant", "analytics_setclass", "analytics_setinventor")


def _reads_members(queries: list[str]) -> bool:
    return any(t in s for s in queries for t in MEMBER_TABLES)


def _settle(patent_set: PatentSet) -> PatentSet:
    """The evaluation an hour ago: the replica has long replayed it."""
    PatentSet.objects.filter(pk=patent_set.pk).update(evaluated_at=timezone.now() - dt.timedelta(hours=1))
    patent_set.refresh_from_db()
    return patent_set


@pytest.fixture
def batch_set(corpus, users):
    patent_set = services.patent_set_create(actor=users["admin"], name="导入批次", kind=SetKind.IMPORT_BATCH,
                                            definition={"batch_id": corpus.pk})
    services.matrix_term_save(actor=users["admin"], patent_set=patent_set, axis=TermAxis.TECHNOLOGY, label="电池",
                              words=["电池"])
    services.matrix_term_save(actor=users["admin"], patent_set=patent_set, axis=TermAxis.EFFECT, label="能量密度",
                              words=["能量密度"])
    return patent_set


@pytest.fixture
def replica(replica_mirror):
    return connections["replica"]


@REPLICA_DB
class TestLandscapeOnReplica:
    def test_the_landscape_counts_on_the_replica_once_the_evaluation_settled(self, replica, batch_set, users,
                                                                              settings):
        settings.IPOC_REPLICA_FRESH_SECONDS = 30
        with CaptureQueriesContext(replica) as on_replica, \
                CaptureQueriesContext(connections["default"]) as on_primary:
            fresh = selectors.landscape_raw(batch_set, today=TODAY)  # evaluated just now: the primary
        assert len(on_replica) == 0 and _reads_members(sqls(on_primary))

        _settle(batch_set)
        with CaptureQueriesContext(replica) as on_replica, \
                CaptureQueriesContext(connections["default"]) as on_primary:
            land = selectors.landscape(batch_set, user=users["admin"], today=TODAY)
        assert land["raw"] == fresh and land["totals"]["patents"] == batch_set.size == 6
        assert land["analyses"]["matrix"]["rows"][0]["cells"][0]["count"] == 2  # 锂电池正极材料, 锂电池电解液
        assert _reads_members(sqls(on_replica))
        assert not _reads_members(sqls(on_primary))
        assert any("analytics_matrixterm" in s for s in sqls(on_primary))  # what a person edits: the primary
        assert not any("analytics_matrixterm" in s for s in sqls(on_replica))
        assert writes(on_replica) == writes(on_primary) == []

    def test_the_report_export_reads_the_replica_and_records_on_the_primary(self, replica, batch_set, users,
                                                                             client):
        _settle(batch_set)
        client.force_login(users["admin"])
        with CaptureQueriesContext(replica) as on_replica, \
                CaptureQueriesContext(connections["default"]) as on_primary:
            resp = client.get(reverse("analytics_set_report", args=[batch_set.pk, "json"]))
        assert resp.status_code == 200
        assert resp.json()["set"]["size"] == resp.json()["totals"]["patents"] == 6
        assert _reads_members(sqls(on_replica)) and writes(on_replica) == []
        assert any("analytics_landscapereport" in s for s in writes(on_primary))

    def test_the_engine_forks_its_second_connection_on_the_replica(self, replica, batch_set):
        _settle(batch_set)
        with replica_reads():
            src = selectors.source()
        assert src.cursor.__self__.alias == "replica"
        seen = []

        def other():
            fork, close = src.fork()
            try:
                seen.append((fork.cursor.__self__.alias,
                             fork.rows("SELECT COUNT(*) FROM analytics_patentsetmember WHERE patent_set_id = %s",
                                       [batch_set.pk])[0][0]))
            finally:
                close()

        thread = threading.Thread(target=other)
        thread.start()
        thread.join()
        assert seen == [("replica", 6)]
        one = engine.landscape(src, batch_set.pk, today=TODAY, workers=1)
        assert engine.landscape(src, batch_set.pk, today=TODAY, workers=2) == one

    def test_the_chain_map_counts_on_the_replica(self, replica, corpus, chain_node):
        with CaptureQueriesContext(replica) as on_replica, \
                CaptureQueriesContext(connections["default"]) as on_primary:
            view = selectors.chain_view(None, None, user=None, center_id=chain_node.center_id)
        assert [(r["node"]["id"], r["patents"]) for r in view["rows"]] == [(chain_node.pk, 2)]  # 基站天线, 信道估计
        assert any("patents_patentparty" in s for s in sqls(on_replica))
        assert not any("patents_patent" in s for s in sqls(on_primary))
        assert writes(on_replica) == writes(on_primary) == []

    def test_a_lagging_replica_never_hides_a_fresh_evaluation(self, replica, corpus, users, settings):
        if replica.vendor != "postgresql":
            pytest.skip("a frozen snapshot stands for replica lag on PostgreSQL only")
        settings.IPOC_REPLICA_FRESH_SECONDS = 30
        with replica.cursor() as cur:  # the replica stops replaying here: it will not see the set's members
            cur.execute("BEGIN ISOLATION LEVEL REPEATABLE READ")
            cur.execute("SELECT COUNT(*) FROM analytics_patentsetmember")
        try:
            patent_set = services.patent_set_create(actor=users["admin"], name="刚评估", kind=SetKind.IMPORT_BATCH,
                                                    definition={"batch_id": corpus.pk})
            assert patent_set.size == 6
            assert selectors.landscape_raw(patent_set, today=TODAY)["totals"]["patents"] == 6
            settings.IPOC_REPLICA_FRESH_SECONDS = 0  # without the guard the lagging replica shows an empty set
            assert selectors.landscape_raw(patent_set, today=TODAY)["totals"]["patents"] == 0
        finally:
            with replica.cursor() as cur:
                cur.execute("ROLLBACK")
