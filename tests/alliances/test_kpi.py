"""The consortium figures of the annual report reconcile exactly with their records, year by year, and name them;
the SMEs served through consortia are added to the center's 服务中小企业."""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace

import pytest

from ipoc.alliances import services
from ipoc.alliances.models import ConsortiumMember, JointPatent, JointProject, SmeService
from ipoc.centers import kpi
from ipoc.core import services as core_services
from ipoc.core.models import OrganizationKind
from tests.alliances.conftest import make_patent

D = dt.date


@pytest.fixture
def records(consortium, users, orgs, more_orgs, patents):
    """Records on both sides of 2025's edges, and a second center's consortium that must not count."""
    c = consortium
    staff = users["center_a"]
    left = services.member_add(actor=staff, consortium=c, organization=more_orgs["investor"], role="investment_agency",
                               joined_on=D(2024, 5, 1))
    services.member_leave(actor=staff, member=left, left_on=D(2024, 12, 31))  # gone before 2025
    services.member_add(actor=staff, consortium=c, organization=more_orgs["sme_x"], role="sme",
                        joined_on=D(2025, 12, 31))  # joins on the last day of 2025
    p_2025 = services.project_create(actor=staff, consortium=c, title="甲", leader=more_orgs["big"], budget=1,
                                     start_date=D(2025, 2, 1), status="ongoing")
    p_old = services.project_create(actor=staff, consortium=c, title="乙", leader=orgs["univ"], budget=1,
                                    start_date=D(2024, 1, 1), end_date=D(2024, 12, 31), status="completed")
    p_cancel = services.project_create(actor=staff, consortium=c, title="丙", leader=orgs["univ"], budget=1,
                                       start_date=D(2025, 3, 1), status="ongoing")
    services.joint_patent_add(actor=staff, project=p_2025, patent=patents["big1"])       # filed 2025-03-01
    services.joint_patent_add(actor=staff, project=p_2025, patent=patents["big2"])       # filed 2025-08-01
    services.joint_patent_add(actor=staff, project=p_old, patent=patents["univ"])        # filed 2025, other project
    undated = make_patent("CN300000009A", more_orgs["big"], None)
    services.joint_patent_add(actor=staff, project=p_2025, patent=undated, recorded_on=D(2025, 11, 1))
    services.joint_patent_add(actor=staff, project=p_cancel, patent=make_patent("CN300000010A", orgs["univ"],
                                                                                "2025-04-01"))
    services.project_update(actor=staff, project=p_cancel, data={"status": "cancelled"})
    for sme, on in ((orgs["ent_a"], D(2025, 1, 1)), (orgs["ent_a"], D(2025, 12, 31)),
                    (more_orgs["sme_x"], D(2025, 12, 31)), (more_orgs["sme_x"], D(2024, 12, 31))):
        services.sme_service_create(actor=staff, consortium=c, provider=more_orgs["big"], sme=sme, kind="supply",
                                    served_on=on, content="配套")
    # another center's consortium with the same members
    other = services.consortium_create(actor=users["center_b"], name="乙中心联合体", industry="新材料",
                                       lead=more_orgs["big"], established_on=D(2025, 1, 1))
    services.member_add(actor=users["center_b"], consortium=other, organization=orgs["ent_b"], role="sme",
                        joined_on=D(2025, 1, 1))
    services.sme_service_create(actor=users["center_b"], consortium=other, provider=more_orgs["big"],
                                sme=orgs["ent_b"], kind="training", served_on=D(2025, 3, 1), content="培训")
    return {"p_2025": p_2025, "p_old": p_old, "undated": undated}


def _center(orgs, key="center_a"):
    return SimpleNamespace(organization_id=orgs[key].pk)


def _refs(figure, model):
    return sorted(i for m, i in figure.record_refs if m == model)


def test_members_reconcile(records, orgs, more_orgs):
    fig = kpi.kpi_figure(kpi.CONSORTIUM_MEMBERS, _center(orgs), 2025)
    rows = [m for m in ConsortiumMember.objects.filter(consortium__center=orgs["center_a"])
            if m.joined_on <= D(2025, 12, 31) and (m.left_on is None or m.left_on >= D(2025, 1, 1))]
    assert fig.value == len({m.organization_id for m in rows}) == 5  # big, ent_a, univ, institute, sme_x
    assert _refs(fig, "core.organization") == sorted({m.organization_id for m in rows})
    assert _refs(fig, "alliances.consortiummember") == sorted(m.pk for m in rows)
    assert more_orgs["investor"].pk not in _refs(fig, "core.organization")
    assert kpi.kpi_figure(kpi.CONSORTIUM_MEMBERS, _center(orgs), 2024).value == 5  # investor in, sme_x not yet
    assert kpi.kpi_figure(kpi.CONSORTIUM_MEMBERS, _center(orgs), 2023).value == 0


