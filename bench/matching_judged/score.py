"""Score matching runs against the blind judgments (issue 15, point 5).

Per split (dev, heldout, all) and per system: P@5 (grade ≥ 1), strict P@5 (grade 2), nDCG@5 (gains 0/1/2,
log2 discount; the ideal ranking is built from ALL judged pairs of that demand, whichever system or sheet they
came from) and the number of unjudged pairs in the systems' top-5s (counted as grade 0 in the measures; it
should be 0 — otherwise grade the sheet this script writes first). A demand with no patent judged ≥ 1 has
nDCG 0 for every system (counted, so the figures stay comparable across systems).

Inputs: ``pools.jsonl`` (the pooled systems ``ipoc`` and ``bm25``), every ``judgments*.jsonl`` of the folder
(or ``--judgments``), lines ``{"pair": "p…", "grade": 0|1|2}``; a later line for the same pair wins.

``--system NAME=PATH`` adds a run file (``make_pools.py --run NAME`` writes one; any other producer writes one
line per demand: ``{"demand_id": "d123", "ranked": [patent keys, best first], "patents": {key: {"title": …,
"abstract": …}}}``; ``patents`` may be left out for keys already in ``patents.jsonl``). Its top-5 pairs not yet
judged and not already on an existing sheet are written to a NEW blind sheet ``to_grade_NAME.jsonl`` (same
format and shuffle rule as ``to_grade.jsonl``, no system name). Grade that sheet into a ``judgments_NAME.jsonl``
and score again. Never add grades for the heldout split with a system tuned on it in mind.

Usage::

    .venv/bin/python bench/matching_judged/score.py
    .venv/bin/python bench/matching_judged/score.py --system ipoc_encoded=bench/matching_judged/runs/ipoc_encoded.jsonl
    .venv/bin/python bench/matching_judged/score.py --json      # machine-readable
"""

from __future__ import annotations

import argparse
import json
import math
import re
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from make_pools import SHEET_SEED, blind_sheet, check_blind, pair_id  # noqa: E402

K = 5
SPLITS = ("dev", "heldout", "all")


