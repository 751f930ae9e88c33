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
    "krr_tau": [0.05, 0.1],
    "krr_lam": [0.1, 0.3],
    "lex_lam": [1.0],
    "w_lex": [0.0, 0.5],
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


@pytest.mark.parametrize("model", ["krr", "fusion"])
def test_train_suggest_save_load(tmp_path, model):
    enc = HashingEncoder(64)
    m = train(rows(), enc, IpcParams(model=model, epochs=60), select=False)
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


def test_default_model_is_krr_on_the_query_view_only():
    enc = SpyEncoder()
    m = train(rows(), enc, select=False)
    n = len(rows())
    assert m.params.model == "krr" and IpcParams().model == "krr"
    assert enc.calls == {"q": n, "p": 0} and m.Ep is None
    assert m.alpha_q.shape == (n, 3) and m.alpha_lex.shape == (n, 3)
    m.suggest("无人机机翼")
    assert enc.calls == {"q": n + 1, "p": 0}


def test_fusion_model_encodes_the_query_view_only():
    enc = SpyEncoder()
    m = train(rows(), enc, IpcParams.fusion(epochs=20), select=False)
    assert enc.calls == {"q": len(rows()), "p": 0} and m.Ep is None and m.lin.W.shape[0] == enc.dim
    m.suggest("无人机机翼")
    assert enc.calls["p"] == 0


def test_passage_view_is_used_and_can_be_passed_in():
    enc = SpyEncoder()
    m = train(rows(), enc, IpcParams.fusion(epochs=20, passage_view=True, w_dense_p=1.0), select=False)
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
    multi = train(data, HashingEncoder(32), IpcParams.fusion(votes="multi", **only_dense), select=False)
    soft = train(data, HashingEncoder(32), IpcParams.fusion(votes="soft", **only_dense), select=False)
    assert multi.suggest("温室大棚")[0][0] == "A01B"
    assert soft.suggest("温室大棚")[0][0] == "A01G"


def test_prior_flattening_beta_demotes_the_frequent_class():
    # a query equally close to one frequent-class and one rare-class title
    data = [("电池", ["H01M"])] * 8 + [("无人机", ["B64C"])] + [("电池无人机", ["H01M"]), ("电池无人机", ["B64C"])]
    base = dict(w_dense=1.0, w_dense_p=0.0, w_bm25=0.0, w_lin=0.0, k_dense=2, tau=10.0, epochs=1)
    flat = train(data, HashingEncoder(32), IpcParams.fusion(beta=0.5, **base), select=False)
    raw = train(data, HashingEncoder(32), IpcParams.fusion(beta=0.0, **base), select=False)
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
    m = Recorder.train(data, HashingEncoder(32), IpcParams.fusion(grid=SMALL_GRID))
    assert seen == [(216, 72)]  # fit on folds 1–3, validate on fold 4
    p = m.params
    assert p.k_dense in (5, 10) and p.epochs in (30, 60) and p.beta in (0.0, 0.2)
    assert 0.9 <= p.validation_top1 <= 1.0  # type: ignore[attr-defined]
    assert len(m.labels) == len(data)  # refit on every training row


def test_selection_with_passage_view_picks_its_weight_and_round_trips(tmp_path):
    enc = HashingEncoder(32)
    m = IpcSuggester.train(rows() * 4, enc, IpcParams.fusion(grid=SMALL_GRID, passage_view=True))
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


# ---- kernel ridge regression model (model="krr", the default)


def _tiny():
    data = [
        ("锂电池正极", ["H01M"]),
        ("锂电池负极", ["H01M"]),
        ("无人机机翼", ["B64C"]),
        ("无人机旋翼", ["B64C", "H01M"]),
    ]
    return data, HashingEncoder(32)


def test_krr_scores_are_the_closed_form_ridge_solution():
    data, enc = _tiny()
    p = IpcParams(krr_tau=0.2, krr_lam=0.5, w_lex=0.0, beta=0.0)
    m = train(data, enc, p, select=False)
    X = enc.encode_queries([t for t, _ in data])
    Y = np.array([[1, 0], [1, 0], [0, 1], [1, 1]], np.float32)  # classes sorted: B64C, H01M
    assert m.classes == ["B64C", "H01M"]
    K = np.exp((X @ X.T - 1) / 0.2)
    alpha = np.linalg.solve(K + 0.5 * np.eye(4), Y[:, ::-1])
    x = enc.encode_queries(["锂电池隔膜"])
    s = np.maximum(np.exp((x @ X.T - 1) / 0.2) @ alpha, 0)[0]
    assert np.allclose(m.predict_proba(["锂电池隔膜"])[0], s / s.sum(), atol=1e-4)
    assert m.suggest("锂电池隔膜")[0][0] == "H01M"


