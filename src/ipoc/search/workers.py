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
