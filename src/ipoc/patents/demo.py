"""``ipoc demo`` step: import the real CN sample files. Idempotent and quick to repeat: a file whose exact
content was already imported completely is not read again (``scripts/up.sh`` runs the demo at every start)."""

from __future__ import annotations

from pathlib import Path

# (relative path, format, options)
DEMO_FILES = [
    ("cn/incopat_style_sample.csv", "incopat", {}),
    ("cn/patents_kp.jsonl", "jsonl", {}),
    ("cn/patents_bdci.jsonl", "jsonl", {}),
]


def titles_ipc_training_folds(csv_path: Path, out_path: Path) -> Path:
    """``titles_ipc.csv`` as JSONL patents (number, title, IPC subclasses) — folds 1–4 only.

    Fold 5 is held out for evaluating IPC suggestion; since the IPC model also learns from the
    IPC codes of patents in the store, fold-5 records must never enter the store.
    """
    import csv
    import json

    with csv_path.open(encoding="utf-8") as src, out_path.open("w", encoding="utf-8") as dst:
        for row in csv.DictReader(src):
            if row["fold"] == "5":
                continue
            dst.write(json.dumps({"publication_number": row["publication_number"], "title": row["title"],
                                  "ipc_all": row["ipc_subclasses"].split("|")}, ensure_ascii=False) + "\n")
    return out_path


def already_imported(path: Path, fmt: str) -> bool:
    """Whether a completed import of exactly this content (same SHA-256, same format) exists."""
    import hashlib

    from ipoc.patents.models import ImportBatch, ImportStatus

    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    return ImportBatch.objects.filter(file_sha256=digest, format=fmt, status=ImportStatus.DONE).exists()


def _import(path: Path, fmt: str, options: dict) -> dict | str:
    from ipoc.patents.services import patent_import

    if already_imported(path, fmt):
        return "unchanged (already imported)"
    return patent_import(actor=None, path=path, format=fmt, options=options).counts()


def demo_patents(data_dir: Path) -> dict:
    import tempfile

    out: dict = {}
    for rel, fmt, options in DEMO_FILES:
        path = data_dir / rel
        out[rel] = _import(path, fmt, options) if path.exists() else "missing"
    titles = data_dir / "cn" / "titles_ipc.csv"
    if titles.exists():
        with tempfile.TemporaryDirectory() as tmp:
            jsonl = titles_ipc_training_folds(titles, Path(tmp) / "titles_ipc_folds_1-4.jsonl")
            out["cn/titles_ipc.csv (folds 1-4)"] = _import(jsonl, "jsonl", {})
    return out
