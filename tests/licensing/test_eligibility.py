"""The check before filing: one test per blocker — each refuses with its rule and the records behind it."""

from __future__ import annotations

import datetime as dt

import pytest

from ipoc.core.errors import ApplicationError
from ipoc.deals import services as deal_services
from ipoc.licensing import eligibility, rules, services
from ipoc.licensing.models import DeclarationStatus

pytestmark = pytest.mark.django_db
TODAY = dt.date.today()


def codes(result):
    return [b["code"] for b in result["blockers"]]


def only(result, code):
    blockers = [b for b in result["blockers"] if b["code"] == code]
    assert len(blockers) == 1, result["blockers"]
    return blockers[0]


def refused_on_filing(users, patent, code, **terms):
    """Filing the draft refuses naming the rule's source; the error carries the blocker and its records."""
    decl = services.declaration_create(actor=users["univ"], patent=patent, fee_method="fixed", fixed_fee="50000",
                                       term_years=3, contact_name="王老师", **terms)
    with pytest.raises(ApplicationError) as exc:
        services.declaration_file(actor=users["univ"], declaration=decl)
    blocker = next(b for b in exc.value.extra["blockers"] if b["code"] == code)
    assert blocker["rule"]["source"] in exc.value.message
    assert exc.value.code == "not_eligible"
    decl.refresh_from_db()
    assert decl.status == DeclarationStatus.DRAFT
    return decl, blocker


def test_a_clean_granted_patent_is_eligible(patent, orgs):
    result = eligibility.check(patent, patentee=orgs["univ"])
    assert result["eligible"], result["blockers"]


def test_not_granted(make_patent, users):
    p = make_patent("CN110000002A", legal_status="pending", grant_date=None)
    _decl, b = refused_on_filing(users, p, "not_granted")
    assert b["rule"]["code"] == rules.GRANTED.code
    assert b["records"][0]["id"] == p.pk


def test_not_in_force(make_patent, users):
    p = make_patent("CN110000003B", legal_status="lapsed", lapse_date=TODAY - dt.timedelta(days=100))
    _decl, b = refused_on_filing(users, p, "not_in_force")
    assert b["rule"]["code"] == rules.IN_FORCE.code
    assert any("失效日期" in r["label"] for r in b["records"])


def test_annual_fee_unpaid(patent, users, serves):
    serves()
    enc = services.encumbrance_record(actor=users["center_a"], patent=patent, kind="annuity_unpaid",
                                      start_date=TODAY - dt.timedelta(days=10), note="第6年年费未缴")
    _decl, b = refused_on_filing(users, patent, "annuity_unpaid")
    assert b["rule"]["code"] == rules.REGS_86_OBSTACLES.code and b["rule"]["to_confirm"]
    assert b["records"][0]["id"] == enc.pk


def test_exclusive_licence_deal_in_force(patent, users, orgs):
    deal = deal_services.deal_create(actor=users["center_a"], title="独占许可", deal_type="license",
                                     licence_kind="sole", sellers=[orgs["univ"]], buyers=[orgs["ent_b"]],
                                     patents=[patent], amount="100000", licence_start=TODAY - dt.timedelta(days=30),
                                     licence_end=TODAY + dt.timedelta(days=300))
    for step in ("negotiation", "signed"):
        deal = deal_services.deal_transition(actor=users["center_a"], deal=deal, to_stage=step)
    _decl, b = refused_on_filing(users, patent, "exclusive_licence")
    assert b["records"][0]["model"] == "deals.deal" and b["records"][0]["id"] == deal.pk
    # Once the licence term is over, the blocker is gone.
    assert "exclusive_licence" not in codes(eligibility.check(patent, on_date=TODAY + dt.timedelta(days=400)))


def test_exclusive_licence_from_legal_status_events(make_patent, users):
    p = make_patent("CN110000004B", legal_events=[
        {"date": "2023-02-01", "code": "", "text": "专利实施许可合同备案的生效（排他许可）"}])
    _decl, b = refused_on_filing(users, p, "exclusive_licence")
    assert "排他许可" in b["records"][0]["label"]
    released = make_patent("CN110000005B", legal_events=[
        {"date": "2023-02-01", "text": "专利实施许可合同备案的生效（排他许可）"},
        {"date": "2024-02-01", "text": "专利实施许可合同备案的注销（排他许可）"}])
    assert "exclusive_licence" not in codes(eligibility.check(released))


