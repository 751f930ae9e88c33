"""Batch matching split into chunks of demands on a networked queue: the chunks' matches are exactly those of
one uninterrupted run, and a chunk redone after a lost worker changes nothing."""

from __future__ import annotations

from ipoc.core import queue
from ipoc.core.models import Job, JobStatus
from ipoc.demands import services as demand_services
from ipoc.demands.models import DemandStatus
from ipoc.matching import services
from ipoc.matching.models import Match, MatchRun
from tests.core.test_queue import broker  # noqa: F401  (the fake Redis that runs queued tasks in order)
from tests.matching.test_matching import corpus, search_index  # noqa: F401

TITLES = ["锂电池正极材料包覆技术", "正极材料包覆设备", "图像传感器降噪", "锂电池循环寿命提升", "快离子导体包覆层"]


def _demands(users, orgs):
    out = []
    for title in TITLES:
        d = demand_services.demand_create(actor=users["ent_a"], title=title, center=orgs["center_a"])
        demand_services.demand_transition(actor=users["ent_a"], demand=d, to_status=DemandStatus.PENDING)
        out.append(demand_services.demand_transition(actor=users["center_a"], demand=d,
                                                     to_status=DemandStatus.PUBLISHED))
    return out


def _matches():
    return sorted(Match.objects.values_list("demand_id", "patent_id", "rank"))


def test_a_chunked_batch_equals_an_uninterrupted_one(users, orgs, corpus, broker):  # noqa: F811
    _demands(users, orgs)
    whole = services.match_batch(actor=users["center_a"], center=None)
    reference = _matches()
    assert whole.demands == 5 and whole.matches == len(reference) > 0

    Match.objects.all().delete()
    job = services.match_batch_start(actor=users["center_a"], center=None)
    Job.objects.filter(pk=job.pk).update(params=job.params | {"chunk_demands": 2})
    queue.enqueue_job(job.pk)
    broker.drain()
    job.refresh_from_db()
    chunks = list(queue.chunks_of(job))
    assert job.status == JobStatus.SUCCEEDED, job.error
    assert [c.params["spec"]["size"] for c in chunks] == [2, 2, 1]
    assert all(c.status == JobStatus.SUCCEEDED for c in chunks) and job.progress_done == 5
    run = MatchRun.objects.get(pk=job.params["run_id"])
    assert (run.demands, run.matches) == (5, len(reference)) and job.result["run_id"] == run.pk
    assert _matches() == reference

    # a worker lost after its chunk wrote its matches: another worker redoes it, nothing doubles
    Job.objects.filter(pk=chunks[0].pk).update(status=JobStatus.PENDING)
    Job.objects.filter(pk=job.pk).update(status=JobStatus.RUNNING)
    queue.run_chunk(chunks[0].pk)
    assert _matches() == reference


def test_the_embedded_queue_runs_a_batch_whole(users, orgs, corpus, broker):  # noqa: F811
    _demands(users, orgs)
    job = services.match_batch_start(actor=users["center_a"], center=None)
    queue.enqueue_job(job.pk)
    broker.drain()
    job.refresh_from_db()
    assert job.status == JobStatus.SUCCEEDED and not queue.chunks_of(job).exists()
    assert job.result["demands"] == 5
