"""Alliances fixtures: a large enterprise, an institute, an investor, patents held by members, a consortium."""

from __future__ import annotations

import datetime as dt

import pytest

from ipoc.alliances import services
from ipoc.core import services as core_services
from ipoc.core.models import OrganizationKind, Role
from ipoc.patents.models import Patent, PatentParty
from tests.conftest import PASSWORD


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def more_orgs(orgs):
    mk = core_services.organization_create
    return {
        "big": mk(actor=None, name="苏州龙头电子集团有限公司", kind=OrganizationKind.ENTERPRISE, is_sme=False,
                  region_code="320505"),
        "institute": mk(actor=None, name="苏州纳米研究院", kind=OrganizationKind.RESEARCH_INSTITUTE,
                        region_code="320505"),
        "investor": mk(actor=None, name="苏州创新投资有限公司", kind=OrganizationKind.INVESTMENT_AGENCY,
                       region_code="320505"),
        "sme_x": mk(actor=None, name="昆山小微传感有限公司", kind=OrganizationKind.ENTERPRISE, is_sme=True,
                    region_code="320583"),
    }


@pytest.fixture
def users(users, orgs, more_orgs):
    """The shared cast plus the large enterprise's user (the lead's user)."""
    users["big"] = core_services.user_create(actor=None, username="big", password=PASSWORD,
                                             role=Role.ENTERPRISE_USER, organization=more_orgs["big"])
    return users


def make_patent(number: str, holder, filed: str | None = "2025-03-01", title: str = "") -> Patent:
    patent = Patent.objects.create(key=number, publication_number=number, title=title or f"联合体专利{number}",
                                   application_date=dt.date.fromisoformat(filed) if filed else None)
    PatentParty.objects.create(patent=patent, role="applicant", name=holder.name, organization=holder)
    return patent


@pytest.fixture
def patents(orgs, more_orgs):
    return {
        "big1": make_patent("CN300000001A", more_orgs["big"], "2025-03-01"),
        "big2": make_patent("CN300000002A", more_orgs["big"], "2025-08-01"),
        "old": make_patent("CN300000003A", more_orgs["big"], "2019-01-01"),
        "univ": make_patent("CN300000004A", orgs["univ"], "2025-05-01"),
        "outsider": make_patent("CN300000005A", orgs["ent_b"], "2025-06-01"),
    }


@pytest.fixture
def consortium(users, orgs, more_orgs):
    """Center 甲's consortium led by the large enterprise, founded 2024-01-01, with an SME, the university and
    the institute as members."""
    c = services.consortium_create(actor=users["center_a"], name="纳米电子创新联合体", industry="纳米电子",
                                   lead=more_orgs["big"], established_on=dt.date(2024, 1, 1), status="active")
    services.member_add(actor=users["center_a"], consortium=c, organization=orgs["ent_a"], role="sme",
                        joined_on=dt.date(2024, 2, 1))
    services.member_add(actor=users["center_a"], consortium=c, organization=orgs["univ"], role="university",
                        joined_on=dt.date(2024, 1, 1))
    services.member_add(actor=users["center_a"], consortium=c, organization=more_orgs["institute"], role="institute",
                        joined_on=dt.date(2024, 3, 1))
    return c
