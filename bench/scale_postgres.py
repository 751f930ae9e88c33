"""Import throughput on PostgreSQL with 1, 2 and 4 ``ipoc worker`` processes (issue 21), then a queued
index build, on a DERIVED corpus (``bench/derive_corpus.py``).

It creates its own database (``--db``, dropped at the end) on the server of ``--server`` and its own
Redis queue name; every worker runs under ``nice`` with one BLAS thread. For each worker count the
patent tables are emptied, the file is imported as one queued ``patents.import`` split into chunks of
``--chunk-rows`` rows, and the wall time, rows/s and the CPU seconds of the workers are reported.

With ``--prefill N`` the imports run into a table that already holds N patents: ``--prefill-base`` derived
records (seed 2) go through the product's import once and are copied by SQL (keys and publication numbers
suffixed ``~k``) up to N rows, then vacuumed and analysed. Each run then imports the same ``--n`` new records
(seed 1) on top, and only that run's patents are deleted before the next: the import rate into a table of
millions, without importing millions once per worker count.

Usage::

    nice -n 10 python bench/scale_postgres.py --n 100000 --workers 1 2 4 --out bench/results/scale_postgres.json
    nice -n 10 python bench/scale_postgres.py --n 100000 --prefill 3000000 --workers 1 2 4 4 2 1 \
        --out bench/results/scale_postgres_into_3m.json
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
TICK = os.sysconf("SC_CLK_TCK")


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return sum(int(x) for x in fields[11:15]) / TICK


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=100_000)
    ap.add_argument("--corpus", type=Path)
    ap.add_argument("--workers", type=int, nargs="+", default=[1, 2, 4])
    ap.add_argument("--chunk-rows", type=int, default=2000)
    ap.add_argument("--server", default="postgresql://postgres@127.0.0.1:5432/postgres")
    ap.add_argument("--db", default=f"ipoc_scale_{uuid.uuid4().hex[:6]}")
    ap.add_argument("--redis", default="redis://127.0.0.1:6379/0")
    ap.add_argument("--index", action="store_true", help="also time a queued index build (2 workers)")
    ap.add_argument("--prefill", type=int, default=0, help="patents in the table before each measured import")
    ap.add_argument("--prefill-base", type=int, default=30_000, help="derived records imported to build it")
    ap.add_argument("--keep", action="store_true", help="keep the database")
    ap.add_argument("--out", type=Path)
    args = ap.parse_args()

    import psycopg

    with psycopg.connect(args.server, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{args.db}"')
    url = args.server.rsplit("/", 1)[0] + "/" + args.db
    home = Path(tempfile.mkdtemp(prefix="ipoc-pg-scale-"))
    os.environ.update({"IPOC_HOME": str(home), "DATABASE_URL": url, "IPOC_QUEUE_URL": args.redis,
                       "IPOC_QUEUE_NAME": f"bench-{args.db}", "IPOC_SEARCH_WORKERS": "1", "OMP_NUM_THREADS": "1",
                       "OPENBLAS_NUM_THREADS": "1", "MKL_NUM_THREADS": "1", "PYTHONPATH": str(REPO / "src"),
                       "DJANGO_SETTINGS_MODULE": "ipoc.settings"})
    sys.path.insert(0, str(REPO / "src"))
    runs = []
    try:
        import django

        django.setup()
        from django.core.management import call_command
        from django.db import connection

        from ipoc.core import jobs, queue
        from ipoc.core.models import Job, JobStatus
        from ipoc.patents import services as patent_services

        call_command("migrate", verbosity=0)
        corpus = args.corpus
        if corpus is None:
            corpus = home / "derived.jsonl"
            subprocess.run([sys.executable, str(REPO / "bench" / "derive_corpus.py"), "--n", str(args.n), "--out",
                            str(corpus), "--workers", "2"], check=True, capture_output=True)

        prefill_max_id = 0
        if args.prefill:
            prefill_max_id = prefill(args, home, patent_services)

        def workers(n: int) -> list[subprocess.Popen]:
            procs = [subprocess.Popen(["nice", "-n", "10", sys.executable, "-m", "ipoc.cli", "worker"],
                                      env={**os.environ}, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                                      start_new_session=True) for _ in range(n)]
            time.sleep(8)
            return procs

        def stop(procs) -> None:
            for p in procs:
                os.killpg(p.pid, signal.SIGTERM)
            for p in procs:
                p.wait(timeout=120)

        def wait(job) -> float:
            t0 = time.monotonic()
            queue.enqueue_job(job.pk)
            while True:
                job.refresh_from_db()
                if job.status in (JobStatus.SUCCEEDED, JobStatus.FAILED):
                    return time.monotonic() - t0
                time.sleep(0.5)

        from ipoc.search import services as search_services

        def wait_sync(after_pk: int) -> tuple[float, dict | None]:
            """The end-of-import index sync the import queued (a chunked search.sync job), until it ends."""
            t0 = time.monotonic()
            while True:
                sync = Job.objects.filter(kind="search.sync", pk__gt=after_pk).order_by("pk").first()
                if sync is None and time.monotonic() - t0 > 30:
                    return 0.0, None  # below the bulk size the importer synced in its own process
                if sync is not None and sync.status in (JobStatus.SUCCEEDED, JobStatus.FAILED):
                    return time.monotonic() - t0, {"status": sync.status, "result": sync.result, "error": sync.error}
                time.sleep(0.5)

        for n in args.workers:
            with connection.cursor() as cur:
                if prefill_max_id:  # only the previous run's patents go; the prefilled millions stay
                    for table in ("patents_patentparty", "patents_patentclassification"):
                        cur.execute(f"DELETE FROM {table} WHERE patent_id > %s", [prefill_max_id])
                    cur.execute("DELETE FROM patents_patent WHERE id > %s", [prefill_max_id])
                    cur.execute("VACUUM (ANALYZE) patents_patent")
                    cur.execute("VACUUM (ANALYZE) patents_patentparty")
                    cur.execute("VACUUM (ANALYZE) patents_patentclassification")
                else:
                    cur.execute("TRUNCATE patents_patent, patents_importbatch CASCADE")
            eng = search_services.engine()
            with eng.writing():
                eng.clear(vectors=True)
            procs = workers(n)
            cpu0 = sum(cpu_seconds(p.pid) for p in procs)
            job = patent_services.patent_import_start(actor=None, path=corpus)
            Job.objects.filter(pk=job.pk).update(params=job.params | {"chunk_rows": args.chunk_rows})
            wall = wait(job)
            sync_wall, sync = wait_sync(job.pk)
            cpu = sum(cpu_seconds(p.pid) for p in procs) - cpu0
            stop(procs)
            chunks = list(queue.chunks_of(job))
            phase = (max(c.finished_at for c in chunks) - min(c.started_at for c in chunks)).total_seconds()
            chunk_cpu = sum(float((c.checkpoint or {}).get("cpu_seconds", 0)) for c in chunks)
            runs.append({"what": "import", "workers": n, "status": job.status, "error": job.error,
                         "rows": args.n, "chunks": len(chunks), "job_seconds": round(wall, 1),
                         "rows_per_second": round(args.n / wall, 1), "chunk_phase_seconds": round(phase, 1),
                         "rows_per_second_chunk_phase": round(args.n / phase, 1), "worker_cpu_seconds": round(cpu, 1),
                         "chunk_cpu_seconds": round(chunk_cpu, 1), "counts": job.result.get("counts"),
                         "index_sync_seconds_after_import": round(sync_wall, 1), "index_sync": sync,
                         "rows_per_second_import_and_sync": round(args.n / (wall + sync_wall), 1),
                         "loadavg": os.getloadavg()})
            print(json.dumps(runs[-1], ensure_ascii=False), flush=True)
        if args.index:
            procs = workers(2)
            job = jobs.job_create(actor=None, kind="search.rebuild", title="bench index", params={})
            wall = wait(job)
            stop(procs)
            runs.append({"what": "index build", "workers": 2, "status": job.status, "job_seconds": round(wall, 1),
                         "result": job.result})
            print(json.dumps(runs[-1], ensure_ascii=False), flush=True)
        queue.clear_queue()
        connection.close()
    finally:
        if not args.keep:
            with psycopg.connect(args.server, autocommit=True) as conn:
                conn.execute(f'DROP DATABASE IF EXISTS "{args.db}" WITH (FORCE)')
    rates: dict[int, list[float]] = {}
    for r in runs:
        if r["what"] == "import":
            rates.setdefault(r["workers"], []).append(r["rows_per_second"])
    mean = {n: sum(v) / len(v) for n, v in rates.items()}
    summary = {"derived": True, "n": args.n, "prefill": args.prefill, "nproc": os.cpu_count(), "runs": runs,
               "command": "nice -n 10 python bench/scale_postgres.py " + " ".join(sys.argv[1:]),
               "ratios_to_one_worker": {n: round(m / mean[1], 2) for n, m in sorted(mean.items()) if 1 in mean}}
    print(json.dumps(summary["ratios_to_one_worker"]))
    if args.out:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(json.dumps(summary, ensure_ascii=False, indent=2, default=str))


def prefill(args, home: Path, patent_services) -> int:
    """Fill the patent table to ``args.prefill`` rows (see the module's docstring); returns its highest id."""
    from django.db import connection

    from ipoc.patents.models import Patent

    t0 = time.monotonic()
    base = home / "prefill.jsonl"
    subprocess.run([sys.executable, str(REPO / "bench" / "derive_corpus.py"), "--n", str(args.prefill_base),
                    "--out", str(base), "--workers", "2", "--seed", "2"], check=True, capture_output=True)
    patent_services.patent_import(actor=None, path=base, format="jsonl")
    columns = [f.column for f in Patent._meta.concrete_fields if f.column != "id"]
    suffixed = {"key": "key || '~' || %(k)s", "publication_number": "publication_number || '~' || %(k)s"}
    select = ", ".join(suffixed.get(c, c) for c in columns)
    with connection.cursor() as cur:
        cur.execute("SELECT count(*), max(id) FROM patents_patent")
        rows, last_base = cur.fetchone()
        copy = 0
        while rows + rows // (copy + 1) <= args.prefill:
            copy += 1
            cur.execute(f"INSERT INTO patents_patent ({', '.join(columns)}) SELECT {select} FROM patents_patent "
                        f"WHERE id <= %(last)s", {"k": str(copy), "last": last_base})
            rows += cur.rowcount
        # the base rows get a suffix too, so no measured record (seed 1) can meet one of them by its number
        cur.execute("UPDATE patents_patent SET key = key || '~0', publication_number = publication_number || '~0' "
                    "WHERE id <= %s", [last_base])
        for table in ("patents_patent", "patents_patentparty", "patents_patentclassification"):
            cur.execute(f"VACUUM (ANALYZE) {table}")
        cur.execute("SELECT max(id) FROM patents_patent")
        top = cur.fetchone()[0]
    print(f"prefilled {rows} patents ({args.prefill_base} imported, {copy} SQL copies) in "
          f"{time.monotonic() - t0:.0f} s", flush=True)
    return top


if __name__ == "__main__":
    main()
