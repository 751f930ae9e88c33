"""Shared pieces of the importers: row errors, date parsing, multi-valued cells, numbers.

Every importer is a generator yielding one ``(row, record, errors)`` triple per
source row (CSV line, XLSX row, JSONL line, XML document).  ``record`` is ``None``
exactly when ``errors`` is non-empty; a bad row never stops the file.
"""

from __future__ import annotations

import datetime as _dt
import os
import re
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from ..lifecycle import normalize_legal_status
from ..numbers import (
    CheckDigitError,
    PatentNumberError,
    parse_application_number,
    parse_publication_number,
    patent_type_from_kind,
)
from ..records import PatentRecord

__all__ = [
    "ImportItem",
    "RowError",
    "apply_numbers",
    "parse_date",
    "sample_data_dir",
    "split_multi",
]


@dataclass(frozen=True, slots=True)
class RowError:
    """Why a source row was rejected: file, row (1-based line / sheet row / document start line), field, reason."""

    file: str
    row: int
    field: str
    reason: str

    def __str__(self) -> str:
        return f"{self.file}:{self.row}: [{self.field}] {self.reason}"


ImportItem = tuple[int, PatentRecord | None, list[RowError]]
RecordIterator = Iterator[ImportItem]


def sample_data_dir() -> Path:
    """The shared real sample data folder: ``$IPOC_SAMPLE_DATA`` or ``../shared/data`` beside the repo."""
    configured = os.environ.get("IPOC_SAMPLE_DATA")
    if configured:
        return Path(configured).expanduser()
    repo_root = Path(__file__).resolve().parents[4]  # src/ipoc/patents/importers/base.py → repo
    return repo_root.parent / "shared" / "data"


_DATE_PATTERNS = (
    re.compile(r"^(\d{4})(\d{2})(\d{2})$"),  # 20190102
    re.compile(r"^(\d{4})\s*[-./年]\s*(\d{1,2})\s*[-./月]\s*(\d{1,2})\s*日?$"),  # 2019-01-02, 2019.1.2, 2019年1月2日
)


def parse_date(value: object) -> _dt.date | None:
    """Parse ``2019-01-02``, ``2019.01.02``, ``20190102``, ``2019/1/2``, ``2019年1月2日``
    (a trailing time such as ``00:00:00`` is ignored); empty → ``None``; else ``ValueError``."""
    if value is None:
        return None
    if isinstance(value, _dt.datetime):
        return value.date()
    if isinstance(value, _dt.date):
        return value
    text = str(value).strip()
    if not text:
        return None
    if len(text) == 10 and text[4] == "-" and text[7] == "-":
        try:  # fast path for ISO dates (the jsonl format)
            return _dt.date.fromisoformat(text)
        except ValueError:
            pass
    return _parse_date_text(text)


@lru_cache(maxsize=16384)
def _parse_date_text(text: str) -> _dt.date:
    text = re.sub(r"[T\s]+\d{1,2}:\d{2}(:\d{2}(\.\d+)?)?$", "", text)
    for pattern in _DATE_PATTERNS:
        match = pattern.match(text)
        if match:
            year, month, day = (int(g) for g in match.groups())
            if year == 0:
                break
            try:
                return _dt.date(year, month, day)
            except ValueError as exc:
                raise ValueError(f"无效日期 / invalid date {text!r}: {exc}") from None
    raise ValueError(f"无法识别的日期 / unknown date format {text!r}")


_MULTI = re.compile(r"\s*[;；]\s*")


def split_multi(value: object) -> list[str]:
    """Split a multi-valued cell on ``;`` / ``；`` and drop empty items."""
    if value is None:
        return []
    if isinstance(value, list):
        return [str(v).strip() for v in value if str(v).strip()]
    return [item for item in _MULTI.split(str(value).strip()) if item]


def apply_numbers(
    record: PatentRecord,
    errors: list[RowError],
    file: str,
    row: int,
    *,
    application: str | None = None,
    publication: str | None = None,
    grant: str | None = None,
    country: str | None = None,
    kind: str | None = None,
    field_names: tuple[str, str, str] = ("application_number", "publication_number", "grant_number"),
) -> None:
    """Parse and store the three numbers on ``record``; problems become :class:`RowError`.

    Also fills jurisdiction, kind code and 专利类型 (when not already set).
    """
    app_field, pub_field, grant_field = field_names
    if application:
        record.application_number_raw = application
        try:
            app = parse_application_number(application, country)
        except CheckDigitError as exc:
            errors.append(RowError(file, row, app_field, str(exc)))
        except PatentNumberError as exc:
            errors.append(RowError(file, row, app_field, str(exc)))
        else:
            record.application_number = app.canonical
            record.jurisdiction = record.jurisdiction or app.country
            if app.check_digit_computed:
                record.flags.append(f"{app_field}: 校验位缺失，已计算 / check digit missing, computed ({app.check_digit})")
            if not record.patent_type and app.patent_type:
                record.patent_type = app.patent_type
    for raw, name, is_grant in ((publication, pub_field, False), (grant, grant_field, True)):
        if not raw:
            continue
        try:
            pub = parse_publication_number(raw, country, kind if not is_grant or not publication else None)
        except PatentNumberError as exc:
            errors.append(RowError(file, row, name, str(exc)))
            continue
        if is_grant:
            record.grant_number, record.grant_number_raw = pub.canonical, raw
        else:
            record.publication_number, record.publication_number_raw = pub.canonical, raw
        record.jurisdiction = record.jurisdiction or pub.country
        if pub.kind and (not record.kind_code or is_grant):
            record.kind_code = pub.kind
        if not record.patent_type:
            record.patent_type = patent_type_from_kind(pub.country, pub.kind, pub.number)


def apply_legal_status(record: PatentRecord, text: str | None) -> None:
    """Store a legal status text as detail + normalised 有效/审中/失效."""
    if text and text.strip():
        record.legal_status_detail = text.strip()
        record.legal_status = normalize_legal_status(text)
