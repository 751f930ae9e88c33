"""Vectorised scoring of patents against an indicator tree (polars only).

Per leaf indicator i and patent p:

1. raw_i(p) = formula(p) (formulas.FORMULAS); null when an input is null.
2. normalised n_i(p) in [0, 1]:
   - peer_percentile: mid-rank percentile among the peers that have a value,
     (#peers below + #peers equal / 2) / #peers, computed with
     rank("average").over(peer keys). Peer group = the first level of
     ``ScoringConfig.peer_levels`` with at least ``min_peer_size`` non-null
     values; default chain IPC 小类+申请年 → IPC 部+申请年 → 申请年 → 全部.
     When even the widest group is smaller, that widest group is used and the
     report flags ``small_peer_group``. Ties (e.g. all peers 0 pledges) give 0.5.
   - fixed_range: clip((raw − lo)/(hi − lo), 0, 1).
   - term_fraction: raw / statutory term (years), clipped to [0, 1].
   - identity: raw (already a 0–1 score).
   direction "lower" uses 1 − value.
3. w_i = effective leaf weight for the scenario (tree.leaf_weights; sums to 1).
   available_i = n_i not null.
   score = 100 · Σ w_i n_i / Σ_{available} w_i   (renormalised over what is known)
   confidence = Σ_{available} w_i                 (share of weight that was known)
   level-1 score = same formula restricted to that level-1 node's leaves.
   Missing inputs are never zero: they drop out and lower the confidence.
4. grade: A ≥ 70, B ≥ 55, C ≥ 40, else D (configurable, 待核实);
   labels A 高 / B 较高 / C 中 / D 低.
5. 分层分类 recommendation (rules in order, thresholds configurable, 待核实):
   失效 → not_applicable (不适用：已失效);
   审中 or unknown status → observe (持续观察);
   grade D and confidence ≥ min_confidence_to_abandon → abandon (建议放弃维持);
   grade D but confidence lower → observe (data too thin to advise abandoning);
   grade A and remaining life ≥ key_min_remaining_years → key (重点推广);
   grade A/B and remaining life ≥ general_min_remaining_years → general (一般推广);
   otherwise → observe.
6. fee_saving: CN annual fees of the remaining patent years after the current
   one (fees.fee_saving_expr), for 有效 CN patents; horizon ``fee_horizon_years``
   (None = until expiry).
"""

from __future__ import annotations

import datetime as _dt
from dataclasses import asdict, dataclass, field
from typing import Any

import polars as pl

from .fees import fee_saving_expr
from .formulas import FORMULAS, prepare_input
from .tree import IndicatorTree, load_tree

DEFAULT_PEER_LEVELS: tuple[tuple[str, ...], ...] = (
    ("ipc_main_subclass", "filing_year"),
    ("ipc_section", "filing_year"),
    ("filing_year",),
    (),
)

RECOMMENDATIONS: dict[str, str] = {
    "key": "重点推广",
    "general": "一般推广",
    "observe": "持续观察",
    "abandon": "建议放弃维持",
    "not_applicable": "不适用（已失效）",
}

RULES: dict[str, str] = {
    "lapsed": "专利已失效，无维持/推广决策",
    "pending_or_unknown": "申请审中或法律状态未知，持续观察",
    "grade_d": "评级 D 且数据置信度足够，建议放弃维持以节省年费",
    "grade_d_low_confidence": "评级 D 但数据置信度不足，暂不建议放弃，持续观察",
    "grade_a_long_life": "评级 A 且剩余保护期充足，重点推广",
    "grade_ab": "评级 A/B 且剩余保护期不少于下限，一般推广",
    "other": "其余情形（评级 C，或剩余保护期过短），持续观察",
}

GRADE_LABELS = {"A": "高", "B": "较高", "C": "中", "D": "低"}


