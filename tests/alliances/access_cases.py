"""Access-matrix cases (tests/core/test_access_matrix.py) for the alliances app's write endpoints: for each, a
builder that makes the record with the services, names its owner (whose call must succeed) and the outsiders
who must be refused.

Who may manage a consortium (services.may_manage): the staff of the center that organised it, the users of its
lead organisation, administrators. A member's users may put their own organisation's patents on the shared list
and withdraw them. The records here are center 甲's (江苏) consortium; its outsiders are center 乙 (another
center: it cannot see the consortium), 江苏省知识产权局 (it may *view* the consortium of its province but may not
manage it, so the refusal is the service's, not the selector's) and an unassigned expert.
"""

from __future__ import annotations

import datetime as dt

from django.core.files.uploadedfile import SimpleUploadedFile

from tests.core.test_access_matrix import PDF, TODAY, Call, case

ALLIANCE_OUTSIDERS = {"other_org": "center_b", "other_office": "js_office"}
FOUNDED = dt.date(2022, 1, 1)
PROJECT_START = dt.date(2022, 6, 1)  # before the members' patents were filed (联合创造: filed after the start)
ROLES = {"ent_a": "sme", "ent_b": "sme", "univ": "university"}


def _consortium(w, members=("ent_a", "univ")):
    """Center 甲's consortium, led by a large enterprise, founded 2022-01-01, with ``members`` joined that day."""
    from ipoc.alliances import services

    consortium = services.consortium_create(
        actor=None, name="纳米新材料创新联合体", industry="纳米新材料", lead=w.hosts["leader"], center=w.o["center_a"],
        established_on=FOUNDED, status="active", goal="共建专利池")
    for key in members:
        services.member_add(actor=None, consortium=consortium, organization=w.o[key], role=ROLES[key],
                            joined_on=FOUNDED)
    return consortium


def _project(w):
    """A joint project undertaken by 苏州甲科技 with 浙江大学 taking part."""
    from ipoc.alliances import services

    return services.project_create(actor=None, consortium=_consortium(w), title="高纯纳米粉体联合攻关",
                                   leader=w.o["ent_a"], participants=[w.o["univ"]], budget="1000000",
                                   start_date=PROJECT_START, status="ongoing")


def _document():
    return {"document": SimpleUploadedFile("联合体协议.pdf", PDF, content_type="application/pdf")}


# -- the consortium

@case("POST", "/alliances")
def _(w):
    # another center organising a consortium in center 甲's name; an office and an expert may not organise one
    return Call("/alliances", "center_a", {"name": "新材料创新联合体", "industry": "新材料",
                                           "lead_id": w.hosts["leader"].pk, "center_id": w.o["center_a"].pk,
                                           "established_on": str(TODAY)}, **ALLIANCE_OUTSIDERS)


@case("PATCH", "/alliances/{consortium_id}")
def _(w):
    return Call(f"/alliances/{_consortium(w).pk}", "center_a", {"goal": "共建专利池、联合维权"}, **ALLIANCE_OUTSIDERS)


@case("POST", "/alliances/{consortium_id}/members")
def _(w):
    return Call(f"/alliances/{_consortium(w).pk}/members", "center_a",
                {"organization_id": w.o["univ_b"].pk, "role": "university", "joined_on": str(TODAY)},
                **ALLIANCE_OUTSIDERS)


@case("POST", "/alliances/members/{member_id}/leave")
def _(w):
    member = _consortium(w).members.get(organization=w.o["univ"])
    return Call(f"/alliances/members/{member.pk}/leave", "center_a", {"reason": "研究方向调整"}, **ALLIANCE_OUTSIDERS)


@case("PUT", "/alliances/{consortium_id}/agreement")
def _(w):
    return Call(f"/alliances/{_consortium(w).pk}/agreement", "center_a",
                {"signed_on": str(FOUNDED), "result_ownership": "joint", "cross_licence_scope": "members_free",
                 "revenue_sharing": "by_contribution"}, **ALLIANCE_OUTSIDERS)


