import json

import numpy as np
import pytest

from ipoc.search.engine.encoders import HashingEncoder
from ipoc.search.engine.ipc_suggest import FORMAT_VERSION, IpcParams, IpcSuggester, load, train

TOPICS = {
    "H01M": ["锂电池正极材料", "电池隔膜", "锂离子电池电解液", "电池负极", "固态电池", "电池极片"],
    "B64C": ["无人机机翼", "旋翼无人机", "飞行器起落架", "无人机螺旋桨", "机翼折叠", "飞行器机身"],
    "A01G": ["果树栽培", "温室大棚种植", "植物育苗", "花卉栽培", "蔬菜种植", "苗木移栽"],
}

SMALL_GRID = {
    "k_dense": [5, 10],
    "tau": [0.05],
    "k_bm25": [10],
    "bm25_pow": [1.0],
    "weights": [0.0, 1.0],
    "beta": [0.0, 0.2],
    "epochs": [30, 60],
}


def rows():
    out = []
    for fold in (1, 2, 3, 4):
        for c, titles in TOPICS.items():
            for t in titles:
                out.append(
                    {
                        "title": f"一种{t}装置{fold}",
                        "ipc_subclasses": c + ("|H01M" if c == "B64C" and fold == 1 else ""),
                        "fold": fold,
                    }
                )
    return out


class SpyEncoder(HashingEncoder):
    """HashingEncoder that records which texts were encoded on which side."""

    def __init__(self, dim=64):
        super().__init__(dim)
        self.calls = {"q": 0, "p": 0}

    def encode_queries(self, texts):
        self.calls["q"] += len(texts)
        return super().encode_passages(texts)

    def encode_passages(self, texts):
        self.calls["p"] += len(texts)
        return super().encode_passages(texts)


def test_train_suggest_save_load(tmp_path):
    enc = HashingEncoder(64)
    m = train(rows(), enc, IpcParams(epochs=60), select=False)
    s = m.suggest("新型锂电池正极", top=3)
    assert s[0][0] == "H01M" and len(s) <= 3
    assert all(a[1] >= b[1] for a, b in zip(s, s[1:], strict=False))
    assert sum(x for _, x in m.suggest("新型锂电池正极", top=10)) <= 1.0 + 1e-5
    assert m.suggest("果树种植方法")[0][0] == "A01G"
    m.save(tmp_path / "m.npz")
    m2 = load(tmp_path / "m.npz", enc)
    P1 = m.predict_proba(["无人机旋翼"])
    P2 = m2.predict_proba(["无人机旋翼"])
    assert m2.classes == m.classes and np.allclose(P1, P2, atol=1e-3)
    assert m2.params == m.params
    assert m2.suggest("无人机旋翼")[0][0] == "B64C"


def test_load_rejects_other_encoder(tmp_path):
    m = train(rows(), HashingEncoder(64), IpcParams(epochs=10), select=False)
    m.save(tmp_path / "m.npz")
    with pytest.raises(ValueError):
        load(tmp_path / "m.npz", HashingEncoder(32))


def test_default_model_encodes_the_query_view_only():
    enc = SpyEncoder()
    m = train(rows(), enc, IpcParams(epochs=20), select=False)
    assert enc.calls == {"q": len(rows()), "p": 0} and m.Ep is None and m.lin.W.shape[0] == enc.dim
    m.suggest("无人机机翼")
    assert enc.calls["p"] == 0


def test_passage_view_is_used_and_can_be_passed_in():
    enc = SpyEncoder()
    m = train(rows(), enc, IpcParams(epochs=20, passage_view=True, w_dense_p=1.0), select=False)
    n = len(rows())
    assert enc.calls == {"q": n, "p": n}  # training titles encoded once per view
    assert m.Ep is not None and m.lin.W.shape[0] == 2 * enc.dim  # linear model on [query ‖ passage]
    m.suggest("无人机机翼")
    assert enc.calls == {"q": n + 1, "p": n + 1}
    texts = ["无人机机翼", "果树栽培"]
    Q, P = HashingEncoder(64).encode_queries(texts), HashingEncoder(64).encode_passages(texts)
    out = m.suggest_many(texts, top=2, embeddings=Q, passage_embeddings=P)
    assert enc.calls == {"q": n + 1, "p": n + 1}  # nothing re-encoded
    assert [o[0][0] for o in out] == ["B64C", "A01G"]


def test_legacy_preset_reads_query_view_only():
    enc = SpyEncoder()
    m = train(rows() * 3, enc, IpcParams.legacy())
    assert enc.calls["p"] == 0 and m.Ep is None and m.lin.W.shape[0] == enc.dim
    assert m.params.votes == "soft" and m.params.beta == 0.0
    assert m.suggest("锂电池负极")[0][0] == "H01M"
    assert enc.calls["p"] == 0


