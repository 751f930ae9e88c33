"""Fine-tuning the patent encoder (专利编码器微调; issue 15, points 3 and 6).

``ipoc encoder train titles_ipc.csv`` runs the recipe chosen in bench/RESULTS.md (sessions 7, 10 and 11):

1. **Selection run.** e5-small is fine-tuned on ``train_folds`` (folds 1–3) with a cosine-softmax head over the
   IPC subclasses; kNN top-1 on ``select_fold`` (fold 4) is measured before and after. The IPC suggester's
   hyper-parameters are then selected on fold 4 with the tuned encoder beside the stock one and the head mixed
   in — nothing in this run has seen fold 4.
2. **Refit** (default). The same recipe again on folds 1–4. The hyper-parameters selected in step 1 are kept
   in the model's meta (``ipc_params``) and ``ipoc ipc-model train`` uses them as they are: selecting again on
   fold 4, which the refit encoder has seen, chose wrong weights (nested fold 4: 0.556 against 0.575).

Fold 5 is never read. Needs torch (extra ``train``); the default install never imports this path. The search
engine keeps its encoder unless ``search=True`` (``--search``): then the tuned model also becomes the search
encoder (every patent is to be re-encoded: ``ipoc index encode --reset-vectors``).
"""

from __future__ import annotations

import csv
import hashlib
import logging
import os
import shutil
import time
from dataclasses import asdict
from pathlib import Path

from ipoc.core.errors import ApplicationError
from ipoc.search import services

logger = logging.getLogger(__name__)

TitleRow = tuple[str, list[str], str]  # title, IPC subclasses, fold


def read_titles(path: Path) -> list[TitleRow]:
    """(title, subclasses, fold) of every labelled row of a ``titles_ipc.csv``-shaped file."""
    rows: list[TitleRow] = []
    with path.open(encoding="utf-8-sig") as fh:
        for row in csv.DictReader(fh):
            title = (row.get("title") or "").strip()
            labels = list(dict.fromkeys(c.strip().upper()[:4] for c in (row.get("ipc_subclasses") or "").split("|")
                                        if c.strip()))
            if title and labels:
                rows.append((title, labels, (row.get("fold") or "").strip()))
    return rows


def select_ipc_params(rows: list[TitleRow], encoder, head=None) -> dict:
    """The IPC suggester's hyper-parameters selected on the last fold of ``rows`` (trained on the others) with
    ``encoder`` and the classification ``head``; returned as a dict with the validation top-1."""
    from ipoc.search.engine.ipc_suggest import IpcSuggester

    model = IpcSuggester.train([{"title": t, "ipc_subclasses": labels, "fold": f} for t, labels, f in rows],
                               encoder, head=head)
    params = {k: v for k, v in asdict(model.params).items() if k != "grid"}
    return params | {"validation_top1": round(float(getattr(model.params, "validation_top1", 0.0)), 4)}


def _export(target: Path, weights, cfg, tok, name: str, max_tokens: int | None, extra: dict) -> None:
    from ipoc.search.engine import onnx_encoder

    tmp = target.with_name(target.name + ".tmp")
    shutil.rmtree(tmp, ignore_errors=True)
    onnx_encoder.export(tmp, weights=weights, config=cfg, tokenizer=tok, name=name,
                        max_tokens=max_tokens or onnx_encoder.DEFAULT_MAX_TOKENS, extra=extra)
    shutil.rmtree(target, ignore_errors=True)
    os.replace(tmp, target)


