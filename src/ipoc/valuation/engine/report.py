"""Per-patent explanation of a score: deterministic, JSON-serialisable.

``explain(result, patent_id)`` returns::

    {
      "id", "scenario", "scenario_zh", "as_of", "tree_version", "tree_digest",
      "score", "grade", "grade_zh", "confidence",
      "level1": [{"id", "name_zh", "name_en", "score", "weight", "available_weight"}],
      "indicators": [{
          "id", "name_zh", "name_en", "level1", "path", "formula", "formula_description",
          "raw", "normalization", "direction", "percentile", "normalized",
          "peer_group": {"level", "keys": {col: value}, "size", "small_peer_group"} | None,
          "weight", "renormalized_weight", "contribution", "missing", "pending_check"}],
      "missing": [leaf ids],
      "recommendation": {"code", "zh", "rule", "reason", "remaining_life_years"},
      "fee_saving": {"amount_yuan", "horizon_years", "source", "pending_check"},
      "config": {...}, "notes": [...]
    }

``contribution`` is the indicator's share of the total in points:
100 · w_i · n_i / Σ_available w, so the contributions of a patent sum to its
score. Floats are rounded to 6 decimals so output is byte-stable.
"""

from __future__ import annotations

import datetime as _dt
import json
from typing import Any

from .fees import FEE_TABLE_PENDING_CHECK, FEE_TABLE_SOURCE
from .formulas import FORMULAS
from .scoring import GRADE_LABELS, RECOMMENDATIONS, RULES, ScoreResult

_ND = 6


def _r(x: Any) -> Any:
    if x is None:
        return None
    if isinstance(x, float):
        if x != x:  # NaN
            return None
        return round(x, _ND)
    if isinstance(x, _dt.date):
        return x.isoformat()
    return x


def _row(result: ScoreResult, patent_id: str) -> dict[str, Any]:
    import polars as pl

    rows = result.detail.filter(pl.col("id") == patent_id)
    if rows.height == 0:
        raise KeyError(f"patent '{patent_id}' not in the scored frame")
    return rows.row(0, named=True)


def explain_row(result: ScoreResult, row: dict[str, Any]) -> dict[str, Any]:
    tree = result.tree
    cfg = result.config
    w = result.leaf_weights
    leaves = tree.leaves
    avail_total = sum(w[lf] for lf in leaves if row[f"norm:{lf}"] is not None)

    indicators = []
    for leaf in leaves:
        node = tree.nodes[leaf]
        raw = row[f"raw:{leaf}"]
        norm = row[f"norm:{leaf}"]
        missing = raw is None
        peer = None
        pct = None
        if node.normalization == "peer_percentile" and not missing:
            lvl = row[f"peer_level:{leaf}"]
            keys = cfg.peer_levels[lvl]
            size = row[f"peer_n:{leaf}"]
            peer = {
                "level": "+".join(keys) if keys else "all",
                "keys": {k: _r(row[k]) for k in keys},
                "size": size,
                "small_peer_group": size < cfg.min_peer_size,
            }
            pct = row[f"pct:{leaf}"]
        contribution = (100.0 * w[leaf] * norm / avail_total) if (norm is not None and avail_total > 0) else None
        indicators.append({
            "id": leaf,
            "name_zh": node.name_zh,
            "name_en": node.name_en,
            "level1": tree.root_of(leaf),
            "path": [tree.nodes[p].name_zh for p in tree.path(leaf)],
            "formula": node.formula,
            "formula_description": FORMULAS[node.formula].description,
            "raw": _r(raw),
            "normalization": node.normalization,
            "direction": node.direction,
            "percentile": _r(pct),
            "normalized": _r(norm),
            "peer_group": peer,
            "weight": _r(w[leaf]),
            "renormalized_weight": _r(w[leaf] / avail_total) if (not missing and avail_total > 0) else None,
            "contribution": _r(contribution),
            "missing": missing,
            "pending_check": node.pending_check,
        })

    level1 = []
    for root in tree.roots:
        rl = [lf for lf in leaves if tree.root_of(lf) == root]
        level1.append({
            "id": root,
            "name_zh": tree.nodes[root].name_zh,
            "name_en": tree.nodes[root].name_en,
            "score": _r(row[f"score_{root}"]),
            "weight": _r(sum(w[lf] for lf in rl)),
            "available_weight": _r(sum(w[lf] for lf in rl if row[f"norm:{lf}"] is not None)),
        })

    grade = row["grade"]
    notes = [
        "缺失的指标不按 0 计：总分在可得指标上按权重重新归一，置信度 = 可得指标权重之和。",
        "二、三级指标、权重、评级与分层阈值为项目默认方案，待核实（GB/T 42748-2023 原文指标名未取得）。",
    ]
    if any(i["peer_group"] and i["peer_group"]["small_peer_group"] for i in indicators):
        notes.append(f"部分指标的同行组不足 {cfg.min_peer_size} 件，已使用最宽同行组，百分位仅供参考。")
    return {
        "id": row["id"],
        "scenario": result.scenario,
        "scenario_zh": tree.scenarios[result.scenario],
        "as_of": result.as_of.isoformat(),
        "tree_version": tree.version,
        "tree_digest": tree.digest(),
        "score": _r(row["score"]),
        "grade": grade,
        "grade_zh": GRADE_LABELS.get(grade) if grade else None,
        "confidence": _r(row["confidence"]),
        "level1": level1,
        "indicators": indicators,
        "missing": [i["id"] for i in indicators if i["missing"]],
        "recommendation": {
            "code": row["recommendation"],
            "zh": RECOMMENDATIONS.get(row["recommendation"]),
            "rule": row["recommendation_rule"],
            "reason": RULES.get(row["recommendation_rule"]),
            "remaining_life_years": _r(row["remaining_life_years"]),
        },
        "fee_saving": {
            "amount_yuan": row["fee_saving"],
            "horizon_years": cfg.fee_horizon_years,
            "basis": "当前专利年度之后至届满（或至 horizon）各年度官方年费之和；未计费减",
            "source": FEE_TABLE_SOURCE,
            "pending_check": FEE_TABLE_PENDING_CHECK,
        },
        "config": cfg.to_dict(),
        "notes": notes,
    }


def explain(result: ScoreResult, patent_id: str) -> dict[str, Any]:
    """Explanation of one patent of a :class:`ScoreResult`."""
    return explain_row(result, _row(result, patent_id))


def explain_all(result: ScoreResult) -> list[dict[str, Any]]:
    return [explain_row(result, row) for row in result.detail.iter_rows(named=True)]


def to_json(explanation: dict[str, Any] | list[dict[str, Any]]) -> str:
    """Canonical JSON (sorted keys, UTF-8 kept) — identical input gives identical bytes."""
    return json.dumps(explanation, ensure_ascii=False, sort_keys=True, indent=None, separators=(",", ":"))
