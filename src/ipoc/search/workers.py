"""What runs inside the app's index worker processes when they read patents themselves, and
inside the process that syncs the index at the end of a large import.

A large sync or rebuild hands each worker a list of patent ids; the worker reads those patents
from the database, tokenises them and returns finished index documents, so the process holding
the index writer only receives strings (at a million patents, reading and shipping the records
through the main process was the bottleneck). Nothing here imports Django at module level: a
fresh worker imports this module before :func:`setup_django` has run.
"""

from __future__ import annotations

import os


def setup_django(settings_module: str, database: dict) -> None:
    """Worker initialiser: set Django up against exactly the database of the process that made
    the pool (``database`` is its connection's settings, so a test database stays a test database)."""
    os.environ["DJANGO_SETTINGS_MODULE"] = settings_module
    from django.conf import settings

    settings.DATABASES["default"] = {**settings.DATABASES.get("default", {}), **database}
    import django

    django.setup()


def index_json_of_ids(ids: list[int]) -> tuple[list[int], list[tuple[int, str]]]:
    """``(ids found in the store, [(id, index JSON)])`` for these patent ids, read in this worker."""
    from ipoc.patents import selectors as patent_selectors
    from ipoc.search.engine.lexical import index_json, worker_claims_cut

    docs = patent_selectors.index_documents(ids)
    cut = worker_claims_cut()
    return [d["id"] for d in docs], [index_json(d, claims_cut=cut) for d in docs]


def sync_pending(settings_module: str, database: dict, search_dir: str, encoder: str, workers: int) -> None:
    """Entry point of the separate sync process (``services.sync_in_separate_process``): the same
    database, search folder and encoder as the parent; syncs every pending id."""
    setup_django(settings_module, database)
    from django.conf import settings

    settings.IPOC_SEARCH_DIR = search_dir
    settings.IPOC_ENCODER = encoder
    from ipoc.search import services

    services.sync_ids([], workers=workers)


# ---------------------------------------------------------------- index and encode as task-queue chunks
#
# ``ipoc.core.queue`` splits ``search.rebuild`` and ``search.encode`` into chunks that ``ipoc worker``
# processes on many machines take in parallel. A chunk only *builds*: index documents (read and
# tokenised) or vectors (encoded), written whole to a spool file under the search folder (shared by the
# workers of one instance) and renamed into place, so a chunk redone after its worker was killed writes
# the same file again. The finish step is the one writer: under the index's write lock it commits the
# spool files in chunk order, as the bulk path does. Django is imported inside the functions.

QUEUE_INDEX_CHUNK = 2000  # patents per index chunk
QUEUE_ENCODE_CHUNK = 512  # texts per encode chunk


def _spool(job_id: int):
    from ipoc.search import services

    path = services.search_dir() / "spool" / str(job_id)
    path.mkdir(parents=True, exist_ok=True)
    return path


def _write_whole(path, write) -> None:
    tmp = path.with_name(path.name + f".{os.getpid()}.tmp")
    write(tmp)
    os.replace(tmp, path)


def _write_documents(path, items: list[tuple[int, str]]) -> None:
    """A chunk's index documents as a spool file, one JSON pair per line, written whole then renamed."""
    import json

    def write(tmp) -> None:
        with open(tmp, "w", encoding="utf-8") as fh:
            for doc_id, text in items:
                fh.write(json.dumps([doc_id, text], ensure_ascii=False) + "\n")

    _write_whole(path, write)


def index_plan(ctx) -> list[dict] | None:
    """``plan`` of the chunked ``search.rebuild``: id ranges of :data:`QUEUE_INDEX_CHUNK` patents."""
    from ipoc.patents import selectors as patent_selectors

    size = int(ctx.params.get("queue_chunk") or QUEUE_INDEX_CHUNK)
    specs, after = [], 0
    while ids := patent_selectors.patent_ids_after(after, size):
        specs.append({"after": after, "last": ids[-1], "size": len(ids)})
        after = ids[-1]
    if len(specs) < 2 and not ctx.params.get("queue_chunk"):
        return None  # small: the job runs whole, as before
    ctx.set_total(sum(s["size"] for s in specs))
    return specs


def index_chunk(ctx, params: dict, spec: dict) -> dict:
    """Read and tokenise one id range; the documents go to a spool file (one JSON pair per line)."""

    from ipoc.patents import selectors as patent_selectors

    ids = [i for i in patent_selectors.patent_ids_after(spec["after"], spec["size"]) if i <= spec["last"]]
    found, items = index_json_of_ids(ids)
    path = _spool(ctx.job.params["parent"]) / f"index-{spec['after']:012d}.jsonl"
    _write_documents(path, items)
    ctx.set_done(len(ids))
    return {"file": path.name, "found": len(found), "ids": len(ids)}


