"""专利导航 landscape speed on PostgreSQL (issue 20): the derived corpus of ``analytics_landscape.py`` copied into
a throw-away PostgreSQL database, then every analysis of a 100k and a 1M set run with the app's own SQL
(``ipoc.analytics.engine``, vendor ``postgresql``) on one and on two connections, against a plain GROUP BY in
the same run.

    nice -n 10 .venv/bin/python bench/analytics_landscape.py --sizes 1000 --repeat 1   # builds the SQLite corpus once
    nice -n 10 .venv/bin/python bench/analytics_landscape_pg.py --sizes 100000,1000000

The corpus is DERIVED (see ``analytics_landscape.py``). The database ``--db`` (default ipoc_bench_landscape)
is dropped and created unless ``--reuse``; it is never the test or an instance database.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sqlite3
import sys
import time
from pathlib import Path

import psycopg

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "src"))
sys.path.insert(0, str(REPO / "bench"))

from analytics_landscape import EFFECT, NODES, TECH  # noqa: E402

from ipoc.analytics import engine  # noqa: E402

SCHEMA = """
CREATE TABLE patents_patent (id BIGINT PRIMARY KEY, key TEXT NOT NULL, publication_number TEXT, title TEXT,
  abstract TEXT, patent_type TEXT, application_date DATE, grant_date DATE, expiry_date DATE, region_code TEXT,
  region_name TEXT, jurisdiction TEXT, legal_status TEXT, inventors JSONB, priority_claims JSONB,
  backward_citations JSONB, backward_citations_count INTEGER, forward_citations_count INTEGER,
  transfer_count INTEGER, last_transfer_date DATE, licence_count INTEGER, last_licence_date DATE,
  pledge_count INTEGER, last_pledge_date DATE);
CREATE TABLE patents_patentparty (id BIGINT PRIMARY KEY, patent_id BIGINT NOT NULL, role TEXT, position INTEGER,
  name TEXT, party_type TEXT, organization_id BIGINT);
CREATE TABLE patents_patentclassification (id BIGINT PRIMARY KEY, patent_id BIGINT NOT NULL, scheme TEXT,
  code TEXT, subclass TEXT, is_main BOOLEAN);
CREATE TABLE deals_deal (id BIGINT PRIMARY KEY, deal_type TEXT);
CREATE TABLE deals_deal_patents (id BIGSERIAL PRIMARY KEY, deal_id BIGINT, patent_id BIGINT);
CREATE TABLE analytics_patentsetmember (id BIGSERIAL PRIMARY KEY, patent_set_id BIGINT NOT NULL,
  patent_id BIGINT NOT NULL, app_year TEXT NOT NULL, grant_year TEXT NOT NULL, legal_status TEXT NOT NULL,
  expiry_date DATE, region_code TEXT NOT NULL, region_name TEXT NOT NULL, jurisdiction TEXT NOT NULL,
  transfer_count INTEGER NOT NULL, transfer_year TEXT NOT NULL, licence_count INTEGER NOT NULL,
  licence_year TEXT NOT NULL, pledge_count INTEGER NOT NULL, pledge_year TEXT NOT NULL,
  forward_citations INTEGER NOT NULL, backward_citations INTEGER NOT NULL, inventors JSONB NOT NULL,
  priority_claims JSONB NOT NULL);
CREATE TABLE analytics_setapplicant (id BIGSERIAL PRIMARY KEY, patent_set_id BIGINT NOT NULL,
  patent_id BIGINT NOT NULL, name TEXT NOT NULL, party_type TEXT NOT NULL, app_year TEXT NOT NULL);
CREATE TABLE analytics_setclass (id BIGSERIAL PRIMARY KEY, patent_set_id BIGINT NOT NULL,
  patent_id BIGINT NOT NULL, code TEXT NOT NULL, subclass TEXT NOT NULL, app_year TEXT NOT NULL);
CREATE TABLE analytics_setinventor (id BIGSERIAL PRIMARY KEY, patent_set_id BIGINT NOT NULL,
  patent_id BIGINT NOT NULL, name TEXT NOT NULL);
