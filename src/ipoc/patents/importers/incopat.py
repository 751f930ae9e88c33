"""incoPat / CNIPA-style exports: CSV (UTF-8, UTF-8-BOM, GB18030/GBK) or XLSX with Chinese headers.

Column headers are matched through :data:`DEFAULT_COLUMN_MAP` (header → record
field, with the common variants of commercial databases, e.g. ``公开（公告）号`` /
``公开号``, ``申请（专利权）人`` / ``申请人``); full-width brackets and spaces in headers
are ignored.  A user mapping from a JSON file (``{"header": "field"}``, field
``""`` or ``null`` to ignore a column) overrides or extends it.

CSV reading is byte- and line-aware: the file is read as bytes, records are
assembled from physical lines by quote parity (a quoted cell may span lines) and
each record is decoded on its own, so a row with bytes that are invalid in the
detected encoding yields a row error ``encoding`` while the other rows import.
The encoding is detected from the BOM or, without one, by whether most non-ASCII
lines of the file's head decode as UTF-8 (else GB18030, a superset of GBK/GB2312).
Row numbers are the physical line where the record starts (header = line 1); for
XLSX the sheet row.
"""

from __future__ import annotations

import csv
import io
import json
import re
import unicodedata
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from ..claims import build_claims, split_claims
from ..ipc import normalize_ipc_list, try_normalize_ipc
from ..numbers import DESIGN, INVENTION, UTILITY_MODEL, PatentNumberError, parse_publication_number
from ..records import (
    Citation,
    LegalEvent,
    Party,
    PatentRecord,
    PriorityClaim,
    classify_applicant,
    normalize_applicant_type,
)
from .base import ImportItem, RowError, apply_legal_status, apply_numbers, parse_date, split_multi
from .detect import UnknownFormatError

__all__ = ["DEFAULT_COLUMN_MAP", "FIELDS", "IncopatImporter", "detect_encoding", "iter_incopat", "load_column_map"]

#: Target fields a column can map to (see docs/importers.md).
FIELDS: frozenset[str] = frozenset({
    "application_number", "publication_number", "grant_number", "patent_type", "title", "abstract",
    "claims", "claim1", "applicants", "applicant_address", "applicant_type", "holders", "inventors",
    "application_date", "publication_date", "grant_date", "priority_numbers", "priority_dates",
    "legal_status", "legal_events", "ipc_main", "ipc_all", "cpc_main", "cpc_all", "region", "agents",
    "agency", "backward_citations", "npl_citations", "forward_citations", "family_members",
    "transfer_count", "licence_count", "pledge_count", "last_transfer_date", "last_licence_date",
    "last_pledge_date", "lapse_date", "examiner", "examination_days", "country",
})

#: Header (as exported by incoPat, CNIPA, Himmpat, Patsnap …) → record field.
DEFAULT_COLUMN_MAP: dict[str, str] = {
    "申请号": "application_number", "申请号码": "application_number", "专利申请号": "application_number",
    "公开号": "publication_number", "公开(公告)号": "publication_number", "公开公告号": "publication_number",
    "公布号": "publication_number", "公开号码": "publication_number",
    "授权公告号": "grant_number", "授权号": "grant_number", "公告号": "grant_number",
    "专利类型": "patent_type", "专利种类": "patent_type", "类型": "patent_type",
    "专利名称": "title", "标题": "title", "名称": "title", "发明名称": "title", "标题(中文)": "title",
    "申请摘要": "abstract", "摘要": "abstract", "摘要(中文)": "abstract",
    "权利要求": "claims", "权利要求书": "claims", "主权项": "claim1", "首项权利要求": "claim1",
    "申请人": "applicants", "申请(专利权)人": "applicants", "专利申请人": "applicants", "原始申请人": "applicants",
    "申请人地址": "applicant_address", "地址": "applicant_address",
    "申请人类型": "applicant_type",
    "当前权利人": "holders", "专利权人": "holders", "当前申请(专利权)人": "holders",
    "发明人": "inventors", "发明(设计)人": "inventors", "设计人": "inventors",
    "申请日": "application_date", "申请日期": "application_date",
    "公开日": "publication_date", "公开(公告)日": "publication_date", "公开日期": "publication_date", "公布日": "publication_date",
    "授权公告日": "grant_date", "授权日": "grant_date", "授权日期": "grant_date",
    "优先权": "priority_numbers", "优先权号": "priority_numbers", "优先权日": "priority_dates",
    "法律状态": "legal_status", "当前法律状态": "legal_status", "法律事件": "legal_events",
    "主分类号": "ipc_main", "IPC主分类": "ipc_main", "IPC主分类号": "ipc_main",
    "分类号": "ipc_all", "IPC分类号": "ipc_all", "IPC": "ipc_all",
    "CPC主分类号": "cpc_main", "CPC分类号": "cpc_all", "CPC": "cpc_all",
    "国省代码": "region", "申请人省市代码": "region", "省市代码": "region",
    "专利代理人": "agents", "代理人": "agents",
    "专利代理机构": "agency", "代理机构": "agency",
    "引证专利": "backward_citations", "引用专利": "backward_citations", "非专利引证": "npl_citations",
    "被引证专利": "forward_citations", "施引专利": "forward_citations",
    "同族专利": "family_members", "简单同族": "family_members",
    "专利转移次数": "transfer_count", "转让次数": "transfer_count",
    "许可次数": "licence_count", "质押次数": "pledge_count",
    "转让日期": "last_transfer_date", "许可日期": "last_licence_date", "质押日期": "last_pledge_date",
    "失效日期": "lapse_date", "失效日": "lapse_date",
    "审查员": "examiner", "审查时长": "examination_days",
    "受理局": "country", "国家/地区": "country",
}