@dataclass(frozen=True)
class ScoringConfig:
    """Everything tunable besides the tree. All defaults are proposals (待核实)."""

    peer_levels: tuple[tuple[str, ...], ...] = DEFAULT_PEER_LEVELS
    min_peer_size: int = 30
    grade_thresholds: tuple[tuple[str, float], ...] = (("A", 70.0), ("B", 55.0), ("C", 40.0))
    key_min_remaining_years: float = 3.0
    general_min_remaining_years: float = 1.0
    min_confidence_to_abandon: float = 0.6
    fee_horizon_years: int | None = None
    fee_reduction_rate: float = 0.0
    pending_check: bool = True

    def __post_init__(self) -> None:
        if self.min_peer_size < 1:
            raise ValueError("min_peer_size must be >= 1")
        th = [t for _, t in self.grade_thresholds]
        if th != sorted(th, reverse=True):
            raise ValueError("grade_thresholds must be in descending order")
        if not self.peer_levels:
            raise ValueError("peer_levels must not be empty")

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d["peer_levels"] = [list(x) for x in self.peer_levels]
        d["grade_thresholds"] = [list(x) for x in self.grade_thresholds]
        return d


DEFAULT_SCORING_CONFIG = ScoringConfig()


@dataclass
class ScoreResult:
    """Output of :func:`score`.

    ``scores``: one row per patent: id, score, score_<level1 id>…, grade,
    confidence, missing (list of leaf ids with no value), remaining_life_years,
    recommendation, recommendation_zh, recommendation_rule, fee_saving.
    ``detail``: the prepared inputs plus, per leaf ``<leaf>``, columns
    ``raw:<leaf>``, ``norm:<leaf>``, ``pct:<leaf>``, ``peer_level:<leaf>``,
    ``peer_n:<leaf>`` (see report.explain).
    """

    scores: pl.DataFrame
    detail: pl.DataFrame
    tree: IndicatorTree
    scenario: str
    as_of: _dt.date
    config: ScoringConfig
    leaf_weights: dict[str, float] = field(default_factory=dict)


def _col(kind: str, leaf: str) -> str:
    return f"{kind}:{leaf}"


def raw_indicator_exprs(tree: IndicatorTree, as_of: _dt.date) -> list[pl.Expr]:
    out = []
    for leaf in tree.leaves:
        node = tree.nodes[leaf]
        out.append(FORMULAS[node.formula].build(node.params, as_of).alias(_col("raw", leaf)))
    return out


def compute_raw(df: pl.DataFrame | pl.LazyFrame, tree: IndicatorTree | dict | None = None,
                as_of: _dt.date | None = None) -> pl.DataFrame:
    """Raw indicator values only (no peer percentiles). Used as the benchmark baseline."""
    tree = load_tree(tree)
    as_of = as_of or _dt.date.today()
    lf = prepare_input(df)
    return lf.select(pl.col("id"), *raw_indicator_exprs(tree, as_of)).collect()


def _peer_stat_exprs(raw: str, leaf: str, cfg: ScoringConfig) -> list[pl.Expr]:
    """Stage 1: per peer level, the average rank and the non-null count (temporary columns)."""
    x = pl.col(raw)
    out = []
    for i, keys in enumerate(cfg.peer_levels):
        r = x.rank("average")
        n = x.count()
        if keys:
            r, n = r.over(list(keys)), n.over(list(keys))
        out += [r.alias(f"_r{i}:{leaf}"), n.alias(f"_n{i}:{leaf}")]
    return out


def _peer_temp_cols(leaf: str, cfg: ScoringConfig) -> list[str]:
    return [f"_{k}{i}:{leaf}" for i in range(len(cfg.peer_levels)) for k in ("r", "n")]


