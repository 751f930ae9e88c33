"""IPC subclass suggestion for free text (e.g. a demand, an invention title).

Model = weighted sum of three class-score vectors, each a distribution over subclasses:

* **dense kNN** – the ``k`` nearest training titles by e5 cosine, votes weighted by
  ``exp((cos − cos_max)/τ)``, each neighbour's vote split over its subclasses;
* **BM25 kNN** – the ``k`` best BM25 training titles (in-memory :class:`bm25.BM25` over
  :func:`tokenize.tokenize` tokens), votes weighted by ``score/score_max``;
* **linear** – softmax regression (numpy, Adam, L2) on the e5 embedding (optionally ‖ hashed
  tf-idf token features, ``hash_scale`` > 0; off by default: it lowered validation accuracy) trained against the multi-label soft target (1/|labels| each).

Mixing weights and ``k`` are selected on a validation split carved out of the *training*
rows (the last training fold when rows carry ``fold``, else a seeded 20 %), then the model
is refit on all training rows.  No evaluation data is ever seen.

``IpcSuggester.train(rows, encoder)`` → model; ``save(path)`` / ``IpcSuggester.load(path,
encoder)``; ``suggest(text, top=5)`` → ``[(subclass, score), …]`` (scores sum to ≤ 1).
"""

from __future__ import annotations

import json
import zlib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from .bm25 import BM25
from .encoders import Encoder
from .tokenize import tokenize

HASH_DIM = 1024


@dataclass
class IpcParams:
    k_dense: int = 30
    k_bm25: int = 30
    tau: float = 0.05
    w_dense: float = 1.0
    w_bm25: float = 0.5
    w_lin: float = 1.0
    l2: float = 1e-5
    epochs: int = 200
    hash_scale: float = 0.0  # weight of the hashed tf·idf block in the linear model (0 = e5 only)
    lr: float = 0.02
    grid: dict[str, list[float]] = field(
        default_factory=lambda: {
            "w_bm25": [0.0, 0.25, 0.5, 1.0],
            "w_lin": [0.0, 0.5, 1.0, 2.0],
            "tau": [0.02, 0.05, 0.1],
        }
    )


def _row(r: Any) -> tuple[str, list[str], Any]:
    if isinstance(r, Mapping):
        labs = r.get("ipc_subclasses", r.get("ipc", r.get("labels")))
        fold = r.get("fold")
        text = r.get("title") or r.get("text") or ""
    else:
        text, labs = r[0], r[1]
        fold = r[2] if len(r) > 2 else None
    if isinstance(labs, str):
        labs = [x for x in labs.replace(",", "|").replace(";", "|").split("|") if x.strip()]
    labs = list(dict.fromkeys(str(x).strip().upper().replace(" ", "")[:4] for x in labs if str(x).strip()))
    return text, labs, fold


def _hash_feats(tokens_list: Sequence[Sequence[str]], idf: np.ndarray | None = None) -> np.ndarray:
    """Dense signed-hashed tf·idf token features (n, HASH_DIM), rows L2-normalised."""
    X = np.zeros((len(tokens_list), HASH_DIM), np.float32)
    for i, toks in enumerate(tokens_list):
        for t in toks:
            h = zlib.crc32(t.encode("utf-8"))
            j = h % HASH_DIM
            X[i, j] += (1.0 if (h >> 31) & 1 else -1.0) * (idf[j] if idf is not None else 1.0)
    n = np.linalg.norm(X, axis=1, keepdims=True)
    n[n == 0] = 1.0
    return X / n


def _softmax(z: np.ndarray) -> np.ndarray:
    z = z - z.max(axis=1, keepdims=True)
    e = np.exp(z)
    return e / e.sum(axis=1, keepdims=True)


class _Linear:
    """Softmax regression on [e5 ‖ hashed tf·idf] features."""

    def __init__(self, dim: int, n_classes: int):
        self.W = np.zeros((dim, n_classes), np.float32)
        self.b = np.zeros(n_classes, np.float32)

    def logits(self, X: np.ndarray) -> np.ndarray:
        return X @ self.W + self.b

    def fit(self, X: np.ndarray, Y: np.ndarray, *, epochs: int, lr: float, l2: float) -> None:
        """Full-batch Adam on cross-entropy against soft (multi-label) targets."""
        params = [self.W, self.b]
        m = [np.zeros_like(p) for p in params]
        v = [np.zeros_like(p) for p in params]
        b1, b2, eps = 0.9, 0.999, 1e-8
        n = len(X)
        for t in range(1, epochs + 1):
            G = (_softmax(self.logits(X)) - Y) / n
            grads = (X.T @ G + l2 * self.W, G.sum(axis=0))
            for i, g in enumerate(grads):
                m[i] *= b1
                m[i] += (1 - b1) * g
                v[i] *= b2
                v[i] += (1 - b2) * g * g
                params[i] -= lr * (m[i] / (1 - b1**t)) / (np.sqrt(v[i] / (1 - b2**t)) + eps)


