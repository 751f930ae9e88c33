"""读写分离: the "replica" alias from DATABASE_REPLICA_URL, the router and the ``replica_reads()`` scope.

The ``replica`` fixture adds the alias the way the test runner sets up ``TEST = {"MIRROR": "default"}``: a second
connection to the test database. Tests using it are transactional, so that connection sees only committed rows,
as a real replica does.
"""

from __future__ import annotations

import copy
import datetime as dt
import importlib.util
from contextlib import contextmanager

import pytest
from django.core import checks
from django.db import connections, router, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

import ipoc.settings
from ipoc.core import db_router
from ipoc.core.db_router import REPLICA, read_alias, replica_configured, replica_reads
from ipoc.core.models import Organization, OrganizationKind, User

WRITES = ("INSERT", "UPDATE", "DELETE")


@contextmanager
def replica_alias(settings_dict: dict):
    """Make ``connections["replica"]`` exist with these settings for the block."""
    assert REPLICA not in connections.settings, "DATABASE_REPLICA_URL is set: these tests add the alias themselves"
    connections.settings[REPLICA] = settings_dict
    try:
        yield connections[REPLICA]
    finally:
        connections[REPLICA].close()
        del connections[REPLICA]
        del connections.settings[REPLICA]
        db_router._down_until = 0.0


def _mirror_settings() -> dict:
    """What ``setup_databases`` makes of a MIRROR alias: the default test database's settings, another connection."""
    cfg = copy.deepcopy(connections["default"].settings_dict)
    cfg["TEST"] = {**cfg.get("TEST", {}), "MIRROR": "default"}
    return cfg


# A test class using the replica: the alias must exist before pytest-django sets the test case up (a class-scoped
# fixture runs before the function-scoped ones), and the test must name it among its databases.
REPLICA_DB = pytest.mark.django_db(transaction=True, databases=["default", "replica"])


@pytest.fixture(scope="class")
def replica_mirror(django_db_setup):
    with replica_alias(_mirror_settings()):
        yield


@pytest.fixture
def replica(replica_mirror):
    return connections[REPLICA]


def sqls(ctx: CaptureQueriesContext) -> list[str]:
    return [q["sql"] for q in ctx.captured_queries]


def writes(ctx: CaptureQueriesContext) -> list[str]:
    return [s for s in sqls(ctx) if s.lstrip().upper().startswith(WRITES)]


def _load_settings(monkeypatch, **env) -> object:
    """A fresh copy of ipoc.settings evaluated under ``env`` (DATABASE_URL / DATABASE_REPLICA_URL)."""
    for name in ("DATABASE_URL", "DATABASE_REPLICA_URL"):
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    spec = importlib.util.spec_from_file_location("ipoc_settings_probe", ipoc.settings.__file__)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_settings_without_replica_url_have_no_replica_alias(monkeypatch):
    s = _load_settings(monkeypatch)
    assert list(s.DATABASES) == ["default"]
    assert s.DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3"  # the embedded default, no service
    s = _load_settings(monkeypatch, DATABASE_URL="postgresql://ipoc@db-primary:5432/ipoc")
    assert list(s.DATABASES) == ["default"]


def test_settings_parse_the_replica_url_as_a_test_mirror(monkeypatch):
    s = _load_settings(monkeypatch, DATABASE_URL="postgresql://ipoc@db-primary:5432/ipoc",
                       DATABASE_REPLICA_URL="postgresql://reader:pw@db-replica:5433/ipoc")
    replica = s.DATABASES["replica"]
    assert replica["ENGINE"] == "django.db.backends.postgresql"
    assert (replica["HOST"], replica["PORT"], replica["USER"], replica["NAME"]) == ("db-replica", 5433, "reader",
                                                                                    "ipoc")
    assert replica["TEST"] == {"MIRROR": "default"}
    assert s.DATABASES["default"]["HOST"] == "db-primary"
    assert s.DATABASE_ROUTERS == ["ipoc.core.db_router.ReplicaRouter"]


def test_without_a_replica_everything_stays_on_default(db, orgs):
    assert not replica_configured()
    rr = db_router.ReplicaRouter()
    with replica_reads():
        assert read_alias() == "default"
        assert rr.db_for_read(Organization) is None  # Django's own routing, as before the router existed
        assert rr.db_for_write(Organization) is None
        assert router.db_for_read(Organization) == router.db_for_write(Organization) == "default"
        with CaptureQueriesContext(connections["default"]) as on_default:
            org = Organization.objects.get(pk=orgs["ent_a"].pk)
        assert org._state.db == "default" and len(on_default) == 1


