"""Long work as ``Job`` rows: status, progress, log, result and a checkpoint.

The web puts a job on the task queue (``ipoc.core.queue``: Huey on Redis for workers on many machines,
or on an embedded SQLite file run by worker threads of ``ipoc serve`` — never a request's thread) and
shows its progress; the CLI runs the same job in the foreground with a progress bar. A job's function
receives a ``JobContext`` and may store a checkpoint; ``job_resume`` reruns an
interrupted or failed job from its checkpoint.

Background work is bounded: per kind, at most ``concurrency`` jobs run at once across all
workers, and at most ``org_concurrency`` of one organisation (the others wait, 排队中), and a person may not start one more when
``max_active`` jobs of that kind are already running or queued — the request is
refused with 429 (``one_per_organization`` kinds: 409 while the organisation has
one). An uploaded file a job reads (``params["path"]`` under the uploads folder)
is deleted when the job ends; an interrupted job keeps it for ``job_resume``.
A job whose process died is marked interrupted at the next start, and its kind's
``on_abandon`` hook tidies what it left (an import batch no longer "running").
"""

from __future__ import annotations

import logging
import sys
import threading
import time
import traceback
from collections.abc import Callable
from importlib import import_module
from typing import Any

from django.db import close_old_connections, transaction
from django.utils import timezone

from ipoc.core.context import channel
from ipoc.core.errors import ApplicationError
from ipoc.core.models import Job, JobStatus, Organization, User

logger = logging.getLogger(__name__)

# kind → "module:function" taking a JobContext and returning a JSON-able result
JOB_HANDLERS: dict[str, str] = {}
# kind → "module:function" taking the Job row of a run that died or failed (its process gone)
ABANDON_HANDLERS: dict[str, str] = {}

# How many jobs of a kind run at once in one process (the rest are queued), and how many may be running
# or queued before a person's new one is refused. settings.IPOC_JOB_CONCURRENCY / IPOC_JOB_MAX_ACTIVE
# override these per kind ("default" for every other kind).
CONCURRENCY = {"default": 2, "matching.batch": 1, "valuation.run": 1, "search.rebuild": 1, "search.encode": 1}
MAX_ACTIVE = {"default": 6, "matching.batch": 3, "valuation.run": 3, "search.rebuild": 1, "search.encode": 1}
# How many jobs of a kind one organisation may have running at once across all workers
# (settings.IPOC_JOB_ORG_CONCURRENCY overrides).
ORG_CONCURRENCY = {"default": 1}
ONE_PER_ORGANIZATION = {"matching.batch"}
CANCELLED = "已取消 / cancelled"
COMMITTED = "committed"  # key of a chunk result written with its work (JobContext.commit_result)
KIND_LABELS = {"matching.batch": "批量匹配", "valuation.run": "批量评估", "patents.import": "专利导入",
               "demands.import": "需求导入", "stock.import": "存量专利批量建档", "search.rebuild": "重建检索索引",
               "search.encode": "向量编码", "analytics.evaluate": "专利集合评估",
               "search.sync": "同步检索索引", "risk.watch": "风险预警监测"}
STALE_SECONDS = 600  # a running job without a heartbeat for this long is not counted as active


def register_job(kind: str, handler: str, *, on_abandon: str | None = None) -> None:
    JOB_HANDLERS[kind] = handler
    if on_abandon:
        ABANDON_HANDLERS[kind] = on_abandon


def _setting(name: str, table: dict, kind: str) -> int:
    from django.conf import settings

    configured = getattr(settings, name, {}) or {}
    for source in (configured, table):
        if kind in source:
            return int(source[kind])
    return int(configured.get("default", table["default"]))


def job_concurrency(kind: str) -> int:
    return max(1, _setting("IPOC_JOB_CONCURRENCY", CONCURRENCY, kind))


def job_max_active(kind: str) -> int:
    return max(1, _setting("IPOC_JOB_MAX_ACTIVE", MAX_ACTIVE, kind))


