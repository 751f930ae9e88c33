"""Writes for 专利评估: the indicator tree (versioned, admin-only) and valuation runs (a core Job).

``features_frame`` turns patent rows into the engine's ``INPUT_SCHEMA`` frame.
Unknown inputs stay null — never zero — so the engine drops them, lowers the
confidence and lists them as missing. The patent store keeps counts as
non-null integers, so a stored 0 is read as follows:

- claims: no claims stored (``claims_count`` 0) → claim counts unknown; likewise when no patent of the
  source has more than one claim (an export carrying only 主权项, claim 1): the counts are unknown,
  while claim 1's length and features are still used;
- family: ``family_members`` empty → family size and countries unknown (a family contains the patent itself);
- examination_days 0 → unknown (incoPat exports put 0 as a placeholder);
- forward / backward citations and operations (转让/许可/质押): a 0 is a real zero only when the
  patent's data source (``Patent.source``) has at least one non-zero value of that kind in the whole
  patent table — otherwise the source evidently does not carry the field, and the value is unknown;
- IPC subclasses: none stored → unknown; applicant type: the first applicant's type, else unknown.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import time
from collections import Counter
from collections.abc import Iterable

import polars as pl
from django.apps import apps
from django.db import IntegrityError, transaction
from django.db.models import Count, F, Max, Model, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from ipoc.core.bulk import fast_insert
from ipoc.core.errors import ApplicationError
from ipoc.core.jobs import JobContext, job_create, job_run
from ipoc.core.models import AuditAction, Job, Role, User
from ipoc.core.permissions import require_role
from ipoc.core.services import audit_record
from ipoc.valuation import engine
from ipoc.valuation.models import IndicatorTreeVersion, PatentValuation, ValuationRun

JOB_KIND = "valuation.run"
_ND = 6  # decimals kept, as in engine.report
DEFAULT_SCENARIO = "license_transfer"
WRITE_CHUNK = 2000

# Patent codes (patents app) → the engine's Chinese domain values.
PATENT_TYPE_CN = {"invention": "发明", "utility_model": "实用新型", "design": "外观设计"}
LEGAL_STATUS_CN = {"valid": "有效", "pending": "审中", "lapsed": "失效"}
APPLICANT_TYPE_CN = {"enterprise": "企业", "university": "高校", "research": "科研机构", "individual": "个人",
                     "public_body": "机关团体"}


def _patent_model() -> type[Model]:
    # Through the app registry: other apps' models are not imported directly (see architecture rule 4).
    return apps.get_model("patents", "Patent")


# ---------------------------------------------------------------- features


_FRAME_COLUMNS = (
    "pk", "source", "jurisdiction", "patent_type", "application_date", "grant_date", "legal_status",
    "expiry_date", "lapse_date", "claims_count", "independent_claims_count", "claim1_chars", "claim1_features",
    "forward_citations_count", "backward_citations_count", "family_members", "ipc_main", "transfer_count",
    "licence_count", "pledge_count", "examination_days",
)


def _source_coverage(patent_model: type[Model]) -> dict[str, dict[str, bool]]:
    """Per data source, whether it carries full claims, forward/backward citations and operations at all."""
    rows = (patent_model._default_manager.order_by().values("source")
            .annotate(max_claims=Max("claims_count"), fwd=Max("forward_citations_count"),
                      bwd=Max("backward_citations_count"),
                      ops=Max(F("transfer_count") + F("licence_count") + F("pledge_count"))))
    return {r["source"]: {"claims": (r["max_claims"] or 0) > 1, "fwd": bool(r["fwd"]), "bwd": bool(r["bwd"]),
                          "ops": bool(r["ops"])} for r in rows}


def _countries(members: list | None) -> int | None:
    codes = {str(m)[:2].upper() for m in members or [] if m and str(m)[:2].isalpha()}
    return len(codes) or None


def features_frame(patents: QuerySet) -> pl.DataFrame:
    """The engine's input frame (``engine.INPUT_SCHEMA``) for a Patent queryset; ``id`` is the patent's pk."""
    model = patents.model
    classification = model._meta.get_field("classifications").related_model
    party = model._meta.get_field("parties").related_model
    coverage = _source_coverage(model)
    base = patents.order_by()
    subclasses = dict(classification._default_manager.filter(patent__in=base.values("pk"), scheme="ipc")
                      .order_by().values("patent_id").annotate(n=Count("subclass", distinct=True))
                      .values_list("patent_id", "n"))
    applicant: dict[int, str] = {}
    for pid, ptype in (party._default_manager.filter(patent__in=base.values("pk"), role="applicant")
                       .order_by("patent_id", "position", "pk").values_list("patent_id", "party_type")):
        applicant.setdefault(pid, ptype)

    rows = []
    for values in base.values_list(*_FRAME_COLUMNS).iterator(chunk_size=5000):
        r = dict(zip(_FRAME_COLUMNS, values, strict=True))
        cov = coverage.get(r["source"], {})
        has_claims = r["claims_count"] > 0 and cov.get("claims", False)
        ops_known = cov.get("ops", False)
        members = r["family_members"] or []
        ipc_main = (r["ipc_main"] or "")[:4].upper()
        rows.append({
            "id": str(r["pk"]),
            "patent_type": PATENT_TYPE_CN.get(r["patent_type"]),
            "jurisdiction": r["jurisdiction"] or None,
            "filing_date": r["application_date"],
            "grant_date": r["grant_date"],
            "legal_status": LEGAL_STATUS_CN.get(r["legal_status"]),
            "expiry_date": r["lapse_date"] or r["expiry_date"],
            "claims_count": r["claims_count"] if has_claims else None,
            "independent_claims_count": r["independent_claims_count"] if has_claims else None,
            "claim1_chars": r["claim1_chars"] or None,
            "claim1_features": r["claim1_features"] or None,
            "forward_citations": r["forward_citations_count"] if cov.get("fwd") else None,
            "backward_citations": r["backward_citations_count"] if cov.get("bwd") else None,
            "family_size": len(members) or None,
            "family_countries": _countries(members),
            "ipc_subclass_count": subclasses.get(r["pk"]) or None,
            "ipc_main_subclass": ipc_main if len(ipc_main) == 4 else None,
            "transfers": r["transfer_count"] if ops_known else None,
            "licences": r["licence_count"] if ops_known else None,
            "pledges": r["pledge_count"] if ops_known else None,
            "examination_days": r["examination_days"] or None,
            "applicant_type": APPLICANT_TYPE_CN.get(applicant.get(r["pk"]) or ""),
        })
    return engine.frame_from_rows(rows)


# ---------------------------------------------------------------- the indicator tree


def tree_active() -> IndicatorTreeVersion:
    """The active tree version; the engine's default tree is stored as the first version when none exists."""
    version = IndicatorTreeVersion.objects.filter(is_active=True).first()
    if version is not None:
        return version
    tree = engine.default_tree()
    try:
        with transaction.atomic():
            version = IndicatorTreeVersion.objects.create(tree=tree.to_dict(), digest=tree.digest(),
                                                          label=tree.version, note=_("默认指标体系"))
            audit_record(actor=None, action=AuditAction.CREATE, obj=version,
                         message=_("载入默认评估指标体系 %(v)s") % {"v": tree.version})
    except IntegrityError:  # created concurrently
        version = IndicatorTreeVersion.objects.get(is_active=True)
    return version


