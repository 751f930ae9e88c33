"""incoPat-style CSV/XLSX import: encodings, column map, row errors."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest

from ipoc.patents.importers import IncopatImporter, iter_records, load_column_map
from ipoc.patents.importers.base import RowError, parse_date
from ipoc.patents.importers.incopat import detect_encoding

from . import FIXTURES, require_sample_dir

BROKEN = FIXTURES / "broken_incopat.csv"


def _items(path: Path, **options):
    return list(iter_records(path, "incopat", **options))


def test_broken_fixture_rejects_bad_rows_precisely() -> None:
    items = _items(BROKEN)
    by_row = {row: (rec, errs) for row, rec, errs in items}
    assert sorted(by_row) == [2, 3, 4, 5, 6, 7, 9]  # line 8 continues the quoted abstract of line 7
    file = BROKEN.name  # the file by its name, never its folder on the server
    # bad check digit
    rec, errs = by_row[3]
    assert rec is None and len(errs) == 1
    assert (errs[0].file, errs[0].row, errs[0].field) == (file, 3, "申请号")
    assert "应为 0" in errs[0].reason and "expected 0" in errs[0].reason
    # unknown date names the field
    rec, errs = by_row[4]
    assert rec is None and [(e.row, e.field) for e in errs] == [(4, "公开日")]
    assert "2005年底" in errs[0].reason
    # missing title
    rec, errs = by_row[5]
    assert rec is None and [(e.row, e.field) for e in errs] == [(5, "专利名称")]
    # GBK bytes in a UTF-8 file
    rec, errs = by_row[6]
    assert rec is None and [(e.row, e.field) for e in errs] == [(6, "encoding")]
    assert "utf-8" in errs[0].reason
    # valid rows parse
    ok = {row: rec for row, rec, errs in items if not errs}
    assert sorted(ok) == [2, 7, 9]
    first = ok[2]
    assert first.application_number == "CN202110356789.4"
    assert first.publication_number == "CN113012345A" and first.grant_number == "CN113012345B"
    assert first.kind_code == "B" and first.patent_type == "发明"
    assert first.application_date == date(2021, 4, 1) and first.publication_date == date(2021, 6, 22)
    assert [(p.name, p.type) for p in first.applicants] == [("宁德时代新能源科技股份有限公司", "企业"), ("清华大学", "高校")]
    assert first.inventors == ["张三", "李四"]
    assert first.ipc_main == "H01M4/04" and first.ipc_all == ["H01M4/04", "H01M10/0525"]
    assert (first.region_name, first.region_code) == ("福建", "35")
    assert first.legal_status == "有效" and first.legal_status_detail == "有权-审定授权"
    assert first.transfer_count == 2
    assert first.claims[0].number == 1 and first.claims[0].text.startswith("一种锂电池极片涂布方法")
    # ZL prefix, full-width digits, multi-line quoted abstract, doubled quotes
    seventh = ok[7]
    assert seventh.application_number == "CN201820123456.0" and seventh.application_number_raw.startswith("ZL")
    assert seventh.publication_number == "CN209876543U" and seventh.patent_type == "实用新型"
    assert seventh.title == '一种带"快速"接头的水管'
    assert seventh.abstract == "第一行摘要，\n第二行摘要。"
    assert seventh.application_date == date(2018, 1, 26)
    # missing check digit → computed and flagged
    ninth = ok[9]
    assert ninth.application_number == "CN202110356789.4"
    assert any("check digit missing" in f for f in ninth.flags)
    assert ninth.applicants[0].type == "科研机构"


def test_gbk_file_is_detected() -> None:
    importer = IncopatImporter(FIXTURES / "gbk_incopat.csv")
    items = list(importer)
    assert importer.encoding == "gb18030"
    assert [errs for _, _, errs in items] == [[], []]
    assert items[1][1].title == "一种基于深度学习的图像识别方法"
    assert items[1][1].legal_status == "审中"


def test_utf8_bom(tmp_path: Path) -> None:
    path = tmp_path / "bom.csv"
    path.write_bytes(b"\xef\xbb\xbf" + BROKEN.read_bytes().split(b"\n", 2)[0] + b"\n" + BROKEN.read_bytes().split(b"\n", 2)[1])
    importer = IncopatImporter(path)
    items = list(importer)
    assert importer.encoding == "utf-8-sig"
    assert len(items) == 1 and items[0][2] == [] and items[0][1].title == "一种锂电池极片涂布方法"


def test_detect_encoding() -> None:
    assert detect_encoding("申请号,标题\n".encode("gbk")) == "gb18030"
    assert detect_encoding("申请号,标题\n".encode()) == "utf-8"
    assert detect_encoding(b"\xef\xbb\xbfa,b\n") == "utf-8-sig"


def test_user_column_map_override(tmp_path: Path) -> None:
    csv_path = tmp_path / "custom.csv"
    csv_path.write_text("App No,Pub No,Name,Filed\nCN202110356789.4,CN113012345A,一种方法,2021/4/1\n", encoding="utf-8")
    map_path = tmp_path / "map.json"
    map_path.write_text(json.dumps({"App No": "application_number", "Pub No": "publication_number",
                                    "Name": "title", "Filed": "application_date"}), encoding="utf-8")
    [(row, rec, errs)] = list(iter_records(csv_path, "incopat", column_map_file=map_path))
    assert errs == [] and row == 2
    assert rec.title == "一种方法" and rec.application_date == date(2021, 4, 1)
    bad_map = tmp_path / "bad.json"
    bad_map.write_text(json.dumps({"Name": "no_such_field"}), encoding="utf-8")
    with pytest.raises(ValueError, match="no_such_field"):
        load_column_map(bad_map)


def test_xlsx(tmp_path: Path) -> None:
    import openpyxl

    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(["申请号", "公开（公告）号", "专利名称", "申请日", "申请人"])
    sheet.append(["CN202110356789.4", "CN113012345A", "一种锂电池", date(2021, 4, 1), "清华大学"])
    sheet.append(["CN202110356789.4", "CN113012346A", "一种日期错误", "明天", "清华大学"])
    path = tmp_path / "export.xlsx"
    workbook.save(path)
    items = list(iter_records(path))  # auto-detected
    assert items[0][0] == 2 and items[0][2] == [] and items[0][1].application_date == date(2021, 4, 1)
    assert items[1][1] is None and items[1][2] == [RowError(path.name, 3, "申请日", items[1][2][0].reason)]


@pytest.mark.parametrize(
    ("raw", "expected"),
    [("2019-01-02", date(2019, 1, 2)), ("2019.01.02", date(2019, 1, 2)), ("20190102", date(2019, 1, 2)),
     ("2019/1/2", date(2019, 1, 2)), ("2019年1月2日", date(2019, 1, 2)), ("2019-01-02 00:00:00", date(2019, 1, 2)),
     ("", None)],
)
def test_parse_date(raw: str, expected: date | None) -> None:
    assert parse_date(raw) == expected


@pytest.mark.parametrize("raw", ["2019-02-30", "0000-00-00", "yesterday", "2019-1"])
def test_parse_date_rejects(raw: str) -> None:
    with pytest.raises(ValueError):
        parse_date(raw)


def test_real_incopat_sample() -> None:
    path = require_sample_dir() / "cn" / "incopat_style_sample.csv"
    importer = IncopatImporter(path)
    items = list(importer)
    assert len(items) == 10 and all(errs == [] for _, _, errs in items)
    records = [rec for _, rec, _ in items]
    assert records[0].application_number == "CN202223220665.2"
    assert records[0].publication_number == "CN218751475U" and records[0].patent_type == "实用新型"
    assert records[0].applicants[0].type == "科研机构"  # from the explicit 申请人类型 column
    assert records[2].application_number == "CN202121635235.X"
    granted = records[9]
    assert granted.patent_type == "发明" and granted.grant_number == "CN115883397B" and granted.legal_status == "有效"
    assert records[7].legal_status == "审中"
    assert {r.region_code for r in records} == {"41"}
    assert "授权名称" in importer.unmapped_headers
