"""JSONL import: field names, external ids, bad lines, round trip."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

from ipoc.patents.claims import Claim
from ipoc.patents.importers import iter_records
from ipoc.patents.importers.jsonl import iter_jsonl, stable_external_id
from ipoc.patents.records import Party, PatentRecord

from . import FIXTURES, require_sample_dir


def test_broken_jsonl_lines_are_rejected_and_others_continue() -> None:
    path = FIXTURES / "broken.jsonl"
    items = list(iter_jsonl(path))
    assert [row for row, _, _ in items] == [1, 2, 3, 4, 5, 6]
    errors = {row: errs for row, _, errs in items if errs}
    assert sorted(errors) == [2, 4, 5, 6]
    assert [(e.file, e.row, e.field) for e in errors[2]] == [(path.name, 2, "json")]
    assert errors[4][0].field == "json" and "list" in errors[4][0].reason
    assert errors[5][0].field == "application_number" and "校验位" in errors[5][0].reason
    assert errors[6][0].field == "application_date"
    first = items[0][1]
    assert first.key == "ext:broken:a1"
    assert first.source_meta == {"label": "7", "label_source": "gold", "source": "broken"}
    assert "7" not in first.searchable_text() and "gold" not in first.searchable_text()
    third = items[2][1]
    assert third.external_id == stable_external_id("一种传感器", "一种传感器。",
                                                   "1.一种传感器。\n2.根据权利要求1所述的传感器，其特征在于，还包括外壳。")
    assert [c.refers_to for c in third.claims] == [[], [1]]
    assert third.source_meta["keyphrases"] == ["传感器"]


def test_round_trip_of_full_record(tmp_path: Path) -> None:
    record = PatentRecord(
        source_format="jsonl", application_number="CN202110356789.4", publication_number="CN113012345A",
        grant_number="CN113012345B", jurisdiction="CN", kind_code="B", patent_type="发明", title="一种方法",
        title_translations={"en": "A method"}, abstract="摘要",
        claims=[Claim(1, "一种方法。", True, []), Claim(2, "根据权利要求1所述的方法。", False, [1])],
        applicants=[Party("清华大学", "高校", "CN", "北京")], inventors=["张三"], ipc_main="H01M4/04",
        ipc_all=["H01M4/04"], application_date=date(2021, 4, 1), grant_date=date(2023, 1, 2), legal_status="有效",
        region_code="11", transfer_count=1, last_transfer_date=date(2024, 5, 6),
    )
    path = tmp_path / "one.jsonl"
    path.write_text(json.dumps(record.to_dict(), ensure_ascii=False) + "\n", encoding="utf-8")
    [(row, loaded, errs)] = list(iter_records(path))
    assert errs == [] and row == 1
    assert loaded.key == "CN113012345A"
    for name in ("application_number", "grant_number", "title", "title_translations", "claims", "applicants",
                 "inventors", "ipc_all", "application_date", "grant_date", "legal_status", "region_code",
                 "transfer_count", "last_transfer_date"):
        assert getattr(loaded, name) == getattr(record, name), name
    assert PatentRecord.from_dict(record.to_dict()) == record


def test_real_jsonl_samples_load_without_rejections() -> None:
    cn = require_sample_dir() / "cn"
    for name, expected in (("patents_bdci.jsonl", 4097), ("patents_kp.jsonl", 696)):
        items = list(iter_jsonl(cn / name))
        assert len(items) == expected
        assert [e for _, _, errs in items for e in errs] == []
        keys = {rec.key for _, rec, _ in items}
        assert len(keys) == expected, "external ids must be unique"
    bdci = next(iter_jsonl(cn / "patents_bdci.jsonl"))[1]
    assert bdci.key.startswith("ext:patents_bdci:") and set(bdci.source_meta) == {"label", "label_source", "source"}
    assert bdci.applicants and bdci.applicants[0].type == "企业"
    kp = next(iter_jsonl(cn / "patents_kp.jsonl"))[1]
    assert len(kp.claims) == 10 and kp.claims[1].refers_to == [1]
