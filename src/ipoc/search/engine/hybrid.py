"""Hybrid lexical + dense retrieval.

``HybridSearcher(lexical, vectors, encoder).search(query, filters=…)``:

1. **lexical**: BM25 top ``n_lexical`` from :class:`LexicalIndex` (filters applied);
2. **dense**: the query's e5 vector against :class:`VectorStore`, restricted to the same
   filters (small filtered sets: exact search over the allowed ids; large ones: over-fetch
   then keep ids passing the filter);
3. **fusion**: reciprocal-rank fusion, ``Σ w_s / (rrf_k + rank_s)`` (rrf_k = 60, the value
   from Cormack et al. 2009 — not tuned here);
4. **pseudo-relevance feedback** (on by default): Rocchio in dense space —
   ``q' = α·q + β·mean(v_d for d in top prf_docs of the fused list)`` (α = 1, β = 0.75, the
   textbook Rocchio defaults; prf_docs = 10) — then dense search again with q' and a
   final RRF of the lexical list with both dense lists.

   **Scaling PRF.**  While the vector store holds at most ``prf_full_max`` vectors (default
   200,000) the second dense search is a full one, as described above.  Above that, a second
   full (IVF) search per query is too slow (at 1M it doubled hybrid p95), so PRF instead
   **re-ranks the candidates already retrieved**: the union of the lexical and the dense
   candidate lists (≤ ``n_lexical + n_dense`` ids) is scored exactly against q' (dot
   products on their stored vectors — DBA vectors when smoothing is on, as in the dense
   search), sorted by score (ties: lower id first), cut to the length the full search would
   return (``max(n_dense, limit)``) and fused exactly like the full search's list
   (``dense_prf``, weight ``w_prf``).  Candidates without a stored vector get no PRF score
   (they keep their lexical-rank imputation, see below).  Filters need no extra work: both
   candidate lists were retrieved with them.  The re-rank can only reorder what the first
   round found — it cannot pull in documents that only q' would reach — which is the
   quality price of the speed.  Below the threshold nothing changes (same code path).

5. **neighbourhood smoothing** (when the vector store has a corpus neighbour graph, see
   :meth:`VectorStore.build_neighbours`): dense search runs against DBA vectors, and the
   final rank score of each of the top ``smooth_depth`` candidates is
   ``r(d) + mean_{n ∈ kNN10(d)} r(n)`` with ``r = 1/(rrf_k + rank)`` — documents whose corpus
   neighbours also rank high move up.  All parameters are textbook defaults (k = 10, α = 3
   for DBA), not tuned on labelled data.  The product builds the graph after each encoding
   (``search.services.vectors_index_maintain``).  Keyword queries (point 6) are not smoothed.

6. **keyword queries** (``is_keyword_query``: a few short words separated by spaces, or one short word —
   what a person types to find a patent they know) are fused **lexical first**: the lexical list's weight
   is raised to ``w_keyword_lexical`` so its order leads and the dense lists only order what it ties on
   and add what it missed. A descriptive query (a title, a sentence, a demand) keeps the equal weights.
   Measured (bench/RESULTS.md, known-item set, every patent encoded): equal weights 0.575 MRR@10 against
   0.812 for plain BM25; lexical first 0.844.

Patents without a vector yet are still found through the lexical list, and their fused
score imputes the dense lists' share from their lexical rank (see ``_impute_unencoded``).  ``more_like_this``
uses a document's stored vector plus its top tf·idf terms.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from .encoders import Encoder, l2_normalize
from .lexical import Filters, Hit, LexicalIndex, PatentDoc, QueryGroup, SearchResults, snippets_of
from .tokenize import split_query
from .vectors import VectorStore


@dataclass
class HybridConfig:
    n_lexical: int = 200
    n_dense: int = 200
    rrf_k: float = 60.0
    w_lexical: float = 1.0
    w_dense: float = 1.0
    prf: bool = True
    prf_docs: int = 10
    prf_alpha: float = 1.0
    prf_beta: float = 0.75
    w_prf: float = 1.0
    w_keyword_lexical: float = 1000.0  # the lexical list's weight for keyword queries (see point 6)
    # above this many stored vectors PRF re-ranks the first-round candidates against q'
    # instead of running a second full dense search (see module docstring)
    prf_full_max: int = 200_000
    exact_filter_max: int = 50_000  # filters matching up to this many docs: exact search over their ids
    smoothed: bool = True  # use DBA vectors + neighbourhood smoothing when the store has a graph
    smooth_depth: int = 400
    smooth_k: int = 10
    mlt_terms: int = 12


KEYWORD_MAX_WORDS = 4
KEYWORD_MAX_WORD_CHARS = 10
KEYWORD_MAX_SINGLE_CHARS = 6


def is_keyword_query(query: str) -> bool:
    """A few short words separated by spaces (``无人机 热成像 云台``), or one short word (``石墨烯``): the query of
    someone looking for patents they can name, where an exact match must lead. A title, a sentence or a
    demand's text is descriptive and keeps the equal-weight fusion."""
    words = (query or "").replace("\u3000", " ").split()
    if not words:
        return False
    if len(words) == 1:
        return len(words[0]) <= KEYWORD_MAX_SINGLE_CHARS
    return len(words) <= KEYWORD_MAX_WORDS and all(len(w) <= KEYWORD_MAX_WORD_CHARS for w in words)


