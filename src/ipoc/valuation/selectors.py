"""Reads for 专利评估: runs, the latest valuation of a patent, and the per-patent report.

``user=None`` means the system (CLI): no restriction, like ``patents.selectors.patent_get``.
"""

from __future__ import annotations

from functools import lru_cache

from django.db.models import F, QuerySet
from django.utils.translation import gettext as _

from ipoc.core.display import patent_label
from ipoc.core.errors import NotFound
from ipoc.core.models import User
from ipoc.core.permissions import VIEW, restrict
from ipoc.valuation import engine
from ipoc.valuation.engine.scoring import GRADE_LABELS, RULES
from ipoc.valuation.models import IndicatorTreeVersion, PatentValuation, ValuationRun


def _restricted(qs: QuerySet, user: User | None) -> QuerySet:
    return qs if user is None else restrict(qs, user, VIEW)


def tree_version_list(*, user: User | None) -> QuerySet[IndicatorTreeVersion]:
    return _restricted(IndicatorTreeVersion.objects.select_related("created_by"), user)


def valuation_run_list(*, user: User | None) -> QuerySet[ValuationRun]:
    return _restricted(ValuationRun.objects.select_related("tree_version", "job", "created_by"), user)


def valuation_run_get(*, user: User | None, pk: int) -> ValuationRun:
    run = valuation_run_list(user=user).filter(pk=pk).first()
    if run is None:
        raise NotFound(_("评估批次 %(pk)s 不存在") % {"pk": pk}, field="run")
    return run


def run_valuations(*, user: User | None, run: ValuationRun, grade: str = "",
                   recommendation: str = "") -> QuerySet[PatentValuation]:
    """A run's results, best first; ``grade`` "-" selects the patents left ungraded (too little data)."""
    qs = _restricted(PatentValuation.objects.filter(run=run).select_related("patent"), user)
    if grade:
        qs = qs.filter(grade="" if grade == "-" else grade)
    if recommendation:
        qs = qs.filter(recommendation=recommendation)
    return qs.order_by(F("score").desc(nulls_last=True), "patent_id")


def valuation_latest(*, user: User | None, patent) -> PatentValuation | None:
    """The patent's valuation from its most recent finished run."""
    qs = PatentValuation.objects.filter(patent=patent, run__finished=True)
    return (_restricted(qs.select_related("run", "run__tree_version", "patent"), user)
            .order_by("-run_id").first())


def valuations_for_patent(*, user: User | None, patent_id: int) -> QuerySet[PatentValuation]:
    """The patent's valuations in finished runs, newest run first (for the patent's page)."""
    qs = PatentValuation.objects.filter(patent_id=patent_id, run__finished=True)
    return _restricted(qs.select_related("run", "run__tree_version"), user).order_by("-run_id")


def valuation_in_run(*, user: User | None, patent, run_id: int) -> PatentValuation:
    """The patent's valuation in one finished run (a report of an earlier run)."""
    valuation = (_restricted(PatentValuation.objects.filter(patent=patent, run_id=run_id, run__finished=True)
                             .select_related("run", "run__tree_version", "patent"), user).first())
    if valuation is None:
        raise NotFound(_("评估批次 %(run)s 中没有专利 %(p)s 的评估结果") % {"run": run_id, "p": patent_label(patent)[0]},
                       field="run")
    return valuation


def valuation_get(*, user: User | None, patent) -> PatentValuation:
    valuation = valuation_latest(user=user, patent=patent)
    if valuation is None:
        raise NotFound(_("专利 %(p)s 尚未评估（请先运行评估：ipoc valuation score --all）") % {"p": patent_label(patent)[0]},
                       field="patent")
    return valuation


@lru_cache(maxsize=32)
def _tree(version_pk: int, digest: str) -> engine.IndicatorTree:
    return engine.load_tree(IndicatorTreeVersion.objects.get(pk=version_pk).tree)


def tree_of(version: IndicatorTreeVersion) -> engine.IndicatorTree:
    return _tree(version.pk, version.digest)


def active_tree_digest() -> str | None:
    return IndicatorTreeVersion.objects.filter(is_active=True).values_list("digest", flat=True).first()


