import numpy as np
import pytest

from ipoc.search.engine.encoders import HashingEncoder
from ipoc.search.engine.hybrid import HybridConfig, HybridSearcher, rrf
from ipoc.search.engine.lexical import LexicalIndex
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
    lex = LexicalIndex(tmp_path / "lex", heap_bytes=50_000_000, num_threads=1)
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
