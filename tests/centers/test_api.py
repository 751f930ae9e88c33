"""/api/v1/centers."""

from django.core.files.uploadedfile import SimpleUploadedFile

from ipoc.core import services as core_services
from ipoc.core.models import OrganizationKind

from .conftest import decide


def test_public_list_needs_no_login_and_follows_status(client, users, center_a, center_b):
    assert client.get("/api/v1/centers/public").json()["count"] == 0
    decide(center_b, users["cnipa"], "applying", "recognised")
    body = client.get("/api/v1/centers/public").json()
    assert [c["name"] for c in body["items"]] == ["国家新材料产业知识产权运营中心"]
    assert body["items"][0]["level_label"] == "国家级" and "branch_flag" not in body["items"][0]
    assert client.get("/api/v1/centers").status_code == 401


def test_rules_are_listed_with_sources(client):
    rules = {r["code"]: r for r in client.get("/api/v1/centers/rules").json()}
    assert rules["no_sub_centers"]["confidence"] == "I" and "1155号" in rules["no_sub_centers"]["source"]
    assert rules["national_annual_deal_amount"]["to_confirm"] is True
    assert rules["national_annual_deal_amount"]["value"] == 500


def test_list_detail_restricted(api_client, users, center_a, center_b):
    names = [c["name"] for c in api_client.as_user(users["center_a"]).get("/centers").json()["items"]]
    assert names == ["甲产业知识产权运营中心"]
    assert api_client.get(f"/centers/{center_b.pk}").status_code == 404
    assert api_client.as_user(users["cnipa"]).get("/centers").json()["count"] == 2
    detail = api_client.get(f"/centers/{center_a.pk}").json()
    assert detail["managing_office_name"] == "江苏省知识产权局" and detail["status_label"] == "建设运行中"


def test_create_by_office_and_sub_center_refusal(api_client, users, orgs, hosts, center_a):
    org = core_services.organization_create(actor=None, name="丁中心", kind=OrganizationKind.OPERATION_CENTER,
                                            region_code="320100")
    payload = {"organization_id": org.pk, "name": "丁产业知识产权运营中心南京分中心", "host_organization_id": hosts["leader"].pk,
               "host_type": "leading_enterprise", "industry": "软件", "level": "provincial",
               "managing_office_id": orgs["js_office"].pk}
    resp = api_client.as_user(users["js_office"]).post("/centers", payload)
    assert resp.status_code == 201, resp.json()
    assert "分中心" in resp.json()["branch_flag"]

    resp = api_client.as_user(users["center_a"]).post(f"/centers/{center_a.pk}/sub-centers", {"name": "甲中心无锡分中心"})
    assert resp.status_code == 403
    error = resp.json()["error"]
    assert error["code"] == "sub_center_forbidden" and "不得自行设立分中心" in error["message"]
    assert error["rule"] == "no_sub_centers" and "1155号" in error["source"]

    resp = api_client.post("/centers", {**payload, "name": "甲产业知识产权运营中心二", "organization_id": orgs["center_a"].pk,
                                        "parent_center_id": center_a.pk})
    assert resp.status_code == 403 and resp.json()["error"]["code"] == "sub_center_forbidden"

    other = core_services.organization_create(actor=None, name="戊中心", kind=OrganizationKind.OPERATION_CENTER)
    resp = api_client.as_user(users["js_office"]).post("/centers", {**payload, "organization_id": other.pk,
                                                                    "name": "丁服务站", "region_code": "320100"})
    assert resp.status_code == 400 and resp.json()["error"]["field"] == "name"


def test_update(api_client, users, center_a):
    resp = api_client.as_user(users["center_a"]).patch(f"/centers/{center_a.pk}", {"staff_count": 12})
    assert resp.status_code == 200 and resp.json()["staff_count"] == 12
    assert api_client.patch(f"/centers/{center_a.pk}", {"level": "national"}).status_code == 403


