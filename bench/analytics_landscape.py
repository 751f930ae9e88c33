"""专利导航 landscape speed (issue 20): every analysis of a 100k and a 1M patent set, against a plain
SQL GROUP BY over the same rows in the same run.

The corpus is DERIVED from the real records in ../shared/data (``bench/derive_corpus.make_record``,
recombined and perturbed; plus derived jurisdictions, priority claims, expiry dates, forward-citation
counts and back citations to earlier derived patents). It is written to a separate SQLite file under
/tmp (never the repo, never an instance database) with the tables and indexes the analyses read, named
as in the app, and the analyses run the app's own SQL (``ipoc.analytics.engine.landscape``).

    nice -n 10 .venv/bin/python bench/analytics_landscape.py --sizes 100000,1000000 [--db /tmp/ipoc-analytics-bench.sqlite3]

The database is built once per --db path and reused (delete it to rebuild).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import random
import sqlite3
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "src"))
sys.path.insert(0, str(REPO / "bench"))

import derive_corpus  # noqa: E402

from ipoc.analytics import engine  # noqa: E402

MEMBER_SCHEMA = """
CREATE TABLE analytics_patentsetmember (id INTEGER PRIMARY KEY, patent_set_id INTEGER NOT NULL,
  patent_id INTEGER NOT NULL, app_year TEXT NOT NULL, grant_year TEXT NOT NULL, legal_status TEXT NOT NULL,
  expiry_date DATE, region_code TEXT NOT NULL, region_name TEXT NOT NULL, jurisdiction TEXT NOT NULL,
  transfer_count INTEGER NOT NULL, transfer_year TEXT NOT NULL, licence_count INTEGER NOT NULL,
  licence_year TEXT NOT NULL, pledge_count INTEGER NOT NULL, pledge_year TEXT NOT NULL,
  forward_citations INTEGER NOT NULL, backward_citations INTEGER NOT NULL, inventors TEXT NOT NULL,
  priority_claims TEXT NOT NULL);
CREATE UNIQUE INDEX member_unique ON analytics_patentsetmember(patent_set_id, patent_id);
CREATE INDEX member_patent ON analytics_patentsetmember(patent_id);
CREATE TABLE analytics_setapplicant (id INTEGER PRIMARY KEY, patent_set_id INTEGER NOT NULL,
  patent_id INTEGER NOT NULL, name TEXT NOT NULL, party_type TEXT NOT NULL, app_year TEXT NOT NULL);
CREATE INDEX setapplicant_set ON analytics_setapplicant(patent_set_id);
CREATE INDEX setapplicant_patent ON analytics_setapplicant(patent_id);
CREATE TABLE analytics_setclass (id INTEGER PRIMARY KEY, patent_set_id INTEGER NOT NULL,
  patent_id INTEGER NOT NULL, code TEXT NOT NULL, subclass TEXT NOT NULL, app_year TEXT NOT NULL);
CREATE INDEX setclass_set ON analytics_setclass(patent_set_id);
CREATE INDEX setclass_patent ON analytics_setclass(patent_id);
CREATE TABLE analytics_setinventor (id INTEGER PRIMARY KEY, patent_set_id INTEGER NOT NULL,
  patent_id INTEGER NOT NULL, name TEXT NOT NULL);
CREATE INDEX setinventor_set ON analytics_setinventor(patent_set_id);
CREATE INDEX setinventor_patent ON analytics_setinventor(patent_id);
"""

SCHEMA = MEMBER_SCHEMA + """
CREATE TABLE patents_patent (id INTEGER PRIMARY KEY, key TEXT NOT NULL, publication_number TEXT, title TEXT,
  abstract TEXT, patent_type TEXT, application_date DATE, grant_date DATE, expiry_date DATE, region_code TEXT,
  region_name TEXT, jurisdiction TEXT, legal_status TEXT, inventors TEXT, priority_claims TEXT,
  backward_citations TEXT, backward_citations_count INTEGER, forward_citations_count INTEGER,
  transfer_count INTEGER, last_transfer_date DATE, licence_count INTEGER, last_licence_date DATE,
  pledge_count INTEGER, last_pledge_date DATE);
CREATE UNIQUE INDEX patent_key ON patents_patent(key);
CREATE INDEX patent_pub ON patents_patent(publication_number);
CREATE INDEX patent_app_date ON patents_patent(application_date);
CREATE INDEX patent_grant_date ON patents_patent(grant_date);
CREATE INDEX patent_region ON patents_patent(region_code);
CREATE TABLE patents_patentparty (id INTEGER PRIMARY KEY, patent_id INTEGER NOT NULL, role TEXT, position INTEGER,
  name TEXT, party_type TEXT, organization_id INTEGER);
CREATE INDEX party_patent ON patents_patentparty(patent_id);
CREATE INDEX party_type ON patents_patentparty(party_type);
CREATE TABLE patents_patentclassification (id INTEGER PRIMARY KEY, patent_id INTEGER NOT NULL, scheme TEXT,
  code TEXT, subclass TEXT, is_main INTEGER);