_NODE_IN_ERROR = re.compile(r"node '([^']+)'")


def tree_validate(tree_json: str | dict) -> engine.IndicatorTree:
    """Parse and validate a tree; every problem becomes one ApplicationError naming the node(s)."""
    data = tree_json
    if isinstance(tree_json, str):
        try:
            data = json.loads(tree_json)
        except json.JSONDecodeError as exc:
            raise ApplicationError(_("JSON 格式错误（第 %(line)d 行第 %(col)d 列）：%(msg)s")
                                   % {"line": exc.lineno, "col": exc.colno, "msg": exc.msg}, field="tree") from exc
    if not isinstance(data, dict):
        raise ApplicationError(_("指标体系必须是一个 JSON 对象"), field="tree")
    try:
        json.dumps(data, allow_nan=False)  # NaN / Infinity parse as JSON but cannot be stored (a 500 before)
    except ValueError as exc:
        raise ApplicationError(_("指标体系中的数字应为有限值（不能是 NaN 或 Infinity）"), field="tree",
                               code="invalid_tree") from exc
    try:
        return engine.IndicatorTree.from_dict(data)
    except engine.TreeValidationError as exc:
        nodes = list(dict.fromkeys(m for e in exc.errors for m in _NODE_IN_ERROR.findall(e)))
        raise ApplicationError(_("指标体系无效：%(errors)s") % {"errors": "；".join(exc.errors)}, field="tree",
                               code="invalid_tree", extra={"errors": exc.errors, "nodes": nodes}) from exc


