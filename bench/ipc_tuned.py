"""IPC subclass suggestion with a patent-tuned encoder (issue 15, point 6).

For each ``--encoder`` spec (e.g. ``onnx:<IPOC_HOME>/search/ipc_encoder`` written by ``ipoc encoder train``,
whose fine-tuning saw folds 1–3 and was checked on fold 4), the product's IPC suggester (``IpcSuggester``,
kernel ridge regression, every hyper-parameter selected on fold 4 held out from folds 1–3, then refit on
folds 1–4) is trained from ``titles_ipc.csv`` and its fold-4 validation top-1 printed. Fold 5 is read only
with ``--final``: then each model's top-1 (its first suggestion is one of the record's subclasses) and
top-5 recall on fold 5 are printed — run it once, at the end, after choosing on fold 4.

    OMP_NUM_THREADS=1 python bench/ipc_tuned.py --encoder onnx:/tmp/x/search/ipc_encoder --final
"""

from __future__ import annotations

import os

os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import argparse
import csv
import json
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))


def cpu() -> float:
    t = os.times()
    return t.user + t.system


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--encoder", action="append", required=True)
    ap.add_argument("--titles", default=str(ROOT.parent / "shared" / "data" / "cn" / "titles_ipc.csv"))
    ap.add_argument("--final", action="store_true", help="evaluate on fold 5 (once, at the end)")
    ap.add_argument("--json")
    args = ap.parse_args()
    from ipoc.search.engine.encoders import encoder_from_config
    from ipoc.search.engine.ipc_suggest import IpcSuggester

    titles = Path(args.titles)
    if not titles.exists():
        titles = Path("/work/shared/data/cn/titles_ipc.csv")
    rows = list(csv.DictReader(titles.open(encoding="utf-8-sig")))
    train = [r for r in rows if r["fold"] != "5"]
    test = [r for r in rows if r["fold"] == "5"]
    gold = [{c.strip().upper()[:4] for c in r["ipc_subclasses"].split("|") if c.strip()} for r in test]
    out: dict = {"load_before": os.getloadavg(), "final": bool(args.final), "models": {}}
    for spec in args.encoder:
        enc = encoder_from_config(spec)
        w0, c0 = time.perf_counter(), cpu()
        model = IpcSuggester.train(train, enc)
        r = {"encoder": enc.name, "fold4_validation_top1": round(float(model.params.validation_top1), 4),
             "train_wall_s": round(time.perf_counter() - w0, 1), "train_cpu_s": round(cpu() - c0, 1)}
        if args.final:
            sugg = model.suggest_many([x["title"] for x in test], top=5)
            r["fold5_top1"] = round(float(np.mean([bool(s) and s[0][0] in gold[i] for i, s in enumerate(sugg)])), 4)
            r["fold5_top5_recall"] = round(float(np.mean([bool({c for c, _ in s} & gold[i])
                                                          for i, s in enumerate(sugg)])), 4)
        out["models"][spec] = r
        print(json.dumps(r, ensure_ascii=False), flush=True)
    out["load_after"] = os.getloadavg()
    if args.json:
        Path(args.json).write_text(json.dumps(out, ensure_ascii=False, indent=1) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
