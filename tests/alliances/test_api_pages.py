"""The API, the pages and the CLI of 创新联合体: bad input is a 4xx naming the field, other organisations' records are
404, writes are refused to who may not make them, and every page renders for who may see it."""

from __future__ import annotations

import datetime as dt
import json

from django.core.management import call_command

from ipoc.alliances import services
from ipoc.alliances.models import SmeService

D = dt.date


def _error(response) -> dict:
    return response.json()["error"]


def test_api_create_and_refusals(api_client, users, orgs, more_orgs):
    center = api_client.as_user(users["center_a"])
    r = center.post("/alliances", {"name": "API联合体", "industry": "集成电路", "lead_id": more_orgs["big"].pk,
                                   "established_on": "2025-01-01", "status": "active"})
    assert r.status_code == 201, r.content
    body = r.json()
    assert body["lead_name"] == more_orgs["big"].name and body["members"][0]["role_label"] == "龙头企业"
    cid = body["id"]
    # bad input: a 4xx naming the field
    r = center.post("/alliances", {"name": "X", "industry": "Y", "lead_id": orgs["ent_a"].pk})
    assert r.status_code == 400 and _error(r)["field"] == "lead_id"
    r = center.post("/alliances", {"name": "X", "industry": "Y", "lead_id": 10**30})
    assert r.status_code in (400, 422) and "lead_id" in (_error(r)["field"] or "")
    r = center.post(f"/alliances/{cid}/members", {"organization_id": orgs["ent_a"].pk, "role": "university"})
    assert r.status_code == 400 and _error(r)["field"] == "role"
    r = center.post(f"/alliances/{cid}/members", {"organization_id": orgs["ent_a"].pk, "role": "sme",
                                                  "joined_on": "not-a-date"})
    assert r.status_code == 422 and "joined_on" in _error(r)["field"]
    r = center.post(f"/alliances/{cid}/members", {"organization_id": 999999, "role": "sme"})
    assert r.status_code == 404 and _error(r)["field"] == "organization_id"
    r = center.post(f"/alliances/{cid}/members", {"organization_id": orgs["ent_a"].pk, "role": "sme",
                                                  "joined_on": "2025-02-01"})
    assert r.status_code == 201
    # a member may read, not write; an outsider gets 404
    member = api_client.as_user(users["ent_a"])
    assert member.get(f"/alliances/{cid}").status_code == 200
    r = member.post(f"/alliances/{cid}/members", {"organization_id": orgs["univ"].pk, "role": "university"})
    assert r.status_code == 403
    outsider = api_client.as_user(users["ent_b"])
    assert outsider.get(f"/alliances/{cid}").status_code == 404
    assert outsider.post(f"/alliances/{cid}/members", {"organization_id": orgs["univ"].pk,
                                                       "role": "university"}).status_code == 404
    assert outsider.get("/alliances").json()["count"] == 0
    other_center = api_client.as_user(users["center_b"])
    assert other_center.get(f"/alliances/{cid}").status_code == 404


