"""The matching pages: a demand's matches explained in words and paginated, confirmed with a message; the
matching home's open demands with their counts; a batch run's progress and results."""

from __future__ import annotations

import json
import re

import pytest

from ipoc.core.models import Notification
from ipoc.demands import services as demand_services
from ipoc.demands.models import DemandStatus
from ipoc.matching import views
from ipoc.matching.models import Match, MatchStatus
from ipoc.patents import services as patent_services
from ipoc.search import testing
from tests.matching.test_matching import PATENTS

search_index = testing.search_index

NO_NUMBER = {"id": "bdci-1", "title": "正极材料包覆用喷雾干燥装置", "abstract": "用于锂电池正极材料包覆的喷雾干燥。",
             "applicants": [{"name": "浙江大学", "type": "高校"}], "ipc_all": ["H01M4/04"], "patent_type": "发明"}


@pytest.fixture
def corpus(search_index, tmp_path, db):
    path = tmp_path / "p.jsonl"
    path.write_text("\n".join(json.dumps(p, ensure_ascii=False) for p in PATENTS), encoding="utf-8")
    patent_services.patent_import(actor=None, path=path, format="jsonl")
    numbered = tmp_path / "n.jsonl"
    numbered.write_text(json.dumps({"publication_number": "CN111900009A", "title": "锂电池正极材料包覆方法及装置",
                                    "abstract": "正极材料包覆。", "applicants": [{"name": "浙江大学", "type": "高校"}],
                                    "ipc_all": ["H01M4/36"], "patent_type": "发明", "legal_status": "有效",
                                    "application_date": "2019-05-01"}, ensure_ascii=False), encoding="utf-8")
    patent_services.patent_import(actor=None, path=numbered, format="jsonl")


@pytest.fixture
def demand(users, orgs, corpus):
    d = demand_services.demand_create(actor=users["ent_a"], title="锂电池正极材料包覆技术", keywords=["正极材料", "包覆"],
                                      center=orgs["center_a"])
    demand_services.demand_transition(actor=users["ent_a"], demand=d, to_status=DemandStatus.PENDING)
    return demand_services.demand_transition(actor=users["center_a"], demand=d, to_status=DemandStatus.PUBLISHED)


def _text(response) -> str:
    html = re.sub(r"<(script|style)\b.*?</\1>", " ", response.content.decode(), flags=re.S)
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def _messages(response) -> list[str]:
    return [re.sub(r"<[^>]+>", "", m).strip()
            for m in re.findall(r'<div class="alert alert-[a-z]+ alert-dismissible".*?</div></div>',
                                response.content.decode(), re.S)]


def test_run_then_confirm_with_a_message_and_the_explanation_in_words(client, users, demand):
    client.force_login(users["center_a"])
    empty = _text(client.get(f"/matching/demands/{demand.pk}/"))
    assert "尚未为此需求匹配专利" in empty
    response = client.post(f"/matching/demands/{demand.pk}/", follow=True)
    assert any("匹配完成" in m for m in _messages(response))
    text = _text(response)
    assert "为什么推荐" in text and "专利文本覆盖需求关键词" in text and "浙江大学（高校）" in text
    assert "匹配依据" in text and "匹配关键词" in text  # the terms the match used, editable by the center
    assert "CN111900009A" in text and "剩余保护期约" in text
    assert "ext:" not in text and "None" not in text and "university" not in text and "剩余 年" not in text
    match = Match.objects.filter(demand=demand, patent__publication_number="CN111900009A").get()
    assert 'name="decision" value="confirm"' in response.content.decode()
    response = client.post(f"/matching/matches/{match.pk}/decision/",
                           {"decision": "confirm", "reason": "包覆工艺一致", "next": f"/matching/demands/{demand.pk}/"},
                           follow=True)
    assert response.redirect_chain[-1][0] == f"/matching/demands/{demand.pk}/"
    assert any("已确认该匹配" in m for m in _messages(response))
    match.refresh_from_db()
    assert match.status == MatchStatus.CONFIRMED
    push = Notification.objects.get(recipient=users["ent_a"], kind="push")
    assert "CN111900009A" in push.title
    confirmed = _text(client.get(f"/matching/demands/{demand.pk}/?status=confirmed"))
    assert "包覆工艺一致" in confirmed and str(users["center_a"]) in confirmed


def test_a_patent_without_a_number_is_named_by_title_in_pages_and_pushes(client, users, demand):
    from ipoc.matching import services

    services.demand_match(actor=users["center_a"], demand=demand)
    match = Match.objects.get(demand=demand, patent__external_id="m1")
    assert match.patent.key.startswith("ext:")
    client.force_login(users["center_a"])
    page = client.get(f"/matching/demands/{demand.pk}/").content.decode()
    assert "ext:" not in _text(client.get(f"/matching/demands/{demand.pk}/")) and "无公开号" in page
    client.post(f"/matching/matches/{match.pk}/decision/", {"decision": "confirm"})
    push = Notification.objects.get(recipient=users["ent_a"], kind="push")
    assert "ext:" not in push.title and "《一种锂电池正极材料的包覆方法》" in push.title
    history = _text(client.get(f"/demands/{demand.pk}/"))
    assert "ext:" not in history and "系统" in history


