"""A university files the patents it holds for 存量盘活 — numbered or not (research data sets have no
publication number) — chosen by search among its own patents; the pages offer only the moves a user may make."""

from __future__ import annotations

import json

import pytest

from ipoc.core.pickers import lookup_search
from ipoc.patents.models import Patent, PatentParty
from ipoc.revitalization import services
from ipoc.revitalization.models import StockPatent
from tests.revitalization.conftest import needs_sample

pytestmark = [needs_sample, pytest.mark.django_db]

KEY = "ext:patents_bdci:3ecb0000000000000000000000000001"


@pytest.fixture
def unnumbered(cast):
    """A patent of the institute known only by its store key (a research data set's record)."""
    patent = Patent.objects.create(key=KEY, title="一种基于深度学习的无人机巡检图像识别方法", source="patents_bdci")
    PatentParty.objects.create(patent=patent, role="applicant", name=cast["institute"].name,
                               organization=cast["institute"])
    return patent


@pytest.fixture
def foreign(cast, orgs):
    patent = Patent.objects.create(key="ext:patents_bdci:other", title="别家的专利", source="patents_bdci")
    PatentParty.objects.create(patent=patent, role="applicant", name=orgs["ent_a"].name, organization=orgs["ent_a"])
    return patent


def test_service_files_a_patent_without_a_number_by_its_id(cast, unnumbered):
    numbered = Patent.objects.get(publication_number="CN218751475U")
    report = services.stock_select(actor=cast["filer"], institution=cast["institute"],
                                   patents=[unnumbered, numbered], department="无人机学院")
    assert report["counts"]["created"] == 2 and report["counts"]["rejected"] == 0
    stock = StockPatent.objects.get(patent=unnumbered)
    assert stock.title == unnumbered.title and stock.number_raw == "" and stock.department == "无人机学院"
    # the report names patents as a person does: the number, else the title — never the store key
    assert [i["number"] for i in report["items"]] == [unnumbered.title, "CN218751475U"]
    assert "ext:" not in json.dumps(report, ensure_ascii=False)
    assert "ext:" not in stock.moves.get().reason
    # typed: the store key or the patent id is accepted too (it used to be rejected as "unrecognised")
    StockPatent.objects.all().delete()
    report = services.stock_select(actor=cast["filer"], institution=cast["institute"],
                                   numbers=[KEY, str(numbered.pk)])
    assert report["counts"]["created"] == 2, report["rejected_rows"]


def test_own_patents_lookup_offers_only_what_the_institution_holds_and_has_not_filed(cast, unnumbered, foreign):
    found = lookup_search(user=cast["filer"], kind="own_patents", q="无人机")
    values = {r["value"] for r in found}
    assert unnumbered.pk in values and foreign.pk not in values
    row = next(r for r in found if r["value"] == unnumbered.pk)
    assert "ext:" not in row["label"] and "研究数据集" in row["label"]
    services.stock_select(actor=cast["filer"], institution=cast["institute"], patents=[unnumbered])
    assert unnumbered.pk not in {r["value"] for r in lookup_search(user=cast["filer"], kind="own_patents", q="无人机")}
    # a center or an enterprise holds no patents of the institute
    assert lookup_search(user=cast["center_a"], kind="own_patents", q="无人机") == []


def test_filing_page(client, cast, unnumbered, foreign):
    client.force_login(cast["filer"])
    html = client.get("/stock/file/").content.decode()
    assert 'data-picker-url="/api/v1/lookups/own_patents"' in html and 'name="patents"' in html
    numbered = Patent.objects.get(publication_number="CN216774847U")
    r = client.post("/stock/file/", {"patents": [unnumbered.pk, numbered.pk], "department": "无人机学院",
                                     "intentions": ["assignment", "license"], "self_rating": "4"}, follow=True)
    html = r.content.decode()
    assert r.redirect_chain[-1][0].startswith("/stock/imports/") and "已建档 2 件" in html
    assert unnumbered.title in html and "研究数据集" in html and "ext:" not in html
    stock = StockPatent.objects.get(patent=unnumbered)
    assert stock.intentions == ["assignment", "license"] and stock.self_rating == 4
    # another institution's patent cannot be slipped in through the form
    r = client.post("/stock/file/", {"patents": [foreign.pk]})
    assert r.status_code == 200 and "invalid-feedback" in r.content.decode()
    assert not StockPatent.objects.filter(patent=foreign).exists()
    # the list and the stock patent's page show the title with its source, never the key
    html = client.get("/stock/").content.decode()
    assert unnumbered.title in html and "ext:" not in html
    html = client.get(f"/stock/{stock.pk}/").content.decode()
    assert "从专利库选择" in html and "ext:" not in html and 'value="submit"' in html
    # a center may not file for an institution
    client.force_login(cast["center_a"])
    assert client.get("/stock/file/").status_code == 403


