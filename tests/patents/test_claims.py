"""Claim splitting, dependency references and claim-1 breadth."""

from __future__ import annotations

import json

import pytest

from ipoc.patents.claims import Claim, claim_breadth, claim_references, split_claims

from . import require_sample_dir

CN_CLAIMS = (
    "1.一种近水平薄矿体开采方法，包括如下步骤：1)沿矿体走向划分盘区；2)用掘进机回采，留间柱(6)、点柱(7)和底柱(8);"
    "3)厚度3.5m的分层回采。\n"
    "2、根据权利要求1所述的方法，其特征在于步骤3)至少每间隔一个无点柱层。\n"
    "3．如权利要求1-2任一项所述的方法，其特征在于间隔两至三层。"
    "4.根据权利要求1或3所述的方法，其特征在于矿块宽度为40m。\n"
    "5.一种开采系统，用于实施权利要求1至3中任意一项所述的方法。"
)


def test_split_chinese_claims_with_variants() -> None:
    claims = split_claims(CN_CLAIMS)
    assert [c.number for c in claims] == [1, 2, 3, 4, 5]
    # the step list 1)…2)… and "3.5m" inside claim 1 do not start claims
    assert "2)用掘进机回采" in claims[0].text and "3.5m" in claims[0].text
    assert claims[0].independent and claims[0].refers_to == []
    assert claims[1].refers_to == [1] and not claims[1].independent
    assert claims[2].refers_to == [1, 2]
    assert claims[3].refers_to == [1, 3]
    assert claims[4].refers_to == [1, 2, 3]
    assert claims[1].text.startswith("根据权利要求1")


def test_split_english_claims() -> None:
    text = (
        "1. A method comprising: heating a sample to 3.5 degrees; and cooling it. "
        "2. The method of claim 1, wherein the sample is a liquid. "
        "3. The method according to any one of claims 1-2, further comprising stirring. "
        "4. The method of claims 1 to 3, wherein heating lasts 10 s. "
        "5. An apparatus for performing the method of claim 1 or 2."
    )
    claims = split_claims(text)
    assert [c.number for c in claims] == [1, 2, 3, 4, 5]
    assert [c.refers_to for c in claims] == [[], [1], [1, 2], [1, 2, 3], [1, 2]]
    assert claims[0].text.endswith("cooling it.")


@pytest.mark.parametrize(
    ("text", "refs"),
    [
        ("根据权利要求1所述", [1]),
        ("如权利要求1-3任一项所述", [1, 2, 3]),
        ("如权利要求1～3中任一项所述", [1, 2, 3]),
        ("根据权利要求1或2所述", [1, 2]),
        ("根据权利要求2、4或6所述", [2, 4, 6]),
        ("claim 1", [1]),
        ("claims 1 to 3", [1, 2, 3]),
        ("any one of claims 1-3", [1, 2, 3]),
        ("claim 1 or 2", [1, 2]),
        ("一种装置，包括外壳。", []),
    ],
)
def test_claim_references(text: str, refs: list[int]) -> None:
    assert claim_references(text) == refs


def test_truncated_text_keeps_leading_fragment_as_previous_claim() -> None:
    claims = split_claims("所述外壳为铝合金。\n13.根据权利要求8所述的方法，其中温度为80℃。\n14.根据权利要求13所述的方法。")
    assert [c.number for c in claims] == [12, 13, 14]
    assert claims[1].refers_to == [8] and claims[2].refers_to == [13]


def test_unnumbered_text_is_one_claim() -> None:
    claims = split_claims("一种水杯，包括杯体和杯盖。")
    assert len(claims) == 1 and claims[0].number == 1 and claims[0].independent


def test_empty() -> None:
    assert split_claims("") == [] and split_claims(None) == []


def test_breadth_counts_features() -> None:
    breadth = claim_breadth(split_claims("1.一种水杯，包括：杯体；杯盖；把手。\n2.根据权利要求1所述的水杯。"))
    assert breadth.features == 3
    assert breadth.chars == len("一种水杯，包括：杯体；杯盖；把手。")
    # no semicolon → commas separate the features
    assert claim_breadth("A cup, comprising a body, a lid and a handle.").features == 3
    assert claim_breadth("A cup, comprising a body, a lid and a handle.").words == 10
    assert claim_breadth("").features == 0


def test_claim_round_trip() -> None:
    claim = Claim(number=2, text="x", independent=False, refers_to=[1])
    assert Claim.from_dict(claim.to_dict()) == claim


def test_real_kp_claims_are_sequential() -> None:
    path = require_sample_dir() / "cn" / "patents_kp.jsonl"
    total = 0
    for line in open(path, encoding="utf-8"):
        claims = split_claims(json.loads(line)["claims"])
        numbers = [c.number for c in claims]
        assert numbers == list(range(numbers[0], numbers[0] + len(numbers))) if numbers else True
        for c in claims:
            assert all(r < c.number for r in c.refers_to)
        total += len(claims)
    assert total > 5000
