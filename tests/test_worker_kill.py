"""Issue 21, done-when: two ``ipoc worker`` processes on a real broker (Redis on loopback) share a
20,000-patent import split into chunks; one worker is killed with SIGKILL midway; the other redoes its
chunk, and the patents, their parties and classes and the import's counts are those of one
uninterrupted run.

The corpus is DERIVED (``bench/derive_corpus.py`` recombines the shared sample records). Marked
``broker``: it runs in ``scripts/test.sh``'s PostgreSQL step (worker processes must see the test
database, which an in-memory SQLite test database is not) and skips cleanly when Redis does not answer.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
from django.db import connection

pytestmark = [pytest.mark.broker, pytest.mark.django_db(transaction=True)]

REPO = Path(__file__).resolve().parents[1]
REDIS = ("127.0.0.1", 6379)
ROWS = 20_000


def _redis_answers() -> bool:
    try:
        with socket.create_connection(REDIS, timeout=1) as s:
            s.sendall(b"PING\r\n")
            return s.recv(16).startswith(b"+PONG")
    except OSError:
        return False


def _skip_without_broker() -> None:
    if connection.vendor != "postgresql":
        pytest.skip("worker processes need a database they can share (the PostgreSQL step of scripts/test.sh)")
    if not _redis_answers():
        pytest.skip("no Redis answers on 127.0.0.1:6379")


@pytest.fixture(scope="module")
def derived_corpus(tmp_path_factory) -> Path:
    _skip_without_broker()  # before deriving 20k records, which a skipped test does not need
    out = tmp_path_factory.mktemp("derived") / "derived_20k.jsonl"
    subprocess.run([sys.executable, str(REPO / "bench" / "derive_corpus.py"), "--n", str(ROWS), "--out", str(out),
                    "--workers", "1"], check=True, capture_output=True, timeout=900)
    return out


def _snapshot() -> dict:
    from ipoc.patents.models import ImportBatch, Patent, PatentClassification, PatentParty

    patents = sorted(Patent.objects.values_list("key", "content_hash", "title", "legal_status", "expiry_date"))
    parties = sorted(PatentParty.objects.values_list("patent__key", "role", "position", "name", "party_type",
                                                     "organization__name"))
    classes = sorted(PatentClassification.objects.values_list("patent__key", "scheme", "code", "is_main"))
    batch = ImportBatch.objects.order_by("-pk").first()
    return {"patents": patents, "parties": parties, "classes": classes, "counts": batch.counts(),
            "status": batch.status}


def _clear_patents() -> None:
    from ipoc.patents.models import ImportBatch, Patent

    Patent.objects.all().delete()
    ImportBatch.objects.all().delete()


def _database_url() -> str:
    s = connection.settings_dict
    return f"postgres://{s['USER']}:{s.get('PASSWORD') or ''}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{s['NAME']}"


def _worker(env: dict, log: Path) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "ipoc.cli", "worker", "--threads", "1"], env=env,
                            stdout=log.open("w"), stderr=subprocess.STDOUT, start_new_session=True)


def test_two_workers_one_killed_midway_import_equals_one_uninterrupted_run(derived_corpus, settings, tmp_path,
                                                                           monkeypatch):
    _skip_without_broker()
    from ipoc.core import queue
    from ipoc.core.models import Job, JobStatus
    from ipoc.patents import services as patent_services

    settings.IPOC_SEARCH_DIR = str(tmp_path / "search")
    # 1. one uninterrupted run, in this process
    t0 = time.monotonic()
    patent_services.patent_import(actor=None, path=derived_corpus)
    reference = _snapshot()
    print(f"uninterrupted run {time.monotonic() - t0:.1f} s")
    assert reference["counts"]["new"] == ROWS and reference["status"] == "done"
    _clear_patents()

    # 2. the same file on the queue: 20 chunks, two worker processes, one SIGKILLed midway
    name = f"ipoc-test-{uuid.uuid4().hex[:8]}"
    url = f"redis://{REDIS[0]}:{REDIS[1]}/0"
    for key, value in {"IPOC_QUEUE_URL": url, "IPOC_QUEUE_NAME": name, "IPOC_QUEUE_STALE_SECONDS": "6"}.items():
        monkeypatch.setenv(key, value)
    queue.reset_huey()
    env = {**os.environ, "DATABASE_URL": _database_url(), "IPOC_HOME": str(settings.IPOC_HOME),
           "IPOC_SEARCH_DIR": str(tmp_path / "search"), "IPOC_QUEUE_RETRY_DELAY": "1",
           "PYTHONPATH": str(Path(patent_services.__file__).resolve().parents[2]), "OMP_NUM_THREADS": "1"}
    job = patent_services.patent_import_start(actor=None, path=derived_corpus)
    Job.objects.filter(pk=job.pk).update(params=job.params | {"chunk_rows": ROWS // 20})
    workers = [_worker(env, tmp_path / f"worker{i}.log") for i in range(2)]
    killed = None
    try:
        settings.IPOC_JOBS_INLINE = False
        queue.enqueue_job(job.pk)
        deadline = time.monotonic() + 600
        while time.monotonic() < deadline:
            job.refresh_from_db()
            if job.status in (JobStatus.SUCCEEDED, JobStatus.FAILED):
                break
            chunks = list(queue.chunks_of(job))
            done = sum(c.status == JobStatus.SUCCEEDED for c in chunks)
            if killed is None and chunks and done >= 3:
                victim = workers[0]
                running = [c for c in chunks if c.status == JobStatus.RUNNING
                           and (c.checkpoint or {}).get("worker", "").endswith(f":{victim.pid}")]
                if running:
                    os.killpg(victim.pid, signal.SIGKILL)  # mid-chunk, no goodbye
                    victim.wait(timeout=30)
                    killed = running[0].pk
            time.sleep(0.2)
        print(f"queued run {time.monotonic() - deadline + 600:.1f} s, killed chunk {killed}")
        job.refresh_from_db()
        logs = "\n".join((tmp_path / f"worker{i}.log").read_text()[-3000:] for i in range(2))
        assert job.status == JobStatus.SUCCEEDED, f"{job.status}: {job.error}\n{logs}"
        assert killed is not None, "the worker was never caught mid-chunk"
        redone = Job.objects.get(pk=killed)
        assert redone.status == JobStatus.SUCCEEDED and redone.params["attempt"] >= 2
        assert not (redone.checkpoint or {}).get("worker", "").endswith(f":{workers[0].pid}")
        assert len(list(queue.chunks_of(job))) == 20
    finally:
        for w in workers:
            if w.poll() is None:
                os.killpg(w.pid, signal.SIGTERM)
        for w in workers:
            try:
                w.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(w.pid, signal.SIGKILL)
        queue.clear_queue()
        queue.reset_huey()
    assert _snapshot() == reference
