"""The rules and refusals of 创新联合体: authority, member roles against organisation kinds, dates, joint patents,
shared patents, protection shares summing to 100%, SME service records — and the audit."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from ipoc.alliances import selectors, services
from ipoc.alliances.models import ConsortiumMember
from ipoc.core.errors import ApplicationError, PermissionDenied
from ipoc.core.models import AuditEntry

D = dt.date


# ---------------------------------------------------------------- creating a consortium


def test_center_creates_and_the_lead_joins_as_its_first_member(consortium, more_orgs, orgs):
    lead = consortium.members.get(organization=more_orgs["big"])
    assert lead.role == "lead_enterprise" and lead.joined_on == D(2024, 1, 1)
    assert consortium.center == orgs["center_a"]
    assert AuditEntry.objects.filter(object_repr=consortium.name, action="create").exists()


@pytest.mark.parametrize("who", ["ent_a", "univ", "js_office", "expert"])
def test_only_center_staff_create(users, more_orgs, who):
    with pytest.raises(PermissionDenied):
        services.consortium_create(actor=users[who], name="X", industry="Y", lead=more_orgs["big"])


def test_center_staff_cannot_create_for_another_center(users, orgs, more_orgs):
    with pytest.raises(PermissionDenied) as exc:
        services.consortium_create(actor=users["center_a"], name="X", industry="Y", lead=more_orgs["big"],
                                   center=orgs["center_b"])
    assert exc.value.field == "center"


def test_an_sme_or_an_investor_cannot_lead(users, orgs, more_orgs):
    for lead in (orgs["ent_a"], more_orgs["investor"]):
        with pytest.raises(ApplicationError) as exc:
            services.consortium_create(actor=users["center_a"], name=f"由{lead.name}牵头", industry="Y", lead=lead)
        assert exc.value.field == "lead"


def test_duplicate_name_in_a_center_is_refused(consortium, users, more_orgs):
    with pytest.raises(ApplicationError) as exc:
        services.consortium_create(actor=users["center_a"], name="纳米电子创新联合体", industry="Y",
                                   lead=more_orgs["big"])
    assert exc.value.field == "name"


# ---------------------------------------------------------------- members


def test_who_may_add_members(consortium, users, more_orgs):
    """The lead's users and the center's staff may; a member, another center and an office may not."""
    m = services.member_add(actor=users["big"], consortium=consortium, organization=more_orgs["investor"],
                            role="investment_agency", joined_on=D(2025, 1, 1))
    assert m.pk
    for who in ("ent_a", "univ", "center_b", "js_office", "cnipa"):
        with pytest.raises(PermissionDenied):
            services.member_add(actor=users[who], consortium=consortium, organization=more_orgs["sme_x"],
                                role="sme", joined_on=D(2025, 1, 1))


@pytest.mark.parametrize("org_key,role", [
    ("sme_x", "lead_enterprise"),     # an SME as 龙头企业
    ("investor", "sme"),              # an investor as 中小企业
    ("institute", "university"),      # an institute as 高校
    ("investor", "service_agency"),
])
def test_role_must_agree_with_kind(consortium, users, more_orgs, org_key, role):
    with pytest.raises(ApplicationError) as exc:
        services.member_add(actor=users["center_a"], consortium=consortium, organization=more_orgs[org_key],
                            role=role, joined_on=D(2025, 1, 1))
    assert exc.value.field == "role"
    assert "不符" in exc.value.message


def test_a_large_enterprise_is_not_an_sme_member(consortium, users, orgs, more_orgs):
    other_big = more_orgs["big"]
    with pytest.raises(ApplicationError) as exc:
        services.member_add(actor=users["center_a"], consortium=consortium, organization=other_big, role="sme")
    assert exc.value.field in ("role", "organization")


def test_member_dates_and_duplicates(consortium, users, orgs, more_orgs):
    with pytest.raises(ApplicationError) as exc:
        services.member_add(actor=users["center_a"], consortium=consortium, organization=more_orgs["sme_x"],
                            role="sme", joined_on=D(2023, 12, 31))
    assert exc.value.field == "joined_on"
    with pytest.raises(ApplicationError) as exc:
        services.member_add(actor=users["center_a"], consortium=consortium, organization=more_orgs["sme_x"],
                            role="sme", joined_on=services.today() + dt.timedelta(days=3))
    assert exc.value.field == "joined_on"
    with pytest.raises(ApplicationError) as exc:
        services.member_add(actor=users["center_a"], consortium=consortium, organization=orgs["ent_a"], role="sme")
    assert exc.value.field == "organization"
    with pytest.raises(ApplicationError) as exc:
        services.member_add(actor=users["center_a"], consortium=consortium, organization=more_orgs["sme_x"],
                            role="partner")
    assert exc.value.field == "role"


def test_leave_keeps_the_row_and_the_lead_cannot_leave(consortium, users, orgs, more_orgs):
    member = consortium.members.get(organization=orgs["ent_a"])
    with pytest.raises(ApplicationError) as exc:
        services.member_leave(actor=users["center_a"], member=member, left_on=D(2024, 1, 15))
    assert exc.value.field == "left_on"  # before it joined
    services.member_leave(actor=users["big"], member=member, left_on=D(2025, 6, 30), reason="业务调整")
    member.refresh_from_db()
    assert member.left_on == D(2025, 6, 30)
    assert ConsortiumMember.objects.filter(pk=member.pk).exists()
    # it may join again after it left
    again = services.member_add(actor=users["center_a"], consortium=consortium, organization=orgs["ent_a"],
                                role="sme", joined_on=D(2025, 9, 1))
    assert again.pk != member.pk
    lead = consortium.members.get(organization=more_orgs["big"])
    with pytest.raises(ApplicationError) as exc:
        services.member_leave(actor=users["center_a"], member=lead)
    assert exc.value.field == "organization"


def test_dissolving_closes_memberships(consortium, users):
    services.consortium_update(actor=users["center_a"], consortium=consortium,
                               data={"status": "dissolved", "dissolved_on": D(2025, 12, 31)})
    assert not consortium.members.filter(left_on__isnull=True).exists()
    assert set(consortium.members.values_list("left_on", flat=True)) == {D(2025, 12, 31)}
    with pytest.raises(ApplicationError):
        services.member_add(actor=users["center_a"], consortium=consortium,
                            organization=consortium.members.first().organization, role="sme")


def test_update_refuses_unknown_fields_and_other_users(consortium, users):
    with pytest.raises(ApplicationError) as exc:
        services.consortium_update(actor=users["center_a"], consortium=consortium, data={"lead": 1})
    assert exc.value.field == "lead"
    with pytest.raises(PermissionDenied):
        services.consortium_update(actor=users["univ"], consortium=consortium, data={"industry": "X"})


# ---------------------------------------------------------------- agreement


def test_agreement_terms_and_choices(consortium, users):
    with pytest.raises(ApplicationError) as exc:
        services.agreement_save(actor=users["center_a"], consortium=consortium, data={
            "result_ownership": "joint", "cross_licence_scope": "everyone", "revenue_sharing": "fixed"})
    assert exc.value.field == "cross_licence_scope"
    a = services.agreement_save(actor=users["big"], consortium=consortium, data={
        "result_ownership": "joint", "cross_licence_scope": "members_free", "revenue_sharing": "fixed",
        "revenue_terms": "牵头单位 40%，其余成员平分 60%"})
    assert a.get_cross_licence_scope_display() == "成员间免费普通许可"
    services.agreement_save(actor=users["center_a"], consortium=consortium, data={"revenue_sharing": "by_investment"})
    a.refresh_from_db()
    assert a.revenue_sharing == "by_investment" and a.result_ownership == "joint"
    with pytest.raises(PermissionDenied):
        services.agreement_save(actor=users["univ"], consortium=consortium, data={"revenue_sharing": "fixed"})


def test_agreement_document_is_checked(consortium, users):
    from django.core.files.uploadedfile import SimpleUploadedFile

    services.agreement_save(actor=users["center_a"], consortium=consortium, data={
        "result_ownership": "joint", "cross_licence_scope": "project", "revenue_sharing": "fixed"})
    fake = SimpleUploadedFile("协议.pdf", b"<html><script>alert(1)</script></html>", content_type="application/pdf")
    with pytest.raises(ApplicationError) as exc:
        services.agreement_attach(actor=users["center_a"], consortium=consortium, document=fake)
    assert exc.value.field == "document"
    good = SimpleUploadedFile("协议.pdf", b"%PDF-1.4 test", content_type="application/pdf")
    a = services.agreement_attach(actor=users["center_a"], consortium=consortium, document=good)
    assert a.document.name.endswith(".pdf") and a.document.url.startswith("/files/")


# ---------------------------------------------------------------- projects, milestones, joint patents


def _project(consortium, users, orgs, more_orgs, **kw):
    data = dict(title="纳米传感器联合攻关", leader=more_orgs["big"], participants=[orgs["univ"], orgs["ent_a"]],
                budget="2000000", start_date=D(2025, 1, 1), end_date=D(2026, 12, 31), status="ongoing")
    data.update(kw)
    return services.project_create(actor=users["center_a"], consortium=consortium, **data)


def test_project_rules(consortium, users, orgs, more_orgs):
    for bad, field in (({"budget": "-1"}, "budget"), ({"budget": "abc"}, "budget"), ({"budget": "1e20"}, "budget"),
                       ({"end_date": D(2024, 12, 31)}, "end_date"), ({"leader": orgs["ent_b"]}, "leader"),
                       ({"participants": [more_orgs["sme_x"]]}, "participants"), ({"status": "won"}, "status"),
                       ({"title": " "}, "title")):
        with pytest.raises(ApplicationError) as exc:
            _project(consortium, users, orgs, more_orgs, **bad)
        assert exc.value.field == field, bad
    p = _project(consortium, users, orgs, more_orgs)
    assert p.budget == Decimal("2000000.00")
    with pytest.raises(PermissionDenied):
        services.project_update(actor=users["ent_a"], project=p, data={"status": "completed"})


def test_milestones(consortium, users, orgs, more_orgs):
    p = _project(consortium, users, orgs, more_orgs)
    with pytest.raises(ApplicationError) as exc:
        services.milestone_add(actor=users["center_a"], project=p, title="太早", due_on=D(2024, 6, 1))
    assert exc.value.field == "due_on"
    overdue = services.milestone_add(actor=users["center_a"], project=p, title="方案评审",
                                     due_on=services.today() - dt.timedelta(days=3))
    later = services.milestone_add(actor=users["big"], project=p, title="样机",
                                   due_on=services.today() + dt.timedelta(days=90))
    due = list(selectors.milestones_due(user=users["center_a"]))
    assert overdue in due and later not in due
    assert overdue in list(selectors.milestones_due(user=users["big"]))  # the lead's users too
    assert list(selectors.milestones_due(user=users["univ"])) == []  # a member follows, does not manage
    services.milestone_done(actor=users["center_a"], milestone=overdue)
    assert overdue not in list(selectors.milestones_due(user=users["center_a"]))
    with pytest.raises(ApplicationError):
        services.milestone_done(actor=users["center_a"], milestone=overdue)


def test_joint_patents(consortium, users, orgs, more_orgs, patents):
    p = _project(consortium, users, orgs, more_orgs)
    link = services.joint_patent_add(actor=users["center_a"], project=p, patent=patents["big1"])
    assert link.pk
    with pytest.raises(ApplicationError) as exc:  # filed before the project started
        services.joint_patent_add(actor=users["center_a"], project=p, patent=patents["old"])
    assert exc.value.field == "patent" and "早于项目开始日期" in exc.value.message
    with pytest.raises(ApplicationError) as exc:  # no member holds it
        services.joint_patent_add(actor=users["center_a"], project=p, patent=patents["outsider"])
    assert exc.value.field == "patent"
    with pytest.raises(ApplicationError) as exc:  # twice
        services.joint_patent_add(actor=users["center_a"], project=p, patent=patents["big1"])
    assert exc.value.field == "patent"
    assert patents["big1"].pk in selectors.consortium_patent_ids()


# ---------------------------------------------------------------- shared patents


def test_shared_patent_ledger(consortium, users, orgs, more_orgs, patents):
    # the center records the lead's contribution; a member's user adds its own (and only its own)
    services.shared_patent_add(actor=users["center_a"], consortium=consortium, patent=patents["big1"],
                               contributed_by=more_orgs["big"], contributed_on=D(2025, 4, 1))
    row = services.shared_patent_add(actor=users["univ"], consortium=consortium, patent=patents["univ"],
                                     contributed_by=None, contributed_on=D(2025, 6, 1))
    assert row.contributed_by == orgs["univ"]
    with pytest.raises(PermissionDenied):
        services.shared_patent_add(actor=users["univ"], consortium=consortium, patent=patents["big2"],
                                   contributed_by=more_orgs["big"])
    with pytest.raises(ApplicationError) as exc:  # the contributor does not hold it
        services.shared_patent_add(actor=users["center_a"], consortium=consortium, patent=patents["outsider"],
                                   contributed_by=more_orgs["big"])
    assert exc.value.field == "patent"
    with pytest.raises(ApplicationError) as exc:  # already on the list
        services.shared_patent_add(actor=users["center_a"], consortium=consortium, patent=patents["big1"],
                                   contributed_by=more_orgs["big"])
    assert exc.value.field == "patent"
    with pytest.raises(PermissionDenied):  # not a member
        services.shared_patent_add(actor=users["ent_b"], consortium=consortium, patent=patents["outsider"],
                                   contributed_by=None)
    with pytest.raises(ApplicationError) as exc:  # a member, but not on that day
        services.shared_patent_add(actor=users["center_a"], consortium=consortium, patent=patents["big2"],
                                   contributed_by=more_orgs["institute"], contributed_on=D(2024, 2, 1))
    assert exc.value.field == "contributed_by"
    services.shared_patent_withdraw(actor=users["univ"], shared=row, withdrawn_on=D(2025, 9, 1))
    ledger = {r["organization"].name: r for r in selectors.contribution_ledger(consortium)}
    assert ledger[orgs["univ"].name]["brought"] == 1 and ledger[orgs["univ"].name]["current"] == 0
    assert ledger[more_orgs["big"].name]["current"] == 1
    assert selectors.consortium_patent_ids() == {patents["big1"].pk}


# ---------------------------------------------------------------- joint protection


def test_protection_shares_must_sum_to_100(consortium, users, orgs, more_orgs, patents):
    services.shared_patent_add(actor=users["center_a"], consortium=consortium, patent=patents["big1"],
                               contributed_by=more_orgs["big"], contributed_on=D(2025, 4, 1))
    base = dict(kind="enforcement", title="联合维权", target="某侵权企业", decided_on=D(2025, 10, 1),
                patents=[patents["big1"]])
    for shares, message in (([(more_orgs["big"], 60), (orgs["univ"], 30)], "现为 90%"),
                            ([(more_orgs["big"], "60.5"), (orgs["univ"], 40)], "现为 100.5%"),
                            ([(more_orgs["big"], 60), (more_orgs["big"], 40)], "重复"),
                            ([(more_orgs["big"], 60), (orgs["ent_b"], 40)], "不是该联合体成员"),
                            ([(more_orgs["big"], "abc")], "数字"),
                            ([(more_orgs["big"], 120)], "0 到 100"),
                            ([], "请填写")):
        with pytest.raises(ApplicationError) as exc:
            services.protection_create(actor=users["center_a"], consortium=consortium, shares=shares, **base)
        assert exc.value.field == "shares" and message in exc.value.message, (shares, exc.value.message)
    action = services.protection_create(
        actor=users["big"], consortium=consortium, shares=[(more_orgs["big"], "33.34"), (orgs["univ"], "33.33"),
                                                           (orgs["ent_a"], "33.33")], budget="300000", **base)
    assert sum(s.percent for s in action.shares.all()) == Decimal("100")
    with pytest.raises(ApplicationError) as exc:  # invalidation needs the target patent
        services.protection_create(actor=users["center_a"], consortium=consortium, kind="invalidation",
                                   title="无效", target="对方", decided_on=D(2025, 10, 1),
                                   shares=[(more_orgs["big"], 100)])
    assert exc.value.field == "target_patent"
    with pytest.raises(ApplicationError) as exc:  # not against our own shared patent
        services.protection_create(actor=users["center_a"], consortium=consortium, kind="invalidation",
                                   title="无效", target="对方", decided_on=D(2025, 10, 1),
                                   target_patent=patents["big1"], shares=[(more_orgs["big"], 100)])
    assert exc.value.field == "target_patent"
    with pytest.raises(ApplicationError) as exc:  # enforcement needs our patents
        services.protection_create(actor=users["center_a"], consortium=consortium, kind="enforcement",
                                   title="维权", target="对方", decided_on=D(2025, 10, 1),
                                   shares=[(more_orgs["big"], 100)])
    assert exc.value.field == "patents"
    with pytest.raises(PermissionDenied):
        services.protection_create(actor=users["univ"], consortium=consortium, shares=[(more_orgs["big"], 100)],
                                   **base)


# ---------------------------------------------------------------- 大手拉小手


def test_sme_service_rules(consortium, users, orgs, more_orgs):
    ok = services.sme_service_create(actor=users["center_a"], consortium=consortium, provider=more_orgs["big"],
                                     sme=orgs["ent_a"], kind="licence", served_on=D(2025, 5, 1),
                                     content="专利普通许可")
    assert ok.pk
    # a non-member SME may be served
    services.sme_service_create(actor=users["big"], consortium=consortium, provider=orgs["univ"],
                                sme=more_orgs["sme_x"], kind="technical", served_on=D(2025, 6, 1), content="技术帮扶")
    cases = [
        (dict(provider=orgs["ent_a"], sme=more_orgs["sme_x"]), "provider"),    # an SME member is not a 大手
        (dict(provider=orgs["ent_b"]), "provider"),                            # not a member
        (dict(served_on=D(2024, 2, 15), provider=more_orgs["institute"]), "provider"),  # institute joined 03-01
        (dict(sme=more_orgs["institute"]), "sme"),                             # not an SME
        (dict(sme=more_orgs["big"]), "sme"),                                   # not an SME (and itself)
        (dict(kind="gift"), "kind"),
        (dict(served_on=services.today() + dt.timedelta(days=1)), "served_on"),
        (dict(content=""), "content"),
    ]
    for change, field in cases:
        data = dict(provider=more_orgs["big"], sme=orgs["ent_a"], kind="supply", served_on=D(2025, 7, 1),
                    content="配套供应")
        data.update(change)
        with pytest.raises(ApplicationError) as exc:
            services.sme_service_create(actor=users["center_a"], consortium=consortium, **data)
        assert exc.value.field == field, (change, exc.value.message)
    with pytest.raises(PermissionDenied):
        services.sme_service_create(actor=users["ent_a"], consortium=consortium, provider=more_orgs["big"],
                                    sme=orgs["ent_a"], kind="supply", served_on=D(2025, 7, 1), content="x")


# ---------------------------------------------------------------- visibility


def test_who_sees_a_consortium(consortium, users):
    def sees(u):
        return selectors.consortium_list(user=users[u]).filter(pk=consortium.pk).exists()

    for u in ("admin", "center_a", "big", "ent_a", "univ", "js_office", "cnipa"):
        assert sees(u), u
    for u in ("center_b", "ent_b", "expert"):
        assert not sees(u), u
    from ipoc.core.errors import NotFound

    with pytest.raises(NotFound):
        selectors.consortium_get(user=users["ent_b"], pk=consortium.pk)


def test_organization_consortia(consortium, orgs, more_orgs):
    rows = selectors.organization_consortia(orgs["univ"].pk)
    assert rows == [{"id": consortium.pk, "name": consortium.name, "url": f"/alliances/{consortium.pk}/",
                     "role": "university", "role_label": "高校", "lead": False, "current": True}]
    assert selectors.organization_consortia(more_orgs["big"].pk)[0]["lead"] is True
    assert selectors.organization_consortia(orgs["ent_b"].pk) == []
