import numpy as np
import pytest

from ipoc.search.engine.encoders import HashingEncoder
from ipoc.search.engine.hybrid import HybridConfig, HybridSearcher, rrf
from ipoc.search.engine.lexical import LexicalIndex, MemorySource
from ipoc.search.engine.vectors import VectorStore

DOCS = [
    dict(
        id=1,
        title="锂离子电池正极材料",
        abstract="一种高镍正极材料的制备",
        ipc=["H01M4/36"],
        region="110000",
        legal_status="有效",
    ),
    dict(
        id=2,
        title="锂电池隔膜",
        abstract="聚烯烃隔膜涂覆陶瓷",
        ipc=["H01M50/40"],
        region="320100",
        legal_status="有效",
    ),
    dict(
        id=3,
        title="无人机折叠机翼",
        abstract="机翼可折叠便于运输",
        ipc=["B64C3/56"],
        region="110000",
        legal_status="失效",
    ),
    dict(
        id=4,
        title="无人机电池快换结构",
        abstract="电池仓快速更换",
        ipc=["B64D27/24"],
        region="440300",
        legal_status="有效",
    ),
    dict(
        id=5,
        title="锂电池负极材料",
        abstract="硅碳负极材料",
        ipc=["H01M4/38"],
        region="110000",
        legal_status="有效",
    ),
]


@pytest.fixture
def hs(tmp_path):
    enc = HashingEncoder(128)
    lex = LexicalIndex(tmp_path / "lex", heap_bytes=50_000_000, num_threads=1, source=MemorySource(DOCS))
    vs = VectorStore(tmp_path / "vec", dim=128)
    h = HybridSearcher(lex, vs, enc, HybridConfig(n_lexical=50, n_dense=50))
    h.add(DOCS[:4])  # doc 5 only lexical for now
    h.lexical.add(DOCS[4:])
    h.lexical.commit()
    return h


def test_rrf():
    ids, sc = rrf([(np.array([1, 2, 3]), 1.0), (np.array([3, 1]), 1.0)], 60)
    assert list(ids[:2]) == [1, 3] and sc[0] > sc[1] > sc[2]


def test_hybrid_finds_unencoded_lexically(hs):
    assert len(hs.vectors) == 4
    ids = [h.id for h in hs.search("负极材料").hits]
    assert 5 in ids[:2]  # found through the lexical list only
    assert hs.encode_missing() == 1 and len(hs.vectors) == 5


def test_filters_apply_to_dense(hs):
    for f in ({"region": "11"}, {"ipc": "H01M"}, {"legal_status": "有效", "ipc": "B64"}):
        allowed = set(hs.lexical.filter_ids(f).tolist())
        got = [h.id for h in hs.search("电池 无人机 材料", filters=f, limit=10).hits]
        assert got and set(got) <= allowed


def test_snippets_facets_ranks(hs):
    r = hs.search("锂电池", snippets=True, facets=["ipc"])
    assert r.hits and "<mark>" in r.hits[0].snippets["title"]
    assert dict(r.facets["ipc"])["H01M"] >= 2
    assert any(h.lexical_rank is not None for h in r.hits)


def test_more_like_this_and_delete(hs):
    hs.encode_missing()
    sims = [h.id for h in hs.more_like_this(1, limit=3)]
    assert 1 not in sims and sims[0] in (2, 5)
    hs.delete([5])
    assert 5 not in [h.id for h in hs.search("负极材料").hits]


def test_graph_smoothing_path(hs):
    hs.encode_missing()
    hs.vectors.build_neighbours(k=2)
    ids, sc, parts = hs.search_ids("锂电池", limit=5)
    assert "dense_prf" in parts and len(ids) == 5 and np.all(np.diff(sc) <= 1e-9)


def test_broad_filter_overfetch_path(hs):
    hs.encode_missing()
    hs.config.exact_filter_max = 1  # force the over-fetch branch
    got = [h.id for h in hs.search("电池", filters={"legal_status": "有效"}, limit=10).hits]
    assert got and set(got) <= {1, 2, 4, 5}


# ---- PRF above prf_full_max: re-rank the first-round candidates against q' (no 2nd search)


def _unit(*xs):
    v = np.asarray(xs, np.float32)
    return v / np.linalg.norm(v)


# q = e0.  F1/F2 lean towards e1 and are the top-2 feedback docs, so q' = q + 0.75·mean(F1,F2)
# leans towards e1 too.  X is far from q (last of the five without PRF) but close to q';
# D and H are closer to q than X, further from q'.
PRF_VECS = {
    1: _unit(1, 1, 0, 0),  # F1  cos(q)=.707
    2: _unit(1, 0.9, 0, 0),  # F2  .743
    3: _unit(1, 0, 1.1, 0),  # D   .673
    4: _unit(1, -0.5, 0, 0.9),  # H   .697
    5: _unit(0.6, 1, 0, 0),  # X   .514
    6: _unit(0.3, 0, 0, 1),  # E   .287
}
PRF_REGION = {1: "110000", 2: "110000", 3: "110000", 4: "440300", 5: "110000", 6: "440300"}
Q = _unit(1, 0, 0, 0)


@pytest.fixture
def prf_hs(tmp_path):
    lex = LexicalIndex(tmp_path / "plex", heap_bytes=50_000_000, num_threads=1)
    lex.add(
        [
            # a lexical hit for "折叠" on F2 only, so the lexical list is non-empty
            dict(id=i, title="折叠机翼" if i == 2 else f"装置{i}", abstract="", region=PRF_REGION[i])
            for i in PRF_VECS
        ]
    )
    lex.commit()
    vs = VectorStore(tmp_path / "pvec", dim=4)
    vs.append(list(PRF_VECS), np.stack(list(PRF_VECS.values())))

    def make(prf_full_max: int, **kw) -> HybridSearcher:
        return HybridSearcher(lex, vs, None, HybridConfig(prf_docs=2, prf_full_max=prf_full_max, **kw))

    return make


