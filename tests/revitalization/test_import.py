"""批量建档: the template round trip with real sample numbers, per-row reports of bad rows,
selection from the store, and the CLI with --json."""

from __future__ import annotations

import io
import json

import pytest
from django.core.management import call_command
from openpyxl import load_workbook

from ipoc.core.models import AuditEntry
from ipoc.revitalization.importers import TEMPLATE_HEADERS
from ipoc.revitalization.models import StockImport, StockMove, StockPatent
from tests.revitalization.conftest import INSTITUTE, SAMPLE_ROWS, fill_template, needs_sample, template_rows

pytestmark = [needs_sample, pytest.mark.django_db]


def _upload(client, api_client, path):
    with path.open("rb") as fh:
        return client.post("/api/v1/stock/imports", {"file": fh}, **api_client.headers)


def test_template_round_trip(client, api_client, cast, tmp_path):
    response = client.get("/api/v1/stock/template.xlsx")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    ws = load_workbook(io.BytesIO(response.content)).worksheets[0]
    assert [c.value for c in ws[1]] == TEMPLATE_HEADERS
    path = fill_template(response.content, template_rows(), tmp_path / "盘点清单.xlsx")

    api_client.as_user(cast["filer"])
    response = _upload(client, api_client, path)
    assert response.status_code == 202, response.content  # a background job (inline in tests)
    report = response.json()["report"]
    assert report["counts"] == {"rows": 10, "created": 10, "updated": 0, "rejected": 0, "warnings": 0}
    assert report["rejected_rows"] == [] and report["file"] == "盘点清单.xlsx"
    assert [i["row"] for i in report["items"]] == list(range(2, 12))

    stocks = StockPatent.objects.filter(institution=cast["institute"])
    assert stocks.count() == 10
    first = stocks.get(patent__publication_number="CN218751475U")
    # enriched from the patent record: title and inventors were left blank in the sheet
    assert first.title == "一种无人机机载多功能盒" and first.inventors[:2] == ["刘迪", "刘敏"]
    assert (first.number_raw, first.department, first.stage) == ("ZL202223220665.2", "无人机学院", "draft")
    assert first.intentions == ["self_use"] and first.implemented is True and first.self_rating == 1
    assert stocks.get(patent__publication_number="CN216774847U").intentions == ["assignment", "license"]
    assert StockMove.objects.filter(stock__institution=cast["institute"], to_value="draft").count() == 10
    assert AuditEntry.objects.filter(action="import", object_repr__contains="盘点清单.xlsx").count() == 1

    # re-uploading the same sheet updates the rows still at 建档, it does not duplicate them
    again = _upload(client, api_client, path).json()["report"]
    assert again["counts"]["created"] == 0 and again["counts"]["updated"] == 10
    assert StockPatent.objects.count() == 10
    # the stored report is served again
    assert api_client.get(f"/stock/imports/{report['id']}").json()["counts"]["created"] == 10


def test_bad_rows_are_reported_per_row_with_field(client, api_client, cast, tmp_path):
    template = client.get("/api/v1/stock/template.xlsx").content
    rows = [
        ["CN202223220665.3", "", "", "无人机学院", "转让", "否", 3, "", "", ""],  # wrong check digit (.2)
        ["CN202310000001.5", "", "", "无人机学院", "许可", "否", 3, "", "", ""],  # well-formed, not in the store
        ["CN218751475U", "", "", "无人机学院", "转让", "否", 3, "", "", ""],  # a good row, by publication number
        ["CN216774847U", "", "", "无人机学院", "捐赠", "否", 3, "", "", ""],  # unknown 转化意愿
        ["CN216774847U", "", "", "无人机学院", "转让", "也许", 3, "", "", ""],  # bad 是否已实施
        ["CN216774847U", "", "", "无人机学院", "转让", "否", 9, "", "", ""],  # 价值自评 out of range
        ["", "一件没有号码的专利", "", "", "", "", "", "", "", ""],  # missing number
        ["ZL202223220665.2", "", "", "无人机学院", "转让", "否", 3, "", "", ""],  # same patent as row 4
        ["CN11234", "", "", "", "", "", "", "", "", ""],  # unreadable
        ["CN202211359874.7", "", "", "计算机学院", "", "", "", "", "", ""],  # good, minimal
    ]
    path = fill_template(template, rows, tmp_path / "bad.xlsx")
    api_client.as_user(cast["filer"])
    report = _upload(client, api_client, path).json()["report"]
    assert report["counts"]["rows"] == 10 and report["counts"]["created"] == 2
    assert report["counts"]["rejected"] == 8
    by_row = {r["row"]: r for r in report["rejected_rows"]}
    assert all(r["file"] == "bad.xlsx" for r in by_row.values())
    assert by_row[2]["field"] == "专利号" and "校验位" in by_row[2]["reason"] and "应为 2" in by_row[2]["reason"]
    assert by_row[3]["field"] == "专利号" and "专利库中没有此专利" in by_row[3]["reason"]
    assert by_row[5]["field"] == "转化意愿" and "捐赠" in by_row[5]["reason"]
    assert by_row[6]["field"] == "是否已实施"
    assert by_row[7]["field"] == "价值自评"
    assert by_row[8]["field"] == "专利号" and "缺少" in by_row[8]["reason"]
    assert by_row[9]["field"] == "专利号" and "第 4 行" in by_row[9]["reason"]
    assert by_row[10]["field"] == "专利号" and "无法识别" in by_row[10]["reason"]
    assert set(StockPatent.objects.values_list("patent__publication_number", flat=True)) == {
        "CN218751475U", "CN115883397A"}
    assert StockImport.objects.get(pk=report["id"]).rejected_count == 8