def test_api_project_protection_services_and_kpi(api_client, users, orgs, more_orgs, consortium, patents):
    from ipoc.centers import services as center_services

    center = api_client.as_user(users["center_a"])
    cid = consortium.pk
    r = center.post(f"/alliances/{cid}/projects", {"title": "攻关", "leader_id": more_orgs["big"].pk,
                                                   "participant_ids": [orgs["univ"].pk], "budget": "-5",
                                                   "start_date": "2025-01-01"})
    assert r.status_code == 400 and _error(r)["field"] == "budget"
    r = center.post(f"/alliances/{cid}/projects", {"title": "攻关", "leader_id": more_orgs["big"].pk,
                                                   "participant_ids": [orgs["univ"].pk], "budget": "1000000",
                                                   "start_date": "2025-01-01", "status": "ongoing"})
    assert r.status_code == 201, r.content
    pid = r.json()["id"]
    r = center.post(f"/alliances/projects/{pid}/patents", {"patent_id": patents["old"].pk})
    assert r.status_code == 400 and _error(r)["field"] == "patent_id"
    r = center.post(f"/alliances/projects/{pid}/patents", {"patent_id": patents["big1"].pk})
    assert r.status_code == 201
    r = center.post(f"/alliances/projects/{pid}/milestones", {"title": "评审", "due_on": "2025-06-30"})
    assert r.status_code == 201
    r = center.post(f"/alliances/{cid}/protection", {
        "kind": "defence", "title": "应诉", "target": "原告", "decided_on": "2025-05-01",
        "shares": [{"organization_id": more_orgs["big"].pk, "percent": "70"},
                   {"organization_id": orgs["univ"].pk, "percent": "20"}]})
    assert r.status_code == 400 and _error(r)["field"] == "shares" and "90" in _error(r)["message"]
    r = center.post(f"/alliances/{cid}/protection", {
        "kind": "defence", "title": "应诉", "target": "原告", "decided_on": "2025-05-01",
        "shares": [{"organization_id": more_orgs["big"].pk, "percent": "70"},
                   {"organization_id": orgs["univ"].pk, "percent": "30"}]})
    assert r.status_code == 201 and len(r.json()["shares"]) == 2
    r = center.post(f"/alliances/{cid}/sme-services", {"provider_id": orgs["ent_a"].pk, "sme_id": orgs["ent_a"].pk,
                                                       "kind": "supply", "served_on": "2025-05-01", "content": "x"})
    assert r.status_code == 400 and _error(r)["field"] == "provider_id"
    r = center.post(f"/alliances/{cid}/sme-services", {"provider_id": more_orgs["big"].pk, "sme_id": orgs["ent_a"].pk,
                                                       "kind": "supply", "served_on": "2025-05-01",
                                                       "content": "配套供应"})
    assert r.status_code == 201 and r.json()["kind_label"] == "供应链配套"
    registered = center_services.center_create(
        actor=None, organization=orgs["center_a"], name="甲产业知识产权运营中心", host_organization=more_orgs["big"],
        host_type="leading_enterprise", industry="纳米电子", level="provincial", managing_office=orgs["js_office"])
    r = center.get("/alliances/kpi", center=registered.pk, year=2025)
    assert r.status_code == 200
    figures = {f["code"]: f for f in r.json()["figures"]}
    assert figures["consortium_smes_served"]["value"] == 1
    assert figures["consortium_joint_projects"]["value"] == 1
    assert figures["consortium_joint_patents"]["value"] == 1
    assert figures["consortium_members"]["value"] == 4
    r = center.get("/alliances/kpi", center=registered.pk, year=99999)
    assert r.status_code == 422 and _error(r)["field"].endswith("year")
    # the CLI says the same
    out = _call("alliances", "kpi", "--center", str(registered.pk), "--year", "2025", "--json")
    assert {f["code"]: f["value"] for f in out["figures"]} == {c: f["value"] for c, f in figures.items()}
    listed = _call("alliances", "list", "--json")
    assert [row["name"] for row in listed] == [consortium.name]
    assert listed[0]["members"] == 4 and listed[0]["projects"] == 1


def _call(*args) -> dict | list:
    import io

    out = io.StringIO()
    call_command(*args, stdout=out)
    return json.loads(out.getvalue())


def test_cli_refuses_an_unknown_center(db):
    import pytest
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="不存在"):
        call_command("alliances", "kpi", "--center", "424242", "--year", "2025")


