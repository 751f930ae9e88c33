"""Industrialization fixtures: patents in force held by a university, a signed licence deal to an enterprise,
and helpers that open a project from it and a product covered by its patent."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from ipoc.core import services as core_services
from ipoc.deals import services as deal_services
from ipoc.industrialization import services
from ipoc.patents.models import Patent, PatentParty


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def _patent(n: int, holder, *, status: str = "valid") -> Patent:
    p = Patent.objects.create(key=f"CN11{n:07d}B", publication_number=f"CN11{n:07d}B", title=f"产业化专利{n}",
                              legal_status=status, patent_type="invention", grant_date=dt.date(2022, 1, 1),
                              application_date=dt.date(2020, 1, 1), expiry_date=dt.date(2040, 1, 1))
    PatentParty.objects.create(patent=p, role="holder", name=holder.name, organization=holder)
    return p


@pytest.fixture
def patents(orgs):
    """Two patents of the university in force, one of ent_a in force, one of ent_a lapsed."""
    core_services.organization_update(actor=None, organization=orgs["ent_a"],
                                      data={"credit_code": "914403001922038216"})
    return {"univ1": _patent(1, orgs["univ"]), "univ2": _patent(2, orgs["univ"]),
            "own": _patent(3, orgs["ent_a"]), "lapsed": _patent(4, orgs["ent_a"], status="lapsed")}


@pytest.fixture
def deal(users, orgs, patents):
    """A licence deal of center_a: 浙江大学 → 苏州甲科技, signed last year, covering univ1 and univ2."""
    actor = users["center_a"]
    year = dt.date.today().year - 1
    d = deal_services.deal_create(actor=actor, title="产业化许可交易", deal_type="license", sellers=[orgs["univ"]],
                                  buyers=[orgs["ent_a"]], patents=[patents["univ1"], patents["univ2"]],
                                  intention_date=dt.date(year, 1, 10), amount=Decimal("500000"))
    for stage in ("negotiation", "signed"):
        d = deal_services.deal_transition(actor=actor, deal=d, to_stage=stage,
                                          on=dt.date(year, 3, 1) if stage == "signed" else None)
    return d


@pytest.fixture
def project(users, deal):
    return services.project_create(actor=users["center_a"], title="产业化项目甲", deal=deal,
                                   start_date=dt.date(dt.date.today().year - 1, 4, 1))


@pytest.fixture
def product(users, project, patents):
    """A product of ent_a from the project, covered by univ1 (licensed through the deal) and its own patent."""
    actor = users["center_a"]
    p = services.product_create(actor=actor, name="产品甲", category="电子专用材料", project=project)
    services.product_patent_add(actor=actor, product=p, patent=patents["univ1"], source="licensed",
                                deal_id=project.project_patents.first().deal_id)
    services.product_patent_add(actor=actor, product=p, patent=patents["own"], source="owned")
    return p


@pytest.fixture
def data_year():
    return dt.date.today().year - 1


@pytest.fixture
def product_with_data(users, product, data_year):
    services.product_year_add(actor=users["center_a"], product=product, year=data_year, output_value="20000000",
                              sales="15000000", patent_revenue_share="45")
    return product
