"""Lexical (BM25) patent index on tantivy, with pre-tokenised Chinese/English text.

Text fields hold the space-joined rjieba cut (:func:`tokenize.cut_for_index`) and are
indexed with :func:`text_analyzer` — tantivy's whitespace split plus the stop list of
:mod:`.stopwords`, both in Rust — so the indexed terms are exactly :func:`tokenize.tokenize`'s
and Python never loops over the tokens of a document.  (The analyzer is registered by
:class:`LexicalIndex` whenever it opens an index.)  Title, abstract and applicant use the
*search-mode* cut (long words plus their sub-words); claims — about 80 % of the text — use the
*precise* cut (long words only; ``claims_cut`` in ``ipoc_lexical.json``).  Phrase queries on
claims are cut the same way as the claims were indexed; a removed stop word leaves a gap of
one position, which the phrase slop (:data:`PHRASE_SLOP`) absorbs.

The index stores **no text**: the patent store is the only copy of titles, abstracts and
claims.  Snippets, "more like this" key terms and :meth:`LexicalIndex.get_source` read the
text through the index's ``source`` — a callable ``ids → {id: {"title", "abstract",
"claims"}}`` (the app reads the database; :class:`MemorySource` keeps texts in a dict for
tests and tools).  Without a source, snippets are empty and ``get_source`` returns None.

Indexing path: every document becomes one JSON string (:func:`index_json`: cut text fields
and filter fields) that is handed to tantivy's ``add_json``.  The JSON is built by the same
function in the serial path (:meth:`LexicalIndex.add`) and in worker processes
(:class:`IndexPool`, :meth:`LexicalIndex.bulk_add`), so both give the same index; with
workers the main process only ships strings to tantivy.

Scoring: the free text of a query is cut into words (:func:`tokenize.query_groups`); each word
stands for the overlapping search-mode tokens the index holds for it (高性能 → 高性, 性能, 高性能),
scored as one term — a ``disjunction_max`` over those tokens (tie-breaker :data:`GROUP_TIE`), each a
``disjunction_max`` over boosted per-field term queries (title 3, applicant 2, abstract 1.5, claims
1; tie-breaker 0.3) — and weighted by the word's idf in the index (:meth:`LexicalIndex.group_weight`:
a word found in many patents weighs less; scores are BM25 per field, so this is tf·idf² overall).
Word scores are summed; the top :data:`COORD_DEPTH` hits are then re-ranked by coordination
(score × matched share of the query's word weight, :data:`COORD_POWER`).  A caller may pass its
own groups and weights (matching does: :meth:`LexicalIndex.search_groups`).  Quoted text → phrase
query (slop :data:`PHRASE_SLOP`) that must match in one of title/abstract/claims.  Filters are
non-scoring ``Must`` clauses.

Filters (``Filters`` dataclass or a dict with the same keys):
``patent_type``, ``legal_status``, ``applicant_type``, ``jurisdiction`` (exact, or a list = any-of),
``ipc`` (prefix at any IPC level: 'H', 'H04', 'H04N', 'H04N5', 'H04N5/232'; list = any-of),
``region`` (administrative-code prefix: '11' Beijing, '3201' Nanjing …), ``applicant`` (exact name),
``application_date`` / ``publication_date`` / ``grant_date`` as ``(from, to)`` date/ISO-string pairs
(either end may be None; inclusive).
"""

from __future__ import annotations

import datetime as _dt
import html
import json
import os
import re
import unicodedata
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import orjson
import tantivy

from .stopwords import STOPWORDS
from .tokenize import QUOTED, cut_for_index, normalize, query_groups, tokenize

FIELD_BOOSTS: dict[str, float] = {"title": 3.0, "abstract": 1.5, "claims": 1.0, "applicant": 2.0}
TIE_BREAKER = 0.3
# A query word and the overlapping sub-words the search-mode cut indexes with it (高性能 → 高性, 性能,
# 高性能) are scored as ONE term: the best-scoring of them plus GROUP_TIE × the others, not their sum.
GROUP_TIE = 0.3
# Coordination (Lucene's classic coord factor): the top COORD_DEPTH lexical hits are re-ranked by
# score × (share of the query's weight they match) ** COORD_POWER, so a patent holding every keyword of a
# short query is not outranked by one repeating a single keyword in its title.
COORD_POWER = 1.0
COORD_DEPTH = 200
PHRASE_SLOP = 1
PHRASE_FIELDS = ("title", "abstract", "claims")
SCHEMA_VERSION = 2  # 2: no stored text, stop list applied by the index analyzer
TEXT_TOKENIZER = "ipoc_words"
SOURCE_FIELDS = ("title", "abstract", "claims")
CLAIMS_CUT_DEFAULT = "precise"  # new indexes; an index without the key was built in "search" mode
DELETE_BATCH = 5000  # ids per delete query when upserting

KEYWORD_FIELDS = ("patent_type", "legal_status", "applicant_type", "jurisdiction")
DATE_FIELDS = ("application_date", "publication_date", "grant_date")


# --------------------------------------------------------------------------- documents
@dataclass
class PatentDoc:
    """What the lexical index needs from a patent.  ``id`` is the caller's integer key (u64)."""

    id: int
    title: str = ""
    abstract: str = ""
    claims: str = ""
    applicants: list[str] = field(default_factory=list)
    ipc: list[str] = field(default_factory=list)
    patent_type: str = ""
    legal_status: str = ""
    applicant_type: str = ""
    region: str = ""
    jurisdiction: str = ""
    application_date: _dt.date | None = None
    publication_date: _dt.date | None = None
    grant_date: _dt.date | None = None

    @classmethod
    def from_mapping(cls, m: Mapping[str, Any]) -> PatentDoc:
        """Lenient constructor from a dict (derived-corpus JSONL, ORM values() …)."""
        claims = m.get("claims") or ""
        if isinstance(claims, (list, tuple)):  # list of str or of {"number", "text", …}
            claims = "\n".join(str(c.get("text", "")) if isinstance(c, dict) else str(c) for c in claims)
        apps = m.get("applicants", m.get("applicant")) or []
        if isinstance(apps, str):
            apps = [a for a in re.split(r"[;；|]", apps) if a.strip()]
        app_type = m.get("applicant_type") or ""
        names = []
        for a in apps:
            if isinstance(a, dict):
                names.append(str(a.get("name") or "").strip())
                app_type = app_type or str(a.get("type") or "")
            else:
                names.append(str(a).strip())
        ipc = m.get("ipc", m.get("ipc_codes", m.get("ipc_all"))) or []
        if isinstance(ipc, str):
            ipc = [c for c in re.split(r"[;；|,，]", ipc) if c.strip()]
        return cls(
            id=int(m["id"]),
            title=m.get("title") or "",
            abstract=m.get("abstract") or "",
            claims=claims,
            applicants=[a for a in names if a],
            ipc=[str(c) for c in ipc],
            patent_type=str(m.get("patent_type") or ""),
            legal_status=str(m.get("legal_status") or ""),
            applicant_type=str(app_type),
            region=str(m.get("region", m.get("region_code")) or ""),
            jurisdiction=str(m.get("jurisdiction") or ""),
            application_date=_to_date(m.get("application_date")),
            publication_date=_to_date(m.get("publication_date")),
            grant_date=_to_date(m.get("grant_date")),
        )


