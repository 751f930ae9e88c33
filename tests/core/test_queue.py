"""The task queue (``ipoc.core.queue``) without a broker: the queue's two tasks are driven by hand here,
as a worker would run them, so caps, chunks, retries, dead letters, cancel and reclaim are tested in
the SQLite run. ``tests/test_worker_kill.py`` does it with real worker processes on Redis."""

from __future__ import annotations

import json
from collections import deque
from pathlib import Path

import pytest
from django.core.management import call_command
from django.utils import timezone
from huey.exceptions import RetryTask

from ipoc.core import jobs, queue
from ipoc.core.errors import ApplicationError
from ipoc.core.models import Job, JobStatus
from ipoc.search.testing import search_index  # noqa: F401

FAIL_TIMES: dict[int, int] = {}


def echo_job(ctx) -> dict:
    ctx.set_total(1)
    ctx.advance()
    return {"echo": ctx.params.get("say")}


def split_plan(ctx):
    return [{"n": n, "size": 1} for n in range(ctx.params["parts"])]


def split_chunk(ctx, params, spec) -> dict:
    left = FAIL_TIMES.get(spec["n"], 0)
    if left:
        FAIL_TIMES[spec["n"]] = left - 1
        raise RuntimeError(f"chunk {spec['n']} broke")
    return {"square": spec["n"] ** 2}


def split_finish(ctx, results) -> dict:
    return {"sum": sum(r["square"] for r in results)}


@pytest.fixture(autouse=True)
def kinds():
    jobs.register_job("test.echo", "tests.core.test_queue:echo_job")
    jobs.register_job("test.split", "tests.core.test_queue:echo_job")
    queue.register_chunked_job("test.split", plan="tests.core.test_queue:split_plan",
                               chunk="tests.core.test_queue:split_chunk", finish="tests.core.test_queue:split_finish")
    FAIL_TIMES.clear()
    yield
    for table in (jobs.JOB_HANDLERS, queue.CHUNKED):
        table.pop("test.echo", None)
        table.pop("test.split", None)


class FakeBroker:
    """Stands for Redis: what was enqueued, run in order the way ``ipoc worker`` runs it (with Huey's
    retry policy: a chunk that raises goes back with one retry fewer)."""

    def __init__(self):
        self.tasks: deque = deque()

    def drain(self, limit: int = 200) -> None:
        for _ in range(limit):
            if not self.tasks:
                return
            kind, pk, left = self.tasks.popleft()
            try:
                if kind == "job":
                    queue.run_job(pk)
                else:
                    queue.run_chunk(pk, final=left == 0)
            except RetryTask:
                self.tasks.append((kind, pk, left))
            except Exception:
                if left:
                    self.tasks.append((kind, pk, left - 1))


@pytest.fixture
def broker(monkeypatch, settings):
    fake = FakeBroker()
    settings.IPOC_JOBS_INLINE = False
    monkeypatch.setattr(queue, "enqueue_job", lambda pk: fake.tasks.append(("job", pk, 0)))
    monkeypatch.setattr(queue, "enqueue_chunk", lambda pk: fake.tasks.append(("chunk", pk, queue.retries())))
    monkeypatch.setattr(queue, "start_embedded_workers", lambda: True)
    return fake


def _start(kind: str, **params) -> Job:
    job = jobs.job_create(actor=None, kind=kind, title="测试", params=params)
    queue.enqueue_job(job.pk)
    return job


