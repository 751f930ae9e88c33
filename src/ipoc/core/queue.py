"""Long work on a task queue (任务队列): Huey, on Redis for many machines or on a SQLite file embedded.

Why Huey and how it is wired: ``docs/dev/task-queue.md``. In short:

- ``IPOC_QUEUE_URL`` (setting or environment) chooses the broker: ``redis://host:6379/0`` — workers on
  any machine that reaches it; unset — the embedded default, a SQLite file ``$IPOC_HOME/queue.sqlite3``
  that needs no service (``ipoc serve`` then runs a capped pool of worker threads itself, and
  ``ipoc worker`` processes on the same machine may share the file).
- A job (``ipoc.core.models.Job``) is started by enqueuing :func:`run_job` with its id; a worker claims
  the row, honours the caps of its kind and of its organisation (a job over a cap is put back with a
  delay, never run), and runs it exactly as before (``JobContext``: progress, checkpoint, resume).
- A *chunked* kind (``register_chunked_job``) is split by its ``plan`` function into chunks, each a
  ``Job`` row of kind ``queue.chunk`` (its ``params``: parent, index, spec) and one queue task; any
  worker takes any chunk. When the last chunk succeeds, one worker (a conditional update elects it)
  runs the kind's ``finish`` — e.g. the single index writer commits the documents the chunks built.
- Retry policy: a chunk that raises is retried ``IPOC_QUEUE_RETRIES`` times (default 2) after
  ``IPOC_QUEUE_RETRY_DELAY`` seconds, doubling; an :class:`ApplicationError` (bad data) is not retried.
  A chunk that still fails is *dead-lettered*: it stays ``failed`` with its error (the jobs page lists
  them; ``ipoc jobs retry ID`` or the page's button puts them back), and its parent fails.
- A worker killed mid-chunk (SIGKILL, a machine lost): every running chunk or job row carries a
  heartbeat written by a thread of the worker every few seconds. Each worker's janitor puts rows whose
  heartbeat is older than ``IPOC_QUEUE_STALE_SECONDS`` (default 60) back on the queue, where another
  worker redoes them. Chunk work is idempotent (keyed upserts, files written whole then renamed), so the
  result equals an uninterrupted run.
- Cancel: ``job_cancel`` marks the job and its unfinished chunks interrupted (取消); a worker running
  it notices at its next progress save (``JobCancelled``) and stops.
"""

from __future__ import annotations

import json
import logging
import os
import socket
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from importlib import import_module
from pathlib import Path
from typing import Any

from django.db import close_old_connections, transaction
from django.db.models import F, Q
from django.utils import timezone

from ipoc.core.errors import ApplicationError
from ipoc.core.jobs import CANCELLED, COMMITTED
from ipoc.core.models import Job, JobStatus

logger = logging.getLogger(__name__)

CHUNK_KIND = "queue.chunk"
WORKER_KEY = "ipoc-worker:"  # + name → JSON heartbeat of a worker, in the queue's key-value store
BEAT_SECONDS = 5.0
RESCHEDULE_SECONDS = 3  # a job over its cap is put back on the queue this long


# ---------------------------------------------------------------- configuration


def _conf(name: str, default: Any) -> Any:
    from django.conf import settings

    value = getattr(settings, name, None)
    if value is None:
        value = os.environ.get(name)
    return default if value in (None, "") else value


def queue_url() -> str:
    """The broker: ``redis://…`` or ``sqlite:///path``; empty means the embedded SQLite file."""
    return str(_conf("IPOC_QUEUE_URL", ""))


def is_embedded() -> bool:
    return not queue_url().startswith(("redis://", "rediss://", "unix://"))


def stale_seconds() -> float:
    return float(_conf("IPOC_QUEUE_STALE_SECONDS", 60))


def beat_seconds() -> float:
    return min(BEAT_SECONDS, stale_seconds() / 4)


def queue_name() -> str:
    """Several instances may share one Redis: each its own queue name (``IPOC_QUEUE_NAME``)."""
    return str(_conf("IPOC_QUEUE_NAME", "ipoc"))


