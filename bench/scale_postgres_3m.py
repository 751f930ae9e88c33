"""PostgreSQL at millions of DERIVED patents (issue 21): one instance, built and measured in phases, so a phase
that fails can be rerun without redoing the import.

The instance is the demo (``ipoc demo``: users, centers, 607 real demands, 12.6k real CN patents, the demo's
encoded vectors) on a PostgreSQL database, plus millions of DERIVED patents (``bench/derive_corpus.py``)
imported through the product's queued ``patents.import`` with ``ipoc worker`` processes on Redis. Its
environment comes from the caller (``IPOC_HOME``, ``DATABASE_URL``); the database must be a throw-away one.

    export IPOC_HOME=/work/bench-data/home3m DATABASE_URL=postgresql://postgres@127.0.0.1:5432/ipoc_scale_3m
    ipoc migrate && IPOC_DEMO_IPC_MODEL=0 ipoc demo                                 # the demo on PostgreSQL
    python bench/derive_corpus.py --n 3000000 --out /work/bench-data/derived_3m.jsonl
    python bench/scale_postgres_3m.py import --corpus /work/bench-data/derived_3m.jsonl --workers 2 \
        --json bench/results/runs/scale_pg_3m_import.json
    python bench/scale_postgres_3m.py vectors --json ...   # DERIVED vectors for the derived patents (below)
    python bench/scale_postgres_3m.py queries --json ...   # hybrid search p95, a landscape, the demand list

``vectors``: the derived patents have no real text worth encoding for hours on two cores, so each gets a
DERIVED vector: a real vector of the demo's encoded patents plus Gaussian noise, renormalised (the
recipe of ``bench/search_speed.py``). The vector search then scans as many vectors as the store holds
patents, which is what its speed depends on; its ranking quality at this scale is not measured here.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import statistics
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
TICK = os.sysconf("SC_CLK_TCK")


def pct(values: list[float], q: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(round(q * (len(values) - 1))))]


def summary(times: list[float]) -> dict:
    return {"n": len(times), "median": round(statistics.median(times), 3), "p95": round(pct(times, 0.95), 3),
            "max": round(max(times), 3)}


def cpu_seconds(pid: int) -> float:
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except FileNotFoundError:
        return 0.0
    return sum(int(x) for x in fields[11:15]) / TICK


def setup_django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ipoc.settings")
    for k in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ.setdefault(k, "1")
    if "DATABASE_URL" not in os.environ or "IPOC_HOME" not in os.environ:
        sys.exit("set IPOC_HOME and DATABASE_URL (a throw-away PostgreSQL database)")
    sys.path.insert(0, str(REPO / "src"))
    import django

    django.setup()


def _workers(n: int) -> list:
    procs = [subprocess.Popen([sys.executable, "-m", "ipoc.cli", "worker"], env={**os.environ},
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
             for _ in range(n)]
    time.sleep(8)
    return procs


def _stop(procs: list) -> None:
    for p in procs:
        try:
            os.killpg(p.pid, signal.SIGTERM)
        except ProcessLookupError:
            pass
    for p in procs:
        p.wait(timeout=300)


def cmd_import(args) -> dict:
    os.environ.update({"IPOC_QUEUE_URL": args.redis, "IPOC_QUEUE_NAME": "bench-3m", "PYTHONPATH": str(REPO / "src")})
    setup_django()
    from ipoc.core import queue
    from ipoc.core.models import Job, JobStatus
    from ipoc.patents import services as patent_services
    from ipoc.patents.models import Patent

    before = Patent.objects.count()
    procs = _workers(args.workers)
    cpu0 = sum(cpu_seconds(p.pid) for p in procs)
    timeline = []
    try:
        job = patent_services.patent_import_start(actor=None, path=args.corpus)
        Job.objects.filter(pk=job.pk).update(params=job.params | {"chunk_rows": args.chunk_rows})
        t0 = time.monotonic()
        queue.enqueue_job(job.pk)
        last = (0.0, 0)
        while True:
            job.refresh_from_db()
            now = time.monotonic() - t0
            if now - last[0] >= args.every or job.status in (JobStatus.SUCCEEDED, JobStatus.FAILED):
                done = int(job.progress_done or 0)
                rate = (done - last[1]) / max(now - last[0], 1e-9)
                timeline.append({"t": round(now), "rows_done": done, "rows_per_s_window": round(rate, 1),
                                 "loadavg": round(os.getloadavg()[0], 1)})
                print(json.dumps(timeline[-1]), flush=True)
                last = (now, done)
            if job.status in (JobStatus.SUCCEEDED, JobStatus.FAILED):
                break
            time.sleep(2)
        wall = time.monotonic() - t0
        out = {"what": "import", "workers": args.workers, "status": job.status, "error": job.error,
               "patents_before": before, "job_seconds": round(wall, 1), "counts": (job.result or {}).get("counts"),
               "timeline": timeline}
        rows = int(job.progress_done or 0)
        out["rows"] = rows
        out["rows_per_second"] = round(rows / wall, 1)
        print(json.dumps({k: v for k, v in out.items() if k != "timeline"}, ensure_ascii=False), flush=True)
        # the end-of-import index sync the import queued (a chunked search.sync job), until it ends
        # (Ctrl-C stops the wait, not the record: the figures so far are still written)
        t1 = time.monotonic()
        sync = None
        try:
            while True:
                sync = Job.objects.filter(kind="search.sync", pk__gt=job.pk).order_by("pk").first()
                if sync is not None and sync.status in (JobStatus.SUCCEEDED, JobStatus.FAILED):
                    break
                if sync is None and time.monotonic() - t1 > 60:
                    break
                time.sleep(5)
        except KeyboardInterrupt:
            pass
        out["index_sync_seconds_after_import"] = round(time.monotonic() - t1, 1)
        out["index_sync"] = None if sync is None else {"status": sync.status, "done": sync.progress_done,
                                                       "total": sync.progress_total, "result": sync.result,
                                                       "error": sync.error}
        out["worker_cpu_seconds"] = round(sum(cpu_seconds(p.pid) for p in procs) - cpu0, 1)
        out["patents_after"] = Patent.objects.count()
    finally:
        _stop(procs)
    return out


def cmd_index(args) -> dict:
    """A queued index build (``search.rebuild``, chunked, one writer) of the whole store with ``--workers``."""
    os.environ.update({"IPOC_QUEUE_URL": args.redis, "IPOC_QUEUE_NAME": "bench-3m", "PYTHONPATH": str(REPO / "src")})
    setup_django()
    from ipoc.core import jobs, queue
    from ipoc.core.models import JobStatus
    from ipoc.patents.models import Patent

    procs = _workers(args.workers)
    cpu0 = sum(cpu_seconds(p.pid) for p in procs)
    try:
        job = jobs.job_create(actor=None, kind="search.rebuild", title="bench 3M index build", params={})
        t0 = time.monotonic()
        queue.enqueue_job(job.pk)
        while True:
            job.refresh_from_db()
            if job.status not in (JobStatus.PENDING, JobStatus.RUNNING):
                break
            time.sleep(2)
        wall = time.monotonic() - t0
        chunks = list(queue.chunks_of(job))
        phase = ((max(c.finished_at for c in chunks) - min(c.started_at for c in chunks)).total_seconds()
                 if chunks and all(c.finished_at for c in chunks) else None)
        return {"what": "index build", "workers": args.workers, "patents": Patent.objects.count(),
                "status": job.status, "error": job.error, "job_seconds": round(wall, 1), "chunks": len(chunks),
                "chunk_phase_seconds": None if phase is None else round(phase, 1), "result": job.result,
                "worker_cpu_seconds": round(sum(cpu_seconds(p.pid) for p in procs) - cpu0, 1)}
    finally:
        _stop(procs)


def cmd_vectors(args) -> dict:
    setup_django()
    import numpy as np

    from ipoc.patents.models import Patent
    from ipoc.search import services as search_services

    vs = search_services.engine().vectors
    real_ids = vs.ids  # a property: the live ids, sorted
    real_ids = real_ids[real_ids >= 0]
    if not len(real_ids):
        sys.exit("no encoded patents to derive vectors from: run the demo with its encoding first")
    base = vs.get(real_ids[: min(len(real_ids), 20000)]).astype(np.float32)
    missing_total = 0
    rng = np.random.default_rng(1)
    t = time.perf_counter()
    last = args.min_id - 1
    while True:
        ids = list(Patent.objects.filter(pk__gt=last).order_by("pk").values_list("pk", flat=True)[:args.batch])
        if not ids:
            break
        last = ids[-1]
        ids = vs.missing(np.asarray(ids, dtype=np.int64))
        if len(ids):
            v = base[rng.integers(0, len(base), len(ids))] + rng.normal(0, args.noise, (len(ids), base.shape[1]))
            v = (v / np.linalg.norm(v, axis=1, keepdims=True)).astype(np.float32)
            vs.append(ids, v)
            missing_total += len(ids)
    return {"what": "derived vectors", "derived_vectors_added": missing_total, "real_vectors": int(len(real_ids)),
            "store_vectors": len(vs), "noise": args.noise, "min_id": args.min_id, "seconds": round(time.perf_counter() - t, 1)}


def cmd_queries(args) -> dict:
    setup_django()
    from django.contrib.auth import get_user_model
    from django.db import connection

    from ipoc.analytics import selectors as analytics_selectors
    from ipoc.analytics import services as analytics_services
    from ipoc.analytics.models import PatentSet
    from ipoc.demands import selectors as demand_selectors
    from ipoc.patents.models import Patent
    from ipoc.search import selectors as search_selectors
    from ipoc.search import services as search_services

    user = get_user_model().objects.get(username=args.user)
    out: dict = {"what": "queries", "patents": Patent.objects.count(), "user": args.user}
    eng = search_services.engine()
    out["vectors"] = len(eng.vectors) if getattr(eng, "vectors", None) is not None else None
    titles = [d.title for d in demand_selectors.open_demands(center_id=None).order_by("id")[: args.queries]]
    keywords = ["锂电池 正极材料", "图像识别", "半导体封装", "传感器", "新能源汽车 电机", "生物医药 制剂", "5G 天线",
                "智能制造 机器人", "复合材料", "污水处理"]
    search_selectors.search_patents(user=user, q=titles[0])  # loads the index, the vectors, the encoder
    for name, qs in (("demand titles (hybrid)", titles), ("keywords (hybrid)", keywords * 3)):
        times, totals = [], []
        for q in qs:
            t = time.perf_counter()
            page = search_selectors.search_patents(user=user, q=q, limit=10)
            times.append(time.perf_counter() - t)
            totals.append(page.total)
        out[f"search: {name}"] = summary(times) | {"median_total_hits": statistics.median(totals)}
        print(name, out[f"search: {name}"], flush=True)
    times = []
    for q in titles:
        t = time.perf_counter()
        eng.lexical.search(q, limit=10)
        times.append(time.perf_counter() - t)
    out["baseline: BM25 of the same demand titles"] = summary(times)
    # the demand list as a center's staff see it (first page and a deep page)
    times = []
    for page in range(args.queries // 5):
        t = time.perf_counter()
        list(demand_selectors.with_contact_access(demand_selectors.demand_list(user=user), user)
             [page * 20:(page + 1) * 20])
        times.append(time.perf_counter() - t)
    out["demand list page of 20"] = summary(times)
    if args.skip_landscape:
        connection.close()
        return out
    # a landscape: a search-defined set over the whole store (invention patents), evaluated and analysed
    ps = PatentSet.objects.filter(name=args.set_name).first()
    t = time.perf_counter()
    if ps is None:
        ps = PatentSet.objects.create(name=args.set_name, kind="search",
                                      definition={"q": "", "filters": {"patent_type": "invention"}})
    analytics_services._evaluate(ps)
    ps.refresh_from_db()
    out["landscape set"] = {"size": ps.size, "evaluate_seconds": round(time.perf_counter() - t, 1)}
    t = time.perf_counter()
    analytics_selectors.landscape(ps, user=user)
    out["landscape set"]["analyses_seconds"] = round(time.perf_counter() - t, 1)
    print(out["landscape set"], flush=True)
    connection.close()
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = ap.add_subparsers(dest="cmd", required=True)
    p = sub.add_parser("import")
    p.add_argument("--corpus", type=Path, required=True)
    p.add_argument("--workers", type=int, default=2)
    p.add_argument("--chunk-rows", type=int, default=10000)
    p.add_argument("--every", type=float, default=60)
    p.add_argument("--redis", default="redis://127.0.0.1:6379/0")
    p = sub.add_parser("index")
    p.add_argument("--workers", type=int, default=2)
    p.add_argument("--redis", default="redis://127.0.0.1:6379/0")
    p = sub.add_parser("vectors")
    p.add_argument("--batch", type=int, default=50000)
    p.add_argument("--noise", type=float, default=0.03)
    p.add_argument("--min-id", type=int, required=True,
                   help="the first derived patent's id: the demo's real patents below it keep only real vectors")
    p = sub.add_parser("queries")
    p.add_argument("--queries", type=int, default=100)
    p.add_argument("--user", default="center")
    p.add_argument("--set-name", default="bench 3M: 发明专利（全库）")
    p.add_argument("--skip-landscape", action="store_true", help="only the searches and the demand list")
    for p in sub.choices.values():
        p.add_argument("--json", type=Path)
    args = ap.parse_args()
    started = time.strftime("%Y-%m-%d %H:%M:%S UTC", time.gmtime())
    out = {"import": cmd_import, "index": cmd_index, "vectors": cmd_vectors, "queries": cmd_queries}[args.cmd](args)
    out = {"derived": True, "started": started, "nproc": os.cpu_count(), "loadavg_end": os.getloadavg()} | out
    print(json.dumps({k: v for k, v in out.items() if k != "timeline"}, ensure_ascii=False, indent=2, default=str))
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(out, ensure_ascii=False, indent=2, default=str))


if __name__ == "__main__":
    main()