def _to_date(v: Any) -> _dt.date | None:
    if v is None or v == "":
        return None
    if isinstance(v, _dt.datetime):
        return v.date()
    if isinstance(v, _dt.date):
        return v
    s = str(v).strip()
    if len(s) == 10 and s[4] == "-" and s[7] == "-":  # ISO day, the common case: no regex
        try:
            return _dt.date(int(s[:4]), int(s[5:7]), int(s[8:]))
        except ValueError:
            pass
    s = s.replace("/", "-").replace(".", "-")
    if re.fullmatch(r"\d{8}", s):
        s = f"{s[:4]}-{s[4:6]}-{s[6:]}"
    try:
        return _dt.date.fromisoformat(s[:10])
    except ValueError:
        return None


def _dt_of(d: _dt.date) -> _dt.datetime:
    return _dt.datetime(d.year, d.month, d.day, tzinfo=_dt.UTC)


_IPC_RE = re.compile(r"\s+")


_IPC_CLEAN = re.compile(r"[A-H]\d\d[A-Z](?:\d{1,4}/\d{1,6})?")


def normalize_ipc(code: str) -> str:
    """'H04N 5/232' / 'ｈ04ｎ5/232(2006.01)' → 'H04N5/232'."""
    if code and _IPC_CLEAN.fullmatch(code):  # already clean (most stored codes)
        return code
    c = unicodedata.normalize("NFKC", code or "").upper()
    c = re.sub(r"\(.*?\)", "", c)
    return _IPC_RE.sub("", c)


def ipc_prefixes(code: str) -> list[str]:
    """All filterable prefixes of a normalised IPC code: section, class, subclass, main group, full."""
    c = normalize_ipc(code)
    if not c:
        return []
    out = [c[:1]]
    if len(c) >= 3:
        out.append(c[:3])
    if len(c) >= 4:
        out.append(c[:4])
    if "/" in c:
        out.append(c.split("/", 1)[0])
    out.append(c)
    return list(dict.fromkeys(out))


def region_prefixes(code: str) -> list[str]:
    c = re.sub(r"\D", "", code or "")
    if not c:
        return []
    c = c[:6].ljust(6, "0") if len(c) >= 2 else c
    # province '11', prefecture '1101', county '110105' (and the trailing-zero forms)
    return list(dict.fromkeys([c[:2], c[:4], c]))


def _region_filter_prefix(code: str) -> str:
    """Filter value → indexed prefix: '11' / '110000' → '11' (province), '3201' / '320100' →
    '3201' (prefecture), '320106' → county."""
    c = re.sub(r"\D", "", code or "")[:6]
    if len(c) == 6:
        c = c[:2] if c[2:] == "0000" else (c[:4] if c[4:] == "00" else c)
    return c


def _iso_day(d: _dt.date) -> str:
    return f"{d.year:04d}-{d.month:02d}-{d.day:02d}T00:00:00Z"


def index_fields(d: PatentDoc, *, claims_cut: str = CLAIMS_CUT_DEFAULT) -> dict[str, Any]:
    """Everything the index holds for ``d``, as the JSON object tantivy's ``add_json`` takes:
    the cut text fields (stop words still in: the index analyzer drops them) and the
    filter/facet fields.  The expensive, parallelisable step of indexing."""
    o: dict[str, Any] = {"id": int(d.id)}
    if d.title:
        o["title"] = cut_for_index(d.title)
    if d.abstract:
        o["abstract"] = cut_for_index(d.abstract)
    if d.claims:
        o["claims"] = cut_for_index(d.claims, search_mode=claims_cut == "search")
    if d.applicants:
        o["applicant"] = cut_for_index(" ".join(d.applicants))
    for f in KEYWORD_FIELDS:
        v = getattr(d, f)
        if v:
            o[f] = v
    apps = [a for a in dict.fromkeys(d.applicants) if a]
    if apps:
        o["applicant_kw"] = apps
    pres: list[str] = []
    subs: list[str] = []
    for c in d.ipc:
        p = ipc_prefixes(c)
        pres.extend(p)
        if len(p) >= 3 and len(p[2]) == 4:
            subs.append(p[2])
    if pres:
        o["ipc_pre"] = " ".join(dict.fromkeys(pres))
    if subs:
        o["ipc_sub"] = list(dict.fromkeys(subs))
    rp = region_prefixes(d.region)
    if rp:
        o["region_pre"] = " ".join(rp)
    for f in DATE_FIELDS:
        v = getattr(d, f)
        if v:
            o[f] = _iso_day(v)
    y = d.application_date or d.publication_date
    if y:
        o["year"] = y.year
    return o


def index_json(d: PatentDoc | Mapping[str, Any], *, claims_cut: str = CLAIMS_CUT_DEFAULT) -> tuple[int, str]:
    """``(id, JSON document)`` for tantivy's ``add_json`` (see :func:`index_fields`)."""
    if not isinstance(d, PatentDoc):
        d = PatentDoc.from_mapping(d)
    return int(d.id), orjson.dumps(index_fields(d, claims_cut=claims_cut)).decode()


# worker-process side of IndexPool (top-level functions: they are pickled by reference)
_WORKER_CLAIMS_CUT = CLAIMS_CUT_DEFAULT


_WORKER_SETUP_ERROR: str | None = None


def _init_worker(claims_cut: str, setup: Callable[..., None] | None = None, setup_args: tuple = ()) -> None:
    global _WORKER_CLAIMS_CUT, _WORKER_SETUP_ERROR
    _WORKER_CLAIMS_CUT = claims_cut
    if setup is not None:
        try:
            setup(*setup_args)
        except Exception as exc:
            import traceback

            _WORKER_SETUP_ERROR = f"{type(exc).__name__}: {exc}\n{traceback.format_exc()}"


