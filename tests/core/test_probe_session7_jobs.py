"""Probe (session 7): 重新排队 on the jobs page skipped the admission rules — a center whose share of a kind was full
(at most half the kind's slots, core.jobs.job_admit) cancelled its jobs, started new ones and put the cancelled
ones back on the queue, holding every slot of the kind."""

from __future__ import annotations

import pytest

from ipoc.core import queue
from ipoc.core.jobs import CANCELLED
from ipoc.core.models import Job, JobStatus

KIND = "analytics.evaluate"  # 6 slots, 3 per organisation


@pytest.fixture
def no_workers(monkeypatch):
    monkeypatch.setattr(queue, "enqueue_job", lambda pk: None)


def _job(user, status=JobStatus.PENDING, **kw):
    return Job.objects.create(kind=KIND, title="评估专利集合：x", params={"set_ids": []}, status=status,
                              created_by=user, organization=user.organization, **kw)


def test_retry_is_refused_while_the_organisations_share_is_full(db, client, users, no_workers):
    center = users["center_a"]
    cancelled = _job(center, status=JobStatus.INTERRUPTED, error=CANCELLED)
    for _ in range(3):
        _job(center)
    client.force_login(center)
    r = client.post(f"/jobs/{cancelled.pk}/retry/", follow=True)
    assert r.status_code == 200 and "每个单位最多 3 个" in r.content.decode()
    cancelled.refresh_from_db()
    assert cancelled.status == JobStatus.INTERRUPTED
    assert Job.objects.filter(kind=KIND, organization=center.organization, status=JobStatus.PENDING).count() == 3


def test_retry_within_the_share_and_by_an_administrator(db, client, users, no_workers):
    center = users["center_a"]
    cancelled = _job(center, status=JobStatus.INTERRUPTED, error=CANCELLED)
    _job(center)
    client.force_login(center)
    client.post(f"/jobs/{cancelled.pk}/retry/")
    cancelled.refresh_from_db()
    assert cancelled.status == JobStatus.PENDING
    # an administrator operating the queue is not held to an organisation's share
    other = _job(center, status=JobStatus.FAILED)
    _job(center)
    client.force_login(users["admin"])
    client.post(f"/jobs/{other.pk}/retry/")
    other.refresh_from_db()
    assert other.status == JobStatus.PENDING


def test_another_organisation_cannot_retry_or_cancel(db, client, users, no_workers):
    job = _job(users["center_a"], status=JobStatus.FAILED)
    for who in ("center_b", "ent_a", "expert"):
        client.force_login(users[who])
        assert client.post(f"/jobs/{job.pk}/retry/").status_code == 404, who
        assert client.post(f"/jobs/{job.pk}/cancel/").status_code == 404, who
    job.refresh_from_db()
    assert job.status == JobStatus.FAILED
