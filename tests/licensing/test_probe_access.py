"""Probe findings (licensing): the eligibility check showed any patent's deals and encumbrances to any user (an
enterprise, an expert); an expert was offered the encumbrance form; a free licence could be dated in the future
through its payment date; a royalty report could run past the licence; pledge dates of year 1 were accepted."""

from __future__ import annotations

import datetime as dt

import pytest

from ipoc.core.errors import ApplicationError, PermissionDenied
from ipoc.licensing import services

from .conftest import TODAY


def test_check_only_for_own_patents(api_client, users, patent):
    api_client.as_user(users["ent_a"])
    r = api_client.get(f"/licensing/check/{patent.number}")
    assert r.status_code == 403 and r.json()["error"]["field"] == "patent"
    api_client.as_user(users["expert"])
    assert api_client.get(f"/licensing/check/{patent.number}").status_code == 403
    for who in ("univ", "center_a", "js_office", "admin"):
        api_client.as_user(users[who])
        assert api_client.get(f"/licensing/check/{patent.number}").status_code == 200, who


def test_check_pages(client, users, patent):
    client.force_login(users["expert"])
    assert client.get("/licensing/check/").status_code == 403
    assert client.get("/licensing/encumbrances/new/").status_code == 403
    assert "/licensing/check/" not in client.get("/licensing/").content.decode()
    client.force_login(users["ent_a"])
    page = client.get("/licensing/check/", {"patent": patent.pk}).content.decode()
    assert "只能核查本单位" in page
    client.force_login(users["univ"])
    page = client.get("/licensing/check/", {"patent": patent.pk}).content.decode()
    assert patent.number in page and "/licensing/encumbrances/new/" in page


def test_free_licence_payment_date_not_future(declare, patent, users, orgs):
    decl = declare(patent, fee_method="free", royalty_rate=None)
    with pytest.raises(ApplicationError) as exc:
        services.licence_form(actor=users["ent_a"], declaration=decl, licensee=orgs["ent_a"], notice_text="通知",
                              payment_date=TODAY + dt.timedelta(days=400))
    assert exc.value.field == "payment_date"


def test_report_must_end_within_term(declare, patent, users, orgs):
    lic = services.licence_form(actor=users["ent_a"], declaration=declare(patent), licensee=orgs["ent_a"],
                                notice_text="通知")
    with pytest.raises(ApplicationError) as exc:
        services.royalty_report_create(actor=users["ent_a"], licence=lic, period_start=lic.formed_on,
                                       period_end=dt.date(2199, 12, 31), base_amount="100")
    assert exc.value.field == "period_start"


def test_pledge_dates(api_client, users):
    api_client.as_user(users["univ"])
    body = {"title": "开源承诺", "summary": "s", "mechanism": "covenant", "scope_numbers": ["CN1"]}
    r = api_client.post("/licensing/pledges", {**body, "pledged_on": "0001-01-01"})
    assert r.status_code == 400 and r.json()["error"]["field"] == "pledged_on"
    r = api_client.post("/licensing/pledges", {**body, "pledged_on": (TODAY + dt.timedelta(days=3)).isoformat()})
    assert r.status_code == 400 and r.json()["error"]["field"] == "pledged_on"
    r = api_client.post("/licensing/pledges", {**body, "pledged_on": "2024-01-01", "valid_until": "2023-01-01"})
    assert r.status_code == 400 and r.json()["error"]["field"] == "valid_until"
    with pytest.raises(PermissionDenied):
        services.check_for(actor=users["expert"], patent=None)