def test_sheet_without_number_column_is_refused(client, api_client, cast, tmp_path):
    path = tmp_path / "wrong.csv"
    path.write_text("名称,发明人\n某专利,张三\n", encoding="utf-8")
    api_client.as_user(cast["filer"])
    response = _upload(client, api_client, path)
    assert response.status_code == 400 and response.json()["error"]["field"] == "file"


def test_corrupt_workbook_is_refused_cleanly(client, api_client, cast, tmp_path):
    path = tmp_path / "broken.xlsx"
    path.write_bytes(b"this is not a workbook")
    api_client.as_user(cast["filer"])
    response = _upload(client, api_client, path)
    assert response.status_code == 400
    assert response.json()["error"]["field"] == "file" and "broken.xlsx" in response.json()["error"]["message"]


def test_other_roles_may_not_upload_for_the_institute(client, api_client, cast, tmp_path):
    template = client.get("/api/v1/stock/template.xlsx").content
    path = fill_template(template, template_rows()[:1], tmp_path / "x.xlsx")
    institute = cast["institute"].pk
    for who in ("univ", "center_a", "ent_a"):
        api_client.as_user(cast[who])
        with path.open("rb") as fh:
            response = client.post("/api/v1/stock/imports", {"file": fh, "institution_id": institute},
                                   **api_client.headers)
        assert response.status_code == 403, who
    assert StockPatent.objects.count() == 0


def test_select_from_the_store(api_client, cast):
    api_client.as_user(cast["filer"])
    response = api_client.post("/stock/select", {
        "numbers": ["CN218824140U", "CN202121741650.3", "CN202121741650.9", "CN219123456U"],
        "department": "环境学院", "intentions": ["license"], "implemented": True, "self_rating": 4})
    assert response.status_code == 200, response.content
    report = response.json()
    assert report["counts"]["created"] == 2 and report["counts"]["rejected"] == 2
    assert report["rejected_rows"][0]["row"] == 3 and "校验位" in report["rejected_rows"][0]["reason"]
    # an enterprise's patent is refused: the institute is not among its applicants/holders (issue 14, item 5)
    assert report["rejected_rows"][1]["row"] == 4 and report["warnings"] == []
    assert "苏州甲科技有限公司" in report["rejected_rows"][1]["reason"]
    assert "只能为本单位持有" in report["rejected_rows"][1]["reason"]
    assert not StockPatent.objects.filter(patent__publication_number="CN219123456U").exists()
    stock = StockPatent.objects.get(patent__publication_number="CN218824140U")
    assert (stock.department, stock.intentions, stock.implemented, stock.self_rating) == (
        "环境学院", ["license"], True, 4)


def test_cli_import_json(cast, tmp_path, capsys, client):
    template = client.get("/api/v1/stock/template.xlsx").content
    rows = template_rows()[:3] + [["CN202223220665.3", "", "", "", "", "", "", "", "", ""]]
    path = fill_template(template, rows, tmp_path / "cli.xlsx")
    call_command("stock", "import", str(path), "--institution", INSTITUTE, "--json")
    report = json.loads(capsys.readouterr().out)
    assert report["counts"]["created"] == 3 and report["counts"]["rejected"] == 1
    assert report["rejected_rows"] == [{"file": "cli.xlsx", "row": 5, "field": "专利号", "level": "error",
                                        "reason": report["rejected_rows"][0]["reason"]}]
    assert AuditEntry.objects.filter(action="import", object_repr__contains="cli.xlsx").exists()
    call_command("stock", "import", str(path), "--institution", INSTITUTE)
    text = capsys.readouterr().out
    assert "cli.xlsx:5 [专利号]" in text and "更新 3" in text
    out = tmp_path / "t.xlsx"
    call_command("stock", "template", str(out))
    assert load_workbook(out).worksheets[0]["A1"].value == "专利号"
    assert len(SAMPLE_ROWS) == 10
