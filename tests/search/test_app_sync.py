"""The search index follows the patent store: imports, updates and deletes; filters, facets, highlighting."""

import json

import pytest

from ipoc.core.errors import ApplicationError
from ipoc.patents import services as patent_services
from ipoc.patents.models import Patent
from ipoc.search import selectors, services, testing

search_index = testing.search_index  # the isolated-index fixture

RECORDS = [
    {"id": "p1", "title": "一种锂电池热管理系统", "abstract": "电池包通过液冷板散热，提高锂电池寿命。",
     "applicants": [{"name": "甲电池有限公司", "type": "企业"}], "ipc_all": ["H01M10/613", "H01M10/625"],
     "patent_type": "发明", "legal_status": "有效", "application_date": "2021-03-01", "region_code": "320505",
     "claims": "1.一种锂电池热管理系统，包括液冷板。"},
    {"id": "p2", "title": "无人机电池快换装置", "abstract": "无人机降落后自动更换电池。",
     "applicants": [{"name": "乙航空科技有限公司", "type": "企业"}], "ipc_all": ["B64U50/39", "H01M50/20"],
     "patent_type": "实用新型", "legal_status": "失效", "application_date": "2019-07-15", "region_code": "440300"},
    {"id": "p3", "title": "一种图像传感器的降噪方法", "abstract": "对图像信号进行时域滤波降噪。",
     "applicants": [{"name": "浙江大学", "type": "高校"}], "ipc_all": ["H04N5/357"],
     "patent_type": "发明", "legal_status": "审中", "application_date": "2022-11-20", "region_code": "330106"},
    {"id": "p4", "title": "电池<b>外壳</b>结构", "abstract": "一种电池外壳。",
     "applicants": [{"name": "甲电池有限公司", "type": "企业"}], "ipc_all": ["H01M50/10"],
     "patent_type": "发明", "legal_status": "有效", "application_date": "2022-05-05", "region_code": "320505"},
]


def _import(tmp_path, records, name="p.jsonl"):
    path = tmp_path / name
    path.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in records), encoding="utf-8")
    return patent_services.patent_import(actor=None, path=path, format="jsonl", options={"source": "t"})


def _ids(page):
    return [h.patent_id for h in page.hits]


def _pid(ext):
    return Patent.objects.get(external_id=ext).pk


@pytest.mark.django_db
def test_import_indexes_every_patent(tmp_path, search_index, users):
    _import(tmp_path, RECORDS)
    assert sorted(search_index.lexical.all_ids().tolist()) == sorted(Patent.objects.values_list("pk", flat=True))
    page = selectors.search_patents(user=users["ent_a"], q="锂电池")
    assert _ids(page)[0] == _pid("p1")
    assert services.engine().status()["not_encoded"] == 4  # dense encoding is a separate job


@pytest.mark.django_db
def test_reimport_with_changed_title_replaces_the_indexed_text(tmp_path, search_index, users):
    _import(tmp_path, RECORDS)
    services.index_encode()  # a vector for the old text exists…
    changed = [RECORDS[2] | {"title": "一种红外热成像测温装置", "abstract": "红外测温。"}]
    _import(tmp_path, changed, "changed.jsonl")
    pid = _pid("p3")
    assert _ids(selectors.search_patents(user=users["ent_a"], q="热成像"))[:1] == [pid]
    assert pid not in _ids(selectors.search_patents(user=users["ent_a"], q="降噪"))
    assert search_index.lexical.num_docs == 4  # replaced, not duplicated
    assert not services.engine().vectors.contains([pid])[0]  # …and is dropped until re-encoded
    assert services.index_encode().result["encoded"] == 1


@pytest.mark.django_db
def test_deleted_patents_leave_the_index(tmp_path, search_index, users, django_capture_on_commit_callbacks):
    _import(tmp_path, RECORDS)
    services.index_encode()
    pid = _pid("p2")
    with django_capture_on_commit_callbacks(execute=True):
        patent_services.patents_delete(actor=users["admin"], patents=Patent.objects.filter(pk=pid))
    assert pid not in _ids(selectors.search_patents(user=users["ent_a"], q="无人机 电池"))
    assert pid not in search_index.lexical.all_ids().tolist()
    assert not services.engine().vectors.contains([pid])[0]


@pytest.mark.django_db
def test_filters_and_facets(tmp_path, search_index, users):
    _import(tmp_path, RECORDS)
    u = users["ent_a"]
    valid = selectors.search_patents(user=u, q="电池", filters={"legal_status": "valid"}, facets=True)
    assert set(_ids(valid)) == {_pid("p1"), _pid("p4")} and valid.total == 2
    assert dict(valid.facets["ipc"]) == {"H01M": 2}
    assert dict(valid.facets["applicant"]) == {"甲电池有限公司": 2}
    assert dict(valid.facets["year"]) == {"2021": 1, "2022": 1}
    both = selectors.search_patents(user=u, q="电池", filters={"legal_status": ["valid", "lapsed"]})
    assert both.total == 3
    assert set(_ids(selectors.search_patents(user=u, q="", filters={"ipc": "B64U"}))) == {_pid("p2")}
    assert set(_ids(selectors.search_patents(user=u, q="", filters={"region": "32"}))) == {_pid("p1"), _pid("p4")}
    assert set(_ids(selectors.search_patents(user=u, q="", filters={"applicant_type": "university"}))) == {_pid("p3")}
    dated = selectors.search_patents(user=u, q="", filters={"application_date_from": "2022-01-01",
                                                             "application_date_to": "2022-12-31"})
    assert set(_ids(dated)) == {_pid("p3"), _pid("p4")}
    assert set(_ids(selectors.search_patents(user=u, q="", filters={"patent_type": "utility_model"}))) == {_pid("p2")}
    with pytest.raises(ApplicationError) as exc:
        selectors.search_patents(user=u, q="电池", filters={"organization": 3})
    assert exc.value.field == "organization"