def test_transitions_and_corrections(api_client, users, center_a, center_b):
    body = {"to_status": "applying", "reason": "提交申请材料齐全", "document_ref": "苏知函〔2026〕3号"}
    assert api_client.as_user(users["center_a"]).post(f"/centers/{center_a.pk}/transition", body).status_code == 403
    assert api_client.as_user(users["ent_a"]).post(f"/centers/{center_a.pk}/transition", body).status_code == 404
    resp = api_client.as_user(users["js_office"]).post(f"/centers/{center_a.pk}/transition", body)
    assert resp.status_code == 201 and resp.json()["to_status_label"] == "申请认定中"
    decision_id = resp.json()["id"]

    resp = api_client.post(f"/centers/decisions/{decision_id}/correct",
                           {"reason": "文号有误", "document_ref": "苏知函〔2026〕4号"})
    assert resp.status_code == 201 and resp.json()["corrects_id"] == decision_id
    decisions = api_client.get(f"/centers/{center_a.pk}/decisions").json()
    assert [(d["id"], d["corrects_id"]) for d in decisions] == [(decision_id, None), (resp.json()["id"], decision_id)]
    assert decisions[0]["document_ref"] == "苏知函〔2026〕3号"

    # another province's office, on a center it can see (recognised, so public): refused
    decide(center_b, users["cnipa"], "applying", "recognised")
    resp = api_client.as_user(users["zj_office"]).post(
        f"/centers/{center_b.pk}/transition", {"to_status": "rectifying", "reason": "r", "document_ref": "d"})
    assert resp.status_code == 403 and resp.json()["error"]["code"] == "permission_denied"
    for who in ("js_office", "ent_a", "center_b"):
        resp = api_client.as_user(users[who]).post(
            f"/centers/{center_b.pk}/transition", {"to_status": "rectifying", "reason": "r", "document_ref": "d"})
        assert resp.status_code == 403, who
    assert api_client.get(f"/centers/{center_b.pk}").json()["status"] == "recognised"


def test_evidence_upload_and_check(client, api_client, users, center_a):
    api_client.as_user(users["center_a"])
    resp = client.post(f"/api/v1/centers/{center_a.pk}/evidence",
                       {"kind": "personnel", "description": "专职人员 8 名",
                        "file": SimpleUploadedFile("人员名单.pdf", b"%PDF")}, **api_client.headers)
    assert resp.status_code == 201, resp.json()
    evidence_id = resp.json()["id"]
    file_url = resp.json()["file_url"]
    assert file_url.startswith("/files/centers/evidence/")
    client.force_login(users["center_a"])  # the center's own evidence is served to its staff …
    assert client.get(file_url).status_code == 200
    client.force_login(users["ent_a"])  # … and to no unrelated enterprise
    assert client.get(file_url).status_code == 404
    check = api_client.get(f"/centers/{center_a.pk}/check", level="国家级", year=2025).json()
    personnel = next(c for c in check["conditions"] if c["code"] == "support_personnel")
    assert personnel["verdict"] == "met" and personnel["records"] == [{"model": "centers.centerevidence",
                                                                       "id": evidence_id}]
    assert check["level"] == "national" and check["year"] == 2025
    assert api_client.as_user(users["ent_a"]).get(f"/centers/{center_a.pk}/check").status_code == 404


def test_dashboard(api_client, users, center_a, center_b):
    data = api_client.as_user(users["cnipa"]).get("/centers/dashboard").json()
    assert data["total"] == 2
    assert {r["label"]: r["count"] for r in data["by_level"]} == {"国家级": 1, "省级": 1}
    assert {r["key"]: r["count"] for r in data["by_status"]} == {"building": 2}
    assert {r["label"] for r in data["by_industry"]} == {"纳米新材料", "新材料"}
    assert api_client.as_user(users["js_office"]).get("/centers/dashboard").json()["total"] == 1
    decide(center_b, users["cnipa"], "applying", "recognised")  # public now, but not in 江苏's area
    assert api_client.as_user(users["js_office"]).get("/centers/dashboard").json()["total"] == 1
    assert api_client.as_user(users["cnipa"]).get("/centers/dashboard").json()["by_status"] == [
        {"key": "building", "label": "建设运行中", "count": 1}, {"key": "recognised", "label": "已认定", "count": 1}]
    assert api_client.as_user(users["center_a"]).get("/centers/dashboard").status_code == 403
