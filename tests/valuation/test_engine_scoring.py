"""Vectorised scoring: peers, missing inputs, scenarios, recommendations, explanations."""

from __future__ import annotations

import copy
import datetime as dt
import json

import polars as pl
import pytest

from ipoc.valuation.engine import (
    DEFAULT_TREE,
    InputSchemaError,
    ScoringConfig,
    explain,
    explain_all,
    frame_from_rows,
    score,
    to_json,
)

AS_OF = dt.date(2026, 1, 1)


def patent(pid, sub="H04N", year=2020, **kw):
    row = {
        "id": pid, "patent_type": "发明", "jurisdiction": "CN", "filing_date": dt.date(year, 6, 1),
        "grant_date": dt.date(year + 2, 6, 1), "legal_status": "有效", "claims_count": 10,
        "independent_claims_count": 2, "claim1_chars": 300, "claim1_features": 6, "forward_citations": 3,
        "backward_citations": 5, "family_size": 2, "family_countries": 1, "ipc_subclass_count": 2,
        "ipc_main_subclass": sub, "transfers": 0, "licences": 0, "pledges": 0, "examination_days": 700,
        "applicant_type": "企业",
    }
    row.update(kw)
    return row


def population():
    """40 H04N/2020 patents with claims 1..40, 40 G06F/2020 with claims 101..140, 3 A01B/2020."""
    rows = [patent(f"H{i}", "H04N", claims_count=i, forward_citations=i % 7) for i in range(1, 41)]
    rows += [patent(f"G{i}", "G06F", claims_count=100 + i, forward_citations=i % 5) for i in range(1, 41)]
    rows += [patent(f"A{i}", "A01B", claims_count=c) for i, c in enumerate((5, 50, 500), start=1)]
    return rows


def test_percentile_within_peer_group_and_fallback():
    res = score(frame_from_rows(population()), as_of=AS_OF)
    d = {r["id"]: r for r in res.detail.iter_rows(named=True)}
    leaf = "legal.scope.claims_count"
    # mid-rank percentile within the (subclass, year) peer group of 40
    assert d["H40"][f"pct:{leaf}"] == pytest.approx(39.5 / 40)
    assert d["G1"][f"pct:{leaf}"] == pytest.approx(0.5 / 40)  # 101 claims, yet lowest among its peers
    assert d["H40"][f"peer_level:{leaf}"] == 0 and d["H40"][f"peer_n:{leaf}"] == 40
    # A01B has 3 patents; section A has the same 3 -> falls back to filing year 2020 (83 patents)
    a = d["A2"]
    assert a[f"peer_level:{leaf}"] == 2 and a[f"peer_n:{leaf}"] == 83
    below = 40 + 1  # the 40 H04N values 1..40 and A1 (5) are < 50; 101..140 and 500 are above
    assert a[f"pct:{leaf}"] == pytest.approx((below + 0.5) / 83)
    # ties: everybody has 0 pledges -> 0.5
    assert d["H1"]["norm:economic.operation.pledges"] == pytest.approx(0.5)
    # direction "lower": shorter claim 1 scores higher
    rows = population()
    rows[0]["claim1_chars"] = 100
    d2 = {r["id"]: r for r in score(frame_from_rows(rows), as_of=AS_OF).detail.iter_rows(named=True)}
    assert d2["H1"]["norm:legal.scope.claim1_chars"] == pytest.approx(1 - 0.5 / 40)


def test_missing_inputs_lower_confidence_and_are_not_zero():
    rows = population()
    rows[9] = patent("H10", claims_count=10, forward_citations=None, family_size=None)
    rows[10] = patent("H11", claims_count=11, forward_citations=0, family_size=0)
    res = score(frame_from_rows(rows), scenario="license_transfer", as_of=AS_OF)
    w = res.leaf_weights
    s = {r["id"]: r for r in res.scores.iter_rows(named=True)}
    d = {r["id"]: r for r in res.detail.iter_rows(named=True)}
    miss = s["H10"]
    assert set(miss["missing"]) == {"technical.influence.forward_citations", "economic.market.family_size"}
    assert miss["confidence"] == pytest.approx(
        1 - w["technical.influence.forward_citations"] - w["economic.market.family_size"])
    assert s["H11"]["confidence"] == pytest.approx(1.0) and s["H11"]["missing"] == []
    # renormalised over the available indicators
    avail = [lf for lf in w if d["H10"][f"norm:{lf}"] is not None]
    expect = 100 * sum(w[lf] * d["H10"][f"norm:{lf}"] for lf in avail) / sum(w[lf] for lf in avail)
    assert miss["score"] == pytest.approx(expect)
    # treating the nulls as zero would give a different (lower) score
    as_zero = 100 * sum(w[lf] * d["H10"][f"norm:{lf}"] for lf in avail)
    assert miss["score"] > as_zero + 1
    # a missing value is not counted in its peers' group size either
    assert d["H11"]["peer_n:technical.influence.forward_citations"] == 39
    e = explain(res, "H10")
    assert e["missing"] == sorted(e["missing"], key=list(w).index)
    fc = next(i for i in e["indicators"] if i["id"] == "technical.influence.forward_citations")
    assert fc["missing"] is True and fc["raw"] is None and fc["contribution"] is None


