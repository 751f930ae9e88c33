"""转化对接 end to end in a browser: an enterprise files a demand, the center publishes and matches it,
confirms a match (pushed to the enterprise), runs a roadshow, brokers a deal to 签约, and the
center's statistics show the deal — every step through the pages."""

import datetime as dt
import json

import pytest

from ipoc.deals.models import Deal
from ipoc.demands.models import Demand
from ipoc.patents import services as patent_services
from ipoc.search import testing
from tests.conftest import browser_login, pick

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
search_index = testing.search_index

PATENTS = [
    {"publication_number": "CN111900001A", "title": "一种锂电池正极材料的包覆方法",
     "abstract": "采用氧化铝包覆镍钴锰正极材料，提高循环寿命。", "applicants": [{"name": "浙江大学", "type": "高校"}],
     "ipc_all": ["H01M4/36"], "legal_status": "有效", "application_date": "2020-03-01"},
    {"publication_number": "CN111900002A", "title": "正极材料包覆层及锂电池", "abstract": "快离子导体包覆层。",
     "applicants": [{"name": "中国科学院物理研究所", "type": "科研机构"}], "ipc_all": ["H01M4/62"],
     "legal_status": "审中", "application_date": "2022-01-01"},
]


@pytest.fixture
def corpus(search_index, tmp_path):
    path = tmp_path / "p.jsonl"
    path.write_text("\n".join(json.dumps(p, ensure_ascii=False) for p in PATENTS), encoding="utf-8")
    patent_services.patent_import(actor=None, path=path, format="jsonl")


def test_demand_to_match_to_push_to_event_to_deal_to_statistics(page, browser, live_server, users, orgs, corpus):
    # 1. the enterprise files a demand for center A and submits it for review (one button: 发布需求)
    browser_login(page, "ent_a")
    page.goto("/demands/new/")
    page.fill("#id_title", "锂电池正极材料包覆技术")
    page.fill("#id_keywords_text", "正极材料，包覆")
    page.click("#id_center-ts-control")
    page.fill("#id_center-ts-control", "甲产业")
    page.locator(".ts-dropdown .option", has_text=orgs["center_a"].name).first.click()
    page.get_by_role("button", name="发布需求").click()
    page.wait_for_url("**/demands/*/")
    demand = Demand.objects.get(title="锂电池正极材料包覆技术")
    assert page.locator("h1 [data-status]").get_attribute("data-status") == "pending"

    # 2. the center publishes it, runs matching and confirms the best patent with a reason
    center = browser.new_context(locale="zh-CN", base_url=live_server.url).new_page()
    browser_login(center, "center_a")
    center.on("dialog", lambda dialog: dialog.accept())  # confirmations before irreversible decisions
    center.goto(f"/demands/{demand.pk}/")
    center.locator("button[data-move=published]").click()
    center.wait_for_load_state()
    assert center.locator("h1 [data-status]").get_attribute("data-status") == "published"
    center.locator("#demand-matches-link").click()
    center.wait_for_url(f"**/matching/demands/{demand.pk}/")
    center.click("#run-match")
    first = center.locator(".card.match").first
    assert first.locator("mark").count() >= 1  # matched terms highlighted in the patent text
    assert "正极" in first.inner_text() and "剩余保护期" in first.inner_text()
    number = first.locator(".patent-name").inner_text().strip()
    match_id = first.get_attribute("data-match")
    first.locator("input[name=reason]").fill("包覆工艺与需求一致")
    first.locator("button[value=confirm]").click()
    center.wait_for_load_state()
    assert "已确认" in center.locator(f".card.match[data-match='{match_id}']").inner_text()

    # 3. the enterprise finds the push in its messages
    page.goto("/notifications/")
    inbox = page.locator(".page-body").inner_text()
    assert "定向推送" in inbox and number in inbox

    # 4. the center runs a roadshow presenting the patent (picked by search) and publishes it
    center.goto("/events/new/")
    center.fill("#id_title", "新能源材料专利路演")
    center.fill("#id_held_on", (dt.date.today() + dt.timedelta(days=7)).isoformat())
    center.fill("#id_place", "苏州国际博览中心")
    pick(center, "id_patents", number, number)
    center.get_by_role("button", name="保存").click()
    center.wait_for_url("**/events/*/")
    event_id = int(center.url.rstrip("/").split("/")[-1])
    center.get_by_role("button", name="发布活动").click()
    center.wait_for_load_state()
    assert center.locator("[data-testid=status]").get_attribute("data-status") == "published"

    # 5. a deal is brokered from the demand and the event, and signed with an amount
    center.goto(f"/deals/new/?event={event_id}")
    center.fill("#id_title", "正极材料包覆专利许可")
    center.select_option("#id_deal_type", "license")
    pick(center, "id_sellers", "浙江", "浙江大学")
    pick(center, "id_buyers", "苏州甲", orgs["ent_a"].name)
    pick(center, "id_patents", number, number)
    pick(center, "id_demand", "正极材料", demand.title)
    center.fill("#id_intention_date", dt.date.today().isoformat())
    center.get_by_role("button", name="保存").click()
    center.wait_for_url("**/deals/*/")
    for stage in ("negotiation", "signed"):
        form = center.locator(f"form[data-stage={stage}]")
        if stage == "signed":
            form.locator("input[name=amount]").fill("1250000")
        form.locator("button[type=submit]").click()
        center.wait_for_load_state()
    deal = Deal.objects.get(title="正极材料包覆专利许可")
    assert deal.stage == "signed" and deal.amount == 1250000 and deal.event_id == event_id
    assert deal.demand == demand

    # 6. the center's statistics show the deal, drillable to its record
    center.goto(f"/deals/statistics/?center={orgs['center_a'].pk}&year={dt.date.today().year}")
    amount = center.locator("[data-figure=conversion_amount]")
    assert "1,250,000.00" in amount.locator("[data-testid=value]").inner_text()
    assert "1 条记录" in amount.inner_text()
    assert center.locator("[data-figure=conversion_projects] [data-testid=value]").inner_text().startswith("1")
    assert center.locator("[data-figure=demands_matched] [data-testid=value]").inner_text().startswith("1")
    amount.locator("a").click()
    center.wait_for_load_state()
    assert deal.title in center.locator(".page-body").inner_text()
