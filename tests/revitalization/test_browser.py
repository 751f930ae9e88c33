"""Walk-through in a real browser (Debian's chromium): the filer downloads the template, fills it
with real sample numbers (one with a wrong check digit), uploads it and reads the row report; the
院系 and 学校 reviewers approve; the patent is in the 存量专利基础库 and counted on the dashboard."""

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


def test_upload_review_and_dashboard(page, cast, tmp_path):
    login(page, "filer")
    page.goto("/stock/")
    assert "存量专利盘活" in page.locator("header nav").inner_text()
    with page.expect_download() as download:
        page.click("text=下载建档模板")
    template = tmp_path / "template.xlsx"
    download.value.save_as(template)
    rows = template_rows()[:3] + [["CN202223220665.3", "", "", "无人机学院", "转让", "否", 3, "", "", ""]]
    sheet = fill_template(template.read_bytes(), rows, tmp_path / "清单.xlsx")

    page.goto("/stock/import/")
    page.set_input_files("input[name=file]", str(sheet))
    page.click("main button[type=submit]")
    counts = page.locator("[data-testid=counts]").inner_text()
    assert "新增 3" in counts and "拒绝 1" in counts
    rejected = page.locator("tr.rejected").inner_text()
    assert "清单.xlsx" in rejected and "5" in rejected and "专利号" in rejected and "校验位" in rejected

    stock = StockPatent.objects.get(patent__publication_number="CN218751475U")
    page.goto(f"/stock/{stock.pk}/")
    page.click("button[value=submit]")
    assert page.locator("[data-testid=stage]").inner_text() == "待院系审核"
    page.click("button[value=approve]")  # the filer is no reviewer: refused, in Chinese
    assert "院系审核人" in page.locator(".alert").first.inner_text()

    login(page, "dept_rev")
    page.goto(f"/stock/{stock.pk}/")
    page.click("button[value=approve]")
    assert page.locator("[data-testid=stage]").inner_text() == "待学校审核"

    login(page, "school_rev")
    page.goto(f"/stock/{stock.pk}/")
    page.fill("input[name=reason]", "同意入库")
    page.click("button[value=approve]")
    assert page.locator("[data-testid=stage]").inner_text() == "已入库"
    assert page.locator("[data-testid=library]").inner_text() == "存量专利基础库"
    assert "同意入库" in page.locator("body").inner_text()

    login(page, "center_a")
    page.goto("/stock/dashboard/")
    row = page.locator("table.list").first.locator("tbody tr").first.inner_text()
    assert row.split("\t")[:4] == ["中科大数据研究院", "3", "0", "1"]