def test_pledged_without_pledgee_consent(patent, users):
    services.encumbrance_record(actor=users["univ"], patent=patent, kind="pledge", party="某银行",
                                start_date=TODAY - dt.timedelta(days=60), reference="Y2026000123")
    decl, b = refused_on_filing(users, patent, "pledged_without_consent")
    assert "某银行" in b["records"][0]["label"]
    services.declaration_update(actor=users["univ"], declaration=decl,
                                data={"pledgee_consent_note": "质权人某银行书面同意（2026-01-05）"})
    assert "pledged_without_consent" not in codes(services.declaration_check(declaration=decl))


def test_ownership_dispute_or_preservation(patent, users, serves):
    serves()
    services.encumbrance_record(actor=users["center_a"], patent=patent, kind="preservation", party="某区人民法院",
                                start_date=TODAY - dt.timedelta(days=5), reference="（2026）苏0505执保12号")
    _decl, b = refused_on_filing(users, patent, "dispute_or_preservation")
    assert "执保" in b["records"][0]["label"]


def test_utility_model_needs_an_evaluation_report(make_patent, users):
    p = make_patent("CN210000001U", patent_type="utility_model")
    decl, b = refused_on_filing(users, p, "no_evaluation_report")
    assert b["rule"]["code"] == rules.LAW_50_EVALUATION_REPORT.code and not b["rule"]["to_confirm"]
    services.declaration_update(actor=users["univ"], declaration=decl, data={"evaluation_report_number": "PJ2026001"})
    assert services.declaration_check(declaration=decl)["eligible"]


def test_co_owner_consent_recorded_for_each(make_patent, users, orgs):
    p = make_patent("CN110000006B", holders=[orgs["univ"], orgs["ent_a"], "李四"])
    decl, b = refused_on_filing(users, p, "co_owner_consent_missing")
    assert "苏州甲科技有限公司" in b["message"] and "李四" in b["message"]
    assert {c.name for c in decl.consents.all()} == {"苏州甲科技有限公司", "李四"}
    services.consent_record(actor=users["univ"], declaration=decl, name="苏州甲科技有限公司",
                            consented_on=TODAY, note="同意书 2026-01")
    b = only(services.declaration_check(declaration=decl), "co_owner_consent_missing")
    assert "李四" in b["message"] and "苏州甲" not in b["message"]
    services.consent_record(actor=users["univ"], declaration=decl, name="李四")
    decl = services.declaration_file(actor=users["univ"], declaration=decl)
    assert decl.status == DeclarationStatus.FILED
    with pytest.raises(ApplicationError) as exc:
        services.consent_record(actor=users["univ"], declaration=decl, name="王五")
    assert exc.value.field == "name"


def test_already_declared(patent, declare, users):
    declare(patent)
    _decl, b = refused_on_filing(users, patent, "already_declared")
    assert b["records"][0]["model"] == "licensing.openlicencedeclaration"


def test_art86_list_is_configuration(patent, users, settings, serves):
    serves()
    services.encumbrance_record(actor=users["center_a"], patent=patent, kind="dispute",
                                start_date=TODAY - dt.timedelta(days=5))
    settings.IPOC_LICENSING_RULES = {"regs_86_obstacles": ["exclusive_licence"]}
    assert eligibility.check(patent)["eligible"]


def test_fee_flags_warn_but_do_not_refuse(patent, declare):
    decl = declare(patent, publish=False, fee_method="fixed", fixed_fee="30000000", royalty_rate=None)
    result = services.declaration_check(declaration=decl)
    assert result["eligible"] and [f["code"] for f in result["flags"]] == ["fixed_fee_high"]


def test_only_the_patentee_declares(patent, users):
    with pytest.raises(ApplicationError):
        services.declaration_create(actor=users["ent_a"], patent=patent, fee_method="free", term_years=1,
                                    contact_name="x")