def retries() -> int:
    return int(_conf("IPOC_QUEUE_RETRIES", 2))


def retry_delay() -> int:
    return int(_conf("IPOC_QUEUE_RETRY_DELAY", 10))


def web_workers() -> int:
    """Worker threads ``ipoc serve`` runs itself in the embedded mode (0: none, run ``ipoc worker``)."""
    return int(_conf("IPOC_QUEUE_WEB_WORKERS", 2 if is_embedded() else 0))


def inline() -> bool:
    from django.conf import settings

    return bool(getattr(settings, "IPOC_JOBS_INLINE", False))


# ---------------------------------------------------------------- the Huey instance

_huey = None
_huey_lock = threading.Lock()


def get_huey():
    """The process's Huey instance with IPOC's tasks registered (built on first use)."""
    global _huey
    with _huey_lock:
        if _huey is None:
            _huey = _build_huey()
        return _huey


def reset_huey() -> None:
    """Forget the instance (tests switch brokers)."""
    global _huey
    with _huey_lock:
        _huey = None


def _build_huey():
    from huey import RedisHuey, SqliteHuey

    url = queue_url()
    if url.startswith(("redis://", "rediss://", "unix://")):
        huey = RedisHuey(queue_name(), url=url, results=False)
    else:
        if url.startswith("sqlite:///"):
            path = Path(url.removeprefix("sqlite:///"))
        else:
            from django.conf import settings

            path = Path(settings.IPOC_HOME) / "queue.sqlite3"
        path.parent.mkdir(parents=True, exist_ok=True)
        huey = SqliteHuey(queue_name(), filename=str(path), results=False, timeout=30)
    huey.ipoc_run_job = huey.task(name="ipoc.run_job", context=True)(_task_run_job)
    huey.ipoc_run_chunk = huey.task(name="ipoc.run_chunk", context=True, retries=retries(),
                                    retry_delay=retry_delay(), retry_backoff=2)(_task_run_chunk)
    return huey


def enqueue_job(job_id: int) -> None:
    get_huey().ipoc_run_job(job_id)


def enqueue_chunk(chunk_id: int) -> None:
    get_huey().ipoc_run_chunk(chunk_id)


# ---------------------------------------------------------------- chunked kinds


@dataclass
class ChunkedKind:
    plan: str  # "module:function"(ctx) -> list[dict] of chunk specs, or None: run the job whole
    chunk: str  # (ctx of the chunk row, parent params, spec) -> JSON-able result
    finish: str  # (ctx of the parent, [chunk results in index order]) -> the job's result


CHUNKED: dict[str, ChunkedKind] = {}


def register_chunked_job(kind: str, *, plan: str, chunk: str, finish: str) -> None:
    """Let the queue split jobs of ``kind`` (already registered with ``register_job``) into chunks."""
    CHUNKED[kind] = ChunkedKind(plan, chunk, finish)


def _call(target: str) -> Callable:
    module, _, func = target.partition(":")
    return getattr(import_module(module), func)


# ---------------------------------------------------------------- caps


def org_concurrency(kind: str) -> int:
    from ipoc.core.jobs import ORG_CONCURRENCY, _setting

    return max(1, _setting("IPOC_JOB_ORG_CONCURRENCY", ORG_CONCURRENCY, kind))


def _fresh_running() -> Q:
    fresh = timezone.now() - timezone.timedelta(seconds=stale_seconds())
    return Q(status=JobStatus.RUNNING) & (Q(heartbeat_at__gte=fresh) | Q(heartbeat_at__isnull=True,
                                                                          started_at__gte=fresh))


def _within_caps(job: Job) -> bool:
    """After this worker claimed ``job``: is it among the first ``concurrency`` running jobs of its kind
    (and of its kind in its organisation)? Ordering by (started_at, id) makes every worker agree."""
    from ipoc.core.jobs import job_concurrency

    running = Job.objects.filter(_fresh_running(), kind=job.kind).order_by("started_at", "pk")
    first = list(running.values_list("pk", flat=True)[: job_concurrency(job.kind)])
    if job.pk not in first:
        return False
    if job.organization_id is not None:
        first = list(running.filter(organization_id=job.organization_id)
                     .values_list("pk", flat=True)[: org_concurrency(job.kind)])
        if job.pk not in first:
            return False
    return True


