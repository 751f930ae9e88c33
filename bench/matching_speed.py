"""Matching speed on real demands (issue 15, point 7): every open demand of an instance matched one after
the other through the product's own ``matching.services.demand_match`` (what the page, the API and
``ipoc match --all`` run), timed per demand; baseline in the same run: a plain lexical search (the search
engine's BM25 over title and abstract) of each demand's title.

    IPOC_HOME=/tmp/ipoc-full nice -n 5 .venv/bin/python bench/matching_speed.py [--limit N] [--json FILE]

The instance is the demo's (``ipoc demo``: 12.6k real CN patents, 607 real demands of ``demands.csv``),
every patent encoded, so each match also encodes its query and searches the vectors.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def pct(values: list[float], q: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(round(q * (len(values) - 1))))]


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--limit", type=int, default=0, help="only the first N open demands")
    ap.add_argument("--json", type=Path)
    args = ap.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ipoc.settings")
    os.environ.setdefault("OMP_NUM_THREADS", "1")
    os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
    sys.path.insert(0, str(REPO / "src"))
    import django

    django.setup()
    from ipoc.demands import selectors as demand_selectors
    from ipoc.matching.services import demand_match
    from ipoc.patents.models import Patent
    from ipoc.search import services as search_services

    eng = search_services.engine()
    demands = list(demand_selectors.open_demands(center_id=None).order_by("id"))
    if args.limit:
        demands = demands[:args.limit]
    patents = Patent.objects.count()
    demand_match(actor=None, demand=demands[0])  # load the encoder and the index once
    eng.lexical.search(demands[0].title, limit=10)
    vectors = len(eng.vectors) if getattr(eng, "vectors", None) is not None else None
    times, base, matches = [], [], 0
    cpu0 = time.process_time()
    t_all = time.perf_counter()
    for d in demands:
        t = time.perf_counter()
        matches += len(demand_match(actor=None, demand=d))
        times.append(time.perf_counter() - t)
    wall = time.perf_counter() - t_all
    cpu = time.process_time() - cpu0
    for d in demands:
        t = time.perf_counter()
        eng.lexical.search(d.title, limit=10)
        base.append(time.perf_counter() - t)
    out = {"patents": patents, "vectors": vectors, "encoder": search_services.encoder_spec(),
           "demands": len(demands), "matches": matches, "all_demands_wall_s": round(wall, 1),
           "all_demands_cpu_s": round(cpu, 1),
           "per_demand_s": {"median": round(statistics.median(times), 3), "p95": round(pct(times, 0.95), 3),
                            "max": round(max(times), 3)},
           "baseline_bm25_title_s": {"median": round(statistics.median(base), 4), "p95": round(pct(base, 0.95), 4),
                                     "all": round(sum(base), 2)},
           "loadavg": os.getloadavg()}
    print(json.dumps(out, ensure_ascii=False, indent=2))
    if args.json:
        args.json.write_text(json.dumps(out, ensure_ascii=False, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