def rrf(lists: Sequence[tuple[np.ndarray, float]], k: float = 60.0) -> tuple[np.ndarray, np.ndarray]:
    """Reciprocal-rank fusion of ranked id arrays with weights → (ids, scores) sorted desc."""
    acc: dict[int, float] = {}
    for ids, w in lists:
        if w == 0:
            continue
        for r, i in enumerate(ids.tolist()):
            acc[i] = acc.get(i, 0.0) + w / (k + r + 1)
    if not acc:
        return np.zeros(0, np.int64), np.zeros(0, np.float32)
    ids = np.fromiter(acc.keys(), np.int64, len(acc))
    sc = np.fromiter(acc.values(), np.float64, len(acc))
    o = np.lexsort((ids, -sc))
    return ids[o], sc[o].astype(np.float32)


@dataclass
class HybridHit(Hit):
    lexical_rank: int | None = None
    dense_rank: int | None = None
    components: dict[str, Any] = field(default_factory=dict)


class HybridSearcher:
    def __init__(
        self,
        lexical: LexicalIndex,
        vectors: VectorStore | None = None,
        encoder: Encoder | None = None,
        config: HybridConfig | None = None,
    ):
        self.lexical = lexical
        self.vectors = vectors
        self.encoder = encoder
        self.config = config or HybridConfig()
        if vectors is not None and encoder is not None and vectors.dim != encoder.dim:
            raise ValueError(f"vector store dim {vectors.dim} != encoder dim {encoder.dim}")

    # ---- indexing
    @staticmethod
    def passage_text(d: PatentDoc | Mapping[str, Any]) -> str:
        """Text that is embedded for a patent: title + abstract."""
        if isinstance(d, Mapping):
            return f"{d.get('title') or ''}。{d.get('abstract') or ''}"
        return f"{d.title}。{d.abstract}"

    def add(
        self, docs: Iterable[PatentDoc | Mapping[str, Any]], *, encode: bool = True, commit: bool = True
    ) -> int:
        docs = [d if isinstance(d, PatentDoc) else PatentDoc.from_mapping(d) for d in docs]
        n = self.lexical.add(docs)
        if commit:
            self.lexical.commit()
        if encode and self.vectors is not None and self.encoder is not None and docs:
            self.vectors.append(
                [d.id for d in docs], self.encoder.encode_passages([self.passage_text(d) for d in docs])
            )
        return n

    def delete(self, ids: Sequence[int], *, commit: bool = True) -> None:
        self.lexical.delete(ids)
        if commit:
            self.lexical.commit()
        if self.vectors is not None:
            self.vectors.delete(ids)

    def encode_missing(self, *, batch: int = 64, limit: int | None = None) -> int:
        """Resumable background encoding: embed indexed patents that have no vector yet."""
        if self.vectors is None or self.encoder is None:
            return 0
        todo = self.vectors.missing(self.lexical.all_ids())
        if limit is not None:
            todo = todo[:limit]
        done = 0
        for a in range(0, len(todo), batch):
            ids = todo[a : a + batch]
            src = self.lexical.sources(ids.tolist())
            have = [int(i) for i in ids if int(i) in src]  # no text (no source) → left unencoded
            if have:
                self.vectors.append(have, self.encoder.encode_passages([self.passage_text(src[i]) for i in have]))
            done += len(have)
        return done

    # ---- dense side
    def _dense(
        self, qv: np.ndarray, k: int, filters: Filters, *, smoothed: bool | None = None
    ) -> tuple[np.ndarray, np.ndarray]:
        vs = self.vectors
        sm = self.config.smoothed if smoothed is None else smoothed
        if vs is None or len(vs) == 0:
            return np.zeros(0, np.int64), np.zeros(0, np.float32)
        if filters.is_empty():
            return vs.search(qv, k, smoothed=sm)
        cnt = self.lexical.count(filters=filters)
        if cnt == 0:
            return np.zeros(0, np.int64), np.zeros(0, np.float32)
        if cnt > self.config.exact_filter_max:
            # broad filter: over-fetch unfiltered neighbours, keep those passing the filter
            over = int(min(len(vs), k * 3 * len(vs) / cnt))
            ids, sc = vs.search(qv, over, smoothed=sm)
            ok = np.isin(ids, self.lexical.ids_matching(ids, filters))
            if ok.sum() >= k or over >= len(vs):
                return ids[ok][:k], sc[ok][:k]
        # narrow filter (or over-fetch came up short): exact search over the allowed ids
        return vs.search(qv, k, allowed=self.lexical.filter_ids(filters), smoothed=sm)

    def query_vector(self, query: str) -> np.ndarray | None:
        if self.encoder is None or not query.strip():
            return None
        return self.encoder.encode_queries([query])[0]

    # ---- search
    def search_ids(
        self,
        query: str,
        *,
        filters=None,
        limit: int = 10,
        query_vector: np.ndarray | None = None,
        prf: bool | None = None,
        exclude: Sequence[int] = (),
        groups: Sequence[QueryGroup] | None = None,
        coord: float | None = None,
        keyword: bool = False,
        smoothed: bool | None = None,
    ) -> tuple[np.ndarray, np.ndarray, dict]:
        """``groups`` / ``coord``: the lexical list from caller-weighted word groups (see
        :meth:`LexicalIndex.search_groups`) instead of ``query``'s words; ``query`` is still what the
        dense side encodes. ``keyword``: fuse lexical first (module docstring, point 6). ``smoothed``:
        overrides ``config.smoothed`` for this query (``False``: as if the store had no neighbour graph)."""
        cfg = self.config
        sm = cfg.smoothed if smoothed is None else smoothed
        w_lexical = cfg.w_keyword_lexical if keyword else cfg.w_lexical
        f = Filters.coerce(filters)
        lex_ids, _ = self.lexical.search_ids(query, filters=f, limit=max(cfg.n_lexical, limit), groups=groups,
                                             coord=coord)
        qv = query_vector if query_vector is not None else self.query_vector(query)
        parts: dict[str, np.ndarray] = {"lexical": lex_ids}
        excl = np.asarray(list(exclude), np.int64)
        if qv is None or self.vectors is None or len(self.vectors) == 0:
            ids = lex_ids[~np.isin(lex_ids, excl)] if len(excl) else lex_ids
            return (
                ids[:limit],
                np.asarray([1.0 / (cfg.rrf_k + r + 1) for r in range(min(limit, len(ids)))], np.float32),
                parts,
            )
        d_ids, _ = self._dense(qv, max(cfg.n_dense, limit), f, smoothed=sm)
        parts["dense"] = d_ids
        lists = [(lex_ids, w_lexical), (d_ids, cfg.w_dense)]
        ids, sc = rrf(lists, cfg.rrf_k)
        if (cfg.prf if prf is None else prf) and len(ids):
            fb = ids[: cfg.prf_docs]
            fb = fb[self.vectors.contains(fb)]
            if len(fb):
                fbv = self.vectors.get_smoothed(fb) if sm else self.vectors.get(fb)
                q2 = l2_normalize(cfg.prf_alpha * qv + cfg.prf_beta * fbv.mean(axis=0))[0]
                if len(self.vectors) > cfg.prf_full_max:
                    d2 = self._rerank(q2, np.concatenate([lex_ids, d_ids]), max(cfg.n_dense, limit), smoothed=sm)
                else:
                    d2, _ = self._dense(q2, max(cfg.n_dense, limit), f, smoothed=sm)
                parts["dense_prf"] = d2
                ids, sc = rrf(lists + [(d2, cfg.w_prf)], cfg.rrf_k)
        ids, sc = self._impute_unencoded(
            ids, sc, lex_ids, lists + ([(parts["dense_prf"], cfg.w_prf)] if "dense_prf" in parts else [])
        )
        if sm and not keyword and self.vectors.has_neighbours and len(ids):
            # not for a keyword query: smoothing re-ranks by the neighbours' ranks, which would undo its
            # lexical-first order (known-item MRR@10 0.842 → 0.452 when it did; bench/RESULTS.md, session 10)
            ids, sc = self._smooth(ids[: max(cfg.smooth_depth, limit)])
        if len(excl):
            keep = ~np.isin(ids, excl)
            ids, sc = ids[keep], sc[keep]
        return ids[:limit], sc[:limit], parts

    def _rerank(self, q: np.ndarray, candidates: np.ndarray, k: int, *, smoothed: bool | None = None) -> np.ndarray:
        """Candidates (deduplicated; those without a stored vector dropped) ranked by exact
        dot product with ``q`` on their stored vectors (DBA vectors when smoothing is on), ties
        broken by lower id; top ``k`` ids."""
        cand = np.unique(np.asarray(candidates, np.int64))
        cand = cand[self.vectors.contains(cand)]
        if not len(cand):
            return np.zeros(0, np.int64)
        sm = self.config.smoothed if smoothed is None else smoothed
        m = self.vectors.get_smoothed(cand) if sm else self.vectors.get(cand)
        sc = m @ np.asarray(q, np.float32).reshape(-1)
        o = np.lexsort((cand, -sc))
        return cand[o][:k]

    def _impute_unencoded(self, ids, sc, lex_ids, lists):
        """Patents without a vector can only appear in the lexical list; give them the dense
        lists' share as if they ranked there as they do lexically (missing-modality imputation),
        so a not-yet-encoded patent is not pushed below every encoded one."""
        enc = self.vectors.contains(ids)
        if enc.all():
            return ids, sc
        tot = sum(w for _, w in lists)
        lex_rank = {int(i): r for r, i in enumerate(lex_ids.tolist())}
        sc = sc.astype(np.float64).copy()
        for j in np.flatnonzero(~enc):
            r = lex_rank.get(int(ids[j]))
            if r is not None:
                sc[j] = tot / (self.config.rrf_k + r + 1)
        o = np.lexsort((ids, -sc))
        return ids[o], sc[o].astype(np.float32)

    def _smooth(self, ids: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        k = self.config.rrf_k
        r = {int(i): 1.0 / (k + j + 1) for j, i in enumerate(ids.tolist())}
        nbs = self.vectors.neighbours(ids, self.config.smooth_k)
        out = np.empty(len(ids), np.float64)
        for j, (i, nb) in enumerate(zip(ids.tolist(), nbs, strict=True)):
            out[j] = r[i] + (float(np.mean([r.get(x, 0.0) for x in nb.tolist()])) if len(nb) else 0.0)
        o = np.lexsort((ids, -out))
        return ids[o], out[o].astype(np.float32)

    def search(
        self,
        query: str,
        *,
        filters=None,
        limit: int = 10,
        offset: int = 0,
        snippets: bool = False,
        facets: Sequence[str] | bool = False,
        facet_size: int = 20,
        prf: bool | None = None,
        groups: Sequence[QueryGroup] | None = None,
        coord: float | None = None,
        keyword: bool = False,
        smoothed: bool | None = None,
    ) -> SearchResults:
        """Hybrid search.  ``total`` is the lexical match count (dense results are unbounded).
        ``groups`` / ``coord`` / ``keyword`` / ``smoothed``: see :meth:`search_ids`."""
        ids, sc, parts = self.search_ids(query, filters=filters, limit=limit + offset, prf=prf, groups=groups,
                                         coord=coord, keyword=keyword, smoothed=smoothed)
        ranks = {k: {int(i): r for r, i in enumerate(v.tolist())} for k, v in parts.items()}
        hits = []
        for i, s in zip(ids[offset:].tolist(), sc[offset:].tolist(), strict=True):
            hits.append(
                HybridHit(
                    int(i),
                    float(s),
                    lexical_rank=ranks["lexical"].get(i),
                    dense_rank=ranks.get("dense", {}).get(i),
                )
            )
        if snippets and hits:
            terms, phrases = split_query(query)
            hl = terms + [t for p in phrases for t in p]
            texts = self.lexical.sources([h.id for h in hits])
            for h in hits:
                h.snippets = snippets_of(texts.get(h.id, {}), hl)
        total = self.lexical.count(query, filters=filters)
        out = SearchResults(hits, max(total, len(hits) + offset))
        if facets:
            out.facets = self.lexical.facet_counts(
                query, facets if not isinstance(facets, bool) else None, size=facet_size, filters=filters
            )
        return out

    def more_like_this(self, doc_id: int, *, filters=None, limit: int = 10) -> list[HybridHit]:
        """Patents similar to ``doc_id``: its stored vector (if encoded) + its key terms."""
        terms = self.lexical.key_terms(doc_id, self.config.mlt_terms)
        qv = None
        if self.vectors is not None and self.vectors.contains([doc_id])[0]:
            qv = self.vectors.get([doc_id])[0]
        f = Filters.coerce(filters)
        lex_ids, _ = (
            self.lexical.search_ids("", filters=f, limit=self.config.n_lexical, terms=terms)
            if terms
            else (np.zeros(0, np.int64), None)
        )
        lists = [(lex_ids, self.config.w_lexical)]
        if qv is not None:
            d_ids, _ = self._dense(qv, self.config.n_dense, f)
            lists.append((d_ids, self.config.w_dense))
        ids, sc = rrf(lists, self.config.rrf_k)
        keep = ids != doc_id
        return [HybridHit(int(i), float(s)) for i, s in zip(ids[keep][:limit], sc[keep][:limit], strict=True)]


__all__ = ["HybridSearcher", "HybridConfig", "HybridHit", "is_keyword_query", "rrf"]