def test_krr_lexical_part_and_its_weight():
    data, enc = _tiny()
    m = train(data, enc, IpcParams(w_lex=1.0, beta=0.0), select=False)
    # the lexical kernel row of a training text contains its cosine 1 with itself
    assert m.lex.cross([m.lex_docs_for(["无人机旋翼"])[0]])[0, 3] == pytest.approx(1.0, abs=1e-5)
    Sq, Sl = m._krr_scores(enc.encode_queries(["无人机旋翼"]), None, m.lex_docs_for(["无人机旋翼"]))
    assert Sl is not None and Sl.shape == Sq.shape == (1, 2)
    off = train(data, enc, IpcParams(w_lex=0.0, beta=0.0), select=False)
    assert off.alpha_lex is None
    P_on, P_off = m.predict_proba(["无人机旋翼"]), off.predict_proba(["无人机旋翼"])
    expected = np.maximum(Sq + Sl, 0)
    assert np.allclose(P_on, expected / expected.sum(), atol=1e-5)
    assert not np.allclose(P_on, P_off, atol=1e-3)


def test_lexical_gram_matches_dense_tfidf_cosine(monkeypatch):
    from ipoc.search.engine import ipc_suggest

    docs = [["电池", "正极", "电池"], ["电池", "负极"], ["无人机", "机翼"], ["电池", "无人机"], ["新词"]]
    lex = ipc_suggest._Lex(docs)
    V = np.zeros((len(docs), len(lex.vocab)), np.float32)
    for i, d in enumerate(docs):
        js, ws = lex.vector(d)
        V[i, js] = ws
    assert np.allclose(np.linalg.norm(V, axis=1), 1.0, atol=1e-6)
    assert np.allclose(lex.gram(), V @ V.T, atol=1e-6)
    monkeypatch.setattr(ipc_suggest._Lex, "BIG_DF", 1)  # frequent terms take the dense path
    assert np.allclose(lex.gram(), V @ V.T, atol=1e-6)
    assert np.allclose(lex.cross(docs), V @ V.T, atol=1e-6)
    q = lex.cross([["电池", "未见词"]])[0]  # an unseen term lowers the cosine but matches nothing
    assert 0 < q[1] < lex.cross([["电池"]])[0, 1]


def test_krr_beta_flattens_the_prior():
    data = (
        [("电池", ["H01M"])] * 8
        + [("无人机", ["B64C"])] * 2
        + [("电池无人机", ["H01M"]), ("电池无人机", ["B64C"])]
    )
    enc = HashingEncoder(32)
    raw = train(data, enc, IpcParams(w_lex=0.0, beta=0.0, krr_tau=10.0), select=False)
    flat = train(data, enc, IpcParams(w_lex=0.0, beta=1.0, krr_tau=10.0), select=False)
    pr, pf = dict(raw.suggest("电池无人机")), dict(flat.suggest("电池无人机"))
    assert pf["B64C"] / pf["H01M"] > pr["B64C"] / pr["H01M"]


def test_krr_selection_validates_on_last_training_fold_only():
    seen = []

    class Recorder(IpcSuggester):
        def _select_krr(self, Q, P, lex_docs, gold, verbose=False):
            seen.append((len(self.labels), len(gold), len(lex_docs)))
            return super()._select_krr(Q, P, lex_docs, gold, verbose)

    data = rows() * 4  # 288 rows: 72 per fold
    m = Recorder.train(data, HashingEncoder(32), IpcParams(grid=SMALL_GRID))
    assert seen == [(216, 72, 72)]  # fit on folds 1–3, validate on fold 4
    p = m.params
    assert p.model == "krr" and p.krr_tau in (0.05, 0.1) and p.krr_lam in (0.1, 0.3)
    assert p.w_lex in (0.0, 0.5) and p.beta in (0.0, 0.2) and p.lex_lam == 1.0
    assert 0.9 <= p.validation_top1 <= 1.0  # type: ignore[attr-defined]
    assert len(m.labels) == len(data) and m.alpha_q.shape[0] == len(data)  # refit on every training row


def test_krr_passage_view_round_trips(tmp_path):
    enc = SpyEncoder(32)
    m = IpcSuggester.train(rows(), enc, IpcParams(passage_view=True), select=False)
    n = len(rows())
    assert enc.calls == {"q": n, "p": n} and m.Ep is not None
    assert m.suggest("无人机机翼")[0][0] == "B64C"
    m.save(tmp_path / "m.npz")
    m2 = load(tmp_path / "m.npz", enc)
    assert m2.params.model == "krr" and m2.params.passage_view and m2.texts == m.texts
    assert np.allclose(m.predict_proba(["电池隔膜"]), m2.predict_proba(["电池隔膜"]), atol=1e-3)


