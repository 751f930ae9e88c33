"""Pools end to end through services: essentiality, reports and statements from the patent store, allocation,
conflict flags, KPIs."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal as D

import pytest

from ipoc.core.errors import ApplicationError, PermissionDenied
from ipoc.pools import selectors, services
from ipoc.pools.models import ConflictKind, FlagKind, ListingStatus


def test_life_interval_agrees_with_the_patent_store(store):
    for p in store.values():
        row = selectors._patent_rows([p.pk])[p.pk]
        life = selectors.life_interval(row)
        for day in (dt.date(2005, 1, 1), dt.date(2016, 1, 1), dt.date(2024, 6, 30), dt.date(2024, 7, 1),
                    dt.date(2025, 2, 28), dt.date(2025, 3, 1), dt.date(2034, 12, 31), dt.date(2035, 1, 2)):
            from ipoc.pools.engine import PatentLife
            state = PatentLife(1, "x", "CN", 1, **life).state_on(day)
            assert (state == "in_force") == p.in_force_on(day), (p.number, day)


def test_essentiality_by_two_evaluators_with_a_declared_conflict_excluded(make_pool, users, orgs, store, expert3):
    built = make_pool(listed=["cn_a"])
    center = users["center_a"]
    # univ's lapsed CN patent is offered; three experts assigned, one declares a conflict
    listing = services.pool_patent_submit(actor=users["univ"], pool=built["pool"], licensor=built["lic_u"],
                                          patent=store["cn_u"], sections=[built["sections"][1]])
    ev = listing.evaluations.get()
    a1, a2, a3 = (services.evaluator_assign(actor=center, evaluation=ev, expert=x)
                  for x in (users["expert"], users["expert2"], expert3))
    services.evaluator_declare(actor=expert3, assignment=a3, conflict=True, note="曾为该校代理此专利")
    with pytest.raises(ApplicationError) as exc:
        services.evaluator_opinion(actor=expert3, assignment=a3, opinion="not_essential")
    assert exc.value.field == "declaration"
    with pytest.raises(PermissionDenied):
        services.evaluator_declare(actor=users["expert"], assignment=a2, conflict=False)
    for a, ex in ((a1, users["expert"]), (a2, users["expert2"])):
        services.evaluator_declare(actor=ex, assignment=a, conflict=False)
        with pytest.raises(ApplicationError):  # essential needs a claim chart row
            services.evaluator_opinion(actor=ex, assignment=a, opinion="essential")
        services.claim_chart_add(actor=ex, assignment=a, claim_number=1, element="熵编码上下文建模",
                                 section=built["sections"][1])
    services.evaluator_opinion(actor=users["expert"], assignment=a1, opinion="essential")
    with pytest.raises(ApplicationError) as exc:  # expert2 has not submitted yet
        services.evaluation_decide(actor=center, evaluation=ev)
    assert "未提交" in exc.value.message
    services.evaluator_opinion(actor=users["expert2"], assignment=a2, opinion="essential")
    with pytest.raises(PermissionDenied):
        services.evaluation_decide(actor=users["center_b"], evaluation=ev)
    ev = services.evaluation_decide(actor=center, evaluation=ev)
    listing.refresh_from_db()
    assert ev.decision == "essential" and listing.status == ListingStatus.LISTED
    assert [a.expert.username for a in services.counted_opinions(ev)] == ["expert", "expert2"]
    assert ev.chart.count() == 2


def test_decision_needs_two_cleared_evaluators_and_a_majority(make_pool, users, store, expert3):
    built = make_pool(listed=["cn_a"])
    center = users["center_a"]
    listing = services.pool_patent_submit(actor=center, pool=built["pool"], licensor=built["lic_a"],
                                          patent=store["us_a"])
    ev = listing.evaluations.get()
    a1 = services.evaluator_assign(actor=center, evaluation=ev, expert=users["expert"])
    a3 = services.evaluator_assign(actor=center, evaluation=ev, expert=expert3)
    services.evaluator_declare(actor=expert3, assignment=a3, conflict=True, note="利害关系")
    services.evaluator_declare(actor=users["expert"], assignment=a1, conflict=False)
    services.evaluator_opinion(actor=users["expert"], assignment=a1, opinion="not_essential")
    with pytest.raises(ApplicationError) as exc:
        services.evaluation_decide(actor=center, evaluation=ev)
    assert "至少需要 2 位" in exc.value.message
    a2 = services.evaluator_assign(actor=center, evaluation=ev, expert=users["expert2"])
    services.evaluator_declare(actor=users["expert2"], assignment=a2, conflict=False)
    services.claim_chart_add(actor=users["expert2"], assignment=a2, element="x", section=built["sections"][0])
    services.evaluator_opinion(actor=users["expert2"], assignment=a2, opinion="essential")
    ev = services.evaluation_decide(actor=center, evaluation=ev)
    assert ev.decision == "needs_more" and ev.status == "open"  # split: a new round
    assert services.decision_from(["not_essential", "not_essential", "essential"]) == "not_essential"


def test_submitting_a_patent_the_licensor_does_not_hold_is_refused(make_pool, users, store):
    built = make_pool(listed=["cn_a"])
    with pytest.raises(ApplicationError) as exc:
        services.pool_patent_submit(actor=users["ent_a"], pool=built["pool"], licensor=built["lic_a"],
                                    patent=store["cn_u"])
    assert exc.value.field == "patent"
    with pytest.raises(PermissionDenied):
        services.pool_patent_submit(actor=users["ent_b"], pool=built["pool"], licensor=built["lic_a"],
                                    patent=store["us_a"])


def test_report_statement_explains_each_line_from_the_patent_store(make_pool, users):
    built = make_pool()
    report = services.report_submit(actor=users["ent_b"], agreement=built["agreement"], period="2025Q4", lines=[
        {"category": "TV", "country_made": "US", "country_sold": "US", "units": 1000, "sale_date": "2025-11-01"},
        {"category": "电视机", "country_made": "CN", "country_sold": "IN", "units": 100},
        {"category": "STB", "country_made": "VN", "country_sold": "VN", "units": 50},
    ], on=dt.date(2026, 1, 10))
    st = selectors.statement_current(report)
    data = selectors.statement_dict(st)
    by = {(ln["country_made"], ln["country_sold"]): ln for ln in data["lines"]}
    us = by[("US", "US")]
    assert us["owes"] and us["amount"] == "2000.00"
    assert us["reason"] == "US 有效：US9000003B2 → 应付"  # ent_a's US patent; univ's expired one is not listed
    cn = by[("CN", "IN")]
    assert cn["amount"] == "160.00" and cn["reason"].startswith("CN 有效：CN100000001B；IN 无入池专利")
    vn = by[("VN", "VN")]
    assert not vn["owes"] and vn["amount"] == "0.00" and vn["reason"] == "VN 无入池专利 → 不计费"
    assert st.total == D("2160.00")
    assert {f.kind for f in report.flags.all()} == {FlagKind.OUTSIDE}  # VN is outside CN/US/IN


def test_unit_where_every_listed_patent_expired_owes_nothing_and_the_statement_says_why(make_pool, users):
    built = make_pool(listed=["cn_a", "us_u"])
    report = services.report_submit(actor=users["ent_b"], agreement=built["agreement"], period="2025Q3", lines=[
        {"category": "TV", "country_made": "US", "country_sold": "US", "units": 500}], on=dt.date(2025, 10, 5))
    line = selectors.statement_dict(selectors.statement_current(report))["lines"][0]
    assert line["owes"] is False and line["amount"] == "0.00"
    assert line["reason"] == "US 已届满 → 不计费"
    # the same unit sold in 2024 H1, while the US patent was alive, is a back-royalty line
    back = services.report_submit(actor=users["ent_b"], agreement=built["agreement"], period="2024Q2", lines=[
        {"category": "TV", "country_made": "US", "country_sold": "US", "units": 500}], on=dt.date(2025, 10, 5))
    line = selectors.statement_dict(selectors.statement_current(back))["lines"][0]
    assert line["owes"] and line["back_royalty"] and line["amount"] == "1000.00"
    assert {f.kind for f in back.flags.all()} == {FlagKind.LATE}


def test_early_bird_then_cap_and_back_royalties_through_the_services(make_pool, users):
    built = make_pool(cap="1000", surcharge="5", early={"category": "TV", "per_unit": "1.50",
                                                         "signed_from": "2025-01-01", "signed_to": "2025-03-31",
                                                         "sales_until": "2025-12-31"})
    agreement = built["agreement"]
    q1 = services.report_submit(actor=users["ent_b"], agreement=agreement, period="2025Q1", lines=[
        {"category": "TV", "country_made": "CN", "country_sold": "CN", "units": 400, "sale_date": "2025-03-01"},
        {"category": "TV", "country_made": "CN", "country_sold": "CN", "units": 100, "sale_date": "2024-10-01"}])
    s1 = selectors.statement_current(q1)
    assert s1.total == D("810.00") and s1.back_royalties == D("210.00")  # 400×1.5 + 100×2×1.05
    q2 = services.report_submit(actor=users["ent_b"], agreement=agreement, period="2025Q2", lines=[
        {"category": "TV", "country_made": "CN", "country_sold": "CN", "units": 400}])
    s2 = selectors.statement_current(q2)
    line = s2.lines.get()
    # 2025 so far: 600 (Q1 current-year) → 400 room; 400 × 1.50 = 600 due, 200 capped
    assert line.rate == D("1.50") and line.gross == D("600.00") and line.cap_reduction == D("200.00")
    assert s2.total == D("400.00")


def test_allocation_reconciles_to_the_cent_with_collected_minus_fee(make_pool, users):
    built = make_pool(fee="12.5")
    center = users["center_a"]
    r1 = services.report_submit(actor=users["ent_b"], agreement=built["agreement"], period="2025Q1", lines=[
        {"category": "TV", "country_made": "CN", "country_sold": "US", "units": 333, "sale_date": "2025-01-20"},
        {"category": "STB", "country_made": "CN", "country_sold": "CN", "units": 7, "sale_date": "2025-02-27"}])
    r2 = services.report_submit(actor=users["ent_b"], agreement=built["agreement"], period="2025Q2", lines=[
        {"category": "STB", "country_made": "CN", "country_sold": "IN", "units": 101}])
    for r in (r1, r2):
        services.statement_mark_paid(actor=center, statement=selectors.statement_current(r),
                                     paid_on=dt.date(2025, 8, 1))
    alloc = services.allocation_run(actor=center, pool=built["pool"], year=2025)
    collected = selectors.statement_current(r1).total + selectors.statement_current(r2).total
    assert alloc.collected == collected == D("666.00") + D("3.50") + D("40.40")
    assert alloc.fee == D("88.74")  # 709.90 × 12.5 % = 88.7375
    shares = {s.licensor_id: s.amount for s in alloc.shares.all()}
    assert sum(shares.values()) == alloc.distributable == alloc.collected - alloc.fee
    # CN→US in January: ent_a CN + US in force, univ CN in force (lapses 1 March) → 2 : 1
    # STB CN→CN on 27 February: ent_a 1, univ 1;  STB CN→IN on 30 June: ent_a only
    data = selectors.allocation_dict(alloc, licensor_id=built["lic_u"].pk)
    trace = data["shares"][0]["trace"]
    assert {t["report"] for t in trace} == {r1.pk}
    assert trace[0]["patent_numbers"] == ["CN100000002B"]
    # univ: (666.00 / 3 + 3.50 / 2) / 709.90 × 621.16 = 195.7799… ; ent_a the rest
    assert shares == {built["lic_u"].pk: D("195.78"), built["lic_a"].pk: D("425.38")}


def test_conflict_flag_when_a_pool_patent_gets_an_exclusive_licence(make_pool, users, store, monkeypatch):
    from ipoc.core.models import Notification
    from ipoc.deals import selectors as deal_selectors

    built = make_pool()
    pool = built["pool"]
    assert not [f for f in services.conflicts_refresh(actor=users["center_a"], pool=pool, on=dt.date(2025, 6, 1))
                if f.kind == ConflictKind.EXCLUSIVE]
    monkeypatch.setattr(deal_selectors, "exclusive_licence_patent_ids",
                        lambda on_date=None: {store["cn_a"].pk}, raising=False)
    new = services.conflicts_refresh(actor=None, pool=pool, on=dt.date(2025, 6, 1))
    exclusive = [f for f in new if f.kind == ConflictKind.EXCLUSIVE]
    assert [f.pool_patent.patent_id for f in exclusive] == [store["cn_a"].pk]
    assert Notification.objects.filter(recipient=users["center_a"], kind="pool_conflict").exists()
    # the lapsed CN and expired US patents of univ are flagged too; a second run adds nothing new
    kinds = {(f.pool_patent.patent_id, f.kind) for f in pool.patents.model.objects.none()} | {
        (f.pool_patent.patent_id, f.kind) for f in built["listings"]["cn_u"].conflicts.all()}
    assert (store["cn_u"].pk, ConflictKind.LAPSE) in kinds
    assert services.conflicts_refresh(actor=None, pool=pool, on=dt.date(2025, 6, 1)) == []
    services.conflict_resolve(actor=users["center_a"], flag=exclusive[0], resolution="排他许可不含视频编码领域")
    with pytest.raises(PermissionDenied):
        services.conflicts_refresh(actor=users["ent_a"], pool=pool)


def test_open_licence_and_pledge_sources_are_read_when_the_licensing_app_offers_them(make_pool, store, monkeypatch):
    import types

    built = make_pool(listed=["cn_a", "us_a"])
    fake = types.SimpleNamespace(open_licence_patent_ids=lambda: {store["us_a"].pk},
                                 pledged_patent_ids=lambda: {store["cn_a"].pk})
    from ipoc.pools.services import conflicts

    real = conflicts._selectors_of
    monkeypatch.setattr(conflicts, "_selectors_of", lambda app: fake if app == "licensing" else real(app))
    kinds = {(f.pool_patent.patent_id, f.kind) for f in services.conflicts_refresh(actor=None, pool=built["pool"])}
    assert (store["us_a"].pk, ConflictKind.OPEN_LICENCE) in kinds and (store["cn_a"].pk, ConflictKind.PLEDGE) in kinds


def test_cross_app_selectors(make_pool, store, orgs):
    built = make_pool(listed=["cn_a"])
    assert selectors.pool_patent_ids() == {store["cn_a"].pk}
    assert selectors.pools_for_patents([store["cn_a"].pk, store["us_a"].pk]) == {
        store["cn_a"].pk: [{"id": built["pool"].pk, "name": "AVS3 视频编码专利池",
                            "url": f"/pools/public/{built['pool'].pk}/"}]}
    assert [p["id"] for p in selectors.licensee_pools(orgs["ent_b"].pk)] == [built["pool"].pk]
    assert selectors.licensee_pools(orgs["ent_a"].pk) == []


def test_new_standard_version_reopens_evaluation(make_pool, users):
    built = make_pool(listed=["cn_a"])
    standard = built["version"].standard
    v2 = services.standard_version_add(actor=users["center_a"], standard=standard, version="2026",
                                       published_on=dt.date(2026, 1, 1), sections=[("6.3", "帧间预测")])
    listing = built["listings"]["cn_a"]
    new = listing.evaluations.get(version=v2)
    assert new.status == "open" and new.previous is not None and listing.status == ListingStatus.LISTED


def test_bad_input_names_the_field(make_pool, users):
    built = make_pool(listed=["cn_a"])
    ag = built["agreement"]
    for lines, field in (([{"category": "XX", "country_made": "CN", "country_sold": "CN", "units": 1}],
                          "lines[1].category"),
                         ([{"category": "TV", "country_made": "China", "country_sold": "CN", "units": 1}],
                          "lines[1].country_made"),
                         ([{"category": "TV", "country_made": "CN", "country_sold": "CN", "units": "-3"}],
                          "lines[1].units"),
                         ([{"category": "TV", "country_made": "CN", "country_sold": "CN", "units": 1,
                            "sale_date": "2026-01-01"}], "lines[1].sale_date")):
        with pytest.raises(ApplicationError) as exc:
            services.report_submit(actor=users["ent_b"], agreement=ag, period="2025Q4", lines=lines)
        assert exc.value.field == field
    with pytest.raises(ApplicationError) as exc:
        services.report_submit(actor=users["ent_b"], agreement=ag, period="2025Q5", lines=[])
    assert exc.value.field == "period"
    with pytest.raises(PermissionDenied):
        services.report_submit(actor=users["ent_a"], agreement=ag, period="2025Q4", lines=[])
    with pytest.raises(ApplicationError) as exc:
        services.pool_create(actor=users["center_a"], name="x", admin_fee_percent="NaN")
    assert exc.value.field == "admin_fee_percent"


def test_drop_against_trend_is_flagged(make_pool, users):
    built = make_pool(listed=["cn_a"])
    for period, units in (("2025Q1", 1000), ("2025Q2", 1000), ("2025Q3", 100)):
        report = services.report_submit(actor=users["ent_b"], agreement=built["agreement"], period=period, lines=[
            {"category": "TV", "country_made": "CN", "country_sold": "CN", "units": units}],
            on=dt.date(2025, 10, 1))
    assert FlagKind.DROP in set(report.flags.values_list("kind", flat=True))


def test_a_lapse_imported_into_the_patent_store_flags_the_pool(make_pool, store, users):
    from ipoc.core.models import Notification

    built = make_pool(listed=["cn_a", "us_a"])
    patent = store["cn_a"]
    patent.legal_status, patent.lapse_date = "lapsed", dt.date(2025, 1, 1)
    patent.save()
    assert services.patents_changed([patent.pk]) >= 1
    flag = built["listings"]["cn_a"].conflicts.get(kind=ConflictKind.LAPSE)
    assert flag.detail == "已失效"
    assert Notification.objects.filter(recipient=users["center_a"], kind="pool_conflict").exists()


def test_a_paid_statement_is_not_reissued(make_pool, users):
    built = make_pool(listed=["cn_a"])
    report = services.report_submit(actor=users["ent_b"], agreement=built["agreement"], period="2025Q1", lines=[
        {"category": "TV", "country_made": "CN", "country_sold": "CN", "units": 3}])
    services.statement_issue(actor=users["center_a"], report=report)  # a correction: a new current statement
    assert report.statements.count() == 2 and report.statements.filter(is_current=True).count() == 1
    services.statement_mark_paid(actor=users["center_a"], statement=selectors.statement_current(report))
    with pytest.raises(ApplicationError):
        services.statement_issue(actor=users["center_a"], report=report)


def test_an_exclusive_licence_deal_on_a_pool_patent_is_flagged(make_pool, users, orgs, store):
    from ipoc.deals import services as deal_services

    built = make_pool(listed=["cn_a", "us_a"])
    center = users["center_a"]
    deal = deal_services.deal_create(actor=center, title="视频编码专利独占许可", deal_type="license",
                                     sellers=[orgs["ent_a"]], buyers=[orgs["ent_b"]], patents=[store["cn_a"]],
                                     licence_kind="sole", intention_date=dt.date(2025, 1, 1))
    for stage in ("negotiation", "signed"):
        deal_services.deal_transition(actor=center, deal=deal, to_stage=stage, amount="100000",
                                      on=dt.date(2025, 2, 1))
    new = services.conflicts_refresh(actor=center, pool=built["pool"])
    (flag,) = [f for f in new if f.kind == ConflictKind.EXCLUSIVE]
    assert flag.pool_patent.patent_id == store["cn_a"].pk and "视频编码专利独占许可" in flag.detail


def test_patents_changed_reads_the_listed_side_not_every_changed_id(make_pool, store, users):
    """An import of millions of patents hands every id to this listener: no query may carry that list (at 3M derived
    patents an IN of every id held the end of the import); a pool none of whose listed patents changed is left alone."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    built = make_pool(listed=["cn_a"])
    patent = store["cn_a"]
    patent.legal_status, patent.lapse_date = "lapsed", dt.date(2025, 1, 1)
    patent.save()
    others = list(range(10_000_000, 10_020_000))  # ids of an import that touched nothing listed
    with CaptureQueriesContext(connection) as ctx:
        assert services.patents_changed(others) == 0
    assert not built["listings"]["cn_a"].conflicts.exists()
    assert max(len(q["sql"]) for q in ctx.captured_queries) < 5_000
    assert services.patents_changed([*others, patent.pk]) >= 1
    assert built["listings"]["cn_a"].conflicts.filter(kind=ConflictKind.LAPSE).exists()
