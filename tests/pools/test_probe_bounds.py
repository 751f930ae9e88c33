"""Probe findings (pools): huge decimals were a 500 (quantize overflow), sale dates of year 1 were accepted, and
report import row errors named columns by their code."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import openpyxl
import pytest

from ipoc.core.errors import ApplicationError
from ipoc.pools import services


def test_clean_decimal_huge_and_label():
    with pytest.raises(ApplicationError) as exc:
        services.clean_decimal("1e30", "per_unit", places=4, label="单位许可费")
    assert exc.value.field == "per_unit"
    assert "单位许可费" in exc.value.message and "1,000,000,000,000" in exc.value.message
    with pytest.raises(ApplicationError) as exc:
        services.clean_decimal("-1e30", "adjustment", minimum=Decimal("-1e12"))
    assert exc.value.field == "adjustment"
    assert services.clean_decimal("12.345", "x") == Decimal("12.35")


def test_simulate_huge_per_unit_is_400(make_pool, api_client, users):
    w = make_pool()
    api_client.as_user(users["center_a"])
    r = api_client.get(f"/pools/{w['pool'].pk}/simulate", year=2025, per_unit="1e30")
    assert r.status_code == 400
    assert r.json()["error"]["field"] == "per_unit"


def test_sale_date_out_of_range(make_pool, users):
    w = make_pool()
    with pytest.raises(ApplicationError) as exc:
        services.report_submit(actor=users["ent_b"], agreement=w["agreement"], period="2025Q1",
                               lines=[{"category": "TV", "country_made": "CN", "country_sold": "CN", "units": 1,
                                       "sale_date": dt.date(1, 1, 1)}])
    assert exc.value.field == "lines[1].sale_date"


def _xlsx(path, rows):
    wb = openpyxl.Workbook()
    for row in rows:
        wb.active.append(row)
    wb.save(path)
    return path


def test_import_errors_name_columns_in_chinese(make_pool, users, tmp_path):
    w = make_pool()
    bad = _xlsx(tmp_path / "bad.xlsx", [["产品类别", "制造国", "销售国", "数量"], ["TV", "CN", "CN", -5],
                                        ["TV", "CN", "CN", "=1+1"]])
    report, errors = services.report_import(actor=users["ent_b"], agreement=w["agreement"], period="2025Q1",
                                            path=bad, file_name="bad.xlsx")
    assert report is None
    assert [(e["row"], e["field_label"]) for e in errors] == [(2, "数量"), (3, "数量")]
    headers = _xlsx(tmp_path / "h.xlsx", [["a", "b"], [1, 2], [3, 4]])
    report, errors = services.report_import(actor=users["ent_b"], agreement=w["agreement"], period="2025Q1",
                                            path=headers, file_name="h.xlsx")
    assert report is None and len(errors) == 1 and "表头" in errors[0]["message"]


def test_unit_counts_have_separators(make_pool, users, client):
    w = make_pool()
    report = services.report_submit(actor=users["ent_b"], agreement=w["agreement"], period="2025Q1",
                                    lines=[{"category": "TV", "country_made": "CN", "country_sold": "CN",
                                            "units": 33750}])
    client.force_login(users["center_a"])
    assert "33,750" in client.get(f"/pools/reports/{report.pk}/").content.decode()


def test_licensor_allocation_has_no_dead_report_links(client, make_pool, users):
    from ipoc.pools import selectors

    w = make_pool()
    report = services.report_submit(actor=users["ent_b"], agreement=w["agreement"], period="2025Q1", lines=[
        {"category": "TV", "country_made": "CN", "country_sold": "CN", "units": 100, "sale_date": "2025-02-01"}])
    services.statement_mark_paid(actor=users["center_a"], statement=selectors.statement_current(report),
                                 paid_on=dt.date(2025, 5, 1))
    services.allocation_run(actor=users["center_a"], pool=w["pool"], year=2025)
    client.force_login(users["univ"])
    page = client.get(f"/pools/{w['pool'].pk}/allocation/?year=2025").content.decode()
    assert "2025Q1" in page and f"/pools/reports/{report.pk}/" not in page
    assert client.get(f"/pools/reports/{report.pk}/").status_code == 404  # the licensor may not open it
    client.force_login(users["center_a"])
    assert f"/pools/reports/{report.pk}/" in client.get(f"/pools/{w['pool'].pk}/allocation/?year=2025").content.decode()


def test_report_upload_refuses_other_files(client, make_pool, users):
    from django.core.files.uploadedfile import SimpleUploadedFile

    w = make_pool()
    client.force_login(users["ent_b"])
    page = client.post(f"/pools/agreements/{w['agreement'].pk}/report/",
                       {"period": "2025Q1", "file": SimpleUploadedFile("x.exe", b"MZ")}).content.decode()
    assert "请上传 .xlsx 或 .csv 文件" in page


def test_no_report_for_a_future_period(make_pool, users):
    w = make_pool()
    with pytest.raises(ApplicationError) as exc:
        services.report_submit(actor=users["ent_b"], agreement=w["agreement"], period="2099Q3",
                               lines=[{"category": "TV", "country_made": "CN", "country_sold": "CN", "units": 1}])
    assert exc.value.field == "period"
