"""后台任务 pages: the jobs a person may see, and for platform administrators the task queue itself —
its depth, the workers alive and their throughput, and the dead-lettered chunks (死信) to retry."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from ipoc.core import queue, selectors
from ipoc.core.errors import ApplicationError, PermissionDenied
from ipoc.core.jobs import KIND_LABELS
from ipoc.core.models import Job, JobStatus
from ipoc.core.pagination import CountedPaginator


def _may_operate(user, job: Job) -> bool:
    """Cancel or requeue: platform administrators, and the person who started the job."""
    return bool(user.is_platform_admin or (job.created_by_id and job.created_by_id == user.pk))


@login_required
def job_list(request):
    qs = selectors.job_list(user=request.user).select_related("created_by")
    status = request.GET.get("status", "")
    if status in JobStatus.values:
        qs = qs.filter(status=status)
    page = CountedPaginator(qs, 30).get_page(request.GET.get("page"))
    for job in page.object_list:
        job.kind_label = KIND_LABELS.get(job.kind, _("后台任务"))
        job.may_operate = _may_operate(request.user, job)
    ctx = {"page": page, "status": status, "statuses": JobStatus.choices}
    if request.user.is_platform_admin:
        ctx |= {"queue_depth": queue.queue_depth(), "workers": queue.workers_alive(),
                "dead": list(queue.dead_letters()), "embedded": queue.is_embedded(),
                "running_chunks": Job.objects.filter(kind=queue.CHUNK_KIND, status=JobStatus.RUNNING).count()}
    return render(request, "core/job_list.html", ctx)


@login_required
@require_POST
def job_cancel(request, pk: int):
    job = selectors.job_get(user=request.user, pk=pk)
    if not _may_operate(request.user, job):
        raise PermissionDenied(_("只有发起人或平台管理员可以取消该任务"), field="job")
    try:
        queue.job_cancel(job, actor=request.user)
        messages.success(request, _("任务 #%(pk)s 已取消") % {"pk": job.pk})
    except ApplicationError as exc:
        messages.error(request, exc.message)
    return redirect("job_detail", pk=job.pk)


@login_required
@require_POST
def job_retry(request, pk: int):
    job = selectors.job_get(user=request.user, pk=pk)
    if not _may_operate(request.user, job):
        raise PermissionDenied(_("只有发起人或平台管理员可以重新排队该任务"), field="job")
    try:
        job = queue.job_requeue(job, actor=request.user)  # a new start for the limits (probe)
        messages.success(request, _("任务 #%(pk)s 已重新排队") % {"pk": job.pk})
    except ApplicationError as exc:
        messages.error(request, exc.message)
    return redirect("job_detail", pk=job.pk)


def job_detail_context(request, job: Job) -> dict:
    """A job's page: its progress, and for a job split on the queue its chunks by status (and which failed)."""
    ctx = {"job": job, "may_operate": _may_operate(request.user, job)}
    if job.kind == queue.CHUNK_KIND:
        ctx["parent"] = Job.objects.filter(pk=job.params.get("parent")).first()
        return ctx
    chunks = queue.chunks_of(job)
    if chunks.exists():
        counts = dict.fromkeys(JobStatus.values, 0)
        for status in chunks.values_list("status", flat=True):
            counts[status] += 1
        ctx["chunk_counts"] = [(label, counts[value], value) for value, label in JobStatus.choices if counts[value]]
        ctx["failed_chunks"] = list(chunks.filter(status=JobStatus.FAILED)[:20])
    return ctx