_DATE_FIELDS = {"application_date", "publication_date", "grant_date", "lapse_date"}
_LAST_DATE_FIELDS = {"last_transfer_date", "last_licence_date", "last_pledge_date"}
_COUNT_FIELDS = {"transfer_count", "licence_count", "pledge_count"}


def _norm_header(header: str) -> str:
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", header or "")).lstrip("\ufeff")


def load_column_map(path: str | Path | None = None, base: dict[str, str] | None = None) -> dict[str, str]:
    """The default column map, updated with a user JSON mapping ``{"header": "field"}``.

    Raises ``ValueError`` for fields that do not exist (see :data:`FIELDS`).
    """
    mapping = {_norm_header(k): v for k, v in (base or DEFAULT_COLUMN_MAP).items()}
    if path is not None:
        with open(path, encoding="utf-8") as fh:
            user = json.load(fh)
        if not isinstance(user, dict):
            raise ValueError("column map JSON must be an object {header: field}")
        for header, target in user.items():
            if target and target not in FIELDS:
                raise ValueError(f"column map: unknown field {target!r} for header {header!r}")
            mapping[_norm_header(header)] = target or ""
    return mapping


def detect_encoding(head: bytes) -> str:
    """Guess a CSV's encoding from its first bytes: BOM, else UTF-8 vs GB18030 by line majority."""
    if head.startswith(b"\xef\xbb\xbf"):
        return "utf-8-sig"
    utf8 = gb = 0
    for line in head.split(b"\n")[:-1] or [head]:
        if line.isascii():
            continue
        try:
            line.decode("utf-8")
            utf8 += 1
        except UnicodeDecodeError:
            try:
                line.decode("gb18030")
                gb += 1
            except UnicodeDecodeError:
                pass
    return "gb18030" if gb > utf8 else "utf-8"