def test_notice_only_for_enterprises_and_center(client, api_client, declare, patent, users, orgs):
    decl = declare(patent)
    for who in ("js_office", "expert", "univ"):
        client.force_login(users[who])
        assert client.get(f"/licensing/declarations/{decl.pk}/notice/").status_code == 403, who
    client.force_login(users["ent_a"])
    assert client.get(f"/licensing/declarations/{decl.pk}/notice/").status_code == 200
    api_client.as_user(users["js_office"])
    r = api_client.post(f"/licensing/declarations/{decl.pk}/notice", {"notice_text": "通知"})
    assert r.status_code == 403
    with pytest.raises(ApplicationError) as exc:  # not even on a center's behalf
        services.licence_form(actor=None, declaration=decl, licensee=orgs["js_office"], notice_text="通知")
    assert exc.value.field == "licensee"


def test_published_declaration_edit_redirects(client, declare, patent, users):
    decl = declare(patent)
    client.force_login(users["univ"])
    r = client.get(f"/licensing/declarations/{decl.pk}/edit/")
    assert r.status_code == 302 and r["Location"].endswith(f"/licensing/declarations/{decl.pk}/")


def test_licensee_names_its_payment(declare, patent, users, orgs):
    from ipoc.core.models import Notification

    decl = declare(patent, fee_method="fixed", fixed_fee="50000", royalty_rate=None)
    with pytest.raises(ApplicationError) as exc:
        services.licence_form(actor=users["ent_a"], declaration=decl, licensee=orgs["ent_a"], notice_text="通知",
                              payment_amount="50000", payment_date=TODAY)
    assert exc.value.field == "payment_reference"
    services.licence_form(actor=users["ent_a"], declaration=decl, licensee=orgs["ent_a"], notice_text="通知",
                          payment_amount="50000", payment_date=TODAY, payment_reference="ZF-0001")
    assert Notification.objects.filter(recipient=users["univ"], body__contains="ZF-0001").exists()


def test_pledge_reaches_only_the_pledgors_patents(make_patent, api_client, users, orgs, patent):
    others = make_patent("CN110000077B", holders=[orgs["ent_b"]], title="一种石墨烯导热膜")
    mine = make_patent("CN110000078B", title="一种石墨烯导热膜的制备方法")
    api_client.as_user(users["univ"])
    r = api_client.post("/licensing/pledges", {"title": "开源", "summary": "s", "mechanism": "covenant",
                                               "scope_numbers": [others.publication_number]})
    assert r.status_code == 400 and r.json()["error"]["field"] == "scope_numbers"
    r = api_client.post("/licensing/pledges", {"title": "开源", "summary": "s", "mechanism": "covenant",
                                               "scope_kind": "definition", "scope_keywords": "石墨烯"})
    assert r.status_code == 201
    ids = r.json()["patent_ids"]
    assert mine.pk in ids and patent.pk in ids and others.pk not in ids


def test_only_the_recorder_releases_an_encumbrance(client, patent, users, serves):
    serves()
    enc = services.encumbrance_record(actor=users["center_a"], patent=patent, kind="preservation",
                                      party="某区人民法院", start_date=TODAY - dt.timedelta(days=3))
    for who in ("univ", "center_b"):  # the patentee cannot clear it; nor can another center
        with pytest.raises(PermissionDenied):
            services.encumbrance_release(actor=users[who], encumbrance=enc)
    client.force_login(users["univ"])
    page = client.get(f"/licensing/check/?patent={patent.pk}").content.decode()
    assert "某区人民法院" in page and f"/licensing/encumbrances/{enc.pk}/release/" not in page
    client.force_login(users["center_a"])
    assert f"/licensing/encumbrances/{enc.pk}/release/" in client.get(
        f"/licensing/check/?patent={patent.pk}").content.decode()
    services.encumbrance_release(actor=users["center_a"], encumbrance=enc)
    enc.refresh_from_db()
    assert enc.end_date == TODAY


