import datetime as dt

import pytest

from ipoc.search.engine.lexical import (
    LexicalIndex,
    MemorySource,
    PatentDoc,
    SchemaVersionError,
    highlight,
    ipc_prefixes,
    normalize_ipc,
)

DOCS = [
    dict(
        id=1,
        title="一种信号的发送方法及基站、用户设备",
        abstract="在子帧中为多个用户设备配置参考信号",
        claims=[{"number": 1, "text": "一种信号发送方法，包括配置参考信号。"}],
        applicants=[{"name": "华为技术有限公司", "type": "企业"}],
        ipc_all=["H04L 5/00", "H04W72/04"],
        region_code="440300",
        legal_status="有效",
        patent_type="发明",
        application_date="2019-03-01",
    ),
    dict(
        id=2,
        title="图像降噪处理方法",
        abstract="对图像信号进行降噪处理，提高清晰度",
        applicants=["北京图像科技有限公司"],
        ipc=["G06T5/00"],
        region="110108",
        legal_status="失效",
        patent_type="发明",
        application_date="2020-05-01",
    ),
    dict(
        id=3,
        title="一种数据发送装置",
        abstract="装置用于无线发送数据",
        applicants=["华为技术有限公司"],
        ipc=["H04L1/00"],
        region="110101",
        legal_status="有效",
        patent_type="实用新型",
        application_date=dt.date(2021, 1, 1),
        grant_date="2021-08-01",
    ),
    dict(
        id=4,
        title="Lithium battery cathode material",
        abstract="A cathode material for lithium-ion batteries",
        applicants=["Acme Corp"],
        ipc=["H01M4/36"],
        jurisdiction="US",
        application_date="2018-06-01",
    ),
]


@pytest.fixture
def ix(tmp_path):
    i = LexicalIndex(tmp_path / "lex", heap_bytes=50_000_000, num_threads=1, source=MemorySource(DOCS))
    i.add(DOCS)
    i.commit()
    return i


def ids(res):
    return [h.id for h in res.hits]


def test_ranking_and_title_boost(ix):
    r = ix.search("信号 发送")
    assert ids(r)[0] == 1 and r.total == 3
    assert ids(ix.search("图像"))[0] == 2


def test_english(ix):
    assert ids(ix.search("lithium cathode")) == [4]


def test_filters(ix):
    assert ids(ix.search("发送", filters={"region": "11"})) == [3]
    assert set(ids(ix.search("", filters={"region": "110000"}))) == {2, 3}
    assert set(ids(ix.search("", filters={"region": "110100"}))) == {2, 3}
    assert ids(ix.search("", filters={"region": "110101"})) == [3]
    assert ids(ix.search("", filters={"region": ["440300"]})) == [1]
    assert set(ids(ix.search("", filters={"ipc": "H04L"}))) == {1, 3}
    assert ids(ix.search("", filters={"ipc": "H04W72"})) == [1]
    assert ids(ix.search("", filters={"ipc": "h04w 72/04"})) == [1]
    assert set(ids(ix.search("", filters={"application_date": ("2020-01-01", None)}))) == {2, 3}
    assert ids(ix.search("", filters={"application_date": (None, "2018-12-31")})) == [4]
    assert ids(ix.search("", filters={"grant_date": ("2021-01-01", "2021-12-31")})) == [3]
    assert set(ids(ix.search("", filters={"legal_status": ["有效"], "patent_type": "发明"}))) == {1}
    assert ids(ix.search("", filters={"applicant": "Acme Corp"})) == [4]
    assert ids(ix.search("", filters={"jurisdiction": "US"})) == [4]
    assert ix.search("图像", filters={"region": "44"}).total == 0
    with pytest.raises(ValueError):
        ix.search("", filters={"nope": 1})


def test_phrase(ix):
    assert ids(ix.search('"参考信号"')) == [1]
    assert ix.search('"信号参考"').total == 0
    assert ids(ix.search('"无线发送数据"')) == [3]
    assert ix.search('"发送无线"').total == 0


def test_snippets_mark_terms(ix):
    h = ix.search("降噪", snippets=True).hits[0]
    assert "<mark>降噪</mark>" in h.snippets["title"] and "<mark>降噪</mark>" in h.snippets["abstract"]


