"""CLI: ipoc search (single and batch), ipoc suggest-ipc (single and batch), ipoc ipc-model train, ipoc index."""

import io
import json

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from ipoc.patents import services as patent_services
from ipoc.search import services, testing

search_index = testing.search_index  # the isolated-index fixture

PATENTS = [
    {"id": "c1", "title": "一种锂电池热管理系统", "abstract": "液冷板散热。", "ipc_all": ["H01M10/613"],
     "publication_number": "CN112345678A"},
    {"id": "c2", "title": "无人机电池快换装置", "abstract": "无人机自动换电。", "ipc_all": ["B64U50/39"]},
    {"id": "c3", "title": "图像传感器降噪方法", "abstract": "图像信号滤波。", "ipc_all": ["H04N5/357"]},
]

TITLES_CSV = """publication_number,title,ipc_subclasses,fold
CN1A,一种锂电池正极材料,H01M,1
CN2A,锂离子电池电解液,H01M,2
CN3A,电池包壳体结构,H01M|B60L,3
CN4A,图像传感器像素电路,H04N|H01L,1
CN5A,视频图像编码方法,H04N,2
CN6A,摄像头图像降噪,H04N|G06T,3
CN7A,无人机飞行控制方法,B64C|G05D,1
CN8A,无人机起落架,B64C,2
CN9A,一种锂电池隔膜（评测折）,H01M,5
CN10A,图像传感器（评测折）,H04N,5
"""


def _run(*args):
    out = io.StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


@pytest.fixture
def indexed(db, tmp_path, search_index):
    path = tmp_path / "p.jsonl"
    path.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in PATENTS), encoding="utf-8")
    patent_services.patent_import(actor=None, path=path, format="jsonl", options={"source": "cli"})
    return search_index


def test_search_prints_hits_with_patent_numbers(indexed):
    data = json.loads(_run("search", "锂电池", "--limit", "2", "--json"))
    assert data["hits"][0]["patent"] == "CN112345678A" and data["hits"][0]["score"] > 0
    assert "<mark>锂电池</mark>" in data["hits"][0]["snippets"]["title"]


def test_batch_search_reports_bad_lines_and_runs_the_others(indexed, tmp_path, capsys):
    queries = tmp_path / "q.jsonl"
    queries.write_text('{"id": "a", "q": "锂电池"}\n'
                       '{"id": "b", "q": 无人机}\n'  # line 2: not JSON
                       '\n'
                       '{"id": "c"}\n'  # line 4: no q
                       '{"id": "d", "q": "图像 降噪", "filters": {"ipc": "H04N"}}\n'
                       '{"id": "e", "q": "电池", "filters": {"nonsense": 1}}\n', encoding="utf-8")
    lines = [json.loads(x) for x in _run("search", "--queries", str(queries), "--limit", "3", "--json").splitlines()]
    assert [x.get("id") for x in lines] == ["a", None, "c", "d", "e"]
    assert lines[0]["hits"][0]["patent"] == "CN112345678A"
    assert lines[1]["line"] == 2 and "line 2" in lines[1]["error"]
    assert lines[2]["line"] == 4 and '"q"' in lines[2]["error"]
    assert [h["patent"] for h in lines[3]["hits"]] == [lines[3]["hits"][0]["patent"]]
    assert lines[3]["hits"][0]["patent"].startswith("ext:cli:")
    assert lines[4]["line"] == 6 and "nonsense" in lines[4]["error"]
    err = capsys.readouterr().err
    assert "line 2" in err and "3 bad input line(s)" in err