@pytest.mark.django_db
def test_snippets_highlight_matched_terms_and_escape_html(tmp_path, search_index, users):
    _import(tmp_path, RECORDS)
    page = selectors.search_patents(user=users["ent_a"], q="电池 外壳")
    hit = next(h for h in page.hits if h.patent_id == _pid("p4"))
    assert "<mark>电池</mark>" in hit.snippets["title"]
    assert "&lt;b&gt;" in hit.snippets["title"] and "<b>" not in hit.snippets["title"]
    assert hit.matched_terms == ["电池", "外壳"]
    assert hit.lexical_rank == 1
    # engine tokenizer (search-mode cut), stop words ("一种", "的") dropped, quoted phrase tokens included
    assert selectors.query_terms("一种“锂电池”的外壳") == ["外壳", "锂电", "电池", "锂电池"]


@pytest.mark.django_db
def test_dense_side_finds_encoded_patents_and_similar(tmp_path, search_index, users):
    _import(tmp_path, RECORDS)
    result = services.index_encode().result
    assert result["encoded"] == 4 and result["texts_per_second"] > 0
    page = selectors.search_patents(user=users["ent_a"], q="锂电池热管理")
    assert page.hits[0].patent_id == _pid("p1") and page.hits[0].dense_rank is not None
    similar = selectors.similar_patents(user=users["ent_a"], patent_id=_pid("p1"), limit=3)
    assert _pid("p1") not in [h.patent_id for h in similar]
    assert similar[0].patent_id == _pid("p4")  # the other battery patent of the same applicant


@pytest.mark.django_db
def test_anonymous_users_cannot_search(search_index):
    from django.contrib.auth.models import AnonymousUser

    with pytest.raises(ApplicationError) as exc:
        selectors.search_patents(user=AnonymousUser(), q="电池")
    assert exc.value.status == 401


@pytest.mark.django_db
def test_failed_sync_is_kept_and_retried(tmp_path, search_index, monkeypatch):
    calls = []

    def broken(ids):
        calls.append(ids)
        raise OSError("disk full")

    monkeypatch.setattr(services.patent_selectors, "index_documents", broken)
    _import(tmp_path, RECORDS[:2])  # the import itself succeeds
    assert calls and search_index.lexical.num_docs == 0
    assert services.engine().status()["pending_sync"] == 2
    monkeypatch.undo()
    assert services.sync_ids([]) == {"indexed": 2, "removed": 0}
    assert services.engine().status()["pending_sync"] == 0


@pytest.mark.django_db
def test_encoding_skips_a_patent_changed_while_it_was_being_encoded(tmp_path, search_index, users, monkeypatch):
    _import(tmp_path, RECORDS)
    encoder = services.engine().encoder
    original = encoder.encode_passages

    def encode_while_p1_is_reimported(texts):
        vectors = original(texts)
        monkeypatch.setattr(encoder, "encode_passages", original)
        _import(tmp_path, [RECORDS[0] | {"title": "一种钠电池热管理系统"}], "again.jsonl")
        return vectors

    monkeypatch.setattr(encoder, "encode_passages", encode_while_p1_is_reimported)
    result = services.index_encode().result
    assert (result["encoded"], result["skipped"]) == (3, 1)
    assert not services.engine().vectors.contains([_pid("p1")])[0]  # no stale vector for the old title
    assert services.index_encode().result["encoded"] == 1


@pytest.mark.django_db
def test_snippets_show_the_stores_current_text(tmp_path, search_index, users):
    """The index keeps no text: a snippet is cut from the patent as it is in the store now."""
    _import(tmp_path, RECORDS)
    Patent.objects.filter(pk=_pid("p1")).update(abstract="液冷板的新摘要")  # a store-side edit, no re-index
    hit = selectors.search_patents(user=users["ent_a"], q="液冷板").hits[0]
    assert hit.patent_id == _pid("p1") and hit.snippets["abstract"] == "<mark>液冷</mark><mark>板</mark>的新摘要"
    assert "<mark>液冷</mark>" in hit.snippets["claims"]


@pytest.mark.django_db
def test_an_index_of_an_older_release_is_set_aside_until_rebuilt(tmp_path, settings, search_index, users, client):
    _import(tmp_path, RECORDS)
    meta = search_index.dir / "lexical" / "ipoc_lexical.json"
    meta.write_text(json.dumps({"schema_version": 1}))  # what the previous release wrote
    services.reset_engine()
    eng = services.engine()
    assert eng.status()["rebuild_required"] and eng.lexical.num_docs == 0
    services.reset_engine()  # another process opening the (now empty, readable) index still sees it
    assert services.engine().status()["rebuild_required"]
    client.force_login(users["ent_a"])
    assert "请联系平台管理员重建检索索引" in client.get("/search/", {"q": "电池"}).content.decode()
    client.force_login(users["admin"])
    assert "ipoc index rebuild" in client.get("/search/", {"q": "电池"}).content.decode()
    services.index_rebuild(via="test")
    assert not services.engine().status()["rebuild_required"]
    assert _pid("p1") in _ids(selectors.search_patents(user=users["ent_a"], q="液冷板"))
    assert "ipoc index rebuild" not in client.get("/search/", {"q": "电池"}).content.decode()
