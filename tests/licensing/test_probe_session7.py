"""Probe (session 7, hostile users) of 确认收款 / 对账异议: another licence's payment id, ids that are not ids,
disputing twice, the licensee confirming a disputed payment, over-long reasons, and a disputed royalty payment
confirmed after the licensee paid the report again (the report would count as paid twice)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from ipoc.core.errors import ApplicationError, PermissionDenied
from ipoc.licensing import selectors, services
from ipoc.licensing.models import PaymentStatus

from .conftest import TODAY

pytestmark = pytest.mark.django_db


@pytest.fixture
def other_licence(make_patent, declare, users, orgs):
    """A second licence (苏州甲科技 on another patent of 浙江大学)."""
    decl = declare(make_patent("CN110000077B"), fee_method="fixed", fixed_fee="100", royalty_rate=None)
    return services.licence_form(actor=users["ent_a"], declaration=decl, licensee=orgs["ent_a"], notice_text="实施",
                                 payment_amount="100", payment_reference="ZF-0077", payment_date=TODAY)


def _url(lic, payment_id, verb="confirm"):
    return f"/licensing/licences/{lic.pk}/payments/{payment_id}/{verb}"


def test_a_payment_id_of_another_licence_is_not_found(fixed_licence, other_licence, users, api_client, client):
    foreign = other_licence.payments.get()
    api = api_client.as_user(users["univ"])
    for verb, body in (("confirm", None), ("dispute", {"reason": "未收到"})):
        r = api.post(_url(fixed_licence, foreign.pk, verb), body)
        assert r.status_code == 404 and r.json()["error"]["field"] == "payment_id", r.content
    client.force_login(users["univ"])
    r = client.post(f"/licensing/licences/{fixed_licence.pk}/action/", {"action": "payment_confirm",
                                                                        "payment": foreign.pk})
    assert r.status_code in (200, 302)
    foreign.refresh_from_db()
    assert foreign.status == PaymentStatus.PENDING


@pytest.mark.parametrize("bad", ["99999999999999999999999", "-1", "abc", "1.5"])
def test_ids_that_are_not_ids_are_4xx(fixed_licence, users, api_client, bad):
    api = api_client.as_user(users["univ"])
    for path in (_url(fixed_licence, bad), f"/licensing/licences/{bad}/payments/1/confirm"):
        r = api.post(path)
        assert 400 <= r.status_code < 500, (path, r.status_code)
        assert "/work/" not in r.content.decode() and "Traceback" not in r.content.decode()


@pytest.mark.parametrize("bad", ["²", "１２", "-3", "", "9" * 40, "1e3"])
def test_page_payment_field_that_is_not_an_id_is_a_message_not_a_500(fixed_licence, users, client, bad):
    """``"²".isdigit()`` is True but ``int("²")`` raises: the page answered 500."""
    client.force_login(users["univ"])
    for action in ("payment_confirm", "payment_dispute"):
        r = client.post(f"/licensing/licences/{fixed_licence.pk}/action/",
                        {"action": action, "payment": bad, "reason": "未收到"})
        assert r.status_code in (200, 302), (action, bad, r.status_code)
    r = client.post(f"/licensing/licences/{fixed_licence.pk}/action/", {"action": "dispute_close", "dispute": bad})
    assert r.status_code in (200, 302), ("dispute_close", bad, r.status_code)
    assert fixed_licence.payments.get().status == PaymentStatus.PENDING


def test_dispute_twice_and_licensee_confirming_a_disputed_payment(fixed_licence, users, api_client):
    payment = fixed_licence.payments.get()
    univ = api_client.as_user(users["univ"])
    assert univ.post(_url(fixed_licence, payment.pk, "dispute"), {"reason": "未收到"}).status_code == 200
    r = univ.post(_url(fixed_licence, payment.pk, "dispute"), {"reason": "还是未收到"})
    assert r.status_code == 400 and r.json()["error"]["field"] == "status"
    assert fixed_licence.disputes.count() == 1
    r = api_client.as_user(users["ent_a"]).post(_url(fixed_licence, payment.pk))
    assert r.status_code == 403
    for who in ("ent_b", "expert", "center_b"):
        assert api_client.as_user(users[who]).post(_url(fixed_licence, payment.pk)).status_code in (403, 404), who
    payment.refresh_from_db()
    assert payment.status == PaymentStatus.DISPUTED


def test_anonymous_is_401(fixed_licence, client):
    payment = fixed_licence.payments.get()
    r = client.post("/api/v1" + _url(fixed_licence, payment.pk), content_type="application/json")
    assert r.status_code == 401
    r = client.post(f"/licensing/licences/{fixed_licence.pk}/action/", {"action": "payment_confirm",
                                                                        "payment": payment.pk})
    assert r.status_code == 302 and "/login/" in r["Location"]


def test_reason_that_is_not_text_or_is_huge(fixed_licence, users, api_client):
    payment = fixed_licence.payments.get()
    univ = api_client.as_user(users["univ"])
    r = univ.post(_url(fixed_licence, payment.pk, "dispute"), {"reason": {"x": 1}})
    assert 400 <= r.status_code < 500
    r = univ.post(_url(fixed_licence, payment.pk, "dispute"), {})
    assert 400 <= r.status_code < 500
    r = univ.post(_url(fixed_licence, payment.pk, "dispute"), {"reason": "款" * 100_000})
    assert r.status_code == 400 and r.json()["error"]["field"] == "reason", r.status_code
    payment.refresh_from_db()
    assert payment.status == PaymentStatus.PENDING and not fixed_licence.disputes.exists()


def test_confirming_a_disputed_royalty_payment_cannot_overpay_its_report(patent, declare, users, orgs):
    """The licensor disputes a royalty payment; the licensee pays the report again (the disputed one no longer takes
    up the report); the licensor then confirms both — the report of 3,000 元 counted 6,000 元 as received."""
    decl = declare(patent)  # 提成 3%
    lic = services.licence_form(actor=users["ent_a"], declaration=decl, licensee=orgs["ent_a"], notice_text="实施",
                                notice_date=TODAY - dt.timedelta(days=20))
    report = services.royalty_report_create(actor=users["ent_a"], licence=lic, period_start=lic.formed_on,
                                            period_end=lic.formed_on + dt.timedelta(days=9), base_amount="100000")
    first = services.royalty_payment_record(actor=users["ent_a"], licence=lic, report=report, amount="3000")
    services.payment_dispute(actor=users["univ"], payment=first, reason="金额未到账")
    again = services.royalty_payment_record(actor=users["ent_a"], licence=lic, report=report, amount="3000")
    services.payment_confirm(actor=users["univ"], payment=again)
    with pytest.raises(ApplicationError) as exc:
        services.payment_confirm(actor=users["univ"], payment=first)
    assert exc.value.field == "status" and "3,000.00" in exc.value.message
    first.refresh_from_db()
    assert first.status == PaymentStatus.DISPUTED
    row = selectors.ledger(lic)["rows"][0]
    assert row["paid"] == Decimal("3000") and row["outstanding"] == Decimal("0")


def test_a_disputed_royalty_payment_that_still_fits_may_be_confirmed(patent, declare, users, orgs):
    decl = declare(patent)
    lic = services.licence_form(actor=users["ent_a"], declaration=decl, licensee=orgs["ent_a"], notice_text="实施",
                                notice_date=TODAY - dt.timedelta(days=20))
    report = services.royalty_report_create(actor=users["ent_a"], licence=lic, period_start=lic.formed_on,
                                            period_end=lic.formed_on + dt.timedelta(days=9), base_amount="100000")
    first = services.royalty_payment_record(actor=users["ent_a"], licence=lic, report=report, amount="1000")
    services.payment_dispute(actor=users["univ"], payment=first, reason="未到账")
    services.royalty_payment_record(actor=users["ent_a"], licence=lic, report=report, amount="2000")
    assert services.payment_confirm(actor=users["univ"], payment=first).status == PaymentStatus.CONFIRMED


def test_page_confirm_of_someone_elses_payment_is_403(fixed_licence, users, client):
    payment = fixed_licence.payments.get()
    client.force_login(users["center_a"])  # the declaration's center: may see the licence, may not confirm
    r = client.post(f"/licensing/licences/{fixed_licence.pk}/action/", {"action": "payment_confirm",
                                                                        "payment": payment.pk})
    assert r.status_code == 403
    with pytest.raises(PermissionDenied):
        services.payment_dispute(actor=users["center_a"], payment=payment, reason="x")
    payment.refresh_from_db()
    assert payment.status == PaymentStatus.PENDING


@pytest.mark.parametrize("bad", ["²", "9" * 30])
def test_patent_query_that_is_not_an_id(users, client, bad):
    client.force_login(users["univ"])
    for url in ("/licensing/declarations/new/", "/licensing/encumbrances/new/"):
        assert client.get(url, {"patent": bad}).status_code == 200, url


def test_over_long_voucher_numbers_and_notice_are_refused_not_cut(patent, make_patent, declare, users, orgs,
                                                                  api_client):
    """The 凭证号 is what the licensor checks its bank statement against, the notice the 第五十一条 written notice:
    cut at 100 / 5,000 characters they said something else than what was sent."""
    decl = declare(patent, fee_method="fixed", fixed_fee="100", royalty_rate=None)
    api = api_client.as_user(users["ent_a"])
    body = {"notice_text": "实施", "payment_amount": "100", "payment_reference": "ZF-" + "9" * 120,
            "payment_date": TODAY}
    for field, value in (("payment_reference", "ZF-" + "9" * 120), ("notice_text", "通" * 5001)):
        with pytest.raises(ApplicationError) as exc:
            services.licence_form(actor=users["ent_a"], declaration=decl, licensee=orgs["ent_a"],
                                  **{**body, field: value})
        assert exc.value.field == field
    assert not decl.licences.exists()
    lic = services.licence_form(actor=users["ent_a"], declaration=declare(make_patent("CN110000088B")),
                                licensee=orgs["ent_a"], notice_text="实施", notice_date=TODAY - dt.timedelta(days=20))
    report = services.royalty_report_create(actor=users["ent_a"], licence=lic, period_start=lic.formed_on,
                                            period_end=lic.formed_on + dt.timedelta(days=9), base_amount="100000")
    r = api.post(f"/licensing/licences/{lic.pk}/payments", {"report_id": report.pk, "amount": "10",
                                                            "reference": "R" * 101})
    assert r.status_code == 400 and r.json()["error"]["field"] == "reference", r.content[:300]
    assert not lic.payments.exists()


def test_royalties_year_that_is_digits_but_not_a_number(users, client):
    client.force_login(users["univ"])
    assert client.get("/licensing/royalties/", {"year": "²"}).status_code == 200
