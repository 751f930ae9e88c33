"""Probe finding on registering a center (issue 14 item 1: authority fields): a center's own staff may register
their center, but nothing bounded what they declared. On edit, the level, managing office and region are
office-only (the region routes the recommendation, the managing office recognises), yet on entry the staff
chose them freely — and could enter their center as 复函支持 (a status only the national office's letter gives).
Now a center's staff register it as 建设运行中, in their organisation's own region, under an office whose area
covers that region."""

from __future__ import annotations

import pytest

from ipoc.centers import services
from ipoc.centers.models import Center
from ipoc.core.errors import ApplicationError, PermissionDenied


def _register(actor, orgs, hosts, **kw):
    data = dict(organization=orgs["center_a"], name="甲产业知识产权运营中心", host_organization=hosts["leader"],
                host_type="leading_enterprise", industry="集成电路", level="provincial",
                managing_office=orgs["js_office"])
    data.update(kw)
    return services.center_create(actor=actor, **data)


def test_center_staff_cannot_enter_their_center_as_letter_supported(users, orgs, hosts):
    with pytest.raises(ApplicationError) as caught:
        _register(users["center_a"], orgs, hosts, status="letter_supported")
    assert caught.value.status == 403 and caught.value.field == "status"
    assert not Center.objects.exists()


def test_center_staff_cannot_place_their_center_in_another_region(users, orgs, hosts):
    with pytest.raises(PermissionDenied) as caught:  # 甲 is in 苏州 (320500); 330100 is 杭州
        _register(users["center_a"], orgs, hosts, region_code="330100")
    assert caught.value.field == "region_code"
    assert not Center.objects.exists()


def test_center_staff_cannot_choose_an_office_whose_area_does_not_cover_them(users, orgs, hosts):
    with pytest.raises(PermissionDenied) as caught:  # 浙江省知识产权局 does not manage a 苏州 center
        _register(users["center_a"], orgs, hosts, managing_office=orgs["zj_office"])
    assert caught.value.field == "managing_office"
    assert not Center.objects.exists()


def test_center_staff_still_register_their_own_center(users, orgs, hosts):
    center = _register(users["center_a"], orgs, hosts, region_code="320500")
    assert (center.status, center.region_code, center.managing_office) == ("building", "320500", orgs["js_office"])


def test_the_registration_page_refuses_it_on_the_field(client, users, orgs, hosts):
    from tests.conftest import PASSWORD

    client.login(username="center_a", password=PASSWORD)
    response = client.post("/centers/new/", {
        "organization": orgs["center_a"].pk, "name": "甲产业知识产权运营中心", "host_organization": hosts["leader"].pk,
        "host_type": "leading_enterprise", "industry": "集成电路", "level": "provincial",
        "managing_office": orgs["js_office"].pk, "region_code": "330100", "status": "letter_supported"})
    assert response.status_code == 200
    assert response.context["form"].errors
    assert not Center.objects.exists()
