"""Walk-through in a real browser (Debian's chromium): the filer downloads the template, fills it
with real sample numbers (one with a wrong check digit), uploads it and reads the row report; the
院系 and 学校 reviewers approve with the buttons offered to them; the patent is in the 存量专利基础库 and
counted on the dashboard."""

from __future__ import annotations

import pytest

from ipoc.revitalization.models import StockPatent
from tests.revitalization.conftest import PASSWORD, fill_template, needs_sample, template_rows

pytestmark = [needs_sample, pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def login(page, username):
    page.context.clear_cookies()
    page.goto("/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url("**/")


def act(page, action: str) -> None:
    """Press a move's button on a stock patent's page (its confirmation accepted) and wait for the page."""
    page.click(f"button[value={action}]")
    page.wait_for_load_state()


def stage(page) -> str:
    return page.locator("[data-testid=stage-badge]").inner_text().strip()


def download_template(page, tmp_path):
    page.goto("/stock/import/")
    with page.expect_download() as download:
        page.click("text=下载建档模板")
    template = tmp_path / "template.xlsx"
    download.value.save_as(template)
    return template


def dashboard_row(page) -> list[str]:
    page.goto("/stock/dashboard/")
    return page.locator("[data-testid=by-institution] tbody tr").first.inner_text().split("\t")


def test_upload_review_and_dashboard(page, cast, tmp_path):
    page.on("dialog", lambda dialog: dialog.accept())
    login(page, "filer")
    page.goto("/stock/")
    assert "存量专利盘活" in page.locator("aside").inner_text()
    template = download_template(page, tmp_path)
    rows = template_rows()[:3] + [["CN202223220665.3", "", "", "无人机学院", "转让", "否", 3, "", "", ""]]
    sheet = fill_template(template.read_bytes(), rows, tmp_path / "清单.xlsx")

    page.goto("/stock/import/")
    page.set_input_files("input[name=upload-file]", str(sheet))
    page.get_by_role("button", name="上传").click()
    page.wait_for_url("**/stock/imports/*/")
    counts = page.locator("[data-testid=counts]").inner_text()
    assert "新增\n3" in counts and "拒绝\n1" in counts
    rejected = page.locator("tr.rejected").inner_text()
    assert "清单.xlsx" in rejected and "5" in rejected and "专利号" in rejected and "校验位" in rejected

    stock = StockPatent.objects.get(patent__publication_number="CN218751475U")
    page.goto(f"/stock/{stock.pk}/")
    act(page, "submit")
    assert stage(page) == "待院系审核" and "已提交院系审核" in page.locator(".alert").first.inner_text()
    assert page.locator("button[value=approve]").count() == 0  # the filer is no reviewer: nothing to press

    login(page, "dept_rev")
    page.goto(f"/stock/{stock.pk}/")
    act(page, "approve")
    assert stage(page) == "待学校审核"

    login(page, "school_rev")
    page.goto(f"/stock/{stock.pk}/")
    page.fill("textarea[name=reason]", "同意入库")
    act(page, "approve")
    assert stage(page) == "已入库"
    assert page.locator("[data-testid=library]").inner_text() == "存量专利基础库"
    assert "同意入库" in page.locator("body").inner_text()

    login(page, "center_a")
    assert dashboard_row(page)[:4] == ["中科大数据研究院", "3", "0", "1"]


def test_grading_push_and_the_enterprise_response(page, cast, tmp_path):
    """The institute's list from the real sample, uploaded and reviewed; grading recommends the drone
    patent for 重点推广; the serving center screens it, finds the enterprise through the retrieval engine
    and pushes; the enterprise, signed in, records 感兴趣; the dashboard counts the push and the response."""
    page.on("dialog", lambda dialog: dialog.accept())
    login(page, "filer")
    template = download_template(page, tmp_path)
    sheet = fill_template(template.read_bytes(), template_rows(), tmp_path / "清单.xlsx")
    page.set_input_files("input[name=upload-file]", str(sheet))
    page.get_by_role("button", name="上传").click()
    page.wait_for_url("**/stock/imports/*/")
    assert "新增\n10" in page.locator("[data-testid=counts]").inner_text()

    stock = StockPatent.objects.get(patent__publication_number="CN217546176U")  # 无人机巡检系统
    page.goto(f"/stock/{stock.pk}/")
    act(page, "submit")
    for reviewer, expected in (("dept_rev", "待学校审核"), ("school_rev", "已入库")):
        login(page, reviewer)
        page.goto(f"/stock/{stock.pk}/")
        act(page, "approve")
        assert stage(page) == expected

    login(page, "filer")
    page.goto(f"/stock/{stock.pk}/")
    act(page, "grade")  # 市场评价 of the institute's whole list, through the valuation app
    assert "市场评价完成" in page.locator(".alert").first.inner_text()
    assert page.locator("[data-testid=recommendation]").inner_text() == "重点推广"
    assert page.locator("button[value=screen]").count() == 0  # the filer does not screen; the center does

    login(page, "center_a")
    page.goto(f"/stock/{stock.pk}/")
    act(page, "screen")
    assert page.locator("[data-testid=library]").inner_text() == "专利转化资源库"
    page.click("text=查找候选企业")
    first = page.locator("[data-testid=candidates] tbody tr").first
    explained = first.inner_text()
    assert "苏州甲科技有限公司" in explained and "CN219123456U" in explained and "检索排名" in explained
    first.locator("button[value=push]").click()
    page.wait_for_load_state()
    assert "已推送给 苏州甲科技有限公司" in page.locator(".alert").first.inner_text()
    pushes = page.locator("[data-testid=pushes]").inner_text()
    assert "苏州甲科技有限公司" in pushes and "CN219123456U" in pushes

    login(page, "ent_a")
    page.locator("aside").get_by_role("link", name="专利推送").click()
    row = page.locator("[data-testid=pushes] tbody tr").first
    assert "CN217546176U" in row.inner_text() and "中科大数据研究院" in row.inner_text()
    row.locator("select[name=response]").select_option(label="感兴趣")
    row.locator("input[name=note]").fill("请安排技术交流")
    row.locator("button[type=submit]").click()
    page.wait_for_load_state()
    assert "反馈已记录" in page.locator(".alert").first.inner_text()
    assert "感兴趣" in page.locator("[data-testid=pushes] tbody tr").first.inner_text()

    login(page, "center_a")
    # 高校/院所, 已盘点, 审核中, 已入库, 已评价, 已筛选, 资源库, 已推送, 有反馈, 已转化
    assert dashboard_row(page) == ["中科大数据研究院", "10", "0", "1", "10", "1", "1", "1", "1", "0"]