def test_reject_needs_a_reason_and_only_the_center_may_decide(client, users, demand):
    from ipoc.matching import services

    services.demand_match(actor=users["center_a"], demand=demand)
    match = Match.objects.filter(demand=demand).first()
    client.force_login(users["center_a"])
    response = client.post(f"/matching/matches/{match.pk}/decision/", {"decision": "reject"}, follow=True)
    assert any("否决匹配必须说明理由" in m for m in _messages(response))
    match.refresh_from_db()
    assert match.status == MatchStatus.PROPOSED
    client.force_login(users["ent_a"])
    page = client.get(f"/matching/demands/{demand.pk}/").content.decode()
    assert 'value="confirm"' not in page and 'id="run-match"' not in page


def test_matches_are_paginated_and_filtered_by_status(client, users, demand, monkeypatch):
    from ipoc.matching import services

    found = services.demand_match(actor=users["center_a"], demand=demand)
    assert len(found) >= 3
    monkeypatch.setattr(views, "MATCHES_PER_PAGE", 2)
    client.force_login(users["center_a"])
    first = client.get(f"/matching/demands/{demand.pk}/").content.decode()
    assert first.count('class="card mb-3 match"') == 2 and "page=2" in first
    second = client.get(f"/matching/demands/{demand.pk}/?page=2").content.decode()
    assert second.count('class="card mb-3 match"') == min(2, len(found) - 2)
    assert 'class="card mb-3 match"' not in client.get(f"/matching/demands/{demand.pk}/?status=confirmed").content.decode()


def test_home_lists_the_centers_open_demands_with_counts(client, users, orgs, demand):
    from ipoc.matching import services

    services.demand_match(actor=users["center_a"], demand=demand)
    client.force_login(users["center_a"])
    page = client.get("/matching/")
    text = _text(page)
    assert demand.title in text and "待确认匹配" in text and f'href="/matching/demands/{demand.pk}/"' in page.content.decode()
    assert demand.title in _text(client.get("/matching/?waiting=1"))
    assert demand.title not in _text(client.get("/matching/?waiting=0"))
    client.force_login(users["center_b"])
    assert demand.title not in _text(client.get("/matching/"))  # another center's demand is not its work


def test_batch_run_page_shows_progress_and_results(client, users, demand):
    client.force_login(users["center_a"])
    response = client.post("/matching/runs/", follow=True)  # jobs run inline in tests
    assert any("批量匹配" in m for m in _messages(response))
    text = _text(response)
    assert "已完成" in text  # the job's status by its label
    assert demand.title in text and "succeeded" not in text
    assert "锂电池正极材料包覆技术" in _text(client.get(response.redirect_chain[-1][0] + "?q=正极"))
    assert demand.title not in _text(client.get(response.redirect_chain[-1][0] + "?q=图像"))


def test_the_enterprise_sees_what_was_pushed_not_the_centers_candidates(client, users, demand):
    from ipoc.matching import services

    found = services.demand_match(actor=users["center_a"], demand=demand)
    services.match_decide(actor=users["center_a"], match=found[0], confirm=True, reason="契合")
    client.force_login(users["ent_a"])
    page = client.get(f"/matching/demands/{demand.pk}/?status=proposed").content.decode()
    assert page.count('class="card mb-3 match"') == 1 and 'data-status="confirmed"' in page
    assert 'data-status="proposed"' not in page
    home = _text(client.get("/matching/"))
    assert demand.title in home and "待确认匹配" not in home
    detail = _text(client.get(f"/demands/{demand.pk}/"))
    assert "运营中心已确认推送 1 件" in detail and "待确认" not in detail


def test_an_enterprise_lists_only_a_patent_it_holds_picked_by_search(client, users, orgs, search_index, tmp_path):
    from ipoc.matching.models import Listing
    from ipoc.patents.models import Patent

    path = tmp_path / "own.jsonl"
    rows = [{"publication_number": "CN120000001A", "title": "一种电池极片辊压装置",
             "applicants": [{"name": orgs["ent_a"].name, "type": "企业"}]},
            {"publication_number": "CN120000002A", "title": "一种隔膜涂覆方法",
             "applicants": [{"name": "浙江大学", "type": "高校"}]}]
    path.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in rows), encoding="utf-8")
    patent_services.patent_import(actor=None, path=path, format="jsonl")
    own, other = Patent.objects.get(publication_number="CN120000001A"), Patent.objects.get(
        publication_number="CN120000002A")
    client.force_login(users["ent_a"])
    offered = client.get("/api/v1/lookups/listing_patents?q=CN12").json()
    assert [o["value"] for o in offered] == [own.pk]
    refused = client.post("/matching/listings/", {"patent": other.pk, "modes": ["license"]})
    assert refused.status_code == 200 and "is-invalid" in refused.content.decode() and not Listing.objects.exists()
    response = client.post("/matching/listings/", {"patent": own.pk, "modes": ["license", "equity"]}, follow=True)
    assert any("专利已挂牌" in m for m in _messages(response))
    assert Listing.objects.get().holder == orgs["ent_a"]
    assert "许可、作价入股" in _text(response)
