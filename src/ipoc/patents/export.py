"""CSV/XLSX export of any filtered patent list (Chinese headers, as offices exchange them)."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator

from ipoc.core.tables import safe_cell
from ipoc.patents.models import Patent

COLUMNS = [
    ("公开（公告）号", lambda p: p.publication_number), ("申请号", lambda p: p.application_number),
    ("专利名称", lambda p: p.title), ("专利类型", lambda p: p.get_patent_type_display()),
    ("申请人", lambda p: "; ".join(x.name for x in p.parties.all() if x.role == "applicant")),
    ("申请日", lambda p: p.application_date), ("公开（公告）日", lambda p: p.publication_date),
    ("授权公告日", lambda p: p.grant_date), ("IPC主分类号", lambda p: p.ipc_main),
    ("法律状态", lambda p: p.get_legal_status_display()), ("期限届满日", lambda p: p.expiry_date),
    ("权利要求数", lambda p: p.claims_count), ("被引证数", lambda p: p.forward_citations_count),
    ("国省代码", lambda p: p.region_code), ("摘要", lambda p: p.abstract),
]


def _rows(patents: Iterable[Patent]) -> Iterator[list]:
    for p in patents:
        yield [safe_cell(get(p)) for _h, get in COLUMNS]  # "" for missing; no cell a spreadsheet would run


def export_csv(patents: Iterable[Patent]) -> Iterator[str]:
    """Stream CSV lines (UTF-8 with BOM so Excel opens Chinese correctly)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    buffer.write("\ufeff")
    writer.writerow([h for h, _ in COLUMNS])
    for row in _rows(patents):
        writer.writerow(row)
        if buffer.tell() > 1 << 16:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue()


def export_xlsx(patents: Iterable[Patent]) -> bytes:
    from openpyxl import Workbook

    wb = Workbook(write_only=True)
    ws = wb.create_sheet("专利列表")
    ws.append([h for h, _ in COLUMNS])
    for row in _rows(patents):
        ws.append([str(v) if hasattr(v, "isoformat") else v for v in row])
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()
