"""读写分离: reads from a PostgreSQL streaming replica, only where a page asked for them.

With ``DATABASE_REPLICA_URL`` set, ``DATABASES["replica"]`` is a read-only copy of the primary. Nothing reads
from it by default: only the reads inside ``replica_reads()`` go there — the report-style figures that tolerate
a replica a few seconds behind (专利导航 landscapes and the 产业链 map, the offices' dashboard, 工作成效
figures). Everything else, and above all what a page shows right after a write, stays on the primary:

- writes and migrations never go to the replica (an object read from it is saved to the primary);
- inside a transaction on the primary (a service, or a report stored from figures) reads stay on the primary,
  which sees what the transaction wrote — so a stored figure is always the primary's;
- ``replica_reads(written_at=…)``: data written less than ``IPOC_REPLICA_FRESH_SECONDS`` ago is read from the
  primary (a set evaluated a moment ago and then shown);
- a replica that cannot be reached is left alone for ``RETRY_SECONDS`` (reads go to the primary), not a failed page.

Raw SQL takes its connection from ``read_alias()``. Without the replica alias every function here answers
"the primary" and the router leaves Django's routing as it is. ``ipoc check --database replica`` reports
whether the replica is reachable, is a replica, and how far behind it is.
"""

from __future__ import annotations

import contextvars
import datetime as dt
import logging
import time
from collections.abc import Iterator
from contextlib import contextmanager

from django.conf import settings
from django.core import checks
from django.db import DEFAULT_DB_ALIAS, Error, connections
from django.utils import timezone

logger = logging.getLogger(__name__)

REPLICA = "replica"
RETRY_SECONDS = 30  # after a failed connection the replica is tried again this much later

_scope: contextvars.ContextVar[bool] = contextvars.ContextVar("ipoc_replica_reads", default=False)
_down_until = 0.0


def replica_configured() -> bool:
    return REPLICA in connections.settings


def read_alias() -> str:
    """Where a read goes now: the replica inside ``replica_reads()`` unless the primary is in a transaction;
    otherwise the primary."""
    if _scope.get() and replica_configured() and not connections[DEFAULT_DB_ALIAS].in_atomic_block:
        return REPLICA
    return DEFAULT_DB_ALIAS


def _fresh(written_at: dt.datetime | None) -> bool:
    if written_at is None:
        return False
    window = dt.timedelta(seconds=getattr(settings, "IPOC_REPLICA_FRESH_SECONDS", 30))
    return timezone.now() - written_at < window


def _reachable() -> bool:
    global _down_until
    if time.monotonic() < _down_until:
        return False
    try:
        connections[REPLICA].ensure_connection()
    except Error:
        _down_until = time.monotonic() + RETRY_SECONDS
        logger.warning("read replica unreachable; reading from the primary for %d s", RETRY_SECONDS, exc_info=True)
        return False
    return True


@contextmanager
def replica_reads(*, written_at: dt.datetime | None = None) -> Iterator[None]:
    """Reads in this block (ORM and ``read_alias()``) go to the replica, when one is configured and reachable.
    ``written_at``: when the data read was last written; younger than ``IPOC_REPLICA_FRESH_SECONDS``, the block
    reads from the primary (the replica may not have it yet). Also a decorator: ``@replica_reads()``.
    Only for reads that tolerate a lag: nothing in the block may write and then read what it wrote."""
    use = replica_configured() and not _fresh(written_at) and (_scope.get() or _reachable())
    token = _scope.set(use)
    try:
        yield
    finally:
        _scope.reset(token)


class ReplicaRouter:
    """``DATABASE_ROUTERS``: the replica for reads inside ``replica_reads()``, the primary for everything else."""

    def db_for_read(self, model, **hints):
        if not replica_configured():
            return None
        # explicit, so that an object read from the replica does not lead later reads (its relations) there
        return read_alias()

    def db_for_write(self, model, **hints):
        return DEFAULT_DB_ALIAS if replica_configured() else None

    def allow_relation(self, obj1, obj2, **hints):
        if replica_configured() and {obj1._state.db, obj2._state.db} <= {DEFAULT_DB_ALIAS, REPLICA, None}:
            return True  # the same rows, read from either copy
        return None

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        return False if db == REPLICA else None


def check_replica(app_configs=None, databases=None, **kwargs) -> list[checks.CheckMessage]:
    """``ipoc check --database replica`` (registered by ``CoreConfig.ready``): reachable, really a replica
    (PostgreSQL in recovery), and how long since it replayed a transaction."""
    if not databases or REPLICA not in databases or not replica_configured():
        return []
    conn = connections[REPLICA]
    try:
        with conn.cursor() as cur:
            if conn.vendor == "postgresql":
                cur.execute("SELECT pg_is_in_recovery(), "
                            "EXTRACT(EPOCH FROM now() - pg_last_xact_replay_timestamp())::float")
                recovery, lag = cur.fetchone()
            else:
                cur.execute("SELECT 1")
                recovery, lag = None, None
    except Error as exc:
        return [checks.Error(f"只读副本无法连接 / the read replica is unreachable: {exc}".strip(),
                             hint="检查 DATABASE_REPLICA_URL / check DATABASE_REPLICA_URL", id="ipoc.E101")]
    if recovery is False:
        return [checks.Warning("只读副本可连接，但它不是流复制备库（pg_is_in_recovery() 为假）/ the replica alias "
                               "reaches a server that is not in recovery: it is not a streaming replica",
                               hint="DATABASE_REPLICA_URL 应指向主库的流复制备库 / point it at a streaming replica "
                                    "of the primary", id="ipoc.W101")]
    text = "只读副本可连接 / read replica reachable"
    if lag is not None:
        text += f"；距最近一次回放 {lag:.1f} 秒 / {lag:.1f} s since the last replayed transaction"
    return [checks.Info(text, id="ipoc.I101")]
