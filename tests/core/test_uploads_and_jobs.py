"""Bounded work (issue 14 items 6, 8, 16): upload limits per kind, workbooks checked before they are read,
capped reports, capped background jobs, uploads deleted when their import ends, crashed imports not left
"running", and no server path in what a person reads."""

from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from ipoc.core.errors import ApplicationError
from ipoc.core.models import Job, JobStatus
from ipoc.core.uploads import XlsxLimits, check_xlsx
from ipoc.patents import services as patent_services
from ipoc.patents.models import ImportBatch, ImportRejection, ImportStatus, Patent

MB = 1 << 20
NS = b'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'


def _xlsx(path: Path, sheet: bytes, *, extra: int = 0) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", b"<Types/>")
        z.writestr("xl/workbook.xml", b"<workbook " + NS + b'><sheets><sheet name="S" sheetId="1"/></sheets></workbook>')
        z.writestr("xl/worksheets/sheet1.xml", sheet)
        for i in range(extra):
            z.writestr(f"xl/media/x{i}.bin", b"")
    return path


def _sheet(rows: int, declared: int | None = None) -> bytes:
    dim = f'<dimension ref="A1:B{declared or rows}"/>'.encode()
    body = b"".join(b'<row r="%d"><c r="A%d" t="inlineStr"><is><t>r%d</t></is></c></row>' % (i, i, i)
                    for i in range(1, rows + 1))
    return b"<worksheet " + NS + b">" + dim + b"<sheetData>" + body + b"</sheetData></worksheet>"


def _uploads(settings) -> list[Path]:
    folder = Path(settings.IPOC_HOME) / "uploads"
    return [p for p in folder.rglob("*") if p.is_file()] if folder.exists() else []


# ---------------------------------------------------------------- item 6: limits and workbooks


def test_each_upload_kind_has_its_own_limit_named_in_a_413(client, api_client, users, settings):
    settings.IPOC_UPLOAD_LIMITS = {"patents": 3 * MB, "spreadsheet": 1 * MB, "attachment": 1 * MB}
    lines = "".join(json.dumps({"id": f"k{i}", "title": "一种装置" + "x" * 1000}) + "\n" for i in range(1100))
    assert 1 * MB < len(lines.encode()) < 3 * MB
    api = api_client.as_user(users["center_a"])
    too_big_sheet = SimpleUploadedFile("需求.csv", ("需求名称\n" + "某需求\n" * 200_000).encode())
    response = client.post("/api/v1/demands/import", {"file": too_big_sheet}, **api.headers)
    assert response.status_code == 413
    assert response.json()["error"]["field"] == "file" and "1 MB" in response.json()["error"]["message"]
    bulk = SimpleUploadedFile("patents.jsonl", lines.encode())  # the same size is fine for bulk patent data
    response = client.post("/api/v1/patents/imports", {"file": bulk, "format": "auto"}, **api.headers)
    assert response.status_code == 202, response.content[:300]
    assert Patent.objects.count() == 1100
    client.force_login(users["ent_a"])
    too_big_sheet.seek(0)
    page = client.post("/demands/import/", {"file": too_big_sheet})
    assert page.status_code == 413 and "上限为 1 MB" in page.content.decode() and "navbar" in page.content.decode()
    assert _uploads(settings) == []


def test_an_empty_file_is_refused_naming_the_field(client, api_client, users, settings):
    api = api_client.as_user(users["center_a"])
    response = client.post("/api/v1/patents/imports", {"file": SimpleUploadedFile("p.jsonl", b"")}, **api.headers)
    assert response.status_code == 400 and response.json()["error"]["field"] == "file"
    assert "0 字节" in response.json()["error"]["message"]


def test_a_zip_bomb_workbook_is_refused_before_it_is_read(tmp_path):
    bomb = _xlsx(tmp_path / "bomb.xlsx", b"<worksheet " + NS + b"><sheetData>" + b"<row/>" * 2_000_000
                 + b"</sheetData></worksheet>")
    assert bomb.stat().st_size < 100_000
    with pytest.raises(ApplicationError, match="压缩比异常") as caught:
        check_xlsx(bomb)
    assert caught.value.field == "file" and str(tmp_path) not in caught.value.message


