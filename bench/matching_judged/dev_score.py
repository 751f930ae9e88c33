"""Dev-split figures of run files without writing a grading sheet (for quick looks while tuning).

The ideal of nDCG is built exactly as ``score.py`` builds it (every judged pair of the demand); ``score.py
--system`` remains the command that writes the blind sheet of a run's ungraded top-5 pairs.

    .venv/bin/python bench/matching_judged/dev_score.py runs/ir_dev_base.jsonl [more runs …] [--split dev]
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from make_pools import pair_id  # noqa: E402
from score import read_jsonl, read_judgments, score_run  # noqa: E402


def figures(run_paths: list[Path], split: str = "dev", folder: Path = HERE) -> dict[str, dict]:
    pools = read_jsonl(folder / "pools.jsonl")
    demands = {d["demand_id"]: d for d in pools}
    grades = read_judgments(sorted(folder.glob("judgments*.jsonl")))
    runs = {"ipoc": {d: x["systems"]["ipoc"] for d, x in demands.items()},
            "bm25": {d: x["systems"]["bm25"] for d, x in demands.items()}}
    for path in run_paths:
        runs[path.stem] = {x["demand_id"]: x["ranked"] for x in read_jsonl(path)}
    pair_demand: dict[str, str] = {}
    by_title = {x["title"].strip(): d for d, x in demands.items()}
    for sheet in sorted(folder.glob("to_grade*.jsonl")):
        for item in read_jsonl(sheet):
            if item["demand"]["title"] in by_title:
                pair_demand[item["pair"]] = by_title[item["demand"]["title"]]
    for r in runs.values():
        for d, keys in r.items():
            for k in keys:
                pair_demand[pair_id(d, k)] = d
    ideal: dict[str, list[int]] = {d: [] for d in demands}
    for p, g in grades.items():
        if p in pair_demand:
            ideal[pair_demand[p]].append(g)
    ids = [d for d in demands if split == "all" or demands[d]["split"] == split]
    out = {}
    for name, run in runs.items():
        rows = [score_run(run.get(d, []), d, grades, ideal[d]) for d in ids]
        out[name] = {m: round(sum(r[m] for r in rows) / len(rows), 4) for m in ("p5", "strict_p5", "ndcg5")}
        out[name]["unjudged_in_top5"] = sum(r["unjudged"] for r in rows)
        # condensed list (Sakai 2007): the ungraded patents removed from the ranking — a diagnostic while
        # grades are missing, never a figure to report
        cond = [score_run([k for k in run.get(d, []) if pair_id(d, k) in grades], d, grades, ideal[d]) for d in ids]
        out[name]["condensed_ndcg5"] = round(sum(r["ndcg5"] for r in cond) / len(cond), 4)
    return out


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("runs", nargs="*")
    ap.add_argument("--split", default="dev", choices=("dev", "heldout", "all"))
    args = ap.parse_args()
    res = figures([Path(p) if Path(p).exists() else HERE / p for p in args.runs], args.split)
    print(f"{args.split}: | system | P@5 | strict P@5 | nDCG@5 | unjudged in top-5 | (condensed nDCG@5) |")
    for name, m in res.items():
        print(f"| {name} | {m['p5']:.3f} | {m['strict_p5']:.3f} | {m['ndcg5']:.3f} | {m['unjudged_in_top5']} "
              f"| ({m['condensed_ndcg5']:.3f}) |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
