"""Session-10 probe: a patent recorded behind a product or project must be the enterprise's own (自有) or come
through a signed deal; ids are integers, not booleans."""

import pytest

from ipoc.core.errors import ApplicationError
from ipoc.deals import services as deal_services
from ipoc.industrialization import services


def test_owned_means_held_by_the_enterprise(users, product, patents):
    with pytest.raises(ApplicationError) as err:
        services.product_patent_add(actor=users["ent_a"], product=product, patent=patents["univ2"], source="owned")
    assert err.value.field == "source" and "权利人不是" in err.value.message
    assert not product.product_patents.filter(patent=patents["univ2"]).exists()


def test_a_deal_that_is_not_signed_brings_no_patent(users, orgs, project, patents):
    intention = deal_services.deal_create(actor=users["center_a"], title="意向中的许可", deal_type="license",
                                          sellers=[orgs["univ"]], buyers=[orgs["ent_a"]], patents=[patents["univ2"]])
    project.project_patents.filter(patent=patents["univ2"]).delete()
    with pytest.raises(ApplicationError) as err:
        services.project_patent_add(actor=users["center_a"], project=project, patent=patents["univ2"],
                                    source="licensed", deal_id=intention.pk)
    assert err.value.field == "deal" and "尚未签约" in err.value.message
    terminated = deal_services.deal_transition(actor=users["center_a"], deal=intention, to_stage="terminated",
                                                  reason="对方放弃")
    with pytest.raises(ApplicationError):
        services.project_patent_add(actor=users["center_a"], project=project, patent=patents["univ2"],
                                    source="licensed", deal_id=terminated.pk)


def test_a_boolean_is_not_a_patent_id(api_client, users, product):
    api_client.as_user(users["ent_a"])
    r = api_client.post(f"/industrialization/products/{product.pk}/patents", {"patent_id": True, "source": "owned"})
    assert r.status_code == 422 and "patent_id" in str(r.json())