def test_pages_render_for_who_may_see_them(client, users, orgs, more_orgs, consortium, patents):
    staff = users["center_a"]
    p = services.project_create(actor=staff, consortium=consortium, title="页面项目", leader=more_orgs["big"],
                                budget="1", start_date=D(2025, 1, 1), status="ongoing")
    services.milestone_add(actor=staff, project=p, title="逾期里程碑", due_on=D(2025, 2, 1))
    services.joint_patent_add(actor=staff, project=p, patent=patents["big1"])
    services.shared_patent_add(actor=staff, consortium=consortium, patent=patents["big2"],
                               contributed_by=more_orgs["big"], contributed_on=D(2025, 9, 1))
    services.sme_service_create(actor=staff, consortium=consortium, provider=more_orgs["big"], sme=orgs["ent_a"],
                                kind="training", served_on=D(2025, 4, 1), content="培训")
    services.protection_create(actor=staff, consortium=consortium, kind="enforcement", title="维权", target="对方",
                               decided_on=D(2025, 10, 1), patents=[patents["big2"]],
                               shares=[(more_orgs["big"], 100)])
    urls = ["/alliances/", f"/alliances/{consortium.pk}/", f"/alliances/projects/{p.pk}/"] + [
        f"/alliances/{consortium.pk}/?tab={t}" for t in ("members", "projects", "patents", "protection", "sme")]
    for who in ("center_a", "big", "univ", "js_office", "admin"):
        client.force_login(users[who])
        for url in urls:
            r = client.get(url)
            assert r.status_code == 200, (who, url)
            text = r.content.decode()
            assert "lead_enterprise" not in text.replace('data-status="', "") or who == "admin"
        client.logout()
    client.force_login(users["ent_b"])
    assert client.get(f"/alliances/{consortium.pk}/").status_code == 404
    assert client.get(f"/alliances/projects/{p.pk}/").status_code == 404
    client.force_login(users["center_a"])
    home = client.get("/").content.decode()
    assert "联合攻关里程碑" in home and "逾期里程碑" in home
    page = client.get(f"/alliances/{consortium.pk}/?tab=members").content.decode()
    assert "龙头企业" in page and "加入成员" in page
    for url in (f"/alliances/{consortium.pk}/members/new/", f"/alliances/{consortium.pk}/projects/new/",
                f"/alliances/{consortium.pk}/protection/new/", f"/alliances/{consortium.pk}/sme-services/new/",
                f"/alliances/{consortium.pk}/agreement/", f"/alliances/{consortium.pk}/edit/", "/alliances/new/",
                f"/alliances/{consortium.pk}/shared-patents/new/"):
        assert client.get(url).status_code == 200, url
    client.force_login(users["univ"])  # a member: views, may add its own patents, not manage
    assert client.get(f"/alliances/{consortium.pk}/members/new/").status_code == 403
    assert client.get(f"/alliances/{consortium.pk}/shared-patents/new/").status_code == 200
    assert "加入成员" not in client.get(f"/alliances/{consortium.pk}/?tab=members").content.decode()


def test_forms_post_and_show_errors_under_their_fields(client, users, orgs, more_orgs, consortium):
    client.force_login(users["big"])  # the lead's user
    url = f"/alliances/{consortium.pk}/sme-services/new/"
    r = client.post(url, {"provider": orgs["ent_a"].pk, "sme": more_orgs["sme_x"].pk, "kind": "technical",
                          "served_on": "2025-03-01", "content": "帮扶"})
    assert r.status_code == 200 and "非中小企业成员" in r.content.decode()
    r = client.post(url, {"provider": more_orgs["big"].pk, "sme": more_orgs["sme_x"].pk, "kind": "technical",
                          "served_on": "2025-03-01", "content": "帮扶"})
    assert r.status_code == 302 and SmeService.objects.filter(sme=more_orgs["sme_x"]).exists()
    url = f"/alliances/{consortium.pk}/protection/new/"
    members = {m.organization_id: m for m in consortium.members.all()}
    data = {"kind": "defence", "title": "应诉", "target": "原告", "decided_on": "2025-05-01", "status": "decided",
            f"share_{more_orgs['big'].pk}": "50", f"share_{orgs['univ'].pk}": "40"}
    assert more_orgs["big"].pk in members
    r = client.post(url, data)
    assert r.status_code == 200 and "合计须为 100%" in r.content.decode()
    data[f"share_{orgs['univ'].pk}"] = "50"
    assert client.post(url, data).status_code == 302
    r = client.post(f"/alliances/{consortium.pk}/members/new/", {"organization": more_orgs["investor"].pk,
                                                                  "role": "sme"})
    assert r.status_code == 200 and "不符" in r.content.decode()


