"""The cost of a list's total at millions of patents on PostgreSQL (issue 21): the patent list, through the API
and the list page, with the exact ``COUNT(*)`` it used to run (the baseline) and with ``list_count`` (exact up to
``IPOC_EXACT_COUNT_LIMIT`` rows, the planner's labelled estimate past it), measured alternately in one run.

The corpus is DERIVED twice over: ``--base`` records from ``bench/derive_corpus.py`` go through the product's
import, then the patent rows are copied by SQL (new ids, keys and publication numbers suffixed ``~k``) until the
table holds ``--n`` rows, and the table is vacuumed and analysed, as a settled database is. Copies have no
applicant rows (the page prefetches the applicants of its 20 rows only). The database is dropped at the end.

Usage::

    nice -n 10 python bench/list_count_pg.py --n 3000000 --out bench/results/list_count_pg_3m.json
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]

CASES = [  # (name, query string): unfiltered, a filter keeping most rows, two near the limit, a narrow one
    ("unfiltered", {}),
    ("patent_type=invention", {"patent_type": "invention"}),
    ("region=32 (江苏)", {"region": "32"}),
    ("application_date in 2023", {"application_date_from": "2023-01-01", "application_date_to": "2023-12-31"}),
    ("applicant=大学 (base rows only)", {"applicant": "大学"}),
]

def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=3_000_000, help="patent rows in the table at the end")
    ap.add_argument("--base", type=int, default=30_000, help="derived records imported through the product")
    ap.add_argument("--repeat", type=int, default=7)
    ap.add_argument("--server", default="postgresql://postgres@127.0.0.1:5432/postgres")
    ap.add_argument("--db", default=f"ipoc_listcount_{uuid.uuid4().hex[:6]}")
    ap.add_argument("--keep", action="store_true", help="keep the database")
    ap.add_argument("--out", type=Path)
    args = ap.parse_args()

    import psycopg

    with psycopg.connect(args.server, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{args.db}"')
    home = Path(tempfile.mkdtemp(prefix="ipoc-listcount-"))
    os.environ.update({"IPOC_HOME": str(home), "DATABASE_URL": args.server.rsplit("/", 1)[0] + "/" + args.db,
                       "OMP_NUM_THREADS": "1", "DJANGO_SETTINGS_MODULE": "ipoc.settings"})
    sys.path.insert(0, str(REPO / "src"))
    try:
        result = run(args, home)
    finally:
        if not args.keep:
            from django.db import connections

            connections.close_all()
            with psycopg.connect(args.server, autocommit=True) as conn:
                conn.execute(f'DROP DATABASE IF EXISTS "{args.db}" WITH (FORCE)')
    text = json.dumps(result, ensure_ascii=False, indent=2)
    print(text)
    if args.out:
        args.out.write_text(text + "\n")


def run(args, home: Path) -> dict:
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client

    from ipoc.core import pagination, services, tables
    from ipoc.core.models import Role
    from ipoc.patents import services as patent_services
    from ipoc.patents.models import Patent

    started = time.perf_counter()
    call_command("migrate", verbosity=0)
    corpus = home / "derived.jsonl"
    subprocess.run([sys.executable, str(REPO / "bench" / "derive_corpus.py"), "--n", str(args.base), "--out",
                    str(corpus), "--workers", "2"], check=True, capture_output=True)
    patent_services.patent_import(actor=None, path=corpus, format="jsonl")
    base_rows = Patent.objects.count()
    print(f"imported {base_rows} derived patents in {time.perf_counter() - started:.0f} s", flush=True)

    columns = [f.column for f in Patent._meta.concrete_fields if f.column != "id"]
    changed = {"key": "key || '~' || %(k)s", "publication_number": "publication_number || '~' || %(k)s"}
    select = ", ".join(changed.get(c, c) for c in columns)
    t = time.perf_counter()
    copy = 0
    with connection.cursor() as cursor:
        cursor.execute("SELECT max(id) FROM patents_patent")
        last_base = cursor.fetchone()[0]
        while Patent.objects.count() + base_rows <= args.n:  # whole copies of the base, up to --n
            copy += 1
            cursor.execute(f"INSERT INTO patents_patent ({', '.join(columns)}) SELECT {select} FROM patents_patent "
                           f"WHERE id <= %(last)s", {"k": str(copy), "last": last_base})
            if copy % 10 == 0:
                print(f"  copy {copy}: {Patent.objects.count()} rows, {time.perf_counter() - t:.0f} s", flush=True)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE patents_patent")
    total_rows = Patent.objects.count()
    copy_seconds = time.perf_counter() - t
    print(f"{total_rows} rows after {copy} SQL copies, analysed, {copy_seconds:.0f} s", flush=True)

    user = services.user_create(actor=None, username="bench", password="bench-pass-2026", role=Role.PLATFORM_ADMIN,
                                is_superuser=True)
    _token, plain = services.api_token_create(actor=None, user=user, name="bench")
    api = Client(HTTP_AUTHORIZATION=f"Bearer {plain}")
    web = Client()
    web.force_login(user)

    real_list_count = pagination.list_count

    def exact(queryset):  # the baseline: what ninja and django-tables2 did, COUNT(*) over the whole list
        from django.db.models import QuerySet

        return pagination.ListCount(queryset.count() if isinstance(queryset, QuerySet) else len(queryset))

    def use(counter) -> None:
        pagination.list_count = counter
        tables.list_count = counter

    def timed(client, path, params) -> tuple[float, object]:
        t0 = time.perf_counter()
        response = client.get(path, params)
        elapsed = time.perf_counter() - t0
        assert response.status_code == 200, (path, params, response.status_code)
        return elapsed, response

    phases = {}
    # First as a table is after a bulk import (analysed, its visibility map not yet set: COUNT(*) reads the heap),
    # then as autovacuum leaves it (VACUUM: an index-only count). The 3M instance of session 12 counted in 1.0–1.2 s.
    for phase in ("analysed", "vacuumed"):
        if phase == "vacuumed":
            with connection.cursor() as cursor:
                cursor.execute("VACUUM (ANALYZE) patents_patent")
        print(f"phase {phase}", flush=True)
        phases[phase] = measure(args, api, web, use, exact, real_list_count, timed)
    return {"benchmark": "list totals on PostgreSQL: exact COUNT(*) (baseline) vs list_count", "issue": 21,
            "corpus": f"DERIVED: {base_rows} records from bench/derive_corpus.py imported through the product, "
                      f"copied by SQL {copy} times", "rows": total_rows, "copy_seconds": round(copy_seconds),
            "exact_count_limit": __import__("django.conf").conf.settings.IPOC_EXACT_COUNT_LIMIT,
            "repeat": args.repeat, "postgres": connection.pg_version, "phases": phases,
            "command": "nice -n 10 python bench/list_count_pg.py " + " ".join(sys.argv[1:])}


def measure(args, api, web, use, exact, real_list_count, timed) -> list[dict]:
    cases = []
    for name, params in CASES:
        truth = None
        row = {"case": name}
        for surface, client, path, extra in (("api", api, "/api/v1/patents", {"limit": 20}),
                                             ("page", web, "/patents/", {})):
            times = {"baseline_exact": [], "list_count": []}
            for _ in range(args.repeat):
                for label, counter in (("baseline_exact", exact), ("list_count", real_list_count)):
                    use(counter)
                    elapsed, response = timed(client, path, params | extra)
                    times[label].append(elapsed)
                    if surface == "api":
                        body = response.json()
                        row.setdefault(f"{label}_count", body["count"])
                        row.setdefault(f"{label}_count_exact", body["count_exact"])
            use(real_list_count)
            for label, values in times.items():
                row[f"{surface}_{label}_median_s"] = round(statistics.median(values), 4)
                row[f"{surface}_{label}_max_s"] = round(max(values), 4)
        truth = row["baseline_exact_count"]
        row["true_count"] = truth
        row["estimate_error_pct"] = (None if row["list_count_count_exact"]
                                     else round(100 * (row["list_count_count"] - truth) / truth, 2))
        print(json.dumps(row, ensure_ascii=False), flush=True)
        cases.append(row)
    return cases

if __name__ == "__main__":
    main()
