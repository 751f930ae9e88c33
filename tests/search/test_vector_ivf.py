"""Issue 21: the product builds the coarse quantiser (IVF) of a large vector store itself — built at
``IPOC_IVF_MIN_VECTORS``, rebuilt when more than a fifth of the rows came after the build, dropped when the
store is small again — and a query still finds its own patent through it."""

import contextlib
import io
import json
import types

import numpy as np
from django.core.management import call_command

from ipoc.search import services, testing
from ipoc.search.engine.vectors import VectorStore

search_index = testing.search_index


def _clustered(n: int, rng, centres: np.ndarray) -> np.ndarray:
    v = centres[rng.integers(0, len(centres), n)] + rng.normal(0, 0.15, (n, centres.shape[1]))
    return (v / np.linalg.norm(v, axis=1, keepdims=True)).astype(np.float32)


def _ivf(data: dict) -> dict:
    """The IVF's part of what the maintenance returns (the neighbour graph's: test_vector_graph)."""
    return {k: data[k] for k in ("ivf", "built", "vectors")}


def test_the_ivf_is_built_at_the_threshold_kept_while_fresh_and_rebuilt_when_stale(tmp_path, settings):
    settings.IPOC_IVF_MIN_VECTORS = 300
    rng = np.random.default_rng(3)
    centres = rng.normal(0, 1, (20, 32))
    vs = VectorStore(tmp_path / "vectors", dim=32)
    eng = types.SimpleNamespace(vectors=vs, writing=contextlib.nullcontext)
    vecs = _clustered(600, rng, centres)
    vs.append(np.arange(200), vecs[:200])
    assert _ivf(services.vectors_index_maintain(eng)) == {"ivf": None, "built": False, "vectors": 200}
    vs.append(np.arange(200, 400), vecs[200:400])
    built = services.vectors_index_maintain(eng)
    assert built["built"] and built["ivf"]["built_count"] == 400 and vs._ivf is not None
    for i in range(0, 400, 20):  # a stored vector finds itself through the probed lists
        ids, _scores = vs.search(vecs[i], 10)
        assert ids[0] == i
        assert len(set(ids) & set(vs.search(vecs[i], 10, exact=True)[0])) >= 8
    vs.append(np.arange(400, 460), vecs[400:460])  # 60 of 460 rows after the build: scanned exactly, kept
    assert services.vectors_index_maintain(eng)["built"] is False
    assert vs.search(vecs[450], 1)[0][0] == 450
    vs.append(np.arange(460, 600), vecs[460:600])  # 200 of 600: built again
    assert services.vectors_index_maintain(eng)["ivf"]["built_count"] == 600
    vs.delete(np.arange(299, 600))
    assert services.vectors_index_maintain(eng)["ivf"] is None and vs._ivf is None  # small again: dropped


def test_ipoc_index_ivf_command(search_index, settings):
    vs = search_index.vectors
    rng = np.random.default_rng(5)
    vs.append(np.arange(1, 401), _clustered(400, rng, rng.normal(0, 1, (20, vs.dim))))
    out = io.StringIO()
    call_command("index", "ivf", "--json", stdout=out)
    assert json.loads(out.getvalue())["ivf"] is None  # 400 vectors: an exact scan
    out = io.StringIO()
    call_command("index", "ivf", "--force", "--json", stdout=out)
    data = json.loads(out.getvalue())
    assert data["built"] and data["ivf"]["nlist"] == 40 and data["vectors"] == 400 and data["scan_share"] <= 0.25


def test_an_ivf_whose_queries_would_read_more_than_the_limit_is_dropped(tmp_path, settings, monkeypatch):
    """The guard: an IVF whose queries would read more of the store than IVF_MAX_SCAN_SHARE is dropped and the
    exact scan stays (here the limit is 1 %, below what 8 of 48 lists read)."""
    settings.IPOC_IVF_MIN_VECTORS = 100
    monkeypatch.setattr(services, "IVF_MAX_SCAN_SHARE", 0.01)
    rng = np.random.default_rng(9)
    vs = VectorStore(tmp_path / "vectors", dim=32)
    vs.append(np.arange(600), _clustered(600, rng, rng.normal(0, 1, (20, 32))))
    eng = types.SimpleNamespace(vectors=vs, writing=contextlib.nullcontext)
    data = services.vectors_index_maintain(eng)
    assert data["built"] is False and 0.01 < data["scan_share"] < 0.5 and vs._ivf is None
    # the refusal is remembered: the next encoding does not build the same IVF again, a fifth more rows do
    assert vs.meta["ivf_refused"]["built_count"] == 600
    monkeypatch.setattr(vs, "build_ivf", lambda: (_ for _ in ()).throw(AssertionError("built again")))
    assert _ivf(services.vectors_index_maintain(eng)) == {"ivf": None, "built": False, "vectors": 600}
    vs.append(np.arange(600, 800), _clustered(200, rng, rng.normal(0, 1, (20, 32))))
    monkeypatch.undo()
    monkeypatch.setattr(services, "IVF_MAX_SCAN_SHARE", 0.9)
    assert services.vectors_index_maintain(eng)["built"] is True and vs.meta["ivf_refused"] is None