def read_jsonl(path: Path) -> list[dict]:
    with open(path, encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


def read_judgments(paths: list[Path]) -> dict[str, int]:
    grades: dict[str, int] = {}
    for path in paths:
        for n, item in enumerate(read_jsonl(path), start=1):
            g = item.get("grade")
            if g is None or g == "":
                continue  # an ungraded line (a sheet copied as a template)
            if int(g) not in (0, 1, 2) or not re.fullmatch(r"p[0-9a-f]{12}", str(item.get("pair", ""))):
                sys.exit(f"{path}:{n}: expected {{'pair': 'p…', 'grade': 0|1|2}}, got {item}")
            grades[item["pair"]] = int(g)
    return grades


def dcg(gains: list[int]) -> float:
    return sum(g / math.log2(i + 2) for i, g in enumerate(gains))


def score_run(ranked: list[str], demand_id: str, grades: dict[str, int], ideal: list[int]) -> dict:
    top = ranked[:K]
    got = [grades.get(pair_id(demand_id, key)) for key in top]
    gains = [g or 0 for g in got] + [0] * (K - len(top))  # a short list: the missing places are misses
    best = dcg(sorted(ideal, reverse=True)[:K])
    return {"p5": sum(g >= 1 for g in gains) / K, "strict_p5": sum(g == 2 for g in gains) / K,
            "ndcg5": dcg(gains) / best if best > 0 else 0.0, "unjudged": sum(g is None for g in got)}


def fmt(v: float | None) -> str:
    return "—" if v is None else f"{v:.3f}"


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--dir", default=str(HERE), help="folder of pools.jsonl, patents.jsonl, sheets and judgments")
    ap.add_argument("--judgments", action="append", help="judgment files (default: every judgments*.jsonl)")
    ap.add_argument("--system", action="append", default=[], metavar="NAME=PATH",
                    help="score another run file too, and write the blind sheet of its unjudged top-5 pairs")
    ap.add_argument("--json", action="store_true", help="print the figures as JSON")
    args = ap.parse_args()
    folder = Path(args.dir)
    pools = read_jsonl(folder / "pools.jsonl")
    demands = {d["demand_id"]: d for d in pools}
    runs: dict[str, dict[str, list[str]]] = {s: {d["demand_id"]: d["systems"][s] for d in pools}
                                             for s in pools[0]["systems"]}
    texts = {p["key"]: p for p in read_jsonl(folder / "patents.jsonl")}
    new_runs = []
    for spec in args.system:
        name, _, path = spec.partition("=")
        if not re.fullmatch(r"[a-z0-9_]+", name) or not path or name in runs:
            ap.error(f"--system {spec}: NAME=PATH, NAME in [a-z0-9_] and not an existing system")
        lines = read_jsonl(Path(path))
        by_demand = {x["demand_id"]: x for x in lines}
        missing = set(demands) - set(by_demand)
        if missing or set(by_demand) - set(demands):
            ap.error(f"{path}: the run must cover exactly the demands of pools.jsonl "
                     f"(missing {sorted(missing)[:5]}, extra {sorted(set(by_demand) - set(demands))[:5]})")
        runs[name] = {d: list(x["ranked"]) for d, x in by_demand.items()}
        for x in lines:
            for key, p in (x.get("patents") or {}).items():
                texts.setdefault(key, {"key": key, "title": p.get("title", ""), "abstract": p.get("abstract", "")})
        new_runs.append(name)

    judgment_files = ([Path(p) for p in args.judgments] if args.judgments
                      else sorted(folder.glob("judgments*.jsonl")))
    grades = read_judgments(judgment_files)
    ideal: dict[str, list[int]] = {d: [] for d in demands}
    pair_demand: dict[str, str] = {}
    # the demand of every judged pair, whichever run found it: the runs given here, and every sheet of the
    # folder (a sheet names no demand id, but each sampled demand has its own title)
    by_title = {x["title"].strip(): d for d, x in demands.items()}
    for sheet in sorted(folder.glob("to_grade*.jsonl")):
        for item in read_jsonl(sheet):
            if item["demand"]["title"] in by_title:
                pair_demand[item["pair"]] = by_title[item["demand"]["title"]]
    for r in runs.values():
        for d, keys in r.items():
            for k in keys:
                pair_demand[pair_id(d, k)] = d
    for p, g in grades.items():
        if p in pair_demand:
            ideal[pair_demand[p]].append(g)
    stray = set(grades) - set(pair_demand)

    results: dict = {"judgment_files": [str(p) for p in judgment_files], "judged_pairs": len(grades),
                     "unknown_pairs_in_judgments": len(stray), "k": K, "splits": {}}
    for split in SPLITS:
        ids = [d for d in demands if split == "all" or demands[d]["split"] == split]
        per_system = {}
        for name, run in runs.items():
            rows = [score_run(run[d], d, grades, ideal[d]) for d in ids]
            per_system[name] = {"demands": len(ids),
                                **{m: round(sum(r[m] for r in rows) / len(rows), 4) if rows else None
                                   for m in ("p5", "strict_p5", "ndcg5")},
                                "unjudged_in_top5": sum(r["unjudged"] for r in rows)}
        results["splits"][split] = {"demands": len(ids),
                                    "demands_without_relevant_judged": sum(not any(g >= 1 for g in ideal[d])
                                                                           for d in ids),
                                    "systems": per_system}

    sheets = {}
    if new_runs:
        on_sheets = set()
        for sheet in folder.glob("to_grade*.jsonl"):
            on_sheets |= {x["pair"] for x in read_jsonl(sheet)}
        for name in new_runs:
            need = sorted({(d, k) for d, keys in runs[name].items() for k in keys[:K]
                           if pair_id(d, k) not in grades and pair_id(d, k) not in on_sheets})
            pending = sum(1 for d, keys in runs[name].items() for k in keys[:K]
                          if pair_id(d, k) not in grades and pair_id(d, k) in on_sheets)
            no_text = sorted({k for _d, k in need if k not in texts})
            if no_text:
                sys.exit(f"{name}: no title/abstract for {len(no_text)} patents (e.g. {no_text[:3]}); put them in "
                         f"the run file's 'patents' field (make_pools.py --run does)")
            path = folder / f"to_grade_{name}.jsonl"
            if need:
                lines = blind_sheet(need, demands, texts, SHEET_SEED)
                with open(path, "w", encoding="utf-8") as fh:
                    for item in lines:
                        fh.write(json.dumps(item, ensure_ascii=False) + "\n")
                check_blind(path, forbidden=(*runs, *new_runs))
            sheets[name] = {"new_pairs_to_grade": len(need), "sheet": str(path) if need else None,
                            "pending_on_earlier_sheets": pending}
        results["new_sheets"] = sheets

    if args.json:
        print(json.dumps(results, ensure_ascii=False, indent=1))
        return 0
    print(f"judgments: {len(grades)} pairs from {', '.join(p.name for p in judgment_files) or '(none)'}"
          + (f"; {len(stray)} judged pairs belong to no run here" if stray else ""))
    for split in SPLITS:
        s = results["splits"][split]
        print(f"\n{split}: {s['demands']} demands ({s['demands_without_relevant_judged']} with no patent judged ≥ 1)")
        print("| system | P@5 | strict P@5 | nDCG@5 | unjudged in top-5 |\n|---|---|---|---|---|")
        for name, m in s["systems"].items():
            print(f"| {name} | {fmt(m['p5'])} | {fmt(m['strict_p5'])} | {fmt(m['ndcg5'])} | {m['unjudged_in_top5']} |")
    for name, info in sheets.items():
        print(f"\n{name}: {info['new_pairs_to_grade']} top-5 pairs need grading"
              + (f" → {info['sheet']}" if info["sheet"] else "")
              + (f"; {info['pending_on_earlier_sheets']} more are on an earlier sheet, not yet graded"
                 if info["pending_on_earlier_sheets"] else ""))
    if any(m["unjudged_in_top5"] for s in results["splits"].values() for m in s["systems"].values()):
        print("\nunjudged pairs count as 0 above: grade them before reporting these figures")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