def test_agreement_file_is_served_only_to_who_may_see_the_consortium(client, users, consortium):
    from django.core.files.uploadedfile import SimpleUploadedFile

    services.agreement_save(actor=users["center_a"], consortium=consortium, data={
        "result_ownership": "joint", "cross_licence_scope": "project", "revenue_sharing": "fixed"})
    agreement = services.agreement_attach(actor=users["center_a"], consortium=consortium,
                                          document=SimpleUploadedFile("协议.pdf", b"%PDF-1.4 agreement"))
    url = agreement.document.url
    client.force_login(users["univ"])  # a member
    assert client.get(url).status_code == 200
    client.force_login(users["ent_b"])  # an outsider: the same 404 as a missing file
    assert client.get(url).status_code == 404


def test_list_query_counts_do_not_grow(api_client, client, users, more_orgs, django_assert_max_num_queries):
    for i in range(4):
        services.consortium_create(actor=users["center_a"], name=f"联合体{i}", industry="电子", lead=more_orgs["big"])
    center = api_client.as_user(users["center_a"])
    with django_assert_max_num_queries(8):
        assert center.get("/alliances").json()["count"] == 4
    client.force_login(users["center_a"])
    with django_assert_max_num_queries(20):
        assert client.get("/alliances/").status_code == 200


def test_api_agreement_members_leave_and_shared_patents(api_client, client, users, orgs, more_orgs, consortium,
                                                         patents):
    center = api_client.as_user(users["center_a"])
    cid = consortium.pk
    r = client.put(f"/api/v1/alliances/{cid}/agreement", {"result_ownership": "mine", "cross_licence_scope": "none",
                                                          "revenue_sharing": "fixed"},
                   content_type="application/json", **center.headers)
    assert r.status_code == 400 and _error(r)["field"] == "result_ownership"
    r = client.put(f"/api/v1/alliances/{cid}/agreement", {"result_ownership": "joint", "cross_licence_scope": "none",
                                                          "revenue_sharing": "fixed", "signed_on": "2025-01-01"},
                   content_type="application/json", **center.headers)
    assert r.status_code == 200 and r.json()["cross_licence_scope_label"] == "不交叉许可"
    detail = center.get(f"/alliances/{cid}").json()
    assert detail["agreement"]["revenue_sharing_label"] == "按约定固定比例"
    member_id = next(m["id"] for m in detail["members"] if m["organization_id"] == orgs["ent_a"].pk)
    r = center.post(f"/alliances/members/{member_id}/leave", {"left_on": "2024-01-01"})
    assert r.status_code == 400 and _error(r)["field"] == "left_on"
    r = center.post(f"/alliances/members/{member_id}/leave", {"left_on": "2025-06-30", "reason": "退出"})
    assert r.status_code == 200 and r.json()["left_on"] == "2025-06-30"
    univ = api_client.as_user(users["univ"])
    r = univ.post(f"/alliances/{cid}/shared-patents", {"patent_id": patents["univ"].pk})
    assert r.status_code == 201 and r.json()["contributed_by_name"] == orgs["univ"].name
    r = univ.post(f"/alliances/{cid}/shared-patents", {"patent_id": patents["big2"].pk,
                                                        "contributed_by_id": more_orgs["big"].pk})
    assert r.status_code == 403
    listed = center.get(f"/alliances/{cid}/shared-patents").json()
    assert [row["patent_id"] for row in listed] == [patents["univ"].pk]
