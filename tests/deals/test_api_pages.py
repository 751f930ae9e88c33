"""/api/v1/deals and the deal pages: list, detail, create, update, stage moves, attachments, refusals."""

import datetime as dt

from django.core.files.uploadedfile import SimpleUploadedFile

from ipoc.deals import selectors


def _create(api, orgs, patents, **extra):
    payload = {"title": "API 交易", "deal_type": "license", "seller_ids": [orgs["univ"].pk],
               "buyer_ids": [orgs["ent_a"].pk], "patent_ids": [patents[0].pk], "intention_date": "2025-01-10",
               "chain_scope": "within_chain", **extra}
    return api.post("/deals", payload)


def test_api_workflow(api_client, users, orgs, patents):
    api = api_client.as_user(users["center_a"])
    r = _create(api, orgs, patents)
    assert r.status_code == 201, r.content
    body = r.json()
    did = body["id"]
    assert body["stage"] == "intention" and body["stage_label"] == "意向" and body["center_id"] == orgs["center_a"].pk
    assert body["seller_ids"] == [orgs["univ"].pk] and body["buyer_ids"] == [orgs["ent_a"].pk]
    assert body["patent_ids"] == [patents[0].pk] and body["history"][0]["to_stage"] == "intention"
    r = api.patch(f"/deals/{did}", {"amount": "-5"})
    assert r.status_code == 400 and r.json()["error"]["field"] == "amount"
    r = api.patch(f"/deals/{did}", {"amount": "200000000000"})
    assert r.status_code == 400 and r.json()["error"]["field"] == "amount"
    assert api.patch(f"/deals/{did}", {"patent_ids": [patents[1].pk, patents[2].pk]}).json()["patent_ids"] == [
        patents[1].pk, patents[2].pk]
    assert api.post(f"/deals/{did}/transition", {"to_stage": "negotiation", "reason": "会谈"}).status_code == 200
    r = api.post(f"/deals/{did}/transition", {"to_stage": "signed", "on": "2025-03-01"})
    assert r.status_code == 400 and r.json()["error"]["field"] == "amount"
    r = api.post(f"/deals/{did}/transition", {"to_stage": "signed", "on": "2025-03-01", "amount": "880000"})
    assert r.json()["stage"] == "signed" and r.json()["signed_date"] == "2025-03-01"
    assert r.json()["amount"] in ("880000.00", 880000.0)
    r = api.post(f"/deals/{did}/transition", {"to_stage": "completed"})
    assert r.status_code == 400 and r.json()["error"]["code"] == "invalid_transition"
    # listing with the statistics filters
    listed = api.get("/deals", center=orgs["center_a"].pk, signed_year=2025, counted=True).json()
    assert [d["id"] for d in listed["items"]] == [did]
    assert api.get("/deals", signed_year=2024).json()["count"] == 0


def test_api_refusals(api_client, users, orgs, patents):
    did = _create(api_client.as_user(users["center_a"]), orgs, patents).json()["id"]
    assert _create(api_client.as_user(users["ent_a"]), orgs, patents).status_code == 403
    assert _create(api_client.as_user(users["center_b"]), orgs, patents,
                   center_id=orgs["center_a"].pk).status_code == 403
    party = api_client.as_user(users["ent_a"])  # a party sees the deal but may not move it
    assert party.get(f"/deals/{did}").status_code == 200
    r = party.post(f"/deals/{did}/transition", {"to_stage": "negotiation"})
    assert r.status_code == 403 and r.json()["error"]["code"] == "permission_denied"
    assert party.patch(f"/deals/{did}", {"title": "改"}).status_code == 403
    other = api_client.as_user(users["center_b"])
    assert other.get(f"/deals/{did}").status_code == 404
    assert other.post(f"/deals/{did}/transition", {"to_stage": "negotiation"}).status_code == 404
    assert api_client.as_user(users["ent_b"]).get("/deals").json()["count"] == 0
    r = _create(api_client.as_user(users["center_a"]), orgs, patents, seller_ids=[999999])
    assert r.status_code == 404 and r.json()["error"]["field"] == "seller_ids"


def test_api_attachments(client, api_client, users, orgs, patents):
    api = api_client.as_user(users["center_a"])
    did = _create(api, orgs, patents).json()["id"]
    r = client.post(f"/api/v1/deals/{did}/attachments",
                    {"contract_file": SimpleUploadedFile("合同.pdf", b"%PDF"),
                     "filing_file": SimpleUploadedFile("备案.png", b"\x89PNG")}, **api.headers)
    assert r.status_code == 200, r.content
    assert r.json()["contract_file"].startswith("/files/deals/contracts/")
    assert r.json()["filing_file"].startswith("/files/deals/filings/")
    r = client.post(f"/api/v1/deals/{did}/attachments", {"contract_file": SimpleUploadedFile("x.exe", b"MZ")},
                    **api.headers)
    assert r.status_code == 400 and r.json()["error"]["field"] == "contract_file"


