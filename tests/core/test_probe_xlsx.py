"""Probe findings on reading workbooks (issue 14, item 6).

openpyxl (read-only) reads each sheet's ``<dimension>`` when a workbook is opened; when a sheet declares none,
its parser only notices at ``</sheetData>`` — it parses the whole sheet before the first row is read. A 2 MB
workbook of 400,000 one-cell rows without a dimension held the demand and stock import requests 20–27 s
(the upload is checked in the request by reading its first row), and a 20 MB upload may unpack to 200 MB.
And a sheet whose dimension under-declares its size (``A1``, written by some exporters) was silently cut to
that size: rows and columns past it were never read.
"""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest

from ipoc.core.errors import ApplicationError

NS = b'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'


def _workbook(path: Path, sheet: bytes) -> Path:
    """A workbook made by openpyxl whose one sheet is replaced by ``sheet``."""
    from openpyxl import Workbook

    made = path.with_suffix(".made.xlsx")
    Workbook().save(made)
    with zipfile.ZipFile(made) as src, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            dst.writestr(info, sheet if info.filename == "xl/worksheets/sheet1.xml" else src.read(info))
    return path


def _row(n: int, *values: str) -> bytes:
    cells = b"".join(b'<c r="%s%d" t="inlineStr"><is><t>%s</t></is></c>' % (col.encode(), n, v.encode())
                     for col, v in zip("ABCDEFG", values, strict=False))
    return b'<row r="%d">%s</row>' % (n, cells)


def test_the_first_row_is_read_without_parsing_the_whole_sheet(tmp_path):
    """No dimension and a damaged end: the first rows are read (the damage is met only when streaming
    reaches it) — before, opening the workbook parsed to the end and failed (or, undamaged, took its time)."""
    from ipoc.core.tabular import sheet_rows

    body = _row(1, "需求名称", "需求方") + _row(2, "甲", "乙") + b"".join(_row(i, "x", "y") for i in range(3, 200))
    sheet = b"<worksheet " + NS + b"><sheetData>" + body + b"<row r=\"200\"><c></sheetData></worksheet>"
    rows = sheet_rows(_workbook(tmp_path / "no-size.xlsx", sheet))
    assert next(rows) == (2, {"需求名称": "甲", "需求方": "乙"})
    with pytest.raises(ApplicationError) as caught:
        list(rows)
    assert caught.value.field == "file"


def test_a_sheet_declaring_too_small_a_size_is_read_whole(tmp_path):
    from ipoc.core.tabular import sheet_rows

    body = _row(1, "需求名称", "需求方") + _row(2, "甲", "乙") + _row(3, "丙", "丁")
    sheet = b"<worksheet " + NS + b'><dimension ref="A1"/><sheetData>' + body + b"</sheetData></worksheet>"
    rows = list(sheet_rows(_workbook(tmp_path / "a1.xlsx", sheet)))
    assert rows == [(2, {"需求名称": "甲", "需求方": "乙"}), (3, {"需求名称": "丙", "需求方": "丁"})]


def test_a_declared_size_is_still_read_when_it_is_right(tmp_path):
    from openpyxl import Workbook

    from ipoc.core.tabular import sheet_rows

    workbook = Workbook()
    workbook.active.append(["需求名称", "需求方"])
    workbook.active.append(["甲", None])
    workbook.active.append([None, "乙"])
    path = tmp_path / "made.xlsx"
    workbook.save(path)
    assert list(sheet_rows(path)) == [(2, {"需求名称": "甲", "需求方": None}), (3, {"需求名称": None, "需求方": "乙"})]


def test_an_incopat_workbook_without_a_size_is_streamed(tmp_path):
    """The patent importer opens workbooks the same bounded way: the rows before a damaged end are imported."""
    from ipoc.patents.importers import iter_records
    from ipoc.patents.importers.detect import UnknownFormatError

    body = (_row(1, "申请号", "公开（公告）号", "专利名称", "申请日", "申请人")
            + _row(2, "CN202110356789.4", "CN113012345A", "一种锂电池", "2021-04-01", "清华大学"))
    sheet = b"<worksheet " + NS + b"><sheetData>" + body + b"<row r=\"3\"><c></sheetData></worksheet>"
    items = iter_records(_workbook(tmp_path / "export.xlsx", sheet), "incopat")
    row, record, errors = next(items)
    assert (row, errors, record.title) == (2, [], "一种锂电池")
    with pytest.raises(UnknownFormatError, match="第 3 行附近"):
        list(items)
