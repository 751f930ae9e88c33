"""The royalty engine as pure functions: coverage by country on the sale date, order of rates, caps, back-royalties,
allocation to the cent."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal as D

from ipoc.pools import engine as e

CAT, CAT2 = 1, 2
CN = e.PatentLife(1, "CN1234567B", "CN", licensor_id=10, family="F1", in_force_from=dt.date(2015, 1, 1),
                  in_force_to=dt.date(2030, 1, 1))
US_EXPIRED = e.PatentLife(2, "US9000001B2", "US", licensor_id=20, family="F1", in_force_from=dt.date(2005, 1, 1),
                          in_force_to=dt.date(2024, 6, 30))
US_LAPSED = e.PatentLife(3, "US9000002B2", "US", licensor_id=20, family="F2", in_force_from=dt.date(2010, 1, 1),
                         in_force_to=dt.date(2023, 2, 1), end=e.LAPSED)
CARD = e.RateCardTerms(1, "v1", dt.date(2020, 1, 1), rates={CAT: D("2.00"), CAT2: D("0.5")}, caps={CAT: None})
SIGNED = e.AgreementTerms(signed_on=dt.date(2025, 1, 1))


def line(i=1, made="CN", sold="CN", day=dt.date(2025, 5, 1), units=100, cat=CAT):
    return e.SaleLine(i, cat, made, sold, day, units)


def test_unit_where_every_listed_patent_expired_owes_nothing_and_says_why():
    result = e.compute_statement([line(made="US", sold="US")], [CN, US_EXPIRED, US_LAPSED], [CARD], SIGNED)
    (r,) = result.lines
    assert not r.owes and r.amount == 0 and result.total == 0
    assert r.reason.startswith("US 无有效专利（已届满 1 件、已失效 1 件）")
    assert "不计费" in r.reason
    only_expired = e.compute_statement([line(made="US", sold="US")], [US_EXPIRED], [CARD], SIGNED).lines[0]
    assert only_expired.reason == "US 已届满 → 不计费"


def test_made_in_cn_sold_in_us_owes_because_cn_in_force_and_reason_names_both():
    r = e.compute_statement([line(made="CN", sold="US")], [CN, US_EXPIRED], [CARD], SIGNED).lines[0]
    assert r.owes and r.amount == D("200.00")
    assert r.reason == "CN 有效：CN1234567B；US 已届满 → 应付"
    assert r.coverage == [(1, "CN")]


def test_in_force_is_judged_on_the_sale_date_not_today():
    before = e.compute_statement([line(made="US", sold="US", day=dt.date(2024, 6, 30))], [US_EXPIRED], [CARD],
                                 e.AgreementTerms(signed_on=dt.date(2024, 1, 1))).lines[0]
    after = e.compute_statement([line(made="US", sold="US", day=dt.date(2024, 7, 1))], [US_EXPIRED], [CARD],
                                e.AgreementTerms(signed_on=dt.date(2024, 1, 1))).lines[0]
    assert before.owes and before.reason.startswith("US 有效：US9000001B2")
    assert not after.owes and after.reason.startswith("US 已届满")


def test_early_bird_rate_then_annual_cap_in_that_order():
    card = e.RateCardTerms(1, "v1", dt.date(2020, 1, 1), rates={CAT: D("2.00")}, caps={CAT: D("1000.00")},
                           early_birds=(e.EarlyBirdTerms(CAT, D("1.50"), dt.date(2024, 10, 1), dt.date(2025, 3, 31),
                                                         dt.date(2025, 12, 31)),))
    agreement = e.AgreementTerms(signed_on=dt.date(2025, 2, 1))
    lines = [line(1, units=400, day=dt.date(2025, 3, 1)), line(2, units=400, day=dt.date(2025, 8, 1))]
    result = e.compute_statement(lines, [CN], [card], agreement)
    a, b = result.lines
    assert a.rate == D("1.50") and a.amount == D("600.00") and "早鸟" in a.rate_basis
    # 400 × 1.50 = 600 due, only 400 left under the 1,000 cap (cap after the early-bird rate, not before)
    assert b.gross == D("600.00") and b.cap_reduction == D("200.00") and b.amount == D("400.00")
    assert result.total == D("1000.00")
    # outside the window: the standard rate, capped at 1,000 just the same
    late = e.compute_statement(lines, [CN], [card], e.AgreementTerms(signed_on=dt.date(2025, 4, 1)))
    assert late.lines[1].rate == D("2.00")
    # earlier statements of the year count first against the cap
    rest = e.compute_statement([line(3, units=100, day=dt.date(2025, 10, 1))], [CN], [card], agreement,
                               prior={(CAT, 2025): D("950.00")})
    assert rest.total == D("50.00")


def test_back_royalties_for_sales_before_signing_at_standard_rate_with_surcharge():
    card = e.RateCardTerms(1, "v1", dt.date(2020, 1, 1), rates={CAT: D("2.00")}, back_surcharge_percent=D("10"),
                           early_birds=(e.EarlyBirdTerms(CAT, D("1.00"), dt.date(2025, 1, 1), dt.date(2025, 12, 31),
                                                         dt.date(2026, 12, 31)),))
    agreement = e.AgreementTerms(signed_on=dt.date(2025, 7, 1), back_royalty_from=dt.date(2024, 1, 1))
    lines = [line(1, units=100, day=dt.date(2023, 6, 1)), line(2, units=100, day=dt.date(2024, 6, 1)),
             line(3, units=100, day=dt.date(2025, 8, 1))]
    result = e.compute_statement(lines, [CN], [card], agreement)
    old, back, now = result.lines
    assert not old.owes and "早于补缴起算日" in old.reason
    assert back.back_royalty and back.rate == D("2.00") and back.surcharge == D("20.00") and back.amount == D("220.00")
    assert "补缴" in back.reason
    assert not now.back_royalty and now.rate == D("1.00") and now.amount == D("100.00")
    assert result.back_royalties == D("220.00") and result.total == D("320.00")


def test_regional_discount_and_rate_card_versions_by_sale_date():
    v1 = e.RateCardTerms(1, "v1", dt.date(2020, 1, 1), rates={CAT: D("2.00")},
                         discounts=(e.DiscountTerms("新兴市场", frozenset({"IN", "VN"}), D("25")),))
    v2 = e.RateCardTerms(2, "v2", dt.date(2025, 7, 1), rates={CAT: D("3.00")})
    lines = [line(1, made="CN", sold="IN", day=dt.date(2025, 6, 30), units=3),
             line(2, made="CN", sold="IN", day=dt.date(2025, 7, 1), units=3)]
    a, b = e.compute_statement(lines, [CN], [v1, v2], SIGNED).lines
    assert a.gross == D("6.00") and a.discount == D("1.50") and a.amount == D("4.50") and a.rate_card_id == 1
    assert b.rate == D("3.00") and b.discount == 0 and b.amount == D("9.00") and b.rate_card_id == 2


def test_allocation_by_points_reconciles_to_the_cent():
    a = e.PatentLife(1, "CN1", "CN", licensor_id=10)
    b = e.PatentLife(2, "CN2", "CN", licensor_id=20)
    c = e.PatentLife(3, "CN3", "CN", licensor_id=20)
    d = e.PatentLife(4, "US4", "US", licensor_id=30)
    lines = [e.CollectedLine(1, 1, D("100.00"), ((1, "CN"), (2, "CN"), (3, "CN"))),
             e.CollectedLine(2, 1, D("33.33"), ((1, "CN"), (2, "CN"), (3, "CN"), (4, "US"))),
             e.CollectedLine(3, 2, D("0.01"), ((4, "US"),))]
    result = e.allocate(lines, [a, b, c, d], fee_percent=D("12.5"))
    assert result.collected == D("133.34")
    assert result.fee == D("16.67")  # 16.6675 rounded half up
    assert result.distributable == D("116.67")
    amounts = {k: s.amount for k, s in result.shares.items()}
    assert sum(amounts.values()) == result.distributable == result.collected - result.fee
    # exact weights: L10 = 100/3 + 33.33/4, L20 = 200/3 + 33.33/2, L30 = 33.33/4 + 0.01
    assert amounts == {10: D("36.46"), 20: D("72.91"), 30: D("7.30")}  # 36.4568…, 72.9134…, 7.2997…
    trace = result.shares[20].trace
    assert [t["statement_line"] for t in trace] == [1, 2] and trace[0]["patents"] == [2, 3]


def test_allocation_alternatives_family_country_and_patent_count():
    a = e.PatentLife(1, "CN1", "CN", licensor_id=10, family="F")
    b = e.PatentLife(2, "CN2", "CN", licensor_id=10, family="F")
    c = e.PatentLife(3, "CN3", "CN", licensor_id=20, family="G")
    lines = [e.CollectedLine(1, 1, D("100.00"), ((1, "CN"), (2, "CN"), (3, "CN")))]
    fam = e.allocate(lines, [a, b, c], fee_percent=D("0"), method=e.FAMILY_COUNTRY)
    assert {k: s.amount for k, s in fam.shares.items()} == {10: D("50.00"), 20: D("50.00")}
    pts = e.allocate(lines, [a, b, c], fee_percent=D("0"))
    assert {k: s.amount for k, s in pts.shares.items()} == {10: D("66.67"), 20: D("33.33")}
    count = e.allocate(lines, [a, b, c], fee_percent=D("10"), method=e.PATENT_COUNT, listed_counts={10: 1, 20: 2})
    assert {k: s.amount for k, s in count.shares.items()} == {10: D("30.00"), 20: D("60.00")}


def test_split_to_cents_is_exact_for_awkward_thirds():
    parts = e.split_to_cents(D("100.00"), {1: e.Fraction(1), 2: e.Fraction(1), 3: e.Fraction(1)})
    assert sum(parts.values()) == D("100.00") and sorted(parts.values()) == [D("33.33"), D("33.33"), D("33.34")]


def test_simulator_expiries_move_the_answer_year_by_year():
    case = e.SimulationCase(1, "甲", e.AgreementTerms(signed_on=dt.date(2020, 1, 1)),
                            (line(1, made="CN", sold="US", day=dt.date(2028, 6, 1), units=10),))
    short = e.PatentLife(1, "CN1", "CN", licensor_id=10, in_force_to=dt.date(2029, 12, 31))
    years = e.simulate([case], [short], [CARD], fee_percent=D("0"), years_ahead=2)
    assert [y["collected"] for y in years] == [D("20.00"), D("20.00"), D("0")]
