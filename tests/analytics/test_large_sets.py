"""Large sets: the landscape on two connections gives exactly the one-connection figures; above the inline
limit a set is evaluated by a queued job (create, 重新评估, and after an import), and its page says so."""

from __future__ import annotations

import datetime as dt

import pytest

from ipoc.analytics import engine, selectors, services
from ipoc.analytics.models import PatentSet, SetKind
from ipoc.core.models import Job, JobStatus
from tests.conftest import PASSWORD

TODAY = dt.date(2026, 12, 6)


def _set(users, corpus) -> PatentSet:
    return services.patent_set_create(actor=users["admin"], name="导入批次", kind=SetKind.IMPORT_BATCH,
                                      definition={"batch_id": corpus.pk})


@pytest.mark.django_db(transaction=True)
def test_two_connections_give_the_same_landscape(transactional_db, corpus, users):
    patent_set = _set(users, corpus)
    src = selectors.source()
    opened = []
    fork = src.fork

    def counting_fork():
        opened.append(1)
        return fork()

    src.fork = counting_fork
    terms = {"technologies": [engine.Term(1, "电池", ("电池",)), engine.Term(2, "基站", ("基站",))],
             "effects": [engine.Term(3, "效率", ("效率",)), engine.Term(4, "成本", ("成本",))],
             "nodes": [engine.Term(5, "通信", ("基站",), ("H04",))]}
    one = engine.landscape(src, patent_set.pk, today=TODAY, workers=1, **terms)
    assert not opened
    two = engine.landscape(src, patent_set.pk, today=TODAY, workers=2, **terms)
    assert len(opened) == 1  # the second thread really ran on its own connection
    assert one == two
    # 电池 in records 1, 2 and 5; 基站 in record 3; the node: 基站 (3) or an H04 code (3 and 4)
    assert one["totals"]["patents"] == 6 and one["matrix"]["technologies"] == [3, 1]
    assert one["chain_counts"] == [2]


def test_an_error_on_the_second_connection_reaches_the_caller(corpus, users):
    patent_set = _set(users, corpus)
    src = selectors.source()

    def broken():
        raise RuntimeError("no second connection")

    src.fork = broken
    with pytest.raises(RuntimeError, match="no second connection"):
        engine.landscape(src, patent_set.pk, today=TODAY, workers=2)


def test_large_sets_are_evaluated_by_a_queued_job(corpus, users, import_extra, monkeypatch,
                                                  django_capture_on_commit_callbacks):
    monkeypatch.setattr(services, "INLINE_MAX", 3)  # the 6-patent store counts as large
    with django_capture_on_commit_callbacks(execute=True):
        patent_set = services.patent_set_create(actor=users["center_a"], name="通信", kind=SetKind.SEARCH,
                                                definition={"q": "", "filters": {"ipc": "H04"}})
    job = Job.objects.get(kind=services.EVALUATE_KIND)
    assert job.status == JobStatus.SUCCEEDED and job.params == {"set_ids": [patent_set.pk]}
    patent_set.refresh_from_db()
    assert patent_set.size == 2 and patent_set.evaluated_at is not None
    assert job.result["sizes"] == {str(patent_set.pk): 2} and job.progress_done == job.progress_total == 1

    assert services.patent_sets_reevaluate() == 0  # nothing evaluated in the caller: one job for all sets
    import_extra()  # one more H04 patent: the import's hook queues the re-evaluation
    patent_set.refresh_from_db()
    assert patent_set.size == 3
    assert Job.objects.filter(kind=services.EVALUATE_KIND, status=JobStatus.SUCCEEDED).count() == 3


def test_a_killed_evaluation_resumes_after_the_last_set(corpus, users):
    first, second = _set(users, corpus), _set(users, corpus)
    PatentSet.objects.filter(pk__in=[first.pk, second.pk]).update(size=0)
    job = Job.objects.create(kind=services.EVALUATE_KIND, params={"set_ids": [first.pk, second.pk]},
                             checkpoint={"done": [first.pk], "sizes": {str(first.pk): 6}})
    from ipoc.core.jobs import job_run

    job = job_run(job)
    assert job.status == JobStatus.SUCCEEDED and job.result["evaluated"] == 2
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.size == 0 and second.size == 6  # the set done before the kill was not evaluated again


def test_the_page_and_the_api_start_a_job_for_a_large_store(client, corpus, users, monkeypatch):
    patent_set = services.patent_set_create(actor=users["center_a"], name="通信", kind=SetKind.SEARCH,
                                            definition={"q": "", "filters": {"ipc": "H04"}})
    client.login(username="center_a", password=PASSWORD)
    r = client.post(f"/api/v1/analytics/sets/{patent_set.pk}/evaluate")
    assert r.status_code == 200 and r.json()["size"] == 2
    monkeypatch.setattr(services, "INLINE_MAX", 3)
    r = client.post(f"/api/v1/analytics/sets/{patent_set.pk}/evaluate")
    assert r.status_code == 202, r.content
    body = r.json()
    assert body["status"] == JobStatus.SUCCEEDED and body["job_url"] == f"/api/v1/jobs/{body['job_id']}"
    r = client.post(f"/analytics/{patent_set.pk}/evaluate/")
    job = Job.objects.filter(kind=services.EVALUATE_KIND).latest("pk")
    assert r.status_code == 302 and r["Location"] == f"/jobs/{job.pk}/"
    # a queued job is announced on the set's page
    Job.objects.filter(pk=job.pk).update(status=JobStatus.PENDING)
    page = client.get(f"/analytics/{patent_set.pk}/").content.decode()
    assert 'data-testid="evaluation-job"' in page and f"/jobs/{job.pk}/" in page
    client.login(username="center_b", password=PASSWORD)
    assert client.post(f"/api/v1/analytics/sets/{patent_set.pk}/evaluate").status_code == 404