def _call_in_worker(fn: Callable[[Any], Any], task: Any) -> Any:
    if _WORKER_SETUP_ERROR is not None:
        raise RuntimeError(f"index worker setup failed: {_WORKER_SETUP_ERROR}")
    return fn(task)


def worker_claims_cut() -> str:
    """In an :class:`IndexPool` worker: the claims cut of the index it makes documents for."""
    return _WORKER_CLAIMS_CUT


def _json_of_mapping(m: PatentDoc | Mapping[str, Any]) -> tuple[int, str]:
    return index_json(m, claims_cut=_WORKER_CLAIMS_CUT)


def _json_of_line(item: tuple[int, str], claims_cut: str | None = None) -> tuple[int, str] | None:
    """Parse + tokenise a JSONL line (in a worker); a record without ``id`` gets its line number."""
    i, line = item
    if not line.strip():
        return None
    m = orjson.loads(line)
    m.setdefault("id", i)
    return index_json(m, claims_cut=claims_cut or _WORKER_CLAIMS_CUT)


def _json_of_span(span: tuple[str, int, int, int]) -> list[tuple[int, str]]:
    """Index documents of ``count`` lines of a JSONL file read *in the worker*, from byte
    ``offset`` on, numbered from ``first``: only this small tuple crosses the process boundary."""
    path, offset, first, count = span
    out = []
    with open(path, "rb") as fh:
        fh.seek(offset)
        for k in range(count):
            line = fh.readline()
            if not line:
                break
            if (item := _json_of_line((first + k, line))) is not None:
                out.append(item)
    return out


def _jsonl_spans(path: str, lines_per_span: int, limit: int | None) -> Iterator[tuple[str, int, int, int]]:
    """``(path, byte offset, first line number, line count)`` per ``lines_per_span`` lines."""
    import itertools

    with open(path, "rb") as fh:
        offset = first = 0
        while limit is None or first < limit:
            want = lines_per_span if limit is None else min(lines_per_span, limit - first)
            size = sum(len(line) for line in itertools.islice(fh, want))
            if size == 0:
                return
            yield path, offset, first, want
            offset += size
            first += want


class IndexPool:
    """Worker processes turning patent records into final index JSON strings, so the process
    that owns the tantivy writer only hands strings to tantivy.

    ``context``: ``"fork"`` is cheapest (workers inherit the loaded dictionary) but must
    only be used from a single-threaded process; ``"forkserver"`` (the default) starts
    workers from a clean server process, safe inside a web server or job runner.
    Use as a context manager; create it *before* the index writer is opened.
    """

    def __init__(self, workers: int = 2, *, claims_cut: str = CLAIMS_CUT_DEFAULT, context: str = "forkserver",
                 setup: Callable[..., None] | None = None, setup_args: tuple = ()):
        import multiprocessing as mp

        if context not in mp.get_all_start_methods():
            context = "spawn"
        self.workers = max(1, int(workers))
        self.claims_cut = claims_cut
        self._pool = mp.get_context(context).Pool(
            self.workers, initializer=_init_worker, initargs=(claims_cut, setup, setup_args)
        )

    def imap(self, records: Iterable[PatentDoc | Mapping[str, Any]], chunksize: int = 64) -> Iterator[tuple[int, str]]:
        return self._pool.imap(_json_of_mapping, records, chunksize=chunksize)

    def imap_lines(self, items: Iterable[tuple[int, str]], chunksize: int = 64) -> Iterator[tuple[int, str] | None]:
        return self._pool.imap(_json_of_line, items, chunksize=chunksize)

    def imap_jsonl(self, path: str, *, lines_per_span: int = 256, limit: int | None = None) -> Iterator[tuple[int, str]]:
        """Documents of a JSONL file; each worker reads its own spans of the file."""
        for chunk in self._pool.imap(_json_of_span, _jsonl_spans(str(path), lines_per_span, limit)):
            yield from chunk

    def submit(self, fn: Callable[[Any], Any], task: Any):
        """Run ``fn(task)`` in a worker; ``.get()`` on the result waits for its value. ``fn`` must
        be a top-level function (pickled by reference). With ``setup`` (run once per worker as it
        starts), a task can be as small as a list of ids the worker reads its records for."""
        return self._pool.apply_async(_call_in_worker, (fn, task))

    def map_async(self, records: Sequence[PatentDoc | Mapping[str, Any]], chunksize: int = 64):
        """Submit a batch; ``.get()`` returns its ``[(id, json), …]`` in order."""
        return self._pool.map_async(_json_of_mapping, records, chunksize=chunksize)

    def close(self) -> None:
        self._pool.close()
        self._pool.join()

    def terminate(self) -> None:
        self._pool.terminate()
        self._pool.join()

    def __enter__(self) -> IndexPool:
        return self

    def __exit__(self, exc_type, *_) -> None:
        if exc_type is None:
            self.close()
        else:
            self.terminate()


# --------------------------------------------------------------------------- filters
@dataclass
class Filters:
    patent_type: str | list[str] | None = None
    legal_status: str | list[str] | None = None
    applicant_type: str | list[str] | None = None
    jurisdiction: str | list[str] | None = None
    ipc: str | list[str] | None = None
    region: str | list[str] | None = None
    applicant: str | list[str] | None = None
    application_date: tuple[Any, Any] | None = None
    publication_date: tuple[Any, Any] | None = None
    grant_date: tuple[Any, Any] | None = None

    @classmethod
    def coerce(cls, f: Filters | Mapping[str, Any] | None) -> Filters:
        if f is None:
            return cls()
        if isinstance(f, Filters):
            return f
        unknown = set(f) - set(cls.__dataclass_fields__)
        if unknown:
            raise ValueError(f"unknown filter(s): {sorted(unknown)}")
        return cls(**dict(f))

    def is_empty(self) -> bool:
        return all(getattr(self, k) in (None, "", [], ()) for k in self.__dataclass_fields__)


def _as_list(v: Any) -> list[str]:
    if v is None or v == "":
        return []
    if isinstance(v, (list, tuple, set, frozenset)):
        return [str(x) for x in v if x not in (None, "")]
    return [str(v)]


# --------------------------------------------------------------------------- results
@dataclass
class Hit:
    id: int
    score: float
    snippets: dict[str, str] = field(default_factory=dict)


@dataclass
class SearchResults:
    hits: list[Hit]
    total: int
    facets: dict[str, list[tuple[str, int]]] = field(default_factory=dict)