def test_pages(client, users, orgs, patents, make_deal):
    client.force_login(users["center_a"])
    html = client.get("/deals/new/").content.decode()  # parties, patents, demand and event are picked by search
    for kind in ("organizations", "patents", "demands", "events"):
        assert f'data-picker-url="/api/v1/lookups/{kind}"' in html
    assert "seller_names" not in html and "demand_id" not in html and "event_id" not in html
    form = {"title": "页面登记的交易", "deal_type": "assignment", "chain_scope": "other", "amount": "-3",
            "sellers": [orgs["univ"].pk], "buyers": [orgs["ent_a"].pk], "patents": [patents[0].pk],
            "intention_date": "2025-02-01"}
    r = client.post("/deals/new/", form)
    assert r.status_code == 200 and "交易金额不能为负数" in r.content.decode()
    r = client.post("/deals/new/", {**form, "amount": "300000", "intention_date": "2025-02-30"})
    html = r.content.decode()  # a wrong date: the form again, the error under the date, never an error page
    assert r.status_code == 200 and 'id="id_intention_date"' in html and "is-invalid" in html
    assert "invalid-feedback" in html and "页面登记的交易" in html
    r = client.post("/deals/new/", {**form, "amount": "300000", "sellers": [orgs["ent_a"].pk]})
    assert r.status_code == 200 and "同一单位不能同时是转让/许可方和受让/被许可方" in r.content.decode()
    r = client.post("/deals/new/", {**form, "amount": "300000"}, follow=True)
    assert r.redirect_chain and "交易已登记" in r.content.decode()
    deal = selectors.deal_list(user=users["center_a"]).get(title="页面登记的交易")
    assert list(deal.buyers.all()) == [orgs["ent_a"]] and list(deal.patents.all()) == [patents[0]]
    html = client.get(f"/deals/{deal.pk}/").content.decode()
    assert 'data-stage="negotiation"' in html and 'data-stage="terminated"' in html and "上传附件" in html
    assert 'data-stage="signed"' not in html  # only the moves allowed from 意向
    assert orgs["univ"].name in html and patents[0].publication_number in html
    r = client.post(f"/deals/{deal.pk}/transition/", {"to_stage": "negotiation", "reason": "会谈"}, follow=True)
    assert "交易已进入洽谈" in r.content.decode()
    r = client.post(f"/deals/{deal.pk}/transition/", {"to_stage": "signed", "amount": "300000", "on": "2025-04-31"})
    assert r.status_code == 200 and "未能变更阶段" in r.content.decode() and "invalid-feedback" in r.content.decode()
    deal.refresh_from_db()
    assert deal.stage == "negotiation"
    assert client.post(f"/deals/{deal.pk}/transition/", {"to_stage": "signed", "amount": "300000",
                                                         "on": "2025-04-01"}).status_code == 302
    deal.refresh_from_db()
    assert deal.stage == "signed" and deal.signed_date == dt.date(2025, 4, 1)
    r = client.post(f"/deals/{deal.pk}/transition/", {"to_stage": "terminated"})
    assert r.status_code == 200 and "终止理由" in r.content.decode() and "invalid-feedback" in r.content.decode()
    deal.refresh_from_db()
    assert deal.stage == "signed"
    r = client.post(f"/deals/{deal.pk}/transition/", {"to_stage": "completed"}, follow=True)
    assert r.status_code == 200 and "不能从" in r.content.decode()  # not an allowed move: a message, no error page
    assert client.post(f"/deals/{deal.pk}/attachments/",
                       {"contract_file": SimpleUploadedFile("合同.pdf", b"%PDF-1.4 test")}).status_code == 302
    html = client.get("/deals/?signed_year=2025").content.decode()
    assert "页面登记的交易" in html and "登记交易" in html and ">转让</td>" in html and ">assignment<" not in html
    assert "页面登记的交易" not in client.get("/deals/?signed_year=2024").content.decode()
    assert client.get(f"/deals/{deal.pk}/edit/").status_code == 200

    client.force_login(users["ent_a"])  # a party: sees it, no stage buttons, no edit
    html = client.get(f"/deals/{deal.pk}/").content.decode()
    assert "页面登记的交易" in html and "data-stage=" not in html and "上传附件" not in html
    assert client.get(f"/deals/{deal.pk}/edit/").status_code == 403
    assert client.post(f"/deals/{deal.pk}/transition/", {"to_stage": "performing"}).status_code == 403
    client.force_login(users["center_b"])
    assert client.get(f"/deals/{deal.pk}/").status_code == 404