@case("POST", "/alliances/{consortium_id}/agreement/document")
def _(w):
    from ipoc.alliances import services

    consortium = _consortium(w)
    services.agreement_save(actor=None, consortium=consortium, data={
        "signed_on": FOUNDED, "result_ownership": "joint", "cross_licence_scope": "members_free",
        "revenue_sharing": "by_contribution"})
    return Call(f"/alliances/{consortium.pk}/agreement/document", "center_a", form=_document, **ALLIANCE_OUTSIDERS)


# -- joint projects

@case("POST", "/alliances/{consortium_id}/projects")
def _(w):
    return Call(f"/alliances/{_consortium(w).pk}/projects", "center_a",
                {"title": "纳米涂层联合攻关", "leader_id": w.o["ent_a"].pk, "participant_ids": [w.o["univ"].pk],
                 "budget": "500000", "start_date": str(PROJECT_START)}, **ALLIANCE_OUTSIDERS)


@case("PATCH", "/alliances/projects/{project_id}")
def _(w):
    return Call(f"/alliances/projects/{_project(w).pk}", "center_a", {"description": "增加中试验证"},
                **ALLIANCE_OUTSIDERS)


@case("POST", "/alliances/projects/{project_id}/milestones")
def _(w):
    return Call(f"/alliances/projects/{_project(w).pk}/milestones", "center_a",
                {"title": "完成中试", "due_on": str(TODAY + dt.timedelta(days=90))}, **ALLIANCE_OUTSIDERS)


@case("POST", "/alliances/milestones/{milestone_id}/done")
def _(w):
    from ipoc.alliances import services

    milestone = services.milestone_add(actor=None, project=_project(w), title="完成小试", due_on=dt.date(2023, 6, 30))
    return Call(f"/alliances/milestones/{milestone.pk}/done", "center_a", {"done_on": str(TODAY)},
                **ALLIANCE_OUTSIDERS)


@case("POST", "/alliances/projects/{project_id}/patents")
def _(w):
    # 苏州甲科技's utility model, filed 2023-05-10 — after the project started
    return Call(f"/alliances/projects/{_project(w).pk}/patents", "center_a", {"patent_id": w.patents["ent_a"].pk},
                **ALLIANCE_OUTSIDERS)


# -- shared patents (a member contributes its own; the contributor may withdraw it)

@case("POST", "/alliances/{consortium_id}/shared-patents")
def _(w):
    # 杭州乙材料, a fellow SME member, sees the consortium but may not put 苏州甲科技's patent on the list in its
    # name; the contributor itself may
    consortium = _consortium(w, members=("ent_a", "ent_b", "univ"))
    return Call(f"/alliances/{consortium.pk}/shared-patents", "ent_a",
                {"patent_id": w.patents["ent_a"].pk, "contributed_by_id": w.o["ent_a"].pk},
                other_org="ent_b", other_office="js_office")


@case("POST", "/alliances/shared-patents/{shared_id}/withdraw")
def _(w):
    from ipoc.alliances import services

    consortium = _consortium(w, members=("ent_a", "ent_b", "univ"))
    shared = services.shared_patent_add(actor=None, consortium=consortium, patent=w.patents["ent_a"],
                                        contributed_by=w.o["ent_a"], contributed_on=FOUNDED)
    return Call(f"/alliances/shared-patents/{shared.pk}/withdraw", "ent_a", other_org="ent_b",
                other_office="js_office")


# -- 共同保护, 大手拉小手

@case("POST", "/alliances/{consortium_id}/protection")
def _(w):
    return Call(f"/alliances/{_consortium(w).pk}/protection", "center_a",
                {"kind": "enforcement", "title": "联合维权", "target": "某仿冒企业", "patent_ids": [w.patents["ent_a"].pk],
                 "decided_on": str(TODAY), "budget": "200000",
                 "shares": [{"organization_id": w.o["ent_a"].pk, "percent": "60"},
                            {"organization_id": w.o["univ"].pk, "percent": "40"}]}, **ALLIANCE_OUTSIDERS)


@case("POST", "/alliances/{consortium_id}/sme-services")
def _(w):
    return Call(f"/alliances/{_consortium(w).pk}/sme-services", "center_a",
                {"provider_id": w.hosts["leader"].pk, "sme_id": w.o["ent_a"].pk, "kind": "technical",
                 "served_on": str(TODAY), "content": "派驻工程师协助工艺改进"}, **ALLIANCE_OUTSIDERS)