def test_loads_v2_model_files(tmp_path):
    """v2 files (no "model" field, fusion model) still load as the fusion model."""
    enc = HashingEncoder(32)
    m = train(rows(), enc, IpcParams.fusion(epochs=30), select=False)
    m.save(tmp_path / "m.npz")
    z = dict(np.load(tmp_path / "m.npz"))
    meta = json.loads(bytes(z["meta"]).decode())
    del meta["params"]["model"], meta["params"]["krr_tau"], meta["params"]["w_lex"]
    meta["version"] = 2
    z["meta"] = np.frombuffer(json.dumps(meta, ensure_ascii=False).encode(), np.uint8)
    with open(tmp_path / "v2.npz", "wb") as fh:
        np.savez_compressed(fh, **z)
    m2 = load(tmp_path / "v2.npz", enc)
    assert m2.params.model == "fusion" and m2.alpha_q is None
    assert np.allclose(m.predict_proba(["无人机旋翼"]), m2.predict_proba(["无人机旋翼"]), atol=1e-3)


def test_krr_linear_head_is_part_of_the_score_and_round_trips(tmp_path):
    """The softmax regression on the e5 vectors adds ``krr_w_lin × p_lin`` to the KRR score."""
    enc = HashingEncoder(32)
    on = train(rows(), enc, IpcParams(w_lex=0.0, beta=0.0, krr_w_lin=1.0, epochs=30), select=False)
    off = train(rows(), enc, IpcParams(w_lex=0.0, beta=0.0, epochs=30), select=False)
    assert on.lin.W.shape == (32, 3) and off.lin.W.shape == (1, 3)  # fitted only when weighted
    x = enc.encode_queries(["电池无人机"])
    Sq, _ = on._krr_scores(x, None, on.lex_docs_for(["电池无人机"]))
    p_lin = np.exp(on.lin.logits(x)) / np.exp(on.lin.logits(x)).sum()
    expected = np.maximum(Sq + p_lin, 0)
    assert np.allclose(on.predict_proba(["电池无人机"]), expected / expected.sum(), atol=1e-5)
    assert not np.allclose(on.predict_proba(["电池无人机"]), off.predict_proba(["电池无人机"]), atol=1e-3)
    on.save(tmp_path / "m.npz")
    meta = json.loads(bytes(np.load(tmp_path / "m.npz")["meta"]).decode())
    assert meta["version"] == FORMAT_VERSION and meta["params"]["krr_w_lin"] == 1.0
    back = load(tmp_path / "m.npz", enc)
    assert np.allclose(on.predict_proba(["电池无人机"]), back.predict_proba(["电池无人机"]), atol=1e-3)


def test_loads_krr_files_written_before_the_linear_head(tmp_path):
    enc = HashingEncoder(32)
    m = train(rows(), enc, IpcParams(w_lex=0.5), select=False)
    m.save(tmp_path / "m.npz")
    z = dict(np.load(tmp_path / "m.npz"))
    meta = json.loads(bytes(z["meta"]).decode())
    del meta["params"]["krr_w_lin"], meta["params"]["lex_grams"]
    z["meta"] = np.frombuffer(json.dumps(meta, ensure_ascii=False).encode(), np.uint8)
    with open(tmp_path / "v3.npz", "wb") as fh:
        np.savez_compressed(fh, **z)
    m3 = load(tmp_path / "v3.npz", enc)
    assert m3.params.model == "krr" and m3.params.krr_w_lin == 0.0 and m3.params.lex_grams == (2,)
    assert np.allclose(m.predict_proba(["无人机旋翼"]), m3.predict_proba(["无人机旋翼"]), atol=1e-3)


def test_krr_selection_picks_the_linear_weight_from_its_grid():
    seen = []

    class Recorder(IpcSuggester):
        def _krr_linear(self, X):
            seen.append(len(X))
            return super()._krr_linear(X)

    data = rows() * 4
    assert IpcParams().grid["krr_w_lin"] == [0.0]  # off by default: it did not win the nested fold-4 check
    grid = {**SMALL_GRID, "krr_w_lin": [0.0, 1.0]}
    m = Recorder.train(data, HashingEncoder(32), IpcParams(grid=grid, epochs=30))
    assert m.params.krr_w_lin in (0.0, 1.0)
    # fitted on folds 1–3 for the selection, then on every row when its chosen weight is > 0
    assert seen == ([216, 288] if m.params.krr_w_lin else [216])


