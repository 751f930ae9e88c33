"""``ipoc demo`` step: rebuild the search index, train the IPC model (fold 5 held out) and
encode the demo corpus. ``IPOC_DEMO_IPC_MODEL=0`` / ``IPOC_DEMO_ENCODE=0`` skip the two slow parts
(``scripts/up.sh`` runs them in a background process instead, so the platform starts at once)."""

from __future__ import annotations

import os
import time
from pathlib import Path


def demo_search(data_dir: Path) -> dict:
    from ipoc.search import services

    out: dict = {}
    started = time.monotonic()
    job = services.index_rebuild(actor=None)
    out["rebuild"] = job.result
    titles = data_dir / "cn" / "titles_ipc.csv"
    if os.environ.get("IPOC_DEMO_IPC_MODEL", "1") == "0":
        out["ipc_model"] = "skipped (IPOC_DEMO_IPC_MODEL=0)"
    elif titles.exists():
        out["ipc_model"] = services.ipc_model_train(titles, exclude_fold=5, force=False)
    else:
        out["ipc_model"] = "missing"
    if os.environ.get("IPOC_DEMO_ENCODE", "1") != "0":
        out["encode"] = services.index_encode(actor=None).result
    else:
        out["encode"] = "skipped (IPOC_DEMO_ENCODE=0)"
    out["seconds"] = round(time.monotonic() - started, 3)
    return out
