"""Probe finding on the patent import (issue 14 item 3's rule, for patents): universities, offices and centers
may import patent files into the one shared patent store, and a row whose key matched an existing patent
rewrote it — applicants and holders included. A university uploaded a file with another institute's
publication number and itself as applicant (and, for unnumbered records, a file named like the demo's source
``patents_bdci.jsonl`` with an existing id) and became the holder of both: it could then list them (挂牌) or
file them as its stock. An import by a user may now only update the patents its own organisation imported;
a row that would change anyone else's patent is rejected with its reason (identical rows stay "unchanged").
Platform administrators and the system (command line) update any patent."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from ipoc.patents import services
from ipoc.patents.models import ImportRejection, Patent

pytestmark = pytest.mark.django_db


def _file(folder: Path, name: str, rows: list[dict]) -> Path:
    path = folder / name
    path.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in rows), encoding="utf-8")
    return path


def _applicants(patent: Patent) -> list[str]:
    return sorted(p.name for p in patent.parties.filter(role="applicant"))


@pytest.fixture
def theirs(orgs, tmp_path):
    services.patent_import(actor=None, path=_file(tmp_path, "load.jsonl", [
        {"publication_number": "CN120000002A", "title": "一种隔膜涂覆方法", "abstract": "原摘要",
         "applicants": [{"name": orgs["ent_b"].name, "type": "企业"}]}]), format="jsonl")
    (tmp_path / "src").mkdir()
    services.patent_import(actor=None, path=_file(tmp_path / "src", "patents_bdci.jsonl", [
        {"id": "e1e773dac74bb1e2612930a4f6bd645a", "title": "通信方法、终端及网络设备", "applicant": orgs["ent_b"].name,
         "abstract": "原摘要"}]), format="jsonl")
    return Patent.objects.get(publication_number="CN120000002A"), Patent.objects.get(
        key="ext:patents_bdci:e1e773dac74bb1e2612930a4f6bd645a")


def test_a_university_cannot_take_over_an_existing_patent_by_number(users, orgs, theirs, tmp_path):
    numbered, _unnumbered = theirs
    batch = services.patent_import(actor=users["univ"], path=_file(tmp_path, "mine.jsonl", [
        {"publication_number": "CN120000002A", "title": "一种隔膜涂覆方法", "abstract": "改写",
         "applicants": [{"name": orgs["univ"].name, "type": "高校"}]}]), format="jsonl")
    numbered.refresh_from_db()
    assert _applicants(numbered) == [orgs["ent_b"].name] and numbered.abstract == "原摘要"
    assert (batch.updated_count, batch.rejected_count) == (0, 1)
    rejection = ImportRejection.objects.get(batch=batch)
    assert rejection.row == 1 and "其他" in rejection.reason


def test_nor_by_a_file_named_like_another_source(users, orgs, theirs, tmp_path):
    _numbered, unnumbered = theirs
    batch = services.patent_import(actor=users["univ"], path=_file(tmp_path, "patents_bdci.jsonl", [
        {"id": "e1e773dac74bb1e2612930a4f6bd645a", "title": "通信方法、终端及网络设备", "applicant": orgs["univ"].name,
         "abstract": "改写"}]), format="jsonl")
    unnumbered.refresh_from_db()
    assert _applicants(unnumbered) == [orgs["ent_b"].name] and batch.rejected_count == 1


def test_own_imports_are_updated_and_identical_rows_stay_unchanged(users, orgs, theirs, tmp_path):
    row = {"publication_number": "CN120000009A", "title": "一种极耳焊接装置",
           "applicants": [{"name": orgs["univ"].name, "type": "高校"}]}
    services.patent_import(actor=users["univ"], path=_file(tmp_path, "a.jsonl", [row]), format="jsonl")
    again = services.patent_import(actor=users["univ"], path=_file(tmp_path, "a.jsonl", [
        {**row, "abstract": "补充摘要"}]), format="jsonl")
    assert (again.updated_count, again.rejected_count) == (1, 0)
    assert Patent.objects.get(publication_number="CN120000009A").abstract == "补充摘要"
    same = services.patent_import(actor=users["univ"], path=_file(tmp_path, "a.jsonl", [
        {**row, "abstract": "补充摘要"}]), format="jsonl")
    assert (same.unchanged_count, same.rejected_count) == (1, 0)
    unchanged = services.patent_import(actor=users["univ"], path=_file(tmp_path, "load.jsonl", [
        {"publication_number": "CN120000002A", "title": "一种隔膜涂覆方法", "abstract": "原摘要",
         "applicants": [{"name": orgs["ent_b"].name, "type": "企业"}]}]), format="jsonl")
    assert (unchanged.unchanged_count, unchanged.rejected_count) == (1, 0)  # the same record, nothing to change


def test_administrators_update_any_patent(users, orgs, theirs, tmp_path):
    numbered, _unnumbered = theirs
    batch = services.patent_import(actor=users["admin"], path=_file(tmp_path, "fix.jsonl", [
        {"publication_number": "CN120000002A", "title": "一种隔膜涂覆方法", "abstract": "更正",
         "applicants": [{"name": orgs["ent_a"].name, "type": "企业"}]}]), format="jsonl")
    numbered.refresh_from_db()
    assert batch.updated_count == 1 and _applicants(numbered) == [orgs["ent_a"].name]
