"""The whole life of a national center in a real browser, each role in its own session: registration →
application → local recommendation → formal review (returned once) → two expert scores → publicity with one
objection from the public → recognition → annual report from the records → evaluation 不合格 → rectification →
revocation; the public list follows."""

from __future__ import annotations

import datetime as dt

import pytest

from ipoc.centers import clock
from ipoc.centers.models import Center
from ipoc.search.testing import search_index  # noqa: F401
from tests.centers.test_lifecycle import records  # noqa: F401
from tests.conftest import PASSWORD, pick
from tests.revitalization.conftest import cast, needs_sample, patents  # noqa: F401

pytestmark = [pytest.mark.browser, needs_sample, pytest.mark.django_db(transaction=True)]
YEAR = dt.date.today().year


@pytest.fixture
def session(browser, live_server):
    contexts = []

    def open_as(username: str | None):
        context = browser.new_context(locale="zh-CN", base_url=live_server.url)
        contexts.append(context)
        pg = context.new_page()
        pg.set_default_timeout(15000)
        pg.on("dialog", lambda dialog: dialog.accept())  # decisions that cannot be undone ask first
        if username:
            pg.goto("/login/")
            pg.fill("#id_username", username)
            pg.fill("#id_password", PASSWORD)
            pg.click("button[type=submit]")
            pg.wait_for_url(lambda url: "/login/" not in url)
        return pg

    yield open_as
    for context in contexts:
        context.close()


def submit(pg, form: str, value: str | None = None):
    """Press the form's submit button (the one with ``value`` where a form offers several decisions)."""
    pg.click(f"{form} button[type=submit]" + (f"[value='{value}']" if value is not None else ""))
    pg.wait_for_load_state("networkidle")