def test_all_inputs_missing_gives_null_score_not_zero():
    rows = population()
    rows.append({"id": "EMPTY", "patent_type": "发明", "filing_date": dt.date(2020, 6, 1)})
    res = score(frame_from_rows(rows), as_of=AS_OF)
    e = res.scores.filter(pl.col("id") == "EMPTY").row(0, named=True)
    # only remaining life and examination type can be computed from type + filing date
    assert set(res.leaf_weights) - set(e["missing"]) == {"legal.status.remaining_life",
                                                          "legal.stability.examination_type"}
    assert 0 < e["confidence"] < 0.2
    assert e["score_technical"] is None and e["score_economic"] is None
    assert e["recommendation"] == "observe"  # unknown legal status


def test_scenario_weights_change_ranking():
    rows = population()
    # LEGAL: broad claims, long life, no market activity; ECON: narrow claims, big family, licensed
    rows.append(patent("LEGAL", claims_count=40, independent_claims_count=5, claim1_chars=80, claim1_features=2,
                       family_size=1, family_countries=1, transfers=0, licences=0, pledges=0,
                       applicant_type="个人", filing_date=dt.date(2020, 12, 30)))
    rows.append(patent("ECON", claims_count=1, independent_claims_count=1, claim1_chars=900, claim1_features=15,
                       family_size=12, family_countries=8, transfers=3, licences=2, pledges=1,
                       filing_date=dt.date(2020, 1, 2)))
    df = frame_from_rows(rows)

    def ranking(scn):
        s = score(df, scenario=scn, as_of=AS_OF).scores.sort("score", descending=True)["id"].to_list()
        return s.index("LEGAL"), s.index("ECON")

    legal_rank, econ_rank = ranking("infringement")
    assert legal_rank < econ_rank
    legal_rank, econ_rank = ranking("financial_report")
    assert econ_rank < legal_rank

    # an administrator edits the tree: economic value gets all the weight in 'infringement'
    tree = copy.deepcopy(DEFAULT_TREE)
    for n in tree["nodes"]:
        if n["parent"] is None:
            n["weights"]["infringement"] = 1.0 if n["id"] == "economic" else 0.0
    s = score(df, tree, "infringement", as_of=AS_OF).scores
    top = s.sort("score", descending=True)["id"].to_list()
    assert top.index("ECON") < top.index("LEGAL")
    row = s.filter(pl.col("id") == "ECON").row(0, named=True)
    assert row["score"] == pytest.approx(row["score_economic"])


def test_recommendations_and_fee_saving():
    rows = population()
    rows.append(patent("LAPSED", legal_status="失效", expiry_date=dt.date(2024, 3, 1)))
    rows.append(patent("THIN", claims_count=None, independent_claims_count=None, claim1_chars=None,
                       claim1_features=None, forward_citations=None, backward_citations=None, family_size=None,
                       family_countries=None, transfers=None, licences=None, pledges=None))
    rows.append(patent("OLD", sub="H04N", year=2006, filing_date=dt.date(2006, 3, 1)))
    df = frame_from_rows(rows)
    all_d = ScoringConfig(grade_thresholds=(("A", 1000.0), ("B", 999.0), ("C", 998.0)))
    s = {r["id"]: r for r in score(df, as_of=AS_OF, config=all_d).scores.iter_rows(named=True)}
    assert s["LAPSED"]["recommendation"] == "not_applicable" and s["LAPSED"]["fee_saving"] is None
    assert s["H1"]["grade"] == "D" and s["H1"]["recommendation"] == "abandon"
    # 发明 filed 2020-06-01: patent year 6 on 2026-01-01 -> years 7..20:
    # 2000*3 + 4000*3 + 6000*3 + 8000*5 = 76000
    assert s["H1"]["fee_saving"] == 76000
    assert s["THIN"]["confidence"] < 0.6 and s["THIN"]["recommendation"] == "observe"
    assert s["THIN"]["recommendation_rule"] == "grade_d_low_confidence"
    # 发明 filed 2006-03-01: year 20 -> nothing left to save
    assert s["OLD"]["fee_saving"] == 0
    horizon = ScoringConfig(grade_thresholds=all_d.grade_thresholds, fee_horizon_years=2)
    h = score(df, as_of=AS_OF, config=horizon).scores.filter(pl.col("id") == "H1").row(0, named=True)
    assert h["fee_saving"] == 4000
    all_a = ScoringConfig(grade_thresholds=(("A", 0.0), ("B", 0.0), ("C", 0.0)))
    s = {r["id"]: r for r in score(df, as_of=AS_OF, config=all_a).scores.iter_rows(named=True)}
    assert s["H1"]["recommendation"] == "key" and s["H1"]["recommendation_zh"] == "重点推广"
    assert s["OLD"]["remaining_life_years"] < 1 and s["OLD"]["recommendation"] == "observe"
    mid = ScoringConfig(grade_thresholds=(("A", 1000.0), ("B", 0.0), ("C", 0.0)))
    assert score(df, as_of=AS_OF, config=mid).scores.filter(pl.col("id") == "H1")["recommendation"][0] == "general"


