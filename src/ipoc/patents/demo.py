"""``ipoc demo`` step: import the real CN sample files (idempotent: a second run reports them unchanged)."""

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


def demo_patents(data_dir: Path) -> dict:
    import tempfile

    from ipoc.patents.services import patent_import

    out = {}
    for rel, fmt, options in DEMO_FILES:
        path = data_dir / rel
        if not path.exists():
            out[rel] = "missing"
            continue
        batch = patent_import(actor=None, path=path, format=fmt, options=options)
        out[rel] = batch.counts()
    titles = data_dir / "cn" / "titles_ipc.csv"
    if titles.exists():
        with tempfile.TemporaryDirectory() as tmp:
            jsonl = titles_ipc_training_folds(titles, Path(tmp) / "titles_ipc_folds_1-4.jsonl")
            out["cn/titles_ipc.csv (folds 1-4)"] = patent_import(actor=None, path=jsonl, format="jsonl").counts()
    return out