"""

INDEXES = """
CREATE UNIQUE INDEX patent_key ON patents_patent(key);
CREATE INDEX patent_pub ON patents_patent(publication_number);
CREATE INDEX party_patent ON patents_patentparty(patent_id);
CREATE INDEX cls_patent ON patents_patentclassification(patent_id);
CREATE INDEX cls_scheme_code ON patents_patentclassification(scheme, code);
CREATE INDEX dp_patent ON deals_deal_patents(patent_id);
CREATE UNIQUE INDEX member_unique ON analytics_patentsetmember(patent_set_id, patent_id);
CREATE INDEX member_patent ON analytics_patentsetmember(patent_id);
CREATE INDEX setapplicant_set ON analytics_setapplicant(patent_set_id);
CREATE INDEX setclass_set ON analytics_setclass(patent_set_id);
CREATE INDEX setinventor_set ON analytics_setinventor(patent_set_id);
"""

COPIES = {  # table → columns, in the SQLite file's order
    "patents_patent": None, "patents_patentparty": None, "patents_patentclassification": None,
    "deals_deal": None, "deals_deal_patents": None,
}
JSON_COLUMNS = {"inventors", "priority_claims", "backward_citations"}


def build(sqlite_path: Path, dsn: str) -> None:
    src = sqlite3.connect(sqlite_path)
    with psycopg.connect(dsn) as con:
        con.execute(SCHEMA)
        for table in COPIES:
            cols = [r[1] for r in src.execute(f"PRAGMA table_info({table})")]
            t0 = time.perf_counter()
            with con.cursor().copy(f"COPY {table} ({', '.join(cols)}) FROM STDIN") as copy:
                for row in src.execute(f"SELECT {', '.join(cols)} FROM {table}"):
                    if table == "patents_patentclassification":
                        row = (*row[:-1], bool(row[-1]))
                    copy.write_row(row)
            print(f"  copied {table} ({time.perf_counter() - t0:.0f} s)", flush=True)
        con.execute(INDEXES)
        con.execute("ANALYZE")


def pg_source(con: psycopg.Connection, dsn: str, *, fork: bool) -> engine.Source:
    def forked():
        other = psycopg.connect(dsn, autocommit=True)
        return engine.Source(cursor=other.cursor, vendor="postgresql"), other.close

    return engine.Source(cursor=con.cursor, vendor="postgresql", fork=forked if fork else None)


def ensure_set(con: psycopg.Connection, dsn: str, set_id: int, size: int) -> float:
    src = pg_source(con, dsn, fork=False)
    t0 = time.perf_counter()
    for name in (*engine.FACT_TABLES, "member"):
        con.execute(f"DELETE FROM {src.tables[name]} WHERE patent_set_id = %s", (set_id,))
    con.execute(engine.fill_sql(src, "SELECT id FROM patents_patent WHERE id <= %s"), (set_id, size))
    for sql in engine.fill_facts_sql(src):
        con.execute(sql, (set_id,))
    con.execute("ANALYZE analytics_patentsetmember; ANALYZE analytics_setapplicant; ANALYZE analytics_setclass; "
                "ANALYZE analytics_setinventor")
    return time.perf_counter() - t0


def run(con, dsn: str, set_id: int, *, workers: int, matrix: bool) -> tuple[float, dict]:
    src = pg_source(con, dsn, fork=workers > 1)
    t0 = time.perf_counter()
    out = engine.landscape(src, set_id, today=dt.date(2026, 12, 6), workers=workers,
                           technologies=TECH if matrix else (), effects=EFFECT if matrix else (),
                           nodes=NODES if matrix else ())
    return time.perf_counter() - t0, out


def baseline(con, set_id: int) -> float:
    t0 = time.perf_counter()
    con.execute("SELECT substr(CAST(p.application_date AS TEXT), 1, 4), COUNT(*) FROM analytics_patentsetmember m "
                "JOIN patents_patent p ON p.id = m.patent_id WHERE m.patent_set_id = %s GROUP BY 1",
                (set_id,)).fetchall()
    return time.perf_counter() - t0


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--sizes", default="100000,1000000")
    ap.add_argument("--sqlite", default="/tmp/ipoc-analytics-bench.sqlite3", help="the derived corpus to copy")
    ap.add_argument("--server", default="postgresql://127.0.0.1:5432")
    ap.add_argument("--db", default="ipoc_bench_landscape")
    ap.add_argument("--reuse", action="store_true", help="keep an existing bench database")
    ap.add_argument("--repeat", type=int, default=2)
    ap.add_argument("--workers", default="1,2")
    ap.add_argument("--matrix-max", type=int, default=100_000)
    args = ap.parse_args()
    if args.db in ("test", "postgres", "root") or not args.db.startswith("ipoc_bench"):
        ap.error("--db must be a bench database (ipoc_bench…)")
    dsn = f"{args.server}/{args.db}"
    with psycopg.connect(f"{args.server}/postgres", autocommit=True) as admin:
        exists = admin.execute("SELECT 1 FROM pg_database WHERE datname = %s", (args.db,)).fetchone()
        if exists and not args.reuse:
            admin.execute(f"DROP DATABASE {args.db}")
        if not exists or not args.reuse:
            admin.execute(f"CREATE DATABASE {args.db}")
            print(f"copying the derived corpus from {args.sqlite} into {args.db}", flush=True)
            build(Path(args.sqlite), dsn)
    con = psycopg.connect(dsn, autocommit=True)
    version = con.execute("SHOW server_version").fetchone()[0]
    total = con.execute("SELECT COUNT(*) FROM patents_patent").fetchone()[0]
    print(f"corpus: {total:,} derived patents; PostgreSQL {version}")
    worker_counts = [int(w) for w in args.workers.split(",")]
    for set_id, size in enumerate(int(s) for s in args.sizes.split(",")):
        set_id += 1
        evaluate = ensure_set(con, dsn, set_id, size)
        run(con, dsn, set_id, workers=1, matrix=False)  # warm the buffers once
        base = min(baseline(con, set_id) for _ in range(args.repeat))
        result = {"size": size, "evaluate_s": round(evaluate, 2), "baseline_s": round(base, 3)}
        outs = {}
        for w in worker_counts:
            seconds, outs[w] = min((run(con, dsn, set_id, workers=w, matrix=False) for _ in range(args.repeat)),
                                   key=lambda x: x[0])
            result[f"landscape_s_workers{w}"] = round(seconds, 2)
            result[f"ratio_workers{w}"] = round(seconds / base, 1)
        if len({json.dumps(o, sort_keys=True, default=str) for o in outs.values()}) != 1:
            raise SystemExit("the landscape differs between connection counts")
        if size <= args.matrix_max:
            for w in worker_counts:
                seconds, _out = min((run(con, dsn, set_id, workers=w, matrix=True) for _ in range(args.repeat)),
                                    key=lambda x: x[0])
                result[f"with_matrix_and_chain_s_workers{w}"] = round(seconds, 2)
        result["patents_counted"] = outs[worker_counts[0]]["totals"]["patents"]
        result["load_average"] = Path("/proc/loadavg").read_text().split()[:3]
        print(json.dumps(result), flush=True)
    con.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
