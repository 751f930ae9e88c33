"""Authority fields of an organisation (issue 14, items 1–2): kind, office level, region code and an office's name
decide what its users may see and decide, so only platform administrators change them — through the API, the
web form and the service alike — and every such change is audited."""

from __future__ import annotations

import pytest

from ipoc.core import services
from ipoc.core.errors import ApplicationError, PermissionDenied
from ipoc.core.models import AuditEntry, OfficeLevel, Organization, OrganizationKind, Role


def _refused(response, field):
    assert response.status_code == 403, response.content
    error = response.json()["error"]
    assert error["field"] == field and error["code"] == "authority_field"
    assert "平台管理员" in error["message"]
    return error


# ---------------------------------------------------------------- item 1: an office promoting itself


def test_provincial_office_cannot_promote_itself_to_national_over_the_api(api_client, users, orgs):
    office = orgs["js_office"]
    api = api_client.as_user(users["js_office"])
    _refused(api.patch(f"/organizations/{office.pk}", {"office_level": "national"}), "office_level")
    office.refresh_from_db()
    assert office.office_level == OfficeLevel.PROVINCIAL
    # … so its area stays its province: the permission filter does not widen to the whole country
    from ipoc.core.permissions import _office_area_q
    from ipoc.core.permissions import _rule as rule_of

    users["js_office"].organization.refresh_from_db()
    area = _office_area_q(rule_of(Organization), users["js_office"])
    assert area is not None and not Organization.objects.filter(area, pk=orgs["center_b"].pk).exists()


@pytest.mark.parametrize("field,value", [("kind", "enterprise"), ("region_code", "330000"),
                                         ("name", "国家知识产权局江苏分局"), ("office_level", "municipal")])
def test_office_users_cannot_change_any_authority_field(api_client, users, orgs, field, value):
    office = orgs["js_office"]
    before = {f: getattr(office, f) for f in ("name", "kind", "office_level", "region_code")}
    _refused(api_client.as_user(users["js_office"]).patch(f"/organizations/{office.pk}", {field: value}), field)
    office.refresh_from_db()
    assert {f: getattr(office, f) for f in before} == before


def test_unchanged_authority_values_and_ordinary_fields_pass(api_client, users, orgs):
    office = orgs["js_office"]
    response = api_client.as_user(users["js_office"]).patch(
        f"/organizations/{office.pk}", {"office_level": "provincial", "region_code": "320000", "kind": "ip_office",
                                        "name": office.name, "address": "南京市鼓楼区"})
    assert response.status_code == 200, response.content
    office.refresh_from_db()
    assert office.address == "南京市鼓楼区"


def test_an_enterprise_may_rename_itself_but_not_move_region(api_client, users, orgs):
    api = api_client.as_user(users["ent_a"])
    assert api.patch(f"/organizations/{orgs['ent_a'].pk}", {"name": "苏州甲科技股份有限公司"}).status_code == 200
    _refused(api.patch(f"/organizations/{orgs['ent_a'].pk}", {"region_code": "330106"}), "region_code")


def test_platform_admin_changes_authority_with_an_audit_entry(api_client, users, orgs):
    office = orgs["js_office"]
    response = api_client.as_user(users["admin"]).patch(f"/organizations/{office.pk}",
                                                        {"office_level": "municipal", "region_code": "320100"})
    assert response.status_code == 200, response.content
    assert response.json()["office_level"] == "municipal"
    entry = AuditEntry.objects.filter(content_type__model="organization", object_id=str(office.pk),
                                      action="update").latest("id")
    assert entry.actor == users["admin"]
    assert entry.changes == {"office_level": ["provincial", "municipal"], "region_code": ["320000", "320100"]}
    assert "权限字段" in entry.message and "office_level" in entry.message


def test_service_refuses_authority_fields_whatever_the_channel(users, orgs):
    with pytest.raises(PermissionDenied) as exc:
        services.organization_update(actor=users["ent_a"], organization=orgs["ent_a"],
                                     data={"address": "x", "kind": OrganizationKind.IP_OFFICE})
    assert exc.value.status == 403 and exc.value.field == "kind"
    orgs["ent_a"].refresh_from_db()
    assert orgs["ent_a"].kind == OrganizationKind.ENTERPRISE and orgs["ent_a"].address == ""
    # the system (CLI, actor None) may
    services.organization_update(actor=None, organization=orgs["ent_a"], data={"region_code": "320506"})


