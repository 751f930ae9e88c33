"""Patent importers (专利数据导入): each yields ``(row, PatentRecord | None, list[RowError])`` lazily.

Use :func:`iter_records` with an explicit format or ``"auto"``; see docs/importers.md.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

from .base import ImportItem, RowError, parse_date, sample_data_dir, split_multi
from .detect import FORMATS, UnknownFormatError, detect_format
from .epo import iter_epo
from .incopat import DEFAULT_COLUMN_MAP, IncopatImporter, iter_incopat, load_column_map
from .jsonl import iter_jsonl
from .uspto import iter_uspto

__all__ = [
    "DEFAULT_COLUMN_MAP",
    "FORMATS",
    "ImportItem",
    "IncopatImporter",
    "RowError",
    "UnknownFormatError",
    "detect_format",
    "iter_epo",
    "iter_incopat",
    "iter_jsonl",
    "iter_records",
    "iter_uspto",
    "load_column_map",
    "parse_date",
    "sample_data_dir",
    "split_multi",
]


def iter_records(path: str | Path, format: str = "auto", **options: Any) -> Iterator[ImportItem]:
    """Iterate a file in ``format`` (one of :data:`FORMATS` or ``"auto"``).

    ``options`` go to the format's iterator: ``column_map``, ``column_map_file``,
    ``encoding``, ``sheet`` for incopat; ``source`` for jsonl.
    """
    fmt = detect_format(path) if format == "auto" else format
    if fmt == "incopat":
        return iter_incopat(path, **options)
    if fmt == "uspto-xml":
        return iter_uspto(path)
    if fmt == "epo-xml":
        return iter_epo(path)
    if fmt == "jsonl":
        return iter_jsonl(path, **options)
    raise UnknownFormatError(f"未知格式 / unknown format {format!r}; expected one of {FORMATS} or 'auto'")
