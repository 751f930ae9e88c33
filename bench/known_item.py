"""Keyword known-item regression set (issue 15, point 2): short keyword queries taken from a patent's own
title or first claim must find that patent. IPOC's search (the product's path: ``search_patents``) against
plain BM25 in the same run; MRR@10, success@1 and success@10.

Queries (``--make``, deterministic, written to ``bench/known_item/queries.jsonl``):
- the instance's patents whose title is unique in the store (a duplicated title cannot be a known item),
  shuffled with :data:`SEED`;
- a **title query** for the first :data:`N_TITLE` of them, a **claims query** for the first :data:`N_CLAIMS`
  that have claims: 2 or 3 content words (rjieba precise cut; no stop word of the engine, no single
  character, no number) of the title or of the first claim, drawn without replacement with probability
  proportional to the word's idf in the store (the "discriminative" known-item query model: a person
  who remembers a patent remembers its unusual words), kept in text order and joined with a space.

Systems:
- ``ipoc``: ``ipoc.search.selectors.search_patents(user=None, q=query, limit=10)`` on the instance at
  ``IPOC_HOME`` (hybrid when vectors exist; the lexical index alone otherwise — ``encoded`` is printed);
- ``bm25``: plain BM25 (``ipoc.search.engine.bm25.BM25``, k1 1.2, b 0.75) over title + abstract + claims,
  rjieba precise cut (``search_quality.stock_tokens``) — claims included so that a claims query is fair.

Usage::

    IPOC_HOME=/tmp/ipoc-ir .venv/bin/python bench/known_item.py --make      # (re)write the queries
    IPOC_HOME=/tmp/ipoc-ir .venv/bin/python bench/known_item.py             # score both systems
"""

from __future__ import annotations

import argparse
import json
import math
import os
import random
import re
import sys
import time
from collections import Counter
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(HERE))

SEED = 15_0202
N_TITLE, N_CLAIMS = 300, 200
OUT = HERE / "known_item" / "queries.jsonl"


def django_setup(home: str) -> None:
    os.environ["IPOC_HOME"] = home
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ipoc.settings")
    import django

    django.setup()


def store_rows() -> list[tuple[str, str, str, str]]:
    """(key, title, abstract, claims text) of every patent, in id order."""
    from ipoc.patents.models import Patent
    from ipoc.patents.selectors import claims_text

    return [(k, t or "", a or "", claims_text(c)) for k, t, a, c in
            Patent.objects.order_by("pk").values_list("key", "title", "abstract", "claims")]


def content_words(text: str) -> list[str]:
    import rjieba

    from ipoc.search.engine.stopwords import STOPWORDS
    from ipoc.search.engine.tokenize import _prepare

    out = []
    for w in rjieba.cut(_prepare(text)):
        w = w.strip()
        if len(w) < 2 or w in STOPWORDS or re.fullmatch(r"[\d.]+", w):
            continue
        out.append(w)
    return list(dict.fromkeys(out))


def first_claim(claims: str) -> str:
    text = claims.strip()
    m = re.search(r"(?:^|\n)\s*2\s*[.、．]", text)
    return text[:m.start()] if m else text[:400]


def make(rows) -> list[dict]:
    titles = Counter(re.sub(r"\s+", "", t) for _k, t, _a, _c in rows)
    df: Counter = Counter()
    for _k, t, a, c in rows:
        df.update(set(content_words(f"{t} {a} {c[:2000]}")))
    n = len(rows)

    def idf(w: str) -> float:
        return math.log(1 + (n - df[w] + 0.5) / (df[w] + 0.5))

    order = [r for r in rows if titles[re.sub(r"\s+", "", r[1])] == 1 and r[1].strip()]
    rng = random.Random(SEED)
    rng.shuffle(order)

    def draw(words: list[str]) -> str | None:
        if len(words) < 2:
            return None
        k = 3 if len(words) >= 4 and rng.random() < 0.5 else 2
        pool = list(words)
        picked = []
        for _ in range(k):
            weights = [idf(w) for w in pool]
            x, j = rng.random() * sum(weights), 0
            while j < len(weights) - 1 and x > weights[j]:
                x -= weights[j]
                j += 1
            picked.append(pool.pop(j))
        return " ".join(w for w in words if w in picked)

    queries = []
    for key, title, _a, _c in order:
        if sum(q["source"] == "title" for q in queries) >= N_TITLE:
            break
        q = draw(content_words(title))
        if q:
            queries.append({"query": q, "key": key, "source": "title"})
    taken = 0
    for key, _t, _a, claims in order:
        if taken >= N_CLAIMS:
            break
        if not claims.strip():
            continue
        q = draw(content_words(first_claim(claims)))
        if q:
            queries.append({"query": q, "key": key, "source": "claims"})
            taken += 1
    return queries