# ---------------------------------------------------------------- heartbeats


class _Beat:
    """A thread writing ``heartbeat_at`` of one row every BEAT_SECONDS while its work runs."""

    def __init__(self, pk: int) -> None:
        self.pk = pk
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._run, name=f"ipoc-beat-{pk}", daemon=True)

    def _run(self) -> None:
        try:
            while not self.stop.wait(beat_seconds()):
                Job.objects.filter(pk=self.pk, status=JobStatus.RUNNING).update(heartbeat_at=timezone.now())
        except Exception:  # a beat lost is a chunk redone, never a crash
            logger.exception("heartbeat of job %s", self.pk)
        finally:
            close_old_connections()

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.stop.set()


def worker_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


_stats = {"chunks": 0, "jobs": 0, "started": time.time(), "seconds": 0.0}
_stats_lock = threading.Lock()


def _count(kind: str, seconds: float) -> None:
    with _stats_lock:
        _stats[kind] += 1
        _stats["seconds"] += seconds


def worker_beat(name: str | None = None, *, threads: int = 1) -> None:
    """Record this worker as alive (with what it did) in the queue's key-value store."""
    huey = get_huey()
    with _stats_lock:
        data = dict(_stats)
    data |= {"name": name or worker_name(), "seen": time.time(), "threads": threads,
             "broker": "redis" if not is_embedded() else "sqlite"}
    huey.storage.put_data(WORKER_KEY + data["name"], json.dumps(data).encode())


def workers_alive() -> list[dict]:
    """Workers whose heartbeat is recent, with their counts (the jobs page)."""
    huey = get_huey()
    out = []
    try:
        results = huey.all_results()
    except Exception:  # the broker is down: the page says so instead of failing
        logger.exception("queue: cannot read worker heartbeats")
        return []
    horizon = time.time() - max(3 * beat_seconds(), stale_seconds())
    for key, raw in results.items():
        key = key.decode() if isinstance(key, bytes) else key
        if not key.startswith(WORKER_KEY):
            continue
        try:
            data = json.loads(raw)
        except (TypeError, ValueError):
            continue
        if data.get("seen", 0) >= horizon:
            up = max(1.0, data["seen"] - data.get("started", data["seen"]))
            data["per_minute"] = round(60.0 * (data.get("chunks", 0) + data.get("jobs", 0)) / up, 1)
            out.append(data)
        elif data.get("seen", 0) < time.time() - 86400:
            huey.storage.pop_data(WORKER_KEY + data.get("name", ""))
    return sorted(out, key=lambda d: d["name"])


def queue_depth() -> int | None:
    try:
        huey = get_huey()
        return huey.pending_count() + huey.scheduled_count()
    except Exception:
        logger.exception("queue: cannot read its depth")
        return None


# ---------------------------------------------------------------- running jobs and chunks


def _claim(pk: int, statuses: tuple[str, ...], **also) -> bool:
    now = timezone.now()
    return bool(Job.objects.filter(pk=pk, status__in=statuses).update(
        status=JobStatus.RUNNING, started_at=now, heartbeat_at=now, finished_at=None, **also))


def _task_run_job(job_id: int, task=None) -> None:
    close_old_connections()
    try:
        run_job(job_id)
    finally:
        close_old_connections()