def test_ipc_model_train_and_suggest(indexed, tmp_path, capsys):
    csv_path = tmp_path / "titles_ipc.csv"
    csv_path.write_text(TITLES_CSV, encoding="utf-8")
    info = json.loads(_run("ipc-model", "train", str(csv_path), "--exclude-fold", "5", "--json"))
    assert info["from_file"] == 8  # fold 5 held out
    assert info["from_store"] == 3  # the patents in the store, with their IPC subclasses
    assert services.ipc_model_path().exists()

    single = json.loads(_run("suggest-ipc", "锂电池电解液", "--top", "2", "--json"))
    assert single["ipc"][0]["code"] == "H01M" and len(single["ipc"]) <= 2

    queries = tmp_path / "t.jsonl"
    queries.write_text('{"id": 1, "text": "图像传感器降噪"}\n{bad\n{"id": 3, "text": "无人机飞行控制"}\n',
                       encoding="utf-8")
    lines = [json.loads(x) for x in _run("suggest-ipc", "--queries", str(queries), "--top", "3",
                                         "--json").splitlines()]
    assert [x["id"] for x in lines] == [1, None, 3]
    assert lines[0]["ipc"][0]["code"] == "H04N" and 0 < lines[0]["ipc"][0]["score"] <= 1
    assert lines[1]["line"] == 2 and "error" in lines[1]
    assert lines[2]["ipc"][0]["code"] in ("B64C", "B64U")
    assert "line 2" in capsys.readouterr().err


def test_training_skips_store_patents_of_the_held_out_fold(indexed, tmp_path):
    csv_path = tmp_path / "titles_ipc.csv"
    csv_path.write_text(TITLES_CSV + "CN112345678A,一种锂电池热管理系统,H01M,5\n"
                        "CN7777A,无人机电池快换装置,B64U,2\n", encoding="utf-8")
    info = services.ipc_model_train(csv_path, exclude_fold=5)
    assert (info["from_store"], info["skipped_excluded_fold"], info["skipped_duplicates"]) == (1, 1, 1)


def test_suggest_without_a_model_is_a_clean_error(indexed):
    with pytest.raises(CommandError) as exc:
        _run("suggest-ipc", "锂电池")
    assert "ipc-model train" in str(exc.value)


def test_index_status_rebuild_encode(indexed):
    status = json.loads(_run("index", "status", "--json"))
    assert (status["indexed"], status["encoded"]) == (3, 0)
    rebuilt = json.loads(_run("index", "rebuild", "--json"))
    assert rebuilt["status"] == "succeeded" and rebuilt["in_index"] == 3
    encoded = json.loads(_run("index", "encode", "--json"))
    assert encoded["encoded"] == 3 and encoded["texts_per_second"] > 0
    assert json.loads(_run("index", "status", "--json"))["not_encoded"] == 0


def test_demo_step_rebuilds_trains_and_encodes_unless_told_not_to(indexed, tmp_path, monkeypatch):
    from ipoc.search.demo import demo_search

    (tmp_path / "cn").mkdir()
    (tmp_path / "cn" / "titles_ipc.csv").write_text(TITLES_CSV, encoding="utf-8")
    monkeypatch.setenv("IPOC_DEMO_ENCODE", "0")
    first = demo_search(tmp_path)
    assert first["rebuild"]["in_index"] == 3 and first["ipc_model"]["from_file"] == 8
    assert first["encode"].startswith("skipped") and services.engine().status()["encoded"] == 0
    monkeypatch.setenv("IPOC_DEMO_ENCODE", "1")
    second = demo_search(tmp_path)
    assert second["encode"]["encoded"] == 3
    assert second["ipc_model"]["skipped"] == "unchanged training data"  # idempotent: same rows, same model


def test_training_rows_are_capped_file_first_then_an_even_sample_of_the_store(indexed, tmp_path, settings):
    csv_path = tmp_path / "titles_ipc.csv"
    csv_path.write_text(TITLES_CSV, encoding="utf-8")
    settings.IPOC_IPC_MAX_ROWS = 10  # 8 file rows + 3 store patents = 11
    data = services.ipc_training_rows(csv_path, exclude_fold=5)
    assert (data.from_file, data.from_store, data.skipped_over_cap, len(data.rows)) == (8, 2, 1, 10)
    settings.IPOC_IPC_MAX_ROWS = 5
    data = services.ipc_training_rows(csv_path, exclude_fold=5)
    assert (data.from_file, data.from_store, data.skipped_over_cap, len(data.rows)) == (5, 0, 6, 5)
    info = services.ipc_model_train(csv_path, exclude_fold=5)
    assert info["rows"] == 5 and info["skipped_over_cap"] == 6
