"""JSON Lines: one patent object per line (field names in docs/importers.md).

Field names are those of :class:`~ipoc.patents.records.PatentRecord` (its
``to_dict`` output loads back unchanged), plus these conveniences:

* ``id`` → ``external_id`` (for sources without publication numbers); ``source``
  names the source in the record key ``ext:<source>:<id>`` (default: file stem).
* ``applicant`` / ``applicants`` / ``holders``: a string (``;``-separated), a list of
  names or a list of ``{"name", "type", "country", "address"}`` objects.
* ``inventors`` / ``agents`` / ``ipc_all`` / ``cpc_all``: string or list.
* ``claims``: the full claim text (split into claims), a list of claim texts, or a
  list of ``{"number", "text", "independent", "refers_to"}`` objects.
* Numbers are validated (CN check digits!), dates accept the same forms as CSV.
* Records without any number and without ``id`` get a stable external id: the
  first 16 hex digits of SHA-1 over ``title + "\\n" + abstract + "\\n" + claims``
  (claims included because KPPatent-ZH has records sharing title and abstract
  but with different claims).
* ``title`` may be empty when there is an abstract or claims (KPPatent-ZH has three
  such records): the record is kept and flagged; with no text at all it is rejected.
* Any other key (``label``, ``label_source``, ``keyphrases``, ``derived`` …) goes to
  ``source_meta`` — stored, never part of the searchable text.

Bad JSON (or a non-object) on line N yields a row error on line N; other lines continue — so does a
line nested too deeply to parse (100,000 ``[``), a line longer than :data:`MAX_LINE_BYTES`, or an
object whose fields have the wrong shapes.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from ..claims import Claim, build_claims, split_claims
from ..ipc import normalize_ipc_list, try_normalize_ipc
from ..lifecycle import LEGAL_STATUSES, normalize_legal_status
from ..numbers import PATENT_TYPES
from ..records import Citation, LegalEvent, Party, PatentRecord, PriorityClaim, classify_applicant
from .base import ImportItem, RowError, apply_numbers, parse_date, split_multi

__all__ = ["iter_jsonl", "iter_jsonl_lines", "record_from_json", "stable_external_id"]

_DATE_FIELDS = ("application_date", "publication_date", "grant_date", "priority_date", "lapse_date",
                "last_transfer_date", "last_licence_date", "last_pledge_date")
_TEXT_FIELDS = ("title", "abstract", "description", "language", "agency", "examiner", "region_code",
                "region_name", "legal_status_detail", "jurisdiction", "kind_code")
_INT_FIELDS = ("transfer_count", "licence_count", "pledge_count", "examination_days")
_TEXT_SET = frozenset(_TEXT_FIELDS[1:])
_DATE_SET = frozenset(_DATE_FIELDS)
_INT_SET = frozenset(_INT_FIELDS)
_NUMBER_KEYS = ("application_number", "publication_number", "grant_number",
                "application_number_raw", "publication_number_raw", "grant_number_raw")
_HANDLED = frozenset({
    *_DATE_FIELDS, *_TEXT_FIELDS, *_INT_FIELDS, *_NUMBER_KEYS, "id", "external_id", "source", "applicant",
    "applicants", "holders", "inventors", "agents", "claims", "claims_translations", "title_translations",
    "ipc_main", "ipc_all", "cpc_main", "cpc_all", "legal_status", "legal_events", "priority_claims",
    "backward_citations", "forward_citations", "family_members", "patent_type", "source_format",
    "source_file", "source_row", "source_meta", "flags",
})


def stable_external_id(title: str, abstract: str, claims: str = "") -> str:
    """A stable id for a record without numbers: SHA-1 of title, abstract and claims text (16 hex digits)."""
    return hashlib.sha1(f"{title}\n{abstract}\n{claims}".encode()).hexdigest()[:16]


MAX_LINE_BYTES = 64 << 20  # one patent with full text is a few MB; a longer line is refused alone


def _lines(fh) -> Iterator[tuple[int, bytes | None]]:
    """(line number, bytes) per line; ``None`` for a line past MAX_LINE_BYTES (skipped without keeping it)."""
    line_no = 0
    while True:
        raw = fh.readline(MAX_LINE_BYTES + 1)
        if not raw:
            return
        line_no += 1
        if len(raw) > MAX_LINE_BYTES and not raw.endswith(b"\n"):
            while raw and not raw.endswith(b"\n"):
                raw = fh.readline(1 << 20)
            yield line_no, None
            continue
        yield line_no, raw


def iter_jsonl(path: str | Path, source: str | None = None) -> Iterator[ImportItem]:
    """Yield ``(line, record, errors)`` for each non-blank line of a JSONL file."""
    path = Path(path)
    with open(path, "rb") as fh:
        yield from iter_jsonl_lines(_lines(fh), path.name, source or path.stem)


def iter_jsonl_lines(lines: Iterable[tuple[int, bytes | None]], file: str, source_name: str) -> Iterator[ImportItem]:
    """``iter_jsonl`` over ``(line number, bytes)`` pairs already read — a chunk of a file split across
    task-queue workers yields exactly the records the whole file yields for those lines."""
    for line_no, raw in lines:
        if raw is None:
            yield line_no, None, [RowError(file, line_no, "json",
                                           f"该行超过 {MAX_LINE_BYTES >> 20} MB / line longer than "
                                           f"{MAX_LINE_BYTES >> 20} MB")]
            continue
        if not raw.strip():
            continue
        try:
            data = json.loads(raw)
        except json.JSONDecodeError as exc:
            yield line_no, None, [RowError(file, line_no, "json",
                                           f"JSON 解析失败 / invalid JSON: {exc.msg} (column {exc.colno})")]
            continue
        except UnicodeDecodeError as exc:
            yield line_no, None, [RowError(file, line_no, "encoding", f"不是 UTF-8 / not UTF-8: {exc.reason}")]
            continue
        except RecursionError:
            yield line_no, None, [RowError(file, line_no, "json", "JSON 嵌套层数过多 / JSON nested too deeply")]
            continue
        if not isinstance(data, dict):
            yield line_no, None, [RowError(file, line_no, "json",
                                           f"每行应为 JSON 对象 / each line must be a JSON object, got {type(data).__name__}")]
            continue
        try:
            yield record_from_json(data, file, line_no, source_name)
        except (TypeError, ValueError, AttributeError, KeyError, RecursionError, OverflowError) as exc:
            yield line_no, None, [RowError(file, line_no, "record",
                                           f"字段类型错误 / wrong field type: {type(exc).__name__}: {exc}"[:500])]


def _names(value: Any) -> list[str]:
    if isinstance(value, list) and all(type(v) is str for v in value):
        return [v.strip() for v in value if v.strip()]
    if isinstance(value, list):
        return [str(v.get("name") if isinstance(v, dict) else v).strip() for v in value if v]
    return split_multi(value)


def _parties(value: Any) -> list[Party]:
    if isinstance(value, list):
        return [Party.from_value(v) for v in value if v]
    return [Party(name=n, type=classify_applicant(n)) for n in split_multi(value)]


def _claim(c: dict[str, Any]) -> Claim:
    refs = c.get("refers_to") or []
    if refs and not all(type(r) is int for r in refs):
        refs = [int(r) for r in refs]
    independent = c.get("independent")
    number = c["number"]
    text = c["text"]
    return Claim(number if type(number) is int else int(number), text if type(text) is str else str(text or ""),
                 (not refs) if independent is None else independent is True, refs)


def _claims(value: Any) -> list[Claim]:
    if not value:
        return []
    if isinstance(value, str):
        return split_claims(value)
    if isinstance(value, list):
        if all(isinstance(c, dict) for c in value):
            return [_claim(c) for c in value]
        return build_claims([str(c) for c in value])
    raise TypeError(f"claims must be text or a list, not {type(value).__name__}")


def record_from_json(data: dict[str, Any], file: str, row: int, source: str) -> ImportItem:
    """Build a record from one JSON object (see the module docstring for field names)."""
    errors: list[RowError] = []
    rec = PatentRecord(source_format="jsonl", source_file=file, source_row=row)
    try:
        rec.title = str(data.get("title") or "").strip()
        if not rec.title:
            if data.get("abstract") or data.get("claims"):
                rec.flags.append("title: 缺少专利名称 / missing title")
            else:
                errors.append(RowError(file, row, "title", "缺少专利名称且无摘要、权利要求 / missing title, abstract and claims"))
        for name in _TEXT_SET.intersection(data):
            value = data[name]
            if value is not None:
                setattr(rec, name, value if isinstance(value, str) else str(value))
        patent_type = data.get("patent_type")
        if patent_type:
            if patent_type not in PATENT_TYPES:
                errors.append(RowError(file, row, "patent_type", f"未知的专利类型 / unknown patent type {patent_type!r}"))
            rec.patent_type = patent_type
        apply_numbers(rec, errors, file, row,
                      application=data.get("application_number_raw") or data.get("application_number"),
                      publication=data.get("publication_number_raw") or data.get("publication_number"),
                      grant=data.get("grant_number_raw") or data.get("grant_number"),
                      country=data.get("jurisdiction"), kind=data.get("kind_code"))
        for name in _DATE_SET.intersection(data):
            if data[name]:
                try:
                    setattr(rec, name, parse_date(data[name]))
                except ValueError as exc:
                    errors.append(RowError(file, row, name, str(exc)))
        for name in _INT_SET.intersection(data):
            value = data[name]
            if value is not None and value != "":
                try:
                    setattr(rec, name, int(value))
                except (TypeError, ValueError):
                    errors.append(RowError(file, row, name, f"不是整数 / not an integer: {value!r}"))
        rec.applicants = _parties(data.get("applicants", data.get("applicant")))
        if "holders" in data:
            rec.holders = _parties(data["holders"])
        rec.inventors = _names(data.get("inventors"))
        if "agents" in data:
            rec.agents = _names(data["agents"])
        try:
            rec.claims = _claims(data.get("claims"))
            if data.get("claims_translations"):
                rec.claims_translations = {k: _claims(v) for k, v in data["claims_translations"].items()}
        except (TypeError, KeyError, ValueError) as exc:
            errors.append(RowError(file, row, "claims", f"权利要求格式错误 / malformed claims: {exc}"))
        if data.get("title_translations"):
            rec.title_translations = {str(k): str(v) for k, v in data["title_translations"].items()}
        for main_name, all_name in (("ipc_main", "ipc_all"), ("cpc_main", "cpc_all")):
            if main_name not in data and all_name not in data:
                continue
            symbols, bad = normalize_ipc_list(data.get(all_name))
            if bad:
                errors.append(RowError(file, row, all_name, f"无法识别的分类号 / unreadable classification {bad}"))
            main = None
            if data.get(main_name):
                main = try_normalize_ipc(data[main_name])
                if main is None:
                    errors.append(RowError(file, row, main_name, f"无法识别的分类号 / unreadable classification {data[main_name]!r}"))
            main = main or (symbols[0] if symbols else None)
            if main and main not in symbols:
                symbols.insert(0, main)
            setattr(rec, main_name, main)
            setattr(rec, all_name, symbols)
        status = data.get("legal_status")
        if status:
            rec.legal_status = status if status in LEGAL_STATUSES else normalize_legal_status(status)
            if status not in LEGAL_STATUSES:
                rec.legal_status_detail = rec.legal_status_detail or str(status)
        if data.get("legal_events"):
            rec.legal_events = [
                LegalEvent(date=parse_date(e.get("date")), code=e.get("code"), text=str(e.get("text") or ""))
                for e in data["legal_events"]
            ]
        if data.get("priority_claims"):
            rec.priority_claims = [
                PriorityClaim(country=p.get("country"), number=str(p.get("number") or ""), date=parse_date(p.get("date")))
                for p in data["priority_claims"]
            ]
        for name in ("backward_citations", "forward_citations"):
            if data.get(name):
                setattr(rec, name, [Citation(number=c) if isinstance(c, str) else Citation(**c) for c in data[name]])
        if data.get("family_members"):
            rec.family_members = [str(f) for f in data["family_members"]]
        if data.get("flags"):
            rec.flags.extend(str(f) for f in data["flags"])
    except (TypeError, ValueError, AttributeError) as exc:
        errors.append(RowError(file, row, "record", f"字段类型错误 / wrong field type: {exc}"))
    meta = dict(data.get("source_meta") or {})
    for key in data.keys() - _HANDLED:
        meta[key] = data[key]
    meta["source"] = str(data.get("source") or meta.get("source") or source)
    rec.source_meta = meta
    external = data.get("id") or data.get("external_id")
    if external:
        rec.external_id = str(external)
    elif not (rec.publication_number or rec.grant_number or rec.application_number or errors):
        claims_text = data.get("claims") if isinstance(data.get("claims"), str) else "\n".join(c.text for c in rec.claims)
        rec.external_id = stable_external_id(rec.title, rec.abstract, claims_text)
    if errors:
        return row, None, errors
    return row, rec, []
