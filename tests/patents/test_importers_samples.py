"""Every shared sample patent file imports through the iterators with zero rejected rows."""

from __future__ import annotations

import pytest

from ipoc.patents.importers import detect_format, iter_records
from ipoc.patents.importers.detect import UnknownFormatError

from . import FIXTURES, require_sample_dir

#: (relative path or glob, expected format)
SAMPLES = [
    ("cn/incopat_style_sample.csv", "incopat"),
    ("cn/patents_bdci.jsonl", "jsonl"),
    ("cn/patents_kp.jsonl", "jsonl"),
    ("us/ipg120327_196_grants.xml", "uspto-xml"),
    ("us/uspto_formats/*.xml", "uspto-xml"),
    ("ep/eps_xml/*.xml", "epo-xml"),
]


@pytest.mark.parametrize(("pattern", "fmt"), SAMPLES)
def test_sample_files_import_without_errors(pattern: str, fmt: str) -> None:
    root = require_sample_dir()
    paths = sorted(root.glob(pattern))
    assert paths, pattern
    for path in paths:
        assert detect_format(path) == fmt, path
        items = list(iter_records(path, "auto"))
        assert items, path
        errors = [str(e) for _, _, errs in items for e in errs]
        assert errors == [], errors
        for _, rec, _ in items:
            assert rec is not None and rec.key and (rec.title or rec.abstract or rec.claims)


def test_old_uspto_dtds_are_read_best_effort() -> None:
    root = require_sample_dir() / "us" / "uspto_formats"
    [(_, grant, _)] = list(iter_records(root / "grant_v2-5-B2.xml"))
    assert grant.key == "US6530116B2" and grant.ipc_main == "A47L5/14" and len(grant.claims) == 20
    [(_, app, _)] = list(iter_records(root / "application_v1-5-A1_2.xml"))
    assert app.key == "US20010000002A1" and len(app.claims) == 33


def test_detect_format_rejects_unknown(tmp_path) -> None:
    path = tmp_path / "notes.txt"
    path.write_text("just some notes\n", encoding="utf-8")
    with pytest.raises(UnknownFormatError):
        detect_format(path)
    assert detect_format(FIXTURES / "broken_incopat.csv") == "incopat"
    assert detect_format(FIXTURES / "broken.jsonl") == "jsonl"
