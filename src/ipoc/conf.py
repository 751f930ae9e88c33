"""Where an IPOC instance keeps its data, read from the environment.

Every command and the web server resolve these the same way, so several
independent instances can live side by side (one ``IPOC_HOME`` each).

- ``IPOC_HOME``: the instance folder (database, search index, uploads, jobs);
  default ``./var`` relative to the working directory.
- ``DATABASE_URL``: when set (e.g. ``postgres://user@127.0.0.1:5432/ipoc``) it
  replaces the embedded SQLite database ``$IPOC_HOME/ipoc.sqlite3``.
- ``IPOC_SAMPLE_DATA``: the real sample data folder; default ``../shared/data``
  beside the project checkout.
"""

from __future__ import annotations

import os
from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent
PROJECT_DIR = PACKAGE_DIR.parent.parent  # the checkout (src/ipoc/ -> ./)


def ipoc_home() -> Path:
    home = Path(os.environ.get("IPOC_HOME", "var")).expanduser().resolve()
    home.mkdir(parents=True, exist_ok=True)
    return home


def sample_data_dir() -> Path:
    configured = os.environ.get("IPOC_SAMPLE_DATA")
    if configured:
        return Path(configured).expanduser().resolve()
    return (PROJECT_DIR.parent / "shared" / "data").resolve()


SERVING_THREAD_VARS = ("OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS")


def limit_blas_threads_for_serving() -> None:
    """One BLAS thread in a serving process (``ipoc serve``, WSGI), unless the operator set one.

    A search request runs a small BLAS product (the dense search) and then the query encoder's own threads;
    OpenBLAS worker threads keep spinning for a while after each call and take the cores the encoder needs.
    Measured on 100k derived patents, 2 cores, quiet machine (``bench/search_speed.py --hybrid-e2e``): hybrid
    p95 including query encoding 142 ms with default BLAS threads, 53 ms with one. Must run before numpy is
    imported. Batch commands (encoding, IPC training, graph builds) keep all threads.
    """
    for var in SERVING_THREAD_VARS:
        os.environ.setdefault(var, "1")
