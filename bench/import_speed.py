"""Import throughput and peak memory of ``ipoc import`` on a DERIVED corpus (bench/derive_corpus.py).

For each database it starts a fresh instance, imports the file in a child process
(``ipoc import FILE --json``) and reads the child's peak RSS; the baseline in the
same run is parsing the file alone (``iter_records``, no storage), so the cost of
normalisation and storage is the ratio between the two.

    python bench/import_speed.py --corpus bench/out/derived_100k.jsonl --db sqlite postgres

PostgreSQL: a scratch database ``ipoc_bench`` on ``--pg`` (default postgres://postgres@127.0.0.1:5432)
is dropped and created for the run.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "src"))


def parse_only(path: Path) -> tuple[int, float]:
    from ipoc.patents.importers import iter_records

    start = time.perf_counter()
    n = sum(1 for _row, record, _errors in iter_records(path, "jsonl") if record is not None)
    return n, time.perf_counter() - start


def _pg_reset(base: str) -> str:
    import psycopg

    with psycopg.connect(f"{base}/postgres", autocommit=True) as conn:
        conn.execute("DROP DATABASE IF EXISTS ipoc_bench WITH (FORCE)")
        conn.execute("CREATE DATABASE ipoc_bench")
    return f"{base}/ipoc_bench"


def import_run(path: Path, db: str, pg_base: str, batch_size: int) -> dict:
    home = Path(tempfile.mkdtemp(prefix=f"ipoc-bench-{db}-"))
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"} | {"IPOC_HOME": str(home)}
    if db == "postgres":
        env["DATABASE_URL"] = _pg_reset(pg_base)
    ipoc = [sys.executable, "-m", "ipoc.cli"]
    subprocess.run([*ipoc, "migrate", "-v0"], env=env, check=True)
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    start = time.perf_counter()
    out = subprocess.run([*ipoc, "import", str(path), "--json", "--batch-size", str(batch_size)], env=env,
                         check=True, capture_output=True, text=True).stdout
    wall = time.perf_counter() - start
    peak_kb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    report = json.loads(out)
    db_bytes = sum(f.stat().st_size for f in home.glob("ipoc.sqlite3*")) if db == "sqlite" else None
    return {"db": db, "records": report["counts"]["new"], "rejected": report["counts"]["rejected"],
            "import_seconds": report["seconds"], "wall_seconds": round(wall, 2),
            "records_per_second": round(report["counts"]["new"] / report["seconds"], 1),
            "peak_rss_mb": round(max(peak_kb, before) / 1024, 1) if peak_kb > before else None,
            "db_size_mb": round(db_bytes / 2**20, 1) if db_bytes else None}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--corpus", type=Path, required=True)
    parser.add_argument("--db", nargs="+", default=["sqlite"], choices=["sqlite", "postgres"])
    parser.add_argument("--pg", default="postgres://postgres@127.0.0.1:5432")
    parser.add_argument("--batch-size", type=int, default=1000)
    args = parser.parse_args()
    n, seconds = parse_only(args.corpus)
    result = {"corpus": str(args.corpus), "derived": True, "baseline_parse_only": {
        "records": n, "seconds": round(seconds, 2), "records_per_second": round(n / seconds, 1)}, "runs": []}
    for db in args.db:
        run = import_run(args.corpus, db, args.pg, args.batch_size)
        run["ratio_to_parse_only"] = round(run["import_seconds"] / seconds, 2)
        result["runs"].append(run)
    print(json.dumps(result, ensure_ascii=False, indent=2))


if __name__ == "__main__":
    main()
