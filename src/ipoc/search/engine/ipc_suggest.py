"""IPC subclass suggestion for free text (e.g. a demand, an invention title).

Two model families share this class; ``IpcParams.model`` picks one.

**``model="krr"`` (default, format v3): kernel ridge regression.**  The score of subclass ``c``
for a text ``x`` is ``max(0, f_e5(x)_c + w_lex·f_lex(x)_c + w_lin·p_lin(c|x)) · prior(c)^−β``,
normalised, where each ``f`` is a kernel ridge regression onto the multi-hot label matrix ``Y`` of
the training titles (``f(x) = k(x, X_train)·(K + λI)^−1·Y``, one ridge solve at training time) and
``p_lin`` the softmax regression below on the same e5 vectors (``krr_w_lin``; off by default):

* ``f_e5`` – kernel ``exp((cos(x, x') − 1)/krr_tau)`` between e5 ``query:`` embeddings (ridge
  ``krr_lam``); with ``passage_view=True`` the cosine is taken on ``[query ‖ passage]/√2``;
* ``f_lex`` – linear kernel on TF·IDF vectors (sublinear tf, smoothed idf, L2-normalised) of the
  :func:`tokenize.tokenize` tokens plus character bigrams of the text (ridge ``lex_lam``;
  ``lex_grams=(1, 2)`` adds character unigrams: it lost on fold 4, so it is off).

On the titles data it gains 1.3–2.5 points of validation top-1 over the v2 fusion below (folds
3 and 4 held out; see ``bench/results/ipc.md``).  The linear head gained 0.5–0.8 points of
validation top-1 selected on fold 4 or 3 itself, but nothing on fold 4 when chosen on fold 3
(``bench/results/ipc_s8.md``), so its weight grid is ``[0]``.  The kNN parts are not used here.

**``model="fusion"`` (v2, ``IpcParams.fusion()``; ``IpcParams.legacy()`` is the v1 model).** The
score of subclass ``c`` for a text is a weighted sum of distributions over the training
subclasses, times a prior-flattening factor ``prior(c)^−β``:

* **dense kNN** – the ``k_dense`` nearest training titles by e5 cosine between ``query:``
  embeddings, votes weighted by ``exp((cos − cos_max)/τ)``;
* **BM25 kNN** – the ``k_bm25`` best BM25 training titles (in-memory :class:`bm25.BM25` over
  :func:`tokenize.tokenize` tokens), votes weighted by ``(score/score_max)^bm25_pow``;
* **linear** – softmax regression (numpy, full-batch Adam, L2) on the e5 embedding;
* optional ``passage_view=True``: training titles are also encoded with e5's ``passage:``
  prefix, which adds a query→passage dense kNN (``k_dense_p``, ``tau_p``, ``w_dense_p``) and
  feeds the linear model ``[query ‖ passage]``.  Off by default: on fold 4 it moved the fused
  model by +0.1 point for twice the encoding cost.

Multi-label handling (``votes="multi"``, default): a neighbour votes 1 for *each* of its
subclasses and the linear model's loss is ``Σ_{c ∈ gold} −log p(c|x)``, so every component
ranks subclasses by P(c ∈ gold | x) — what "the top suggestion is one of the gold
subclasses" rewards.  ``votes="soft"`` splits a record's weight 1/|labels| (the v1 model).

Every hyper-parameter (fusion: k, τ, mixing weights, β, linear epochs; KRR: τ, λ, λ_lex, w_lex,
w_lin, β) is selected on a validation split carved out of the *training* rows (the last training fold
when rows carry ``fold``, else a seeded 20 %), then the model is refit on all training rows.  No
evaluation data is seen.  KRR costs O(n²) memory and one O(n³) solve per (kernel, λ) tried: about
a minute for the 7.8k training titles, fine up to roughly 15k rows.

``IpcSuggester.train(rows, encoder)`` → model; ``save(path)`` / ``IpcSuggester.load(path,
encoder)`` (also reads v1–v3 files); ``suggest(text, top=5)`` → ``[(subclass, score), …]``
(scores sum to ≤ 1).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path
from typing import Any

import numpy as np

from .bm25 import BM25
from .encoders import Encoder
from .tokenize import tokenize

# v3: kernel ridge regression model ("krr"); v1/v2 files still load.  v3 files written before session 8
# lack ``krr_w_lin`` / ``lex_grams``: they load with 0 / (2,), which is what they computed.
FORMAT_VERSION = 3


def _default_grid() -> dict[str, list[float]]:
    return {
        "k_dense": [10, 20, 30, 50],
        "tau": [0.01, 0.02, 0.03, 0.05, 0.1],
        "k_bm25": [10, 20, 30, 50],
        "bm25_pow": [1.0, 2.0, 4.0],
        "weights": [0.0, 0.25, 0.5, 1.0, 2.0, 3.0],
        "beta": [0.0, 0.1, 0.2, 0.3, 0.4, 0.5],
        "epochs": [100, 150, 200],
        # model="krr": τ at the anchor λ, then λ; λ_lex; then (w_lex, β) jointly
        "krr_tau": [0.03, 0.05, 0.08],
        "krr_lam": [0.1, 0.3, 1.0],
        "lex_lam": [0.3, 1.0, 3.0],
        "w_lex": [0.0, 0.25, 0.5, 1.0],
        # the softmax-regression head: [0, 0.5, 1, 2] won fold 4 selected on itself (+0.5) but tied
        # the nested check (−0.05), so it stays off (bench/results/ipc_s8.md)
        "krr_w_lin": [0.0],
        # the tuned encoder's own classification head (only when one is attached: IpcHead)
        "krr_w_head": [0.0, 0.25, 0.5, 1.0, 2.0],
    }


@dataclass
class IpcParams:
    model: str = "krr"  # "krr" (v3 default) | "fusion" (the v1/v2 kNN + linear fusion)
    krr_tau: float = 0.05  # e5 kernel exp((cos − 1)/τ)
    krr_lam: float = 0.3  # ridge of the e5 kernel regression
    lex_lam: float = 1.0  # ridge of the lexical (TF·IDF) kernel regression
    w_lex: float = 0.5  # weight of the lexical regression in the KRR score
    krr_w_lin: float = 0.0  # weight of the softmax regression on the e5 vectors in the KRR score
    krr_w_head: float = 0.0  # weight of the tuned encoder's classification head (IpcHead) in the KRR score
    # character n-gram sizes of the lexical features besides the search tokens ((1, 2) lost on fold 4)
    lex_grams: tuple[int, ...] = (2,)
    k_dense: int = 20
    tau: float = 0.02
    k_dense_p: int = 30
    tau_p: float = 0.01
    k_bm25: int = 30
    bm25_pow: float = 1.0
    w_dense: float = 1.0
    w_dense_p: float = 0.0
    w_bm25: float = 1.0
    w_lin: float = 2.0
    beta: float = 0.2  # score × prior^−β (β > 0 flattens the class prior)
    votes: str = "multi"  # "multi" | "soft"
    # also encode texts with e5's "passage:" prefix: a second dense kNN (query → passage) and the
    # linear model on [query ‖ passage].  Off by default: +0.1 point on fold 4 for 2× encoding cost.
    passage_view: bool = False
    l2: float = 1e-5
    epochs: int = 200
    lr: float = 0.02
    grid: dict[str, list[float]] = field(default_factory=_default_grid)

    @classmethod
    def fusion(cls, **kw: Any) -> IpcParams:
        """The v2 model: dense kNN + BM25 kNN + softmax regression fusion (``passage_view=True`` for
        its passage-view variant)."""
        return cls(model="fusion", **kw)

    @classmethod
    def legacy(cls) -> IpcParams:
        """The v1 model (query view only, split votes, no prior flattening, v1 selection grid)."""
        return cls(
            model="fusion",
            k_dense=30,
            tau=0.05,
            k_bm25=30,
            w_dense=1.0,
            w_dense_p=0.0,
            w_bm25=0.5,
            w_lin=1.0,
            beta=0.0,
            votes="soft",
            passage_view=False,
            grid={"tau": [0.02, 0.05, 0.1], "w_bm25": [0.0, 0.25, 0.5, 1.0], "w_lin": [0.0, 0.5, 1.0, 2.0]},
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


def _softmax(z: np.ndarray) -> np.ndarray:
    z = z - z.max(axis=1, keepdims=True)
    e = np.exp(z)
    return e / e.sum(axis=1, keepdims=True)


def _norm_rows(P: np.ndarray) -> np.ndarray:
    return P / np.maximum(P.sum(axis=1, keepdims=True), 1e-12)


def _top1(P: np.ndarray, G: np.ndarray) -> float:
    """Share of rows whose arg-max class is gold (``G`` boolean (n, C))."""
    return float(G[np.arange(len(G)), P.argmax(axis=1)].mean()) if len(G) else 0.0


def _lex_terms(text: str, toks: Sequence[str], grams: Sequence[int] = (2,)) -> list[str]:
    """Lexical features of a text: its search tokens plus its character n-grams of each size in
    ``grams`` (a unigram is kept apart from a search token of one character by a prefix)."""
    t = "".join(text.split())
    out = list(toks)
    for n in grams:
        out += [t[j : j + n] if n > 1 else "\x01" + t[j] for j in range(len(t) - n + 1)]
    return out


class _Lex:
    """TF·IDF vectors (1+log tf, smoothed idf, L2-normalised) of the training texts, kept as an
    inverted index; gives the linear-kernel Gram matrix and query × training kernel rows."""

    BIG_DF = 300  # postings longer than this go through one dense matmul in gram()

    def __init__(self, docs: Sequence[Sequence[str]]):
        df: dict[str, int] = {}
        for d in docs:
            for w in set(d):
                df[w] = df.get(w, 0) + 1
        self.n = len(docs)
        self.vocab = {w: j for j, w in enumerate(df)}
        self.idf = np.array([np.log((self.n + 1) / (c + 1)) + 1 for c in df.values()], np.float32)
        self.unk_idf = float(np.log(self.n + 1) + 1)  # unseen terms still count in a text's norm
        post: list[list[tuple[int, float]]] = [[] for _ in self.vocab]
        for i, d in enumerate(docs):
            js, ws = self.vector(d)
            for j, w in zip(js.tolist(), ws.tolist(), strict=True):
                post[j].append((i, w))
        self.post = [
            (np.array([a for a, _ in pl], np.int64), np.array([b for _, b in pl], np.float32)) for pl in post
        ]

    def vector(self, doc: Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
        counts: dict[str, int] = {}
        for w in doc:
            counts[w] = counts.get(w, 0) + 1
        js, ws, unk = [], [], 0.0
        for w, c in counts.items():
            tf = 1.0 + float(np.log(c))
            j = self.vocab.get(w)
            if j is None:
                unk += (tf * self.unk_idf) ** 2
            else:
                js.append(j)
                ws.append(tf * float(self.idf[j]))
        wv = np.asarray(ws, np.float32)
        norm = float(np.sqrt(float((wv**2).sum()) + unk)) or 1.0
        return np.asarray(js, np.int64), wv / norm

    def cross(self, docs: Sequence[Sequence[str]]) -> np.ndarray:
        """(len(docs), n) cosine of each text's TF·IDF vector with every training text."""
        K = np.zeros((len(docs), self.n), np.float32)
        for r, d in enumerate(docs):
            js, ws = self.vector(d)
            for j, w in zip(js.tolist(), ws.tolist(), strict=True):
                a, b = self.post[j]
                K[r, a] += w * b
        return K

    def gram(self) -> np.ndarray:
        """(n, n) cosine between training texts."""
        K = np.zeros((self.n, self.n), np.float32)
        big = []
        for j, (a, b) in enumerate(self.post):
            if len(a) > self.BIG_DF:
                big.append(j)
            elif len(a):
                K[np.ix_(a, a)] += np.outer(b, b)
        if big:
            Xh = np.zeros((self.n, len(big)), np.float32)
            for c, j in enumerate(big):
                a, b = self.post[j]
                Xh[a, c] = b
            K += Xh @ Xh.T
        return K


