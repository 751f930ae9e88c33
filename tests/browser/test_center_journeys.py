"""Journeys of issue 13 in the browser, with no typed ids — every record is chosen by search in a picker:

1. the center creates a 路演 event presenting patents for a demand, publishes it, and registers a deal from
   that demand and event, picking the demand, the patents and both parties' organisations by search; it moves
   the deal on with the stage buttons and sees a success message after each step;
2. a university files its own patents for 存量盘活 — one with a publication number, one from a research data
   set without one — chosen by search among the patents it holds, and submits one for review.

The data is built through the services in the test (not the demo)."""

from __future__ import annotations

import datetime as dt
import json
import re

import pytest
from django.utils import timezone

from ipoc.deals.models import Deal, DealStage
from ipoc.demands import services as demand_services
from ipoc.events.models import Event, EventStatus
from ipoc.patents import services as patent_services
from ipoc.revitalization.models import Stage, StockPatent
from ipoc.search import testing
from tests.conftest import browser_login, pick

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
search_index = testing.search_index

UNNUMBERED_TITLE = "一种石墨烯包覆硅负极材料的制备方法"
PATENTS = [
    {"publication_number": "CN111900001A", "title": "一种锂电池正极材料的包覆方法",
     "abstract": "采用氧化铝包覆镍钴锰正极材料，提高循环寿命。", "applicants": [{"name": "浙江大学", "type": "高校"}],
     "ipc_all": ["H01M4/36"], "patent_type": "发明", "legal_status": "有效", "application_date": "2020-03-01"},
    {"publication_number": "CN111900002A", "title": "正极材料包覆层及锂电池", "abstract": "快离子导体包覆层。",
     "applicants": [{"name": "浙江大学", "type": "高校"}], "ipc_all": ["H01M4/62"],
     "patent_type": "发明", "legal_status": "有效", "application_date": "2021-05-01"},
    # a research data set's record: no number at all, known in the store only by its key ext:patents_bdci:…
    {"id": "3ecb5f0e9a1d4c2b8f7e6d5c4b3a2918", "source": "patents_bdci", "title": UNNUMBERED_TITLE,
     "abstract": "以石墨烯包覆纳米硅颗粒，缓解体积膨胀。", "applicant": "浙江大学"},
]
DEMAND = "动力电池正极材料改性技术"


@pytest.fixture
def corpus(search_index, tmp_path, orgs):
    path = tmp_path / "p.jsonl"
    path.write_text("\n".join(json.dumps(p, ensure_ascii=False) for p in PATENTS), encoding="utf-8")
    batch = patent_services.patent_import(actor=None, path=path, format="jsonl")
    assert batch.counts()["rejected"] == 0
    demand_services.demand_create(actor=None, title=DEMAND, organization=orgs["ent_a"], center=orgs["center_a"],
                                  status="published")


def _alert(page) -> str:
    return page.locator(".page-body .alert").first.inner_text()


