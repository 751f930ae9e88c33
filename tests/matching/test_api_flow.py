"""转化对接 end to end through the API: demand → match → push → event → deal → statistics."""

import datetime as dt
import json

import pytest

from ipoc.patents import services as patent_services
from ipoc.patents.models import Patent
from ipoc.search import testing
from tests.matching.test_matching import PATENTS

search_index = testing.search_index


@pytest.fixture
def corpus(search_index, tmp_path, db):
    path = tmp_path / "p.jsonl"
    path.write_text("\n".join(json.dumps(p, ensure_ascii=False) for p in PATENTS), encoding="utf-8")
    patent_services.patent_import(actor=None, path=path, format="jsonl")


def test_flow_over_the_api(api_client, users, orgs, corpus):
    ent = api_client.as_user(users["ent_a"])
    demand = ent.post("/demands", {"title": "锂电池正极材料包覆技术", "keywords": ["正极材料", "包覆"],
                                   "center_id": orgs["center_a"].pk}).json()
    assert ent.post(f"/demands/{demand['id']}/transition", {"to_status": "pending"}).status_code == 200
    center = api_client.as_user(users["center_a"])
    assert center.post(f"/demands/{demand['id']}/transition", {"to_status": "published"}).json()["status"] == "published"

    matches = center.post(f"/matching/demands/{demand['id']}/match").json()
    assert matches and matches[0]["explanation"]["matched_terms"]
    top = matches[0]
    assert center.post(f"/matching/matches/{top['id']}/decision", {"confirm": True, "reason": "契合"}).json()[
        "status"] == "confirmed"
    inbox = ent.get("/notifications", unread="true").json()
    pushes = [n for n in inbox["items"] if n["kind"] == "push"]
    assert len(pushes) == 1 and top["patent_title"] in pushes[0]["title"] and "ext:" not in pushes[0]["title"]
    assert [n["title"] for n in inbox["items"] if n["kind"] == "demand"] == ["需求已受理并发布：锂电池正极材料包覆技术"]

    event = center.post("/events", {"title": "新能源材料专利路演", "held_on": str(dt.date.today() + dt.timedelta(days=3)),
                                    "place": "苏州", "patent_ids": [top["patent_id"]]})
    assert event.status_code == 201, event.content
    event_id = event.json()["id"]
    assert center.post(f"/events/{event_id}/transition", {"to_status": "published"}).status_code == 200

    holder = Patent.objects.get(pk=top["patent_id"]).parties.first().organization
    deal = center.post("/deals", {"title": "正极材料包覆专利许可", "deal_type": "license", "seller_ids": [holder.pk],
                                  "buyer_ids": [orgs["ent_a"].pk], "patent_ids": [top["patent_id"]],
                                  "demand_id": demand["id"], "event_id": event_id})
    assert deal.status_code == 201, deal.content
    deal_id = deal.json()["id"]
    center.post(f"/deals/{deal_id}/transition", {"to_stage": "negotiation"})
    signed = center.post(f"/deals/{deal_id}/transition", {"to_stage": "signed", "amount": "800000"})
    assert signed.json()["stage"] == "signed", signed.content

    stats = center.get("/deals/statistics", center=orgs["center_a"].pk, year=dt.date.today().year).json()
    amount = next(v for k, v in stats.items() if k == "conversion_amount") if "conversion_amount" in stats else \
        stats["figures"]["conversion_amount"]
    assert str(amount["value"]) == "800000.00" and amount["record_ids"] == [deal_id]