def _exp_kernel(S: np.ndarray, tau: float) -> np.ndarray:
    """``exp((S − 1)/τ)`` for a matrix of cosines ``S``."""
    K = S - np.float32(1.0)
    K /= np.float32(tau)
    return np.exp(K, out=K)


def _ridge(K: np.ndarray, Y: np.ndarray, lam: float) -> np.ndarray:
    """Dual coefficients ``(K + λI)^−1 Y`` of kernel ridge regression."""
    A = K.astype(np.float32, copy=True)
    A[np.diag_indices_from(A)] += np.float32(lam)
    return np.linalg.solve(A, Y.astype(np.float32)).astype(np.float32)


class _Linear:
    """Softmax regression on dense features."""

    def __init__(self, dim: int, n_classes: int):
        self.W = np.zeros((dim, n_classes), np.float32)
        self.b = np.zeros(n_classes, np.float32)

    def logits(self, X: np.ndarray) -> np.ndarray:
        return X @ self.W + self.b

    def fit(
        self,
        X: np.ndarray,
        Y: np.ndarray,
        *,
        epochs: int,
        lr: float,
        l2: float,
        checkpoints=(),
        on_checkpoint=None,
    ) -> None:
        """Full-batch Adam on ``Σ_c Y[i,c]·(−log p(c|x_i))`` averaged over rows, + ``l2``/2·‖W‖².
        Soft targets (rows summing to 1) give the usual cross-entropy; multi-hot targets give one
        cross-entropy term per gold label."""
        params = [self.W, self.b]
        m = [np.zeros_like(p) for p in params]
        v = [np.zeros_like(p) for p in params]
        b1, b2, eps = 0.9, 0.999, 1e-8
        n = len(X)
        ysum = Y.sum(axis=1, keepdims=True)
        for t in range(1, epochs + 1):
            G = (_softmax(self.logits(X)) * ysum - Y) / n
            grads = (X.T @ G + l2 * self.W, G.sum(axis=0))
            for i, g in enumerate(grads):
                m[i] *= b1
                m[i] += (1 - b1) * g
                v[i] *= b2
                v[i] += (1 - b2) * g * g
                params[i] -= lr * (m[i] / (1 - b1**t)) / (np.sqrt(v[i] / (1 - b2**t)) + eps)
            if on_checkpoint is not None and t in checkpoints:
                on_checkpoint(t, self)


