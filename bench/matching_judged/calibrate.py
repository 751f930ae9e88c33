"""Calibrate the confidence bands of matching (issue 15, point 4) on the DEV split's grades only.

For every dev demand of ``pools.jsonl`` the product's candidates (``ipoc.matching.services.score_candidates``:
up to 60 patents, best first, each with its need coverage — the share of the demand's need-term weight its
text holds) are joined with the blind grades; the pairs nobody graded are left out. Printed: the share of
related patents (grade ≥ 1) and of push-worthy ones (grade 2) per coverage bin, and the thresholds the rule
below picks on a 0.05 grid:

- ``STRONG_AT`` (较强): the smallest threshold at which at least :data:`STRONG_RATE` of the graded pairs at or
  above it are related (and at least :data:`MIN_PAIRS` pairs are);
- ``POSSIBLE_AT`` (可能): the smallest threshold below ``STRONG_AT`` at which at least :data:`POSSIBLE_RATE`
  of the graded pairs between it and ``STRONG_AT`` are related.

Writes ``calibration.json`` (bins, thresholds, counts, the heldout split untouched). The constants in
``src/ipoc/matching/ranking.py`` are set from it by hand.

    IPOC_HOME=/tmp/ipoc-ir .venv/bin/python bench/matching_judged/calibrate.py
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import make_pools  # noqa: E402
from score import read_jsonl, read_judgments  # noqa: E402

STRONG_RATE, POSSIBLE_RATE, MIN_PAIRS = 0.6, 0.25, 10
GRID = [round(0.05 * k, 2) for k in range(1, 20)]
BINS = [0.0, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 1.01]


def rate(pairs: list[tuple[float, int]], lo: float, hi: float = 9.0) -> tuple[int, float, float]:
    sel = [g for c, g in pairs if lo <= c < hi]
    if not sel:
        return 0, 0.0, 0.0
    return len(sel), sum(g >= 1 for g in sel) / len(sel), sum(g == 2 for g in sel) / len(sel)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--ipoc-home", default=os.environ.get("IPOC_HOME"))
    args = ap.parse_args()
    if not args.ipoc_home:
        ap.error("set IPOC_HOME or --ipoc-home to the demo instance")
    make_pools.django_setup(args.ipoc_home)
    from ipoc.matching import services
    from ipoc.patents.models import Patent

    pools = [p for p in read_jsonl(HERE / "pools.jsonl") if p["split"] == "dev"]
    grades = read_judgments(sorted(HERE.glob("judgments*.jsonl")))
    records = make_pools.demand_records(pools)
    pairs: list[tuple[float, int]] = []
    for p in pools:
        demand = records[p["demand_id"]]
        u = services.demand_understanding(demand)
        scored = services.score_candidates(actor=None, demand=demand, u=u)
        keys = dict(Patent.objects.filter(pk__in=[h.patent_id for _v, h, _f, _e in scored]).values_list("pk", "key"))
        for _v, hit, feats, _e in scored:
            g = grades.get(make_pools.pair_id(p["demand_id"], keys[hit.patent_id]))
            if g is not None:
                pairs.append((feats["coverage"], g))
    strong = next((t for t in GRID if rate(pairs, t)[0] >= MIN_PAIRS and rate(pairs, t)[1] >= STRONG_RATE), None)
    possible = next((t for t in GRID if strong is not None and t < strong and rate(pairs, t, strong)[1] >= POSSIBLE_RATE),
                    strong)
    bins = []
    for lo, hi in zip(BINS[:-1], BINS[1:], strict=True):
        n, r1, r2 = rate(pairs, lo, hi)
        bins.append({"from": lo, "to": min(hi, 1.0), "pairs": n, "related": round(r1, 3), "push_worthy": round(r2, 3)})
    bands = {"strong": rate(pairs, strong or 9.0), "possible": rate(pairs, possible or 9.0, strong or 9.0),
             "weak": rate(pairs, 0.0, possible or 9.0)}
    out = {"split": "dev", "demands": len(pools), "graded_pairs": len(pairs), "rule": {
        "strong_rate": STRONG_RATE, "possible_rate": POSSIBLE_RATE, "min_pairs": MIN_PAIRS},
        "STRONG_AT": strong, "POSSIBLE_AT": possible, "bins": bins,
        "bands": {k: {"pairs": n, "related": round(r1, 3), "push_worthy": round(r2, 3)} for k, (n, r1, r2) in bands.items()}}
    (HERE / "calibration.json").write_text(json.dumps(out, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    print(f"dev: {len(pools)} demands, {len(pairs)} graded candidate pairs")
    print("| need coverage | pairs | related (grade ≥ 1) | push-worthy (grade 2) |\n|---|---|---|---|")
    for b in bins:
        print(f"| {b['from']:.2f}–{b['to']:.2f} | {b['pairs']} | {b['related']:.2f} | {b['push_worthy']:.2f} |")
    print(f"STRONG_AT = {strong}, POSSIBLE_AT = {possible}")
    for k, v in out["bands"].items():
        print(f"  {k}: {v['pairs']} pairs, related {v['related']:.2f}, push-worthy {v['push_worthy']:.2f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
