"""The chunked import's plan pass over a JSON Lines file (issue 21): the layout before session 9 (each line copied
into its part file) against today's (each part a list of row, byte offset, length in the uploaded file), on the
same file and parts, the part of a line chosen by the product's ``patents.services._part_of``. Baseline in the
same run: the old layout. DERIVED corpus (``bench/derive_corpus.py``).

    IPOC_HOME=<any instance> nice -n 10 .venv/bin/python bench/import_plan.py /work/bench-data/derived_1m.jsonl 100
"""

from __future__ import annotations

import json
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def copies(path: Path, parts: int, folder: Path, part_of, lines_of) -> None:
    """The layout before session 9: every line copied into its part."""
    outs = [(folder / f"part-{i:05d}.jsonl").open("wb") for i in range(parts)]
    nums = [(folder / f"part-{i:05d}.rows").open("w") for i in range(parts)]
    try:
        with path.open("rb") as fh:
            for row, raw in lines_of(fh):
                i = part_of(raw, row, parts)
                outs[i].write(raw if raw is not None and raw.endswith(b"\n") else (raw or b"") + b"\n")
                nums[i].write(f"{row} {0 if raw is not None else 1}\n")
    finally:
        for f in (*outs, *nums):
            f.close()


def offsets(path: Path, parts: int, folder: Path, part_of, lines_of) -> None:
    """Today's layout (``patents.services.patent_import_plan``): row, offset and length per line."""
    nums = [(folder / f"part-{i:05d}.rows").open("w") for i in range(parts)]
    try:
        with path.open("rb") as fh:
            lines = lines_of(fh)
            while True:
                start = fh.tell()
                try:
                    row, raw = next(lines)
                except StopIteration:
                    break
                nums[part_of(raw, row, parts)].write(f"{row} {start} {-1 if raw is None else len(raw)}\n")
    finally:
        for f in nums:
            f.close()


def main() -> None:
    path, parts = Path(sys.argv[1]), int(sys.argv[2])
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ipoc.settings")
    sys.path.insert(0, str(REPO / "src"))
    import django

    django.setup()
    from ipoc.patents.importers.jsonl import _lines
    from ipoc.patents.services import _part_of

    out: dict = {"derived": True, "file_bytes": path.stat().st_size, "parts": parts, "loadavg_start": os.getloadavg()}
    for name, layout in (("offsets (today)", offsets), ("copies (before, baseline)", copies)):
        folder = Path(tempfile.mkdtemp(dir=path.parent))
        try:
            t = time.perf_counter()
            layout(path, parts, folder, _part_of, _lines)
            os.sync()
            wall = time.perf_counter() - t
            written = sum(f.stat().st_size for f in folder.iterdir())
        finally:
            shutil.rmtree(folder, ignore_errors=True)
        out[name] = {"seconds": round(wall, 1), "written_bytes": written}
        print(name, out[name], flush=True)
    out["loadavg_end"] = os.getloadavg()
    print(json.dumps(out, ensure_ascii=False))


if __name__ == "__main__":
    main()
