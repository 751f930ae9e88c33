"""A center serves an institution's 存量专利盘活 only with the institution's consent, and an institution inventories
only patents it holds (issue 14, items 4 and 5)."""

from __future__ import annotations

import pytest

from ipoc.core.errors import ApplicationError, PermissionDenied
from ipoc.core.models import AuditEntry, Notification
from ipoc.revitalization import services
from ipoc.revitalization.models import ServiceLink, ServiceRequest, StockPatent
from tests.revitalization.conftest import INSTITUTE, needs_sample

pytestmark = [needs_sample, pytest.mark.django_db]


@pytest.fixture
def inventory(patents, orgs, users):
    """The institute's filer 建档s one of its patents; no center serves it yet."""
    from ipoc.core import services as core_services
    from ipoc.core.models import Organization, Role

    institute = Organization.objects.get(name=INSTITUTE)
    filer = core_services.user_create(actor=None, username="filer", password="x" * 12, role=Role.INSTITUTION_USER,
                                      organization=institute)
    report = services.stock_select(actor=filer, institution=institute, numbers=["CN218751475U"],
                                   contact_phone="13800000000")
    assert report["counts"]["created"] == 1
    return {"institute": institute, "filer": filer, "stock": StockPatent.objects.get()}


def test_a_centers_request_gives_it_nothing_until_the_institution_accepts(api_client, users, orgs, inventory):
    institute, stock = inventory["institute"], inventory["stock"]
    center = api_client.as_user(users["center_a"])
    response = center.post("/stock/services", {"center_id": orgs["center_a"].pk, "institution_id": institute.pk,
                                               "note": "我中心服务新一代信息技术产业"})
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["status"] == "pending" and body["institution_name"] == INSTITUTE
    assert not ServiceLink.objects.exists()
    # nothing of the inventory: items, the import report, the dashboard
    assert center.get(f"/stock/items/{stock.pk}").status_code == 404
    assert center.get("/stock/items").json()["count"] == 0
    record = AuditEntry.objects.filter(content_type__model="stockimport").latest("id")
    assert center.get(f"/stock/imports/{record.object_id}").status_code == 404
    assert center.get("/stock/dashboard").json()["institutions"] == []
    # asking again returns the same pending request
    again = center.post("/stock/services", {"center_id": orgs["center_a"].pk, "institution_id": institute.pk})
    assert again.json()["id"] == body["id"] and ServiceRequest.objects.count() == 1
    # the institution's users are told, and see the request
    assert Notification.objects.filter(recipient=inventory["filer"], kind="stock_service_request").exists()
    institution = api_client.as_user(inventory["filer"])
    assert [r["id"] for r in institution.get("/stock/services/requests?status=pending").json()["items"]] == [
        body["id"]]
    # the center cannot accept its own request; another institution's user cannot either
    assert center.post(f"/stock/services/requests/{body['id']}/decide", {"accept": True}).status_code == 403
    assert api_client.as_user(users["univ"]).post(f"/stock/services/requests/{body['id']}/decide",
                                                  {"accept": True}).status_code == 404
    assert not ServiceLink.objects.exists()
    # accepted by the institution: now the center sees the inventory
    decided = institution.post(f"/stock/services/requests/{body['id']}/decide", {"accept": True, "reason": "同意"})
    assert decided.status_code == 200 and decided.json()["status"] == "accepted"
    assert ServiceLink.objects.filter(center=orgs["center_a"], institution=institute).exists()
    assert center.get(f"/stock/items/{stock.pk}").json()["contact_phone"] == "13800000000"
    assert Notification.objects.filter(recipient=users["center_a"], kind="stock_service_request").exists()
    # decided once
    assert institution.post(f"/stock/services/requests/{body['id']}/decide", {"accept": False}).status_code == 400


def test_a_declined_request_leaves_the_center_outside(api_client, users, orgs, inventory):
    institute = inventory["institute"]
    request = services.service_link_create(actor=users["center_a"], center=orgs["center_a"], institution=institute)
    services.service_request_decide(actor=inventory["filer"], request=request, accept=False, reason="暂不需要")
    request.refresh_from_db()
    assert (request.status, request.reason, request.decided_by) == ("declined", "暂不需要", inventory["filer"])
    assert not ServiceLink.objects.exists()
    assert not services.serves(users["center_a"], institute)
    assert api_client.as_user(users["center_a"]).get(f"/stock/items/{inventory['stock'].pk}").status_code == 404
    with pytest.raises(PermissionDenied):
        services.stock_grade(actor=users["center_a"], institution=institute)
    # a new request may follow
    assert services.service_link_create(actor=users["center_a"], center=orgs["center_a"],
                                        institution=institute).status == "pending"


def test_who_may_ask_and_who_sets_up_directly(users, orgs, inventory):
    institute = inventory["institute"]
    with pytest.raises(PermissionDenied):  # a center's staff ask only for their own center
        services.service_link_create(actor=users["center_a"], center=orgs["center_b"], institution=institute)
    with pytest.raises(PermissionDenied):
        services.service_link_create(actor=users["ent_a"], center=orgs["center_a"], institution=institute)
    with pytest.raises(ApplicationError):  # only institutions are served
        services.service_link_create(actor=users["center_a"], center=orgs["center_a"], institution=orgs["ent_a"])
    # the institution's own user (its consent) and an administrator set up a relation at once
    mine = services.service_link_create(actor=inventory["filer"], center=orgs["center_b"], institution=institute)
    assert mine.status == "accepted" and services.serves(users["center_b"], institute)
    pending = services.service_link_create(actor=users["center_a"], center=orgs["center_a"], institution=institute)
    assert pending.status == "pending"
    by_admin = services.service_link_create(actor=users["admin"], center=orgs["center_a"], institution=institute)
    assert by_admin.pk == pending.pk and by_admin.status == "accepted" and services.serves(users["center_a"],
                                                                                          institute)


def test_an_institution_inventories_only_patents_it_holds(api_client, users, inventory):
    from ipoc.patents import selectors as patent_selectors

    enterprise_patent = patent_selectors.patent_get(user=None, key_or_number="CN219123456U")  # 苏州甲科技有限公司's
    with pytest.raises(PermissionDenied) as exc:
        services.stock_create(actor=inventory["filer"], institution=inventory["institute"], patent=enterprise_patent)
    assert exc.value.field == "patent" and "苏州甲科技有限公司" in exc.value.message
    response = api_client.as_user(inventory["filer"]).post("/stock/select", {"numbers": ["CN219123456U"]})
    assert response.json()["counts"] == {"rows": 1, "created": 0, "updated": 0, "rejected": 1, "warnings": 0}
    assert not StockPatent.objects.filter(patent=enterprise_patent).exists()
    # a platform administrator may (the report still warns)
    report = services.stock_select(actor=users["admin"], institution=inventory["institute"],
                                   numbers=["CN219123456U"])
    assert report["counts"]["created"] == 1 and report["counts"]["warnings"] == 1
