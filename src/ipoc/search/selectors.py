"""Reads of the search index: full-text/semantic patent search, similar patents, IPC suggestion.

Patents are public: every signed-in user may search them (``user=None`` is the system: CLI, jobs).
Filters take the keys of ``ipoc.patents.selectors.PatentFilters`` the index supports:
``patent_type``, ``legal_status`` (a list = any of), ``ipc`` (prefix), ``applicant`` (exact name,
as the facet links use it), ``applicant_type``, ``region`` (国省代码 prefix), ``jurisdiction`` and
``application_date_from/_to``, ``publication_date_from/_to``, ``grant_date_from/_to``.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from ipoc.core.errors import ApplicationError, NotFound, PermissionDenied
from ipoc.search import services
from ipoc.search.engine.hybrid import is_keyword_query
from ipoc.search.engine.lexical import SOURCE_FIELDS, Filters, QueryGroup, snippets_of
from ipoc.search.engine.tokenize import normalize, query_groups, split_query

SIMPLE_FILTERS = ("patent_type", "legal_status", "ipc", "applicant", "applicant_type", "region", "jurisdiction")
DATE_FILTERS = ("application_date", "publication_date", "grant_date")
IGNORED_FILTERS = ("q",)  # the query itself travels separately
MAX_LIMIT = 1000
# How deep results may be browsed: the index allocates room for the top offset+limit hits at once, and an
# unbounded offset (page=100000000000) made it allocate 32 TB and abort the server process.
MAX_OFFSET = 10_000


@dataclass
class SearchHit:
    patent_id: int
    score: float
    snippets: dict[str, str] = field(default_factory=dict)  # title/abstract/claims, terms wrapped in <mark>
    matched_terms: list[str] = field(default_factory=list)
    lexical_rank: int | None = None  # 1-based rank in the lexical (BM25) list, None when not in it
    dense_rank: int | None = None  # 1-based rank in the dense (vector) list, None when not in it
    matched_groups: list[int] = field(default_factory=list)  # search_weighted: the words found in its text
    title_groups: list[int] = field(default_factory=list)  # … and those found in its title


@dataclass
class SearchPage:
    hits: list[SearchHit]
    total: int
    facets: dict[str, list[tuple[str, int]]] = field(default_factory=dict)


def _check_user(user) -> None:
    if user is not None and not getattr(user, "is_authenticated", False):
        raise PermissionDenied("请先登录", code="not_authenticated", status=401)


def _date(value, name: str) -> dt.date | None:
    if value in (None, ""):
        return None
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value)[:10])
    except ValueError as exc:
        raise ApplicationError(f"日期格式应为 YYYY-MM-DD：{value}", field=name) from exc


def engine_filters(filters: dict | None) -> Filters:
    """Translate patent-list filter keys into the engine's ``Filters``; unsupported non-empty keys are refused."""
    out = Filters()
    for key, value in (filters or {}).items():
        if value in (None, "", [], ()) or key in IGNORED_FILTERS:
            continue
        if key in SIMPLE_FILTERS:
            if isinstance(value, (list, tuple, set)):
                value = [str(v).strip() for v in value if str(v).strip()]
            else:
                value = str(value).strip()
            setattr(out, key, value or None)
            continue
        base, _, end = key.rpartition("_")
        if base in DATE_FILTERS and end in ("from", "to"):
            lo, hi = getattr(out, base) or (None, None)
            d = _date(value, key)
            setattr(out, base, (d, hi) if end == "from" else (lo, d))
            continue
        raise ApplicationError(f"检索不支持此筛选条件：{key}", field=key)
    return out


def query_terms(text: str) -> list[str]:
    """The query's terms as the index sees them (engine tokenizer, stop words removed), phrases included."""
    terms, phrases = split_query(text or "")
    return list(dict.fromkeys([*terms, *(t for p in phrases for t in p)]))


def _matched(terms: list[str], src: dict) -> list[str]:
    text = normalize(" ".join(str(src.get(k) or "") for k in SOURCE_FIELDS))
    return [t for t in terms if t in text]


def index_rebuild_required() -> bool:
    """The index on disk was written by an older release and set aside: searches find nothing
    until ``ipoc index rebuild`` has run."""
    return services.engine().rebuild_required