def exported_from(encoder_name: str, model_name: str) -> bool:
    """Whether an encoder is the export of the tuned model ``model_name`` (an ONNX export is named after its
    model plus its token budget: ``e5-ipc-1a2b3c4d-t64``)."""
    return bool(model_name) and (encoder_name == model_name or encoder_name.startswith(model_name + "-t"))


@dataclass
class IpcHead:
    """The cosine-softmax classification head a patent-tuned encoder was trained with (分类头;
    ``ipoc encoder train`` keeps it beside the weights): one unit row per subclass of its training rows.
    Its probabilities read the tuned encoder's part of an embedding — columns ``offset`` to
    ``offset + dim`` (the second half of :class:`~.encoders.ConcatEncoder`'s vector) — re-normalised."""

    classes: list[str]
    W: np.ndarray  # (n_classes, dim) unit rows
    offset: int = 0
    scale: float = 20.0

    def proba(self, Q: np.ndarray, classes: Sequence[str]) -> np.ndarray:
        """(n, len(classes)) head probabilities laid out on ``classes`` (0 where the head has none)."""
        Q = np.asarray(Q, np.float32)[:, self.offset : self.offset + self.W.shape[1]]
        Q = Q / np.maximum(np.linalg.norm(Q, axis=1, keepdims=True), 1e-12)
        P = _softmax(np.float32(self.scale) * (Q @ self.W.T))
        at = {c: i for i, c in enumerate(classes)}
        out = np.zeros((len(Q), len(classes)), np.float32)
        cols = [(j, at[c]) for j, c in enumerate(self.classes) if c in at]
        if cols:
            src, dst = (np.array(x) for x in zip(*cols, strict=True))
            out[:, dst] = P[:, src]
        return out

    @classmethod
    def from_weights(cls, path: str | Path, offset: int = 0, name: str | None = None) -> IpcHead | None:
        """The head kept in a tuned model's ``weights.npz``; None for a model saved before heads were kept,
        or when the file's model is not the encoder ``name``."""
        z = np.load(path)
        if "ipc_head.w" not in z.files:
            return None
        meta = json.loads(bytes(z["__head__"]).decode("utf-8")).get("meta", {})
        if name is not None and not exported_from(name, str(meta.get("name") or "")):
            return None
        classes = meta.get("head_classes")
        if not classes or len(classes) != z["ipc_head.w"].shape[0]:
            return None
        return cls(list(classes), z["ipc_head.w"].astype(np.float32), offset, float(meta.get("scale", 20.0)))


