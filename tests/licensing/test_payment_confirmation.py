"""Probe finding: a licence-fee payment was the licensee's own word — recorded with a voucher number, it counted at
once in the royalty ledger and the centers' KPIs. Now a payment waits for the licensor's 确认收款 (or its 对账异议,
with a reason); until then it is 待许可人确认, shown beside the figures and never in them. The licensee cannot confirm
its own payment, nor can a stranger; for a patentee with no users on the platform its center (unless the center
recorded the payment itself) or an administrator confirms on its behalf."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from ipoc.core.errors import ApplicationError, PermissionDenied
from ipoc.core.models import Notification, Organization
from ipoc.licensing import selectors, services
from ipoc.licensing.models import LicenceStatus, PaymentStatus

from .conftest import TODAY

pytestmark = pytest.mark.django_db


class Center:
    def __init__(self, org):
        self.organization_id = org.pk


def test_declared_payment_waits_for_the_licensor(fixed_licence, users):
    lic = fixed_licence
    payment = lic.payments.get()
    assert payment.status == PaymentStatus.PENDING and payment.get_status_display() == "待许可人确认"
    # The licence record exists from notice + declared payment (专利法第五十一条), marked 付款待确认.
    assert lic.status == LicenceStatus.IN_FORCE and lic.awaiting_payment_confirmation
    assert selectors.licence_get(user=users["ent_a"], pk=lic.pk).payment_status == "pending"
    note = Notification.objects.get(recipient=users["univ"], title__contains="实施许可")
    assert "待许可人确认" in note.body and "ZF-0001" in note.body


def test_licensee_cannot_confirm_its_own_payment(fixed_licence, users, api_client, client):
    lic, payment = fixed_licence, fixed_licence.payments.get()
    with pytest.raises(PermissionDenied) as exc:
        services.payment_confirm(actor=users["ent_a"], payment=payment)
    assert "被许可人不能确认自己的付款" in exc.value.message
    with pytest.raises(PermissionDenied):
        services.payment_dispute(actor=users["ent_a"], payment=payment, reason="x")
    r = api_client.as_user(users["ent_a"]).post(f"/licensing/licences/{lic.pk}/payments/{payment.pk}/confirm")
    assert r.status_code == 403 and "被许可人" in r.json()["error"]["message"]
    client.force_login(users["ent_a"])
    page = client.get(f"/licensing/licences/{lic.pk}/").content.decode()
    assert 'data-testid="payment-awaiting"' in page and 'data-testid="confirm-payment"' not in page
    r = client.post(f"/licensing/licences/{lic.pk}/action/", {"action": "payment_confirm", "payment": payment.pk})
    assert r.status_code == 403
    payment.refresh_from_db()
    assert payment.status == PaymentStatus.PENDING and payment.reviewed_by is None


def test_strangers_cannot_confirm(fixed_licence, users, api_client):
    lic, payment = fixed_licence, fixed_licence.payments.get()
    # The declaration's center and an administrator may not speak for a patentee that is on the platform.
    for who in ("ent_b", "center_a", "center_b", "js_office", "cnipa", "expert", "admin"):
        with pytest.raises(PermissionDenied):
            services.payment_confirm(actor=users[who], payment=payment)
    assert api_client.as_user(users["ent_b"]).post(
        f"/licensing/licences/{lic.pk}/payments/{payment.pk}/confirm").status_code == 404  # cannot even see it
    r = api_client.as_user(users["center_a"]).post(f"/licensing/licences/{lic.pk}/payments/{payment.pk}/dispute",
                                                   {"reason": "未收到"})
    assert r.status_code == 403 and "浙江大学" in r.json()["error"]["message"]
    payment.refresh_from_db()
    assert payment.status == PaymentStatus.PENDING


def test_licensor_confirms_and_the_licensee_is_told(fixed_licence, users, client):
    lic, payment = fixed_licence, fixed_licence.payments.get()
    client.force_login(users["univ"])
    page = client.get(f"/licensing/licences/{lic.pk}/").content.decode()
    assert 'data-testid="confirm-payment"' in page and 'data-testid="dispute-payment"' in page
    assert "付款待确认" in page
    r = client.post(f"/licensing/licences/{lic.pk}/action/", {"action": "payment_confirm", "payment": payment.pk})
    assert r.status_code == 302
    payment.refresh_from_db()
    assert payment.status == PaymentStatus.CONFIRMED and payment.reviewed_by == users["univ"]
    assert payment.reviewed_at is not None
    assert Notification.objects.filter(recipient=users["ent_a"], title__contains="已确认收款").exists()
    lic = selectors.licence_get(user=users["univ"], pk=lic.pk)
    assert not lic.awaiting_payment_confirmation
    assert selectors.ledger(lic)["balance"] == Decimal("0")
    page = client.get(f"/licensing/licences/{lic.pk}/").content.decode()
    assert 'data-testid="confirm-payment"' not in page and "许可人已确认收款" in page
    with pytest.raises(ApplicationError) as exc:  # once
        services.payment_confirm(actor=users["univ"], payment=payment)
    assert exc.value.field == "status"


def test_ledger_totals_and_kpis_leave_out_unconfirmed_payments(fixed_licence, users, orgs):
    from ipoc.centers import kpi

    lic, payment = fixed_licence, fixed_licence.payments.get()
    center, year = Center(orgs["center_a"]), TODAY.year
    ledger = selectors.ledger(lic)
    assert (ledger["total_paid"], ledger["total_unconfirmed"], ledger["balance"]) == (
        Decimal("0"), Decimal("50000.00"), Decimal("50000.00"))
    totals = selectors.royalty_totals(year=year)
    assert totals["total"] == 0 and totals["payment_ids"] == []
    assert totals["unconfirmed_total"] == Decimal("50000.00") and totals["unconfirmed_payment_ids"] == [payment.pk]
    assert totals["by_patent"][0]["amount"] == 0 and totals["by_patent"][0]["unconfirmed"] == Decimal("50000.00")
    royalties = kpi.kpi_figure(kpi.OPEN_LICENCE_ROYALTIES, center, year)
    assert royalties.value == 0 and royalties.record_refs == []
    assert kpi.kpi_figure(kpi.OPEN_LICENCES_FORMED, center, year).value == 0
    assert kpi.kpi_figure(kpi.OPEN_LICENCE_SMES, center, year).value == 0
    # ... but they stay traceable beside the figures.
    assert selectors.center_royalty_payments_unconfirmed(orgs["center_a"].pk, year) == (Decimal("50000.00"),
                                                                                         [payment.pk])
    assert selectors.center_licences_unconfirmed(orgs["center_a"].pk, year) == [lic.pk]

    services.payment_confirm(actor=users["univ"], payment=payment)
    ledger = selectors.ledger(lic)
    assert (ledger["total_paid"], ledger["total_unconfirmed"], ledger["balance"]) == (
        Decimal("50000.00"), Decimal("0"), Decimal("0"))
    assert selectors.royalty_totals(year=year)["total"] == Decimal("50000.00")
    royalties = kpi.kpi_figure(kpi.OPEN_LICENCE_ROYALTIES, center, year)
    assert royalties.value == Decimal("5") and royalties.record_refs == [("licensing.royaltypayment", payment.pk)]
    assert kpi.kpi_figure(kpi.OPEN_LICENCES_FORMED, center, year).record_refs == [("licensing.openlicence", lic.pk)]
    assert kpi.kpi_figure(kpi.OPEN_LICENCE_SMES, center, year).value == 1
    assert selectors.center_licences_unconfirmed(orgs["center_a"].pk, year) == []


def test_royalties_page_and_licence_list_show_the_unconfirmed(fixed_licence, users, client):
    client.force_login(users["univ"])
    page = client.get("/licensing/royalties/").content.decode()
    assert 'data-testid="royalty-total">0.00<' in page and 'data-testid="royalty-unconfirmed">50,000.00<' in page
    assert "付款待确认" in client.get("/licensing/licences/").content.decode()


def test_dispute_needs_a_reason(fixed_licence, users, api_client, client):
    lic, payment = fixed_licence, fixed_licence.payments.get()
    for reason in ("", "   "):
        with pytest.raises(ApplicationError) as exc:
            services.payment_dispute(actor=users["univ"], payment=payment, reason=reason)
        assert exc.value.field == "reason"
    r = api_client.as_user(users["univ"]).post(f"/licensing/licences/{lic.pk}/payments/{payment.pk}/dispute",
                                               {"reason": ""})
    assert r.status_code == 400 and r.json()["error"]["field"] == "reason"
    client.force_login(users["univ"])
    r = client.post(f"/licensing/licences/{lic.pk}/action/", {"action": "payment_dispute", "payment": payment.pk})
    assert r.status_code == 200 and "对账异议须说明理由" in r.content.decode()
    payment.refresh_from_db()
    assert payment.status == PaymentStatus.PENDING and not lic.disputes.exists()


def test_dispute_opens_a_licence_dispute_and_stays_out_of_the_figures(fixed_licence, users, api_client):
    lic, payment = fixed_licence, fixed_licence.payments.get()
    r = api_client.as_user(users["univ"]).post(f"/licensing/licences/{lic.pk}/payments/{payment.pk}/dispute",
                                               {"reason": "对公账户未见该笔款项"})
    assert r.status_code == 200, r.content
    assert r.json()["payment_status"] == "disputed" and r.json()["total_disputed"] == "50000.00"
    assert r.json()["payments"][0]["dispute_reason"] == "对公账户未见该笔款项"
    payment.refresh_from_db()
    assert payment.status == PaymentStatus.DISPUTED and payment.reviewed_by == users["univ"]
    dispute = lic.disputes.get()
    assert "对公账户未见该笔款项" in dispute.description and "ZF-0001" in dispute.description
    assert Notification.objects.filter(recipient=users["ent_a"], title__contains="对账异议").exists()
    assert Notification.objects.filter(recipient=users["center_a"], title__contains="对账异议").exists()
    totals = selectors.royalty_totals(year=TODAY.year)
    assert totals["total"] == 0 and totals["disputed_payment_ids"] == [payment.pk]
    assert selectors.licence_get(user=None, pk=lic.pk).awaiting_payment_confirmation
    with pytest.raises(ApplicationError):  # not twice
        services.payment_dispute(actor=users["univ"], payment=payment, reason="again")
    # The money turned up after all: the licensor may still confirm it.
    services.payment_confirm(actor=users["univ"], payment=payment)
    assert selectors.royalty_totals(year=TODAY.year)["total"] == Decimal("50000.00")


def test_royalty_payments_licensor_recorded_count_at_once_and_disputed_ones_free_the_report(
        patent, declare, users, orgs):
    decl = declare(patent)  # 提成 3%
    lic = services.licence_form(actor=users["ent_a"], declaration=decl, licensee=orgs["ent_a"], notice_text="实施",
                                notice_date=TODAY - dt.timedelta(days=20))
    assert lic.payment_status == "" and not lic.awaiting_payment_confirmation  # nothing was due up front
    report = services.royalty_report_create(actor=users["ent_a"], licence=lic, period_start=lic.formed_on,
                                            period_end=lic.formed_on + dt.timedelta(days=9), base_amount="100000")
    by_licensee = services.royalty_payment_record(actor=users["ent_a"], licence=lic, report=report, amount="3000",
                                                  reference="ZF-9")
    assert by_licensee.status == PaymentStatus.PENDING
    assert Notification.objects.filter(recipient=users["univ"], title__contains="提成付款待确认").exists()
    with pytest.raises(ApplicationError):  # a pending payment still takes up the report
        services.royalty_payment_record(actor=users["ent_a"], licence=lic, report=report, amount="1")
    services.payment_dispute(actor=users["univ"], payment=by_licensee, reason="金额未到账")
    again = services.royalty_payment_record(actor=users["ent_a"], licence=lic, report=report, amount="2000")
    by_licensor = services.royalty_payment_record(actor=users["univ"], licence=lic, report=report, amount="1000")
    assert again.status == PaymentStatus.PENDING
    assert by_licensor.status == PaymentStatus.CONFIRMED and by_licensor.reviewed_by == users["univ"]
    row = selectors.ledger(lic)["rows"][0]
    assert (row["paid"], row["unconfirmed"], row["outstanding"]) == (Decimal("1000"), Decimal("5000"),
                                                                      Decimal("2000"))
    later = report.due_date + dt.timedelta(days=1)
    assert [r.pk for r in selectors.overdue_reports(user=None, on_date=later)] == [report.pk]


def test_patentee_without_users_is_confirmed_for_by_its_center(make_patent, users, orgs, api_client):
    institute = Organization.objects.create(name="某研究所", kind="research_institute")
    patent = make_patent("CN110000099B", holders=[institute])
    decl = services.declaration_create(actor=users["center_a"], patent=patent, patentee=institute,
                                       fee_method="fixed", fixed_fee="10000", term_years=2, contact_name="李老师")
    decl = services.declaration_file(actor=users["center_a"], declaration=decl, on=TODAY - dt.timedelta(days=30))
    decl = services.declaration_publish(actor=users["center_a"], declaration=decl, on=TODAY - dt.timedelta(days=20),
                                        push=False)
    by_licensee = services.licence_form(actor=users["ent_a"], declaration=decl, licensee=orgs["ent_a"],
                                        notice_text="实施", payment_amount="10000", payment_date=TODAY,
                                        payment_reference="ZF-7")
    # The center is asked to confirm on the patentee's behalf; another center is not.
    assert Notification.objects.filter(recipient=users["center_a"], body__contains="待许可人确认").exists()
    payment = by_licensee.payments.get()
    for who in ("ent_a", "center_b", "js_office"):
        with pytest.raises(PermissionDenied):
            services.payment_confirm(actor=users[who], payment=payment)
    r = api_client.as_user(users["center_a"]).post(
        f"/licensing/licences/{by_licensee.pk}/payments/{payment.pk}/confirm")
    assert r.status_code == 200 and r.json()["payment_status"] == "confirmed"
    # A payment the center itself recorded (on the licensee's behalf) it may not confirm too: an administrator does.
    by_center = services.licence_form(actor=users["center_a"], declaration=decl, licensee=orgs["ent_b"],
                                      notice_text="代为通知", payment_amount="10000", payment_date=TODAY,
                                      payment_reference="ZF-8")
    payment = by_center.payments.get()
    with pytest.raises(PermissionDenied) as exc:
        services.payment_confirm(actor=users["center_a"], payment=payment)
    assert "本单位" in exc.value.message
    assert services.payment_confirm(actor=users["admin"], payment=payment).status == PaymentStatus.CONFIRMED


def test_migration_confirms_what_the_licensor_recorded(patent, declare, users, orgs):
    import importlib

    from django.apps import apps

    migration = importlib.import_module("ipoc.licensing.migrations.0002_payment_confirmation")
    decl = declare(patent)
    lic = services.licence_form(actor=users["ent_a"], declaration=decl, licensee=orgs["ent_a"], notice_text="实施",
                                notice_date=TODAY - dt.timedelta(days=20))
    report = services.royalty_report_create(actor=users["ent_a"], licence=lic, period_start=lic.formed_on,
                                            period_end=lic.formed_on + dt.timedelta(days=9), base_amount="100000")
    mine = services.royalty_payment_record(actor=users["univ"], licence=lic, report=report, amount="1000")
    theirs = services.royalty_payment_record(actor=users["ent_a"], licence=lic, report=report, amount="1000")
    type(mine).objects.update(status="pending", reviewed_by=None, reviewed_at=None)  # as before the migration
    migration.licensor_recorded_confirmed(apps, None)
    mine.refresh_from_db()
    theirs.refresh_from_db()
    assert (mine.status, mine.reviewed_by) == ("confirmed", users["univ"])
    assert theirs.status == "pending"
