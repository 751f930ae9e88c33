"""Grading of stock patents (市场评价 / 分层分类), behind one function: ``grade_patents``.

Every patent graded gets a score, a grade (A–D), a confidence, the 分层分类 recommendation
(重点推广 / 一般推广 / 持续观察 / 建议放弃维持, or 不适用 for lapsed patents) with its rule,
and the annual-fee saving of letting it lapse.

Two ways, chosen at call time:

1. The ``valuation`` app installed (the normal case): a valuation run through its services
   (``ipoc.valuation.services.valuation_run`` over exactly these patents, with the
   administrator's active indicator tree, scenario 许可转让). The run and its per-patent
   reports stay visible in the valuation pages; the results are read back with
   ``ipoc.valuation.selectors.run_valuations``. Valuation runs are for office and center staff,
   so when an institution user grades (their right in this app, checked by
   ``services.stock_grade``) the run is started as the system; the stock audit names the user.
2. Without the app: ``engine_grades`` calls ``ipoc.valuation.engine.score`` directly on a frame
   that ``input_row`` builds from ``ipoc.patents.selectors.patent_detail_dict`` (engine
   ``INPUT_SCHEMA``; patent codes mapped to the engine's Chinese values; a lapse date, when known,
   is the end of protection).

Peers: percentiles are computed among the patents graded together — an institution's whole
inventory at once — by IPC 小类 and filing year where there are enough of them.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from django.apps import apps

from ipoc.core.models import Role, User
from ipoc.patents import selectors as patent_selectors

SCENARIO = "license_transfer"
PATENT_TYPE_CN = {"invention": "发明", "utility_model": "实用新型", "design": "外观设计"}
LEGAL_STATUS_CN = {"valid": "有效", "pending": "审中", "lapsed": "失效"}
APPLICANT_TYPE_CN = {"enterprise": "企业", "university": "高校", "research": "科研机构", "individual": "个人",
                     "public_body": "机关团体"}


@dataclass(frozen=True)
class Grade:
    score: float | None
    grade: str
    confidence: float | None
    recommendation: str  # engine code: key / general / observe / abandon / not_applicable
    rule: str
    fee_saving: Decimal | None
    run_id: int | None = None  # the valuation app's run, when graded through it


def rule_text(code: str) -> str:
    """The engine's recommendation rule code → its Chinese explanation."""
    from ipoc.valuation.engine.scoring import RULES

    return RULES.get(code, code or "")


def _money(value) -> Decimal | None:
    return None if value is None or value != value else Decimal(str(round(float(value), 2)))


def _round(value, digits: int) -> float | None:
    return None if value is None or value != value else round(float(value), digits)


def gradable(patent) -> bool:
    """The engine needs a patent type and a filing date."""
    return patent.patent_type in PATENT_TYPE_CN and patent.application_date is not None


def grade_patents(patents: Iterable, *, actor: User | None = None, as_of: dt.date | None = None,
                  use_valuation_app: bool | None = None) -> dict[int, Grade]:
    """Grade ``patents`` together; patent id → ``Grade`` (patents the engine cannot grade are left out)."""
    usable = [p for p in patents if gradable(p)]
    if not usable:
        return {}
    if use_valuation_app is None:
        use_valuation_app = apps.is_installed("ipoc.valuation")
    if use_valuation_app:
        return valuation_app_grades(usable, actor=actor, as_of=as_of)
    return engine_grades(usable, as_of=as_of)


def valuation_app_grades(patents: list, *, actor: User | None, as_of: dt.date | None) -> dict[int, Grade]:
    from ipoc.valuation import selectors as valuation_selectors
    from ipoc.valuation import services as valuation_services

    runner = actor if actor is not None and (actor.is_platform_admin or actor.role in (
        Role.OFFICE_STAFF, Role.CENTER_STAFF)) else None
    run = valuation_services.valuation_run(actor=runner, scenario=SCENARIO, patents=[p.pk for p in patents],
                                           as_of=as_of)
    return {v.patent_id: Grade(score=_round(v.score, 2), grade=v.grade, confidence=_round(v.confidence, 3),
                               recommendation=v.recommendation or "observe", rule=rule_text(v.recommendation_rule),
                               fee_saving=_money(v.fee_saving), run_id=run.pk)
            for v in valuation_selectors.run_valuations(user=None, run=run)}


# ---------------------------------------------------------------- without the valuation app


def _date(value: object) -> dt.date | None:
    if isinstance(value, dt.datetime):
        return value.date()
    return value if isinstance(value, dt.date) else None


def input_row(patent) -> dict:
    """One engine input row from a patent record (read through the patents selectors)."""
    d = patent_selectors.patent_detail_dict(patent)
    subclasses = {c.replace(" ", "")[:4] for c in d.get("ipc") or [] if c}
    applicants = d.get("applicants") or []
    claims = d.get("claims_count") or None
    return {
        "id": str(d["id"]),
        "patent_type": PATENT_TYPE_CN.get(d.get("patent_type") or ""),
        "jurisdiction": d.get("jurisdiction") or None,
        "filing_date": _date(d.get("application_date")),
        "grant_date": _date(d.get("grant_date")),
        "legal_status": LEGAL_STATUS_CN.get(d.get("legal_status") or ""),
        "expiry_date": _date(d.get("lapse_date")) or _date(d.get("expiry_date")),
        "claims_count": claims,
        "independent_claims_count": d.get("independent_claims_count") if claims else None,
        "forward_citations": len(d.get("forward_citations") or []) or None,
        "backward_citations": len(d.get("backward_citations") or []) or None,
        "family_size": len(d.get("family_members") or []) or None,
        "ipc_subclass_count": len(subclasses) or None,
        "ipc_main_subclass": (d.get("ipc_main") or "").replace(" ", "")[:4] or None,
        "transfers": d["transfers"]["count"],
        "licences": d["licences"]["count"],
        "pledges": d["pledges"]["count"],
        "examination_days": d.get("examination_days") or None,
        "applicant_type": APPLICANT_TYPE_CN.get(applicants[0]["type"]) if applicants else None,
    }


def input_frame(patents: Iterable):
    """The engine's input frame (``engine.INPUT_SCHEMA``) for ``patents``."""
    import polars as pl

    from ipoc.valuation.engine import INPUT_SCHEMA

    schema = {column: dtype for column, (dtype, _required, _meaning) in INPUT_SCHEMA.items()}
    return pl.DataFrame([input_row(p) for p in patents], schema=schema, orient="row")


def engine_grades(patents: list, *, as_of: dt.date | None = None) -> dict[int, Grade]:
    from ipoc.valuation.engine import score

    result = score(input_frame(patents), scenario=SCENARIO, as_of=as_of)
    return {int(row["id"]): Grade(score=_round(row.get("score"), 2), grade=row.get("grade") or "",
                                  confidence=_round(row.get("confidence"), 3),
                                  recommendation=row.get("recommendation") or "observe",
                                  rule=rule_text(row.get("recommendation_rule") or ""), fee_saving=_money(row.get("fee_saving")))
            for row in result.scores.iter_rows(named=True)}