def test_center_cannot_file_for_a_patentee_on_the_platform(patent, users, orgs, make_patent):
    from ipoc.core.models import Notification

    decl = services.declaration_create(actor=users["center_a"], patent=patent, patentee=orgs["univ"],
                                       fee_method="free", term_years=1, contact_name="王老师",
                                       evaluation_report_number="PJ-1")
    assert Notification.objects.filter(recipient=users["univ"], title__contains="以贵单位名义").exists()
    with pytest.raises(PermissionDenied) as exc:
        services.declaration_file(actor=users["center_a"], declaration=decl)
    assert exc.value.field == "status"
    assert services.declaration_file(actor=users["univ"], declaration=decl).status == "filed"
    # a patentee without users (represented off the platform) is filed by its center
    offline = make_patent("CN110000088B", holders=[orgs["ent_b"].__class__.objects.create(
        name="某研究所", kind="research_institute")])
    other = services.declaration_create(actor=users["center_a"], patent=offline,
                                        patentee=offline.parties.first().organization, fee_method="free",
                                        term_years=1, contact_name="李老师", evaluation_report_number="PJ-2")
    assert services.declaration_file(actor=users["center_a"], declaration=other).status == "filed"


def test_detail_page_says_who_files(client, patent, users, orgs):
    decl = services.declaration_create(actor=users["center_a"], patent=patent, patentee=orgs["univ"],
                                       fee_method="free", term_years=1, contact_name="王老师")
    client.force_login(users["center_a"])
    page = client.get(f"/licensing/declarations/{decl.pk}/").content.decode()
    assert 'data-testid="awaiting-patentee"' in page and 'data-testid="file"' not in page
    client.force_login(users["univ"])
    page = client.get(f"/licensing/declarations/{decl.pk}/").content.decode()
    assert 'data-testid="file"' in page


def test_center_cannot_pledge_for_a_pledgor_on_the_platform(users, orgs, patent):
    with pytest.raises(PermissionDenied) as exc:
        services.pledge_create(actor=users["center_a"], pledgor=orgs["univ"], title="开源", summary="s",
                               mechanism="covenant", scope_numbers=[patent.publication_number])
    assert exc.value.field == "pledgor"
    pledge = services.pledge_create(actor=users["univ"], center=orgs["center_a"], title="开源", summary="s",
                                    mechanism="covenant", scope_numbers=[patent.publication_number])
    assert pledge.center == orgs["center_a"]


def test_an_administrators_or_the_systems_restriction_is_not_any_centers_to_release(patent, users, serves):
    """Session-10 probe: any center could release a restriction an administrator had recorded."""
    by_admin = services.encumbrance_record(actor=users["admin"], patent=patent, kind="preservation",
                                           party="某区人民法院", start_date=TODAY - dt.timedelta(days=3))
    by_import = services.encumbrance_record(actor=None, patent=patent, kind="pledge", party="某银行",
                                            start_date=TODAY - dt.timedelta(days=3))
    for enc in (by_admin, by_import):
        with pytest.raises(PermissionDenied):
            services.encumbrance_release(actor=users["center_b"], encumbrance=enc)
    serves("center_a", "univ")  # center_a serves the patentee: it may release the import's record, not the admin's
    with pytest.raises(PermissionDenied):
        services.encumbrance_release(actor=users["center_a"], encumbrance=by_admin)
    services.encumbrance_release(actor=users["center_a"], encumbrance=by_import)
    services.encumbrance_release(actor=users["admin"], encumbrance=by_admin)
    by_admin.refresh_from_db(), by_import.refresh_from_db()
    assert by_admin.end_date == TODAY and by_import.end_date == TODAY


def test_a_center_serves_a_declaration_as_itself_only(patent, users, orgs):
    """Session-10 probe: naming another center was silently replaced by one's own; now it is refused."""
    with pytest.raises(PermissionDenied) as err:
        services.declaration_create(actor=users["center_a"], patent=patent, patentee=orgs["univ"],
                                    center=orgs["center_b"], fee_method="royalty", royalty_rate="3", term_years=5,
                                    contact_name="王老师", field="新能源电池材料")
    assert err.value.field == "center"
