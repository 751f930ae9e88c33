"""Probe finding (alliances): the lead organisation's users could put another member's patent on the shared list
in that member's name; only the organising center (or an administrator) records on a member's behalf."""

from __future__ import annotations

import pytest

from ipoc.alliances import services
from ipoc.core.errors import PermissionDenied


def test_lead_cannot_commit_another_members_patent(consortium, users, orgs, patents):
    with pytest.raises(PermissionDenied) as exc:
        services.shared_patent_add(actor=users["big"], consortium=consortium, patent=patents["univ"],
                                   contributed_by=orgs["univ"])
    assert exc.value.field == "contributed_by"
    row = services.shared_patent_add(actor=users["big"], consortium=consortium, patent=patents["big1"],
                                     contributed_by=None)
    assert row.contributed_by.name == "苏州龙头电子集团有限公司"
    row = services.shared_patent_add(actor=users["center_a"], consortium=consortium, patent=patents["univ"],
                                     contributed_by=orgs["univ"])
    assert row.contributed_by == orgs["univ"]


def test_lead_form_has_no_contributor_picker(client, consortium, users):
    client.force_login(users["big"])
    page = client.get(f"/alliances/{consortium.pk}/shared-patents/new/")
    assert page.status_code == 200 and 'name="contributed_by"' not in page.content.decode()
    client.force_login(users["center_a"])
    assert 'name="contributed_by"' in client.get(f"/alliances/{consortium.pk}/shared-patents/new/").content.decode()


def test_missing_records_name_the_api_parameter(api_client, users):
    api_client.as_user(users["center_a"])
    for path, field in (("/alliances/projects/999999/milestones", "project_id"),
                        ("/alliances/members/999999/leave", "member_id"),
                        ("/alliances/milestones/999999/done", "milestone_id"),
                        ("/alliances/shared-patents/999999/withdraw", "shared_id")):
        r = api_client.post(path, {"title": "m", "due_on": "2027-01-01"})
        assert r.status_code == 404 and r.json()["error"]["field"] == field, path
