"""Probe (session 7, hostile users) of set evaluation as a queued job: starting jobs on sets one cannot see or
change, reading another organisation's evaluation job, flooding the queue with evaluations of one set, a set
created while the organisation's job share is full, and what the set page shows of a job its viewer may not see."""

from __future__ import annotations

import pytest

from ipoc.analytics import services
from ipoc.analytics.models import PatentSet, SetKind
from ipoc.core import jobs
from ipoc.core.models import Job, JobStatus


@pytest.fixture
def queued(monkeypatch):
    """A large store whose jobs stay queued (no worker picks them up)."""
    monkeypatch.setattr(services, "INLINE_MAX", 3)
    monkeypatch.setattr(jobs, "job_start_background", lambda job: None)


@pytest.fixture
def make_set(users, django_capture_on_commit_callbacks):
    """make_set(who, name): a set created as in a request (its evaluation queued once the creation commits)."""

    def make(who="center_a", name="通信") -> PatentSet:
        with django_capture_on_commit_callbacks(execute=True):
            return services.patent_set_create(actor=users[who], name=name, kind=SetKind.SEARCH,
                                              definition={"q": "", "filters": {"ipc": "H04"}})

    return make


def test_no_one_else_starts_an_evaluation(corpus, make_set, users, api_client, client, queued):
    patent_set = make_set()
    before = Job.objects.filter(kind=services.EVALUATE_KIND).count()
    for who in ("center_b", "ent_a", "ent_b", "univ", "expert", "js_office", "cnipa"):
        r = api_client.as_user(users[who]).post(f"/api/v1/analytics/sets/{patent_set.pk}/evaluate"[7:])
        assert r.status_code in (403, 404), (who, r.status_code)
        client.force_login(users[who])
        assert client.post(f"/analytics/{patent_set.pk}/evaluate/").status_code in (403, 404), who
    client.logout()
    assert client.post(f"/api/v1/analytics/sets/{patent_set.pk}/evaluate").status_code == 401
    assert Job.objects.filter(kind=services.EVALUATE_KIND).count() == before


def test_another_organisation_cannot_read_the_evaluation_job(corpus, make_set, users, api_client, client, queued):
    patent_set = make_set(name="机密导航集合")
    r = api_client.as_user(users["center_a"]).post(f"/analytics/sets/{patent_set.pk}/evaluate")
    assert r.status_code == 202
    job_id = r.json()["job_id"]
    for who in ("center_b", "ent_a", "ent_b", "univ", "expert", "js_office"):
        r = api_client.as_user(users[who]).get(f"/jobs/{job_id}")
        assert r.status_code == 404 and "机密导航集合" not in r.content.decode(), who
        client.force_login(users[who])
        r = client.get(f"/jobs/{job_id}/")
        assert r.status_code == 404 and "机密导航集合" not in r.content.decode(), who
        assert "机密导航集合" not in client.get("/jobs/").content.decode(), who


@pytest.mark.parametrize("bad", ["99999999999999999999999", "-1", "abc", "1e3"])
def test_ids_that_are_not_ids(corpus, users, api_client, client, bad):
    r = api_client.as_user(users["center_a"]).post(f"/analytics/sets/{bad}/evaluate")
    assert 400 <= r.status_code < 500 and "Traceback" not in r.content.decode()
    client.force_login(users["center_a"])
    r = client.post(f"/analytics/{bad}/evaluate/")
    assert 400 <= r.status_code < 500
    r = api_client.as_user(users["center_a"]).get(f"/jobs/{bad}")
    assert 400 <= r.status_code < 500


def test_evaluating_a_set_already_queued_reuses_its_job(corpus, make_set, users, api_client, client, queued):
    """Each 重新评估 queued one more job for the same set until the organisation's share of the kind was full
    (3 of 6): one person kept three identical evaluations in the queue and the center could start no other."""
    patent_set = make_set()
    assert Job.objects.filter(kind=services.EVALUATE_KIND).count() == 1  # the creation's own evaluation
    first = Job.objects.get(kind=services.EVALUATE_KIND)
    api = api_client.as_user(users["center_a"])
    for _ in range(4):
        r = api.post(f"/analytics/sets/{patent_set.pk}/evaluate")
        assert r.status_code == 202 and r.json()["job_id"] == first.pk, r.content
    client.force_login(users["center_a"])
    r = client.post(f"/analytics/{patent_set.pk}/evaluate/")
    assert r.status_code == 302 and r["Location"] == f"/jobs/{first.pk}/"
    assert Job.objects.filter(kind=services.EVALUATE_KIND).count() == 1
    other = make_set(name="另一个")  # the center may still evaluate its other sets
    assert Job.objects.filter(kind=services.EVALUATE_KIND, params__set_ids=[other.pk]).exists()


