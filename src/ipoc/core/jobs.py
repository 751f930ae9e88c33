"""Long work as ``Job`` rows: status, progress, log, result and a checkpoint.

The web starts a job in a background thread and shows its progress; the CLI
runs the same job in the foreground with a progress bar. A job's function
receives a ``JobContext`` and may store a checkpoint; ``job_resume`` reruns an
interrupted or failed job from its checkpoint.
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


def register_job(kind: str, handler: str) -> None:
    JOB_HANDLERS[kind] = handler


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
        """Persist a resume point; call it right after the work it describes is committed."""
        self.job.checkpoint = data
        self._save(force=True)

    def _save(self, force: bool = False) -> None:
        now = time.monotonic()
        if force or now - self._last_save >= self.SAVE_EVERY_SECONDS:
            self.job.heartbeat_at = timezone.now()
            Job.objects.filter(pk=self.job.pk).update(
                progress_done=self.job.progress_done, progress_total=self.job.progress_total,
                checkpoint=self.job.checkpoint, log=self.job.log, heartbeat_at=self.job.heartbeat_at)
            self._last_save = now

    def close(self) -> None:
        if self._bar is not None:
            self._bar.close()


def job_create(*, actor: User | None, kind: str, title: str = "", params: dict | None = None,
               organization: Organization | None = None, total: int | None = None) -> Job:
    if kind not in JOB_HANDLERS:
        raise ApplicationError(f"未知的任务类型：{kind}", field="kind")
    return Job.objects.create(kind=kind, title=title, params=params or {}, progress_total=total,
                              created_by=actor if actor and actor.pk else None,
                              organization=organization or (actor.organization if actor and actor.pk else None))


def _handler(kind: str) -> Callable[[JobContext], Any]:
    module, _, func = JOB_HANDLERS[kind].partition(":")
    return getattr(import_module(module), func)


def job_run(job: Job, *, progress_bar: bool = False, via: str = "job") -> Job:
    """Run a job to its end in this thread; its result or error is stored on the row."""
    Job.objects.filter(pk=job.pk).update(status=JobStatus.RUNNING, started_at=timezone.now(), error="")
    job.refresh_from_db()
    ctx = JobContext(job, progress_bar=progress_bar)
    try:
        with channel(via):
            result = _handler(job.kind)(ctx)
    except KeyboardInterrupt:
        ctx._save(force=True)
        Job.objects.filter(pk=job.pk).update(status=JobStatus.INTERRUPTED, finished_at=timezone.now())
        ctx.close()
        raise
    except Exception as exc:  # the job's failure is data: store it, then re-raise for the CLI
        ctx._save(force=True)
        message = exc.message if isinstance(exc, ApplicationError) else f"{type(exc).__name__}: {exc}"
        Job.objects.filter(pk=job.pk).update(status=JobStatus.FAILED, finished_at=timezone.now(),
                                             error=message + "\n" + traceback.format_exc(limit=5))
        ctx.close()
        job.refresh_from_db()
        raise
    ctx.close()
    ctx._save(force=True)
    Job.objects.filter(pk=job.pk).update(status=JobStatus.SUCCEEDED, finished_at=timezone.now(),
                                         result=result or {})
    job.refresh_from_db()
    return job


def job_start_background(job: Job) -> threading.Thread | None:
    """Run a job in a daemon thread of the web process (after the current transaction commits).

    With ``settings.IPOC_JOBS_INLINE`` (the test suite) the job runs at once in this thread.
    """
    from django.conf import settings

    if getattr(settings, "IPOC_JOBS_INLINE", False):
        job_run(job)
        return None

    def target() -> None:
        close_old_connections()
        try:
            job_run(job)
        except Exception:  # already recorded on the job row
            logger.exception("job %s failed", job.pk)
        finally:
            close_old_connections()

    thread = threading.Thread(target=target, name=f"ipoc-job-{job.pk}", daemon=True)
    transaction.on_commit(thread.start)
    return thread


def job_resume(job: Job, *, progress_bar: bool = False, via: str = "cli") -> Job:
    """Rerun an interrupted or failed job; its function continues from ``job.checkpoint``."""
    if job.status == JobStatus.SUCCEEDED:
        raise ApplicationError(f"任务 #{job.pk} 已完成，无需续跑", field="job")
    return job_run(job, progress_bar=progress_bar, via=via)


def jobs_mark_stale_interrupted(*, older_than_seconds: int = 120) -> int:
    """Running jobs whose heartbeat stopped (the process died) become 'interrupted'."""
    cutoff = timezone.now() - timezone.timedelta(seconds=older_than_seconds)
    return Job.objects.filter(status=JobStatus.RUNNING, heartbeat_at__lt=cutoff).update(
        status=JobStatus.INTERRUPTED)