def run_job(job_id: int) -> None:
    """Queue task body: claim the job, respect the caps, run it whole or split it into chunks."""
    from huey.exceptions import RetryTask

    from ipoc.core.jobs import job_run

    job = Job.objects.filter(pk=job_id).first()
    if job is None or job.status == JobStatus.SUCCEEDED:
        return
    if job.status == JobStatus.RUNNING and (job.checkpoint or {}).get("phase") == "chunks":
        return  # already split; its chunks carry on
    if job.status == JobStatus.INTERRUPTED and job.error == CANCELLED:
        return
    if not _claim(job_id, (JobStatus.PENDING, JobStatus.INTERRUPTED)):
        return  # another worker has it
    job.refresh_from_db()
    if not _within_caps(job):
        Job.objects.filter(pk=job_id, status=JobStatus.RUNNING).update(status=JobStatus.PENDING, started_at=None)
        raise RetryTask(delay=RESCHEDULE_SECONDS)
    started = time.monotonic()
    kind = CHUNKED.get(job.kind)
    try:
        with _Beat(job_id):
            if kind is not None and (job.checkpoint or {}).get("phase") in (None, "plan"):
                if _split(job, kind):
                    return
            job_run(job, claimed=True)
    except Exception:  # recorded on the row by job_run
        logger.exception("job %s failed", job_id)
    finally:
        _count("jobs", time.monotonic() - started)


def _split(job: Job, kind: ChunkedKind) -> bool:
    """Plan the job's chunks and put them on the queue; False when the plan says: run it whole."""
    from ipoc.core.jobs import JobContext

    ctx = JobContext(job)
    specs = _call(kind.plan)(ctx)
    if not specs:
        return False
    rows = [Job(kind=CHUNK_KIND, title=f"{job.title or job.kind} · 分块 {i + 1}/{len(specs)}"[:300],
                params={"parent": job.pk, "kind": job.kind, "index": i, "spec": spec, "attempt": 1},
                progress_total=spec.get("size"), organization_id=job.organization_id,
                created_by_id=job.created_by_id) for i, spec in enumerate(specs)]
    with transaction.atomic():
        Job.objects.bulk_create(rows)
        ids = list(Job.objects.filter(kind=CHUNK_KIND, params__parent=job.pk).order_by("pk")
                   .values_list("pk", flat=True))
        ctx.job.progress_total = sum(int(s.get("size") or 1) for s in specs)
        ctx.job.progress_done = 0
        ctx.checkpoint({**(ctx.checkpoint_data or {}), "phase": "chunks", "chunks": len(specs)})
    ctx.log(f"分为 {len(specs)} 个分块，交给任务队列的工作进程并行处理 / split into {len(specs)} chunks")
    for pk in ids:
        enqueue_chunk(pk)
    return True


def chunks_of(job: Job):
    return Job.objects.filter(kind=CHUNK_KIND, params__parent=job.pk).order_by("pk")


def _task_run_chunk(chunk_id: int, task=None) -> None:
    close_old_connections()
    try:
        run_chunk(chunk_id, final=task is None or not task.retries)
    finally:
        close_old_connections()


def run_chunk(chunk_id: int, *, final: bool = True) -> None:
    """Queue task body of one chunk: claim it, run the kind's chunk function, and when it was the last
    chunk of its job, run the job's ``finish`` (once: a conditional update elects the finisher)."""
    from ipoc.core.jobs import JobCancelled, JobContext, job_error_message

    chunk = Job.objects.filter(pk=chunk_id, kind=CHUNK_KIND).first()
    if chunk is None or chunk.status in (JobStatus.SUCCEEDED, JobStatus.FAILED):
        return
    parent = Job.objects.filter(pk=chunk.params["parent"]).first()
    if parent is None or parent.status != JobStatus.RUNNING:
        return  # cancelled or failed meanwhile
    if not _claim(chunk_id, (JobStatus.PENDING, JobStatus.INTERRUPTED), checkpoint={"worker": worker_name()}):
        return
    chunk.refresh_from_db()
    kind = CHUNKED[chunk.params["kind"]]
    ctx = JobContext(chunk)
    attempt = chunk.params.get("attempt", 1)
    started, cpu = time.monotonic(), time.thread_time()
    try:
        if (chunk.result or {}).get(COMMITTED):  # an earlier attempt committed its work, then lost its worker
            result = {k: v for k, v in chunk.result.items() if k != COMMITTED}
            ctx.log(f"第 {attempt} 次：上次已提交，沿用其结果 / committed by an earlier attempt")
        else:
            with _Beat(chunk_id):
                result = _call(kind.chunk)(ctx, parent.params, chunk.params["spec"])
    except JobCancelled:
        return
    except Exception as exc:
        message = job_error_message(exc)
        logger.warning("chunk %s of job %s failed (attempt %s): %s", chunk_id, parent.pk, attempt, exc)
        ctx.log(f"第 {attempt} 次失败：{message}")
        if final or isinstance(exc, ApplicationError):
            Job.objects.filter(pk=chunk_id).update(status=JobStatus.FAILED, error=message,
                                                   finished_at=timezone.now())
            _fail_parent(parent, f"分块 {chunk.params['index'] + 1} 失败：{message}")
            return
        Job.objects.filter(pk=chunk_id).update(status=JobStatus.PENDING, error=message,
                                               params=chunk.params | {"attempt": attempt + 1})
        raise  # Huey retries it after the delay
    finally:
        _count("chunks", time.monotonic() - started)
    size = int(chunk.params["spec"].get("size") or 1)
    spent = {"seconds": round(time.monotonic() - started, 3), "cpu_seconds": round(time.thread_time() - cpu, 3)}
    done = Job.objects.filter(pk=chunk_id, status=JobStatus.RUNNING).update(
        status=JobStatus.SUCCEEDED, result=result or {}, finished_at=timezone.now(), progress_done=size,
        error="", checkpoint=(chunk.checkpoint or {}) | spent)
    if not done:
        return  # reclaimed meanwhile and redone by another worker: its run counts
    Job.objects.filter(pk=parent.pk).update(progress_done=F("progress_done") + size, heartbeat_at=timezone.now())
    _maybe_finish(parent.pk)