@dataclass
class QueryGroup:
    """One word of a query with the index tokens it stands for; ``weight`` None = the word's idf."""

    word: str
    tokens: list[str]
    weight: float | None = None


@dataclass
class GroupHits:
    """Ranked ids and scores of :meth:`LexicalIndex.search_groups`, with what each id matched:
    ``matched[id]`` / ``in_title[id]`` = indexes of the groups found in its text fields / its title."""

    ids: list[int]
    scores: list[float]
    groups: list[QueryGroup]
    matched: dict[int, list[int]] = field(default_factory=dict)
    in_title: dict[int, list[int]] = field(default_factory=dict)


# --------------------------------------------------------------------------- source
Source = Callable[[Sequence[int]], Mapping[int, Mapping[str, str]]]
"""``ids → {id: {"title": …, "abstract": …, "claims": …}}`` for the ids that exist (claims as
one text).  The index keeps no text of its own: snippets and key terms come from here."""


class MemorySource:
    """A :data:`Source` over texts held in a dict (tests, tools, benchmarks over a file)."""

    def __init__(self, docs: Iterable[PatentDoc | Mapping[str, Any]] = ()) -> None:
        self.texts: dict[int, dict[str, str]] = {}
        self.put(docs)

    def put(self, docs: Iterable[PatentDoc | Mapping[str, Any]]) -> None:
        for d in docs:
            if not isinstance(d, PatentDoc):
                d = PatentDoc.from_mapping(d)
            self.texts[int(d.id)] = {"title": d.title, "abstract": d.abstract, "claims": d.claims}

    def remove(self, ids: Iterable[int]) -> None:
        for i in ids:
            self.texts.pop(int(i), None)

    def __call__(self, ids: Sequence[int]) -> dict[int, dict[str, str]]:
        return {int(i): self.texts[int(i)] for i in ids if int(i) in self.texts}


# --------------------------------------------------------------------------- index
def text_analyzer() -> tantivy.TextAnalyzer:
    """The analyzer of the text fields: split on whitespace, drop the stop list."""
    return (
        tantivy.TextAnalyzerBuilder(tantivy.Tokenizer.whitespace())
        .filter(tantivy.Filter.custom_stopword(sorted(STOPWORDS)))
        .build()
    )


def build_schema() -> tantivy.Schema:
    sb = tantivy.SchemaBuilder()
    sb.add_unsigned_field("id", stored=True, indexed=True, fast=True)
    for f in FIELD_BOOSTS:
        sb.add_text_field(f, stored=False, tokenizer_name=TEXT_TOKENIZER, index_option="position")
    for f in KEYWORD_FIELDS:
        sb.add_text_field(f, stored=False, fast=True, tokenizer_name="raw", index_option="basic")
    sb.add_text_field("applicant_kw", stored=False, fast=True, tokenizer_name="raw", index_option="basic")
    sb.add_text_field("ipc_sub", stored=False, fast=True, tokenizer_name="raw", index_option="basic")
    sb.add_text_field("ipc_pre", stored=False, tokenizer_name="whitespace", index_option="basic")
    sb.add_text_field("region_pre", stored=False, tokenizer_name="whitespace", index_option="basic")
    for f in DATE_FIELDS:
        sb.add_date_field(f, stored=False, indexed=True, fast=True)
    sb.add_integer_field("year", stored=False, indexed=True, fast=True)
    return sb.build()


class SchemaVersionError(RuntimeError):
    """The directory holds an index written by another schema version (rebuild it)."""