def test_facets(ix):
    f = ix.search("", facets=True).facets
    assert dict(f["ipc"])["H04L"] == 2
    assert dict(f["applicant"])["华为技术有限公司"] == 2
    assert dict(f["year"]) == {"2018": 1, "2019": 1, "2020": 1, "2021": 1}
    f2 = ix.facet_counts("发送", ["legal_status"])
    assert dict(f2["legal_status"]) == {"有效": 2}


def test_delete_update_persist(tmp_path, ix):
    ix.delete([2])
    ix.add([dict(id=3, title="新型雷达天线", abstract="")])
    ix.commit()
    assert ix.num_docs == 3
    assert ids(ix.search("雷达")) == [3]
    assert ix.search("发送 数据").total == 1  # old version of 3 is gone
    ix.close()
    again = LexicalIndex(tmp_path / "lex", source=ix.source)
    assert again.num_docs == 3 and list(again.all_ids()) == [1, 3, 4]
    assert again.get_source(1)["title"].startswith("一种信号")
    assert again.get_source(2) is None  # deleted from the index: no source either, though the texts still hold it
    assert list(again.ids_matching([1, 2, 3, 4], {"legal_status": "有效"})) == [1]


def test_the_index_keeps_no_text_and_reads_snippets_from_its_source(tmp_path):
    bare = LexicalIndex(tmp_path / "bare", heap_bytes=50_000_000, num_threads=1)
    bare.add(DOCS)
    bare.commit()
    h = bare.search("降噪", snippets=True).hits[0]
    assert h.id == 2 and h.snippets == {"title": "", "abstract": "", "claims": ""}
    assert bare.get_source(2) is None and bare.contains(2) and not bare.contains(99)
    # the store's current text is what the snippet shows
    src = MemorySource(DOCS)
    src.put([dict(DOCS[1], abstract="新的降噪摘要")])
    again = LexicalIndex(tmp_path / "bare", source=src)
    assert again.search("降噪", snippets=True).hits[0].snippets["abstract"] == "新的<mark>降噪</mark>摘要"


def test_stop_words_are_dropped_by_the_index_analyzer_and_leave_a_phrase_gap(tmp_path):
    i = LexicalIndex(tmp_path / "sw", heap_bytes=50_000_000, num_threads=1)
    i.add([dict(id=1, title="所述电池的外壳", abstract=""), dict(id=2, title="电池外壳", abstract="")])
    i.commit()
    s = i.index.searcher()
    assert s.doc_freq("title", "所述") == s.doc_freq("title", "的") == 0  # stop words: not indexed
    assert s.doc_freq("title", "外壳") == 2
    assert sorted(ids(i.search('"电池外壳"'))) == [1, 2]  # 电池 的 外壳: a gap of one, within the slop


def test_an_index_of_another_schema_version_is_refused_with_the_rebuild_command(tmp_path):
    LexicalIndex(tmp_path / "old").close()
    meta = tmp_path / "old" / "ipoc_lexical.json"
    meta.write_text(meta.read_text().replace('"schema_version": 2', '"schema_version": 1'))
    with pytest.raises(SchemaVersionError, match="ipoc index rebuild"):
        LexicalIndex(tmp_path / "old")


def test_key_terms(ix):
    kt = ix.key_terms(1)
    assert "信号" in kt


def test_highlight_escapes_and_windows():
    s = highlight("<b>" + "无关" * 100 + "电池正极材料" + "无关" * 100, ["正极"], max_chars=40)
    assert "<mark>正极</mark>" in s and "<b>" not in s and s.startswith("…") and s.endswith("…")
    assert highlight("ＬＥＤ灯", ["led"]) == "<mark>ＬＥＤ</mark>灯"


def test_ipc_helpers():
    assert normalize_ipc(" h04n 5/232 (2006.01)") == "H04N5/232"
    assert ipc_prefixes("H04N5/232") == ["H", "H04", "H04N", "H04N5", "H04N5/232"]


def test_patentdoc_from_mapping():
    d = PatentDoc.from_mapping(DOCS[0])
    assert d.applicants == ["华为技术有限公司"] and d.applicant_type == "企业" and d.region == "440300"
    assert "配置参考信号" in d.claims and d.application_date == dt.date(2019, 3, 1)