def search_patents(*, user, q: str, filters: dict | None = None, limit: int = 10, offset: int = 0,
                   facets: bool = False, snippets: bool = True) -> SearchPage:
    """Hybrid (BM25 + dense, reciprocal-rank fused) search; an empty query browses the filtered set. A keyword
    query (a few short words) is fused lexical first, so an exact match leads (``engine.hybrid``, point 6).
    Facets (IPC subclass, applicant, year, legal status) count the lexical matches."""
    _check_user(user)
    if limit < 1 or limit > MAX_LIMIT:
        raise ApplicationError(f"limit 应在 1–{MAX_LIMIT} 之间", field="limit")
    if offset < 0:
        raise ApplicationError("offset 不能为负", field="offset")
    if offset > MAX_OFFSET:
        raise ApplicationError(f"只能查看前 {MAX_OFFSET:,} 条结果，请增加检索词或筛选条件缩小范围", field="offset")
    f = engine_filters(filters)
    searcher = services.engine().searcher()
    res = searcher.search(q or "", filters=f, limit=limit, offset=offset, facets=facets,
                          keyword=is_keyword_query(q or ""))
    terms = query_terms(q or "")
    hits = []
    texts = searcher.lexical.sources([h.id for h in res.hits]) if (snippets or terms) else {}
    for h in res.hits:
        src = texts.get(h.id, {})
        lex, dense = getattr(h, "lexical_rank", None), getattr(h, "dense_rank", None)
        hits.append(SearchHit(patent_id=h.id, score=float(h.score),
                              snippets=snippets_of(src, terms) if snippets else {},
                              matched_terms=_matched(terms, src),
                              lexical_rank=None if lex is None else lex + 1,
                              dense_rank=None if dense is None else dense + 1))
    return SearchPage(hits=hits, total=res.total, facets=res.facets if facets else {})


def similar_patents(*, user, patent_id: int, limit: int = 10) -> list[SearchHit]:
    """Patents like this one: its stored vector (when encoded) fused with its key terms."""
    _check_user(user)
    if limit < 1 or limit > 100:
        raise ApplicationError("limit 应在 1–100 之间", field="limit")
    searcher = services.engine().searcher()
    if not searcher.lexical.contains(int(patent_id)):
        raise NotFound(f"专利 {patent_id} 不在检索索引中", field="patent_id")
    key_terms = searcher.lexical.key_terms(int(patent_id), searcher.config.mlt_terms)
    hits = []
    found = searcher.more_like_this(int(patent_id), limit=limit)
    texts = searcher.lexical.sources([h.id for h in found])
    for h in found:
        src = texts.get(h.id, {})
        hits.append(SearchHit(patent_id=h.id, score=float(h.score), snippets=snippets_of(src, key_terms),
                              matched_terms=_matched(key_terms, src)))
    return hits


def suggest_ipc(*, text: str, top: int = 5) -> list[tuple[str, float]]:
    """IPC subclasses for free text, best first, with scores (they sum to at most 1)."""
    if not (text or "").strip():
        raise ApplicationError("请输入文本", field="text")
    if top < 1 or top > 50:
        raise ApplicationError("top 应在 1–50 之间", field="top")
    return services.ipc_model().suggest(text, top=top)


def suggest_ipc_many(texts: list[str], *, top: int = 5) -> list[list[tuple[str, float]]]:
    """Batch form of :func:`suggest_ipc` (one encoder call per batch)."""
    if not texts:
        return []
    return services.ipc_model().suggest_many(texts, top=top)


def describe_hits(hits: list[SearchHit]) -> list[dict]:
    """Hits with the patent's number, title, applicants, IPC, dates and legal status, in hit order
    (hits whose patent has meanwhile left the store are dropped)."""
    from ipoc.patents.selectors import index_documents

    docs = {d["id"]: d for d in index_documents([h.patent_id for h in hits])}
    out = []
    for rank, h in enumerate(hits, start=1):
        d = docs.get(h.patent_id)
        if d is None:
            continue
        out.append({
            "rank": rank, "id": h.patent_id, "key": d["key"], "number": d["number"],
            "publication_number": d["publication_number"], "title": d["title"], "score": round(h.score, 6),
            "applicants": [a["name"] for a in d["applicants"]], "ipc": d["ipc"], "ipc_main": d["ipc_main"],
            "patent_type": d["patent_type"], "legal_status": d["legal_status"], "jurisdiction": d["jurisdiction"],
            "application_date": d["application_date"], "publication_date": d["publication_date"],
            "snippets": h.snippets, "matched_terms": h.matched_terms,
            "lexical_rank": h.lexical_rank, "dense_rank": h.dense_rank,
        })
    return out


