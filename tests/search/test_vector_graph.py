"""Issue 15: the product builds the corpus neighbour graph (DBA + neighbourhood smoothing) itself after each
encoding — the part of the hybrid search that the bench path had and the product did not (same-class P@10
through ``ipoc search --queries``: 0.273 without it, 0.297 with it; bench/RESULTS.md, session 10) — keeps it
while fresh, rebuilds it when a fifth of the rows came after it, and uses it for descriptive queries only (not
for keyword queries, nor for matching's weighted search, whose judged ranking it would change)."""

import contextlib
import json
import types

import numpy as np
import pytest

from ipoc.patents import services as patent_services
from ipoc.patents.models import Patent
from ipoc.search import selectors, services, testing
from ipoc.search.engine.hybrid import HybridSearcher
from ipoc.search.engine.vectors import VectorStore

search_index = testing.search_index

RECORDS = [
    {"id": "g1", "title": "一种锂电池热管理系统", "abstract": "电池包通过液冷板散热，提高锂电池寿命。"},
    {"id": "g2", "title": "锂电池液冷板", "abstract": "液冷板贴合电池模组散热。"},
    {"id": "g3", "title": "一种图像传感器的降噪方法", "abstract": "对图像信号进行时域滤波降噪。"},
    {"id": "g4", "title": "电池外壳结构", "abstract": "一种电池外壳。"},
]


def _clustered(n: int, rng, centres: np.ndarray) -> np.ndarray:
    v = centres[rng.integers(0, len(centres), n)] + rng.normal(0, 0.3, (n, centres.shape[1])) + 1.0
    return (v / np.linalg.norm(v, axis=1, keepdims=True)).astype(np.float32)


@pytest.mark.django_db
def test_encoding_builds_the_graph_and_descriptive_searches_use_it(tmp_path, search_index, users, monkeypatch):
    path = tmp_path / "g.jsonl"
    path.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in RECORDS), encoding="utf-8")
    patent_services.patent_import(actor=None, path=path, format="jsonl", options={"source": "t"})
    result = services.index_encode().result
    assert result["encoded"] == 4 and result["graph_built"] is True
    graph = services.engine().status()["vector_graph"]
    assert graph["built_count"] == 4 and graph["k"] == 10 and graph["mode"] == "exact"
    vs = services.engine().vectors
    p1, p2 = (Patent.objects.get(external_id=x).pk for x in ("g1", "g2"))
    assert vs.has_neighbours and p2 in vs.neighbours([p1])[0].tolist()
    assert not np.allclose(vs.get_smoothed([p1]), vs.get([p1]))  # the DBA vector differs from the raw one

    smoothed = []
    real = HybridSearcher._smooth
    monkeypatch.setattr(HybridSearcher, "_smooth", lambda self, ids: smoothed.append(len(ids)) or real(self, ids))
    page = selectors.search_patents(user=users["ent_a"], q="锂电池包的液冷散热系统")  # a descriptive query
    assert smoothed and page.hits[0].patent_id in (p1, p2)
    smoothed.clear()
    page = selectors.search_patents(user=users["ent_a"], q="液冷板")  # a keyword query: lexical first, unsmoothed
    assert not smoothed and page.hits[0].patent_id == p2
    # matching's weighted search keeps its judged ranking: neither smoothed nor scored on the DBA vectors
    dba, real_search = [], VectorStore.search
    monkeypatch.setattr(VectorStore, "get_smoothed", lambda self, ids: dba.append(ids) or self.get(ids))
    monkeypatch.setattr(VectorStore, "search", lambda self, q, k=10, **kw: dba.append(kw) if kw.get("smoothed") else
                        real_search(self, q, k, **kw))
    page = selectors.search_weighted(user=users["ent_a"], groups=[("液冷", ["液冷"], 1.0), ("电池", ["电池"], 1.0)],
                                     text="锂电池包的液冷散热系统")
    assert page.hits and not smoothed and not dba
    # nothing new encoded: the graph is kept, not built again
    assert services.index_encode().result["graph_built"] is False


def test_the_graph_is_kept_while_fresh_rebuilt_when_stale_and_can_be_switched_off(tmp_path, settings):
    rng = np.random.default_rng(4)
    centres = rng.normal(0, 1, (10, 32))
    vecs = _clustered(200, rng, centres)
    vs = VectorStore(tmp_path / "vectors", dim=32)
    eng = types.SimpleNamespace(vectors=vs, writing=contextlib.nullcontext)
    assert services.vectors_index_maintain(eng)["graph"] is None  # an empty store has no graph
    vs.append(np.arange(100), vecs[:100])
    data = services.vectors_index_maintain(eng)
    assert data["graph_built"] and data["graph"]["built_count"] == 100 and data["ivf"] is None
    vs.append(np.arange(100, 115), vecs[100:115])  # 15 of 115 rows after the build: kept
    assert services.vectors_index_maintain(eng)["graph_built"] is False
    assert len(vs.neighbours([110])[0]) == 0 and np.allclose(vs.get_smoothed([110]), vs.get([110]))
    assert vs.search(vecs[110], 1, smoothed=True)[0][0] == 110  # a row after the build is searchable
    vs.append(np.arange(115, 200), vecs[115:200])  # 100 of 200: built again
    assert services.vectors_index_maintain(eng)["graph"]["built_count"] == 200
    assert len(vs.neighbours([110])[0]) == 10
    settings.IPOC_NEIGHBOUR_GRAPH = False
    assert services.vectors_index_maintain(eng)["graph"] is None
    assert not vs.has_neighbours and not (tmp_path / "vectors" / "dba.i8").exists()


def test_above_the_exact_size_neighbours_come_from_kmeans_lists_in_bounded_blocks(tmp_path):
    rng = np.random.default_rng(7)
    vecs = _clustered(3000, rng, rng.normal(0, 1, (40, 32)))
    vs = VectorStore(tmp_path / "vectors", dim=32)
    vs.append(np.arange(3000), vecs)
    vs.delete([3, 4])
    done = vs.build_neighbours(k=10, exact_max=1000, candidates=600, block_floats=4096)
    assert done["mode"] == "lists" and done["rows"] == 2998
    sample = rng.choice(np.setdiff1d(np.arange(3000), [3, 4]), 100, replace=False)
    scores = vecs[sample] @ vecs.T
    scores[:, [3, 4]] = -np.inf
    recall = [len(set(np.argsort(-s)[1:11]) & set(vs.neighbours([i])[0].tolist())) / 10
              for i, s in zip(sample, scores, strict=True)]
    assert np.mean(recall) > 0.85  # about 600 of 3,000 rows compared per row
    assert all(3 not in vs.neighbours([i])[0] for i in range(3000) if i not in (3, 4))
    sm = vs.get_smoothed(np.arange(5, 15))
    assert np.allclose(np.linalg.norm(sm, axis=1), 1, atol=0.02)
