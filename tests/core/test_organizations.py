import pytest

from ipoc.core import services
from ipoc.core.errors import ApplicationError, PermissionDenied
from ipoc.core.models import AuditEntry, Organization, OrganizationKind


def test_create_rejects_bad_credit_code_with_field(db):
    with pytest.raises(ApplicationError) as exc:
        services.organization_create(actor=None, name="某公司", kind=OrganizationKind.ENTERPRISE,
                                     credit_code="914403001922038217")
    assert exc.value.field == "credit_code"
    assert "校验位" in exc.value.message
    assert not Organization.objects.filter(name="某公司").exists()


def test_create_rejects_unknown_region_with_field(db):
    with pytest.raises(ApplicationError) as exc:
        services.organization_create(actor=None, name="某公司", kind=OrganizationKind.ENTERPRISE,
                                     region_code="110199")
    assert exc.value.field == "region_code"


def test_office_needs_level_and_sme_flag_only_for_enterprises(db):
    with pytest.raises(ApplicationError) as exc:
        services.organization_create(actor=None, name="某局", kind=OrganizationKind.IP_OFFICE)
    assert exc.value.field == "office_level"
    with pytest.raises(ApplicationError) as exc:
        services.organization_create(actor=None, name="某大学", kind=OrganizationKind.UNIVERSITY, is_sme=True)
    assert exc.value.field == "is_sme"


def test_update_writes_audit_entry_with_changes(users, orgs):
    services.organization_update(actor=users["ent_a"], organization=orgs["ent_a"],
                                 data={"address": "苏州工业园区星湖街 1 号", "is_sme": False})
    entry = AuditEntry.objects.filter(object_id=str(orgs["ent_a"].pk), action="update").get()
    assert entry.actor == users["ent_a"]
    assert entry.changes == {"address": ["", "苏州工业园区星湖街 1 号"], "is_sme": [True, False]}
    assert entry.content_type.model == "organization"


def test_update_without_real_change_writes_nothing(users, orgs):
    before = AuditEntry.objects.count()
    services.organization_update(actor=users["ent_a"], organization=orgs["ent_a"], data={"is_sme": True})
    assert AuditEntry.objects.count() == before


def test_center_staff_cannot_change_another_center(users, orgs):
    with pytest.raises(PermissionDenied) as exc:
        services.organization_update(actor=users["center_a"], organization=orgs["center_b"],
                                     data={"address": "x"})
    assert exc.value.status == 403
    assert "乙产业知识产权运营中心" in exc.value.message
    orgs["center_b"].refresh_from_db()
    assert orgs["center_b"].address == ""
    # … but may change its own
    services.organization_update(actor=users["center_a"], organization=orgs["center_a"], data={"address": "苏州"})


def test_only_offices_and_admins_register_organizations(users):
    with pytest.raises(PermissionDenied):
        services.organization_create(actor=users["ent_a"], name="新公司", kind=OrganizationKind.ENTERPRISE)
    org = services.organization_create(actor=users["js_office"], name="新公司", kind=OrganizationKind.ENTERPRISE)
    assert AuditEntry.objects.get(object_id=str(org.pk), action="create", content_type__model="organization").actor == users["js_office"]


def test_user_role_must_match_organization_kind(orgs):
    from ipoc.core.models import Role

    with pytest.raises(ApplicationError) as exc:
        services.user_create(actor=None, username="x", password="p" * 10, role=Role.CENTER_STAFF,
                             organization=orgs["ent_a"])
    assert exc.value.field == "organization"


def test_organizations_ensure_is_idempotent(db):
    names = ["华为技术有限公司", "浙江大学", "中国科学院自动化研究所", "华为技术有限公司"]
    first = services.organizations_ensure(actor=None, names=names, source="test")
    second = services.organizations_ensure(actor=None, names=names, source="test")
    assert {k: v.pk for k, v in first.items()} == {k: v.pk for k, v in second.items()}
    assert Organization.objects.count() == 3
    assert first["浙江大学"].kind == OrganizationKind.UNIVERSITY
    assert first["中国科学院自动化研究所"].kind == OrganizationKind.RESEARCH_INSTITUTE


def test_contacts_show_to_own_users_center_and_office_staff_but_not_to_other_enterprises(client, orgs, users):
    """联系方式 are personal data: another enterprise is pointed to the center instead (probe, issue 14)."""
    Organization.objects.filter(pk=orgs["ent_a"].pk).update(contact_name="王工", contact_phone="13912345678",
                                                            contact_email="wang@example.cn")
    url = f"/organizations/{orgs['ent_a'].pk}/"
    for who, sees in (("ent_a", True), ("center_a", True), ("js_office", True), ("admin", True),
                      ("ent_b", False), ("univ", False), ("expert", False)):
        client.force_login(users[who])
        page = client.get(url).content.decode()
        assert ("13912345678" in page and "wang@example.cn" in page and "王工" in page) is sees, who
        assert ("请通过运营中心联系" in page) is not sees, who