def test_center_creates_a_roadshow_and_a_deal_by_picking_records(page, live_server, users, orgs, corpus):
    page.on("dialog", lambda dialog: dialog.accept())  # the confirmations before a decision
    browser_login(page, "center_a")

    # 1. a 路演 event presenting two patents for the demand, all chosen by search
    page.goto("/events/")
    page.get_by_role("link", name="新建活动").click()
    assert page.locator("input[name=patent_refs], input[name=demand_refs]").count() == 0  # no typed ids
    page.select_option("#id_kind", label="路演推介")
    page.fill("#id_title", "新能源材料专利路演")
    page.fill("#id_held_on", (timezone.localdate() + dt.timedelta(days=14)).isoformat())
    page.fill("#id_place", "苏州国际博览中心")
    pick(page, "id_patents", "CN111900001", "CN111900001A")
    pick(page, "id_patents", "包覆层", "CN111900002A")
    pick(page, "id_demands", "正极材料改性", DEMAND)
    page.get_by_role("button", name="保存").click()
    page.wait_for_url(re.compile(r"/events/\d+/$"))
    assert "草稿" in _alert(page)
    event = Event.objects.get(title="新能源材料专利路演")
    assert sorted(event.patents.values_list("publication_number", flat=True)) == ["CN111900001A", "CN111900002A"]
    assert list(event.demands.values_list("title", flat=True)) == [DEMAND]
    page.get_by_role("button", name="发布活动").click()
    page.wait_for_load_state()
    assert "活动已发布" in _alert(page)
    assert page.locator("[data-testid=status]").get_attribute("data-status") == EventStatus.PUBLISHED
    assert "CN111900001A" in page.locator("[data-testid=presented]").inner_text()

    # 2. a deal from that demand and event: parties, patents, demand and event picked by search
    page.get_by_role("link", name="登记由此促成的交易").click()
    page.wait_for_url(re.compile(r"/deals/new/\?event=\d+$"))
    assert page.locator("input[name=seller_names], input[name=demand_id], input[name=event_id]").count() == 0
    page.fill("#id_title", "正极材料包覆专利许可")
    page.select_option("#id_deal_type", label="许可")
    pick(page, "id_sellers", "浙江", "浙江大学")
    pick(page, "id_buyers", "苏州甲", orgs["ent_a"].name)
    pick(page, "id_patents", "CN111900001", "CN111900001A")
    pick(page, "id_demand", "正极材料改性", DEMAND)
    assert "新能源材料专利路演" in page.locator("#id_event-ts-control").locator("xpath=..").inner_text()
    page.fill("#id_amount", "1250000")
    page.get_by_role("button", name="保存").click()
    page.wait_for_url(re.compile(r"/deals/\d+/$"))
    assert "交易已登记" in _alert(page)
    deal = Deal.objects.get(title="正极材料包覆专利许可")
    assert (deal.center, deal.demand.title, deal.event) == (orgs["center_a"], DEMAND, event)
    assert list(deal.sellers.all()) == [orgs["univ"]] and list(deal.buyers.all()) == [orgs["ent_a"]]
    assert list(deal.patents.values_list("publication_number", flat=True)) == ["CN111900001A"]
    assert DEMAND in page.locator("[data-testid=demand]").inner_text()
    assert "新能源材料专利路演" in page.locator("[data-testid=event]").inner_text()

    # only the moves allowed now are offered; each ends with a success message
    assert page.locator("button[data-stage=signed]").count() == 0
    page.locator("button[data-stage=negotiation]").click()
    page.wait_for_load_state()
    assert "交易已进入洽谈" in _alert(page)
    page.locator("form[data-stage=signed] button").click()
    page.wait_for_load_state()
    assert "交易已签约" in _alert(page)
    deal.refresh_from_db()
    assert deal.stage == DealStage.SIGNED and deal.amount == 1250000 and deal.signed_date == timezone.localdate()
    # the event's page links the deal back
    page.goto(f"/events/{event.pk}/")
    assert "正极材料包覆专利许可" in page.locator("[data-testid=deals]").inner_text()


def test_university_files_its_own_patents_numbered_or_not(page, live_server, users, orgs, corpus):
    page.on("dialog", lambda dialog: dialog.accept())
    browser_login(page, "univ")
    page.goto("/stock/")
    page.get_by_role("link", name="选择本单位专利建档").click()
    page.wait_for_url("**/stock/file/")
    pick(page, "id_patents", "CN111900001", "CN111900001A")
    pick(page, "id_patents", "石墨烯", UNNUMBERED_TITLE)  # no number: found by its title, shown with its source
    page.fill("#id_department", "材料学院")
    page.get_by_label("转让", exact=True).check()
    page.get_by_role("button", name="建档").click()
    page.wait_for_url(re.compile(r"/stock/imports/\d+/$"))
    assert "已建档 2 件" in _alert(page)
    items = page.locator("[data-testid=items]").inner_text()
    assert UNNUMBERED_TITLE in items and "研究数据集" in items and "CN111900001A" in items
    assert "ext:" not in page.locator("body").inner_text()
    stocks = StockPatent.objects.filter(institution=orgs["univ"])
    assert sorted(s.patent.publication_number for s in stocks) == ["", "CN111900001A"]
    assert all(s.department == "材料学院" and s.intentions == ["assignment"] for s in stocks)

    # the one without a number goes on to 院系审核 like any other
    page.locator("[data-testid=items] a[href^='/stock/']", has_text=UNNUMBERED_TITLE).click()
    page.wait_for_url(re.compile(r"/stock/\d+/$"))
    assert "ext:" not in page.locator("body").inner_text()
    page.get_by_role("button", name="提交院系审核").click()
    page.wait_for_load_state()
    assert "已提交院系审核" in _alert(page)
    assert "待院系审核" in page.locator("[data-testid=stage-badge]").inner_text()
    assert StockPatent.objects.get(patent__publication_number="", institution=orgs["univ"]).stage == Stage.DEPT_REVIEW
    # filed patents are no longer offered for filing
    page.goto("/stock/file/")
    page.click("#id_patents-ts-control")
    page.fill("#id_patents-ts-control", "石墨烯")
    page.locator("#id_patents-ts-dropdown .no-results").wait_for()  # the API answered: nothing left to file
    assert page.locator("#id_patents-ts-dropdown .option", has_text=UNNUMBERED_TITLE).count() == 0
