"""bench/derive_corpus.py output: valid, unique, marked derived, loadable, never from held-out fold 5."""

from __future__ import annotations

import csv
import importlib.util
import json
from pathlib import Path

from ipoc.patents.importers.jsonl import iter_jsonl
from ipoc.patents.numbers import parse_application_number

from . import require_sample_dir

SCRIPT = Path(__file__).resolve().parents[2] / "bench" / "derive_corpus.py"


def _load_script():
    spec = importlib.util.spec_from_file_location("derive_corpus", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    assert spec.loader is not None
    spec.loader.exec_module(module)
    return module


def test_derived_corpus_is_valid_unique_and_loadable(tmp_path: Path) -> None:
    data = require_sample_dir()
    derive = _load_script()
    out = tmp_path / "derived.jsonl"
    assert derive.main(["--n", "300", "--out", str(out), "--seed", "7", "--workers", "1", "--data", str(data)]) == 0
    lines = out.read_text(encoding="utf-8").splitlines()
    assert len(lines) == 300
    raw = [json.loads(line) for line in lines]
    assert all(r["derived"] is True for r in raw)
    items = list(iter_jsonl(out))
    assert [e for _, _, errs in items for e in errs] == []
    records = [rec for _, rec, _ in items]
    assert len({r.key for r in records}) == 300
    assert len({r.application_number for r in records}) == 300
    for r in records:
        assert parse_application_number(r.application_number).canonical == r.application_number
        assert r.title and r.applicants and r.inventors and r.ipc_all and r.application_date and r.region_code
        assert r.legal_status in ("有效", "审中", "失效")
        assert r.source_meta["derived"] is True
        assert r.patent_type == "外观设计" or r.claims
    # deterministic for a seed
    again = tmp_path / "again.jsonl"
    derive.main(["--n", "300", "--out", str(again), "--seed", "7", "--workers", "1", "--data", str(data)])
    assert again.read_bytes() == out.read_bytes()
    # titles that exist only in the held-out fold 5 never appear
    cn = data / "cn"
    with open(cn / "titles_ipc.csv", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    allowed = {r["title"] for r in rows if r["fold"] != "5"}
    allowed |= {json.loads(line)["title"] for name in ("patents_bdci.jsonl", "patents_kp.jsonl")
                for line in open(cn / name, encoding="utf-8")}
    held_out = {r["title"] for r in rows if r["fold"] == "5"} - allowed
    assert held_out
    for r in records:
        assert r.title not in held_out
        # every title is an allowed real title, possibly with one of the documented suffixes
        assert any(r.title.removesuffix(s) in allowed for s in derive.TITLE_SUFFIXES)