def test_explanation_contributions_sum_and_deterministic():
    df = frame_from_rows(population())
    res = score(df, scenario="finance", as_of=AS_OF)
    e = explain(res, "G7")
    assert sum(i["contribution"] for i in e["indicators"] if i["contribution"] is not None) == pytest.approx(
        e["score"], abs=1e-4)
    assert sum(i["weight"] for i in e["indicators"]) == pytest.approx(1.0, abs=1e-5)
    cc = next(i for i in e["indicators"] if i["id"] == "legal.scope.claims_count")
    assert cc["raw"] == 107.0
    assert cc["peer_group"] == {"level": "ipc_main_subclass+filing_year",
                                "keys": {"ipc_main_subclass": "G06F", "filing_year": 2020},
                                "size": 40, "small_peer_group": False}
    assert cc["percentile"] == pytest.approx(6.5 / 40)
    assert [x["name_zh"] for x in e["level1"]] == ["法律价值", "技术价值", "经济价值"]
    assert e["scenario_zh"] == "金融（质押融资）"
    text = to_json(e)
    assert json.loads(text) == e
    res2 = score(df.sample(fraction=1.0, shuffle=True, seed=3), scenario="finance", as_of=AS_OF)
    assert to_json(explain(res2, "G7")) == text  # row order does not matter
    assert len(explain_all(res)) == df.height
    with pytest.raises(KeyError):
        explain(res, "NOPE")


def test_input_schema_checks():
    with pytest.raises(InputSchemaError, match="filing_date"):
        score(pl.DataFrame({"id": ["x"], "patent_type": ["发明"]}), as_of=AS_OF)
    # optional columns may be absent: they count as missing
    df = pl.DataFrame({"id": ["x"], "patent_type": ["发明"], "filing_date": [dt.date(2020, 1, 1)],
                       "legal_status": ["有效"], "applicant_type": ["外星人"]})
    r = score(df, as_of=AS_OF).scores.row(0, named=True)
    assert "economic.holder.applicant_type" in r["missing"]  # unknown category -> missing, not 0
    assert "legal.scope.claims_count" in r["missing"]
    with pytest.raises(KeyError, match="unknown scenario"):
        score(df, scenario="auction", as_of=AS_OF)


def test_peer_levels_are_configurable():
    rows = population()
    rows.append(patent("U1", "H04N", patent_type="实用新型", claims_count=3))
    df = frame_from_rows(rows)
    cfg = ScoringConfig(peer_levels=(("ipc_main_subclass", "filing_year", "patent_type"), ()), min_peer_size=2)
    d = score(df, as_of=AS_OF, config=cfg).detail.filter(pl.col("id") == "U1").row(0, named=True)
    # only one 实用新型 in its group (< 2) -> the whole population (84) is the peer group
    assert d["peer_level:legal.scope.claims_count"] == 1 and d["peer_n:legal.scope.claims_count"] == 84
    with pytest.raises(ValueError, match="unknown column"):
        score(df, as_of=AS_OF, config=ScoringConfig(peer_levels=(("province",),)))


def test_wrong_column_types_are_named():
    df = pl.DataFrame({"id": ["x"], "patent_type": ["发明"], "filing_date": ["2020-01-01"],
                       "claims_count": [3.5]})
    with pytest.raises(InputSchemaError) as ei:
        score(df, as_of=AS_OF)
    assert "filing_date" in str(ei.value) and "claims_count" in str(ei.value)