def _maybe_finish(parent_id: int) -> None:
    if chunks_of(Job(pk=parent_id)).exclude(status=JobStatus.SUCCEEDED).exists():
        return
    parent = Job.objects.get(pk=parent_id)
    phase = dict(parent.checkpoint or {})
    elected = Job.objects.filter(pk=parent_id, status=JobStatus.RUNNING, checkpoint__phase="chunks").update(
        checkpoint=phase | {"phase": "finish"}, heartbeat_at=timezone.now())
    if not elected:
        return
    _finish(parent_id)


def _finish(parent_id: int) -> None:
    from ipoc.core.jobs import JobContext, job_finish

    parent = Job.objects.get(pk=parent_id)
    kind = CHUNKED[parent.kind]
    results = [c.result for c in chunks_of(parent)]
    ctx = JobContext(parent)
    with _Beat(parent_id):
        job_finish(parent, lambda: _call(kind.finish)(ctx, results), ctx=ctx)


def _fail_parent(parent: Job, message: str) -> None:
    from ipoc.core.jobs import _abandon

    if Job.objects.filter(pk=parent.pk, status=JobStatus.RUNNING).update(
            status=JobStatus.FAILED, error=message, finished_at=timezone.now()):
        chunks_of(parent).filter(status__in=(JobStatus.PENDING, JobStatus.RUNNING)).update(
            status=JobStatus.INTERRUPTED)
        parent.refresh_from_db()
        _abandon(parent)


# ---------------------------------------------------------------- operations