def test_multi_label_votes_count_each_gold_label_fully():
    # 3 neighbours tagged A01G|H01M|B64C-style multi-label vs 2 tagged X only:
    # split votes give X (2 × 1) > A01B (3 × 1/2); full votes give A01B (3) > X (2).
    data = [("温室大棚", ["A01B", "G06F"]), ("温室大棚", ["A01B", "H04L"]), ("温室大棚", ["A01B", "G06Q"])]
    data += [("温室大棚", ["A01G"]), ("温室大棚", ["A01G"])]
    only_dense = dict(w_dense=1.0, w_dense_p=0.0, w_bm25=0.0, w_lin=0.0, beta=0.0, k_dense=5, tau=10.0, epochs=1)
    multi = train(data, HashingEncoder(32), IpcParams(votes="multi", **only_dense), select=False)
    soft = train(data, HashingEncoder(32), IpcParams(votes="soft", **only_dense), select=False)
    assert multi.suggest("温室大棚")[0][0] == "A01B"
    assert soft.suggest("温室大棚")[0][0] == "A01G"


def test_prior_flattening_beta_demotes_the_frequent_class():
    # a query equally close to one frequent-class and one rare-class title
    data = [("电池", ["H01M"])] * 8 + [("无人机", ["B64C"])] + [("电池无人机", ["H01M"]), ("电池无人机", ["B64C"])]
    base = dict(w_dense=1.0, w_dense_p=0.0, w_bm25=0.0, w_lin=0.0, k_dense=2, tau=10.0, epochs=1)
    flat = train(data, HashingEncoder(32), IpcParams(beta=0.5, **base), select=False)
    raw = train(data, HashingEncoder(32), IpcParams(beta=0.0, **base), select=False)
    p_flat = dict(flat.suggest("电池无人机"))
    p_raw = dict(raw.suggest("电池无人机"))
    assert p_raw["H01M"] == pytest.approx(p_raw["B64C"], abs=1e-6)
    assert p_flat["B64C"] > p_flat["H01M"]


def test_selection_validates_on_last_training_fold_only():
    seen = []

    class Recorder(IpcSuggester):
        def _select(self, Q, P, qtoks, gold, verbose=False):
            seen.append((len(self.labels), len(gold)))
            return super()._select(Q, P, qtoks, gold, verbose)

    data = rows() * 4  # 288 rows: 72 per fold
    m = Recorder.train(data, HashingEncoder(32), IpcParams(grid=SMALL_GRID))
    assert seen == [(216, 72)]  # fit on folds 1–3, validate on fold 4
    p = m.params
    assert p.k_dense in (5, 10) and p.epochs in (30, 60) and p.beta in (0.0, 0.2)
    assert 0.9 <= p.validation_top1 <= 1.0  # type: ignore[attr-defined]
    assert len(m.labels) == len(data)  # refit on every training row


def test_selection_with_passage_view_picks_its_weight_and_round_trips(tmp_path):
    enc = HashingEncoder(32)
    m = IpcSuggester.train(rows() * 4, enc, IpcParams(grid=SMALL_GRID, passage_view=True))
    assert m.params.passage_view and m.params.w_dense_p in (0.0, 1.0) and m.Ep is not None
    m.save(tmp_path / "m.npz")
    m2 = load(tmp_path / "m.npz", enc)
    assert np.allclose(m.predict_proba(["电池隔膜"]), m2.predict_proba(["电池隔膜"]), atol=1e-3)


def test_loads_v1_model_files(tmp_path):
    """Models saved by the v1 code (query view only) still load and suggest."""
    enc = HashingEncoder(32)
    texts = [f"一种{t}" for ts in TOPICS.values() for t in ts]
    labels = [c for c, ts in TOPICS.items() for _ in ts]
    classes = sorted(TOPICS)
    Y = np.zeros((len(texts), len(classes)), np.float32)
    for i, c in enumerate(labels):
        Y[i, classes.index(c)] = 1.0
    E = enc.encode_queries(texts)
    W = (E.T @ Y).astype(np.float32)  # a crude but sensible linear model
    from ipoc.search.engine.tokenize import tokenize

    meta = {
        "classes": classes,
        "params": {"k_dense": 30, "k_bm25": 30, "tau": 0.05, "w_dense": 1.0, "w_bm25": 0.5, "w_lin": 1.0,
                   "l2": 1e-5, "epochs": 200, "hash_scale": 0.0, "lr": 0.02, "grid": {}},
        "encoder": enc.name,
        "version": 1,
        "tokens": [" ".join(tokenize(t)) for t in texts],
    }
    with open(tmp_path / "v1.npz", "wb") as fh:
        np.savez_compressed(
            fh, Y=Y, E=E.astype(np.float16), idf=np.ones(1024, np.float32), W=W, b=np.zeros(3, np.float32),
            meta=np.frombuffer(json.dumps(meta, ensure_ascii=False).encode(), np.uint8),
        )
    m = load(tmp_path / "v1.npz", enc)
    assert m.params.votes == "soft" and not m.params.passage_view and m.Ep is None
    assert m.suggest("锂离子电池")[0][0] == "H01M"
    m.save(tmp_path / "v2.npz")
    assert json.loads(bytes(np.load(tmp_path / "v2.npz")["meta"]).decode())["version"] == FORMAT_VERSION
    assert load(tmp_path / "v2.npz", enc).suggest("果树")[0][0] == "A01G"
