"""产业链图谱 tagging with staff corrections, and listings through the pages."""

import json

import pytest

from ipoc.core.errors import PermissionDenied
from ipoc.demands import services as demand_services
from ipoc.matching import services
from ipoc.matching.models import DemandChainTag, Listing
from ipoc.patents import services as patent_services
from ipoc.patents.models import Patent


@pytest.fixture
def nodes(users, orgs):
    return {
        "cathode": services.chain_node_create(actor=users["center_a"], center=orgs["center_a"], name="正极材料",
                                              position="upstream", keywords=["正极"], ipc_prefixes=["H01M4"]),
        "pack": services.chain_node_create(actor=users["center_a"], center=orgs["center_a"], name="电池包",
                                           position="midstream", keywords=["电池包"]),
    }


def test_automatic_tagging_and_staff_corrections_survive_retagging(users, orgs, nodes):
    demand = demand_services.demand_create(actor=users["ent_a"], title="高镍正极材料包覆", center=orgs["center_a"])
    tagged = services.demand_tag_chain(actor=None, demand=demand)
    assert [n.name for n in tagged] == ["正极材料"]
    services.demand_chain_tag_set(actor=users["center_a"], demand=demand, node=nodes["cathode"], include=False)
    services.demand_chain_tag_set(actor=users["center_a"], demand=demand, node=nodes["pack"], include=True)
    assert [n.name for n in services.demand_tag_chain(actor=None, demand=demand)] == ["电池包"]
    assert DemandChainTag.objects.get(demand=demand, node=nodes["cathode"]).excluded
    with pytest.raises(PermissionDenied):
        services.chain_node_create(actor=users["center_b"], center=orgs["center_a"], name="x", position="upstream")
    with pytest.raises(Exception) as exc:
        services.demand_chain_tag_set(actor=users["center_b"], demand=demand, node=nodes["pack"], include=True)
    assert exc.value.status == 403


def test_chain_tag_correction_over_the_api(api_client, users, orgs, nodes):
    demand = demand_services.demand_create(actor=users["ent_a"], title="电池包热管理", center=orgs["center_a"])
    body = api_client.as_user(users["center_a"]).post(f"/matching/demands/{demand.pk}/chain-tags",
                                                      {"node_id": nodes["pack"].pk, "include": False}).json()
    assert body["excluded"] is True


def test_chain_map_and_listing_pages(client, users, orgs, tmp_path):
    client.force_login(users["center_a"])
    response = client.post("/matching/chain/", {"name": "负极材料", "position": "upstream", "keywords": "负极，石墨",
                                                "ipc_prefixes": "H01M4/58"})
    assert response.status_code == 302
    assert "负极材料" in client.get("/matching/chain/").content.decode()
    path = tmp_path / "p.jsonl"
    path.write_text(json.dumps({"publication_number": "CN111900001A", "title": "一种正极材料",
                                "applicants": [{"name": orgs["univ"].name, "type": "高校"}]}, ensure_ascii=False))
    patent_services.patent_import(actor=None, path=path, format="jsonl")
    patent = Patent.objects.get()
    response = client.post("/matching/listings/", {"patent": patent.pk, "holder": orgs["univ"].pk,
                                                   "modes": ["license"], "asking_price": "300000",
                                                   "open_license": "on"}, follow=True)
    assert "专利已挂牌" in response.content.decode()
    listing = Listing.objects.get()
    assert (listing.patent, listing.center, listing.open_license) == (Patent.objects.get(), orgs["center_a"], True)
    page = client.get("/matching/listings/").content.decode()
    body = page[page.index("<tbody"):page.index("</tbody>")]
    assert "CN111900001A" in body and "许可" in body and "license" not in body  # 交易方式 by its label
    assert "许可" in client.get("/matching/listings/?mode=license").content.decode()
    assert "CN111900001A" not in client.get("/matching/listings/?mode=assignment").content.decode()
    response = client.post("/matching/listings/", {"patent": patent.pk, "holder": orgs["univ"].pk,
                                                   "modes": ["license"], "asking_price": "-1"})
    assert response.status_code == 200
    assert '<div class="invalid-feedback">' in response.content.decode()  # inline, on the price field