def indicator_values(valuation: PatentValuation) -> dict[str, dict]:
    """The stored per-indicator numbers of a valuation, decoded: raw, percentile, normalized,
    peer_group ({level, keys, size, small_peer_group} or None) and contribution."""
    config = valuation.run.config or engine.DEFAULT_SCORING_CONFIG.to_dict()
    levels = config["peer_levels"]
    min_peer = config["min_peer_size"]
    keys = valuation.explanation.get("keys", {})
    out = {}
    for leaf, values in valuation.explanation.get("ind", {}).items():
        raw, percentile, normalized, level, size, contribution = values
        peer = None
        if level is not None and percentile is not None:
            peer = {"level": "+".join(levels[level]) or "all", "keys": {k: keys.get(k) for k in levels[level]},
                    "size": size, "small_peer_group": size < min_peer}
        out[leaf] = {"raw": raw, "percentile": percentile, "normalized": normalized, "peer_group": peer,
                     "contribution": contribution}
    return out


def valuation_report(valuation: PatentValuation) -> dict:
    """Everything a reader needs to see why the patent scored what it did: per indicator its raw value,
    percentile among peers (and which peers), weight, contribution (the contributions sum to the score),
    missing flags and whether the indicator is still 待核实."""
    run = valuation.run
    tree = tree_of(run.tree_version)
    weights = tree.leaf_weights(run.scenario)
    stored = indicator_values(valuation)
    missing = set(valuation.missing)
    available = sum(weights[leaf] for leaf in tree.leaves if leaf not in missing)
    formulas = engine.FORMULAS
    indicators = []
    for leaf in tree.leaves:
        node = tree.nodes[leaf]
        s = stored.get(leaf, {})
        is_missing = leaf in missing
        indicators.append({
            "id": leaf, "name_zh": node.name_zh, "name_en": node.name_en, "level1": tree.root_of(leaf),
            "path": [tree.nodes[p].name_zh for p in tree.path(leaf)],
            "description": node.description, "formula": node.formula,
            "formula_description": formulas[node.formula].description if node.formula in formulas else "",
            "normalization": node.normalization, "direction": node.direction,
            "raw": s.get("raw"), "percentile": s.get("percentile"), "normalized": s.get("normalized"),
            "peer_group": s.get("peer_group"),
            "weight": round(weights[leaf], 6),
            "renormalized_weight": round(weights[leaf] / available, 6) if not is_missing and available else None,
            "contribution": s.get("contribution"),
            "missing": is_missing, "pending_check": node.pending_check,
        })
    level1 = [{"id": root, "name_zh": tree.nodes[root].name_zh, "name_en": tree.nodes[root].name_en,
               "score": valuation.level_scores.get(root),
               "weight": round(sum(weights[leaf] for leaf in tree.leaves if tree.root_of(leaf) == root), 6)}
              for root in tree.roots]
    patent = valuation.patent
    notes = [_("缺失的指标不按 0 计：总分在可得指标上按权重重新归一，置信度 = 可得指标权重之和。"),
             _("二、三级指标、权重、评级与分层阈值为平台默认方案，待与 GB/T 42748-2023 原文核实，可由管理部门调整。"),
             _("百分位的同行为本批次评估的专利：同 IPC 小类与申请年，不足最小同行组时逐级放宽。")]
    if any(i["peer_group"] and i["peer_group"]["small_peer_group"] for i in indicators):
        notes.append(_("部分指标的同行组不足 %(n)d 件，已使用最宽同行组，百分位仅供参考。")
                     % {"n": (run.config or {}).get("min_peer_size", engine.DEFAULT_SCORING_CONFIG.min_peer_size)})
    return {
        "patent": {"id": patent.pk, "key": patent.key, "number": patent.number, "title": patent.title,
                   "patent_type": patent.get_patent_type_display(),
                   "legal_status": patent.get_legal_status_display()},
        "run": {"id": run.pk, "scenario": run.scenario, "scenario_zh": tree.scenarios.get(run.scenario),
                "as_of": run.as_of.isoformat(), "tree_version": run.tree_version_id,
                "tree_label": run.tree_version.label, "tree_digest": run.tree_version.digest,
                "tree_is_active": run.tree_version.is_active},
        "score": valuation.score, "grade": valuation.grade or None,
        "grade_zh": GRADE_LABELS.get(valuation.grade), "confidence": valuation.confidence,
        "missing": list(valuation.missing), "level1": level1, "indicators": indicators,
        "contribution_total": round(sum(i["contribution"] or 0.0 for i in indicators), 6),
        "recommendation": {"code": valuation.recommendation,
                           "zh": engine.RECOMMENDATIONS.get(valuation.recommendation),
                           "rule": valuation.recommendation_rule, "reason": RULES.get(valuation.recommendation_rule),
                           "remaining_life_years": valuation.remaining_life_years},
        "fee_saving": valuation.fee_saving, "notes": notes,
    }