def test_lexical_terms_with_character_unigrams():
    from ipoc.search.engine.ipc_suggest import _lex_terms

    assert _lex_terms("电池 隔膜", ["电池"]) == ["电池", "电池", "池隔", "隔膜"]
    terms = _lex_terms("电池", ["电"], (1, 2))
    assert terms == ["电", "\x01电", "\x01池", "电池"]  # a unigram never merges with a one-character token


# ---- the tuned encoder's classification head (IpcHead)


def _head_for(enc, offset=0):
    """A head whose rows are the mean query vector of each topic: it knows the three subclasses."""
    from ipoc.search.engine.ipc_suggest import IpcHead

    W = []
    for titles in TOPICS.values():
        v = enc.encode_queries([f"一种{t}装置" for t in titles]).mean(axis=0)
        W.append(v / np.linalg.norm(v))
    return IpcHead(list(TOPICS), np.asarray(W, np.float32), offset=offset, scale=10.0)


def test_head_probabilities_read_their_part_of_the_vector_and_map_onto_the_classes():
    from ipoc.search.engine.ipc_suggest import IpcHead

    W = np.eye(2, dtype=np.float32)
    head = IpcHead(["H01M", "B64C"], W, offset=2, scale=5.0)
    Q = np.array([[9.0, -9.0, 0.6, 0.8]], np.float32)  # the first two columns belong to another encoder
    P = head.proba(Q, ["A01G", "B64C", "H01M"])
    z = np.exp(5.0 * np.array([0.6, 0.8]))
    assert np.allclose(P[0], [0.0, z[1] / z.sum(), z[0] / z.sum()], atol=1e-6)  # A01G: unknown to the head


def test_krr_head_is_added_with_its_weight_and_round_trips(tmp_path):
    enc = HashingEncoder(32)
    head = _head_for(enc)
    on = train(rows(), enc, IpcParams(w_lex=0.0, beta=0.0, krr_w_head=1.0), select=False, head=head)
    off = train(rows(), enc, IpcParams(w_lex=0.0, beta=0.0), select=False)
    text = ["电池无人机"]
    x = enc.encode_queries(text)
    Sq, _ = on._krr_scores(x, None, on.lex_docs_for(text))
    expected = np.maximum(Sq + head.proba(x, on.classes), 0)
    assert np.allclose(on.predict_proba(text), expected / expected.sum(), atol=1e-5)
    assert not np.allclose(on.predict_proba(text), off.predict_proba(text), atol=1e-3)
    on.save(tmp_path / "m.npz")
    back = load(tmp_path / "m.npz", enc)
    assert back.head is not None and back.head.classes == head.classes and back.params.krr_w_head == 1.0
    assert np.allclose(on.predict_proba(text), back.predict_proba(text), atol=1e-3)
    off.save(tmp_path / "off.npz")
    assert load(tmp_path / "off.npz", enc).head is None


def test_krr_head_weight_is_selected_only_when_a_head_is_attached():
    enc = HashingEncoder(32)
    grid = {**SMALL_GRID, "krr_w_head": [0.0, 1.0]}
    without = train(rows() * 2, enc, IpcParams(grid=grid, krr_w_head=1.0))
    assert without.params.krr_w_head == 0.0 and without.head is None
    with_head = train(rows() * 2, enc, IpcParams(grid=grid), head=_head_for(enc))
    assert with_head.params.krr_w_head in (0.0, 1.0) and with_head.head is not None


def test_head_is_read_from_a_tuned_models_weights_file(tmp_path):
    from ipoc.search.engine import e5_weights
    from ipoc.search.engine.ipc_suggest import IpcHead
    from tests.search.test_engine_onnx import tiny_model

    cfg, tok, w = tiny_model()
    W = np.eye(2, cfg.hidden, dtype=np.float32)
    e5_weights.save_weights(tmp_path / "old" / "weights.npz", cfg, tok, w, {"name": "e5-ipc-1"})
    assert IpcHead.from_weights(tmp_path / "old" / "weights.npz") is None  # saved before heads were kept
    e5_weights.save_weights(tmp_path / "new" / "weights.npz", cfg, tok, {**w, "ipc_head.w": W},
                            {"name": "e5-ipc-2", "head_classes": ["B64C", "H01M"], "scale": 20.0})
    head = IpcHead.from_weights(tmp_path / "new" / "weights.npz", offset=7, name="e5-ipc-2-t64")
    assert head.classes == ["B64C", "H01M"] and head.offset == 7 and np.allclose(head.W, W)
    assert IpcHead.from_weights(tmp_path / "new" / "weights.npz", name="e5-ipc-3-t64") is None  # another model
