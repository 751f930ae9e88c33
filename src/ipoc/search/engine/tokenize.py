"""Tokenisation shared by indexing, querying and classification.

``tokenize(text)`` → list of lowercase tokens:

1. fold full-width forms (Ｌ→L, ５→5, full-width punctuation → ASCII) and lowercase;
   replace every non-word character (punctuation, symbols) with a space;
2. rjieba *search mode* cut (``cut_for_search``: emits both long words and their
   sub-words, e.g. 显示屏 → 显示, 显示屏), which also splits English on spaces/punct;
3. drop whitespace tokens and the stop list of
   :mod:`ipoc.search.engine.stopwords`.

Tokens never contain whitespace, so ``" ".join(tokens)`` can be indexed with tantivy's
``whitespace`` tokenizer and split back losslessly.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

import rjieba

from .stopwords import STOPWORDS

# full-width ASCII (U+FF01–FF5E) → ASCII, ideographic space → space: the part of NFKC that
# matters for CN patent text, as a cheap str.translate (full NFKC costs as much as jieba itself)
_FOLD = {c: c - 0xFEE0 for c in range(0xFF01, 0xFF5F)}
_FOLD[0x3000] = 0x20
# anything that is not a letter/digit/CJK ideograph becomes a separator before cutting
_NONWORD = re.compile(
    r"[^0-9a-zA-Z\u00c0-\u024f\u0370-\u03ff\u0400-\u04ff\u3400-\u9fff\uf900-\ufaff"
    r"\uff10-\uff19\uff21-\uff3a\uff41-\uff5a]+"
)
_FULLWIDTH_ALNUM = re.compile(r"[\uff10-\uff19\uff21-\uff3a\uff41-\uff5a]")
_SKIP_BASE = frozenset({"", " ", "  "})
_SKIP_DEFAULT = _SKIP_BASE | STOPWORDS


def normalize(text: str) -> str:
    """Fold full-width forms to ASCII + lowercase (a fast subset of NFKC)."""
    return (text or "").translate(_FOLD).lower()


def _prepare(text: str) -> str:
    # punctuation → space first (C speed), fold full-width letters/digits only when present
    norm = _NONWORD.sub(" ", text).lower()
    if _FULLWIDTH_ALNUM.search(norm):
        norm = norm.translate(_FOLD).lower()
    return norm


def tokenize(text: str, *, stop: frozenset[str] | None = STOPWORDS, search_mode: bool = True) -> list[str]:
    """Tokenise *text* (Chinese or English) into index/query tokens.

    ``stop=None`` keeps stop words.  Punctuation is replaced by spaces *before* cutting
    (one regex pass), so every emitted token is purely word characters.
    """
    if not text:
        return []
    norm = _prepare(text)
    cut = rjieba.cut_for_search(norm) if search_mode else rjieba.cut(norm)
    skip = _SKIP_DEFAULT if stop is STOPWORDS else (_SKIP_BASE | stop if stop is not None else _SKIP_BASE)
    return [t for t in cut if t not in skip]


def cut_for_index(text: str, *, search_mode: bool = True) -> str:
    """The cut of :func:`tokenize` as one space-joined string, *before* the stop list and
    whitespace tokens are dropped.  The lexical index's analyzer
    (:func:`ipoc.search.engine.lexical.text_analyzer`: whitespace split + the same stop list, in
    Rust) drops them, so the terms indexed for ``cut_for_index(t)`` are exactly ``tokenize(t)``
    — without a Python-level pass over every token."""
    if not text:
        return ""
    norm = _prepare(text)
    return " ".join(rjieba.cut_for_search(norm) if search_mode else rjieba.cut(norm))


def tokenize_many(texts: Iterable[str], **kw) -> list[list[str]]:
    return [tokenize(t, **kw) for t in texts]


def to_index_text(text: str) -> str:
    """Space-joined tokens, ready for tantivy's ``whitespace`` tokenizer."""
    return " ".join(tokenize(text))


QUOTED = re.compile(r'["“”「」『』]([^"“”「」『』]+)["“”「」『』]')


def split_query(query: str) -> tuple[list[str], list[list[str]]]:
    """Split a user query into free terms and phrases.

    Text inside double quotes (ASCII or CJK quotes) becomes a phrase (tokens from
    :func:`phrase_tokens`).
    Returns ``(terms, phrases)``.
    """
    phrases: list[list[str]] = []

    def _grab(m: re.Match) -> str:
        toks = phrase_tokens(m.group(1))
        if toks:
            phrases.append(toks)
        return " "

    rest = QUOTED.sub(_grab, normalize(query))
    return tokenize(rest), phrases


def split_query_texts(query: str) -> tuple[list[str], list[str]]:
    """Like :func:`split_query` but phrases are returned as (normalised) text, for callers
    that cut a phrase differently per field (the lexical index cuts claims precisely)."""
    texts: list[str] = []

    def _grab(m: re.Match) -> str:
        if m.group(1).strip():
            texts.append(m.group(1))
        return " "

    rest = QUOTED.sub(_grab, normalize(query))
    return tokenize(rest), texts


def query_groups(text: str, *, stop: frozenset[str] = STOPWORDS) -> list[tuple[str, list[str]]]:
    """The words of a query, each with the overlapping index tokens it stands for.

    The index holds the *search-mode* cut of titles and abstracts: a word and its sub-words
    (高性能 → 高性, 性能, 高性能). Scoring each of those tokens as a separate query term counts one
    word of the query two or three times. This groups them: each word of the *precise* cut becomes
    ``(word, [its search-mode tokens])`` — the word itself included (claims are indexed with the
    precise cut, so the whole word is what matches there) — and the caller scores a group as one
    term. Stop words are dropped; repeated words and a word whose tokens are all inside another
    word's group (电池 next to 锂电池) are kept once.
    """
    if not text:
        return []
    skip = _SKIP_BASE | stop
    groups: dict[frozenset[str], tuple[str, list[str]]] = {}
    for word in rjieba.cut(_prepare(text)):
        word = word.strip()
        if not word:
            continue
        toks = [t for t in dict.fromkeys(rjieba.cut_for_search(word)) if t.strip() and t not in skip]
        if word not in skip and word not in toks:
            toks.append(word)
        if toks:
            groups.setdefault(frozenset(toks), (word, toks))
    keys = list(groups)
    return [groups[k] for k in keys if not any(k < other for other in keys)]


def phrase_tokens(text: str) -> list[str]:
    """Tokens for a phrase query: the same search-mode cut (and stop list) as indexing, so
    the phrase's token sequence is the sequence the index holds for that text; phrase
    queries allow a slop of ``lexical.PHRASE_SLOP`` (1) for context-dependent cuts."""
    return tokenize(text)


__all__ = [
    "normalize",
    "tokenize",
    "tokenize_many",
    "cut_for_index",
    "to_index_text",
    "split_query",
    "split_query_texts",
    "phrase_tokens",
    "query_groups",
]
