"""Django-free patent valuation engine (专利评估), wrapped by the ``valuation`` app.

Public API::

    from ipoc.valuation.engine import score, explain, default_tree, DEFAULT_TREE, INPUT_SCHEMA

See tree.py (indicator tree as data), formulas.py (input schema, formulas),
scoring.py (vectorised scoring), fees.py (CN annual fees), report.py
(per-patent explanation).
"""

from .fees import ANNUAL_FEES_CN, annual_fee, fee_saving, fee_table
from .formulas import (
    FORMULAS,
    INPUT_SCHEMA,
    InputSchemaError,
    claim_stats,
    features_from_incopat_row,
    frame_from_rows,
    prepare_input,
    schema_doc,
)
from .report import explain, explain_all, to_json
from .scoring import DEFAULT_SCORING_CONFIG, RECOMMENDATIONS, ScoreResult, ScoringConfig, compute_raw, score
from .tree import DEFAULT_TREE, SCENARIOS, IndicatorTree, TreeValidationError, default_tree, load_tree

__all__ = [
    "ANNUAL_FEES_CN", "DEFAULT_SCORING_CONFIG", "DEFAULT_TREE", "FORMULAS", "INPUT_SCHEMA", "RECOMMENDATIONS",
    "SCENARIOS", "IndicatorTree", "InputSchemaError", "ScoreResult", "ScoringConfig", "TreeValidationError",
    "annual_fee", "claim_stats", "compute_raw", "default_tree", "explain", "explain_all", "features_from_incopat_row",
    "fee_saving", "fee_table", "frame_from_rows", "load_tree", "prepare_input", "schema_doc", "score", "to_json",
]
