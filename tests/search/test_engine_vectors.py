import numpy as np
import pytest

from ipoc.search.engine.vectors import VectorStore, quantize


def rand(n, d=32, seed=0):
    x = np.random.default_rng(seed).standard_normal((n, d)).astype(np.float32)
    return x / np.linalg.norm(x, axis=1, keepdims=True)


@pytest.mark.parametrize("ram", [0, 10**6])
def test_exact_matches_bruteforce(tmp_path, ram):
    X = rand(3000)
    vs = VectorStore(tmp_path, dim=32, ram_cache_rows=ram)
    ids = np.arange(3000) * 7 + 5
    vs.append(ids[:1000], X[:1000])
    vs.append(ids[1000:], X[1000:])
    q = rand(1, seed=1)[0]
    got, sc = vs.search(q, 10)
    want = ids[np.argsort(-(X @ q))[:10]]
    assert len(set(got) & set(want)) >= 9
    assert np.all(np.diff(sc) <= 1e-6)
    assert abs(sc[0] - float(X[np.argsort(-(X @ q))[0]] @ q)) < 0.02


def test_quantize_error_small():
    X = rand(100, 384)
    q, s = quantize(X)
    assert np.abs(q.astype(np.float32) * s[:, None] - X).max() < 0.01


def test_allowed_delete_upsert_resume(tmp_path):
    X = rand(500)
    vs = VectorStore(tmp_path, dim=32)
    vs.append(np.arange(500), X)
    got, _ = vs.search(X[10], 5, allowed=[10, 20, 30])
    assert got[0] == 10 and set(got) == {10, 20, 30}
    vs.delete([10])
    assert 10 not in vs.search(X[10], 5)[0]
    vs.append([20], X[[300]])  # upsert: id 20 now has vector 300
    assert len(vs) == 499
    assert np.allclose(vs.get([20])[0], X[300], atol=0.01)
    assert list(vs.missing([1, 10, 600])) == [10, 600]
    again = VectorStore(tmp_path)
    assert len(again) == 499 and again.dim == 32
    with pytest.raises(ValueError):
        VectorStore(tmp_path, dim=16)


def test_ivf_recall(tmp_path):
    rng = np.random.default_rng(0)
    centers = rand(50, seed=3)
    X = centers[rng.integers(0, 50, 5000)] + 0.05 * rng.standard_normal((5000, 32)).astype(np.float32)
    X /= np.linalg.norm(X, axis=1, keepdims=True)
    vs = VectorStore(tmp_path, dim=32)
    vs.append(np.arange(5000), X)
    vs.build_ivf(nlist=64)
    vs.append([99999], X[:1])  # appended after build: still searchable
    rec = []
    for i in range(20):
        q = X[i * 7]
        ex = set(vs.search(q, 10, exact=True)[0])
        ap = set(vs.search(q, 10, nprobe=8)[0])
        rec.append(len(ex & ap) / 10)
    assert np.mean(rec) > 0.8
    assert 99999 in vs.search(X[0], 3)[0]


def test_neighbours_and_dba(tmp_path):
    X = rand(200)
    vs = VectorStore(tmp_path, dim=32)
    vs.append(np.arange(200) + 1000, X)
    vs.build_neighbours(k=5)
    nb = vs.neighbours([1000])[0]
    want = np.argsort(-(X @ X[0]))[1:6] + 1000
    assert set(nb) == set(want)
    sm = vs.get_smoothed([1000])[0]
    assert abs(np.linalg.norm(sm) - 1) < 0.02 and float(sm @ X[0]) > 0.5
    vs.append([5000], X[:1])
    assert vs.search(X[0], 2, smoothed=True)[0].size == 2
