"""Claim text helpers pinned on real claim sets from cn/patents_kp.jsonl."""

from __future__ import annotations

import json

import pytest

from ipoc.conf import sample_data_dir
from ipoc.valuation.engine import claim_stats
from ipoc.valuation.engine.formulas import count_claim_features, is_dependent_claim, split_claims

KP = sample_data_dir() / "cn" / "patents_kp.jsonl"
pytestmark = pytest.mark.skipif(not KP.exists(), reason="shared sample data folder absent")


@pytest.fixture(scope="module")
def records():
    with open(KP, encoding="utf-8") as fh:
        return [json.loads(next(fh)) for _ in range(2)]


def test_mining_method_claims(records):
    # 一种近水平薄矿体智能掘进机机械开采方法: claims 1..10, only claim 1 is independent;
    # claim 1 has no '其特征在于' and 5 '；'-separated parts (steps 1)-4) and the backfill clause)
    st = claim_stats(records[0]["claims"])
    assert st["claims_count"] == 10
    assert st["independent_claims_count"] == 1
    assert st["claim1_features"] == 5


def test_laundry_claims_with_cross_category_independent(records):
    # 衣物处理装置的预约控制方法: 9 claims; claim 9 '一种衣物处理装置，…采用如权利要求1至8任一项所述的控制方法'
    # is an independent apparatus claim, so 2 independent claims (1 and 9)
    claims = split_claims(records[1]["claims"])
    assert len(claims) == 9
    assert [is_dependent_claim(c) for c in claims] == [False] + [True] * 7 + [False]
    st = claim_stats(records[1]["claims"])
    assert st["independent_claims_count"] == 2
    # preamble + 获取用户信息 / 预估时长 / 确定开始时刻 / 执行处理过程
    assert st["claim1_features"] == 5
    assert st["claim1_chars"] == len(claims[0])


def test_feature_count_edge_cases():
    assert count_claim_features("") is None
    assert count_claim_features("1.一种杯子，其特征在于，包括杯体。") == 2
    assert claim_stats("")["claims_count"] is None
