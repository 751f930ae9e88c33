"""The worker-process indexing path gives the same index as the serial one; claims are cut
precisely (and phrase queries on claims still match); upserts replace in batches."""

import json

import pytest

from ipoc.search.engine.lexical import (
    CLAIMS_CUT_DEFAULT,
    IndexPool,
    LexicalIndex,
    MemorySource,
    PatentDoc,
    index_fields,
    index_json,
)

TITLES = ["一种锂电池热管理系统", "计算机视觉识别方法", "无人机电池快换装置", "图像传感器降噪电路", "Lithium battery pack"]
CLAIMS = [
    "1.一种锂电池热管理系统，包括液冷板，所述液冷板与电池包连接。",
    "1.一种计算机视觉识别方法，其特征在于，采用中华人民共和国标准。",
    "",
    "1.所述降噪电路包括滤波器。2.根据权利要求1所述的电路，滤波器为低通滤波器。",
    "1. A battery pack comprising cells.",
]


def corpus(n=60):
    out = []
    for i in range(n):
        out.append({
            "id": i + 1,
            "title": TITLES[i % len(TITLES)] + ("" if i < len(TITLES) else f"{i}"),
            "abstract": f"第{i}号样本，用于测试索引的摘要文本，涉及电池与图像。",
            "claims": [{"number": 1, "text": CLAIMS[i % len(CLAIMS)]}] if CLAIMS[i % len(CLAIMS)] else [],
            "applicants": [{"name": f"测试公司{i % 4}有限公司", "type": "企业"}],
            "ipc_all": ["H01M10/613"] if i % 2 else ["G06T5/00", "G06V10/82"],
            "region_code": "110108" if i % 3 else "320505",
            "legal_status": "有效" if i % 2 else "失效",
            "patent_type": "发明",
            "application_date": f"20{10 + i % 12:02d}-03-01",
            "grant_date": "2022-01-05" if i % 5 == 0 else None,
        })
    return out


QUERIES = ["锂电池", "电池 图像", "计算机视觉", "降噪", "lithium battery", '"液冷板"', "测试公司1有限公司", "滤波器"]
FILTERS = [None, {"ipc": "H01M"}, {"region": "11"}, {"application_date": ("2015-01-01", "2019-12-31")},
           {"legal_status": "有效", "patent_type": "发明"}, {"applicant": "测试公司2有限公司"}]


def snapshot(ix: LexicalIndex) -> dict:
    """Everything observable about an index: hits+scores per query×filter, ids, facets."""
    out = {"n": ix.num_docs, "facets": ix.facet_counts(None, ["ipc", "applicant", "year", "legal_status"])}
    for q in QUERIES:
        for k, f in enumerate(FILTERS):
            r = ix.search(q, filters=f, limit=100)
            out[f"{q}|{k}"] = (r.total, [(h.id, round(h.score, 4)) for h in r.hits])
    out["ids"] = ix.all_ids().tolist()
    return out


def build(tmp_path, name, how, docs):
    ix = LexicalIndex(tmp_path / name, heap_bytes=50_000_000, num_threads=1, source=MemorySource(docs))
    if how == "serial":
        ix.add(docs)
    elif how == "pool":
        with ix.pool(2) as p:  # forkserver workers
            ix.bulk_add(docs, pool=p, replace=True, chunksize=7)
    elif how == "fork":
        ix.bulk_add(docs, workers=2, context="fork", chunksize=5)
    ix.commit(wait_merges=True)
    return ix


@pytest.mark.parametrize("how", ["pool", "fork"])
def test_worker_path_makes_the_same_index_as_the_serial_path(tmp_path, how):
    docs = corpus()
    serial = snapshot(build(tmp_path, "serial", "serial", docs))
    assert serial["n"] == 60 and serial["锂电池|0"][0] > 0
    assert snapshot(build(tmp_path, how, how, docs)) == serial