def test_kind_cannot_change_under_users_of_another_role(users, orgs):
    with pytest.raises(ApplicationError) as exc:
        services.organization_update(actor=users["admin"], organization=orgs["ent_a"],
                                     data={"kind": OrganizationKind.UNIVERSITY})
    assert exc.value.field == "kind" and str(Role.ENTERPRISE_USER.label) in exc.value.message


# ---------------------------------------------------------------- item 2: an enterprise becoming an IP office


def test_enterprise_cannot_turn_itself_into_an_office_through_the_form(client, users, orgs):
    org = orgs["ent_a"]
    client.force_login(users["ent_a"])
    html = client.get(f"/organizations/{org.pk}/edit/").content.decode()
    assert 'name="kind"' not in html and 'name="office_level"' not in html and 'name="region_code"' not in html
    assert 'name="address"' in html
    response = client.post(f"/organizations/{org.pk}/edit/", {
        "name": org.name, "kind": "ip_office", "office_level": "municipal", "region_code": "320500",
        "address": "苏州工业园区"})
    assert response.status_code == 302
    org.refresh_from_db()
    assert (org.kind, org.office_level, org.region_code) == (OrganizationKind.ENTERPRISE, "", "320505")
    assert org.address == "苏州工业园区"
    # and so no center's application is routed to it
    assert not Organization.objects.filter(kind=OrganizationKind.IP_OFFICE, pk=org.pk).exists()


def test_office_form_hides_the_name_too_but_admins_see_everything(client, users, orgs):
    client.force_login(users["js_office"])
    html = client.get(f"/organizations/{orgs['js_office'].pk}/edit/").content.decode()
    assert 'name="name"' not in html and 'name="office_level"' not in html
    client.force_login(users["admin"])
    html = client.get(f"/organizations/{orgs['js_office'].pk}/edit/").content.decode()
    assert all(f'name="{f}"' in html for f in ("name", "kind", "office_level", "region_code"))
    response = client.post(f"/organizations/{orgs['ent_a'].pk}/edit/", {
        "name": orgs["ent_a"].name, "kind": "enterprise", "region_code": "320506", "is_sme": "true"})
    assert response.status_code == 302
    orgs["ent_a"].refresh_from_db()
    assert orgs["ent_a"].region_code == "320506"


# ---------------------------------------------------------------- registering organisations


def test_office_staff_register_organisations_but_not_offices_nor_outside_their_area(api_client, users, orgs):
    api = api_client.as_user(users["js_office"])
    _refused(api.post("/organizations", {"name": "苏州市知识产权局", "kind": "ip_office", "office_level": "municipal",
                                          "region_code": "320500"}), "kind")
    _refused(api.post("/organizations", {"name": "某公司", "kind": "enterprise", "office_level": "national"}),
             "office_level")
    _refused(api.post("/organizations", {"name": "杭州某公司", "kind": "enterprise", "region_code": "330106"}),
             "region_code")
    assert not Organization.objects.filter(name__in=["苏州市知识产权局", "某公司", "杭州某公司"]).exists()
    created = api.post("/organizations", {"name": "苏州某公司", "kind": "enterprise", "region_code": "320505"})
    assert created.status_code == 201, created.content
    # the national office registers anywhere; an administrator registers offices
    assert api_client.as_user(users["cnipa"]).post(
        "/organizations", {"name": "杭州某公司", "kind": "enterprise", "region_code": "330106"}).status_code == 201
    assert api_client.as_user(users["admin"]).post(
        "/organizations", {"name": "苏州市知识产权局", "kind": "ip_office", "office_level": "municipal",
                           "region_code": "320500"}).status_code == 201


def test_the_sme_flag_is_offered_to_enterprises_only(client, users, orgs):
    client.force_login(users["js_office"])
    assert 'name="is_sme"' not in client.get(f"/organizations/{orgs['js_office'].pk}/edit/").content.decode()
    client.force_login(users["ent_a"])
    assert 'name="is_sme"' in client.get(f"/organizations/{orgs['ent_a'].pk}/edit/").content.decode()
    response = client.post(f"/organizations/{orgs['js_office'].pk}/edit/", {"address": "南京"})
    assert response.status_code == 403  # not its organisation
    client.force_login(users["js_office"])
    assert client.post(f"/organizations/{orgs['js_office'].pk}/edit/", {"address": "南京"}).status_code == 302
    orgs["js_office"].refresh_from_db()
    assert orgs["js_office"].address == "南京" and orgs["js_office"].is_sme is None