def _rank(ids, x):
    return ids.tolist().index(x)


def _count_dense(monkeypatch, h):
    calls = []
    orig = h._dense
    monkeypatch.setattr(h, "_dense", lambda *a, **k: calls.append(1) or orig(*a, **k))
    return calls


def test_prf_rerank_path_is_used_and_moves_the_q2_neighbour_up(prf_hs, monkeypatch):
    h = prf_hs(prf_full_max=1)  # 6 vectors > 1: re-rank path
    calls = _count_dense(monkeypatch, h)
    ids0, _, parts0 = h.search_ids("折叠", limit=6, query_vector=Q, prf=False)
    assert len(calls) == 1 and "dense_prf" not in parts0
    assert _rank(ids0, 5) > _rank(ids0, 3) and _rank(ids0, 5) > _rank(ids0, 4)
    calls.clear()
    ids, _, parts = h.search_ids("折叠", limit=6, query_vector=Q)
    assert len(calls) == 1  # no second dense search
    prf = parts["dense_prf"].tolist()
    assert prf.index(5) < prf.index(3) and prf.index(5) < prf.index(4)  # X is closer to q'
    assert _rank(ids, 5) < _rank(ids0, 5)  # and ranks higher than without PRF
    assert set(prf) <= set(parts["lexical"].tolist()) | set(parts["dense"].tolist())


def test_prf_rerank_equals_full_search_when_candidates_cover_the_corpus(prf_hs, monkeypatch):
    full, rr = prf_hs(prf_full_max=10**9), prf_hs(prf_full_max=1)
    calls = _count_dense(monkeypatch, full)
    a = full.search_ids("折叠", limit=6, query_vector=Q)
    assert len(calls) == 2  # below the threshold: the second full dense search, as before
    b = rr.search_ids("折叠", limit=6, query_vector=Q)
    assert a[0].tolist() == b[0].tolist() and np.allclose(a[1], b[1], atol=1e-6)
    assert a[2]["dense_prf"].tolist() == b[2]["dense_prf"].tolist()


def test_prf_rerank_only_reorders_first_round_candidates(prf_hs):
    h = prf_hs(prf_full_max=1, n_dense=2, n_lexical=1)
    _, _, parts = h.search_ids("折叠", limit=2, query_vector=Q)
    first = set(parts["lexical"].tolist()) | set(parts["dense"].tolist())
    assert set(parts["dense_prf"].tolist()) <= first
    assert 5 not in parts["dense_prf"].tolist()  # X was not retrieved in round one: no PRF score


def test_prf_rerank_respects_filters(prf_hs, hs):
    h = prf_hs(prf_full_max=1)
    allowed = {1, 2, 3, 5}
    ids, _, parts = h.search_ids("折叠 装置", filters={"region": "11"}, limit=6, query_vector=Q)
    assert len(ids) and set(ids.tolist()) <= allowed
    assert parts["dense_prf"].size and set(parts["dense_prf"].tolist()) <= allowed
    # the text fixture (HashingEncoder; doc 5 unencoded, so it gets no PRF score)
    hs.config.prf_full_max = 1
    for f in ({"region": "11"}, {"ipc": "H01M"}, {"legal_status": "有效", "ipc": "B64"}):
        allowed = set(hs.lexical.filter_ids(f).tolist())
        ids, _, parts = hs.search_ids("电池 无人机 材料", filters=f, limit=10)
        assert len(ids) and set(ids.tolist()) <= allowed
        assert set(parts.get("dense_prf", np.zeros(0)).tolist()) <= allowed - {5}


@pytest.mark.parametrize("prf_full_max", [1, 10**9])
def test_prf_paths_deterministic(prf_hs, prf_full_max):
    runs = [prf_hs(prf_full_max=prf_full_max).search_ids("折叠", limit=6, query_vector=Q) for _ in range(3)]
    for ids, sc, parts in runs[1:]:
        assert ids.tolist() == runs[0][0].tolist() and sc.tolist() == runs[0][1].tolist()
        assert parts["dense_prf"].tolist() == runs[0][2]["dense_prf"].tolist()


def test_keyword_queries_are_told_from_descriptive_ones():
    from ipoc.search.engine.hybrid import is_keyword_query

    assert is_keyword_query("无人机 热成像 云台") and is_keyword_query("石墨烯") and is_keyword_query("电池　隔膜")
    assert not is_keyword_query("一种基于深度学习的图像识别方法")  # a title: descriptive
    assert not is_keyword_query("高性能 全固态 锂电池 关键材料 研发 需求")  # more than four words
    assert not is_keyword_query("") and not is_keyword_query("   ")


def test_a_keyword_query_keeps_the_lexical_order_and_the_dense_lists_only_add(hs):
    """Known-item search: with every patent encoded, equal-weight fusion let the dense lists outvote an exact
    match (MRR 0.575 against 0.812 for BM25); lexical first keeps the exact match on top."""
    hs.encode_missing()
    query = "隔膜 陶瓷"
    lexical, _ = hs.lexical.search_ids(query, limit=50)
    keyword = [h.id for h in hs.search(query, keyword=True, limit=5).hits]
    assert keyword[:len(lexical)] == list(lexical)[:5][:len(keyword)]
    assert set(keyword) >= set(lexical.tolist()[:5])