def index_finish(ctx, results: list[dict]) -> dict:
    """The one writer: clear the index (and vectors if asked), commit every chunk's documents in order."""
    import json
    import shutil
    import time

    import numpy as np

    from ipoc.search import services

    started = time.monotonic()
    eng = services.engine()
    folder = _spool(ctx.job.pk)
    done = 0
    with eng.writing():
        eng.clear(vectors=bool(ctx.params.get("clear_vectors")))
        for result in results:
            with open(folder / result["file"], encoding="utf-8") as fh:
                items = [tuple(json.loads(line)) for line in fh]
            done += eng.upsert_json(items)
        if eng.vectors is not None and len(eng.vectors):
            live = set(eng.lexical.all_ids().tolist())
            stale = [int(i) for i in np.asarray(eng.vectors.ids).tolist() if int(i) not in live]
            if stale:
                eng.vectors.delete(stale)
    shutil.rmtree(folder, ignore_errors=True)
    return {"indexed": done, "in_index": eng.lexical.num_docs, "chunks": len(results),
            "writer_seconds": round(time.monotonic() - started, 3)}


def encode_plan(ctx) -> list[dict] | None:
    """``plan`` of the chunked ``search.encode``: the indexed patents without a vector, in chunks."""
    from ipoc.search import services

    size = int(ctx.params.get("queue_chunk") or QUEUE_ENCODE_CHUNK)
    eng = services.engine()
    eng.refresh()
    if eng.vectors is None:
        return None  # the whole job reports why
    todo = eng.vectors.missing(eng.lexical.all_ids())
    if ctx.params.get("limit") is not None:
        todo = todo[: int(ctx.params["limit"])]
    if len(todo) < 2 * size and not ctx.params.get("queue_chunk"):
        return None
    ctx.set_total(len(todo))
    return [{"ids": [int(i) for i in todo[a:a + size]], "size": len(todo[a:a + size])}
            for a in range(0, len(todo), size)]


def encode_chunk(ctx, params: dict, spec: dict) -> dict:
    """Encode one chunk's texts; ids, vectors and text digests go to a spool ``.npz``."""
    import hashlib

    import numpy as np

    from ipoc.search import services
    from ipoc.search.engine.hybrid import HybridSearcher

    eng = services.engine()
    eng.refresh()
    texts = {i: HybridSearcher.passage_text(src) for i, src in eng.lexical.sources(spec["ids"]).items()}
    order = list(texts)
    vecs = eng.encoder.encode_passages([texts[i] for i in order]) if order else np.zeros((0, 1), np.float32)
    digests = [hashlib.sha1(texts[i].encode()).hexdigest() for i in order]
    path = _spool(ctx.job.params["parent"]) / f"encode-{ctx.job.params['index']:06d}.npz"
    def write(tmp) -> None:
        with open(tmp, "wb") as fh:
            np.savez(fh, ids=np.asarray(order, dtype=np.int64), vecs=vecs, digests=np.asarray(digests))

    _write_whole(path, write)
    ctx.set_done(len(spec["ids"]))
    return {"file": path.name, "encoded": len(order)}


def encode_finish(ctx, results: list[dict]) -> dict:
    """The one writer: append each chunk's vectors for patents whose indexed text is still the one encoded."""
    import hashlib
    import shutil

    import numpy as np

    from ipoc.search import services
    from ipoc.search.engine.hybrid import HybridSearcher

    eng = services.engine()
    folder = _spool(ctx.job.pk)
    done = skipped = 0
    with eng.writing():
        for result in results:
            data = np.load(folder / result["file"])
            order = [int(i) for i in data["ids"]]
            if not order:
                continue
            stored = eng.vectors.contains(order)
            now = eng.lexical.sources(order)
            keep = [j for j, i in enumerate(order) if not stored[j] and i in now and hashlib.sha1(
                HybridSearcher.passage_text(now[i]).encode()).hexdigest() == str(data["digests"][j])]
            if keep:
                eng.vectors.append([order[j] for j in keep], data["vecs"][keep])
            done += len(keep)
            skipped += len(order) - len(keep)
    shutil.rmtree(folder, ignore_errors=True)
    ivf = services.vectors_index_maintain(eng)
    return {"encoded": done, "skipped": skipped, "encoder": eng.encoder.name, "chunks": len(results),
            "encoded_total": len(eng.vectors) if eng.vectors is not None else 0, "ivf_built": ivf["built"],
            "graph_built": ivf.get("graph_built", False)}


