"""Home pages are work queues: each role sees what waits for it, with deadlines, linked to where it is done."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from ipoc.centers import services as center_services
from ipoc.core import home
from ipoc.core.models import OrganizationKind, Role
from ipoc.demands import services as demand_services


@pytest.fixture
def center_a(orgs):
    """甲 center, provincial, managed by 江苏省知识产权局 (no municipal office: applications go to 形式审查)."""
    from ipoc.core import services as core_services

    host = core_services.organization_create(actor=None, name="苏州甲新材料集团股份有限公司",
                                             kind=OrganizationKind.ENTERPRISE, is_sme=False, region_code="320505")
    return center_services.center_create(
        actor=None, organization=orgs["center_a"], name="甲产业知识产权运营中心", host_organization=host,
        host_type="leading_enterprise", industry="纳米新材料", level="provincial", managing_office=orgs["js_office"])


def _pending_demand(users, orgs, title="高纯氧化铝制备工艺", deadline=None):
    demand = demand_services.demand_create(actor=users["ent_a"], title=title, center=orgs["center_a"],
                                           deadline=deadline)
    return demand_services.demand_transition(actor=users["ent_a"], demand=demand, to_status="pending")


def test_a_queue_from_dicts_shows_deadlines_and_overdue_in_red(client, users):
    today = timezone.localdate()

    def provider(user):
        return {"title": "测试待办", "url": "/demands/", "count": 2, "items": [
            {"title": "逾期的事", "url": "/x/", "due": today - dt.timedelta(days=3), "badge": "待办"},
            {"title": "将到期的事", "url": "/y/", "due": today + dt.timedelta(days=2)}]}

    home.register_queue((Role.EXPERT,), provider, order=1)
    try:
        queues = home.home_context(users["expert"], Role.EXPERT)["queues"]
        mine = next(q for q in queues if q.title == "测试待办")
        assert [i.due_state for i in mine.items] == ["overdue", "soon"] and mine.overdue_count == 1
        client.force_login(users["expert"])
        html = client.get("/").content.decode()
        assert "已逾期 3 天" in html and "text-danger" in html and "还剩 2 天" in html
        assert 'href="/x/"' in html and "1 项逾期" in html
    finally:
        home.QUEUES[Role.EXPERT] = [e for e in home.QUEUES[Role.EXPERT] if e[1] is not provider]


def test_center_sees_demands_waiting_for_acceptance_linked_and_overdue(client, users, orgs):
    demand = _pending_demand(users, orgs, deadline=timezone.localdate() - dt.timedelta(days=1))
    client.force_login(users["center_a"])
    html = client.get("/").content.decode()
    assert "待受理的需求" in html and demand.title in html
    assert f'href="/demands/{demand.pk}/"' in html and "已逾期 1 天" in html
    client.force_login(users["center_b"])  # another center does not see it
    assert demand.title not in client.get("/").content.decode()


def test_enterprise_home_shows_the_state_of_its_own_demands(client, users, orgs):
    demand = _pending_demand(users, orgs)
    client.force_login(users["ent_a"])
    html = client.get("/").content.decode()
    assert "我的需求进展" in html and demand.title in html and "待审核" in html
    assert "等待甲产业知识产权运营中心受理" in html
    client.force_login(users["ent_b"])
    assert demand.title not in client.get("/").content.decode()


def test_office_opens_its_waiting_formal_review_from_home(client, users, center_a):
    app = center_services.application_create(actor=users["center_a"], center=center_a, year=2025,
                                             summary="建设情况", achievements="成效")
    center_services.application_submit(actor=users["center_a"], application=app)
    client.force_login(users["js_office"])
    html = client.get("/").content.decode()
    assert "认定申请待办理" in html and "待形式审查" in html
    assert f'href="/centers/applications/{app.pk}/"' in html
    assert client.get(f"/centers/applications/{app.pk}/").status_code == 200
    client.force_login(users["cnipa"])  # the national office does not hold this step
    assert f'href="/centers/applications/{app.pk}/"' not in client.get("/").content.decode()


def test_expert_home_lists_the_assigned_review_with_its_deadline(client, users, center_a):
    app = center_services.application_create(actor=users["center_a"], center=center_a, year=2025,
                                             summary="建设情况", achievements="成效")
    center_services.application_submit(actor=users["center_a"], application=app)
    center_services.application_formal_review(actor=users["js_office"], application=app, outcome="accept")
    due = timezone.localdate() + dt.timedelta(days=5)
    review = center_services.review_assign(actor=users["js_office"], application=app, expert=users["expert"],
                                           due_on=due)
    client.force_login(users["expert"])
    html = client.get("/").content.decode()
    assert "待完成的评审" in html and "待声明利益冲突" in html and center_a.name in html
    assert f'href="/centers/reviews/{review.pk}/"' in html and due.strftime("%Y-%m-%d") in html
    client.force_login(users["expert2"])
    assert f'/centers/reviews/{review.pk}/' not in client.get("/").content.decode()


def test_a_role_with_nothing_waiting_is_told_so_in_words(client, users):
    client.force_login(users["expert"])
    html = client.get("/").content.decode()
    assert "待完成的评审" in html and "暂无待办" in html


@pytest.mark.parametrize("username", ["admin", "cnipa", "center_a", "ent_a", "univ", "expert"])
def test_every_role_gets_key_figures_with_links(client, users, username):
    client.force_login(users[username])
    response = client.get("/")
    ctx = response.context
    assert 2 <= len(ctx["cards"]) <= 8, [c["title"] for c in ctx["cards"]]  # at most two rows of four
    assert all(c["url"] for c in ctx["cards"])
    assert ctx["queues"], "every role has a work queue"


def test_admin_sees_failed_jobs(client, users):
    from ipoc.core.models import Job, JobStatus

    job = Job.objects.create(kind="patents.import", title="导入专利：坏文件.csv", status=JobStatus.FAILED,
                             error="第 3 行：无法识别的日期")
    client.force_login(users["admin"])
    html = client.get("/").content.decode()
    assert "失败或中断的任务" in html and "导入专利：坏文件.csv" in html and f'href="/jobs/{job.pk}/"' in html
    assert "无法识别的日期" in html
