"""转化对接 in the browser, as people do it (issue 13):

1. an enterprise publishes a demand with one button — the accepting center is picked by search, no status
   drop-down — and the accepting center's staff find the notice in their messages;
2. the center opens that demand, accepts and publishes it, reaches its matches in one click, runs matching,
   confirms one match and sees a success message.

The data is built through the services in the test (not the demo)."""

from __future__ import annotations

import json
import re

import pytest

from ipoc.core.models import Notification
from ipoc.demands import services as demand_services
from ipoc.demands.models import Demand, DemandStatus
from ipoc.matching.models import Match, MatchStatus
from ipoc.patents import services as patent_services
from ipoc.search import testing
from tests.conftest import browser_login, pick

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
search_index = testing.search_index

PATENTS = [
    {"publication_number": "CN111900001A", "title": "一种锂电池正极材料的包覆方法",
     "abstract": "采用氧化铝包覆镍钴锰正极材料，提高循环寿命。", "applicants": [{"name": "浙江大学", "type": "高校"}],
     "ipc_all": ["H01M4/36"], "patent_type": "发明", "legal_status": "有效", "application_date": "2020-03-01"},
    {"publication_number": "CN111900002A", "title": "正极材料包覆层及锂电池", "abstract": "快离子导体包覆层。",
     "applicants": [{"name": "中国科学院物理研究所", "type": "科研机构"}], "ipc_all": ["H01M4/62"],
     "patent_type": "发明", "legal_status": "审中", "application_date": "2022-01-01"},
]
TITLE = "锂电池正极材料包覆技术"


@pytest.fixture
def corpus(search_index, tmp_path):
    path = tmp_path / "p.jsonl"
    path.write_text("\n".join(json.dumps(p, ensure_ascii=False) for p in PATENTS), encoding="utf-8")
    patent_services.patent_import(actor=None, path=path, format="jsonl")


def _alert(page) -> str:
    return page.locator(".page-body .alert").first.inner_text()


def test_enterprise_publishes_with_one_button_and_the_accepting_center_is_notified(page, browser, live_server,
                                                                                  users, orgs):
    browser_login(page, "ent_a")
    page.goto("/demands/")
    page.get_by_role("link", name="发布需求").click()
    assert page.locator("select[name=status], select[name=to_status]").count() == 0  # no status drop-down
    page.fill("#id_title", TITLE)
    page.fill("#id_keywords_text", "正极材料，包覆")
    page.get_by_label("许可", exact=True).check()
    pick(page, "id_center", "甲产业", orgs["center_a"].name)
    page.get_by_role("button", name="发布需求").click()
    page.wait_for_url(re.compile(r"/demands/\d+/$"))
    assert "等待受理" in _alert(page)
    assert page.locator("h1 [data-status]").get_attribute("data-status") == DemandStatus.PENDING
    demand = Demand.objects.get(title=TITLE)
    assert (demand.organization, demand.center, demand.modes) == (orgs["ent_a"], orgs["center_a"], ["license"])

    # the accepting center's staff find the notice in their messages and open the demand from it
    center = browser.new_context(locale="zh-CN", base_url=live_server.url).new_page()
    browser_login(center, "center_a")
    center.goto("/notifications/")
    center.get_by_text(f"新需求待受理：{TITLE}").click()
    center.wait_for_url(f"**/demands/{demand.pk}/")
    assert center.locator("button[data-move=published]").is_visible()
    assert Notification.objects.filter(recipient=users["center_a"], url=f"/demands/{demand.pk}/").count() == 1
    assert not Notification.objects.filter(recipient=users["center_b"]).exists()


def test_center_reaches_the_matches_in_one_click_confirms_one_and_sees_a_message(page, live_server, users, orgs,
                                                                                corpus):
    demand = demand_services.demand_create(actor=users["ent_a"], title=TITLE, keywords=["正极材料", "包覆"],
                                           center=orgs["center_a"])
    demand_services.demand_submit(actor=users["ent_a"], demand=demand)
    page.on("dialog", lambda dialog: dialog.accept())  # the confirmation before publishing
    browser_login(page, "center_a")
    page.goto(f"/demands/{demand.pk}/")
    page.locator("button[data-move=published]").click()
    page.wait_for_load_state()
    assert "需求已发布" in _alert(page)

    page.locator("#demand-matches-link").click()  # one click from the demand to its matches
    page.wait_for_url(f"**/matching/demands/{demand.pk}/")
    page.locator("#run-match").click()
    page.wait_for_load_state()
    assert "匹配完成" in _alert(page)
    first = page.locator(".card.match").first
    assert "为什么推荐" in first.inner_text() and "正极" in first.inner_text()
    first.locator("input[name=reason]").fill("包覆工艺与需求一致")
    first.get_by_role("button", name="确认推送").click()
    page.wait_for_load_state()
    assert "已确认该匹配" in _alert(page)
    confirmed = Match.objects.get(demand=demand, status=MatchStatus.CONFIRMED)
    assert page.locator(f".card.match[data-match='{confirmed.pk}']").get_attribute("data-status") == "confirmed"
    assert Notification.objects.filter(recipient=users["ent_a"], kind="push").count() == 1