# ---------------------------------------------------------------- backup (ipoc.core.backup)


def backup_lock():
    """Held while a backup copies the database and the index: no index commit lands meanwhile."""
    from ipoc.search import services

    return services.engine().writing()


def backup_folder():
    from ipoc.search import services

    return services.search_dir()


def reconcile_after_restore(manifest: dict) -> dict:
    """After a restore: re-index the patents missing from the restored index, drop those gone from the
    restored database, and re-index those changed since the backup could have caught them half-synced."""
    import numpy as np

    from ipoc.core.backup import restored_since
    from ipoc.patents import selectors as patent_selectors
    from ipoc.search import services

    services.reset_engine()
    eng = services.engine()
    eng.refresh()
    in_index = set(eng.lexical.all_ids().tolist())
    in_store, after = set(), 0
    while ids := patent_selectors.patent_ids_after(after, 50_000):
        in_store.update(ids)
        after = ids[-1]
    changed = set(patent_selectors.patent_ids_changed_since(restored_since(manifest)))
    todo = sorted((in_index ^ in_store) | (changed & in_store))
    out = services.sync_ids(np.asarray(todo, dtype=np.int64)) if todo else {"indexed": 0, "removed": 0}
    return out | {"checked": len(in_store)}


# ---------------------------------------------------------------- the end-of-import sync as chunks


def sync_plan(ctx) -> list[dict] | None:
    """``plan`` of the chunked ``search.sync``: the pending ids (those of the import that queued it, and any
    a failed sync left) are frozen into a snapshot file in the job's spool folder and cut into ranges of
    :data:`QUEUE_INDEX_CHUNK`; fewer than two chunks run whole (``services.index_sync_job``)."""
    import numpy as np

    from ipoc.search import services

    wanted = services._read_pending()
    size = int(ctx.params.get("queue_chunk") or QUEUE_INDEX_CHUNK)
    if len(wanted) < 2 * size and not ctx.params.get("queue_chunk"):
        return None
    path = _spool(ctx.job.pk) / "wanted.npy"

    def write(tmp) -> None:
        with open(tmp, "wb") as fh:
            np.save(fh, wanted)

    _write_whole(path, write)
    ctx.set_total(len(wanted))
    return [{"start": a, "stop": min(a + size, len(wanted)), "size": min(size, len(wanted) - a)}
            for a in range(0, len(wanted), size)]


def sync_chunk(ctx, params: dict, spec: dict) -> dict:
    """Read and tokenise one range of the snapshot; documents to a spool file, ids no longer in the store
    listed in the result (the writer removes them)."""

    import numpy as np

    folder = _spool(ctx.job.params["parent"])
    ids = [int(i) for i in np.load(folder / "wanted.npy")[spec["start"]:spec["stop"]]]
    found, items = index_json_of_ids(ids)
    path = folder / f"sync-{spec['start']:012d}.jsonl"
    _write_documents(path, items)
    ctx.set_done(len(ids))
    gone = sorted(set(ids) - set(found))
    return {"file": path.name, "found": len(found), "gone": gone}


def sync_finish(ctx, results: list[dict]) -> dict:
    """The one writer: commit every chunk's documents in order, remove the patents gone from the store, drop
    the vectors of the re-indexed ones (their text may have changed: the encoder redoes them), and take the
    snapshot's ids off the pending list (ids a later import added meanwhile stay pending)."""
    import json
    import shutil
    import time

    import numpy as np

    from ipoc.search import services

    started = time.monotonic()
    eng = services.engine()
    folder = _spool(ctx.job.pk)
    wanted = np.load(folder / "wanted.npy")
    indexed = removed = 0
    with eng.writing():
        found: list[int] = []
        for result in results:
            with open(folder / result["file"], encoding="utf-8") as fh:
                items = [tuple(json.loads(line)) for line in fh]
            indexed += eng.upsert_json(items)
            found += [int(doc_id) for doc_id, _text in items]
            if result["gone"]:
                eng.remove(result["gone"])
                removed += len(result["gone"])
        if eng.vectors is not None and len(eng.vectors) and found:
            eng.vectors.delete(np.unique(np.asarray(found, dtype=np.int64)))
        left = np.setdiff1d(services._read_pending(), wanted)
        services._pending_path().unlink(missing_ok=True)
        if len(left):
            services._remember_pending(left)
    shutil.rmtree(folder, ignore_errors=True)
    return {"indexed": indexed, "removed": removed, "in_index": eng.lexical.num_docs, "chunks": len(results),
            "writer_seconds": round(time.monotonic() - started, 3)}
