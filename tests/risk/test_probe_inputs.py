"""Probe findings on 出口前风险预警: texts without a bound, an error naming the wrong field, an unknown center
answered without its field."""

from __future__ import annotations

import datetime as dt

import pytest

from ipoc.core.errors import ApplicationError
from ipoc.risk import services

HORIZON = (dt.date.today() + dt.timedelta(days=365)).isoformat()


def _body(orgs, **extra) -> dict:
    return {"product_name": "预充电控制器", "features": ["电池组通过预充电电阻连接到直流母线"], "markets": ["CN"],
            "horizon_date": HORIZON, "center_id": orgs["center_a"].pk, **extra}


@pytest.mark.parametrize(("extra", "field"), [
    ({"product_name": "产" * 300}, "product_name"),  # was reported as "title" (the default title is made of it)
    ({"description": "述" * 20001}, "description"),  # a megabyte was stored
    ({"center_id": 987654321}, "center_id"),  # an unknown center: 404 with field null
    ({"requester_id": 987654321}, "requester_id"),
])
def test_bad_check_input_names_the_field(db, users, orgs, api_client, extra, field):
    api = api_client.as_user(users["ent_a"])
    r = api.post("/risk/checks", _body(orgs, **extra))
    assert r.status_code in (400, 403, 404), r.content
    assert r.json()["error"]["field"] == field, r.json()


def test_a_check_with_a_long_but_bounded_description_is_accepted(db, users, orgs, api_client):
    api = api_client.as_user(users["ent_a"])
    assert api.post("/risk/checks", _body(orgs, description="述" * 5000)).status_code == 201


def test_litigation_and_remediation_dates_are_bounded(check):
    """Dates a person types (立案日期, 完成期限) stay in 1980–2100: year 9999 is refused naming the field."""
    from ipoc.risk.models import LitigationCase

    case = LitigationCase(filed_date=dt.date(9999, 1, 1))
    with pytest.raises(Exception) as exc:
        case.full_clean()
    assert "filed_date" in exc.value.message_dict
    with pytest.raises(ApplicationError) as err:
        services.check_update(actor=None, check=check, data={"description": "述" * 20001})
    assert err.value.field == "description"


def test_rejected_row_tables_say_row_number_not_the_ambiguous_row():
    """msgid "行" is also 行业 (industry): the English page headed the row-number column "Industry"."""
    from pathlib import Path

    import ipoc.risk

    folder = Path(ipoc.risk.__file__).parent / "templates" / "risk"
    for name in ("review_form.html", "review_detail.html", "litigation_list.html"):
        text = (folder / name).read_text(encoding="utf-8")
        assert '{% translate "行" %}' not in text and '{% translate "行号" %}' in text, name


def test_a_sheet_that_is_not_a_bom_is_refused_once_naming_the_file(tmp_path):
    """Wrong headers used to reject every row as "部件必填"; now one message says which headers are expected."""
    import openpyxl

    wb = openpyxl.Workbook()
    wb.active.append(["名称", "数量"])
    wb.active.append(["螺丝", 3])
    path = tmp_path / "bom.xlsx"
    wb.save(path)
    with pytest.raises(ApplicationError) as err:
        services.read_bom(path)
    assert err.value.field == "file" and "部件" in err.value.message
    wb = openpyxl.Workbook()
    wb.active.append(list(services.BOM_HEADERS))
    wb.active.append(["坡度传感器", "甲供应商", "中国", 100])
    wb.save(path)
    good, report = services.read_bom(path)
    assert len(good) == 1 and report["counts"]["accepted"] == 1


def test_litigation_import_rejects_a_row_the_model_refuses_and_keeps_the_others(db, users, tmp_path):
    import openpyxl

    wb = openpyxl.Workbook()
    wb.active.append(list(services.LITIGATION_HEADERS))
    wb.active.append(["337-TA-9001", "337 调查", "甲公司、乙公司", "充电模块", "", "进行中", "9999-01-01", ""])
    wb.active.append(["337-TA-9002", "337 调查", "甲公司、丙公司", "充电模块", "", "进行中", "2025-03-01", ""])
    path = tmp_path / "cases.xlsx"
    wb.save(path)
    report = services.litigation_import(actor=users["center_a"], path=path)
    assert report["counts"]["new"] == 1 and report["counts"]["rejected"] == 1
    assert report["rejected_rows"][0]["row"] == 2 and report["rejected_rows"][0]["field"] == "立案日期"
