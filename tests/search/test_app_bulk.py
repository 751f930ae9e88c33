"""Large syncs and rebuilds go through worker processes and give the same index as the in-process path."""

import json

import pytest
from django.db import transaction

from ipoc.patents import services as patent_services
from ipoc.patents.models import Patent
from ipoc.search import services, testing

search_index = testing.search_index  # the isolated-index fixture

RECORDS = [
    {"id": f"b{i}", "title": title, "abstract": f"第{i}号：{abstract}",
     "applicants": [{"name": f"批量{i % 3}有限公司", "type": "企业"}], "ipc_all": [ipc],
     "patent_type": "发明", "legal_status": "有效" if i % 2 else "失效", "application_date": f"20{12 + i:02d}-03-01",
     "region_code": "320505" if i % 2 else "110108", "claims": f"1.一种{title}，包括液冷板与中华人民共和国标准接口。"}
    for i, (title, abstract, ipc) in enumerate([
        ("锂电池热管理系统", "电池包通过液冷板散热。", "H01M10/613"),
        ("无人机电池快换装置", "无人机降落后自动更换电池。", "B64U50/39"),
        ("图像传感器的降噪方法", "对图像信号进行时域滤波降噪。", "H04N5/357"),
        ("电池外壳结构", "一种电池外壳。", "H01M50/10"),
        ("计算机视觉识别方法", "基于卷积网络识别图像。", "G06V10/82"),
        ("储能变流器控制方法", "储能系统的功率控制。", "H02J3/32"),
    ])
]
QUERIES = ["电池", "液冷板", "图像 降噪", '"中华人民共和国标准接口"', "批量1有限公司", "计算机视觉"]


def _import(tmp_path, records, name="b.jsonl"):
    path = tmp_path / name
    path.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in records), encoding="utf-8")
    return patent_services.patent_import(actor=None, path=path, format="jsonl", options={"source": "t"})


def _snapshot(eng):
    eng.refresh()
    lex = eng.lexical
    out = {"ids": sorted(lex.all_ids().tolist()), "facets": lex.facet_counts(None)}
    for q in QUERIES:
        out[q] = [(h.id, round(h.score, 4)) for h in lex.search(q, limit=50).hits]
        out[q + "|H01M"] = [h.id for h in lex.search(q, filters={"ipc": "H01M"}, limit=50).hits]
    out["src"] = {i: lex.get_source(i) for i in out["ids"]}
    return out


class _Pools(list):
    """Worker counts of the pools made; ``reads``: whether each one's workers read the store."""

    def __init__(self):
        super().__init__()
        self.reads: list[bool] = []


@pytest.fixture
def pools(monkeypatch):
    """Records the worker count of every pool the engine makes."""
    made = _Pools()
    original = services.SearchEngine.pool

    def spy(self, workers, **kw):
        made.append(workers)
        made.reads.append(bool(kw.get("reads")))
        return original(self, workers, **kw)

    monkeypatch.setattr(services.SearchEngine, "pool", spy)
    return made


@pytest.mark.django_db
def test_large_end_of_import_sync_uses_workers_and_equals_the_serial_sync(tmp_path, search_index, settings, pools):
    settings.IPOC_SEARCH_BULK_MIN = 3  # "large" for this test
    settings.IPOC_SEARCH_WORKERS = 2
    _import(tmp_path, RECORDS)
    assert pools == [2]
    pooled = _snapshot(search_index)
    assert pooled["ids"] == sorted(Patent.objects.values_list("pk", flat=True))
    assert pooled["液冷板"] and pooled['"中华人民共和国标准接口"']
    assert services.engine().status()["pending_sync"] == 0  # the ids recorded up front are cleared

    with search_index.writing() as eng:
        eng.clear()
    assert services.sync_ids(pooled["ids"], workers=1) == {"indexed": 6, "removed": 0}
    assert _snapshot(search_index) == pooled


@pytest.mark.django_db
def test_large_sync_removes_vanished_patents_and_drops_stale_vectors(tmp_path, search_index, settings):
    settings.IPOC_SEARCH_BULK_MIN = 1
    _import(tmp_path, RECORDS)
    services.index_encode()
    ids = sorted(Patent.objects.values_list("pk", flat=True))
    assert services.sync_ids(ids + [987654], workers=2) == {"indexed": 6, "removed": 1}
    assert services.engine().status()["not_encoded"] == 6  # text may have changed: re-encoded later