def encoder_train(path: str | Path, *, train_folds: str = "1,2,3", select_fold: int = 4, epochs: int = 3,
                  max_tokens: int | None = None, refit: bool = True, search: bool = False) -> dict:
    """Fine-tune e5-small on ``titles_ipc.csv`` (see the module docstring). The float32 weights and the head
    go to ``<search dir>/ipc_encoder.weights/weights.npz``, an int8 ONNX export of them to
    :func:`services.ipc_encoder_dir`; retrain the suggester afterwards (``ipoc ipc-model train FILE``).
    ``select_fold=0``: no selection run — the model is tuned on ``train_folds`` only and the suggester selects
    its own hyper-parameters."""
    try:
        from ipoc.search.engine import tuning
    except ImportError as exc:  # pragma: no cover - optional
        raise ApplicationError("微调需要安装 torch（pip install 'ipoc[train]'）", field="encoder") from exc
    from ipoc.search.engine import e5_weights
    from ipoc.search.engine.encoders import ConcatEncoder, encoder_from_config
    from ipoc.search.engine.ipc_suggest import IpcHead

    path = Path(path)
    if not path.exists():
        raise ApplicationError(f"文件不存在 / no such file: {path}", field="file")
    folds = {f.strip() for f in str(train_folds).split(",") if f.strip()}
    if "5" in folds or str(select_fold) == "5" or (select_fold and str(select_fold) in folds):
        raise ApplicationError("第 5 折留作评测，选模型的折不得用于训练 / fold 5 is held out; the selection fold "
                               "must not be a training fold", field="train_folds")
    rows = read_titles(path)
    train = [(t, labels) for t, labels, f in rows if f in folds]
    select = [(t, labels) for t, labels, f in rows if select_fold and f == str(select_fold)]
    if len(train) < 2 or (select_fold and not select):
        raise ApplicationError("训练或选择数据不足（需要 fold 列）", field="file")
    started = time.monotonic()
    cfg, tok, w = e5_weights.read_model()

    def tune(rows_, select_):
        try:
            weights, info = tuning.finetune(cfg, tok, w, rows_, select_, epochs=epochs, log=logger.info)
        except ImportError as exc:
            raise ApplicationError("微调需要安装 torch（pip install 'ipoc[train]'）", field="encoder") from exc
        digest = hashlib.sha1(weights["l0.q.w"].tobytes() + weights[f"l{cfg.layers - 1}.fo.w"].tobytes())
        return weights, info, f"{services.TUNED_PREFIX}{digest.hexdigest()[:8]}"

    weights, info, name = tune(train, select)
    ipc_params: dict | None = None
    if select_fold:
        # the suggester's hyper-parameters, selected on the selection fold with this run's encoder and head
        probe = services.search_dir() / "ipc_encoder.select"
        _export(probe, weights, cfg, tok, name, max_tokens, {})
        try:
            tuned = encoder_from_config(f"onnx:{probe}")
            stock = services.stock_encoder()
            pair = not stock.name.startswith("hashing")
            encoder = ConcatEncoder(stock, tuned) if pair else tuned
            head = IpcHead(info["head_classes"], weights["ipc_head.w"], offset=stock.dim if pair else 0,
                           scale=float(info["scale"]))
            ipc_params = select_ipc_params([r for r in rows if r[2] in folds | {str(select_fold)}], encoder, head)
        finally:
            shutil.rmtree(probe, ignore_errors=True)
        logger.info("IPC suggester hyper-parameters selected on fold %s: %s", select_fold, ipc_params)
        if refit:
            measured = {k: info[k] for k in ("select_top1_before", "select_top1_after", "select_rows")}
            weights, info, name = tune(train + select, [])
            info |= measured | {"refit_folds": sorted(folds | {str(select_fold)})}
    info |= {"train_folds": sorted(folds), "select_fold": select_fold}
    if ipc_params is not None:
        info["ipc_params"] = ipc_params
    store = services.ipc_weights_path()
    e5_weights.save_weights(store, cfg, tok, weights, {"name": name, **info})
    _export(services.ipc_encoder_dir(), weights, cfg, tok, name, max_tokens,
            {"source": str(store), **{k: v for k, v in info.items() if k not in ("head_classes", "ipc_params")}})
    services.forget_models()
    out = {k: v for k, v in info.items() if k != "head_classes"}
    if search:
        out["search_encoder"] = services.encoder_export(max_tokens=max_tokens, weights=store)["encoder"]
    return {**out, "path": str(services.ipc_encoder_dir()), "weights": str(store),
            "encoder": services.ipc_encoder().name, "seconds": round(time.monotonic() - started, 1)}


__all__ = ["encoder_train", "read_titles", "select_ipc_params"]
