"""``ipoc demo`` step: import the real CN sample files (idempotent: a second run reports them unchanged)."""

from __future__ import annotations

from pathlib import Path

# (relative path, format, options)
DEMO_FILES = [
    ("cn/incopat_style_sample.csv", "incopat", {}),
    ("cn/patents_kp.jsonl", "jsonl", {}),
    ("cn/patents_bdci.jsonl", "jsonl", {}),
]


def demo_patents(data_dir: Path) -> dict:
    from ipoc.patents.services import patent_import

    out = {}
    for rel, fmt, options in DEMO_FILES:
        path = data_dir / rel
        if not path.exists():
            out[rel] = "missing"
            continue
        batch = patent_import(actor=None, path=path, format=fmt, options=options)
        out[rel] = batch.counts()
    return out
