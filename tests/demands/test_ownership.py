"""Who may file and import demands in whose name (issue 14, items 3 and 5).

An import may only create or update what its actor may change: its duplicate key carries who imports, so
another organisation's file of the same name and rows never rewrites these demands. Center staff file demands
only in the name of organisations they serve (``services.may_file_for``)."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from ipoc.core import services as core_services
from ipoc.core.models import AuditEntry, Organization, OrganizationKind
from ipoc.demands import services
from ipoc.demands.models import Demand

HEADER = "title,category,company,created,budget,detail,联系电话\n"
ROW = "高纯氧化铝连续化制备,新材料,{company},2020/7/31,10~50万,{detail},{phone}\n"


def _csv(tmp_path, company="宏达新材料有限公司", detail="现有间歇工艺能耗高", phone="13800000000",
         name="demands.csv"):
    path = tmp_path / name
    path.write_text(HEADER + ROW.format(company=company, detail=detail, phone=phone), encoding="utf-8")
    return path


def _upload(client, api, path):
    upload = SimpleUploadedFile(path.name, path.read_bytes(), content_type="text/csv")
    response = client.post("/api/v1/demands/import", {"file": upload}, **api.headers)
    assert response.status_code == 202, response.content  # a background job; inline in tests, so done
    return response.json()["report"]


# ---------------------------------------------------------------- item 3: the import overwriting others' demands


def test_another_organisations_file_of_the_same_name_does_not_rewrite_its_demands(client, api_client, users,
                                                                               orgs, tmp_path):
    original = services.demand_import(actor=None, path=_csv(tmp_path), center=orgs["center_a"])
    assert original["counts"]["new"] == 1
    demand = Demand.objects.get()
    # the hostile upload: same file name, same title/requester/date, new text and phone
    (tmp_path / "evil").mkdir()
    evil = _csv(tmp_path / "evil", detail="篡改后的需求描述", phone="13999999999")
    assert api_client.as_user(users["ent_b"]).patch(f"/demands/{demand.pk}", {"description": "x"}).status_code in (
        403, 404)
    report = _upload(client, api_client.as_user(users["ent_b"]), evil)
    assert report["counts"]["updated"] == 0
    demand.refresh_from_db()
    assert (demand.description, demand.contact_phone) == ("现有间歇工艺能耗高", "13800000000")
    assert not AuditEntry.objects.filter(object_id=str(demand.pk), action="update").exists()
    # what the enterprise imported is its own draft, a separate record
    own = Demand.objects.exclude(pk=demand.pk).get()
    assert own.organization == orgs["ent_b"] and own.status == "draft" and own.description == "篡改后的需求描述"
    # … and importing it again updates that draft, not the other one
    again = _upload(client, api_client.as_user(users["ent_b"]),
                    _csv(tmp_path / "evil", detail="第二版", phone="13999999999"))
    assert again["counts"]["updated"] == 1
    own.refresh_from_db()
    demand.refresh_from_db()
    assert own.description == "第二版" and demand.description == "现有间歇工艺能耗高"


def test_another_center_cannot_overwrite_a_centers_import(client, api_client, users, orgs, tmp_path):
    first = _upload(client, api_client.as_user(users["center_a"]), _csv(tmp_path))
    assert first["counts"]["new"] == 1
    demand = Demand.objects.get()
    assert demand.center == orgs["center_a"]
    (tmp_path / "b").mkdir()
    report = _upload(client, api_client.as_user(users["center_b"]), _csv(tmp_path / "b", detail="乙中心改写"))
    assert report["counts"]["updated"] == 0 and report["counts"]["new"] == 1
    demand.refresh_from_db()
    assert demand.description == "现有间歇工艺能耗高"
    theirs = Demand.objects.exclude(pk=demand.pk).get()
    assert theirs.center == orgs["center_b"]
    # the first center re-importing its file updates its own demand
    (tmp_path / "a2").mkdir()
    report = _upload(client, api_client.as_user(users["center_a"]), _csv(tmp_path / "a2", detail="甲中心修订"))
    assert report["counts"]["updated"] == 1
    demand.refresh_from_db()
    theirs.refresh_from_db()
    assert demand.description == "甲中心修订" and theirs.description == "乙中心改写"


def test_a_centers_own_rows_imported_before_keys_carried_the_importer_still_update(users, orgs, tmp_path):
    services.demand_import(actor=None, path=_csv(tmp_path), center=orgs["center_a"])  # the unscoped key
    (tmp_path / "again").mkdir()
    report = services.demand_import(actor=users["center_a"], path=_csv(tmp_path / "again", detail="修订"))
    assert report["counts"]["updated"] == 1 and Demand.objects.count() == 1
    assert Demand.objects.get().description == "修订"


def test_duplicate_report_names_only_demands_the_importer_may_see(users, orgs, tmp_path):
    services.demand_create(actor=users["ent_a"], title="高纯氧化铝连续化制备工艺")  # ent_a's draft: private
    report = services.demand_import(actor=users["ent_b"], path=_csv(tmp_path))
    assert report["counts"]["new"] == 1 and report["duplicates"] == []
    # the system sees every demand, and flags it
    (tmp_path / "sys").mkdir()
    report = services.demand_import(actor=None, path=_csv(tmp_path / "sys"), center=orgs["center_a"])
    assert report["counts"]["flagged_duplicates"] == 1


# ---------------------------------------------------------------- item 5: center staff filing in others' names


def test_center_staff_file_demands_only_for_organisations_they_serve(api_client, users, orgs):
    api = api_client.as_user(users["center_a"])
    response = api.post("/demands", {"title": "替别人发布", "organization_id": orgs["ent_b"].pk})
    assert response.status_code == 403, response.content
    assert response.json()["error"]["field"] == "organization"
    assert not Demand.objects.filter(title="替别人发布").exists()
    # its own center, and an organisation without platform accounts (代录 of what it collected offline)
    assert api.post("/demands", {"title": "中心自身需求", "organization_id": orgs["center_a"].pk}).status_code == 201
    offline = core_services.organization_create(actor=None, name="无账号的某制造厂", kind=OrganizationKind.ENTERPRISE)
    assert api.post("/demands", {"title": "代录需求", "organization_id": offline.pk}).status_code == 201


def test_an_organisation_that_chose_the_center_may_be_served(api_client, users, orgs):
    center = api_client.as_user(users["center_a"])
    assert center.post("/demands", {"title": "甲企业需求", "organization_id": orgs["ent_a"].pk}).status_code == 403
    services.demand_create(actor=users["ent_a"], title="自行提交并选择甲中心", center=orgs["center_a"])
    assert center.post("/demands", {"title": "甲企业需求", "organization_id": orgs["ent_a"].pk}).status_code == 201
    # choosing center 甲 gives center 乙 nothing
    assert api_client.as_user(users["center_b"]).post(
        "/demands", {"title": "乙中心代发", "organization_id": orgs["ent_a"].pk}).status_code == 403


def test_a_served_institution_after_its_acceptance(users, orgs):
    from ipoc.core.errors import ApplicationError
    from ipoc.revitalization import services as stock_services

    with pytest.raises(ApplicationError) as exc:
        services.demand_create(actor=users["center_a"], title="高校成果转化需求", organization=orgs["univ"])
    assert exc.value.field == "organization" and exc.value.status == 403
    request = stock_services.service_link_create(actor=users["center_a"], center=orgs["center_a"],
                                                 institution=orgs["univ"])
    with pytest.raises(ApplicationError):  # asked, not yet accepted
        services.demand_create(actor=users["center_a"], title="高校成果转化需求", organization=orgs["univ"])
    stock_services.service_request_decide(actor=users["univ"], request=request, accept=True)
    demand = services.demand_create(actor=users["center_a"], title="高校成果转化需求", organization=orgs["univ"])
    assert demand.organization == orgs["univ"] and demand.kind == "institution"


def test_a_center_import_naming_an_organisation_it_does_not_serve_is_rejected_by_row(users, orgs, tmp_path):
    report = services.demand_import(actor=users["center_a"], path=_csv(tmp_path, company=orgs["ent_b"].name))
    assert report["counts"]["new"] == 0 and report["counts"]["rejected"] == 1
    rejected = report["rejected_rows"][0]
    assert rejected["row"] == 2 and rejected["field"] == "需求方" and orgs["ent_b"].name in rejected["reason"]
    assert not Demand.objects.exists()
    # a requester not on the platform is recorded (a new registry entry without accounts)
    (tmp_path / "ok").mkdir()
    report = services.demand_import(actor=users["center_a"], path=_csv(tmp_path / "ok", company="宏达新材料有限公司"))
    assert report["counts"]["new"] == 1
    assert Demand.objects.get().organization == Organization.objects.get(name="宏达新材料有限公司")