@transaction.atomic
def tree_update(*, actor: User | None, tree_json: str | dict, note: str = "") -> IndicatorTreeVersion:
    """Store a new active version of the indicator tree (platform administrators only).
    An unchanged tree (same digest) keeps the current version."""
    if actor is not None:
        require_role(actor)
    tree = tree_validate(tree_json)
    current = tree_active()
    if current.digest == tree.digest():
        return current
    IndicatorTreeVersion.objects.filter(pk=current.pk).update(is_active=False)
    version = IndicatorTreeVersion.objects.create(
        tree=tree.to_dict(), digest=tree.digest(), label=tree.version, note=note[:300], is_active=True,
        created_by=actor if actor is not None and actor.pk else None)
    audit_record(actor=actor, action=AuditAction.UPDATE, obj=version, message=note,
                 changes={"digest": [current.digest, version.digest], "label": [current.label, version.label],
                          "leaves": [len(engine.load_tree(current.tree).leaves), len(tree.leaves)]})
    return version


# ---------------------------------------------------------------- valuation runs


def _patent_ids(patents: QuerySet | Iterable | None) -> list[int] | None:
    if patents is None:
        return None
    if isinstance(patents, QuerySet):
        return sorted(patents.values_list("pk", flat=True))
    return sorted({p.pk if isinstance(p, Model) else int(p) for p in patents})


@transaction.atomic
def valuation_run_start(*, actor: User | None, scenario: str = DEFAULT_SCENARIO,
                        patents: QuerySet | Iterable | None = None, as_of: dt.date | None = None,
                        ) -> tuple[ValuationRun, Job]:
    """Create a run over ``patents`` (None: every patent) and its job, not yet run.
    Office staff, center staff and platform administrators may start runs."""
    if actor is not None:
        require_role(actor, Role.OFFICE_STAFF, Role.CENTER_STAFF)
    version = tree_active()
    scenarios = version.tree.get("scenarios", {})
    if scenario not in scenarios:
        raise ApplicationError(_("未知的评估场景：%(s)s（可选：%(all)s）") % {"s": scenario, "all": "、".join(scenarios)},
                               field="scenario")
    ids = _patent_ids(patents)
    if ids is not None:
        known = set(_patent_model()._default_manager.filter(pk__in=ids).values_list("pk", flat=True))
        unknown = [i for i in ids if i not in known]
        if unknown:
            raise ApplicationError(_("专利不存在：%(ids)s") % {"ids": ", ".join(map(str, unknown[:20]))},
                                   field="patents", code="not_found", status=404)
    count = len(ids) if ids is not None else _patent_model()._default_manager.count()
    if count == 0:
        raise ApplicationError(_("没有可评估的专利"), field="patents")
    run = ValuationRun.objects.create(scenario=scenario, tree_version=version, as_of=as_of or timezone.localdate(),
                                      patent_ids=ids, patent_count=count,
                                      created_by=actor if actor is not None and actor.pk else None)
    job = job_create(actor=actor, kind=JOB_KIND, params={"run_id": run.pk}, total=count,
                     title=_("专利评估：%(s)s，%(n)d 件") % {"s": scenarios[scenario], "n": count})
    run.job = job
    run.save(update_fields=["job"])
    audit_record(actor=actor, action=AuditAction.CREATE, obj=run,
                 changes={"scenario": [None, scenario], "tree_version": [None, version.pk],
                          "as_of": [None, run.as_of], "patents": [None, count]})
    return run, job


def valuation_run(*, actor: User | None, scenario: str = DEFAULT_SCENARIO,
                  patents: QuerySet | Iterable | None = None, as_of: dt.date | None = None,
                  progress_bar: bool = False) -> ValuationRun:
    """Score in the foreground (CLI, tests) and return the finished run."""
    run, job = valuation_run_start(actor=actor, scenario=scenario, patents=patents, as_of=as_of)
    job_run(job, progress_bar=progress_bar, via="cli" if progress_bar else "job")
    run.refresh_from_db()
    return run


# Stored per indicator in PatentValuation.explanation["ind"][leaf] (see selectors.indicator_values).
STORED_FIELDS = ("raw", "percentile", "normalized", "peer_level", "peer_size", "contribution")


