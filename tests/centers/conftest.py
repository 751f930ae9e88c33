"""Centers fixtures: host organisations and two registry entries (provincial 甲, national-track 乙)."""

from __future__ import annotations

import pytest

from ipoc.centers import services
from ipoc.core import services as core_services
from ipoc.core.models import OrganizationKind, Role
from tests.conftest import PASSWORD


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def users(users, orgs):
    """The shared cast plus a user of 浙江省知识产权局 (another province's office)."""
    users["zj_office"] = core_services.user_create(actor=None, username="zj_office", password=PASSWORD,
                                                   role=Role.OFFICE_STAFF, organization=orgs["zj_office"])
    return users


@pytest.fixture
def hosts(orgs):
    mk = core_services.organization_create
    return {
        "leader": mk(actor=None, name="苏州甲新材料集团股份有限公司", kind=OrganizationKind.ENTERPRISE, is_sme=False,
                     region_code="320505"),
        "institute": mk(actor=None, name="杭州乙材料研究院", kind=OrganizationKind.RESEARCH_INSTITUTE,
                        region_code="330106"),
    }


@pytest.fixture
def center_a(orgs, hosts):
    """Provincial, managed by 江苏省知识产权局, in 苏州."""
    return services.center_create(
        actor=None, organization=orgs["center_a"], name="甲产业知识产权运营中心", host_organization=hosts["leader"],
        host_type="leading_enterprise", industry="纳米新材料", industry_chain="纳米材料产业链", level="provincial",
        managing_office=orgs["js_office"])


@pytest.fixture
def center_b(orgs, hosts):
    """National level, managed by 国家知识产权局, in 杭州."""
    return services.center_create(
        actor=None, organization=orgs["center_b"], name="乙产业知识产权运营中心", host_organization=hosts["institute"],
        host_type="research_institute", industry="新材料", level="national", managing_office=orgs["cnipa"])


def decide(center, actor, *statuses):
    """Walk a center through ``statuses`` (each with a reason and a document)."""
    decision = None
    for status in statuses:
        decision = services.center_transition(actor=actor, center=center, to_status=status, reason=f"依据评审：{status}",
                                              document_ref=f"知办函〔2026〕{len(status)}号")
        center.refresh_from_db()
    return decision
