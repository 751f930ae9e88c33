"""The pure rules: claim elements, proposals, grading, the market filter."""

import datetime as dt

from ipoc.risk import engine

TODAY = dt.date(2026, 12, 6)
HORIZON = dt.date(2029, 12, 31)


def test_english_claim_is_split_into_preamble_and_elements():
    claim = ("1. A system for pre-charging a hybrid vehicle, comprising: a battery; a converter connected to the "
             "battery; and a controller configured to close a relay when a voltage exceeds a threshold.")
    els = engine.claim_elements(claim)
    assert els[0] == "A system for pre-charging a hybrid vehicle"
    assert els[1:] == ["a battery", "a converter connected to the battery",
                       "a controller configured to close a relay when a voltage exceeds a threshold"]


def test_chinese_claim_is_split_at_semicolons():
    claim = "1.一种预充电系统，其特征在于，包括：电池组；预充电电阻；控制器，用于闭合主接触器。"
    els = engine.claim_elements(claim)
    assert els[0] == "一种预充电系统"
    assert "电池组" in els and "预充电电阻" in els and len(els) == 4


def test_one_absent_element_grades_low_all_literal_high_equivalent_medium():
    assert engine.claim_risk(["literal", "literal", "absent"]) == "low"
    assert engine.claim_risk(["literal", "literal"]) == "high"
    assert engine.claim_risk(["literal", "equivalent"]) == "medium"
    assert engine.claim_risk(["literal", "open"]) == "medium"
    assert engine.patent_risk(["low", "high"]) == "high"


def test_proposal_literal_when_words_match_absent_when_not():
    feats = ["a controller that closes a relay when the bus voltage exceeds a threshold"]
    assert engine.propose("a controller configured to close a relay when a voltage exceeds a threshold",
                          feats).mapping == "literal"
    p = engine.propose("a hydraulic pump with a swash plate", feats)
    assert p.mapping == "absent" and "%" in p.evidence


def test_market_filter_expired_in_us_alive_in_cn():
    us = {"jurisdiction": "US", "legal_status": "", "application_date": dt.date(2000, 1, 5),
          "grant_date": dt.date(2003, 1, 1)}
    cn = {"jurisdiction": "CN", "legal_status": "valid", "patent_type": "invention",
          "application_date": dt.date(2015, 3, 1)}
    assert engine.market_status(us, "US", start=TODAY, horizon=HORIZON)["kept"] is False
    assert "届满" in engine.market_status(us, "US", start=TODAY, horizon=HORIZON)["reason"]
    assert engine.market_status(cn, "US", start=TODAY, horizon=HORIZON)["kept"] is False
    assert engine.market_status(cn, "CN", start=TODAY, horizon=HORIZON)["kept"] is True


def test_ep_patent_counts_in_ep_states_pending_kept_lapsed_excluded():
    ep = {"jurisdiction": "EP", "legal_status": "pending", "application_date": dt.date(2022, 1, 1)}
    assert engine.market_status(ep, "DE", start=TODAY, horizon=HORIZON)["state"] == "pending"
    lapsed = {"jurisdiction": "CN", "legal_status": "lapsed", "application_date": dt.date(2018, 1, 1)}
    assert engine.market_status(lapsed, "CN", start=TODAY, horizon=HORIZON)["kept"] is False