def reclaim_stale() -> dict:
    """Rows whose worker died (heartbeat older than ``stale_seconds``) go back on the queue: chunks are
    redone, whole jobs resume from their checkpoint, a finish step is run again (it is idempotent)."""
    cutoff = timezone.now() - timezone.timedelta(seconds=stale_seconds())
    dead = Q(status=JobStatus.RUNNING) & (Q(heartbeat_at__lt=cutoff) | Q(heartbeat_at__isnull=True,
                                                                         started_at__lt=cutoff))
    out = {"chunks": 0, "jobs": 0, "finishes": 0}
    for chunk in Job.objects.filter(dead, kind=CHUNK_KIND):
        params = chunk.params | {"attempt": int(chunk.params.get("attempt", 1)) + 1}
        if Job.objects.filter(pk=chunk.pk, status=JobStatus.RUNNING, heartbeat_at=chunk.heartbeat_at).update(
                status=JobStatus.PENDING, params=params,
                log=chunk.log + f"[{timezone.now():%H:%M:%S}] 工作进程失去心跳，分块重新排队 / worker lost, requeued\n"):
            enqueue_chunk(chunk.pk)
            out["chunks"] += 1
    for job in Job.objects.filter(dead).exclude(kind=CHUNK_KIND):
        phase = (job.checkpoint or {}).get("phase")
        if phase == "chunks":  # waiting for its chunks: alive while they are
            out["chunks"] += _requeue_lost_chunks(job)
            continue
        if phase == "finish":
            if Job.objects.filter(pk=job.pk, heartbeat_at=job.heartbeat_at).update(heartbeat_at=timezone.now()):
                threading.Thread(target=_finish_in_thread, args=(job.pk,), daemon=True).start()
                out["finishes"] += 1
            continue
        lost = int((job.checkpoint or {}).get("workers_lost", 0)) + 1
        if lost > retries() + 1:  # it killed every worker that took it: stop handing it out
            if Job.objects.filter(pk=job.pk, status=JobStatus.RUNNING, heartbeat_at=job.heartbeat_at).update(
                    status=JobStatus.FAILED, finished_at=timezone.now(),
                    error=f"工作进程 {lost} 次在运行中失去心跳，任务已停止；可续跑 / worker lost {lost} times"):
                from ipoc.core.jobs import _abandon

                job.refresh_from_db()
                _abandon(job)
            continue
        if Job.objects.filter(pk=job.pk, status=JobStatus.RUNNING, heartbeat_at=job.heartbeat_at).update(
                status=JobStatus.INTERRUPTED, checkpoint=(job.checkpoint or {}) | {"workers_lost": lost}):
            enqueue_job(job.pk)
            out["jobs"] += 1
    return out


def _requeue_lost_chunks(parent: Job) -> int:
    """A split job whose chunks are all waiting and none finished for ``stale_seconds``: their queue
    messages were lost (the planning worker died before enqueuing them, or the broker restarted without
    its data) — enqueue them again. A duplicate message is harmless: claiming a chunk is conditional."""
    chunks = chunks_of(parent)
    if chunks.filter(status=JobStatus.RUNNING).exists():
        return 0
    pending = list(chunks.filter(status=JobStatus.PENDING).values_list("pk", flat=True))
    if not pending or not Job.objects.filter(pk=parent.pk, heartbeat_at=parent.heartbeat_at).update(
            heartbeat_at=timezone.now()):
        return 0
    for pk in pending:
        enqueue_chunk(pk)
    return len(pending)


def _finish_in_thread(parent_id: int) -> None:
    try:
        _finish(parent_id)
    except Exception:
        logger.exception("finish of job %s failed", parent_id)
    finally:
        close_old_connections()


def job_cancel(job: Job, *, actor=None) -> Job:
    """Cancel a queued or running job (取消): it and its unfinished chunks become interrupted; a worker
    running it stops at its next progress save. A cancelled job may still be resumed."""
    from ipoc.core.jobs import _abandon

    if job.status not in (JobStatus.PENDING, JobStatus.RUNNING):
        raise ApplicationError(f"任务 #{job.pk} 当前状态为“{job.get_status_display()}”，无法取消", field="job")
    by = f"（{actor}）" if actor else ""
    Job.objects.filter(pk=job.pk).update(
        status=JobStatus.INTERRUPTED, finished_at=timezone.now(), error=CANCELLED,
        log=job.log + f"[{timezone.now():%H:%M:%S}] 已取消{by} / cancelled\n")
    chunks_of(job).filter(status__in=(JobStatus.PENDING, JobStatus.RUNNING)).update(status=JobStatus.INTERRUPTED)
    job.refresh_from_db()
    _abandon(job)
    return job