CREATE INDEX cls_patent ON patents_patentclassification(patent_id);
CREATE INDEX cls_subclass ON patents_patentclassification(subclass);
CREATE INDEX cls_scheme_code ON patents_patentclassification(scheme, code);
CREATE TABLE deals_deal (id INTEGER PRIMARY KEY, deal_type TEXT);
CREATE TABLE deals_deal_patents (id INTEGER PRIMARY KEY, deal_id INTEGER, patent_id INTEGER);
CREATE INDEX dp_patent ON deals_deal_patents(patent_id);
"""

COUNTRIES = ("CN",) * 17 + ("US", "EP", "JP")
TYPE_CODES = {"发明": "invention", "实用新型": "utility_model", "外观设计": "design"}
STATUS_CODES = {"有效": "valid", "审中": "pending", "失效": "lapsed"}
TERM_YEARS = {"invention": 20, "utility_model": 10, "design": 15}
PARTY_CODES = {"企业": "enterprise", "高校": "university", "科研机构": "research", "个人": "individual",
               "机关团体": "public_body"}


def build(path: Path, n: int, seed: int = 1) -> None:
    derive_corpus._init(str(derive_corpus.sample_data_dir()))
    rng = random.Random(seed)
    con = sqlite3.connect(path)
    con.executescript("PRAGMA journal_mode=WAL; PRAGMA synchronous=OFF;" + SCHEMA)
    party_id = cls_id = 0
    t0 = time.perf_counter()
    for start in range(0, n, 20000):
        patents, parties, classes = [], [], []
        for i in range(start, min(n, start + 20000)):
            r = derive_corpus.make_record(i, rng)
            pid = i + 1
            ptype = TYPE_CODES[r["patent_type"]]
            app = dt.date.fromisoformat(r["application_date"])
            expiry = engine._years_after(app, TERM_YEARS[ptype])
            cites = []
            if i > 100 and rng.random() < 0.3:
                for _ in range(rng.randint(1, 3)):
                    j = rng.randrange(i)
                    cites.append({"number": f"CN{derive_corpus._pick_type(0)[2]}{j:08d}A", "text": None,
                                  "category": None})
            country = rng.choice(COUNTRIES)
            prio = ([{"country": rng.choice(("US", "JP", "DE", "KR", "CN")), "number": f"P{i}",
                      "date": r["application_date"]}] if rng.random() < 0.08 else [])

            def last(count: int, app: dt.date = app) -> str | None:
                return (app + dt.timedelta(days=rng.randint(400, 3000))).isoformat() if count else None

            patents.append((pid, f"{r['publication_number']}", r["publication_number"], r["title"], r["abstract"],
                            ptype, r["application_date"], r["grant_date"], expiry.isoformat(),
                            r["region_code"][:2] if r["region_code"] else "", r["region_name"], country,
                            STATUS_CODES[r["legal_status"]], json.dumps(r["inventors"], ensure_ascii=False),
                            json.dumps(prio), json.dumps(cites), len(cites), rng.choice((0, 0, 0, 1, 2, 5)),
                            r["transfer_count"], last(r["transfer_count"]), r["licence_count"],
                            last(r["licence_count"]), r["pledge_count"], last(r["pledge_count"])))
            for pos, a in enumerate(r["applicants"]):
                party_id += 1
                parties.append((party_id, pid, "applicant", pos, a["name"], PARTY_CODES.get(a["type"], "")))
            for pos, code in enumerate(r["ipc_all"]):
                cls_id += 1
                classes.append((cls_id, pid, "ipc", code, code[:4], pos == 0))
        con.executemany(f"INSERT INTO patents_patent VALUES ({','.join('?' * 24)})", patents)
        con.executemany("INSERT INTO patents_patentparty VALUES (?,?,?,?,?,?,NULL)", parties)
        con.executemany("INSERT INTO patents_patentclassification VALUES (?,?,?,?,?,?)", classes)
        con.commit()
        print(f"  built {min(n, start + 20000):,} / {n:,} ({time.perf_counter() - t0:.0f} s)", flush=True)
    con.execute("INSERT INTO deals_deal VALUES (1, 'license'), (2, 'transfer')")
    con.executemany("INSERT INTO deals_deal_patents (deal_id, patent_id) VALUES (?, ?)",
                    [(1 + k % 2, 1 + k * 997 % n) for k in range(200)])
    con.execute("ANALYZE")
    con.commit()
    con.close()


def ensure_set(con: sqlite3.Connection, set_id: int, size: int) -> float:
    """Evaluate set ``set_id`` as the first ``size`` patents with the app's own INSERT … SELECT; its seconds."""
    src = engine.Source(cursor=con.cursor, vendor="sqlite", qmark=True)
    t0 = time.perf_counter()
    for name in (*engine.FACT_TABLES, "member"):
        con.execute(f"DELETE FROM {src.tables[name]} WHERE patent_set_id = ?", (set_id,))
    con.execute(engine.fill_sql(src, "SELECT id FROM patents_patent WHERE id <= %s").replace("%s", "?"),
                (set_id, size))
    for sql in engine.fill_facts_sql(src):
        con.execute(sql.replace("%s", "?"), (set_id,))
    con.commit()
    return time.perf_counter() - t0