class IncopatImporter:
    """Iterate over an incoPat-style CSV or XLSX; see the module docstring.

    After iteration starts, ``encoding``, ``headers`` and ``unmapped_headers`` describe the file.
    """

    format_name = "incopat"

    def __init__(self, path: str | Path, column_map: dict[str, str] | None = None,
                 column_map_file: str | Path | None = None, encoding: str | None = None,
                 sheet: str | None = None) -> None:
        self.path = Path(path)
        self.file = self.path.name  # reports name the file, never its folder on the server
        self.column_map = load_column_map(column_map_file, column_map) if column_map_file or column_map is None else {
            _norm_header(k): v for k, v in column_map.items()
        }
        self.encoding = encoding
        self.sheet = sheet
        self.headers: list[str] = []
        self.unmapped_headers: list[str] = []

    def __iter__(self) -> Iterator[ImportItem]:
        if self.path.suffix.lower() in (".xlsx", ".xlsm"):
            yield from self._iter_xlsx()
        else:
            yield from self._iter_csv()

    # -- CSV -----------------------------------------------------------------
    def _iter_csv(self) -> Iterator[ImportItem]:
        with open(self.path, "rb") as fh:
            if self.encoding is None:
                self.encoding = detect_encoding(fh.read(256 * 1024))
                fh.seek(0)
            encoding = self.encoding
            header_seen = False
            delimiter = ","
            for line_no, raw in _physical_records(fh):
                if line_no == 1 and raw.startswith(b"\xef\xbb\xbf"):
                    raw = raw[3:]
                try:
                    text = raw.decode("utf-8" if encoding == "utf-8-sig" else encoding)
                except UnicodeDecodeError as exc:
                    if not header_seen:
                        yield line_no, None, [RowError(self.file, line_no, "encoding",
                                                       f"表头无法以 {encoding} 解码 / header is not valid {encoding}: {exc.reason}")]
                        return
                    yield line_no, None, [RowError(
                        self.file, line_no, "encoding",
                        f"该行含有 {encoding} 无效字节 / row has bytes invalid in {encoding} "
                        f"(byte {exc.start}: {exc.object[exc.start:exc.start + 4]!r})")]
                    continue
                if not text.strip():
                    continue
                if not header_seen:
                    delimiter = "\t" if text.count("\t") > text.count(",") else ","
                    try:
                        cells = next(csv.reader(io.StringIO(text), delimiter=delimiter))
                    except csv.Error as exc:
                        yield line_no, None, [RowError(self.file, line_no, "csv",
                                                       f"表头无法解析 / malformed CSV header: {exc}")]
                        return
                    self._set_headers(cells)
                    header_seen = True
                    continue
                try:
                    cells = next(csv.reader(io.StringIO(text), delimiter=delimiter, strict=True))
                except csv.Error as exc:
                    yield line_no, None, [RowError(self.file, line_no, "csv", f"CSV 格式错误 / malformed CSV: {exc}")]
                    continue
                yield self._row(line_no, cells)

    # -- XLSX ----------------------------------------------------------------
    def _iter_xlsx(self) -> Iterator[ImportItem]:
        from ipoc.core.tabular import open_workbook  # no full parse of a sheet that declares no size

        try:
            workbook = open_workbook(self.path)
        except Exception as exc:  # a damaged or disguised workbook: openpyxl raises many kinds of errors
            raise UnknownFormatError(f"{self.file}: Excel 文件无法读取 / unreadable workbook "
                                     f"({type(exc).__name__})") from None
        row_no = 0
        try:
            sheet = workbook[self.sheet] if self.sheet else workbook.worksheets[0]
            header_seen = False
            rows = sheet.iter_rows(values_only=True)
            while True:
                try:
                    values = next(rows, None)
                except Exception as exc:  # e.g. XML entities refused by defusedxml, a broken sheet
                    raise UnknownFormatError(f"{self.file}: 第 {row_no + 1} 行附近无法读取 / unreadable near row "
                                             f"{row_no + 1} ({type(exc).__name__})") from None
                if values is None:
                    break
                row_no += 1
                cells = [_cell_text(v) for v in values]
                if not any(c.strip() for c in cells):
                    continue
                if not header_seen:
                    self._set_headers(cells)
                    header_seen = True
                    continue
                yield self._row(row_no, cells)
        finally:
            workbook.close()

    # -- rows ----------------------------------------------------------------
    def _set_headers(self, cells: list[str]) -> None:
        self.headers = [c.strip() for c in cells]
        self._targets = [self.column_map.get(_norm_header(h), "") for h in self.headers]
        self.unmapped_headers = [h for h, t in zip(self.headers, self._targets, strict=True) if h and not t]
        self._field_headers: dict[str, str] = {}
        for h, t in zip(self.headers, self._targets, strict=True):
            if t:
                self._field_headers.setdefault(t, h)

    def _row(self, row: int, cells: list[str]) -> ImportItem:
        if len(cells) > len(self.headers):
            extra = [c for c in cells[len(self.headers):] if c.strip()]
            if extra:
                return row, None, [RowError(self.file, row, "columns",
                                            f"列数 {len(cells)} 多于表头 {len(self.headers)} / more cells than headers")]
        values: dict[str, tuple[str, str]] = {}  # field → (header, value); first non-empty wins
        for header, target, value in zip(self.headers, self._targets, cells, strict=False):
            value = value.strip()
            if target and value and target not in values:
                values[target] = (header, value)
        return build_record(values, self.file, row, source_format=self.format_name, field_headers=self._field_headers)


