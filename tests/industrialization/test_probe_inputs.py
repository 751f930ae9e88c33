"""Probe findings on 专利产业化: a project dated year 9999 and megabyte texts were stored."""

from __future__ import annotations

import datetime as dt

import pytest

from ipoc.core.errors import ApplicationError
from ipoc.industrialization import services


@pytest.mark.parametrize(("extra", "field"), [
    ({"start_date": "9999-01-01"}, "start_date"),
    ({"start_date": "1900-01-01"}, "start_date"),
    ({"summary": "简" * 6000}, "summary"),
])
def test_project_create_refuses_absurd_dates_and_texts(db, users, orgs, api_client, extra, field):
    api = api_client.as_user(users["center_a"])
    r = api.post("/industrialization/projects", {"title": "项目", "enterprise_id": orgs["ent_a"].pk, **extra})
    assert r.status_code == 400, r.content
    assert r.json()["error"]["field"] == field


def test_a_bounded_project_is_accepted(db, users, orgs, api_client):
    api = api_client.as_user(users["center_a"])
    r = api.post("/industrialization/projects", {"title": "项目", "enterprise_id": orgs["ent_a"].pk,
                                                 "start_date": "2024-03-01", "summary": "简" * 5000})
    assert r.status_code == 201, r.content


def test_trademark_validity_and_brand_description_are_bounded(db, users, orgs, deal):  # deal: center_a serves ent_a
    brand = services.brand_create(actor=users["center_a"], name="甲品牌", holder=orgs["ent_a"])
    with pytest.raises(ApplicationError) as err:
        services.trademark_add(actor=users["center_a"], brand=brand, registration_number="12345678", mark="甲",
                               nice_class=9, valid_until=dt.date(9999, 12, 31))
    assert err.value.field == "valid_until"
    with pytest.raises(ApplicationError) as err:
        services.brand_create(actor=users["center_a"], name="乙品牌", holder=orgs["ent_a"], description="述" * 6000)
    assert err.value.field == "description"


def test_yearly_data_with_wrong_headers_is_refused_once(db, tmp_path):
    import openpyxl

    wb = openpyxl.Workbook()
    wb.active.append(["甲", "乙"])
    wb.active.append([1, 2])
    path = tmp_path / "years.xlsx"
    wb.save(path)
    with pytest.raises(ApplicationError) as err:
        services.product_years_import(actor=None, path=path, file_name="years.xlsx")
    assert err.value.field == "file" and "产品名称" in err.value.message