def test_a_running_job_is_not_reused(corpus, make_set, users, api_client, queued):
    """A job already running may have passed the set: a new request queues a fresh evaluation."""
    patent_set = make_set()
    Job.objects.filter(kind=services.EVALUATE_KIND).update(status=JobStatus.RUNNING)
    r = api_client.as_user(users["center_a"]).post(f"/analytics/sets/{patent_set.pk}/evaluate")
    assert r.status_code == 202
    assert Job.objects.filter(kind=services.EVALUATE_KIND).count() == 2


@pytest.mark.django_db(transaction=True)
def test_a_set_is_not_created_when_its_evaluation_cannot_be_queued(transactional_db, corpus, users, api_client,
                                                                   queued):
    """With the center's share of evaluation jobs full, creating a set answered 429 — after the set had been saved,
    never to be evaluated."""
    for i in range(3):
        Job.objects.create(kind=services.EVALUATE_KIND, title=f"x{i}", params={"set_ids": []},
                           organization=users["center_a"].organization, created_by=users["center_a"])
    r = api_client.as_user(users["center_a"]).post("/analytics/sets", {
        "name": "洪水", "kind": "search", "q": "", "filters": {"ipc": "H04"}})
    assert r.status_code == 429 and r.json()["error"]["field"] == "kind", r.content
    assert not PatentSet.objects.filter(name="洪水").exists()


def test_the_set_page_does_not_show_a_job_its_viewer_cannot_open(corpus, make_set, users, client, queued):
    """The re-evaluation after an import (no organisation) covers every set on the platform: a center's set page
    linked to it (a 404 for the center) and showed how many sets the whole platform holds."""
    mine = make_set()
    for i in range(4):
        make_set("admin", f"乙{i}")
    Job.objects.all().delete()
    services.patent_sets_evaluate_start(actor=None)
    job = Job.objects.get(kind=services.EVALUATE_KIND)
    assert job.progress_total == 5
    client.force_login(users["center_a"])
    page = client.get(f"/analytics/{mine.pk}/").content.decode()
    assert 'data-testid="evaluation-job"' in page  # still said: it is being evaluated
    assert f"/jobs/{job.pk}/" not in page and "/ 5" not in page
    client.force_login(users["admin"])
    page = client.get(f"/analytics/{mine.pk}/").content.decode()
    assert f"/jobs/{job.pk}/" in page


SUPERSCRIPT = "²"  # str.isdigit() says yes, int() raises


def test_query_and_form_ids_that_are_digits_but_not_numbers(corpus, make_set, users, client):
    patent_set = make_set()
    client.force_login(users["center_a"])
    assert client.get("/analytics/chain/", {"center": SUPERSCRIPT}).status_code in (200, 400, 404)
    for action in ("delete", "save"):
        r = client.post(f"/analytics/{patent_set.pk}/matrix/", {"action": action, "term": SUPERSCRIPT,
                                                                 "axis": "technology", "name": "电池",
                                                                 "keywords": "电池"})
        assert r.status_code in (200, 302, 400, 404), (action, r.status_code)


def test_deleting_a_term_of_another_set_is_404_not_500(corpus, make_set, users, client):
    """The matrix page's 删除 of a term id that is not of this set raised NotFound into an unbound form: a 500."""
    mine, theirs = make_set(), make_set("center_b", "乙的集合")
    term = services.matrix_term_save(actor=users["center_b"], patent_set=theirs, axis="technology", label="基站",
                                     words=["基站"])
    client.force_login(users["center_a"])
    for value in (term.pk, 99999, SUPERSCRIPT):
        r = client.post(f"/analytics/{mine.pk}/matrix/", {"action": "delete", "term": value})
        assert r.status_code == 404, (value, r.status_code)
    assert type(term).objects.filter(pk=term.pk).exists()
