"""读写分离 for the offices' statistics: the dashboard and the 工作成效 figures read from the replica; a figure a
service stores (inside its transaction) is the primary's."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connections, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from ipoc.centers import kpi, selectors, services
from ipoc.centers.models import Center
from tests.centers.conftest import decide
from tests.core import test_replica
from tests.core.test_replica import REPLICA_DB, sqls, writes

replica_mirror = test_replica.replica_mirror  # the class-scoped "replica" alias (a fixture)

YEAR = dt.date.today().year - 1


@pytest.fixture
def replica(replica_mirror):
    return connections["replica"]


@REPLICA_DB
class TestCentersOnReplica:
    def test_the_dashboard_is_read_from_the_replica(self, replica, users, center_a, center_b, client):
        decide(center_a, users["js_office"], "applying", "recognised")
        with CaptureQueriesContext(replica) as on_replica, \
                CaptureQueriesContext(connections["default"]) as on_primary:
            data = selectors.dashboard(user=users["cnipa"], kpi_year=YEAR)
        assert data["total"] == Center.objects.count() == 2
        assert [r["name"] for r in data["kpi"]["rows"]] == [center_a.name]
        assert any("centers_center" in s for s in sqls(on_replica))
        assert not any("centers_center" in s for s in sqls(on_primary))
        assert writes(on_replica) == writes(on_primary) == []

        client.force_login(users["cnipa"])  # the page: session and user from the primary, figures from the replica
        with CaptureQueriesContext(replica) as on_replica:
            resp = client.get(reverse("center_dashboard") + f"?year={YEAR}")
        assert resp.status_code == 200 and center_a.name in resp.content.decode()
        assert any("centers_center" in s for s in sqls(on_replica))
        assert not any('"django_session"' in s or 'FROM "core_user"' in s for s in sqls(on_replica))

    def test_a_figure_is_read_from_the_replica_except_inside_a_transaction(self, replica, center_a):
        with CaptureQueriesContext(replica) as on_replica, \
                CaptureQueriesContext(connections["default"]) as on_primary:
            figure = kpi.kpi_figure(kpi.DEMANDS_SOLVED, center_a, YEAR)
        assert figure is not None and figure.value == 0
        assert len(on_replica) > 0 and len(on_primary) == 0
        with transaction.atomic(), CaptureQueriesContext(replica) as on_replica:
            kpi.kpi_figure(kpi.DEMANDS_SOLVED, center_a, YEAR)
        assert len(on_replica) == 0

    def test_a_stored_report_takes_its_figures_from_the_primary(self, replica, users, center_a):
        with CaptureQueriesContext(replica) as on_replica:
            report = services.report_generate(actor=users["center_a"], center=center_a, year=YEAR)
        assert report.lines and len(on_replica) == 0