def _cell_text(value: Any) -> str:
    import datetime as dt

    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _physical_records(fh: io.BufferedReader) -> Iterator[tuple[int, bytes]]:
    """Yield ``(first line number, bytes)`` of CSV records, joining lines inside quoted cells.

    Quote parity on bytes is safe for UTF-8 and GB18030: ``"`` (0x22) never occurs
    inside a multi-byte character.  An unterminated quote ends the record after
    1000 lines so a stray quote cannot swallow the rest of the file.
    """
    line_no = 0
    buffer: list[bytes] = []
    start = 0
    quotes = 0
    for line in fh:
        line_no += 1
        if not buffer:
            start = line_no
        buffer.append(line)
        quotes += line.count(b'"')
        if quotes % 2 == 0 or len(buffer) >= 1000:
            yield start, b"".join(buffer).rstrip(b"\r\n")
            buffer, quotes = [], 0
    if buffer:
        yield start, b"".join(buffer).rstrip(b"\r\n")


_REGION = re.compile(r"^\s*([^()\d]*?)\s*\(?\s*(\d{2,6})?\s*\)?\s*$")


def _patent_type(text: str) -> str | None:
    if "实用新型" in text:
        return UTILITY_MODEL
    if "外观" in text:
        return DESIGN
    if "发明" in text:
        return INVENTION
    return None


