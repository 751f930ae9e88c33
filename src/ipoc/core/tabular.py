"""Reading the spreadsheets offices exchange: CSV (UTF-8 with or without BOM, or GB18030) or XLSX.

A file that cannot be read as a whole (not a workbook, a zip bomb, too many rows, an unknown encoding,
a malformed CSV record) raises ``ApplicationError`` on the field ``file`` with the file's name and,
where it applies, the row — never a server path and never a 500.
"""

from __future__ import annotations

import csv
import io
import zipfile
from collections.abc import Iterator
from pathlib import Path

from ipoc.core.errors import ApplicationError


def _refuse(message: str) -> ApplicationError:
    return ApplicationError(message, field="file", code="invalid_file")


def sheet_rows(path: Path, *, kind: str = "spreadsheet", max_rows: int | None = None,
               file_name: str | None = None) -> Iterator[tuple[int, dict[str, object]]]:
    """Yield (row number as a person sees it, {header: value}) for every non-empty row.

    XLSX: the first sheet, header on row 1; the workbook is checked before it is opened
    (``ipoc.core.uploads.check_xlsx``) and rows are capped while streaming. CSV: the encoding is
    detected (UTF-8, then GB18030); the row number is the line the record starts on, so multi-line
    cells keep numbers right.
    """
    from ipoc.core.uploads import check_xlsx, xlsx_limits

    path = Path(path)
    name = file_name or path.name
    cap = max_rows if max_rows is not None else xlsx_limits(kind).rows
    if path.suffix.lower() in (".xlsx", ".xlsm"):
        check_xlsx(path, kind=kind, name=name)
        yield from _xlsx_rows(path, name, cap)
        return
    raw = path.read_bytes()
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = raw.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise _refuse(f"{name} 既不是 UTF-8 也不是 GB18030 编码，请在 Excel 中另存为“CSV UTF-8”后重试")
    del raw
    if "\x00" in text:
        raise _refuse(f"{name} 含有空字符（NUL），不是文本表格文件")
    reader = csv.DictReader(io.StringIO(text, newline=""))
    start = 2
    count = 0
    try:
        for record in reader:
            if any((v or "").strip() for v in record.values() if isinstance(v, str)):
                count += 1
                if count > cap:
                    raise _refuse(f"{name} 超过 {cap:,} 行上限，请拆分后分批导入")
                yield start, {(k or "").strip(): v for k, v in record.items()}
            start = reader.line_num + 1
    except csv.Error as exc:
        limit = csv.field_size_limit()
        reason = (f"单元格超过 {limit:,} 个字符" if "field larger than field limit" in str(exc)
                  else f"CSV 格式错误（{exc}）")
        raise _refuse(f"{name} 第 {start} 行无法读取：{reason}") from None


def _bounded_get_size(self) -> None:
    """``ReadOnlyWorksheet._get_size`` that stops at ``<sheetData>``. openpyxl's own only notices a missing
    ``<dimension>`` at ``</sheetData>``, so opening a workbook parsed every sheet without one to its end (a
    2 MB workbook of 400,000 rows held an import request 27 s before its first row)."""
    from openpyxl.worksheet._reader import DATA_TAG, DIMENSION_TAG
    from openpyxl.worksheet.dimensions import SheetDimension
    from openpyxl.xml.functions import iterparse

    source = self._get_source()
    try:
        for _event, element in iterparse(source, events=("start",)):
            if element.tag == DIMENSION_TAG:
                bounds = SheetDimension.from_tree(element).boundaries
                self._min_column, self._min_row, self._max_column, self._max_row = bounds
                return
            if element.tag == DATA_TAG:
                return
    finally:
        source.close()


def open_workbook(path: Path):
    """``openpyxl.load_workbook(path, read_only=True, data_only=True)`` without the full parse of sheets that
    declare no size (see ``_bounded_get_size``; installed once for the process)."""
    from openpyxl import load_workbook
    from openpyxl.worksheet._read_only import ReadOnlyWorksheet

    if ReadOnlyWorksheet._get_size is not _bounded_get_size:
        ReadOnlyWorksheet._get_size = _bounded_get_size
    return load_workbook(path, read_only=True, data_only=True)


def _xlsx_rows(path: Path, name: str, cap: int) -> Iterator[tuple[int, dict[str, object]]]:
    try:
        wb = open_workbook(path)
    except Exception as exc:  # a renamed or damaged file: openpyxl raises many kinds of errors
        raise _refuse(f"{name} 不是可读取的 Excel（.xlsx）文件（{_reason(exc)}）") from None
    try:
        if not wb.worksheets:
            raise _refuse(f"{name} 中没有工作表")
        sheet = wb.worksheets[0]
        sheet.reset_dimensions()  # a declared size can be wrong ("A1" from some exporters): read to the end
        rows = sheet.iter_rows(values_only=True)
        number = 1
        try:
            headers = [str(h or "").strip() for h in next(rows, [])]
            for number, values in enumerate(rows, start=2):
                if number > cap + 1:
                    raise _refuse(f"{name} 超过 {cap:,} 行上限，请拆分后分批导入")
                if any(v not in (None, "") for v in values):
                    values = tuple(values) + (None,) * (len(headers) - len(values))  # cells past the last given
                    yield number, dict(zip(headers, values, strict=False))
        except ApplicationError:
            raise
        except (zipfile.BadZipFile, KeyError, ValueError, TypeError, OSError, EOFError, SyntaxError) as exc:
            raise _refuse(f"{name} 第 {number} 行附近无法读取（{_reason(exc)}）") from None
    finally:
        wb.close()


def _reason(exc: BaseException) -> str:
    """A short, path-free reason for a workbook that cannot be read."""
    kind = type(exc).__name__
    if kind in ("EntitiesForbidden", "DTDForbidden", "ExternalReferenceForbidden"):
        return "包含不允许的 XML 实体或外部引用"
    if isinstance(exc, zipfile.BadZipFile):
        return "压缩包已损坏"
    if isinstance(exc, KeyError):
        return "缺少工作簿的组成部分"
    return kind