def test_center_lifecycle_in_the_browser(session, users, orgs, hosts, records, monkeypatch):  # noqa: F811
    cnipa, center, zj = session("cnipa"), session("center_b"), session("zj_office")
    public = session(None)

    # 登记 by the national office
    cnipa.goto("/centers/new/")
    cnipa.select_option("#id_organization", label=orgs["center_b"].name, force=True)
    cnipa.fill("#id_name", "乙产业知识产权运营中心")
    pick(cnipa, "id_host_organization", hosts["institute"].name)  # searched, not scrolled through 2,580 entries
    cnipa.select_option("#id_host_type", value="research_institute")
    cnipa.fill("#id_industry", "新材料")
    cnipa.select_option("#id_level", value="national")
    cnipa.select_option("#id_managing_office", label="国家知识产权局", force=True)
    submit(cnipa, "#center-form")
    c = Center.objects.get(organization=orgs["center_b"])
    assert cnipa.url.endswith(f"/centers/{c.pk}/")

    # 中心申报
    center.goto("/centers/applications/")
    center.click("#new-application")
    center.fill("#f_year", str(YEAR))
    center.fill("#f_summary", "已建成工作机构，配备专职人员8名")
    center.fill("#f_achievements", "盘活科研院所存量专利，服务中小企业")
    submit(center, "#application-form")
    app_url = center.url
    assert "/centers/applications/" in app_url
    submit(center, "#submit-form")
    assert center.locator("#app-status").inner_text() == "待地方推荐"
    assert center.locator("#recommend-form").count() == 0  # the center cannot recommend itself

    # 地方审核推荐 (浙江省知识产权局)
    zj.goto(app_url)
    zj.fill("#opinion", "材料齐全，同意推荐")
    submit(zj, "#recommend-form", "1")
    assert zj.locator("#app-status").inner_text() == "待形式审查"

    # 形式审查: returned once, corrected, accepted
    cnipa.goto(app_url)
    cnipa.fill("#formal-reason", "缺少经费证明")
    submit(cnipa, "#formal-form", "return")
    assert cnipa.locator("#app-status").inner_text() == "退回补正"
    center.goto(app_url)
    center.fill("#resubmit-form input[name=note]", "已补充经费证明")
    submit(center, "#resubmit-form")
    cnipa.goto(app_url)
    submit(cnipa, "#formal-form", "accept")
    assert cnipa.locator("#app-status").inner_text() == "专家评审中"

    # 专家评审: two experts, each declares and scores
    pick(cnipa, "assign_expert", "expert2")
    pick(cnipa, "assign_expert", "expert")
    submit(cnipa, "#assign-form")
    assert cnipa.locator("#reviews tbody tr").count() == 2
    for name, scores in (("expert", [18, 12, 13, 16, 11, 12]), ("expert2", [16, 12, 13, 16, 11, 9])):
        ex = session(name)
        ex.goto("/centers/reviews/")
        ex.click("#my-reviews tbody a")
        submit(ex, "#declare-form")
        for field, value in zip(ex.locator("#score-form input[name^=score_]").all(), scores, strict=True):
            field.fill(str(value))
        ex.fill("#comment", "符合认定条件")
        submit(ex, "#score-form")
        assert ex.locator("#review-total").inner_text() == f"{sum(scores)}.00"
    submit(cnipa, "#close-review-form")
    assert cnipa.locator("#app-status").inner_text() == "公示中"
    assert cnipa.locator("#app-score").inner_text() == "79.50"

    # 公示: an objection from the public (no login)
    public.goto("/centers/publicity/")
    public.click("#publicity a.btn")
    public.fill("#o_name", "张三")
    public.fill("#o_contact", "13800000000")
    public.fill("#o_content", "经费证明存疑")
    submit(public, "#objection-form")
    assert "异议已提交" in public.content()

    # 认定 after the period, the objection resolved
    end = Center.objects.get(pk=c.pk).applications.get().publicity_end
    monkeypatch.setattr(clock, "today", lambda: end + dt.timedelta(days=1))
    cnipa.goto(app_url)
    cnipa.fill("#objections input[name=resolution]", "经核实，经费已到位")
    submit(cnipa, "#objections form", "0")
    assert "异议不成立" in cnipa.locator("#objections").inner_text()
    cnipa.fill("#decide-reason", "评审通过，公示期满")
    cnipa.fill("#decide-doc", "国知发运函〔2026〕1号")
    submit(cnipa, "#decide-form", "1")
    assert cnipa.locator("#app-status").inner_text() == "已认定"
    assert cnipa.locator("#certificate").count() == 1
    public.goto("/centers/public/")
    assert "国家新材料产业知识产权运营中心" in public.locator("#public-centers").inner_text()

    # 年度工作报告 from the records; a figure opens its records
    center.goto("/centers/reports/")
    center.fill("#generate-form input[name=year]", str(YEAR))
    submit(center, "#generate-form")
    solved = center.locator("tr[data-code=demands_solved] a.figure")
    assert solved.inner_text() == "1"
    solved.click()
    center.wait_for_load_state("networkidle")
    assert center.locator("#records tbody tr").count() == 1
    assert "新材料耐磨涂层技术" in center.locator("#records").inner_text()
    center.go_back()
    submit(center, "#report-submit-form")
    assert center.locator("#report-status").inner_text() == "已提交"
    cnipa.goto(center.url)
    submit(cnipa, "#report-review-form", "1")
    assert cnipa.locator("#report-status").inner_text() == "审核通过"

    # 定期评价 → 不合格
    cnipa.goto("/centers/evaluations/")
    cnipa.fill("#evaluation-create-form input[name=year]", str(YEAR))
    submit(cnipa, "#evaluation-create-form")
    evaluation_url = cnipa.url
    pick(cnipa, "assign_expert", "expert")
    submit(cnipa, "#evaluation-assign-form")
    ex = session("expert")
    ex.goto("/centers/reviews/")
    ex.click("#my-reviews tbody a >> nth=0")
    submit(ex, "#declare-form")
    ex.fill("#score-form input[name=score_expert_overall]", "20")
    submit(ex, "#score-form")
    cnipa.goto(evaluation_url)
    submit(cnipa, "#finalise-form")
    assert cnipa.locator("#evaluation-grade").inner_text() == "不合格"

    # 动态管理: 限期整改 → 整改报告 → 复查不合格 → 取消资格; the public list drops the center
    cnipa.fill("#rect-content", "三个月内提升转化成效")
    cnipa.fill("#rectify-form input[name=document_ref]", "国知办函〔2026〕9号")
    submit(cnipa, "#rectify-form")
    action_url = cnipa.url
    center.goto(action_url)
    center.fill("#rr-content", "已新增两项许可")
    submit(center, "#rectification-report-form")
    assert "已新增两项许可" in center.locator("#rectification-reports").inner_text()
    assert center.locator("#follow-up-form").count() == 0  # the center cannot review itself
    cnipa.goto(action_url)
    cnipa.fill("#fu-content", "复查仍不合格")
    cnipa.fill("#follow-up-form input[name=document_ref]", "国知办函〔2026〕12号")
    submit(cnipa, "#follow-up-form", "0")
    assert "整改复查不通过" in cnipa.locator("#follow-ups").inner_text()
    assert Center.objects.get(pk=c.pk).status == "revoked"
    public.goto("/centers/public/")
    assert "国家新材料产业知识产权运营中心" not in public.locator("#public-centers").inner_text()