@dataclass
class _Comps:
    """Per-query raw component outputs, computed once and re-mixed during selection."""

    qq: tuple[np.ndarray, np.ndarray]  # (idx, sims) sorted by sim desc, k_max columns
    qp: tuple[np.ndarray, np.ndarray]
    bm: tuple[np.ndarray, np.ndarray]  # (idx, scores)
    lin: np.ndarray  # (n, C) probabilities


class IpcSuggester:
    def __init__(
        self,
        classes: list[str],
        labels: list[list[int]],
        Eq: np.ndarray,
        Ep: np.ndarray | None,
        tokens: list[list[str]],
        lin: _Linear,
        params: IpcParams,
        encoder: Encoder | None = None,
        encoder_name: str = "",
        *,
        texts: Sequence[str] | None = None,
        alpha_q: np.ndarray | None = None,
        alpha_lex: np.ndarray | None = None,
        head: IpcHead | None = None,
    ):
        self.classes = classes
        self.labels = labels  # per training row: class indices
        self.Eq = np.asarray(Eq, np.float32)  # (n_train, dim) query-side e5 embeddings of training texts
        self.Ep = None if Ep is None else np.asarray(Ep, np.float32)  # passage-side (None for v1 files)
        self.tokens = tokens
        self.texts = list(texts) if texts is not None else None  # model="krr": for the lexical bigrams
        self.alpha_q = alpha_q  # model="krr": (n_train, C) dual coefficients of the e5 kernel regression
        self.alpha_lex = alpha_lex  # ... and of the lexical one
        self.head = head  # model="krr": the tuned encoder's classification head, if any
        self._lex: _Lex | None = None
        self._Xk: np.ndarray | None = None
        self.lin = lin
        self.params = params
        self.encoder = encoder
        self.encoder_name = encoder_name or (encoder.name if encoder else "")
        self.bm25 = BM25(tokens)
        C = len(classes)
        self.Ysoft = np.zeros((len(labels), C), np.float32)
        for i, labs in enumerate(labels):
            self.Ysoft[i, labs] = 1.0 / max(len(labs), 1)
        self.Ymulti = (self.Ysoft > 0).astype(np.float32)
        counts = self.Ymulti.sum(axis=0)
        self.prior = ((counts + 1.0) / (counts.sum() + C)).astype(np.float32)

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
        head: IpcHead | None = None,
    ) -> IpcSuggester:
        """Fit on ``rows`` (dicts with title + ipc_subclasses [+ fold], or (text, labels[, fold]) tuples).
        ``head``: the tuned encoder's classification head, mixed into the KRR score with a selected weight."""
        params = params or IpcParams()
        data = [_row(r) for r in rows]
        data = [d for d in data if d[0] and d[1]]
        texts = [d[0] for d in data]
        Eq_all = np.asarray(encoder.encode_queries(texts), np.float32)
        Ep_all = cls._passages(encoder, texts, params)
        toks_all = [tokenize(t) for t in texts]
        if params.model == "krr":
            return cls._train_krr(
                data, Eq_all, Ep_all, toks_all, params, encoder, select=select, verbose=verbose, head=head
            )
        if select and len(data) >= 200:
            val = cls._val_mask(data)
            tr = np.flatnonzero(~val)
            va = np.flatnonzero(val)
            checkpoints = sorted({int(e) for e in params.grid.get("epochs", [params.epochs])})
            sub = cls._fit(
                [data[i] for i in tr],
                Eq_all[tr],
                None if Ep_all is None else Ep_all[tr],
                [toks_all[i] for i in tr],
                params,
                encoder,
                val=(Eq_all[va], None if Ep_all is None else Ep_all[va]),
                checkpoints=checkpoints,
            )
            params = sub._select(
                Eq_all[va],
                None if Ep_all is None else Ep_all[va],
                [toks_all[i] for i in va],
                [data[i][1] for i in va],
                verbose=verbose,
            )
        return cls._fit(data, Eq_all, Ep_all, toks_all, params, encoder)

    @staticmethod
    def _val_mask(data) -> np.ndarray:
        """Validation rows for selection: the last training fold when rows carry folds, else a
        seeded random 20 %."""
        folds = [d[2] for d in data]
        if all(f is not None for f in folds) and len(set(folds)) > 1:
            val_fold = max(folds, key=lambda f: (int(f) if str(f).isdigit() else -1, str(f)))
            return np.array([f == val_fold for f in folds])
        return np.random.default_rng(0).random(len(data)) < 0.2

    # ---- kernel ridge regression (model="krr")
    @classmethod
    def _train_krr(cls, data, Eq, Ep, toks, params: IpcParams, encoder, *, select: bool, verbose: bool,
                   head: IpcHead | None = None):
        if head is None:
            params = IpcParams(**{**asdict(params), "krr_w_head": 0.0})
        if select and len(data) >= 200:
            val = cls._val_mask(data)
            tr, va = np.flatnonzero(~val), np.flatnonzero(val)
            sub = cls._krr_model(
                [data[i] for i in tr],
                Eq[tr],
                None if Ep is None else Ep[tr],
                [toks[i] for i in tr],
                params,
                encoder,
                fit=False,
                head=head,
            )
            params = sub._select_krr(
                Eq[va],
                None if Ep is None else Ep[va],
                [_lex_terms(data[i][0], toks[i], params.lex_grams) for i in va],
                [data[i][1] for i in va],
                verbose=verbose,
            )
        return cls._krr_model(data, Eq, Ep, toks, params, encoder, head=head)

    @classmethod
    def _krr_model(cls, data, Eq, Ep, toks, params: IpcParams, encoder, *, fit: bool = True,
                   head: IpcHead | None = None) -> IpcSuggester:
        classes = sorted({c for _, labs, _ in data for c in labs})
        ci = {c: i for i, c in enumerate(classes)}
        labels = [[ci[c] for c in labs] for _, labs, _ in data]
        m = cls(
            classes,
            labels,
            Eq,
            Ep,
            toks,
            _Linear(1, len(classes)),
            params,
            encoder,
            texts=[d[0] for d in data],
            head=head,
        )
        if fit:
            X = m._krr_train_X()
            m.alpha_q = _ridge(_exp_kernel(X @ X.T, params.krr_tau), m.Ymulti, params.krr_lam)
            m.alpha_lex = _ridge(m.lex.gram(), m.Ymulti, params.lex_lam) if params.w_lex > 0 else None
            if params.krr_w_lin > 0:
                m.lin = m._krr_linear(X)
        return m

    def _krr_linear(self, X: np.ndarray) -> _Linear:
        """The softmax regression of the KRR score, fitted on the training rows' e5 vectors ``X``."""
        p = self.params
        lin = _Linear(X.shape[1], len(self.classes))
        lin.fit(X, self.Ymulti, epochs=p.epochs, lr=p.lr, l2=p.l2)
        return lin

    @property
    def lex(self) -> _Lex:
        if self._lex is None:
            texts = self.texts if self.texts is not None else [""] * len(self.tokens)
            grams = self.params.lex_grams
            self._lex = _Lex([_lex_terms(t, tk, grams) for t, tk in zip(texts, self.tokens, strict=True)])
        return self._lex

    def lex_docs_for(
        self, texts: Sequence[str], toks: Sequence[Sequence[str]] | None = None
    ) -> list[list[str]]:
        """The lexical-kernel terms of ``texts`` (``toks``: their :func:`tokenize` tokens, if known)."""
        toks = toks if toks is not None else [tokenize(t) for t in texts]
        return [_lex_terms(t, tk, self.params.lex_grams) for t, tk in zip(texts, toks, strict=True)]

    def _krr_X(self, Q: np.ndarray, P: np.ndarray | None) -> np.ndarray:
        """Unit vectors whose dot product is the kernel's cosine: the query view, or
        ``[query ‖ passage]/√2`` with the passage view."""
        Q = np.asarray(Q, np.float32)
        if not self.params.passage_view:
            return Q
        if P is None:
            raise RuntimeError("the passage-view model needs passage embeddings")
        return np.hstack([Q, np.asarray(P, np.float32)]) * np.float32(np.sqrt(0.5))

    def _krr_train_X(self) -> np.ndarray:
        if self._Xk is None:
            self._Xk = self._krr_X(self.Eq, self.Ep)
        return self._Xk

    def _krr_scores(self, Q, P, lex_docs) -> tuple[np.ndarray, np.ndarray | None]:
        p = self.params
        Sq = _exp_kernel(self._krr_X(Q, P) @ self._krr_train_X().T, p.krr_tau) @ self.alpha_q
        Sl = None
        if p.w_lex > 0 and self.alpha_lex is not None:
            Sl = self.lex.cross(lex_docs) @ self.alpha_lex
        return Sq, Sl

    def _krr_proba(self, S: np.ndarray, beta: float) -> np.ndarray:
        P = np.maximum(S, 0) * self.prior ** (-beta)
        empty = P.sum(axis=1) <= 0
        if empty.any():  # nothing scored above 0: fall back to the (flattened) prior
            P[empty] = self.prior ** (1 - beta)
        return _norm_rows(P)

    def _select_krr(self, Q, P, lex_docs, gold, verbose=False) -> IpcParams:
        """Pick (krr_tau, krr_lam, lex_lam, w_lex, β) maximising validation top-1: τ at the anchor
        λ, then λ at that τ (each scored at its best β); λ_lex likewise; then (w_lex, β) jointly."""
        g = self.params.grid
        log = print if verbose else (lambda *a: None)
        G = self._gold_matrix(gold)
        p = IpcParams(**{**asdict(self.params)})
        Y = self.Ymulti
        lp = np.log(self.prior)
        betas = [float(b) for b in g.get("beta", [p.beta])]

        def acc(S: np.ndarray) -> float:
            return max(_top1(S * np.exp(-b * lp), G) for b in betas)

        X = self._krr_train_X()
        S_tr, S_va = X @ X.T, self._krr_X(Q, P) @ X.T
        found: dict[tuple[float, float], np.ndarray] = {}

        def e5(tau: float, lam: float) -> np.ndarray:
            if (tau, lam) not in found:
                found[tau, lam] = _exp_kernel(S_va, tau) @ _ridge(_exp_kernel(S_tr, tau), Y, lam)
            return found[tau, lam]

        taus = [float(t) for t in g.get("krr_tau", [p.krr_tau])]
        lams = [float(x) for x in g.get("krr_lam", [p.krr_lam])]
        anchor = p.krr_lam if p.krr_lam in lams else lams[len(lams) // 2]
        p.krr_tau = max(taus, key=lambda t: acc(e5(t, anchor)))
        p.krr_lam = max(lams, key=lambda x: acc(e5(p.krr_tau, x)))
        Sq = e5(p.krr_tau, p.krr_lam)
        found.clear()
        log(f"  e5 KRR: tau={p.krr_tau} lam={p.krr_lam} val top1={acc(Sq):.4f}")
        w_grid = [float(w) for w in g.get("w_lex", [p.w_lex])]
        Sl = np.zeros_like(Sq)
        if any(w > 0 for w in w_grid):
            Kl, Kl_va = self.lex.gram(), self.lex.cross(lex_docs)
            by_lam = {float(x): Kl_va @ _ridge(Kl, Y, float(x)) for x in g.get("lex_lam", [p.lex_lam])}
            p.lex_lam = max(by_lam, key=lambda x: acc(by_lam[x]))
            Sl = by_lam[p.lex_lam]
            log(f"  lexical KRR: lam={p.lex_lam} val top1={acc(Sl):.4f}")
        lin_grid = [float(w) for w in g.get("krr_w_lin", [p.krr_w_lin])]
        Pl = np.zeros_like(Sq)
        if any(w > 0 for w in lin_grid):
            Pl = _softmax(self._krr_linear(X).logits(self._krr_X(Q, P)))
            log(f"  linear: val top1={acc(Pl):.4f}")
        head_grid = [float(w) for w in g.get("krr_w_head", [p.krr_w_head])] if self.head is not None else [0.0]
        Ph = self.head.proba(Q, self.classes) if self.head is not None else np.zeros_like(Sq)
        if self.head is not None:
            log(f"  head: val top1={acc(Ph):.4f}")
        best, p.w_lex, p.krr_w_lin, p.krr_w_head, p.beta = max(
            (_top1((Sq + w * Sl + u * Pl + h * Ph) * np.exp(-b * lp), G), w, u, h, b)
            for w in w_grid
            for u in lin_grid
            for h in head_grid
            for b in betas
        )
        log(f"  mix: w_lex={p.w_lex} w_lin={p.krr_w_lin} w_head={p.krr_w_head} beta={p.beta} val top1={best:.4f}")
        p.validation_top1 = best  # type: ignore[attr-defined]
        return p

    def _gold_matrix(self, gold) -> np.ndarray:
        ci = {c: i for i, c in enumerate(self.classes)}
        G = np.zeros((len(gold), len(self.classes)), bool)
        for i, labs in enumerate(gold):
            for c in labs:
                if c in ci:
                    G[i, ci[c]] = True
        return G

    @staticmethod
    def _passages(encoder: Encoder, texts: list[str], params: IpcParams) -> np.ndarray | None:
        if not params.passage_view:
            return None
        return np.asarray(encoder.encode_passages(texts), np.float32)

    @classmethod
    def _fit(
        cls, data, Eq, Ep, toks, params: IpcParams, encoder, *, val=None, checkpoints=()
    ) -> IpcSuggester:
        classes = sorted({c for _, labs, _ in data for c in labs})
        ci = {c: i for i, c in enumerate(classes)}
        labels = [[ci[c] for c in labs] for _, labs, _ in data]
        m = cls(classes, labels, Eq, Ep, toks, _Linear(1, 1), params, encoder)
        X = m._lin_features(Eq, Ep)
        m.lin = _Linear(X.shape[1], len(classes))
        Y = m.Ymulti if params.votes == "multi" else m.Ysoft
        m._val_lin = {}  # epochs → validation probabilities (used by _select)
        if val is not None:
            Xv = m._lin_features(*val)
            cb = lambda t, lin: m._val_lin.__setitem__(t, _softmax(lin.logits(Xv)))  # noqa: E731
        else:
            cb = None
        epochs = max([params.epochs, *checkpoints])
        m.lin.fit(
            X, Y, epochs=epochs, lr=params.lr, l2=params.l2, checkpoints=set(checkpoints), on_checkpoint=cb
        )
        return m

    def _lin_features(self, Q: np.ndarray, P: np.ndarray | None) -> np.ndarray:
        if self.params.passage_view:
            if P is None:
                raise RuntimeError("the linear model needs passage embeddings")
            return np.hstack([np.asarray(Q, np.float32), np.asarray(P, np.float32)])
        return np.asarray(Q, np.float32)

    # ---- scoring
    @staticmethod
    def _knn(S: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
        k = max(1, min(k, S.shape[1]))
        idx = np.argpartition(-S, k - 1, axis=1)[:, :k]
        sims = np.take_along_axis(S, idx, axis=1)
        o = np.argsort(-sims, axis=1, kind="stable")
        return np.take_along_axis(idx, o, axis=1), np.take_along_axis(sims, o, axis=1)

    def _components(self, Q, P, qtoks, *, k_max: int | None = None, lin: np.ndarray | None = None) -> _Comps:
        p = self.params
        kd = k_max or p.k_dense
        qq = self._knn(Q @ self.Eq.T, kd)
        if self.Ep is not None and P is not None and (k_max or p.w_dense_p > 0):
            qp = self._knn(Q @ self.Ep.T, k_max or p.k_dense_p)
        else:
            qp = (np.zeros((len(Q), 0), np.int64), np.zeros((len(Q), 0), np.float32))
        kb = min(k_max or p.k_bm25, self.bm25.n)
        bm_idx = np.zeros((len(qtoks), kb), np.int64)
        bm_s = np.zeros((len(qtoks), kb), np.float32)
        for i, t in enumerate(qtoks):
            ii, ss = self.bm25.top(t, kb)
            bm_idx[i, : len(ii)] = ii
            bm_s[i, : len(ss)] = np.maximum(ss, 0)
        if lin is None:
            lin = _softmax(self.lin.logits(self._lin_features(Q, P)))
        return _Comps(qq, qp, (bm_idx, bm_s), lin)

    def _votes(self, idx: np.ndarray, w: np.ndarray, votes: str) -> np.ndarray:
        Y = self.Ymulti if votes == "multi" else self.Ysoft
        if idx.shape[1] == 0:
            return np.zeros((len(idx), Y.shape[1]), np.float32)
        return _norm_rows(np.einsum("qk,qkc->qc", w, Y[idx]))

    def _dense(self, knn, k: int, tau: float, votes: str) -> np.ndarray:
        idx, sims = knn[0][:, :k], knn[1][:, :k]
        if idx.shape[1] == 0:
            return self._votes(idx, sims, votes)
        return self._votes(idx, np.exp((sims - sims[:, :1]) / tau), votes)

    def _bm(self, bm, k: int, power: float, votes: str) -> np.ndarray:
        idx, s = bm[0][:, :k], bm[1][:, :k]
        mx = np.where(s[:, :1] > 0, s[:, :1], 1.0)
        return self._votes(idx, (s / mx) ** power, votes)

    def _mix(self, parts: Sequence[np.ndarray], weights: Sequence[float], beta: float) -> np.ndarray:
        P = sum(w * x for w, x in zip(weights, parts, strict=True) if w > 0)
        if isinstance(P, int):  # all weights 0
            P = np.tile(self.prior, (len(parts[0]), 1))
        P = _norm_rows(P)
        if beta:
            P = _norm_rows(P * self.prior ** (-beta))
        return P

    def _parts(self, comps: _Comps, p: IpcParams) -> list[np.ndarray]:
        return [
            self._dense(comps.qq, p.k_dense, p.tau, p.votes),
            self._dense(comps.qp, p.k_dense_p, p.tau_p, p.votes),
            self._bm(comps.bm, p.k_bm25, p.bm25_pow, p.votes),
            comps.lin,
        ]

    def _select(self, Q, P, qtoks, gold, verbose=False) -> IpcParams:
        """Pick the hyper-parameters that maximise top-1 accuracy on the validation rows:
        per-component settings first (each component alone), then mixing weights by coordinate
        ascent, then β.  Classes unseen in the sub-training rows simply can't be hit."""
        g = self.params.grid
        G = self._gold_matrix(gold)
        log = print if verbose else (lambda *a: None)
        p = IpcParams(**{**asdict(self.params)})
        # linear: epochs
        lin_by_epochs = getattr(self, "_val_lin", {}) or {}
        lin = None
        if lin_by_epochs:  # validation predictions saved at each candidate epoch count
            p.epochs = max(lin_by_epochs, key=lambda e: (_top1(lin_by_epochs[e], G), -e))
            lin = lin_by_epochs[p.epochs]
            log(f"  linear: epochs={p.epochs} val top1={_top1(lin, G):.4f}")
        k_grid = [int(k) for k in g.get("k_dense", [p.k_dense])]
        comps = self._components(
            Q, P, qtoks, k_max=max(k_grid + [int(k) for k in g.get("k_bm25", [p.k_bm25])]), lin=lin
        )
        if "weights" not in g:  # v1 grid: tau × w_bm25 × w_lin with fixed k
            return self._select_v1(comps, G, p, log)
        taus = g.get("tau", [p.tau])
        p.k_dense, p.tau = max(
            (_top1(self._dense(comps.qq, k, t, p.votes), G), k, t) for k in k_grid for t in taus
        )[1:]
        if comps.qp[0].shape[1]:
            p.k_dense_p, p.tau_p = max(
                (_top1(self._dense(comps.qp, k, t, p.votes), G), k, t) for k in k_grid for t in taus
            )[1:]
        p.k_bm25, p.bm25_pow = max(
            (_top1(self._bm(comps.bm, int(k), w, p.votes), G), int(k), w)
            for k in g.get("k_bm25", [p.k_bm25])
            for w in g.get("bm25_pow", [1.0])
        )[1:]
        parts = self._parts(comps, p)
        for name, x in zip(("dense", "dense_p", "bm25", "linear"), parts, strict=True):
            if x.any():
                log(f"  {name}: val top1={_top1(x, G):.4f}")
        names = ["w_dense", "w_dense_p", "w_bm25", "w_lin"]
        if not comps.qp[0].shape[1]:
            names[1] = ""
        # coordinate ascent over (w_dense, w_dense_p, w_bm25, w_lin, β), from (1, 0, 0, 0, 0)
        w, beta = [1.0, 0.0, 0.0, 0.0], 0.0
        best = _top1(self._mix(parts, w, beta), G)
        for _ in range(4):
            improved = False
            for j, nm in enumerate([*names, "beta"]):
                if not nm:
                    continue
                for v in g["beta"] if nm == "beta" else g["weights"]:
                    ww, bb = list(w), beta
                    if nm == "beta":
                        bb = float(v)
                    else:
                        ww[j] = float(v)
                    if not any(ww):
                        continue
                    a = _top1(self._mix(parts, ww, bb), G)
                    if a > best + 1e-9:
                        best, w, beta, improved = a, ww, bb, True
            if not improved:
                break
        p.w_dense, p.w_dense_p, p.w_bm25, p.w_lin = w
        p.beta = float(beta)
        log(f"  mix: weights={w} beta={beta} val top1={best:.4f}")
        p.validation_top1 = best  # type: ignore[attr-defined]
        return p

    def _select_v1(self, comps: _Comps, G: np.ndarray, p: IpcParams, log) -> IpcParams:
        g = p.grid
        best = (-1.0, None)
        for tau in g["tau"]:
            Pd = self._dense(comps.qq, p.k_dense, tau, p.votes)
            Pb = self._bm(comps.bm, p.k_bm25, 1.0, p.votes)
            for wb in g["w_bm25"]:
                for wl in g["w_lin"]:
                    acc = _top1(self._mix([Pd, Pb, comps.lin], [p.w_dense, wb, wl], 0.0), G)
                    log(f"  select tau={tau} w_bm25={wb} w_lin={wl}: val top1={acc:.4f}")
                    if acc > best[0]:
                        best = (acc, (tau, wb, wl))
        p.tau, p.w_bm25, p.w_lin = best[1]
        p.validation_top1 = best[0]  # type: ignore[attr-defined]
        return p

    def predict_proba(
        self,
        texts: Sequence[str],
        embeddings: np.ndarray | None = None,
        passage_embeddings: np.ndarray | None = None,
    ) -> np.ndarray:
        """(n, C) scores over ``self.classes``.  ``embeddings``/``passage_embeddings`` are the
        texts' ``query:``/``passage:`` e5 vectors when the caller already has them."""
        if embeddings is None or (passage_embeddings is None and self._needs_passages()):
            if self.encoder is None:
                raise RuntimeError("no encoder attached; pass encoder= to load() or the embeddings")
        if embeddings is None:
            embeddings = self.encoder.encode_queries(list(texts))
        if passage_embeddings is None and self._needs_passages():
            passage_embeddings = self.encoder.encode_passages(list(texts))
        qt = [tokenize(t) for t in texts]
        Q = np.asarray(embeddings, np.float32)
        Pq = None if passage_embeddings is None else np.asarray(passage_embeddings, np.float32)
        p = self.params
        if p.model == "krr":
            Sq, Sl = self._krr_scores(Q, Pq, self.lex_docs_for(texts, qt))
            S = Sq if Sl is None else Sq + p.w_lex * Sl
            if p.krr_w_lin > 0:
                S = S + p.krr_w_lin * _softmax(self.lin.logits(self._krr_X(Q, Pq)))
            if p.krr_w_head > 0 and self.head is not None:
                S = S + p.krr_w_head * self.head.proba(Q, self.classes)
            return self._krr_proba(S, p.beta)
        parts = self._parts(self._components(Q, Pq, qt), p)
        return self._mix(
            parts, [p.w_dense, p.w_dense_p if self.Ep is not None else 0.0, p.w_bm25, p.w_lin], p.beta
        )

    def _needs_passages(self) -> bool:
        return self.params.passage_view and self.Ep is not None

    def suggest_many(
        self,
        texts: Sequence[str],
        top: int = 5,
        embeddings: np.ndarray | None = None,
        passage_embeddings: np.ndarray | None = None,
    ) -> list[list[tuple[str, float]]]:
        P = self.predict_proba(texts, embeddings, passage_embeddings)
        out = []
        for row in P:
            j = np.argsort(-row, kind="stable")[:top]
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
            "version": FORMAT_VERSION,
            "tokens": [" ".join(t) for t in self.tokens],
            "labels": self.labels,
            "validation_top1": getattr(self.params, "validation_top1", None),
        }
        if self.texts is not None and self.params.model == "krr":
            meta["texts"] = self.texts
        arrays = {
            "Eq": self.Eq.astype(np.float16),
            "W": self.lin.W,
            "b": self.lin.b,
            "meta": np.frombuffer(json.dumps(meta, ensure_ascii=False).encode("utf-8"), np.uint8),
        }
        if self.Ep is not None:
            arrays["Ep"] = self.Ep.astype(np.float16)
        # float16 halves the file; on the titles data it changes no top-1 suggestion (|Δp| < 3e-4)
        if self.alpha_q is not None:
            arrays["alpha_q"] = self.alpha_q.astype(np.float16)
        if self.alpha_lex is not None:
            arrays["alpha_lex"] = self.alpha_lex.astype(np.float16)
        if self.head is not None:
            meta["head"] = {"classes": self.head.classes, "offset": self.head.offset, "scale": self.head.scale}
            arrays["head_W"] = self.head.W
            arrays["meta"] = np.frombuffer(json.dumps(meta, ensure_ascii=False).encode("utf-8"), np.uint8)
        with open(path, "wb") as fh:
            np.savez_compressed(fh, **arrays)

    @classmethod
    def load(cls, path: str | Path, encoder: Encoder | None = None) -> IpcSuggester:
        z = np.load(path)
        meta = json.loads(bytes(z["meta"]).decode("utf-8"))
        if encoder is not None and meta["encoder"] and encoder.name != meta["encoder"]:
            raise ValueError(f"model trained with encoder {meta['encoder']!r}, got {encoder.name!r}")
        known = {f.name for f in fields(IpcParams)}
        stored = {k: v for k, v in meta["params"].items() if k in known}
        if meta.get("version", 1) == 1:  # v1: query view only, split votes, no β
            params = IpcParams.legacy()
            for k, v in stored.items():
                setattr(params, k, v)
            Y = z["Y"]
            labels = [np.flatnonzero(r > 0).tolist() for r in Y]
            Eq, Ep = z["E"], None
        else:  # v2 files predate the "model" field: they hold the fusion model
            params = IpcParams(**{"model": "fusion", **stored})
            params.lex_grams = tuple(int(n) for n in params.lex_grams)  # JSON gives a list
            labels = meta["labels"]
            Eq, Ep = z["Eq"], (z["Ep"] if "Ep" in z.files else None)
        if meta.get("validation_top1") is not None:
            params.validation_top1 = meta["validation_top1"]  # type: ignore[attr-defined]
        lin = _Linear(z["W"].shape[0], len(meta["classes"]))
        lin.W, lin.b = z["W"], z["b"]
        toks = [t.split(" ") if t else [] for t in meta["tokens"]]
        return cls(
            meta["classes"],
            labels,
            Eq.astype(np.float32),
            None if Ep is None else Ep.astype(np.float32),
            toks,
            lin,
            params,
            encoder,
            meta["encoder"],
            texts=meta.get("texts"),
            alpha_q=z["alpha_q"].astype(np.float32) if "alpha_q" in z.files else None,
            alpha_lex=z["alpha_lex"].astype(np.float32) if "alpha_lex" in z.files else None,
            head=(IpcHead(h["classes"], z["head_W"].astype(np.float32), int(h["offset"]), float(h["scale"]))
                  if (h := meta.get("head")) and "head_W" in z.files else None),
        )


def train(rows: Iterable[Any], encoder: Encoder, params: IpcParams | None = None, **kw) -> IpcSuggester:
    return IpcSuggester.train(rows, encoder, params, **kw)


def load(path: str | Path, encoder: Encoder | None = None) -> IpcSuggester:
    return IpcSuggester.load(path, encoder)


__all__ = ["IpcSuggester", "IpcParams", "IpcHead", "FORMAT_VERSION", "train", "load"]