def _features(E: np.ndarray, toks, idf, hash_scale: float) -> np.ndarray:
    if hash_scale <= 0:
        return np.asarray(E, np.float32)
    return np.hstack([np.asarray(E, np.float32), hash_scale * _hash_feats(toks, idf)])


class IpcSuggester:
    def __init__(
        self,
        classes: list[str],
        Y: np.ndarray,
        E: np.ndarray,
        tokens: list[list[str]],
        idf: np.ndarray,
        lin: _Linear,
        params: IpcParams,
        encoder: Encoder | None = None,
        encoder_name: str = "",
    ):
        self.classes = classes
        self.Y = Y.astype(np.float32)  # (n_train, C) soft labels
        self.E = E.astype(np.float32)  # (n_train, dim) e5 embeddings of training texts (query-side)
        self.tokens = tokens
        self.idf = idf
        self.lin = lin
        self.params = params
        self.encoder = encoder
        self.encoder_name = encoder_name or (encoder.name if encoder else "")
        self.bm25 = BM25(tokens)

    # ---- training
    @classmethod
    def train(
        cls,
        rows: Iterable[Any],
        encoder: Encoder,
        params: IpcParams | None = None,
        *,
        select: bool = True,
        verbose: bool = False,
    ) -> IpcSuggester:
        """Fit on ``rows`` (dicts with title + ipc_subclasses [+ fold], or (text, labels[, fold]) tuples)."""
        params = params or IpcParams()
        data = [_row(r) for r in rows]
        data = [d for d in data if d[0] and d[1]]
        texts = [d[0] for d in data]
        E_all = encoder.encode_queries(texts)
        toks_all = [tokenize(t) for t in texts]
        if select and len(data) >= 200:
            folds = [d[2] for d in data]
            if all(f is not None for f in folds) and len(set(folds)) > 1:
                val_fold = max(folds)
                val = np.array([f == val_fold for f in folds])
            else:
                val = np.random.default_rng(0).random(len(data)) < 0.2
            tr = np.flatnonzero(~val)
            va = np.flatnonzero(val)
            sub = cls._fit([data[i] for i in tr], E_all[tr], [toks_all[i] for i in tr], params, encoder)
            params = sub._select(
                E_all[va], [toks_all[i] for i in va], [data[i][1] for i in va], verbose=verbose
            )
        return cls._fit(data, E_all, toks_all, params, encoder)

    @classmethod
    def _fit(cls, data, E, toks, params: IpcParams, encoder) -> IpcSuggester:
        classes = sorted({c for _, labs, _ in data for c in labs})
        ci = {c: i for i, c in enumerate(classes)}
        Y = np.zeros((len(data), len(classes)), np.float32)
        for i, (_, labs, _) in enumerate(data):
            for c in labs:
                Y[i, ci[c]] = 1.0 / len(labs)
        # idf over hashed buckets
        df = np.zeros(HASH_DIM, np.float32)
        for t in toks:
            for h in {zlib.crc32(x.encode("utf-8")) % HASH_DIM for x in t}:
                df[h] += 1
        idf = np.log1p(len(toks) / (1.0 + df)).astype(np.float32)
        X = _features(E, toks, idf, params.hash_scale)
        lin = _Linear(X.shape[1], len(classes))
        lin.fit(X, Y, epochs=params.epochs, lr=params.lr, l2=params.l2)
        return cls(classes, Y, E, toks, idf, lin, params, encoder)

    # ---- scoring
    def _components(
        self, Q: np.ndarray, qtoks: list[list[str]]
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        p = self.params
        S = Q @ self.E.T  # (nq, ntrain)
        kd = min(p.k_dense, S.shape[1])
        idx = np.argpartition(-S, kd - 1, axis=1)[:, :kd]
        sims = np.take_along_axis(S, idx, axis=1)
        bm_idx = np.zeros((len(qtoks), min(p.k_bm25, self.bm25.n)), np.int64)
        bm_w = np.zeros(bm_idx.shape, np.float32)
        for i, t in enumerate(qtoks):
            ii, ss = self.bm25.top(t, bm_idx.shape[1])
            bm_idx[i] = ii
            mx = float(ss[0]) if len(ss) and ss[0] > 0 else 1.0
            bm_w[i] = np.maximum(ss, 0) / mx
        Pb = np.einsum("qk,qkc->qc", bm_w, self.Y[bm_idx])
        Pb /= np.maximum(Pb.sum(axis=1, keepdims=True), 1e-9)
        Pl = _softmax(self.lin.logits(_features(Q, qtoks, self.idf, self.params.hash_scale)))
        return idx, sims, Pb, Pl

    def _combine(self, comps, tau: float, w_bm25: float, w_lin: float) -> np.ndarray:
        idx, sims, Pb, Pl = comps
        w = np.exp((sims - sims.max(axis=1, keepdims=True)) / tau)
        Pd = np.einsum("qk,qkc->qc", w, self.Y[idx])
        Pd /= np.maximum(Pd.sum(axis=1, keepdims=True), 1e-9)
        wd = self.params.w_dense
        tot = wd + w_bm25 + w_lin
        return (wd * Pd + w_bm25 * Pb + w_lin * Pl) / tot

    def _select(self, Q, qtoks, gold, verbose=False) -> IpcParams:
        comps = self._components(Q, qtoks)
        best = (-1.0, None)
        g = self.params.grid
        for tau in g["tau"]:
            for wb in g["w_bm25"]:
                for wl in g["w_lin"]:
                    P = self._combine(comps, tau, wb, wl)
                    top1 = [self.classes[j] for j in P.argmax(axis=1)]
                    acc = float(np.mean([t in gs for t, gs in zip(top1, gold, strict=True)]))
                    if verbose:
                        print(f"  select tau={tau} w_bm25={wb} w_lin={wl}: val top1={acc:.4f}")
                    if acc > best[0]:
                        best = (acc, (tau, wb, wl))
        tau, wb, wl = best[1]
        out = IpcParams(**{**asdict(self.params), "tau": tau, "w_bm25": wb, "w_lin": wl})
        out.validation_top1 = best[0]  # type: ignore[attr-defined]
        return out

    def predict_proba(self, texts: Sequence[str], embeddings: np.ndarray | None = None) -> np.ndarray:
        if embeddings is None:
            if self.encoder is None:
                raise RuntimeError("no encoder attached; pass encoder= to load() or embeddings=")
            embeddings = self.encoder.encode_queries(list(texts))
        qt = [tokenize(t) for t in texts]
        return self._combine(
            self._components(np.asarray(embeddings, np.float32), qt),
            self.params.tau,
            self.params.w_bm25,
            self.params.w_lin,
        )

    def suggest_many(
        self, texts: Sequence[str], top: int = 5, embeddings: np.ndarray | None = None
    ) -> list[list[tuple[str, float]]]:
        P = self.predict_proba(texts, embeddings)
        out = []
        for row in P:
            j = np.argsort(-row)[:top]
            out.append([(self.classes[i], float(row[i])) for i in j if row[i] > 0])
        return out

    def suggest(self, text: str, top: int = 5) -> list[tuple[str, float]]:
        return self.suggest_many([text], top)[0]

    # ---- persistence
    def save(self, path: str | Path) -> None:
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        p = asdict(self.params)
        meta = {
            "classes": self.classes,
            "params": p,
            "encoder": self.encoder_name,
            "version": 1,
            "tokens": [" ".join(t) for t in self.tokens],
        }
        with open(path, "wb") as fh:
            np.savez_compressed(
                fh,
                Y=self.Y,
                E=self.E.astype(np.float16),
                idf=self.idf,
                W=self.lin.W,
                b=self.lin.b,
                meta=np.frombuffer(json.dumps(meta, ensure_ascii=False).encode("utf-8"), np.uint8),
            )

    @classmethod
    def load(cls, path: str | Path, encoder: Encoder | None = None) -> IpcSuggester:
        z = np.load(path)
        meta = json.loads(bytes(z["meta"]).decode("utf-8"))
        if encoder is not None and meta["encoder"] and encoder.name != meta["encoder"]:
            raise ValueError(f"model trained with encoder {meta['encoder']!r}, got {encoder.name!r}")
        params = IpcParams(**meta["params"])
        lin = _Linear(z["W"].shape[0], len(meta["classes"]))
        lin.W, lin.b = z["W"], z["b"]
        toks = [t.split(" ") if t else [] for t in meta["tokens"]]
        return cls(
            meta["classes"],
            z["Y"],
            z["E"].astype(np.float32),
            toks,
            z["idf"],
            lin,
            params,
            encoder,
            meta["encoder"],
        )


def train(rows: Iterable[Any], encoder: Encoder, params: IpcParams | None = None, **kw) -> IpcSuggester:
    return IpcSuggester.train(rows, encoder, params, **kw)


def load(path: str | Path, encoder: Encoder | None = None) -> IpcSuggester:
    return IpcSuggester.load(path, encoder)


__all__ = ["IpcSuggester", "IpcParams", "train", "load"]
