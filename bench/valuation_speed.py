"""Benchmark: score N patents (default 1,000,000) with the valuation engine.

The frame is DERIVED, not real: no real corpus of 1M patents with these
fields exists here (see ../shared/data/README.md). It is built by resampling
and perturbing features taken from the real sample records:

- claims_count, independent_claims_count, claim1_chars, claim1_features:
  resampled from the 696 full claim sets of cn/patents_kp.jsonl (claim_stats),
  with ±10% jitter on claim1_chars;
- ipc_main_subclass and ipc_subclass_count: resampled from the gold IPC
  subclasses of cn/titles_ipc.csv, folds 1–4 only (fold 5 is held out);
  patent type from the publication kind code there (A/B → 发明, U → 实用新型);
- legal status, applicant type, backward citations, transfer/licence/pledge
  counts, examination days: the 10 rows of cn/incopat_style_sample.csv
  (features_from_incopat_row) as seeds, perturbed with heavy-tailed noise
  (geometric / Poisson) because 10 rows cannot give a distribution;
- filing dates: uniform 2005-01-01 … 2025-12-31 (documented assumption);
- forward citations, family size/countries: synthetic heavy-tailed counts
  (the sample has none); every optional field gets 5% nulls so the
  missing-input path is exercised.

Timed in the same run:
  baseline = compute_raw(): prepare + raw indicator arithmetic, no peer percentiles;
  full     = score(): raw + peer percentiles (4-level fallback) + weights, grade,
             recommendation, fee saving, missing lists (scores and detail frames);
  explain  = report.explain_row() for 1,000 patents.

Usage:
  .venv/bin/python bench/valuation_speed.py [--rows 1000000] [--repeat 3] [--seed 7]
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import json
import os
import platform
import resource
import statistics
import sys
import time
from pathlib import Path

import numpy as np
import polars as pl

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

from ipoc.conf import sample_data_dir  # noqa: E402
from ipoc.valuation.engine import (  # noqa: E402
    INPUT_SCHEMA,
    claim_stats,
    compute_raw,
    default_tree,
    features_from_incopat_row,
    score,
)
from ipoc.valuation.engine.report import explain_row  # noqa: E402


def rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def load_seeds(data: Path) -> dict:
    claims = []
    with open(data / "cn" / "patents_kp.jsonl", encoding="utf-8") as fh:
        for line in fh:
            st = claim_stats(json.loads(line).get("claims") or "")
            if st["claims_count"]:
                claims.append(st)
    ipc = []
    with open(data / "cn" / "titles_ipc.csv", encoding="utf-8") as fh:
        for r in csv.DictReader(fh):
            if r["fold"] == "5":
                continue  # held out
            subs = [s for s in r["ipc_subclasses"].split("|") if s]
            if subs:
                kind = r["publication_number"][-1:]
                ipc.append((subs[0], len(subs), "实用新型" if kind == "U" else "发明"))
    with open(data / "cn" / "incopat_style_sample.csv", encoding="utf-8-sig") as fh:
        inc = [features_from_incopat_row(r) for r in csv.DictReader(fh)]
    return {"claims": claims, "ipc": ipc, "incopat": inc}


def build_frame(n: int, seeds: dict, seed: int) -> pl.DataFrame:
    rng = np.random.default_rng(seed)
    cl = seeds["claims"]
    ci = rng.integers(0, len(cl), n)
    claims_count = np.array([c["claims_count"] for c in cl], dtype=np.int32)[ci]
    indep = np.array([c["independent_claims_count"] for c in cl], dtype=np.int32)[ci]
    c1 = np.array([c["claim1_chars"] for c in cl], dtype=np.float64)[ci]
    c1 = np.maximum(20, c1 * rng.uniform(0.9, 1.1, n)).astype(np.int32)
    c1f = np.array([c["claim1_features"] or 1 for c in cl], dtype=np.int32)[ci]

    ipc = seeds["ipc"]
    ii = rng.integers(0, len(ipc), n)
    main = np.array([x[0] for x in ipc], dtype=object)[ii]
    subcount = np.array([x[1] for x in ipc], dtype=np.int32)[ii]
    ptype = np.array([x[2] for x in ipc], dtype=object)[ii]

    inc = seeds["incopat"]
    si = rng.integers(0, len(inc), n)
    status_seed = np.array([r["legal_status"] or "有效" for r in inc], dtype=object)[si]
    # perturb: 20% of patents lapse, 10% pending, rest as seeded
    u = rng.random(n)
    status = np.where(u < 0.20, "失效", np.where(u < 0.30, "审中", status_seed))
    appl_types = np.array(["企业", "高校", "科研机构", "个人", "机关团体"], dtype=object)
    applicant = appl_types[rng.choice(5, n, p=[0.62, 0.18, 0.08, 0.10, 0.02])]
    start = dt.date(2005, 1, 1).toordinal()
    end = dt.date(2025, 12, 31).toordinal()
    filing_ord = rng.integers(start, end + 1, n)
    epoch = dt.date(1970, 1, 1).toordinal()
    filing = (filing_ord - epoch).astype("datetime64[D]")
    exam_days = np.where(ptype == "发明", rng.normal(700, 250, n).clip(90, 2500), np.nan)
    grant = np.where(status == "审中", np.datetime64("NaT"),
                     filing + (np.where(ptype == "发明", exam_days + 400, rng.normal(200, 60, n).clip(60, 800))
                               ).astype("timedelta64[D]"))
    fwd = rng.negative_binomial(0.6, 0.15, n).astype(np.int32)
    bwd = (np.array([r["backward_citations"] or 0 for r in inc])[si] + rng.poisson(4, n)).astype(np.int32)
    fam = (1 + rng.geometric(0.6, n) - 1).astype(np.int32)
    famc = np.minimum(fam, 1 + rng.binomial(fam - 1, 0.7)).astype(np.int32)
    transfers = (rng.random(n) < 0.08) * rng.geometric(0.6, n)
    licences = (rng.random(n) < 0.03) * rng.geometric(0.7, n)
    pledges = (rng.random(n) < 0.02) * rng.geometric(0.8, n)

    df = pl.DataFrame({
        "id": pl.Series([f"D{i:08d}" for i in range(n)]),
        "patent_type": pl.Series(ptype, dtype=pl.String),
        "jurisdiction": pl.Series(["CN"] * n),
        "filing_date": pl.Series(filing).cast(pl.Date),
        "grant_date": pl.Series(grant).cast(pl.Date),
        "legal_status": pl.Series(status, dtype=pl.String),
        "claims_count": claims_count, "independent_claims_count": indep,
        "claim1_chars": c1, "claim1_features": c1f,
        "forward_citations": fwd, "backward_citations": bwd,
        "family_size": fam, "family_countries": famc,
        "ipc_subclass_count": subcount, "ipc_main_subclass": pl.Series(main, dtype=pl.String),
        "transfers": transfers.astype(np.int32), "licences": licences.astype(np.int32),
        "pledges": pledges.astype(np.int32),
        "examination_days": pl.Series(exam_days).cast(pl.Int32, strict=False),
        "applicant_type": pl.Series(applicant, dtype=pl.String),
    })
    # 5% nulls in every optional field (examination_days already null for non-inventions)
    optional = [c for c, (_, req, _) in INPUT_SCHEMA.items() if not req and c in df.columns and c != "jurisdiction"]
    masks = {c: pl.Series(rng.random(n) < 0.05) for c in optional}
    df = df.with_columns([pl.when(masks[c]).then(None).otherwise(pl.col(c)).alias(c) for c in optional])
    return df.with_columns(pl.col("examination_days").fill_nan(None) if df["examination_days"].dtype.is_float()
                           else pl.col("examination_days"))


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--rows", type=int, default=1_000_000)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--scenario", default="license_transfer")
    args = ap.parse_args()
    data = sample_data_dir()
    as_of = dt.date(2026, 1, 1)
    tree = default_tree()

    t0 = time.perf_counter()
    seeds = load_seeds(data)
    df = build_frame(args.rows, seeds, args.seed)
    t_build = time.perf_counter() - t0
    rss_built = rss_mb()
    print(f"derived frame: {df.height:,} rows x {df.width} cols built in {t_build:.1f}s "
          f"(seeds: {len(seeds['claims'])} claim sets, {len(seeds['ipc'])} IPC rows, "
          f"{len(seeds['incopat'])} incoPat rows); RSS {rss_built:.0f} MB", flush=True)

    base_times, full_times = [], []
    res = None
    for _ in range(args.repeat):
        t = time.perf_counter()
        raw = compute_raw(df, tree, as_of)
        base_times.append(time.perf_counter() - t)
        del raw
        t = time.perf_counter()
        res = score(df, tree, args.scenario, as_of=as_of)
        full_times.append(time.perf_counter() - t)
        print(f"  baseline {base_times[-1]:.2f}s  full {full_times[-1]:.2f}s", flush=True)
    rss_scored = rss_mb()

    sample = res.detail.head(1000).iter_rows(named=True)
    t = time.perf_counter()
    n_expl = sum(1 for row in sample if explain_row(res, row))
    t_expl = time.perf_counter() - t

    s = res.scores
    groups = {}
    peer_cols = [c for c in res.detail.columns if c.startswith("peer_level:")]
    lvl_counts = (res.detail.select(pl.concat_list(peer_cols).alias("l")).explode("l")
                  .drop_nulls().group_by("l").len().sort("l"))
    for lvl, cnt in lvl_counts.iter_rows():
        groups["+".join(res.config.peer_levels[lvl]) or "all"] = cnt
    out = {
        "rows": df.height,
        "python": platform.python_version(), "polars": pl.__version__, "cpus": os.cpu_count(),
        "build_s": round(t_build, 2),
        "baseline_s_median": round(statistics.median(base_times), 3),
        "full_s_median": round(statistics.median(full_times), 3),
        "full_s_all": [round(x, 3) for x in full_times],
        "ratio_full_over_baseline": round(statistics.median(full_times) / statistics.median(base_times), 2),
        "rows_per_s": round(df.height / statistics.median(full_times)),
        "explain_1000_s": round(t_expl, 3), "explained": n_expl,
        "peak_rss_mb_after_build": round(rss_built), "peak_rss_mb": round(rss_scored),
        "mean_score": round(s["score"].mean(), 2), "mean_confidence": round(s["confidence"].mean(), 4),
        "grades": dict(s["grade"].value_counts().sort("grade").iter_rows()),
        "recommendations": dict(s["recommendation"].value_counts().sort("recommendation").iter_rows()),
        "peer_level_use": groups,
    }
    print(json.dumps(out, ensure_ascii=False, indent=1))


if __name__ == "__main__":
    main()
