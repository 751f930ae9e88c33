"""IPC subclass suggestion with a patent-tuned encoder (issue 15, point 6).

For each ``--encoder`` spec (e.g. ``onnx:<IPOC_HOME>/search/ipc_encoder`` written by ``ipoc encoder train``,
whose fine-tuning saw folds 1–3 and was checked on fold 4), the product's IPC suggester (``IpcSuggester``,
kernel ridge regression, every hyper-parameter selected on fold 4 held out from folds 1–3, then refit on
folds 1–4) is trained from ``titles_ipc.csv`` and its fold-4 validation top-1 printed. Fold 5 is read only
with ``--final``: then each model's top-1 (its first suggestion is one of the record's subclasses) and
top-5 recall on fold 5 are printed — run it once, at the end, after choosing on fold 4.

``--params`` (repeatable) names suggester configurations to train with each encoder, each text encoded
once: ``default`` (today's ``IpcParams()``), the session-8 candidates ``linear`` (the softmax-regression
head's weight ``krr_w_lin`` selected in 0, 0.5, 1, 2) and ``unigrams`` (character unigrams in the lexical
features, ``w_lex`` up to 1.5), or a JSON object of ``IpcParams`` fields.

    OMP_NUM_THREADS=1 python bench/ipc_tuned.py --encoder onnx:/tmp/x/search/ipc_encoder --final
    OMP_NUM_THREADS=1 python bench/ipc_tuned.py --encoder onnx:/tmp/x/search/encoder --params default --params linear

An encoder spec may be ``concat:<spec>|<spec>`` (two encoders side by side, as the product's IPC suggester
reads the stock and the tuned one: ``search.services.ipc_encoder``).

``--head WEIGHTS`` (a tuned model's ``weights.npz`` from ``ipoc encoder train``, which keeps the cosine-softmax
classification head it was trained with): each ``concat:`` encoder is also run with that head mixed into the
KRR score (``IpcParams.krr_w_head``, selected like the other weights), as the row ``<spec> +head``.
``--no-select`` trains with the given ``--params`` as they are (no selection on the last training fold): the
final refit with the hyper-parameters chosen earlier.

``--nested`` is the unbiased fold-4 check used for choosing: the same procedure run on folds 1–3 only
(selection on fold 3, refit on folds 1–3), scored on fold 4; fold 5 is not read.
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


class CachedEncoder:
    """Encodes each distinct text once for several suggester configurations."""

    def __init__(self, encoder):
        self.encoder, self.name, self.cache = encoder, encoder.name, {}

    def encode_queries(self, texts):
        todo = list(dict.fromkeys(t for t in texts if t not in self.cache))
        if todo:
            self.cache.update(zip(todo, np.asarray(self.encoder.encode_queries(todo), np.float32), strict=True))
        return np.stack([self.cache[t] for t in texts])

    def encode_passages(self, texts):
        return self.encoder.encode_passages(texts)


def params_for(name: str):
    from ipoc.search.engine.ipc_suggest import IpcParams

    if name == "default":
        return IpcParams()
    if name == "linear":
        p = IpcParams()
        p.grid["krr_w_lin"] = [0.0, 0.5, 1.0, 2.0]
        return p
    if name == "unigrams":
        p = IpcParams(lex_grams=(1, 2))
        p.grid["w_lex"] = [0.0, 0.25, 0.5, 0.75, 1.0, 1.5]
        return p
    return IpcParams(**json.loads(name))


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--encoder", action="append", required=True)
    ap.add_argument("--titles", default=str(ROOT.parent / "shared" / "data" / "cn" / "titles_ipc.csv"))
    ap.add_argument("--params", action="append", help="default | linear | unigrams | JSON of IpcParams fields")
    ap.add_argument("--nested", action="store_true", help="train on folds 1–3, score fold 4 (no fold 5)")
    ap.add_argument("--final", action="store_true", help="evaluate on fold 5 (once, at the end)")
    ap.add_argument("--head", help="a tuned model's weights.npz: also run each concat: encoder with its head")
    ap.add_argument("--no-select", action="store_true", help="train with --params as given, no selection")
    ap.add_argument("--json")
    args = ap.parse_args()
    from ipoc.search.engine.encoders import encoder_from_config
    from ipoc.search.engine.ipc_suggest import IpcHead, IpcSuggester

    titles = Path(args.titles)
    if not titles.exists():
        titles = Path("/work/shared/data/cn/titles_ipc.csv")
    rows = list(csv.DictReader(titles.open(encoding="utf-8-sig")))
    if args.nested and args.final:
        ap.error("--nested scores fold 4 and never reads fold 5")
    train_folds = {"1", "2", "3"} if args.nested else {"1", "2", "3", "4"}
    train = [r for r in rows if r["fold"] in train_folds]
    test = [r for r in rows if r["fold"] == ("4" if args.nested else "5")] if args.nested or args.final else []
    gold = [{c.strip().upper()[:4] for c in r["ipc_subclasses"].split("|") if c.strip()} for r in test]
    out: dict = {"load_before": os.getloadavg(), "final": bool(args.final), "models": {}}
    runs = [(spec, name, False) for spec in args.encoder for name in (args.params or ["default"])]
    if args.head:
        runs += [(spec, name, True) for spec in args.encoder if spec.startswith("concat:")
                 for name in (args.params or ["default"])]
    encoders: dict = {}
    for spec, name, with_head in runs:
        if spec not in encoders:
            encoders[spec] = CachedEncoder(encoder_from_config(spec))
            w0 = time.perf_counter()
            encoders[spec].encode_queries([x["title"] for x in train])  # train times below exclude encoding
            out.setdefault("encode_train_wall_s", {})[spec] = round(time.perf_counter() - w0, 1)
        enc = encoders[spec]
        w0, c0 = time.perf_counter(), cpu()
        head = IpcHead.from_weights(args.head, offset=enc.encoder.parts[0].dim) if with_head else None
        model = IpcSuggester.train(train, enc, params_for(name), head=head, select=not args.no_select)
        val = getattr(model.params, "validation_top1", None)
        r = {"encoder": enc.name + (" +head" if with_head else ""), "params": name,
             "selected": {k: getattr(model.params, k) for k in ("krr_tau", "krr_lam", "lex_lam", "w_lex", "krr_w_head",
                                                                "beta")},
             ("fold3" if args.nested else "fold4") + "_validation_top1": None if val is None else round(float(val), 4),
             "train_wall_s": round(time.perf_counter() - w0, 1), "train_cpu_s": round(cpu() - c0, 1)}
        if test:
            texts = [x["title"] for x in test]
            sugg = model.suggest_many(texts, top=5, embeddings=enc.encode_queries(texts))
            k = "fold4" if args.nested else "fold5"
            r[f"{k}_top1"] = round(float(np.mean([bool(s) and s[0][0] in gold[i] for i, s in enumerate(sugg)])), 4)
            r[f"{k}_top5_recall"] = round(float(np.mean([bool({c for c, _ in s} & gold[i])
                                                          for i, s in enumerate(sugg)])), 4)
        key = spec if not args.params else f"{spec} {name}"
        out["models"][key + (" +head" if with_head else "")] = r
        print(json.dumps(r, ensure_ascii=False), flush=True)
    out["load_after"] = os.getloadavg()
    if args.json:
        Path(args.json).write_text(json.dumps(out, ensure_ascii=False, indent=1) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
