"""Probe finding on 挂牌 (issue 14 item 5: the ownership rule): the listing page offers an enterprise only the
patents it holds, but the service did not check it — ``POST /api/v1/matching/listings {"patent_id": <浙江大学's
patent>, "holder_id": <own>}`` by an enterprise put another organisation's patent on the public listing in its
own name (201), and center staff listed a patent for a holder that does not hold it. A listing's holder must
hold the patent (applicant or current holder); only the system (imports, the command line) lists otherwise."""

from __future__ import annotations

import json

import pytest

from ipoc.core.errors import PermissionDenied
from ipoc.matching import services
from ipoc.matching.models import Listing
from ipoc.patents import services as patent_services
from ipoc.patents.models import Patent

pytestmark = pytest.mark.django_db


@pytest.fixture
def patents(orgs, tmp_path):
    path = tmp_path / "p.jsonl"
    rows = [{"publication_number": "CN120000001A", "title": "一种电池极片辊压装置",
             "applicants": [{"name": orgs["ent_a"].name, "type": "企业"}]},
            {"publication_number": "CN120000002A", "title": "一种隔膜涂覆方法",
             "applicants": [{"name": orgs["univ"].name, "type": "高校"}]}]
    path.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in rows), encoding="utf-8")
    patent_services.patent_import(actor=None, path=path, format="jsonl")
    return {"ent_a": Patent.objects.get(publication_number="CN120000001A"),
            "univ": Patent.objects.get(publication_number="CN120000002A")}


def test_an_enterprise_cannot_list_a_patent_it_does_not_hold(api_client, users, orgs, patents):
    response = api_client.as_user(users["ent_a"]).post("/matching/listings", {
        "patent_id": patents["univ"].pk, "holder_id": orgs["ent_a"].pk, "modes": ["license"]})
    assert response.status_code == 403 and response.json()["error"]["field"] == "patent"
    assert not Listing.objects.exists()


def test_center_staff_list_only_for_a_holder_of_the_patent(users, orgs, patents):
    with pytest.raises(PermissionDenied) as caught:
        services.listing_create(actor=users["center_a"], patent_id=patents["univ"].pk, holder=orgs["ent_a"],
                                modes=["license"])
    assert caught.value.field == "patent"
    listing = services.listing_create(actor=users["center_a"], patent_id=patents["univ"].pk, holder=orgs["univ"],
                                      modes=["license"])
    assert listing.center == orgs["center_a"]


def test_holders_and_the_system_still_list(api_client, users, orgs, patents):
    response = api_client.as_user(users["ent_a"]).post("/matching/listings", {
        "patent_id": patents["ent_a"].pk, "holder_id": orgs["ent_a"].pk, "modes": ["license"]})
    assert response.status_code == 201
    services.listing_create(actor=None, patent_id=patents["univ"].pk, holder=orgs["ent_b"],
                            modes=["assignment"])
    assert Listing.objects.count() == 2
