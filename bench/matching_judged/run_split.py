"""Re-run the product's matching on ONE split of the judged set (issue 15): ``dev`` while tuning, ``heldout``
once at the end.

``make_pools.py --run NAME`` re-runs every demand of ``pools.jsonl``; this runs only the demands of the split
asked for and writes ``runs/NAME.jsonl`` in the same format, the other split's demands with an empty ranking
(``"not_run": true``) so ``score.py --system NAME=…`` accepts the file — the other split then scores 0 for
this run, which means "not run", not a figure. Scoring such a run writes a blind sheet of the split's
ungraded top-5 pairs only (an empty ranking has no pairs).

Usage::

    IPOC_HOME=/tmp/ipoc-ir .venv/bin/python bench/matching_judged/run_split.py --split dev --run ir_dev_base
    .venv/bin/python bench/matching_judged/score.py --system ir_dev_base=bench/matching_judged/runs/ir_dev_base.jsonl
"""

from __future__ import annotations

import argparse
import json
import os
import re
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import make_pools  # noqa: E402


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--ipoc-home", default=os.environ.get("IPOC_HOME"))
    ap.add_argument("--split", choices=("dev", "heldout"), required=True)
    ap.add_argument("--run", metavar="NAME", required=True)
    args = ap.parse_args()
    if not args.ipoc_home:
        ap.error("set IPOC_HOME or --ipoc-home to the demo instance")
    if not re.fullmatch(r"[a-z0-9_]+", args.run) or args.run in make_pools.SYSTEMS:
        ap.error("--run NAME: lowercase letters, digits and _; not ipoc or bm25")

    def log(msg: str) -> None:
        print(msg, file=sys.stderr, flush=True)

    t0 = time.perf_counter()
    make_pools.django_setup(args.ipoc_home)
    pools = [json.loads(x) for x in open(HERE / "pools.jsonl", encoding="utf-8")]
    picked = [p for p in pools if p["split"] == args.split]
    status = make_pools.engine_status()
    log(f"instance {args.ipoc_home}: {status['encoded']} of {status['indexed']} patents encoded; "
        f"{len(picked)} {args.split} demands")
    runs, extra, timing = make_pools.run_ipoc(picked, log)
    texts = make_pools.patent_texts({k for v in runs.values() for k in v})
    (HERE / "runs").mkdir(exist_ok=True)
    lines = []
    for p in pools:
        d = p["demand_id"]
        if d in runs:
            lines.append({"demand_id": d, "ranked": runs[d], "query": extra[d]["query"],
                          "patents": {k: texts[k] for k in runs[d]}})
        else:
            lines.append({"demand_id": d, "ranked": [], "not_run": True})
    make_pools.write_jsonl(HERE / "runs" / f"{args.run}.jsonl", lines)
    meta = {"system": args.run, "split": args.split, "ipoc_home": args.ipoc_home, "engine": status,
            "timing": timing, "git": make_pools.git_state(), "seconds": round(time.perf_counter() - t0, 1)}
    (HERE / "runs" / f"{args.run}.meta.json").write_text(json.dumps(meta, ensure_ascii=False, indent=1) + "\n",
                                                         encoding="utf-8")
    log(f"wrote runs/{args.run}.jsonl ({args.split} only) in {meta['seconds']}s; p50 {timing['seconds_p50']}s "
        f"p95 {timing['seconds_p95']}s per demand")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
