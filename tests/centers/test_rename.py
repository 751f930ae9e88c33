"""A national center recognised takes the national name, and so does its own organisation (pages that name the
center through its organisation showed the old name); leaving recognition gives both their names back."""

from __future__ import annotations

from ipoc.core.models import AuditEntry
from tests.centers.conftest import decide


def test_the_centers_organisation_follows_the_recognised_name(center_b, users, orgs):
    assert center_b.organization.name == center_b.name == "乙产业知识产权运营中心"
    decide(center_b, users["cnipa"], "applying", "recognised")
    center_b.organization.refresh_from_db()
    assert center_b.name.startswith("国家") and center_b.organization.name == center_b.name
    assert AuditEntry.objects.filter(object_id=str(center_b.organization.pk), message="随运营中心状态决定更名").exists()
    decide(center_b, users["cnipa"], "exited")
    center_b.organization.refresh_from_db()
    assert center_b.name == center_b.organization.name == "乙产业知识产权运营中心"