@pytest.mark.django_db
def test_killed_large_sync_is_retried(tmp_path, search_index, settings, monkeypatch):
    settings.IPOC_SEARCH_BULK_MIN = 1
    _import(tmp_path, RECORDS)
    ids = sorted(Patent.objects.values_list("pk", flat=True))

    def killed(self, items):
        raise KeyboardInterrupt  # stands for the process dying mid-sync

    monkeypatch.setattr(services.SearchEngine, "upsert_json", killed)
    with pytest.raises(KeyboardInterrupt):
        services.sync_ids(ids, workers=2)
    assert services.engine().status()["pending_sync"] == 6  # recorded before the work started
    monkeypatch.undo()
    assert services.sync_ids([]) == {"indexed": 6, "removed": 0}
    assert services.engine().status()["pending_sync"] == 0


@pytest.mark.django_db
def test_rebuild_with_workers_equals_rebuild_in_process(tmp_path, search_index, pools):
    _import(tmp_path, RECORDS)
    serial = services.index_rebuild(chunk=4, workers=1)
    assert serial.result["workers"] == 1 and serial.result["in_index"] == 6
    expected = _snapshot(search_index)
    pooled = services.index_rebuild(chunk=4, workers=2)
    assert pooled.result["workers"] == 2 and pooled.result["indexed"] == 6 and pooled.result["in_index"] == 6
    assert pools[-2:] == [1, 2]  # (the import's own sync made the first, in-process)
    assert _snapshot(search_index) == expected


@pytest.mark.django_db(transaction=True)
def test_workers_that_read_the_store_give_the_same_index(tmp_path, search_index, settings, pools):
    """Outside a transaction, on a database other connections can see (PostgreSQL here; the
    in-memory SQLite test database cannot be shared, so there the pool is fed by this process),
    each worker reads its chunk of patents itself."""
    settings.IPOC_SEARCH_BULK_MIN = 10**6  # the import's own sync runs in-process
    _import(tmp_path, RECORDS)
    ids = sorted(Patent.objects.values_list("pk", flat=True))
    with search_index.writing() as eng:
        eng.clear()
    assert services.sync_ids(ids, workers=1) == {"indexed": 6, "removed": 0}
    serial = _snapshot(search_index)

    with search_index.writing() as eng:
        eng.clear()
    assert services.sync_ids(ids + [987654], workers=2) == {"indexed": 6, "removed": 1}
    assert pools[-1] == 2 and pools.reads[-1] == services.workers_can_read()
    assert _snapshot(search_index) == serial

    rebuilt = services.index_rebuild(chunk=4, workers=2)
    assert rebuilt.result["workers_read_the_store"] == services.workers_can_read()
    assert rebuilt.result["indexed"] == 6 and _snapshot(search_index) == serial


@pytest.mark.django_db
def test_workers_never_read_the_store_from_inside_a_transaction():
    with transaction.atomic():  # an import's uncommitted rows are invisible to other connections
        assert not services.workers_can_read()


@pytest.mark.django_db(transaction=True)
def test_a_large_end_of_import_sync_runs_in_a_separate_process_when_the_store_can_be_shared(
        tmp_path, search_index, settings, monkeypatch):
    settings.IPOC_SEARCH_BULK_MIN = 10**6
    _import(tmp_path, RECORDS)
    expected = _snapshot(search_index)
    ids = sorted(Patent.objects.values_list("pk", flat=True))
    with search_index.writing() as eng:
        eng.clear()
    settings.IPOC_SEARCH_BULK_MIN = 3
    settings.IPOC_SEARCH_WORKERS = 2
    separate = []
    original = services.sync_in_separate_process
    monkeypatch.setattr(services, "sync_in_separate_process", lambda i: (separate.append(len(i)), original(i)))
    services.index_patents(ids)  # what the import calls when it has finished
    assert separate == ([6] if services.workers_can_read() else [])  # PostgreSQL: yes; in-memory SQLite: no
    assert _snapshot(search_index) == expected
    assert services.engine().status()["pending_sync"] == 0