def mrr_at_10(ranks: list[int | None]) -> dict:
    rr = [1.0 / r if r and r <= 10 else 0.0 for r in ranks]
    return {"mrr10": round(float(np.mean(rr)), 4), "s1": round(float(np.mean([r == 1 for r in ranks])), 4),
            "s10": round(float(np.mean([bool(r) and r <= 10 for r in ranks])), 4), "n": len(ranks)}


def rank_of(keys: list[str], key: str) -> int | None:
    return keys.index(key) + 1 if key in keys else None


def score(queries: list[dict], rows, systems: dict) -> dict:
    out = {}
    for name, fn in systems.items():
        t0 = time.perf_counter()
        ranks = {"title": [], "claims": []}
        for q in queries:
            ranks[q["source"]].append(rank_of(fn(q["query"]), q["key"]))
        allr = ranks["title"] + ranks["claims"]
        out[name] = {"all": mrr_at_10(allr), "title": mrr_at_10(ranks["title"]), "claims": mrr_at_10(ranks["claims"]),
                     "seconds": round(time.perf_counter() - t0, 1)}
    return out


def bm25_system(rows):
    from search_quality import stock_tokens

    from ipoc.search.engine.bm25 import BM25

    keys = [k for k, *_ in rows]
    bm = BM25([stock_tokens(f"{t}。{a}。{c}") for _k, t, a, c in rows])

    def run(q: str) -> list[str]:
        s = bm.scores(stock_tokens(q))
        idx = np.lexsort((np.arange(len(s)), -s))[:10]
        return [keys[i] for i in idx if s[i] > 0]

    return run


def ipoc_system():
    from ipoc.patents.models import Patent
    from ipoc.search import selectors

    keys = dict(Patent.objects.values_list("pk", "key"))

    def run(q: str) -> list[str]:
        page = selectors.search_patents(user=None, q=q, limit=10, snippets=False)
        return [keys[h.patent_id] for h in page.hits]

    return run


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--ipoc-home", default=os.environ.get("IPOC_HOME"))
    ap.add_argument("--make", action="store_true", help="(re)write the queries from the instance's store")
    ap.add_argument("--queries", default=str(OUT))
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()
    if not args.ipoc_home:
        ap.error("set IPOC_HOME or --ipoc-home to the demo instance")
    django_setup(args.ipoc_home)
    rows = store_rows()
    path = Path(args.queries)
    if args.make:
        queries = make(rows)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("".join(json.dumps(q, ensure_ascii=False) + "\n" for q in queries), encoding="utf-8")
        print(f"wrote {len(queries)} queries to {path}", file=sys.stderr)
    queries = [json.loads(x) for x in open(path, encoding="utf-8")]
    from ipoc.search import services

    status = services.engine().status()
    res = score(queries, rows, {"ipoc": ipoc_system(), "bm25": bm25_system(rows)})
    res["instance"] = {"patents": len(rows), "indexed": status["indexed"], "encoded": status["encoded"]}
    if args.json:
        print(json.dumps(res, ensure_ascii=False, indent=1))
        return 0
    print(f"{len(queries)} queries; {status['indexed']} patents indexed, {status['encoded']} encoded")
    print("| system | queries | MRR@10 | success@1 | success@10 |\n|---|---|---|---|---|")
    for name in ("ipoc", "bm25"):
        for part in ("all", "title", "claims"):
            m = res[name][part]
            print(f"| {name} ({part}) | {m['n']} | {m['mrr10']:.3f} | {m['s1']:.3f} | {m['s10']:.3f} |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
