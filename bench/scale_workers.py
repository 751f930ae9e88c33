"""Indexing and encoding throughput with 1 and 2 single-threaded ``ipoc worker`` processes (issue 21).

A DERIVED corpus (``bench/derive_corpus.py``) is imported into a throw-away instance (SQLite file, its
own ``IPOC_HOME``); then ``search.rebuild`` and ``search.encode`` jobs are put on a Redis queue (its own
queue name) and run by N worker processes started with ``nice`` and one BLAS/OpenMP thread each. For
each run it reports the wall time of the chunk phase (first chunk started → last chunk finished: the
part workers share), the whole job (plus the single writer's commit), and the CPU seconds the workers
used (``/proc/<pid>/stat``), so a ratio on a shared machine can be read against the CPU it got.

Usage::

    nice -n 10 python bench/scale_workers.py --n 20000 --workers 1 2 --encode-limit 3000 \
        --out bench/results/scale_workers.json
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
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
    return sum(int(x) for x in fields[11:15]) / TICK  # utime stime cutime cstime


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=20000)
    ap.add_argument("--corpus", type=Path)
    ap.add_argument("--workers", type=int, nargs="+", default=[1, 2])
    ap.add_argument("--repeat", type=int, default=1)
    ap.add_argument("--encode-limit", type=int, default=3000)
    ap.add_argument("--index-chunk", type=int, default=1000)
    ap.add_argument("--encode-chunk", type=int, default=250)
    ap.add_argument("--redis", default="redis://127.0.0.1:6379/0")
    ap.add_argument("--out", type=Path)
    ap.add_argument("--fast-encoder", action="store_true",
                    help="export the int8 ONNX encoder into the instance first (ipoc encoder export), as up.sh does")
    args = ap.parse_args()

    home = Path(tempfile.mkdtemp(prefix="ipoc-scale-"))
    env_common = {"IPOC_HOME": str(home), "IPOC_QUEUE_URL": args.redis,
                  "IPOC_QUEUE_NAME": f"bench-{uuid.uuid4().hex[:8]}", "IPOC_SEARCH_WORKERS": "1",
                  "OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1", "MKL_NUM_THREADS": "1",
                  "PYTHONPATH": str(REPO / "src")}
    os.environ.update(env_common)
    os.environ.pop("DATABASE_URL", None)
    os.environ["DJANGO_SETTINGS_MODULE"] = "ipoc.settings"
    sys.path.insert(0, str(REPO / "src"))
    import django

    django.setup()
    from django.core.management import call_command

    from ipoc.core import jobs, queue
    from ipoc.core.models import Job, JobStatus
    from ipoc.patents import services as patent_services
    from ipoc.search import services as search_services

    call_command("migrate", verbosity=0)
    if args.fast_encoder:
        call_command("encoder", "export")
    corpus = args.corpus
    if corpus is None:
        corpus = home / "derived.jsonl"
        subprocess.run([sys.executable, str(REPO / "bench" / "derive_corpus.py"), "--n", str(args.n), "--out",
                        str(corpus), "--workers", "1"], check=True, capture_output=True)
    patent_services.PATENT_CHANGE_LISTENERS.clear()  # the index is built by the jobs measured below
    t = time.monotonic()
    patent_services.patent_import(actor=None, path=corpus)
    import_seconds = time.monotonic() - t

    def run(kind: str, workers: int, params: dict) -> dict:
        procs = [subprocess.Popen(["nice", "-n", "10", sys.executable, "-m", "ipoc.cli", "worker"],
                                  env={**os.environ}, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                                  start_new_session=True) for _ in range(workers)]
        time.sleep(8)  # Django set up, encoder loaded lazily in the first chunk
        cpu0 = sum(cpu_seconds(p.pid) for p in procs)
        job = jobs.job_create(actor=None, kind=kind, title=f"bench {kind} x{workers}", params=params)
        t0 = time.monotonic()
        queue.enqueue_job(job.pk)
        while True:
            job.refresh_from_db()
            if job.status in (JobStatus.SUCCEEDED, JobStatus.FAILED):
                break
            time.sleep(0.25)
        wall = time.monotonic() - t0
        cpu = sum(cpu_seconds(p.pid) for p in procs) - cpu0
        for p in procs:
            os.killpg(p.pid, signal.SIGTERM)
        for p in procs:
            p.wait(timeout=60)
        chunks = list(Job.objects.filter(kind=queue.CHUNK_KIND, params__parent=job.pk))
        phase = (max(c.finished_at for c in chunks) - min(c.started_at for c in chunks)).total_seconds()
        items = sum(int(c.params["spec"].get("size") or 0) for c in chunks)
        chunk_cpu = sum(float((c.checkpoint or {}).get("cpu_seconds", 0)) for c in chunks)
        per_worker = {}
        for c in chunks:
            per_worker[c.checkpoint.get("worker", "?")] = per_worker.get(c.checkpoint.get("worker", "?"), 0) + 1
        return {"kind": kind, "workers": workers, "status": job.status, "error": job.error, "chunks": len(chunks),
                "items": items, "chunk_phase_seconds": round(phase, 2), "job_seconds": round(wall, 2),
                "items_per_second_chunk_phase": round(items / phase, 3), "worker_cpu_seconds": round(cpu, 2),
                "chunk_cpu_seconds": round(chunk_cpu, 2), "items_per_chunk_cpu_second": round(items / chunk_cpu, 1),
                "chunk_phase_cpu_share": round(chunk_cpu / phase, 2), "chunks_per_worker": per_worker,
                "cpu_per_wall": round(cpu / wall, 2), "result": job.result}

    results = []
    for _ in range(args.repeat):
        for w in args.workers:
            results.append(run("search.rebuild", w, {"queue_chunk": args.index_chunk}))
            print(json.dumps(results[-1], ensure_ascii=False), flush=True)
    if args.encode_limit:
        for _ in range(args.repeat):
            for w in args.workers:
                eng = search_services.engine()
                with eng.writing():
                    shutil.rmtree(search_services.search_dir() / "vectors", ignore_errors=True)
                    eng._open_vectors()
                results.append(run("search.encode", w, {"queue_chunk": args.encode_chunk,
                                                        "limit": args.encode_limit}))
                print(json.dumps(results[-1], ensure_ascii=False), flush=True)

    def ratio(kind: str) -> dict | None:
        by = {}
        for r in results:
            if r["kind"] == kind:
                by.setdefault(r["workers"], []).append(r)
        if 1 not in by or 2 not in by:
            return None
        one = sum(r["items"] / r["chunk_phase_seconds"] for r in by[1]) / len(by[1])  # unrounded
        two = sum(r["items"] / r["chunk_phase_seconds"] for r in by[2]) / len(by[2])
        eff = [sum(r["items"] / r["chunk_cpu_seconds"] for r in by[w]) / len(by[w]) for w in (1, 2)]
        share = [sum(r["chunk_phase_cpu_share"] for r in by[w]) / len(by[w]) for w in (1, 2)]
        return {"chunk_phase_ratio_2_over_1": round(two / one, 2),
                "items_per_chunk_cpu_second_1_and_2": [round(e, 1) for e in eff],
                "cpu_share_in_chunk_phase_1_and_2": [round(x, 2) for x in share],
                "ratio_if_each_worker_had_a_core": round(2 * eff[1] / eff[0], 2),
                "job_ratio_2_over_1": round(sum(r["job_seconds"] for r in by[1]) / sum(r["job_seconds"] for r in by[2])
                                            * len(by[2]) / len(by[1]), 2),
                "cpu_per_wall_1": [r["cpu_per_wall"] for r in by[1]], "cpu_per_wall_2": [r["cpu_per_wall"] for r in by[2]]}

    summary = {"derived": True, "n": args.n, "import_seconds": round(import_seconds, 1), "nproc": os.cpu_count(),
               "loadavg_at_end": os.getloadavg(), "runs": results,
               "index": ratio("search.rebuild"), "encode": ratio("search.encode"), "encoder": search_services.encoder_spec()}
    print(json.dumps({k: v for k, v in summary.items() if k != "runs"}, ensure_ascii=False, indent=2))
    if args.out:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(json.dumps(summary, ensure_ascii=False, indent=2, default=str))
    queue.clear_queue()
    shutil.rmtree(home, ignore_errors=True)


if __name__ == "__main__":
    main()