def build_record(values: dict[str, tuple[str, str]], file: str, row: int, source_format: str,
                 field_headers: dict[str, str] | None = None) -> ImportItem:
    """Turn ``{field: (header, text)}`` of one row into a :class:`PatentRecord` (or row errors).

    Errors name the source column header (``field_headers`` maps field → header for empty cells).
    """
    field_headers = field_headers or {}
    errors: list[RowError] = []
    rec = PatentRecord(source_format=source_format, source_file=file, source_row=row)

    def get(name: str) -> str:
        return values[name][1] if name in values else ""

    def header(name: str) -> str:
        return values[name][0] if name in values else field_headers.get(name, name)

    country = get("country").upper()[:2] or None
    if "patent_type" in values:
        rec.patent_type = _patent_type(get("patent_type"))
        if rec.patent_type is None:
            errors.append(RowError(file, row, header("patent_type"), f"未知的专利类型 / unknown patent type {get('patent_type')!r}"))
    apply_numbers(rec, errors, file, row, application=get("application_number") or None,
                  publication=get("publication_number") or None, grant=get("grant_number") or None,
                  country=country,
                  field_names=(header("application_number"), header("publication_number"), header("grant_number")))
    if not rec.application_number and not rec.publication_number and not rec.grant_number and not any(
        e.field in (header("application_number"), header("publication_number"), header("grant_number")) for e in errors
    ):
        errors.append(RowError(file, row, header("application_number"), "缺少申请号和公开号 / no application or publication number"))
    rec.title = get("title")
    if not rec.title:
        errors.append(RowError(file, row, header("title"), "缺少专利名称 / missing title"))
    rec.abstract = get("abstract")
    if get("claims"):
        rec.claims = split_claims(get("claims"))
    elif get("claim1"):
        claim1 = get("claim1")
        rec.claims = build_claims([re.sub(r"^\s*1\s*[.．、]\s*", "", claim1)])
    # dates
    for name in _DATE_FIELDS:
        if name in values:
            try:
                setattr(rec, name, parse_date(get(name)))
            except ValueError as exc:
                errors.append(RowError(file, row, header(name), str(exc)))
    for name in _LAST_DATE_FIELDS:
        if name in values:
            try:
                dates = [d for d in (parse_date(v) for v in split_multi(get(name))) if d]
            except ValueError as exc:
                errors.append(RowError(file, row, header(name), str(exc)))
            else:
                setattr(rec, name, max(dates) if dates else None)
    for name in _COUNT_FIELDS:
        if name in values:
            try:
                setattr(rec, name, int(float(get(name))))
            except ValueError:
                errors.append(RowError(file, row, header(name), f"次数不是整数 / not an integer: {get(name)!r}"))
    if "examination_days" in values:
        digits = re.search(r"\d+", get("examination_days"))
        if digits is None:
            errors.append(RowError(file, row, header("examination_days"), f"审查时长不是天数 / not a number of days: {get('examination_days')!r}"))
        else:
            rec.examination_days = int(digits.group())
    # parties
    names = split_multi(get("applicants"))
    types = [normalize_applicant_type(t) for t in split_multi(get("applicant_type"))]
    for i, name in enumerate(names):
        explicit = types[i] if len(types) == len(names) else (types[0] if i == 0 and types else None)
        rec.applicants.append(Party(name=name, type=explicit or classify_applicant(name)))
    if rec.applicants and get("applicant_address"):
        rec.applicants[0].address = get("applicant_address")
    rec.holders = [Party(name=n, type=classify_applicant(n)) for n in split_multi(get("holders"))]
    rec.inventors = split_multi(get("inventors"))
    rec.agents = split_multi(get("agents"))
    rec.agency = get("agency") or None
    rec.examiner = get("examiner") or None
    # classification
    for main_name, all_name, main_attr, all_attr in (("ipc_main", "ipc_all", "ipc_main", "ipc_all"),
                                                       ("cpc_main", "cpc_all", "cpc_main", "cpc_all")):
        symbols, bad = normalize_ipc_list(get(all_name))
        if bad:
            errors.append(RowError(file, row, header(all_name), f"无法识别的分类号 / unreadable classification {bad}"))
        main = None
        if get(main_name):
            main = try_normalize_ipc(get(main_name))
            if main is None:
                errors.append(RowError(file, row, header(main_name), f"无法识别的分类号 / unreadable classification {get(main_name)!r}"))
        main = main or (symbols[0] if symbols else None)
        if main and main not in symbols:
            symbols.insert(0, main)
        setattr(rec, main_attr, main)
        setattr(rec, all_attr, symbols)
    # region 国省代码, e.g. 河南(41)
    if get("region"):
        match = _REGION.match(get("region"))
        if match:
            rec.region_name = match.group(1) or None
            rec.region_code = match.group(2)
        else:
            rec.region_name = get("region")
    # status
    apply_legal_status(rec, get("legal_status"))
    for item in split_multi(get("legal_events")):
        match = re.match(r"^(\d{4}[-./]?\d{1,2}[-./]?\d{1,2})\s*[:：,，]?\s*(.*)$", item)
        event_date = None
        text = item
        if match:
            try:
                event_date = parse_date(match.group(1))
                text = match.group(2)
            except ValueError:
                event_date = None
        rec.legal_events.append(LegalEvent(date=event_date, code=None, text=text))
    # priorities
    pdates = split_multi(get("priority_dates"))
    for i, item in enumerate(split_multi(get("priority_numbers"))):
        match = re.match(r"^([A-Z]{2})?\s*([\w./-]+)\s*(\d{4}[-./]?\d{2}[-./]?\d{2})?$", item)
        if not match:
            errors.append(RowError(file, row, header("priority_numbers"), f"无法识别的优先权 / unreadable priority {item!r}"))
            continue
        raw_date = match.group(3) or (pdates[i] if i < len(pdates) else "")
        try:
            pdate = parse_date(raw_date)
        except ValueError as exc:
            errors.append(RowError(file, row, header("priority_dates"), str(exc)))
            continue
        rec.priority_claims.append(PriorityClaim(country=match.group(1), number=match.group(2), date=pdate))
    dates = [p.date for p in rec.priority_claims if p.date]
    if not dates and pdates:
        try:
            dates = [d for d in (parse_date(v) for v in pdates) if d]
        except ValueError as exc:
            errors.append(RowError(file, row, header("priority_dates"), str(exc)))
    rec.priority_date = min(dates) if dates else None
    # citations and family
    rec.backward_citations = [_citation(v) for v in split_multi(get("backward_citations"))]
    rec.backward_citations += [Citation(text=v) for v in split_multi(get("npl_citations"))]
    rec.forward_citations = [_citation(v) for v in split_multi(get("forward_citations"))]
    rec.family_members = [_canonical_or_raw(v) for v in split_multi(get("family_members"))]
    if errors:
        return row, None, errors
    return row, rec, []


def _canonical_or_raw(value: str) -> str:
    try:
        return parse_publication_number(value).canonical
    except PatentNumberError:
        return value


def _citation(value: str) -> Citation:
    try:
        return Citation(number=parse_publication_number(value).canonical)
    except PatentNumberError:
        return Citation(text=value)


def iter_incopat(path: str | Path, **options: Any) -> Iterator[ImportItem]:
    """Iterate an incoPat-style CSV/XLSX; options as for :class:`IncopatImporter`."""
    return iter(IncopatImporter(path, **options))