def test_detail_offers_only_the_moves_of_its_user(client, cast, unnumbered):
    services.stock_select(actor=cast["filer"], institution=cast["institute"], patents=[unnumbered],
                          department="无人机学院")
    stock = StockPatent.objects.get(patent=unnumbered)
    services.stock_submit(actor=cast["filer"], stock=stock)

    def buttons(user):
        client.force_login(user)
        html = client.get(f"/stock/{stock.pk}/").content.decode()
        return {a for a in ("submit", "approve", "refuse", "grade", "screen") if f'value="{a}"' in html}

    assert buttons(cast["filer"]) == set()
    assert buttons(cast["env"]) == set()  # 院系审核人 of another 院系
    assert buttons(cast["dept"]) == {"approve", "refuse"}
    r = client.post(f"/stock/{stock.pk}/action/", {"action": "refuse"}, follow=True)
    assert "退回必须说明理由" in r.content.decode()
    r = client.post(f"/stock/{stock.pk}/action/", {"action": "approve", "reason": "同意"}, follow=True)
    assert "审核通过" in r.content.decode()
    assert buttons(cast["school"]) == {"approve", "refuse"}
    r = client.post(f"/stock/{stock.pk}/action/", {"action": "approve"}, follow=True)
    assert "已进入存量专利基础库" in r.content.decode()
    assert buttons(cast["center_a"]) == {"grade"}  # the serving center grades; nothing to screen before grading
    html = client.get(f"/stock/{stock.pk}/").content.decode()
    assert "评估引擎无法评级" in html  # no patent type or filing date in the store


def test_dashboard_charts(client, cast, unnumbered):
    client.force_login(cast["filer"])
    html = client.get("/stock/dashboard/").content.decode()
    assert "暂无存量专利" in html and 'data-chart="chart-progress"' not in html  # an empty state, no empty axes
    services.stock_select(actor=cast["filer"], institution=cast["institute"], patents=[unnumbered])
    html = client.get("/stock/dashboard/").content.decode()
    start = html.index('<script id="chart-progress" type="application/json">')
    option = json.loads(html[html.index(">", start) + 1:html.index("</script>", start)])
    assert option["title"]["text"] == "盘活进度（件）" and option["series"][0]["data"][0] == 1
    assert option["ipocLinks"]["已盘点"] == "/stock/"
    assert 'data-chart="chart-recommendation"' not in html  # nothing graded: no chart rather than an empty one


def test_service_relation_pages(client, cast, orgs, users):
    """A center asks to serve an institution on the page; the institution's user agrees there."""
    from ipoc.revitalization.models import ServiceLink, ServiceRequest

    client.force_login(users["center_b"])
    html = client.get("/stock/services/").content.decode()
    assert 'data-picker-url="/api/v1/lookups/institutions"' in html
    r = client.post("/stock/services/request/", {"institution": cast["institute"].pk, "note": "可提供评价与推广"},
                    follow=True)
    assert "已向 中科大数据研究院 发出服务申请" in r.content.decode()
    assert not ServiceLink.objects.filter(center=orgs["center_b"], institution=cast["institute"]).exists()
    r = client.post("/stock/services/request/", {"institution": orgs["ent_a"].pk})  # not an institution
    assert r.status_code == 200 and "invalid-feedback" in r.content.decode()

    client.force_login(cast["filer"])
    assert "服务申请等待本单位确认" in client.get("/stock/").content.decode()
    html = client.get("/stock/services/").content.decode()
    assert 'data-testid="pending"' in html and "乙产业知识产权运营中心" in html and "可提供评价与推广" in html
    pending = ServiceRequest.objects.get(center=orgs["center_b"], status="pending")
    r = client.post(f"/stock/services/{pending.pk}/decide/", {"decision": "accept", "reason": "同意"}, follow=True)
    assert "已同意 乙产业知识产权运营中心" in r.content.decode()
    assert ServiceLink.objects.filter(center=orgs["center_b"], institution=cast["institute"]).exists()
    r = client.post(f"/stock/services/{pending.pk}/decide/", {"decision": "decline"}, follow=True)
    assert "已处理" in r.content.decode()  # decided once: a message, not an error page
    client.force_login(users["ent_a"])
    assert client.post("/stock/services/request/", {"institution": cast["institute"].pk}).status_code == 403
