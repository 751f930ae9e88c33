"""Declaration → publication → licence by notice and payment → royalty ledger → withdrawal; the deals refusal;
KPI figures; pushes to fitting enterprises (SMEs first)."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

import pytest
from openpyxl import load_workbook

from ipoc.core.errors import ApplicationError
from ipoc.core.models import Notification
from ipoc.deals import selectors as deal_selectors
from ipoc.deals import services as deal_services
from ipoc.licensing import selectors, services
from ipoc.licensing.models import DeclarationStatus

pytestmark = pytest.mark.django_db
TODAY = dt.date.today()


def test_published_declaration_is_on_the_public_list_without_login(client, patent, declare):
    decl = declare(patent)
    assert decl.status == DeclarationStatus.PUBLISHED
    assert selectors.open_licence_patent_ids() == {patent.pk}
    r = client.get("/licensing/public/?q=石墨烯")
    assert r.status_code == 200 and patent.publication_number in r.content.decode()
    assert client.get("/licensing/public/?holder=不存在的单位").content.decode().count(patent.publication_number) == 0
    r = client.get(f"/licensing/public/{decl.pk}/")
    assert r.status_code == 200 and "按净销售额提成 3%" in r.content.decode()
    r = client.get("/licensing/public/?export=xlsx")
    rows = list(load_workbook(io.BytesIO(r.content)).active.iter_rows(values_only=True))
    assert rows[0][0] == "专利" and rows[1][0] == patent.publication_number and "浙江大学" in rows[1]
    status = selectors.patent_licensing_status(patent.pk)
    assert status["open_licence"]["id"] == decl.pk and status["pledges"] == []


def test_a_draft_is_not_public(client, patent, declare):
    decl = declare(patent, publish=False)
    assert client.get(f"/licensing/public/{decl.pk}/").status_code == 404
    assert selectors.open_licence_patent_ids() == set()


def test_licence_formed_by_notice_and_payment(patent, declare, users, orgs):
    decl = declare(patent, fee_method="entry_plus_royalty", entry_fee="20000")
    with pytest.raises(ApplicationError) as exc:
        services.licence_form(actor=users["ent_a"], declaration=decl, licensee=orgs["ent_a"], notice_text="愿意实施",
                              payment_amount="10000", payment_reference="ZF-1", payment_date=TODAY)
    assert exc.value.field == "payment_amount" and "第五十一条" in exc.value.message
    with pytest.raises(ApplicationError):  # another organisation's name
        services.licence_form(actor=users["ent_a"], declaration=decl, licensee=orgs["ent_b"], notice_text="x",
                              payment_amount="20000", payment_reference="ZF-1", payment_date=TODAY)
    lic = services.licence_form(actor=users["ent_a"], declaration=decl, licensee=orgs["ent_a"],
                                notice_text="本单位愿按公告条件实施", notice_date=TODAY - dt.timedelta(days=3),
                                payment_amount="20000", payment_reference="ZF-1", payment_date=TODAY - dt.timedelta(days=1))
    assert lic.formed_on == TODAY - dt.timedelta(days=1)  # the later of notice and payment
    assert lic.terms["fee_method"] == "entry_plus_royalty" and lic.terms["initial_fee"] == "20000.00"
    assert lic.term_end == dt.date(lic.formed_on.year + 5, lic.formed_on.month, lic.formed_on.day) - dt.timedelta(1)
    # The licence shows for both sides; the patentee is reminded of the 备案.
    assert [x["id"] for x in selectors.organization_licences(orgs["ent_a"].pk)] == [lic.pk]
    assert [x["role"] for x in selectors.organization_licences(orgs["univ"].pk)] == ["licensor"]
    assert Notification.objects.filter(recipient=users["univ"], body__contains="备案").exists()
    assert selectors.licence_list(user=users["ent_b"]).count() == 0
    with pytest.raises(ApplicationError):  # once is enough
        services.licence_form(actor=users["ent_a"], declaration=decl, licensee=orgs["ent_a"], notice_text="again",
                              payment_amount="20000", payment_reference="ZF-1", payment_date=TODAY)


def test_exclusive_licence_deal_refused_while_the_open_licence_stands(patent, declare, users, orgs):
    decl = declare(patent)
    with pytest.raises(ApplicationError) as exc:
        deal_services.deal_create(actor=users["center_a"], title="独占许可", deal_type="license",
                                  licence_kind="exclusive", sellers=[orgs["univ"]], buyers=[orgs["ent_b"]],
                                  patents=[patent])
    assert exc.value.field == "licence_kind" and exc.value.code == "open_licence"
    assert "第五十一条第三款" in exc.value.message and patent.publication_number in exc.value.message
    assert exc.value.extra["declarations"][0]["id"] == decl.pk
    ordinary = deal_services.deal_create(actor=users["center_a"], title="普通许可", deal_type="license",
                                         licence_kind="ordinary", patents=[patent])
    with pytest.raises(ApplicationError):  # nor by changing an ordinary licence deal into a sole one
        deal_services.deal_update(actor=users["center_a"], deal=ordinary, data={"licence_kind": "sole"})
    services.declaration_withdraw(actor=users["univ"], declaration=decl, reason="转为独占许可")
    deal = deal_services.deal_create(actor=users["center_a"], title="独占许可", deal_type="license",
                                     licence_kind="sole", patents=[patent])
    assert deal.licence_kind == "sole"


def test_withdrawal_keeps_earlier_licences(patent, declare, users, orgs):
    decl = declare(patent, fee_method="fixed", fixed_fee="50000", royalty_rate=None)
    lic = services.licence_form(actor=users["ent_a"], declaration=decl, licensee=orgs["ent_a"], notice_text="实施",
                                payment_amount="50000", payment_reference="ZF-1", payment_date=TODAY)
    with pytest.raises(ApplicationError) as exc:
        services.declaration_withdraw(actor=users["univ"], declaration=decl, reason="")
    assert exc.value.field == "reason"
    decl = services.declaration_withdraw(actor=users["univ"], declaration=decl, reason="技术已转让他人")
    assert decl.status == DeclarationStatus.WITHDRAWN and decl.withdrawn_on == TODAY
    lic.refresh_from_db()
    assert lic.status == "in_force" and selectors.licence_list(user=users["ent_a"]).get() == lic
    assert Notification.objects.filter(recipient=users["ent_a"], title__contains="撤回").exists()
    with pytest.raises(ApplicationError) as exc:
        services.licence_form(actor=users["ent_b"], declaration=decl, licensee=orgs["ent_b"], notice_text="实施",
                              payment_amount="50000", payment_reference="ZF-1", payment_date=TODAY)
    assert exc.value.code == "not_published"
    assert selectors.open_licence_patent_ids() == set()


def test_royalty_ledger_reconciles_exactly(patent, declare, users, orgs):
    decl = declare(patent, fee_method="entry_plus_royalty", entry_fee="10000", royalty_rate="2.5")
    lic = services.licence_form(actor=users["ent_a"], declaration=decl, licensee=orgs["ent_a"], notice_text="实施",
                                notice_date=TODAY - dt.timedelta(days=15), payment_amount="10000", payment_reference="ZF-1",
                                payment_date=TODAY - dt.timedelta(days=15))
    start = lic.formed_on
    q1 = services.royalty_report_create(actor=users["ent_a"], licence=lic, period_start=start,
                                        period_end=start + dt.timedelta(days=4), base_amount="123456.78")
    assert q1.royalty_due == Decimal("3086.42")  # 123,456.78 × 2.5% = 3,086.4195 → 3,086.42
    q2 = services.royalty_report_create(actor=users["ent_a"], licence=lic, period_start=start + dt.timedelta(days=5),
                                        period_end=start + dt.timedelta(days=9), base_amount="80000")
    with pytest.raises(ApplicationError):  # overlapping period
        services.royalty_report_create(actor=users["ent_a"], licence=lic, period_start=start + dt.timedelta(days=2),
                                       period_end=start + dt.timedelta(days=6), base_amount="1")
    services.royalty_payment_record(actor=users["ent_a"], licence=lic, report=q1, amount="3000")
    services.royalty_payment_record(actor=users["ent_a"], licence=lic, report=q1, amount="86.42")
    with pytest.raises(ApplicationError) as exc:
        services.royalty_payment_record(actor=users["ent_a"], licence=lic, report=q1, amount="0.01")
    assert exc.value.field == "amount"
    services.royalty_payment_record(actor=users["univ"], licence=lic, report=q2, amount="1500")
    # What the licensee recorded waits for the licensor; the licensor's own record is its statement of receipt.
    ledger = selectors.ledger(lic)
    assert ledger["total_paid"] == Decimal("1500") and ledger["total_unconfirmed"] == Decimal("13086.42")
    assert ledger["balance"] == ledger["total_due"] - Decimal("1500")
    for payment in lic.payments.filter(status="pending"):
        services.payment_confirm(actor=users["univ"], payment=payment)
    ledger = selectors.ledger(lic)
    assert ledger["total_due"] == Decimal("10000") + Decimal("3086.42") + Decimal("2000.00")
    assert ledger["total_paid"] == Decimal("10000") + Decimal("3086.42") + Decimal("1500")
    assert ledger["balance"] == Decimal("500.00") == sum(r["outstanding"] for r in ledger["rows"])
    assert ledger["total_due"] - ledger["total_paid"] == ledger["balance"]
    totals = selectors.royalty_totals(year=TODAY.year)
    paid_this_year = sum(p.amount for p in lic.payments.filter(paid_on__year=TODAY.year))
    assert totals["total"] == paid_this_year == sum(r["amount"] for r in totals["by_patent"])
    # Overdue: q2 is still owed after its due date.
    later = q2.due_date + dt.timedelta(days=1)
    assert [r.pk for r in selectors.overdue_reports(user=None, on_date=later)] == [q2.pk]
    assert selectors.ledger(lic, on_date=later)["overdue"][0]["id"] == q2.pk


def test_kpi_figures_name_their_records(patent, make_patent, declare, users, orgs):
    from ipoc.centers import kpi

    decl = declare(patent, fee_method="fixed", fixed_fee="50000", royalty_rate=None)
    lic = services.licence_form(actor=users["ent_a"], declaration=decl, licensee=orgs["ent_a"], notice_text="实施",
                                payment_amount="50000", payment_reference="ZF-1", payment_date=TODAY)

    class Center:
        organization_id = orgs["center_a"].pk

    year = TODAY.year
    services.payment_confirm(actor=users["univ"], payment=lic.payments.get())
    assert kpi.kpi_figure(kpi.OPEN_LICENCE_DECLARATIONS, Center, year).record_refs == [
        ("licensing.openlicencedeclaration", decl.pk)]
    assert kpi.kpi_figure(kpi.OPEN_LICENCES_FORMED, Center, year).value == 1
    royalties = kpi.kpi_figure(kpi.OPEN_LICENCE_ROYALTIES, Center, year)
    assert royalties.value == Decimal("5") and royalties.unit == "万元"
    assert kpi.kpi_figure(kpi.OPEN_LICENCE_SMES, Center, year).record_refs == [("core.organization",
                                                                                orgs["ent_a"].pk)]
    from ipoc.centers import selectors as center_selectors

    rows = center_selectors.figure_records(user=users["center_a"], refs=[
        {"model": "licensing.openlicence", "id": lic.pk},
        {"model": "licensing.royaltypayment", "id": lic.payments.get().pk}])
    assert [r["url"] for r in rows] == [f"/licensing/licences/{lic.pk}/"] * 2
    assert not center_selectors.figure_records(user=users["ent_b"], refs=[
        {"model": "licensing.royaltypayment", "id": lic.payments.get().pk}])[0]["visible"]
    services.pledge_create(actor=users["univ"], center=orgs["center_a"], title="绿色技术开源", summary="不起诉",
                           mechanism="covenant", scope_kind="list", scope_numbers=[patent.publication_number])
    assert kpi.kpi_figure(kpi.PATENT_PLEDGES, Center, year).record_refs == [("patents.patent", patent.pk)]


def test_pushes_reach_fitting_enterprises_smes_first(patent, declare, users, orgs, more_enterprises):
    from ipoc.demands import services as demand_services

    for org, title in ((more_enterprises["big"], "锂电池负极材料循环寿命提升"),
                       (orgs["ent_a"], "石墨烯电极材料用于锂电池"),
                       (orgs["ent_b"], "纺织品印染废水处理")):
        demand_services.demand_create(actor=None, title=title, organization=org, status="published",
                                      description=title, keywords=["锂电池"] if "锂" in title else [])
    decl = declare(patent)
    pushes = list(decl.pushes.order_by("-is_sme", "-score"))
    assert [p.organization.name for p in pushes] == ["苏州甲科技有限公司", "苏州大型制造有限公司"]
    assert "中小企业" in pushes[0].explanation and "锂电池" in pushes[0].explanation
    assert Notification.objects.filter(recipient=users["ent_a"], title__contains="开放许可").exists()
    assert [p.pk for p in selectors.pushes_for(user=users["ent_a"])] == [pushes[0].pk]


@pytest.fixture
def more_enterprises(orgs):
    from ipoc.core import services as core_services

    return {"big": core_services.organization_create(actor=None, name="苏州大型制造有限公司", kind="enterprise",
                                                     is_sme=False, region_code="320505")}


def test_deals_selector_exclusive_licence_patent_ids(patent, users, orgs):
    deal = deal_services.deal_create(actor=users["center_a"], title="排他", deal_type="license",
                                     licence_kind="exclusive", sellers=[orgs["univ"]], buyers=[orgs["ent_a"]],
                                     patents=[patent], amount="1")
    assert deal_selectors.exclusive_licence_patent_ids() == set()  # not signed yet
    for step in ("negotiation", "signed"):
        deal = deal_services.deal_transition(actor=users["center_a"], deal=deal, to_stage=step)
    assert deal_selectors.exclusive_licence_patent_ids() == {patent.pk}
    with pytest.raises(ApplicationError):
        deal_services.deal_create(actor=users["center_a"], title="x", deal_type="assignment", licence_kind="sole")


def test_fee_estimate_from_comparable_licence_deals(patent, make_patent, users, orgs):
    other = make_patent("CN110000040B", ipc_main="H01M4/62")
    deal = deal_services.deal_create(actor=users["center_a"], title="许可", deal_type="license",
                                     licence_kind="ordinary", sellers=[orgs["univ"]], buyers=[orgs["ent_a"]],
                                     patents=[other], amount="300000")
    for step in ("negotiation", "signed"):
        deal_services.deal_transition(actor=users["center_a"], deal=deal, to_stage=step)
    estimate = selectors.fee_estimate(patent)
    assert estimate["count"] == 1 and estimate["median_per_patent"] == Decimal("300000.00")
    assert estimate["valuation"] is None