class LexicalIndex:
    """A tantivy BM25 index living in ``directory`` (created if absent).

    Thread-safety: searches are safe from many threads; writes (add/delete/commit) must be
    serialised by the caller (one writer per index directory across processes).
    """

    def __init__(
        self,
        directory: str | os.PathLike,
        *,
        heap_bytes: int = 256_000_000,
        num_threads: int = 2,
        source: Source | None = None,
    ):
        self.dir = Path(directory)
        self.dir.mkdir(parents=True, exist_ok=True)
        self.schema = build_schema()
        self.source = source
        self._meta_path = self.dir / "ipoc_lexical.json"
        meta = json.loads(self._meta_path.read_text()) if self._meta_path.exists() else {}
        if meta and meta.get("schema_version") != SCHEMA_VERSION:
            raise SchemaVersionError(
                f"{self.dir} holds a search index of schema version {meta.get('schema_version')} "
                f"(this version reads {SCHEMA_VERSION}); rebuild it: ipoc index rebuild"
            )
        try:
            self.index = tantivy.Index(self.schema, path=str(self.dir), reuse=True)
        except ValueError as exc:  # files of another schema and no (or a lost) meta file
            raise SchemaVersionError(f"{self.dir} holds a search index this version cannot read ({exc}); "
                                     "rebuild it: ipoc index rebuild") from exc
        self.index.register_tokenizer(TEXT_TOKENIZER, text_analyzer())
        self.claims_cut: str = meta.get("claims_cut", CLAIMS_CUT_DEFAULT)  # how the claims field is cut
        self._write_meta()
        self.heap_bytes = heap_bytes
        self.num_threads = num_threads
        self._writer: tantivy.IndexWriter | None = None
        self._cleared = False

    def _write_meta(self) -> None:
        self._meta_path.write_text(json.dumps({"schema_version": SCHEMA_VERSION, "claims_cut": self.claims_cut}))

    # ---- writing
    @property
    def writer(self) -> tantivy.IndexWriter:
        if self._writer is None:
            self._writer = self.index.writer(heap_size=self.heap_bytes, num_threads=self.num_threads)
        return self._writer

    def add_json(self, items: Iterable[tuple[int, str]], *, replace: bool = True) -> int:
        """Add ``(id, JSON)`` documents from :func:`index_json`.  With ``replace``, earlier
        versions of the same ids are deleted — one delete query per :data:`DELETE_BATCH` ids,
        issued before that batch is added (within a batch the last version of an id wins)."""
        w = self.writer
        if not replace:
            n = 0
            for item in items:
                if item is not None:
                    w.add_json(item[1])
                    n += 1
            return n
        n = 0
        batch: dict[int, str] = {}

        def flush() -> None:
            w.delete_documents_by_query(tantivy.Query.term_set_query(self.schema, "id", list(batch)))
            for s in batch.values():
                w.add_json(s)

        for item in items:
            if item is None:
                continue
            i, s = item
            batch.pop(i, None)  # keep insertion order = last version
            batch[i] = s
            n += 1
            if len(batch) >= DELETE_BATCH:
                flush()
                batch = {}
        if batch:
            flush()
        return n

    def add(self, docs: Iterable[PatentDoc | Mapping[str, Any]], *, replace: bool = True) -> int:
        """Add (or, with ``replace``, upsert) documents in this process; call :meth:`commit` to
        make them visible."""
        return self.add_json((index_json(d, claims_cut=self.claims_cut) for d in docs), replace=replace)

    def pool(self, workers: int = 2, *, context: str = "forkserver", setup: Callable[..., None] | None = None,
             setup_args: tuple = ()) -> IndexPool:
        """Worker processes making documents for this index (same claims cut); ``setup(*setup_args)``
        runs once in each worker as it starts."""
        return IndexPool(workers, claims_cut=self.claims_cut, context=context, setup=setup, setup_args=setup_args)

    def bulk_add(
        self,
        records: Iterable[PatentDoc | Mapping[str, Any]],
        *,
        workers: int = 2,
        chunksize: int = 64,
        replace: bool = False,
        pool: IndexPool | None = None,
        context: str = "forkserver",
    ) -> int:
        """Tokenise and build documents in ``workers`` processes (or the given ``pool``), add
        them here.  Same index contents as :meth:`add`."""
        if pool is None and workers <= 1:
            return self.add(records, replace=replace)
        if pool is not None:
            return self.add_json(pool.imap(records, chunksize), replace=replace)
        with self.pool(workers, context=context) as p:
            return self.add_json(p.imap(records, chunksize), replace=replace)

    def bulk_add_jsonl(
        self,
        path: str | os.PathLike,
        *,
        limit: int | None = None,
        workers: int = 2,
        chunksize: int = 256,
        replace: bool = False,
        context: str = "fork",
    ) -> int:
        """Fast load from a JSONL file: each worker reads spans of ``chunksize`` lines from the file
        itself, parses and tokenises them (the main process only scans line lengths and hands the
        documents to tantivy); records without ``id`` get their 0-based line number.
        ``context="fork"`` suits a single-threaded loader (CLI, benchmark)."""
        import itertools

        def lines():
            with open(path, encoding="utf-8") as fh:
                yield from enumerate(itertools.islice(fh, limit))

        if workers <= 1:
            cut = self.claims_cut
            return self.add_json((_json_of_line(x, claims_cut=cut) for x in lines()), replace=replace)
        with self.pool(workers, context=context) as p:  # workers forked before the writer exists
            return self.add_json(p.imap_jsonl(str(path), lines_per_span=chunksize, limit=limit), replace=replace)

    def delete(self, ids: Iterable[int]) -> None:
        w = self.writer
        for i in ids:
            # NB: delete_documents_by_term is a no-op for u64 fields in tantivy-py 0.27; use a query
            w.delete_documents_by_query(self._id_query(int(i)))

    def delete_all(self) -> None:
        """Remove every document; from the next commit on the index is re-made with the
        default claims cut (a rebuild thereby migrates an older index)."""
        self.writer.delete_all_documents()
        self._cleared = True
        self.claims_cut = CLAIMS_CUT_DEFAULT

    def commit(self, *, wait_merges: bool = False) -> None:
        w = self.writer
        w.commit()
        if self._cleared:
            self._write_meta()
            self._cleared = False
        if wait_merges:
            w.wait_merging_threads()
            self._writer = None
        self.index.reload()

    def close(self) -> None:
        if self._writer is not None:
            self._writer.wait_merging_threads()
            self._writer = None

    # ---- reading
    @property
    def num_docs(self) -> int:
        return self.index.searcher().num_docs

    def _id_query(self, i: int) -> tantivy.Query:
        return tantivy.Query.term_query(self.schema, "id", int(i))

    def _any_of(self, fld: str, values: Sequence[str]) -> tantivy.Query:
        if len(values) == 1:
            return tantivy.Query.term_query(self.schema, fld, values[0])
        return tantivy.Query.term_set_query(self.schema, fld, list(values))

    def filter_query(self, filters: Filters | Mapping[str, Any] | None) -> tantivy.Query | None:
        f = Filters.coerce(filters)
        qs: list[tantivy.Query] = []
        for k in KEYWORD_FIELDS:
            v = _as_list(getattr(f, k))
            if v:
                qs.append(self._any_of(k, v))
        if v := _as_list(f.applicant):
            qs.append(self._any_of("applicant_kw", v))
        if v := [normalize_ipc(x) for x in _as_list(f.ipc)]:
            qs.append(self._any_of("ipc_pre", v))
        if v := [_region_filter_prefix(x) for x in _as_list(f.region)]:
            qs.append(self._any_of("region_pre", [x for x in v if x] or ["-"]))
        for k in DATE_FIELDS:
            rng = getattr(f, k)
            if rng:
                lo, hi = (
                    (_to_date(rng[0]), _to_date(rng[1]))
                    if isinstance(rng, (tuple, list))
                    else (_to_date(rng), None)
                )
                if lo or hi:
                    qs.append(
                        tantivy.Query.range_query(
                            self.schema,
                            k,
                            tantivy.FieldType.Date,
                            lower_bound=_dt_of(lo) if lo else None,
                            upper_bound=_dt_of(hi) if hi else None,
                        )
                    )
        if not qs:
            return None
        return tantivy.Query.boolean_query([(tantivy.Occur.Must, q) for q in qs])

    def _term_query(self, token: str, boosts: Mapping[str, float]) -> tantivy.Query:
        per_field = [
            tantivy.Query.boost_query(tantivy.Query.term_query(self.schema, f, token), b)
            for f, b in boosts.items()
            if b > 0
        ]
        return per_field[0] if len(per_field) == 1 else tantivy.Query.disjunction_max_query(
            per_field, tie_breaker=TIE_BREAKER)

    def _group_query(self, tokens: Sequence[str], boosts: Mapping[str, float]) -> tantivy.Query:
        qs = [self._term_query(t, boosts) for t in tokens]
        return qs[0] if len(qs) == 1 else tantivy.Query.disjunction_max_query(qs, tie_breaker=GROUP_TIE)

    def doc_freq(self, token: str, searcher: tantivy.Searcher | None = None) -> int:
        """Patents holding ``token`` in their title, abstract or claims (the largest of the three counts)."""
        s = searcher or self.index.searcher()
        return max(s.doc_freq(f, token) for f in PHRASE_FIELDS)

    def group_weight(self, word: str, tokens: Sequence[str], searcher: tantivy.Searcher | None = None) -> float:
        """A word's weight in a query: its idf in this index over the largest possible idf, in (0, 1].
        A word that never occurs as a whole (matched only through its sub-words) takes the idf of its
        rarest sub-word that does occur."""
        s = searcher or self.index.searcher()
        n = max(s.num_docs, 1)
        df = self.doc_freq(word, s)
        if df == 0:
            dfs = [d for d in (self.doc_freq(t, s) for t in tokens) if d > 0]
            df = min(dfs) if dfs else 0
        return float(np.log1p((n - df + 0.5) / (df + 0.5)) / np.log1p((n + 0.5) / 0.5))

    def query_groups(self, text: str) -> list[QueryGroup]:
        """The free text of a query as weighted word groups (see the module docstring)."""
        s = self.index.searcher()
        return [QueryGroup(w, toks, self.group_weight(w, toks, s)) for w, toks in query_groups(text)]

    def groups_query(self, groups: Sequence[QueryGroup], *, boosts: Mapping[str, float] | None = None,
                     ) -> tantivy.Query | None:
        """The scoring query of weighted word groups: their weighted sum (any group may match)."""
        boosts = dict(boosts or FIELD_BOOSTS)
        clauses = []
        for g in groups:
            w = 1.0 if g.weight is None else float(g.weight)
            if w <= 0 or not g.tokens:
                continue
            q = self._group_query(g.tokens, boosts)
            clauses.append((tantivy.Occur.Should, q if w == 1.0 else tantivy.Query.boost_query(q, w)))
        return tantivy.Query.boolean_query(clauses) if clauses else None

    @staticmethod
    def _split(query: str) -> tuple[str, list[str]]:
        texts: list[str] = []

        def _grab(m: re.Match) -> str:
            if m.group(1).strip():
                texts.append(m.group(1))
            return " "

        return QUOTED.sub(_grab, normalize(query)), texts

    def text_query(
        self, query: str, *, boosts: Mapping[str, float] | None = None, terms: list[str] | None = None,
        groups: Sequence[QueryGroup] | None = None,
    ) -> tuple[tantivy.Query | None, list[str], list[list[str]]]:
        """Build the scoring query.  Returns ``(query or None, terms, phrases)``.

        ``terms`` (index tokens, e.g. a patent's key terms for "more like this") are each scored as
        their own group of weight 1; otherwise the free text of ``query`` becomes weighted word
        groups (:meth:`query_groups`), unless ``groups`` are given."""
        boosts = dict(boosts or FIELD_BOOSTS)
        phrase_texts: list[str] = []
        if terms is not None:
            groups = [QueryGroup(t, [t], 1.0) for t in dict.fromkeys(terms)]
        elif groups is None:
            rest, phrase_texts = self._split(query)
            groups = self.query_groups(rest)
        else:
            _rest, phrase_texts = self._split(query)
        terms = list(dict.fromkeys(t for g in groups for t in g.tokens))
        phrases = [p for p in (tokenize(t) for t in phrase_texts) if p]
        claims_search = self.claims_cut == "search"
        clauses: list[tuple[tantivy.Occur, tantivy.Query]] = []
        free = self.groups_query(groups, boosts=boosts)
        if free is not None:
            clauses.append((tantivy.Occur.Should, free))
        for text in phrase_texts:
            ph_search = tokenize(text)
            if not ph_search:
                continue
            # claims cut in precise mode → the phrase is cut the same way for that field
            ph_claims = ph_search if claims_search else (tokenize(text, search_mode=False) or ph_search)
            alts = []
            for f in PHRASE_FIELDS:
                b = boosts.get(f, 1.0)
                ph = ph_claims if f == "claims" else ph_search
                q = (
                    tantivy.Query.term_query(self.schema, f, ph[0])
                    if len(ph) == 1
                    else tantivy.Query.phrase_query(self.schema, f, ph, slop=PHRASE_SLOP)
                )
                alts.append(tantivy.Query.boost_query(q, b))
            clauses.append(
                (tantivy.Occur.Must, tantivy.Query.disjunction_max_query(alts, tie_breaker=TIE_BREAKER))
            )
        if not clauses:
            return None, terms, phrases
        return tantivy.Query.boolean_query(clauses), terms, phrases

    def group_members(self, groups: Sequence[QueryGroup], ids: Sequence[int], *,
                      fields: Sequence[str] | None = None,
                      searcher: tantivy.Searcher | None = None) -> list[set[int]]:
        """For each group, the ids among ``ids`` holding one of its tokens in ``fields`` (default: the
        fields the query scores). One small search per group, restricted to ``ids``."""
        ids = [int(i) for i in ids]
        if not ids:
            return [set() for _ in groups]
        s = searcher or self.index.searcher()
        boosts = {f: 1.0 for f in (fields or [f for f, b in FIELD_BOOSTS.items() if b > 0])}
        idq = tantivy.Query.term_set_query(self.schema, "id", ids)
        out = []
        for g in groups:
            if not g.tokens:
                out.append(set())
                continue
            q = tantivy.Query.boolean_query([(tantivy.Occur.Must, self._group_query(g.tokens, boosts)),
                                             (tantivy.Occur.Must, idq)])
            res = s.search(tantivy.Query.const_score_query(q, 1.0), limit=len(ids), count=False)
            out.append({int(i) for i in s.fast_field_values("id", [a for _, a in res.hits])} if res.hits else set())
        return out

    def _coordinate(self, groups: Sequence[QueryGroup], ids: list[int], scores: list[float],
                    searcher: tantivy.Searcher, power: float = COORD_POWER) -> tuple[list[int], list[float]]:
        """Re-rank by score × matched share of the groups' weight ** ``power`` (ties: input order)."""
        weights = [1.0 if g.weight is None else max(float(g.weight), 0.0) for g in groups]
        total = sum(weights)
        if len(groups) < 2 or total <= 0 or not ids or power == 0:
            return ids, scores
        members = self.group_members(groups, ids, searcher=searcher)
        rescored = []
        for r, (i, sc) in enumerate(zip(ids, scores, strict=True)):
            share = sum(w for w, m in zip(weights, members, strict=True) if i in m) / total
            rescored.append((-(sc * share ** power), r, i))
        rescored.sort()
        return [i for _s, _r, i in rescored], [-s for s, _r, _i in rescored]

    def _ranked(self, query: str, filters, limit: int, offset: int = 0, *,
                boosts: Mapping[str, float] | None = None, terms: list[str] | None = None,
                groups: Sequence[QueryGroup] | None = None, count: bool = False, coord: float | None = None,
                ) -> tuple[list[int], list[float], int, tantivy.Query, list[str], list[list[str]], list[QueryGroup]]:
        """Ranked ids and scores of ``offset … offset+limit``, coordinated with power ``coord``
        (default :data:`COORD_POWER`; 0 = BM25 order)."""
        power = COORD_POWER if coord is None else float(coord)
        if terms is None and groups is None:
            rest, _texts = self._split(query)
            groups = self.query_groups(rest)
        text_q, terms_out, phrases = self.text_query(query, boosts=boosts, terms=terms, groups=groups)
        q = self._combined(text_q, self.filter_query(filters))
        searcher = self.index.searcher()
        coordinate = (power > 0 and terms is None and text_q is not None and groups is not None
                      and len(groups) > 1)
        depth = max(limit + offset, COORD_DEPTH) if coordinate else limit + offset
        res = searcher.search(q, limit=depth, count=count)
        ids = [int(i) for i in searcher.fast_field_values("id", [a for _, a in res.hits])] if res.hits else []
        scores = [float(s) for s, _ in res.hits]
        if coordinate:
            ids, scores = self._coordinate(groups, ids, scores, searcher, power)
        total = int(res.count) if count else len(ids)
        return (ids[offset:offset + limit], scores[offset:offset + limit], total, q, terms_out, phrases,
                list(groups or []))

    def _combined(self, text_q: tantivy.Query | None, filt: tantivy.Query | None) -> tantivy.Query:
        if text_q is None and filt is None:
            return tantivy.Query.all_query()
        if text_q is None:
            return tantivy.Query.const_score_query(filt, 1.0)
        if filt is None:
            return text_q
        return tantivy.Query.boolean_query(
            [(tantivy.Occur.Must, text_q), (tantivy.Occur.Must, tantivy.Query.const_score_query(filt, 0.0))]
        )

    def search(
        self,
        query: str = "",
        *,
        filters: Filters | Mapping[str, Any] | None = None,
        limit: int = 10,
        offset: int = 0,
        snippets: bool = False,
        facets: Sequence[str] | bool = False,
        facet_size: int = 20,
        boosts: Mapping[str, float] | None = None,
    ) -> SearchResults:
        """BM25 search (coordinated, see :data:`COORD_POWER`).  Empty query + filters = browse (all
        matching docs, score 1)."""
        ids, scores, total, q, terms, phrases, _groups = self._ranked(query, filters, limit, offset, boosts=boosts,
                                                                       count=True)
        searcher = self.index.searcher()
        hits = [Hit(i, s) for i, s in zip(ids, scores, strict=True)]
        if snippets and hits:
            hl = terms + [t for ph in phrases for t in ph]
            texts = self.sources([h.id for h in hits])
            for h in hits:
                h.snippets = snippets_of(texts.get(h.id, {}), hl)
        out = SearchResults(hits, total)
        if facets:
            out.facets = self.facet_counts(
                q, facets if not isinstance(facets, bool) else None, size=facet_size, searcher=searcher
            )
        return out

    def search_ids(
        self,
        query: str = "",
        *,
        filters=None,
        limit: int = 100,
        boosts: Mapping[str, float] | None = None,
        terms: list[str] | None = None,
        groups: Sequence[QueryGroup] | None = None,
        coord: float | None = None,
    ) -> tuple[np.ndarray, np.ndarray]:
        """Ranked ``(ids int64, scores float32)`` without snippets/facets (for fusion); ``groups`` /
        ``coord``: caller-weighted word groups and coordination power (see :meth:`search_groups`)."""
        if groups is not None:
            groups = [g for g in groups if g.tokens and (g.weight is None or g.weight > 0)]
        ids, scores, *_ = self._ranked(query, filters, limit, boosts=boosts, terms=terms, groups=groups, coord=coord)
        if not ids:
            return np.zeros(0, np.int64), np.zeros(0, np.float32)
        return np.asarray(ids, np.int64), np.asarray(scores, np.float32)

    def search_groups(self, groups: Sequence[QueryGroup], *, filters=None, limit: int = 100,
                      coverage: bool = True, coord: float | None = None) -> GroupHits:
        """Ranked hits of caller-weighted word groups (matching builds them from a demand), coordinated
        with power ``coord`` (default :data:`COORD_POWER`), with which groups each hit matched in its
        text fields and in its title (:meth:`coverage`)."""
        groups = [g for g in groups if g.tokens and (g.weight is None or g.weight > 0)]
        ids, scores, _total, _q, _terms, _phrases, groups = self._ranked("", filters, limit, groups=groups,
                                                                          coord=coord)
        out = GroupHits(ids=ids, scores=scores, groups=groups)
        if coverage and ids:
            out.matched, out.in_title = self.coverage(groups, ids)
        return out

    def coverage(self, groups: Sequence[QueryGroup], ids: Sequence[int],
                 ) -> tuple[dict[int, list[int]], dict[int, list[int]]]:
        """``({id: indexes of the groups it holds in any text field}, {id: … in its title})``."""
        s = self.index.searcher()
        anywhere = self.group_members(groups, ids, searcher=s)
        title = self.group_members(groups, ids, fields=("title",), searcher=s)
        return ({int(i): [k for k, m in enumerate(anywhere) if int(i) in m] for i in ids},
                {int(i): [k for k, m in enumerate(title) if int(i) in m] for i in ids})

    def count(self, query: str = "", *, filters=None) -> int:
        text_q, _, _ = self.text_query(query)
        q = self._combined(text_q, self.filter_query(filters))
        return int(self.index.searcher().search(q, limit=1, count=True).count)

    def filter_ids(self, filters, *, max_ids: int | None = None) -> np.ndarray:
        """All ids matching ``filters`` (sorted).  Cost grows with the match count."""
        fq = self.filter_query(filters)
        s = self.index.searcher()
        q = tantivy.Query.const_score_query(fq, 1.0) if fq is not None else tantivy.Query.all_query()
        n = s.search(q, limit=1, count=True).count if max_ids is None else max_ids
        if n == 0:
            return np.zeros(0, np.int64)
        res = s.search(q, limit=int(n), count=False)
        return np.sort(np.asarray(s.fast_field_values("id", [a for _, a in res.hits]), np.int64))

    def ids_matching(self, ids: Sequence[int], filters) -> np.ndarray:
        """The subset of ``ids`` that exist and pass ``filters`` (cheap for a few thousand ids)."""
        ids = [int(i) for i in ids]
        if not ids:
            return np.zeros(0, np.int64)
        idq = tantivy.Query.term_set_query(self.schema, "id", ids)
        fq = self.filter_query(filters)
        q = (
            idq
            if fq is None
            else tantivy.Query.boolean_query([(tantivy.Occur.Must, idq), (tantivy.Occur.Must, fq)])
        )
        s = self.index.searcher()
        res = s.search(tantivy.Query.const_score_query(q, 1.0), limit=len(ids), count=False)
        return (
            np.asarray(s.fast_field_values("id", [a for _, a in res.hits]), np.int64)
            if res.hits
            else np.zeros(0, np.int64)
        )

    FACET_FIELDS = {
        "ipc": "ipc_sub",
        "applicant": "applicant_kw",
        "year": "year",
        "legal_status": "legal_status",
        "patent_type": "patent_type",
        "applicant_type": "applicant_type",
        "jurisdiction": "jurisdiction",
    }

    def facet_counts(
        self,
        q: tantivy.Query | str | None = None,
        names: Sequence[str] | None = None,
        *,
        size: int = 20,
        filters=None,
        searcher: tantivy.Searcher | None = None,
    ) -> dict[str, list[tuple[str, int]]]:
        """Doc counts per value of IPC subclass / applicant / year / legal status … over a query,
        via tantivy's terms aggregation on fast fields (columnar; no doc loading)."""
        if q is None or isinstance(q, str):
            text_q, _, _ = self.text_query(q or "")
            q = self._combined(text_q, self.filter_query(filters))
        names = list(names or ("ipc", "applicant", "year", "legal_status"))
        agg = {n: {"terms": {"field": self.FACET_FIELDS[n], "size": size}} for n in names}
        res = (searcher or self.index.searcher()).aggregate(q, agg)
        out = {}
        for n in names:
            b = res.get(n, {}).get("buckets", [])
            out[n] = [(str(x["key"]) if n != "year" else str(int(x["key"])), int(x["doc_count"])) for x in b]
        return out

    def contains(self, doc_id: int) -> bool:
        """Whether ``doc_id`` is in the index (as of the last reload)."""
        return self.index.searcher().search(self._id_query(doc_id), limit=1, count=True).count > 0

    def sources(self, ids: Sequence[int]) -> dict[int, dict[str, str]]:
        """Title / abstract / claims of ``ids`` from the index's source (``{}`` without one)."""
        if self.source is None or not ids:
            return {}
        return {int(i): dict(t) for i, t in self.source([int(i) for i in ids]).items()}

    def get_source(self, doc_id: int) -> dict[str, str] | None:
        """Title / abstract / claims of an *indexed* document from the source (None if the
        document is not indexed, or there is no source or no text for it)."""
        if self.source is None or not self.contains(doc_id):
            return None
        return self.sources([doc_id]).get(int(doc_id))

    def key_terms(self, doc_id: int, k: int = 12) -> list[str]:
        """Top tf·idf terms of a stored document (for 'more like this')."""
        src = self.get_source(doc_id)
        if not src:
            return []
        s = self.index.searcher()
        n = max(s.num_docs, 1)
        tf: dict[str, float] = {}
        for fld, w in (("title", 3.0), ("abstract", 1.0), ("claims", 0.5)):
            for t in tokenize(src.get(fld, "")):
                tf[t] = tf.get(t, 0.0) + w
        scored = []
        for t, f in tf.items():
            df = max(s.doc_freq("title", t), s.doc_freq("abstract", t))
            if df <= 1 and n > 50:  # terms unique to this doc don't help finding others
                continue
            scored.append((f * np.log(1 + n / (1 + df)), t))
        scored.sort(reverse=True)
        return [t for _, t in scored[:k]]

    def all_ids(self) -> np.ndarray:
        return self.filter_ids(None)


