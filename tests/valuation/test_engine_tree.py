"""Indicator tree: default content and validation errors."""

from __future__ import annotations

import copy
import json

import pytest

from ipoc.valuation.engine import DEFAULT_TREE, SCENARIOS, IndicatorTree, TreeValidationError, default_tree


def _edit(fn):
    d = copy.deepcopy(DEFAULT_TREE)
    fn(d)
    return d


def _node(d, nid):
    return next(n for n in d["nodes"] if n["id"] == nid)


def test_default_tree_shape_and_weights():
    t = default_tree()
    assert [t.nodes[r].name_zh for r in t.roots] == ["法律价值", "技术价值", "经济价值"]
    assert set(t.scenarios) == set(SCENARIOS)
    for s in t.scenarios:
        lw = t.leaf_weights(s)
        assert sum(lw.values()) == pytest.approx(1.0)
        assert all(w >= 0 for w in lw.values())
    # effective weight = product of normalised sibling weights along the path
    assert t.effective_weight("legal.scope.claims_count", "license_transfer") == pytest.approx(0.35 * 0.40 * 0.30)
    assert t.effective_weight("economic.operation.pledges", "finance") == pytest.approx(
        0.40 * 0.55 / (0.30 + 0.55 + 0.15) * 0.40)
    # every node carries the editable metadata; the tree is JSON round-trippable
    for n in DEFAULT_TREE["nodes"]:
        assert {"id", "name_zh", "name_en", "parent", "formula", "weights", "direction", "description", "source",
                "pending_check"} <= set(n)
    again = IndicatorTree.from_dict(json.loads(json.dumps(DEFAULT_TREE, ensure_ascii=False)))
    assert again.digest() == t.digest()


def test_sibling_weights_are_normalised():
    # scale all three first-level weights by 10: same effective weights
    def scale(d):
        for r in ("legal", "technical", "economic"):
            _node(d, r)["weights"] = {s: w * 10 for s, w in _node(d, r)["weights"].items()}
    t = IndicatorTree.from_dict(_edit(scale))
    assert t.leaf_weights("management") == pytest.approx(default_tree().leaf_weights("management"))


def test_unknown_formula_names_the_node():
    d = _edit(lambda d: _node(d, "legal.scope.claims_count").update(formula="claims_magic"))
    with pytest.raises(TreeValidationError) as ei:
        IndicatorTree.from_dict(d)
    msg = str(ei.value)
    assert "legal.scope.claims_count" in msg and "claims_magic" in msg


def test_validation_errors_are_all_reported():
    def breakit(d):
        _node(d, "technical.breadth.ipc_subclasses")["weights"]["finance"] = -1
        del _node(d, "economic.market.family_size")["weights"]["other"]
        _node(d, "legal.status.legal_status")["direction"] = "sideways"
        d["nodes"].append(dict(_node(d, "economic.operation.pledges"), id="x.orphan", parent="nope"))
        d["nodes"].append(dict(_node(d, "economic.operation.pledges")))  # duplicate id
    with pytest.raises(TreeValidationError) as ei:
        IndicatorTree.from_dict(_edit(breakit))
    errs = "\n".join(ei.value.errors)
    assert "technical.breadth.ipc_subclasses" in errs and "finance" in errs
    assert "economic.market.family_size" in errs and "'other'" in errs
    assert "legal.status.legal_status" in errs and "direction" in errs
    assert "x.orphan" in errs and "unknown parent" in errs
    assert "duplicate id" in errs


def test_all_zero_siblings_rejected_and_group_formula_rejected():
    def zero(d):
        for nid in ("technical.influence", "technical.breadth"):
            _node(d, nid)["weights"]["infringement"] = 0
    with pytest.raises(TreeValidationError, match="technical.*infringement"):
        IndicatorTree.from_dict(_edit(zero))
    with pytest.raises(TreeValidationError, match="'legal.scope': has children"):
        IndicatorTree.from_dict(_edit(lambda d: _node(d, "legal.scope").update(formula="claims_count")))
    with pytest.raises(TreeValidationError, match="mapping score"):
        IndicatorTree.from_dict(_edit(lambda d: _node(d, "economic.holder.applicant_type").update(
            params={"mapping": {"企业": 3}})))


def test_zero_weight_for_one_sibling_is_allowed():
    t = IndicatorTree.from_dict(_edit(lambda d: _node(d, "technical.influence.backward_citations")
                                      ["weights"].update(management=0)))
    lw = t.leaf_weights("management")
    assert lw["technical.influence.backward_citations"] == 0
    assert sum(lw.values()) == pytest.approx(1.0)


def test_unknown_scenario():
    with pytest.raises(KeyError, match="unknown scenario"):
        default_tree().leaf_weights("auction")