def test_a_started_job_goes_on_the_queue_and_a_worker_runs_it(db, broker, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        job = jobs.job_create(actor=None, kind="test.echo", title="测试", params={"say": "你好"})
        jobs.job_start_background(job)
    job.refresh_from_db()
    assert job.status == JobStatus.PENDING and len(broker.tasks) == 1  # nothing ran in the request
    broker.drain()
    job.refresh_from_db()
    assert job.status == JobStatus.SUCCEEDED and job.result == {"echo": "你好"}


def test_caps_per_kind_and_per_organisation_across_workers(db, broker, settings, orgs):
    settings.IPOC_JOB_CONCURRENCY = {"test.echo": 2}
    settings.IPOC_JOB_ORG_CONCURRENCY = {"test.echo": 1}
    now = timezone.now()
    busy = Job.objects.create(kind="test.echo", status=JobStatus.RUNNING, started_at=now, heartbeat_at=now,
                              organization=orgs["center_a"])
    same_org = Job.objects.create(kind="test.echo", organization=orgs["center_a"])
    other_org = Job.objects.create(kind="test.echo", organization=orgs["center_b"])
    with pytest.raises(RetryTask):  # over the organisation's cap: back on the queue, not run
        queue.run_job(same_org.pk)
    same_org.refresh_from_db()
    assert same_org.status == JobStatus.PENDING
    queue.run_job(other_org.pk)  # the kind has a second slot
    other_org.refresh_from_db()
    assert other_org.status == JobStatus.SUCCEEDED
    # a running job whose worker died (no heartbeat for long) holds no slot
    Job.objects.filter(pk=busy.pk).update(heartbeat_at=now - timezone.timedelta(hours=1))
    queue.run_job(same_org.pk)
    same_org.refresh_from_db()
    assert same_org.status == JobStatus.SUCCEEDED


def test_a_chunked_job_runs_its_chunks_then_finishes_once(db, broker):
    job = _start("test.split", parts=5)
    broker.drain()
    job.refresh_from_db()
    assert job.status == JobStatus.SUCCEEDED and job.result == {"sum": 0 + 1 + 4 + 9 + 16}
    chunks = list(queue.chunks_of(job))
    assert [c.status for c in chunks] == [JobStatus.SUCCEEDED] * 5 and job.progress_done == 5
    assert all(c.kind == queue.CHUNK_KIND for c in chunks)


def test_a_failing_chunk_is_retried_then_dead_lettered_and_retry_puts_it_back(db, broker, settings):
    FAIL_TIMES[1] = 1  # fails once: the retry succeeds
    FAIL_TIMES[3] = 99  # fails every time: dead letter
    job = _start("test.split", parts=4)
    broker.drain()
    job.refresh_from_db()
    assert job.status == JobStatus.FAILED and "分块 4 失败" in job.error
    dead = list(queue.dead_letters())
    assert [d.params["spec"]["n"] for d in dead] == [3] and "chunk 3 broke" in dead[0].error
    assert dead[0].params["attempt"] == queue.retries() + 1
    assert queue.chunks_of(job).get(params__index=1).status == JobStatus.SUCCEEDED
    FAIL_TIMES[3] = 0  # the cause fixed: ipoc jobs retry
    call_command("jobs", "retry", str(dead[0].pk))
    broker.drain()
    job.refresh_from_db()
    assert job.status == JobStatus.SUCCEEDED and job.result == {"sum": 0 + 1 + 4 + 9}
    assert not queue.dead_letters()


def test_a_chunk_whose_worker_died_is_requeued_and_redone(db, broker, settings):
    job = _start("test.split", parts=2)
    broker.tasks.clear()
    queue.run_job(job.pk)  # split: two chunk tasks queued
    first_task = broker.tasks.popleft()
    chunk = Job.objects.get(pk=first_task[1])
    long_ago = timezone.now() - timezone.timedelta(seconds=queue.stale_seconds() + 5)
    # a worker took it and was killed: running, its heartbeat stopped
    Job.objects.filter(pk=chunk.pk).update(status=JobStatus.RUNNING, heartbeat_at=long_ago)
    assert queue.reclaim_stale()["chunks"] == 1
    chunk.refresh_from_db()
    assert chunk.status == JobStatus.PENDING and chunk.params["attempt"] == 2
    broker.drain()
    job.refresh_from_db()
    assert job.status == JobStatus.SUCCEEDED and job.result == {"sum": 1}


def test_cancel_stops_a_job_and_its_chunks(db, broker):
    job = _start("test.split", parts=3)
    broker.tasks.clear()
    queue.run_job(job.pk)
    job.refresh_from_db()
    call_command("jobs", "cancel", str(job.pk))
    job.refresh_from_db()
    assert job.status == JobStatus.INTERRUPTED and job.error == jobs.CANCELLED
    broker.drain()  # the queued chunks find their job cancelled and do nothing
    assert {c.status for c in queue.chunks_of(job)} == {JobStatus.INTERRUPTED}
    with pytest.raises(ApplicationError):
        queue.job_cancel(job)
    # a cancelled job's context refuses to go on
    ctx = jobs.JobContext(job)
    with pytest.raises(jobs.JobCancelled):
        ctx.log("还在运行")


def test_a_chunked_import_equals_an_uninterrupted_one(db, broker, tmp_path, settings, monkeypatch):
    from ipoc.patents import services as patent_services
    from ipoc.patents.importers import jsonl
    from ipoc.patents.models import ImportBatch, Patent, PatentParty

    lines = [json.dumps({"id": f"p{n}", "title": f"一种电池 {n}",
                         "applicants": ["甲公司", "乙大学"][n % 2], "ipc_main": "H01M 10/05"}, ensure_ascii=False)
             for n in range(30)]
    lines.insert(7, "{not json")
    monkeypatch.setattr(jsonl, "MAX_LINE_BYTES", 2000)
    lines.insert(12, json.dumps({"id": "too-long", "title": "长" * 1000}, ensure_ascii=False))  # 3,000+ bytes
    lines.append(json.dumps({"id": "p3", "title": "一种电池 3（更正）"},
                            ensure_ascii=False))  # the same number again: the last row wins
    path = tmp_path / "patents.jsonl"
    path.write_text("\n".join(lines) + "\n")

    def snapshot():
        batch = ImportBatch.objects.order_by("-pk").first()
        return (sorted(Patent.objects.values_list("key", "content_hash", "title")),
                sorted(PatentParty.objects.values_list("patent__key", "name")),
                batch.counts(), sorted(batch.rejections.values_list("row", "field")))

    patent_services.patent_import(actor=None, path=path)
    reference = snapshot()
    Patent.objects.all().delete()
    job = patent_services.patent_import_start(actor=None, path=path)
    Job.objects.filter(pk=job.pk).update(params=job.params | {"chunks": 4})
    queue.enqueue_job(job.pk)
    broker.drain()
    job.refresh_from_db()
    assert job.status == JobStatus.SUCCEEDED and job.result["chunks"] == 4
    assert snapshot() == reference
    assert reference[2]["new"] == 30 and reference[2]["rejected"] == 2
    parts = sorted((Path(settings.IPOC_HOME) / "jobs").glob("*/part-*"))
    assert not parts  # the finish removed the plan's part lists


def test_a_chunk_whose_worker_died_after_its_commit_keeps_its_counts(db, broker, tmp_path):
    """The CI failure of worker-kill: a worker killed between its chunk's commit and the queue's bookkeeping;
    the redo found the rows written and counted them 'unchanged'. The result now commits with the work."""
    from ipoc.patents import services as patent_services
    from ipoc.patents.models import ImportBatch, Patent

    path = tmp_path / "patents.jsonl"
    path.write_text("".join(json.dumps({"id": f"p{n}", "title": f"一种电池 {n}", "applicants": ["甲公司"]},
                                       ensure_ascii=False) + "\n" for n in range(24)))
    job = patent_services.patent_import_start(actor=None, path=path)
    Job.objects.filter(pk=job.pk).update(params=job.params | {"chunks": 3})
    broker.tasks.clear()
    queue.run_job(job.pk)  # planned: three chunk tasks queued
    victim = Job.objects.get(pk=broker.tasks.popleft()[1])
    parent = Job.objects.get(pk=job.pk)
    # the worker claims it, its transaction commits, and it is killed before marking the chunk done
    Job.objects.filter(pk=victim.pk).update(status=JobStatus.RUNNING)
    victim.refresh_from_db()
    written = patent_services.patent_import_chunk(jobs.JobContext(victim), parent.params, victim.params["spec"])
    assert written["new"] == victim.params["spec"]["size"] > 0
    long_ago = timezone.now() - timezone.timedelta(seconds=queue.stale_seconds() + 5)
    Job.objects.filter(pk=victim.pk).update(heartbeat_at=long_ago)
    assert queue.reclaim_stale()["chunks"] == 1
    broker.drain()
    job.refresh_from_db()
    batch = ImportBatch.objects.get(pk=job.params["batch_id"])
    assert job.status == JobStatus.SUCCEEDED and Patent.objects.count() == 24
    assert batch.counts() == {"rows": 24, "new": 24, "updated": 0, "unchanged": 0, "rejected": 0}
    assert "上次已提交" in Job.objects.get(pk=victim.pk).log


@pytest.mark.django_db(transaction=True)  # no test transaction around it: as a worker runs
def test_commit_result_refuses_to_run_outside_the_work_s_transaction():
    job = jobs.job_create(actor=None, kind="test.echo", params={})
    with pytest.raises(RuntimeError):
        jobs.JobContext(job).commit_result({"n": 1})


def test_jobs_command_lists_and_shows_the_queue(db, broker, capsys):
    FAIL_TIMES[0] = 99
    _start("test.split", parts=1)
    broker.drain()
    call_command("jobs", "list", "--failed-chunks", "--json")
    rows = json.loads(capsys.readouterr().out)
    assert len(rows) == 1 and rows[0]["kind"] == queue.CHUNK_KIND and "broke" in rows[0]["error"]
    call_command("jobs", "list")
    assert "test.split" in capsys.readouterr().out


def test_jobs_page_shows_the_queue_and_dead_letters_to_administrators(client, broker, users, monkeypatch):
    monkeypatch.setattr(queue, "queue_depth", lambda: 7)
    monkeypatch.setattr(queue, "workers_alive", lambda: [{"name": "worker-1:42", "threads": 1, "jobs": 3,
                                                          "chunks": 12, "per_minute": 4.5}])
    FAIL_TIMES[0] = 99
    job = jobs.job_create(actor=users["ent_a"], kind="test.split", title="拆分测试", params={"parts": 2})
    queue.enqueue_job(job.pk)
    broker.drain()
    client.force_login(users["admin"])
    page = client.get("/jobs/").content.decode()
    assert "拆分测试" in page and "worker-1:42" in page and "死信分块" in page and "chunk 0 broke" in page
    assert "分块 1/2" in page  # the dead letter, linked to its job
    detail = client.get(f"/jobs/{job.pk}/").content.decode()
    assert "重试后仍失败的分块" in detail and "重新排队" in detail
    # a person sees their own jobs, without the queue's internals, and may not touch others' jobs
    client.force_login(users["ent_a"])
    page = client.get("/jobs/").content.decode()
    assert "拆分测试" in page and "worker-1:42" not in page and "分块 1/2" not in page
    client.force_login(users["ent_b"])
    assert "拆分测试" not in client.get("/jobs/").content.decode()
    assert client.post(f"/jobs/{job.pk}/retry/").status_code == 404
    client.force_login(users["ent_a"])
    FAIL_TIMES[0] = 0
    assert client.post(f"/jobs/{job.pk}/retry/").status_code == 302
    broker.drain()
    job.refresh_from_db()
    assert job.status == JobStatus.SUCCEEDED


def test_chunks_whose_queue_messages_were_lost_are_enqueued_again(db, broker):
    job = _start("test.split", parts=3)
    broker.tasks.clear()
    queue.run_job(job.pk)
    broker.tasks.clear()  # the broker lost them (restarted without its data)
    long_ago = timezone.now() - timezone.timedelta(seconds=queue.stale_seconds() + 5)
    Job.objects.filter(pk=job.pk).update(heartbeat_at=long_ago)
    assert queue.reclaim_stale()["chunks"] == 3
    assert queue.reclaim_stale()["chunks"] == 0  # not again while the job's heartbeat is fresh
    broker.drain()
    job.refresh_from_db()
    assert job.status == JobStatus.SUCCEEDED and job.result == {"sum": 0 + 1 + 4}


def test_index_and_encode_chunks_built_by_workers_one_writer_commits(db, broker, search_index, tmp_path):  # noqa: F811
    from ipoc.patents import services as patent_services

    path = tmp_path / "p.jsonl"
    path.write_text("".join(json.dumps({"id": f"s{n}", "title": f"一种锂电池隔膜 {n}", "abstract": "涂覆陶瓷层"},
                                       ensure_ascii=False) + "\n" for n in range(7)))
    patent_services.patent_import(actor=None, path=path)
    with search_index.writing():
        search_index.clear(vectors=True)
    assert search_index.lexical.num_docs == 0
    rebuild = _start("search.rebuild", queue_chunk=3)
    broker.drain()
    rebuild.refresh_from_db()
    assert rebuild.status == JobStatus.SUCCEEDED and rebuild.result["chunks"] == 3
    search_index.refresh()
    assert rebuild.result["indexed"] == 7 and search_index.lexical.num_docs == 7
    encode = _start("search.encode", queue_chunk=2)
    broker.drain()
    encode.refresh_from_db()
    assert encode.status == JobStatus.SUCCEEDED and encode.result["chunks"] == 4
    assert encode.result["encoded"] == 7 and encode.result["encoded_total"] == 7


def test_a_large_import_is_synced_to_the_index_by_queue_chunks(db, broker, search_index, tmp_path, settings,  # noqa: F811
                                                               monkeypatch, django_capture_on_commit_callbacks):
    from ipoc.patents import services as patent_services
    from ipoc.patents.models import Patent
    from ipoc.search import services as search_services
    from ipoc.search import workers as search_workers

    path = tmp_path / "p.jsonl"
    path.write_text("".join(json.dumps({"id": f"q{n}", "title": f"一种钠离子电池负极 {n}", "abstract": "硬碳材料"},
                                       ensure_ascii=False) + "\n" for n in range(7)))
    patent_services.patent_import(actor=None, path=path)  # the embedded default: synced in the importer
    ids = sorted(Patent.objects.values_list("pk", flat=True))
    reference = search_index.lexical.sources(ids)
    assert len(reference) == 7

    with search_index.writing():
        search_index.clear(vectors=True)
    settings.IPOC_QUEUE_URL = "redis://127.0.0.1:6379/0"  # a networked queue (the fake broker stands for it)
    settings.IPOC_SEARCH_BULK_MIN = 3
    monkeypatch.setattr(search_services, "workers_can_read", lambda: True)  # the fake broker runs here
    monkeypatch.setattr(search_workers, "QUEUE_INDEX_CHUNK", 2)
    gone = ids[-1]
    Patent.objects.filter(pk=gone).delete()  # deleted from the store but still named by the change set
    with django_capture_on_commit_callbacks(execute=True):
        search_services.index_patents(ids)
    job = Job.objects.get(kind=search_services.SYNC_KIND)
    broker.drain()
    job.refresh_from_db()
    assert job.status == JobStatus.SUCCEEDED, job.error
    assert job.result["chunks"] == 4 and job.result["indexed"] == 6 and job.result["removed"] == 1
    assert [c.status for c in queue.chunks_of(job)] == [JobStatus.SUCCEEDED] * 4
    search_index.refresh()
    assert search_index.lexical.sources(ids) == {k: v for k, v in reference.items() if k != gone}
    assert len(search_services._read_pending()) == 0  # nothing left for a later sync