# --------------------------------------------------------------------------- highlighting
def snippets_of(texts: Mapping[str, str], terms: Sequence[str]) -> dict[str, str]:
    """Highlighted title / abstract / claims snippets of one document's texts."""
    return {k: highlight(texts.get(k) or "", terms, max_chars=60 if k == "title" else 160) for k in SOURCE_FIELDS}


def highlight(text: str, terms: Sequence[str], *, max_chars: int = 160, tag: str = "mark") -> str:
    """HTML snippet of ``text`` around the densest cluster of query ``terms``, each match
    wrapped in ``<tag>``; matching is case/width-insensitive.  Text is HTML-escaped."""
    if not text:
        return ""
    terms = sorted({t for t in terms if t}, key=len, reverse=True)
    # per-char normalisation so offsets map back to the original text
    norm_chars = [unicodedata.normalize("NFKC", c).lower() for c in text]
    starts = []
    pos = 0
    for c in norm_chars:
        starts.append(pos)
        pos += len(c)
    norm = "".join(norm_chars)
    back = {}
    for i, p in enumerate(starts):
        back.setdefault(p, i)
    back[len(norm)] = len(text)
    spans: list[tuple[int, int]] = []
    if terms:
        pat = re.compile("|".join(re.escape(t) for t in terms))
        for m in pat.finditer(norm):
            a, b = back.get(m.start()), back.get(m.end())
            if a is not None and b is not None:
                spans.append((a, b))
    # choose window
    if len(text) <= max_chars or not spans:
        lo, hi = 0, min(len(text), max_chars)
    else:
        best, lo = -1, 0
        for a, _ in spans:
            start = max(0, a - max_chars // 4)
            cnt = len({text[x:y] for x, y in spans if x >= start and y <= start + max_chars})
            if cnt > best:
                best, lo = cnt, start
        hi = min(len(text), lo + max_chars)
    out = ["…" if lo > 0 else ""]
    cur = lo
    for a, b in spans:
        if a < cur or b > hi:
            continue
        out.append(html.escape(text[cur:a]))
        out.append(f"<{tag}>{html.escape(text[a:b])}</{tag}>")
        cur = b
    out.append(html.escape(text[cur:hi]))
    if hi < len(text):
        out.append("…")
    return "".join(out)


def iter_jsonl(path: str | os.PathLike) -> Iterator[dict[str, Any]]:
    with open(path, encoding="utf-8") as fh:
        for line in fh:
            line = line.strip()
            if line:
                yield json.loads(line)


__all__ = [
    "PatentDoc",
    "QueryGroup",
    "GroupHits",
    "IndexPool",
    "Filters",
    "Hit",
    "SearchResults",
    "LexicalIndex",
    "MemorySource",
    "SchemaVersionError",
    "Source",
    "highlight",
    "snippets_of",
    "text_analyzer",
    "normalize_ipc",
    "ipc_prefixes",
    "region_prefixes",
    "index_fields",
    "index_json",
    "build_schema",
    "FIELD_BOOSTS",
    "iter_jsonl",
    "normalize",
]
