"""Small in-memory BM25 over token lists (numpy inverted index).

Used where a tantivy index would be overkill: IPC-suggestion kNN over training titles,
and the "stock BM25" baseline in the benchmarks.  Okapi BM25, k1=1.2, b=0.75, idf =
ln(1 + (N − df + 0.5)/(df + 0.5)) (Lucene's formula).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np


class BM25:
    def __init__(
        self,
        docs: Sequence[Sequence[str]],
        k1: float = 1.2,
        b: float = 0.75,
        vocab: dict[str, int] | None = None,
    ):
        self.k1, self.b = k1, b
        self.n = len(docs)
        self.vocab: dict[str, int] = dict(vocab) if vocab else {}
        rows, cols, tfs = [], [], []
        lens = np.zeros(self.n, np.float32)
        for i, d in enumerate(docs):
            lens[i] = len(d)
            counts: dict[int, int] = {}
            for t in d:
                j = self.vocab.setdefault(t, len(self.vocab))
                counts[j] = counts.get(j, 0) + 1
            for j, c in counts.items():
                rows.append(i)
                cols.append(j)
                tfs.append(c)
        rows_a = np.asarray(rows, np.int64)
        cols_a = np.asarray(cols, np.int64)
        tf = np.asarray(tfs, np.float32)
        V = len(self.vocab)
        df = np.bincount(cols_a, minlength=V).astype(np.float32)
        self.idf = np.log1p((self.n - df + 0.5) / (df + 0.5)).astype(np.float32)
        avg = float(lens.mean()) if self.n else 1.0
        norm = k1 * (1 - b + b * lens / max(avg, 1e-9))
        w = tf * (k1 + 1) / (tf + norm[rows_a]) if len(tf) else tf
        # postings sorted by term
        order = np.argsort(cols_a, kind="stable")
        self.post_docs = rows_a[order].astype(np.int32)
        self.post_w = w[order].astype(np.float32)
        self.post_off = np.concatenate([[0], np.cumsum(np.bincount(cols_a, minlength=V))]).astype(np.int64)

    def scores(self, query: Sequence[str]) -> np.ndarray:
        """BM25 score of every document for a tokenised query (repeated terms count once per occurrence)."""
        s = np.zeros(self.n, np.float32)
        for t in query:
            j = self.vocab.get(t)
            if j is None or j >= len(self.idf):
                continue
            a, b = self.post_off[j], self.post_off[j + 1]
            np.add.at(s, self.post_docs[a:b], self.post_w[a:b] * self.idf[j])
        return s

    def top(
        self, query: Sequence[str], k: int = 10, exclude: int | None = None
    ) -> tuple[np.ndarray, np.ndarray]:
        s = self.scores(query)
        if exclude is not None:
            s[exclude] = -np.inf
        k = min(k, self.n)
        idx = np.argpartition(-s, k - 1)[:k] if k < self.n else np.arange(self.n)
        idx = idx[np.argsort(-s[idx], kind="stable")]
        return idx, s[idx]


__all__ = ["BM25"]
