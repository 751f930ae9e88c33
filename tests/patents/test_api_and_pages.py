"""Patents through the API and the pages: filters, detail with computed fields, upload, report, export."""

from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command

from ipoc.patents import services

FIXTURES = Path(__file__).parent / "fixtures"


@pytest.fixture
def patents(db):
    services.patent_import(actor=None, path=FIXTURES / "broken_incopat.csv", format="incopat")


def test_list_filters(api_client, users, patents):
    api = api_client.as_user(users["ent_a"])
    assert api.get("/patents").json()["count"] == 3
    assert [p["key"] for p in api.get("/patents", patent_type="utility_model").json()["items"]] == ["CN209876543U"]
    assert api.get("/patents", ipc="F16L37").json()["count"] == 1
    assert api.get("/patents", ipc="H01M").json()["count"] >= 1
    univ = api.get("/patents", applicant_type="university").json()
    assert all("清华大学" in " ".join(p["applicants"]) or "大学" in " ".join(p["applicants"]) for p in univ["items"])
    assert api.get("/patents", application_date_from="2021-01-01").json()["count"] == \
        len([p for p in api.get("/patents").json()["items"] if (p["application_date"] or "") >= "2021-01-01"])
    assert api.get("/patents", legal_status="pending").json()["count"] == 1
    assert api.get("/patents", applicant="电工研究所", region="11").json()["count"] == 1


def test_detail_has_computed_expiry_and_status(api_client, users, patents):
    body = api_client.as_user(users["ent_a"]).get("/patents/CN209876543U", on="2020-01-01").json()
    assert body["patent_type"] == "utility_model"
    assert body["expiry_date"] == "2028-01-25"
    assert body["legal_status"] == "valid" and body["application_number"] == "CN201820123456.0"
    assert body["in_force"] is True
    later = api_client.as_user(users["ent_a"]).get("/patents/CN209876543U", on="2028-01-26").json()
    assert later["in_force"] is False and later["remaining_life_years"] == 0  # the day after expiry
    assert api_client.as_user(users["ent_a"]).get("/patents/CN0000000A").status_code == 404


def test_upload_import_and_report_over_api(client, api_client, users, db):
    api = api_client.as_user(users["center_a"])
    with (FIXTURES / "broken_incopat.csv").open("rb") as fh:
        response = client.post("/api/v1/patents/imports", {"file": fh, "format": "incopat"}, **api.headers)
    assert response.status_code == 202, response.content
    started = response.json()
    job = api.get(f"/jobs/{started['job_id']}").json()
    assert job["status"] == "succeeded" and job["result"]["counts"]["rejected"] == 4
    report = api.get(f"/patents/imports/{started['batch_id']}").json()
    assert {(r["row"], r["field"]) for r in report["rejected_rows"]} >= {(3, "申请号"), (5, "专利名称")}
    # another center's staff cannot read this report
    assert api_client.as_user(users["center_b"]).get(f"/patents/imports/{started['batch_id']}").status_code == 404


def test_enterprise_users_cannot_upload(client, api_client, users):
    api = api_client.as_user(users["ent_a"])
    upload = SimpleUploadedFile("x.jsonl", b'{"id": "1", "title": "t"}')
    assert client.post("/api/v1/patents/imports", {"file": upload}, **api.headers).status_code == 403


def test_pages_and_exports(client, users, patents):
    client.force_login(users["ent_a"])
    html = client.get("/patents/", {"patent_type": "invention"}).content.decode()
    assert "一种锂电池极片涂布方法" in html and "一种散热装置" not in html
    detail = client.get("/patents/CN113012345A/").content.decode()
    assert "权利要求" in detail and "期限届满日" in detail
    csv_body = b"".join(client.get("/patents/export.csv", {"patent_type": "utility_model"}).streaming_content)
    text = csv_body.decode("utf-8-sig")
    assert text.splitlines()[0].startswith("公开（公告）号,申请号,专利名称")
    assert "CN209876543U" in text and "CN113012345A" not in text
    xlsx = client.get("/patents/export.xlsx")
    assert xlsx["Content-Type"].startswith("application/vnd.openxmlformats")
    from io import BytesIO

    from openpyxl import load_workbook

    rows = list(load_workbook(BytesIO(xlsx.content)).active.values)
    assert len(rows) == 4 and rows[0][0] == "公开（公告）号"


def test_upload_page_runs_the_job_and_shows_progress(client, users, db):
    client.force_login(users["center_a"])
    with (FIXTURES / "broken.jsonl").open("rb") as fh:
        response = client.post("/patents/imports/new/", {"file": fh, "format": "jsonl"})
    assert response.status_code == 302 and "/jobs/" in response["Location"]
    html = client.get(response["Location"]).content.decode()
    assert 'data-status="succeeded"' in html and "查看导入报告" in html


@pytest.mark.django_db
def test_cli_import_and_show_json(capsys):
    import json

    call_command("import", str(FIXTURES / "broken_incopat.csv"), "--json")
    report = json.loads(capsys.readouterr().out)
    assert report["counts"]["rejected"] == 4 and len(report["rejected_rows"]) == 4
    call_command("patents", "show", "CN209876543U", "--json", "--on", "2024-01-01")
    shown = json.loads(capsys.readouterr().out)
    assert shown["expiry_date"] == "2028-01-25" and shown["in_force"] is True
    assert shown["applicants"][0]["name"] == "浙江乙材料有限公司"