def rank_texts(query: str, texts: list[str]) -> list[tuple[float, list[str]]]:
    """BM25 of ``query`` against a small ad-hoc set of ``texts`` (e.g. open demands) with the engine's tokenizer
    and stop list: (score, matched terms) per text, in the input order. For collections outside the index."""
    from ipoc.search.engine.bm25 import BM25
    from ipoc.search.engine.tokenize import tokenize

    docs = [tokenize(t) for t in texts]
    if not docs:
        return []
    q = tokenize(query)
    scores = BM25(docs).scores(q)
    qset = set(q)
    return [(float(scores[i]), sorted(set(doc) & qset)) for i, doc in enumerate(docs)]


# ---- weighted word groups (matching builds its query from a demand: issue 15)


def query_words(text: str) -> list[tuple[str, list[str]]]:
    """The words of ``text`` as the index sees them: ``(word, [its overlapping index tokens])``, stop
    words dropped, each word once (:func:`ipoc.search.engine.tokenize.query_groups`)."""
    return query_groups(text or "")


def word_doc_freqs(words: list[str], *, field: str = "") -> tuple[int, dict[str, int]]:
    """``(patents indexed, {word: patents holding it in title, abstract or claims})``; with ``field``
    ("title", "abstract" or "claims") in that field only."""
    if field and field not in SOURCE_FIELDS:
        raise ApplicationError(f"未知字段：{field}", field="field")
    lexical = services.engine().searcher().lexical
    searcher = lexical.index.searcher()
    if field:
        return searcher.num_docs, {w: searcher.doc_freq(field, w) for w in dict.fromkeys(words)}
    return searcher.num_docs, {w: lexical.doc_freq(w, searcher) for w in dict.fromkeys(words)}


def search_weighted(*, user, groups: list[tuple[str, list[str], float]], text: str = "", filters: dict | None = None,
                    limit: int = 10, snippets: bool = True) -> SearchPage:
    """Patents for caller-weighted words ``(word, tokens, weight)``: the lexical list scores the words
    with those weights (BM25, no coordination); with dense vectors ``text`` is encoded and fused as in
    :func:`search_patents`. Each hit says which words (indexes into ``groups``) its text and its title
    hold. Without vectors the hit score is the weighted BM25 score (comparable within one query)."""
    _check_user(user)
    if limit < 1 or limit > MAX_LIMIT:
        raise ApplicationError(f"limit 应在 1–{MAX_LIMIT} 之间", field="limit")
    qgroups = [QueryGroup(w, list(toks), float(weight)) for w, toks, weight in groups if toks and weight > 0]
    index = [k for k, (_w, toks, weight) in enumerate(groups) if toks and weight > 0]  # back to the caller's
    f = engine_filters(filters)
    searcher = services.engine().searcher()
    if not qgroups:
        return SearchPage(hits=[], total=0)
    if searcher.vectors is None:
        found = searcher.lexical.search_groups(qgroups, filters=f, limit=limit, coverage=False, coord=0.0)
        ranked = [(i, s, r, None) for r, (i, s) in enumerate(zip(found.ids, found.scores, strict=True))]
    else:
        # Not smoothed over the corpus neighbour graph: with it the top 5 of matching's candidates changed for
        # every one of 200 demo demands (overlap 18 %; bench/RESULTS.md, session 10), and matching's ranking is
        # judged (bench/matching_judged) without it. Turning it on waits for a judged run.
        res = searcher.search(text or " ".join(g.word for g in qgroups), filters=f, limit=limit, groups=qgroups,
                              coord=0.0, smoothed=False)
        ranked = [(h.id, h.score, getattr(h, "lexical_rank", None), getattr(h, "dense_rank", None))
                  for h in res.hits]
    ids = [i for i, *_ in ranked]
    matched, in_title = searcher.lexical.coverage(qgroups, ids) if ids else ({}, {})
    terms = list(dict.fromkeys(t for g in qgroups for t in g.tokens))
    texts = searcher.lexical.sources(ids) if snippets else {}
    hits = []
    for i, score, lex, dense in ranked:
        src = texts.get(i, {})
        hits.append(SearchHit(patent_id=i, score=float(score), snippets=snippets_of(src, terms) if snippets else {},
                              matched_terms=[qgroups[k].word for k in matched.get(i, [])],
                              lexical_rank=None if lex is None else lex + 1,
                              dense_rank=None if dense is None else dense + 1,
                              matched_groups=[index[k] for k in matched.get(i, [])],
                              title_groups=[index[k] for k in in_title.get(i, [])]))
    return SearchPage(hits=hits, total=len(hits))
