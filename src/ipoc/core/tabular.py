"""Reading the spreadsheets offices exchange: CSV (UTF-8 with or without BOM, or GB18030) or XLSX."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from pathlib import Path


def sheet_rows(path: Path) -> Iterator[tuple[int, dict[str, object]]]:
    """Yield (row number as a person sees it, {header: value}) for every non-empty row.

    XLSX: the first sheet, header on row 1. CSV: the encoding is detected (UTF-8, then GB18030);
    the row number is the line the record starts on, so multi-line cells keep numbers right.
    """
    path = Path(path)
    if path.suffix.lower() in (".xlsx", ".xlsm"):
        from openpyxl import load_workbook

        wb = load_workbook(path, read_only=True, data_only=True)
        try:
            rows = wb.worksheets[0].iter_rows(values_only=True)
            headers = [str(h or "").strip() for h in next(rows, [])]
            for number, values in enumerate(rows, start=2):
                if any(v not in (None, "") for v in values):
                    yield number, dict(zip(headers, values, strict=False))
        finally:
            wb.close()
        return
    raw = path.read_bytes()
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = raw.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise UnicodeError(f"{path.name}: 既不是 UTF-8 也不是 GB18030 编码 / neither UTF-8 nor GB18030")
    reader = csv.DictReader(io.StringIO(text, newline=""))
    start = 2
    for record in reader:
        if any((v or "").strip() for v in record.values() if isinstance(v, str)):
            yield start, {(k or "").strip(): v for k, v in record.items()}
        start = reader.line_num + 1