TECH = [engine.Term(i, w, (w,)) for i, w in enumerate(("电池", "传感器", "电机", "芯片", "图像", "阀"), 1)]
EFFECT = [engine.Term(i, w, (w,)) for i, w in enumerate(("效率", "成本", "稳定", "精度", "能耗", "寿命"), 1)]
NODES = [engine.Term(1, "集成电路", ("芯片", "半导体"), ("H01L",)), engine.Term(2, "通信", ("基站", "天线"), ("H04B", "H04W")),
         engine.Term(3, "新能源", ("电池", "光伏"), ("H01M",)), engine.Term(4, "装备", ("机器人",), ("B25J",))]


def _fork(path: Path):
    """Another connection to the bench database, for the engine's second thread."""
    def fork():
        con = sqlite3.connect(path)
        return engine.Source(cursor=con.cursor, vendor="sqlite", qmark=True, fork=None), con.close
    return fork


def run(con: sqlite3.Connection, set_id: int, *, matrix: bool, workers: int = 1,
        path: Path | None = None) -> tuple[float, dict]:
    src = engine.Source(cursor=con.cursor, vendor="sqlite", qmark=True, fork=_fork(path) if path else None)
    t0 = time.perf_counter()
    out = engine.landscape(src, set_id, today=dt.date(2026, 12, 6), technologies=TECH if matrix else (),
                           effects=EFFECT if matrix else (), nodes=NODES if matrix else (), workers=workers)
    return time.perf_counter() - t0, out


def baseline(con: sqlite3.Connection, set_id: int) -> float:
    """A plain GROUP BY: the set's patents by application year, joined to the patent table."""
    t0 = time.perf_counter()
    con.execute("SELECT substr(p.application_date, 1, 4), COUNT(*) FROM analytics_patentsetmember m "
                "CROSS JOIN patents_patent p ON p.id = m.patent_id WHERE m.patent_set_id = ? "
                "GROUP BY 1", (set_id,)).fetchall()
    return time.perf_counter() - t0


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--sizes", default="100000,1000000")
    ap.add_argument("--db", default="/tmp/ipoc-analytics-bench.sqlite3")
    ap.add_argument("--repeat", type=int, default=2)
    ap.add_argument("--matrix-max", type=int, default=10**9,
                    help="measure the matrix and chain text scans only for sets up to this size")
    ap.add_argument("--workers", default="1,2",
                    help="connections the landscape runs on (the app uses 2 for large sets); each is measured")
    args = ap.parse_args(argv)
    worker_counts = [int(w) for w in args.workers.split(",")]
    sizes = [int(s) for s in args.sizes.split(",")]
    path = Path(args.db)
    if not str(path.resolve()).startswith("/tmp/"):
        ap.error("--db must be under /tmp")
    if not path.exists():
        print(f"building derived corpus of {max(sizes):,} patents in {path}", flush=True)
        build(path, max(sizes))
    con = sqlite3.connect(path)
    if not con.execute("SELECT 1 FROM sqlite_master WHERE name = 'analytics_setclass'").fetchone():
        con.executescript("DROP TABLE IF EXISTS analytics_patentsetmember;" + MEMBER_SCHEMA)  # an older layout
    total = con.execute("SELECT COUNT(*) FROM patents_patent").fetchone()[0]
    print(f"corpus: {total:,} derived patents; SQLite {sqlite3.sqlite_version}")
    results = []
    for set_id, size in enumerate(sizes, 1):
        evaluate_s = ensure_set(con, set_id, size)
        run(con, set_id, matrix=False)  # warm the page cache once
        base = min(baseline(con, set_id) for _ in range(args.repeat))
        result = {"size": size, "evaluate_s": round(evaluate_s, 2), "baseline_s": round(base, 3)}
        outs = {}
        for w in worker_counts:
            plain, outs[w] = min((run(con, set_id, matrix=False, workers=w, path=path) for _ in range(args.repeat)),
                                 key=lambda x: x[0])
            result[f"landscape_s_workers{w}"] = round(plain, 2)
            result[f"ratio_workers{w}"] = round(plain / base, 1)
        if len(outs) > 1 and len({json.dumps(o, sort_keys=True, default=str) for o in outs.values()}) != 1:
            raise SystemExit("the landscape differs between worker counts")
        if size <= args.matrix_max:
            for w in worker_counts:
                full, out = min((run(con, set_id, matrix=True, workers=w, path=path) for _ in range(args.repeat)),
                                key=lambda x: x[0])
                result[f"with_matrix_and_chain_s_workers{w}"] = round(full, 2)
            result["patents_counted"] = out["totals"]["patents"]
        result["load_average"] = Path("/proc/loadavg").read_text().split()[:3]
        results.append(result)
        print(json.dumps(results[-1]), flush=True)
    con.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