def active_jobs(kind: str):
    """Jobs of ``kind`` queued or running now (a running job whose heartbeat stopped long ago is not)."""
    from django.db.models import Q

    now = timezone.now()
    fresh = now - timezone.timedelta(seconds=STALE_SECONDS)
    return Job.objects.filter(kind=kind).filter(
        Q(status=JobStatus.PENDING, created_at__gte=now - timezone.timedelta(hours=1))
        | Q(status=JobStatus.RUNNING, heartbeat_at__gte=fresh)
        | Q(status=JobStatus.RUNNING, heartbeat_at__isnull=True, started_at__gte=fresh))


def job_admit(*, actor: User | None, kind: str, organization: Organization | None = None) -> None:
    """Refuse a person's new job when its kind is at its limit (429), when the person's organisation already
    holds half of that limit (429: one center cannot keep every other out), or when the organisation already
    has one of a one-per-organisation kind (409). The command line (no actor) is not limited."""
    if actor is None or not actor.pk:
        return
    label = KIND_LABELS.get(kind, kind)
    active = active_jobs(kind)
    org = organization or actor.organization
    if kind in ONE_PER_ORGANIZATION and org is not None:
        running = active.filter(organization=org).order_by("created_at").first()
        if running is not None:
            raise ApplicationError(f"本单位已有一个“{label}”任务（#{running.pk}）正在运行或排队，请等它完成后再启动",
                                   field="kind", code="job_running", status=409, extra={"job_id": running.pk})
    limit = job_max_active(kind)
    if org is not None and limit > 1:  # no one organisation may take every slot of a kind (at most half)
        mine = active.filter(organization=org).count()
        share = max(1, limit // 2)
        if mine >= share:
            raise ApplicationError(f"本单位已有 {mine} 个“{label}”任务在运行或排队（每个单位最多 {share} 个），"
                                   f"请等它们完成后再启动", field="kind", code="too_many_jobs", status=429)
    count = active.count()
    if count >= limit:
        raise ApplicationError(f"“{label}”任务已有 {count} 个在运行或排队（上限 {limit} 个），请稍后再试",
                               field="kind", code="too_many_jobs", status=429)


class JobCancelled(Exception):
    """Raised inside a job whose row was cancelled (``queue.job_cancel``) at its next progress save."""


class JobContext:
    """Handed to a job function: report progress, log, checkpoint."""

    SAVE_EVERY_SECONDS = 1.0

    def __init__(self, job: Job, *, progress_bar: bool = False) -> None:
        self.job = job
        self._last_save = 0.0
        self._bar = None
        if progress_bar:
            from tqdm import tqdm

            self._bar = tqdm(total=job.progress_total, initial=job.progress_done, desc=job.title or job.kind,
                             unit="条", file=sys.stderr, dynamic_ncols=True)

    @property
    def params(self) -> dict:
        return self.job.params

    @property
    def checkpoint_data(self) -> dict:
        return self.job.checkpoint

    def set_total(self, total: int | None) -> None:
        self.job.progress_total = total
        if self._bar is not None:
            self._bar.total = total
            self._bar.refresh()
        self._save(force=True)

    def advance(self, n: int = 1) -> None:
        self.job.progress_done += n
        if self._bar is not None:
            self._bar.update(n)
        self._save()

    def set_done(self, done: int) -> None:
        if self._bar is not None:
            self._bar.update(done - self.job.progress_done)
        self.job.progress_done = done
        self._save()

    def log(self, line: str) -> None:
        self.job.log += f"[{timezone.now():%H:%M:%S}] {line}\n"
        self._save(force=True)

    def checkpoint(self, data: dict) -> None:
        """Persist a resume point. Call it inside the transaction that commits the work it describes when that
        work also adds to stored counts (the import's report): a kill between the two would make the resume redo
        the work and count it twice. Otherwise right after the commit is enough (the redo is idempotent)."""
        self.job.checkpoint = data
        self._save(force=True)

    def commit_result(self, result: dict) -> dict:
        """Record a chunk's result inside the transaction that commits its work (call it last in that
        ``transaction.atomic`` block). A worker killed after that commit but before the queue marked the
        chunk done leaves the result on the row, and the redo returns it instead of running the work
        again — which would count the rows it had already written as unchanged (seen in CI)."""
        from django.db import transaction

        if not transaction.get_connection().in_atomic_block:
            raise RuntimeError("commit_result belongs inside the transaction that commits the chunk's work")
        stored = {**result, COMMITTED: True}
        Job.objects.filter(pk=self.job.pk).update(result=stored)
        self.job.result = stored
        return result

    def _save(self, force: bool = False) -> None:
        now = time.monotonic()
        if force or now - self._last_save >= self.SAVE_EVERY_SECONDS:
            self.job.heartbeat_at = timezone.now()
            saved = Job.objects.filter(pk=self.job.pk).exclude(status=JobStatus.INTERRUPTED, error=CANCELLED).update(
                progress_done=self.job.progress_done, progress_total=self.job.progress_total,
                checkpoint=self.job.checkpoint, log=self.job.log, heartbeat_at=self.job.heartbeat_at)
            self._last_save = now
            if not saved and Job.objects.filter(pk=self.job.pk, error=CANCELLED).exists():
                raise JobCancelled(self.job.pk)

    def close(self) -> None:
        if self._bar is not None:
            self._bar.close()


def job_create(*, actor: User | None, kind: str, title: str = "", params: dict | None = None,
               organization: Organization | None = None, total: int | None = None) -> Job:
    if kind not in JOB_HANDLERS:
        raise ApplicationError(f"未知的任务类型：{kind}", field="kind")
    job_admit(actor=actor, kind=kind, organization=organization)
    return Job.objects.create(kind=kind, title=title, params=params or {}, progress_total=total,
                              created_by=actor if actor and actor.pk else None,
                              organization=organization or (actor.organization if actor and actor.pk else None))


def _handler(kind: str) -> Callable[[JobContext], Any]:
    module, _, func = JOB_HANDLERS[kind].partition(":")
    return getattr(import_module(module), func)


def job_error_message(exc: BaseException) -> str:
    """What a person reads about a failed job: the application error's message, or the error's kind and
    text — never a traceback or a server path (those go to the server log)."""
    from ipoc.core.errors import redact_paths

    if isinstance(exc, ApplicationError):
        return exc.message
    text = redact_paths(str(exc))[:500]
    return f"任务出错（{type(exc).__name__}：{text}），已记录在服务器日志中" if text else \
        f"任务出错（{type(exc).__name__}），已记录在服务器日志中"


def _discard_input(job: Job) -> None:
    from ipoc.core.uploads import discard_upload

    discard_upload((job.params or {}).get("path"))


def _abandon(job: Job) -> None:
    """Let the job's kind tidy what a failed or dead run left (e.g. mark its import batch failed)."""
    target = ABANDON_HANDLERS.get(job.kind)
    if not target:
        return
    module, _, func = target.partition(":")
    try:
        getattr(import_module(module), func)(job)
    except Exception:  # never hide the job's own error behind the tidy-up's
        logger.exception("on_abandon of job %s (%s) failed", job.pk, job.kind)


def job_run(job: Job, *, progress_bar: bool = False, via: str = "job", claimed: bool = False) -> Job:
    """Run a job to its end in this thread; its result or error is stored on the row. ``claimed``: a
    queue worker has already marked it running."""
    if not claimed:
        Job.objects.filter(pk=job.pk).update(status=JobStatus.RUNNING, started_at=timezone.now(), error="",
                                             heartbeat_at=timezone.now())
    job.refresh_from_db()
    ctx = JobContext(job, progress_bar=progress_bar)
    with channel(via):
        return job_finish(job, lambda: _handler(job.kind)(ctx), ctx=ctx)


def job_finish(job: Job, work: Callable[[], Any], *, ctx: JobContext) -> Job:
    """Run ``work`` (a job's handler, or the finish step of a chunked job) and record its end on the row."""
    try:
        result = work()
    except JobCancelled:
        ctx.close()
        job.refresh_from_db()
        return job
    except KeyboardInterrupt:
        ctx._save(force=True)
        Job.objects.filter(pk=job.pk).update(status=JobStatus.INTERRUPTED, finished_at=timezone.now())
        ctx.close()
        job.status = JobStatus.INTERRUPTED
        _abandon(job)
        raise
    except Exception as exc:  # the job's failure is data: store it, then re-raise for the CLI
        logger.warning("job %s (%s) failed:\n%s", job.pk, job.kind, traceback.format_exc())
        try:
            ctx._save(force=True)
        except JobCancelled:
            pass
        Job.objects.filter(pk=job.pk).update(status=JobStatus.FAILED, finished_at=timezone.now(),
                                             error=job_error_message(exc))
        ctx.close()
        job.refresh_from_db()
        _abandon(job)
        if isinstance(exc, ApplicationError):  # the file itself was refused: nothing to resume from
            _discard_input(job)
        raise
    ctx.close()
    ctx._save(force=True)
    Job.objects.filter(pk=job.pk).update(status=JobStatus.SUCCEEDED, finished_at=timezone.now(),
                                         result=result or {})
    job.refresh_from_db()
    _discard_input(job)
    return job


def job_start_background(job: Job) -> None:
    """Put a job on the task queue (after the current transaction commits); a worker runs it.

    With ``settings.IPOC_JOBS_INLINE`` (the test suite) the job runs at once in this thread. In the
    embedded mode the process starting it also starts its capped worker threads if it has none yet.
    """
    from ipoc.core import queue

    if queue.inline():
        job_run(job)
        return None
    if queue.is_embedded():
        queue.start_embedded_workers()
    transaction.on_commit(lambda: queue.enqueue_job(job.pk))
    return None


def job_started(job: Job) -> dict:
    """The API's answer to a request that started a job (202): where to follow it, and its result when
    it has already finished (the test suite runs jobs inline)."""
    job.refresh_from_db()
    return {"job_id": job.pk, "job_url": f"/api/v1/jobs/{job.pk}", "status": job.status,
            "report": (job.result or {}).get("report") if job.status == JobStatus.SUCCEEDED else None}


def job_of_request(request, kind: str) -> Job | None:
    """The job named by ``?job=`` on a page that shows a background import's report (``None`` without
    one); it must be of ``kind`` and visible to the user."""
    from ipoc.core.bounds import check_id
    from ipoc.core.errors import NotFound
    from ipoc.core.selectors import job_get

    raw = request.GET.get("job")
    if not raw:
        return None
    job = job_get(user=request.user, pk=check_id(raw, "job"))
    if job.kind != kind:
        raise NotFound(f"任务 {job.pk} 不是此类导入", field="job")
    return job


def job_resume(job: Job, *, progress_bar: bool = False, via: str = "cli") -> Job:
    """Rerun an interrupted or failed job; its function continues from ``job.checkpoint``."""
    if job.status == JobStatus.SUCCEEDED:
        raise ApplicationError(f"任务 #{job.pk} 已完成，无需续跑", field="job")
    return job_run(job, progress_bar=progress_bar, via=via)


def jobs_mark_stale_interrupted(*, older_than_seconds: int = 120, background: bool = False) -> int:
    """Running jobs whose heartbeat stopped (the process died) become 'interrupted', and their kind's
    ``on_abandon`` hook runs (an import's batch is no longer shown as running; what it committed is
    handed to the search index). With ``older_than_seconds=0`` (the web server starting) every job
    left running or queued by a previous process is concerned; ``background`` runs the hooks in a
    thread (the web server starts without waiting for an index sync)."""
    from django.db.models import Q

    from ipoc.core import queue

    if not queue.inline():  # on the task queue: work of dead workers goes back on the queue instead
        try:
            return sum(queue.reclaim_stale().values())
        except Exception:  # the broker is down: the workers' janitors requeue it once it is back
            logger.exception("could not requeue the work of dead workers")
            return 0
    cutoff = timezone.now() - timezone.timedelta(seconds=older_than_seconds)
    stale = Q(status=JobStatus.RUNNING) & (Q(heartbeat_at__lt=cutoff) | Q(heartbeat_at__isnull=True,
                                                                           started_at__lt=cutoff))
    if older_than_seconds <= 0:
        stale |= Q(status=JobStatus.PENDING, created_at__lt=cutoff)
    jobs = list(Job.objects.filter(stale))
    for job in jobs:
        Job.objects.filter(pk=job.pk).update(status=JobStatus.INTERRUPTED, finished_at=job.finished_at or
                                             timezone.now())
        job.status = JobStatus.INTERRUPTED

    def tidy() -> None:
        try:
            for job in jobs:
                _abandon(job)
        finally:
            if background:
                close_old_connections()

    if background and jobs:
        threading.Thread(target=tidy, name="ipoc-jobs-tidy", daemon=True).start()
    else:
        tidy()
    return len(jobs)