@REPLICA_DB
class TestWithReplica:
    def test_reads_in_the_scope_go_to_the_replica_and_writes_to_the_primary(self, replica, orgs):
        with CaptureQueriesContext(replica) as on_replica, \
                CaptureQueriesContext(connections["default"]) as on_primary:
            with replica_reads():
                org = Organization.objects.get(pk=orgs["ent_a"].pk)
                assert org._state.db == "replica"
                org.name = "苏州甲科技股份有限公司"
                org.save(update_fields=["name"])  # read from the replica, saved to the primary
                Organization.objects.create(name="新企业", kind=OrganizationKind.ENTERPRISE)
                Organization.objects.filter(pk=orgs["ent_b"].pk).update(region_code="330100")
                n_replica = Organization.objects.count()
            n_primary = Organization.objects.count()  # outside the scope: the primary
            kept = Organization.objects.get(pk=org.pk)
        assert n_replica == n_primary == len(orgs) + 1
        assert kept._state.db == "default" and kept.name == "苏州甲科技股份有限公司"
        assert writes(on_replica) == []
        assert len(sqls(on_replica)) == 2  # the get and the count in the scope
        assert [s.split()[0].upper() for s in writes(on_primary)] == ["UPDATE", "INSERT", "UPDATE"]
        assert sum(1 for s in sqls(on_primary) if s.upper().startswith("SELECT")) == 2

    def test_an_object_read_from_the_replica_leads_no_later_read_there(self, replica, users):
        with replica_reads():
            user = User.objects.get(pk=users["ent_a"].pk)
        with CaptureQueriesContext(replica) as on_replica:
            assert user.organization.name  # the relation, read after the scope ended
        assert len(on_replica) == 0

    def test_reads_inside_a_transaction_stay_on_the_primary(self, replica, orgs):
        with transaction.atomic(), replica_reads():
            Organization.objects.create(name="事务中的企业", kind=OrganizationKind.ENTERPRISE)
            with CaptureQueriesContext(replica) as on_replica:
                assert Organization.objects.filter(name="事务中的企业").exists()  # sees its own write
                assert read_alias() == "default"
        assert len(on_replica) == 0
        with replica_reads():
            assert read_alias() == "replica"

    def test_data_written_moments_ago_is_read_from_the_primary(self, replica, settings):
        settings.IPOC_REPLICA_FRESH_SECONDS = 30
        now = timezone.now()
        with replica_reads(written_at=now - dt.timedelta(seconds=5)):
            assert read_alias() == "default"
            with replica_reads():  # an inner scope decides for itself
                assert read_alias() == "replica"
            assert read_alias() == "default"
        with replica_reads(written_at=now - dt.timedelta(minutes=5)):
            assert read_alias() == "replica"
        with replica_reads(written_at=None):
            assert read_alias() == "replica"
        assert read_alias() == "default"  # no scope

    def test_the_scope_is_a_decorator(self, replica):
        @replica_reads()
        def where() -> str:
            return read_alias()

        assert where() == "replica"
        assert read_alias() == "default"

    def test_the_router_refuses_migrations_on_the_replica(self, replica):
        assert router.allow_migrate("replica", "core", model_name="organization") is False
        assert router.allow_migrate_model("replica", Organization) is False
        assert router.allow_migrate("default", "core", model_name="organization") is True
        assert router.allow_migrate_model("default", Organization) is True

    def test_ipoc_check_database_replica_reports_it(self, replica):
        found = [m for m in checks.run_checks(tags=[checks.Tags.database], databases=["replica"])
                 if m.id.startswith("ipoc.")]
        if replica.vendor == "postgresql":  # the test mirror is the primary itself: not in recovery
            assert [m.id for m in found] == ["ipoc.W101"]
        else:
            assert [m.id for m in found] == ["ipoc.I101"]
        assert [m for m in checks.run_checks(tags=[checks.Tags.database], databases=["default"])
                if m.id.startswith("ipoc.")] == []


@pytest.fixture(scope="class")
def replica_unreachable(django_db_setup, tmp_path_factory):
    cfg = _mirror_settings()
    if cfg["ENGINE"].endswith("sqlite3"):
        cfg["NAME"] = str(tmp_path_factory.mktemp("replica") / "missing-dir" / "replica.sqlite3")  # cannot be made
    else:
        cfg.update(HOST="127.0.0.1", PORT=1, OPTIONS={**cfg.get("OPTIONS", {}), "connect_timeout": 2})
    with replica_alias(cfg):
        yield


@REPLICA_DB
@pytest.mark.usefixtures("replica_unreachable")
class TestUnreachableReplica:
    def test_reads_fall_back_to_the_primary_and_check_reports_it(self, orgs):
        with replica_reads():
            assert read_alias() == "default"
            assert Organization.objects.filter(pk=orgs["ent_a"].pk).exists()
        assert db_router._down_until > 0  # not tried again on every page for a while
        found = checks.run_checks(tags=[checks.Tags.database], databases=["replica"])
        assert [m.id for m in found if m.id.startswith("ipoc.")] == ["ipoc.E101"]
