"""Registry: entry with name checks, the sub-center refusal, branch flags."""

import pytest

from ipoc.centers import rules, services
from ipoc.centers.models import Center
from ipoc.core import services as core_services
from ipoc.core.errors import ApplicationError, PermissionDenied
from ipoc.core.models import AuditEntry, OrganizationKind


def _new_center_org(name="丙产业知识产权运营中心", region="320200"):
    return core_services.organization_create(actor=None, name=name, kind=OrganizationKind.OPERATION_CENTER,
                                             region_code=region)


def _create(actor, org, hosts, orgs, **kw):
    data = dict(organization=org, name=org.name, host_organization=hosts["leader"], host_type="leading_enterprise",
                industry="集成电路", level="provincial", managing_office=orgs["js_office"])
    data.update(kw)
    return services.center_create(actor=actor, **data)


def test_office_registers_a_center_with_name_check_and_audit(users, orgs, hosts):
    org = _new_center_org()
    center = _create(users["js_office"], org, hosts, orgs, name="  丙产业知识产权运营中心\u3000")
    assert center.name == "丙产业知识产权运营中心"
    assert center.status == "building" and center.region_code == "320200" and center.branch_flag == ""
    entry = AuditEntry.objects.get(object_id=str(center.pk), content_type__model="center", action="create")
    assert entry.actor_name == "js_office" and entry.changes["status"] == [None, "building"]


@pytest.mark.parametrize("name, quoted", [
    ("丙产业服务平台", "知识产权运营中心"),
    ("国家集成电路产业知识产权运营中心", "国家"),
])
def test_names_are_checked_on_entry(users, orgs, hosts, name, quoted):
    with pytest.raises(ApplicationError) as exc:
        _create(users["js_office"], _new_center_org(), hosts, orgs, name=name)
    assert exc.value.field == "name" and quoted in exc.value.message


def test_relations_are_checked(users, orgs, hosts, center_a):
    with pytest.raises(ApplicationError, match="已登记为运营中心"):
        _create(users["js_office"], orgs["center_a"], hosts, orgs, name="甲产业知识产权运营中心二")
    with pytest.raises(ApplicationError) as exc:  # a provincial center is managed by a provincial office
        _create(None, _new_center_org("戊产业知识产权运营中心"), hosts, orgs, managing_office=orgs["cnipa"])
    assert exc.value.field == "managing_office" and rules.OFFICE_LEVEL_FOR_CENTER_LEVEL.source in exc.value.message
    with pytest.raises(ApplicationError, match="只能是"):  # 先建设、后认定: no entry straight into 已认定
        _create(None, _new_center_org("己产业知识产权运营中心"), hosts, orgs, status="recognised")
    with pytest.raises(PermissionDenied):  # 浙江 does not manage 江苏's centers
        _create(users["zj_office"], _new_center_org("庚产业知识产权运营中心"), hosts, orgs)
    with pytest.raises(PermissionDenied):
        _create(users["ent_a"], _new_center_org("辛产业知识产权运营中心"), hosts, orgs)


def test_legacy_letter_supported_center(orgs, hosts):
    center = _create(None, _new_center_org(), hosts, orgs, status="letter_supported")
    assert center.get_status_display() == "复函支持"


def test_sub_center_is_refused_with_the_rule_quoted(users, orgs, hosts, center_a):
    staff = users["center_a"]
    with pytest.raises(PermissionDenied) as exc:
        _create(staff, orgs["center_a"], hosts, orgs, parent_center=center_a, name="甲产业知识产权运营中心无锡分中心")
    assert exc.value.status == 403 and exc.value.code == "sub_center_forbidden"
    assert "产业知识产权运营中心不得自行设立分中心" in exc.value.message
    assert rules.NO_SUB_CENTERS.source in exc.value.message
    with pytest.raises(PermissionDenied, match="不得自行设立分中心"):
        services.center_create_sub_center(actor=staff, parent=center_a, name="甲中心常州分站")
    # center staff cannot register another organisation as "their" center either
    with pytest.raises(PermissionDenied, match="不得自行设立分中心"):
        _create(staff, _new_center_org(), hosts, orgs)
    assert Center.objects.count() == 1


def test_center_staff_may_register_their_own_center_but_not_a_branch_name(users, orgs, hosts):
    staff = users["center_a"]
    with pytest.raises(PermissionDenied, match="不得自行设立分中心"):
        _create(staff, orgs["center_a"], hosts, orgs, name="甲产业知识产权运营中心苏州分中心")
    center = _create(staff, orgs["center_a"], hosts, orgs, name="甲产业知识产权运营中心")
    assert center.created_by == staff


@pytest.mark.parametrize("name, host, marker", [
    ("甲产业知识产权运营中心无锡分中心", None, "分中心"),
    ("丙产业知识产权运营中心", "苏州甲新材料集团常州分部", "分部"),
])
def test_branch_like_entries_are_flagged_for_the_office(users, orgs, hosts, name, host, marker):
    host_org = hosts["leader"] if host is None else core_services.organization_create(
        actor=None, name=host, kind=OrganizationKind.ENTERPRISE)
    center = _create(users["js_office"], _new_center_org(), hosts, orgs, name=name, host_organization=host_org)
    assert marker in center.branch_flag and "不得自行设立分中心" in center.branch_flag
    from ipoc.centers import selectors

    assert [c.pk for c in selectors.center_list(user=users["js_office"], flagged=True)] == [center.pk]
    assert selectors.dashboard(user=users["cnipa"])["flagged"][0]["id"] == center.pk


def test_markers_are_configurable(settings, users, orgs, hosts):
    settings.IPOC_CENTER_RULES = {"branch_name_markers": ["工作站"]}
    center = _create(users["js_office"], _new_center_org(), hosts, orgs, name="丙产业知识产权运营中心无锡工作站")
    assert "工作站" in center.branch_flag
    assert rules.BRANCH_NAME_MARKERS.overridden


def test_update_by_staff_and_office(users, orgs, hosts, center_a):
    center = services.center_update(actor=users["center_a"], center=center_a, data={"industry_chain": "纳米涂层"})
    assert center.industry_chain == "纳米涂层"
    with pytest.raises(ApplicationError) as exc:
        services.center_update(actor=users["center_a"], center=center_a, data={"status": "recognised"})
    assert exc.value.status == 403
    with pytest.raises(PermissionDenied):
        services.center_update(actor=users["center_a"], center=center_a, data={"level": "national"})
    with pytest.raises(PermissionDenied):
        services.center_update(actor=users["center_b"], center=center_a, data={"industry_chain": "x"})
    with pytest.raises(PermissionDenied, match="不得自行设立分中心"):
        services.center_update(actor=users["center_a"], center=center_a, data={"name": "甲产业知识产权运营中心分中心"})
    services.center_update(actor=users["js_office"], center=center_a, data={"name": "甲产业知识产权运营中心无锡分站"})
    assert "分站" in center_a.branch_flag
