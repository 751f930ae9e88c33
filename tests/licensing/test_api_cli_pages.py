"""The API, the CLI and the pages: same rules, clear 4xx naming the field, other organisations' records 404."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.core.management import CommandError, call_command

from ipoc.licensing import services
from ipoc.licensing.models import OpenLicenceDeclaration

pytestmark = pytest.mark.django_db
TODAY = dt.date.today()


def test_api_declare_file_refused_then_publish_and_notice(api_client, make_patent, users, orgs):
    univ = api_client.as_user(users["univ"])
    p = make_patent("CN210000002U", patent_type="utility_model")
    r = univ.post("/licensing/declarations", {"patent_id": p.pk, "fee_method": "fixed", "fixed_fee": "80000",
                                              "term_years": 3, "contact_name": "王老师"})
    assert r.status_code == 201, r.content
    decl = r.json()["id"]
    r = univ.post(f"/licensing/declarations/{decl}/file")
    assert r.status_code == 400 and r.json()["error"]["code"] == "not_eligible"
    assert "专利权评价报告" in r.json()["error"]["message"]
    check = univ.get(f"/licensing/declarations/{decl}/check").json()
    assert [b["code"] for b in check["blockers"]] == ["no_evaluation_report"]
    assert check["blockers"][0]["rule"]["source"].startswith("《中华人民共和国专利法》第五十条")
    services.declaration_update(actor=users["univ"], declaration=OpenLicenceDeclaration.objects.get(pk=decl),
                                data={"evaluation_report_number": "PJ-1"})
    assert univ.post(f"/licensing/declarations/{decl}/file").status_code == 200
    assert univ.post(f"/licensing/declarations/{decl}/publish", {}).json()["status"] == "published"
    public = api_client.get("/licensing/public")  # no token: public
    assert public.status_code == 200 and public.json()["items"][0]["patent_number"] == "CN210000002U"
    ent = api_client.as_user(users["ent_a"])
    r = ent.post(f"/licensing/declarations/{decl}/notice", {"notice_text": "愿意实施", "payment_amount": "1"})
    assert r.status_code == 400 and r.json()["error"]["field"] == "payment_amount"
    r = ent.post(f"/licensing/declarations/{decl}/notice", {"notice_text": "愿意实施", "payment_amount": "80000",
                                                            "payment_date": TODAY.isoformat(),
                                                            "payment_reference": "ZF-1"})
    assert r.status_code == 201 and r.json()["licensee"] == "苏州甲科技有限公司"
    assert r.json()["payment_status"] == "pending"  # 付款待确认 until the licensor confirms
    lic = r.json()["id"]
    ledger = ent.get(f"/licensing/licences/{lic}/ledger").json()
    assert ledger["balance"] == "80000.00" and ledger["total_unconfirmed"] == "80000.00"
    assert ent.get("/licensing/royalties", year=TODAY.year).json()["total"] == "0"
    payment = ledger["payments"][0]["id"]
    r = univ.post(f"/licensing/licences/{lic}/payments/{payment}/confirm")
    assert r.status_code == 200 and r.json()["balance"] == "0.00" and r.json()["payment_status"] == "confirmed"
    assert api_client.as_user(users["ent_b"]).get(f"/licensing/licences/{lic}/ledger").status_code == 404
    ent = api_client.as_user(users["ent_a"])
    royalties = ent.get("/licensing/royalties", year=TODAY.year).json()
    assert royalties["total"] == "80000.00" and royalties["unconfirmed_total"] == "0"


def test_api_check_and_pledges(api_client, patent, users):
    univ = api_client.as_user(users["univ"])
    r = univ.get(f"/licensing/check/{patent.publication_number}")
    assert r.status_code == 200 and r.json()["eligible"] is True
    r = univ.post("/licensing/pledges", {"title": "开源", "summary": "s", "mechanism": "covenant",
                                         "scope_kind": "list", "scope_numbers": [patent.publication_number]})
    assert r.status_code == 201 and r.json()["patent_ids"] == [patent.pk]
    r = univ.post("/licensing/pledges", {"title": "开源", "summary": "s", "mechanism": "nonsense",
                                         "scope_kind": "list", "scope_numbers": ["x"]})
    assert r.status_code == 400 and r.json()["error"]["field"] == "mechanism"
    assert univ.get(f"/licensing/patents/{patent.pk}/status").json()["pledges"][0]["title"] == "开源"


def test_cli_check_declarations_royalties(make_patent, patent, declare, users, orgs, capsys):
    lapsed = make_patent("CN110000020B", legal_status="lapsed")
    call_command("licensing", "check", lapsed.publication_number, "--json")
    data = json.loads(capsys.readouterr().out)
    assert data["eligible"] is False and data["blockers"][0]["code"] == "not_in_force"
    call_command("licensing", "check", lapsed.publication_number)
    assert "不能声明" in capsys.readouterr().out
    decl = declare(patent, fee_method="fixed", fixed_fee="1000", royalty_rate=None)
    lic = services.licence_form(actor=None, declaration=decl, licensee=orgs["ent_a"], notice_text="n",
                                payment_amount="1000", payment_date=TODAY)
    call_command("licensing", "declarations", "--json")
    assert json.loads(capsys.readouterr().out)[0]["patent_number"] == patent.publication_number
    call_command("licensing", "royalties", "--year", str(TODAY.year), "--json")
    data = json.loads(capsys.readouterr().out)
    assert (data["total"], data["unconfirmed_total"]) == ("0", "1000.00")
    call_command("licensing", "royalties", "--year", str(TODAY.year))
    text = capsys.readouterr().out
    assert "confirmed: 0.00 元（0 笔）" in text and "unconfirmed: 1,000.00 元（1 笔" in text
    services.payment_confirm(actor=users["univ"], payment=lic.payments.get())
    call_command("licensing", "royalties", "--year", str(TODAY.year), "--json")
    data = json.loads(capsys.readouterr().out)
    assert (data["total"], data["unconfirmed_total"]) == ("1000.00", "0")
    with pytest.raises(CommandError):
        call_command("licensing", "check", "CN000")


def test_pages_for_each_role(client, patent, declare, users, orgs):
    decl = declare(patent)
    lic = services.licence_form(actor=users["ent_a"], declaration=decl, licensee=orgs["ent_a"], notice_text="n")
    for name in ("univ", "ent_a", "center_a", "js_office", "admin"):
        client.force_login(users[name])
        for url in ("/licensing/", "/licensing/public/", "/licensing/declarations/", "/licensing/licences/",
                    "/licensing/royalties/", "/licensing/pledges/", "/licensing/check/", "/licensing/rules/",
                    f"/licensing/public/{decl.pk}/", f"/licensing/check/?patent={patent.pk}",
                    f"/patents/{patent.pk}/"):
            assert client.get(url).status_code == 200, (name, url)
    client.force_login(users["univ"])
    assert client.get(f"/licensing/declarations/{decl.pk}/").status_code == 200
    assert client.get(f"/licensing/licences/{lic.pk}/").status_code == 200
    assert "开放许可" in client.get(f"/patents/{patent.pk}/").content.decode()
    client.force_login(users["ent_b"])
    assert client.get(f"/licensing/licences/{lic.pk}/").status_code == 404
    r = client.post(f"/licensing/declarations/{decl.pk}/action/", {"action": "withdraw", "reason": "x"})
    assert r.status_code == 403
    client.force_login(users["ent_a"])
    assert client.get(f"/licensing/declarations/{decl.pk}/notice/").status_code == 200


def test_declaration_pages_flow(client, make_patent, users, orgs):
    p = make_patent("CN110000030B", holders=[orgs["univ"], orgs["ent_b"]])
    client.force_login(users["univ"])
    r = client.post("/licensing/declarations/new/", {"patent": p.pk, "fee_method": "free", "term_years": 2,
                                                      "contact_name": "王老师", "royalty_base": "net_sales"})
    assert r.status_code == 302, r.content.decode()[:2000]
    decl = OpenLicenceDeclaration.objects.get(patent=p)
    page = client.get(r.url).content.decode()
    assert "共有人尚未同意" in page and "杭州乙材料有限公司" in page
    r = client.post(f"/licensing/declarations/{decl.pk}/action/", {"action": "file"})
    assert r.status_code == 200 and "不能提交开放许可声明" in r.content.decode()
    client.post(f"/licensing/declarations/{decl.pk}/action/", {"action": "consent", "name": "杭州乙材料有限公司"})
    r = client.post(f"/licensing/declarations/{decl.pk}/action/", {"action": "file"})
    assert r.status_code == 302
    r = client.post(f"/licensing/declarations/{decl.pk}/action/", {"action": "publish", "announcement_number": "A1"})
    decl.refresh_from_db()
    assert decl.status == "published"


def test_cli_remind(patent, declare, users, orgs, capsys):
    from ipoc.core.models import Notification

    decl = declare(patent)
    lic = services.licence_form(actor=None, declaration=decl, licensee=orgs["ent_a"], notice_text="n",
                                notice_date=TODAY - dt.timedelta(days=19))
    type(lic).objects.filter(pk=lic.pk).update(formed_on=TODAY - dt.timedelta(days=120))
    call_command("licensing", "remind", "--json")
    assert json.loads(capsys.readouterr().out) == {"royalty_overdue": 0, "filing_overdue": 2}
    assert Notification.objects.filter(recipient=users["ent_a"], title__contains="尚未备案").exists()


def test_check_page_lists_encumbrances_and_releases_one(client, patent, users):
    from ipoc.licensing import eligibility

    enc = services.encumbrance_record(actor=users["univ"], patent=patent, kind="preservation", party="某区人民法院",
                                      start_date=TODAY - dt.timedelta(days=3))
    client.force_login(users["univ"])
    page = client.get(f"/licensing/check/?patent={patent.pk}").content.decode()
    assert "某区人民法院" in page and "财产保全" in page and "第八十六条" in page
    client.force_login(users["ent_b"])  # not the holder
    client.post(f"/licensing/encumbrances/{enc.pk}/release/")
    enc.refresh_from_db()
    assert enc.end_date is None
    client.force_login(users["univ"])
    assert client.post(f"/licensing/encumbrances/{enc.pk}/release/").status_code == 302
    assert eligibility.check(patent)["eligible"]


def test_dispute_recorded_and_closed_on_the_licence_page(client, patent, declare, users, orgs):
    decl = declare(patent)
    lic = services.licence_form(actor=None, declaration=decl, licensee=orgs["ent_a"], notice_text="n")
    client.force_login(users["ent_a"])
    r = client.post(f"/licensing/licences/{lic.pk}/action/", {"action": "dispute", "description": "提成基数有争议",
                                                              "route": "mediation"})
    assert r.status_code == 302
    dispute = lic.disputes.get()
    assert dispute.get_route_display() == "国务院专利行政部门调解"
    client.force_login(users["univ"])
    client.post(f"/licensing/licences/{lic.pk}/action/", {"action": "dispute_close", "dispute": dispute.pk,
                                                          "outcome": "调解达成一致"})
    dispute.refresh_from_db()
    assert dispute.closed_on == TODAY and dispute.outcome == "调解达成一致"


def test_list_endpoints_query_counts_are_pinned(api_client, make_patent, declare, users, orgs,
                                                django_assert_max_num_queries):
    for i in range(3):
        decl = declare(make_patent(f"CN11000005{i}B"))
        services.licence_form(actor=None, declaration=decl, licensee=orgs["ent_a"], notice_text="n")
    univ = api_client.as_user(users["univ"])
    with django_assert_max_num_queries(6):
        assert univ.get("/licensing/declarations").json()["count"] == 3
    with django_assert_max_num_queries(6):
        assert univ.get("/licensing/licences").json()["count"] == 3
    with django_assert_max_num_queries(4):
        assert api_client.get("/licensing/public").status_code == 200
