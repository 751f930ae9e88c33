"""Where a landscape set's evaluation spends its time (issue 21): each statement of
``analytics.services._evaluate`` timed on its own, for a search-defined set over the whole store (invention
patents), on the instance of the environment (``IPOC_HOME``, ``DATABASE_URL``; a throw-away database).

    export IPOC_HOME=/tmp/ls/home DATABASE_URL=postgresql://postgres@127.0.0.1:5432/ipoc_s10
    ipoc migrate && ipoc import /tmp/ls/derived_200k.jsonl     # bench/derive_corpus.py --n 200000 (DERIVED)
    python bench/analytics_evaluate_pg.py --repeat 2 --json bench/results/runs/analytics_evaluate_pg_….json
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--set-name", default="bench: whole-store invention patents")
    ap.add_argument("--repeat", type=int, default=2)
    ap.add_argument("--json")
    args = ap.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ipoc.settings")
    import django

    django.setup()
    from django.db import connection

    from ipoc.analytics import engine, selectors, services
    from ipoc.analytics.models import PatentSet

    ps = PatentSet.objects.filter(name=args.set_name).first() or PatentSet.objects.create(
        name=args.set_name, kind="search", definition={"q": "", "filters": {"patent_type": "invention"}})
    out: dict = {"vendor": connection.vendor, "load_before": os.getloadavg(), "runs": []}
    for _ in range(args.repeat):
        sql, params, _note = selectors.member_source(ps)
        src = selectors.source()
        run: dict = {}
        with connection.cursor() as cur:
            t = time.perf_counter()
            for name in (*engine.FACT_TABLES, "member"):
                cur.execute(f"DELETE FROM {src.tables[name]} WHERE patent_set_id = %s", [ps.pk])
            run["delete_s"] = round(time.perf_counter() - t, 2)
            t = time.perf_counter()
            cur.execute(engine.fill_sql(src, sql), [ps.pk, *params])
            run["members"], run["members_s"] = cur.rowcount, round(time.perf_counter() - t, 2)
            for name, stmt in zip(engine.FACT_TABLES, engine.fill_facts_sql(src), strict=True):
                t = time.perf_counter()
                cur.execute(stmt, [ps.pk])
                run[name], run[f"{name}_s"] = cur.rowcount, round(time.perf_counter() - t, 2)
        t = time.perf_counter()
        services._evaluate(ps)
        run["evaluate_whole_s"] = round(time.perf_counter() - t, 2)
        print(json.dumps(run), flush=True)
        out["runs"].append(run)
    out["load_after"] = os.getloadavg()
    if args.json:
        Path(args.json).write_text(json.dumps(out, indent=1) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