def job_requeue(job: Job, *, actor=None) -> Job:
    """Put a failed or interrupted job back on the queue (its dead-lettered and interrupted chunks too);
    it continues from its checkpoint. For a person other than a platform administrator this counts as a new
    start: the kind's limit and the organisation's share apply (else one could cancel, start anew and requeue
    the cancelled to hold every slot of a kind). The command line (no actor) is not limited."""
    from ipoc.core.jobs import job_admit

    if job.kind == CHUNK_KIND:
        job = Job.objects.get(pk=job.params["parent"])
    if job.status in (JobStatus.SUCCEEDED, JobStatus.RUNNING, JobStatus.PENDING):
        raise ApplicationError(f"任务 #{job.pk} 当前状态为“{job.get_status_display()}”，无需重新排队", field="job")
    if actor is not None and not actor.is_platform_admin:
        job_admit(actor=actor, kind=job.kind, organization=job.organization)
    checkpoint = dict(job.checkpoint or {})
    if checkpoint.get("phase") in ("chunks", "finish"):
        Job.objects.filter(pk=job.pk).update(status=JobStatus.RUNNING, error="", finished_at=None,
                                             checkpoint=checkpoint | {"phase": "chunks"},
                                             heartbeat_at=timezone.now())
        todo = list(chunks_of(job).exclude(status=JobStatus.SUCCEEDED).values_list("pk", flat=True))
        Job.objects.filter(pk__in=todo).update(status=JobStatus.PENDING, error="")
        for pk in todo:
            enqueue_chunk(pk)
        if not todo:
            _maybe_finish(job.pk)
    else:
        Job.objects.filter(pk=job.pk).update(status=JobStatus.PENDING, error="", checkpoint=checkpoint,
                                             finished_at=None)
        enqueue_job(job.pk)
    job.refresh_from_db()
    return job


def dead_letters(limit: int = 50):
    """Chunks that failed after their retries (the jobs page's 死信 list)."""
    return Job.objects.filter(kind=CHUNK_KIND, status=JobStatus.FAILED).order_by("-finished_at")[:limit]


# ---------------------------------------------------------------- workers


class Janitor(threading.Thread):
    """In every worker: heartbeat of the worker itself, and the reclaiming of dead workers' rows."""

    def __init__(self, every: float, threads: int) -> None:
        super().__init__(name="ipoc-queue-janitor", daemon=True)
        self.every = every
        self.threads = threads
        self.halt = threading.Event()

    def run(self) -> None:
        while not self.halt.is_set():
            try:
                worker_beat(threads=self.threads)
                moved = reclaim_stale()
                if any(moved.values()):
                    logger.warning("queue: requeued work of dead workers: %s", moved)
            except Exception:
                logger.exception("queue janitor")
            finally:
                close_old_connections()
            self.halt.wait(self.every)


def janitor_every() -> float:
    return float(_conf("IPOC_QUEUE_JANITOR_SECONDS", max(1.0, min(BEAT_SECONDS, stale_seconds() / 3))))


def clear_queue() -> None:
    """Drop every waiting task of this queue (tests; an operator's reset)."""
    get_huey().flush()


def run_worker(*, threads: int = 1) -> None:
    """``ipoc worker``: a Huey consumer with ``threads`` worker threads, plus the janitor; blocks."""
    huey = get_huey()
    janitor = Janitor(janitor_every(), threads)
    janitor.start()
    consumer = huey.create_consumer(workers=threads, worker_type="thread", periodic=False,
                                    initial_delay=0.05, max_delay=1.0, check_worker_health=True)
    try:
        consumer.run()
    finally:
        janitor.halt.set()


_embedded = None


def start_embedded_workers() -> bool:
    """``ipoc serve`` in the embedded mode: worker threads (``IPOC_QUEUE_WEB_WORKERS``, default 2 — the
    cap of long work in the web process) take jobs off the SQLite queue, never a request's thread.
    Returns False when configured to leave the work to ``ipoc worker`` processes."""
    global _embedded
    threads = web_workers()
    if threads <= 0 or inline():
        return False
    with _huey_lock:
        if _embedded is not None:
            return True
        _embedded = True
    huey = get_huey()
    Janitor(janitor_every(), threads).start()
    consumer = huey.create_consumer(workers=threads, worker_type="thread", periodic=False,
                                    initial_delay=0.1, max_delay=2.0)
    # Consumer.start() would install signal handlers (the web server owns them): start its threads only
    consumer.scheduler.start()
    for _name, thread in consumer.worker_threads:
        thread.start()
    return True
