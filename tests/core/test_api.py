"""The REST API: OpenAPI schema, authentication, one error shape, refusals, audit channel."""

import json

from ipoc.core.models import AuditEntry
from ipoc.demands.models import DemandStatus


def test_openapi_schema_is_valid_openapi_3(client, db):
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    schema = response.json()
    assert schema["openapi"].startswith("3.")
    assert "/api/v1/organizations" in schema["paths"]
    assert "/api/v1/demands/{demand_id}/transition" in schema["paths"]
    from openapi_spec_validator import validate

    validate(schema)


def test_interactive_docs_are_served(client, db):
    assert client.get("/api/v1/docs").status_code == 200


def test_unauthenticated_requests_get_json_401(client, db):
    response = client.get("/api/v1/me")
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "not_authenticated"


def test_token_and_session_authentication(client, api_client, users):
    body = api_client.as_user(users["ent_a"]).get("/me").json()
    assert body["username"] == "ent_a" and body["organization"]["name"] == "苏州甲科技有限公司"
    client.force_login(users["center_a"])
    assert client.get("/api/v1/me").json()["role"] == "center_staff"


def test_validation_error_names_the_field(api_client, users):
    response = api_client.as_user(users["js_office"]).post(
        "/organizations", {"name": "某公司", "kind": "enterprise", "credit_code": "914403001922038217"})
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["field"] == "credit_code" and "校验位" in error["message"]


def test_schema_error_is_422_with_field(api_client, users):
    response = api_client.as_user(users["js_office"]).post("/organizations", {"kind": "enterprise"})
    assert response.status_code == 422
    assert response.json()["error"]["field"] == "name"
    assert response.json()["error"]["message"] == "此项必填"  # not the parser's "Field required"


def test_schema_errors_are_worded_for_people(api_client, users):
    api = api_client.as_user(users["center_a"])
    error = api.get("/organizations", limit="abc").json()["error"]
    assert error["field"] == "limit" and error["message"] == "请输入整数"
    error = api.post("/organizations", {"name": "甲", "kind": ["enterprise"]}).json()["error"]
    assert error["field"] == "kind" and error["message"] == "请输入文本"
    english = api_client.as_user(users["center_a"])
    english.headers["HTTP_ACCEPT_LANGUAGE"] = "en"
    error = english.get("/organizations", limit="abc").json()["error"]
    assert error["message"] == "Enter a whole number"


def test_refusals_over_the_api(api_client, users, orgs):
    api = api_client.as_user(users["center_a"])
    response = api.patch(f"/organizations/{orgs['center_b'].pk}", {"address": "x"})
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "permission_denied"
    assert api.get("/audit").status_code == 403


def test_demand_flow_over_api_is_audited_with_channel(api_client, users, orgs):
    ent = api_client.as_user(users["ent_a"])
    created = ent.post("/demands", {"title": "工业机器人视觉定位", "modes": ["license"],
                                    "center_id": orgs["center_a"].pk, "budget_min": "100000"})
    assert created.status_code == 201, created.content
    demand_id = created.json()["id"]
    assert ent.post(f"/demands/{demand_id}/transition", {"to_status": "pending"}).json()["status"] == "pending"
    other = api_client.as_user(users["ent_b"])
    assert other.get(f"/demands/{demand_id}").status_code == 404
    center = api_client.as_user(users["center_a"])
    assert center.post(f"/demands/{demand_id}/transition",
                       {"to_status": DemandStatus.PUBLISHED}).json()["status"] == "published"
    assert other.get(f"/demands/{demand_id}").status_code == 200
    entries = AuditEntry.objects.filter(content_type__model="demand", object_id=str(demand_id))
    assert {e.via for e in entries} == {"api"}
    assert [e.actor_name for e in entries.order_by("id")] == ["ent_a", "ent_a", "center_a"]


def test_negative_budget_is_refused(api_client, users):
    response = api_client.as_user(users["ent_a"]).post("/demands", {"title": "x", "budget_min": "-5"})
    assert response.status_code == 400
    assert response.json()["error"]["field"] == "budget_min"


def test_admin_reads_audit_log(api_client, users, orgs):
    body = api_client.as_user(users["admin"]).get("/audit", model="organization").json()
    assert body["count"] >= len(orgs)
    assert json.dumps(body, ensure_ascii=False).count("甲产业知识产权运营中心") >= 1