def test_joint_projects_reconcile(records, orgs):
    fig = kpi.kpi_figure(kpi.CONSORTIUM_JOINT_PROJECTS, _center(orgs), 2025)
    expected = [p.pk for p in JointProject.objects.filter(consortium__center=orgs["center_a"]).order_by("pk")
                if p.status != "cancelled" and p.start_date <= D(2025, 12, 31)
                and (p.end_date is None or p.end_date >= D(2025, 1, 1))]
    assert expected == [records["p_2025"].pk]
    assert fig.value == len(expected) and _refs(fig, "alliances.jointproject") == expected
    assert kpi.kpi_figure(kpi.CONSORTIUM_JOINT_PROJECTS, _center(orgs), 2024).record_refs == [
        ("alliances.jointproject", records["p_old"].pk)]


def test_joint_patents_reconcile(records, orgs, patents):
    fig = kpi.kpi_figure(kpi.CONSORTIUM_JOINT_PATENTS, _center(orgs), 2025)
    links = [jp for jp in JointPatent.objects.filter(project__consortium__center=orgs["center_a"])
             if jp.project.status != "cancelled"
             and (jp.patent.application_date or jp.recorded_on).year == 2025]
    # big1, big2, the university's (produced by the 2024 project, filed 2025) and the undated one recorded in 2025
    assert sorted(jp.patent_id for jp in links) == sorted(
        [patents["big1"].pk, patents["big2"].pk, patents["univ"].pk, records["undated"].pk])
    assert fig.value == len({jp.patent_id for jp in links}) == 4
    assert _refs(fig, "patents.patent") == sorted({jp.patent_id for jp in links})
    assert _refs(fig, "alliances.jointpatent") == sorted(jp.pk for jp in links)
    assert kpi.kpi_figure(kpi.CONSORTIUM_JOINT_PATENTS, _center(orgs), 2024).value == 0


def test_smes_served_reconcile(records, orgs, more_orgs):
    fig = kpi.kpi_figure(kpi.CONSORTIUM_SMES_SERVED, _center(orgs), 2025)
    rows = list(SmeService.objects.filter(consortium__center=orgs["center_a"], served_on__year=2025))
    assert fig.value == len({r.sme_id for r in rows}) == 2
    assert _refs(fig, "core.organization") == sorted({orgs["ent_a"].pk, more_orgs["sme_x"].pk})
    assert _refs(fig, "alliances.smeservice") == sorted(r.pk for r in rows)
    other = kpi.kpi_figure(kpi.CONSORTIUM_SMES_SERVED, _center(orgs, "center_b"), 2025)
    assert other.value == 1 and _refs(other, "core.organization") == [orgs["ent_b"].pk]


def test_the_annual_report_lines_are_ours(records, orgs):
    lines = {line["code"]: line for line in kpi.report_lines(_center(orgs), 2025)}
    for code, value in ((kpi.CONSORTIUM_MEMBERS, 5), (kpi.CONSORTIUM_JOINT_PROJECTS, 1),
                        (kpi.CONSORTIUM_JOINT_PATENTS, 4), (kpi.CONSORTIUM_SMES_SERVED, 2)):
        assert lines[code]["missing"] is False and lines[code]["value"] == value, code
        assert lines[code]["records"]


def test_smes_served_through_consortia_feed_the_centers_figure(records, orgs, more_orgs):
    """服务中小企业: SMEs from the demands the center handled, plus those served through its consortia (once)."""
    fig = kpi.kpi_figure(kpi.SMES_SERVED, _center(orgs), 2025)
    assert fig is not None
    assert set(_refs(fig, "core.organization")) >= {orgs["ent_a"].pk, more_orgs["sme_x"].pk}
    assert fig.value == len(_refs(fig, "core.organization"))
    assert _refs(fig, "alliances.smeservice")


def test_the_record_pages_open(records, orgs, users, client):
    """Each record behind a figure has a page the viewer may open (the report links them)."""
    from ipoc.centers import selectors as center_selectors

    fig = kpi.kpi_figure(kpi.CONSORTIUM_SMES_SERVED, _center(orgs), 2025)
    fig2 = kpi.kpi_figure(kpi.CONSORTIUM_JOINT_PATENTS, _center(orgs), 2025)
    refs = [{"model": m, "id": i} for m, i in fig.record_refs + fig2.record_refs
            + kpi.kpi_figure(kpi.CONSORTIUM_MEMBERS, _center(orgs), 2025).record_refs]
    rows = center_selectors.figure_records(user=users["js_office"], refs=refs)
    client.force_login(users["js_office"])
    for row in rows:
        assert row["visible"] and row["url"], row
        assert client.get(row["url"], follow=True).status_code == 200, row["url"]


def test_an_unrelated_center_counts_nothing(db, orgs):
    lonely = core_services.organization_create(actor=None, name="丙中心", kind=OrganizationKind.OPERATION_CENTER,
                                               region_code="320500")
    for code in (kpi.CONSORTIUM_MEMBERS, kpi.CONSORTIUM_JOINT_PROJECTS, kpi.CONSORTIUM_JOINT_PATENTS,
                 kpi.CONSORTIUM_SMES_SERVED):
        fig = kpi.kpi_figure(code, SimpleNamespace(organization_id=lonely.pk), 2025)
        assert fig.value == 0 and fig.record_refs == []