def _percentile_exprs(raw: str, leaf: str, direction: str, cfg: ScoringConfig) -> list[pl.Expr]:
    """Stage 2: choose the first peer level with enough peers; mid-rank percentile (r − 0.5)/n."""
    x = pl.col(raw)
    last = len(cfg.peer_levels) - 1
    pct = (pl.col(f"_r{last}:{leaf}") - 0.5) / pl.col(f"_n{last}:{leaf}")
    lvl = pl.lit(last, pl.Int8)
    cnt = pl.col(f"_n{last}:{leaf}")
    for i in range(last - 1, -1, -1):
        ok = pl.col(f"_n{i}:{leaf}") >= cfg.min_peer_size
        pct = pl.when(ok).then((pl.col(f"_r{i}:{leaf}") - 0.5) / pl.col(f"_n{i}:{leaf}")).otherwise(pct)
        lvl = pl.when(ok).then(pl.lit(i, pl.Int8)).otherwise(lvl)
        cnt = pl.when(ok).then(pl.col(f"_n{i}:{leaf}")).otherwise(cnt)
    pct = pl.when(x.is_null()).then(None).otherwise(pct).cast(pl.Float64)
    norm = (1.0 - pct) if direction == "lower" else pct
    return [
        pct.alias(_col("pct", leaf)),
        norm.alias(_col("norm", leaf)),
        pl.when(x.is_null()).then(None).otherwise(lvl).alias(_col("peer_level", leaf)),
        pl.when(x.is_null()).then(None).otherwise(cnt).cast(pl.Int32).alias(_col("peer_n", leaf)),
    ]


def _norm_expr(tree: IndicatorTree, leaf: str) -> pl.Expr:
    node = tree.nodes[leaf]
    x = pl.col(_col("raw", leaf))
    if node.normalization == "fixed_range":
        lo, hi = float(node.norm_params["lo"]), float(node.norm_params["hi"])
        v = ((x - lo) / (hi - lo)).clip(0.0, 1.0)
    elif node.normalization == "term_fraction":
        v = (x / pl.col("term_years").cast(pl.Float64)).clip(0.0, 1.0)
    else:  # identity
        v = x.clip(0.0, 1.0)
    if node.direction == "lower":
        v = 1.0 - v
    return v.alias(_col("norm", leaf))


def _grade_expr(score: pl.Expr, cfg: ScoringConfig) -> pl.Expr:
    expr = pl.lit("D")
    for g, t in reversed(cfg.grade_thresholds):
        expr = pl.when(score >= t).then(pl.lit(g)).otherwise(expr)
    return pl.when(score.is_null()).then(None).otherwise(expr)


