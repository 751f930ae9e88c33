"""Judged matching set (issue 15, point 5): sample real demands, pool the top-10 of IPOC and of plain BM25,
and write a BLIND grading sheet.

Steps (see README.md in this folder for the grading guide and the commands):

1. Sample. The 607 real demands of ``cn/demands.csv``; "technology" demands only (talent requests,
   tagged project-landing requests, purchase requests and titles of fewer than 3 characters are left out,
   rules in :func:`demand_kind`); shuffled with :data:`SEED`; taken in that order, skipping a demand whose
   title is a near-duplicate (Jaccard similarity of character bigrams ≥ :data:`NEAR_DUPLICATE`) of one already
   taken, until :data:`N_DEV` + :data:`N_HELDOUT` are taken. The first :data:`N_DEV` are ``dev`` (may be tuned
   on), the rest ``heldout`` (NEVER tuned on: only reported).
2. Pool. For each sampled demand, the top-10 of
   - ``ipoc``: the product's matching as it runs — ``ipoc.matching.services.demand_match`` on the demand record
     the demo imported from the same CSV row (the path the 匹配 button and the batch job take: query from
     ``demand_query``, hybrid search, legal-status filter, the center's reranker), on the instance at
     ``IPOC_HOME``. Whether dense vectors existed (and how many) is written to ``run_meta.json``.
   - ``bm25``: plain BM25 (``ipoc.search.engine.bm25.BM25``, k1 1.2, b 0.75) over title + "。" + abstract of
     every patent of the same instance, rjieba precise cut (``bench/search_quality.py``'s ``stock_tokens``),
     the demand's title as the query; only patents with a positive score.
3. Write ``pools.jsonl`` (demand, split, each system's ranked patent keys; NOT for the grader),
   ``patents.jsonl`` (key, title, abstract of every pooled patent, so later blind sheets can be written without
   the instance), ``run_meta.json`` (provenance: instance, vectors, weights, timings) and ``to_grade.jsonl``:
   one line per unique (demand, patent) pair, shuffled with :data:`SHEET_SEED`, holding only an opaque pair id,
   the demand's title + detail and the patent's title + abstract (trimmed).

``--run NAME`` instead re-runs only the product's matching for the demands already in ``pools.jsonl``
(same ids, no new sample) and writes ``runs/NAME.jsonl`` for ``score.py --system NAME=runs/NAME.jsonl``:
how a later change to matching (or an instance with every patent encoded) is judged on the same demands.

Usage::

    IPOC_HOME=/tmp/ipoc-m1 .venv/bin/python bench/matching_judged/make_pools.py
    IPOC_HOME=/tmp/ipoc-enc .venv/bin/python bench/matching_judged/make_pools.py --run ipoc_encoded
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import json
import os
import random
import re
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT / "bench"))

SEED = 15_0515  # the sample (issue 15, point 5)
SHEET_SEED = 15_0516  # the order of the grading sheet
N_DEV, N_HELDOUT = 40, 20
NEAR_DUPLICATE = 0.6
TOP = 10
DEMAND_CHARS, PATENT_CHARS = 300, 400
SYSTEMS = ("ipoc", "bm25")

# Demands patents cannot answer (issue 15, point 1). The title decides; order matters (first rule wins).
NON_TECHNOLOGY = (
    ("talent", re.compile(r"【(人才引进|海外高端人才)】|人才|专家|博士|团队")),
    ("project_landing", re.compile(r"【项目[^】]*】|项目落地|产业方向|引入新项目|基地")),
    ("purchase", re.compile(r"采购|求购|购买")),
)


def data_dir() -> Path:
    return Path(os.environ.get("IPOC_SAMPLE_DATA", ROOT.parent / "shared" / "data"))


def demand_kind(title: str) -> str:
    for kind, rx in NON_TECHNOLOGY:
        if rx.search(title):
            return kind
    core = re.sub(r"【[^】]*】|[\W_]+", "", title)
    return "technology" if len(core) >= 3 else "too_short"


def title_shingles(title: str) -> frozenset[str]:
    """Character bigrams of a title without bracketed tags and punctuation (as the product's importer)."""
    text = re.sub(r"【[^】]*】|\[[^\]]*\]", "", title)
    text = re.sub(r"[\s\W_]+", "", text.lower())
    return frozenset(text[i:i + 2] for i in range(max(len(text) - 1, 1)))


def jaccard(a: frozenset[str], b: frozenset[str]) -> float:
    return len(a & b) / len(a | b) if a and b else 0.0


def pair_id(demand_id: str, patent_key: str) -> str:
    """Opaque and stable: the same (demand, patent) has the same id on every sheet, whichever system found it."""
    return "p" + hashlib.sha1(f"{demand_id}|{patent_key}".encode()).hexdigest()[:12]


def trim(text: str, n: int) -> str:
    text = re.sub(r"\s+", " ", (text or "").strip())
    return text if len(text) <= n else text[:n].rstrip() + "…"


def read_demands() -> list[dict]:
    with open(data_dir() / "cn" / "demands.csv", encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    return [{"demand_id": f"d{i:03d}", "row": i, **r} for i, r in enumerate(rows, start=1)]


def sample(rows: list[dict]) -> tuple[list[dict], dict]:
    kinds: dict[str, int] = {}
    eligible = []
    for r in rows:
        k = demand_kind(r["title"])
        kinds[k] = kinds.get(k, 0) + 1
        if k == "technology":
            eligible.append(r)
    order = list(eligible)
    random.Random(SEED).shuffle(order)
    taken: list[dict] = []
    skipped = []
    for r in order:
        sh = title_shingles(r["title"])
        dup = next((t for t in taken if jaccard(sh, t["_sh"]) >= NEAR_DUPLICATE), None)
        if dup is not None:
            skipped.append({"demand_id": r["demand_id"], "title": r["title"], "near_duplicate_of": dup["demand_id"]})
            continue
        taken.append({**r, "_sh": sh})
        if len(taken) == N_DEV + N_HELDOUT:
            break
    for i, r in enumerate(taken):
        r.pop("_sh")
        r["split"] = "dev" if i < N_DEV else "heldout"
    info = {"csv_rows": len(rows), "kinds": kinds, "eligible_technology": len(eligible),
            "skipped_near_duplicates": skipped, "seed": SEED, "near_duplicate_threshold": NEAR_DUPLICATE}
    return taken, info


# ------------------------------------------------------------------------------------------- the instance


def django_setup(home: str) -> None:
    os.environ["IPOC_HOME"] = home
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ipoc.settings")
    import django

    django.setup()


def demand_records(picked: list[dict]) -> dict[str, object]:
    """The demo's records of the sampled CSV rows: the demo imports the file in row order (source
    ``import:demands.csv``), so the n-th record by id is row n; every title is checked."""
    from ipoc.demands.models import Demand

    records = list(Demand.objects.filter(source="import:demands.csv").order_by("pk"))
    if not records:
        sys.exit("this instance has no demands imported from demands.csv: run `ipoc demo` first")
    out = {}
    for r in picked:
        rec = records[r["row"] - 1] if r["row"] <= len(records) else None
        if rec is None or rec.title.strip() != r["title"].strip()[:300]:
            cands = [d for d in records if d.title.strip() == r["title"].strip()[:300]]
            if len(cands) != 1:
                sys.exit(f"cannot find the demo record of row {r['row']} ({r['title'][:30]})")
            rec = cands[0]
        out[r["demand_id"]] = rec
    return out


def engine_status() -> dict:
    from ipoc.search import services

    st = services.engine().status()
    return {k: st.get(k) for k in ("encoder", "indexed", "encoded", "not_encoded", "vector_error", "ipc_model")}


def run_ipoc(picked: list[dict], log) -> tuple[dict[str, list[str]], dict[str, dict], dict]:
    """The product's matching for every sampled demand: ranked patent keys, texts, timings."""
    from ipoc.matching import services as matching
    from ipoc.patents.models import Patent

    records = demand_records(picked)
    runs: dict[str, list[str]] = {}
    extra: dict[str, dict] = {}
    seconds = []
    weights = None
    for i, r in enumerate(picked, start=1):
        rec = records[r["demand_id"]]
        t0 = time.perf_counter()
        matches = matching.demand_match(actor=None, demand=rec, limit=TOP)
        seconds.append(time.perf_counter() - t0)
        ids = [m.patent_id for m in sorted(matches, key=lambda m: m.rank)]
        keys = dict(Patent.objects.filter(pk__in=ids).values_list("pk", "key"))
        runs[r["demand_id"]] = [keys[x] for x in ids]
        first = matches[0].explanation if matches else {}
        weights = weights or first.get("weights")
        extra[r["demand_id"]] = {"demand_pk": rec.pk, "query": matching.demand_query(rec),
                                 "scores": [m.score for m in sorted(matches, key=lambda m: m.rank)],
                                 "demand_ipc_note": first.get("demand_ipc_note", "")}
        if i % 10 == 0:
            log(f"  ipoc: {i}/{len(picked)} demands, last {seconds[-1]:.2f}s")
    s = np.array(seconds)
    timing = {"demands": len(seconds), "seconds_total": round(float(s.sum()), 2),
              "seconds_p50": round(float(np.percentile(s, 50)), 3),
              "seconds_p95": round(float(np.percentile(s, 95)), 3), "weights": weights}
    return runs, extra, timing


def patent_texts(keys) -> dict[str, dict]:
    from ipoc.patents.models import Patent

    out = {}
    keys = list(keys)
    for a in range(0, len(keys), 2000):
        for key, title, abstract in Patent.objects.filter(key__in=keys[a:a + 2000]).values_list(
                "key", "title", "abstract"):
            out[key] = {"title": title, "abstract": abstract}
    return out


def run_bm25(picked: list[dict], log) -> tuple[dict[str, list[str]], dict]:
    from search_quality import stock_tokens

    from ipoc.patents.models import Patent
    from ipoc.search.engine.bm25 import BM25

    t0 = time.perf_counter()
    rows = list(Patent.objects.order_by("pk").values_list("key", "title", "abstract"))
    keys = [k for k, _t, _a in rows]
    bm = BM25([stock_tokens(f"{t}。{a}") for _k, t, a in rows])
    built = time.perf_counter() - t0
    log(f"  bm25: {len(rows)} patents tokenised and indexed in {built:.1f}s")
    runs = {}
    for r in picked:
        s = bm.scores(stock_tokens(r["title"]))
        idx = np.lexsort((np.arange(len(s)), -s))[:TOP]  # score desc, then store order: deterministic
        runs[r["demand_id"]] = [keys[i] for i in idx if s[i] > 0]
    return runs, {"patents": len(rows), "index_seconds": round(built, 2)}


def git_state() -> dict:
    def git(*a):
        return subprocess.run(["git", *a], cwd=ROOT, capture_output=True, text=True).stdout.strip()

    return {"commit": git("rev-parse", "HEAD"),
            "uncommitted_in_matching_or_search": git("status", "--porcelain", "--", "src/ipoc/matching",
                                                     "src/ipoc/search").splitlines()}


# ------------------------------------------------------------------------------------------- outputs


def write_jsonl(path: Path, items) -> None:
    with open(path, "w", encoding="utf-8") as fh:
        for item in items:
            fh.write(json.dumps(item, ensure_ascii=False) + "\n")


def blind_sheet(pairs: list[tuple[str, str]], demands: dict[str, dict], texts: dict[str, dict],
                seed: int) -> list[dict]:
    """One line per (demand id, patent key) pair: opaque id + texts only. Shuffled with ``seed``."""
    lines = []
    for demand_id, key in sorted(set(pairs)):
        d, p = demands[demand_id], texts[key]
        lines.append({"pair": pair_id(demand_id, key),
                      "demand": {"title": d["title"].strip(), "detail": trim(d.get("detail", ""), DEMAND_CHARS)},
                      "patent": {"title": (p["title"] or "").strip(), "abstract": trim(p["abstract"], PATENT_CHARS)}})
    random.Random(seed).shuffle(lines)
    return lines


def check_blind(path: Path, forbidden=SYSTEMS) -> None:
    """The sheet holds only pair ids and texts: fixed keys, opaque ids, no system name anywhere."""
    for n, line in enumerate(open(path, encoding="utf-8"), start=1):
        item = json.loads(line)
        assert set(item) == {"pair", "demand", "patent"}, f"line {n}: keys {sorted(item)}"
        assert set(item["demand"]) == {"title", "detail"} and set(item["patent"]) == {"title", "abstract"}
        assert re.fullmatch(r"p[0-9a-f]{12}", item["pair"]), f"line {n}: pair id {item['pair']}"
        low = line.lower()
        for word in forbidden:
            assert word.lower() not in low, f"line {n} names {word}"


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--ipoc-home", default=os.environ.get("IPOC_HOME"),
                    help="the demo instance (default: $IPOC_HOME)")
    ap.add_argument("--out", default=str(HERE), help="output folder (default: this folder)")
    ap.add_argument("--run", metavar="NAME", help="only re-run the product's matching on the demands of "
                    "pools.jsonl and write runs/NAME.jsonl (no new sample, no new sheet)")
    args = ap.parse_args()
    if not args.ipoc_home:
        ap.error("set IPOC_HOME or --ipoc-home to the demo instance")
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)

    def log(msg: str) -> None:
        print(msg, file=sys.stderr, flush=True)

    t_start = time.perf_counter()
    django_setup(args.ipoc_home)

    if args.run:
        if not re.fullmatch(r"[a-z0-9_]+", args.run) or args.run in SYSTEMS:
            ap.error("--run NAME: lowercase letters, digits and _; not ipoc or bm25 (those are the pooled runs)")
        picked = [json.loads(x) for x in open(out / "pools.jsonl", encoding="utf-8")]
        status = engine_status()
        log(f"instance {args.ipoc_home}: {status['encoded']} of {status['indexed']} patents encoded")
        runs, extra, timing = run_ipoc(picked, log)
        texts = patent_texts({k for v in runs.values() for k in v})
        (out / "runs").mkdir(exist_ok=True)
        write_jsonl(out / "runs" / f"{args.run}.jsonl", (
            {"demand_id": r["demand_id"], "ranked": runs[r["demand_id"]], "query": extra[r["demand_id"]]["query"],
             "patents": {k: texts[k] for k in runs[r["demand_id"]]}} for r in picked))
        meta = {"system": args.run, "ipoc_home": args.ipoc_home, "engine": status, "timing": timing,
                "git": git_state(), "seconds": round(time.perf_counter() - t_start, 1)}
        (out / "runs" / f"{args.run}.meta.json").write_text(json.dumps(meta, ensure_ascii=False, indent=1) + "\n",
                                                            encoding="utf-8")
        log(f"wrote {out / 'runs' / (args.run + '.jsonl')}; score with: score.py --system "
            f"{args.run}={out / 'runs' / (args.run + '.jsonl')}")
        return 0

    rows = read_demands()
    picked, sample_info = sample(rows)
    log(f"sample: {sample_info['eligible_technology']} technology demands of {len(rows)}; "
        f"{sum(r['split'] == 'dev' for r in picked)} dev, {sum(r['split'] == 'heldout' for r in picked)} heldout")
    status_before = engine_status()
    log(f"instance {args.ipoc_home}: {status_before['encoded']} of {status_before['indexed']} patents encoded, "
        f"IPC model: {status_before['ipc_model'] or 'none'}")
    ipoc_runs, ipoc_extra, ipoc_timing = run_ipoc(picked, log)
    bm25_runs, bm25_info = run_bm25(picked, log)
    status_after = engine_status()

    pooled = {(r["demand_id"], k) for r in picked for runs in (ipoc_runs, bm25_runs) for k in runs[r["demand_id"]]}
    texts = patent_texts({k for _d, k in pooled})
    missing = {k for _d, k in pooled} - set(texts)
    if missing:
        sys.exit(f"pooled patents missing from the store: {sorted(missing)[:5]}")

    write_jsonl(out / "pools.jsonl", (
        {"demand_id": r["demand_id"], "row": r["row"], "split": r["split"], "title": r["title"],
         "detail": r["detail"], "category": r["category"],
         "systems": {"ipoc": ipoc_runs[r["demand_id"]], "bm25": bm25_runs[r["demand_id"]]},
         "ipoc_query": ipoc_extra[r["demand_id"]]["query"]} for r in picked))
    write_jsonl(out / "patents.jsonl", ({"key": k, **texts[k]} for k in sorted(texts)))
    demands = {r["demand_id"]: r for r in picked}
    sheet = blind_sheet(sorted(pooled), demands, texts, SHEET_SEED)
    write_jsonl(out / "to_grade.jsonl", sheet)
    check_blind(out / "to_grade.jsonl")

    overlap = [len(set(ipoc_runs[d]) & set(bm25_runs[d])) for d in demands]
    meta = {
        "ipoc_home": args.ipoc_home,
        "sample": sample_info,
        "splits": {s: [r["demand_id"] for r in picked if r["split"] == s] for s in ("dev", "heldout")},
        "engine_before": status_before,
        "engine_after": status_after,
        "dense_vectors": (f"{status_before['encoded']} of {status_before['indexed']} patents encoded: "
                          + ("the ipoc run is lexical only (no vectors)" if not status_before["encoded"]
                             else "hybrid over the encoded patents")),
        "ipc_model": status_before["ipc_model"] or "none (the demand-IPC feature was off)",
        "ipoc": ipoc_timing | {"returned_fewer_than_10": sum(len(v) < TOP for v in ipoc_runs.values())},
        "bm25": bm25_info | {"returned_fewer_than_10": sum(len(v) < TOP for v in bm25_runs.values())},
        "pairs_to_grade": len(sheet),
        "overlap_top10_mean": round(float(np.mean(overlap)), 2),
        "git": git_state(),
        "seconds": round(time.perf_counter() - t_start, 1),
    }
    (out / "run_meta.json").write_text(json.dumps(meta, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    log(f"wrote pools.jsonl ({len(picked)} demands), to_grade.jsonl ({len(sheet)} pairs, blind check passed), "
        f"patents.jsonl, run_meta.json in {meta['seconds']}s; {meta['dense_vectors']}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