def test_jsonl_worker_load_equals_serial_add(tmp_path):
    docs = corpus(40)
    path = tmp_path / "c.jsonl"
    path.write_text("\n".join(json.dumps(d, ensure_ascii=False) for d in docs) + "\n", encoding="utf-8")
    a = LexicalIndex(tmp_path / "a", heap_bytes=50_000_000, num_threads=1)
    a.add(docs)
    a.commit()
    b = LexicalIndex(tmp_path / "b", heap_bytes=50_000_000, num_threads=1)
    assert b.bulk_add_jsonl(path, workers=2, chunksize=3) == 40  # workers read 3-line spans of the file
    b.commit()
    c = LexicalIndex(tmp_path / "c", heap_bytes=50_000_000, num_threads=1)
    assert c.bulk_add_jsonl(path, workers=1, limit=40) == 40
    c.commit()
    assert snapshot(b) == snapshot(a) == snapshot(c)
    d = LexicalIndex(tmp_path / "d", heap_bytes=50_000_000, num_threads=1)
    assert d.bulk_add_jsonl(path, workers=2, chunksize=4, limit=11) == 11  # a limit inside a span
    d.commit()
    assert d.all_ids().tolist() == [d_["id"] for d_ in docs[:11]]


def test_pool_documents_equal_in_process_documents():
    docs = corpus(12)
    with IndexPool(2, context="forkserver") as p:
        assert list(p.imap(docs, chunksize=3)) == [index_json(d) for d in docs]
        assert p.map_async(docs[:5]).get() == [index_json(d) for d in docs[:5]]


def test_claims_are_cut_precisely_title_in_search_mode():
    d = PatentDoc.from_mapping({"id": 1, "title": "中华人民共和国标准", "claims": "1.采用中华人民共和国标准。"})
    f = index_fields(d)
    assert CLAIMS_CUT_DEFAULT == "precise"
    assert "人民" in f["title"].split() and "中华人民共和国" in f["title"].split()
    assert "中华人民共和国" in f["claims"].split() and "人民" not in f["claims"].split()
    assert "人民" in index_fields(d, claims_cut="search")["claims"].split()


def test_precise_cut_claims_still_match_queries_and_phrases(tmp_path):
    ix = build(tmp_path, "ix", "serial", corpus(10))
    assert ix.claims_cut == "precise"
    # words that occur only in claims
    assert set(h.id for h in ix.search("液冷板").hits) == {1, 6}
    assert set(h.id for h in ix.search("低通滤波器").hits) == {4, 9}
    assert set(h.id for h in ix.search("中华人民共和国").hits) == {2, 7}
    # phrases: cut per field as indexed (search mode: 锂电/电池/锂电池/…, precise: 锂电池)
    assert set(h.id for h in ix.search('"液冷板与电池包连接"').hits) == {1, 6}
    assert set(h.id for h in ix.search('"中华人民共和国标准"').hits) == {2, 7}
    assert set(h.id for h in ix.search('"锂电池热管理系统"').hits) == {1, 6}  # title + claims
    r = ix.search('"液冷板"', snippets=True)
    assert "<mark>液冷</mark>" in r.hits[0].snippets["claims"]


def test_upsert_in_batches_keeps_the_last_version(tmp_path, monkeypatch):
    from ipoc.search.engine import lexical

    monkeypatch.setattr(lexical, "DELETE_BATCH", 3)
    ix = LexicalIndex(tmp_path / "ix", heap_bytes=50_000_000, num_threads=1)
    ix.add([{"id": i, "title": f"旧标题{i}"} for i in range(1, 8)])
    ix.commit()
    ix.add([{"id": 2, "title": "过渡草稿"}, {"id": 2, "title": "新版本电池"}, {"id": 5, "title": "新版本电池"},
            {"id": 9, "title": "新版本电池"}])
    ix.commit()
    assert sorted(ix.all_ids().tolist()) == [1, 2, 3, 4, 5, 6, 7, 9]
    assert sorted(h.id for h in ix.search("新版本").hits) == [2, 5, 9]
    assert ix.search("过渡草稿").total == 0 and ix.search('"旧标题2"').total == 0


def test_pool_workers_run_their_setup_and_a_failed_setup_is_reported_not_respawned_forever():
    with IndexPool(2, setup=int, setup_args=("7",)) as pool:  # a setup that succeeds
        assert [pool.submit(len, t).get(timeout=60) for t in ([1, 2], "abc")] == [2, 3]
    with IndexPool(2, setup=int, setup_args=("not a number",)) as pool:
        with pytest.raises(RuntimeError, match="index worker setup failed: ValueError"):
            pool.submit(len, [1, 2]).get(timeout=60)
