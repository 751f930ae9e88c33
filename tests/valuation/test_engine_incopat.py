"""Indicator formulas pinned on hand-checked rows of the real incoPat-style sample."""

from __future__ import annotations

import csv
import datetime as dt

import pytest

from ipoc.conf import sample_data_dir
from ipoc.valuation.engine import compute_raw, features_from_incopat_row, frame_from_rows, score

SAMPLE = sample_data_dir() / "cn" / "incopat_style_sample.csv"
AS_OF = dt.date(2026, 1, 1)
UTILITY = "CN202121635235.X"  # 无人机巡检系统
INVENTION = "CN202211359874.7"  # 一种web端数据通用采集方法
PENDING = "CN202211740332.4"  # 一种基于图模型的新闻关键词抽取方法及装置 (审中-实质审查)

pytestmark = pytest.mark.skipif(not SAMPLE.exists(), reason="shared sample data folder absent")


@pytest.fixture(scope="module")
def rows():
    with open(SAMPLE, encoding="utf-8-sig") as fh:
        return {r["申请号"]: r for r in csv.DictReader(fh)}


@pytest.fixture(scope="module")
def feats(rows):
    return {k: features_from_incopat_row(r) for k, r in rows.items()}


def test_utility_model_row_features(rows, feats):
    # 实用新型, 申请日 20210715, 授权 20221004, 有权-审定授权,
    # 分类号 H04N7/18;G07C1/20;B64C39/02;B64D47/08;B64D1/08;B64D47/02
    f = feats[UTILITY]
    assert f["patent_type"] == "实用新型"
    assert f["legal_status"] == "有效"
    assert f["filing_date"] == dt.date(2021, 7, 15)
    assert f["grant_date"] == dt.date(2022, 10, 4)
    assert f["ipc_main_subclass"] == "H04N"
    assert f["ipc_subclass_count"] == 4  # H04N, G07C, B64C, B64D (B64D three times)
    assert f["applicant_type"] == "科研机构"
    assert (f["backward_citations"], f["transfers"], f["licences"], f["pledges"]) == (0, 0, 0, 0)
    # claim 1 = preamble + 5 elements separated by '；'
    assert f["claim1_features"] == 6
    claim1 = rows[UTILITY]["主权项"]
    assert claim1.startswith("1.") and f["claim1_chars"] == len(claim1) - 2 == 246  # no spaces in the text
    # not in this export -> unknown (None), never 0
    assert f["forward_citations"] is None
    assert f["claims_count"] is None and f["independent_claims_count"] is None
    assert f["family_size"] is None and f["family_countries"] is None
    assert f["examination_days"] is None  # utility models have no substantive examination


def test_invention_row_features(feats):
    # 实质审查日 20230418, 授权公告日 20240405, 审查时长 "0" (placeholder in the export)
    f = feats[INVENTION]
    assert f["patent_type"] == "发明"  # 专利类型 "发明公开;发明授权"
    assert f["examination_days"] == 353  # 2023-04-18 -> 2024-04-18 = 366 days (2024 leap), minus 13
    assert f["ipc_subclass_count"] == 1  # H04L43/02;H04L9/40;H04L67/025 all in H04L
    assert f["claim1_features"] == 6  # preamble + 步骤一…步骤五 separated by '；'
    assert feats[PENDING]["legal_status"] == "审中"
    assert feats[PENDING]["grant_date"] is None


def test_raw_indicators_hand_checked(feats):
    df = frame_from_rows(list(feats.values()))
    raw = {r["id"]: r for r in compute_raw(df, as_of=AS_OF).iter_rows(named=True)}
    u = raw[UTILITY]
    # remaining life: 10-year term from 2021-07-15 -> 2031-07-15
    assert u["raw:legal.status.remaining_life"] == pytest.approx(
        (dt.date(2031, 7, 15) - AS_OF).days / 365.25)
    assert u["raw:legal.status.remaining_life"] == pytest.approx(2021 / 365.25)  # 1826 + 195 days
    assert u["raw:legal.status.legal_status"] == 1.0
    assert u["raw:legal.stability.examination_type"] == 0.5
    assert u["raw:technical.breadth.ipc_subclasses"] == 4.0
    assert u["raw:legal.scope.claim1_features"] == 6.0
    assert u["raw:economic.holder.applicant_type"] == 0.7
    assert u["raw:legal.scope.claims_count"] is None
    assert u["raw:technical.influence.forward_citations"] is None
    i = raw[INVENTION]
    # 20-year term from 2022-11-02 -> 2042-11-02
    assert i["raw:legal.status.remaining_life"] == pytest.approx((dt.date(2042, 11, 2) - AS_OF).days / 365.25)
    assert i["raw:legal.stability.examination_days"] == 353.0
    assert i["raw:legal.stability.examination_type"] == 1.0
    p = raw[PENDING]
    assert p["raw:legal.status.legal_status"] == 0.5


def test_sample_scores_report_missing_and_fees(feats):
    df = frame_from_rows(list(feats.values()))
    res = score(df, scenario="license_transfer", as_of=AS_OF)
    s = {r["id"]: r for r in res.scores.iter_rows(named=True)}
    u = s[UTILITY]
    assert "legal.scope.claims_count" in u["missing"]
    assert "technical.influence.forward_citations" in u["missing"]
    assert "economic.market.family_size" in u["missing"]
    assert 0 < u["confidence"] < 1
    # 实用新型 filed 2021-07-15, on 2026-01-01 in patent year 5 -> years 6..10 remain:
    # 1200*3 (6-8) + 2000*2 (9-10) = 7600
    assert u["fee_saving"] == 7600
    # 发明 filed 2022-11-02, patent year 4 -> years 5..20:
    # 1200*2 + 2000*3 + 4000*3 + 6000*3 + 8000*5 = 78400
    assert s[INVENTION]["fee_saving"] == 78400
    assert s[PENDING]["fee_saving"] is None  # not granted: nothing to let lapse
    assert s[PENDING]["recommendation"] == "observe"