def compact_explanations(result: engine.ScoreResult):
    """Per patent (in ``result.detail`` order) what the report needs beyond the tree and the run's config:
    the peer-group key values and, per indicator, ``STORED_FIELDS`` — the same numbers as ``engine.explain``
    (tested), computed column-wise instead of building the full explanation per patent."""
    tree, cfg, weights = result.tree, result.config, result.leaf_weights
    leaves = tree.leaves
    peer_keys = sorted({k for keys in cfg.peer_levels for k in keys})
    present = set(result.detail.columns)

    def col(kind: str, leaf: str, dtype) -> pl.Expr:
        name = f"{kind}:{leaf}"
        return (pl.col(name) if name in present else pl.lit(None, dtype)).cast(dtype)

    confidence = pl.col("confidence")
    exprs: list[pl.Expr] = [pl.col(k) for k in peer_keys]
    for leaf in leaves:
        norm = col("norm", leaf, pl.Float64)
        exprs += [col("raw", leaf, pl.Float64).round(_ND), col("pct", leaf, pl.Float64).round(_ND), norm.round(_ND),
                  col("peer_level", leaf, pl.Int64), col("peer_n", leaf, pl.Int64),
                  pl.when(confidence > 0).then(100.0 * weights[leaf] * norm / confidence).round(_ND)]
    frame = result.detail.select([e.alias(f"c{i}") for i, e in enumerate(exprs)])
    n_keys, width = len(peer_keys), len(STORED_FIELDS)
    for row in frame.iter_rows():
        keys = {k: (v.isoformat() if hasattr(v, "isoformat") else v) for k, v in zip(peer_keys, row, strict=False)}
        yield {"keys": keys, "ind": {leaf: list(row[n_keys + i * width:n_keys + (i + 1) * width])
                                     for i, leaf in enumerate(leaves)}}


# PatentValuation columns written by the job (``core.bulk.fast_insert``: one executemany per chunk)
VALUATION_COLUMNS = ("run", "patent", "score", "level_scores", "grade", "confidence", "missing", "recommendation",
                     "recommendation_rule", "remaining_life_years", "fee_saving", "explanation")


def _num(x) -> float | None:
    return None if x is None or x != x else float(x)


def valuation_run_job(ctx: JobContext) -> dict:
    """The job: build the frame, score, store one PatentValuation per patent (rerunnable: a rerun replaces)."""
    started = time.monotonic()
    run = ValuationRun.objects.select_related("tree_version").get(pk=ctx.params["run_id"])
    tree = engine.load_tree(run.tree_version.tree)
    patents = _patent_model()._default_manager.all()
    if run.patent_ids is not None:
        patents = patents.filter(pk__in=run.patent_ids)
    ctx.log(_("读取专利特征"))
    frame = features_frame(patents)
    ctx.set_total(frame.height)
    ctx.log(_("评分：%(n)d 件，场景 %(s)s，指标体系 %(v)s") % {"n": frame.height, "s": run.scenario,
                                                              "v": run.tree_version.digest})
    result = engine.score(frame, tree, run.scenario, as_of=run.as_of)
    PatentValuation.objects.filter(run=run).delete()
    ctx.set_done(0)
    grades: Counter = Counter()
    recs: Counter = Counter()
    confidence_sum = 0.0
    explanations = compact_explanations(result)
    roots = tree.roots
    for chunk in result.scores.iter_slices(WRITE_CHUNK):
        rows = []
        for row in chunk.iter_rows(named=True):
            grades[row["grade"] or "-"] += 1
            recs[row["recommendation"]] += 1
            confidence_sum += row["confidence"]
            rows.append((run.pk, int(row["id"]), _num(row["score"]), {r: _num(row[f"score_{r}"]) for r in roots},
                         row["grade"] or "", float(row["confidence"]), list(row["missing"]),
                         row["recommendation"] or "", row["recommendation_rule"] or "",
                         _num(row["remaining_life_years"]), _num(row["fee_saving"]), next(explanations)))
        with transaction.atomic():
            fast_insert(PatentValuation, VALUATION_COLUMNS, rows)
        ctx.advance(len(rows))
    seconds = round(time.monotonic() - started, 3)
    scored = frame.height
    summary = {
        "run_id": run.pk, "scenario": run.scenario, "tree_version": run.tree_version_id,
        "tree_digest": run.tree_version.digest, "as_of": run.as_of.isoformat(), "patents": run.patent_count,
        "scored": scored, "grades": dict(sorted(grades.items())), "recommendations": dict(sorted(recs.items())),
        "mean_confidence": round(confidence_sum / scored, 4) if scored else None, "seconds": seconds,
    }
    with transaction.atomic():
        ValuationRun.objects.filter(pk=run.pk).update(
            config=result.config.to_dict(), scored_count=scored, grade_distribution=summary["grades"],
            recommendation_distribution=summary["recommendations"], mean_confidence=summary["mean_confidence"],
            seconds=seconds, finished=True)
        run.refresh_from_db()
        audit_record(actor=run.created_by, action=AuditAction.UPDATE, obj=run,
                     changes={"scored": [None, scored], "grades": [None, summary["grades"]]},
                     message=_("评估完成，用时 %(s).1f 秒") % {"s": seconds})
    ctx.log(_("完成：%(n)d 件，用时 %(s).1f 秒") % {"n": scored, "s": seconds})
    return summary
