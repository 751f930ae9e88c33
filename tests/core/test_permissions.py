"""Object-level refusals: each role sees and changes only what it should."""

import pytest

from ipoc.core import services as core_services
from ipoc.core.errors import PermissionDenied
from ipoc.core.permissions import CHANGE, VIEW, can, restrict
from ipoc.demands import selectors as demand_selectors
from ipoc.demands import services as demand_services
from ipoc.demands.models import Demand, DemandStatus


@pytest.fixture
def demands(users, orgs):
    draft_a = demand_services.demand_create(actor=users["ent_a"], title="高导热石墨烯散热膜量产工艺",
                                            center=orgs["center_a"], region_code="320505",
                                            contact_phone="13812345678")
    pub_b = demand_services.demand_create(actor=users["ent_b"], title="锂电池正极材料包覆技术",
                                          center=orgs["center_b"], region_code="330106")
    demand_services.demand_transition(actor=users["ent_b"], demand=pub_b, to_status=DemandStatus.PENDING)
    demand_services.demand_transition(actor=users["center_b"], demand=pub_b, to_status=DemandStatus.PUBLISHED)
    return {"draft_a": draft_a, "pub_b": Demand.objects.get(pk=pub_b.pk)}


def visible(user):
    return set(restrict(Demand.objects.all(), user, VIEW).values_list("title", flat=True))


def test_enterprise_sees_own_demands_and_published_ones_only(users, demands):
    assert visible(users["ent_a"]) == {"高导热石墨烯散热膜量产工艺", "锂电池正极材料包覆技术"}
    assert visible(users["ent_b"]) == {"锂电池正极材料包覆技术"}  # not A's draft
    with pytest.raises(Exception) as exc:
        demand_selectors.demand_get(user=users["ent_b"], pk=demands["draft_a"].pk)
    assert exc.value.status == 404


def test_enterprise_cannot_change_another_enterprises_demand(users, demands):
    with pytest.raises(PermissionDenied):
        demand_services.demand_update(actor=users["ent_a"], demand=demands["pub_b"], data={"title": "改"})
    with pytest.raises(PermissionDenied):
        demand_services.demand_transition(actor=users["ent_a"], demand=demands["pub_b"],
                                          to_status=DemandStatus.CLOSED)
    assert Demand.objects.get(pk=demands["pub_b"].pk).title == "锂电池正极材料包覆技术"


def test_enterprise_cannot_file_for_another_organization(users, orgs):
    with pytest.raises(Exception) as exc:
        demand_services.demand_create(actor=users["ent_a"], title="x", organization=orgs["ent_b"])
    assert exc.value.status == 403


def test_center_staff_see_and_change_only_their_centers_records(users, demands):
    assert visible(users["center_a"]) == {"高导热石墨烯散热膜量产工艺", "锂电池正极材料包覆技术"}
    assert can(users["center_a"], CHANGE, demands["draft_a"])
    assert not can(users["center_a"], CHANGE, demands["pub_b"])
    assert not can(users["center_b"], VIEW, demands["draft_a"])
    with pytest.raises(PermissionDenied):
        demand_services.demand_update(actor=users["center_b"], demand=demands["draft_a"], data={"title": "改"})


def test_only_the_handling_center_publishes(users, demands):
    demand_services.demand_transition(actor=users["ent_a"], demand=demands["draft_a"], to_status=DemandStatus.PENDING)
    with pytest.raises(Exception) as exc:  # the owner cannot publish its own demand
        demand_services.demand_transition(actor=users["ent_a"], demand=demands["draft_a"],
                                          to_status=DemandStatus.PUBLISHED)
    assert exc.value.status == 403
    demand_services.demand_transition(actor=users["center_a"], demand=demands["draft_a"],
                                      to_status=DemandStatus.PUBLISHED)
    history = list(Demand.objects.get(pk=demands["draft_a"].pk).status_changes.values_list(
        "from_status", "to_status", "actor__username"))
    assert history == [("", "draft", "ent_a"), ("draft", "pending", "ent_a"), ("pending", "published", "center_a")]


def test_expert_sees_only_what_is_assigned(users, demands):
    assert visible(users["expert"]) == {"锂电池正极材料包覆技术"}  # public only
    core_services.assignment_create(actor=users["cnipa"], user=users["expert"], obj=demands["draft_a"],
                                    purpose="评审")
    assert visible(users["expert"]) == {"高导热石墨烯散热膜量产工艺", "锂电池正极材料包覆技术"}
    assert visible(users["expert2"]) == {"锂电池正极材料包覆技术"}
    assert not can(users["expert"], CHANGE, demands["draft_a"])  # seeing is not changing


def test_only_offices_assign_experts(users, demands):
    with pytest.raises(PermissionDenied):
        core_services.assignment_create(actor=users["center_a"], user=users["expert"], obj=demands["draft_a"])


def test_offices_see_non_draft_demands_in_their_area(users, demands):
    assert visible(users["cnipa"]) == {"锂电池正极材料包覆技术"}  # drafts stay private
    demand_services.demand_transition(actor=users["ent_a"], demand=demands["draft_a"], to_status=DemandStatus.PENDING)
    assert "高导热石墨烯散热膜量产工艺" in visible(users["cnipa"])  # national: whole country
    assert "高导热石墨烯散热膜量产工艺" in visible(users["js_office"])  # 3205xx is in Jiangsu
    assert not can(users["js_office"], CHANGE, demands["draft_a"])


def test_contact_is_masked_for_outsiders(users, demands):
    demand_services.demand_transition(actor=users["ent_a"], demand=demands["draft_a"], to_status=DemandStatus.PENDING)
    demand_services.demand_transition(actor=users["center_a"], demand=demands["draft_a"],
                                      to_status=DemandStatus.PUBLISHED)
    d = Demand.objects.get(pk=demands["draft_a"].pk)
    assert demand_selectors.demand_contact(user=users["ent_a"], demand=d)["phone"] == "13812345678"
    assert demand_selectors.demand_contact(user=users["center_a"], demand=d)["phone"] == "13812345678"
    assert demand_selectors.demand_contact(user=users["ent_b"], demand=d)["phone"] == "138*****678"


def test_platform_admin_sees_everything(users, demands):
    assert len(visible(users["admin"])) == 2