def score(
    df: pl.DataFrame | pl.LazyFrame,
    tree: IndicatorTree | dict | str | None = None,
    scenario: str = "license_transfer",
    *,
    as_of: _dt.date | None = None,
    config: ScoringConfig | None = None,
) -> ScoreResult:
    """Score every patent of ``df`` (schema: formulas.INPUT_SCHEMA) for one scenario."""
    tree = load_tree(tree)
    tree.check_scenario(scenario)
    cfg = config or DEFAULT_SCORING_CONFIG
    as_of = as_of or _dt.date.today()
    weights = tree.leaf_weights(scenario)
    leaves = tree.leaves

    lf = prepare_input(df)
    known = set(lf.collect_schema().names())
    bad = sorted({k for keys in cfg.peer_levels for k in keys} - known)
    if bad:
        raise ValueError(f"peer_levels use unknown column(s) {bad}; available: {sorted(known)}")
    lf = lf.with_columns(raw_indicator_exprs(tree, as_of))

    pct_leaves = [lf_id for lf_id in leaves if tree.nodes[lf_id].normalization == "peer_percentile"]
    # stage 1 materialises every window rank/count once (re-using them inside one
    # expression list made polars evaluate the windows several times)
    lf = lf.with_columns([e for lf_id in pct_leaves for e in _peer_stat_exprs(_col("raw", lf_id), lf_id, cfg)])
    norm_exprs: list[pl.Expr] = []
    for leaf in leaves:
        node = tree.nodes[leaf]
        if node.normalization == "peer_percentile":
            norm_exprs.extend(_percentile_exprs(_col("raw", leaf), leaf, node.direction, cfg))
        else:
            norm_exprs.append(_norm_expr(tree, leaf))
    lf = lf.with_columns(norm_exprs).drop([c for lf_id in pct_leaves for c in _peer_temp_cols(lf_id, cfg)])

    def weighted(leaf_ids: list[str]) -> tuple[pl.Expr, pl.Expr]:
        num = pl.sum_horizontal(
            [(pl.col(_col("norm", lf_id)) * weights[lf_id]).fill_null(0.0) for lf_id in leaf_ids]
        )
        avail = pl.sum_horizontal(
            [pl.col(_col("norm", lf_id)).is_not_null().cast(pl.Float64) * weights[lf_id] for lf_id in leaf_ids]
        )
        return num, avail

    num, avail = weighted(leaves)
    total = pl.when(avail > 0).then(100.0 * num / avail).otherwise(None)
    level1 = []
    for root in tree.roots:
        r_leaves = [lf_id for lf_id in leaves if tree.root_of(lf_id) == root]
        n1, a1 = weighted(r_leaves)
        level1.append(pl.when(a1 > 0).then(100.0 * n1 / a1).otherwise(None).alias(f"score_{root}"))
    missing = pl.concat_list(
        [pl.when(pl.col(_col("raw", lf_id)).is_null()).then(pl.lit(lf_id)).otherwise(None) for lf_id in leaves]
    ).list.drop_nulls()

    lf = lf.with_columns(
        total.alias("score"),
        *level1,
        avail.alias("confidence"),
        missing.alias("missing"),
        # remaining life for the recommendation (independent of the tree)
        FORMULAS["remaining_life_years"].build({}, as_of).alias("remaining_life_years"),
    ).with_columns(_grade_expr(pl.col("score"), cfg).alias("grade"))

    status = pl.col("legal_status")
    grade = pl.col("grade")
    life = pl.col("remaining_life_years")
    rule = (
        pl.when(status == "失效").then(pl.lit("lapsed"))
        .when(status.is_null() | (status != "有效") | grade.is_null()).then(pl.lit("pending_or_unknown"))
        .when((grade == "D") & (pl.col("confidence") >= cfg.min_confidence_to_abandon)).then(pl.lit("grade_d"))
        .when(grade == "D").then(pl.lit("grade_d_low_confidence"))
        .when((grade == "A") & (life >= cfg.key_min_remaining_years)).then(pl.lit("grade_a_long_life"))
        .when(grade.is_in(["A", "B"]) & (life >= cfg.general_min_remaining_years)).then(pl.lit("grade_ab"))
        .otherwise(pl.lit("other"))
    )
    rule_to_rec = {
        "lapsed": "not_applicable", "pending_or_unknown": "observe", "grade_d": "abandon",
        "grade_d_low_confidence": "observe", "grade_a_long_life": "key", "grade_ab": "general", "other": "observe",
    }
    # patent years elapsed at expiry (for patents with an earlier recorded expiry date)
    last_year = (
        (pl.col("expiry_date").dt.year() - pl.col("filing_date").dt.year()).cast(pl.Int32)
    )
    saving = fee_saving_expr(
        pl.col("patent_type"), pl.col("filing_date"), as_of,
        last_year=pl.coalesce(last_year, pl.col("term_years")),
        horizon_years=cfg.fee_horizon_years, reduction_rate=cfg.fee_reduction_rate,
    )
    is_cn = pl.col("jurisdiction").is_null() | (pl.col("jurisdiction") == "CN")
    lf = lf.with_columns(rule.alias("recommendation_rule")).with_columns(
        pl.col("recommendation_rule").replace_strict(rule_to_rec, return_dtype=pl.String).alias("recommendation"),
        pl.when((status == "有效") & is_cn).then(saving).otherwise(None).alias("fee_saving"),
    ).with_columns(
        pl.col("recommendation").replace_strict(RECOMMENDATIONS, return_dtype=pl.String).alias("recommendation_zh"),
    )

    detail = lf.collect()
    score_cols = (
        ["id", "score"] + [f"score_{r}" for r in tree.roots]
        + ["grade", "confidence", "missing", "remaining_life_years", "recommendation", "recommendation_zh",
           "recommendation_rule", "fee_saving"]
    )
    scores = detail.select(score_cols)
    return ScoreResult(scores=scores, detail=detail, tree=tree, scenario=scenario, as_of=as_of, config=cfg,
                       leaf_weights=weights)