def test_a_workbook_declaring_too_many_rows_or_entries_is_refused(tmp_path):
    many_rows = _xlsx(tmp_path / "rows.xlsx", _sheet(3, declared=421_000))
    with pytest.raises(ApplicationError, match="421,000 行"):
        check_xlsx(many_rows)
    check_xlsx(many_rows, kind="patents")  # a bulk patent workbook may be that long
    with pytest.raises(ApplicationError, match="内含 2101 个文件"):
        check_xlsx(_xlsx(tmp_path / "entries.xlsx", _sheet(1), extra=2098))
    for name, content in (("empty.xlsx", b""), ("text.xlsx", b"not a zip"), ("nobook.xlsx", None)):
        path = tmp_path / name
        if content is None:
            with zipfile.ZipFile(path, "w") as z:
                z.writestr("a.txt", "x")
        else:
            path.write_bytes(content)
        with pytest.raises(ApplicationError) as caught:
            check_xlsx(path)
        assert caught.value.field == "file" and name in caught.value.message


def test_rows_are_capped_while_streaming_when_no_size_is_declared(tmp_path, settings):
    from openpyxl import Workbook

    from ipoc.core.tabular import sheet_rows

    settings.IPOC_XLSX_LIMITS = {"spreadsheet": XlsxLimits(entries=100, unpacked=10 * MB, ratio=100, rows=5)}
    workbook = Workbook()
    for i in range(12):
        workbook.active.append([f"r{i}"])
    made = tmp_path / "made.xlsx"
    workbook.save(made)
    liar = tmp_path / "liar.xlsx"  # the same workbook, its sheet declaring no size (openpyxl then reads all)
    with zipfile.ZipFile(made) as src, zipfile.ZipFile(liar, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            data = src.read(info)
            if info.filename == "xl/worksheets/sheet1.xml":
                data = data.replace(b'<dimension ref="A1:A12" />', b"")
                assert b"dimension" not in data
            dst.writestr(info, data)
    with pytest.raises(ApplicationError, match="超过 5 行上限"):
        list(sheet_rows(liar))
    csv_path = tmp_path / "long.csv"
    csv_path.write_text("a\n" + "x\n" * 12)
    with pytest.raises(ApplicationError, match="超过 5 行上限"):
        list(sheet_rows(csv_path))


def test_a_csv_cell_over_the_csv_limit_is_a_400_with_the_row(tmp_path):
    from ipoc.core.tabular import sheet_rows

    path = tmp_path / "huge.csv"
    path.write_text("需求名称,需求描述\n短,短\n" + "长" * 140_000 + ",x\n", encoding="utf-8")
    with pytest.raises(ApplicationError, match="第 3 行无法读取：单元格超过 131,072 个字符") as caught:
        list(sheet_rows(path))
    assert caught.value.field == "file"


def test_the_demand_report_keeps_1000_rejected_rows_and_counts_the_rest(orgs, tmp_path):
    from ipoc.demands import services

    path = tmp_path / "bad.csv"
    path.write_text("需求名称,截止日期\n" + "".join(f"需求{i},不是日期\n" for i in range(1205)), encoding="utf-8")
    report = services.demand_import(actor=None, path=path, center=orgs["center_a"])
    assert report["counts"]["rejected"] == 1205
    assert len(report["rejected_rows"]) == 1000 and report["rejected_more"] == 205


def test_the_patent_import_stores_1000_rejections_and_counts_them_all(db, tmp_path):
    path = tmp_path / "bad.jsonl"
    path.write_text("".join("{not json\n" for _ in range(1100)) + json.dumps({"id": "a", "title": "好"}) + "\n")
    batch = patent_services.patent_import(actor=None, path=path, batch_size=300)
    assert batch.rejected_count == 1100 and batch.new_count == 1
    assert ImportRejection.objects.filter(batch=batch).count() == 1000


# ---------------------------------------------------------------- item 8: jobs capped, uploads deleted


def _running(kind: str, org, *, age_seconds: int = 0) -> Job:
    at = timezone.now() - timezone.timedelta(seconds=age_seconds)
    return Job.objects.create(kind=kind, status=JobStatus.RUNNING, organization=org, started_at=at, heartbeat_at=at)


def test_a_center_runs_one_batch_match_at_a_time_and_the_kind_is_capped(api_client, users, orgs, settings):
    from ipoc.matching.models import MatchRun

    running = _running("matching.batch", orgs["center_a"])
    api_a = api_client.as_user(users["center_a"])
    response = api_a.post("/matching/runs")
    assert response.status_code == 409 and response.json()["error"]["job_id"] == running.pk
    assert "正在运行" in response.json()["error"]["message"]
    settings.IPOC_JOB_MAX_ACTIVE = {"matching.batch": 1}
    response = api_client.as_user(users["center_b"]).post("/matching/runs")
    assert response.status_code == 429 and "上限 1 个" in response.json()["error"]["message"]
    assert MatchRun.objects.count() == 0  # a refused start leaves no empty run behind
    # a job whose process died long ago (no heartbeat) does not block anyone
    Job.objects.filter(pk=running.pk).update(heartbeat_at=timezone.now() - timezone.timedelta(hours=2))
    assert api_a.post("/matching/runs").status_code == 202


def test_one_organisation_cannot_take_every_slot_of_a_kind(users, orgs, settings):
    from ipoc.core.jobs import job_admit

    settings.IPOC_JOB_MAX_ACTIVE = {"valuation.run": 3}
    _running("valuation.run", orgs["center_a"])
    with pytest.raises(ApplicationError) as refused:  # center 甲 holds 1 of 3 slots: its share (3 // 2)
        job_admit(actor=users["center_a"], kind="valuation.run")
    assert refused.value.status == 429 and "每个单位最多 1 个" in refused.value.message
    job_admit(actor=users["center_b"], kind="valuation.run")  # another center still gets a slot
    _running("valuation.run", orgs["center_b"])
    _running("valuation.run", None)
    with pytest.raises(ApplicationError) as full:
        job_admit(actor=users["admin"], kind="valuation.run")
    assert full.value.status == 429 and "上限 3 个" in full.value.message


def test_jobs_wait_for_a_free_slot_of_their_kind(db, settings):
    # the slots are now counted across every task-queue worker (tests/core/test_queue.py has the rest)
    from ipoc.core import jobs, queue

    settings.IPOC_JOB_CONCURRENCY = {"test.slots": 1}
    first, second = (Job.objects.create(kind="test.slots", status="running", started_at=timezone.now(),
                                        heartbeat_at=timezone.now()) for _ in range(2))
    assert queue._within_caps(first) and not queue._within_caps(second)  # a second job waits
    assert jobs.job_concurrency("other.kind") == jobs.CONCURRENCY["default"]


def test_an_upload_is_deleted_when_its_import_ends_and_a_refused_one_at_once(client, api_client, users, settings):
    api = api_client.as_user(users["center_a"])
    good = SimpleUploadedFile("ok.jsonl", (json.dumps({"id": "1", "title": "一种电池"}) + "\n").encode())
    assert client.post("/api/v1/patents/imports", {"file": good}, **api.headers).status_code == 202
    assert _uploads(settings) == []
    unknown = SimpleUploadedFile("mystery.bin", b"\x00\x01 nothing known")
    response = client.post("/api/v1/patents/imports", {"file": unknown}, **api.headers)
    assert response.status_code == 400 and _uploads(settings) == []
    # a file given on the command line is never deleted
    mine = Path(settings.IPOC_HOME) / "mine.jsonl"
    mine.write_text(json.dumps({"id": "2", "title": "一种装置"}) + "\n")
    patent_services.patent_import(actor=None, path=mine)
    assert mine.exists()


# ---------------------------------------------------------------- item 16: crashes and server paths


def test_a_crashed_import_is_marked_failed_and_what_it_committed_is_searchable(db, tmp_path, monkeypatch):
    path = tmp_path / "p.jsonl"
    path.write_text("".join(json.dumps({"id": str(i), "title": f"一种装置{i}"}) + "\n" for i in range(30)))
    handed = []
    monkeypatch.setattr(patent_services, "PATENT_CHANGE_LISTENERS", [handed.extend])
    real, calls = patent_services._upsert_batch, []

    def crash_on_second(batch, records):
        calls.append(1)
        if len(calls) == 2:
            raise RuntimeError(f"disk gone under {tmp_path}")
        return real(batch, records)

    monkeypatch.setattr(patent_services, "_upsert_batch", crash_on_second)
    with pytest.raises(RuntimeError):
        patent_services.patent_import(actor=None, path=path, batch_size=10)
    batch = ImportBatch.objects.get()
    assert batch.status == ImportStatus.FAILED
    assert sorted(handed) == sorted(Patent.objects.values_list("id", flat=True)) and len(handed) == 10
    job = Job.objects.get(kind="patents.import")
    assert job.status == JobStatus.FAILED and "Traceback" not in job.error and str(tmp_path) not in job.error


def test_an_import_whose_process_died_is_marked_interrupted_at_restart(db, tmp_path, monkeypatch):
    from ipoc.core.jobs import jobs_mark_stale_interrupted

    path = tmp_path / "p.jsonl"
    path.write_text(json.dumps({"id": "1", "title": "一种装置"}) + "\n")
    job = patent_services.patent_import_start(actor=None, path=path)
    batch = ImportBatch.objects.get(pk=job.params["batch_id"])
    Patent.objects.create(key="ext:p:1", title="一种装置", last_import=batch)  # committed before the crash
    old = timezone.now() - timezone.timedelta(minutes=10)
    Job.objects.filter(pk=job.pk).update(status=JobStatus.RUNNING, started_at=old, heartbeat_at=old)
    handed = []
    monkeypatch.setattr(patent_services, "PATENT_CHANGE_LISTENERS", [handed.extend])
    assert jobs_mark_stale_interrupted(older_than_seconds=120) == 1
    batch.refresh_from_db()
    assert batch.status == ImportStatus.INTERRUPTED and handed == [Patent.objects.get().pk]


def test_import_errors_name_the_file_never_its_server_path(client, api_client, users, settings, tmp_path):
    api = api_client.as_user(users["center_a"])
    upload = SimpleUploadedFile("说明.txt", "这不是专利数据".encode())
    response = client.post("/api/v1/patents/imports", {"file": upload}, **api.headers)
    message = response.json()["error"]["message"]
    assert response.status_code == 400 and "说明.txt" in message and str(settings.IPOC_HOME) not in message
    bad = SimpleUploadedFile("rows.jsonl", b'{"id": "1", "title": ""}\n')
    response = client.post("/api/v1/patents/imports", {"file": bad}, **api.headers)
    report = api.get(f"/patents/imports/{response.json()['batch_id']}").json()
    assert [r["file"] for r in report["rejected_rows"]] == ["rows.jsonl"]
    assert str(settings.IPOC_HOME) not in json.dumps(report)


def test_a_paths_in_application_errors_are_redacted(settings):
    error = ApplicationError(f"无法读取文件 {settings.IPOC_HOME}/uploads/tmpx1/需求.csv：bad")
    assert error.message == "无法读取文件 需求.csv：bad"


def test_xlsx_entities_are_refused_without_reading_the_file(tmp_path):
    from ipoc.core.tabular import sheet_rows

    secret = tmp_path / "secret.txt"
    secret.write_text("top-secret")
    sheet = (b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e SYSTEM "file://' + str(secret).encode() + b'">]>'
             b"<worksheet " + NS + b'><sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>&e;</t></is></c></row>'
             b"</sheetData></worksheet>")
    with pytest.raises(ApplicationError) as caught:
        list(sheet_rows(_xlsx(tmp_path / "x.xlsx", sheet)))
    assert "top-secret" not in caught.value.message and caught.value.field == "file"


def test_openpyxl_is_never_given_a_file_that_is_not_a_workbook(tmp_path):
    from ipoc.core.tabular import sheet_rows

    path = tmp_path / "fake.xlsx"
    path.write_bytes(io.BytesIO(b"PK\x03\x04garbage").getvalue())
    with pytest.raises(ApplicationError, match="不是有效的 Excel"):
        list(sheet_rows(path))
