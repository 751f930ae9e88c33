"""出口前风险预警 in the browser (issue 18): an enterprise asks for a check, the center's staff run it, confirm a
chart and publish the report (HTML and PDF); the enterprise reads it; a later import re-opens it.

The data is built through the services in the test (not the demo)."""

from __future__ import annotations

import datetime as dt
import json
import re

import pytest

from ipoc.core.models import Notification
from ipoc.patents import services as patent_services
from ipoc.risk.models import CheckStatus, RiskCheck
from ipoc.search import testing
from tests.conftest import browser_login, pick

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
search_index = testing.search_index

CLAIMS = ("1. 一种混合动力车辆的预充电系统，其特征在于，包括：电池组通过预充电电阻连接到直流母线；"
          "控制器检测母线电压达到阈值后闭合主接触器；倒车时由电机驱动车辆。\n"
          "2. 根据权利要求1所述的系统，其特征在于，所述预充电电阻为陶瓷电阻。")
FEATURES = ["电池组通过预充电电阻连接到直流母线", "控制器检测母线电压达到阈值后闭合主接触器", "倒车时由电机驱动车辆"]
PATENTS = [
    {"id": "j-1", "source": "journey", "jurisdiction": "CN", "title": "混合动力车辆的预充电系统", "claims": CLAIMS,
     "abstract": "预充电电阻连接直流母线，控制器闭合主接触器。", "legal_status": "有效", "patent_type": "发明",
     "application_date": "2018-03-01", "applicants": [{"name": "某汽车电子公司", "type": "企业"}]},
    {"id": "j-2", "source": "journey", "jurisdiction": "CN", "title": "一种茶叶揉捻机", "claims": "1. 一种茶叶揉捻机，包括揉桶。",
     "legal_status": "有效", "patent_type": "实用新型", "application_date": "2019-01-01"},
]


def _import(tmp_path, records, name):
    path = tmp_path / name
    path.write_text("\n".join(json.dumps(p, ensure_ascii=False) for p in records), encoding="utf-8")
    patent_services.patent_import(actor=None, path=path, format="jsonl")


def test_check_from_request_to_published_report_and_reopened_by_an_import(page, browser, live_server, users, orgs,
                                                                         search_index, tmp_path):
    _import(tmp_path, PATENTS, "corpus.jsonl")
    page.on("dialog", lambda d: d.accept())

    # 1. the enterprise asks for a check
    browser_login(page, "ent_a")
    page.goto("/risk/")
    page.get_by_test_id("new-check").click()
    page.fill("#id_product_name", "混合动力车预充电控制器")
    page.fill("#id_features", "\n".join(FEATURES))
    page.get_by_label("中国", exact=True).check()
    page.fill("#id_horizon_date", (dt.date.today() + dt.timedelta(days=1000)).isoformat())
    pick(page, "id_center", "甲产业", orgs["center_a"].name)
    page.get_by_role("button", name="提交申请").click()
    page.wait_for_url(re.compile(r"/risk/\d+/$"))
    check = RiskCheck.objects.get()
    assert page.get_by_test_id("status").get_attribute("data-status") == CheckStatus.REQUESTED
    assert page.get_by_test_id("run").count() == 0

    # 2. the center's staff run it, confirm the chart, publish the report
    center = browser.new_context(locale="zh-CN", base_url=live_server.url).new_page()
    center.on("dialog", lambda d: d.accept())
    browser_login(center, "center_a")
    center.goto(f"/risk/{check.pk}/")
    center.get_by_test_id("run").click()
    center.wait_for_load_state()
    assert center.get_by_test_id("candidate").count() >= 1
    center.get_by_test_id("chart-link").first.click()
    center.wait_for_url(re.compile(r"/candidates/\d+/$"))
    assert center.get_by_test_id("claim-chart").count() == 1  # claim 2 depends on claim 1
    assert center.get_by_test_id("element").count() == 4
    center.get_by_test_id("confirm-all").click()
    center.wait_for_load_state()
    assert center.locator("[data-testid=element][data-confirmed='1']").count() == 4
    assert center.get_by_test_id("patent-risk").get_attribute("data-risk") == "high"
    center.goto(f"/risk/{check.pk}/")
    center.get_by_test_id("publish").click()
    center.wait_for_url(f"**/risk/{check.pk}/report/")
    assert "不构成法律意见" in center.get_by_test_id("disclaimer").inner_text()
    pdf = center.request.get(center.get_by_test_id("pdf").get_attribute("href"))
    assert pdf.status == 200 and pdf.headers["content-type"] == "application/pdf" and pdf.body()[:4] == b"%PDF"

    # 3. the enterprise reads it (from its message)
    page.goto("/notifications/")
    page.get_by_text("风险预警报告已出具").first.click()
    page.wait_for_url(f"**/risk/{check.pk}/report/")
    assert "高风险" in page.get_by_test_id("conclusions").inner_text()

    # 4. a later import of a relevant application re-opens it and tells the requester
    _import(tmp_path, [{"id": "j-3", "source": "journey", "jurisdiction": "CN", "title": "混合动力车预充电控制器及方法",
                        "claims": CLAIMS, "legal_status": "审中", "patent_type": "发明",
                        "application_date": "2025-05-01"}], "later.jsonl")
    page.goto(f"/risk/{check.pk}/")
    assert page.get_by_test_id("status").get_attribute("data-status") == CheckStatus.REOPENED
    assert page.get_by_test_id("reopened").is_visible()
    assert Notification.objects.filter(recipient=users["ent_a"], title__contains="重新打开").exists()
