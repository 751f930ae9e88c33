"""Demand → ranked, explained patents → staff decision → pushes to both sides → feedback moves rankings."""

import json

import pytest

from ipoc.core import services as core_services
from ipoc.core.models import Notification, OrganizationKind, Role
from ipoc.demands import services as demand_services
from ipoc.demands.models import DemandStatus
from ipoc.matching import selectors, services
from ipoc.matching.models import Match, MatchStatus
from ipoc.patents import services as patent_services
from ipoc.patents.models import Patent
from ipoc.search import testing

search_index = testing.search_index

PATENTS = [
    {"id": "m1", "title": "一种锂电池正极材料的包覆方法", "abstract": "采用氧化铝包覆镍钴锰正极材料，提高锂电池循环寿命。",
     "applicants": [{"name": "浙江大学", "type": "高校"}], "ipc_all": ["H01M4/36"], "patent_type": "发明",
     "legal_status": "有效", "application_date": "2020-03-01"},
    {"id": "m2", "title": "锂电池正极材料包覆设备", "abstract": "一种用于正极材料包覆的流化床设备。",
     "applicants": [{"name": "苏州乙装备有限公司", "type": "企业"}], "ipc_all": ["H01M4/04"], "patent_type": "实用新型",
     "legal_status": "有效", "application_date": "2021-05-01"},
    {"id": "m3", "title": "一种正极材料包覆层及锂电池", "abstract": "正极材料表面形成快离子导体包覆层。",
     "applicants": [{"name": "中国科学院物理研究所", "type": "科研机构"}], "ipc_all": ["H01M4/62"],
     "patent_type": "发明", "legal_status": "审中", "application_date": "2022-01-01"},
    {"id": "m4", "title": "锂电池正极材料包覆工艺（已失效）", "abstract": "正极材料包覆。",
     "applicants": [{"name": "丙公司", "type": "企业"}], "ipc_all": ["H01M4/36"], "patent_type": "发明",
     "legal_status": "失效", "application_date": "2005-01-01"},
    {"id": "m5", "title": "一种图像传感器降噪方法", "abstract": "时域滤波降噪。",
     "applicants": [{"name": "丁公司", "type": "企业"}], "ipc_all": ["H04N5/357"], "patent_type": "发明",
     "legal_status": "有效", "application_date": "2021-01-01"},
]


@pytest.fixture
def corpus(search_index, tmp_path, db):
    path = tmp_path / "p.jsonl"
    path.write_text("\n".join(json.dumps(p, ensure_ascii=False) for p in PATENTS), encoding="utf-8")
    patent_services.patent_import(actor=None, path=path, format="jsonl")
    return {p.external_id: p for p in Patent.objects.all()}


@pytest.fixture
def demand(users, orgs):
    d = demand_services.demand_create(actor=users["ent_a"], title="锂电池正极材料包覆技术", keywords=["正极材料", "包覆"],
                                      center=orgs["center_a"])
    demand_services.demand_transition(actor=users["ent_a"], demand=d, to_status=DemandStatus.PENDING)
    return demand_services.demand_transition(actor=users["center_a"], demand=d, to_status=DemandStatus.PUBLISHED)


def test_demand_gets_ranked_explained_patents_valid_or_pending_only(users, corpus, demand):
    matches = services.demand_match(actor=users["center_a"], demand=demand)
    numbers = [m.patent.external_id for m in matches]
    assert set(numbers) == {"m1", "m2", "m3"}  # the lapsed m4 and the unrelated m5 are not proposed
    first = matches[0].explanation
    assert "包覆" in first["matched_terms"] and "<mark>" in (first["snippets"]["title"] + first["snippets"]["abstract"])
    assert first["legal_status"] in ("有效", "审中") and first["holders"]
    assert first["remaining_life_years"] > 0 and "weights" in first
    assert [m.rank for m in matches] == [1, 2, 3]


def test_other_enterprises_cannot_run_matching_on_a_demand(users, corpus, demand):
    from ipoc.core.errors import PermissionDenied

    with pytest.raises(PermissionDenied):
        services.demand_match(actor=users["ent_b"], demand=demand)


def test_confirm_pushes_to_both_sides_and_moves_the_demand(users, orgs, corpus, demand):
    holder_user = core_services.user_create(actor=None, username="zju", password="x" * 10,
                                            role=Role.INSTITUTION_USER,
                                            organization=corpus["m1"].parties.get().organization)
    services.demand_match(actor=users["center_a"], demand=demand)
    match = Match.objects.get(demand=demand, patent=corpus["m1"])
    with pytest.raises(Exception) as exc:  # another center's staff may not decide
        services.match_decide(actor=users["center_b"], match=match, confirm=True)
    assert exc.value.status == 403
    with pytest.raises(Exception) as exc:  # a rejection needs a reason
        services.match_decide(actor=users["center_a"], match=match, confirm=False)
    assert exc.value.field == "reason"
    services.match_decide(actor=users["center_a"], match=match, confirm=True, reason="技术路线契合")
    assert Notification.objects.filter(recipient=users["ent_a"], kind="push").count() == 1
    assert Notification.objects.filter(recipient=holder_user, kind="push").count() == 1
    demand.refresh_from_db()
    assert demand.status == DemandStatus.MATCHING


def test_rejected_patent_is_never_proposed_again_and_decisions_survive_rematching(users, corpus, demand):
    services.demand_match(actor=users["center_a"], demand=demand)
    rejected = Match.objects.get(demand=demand, patent=corpus["m2"])
    services.match_decide(actor=users["center_a"], match=rejected, confirm=False, reason="设备类，不符合需求")
    services.demand_match(actor=users["center_a"], demand=demand)
    statuses = dict(Match.objects.filter(demand=demand).values_list("patent__external_id", "status"))
    assert statuses["m2"] == MatchStatus.REJECTED
    assert all(s == MatchStatus.PROPOSED for k, s in statuses.items() if k != "m2")


def test_feedback_measurably_improves_later_rankings(users, orgs, corpus):
    """Staff of center A keep confirming institution-held patents and rejecting company-held ones.
    For a new demand, the share of institution-held patents in the top 2 rises after the feedback."""

    # the center files these demands for an enterprise that has no account on the platform (代录)
    requester = core_services.organization_create(actor=None, name="无锡丁电池有限公司",
                                                  kind=OrganizationKind.ENTERPRISE, region_code="320200")

    def new_demand(title):
        d = demand_services.demand_create(actor=users["center_a"], title=title, organization=requester)
        demand_services.demand_transition(actor=users["center_a"], demand=d, to_status=DemandStatus.PENDING)
        return demand_services.demand_transition(actor=users["center_a"], demand=d, to_status=DemandStatus.PUBLISHED)

    def institution_share_top2(matches):
        top = matches[:2]
        return sum(m.features["holder_university_or_institute"] for m in top) / len(top)

    probe = new_demand("正极材料包覆")
    before = institution_share_top2(services.demand_match(actor=users["center_a"], demand=probe))
    for i in range(6):
        d = new_demand(f"锂电池正极材料包覆需求{i}")
        for m in services.demand_match(actor=users["center_a"], demand=d):
            institution = m.features["holder_university_or_institute"] == 1.0
            services.match_decide(actor=users["center_a"], match=m, confirm=institution,
                                  reason="" if institution else "企业专利，需求方希望院校合作")
    after = institution_share_top2(services.demand_match(actor=users["center_a"], demand=probe))
    assert after > before
    assert selectors.demand_matches(user=users["center_a"], demand_id=probe.pk).first().explanation["weights"][
        "holder_university_or_institute"] > 0


def test_batch_run_and_excel(users, orgs, corpus, demand):
    from io import BytesIO

    from openpyxl import load_workbook

    from ipoc.matching.export import run_xlsx

    run = services.match_batch(actor=users["center_a"], center=None)
    assert run.demands == 1 and run.matches == 3 and run.center == orgs["center_a"]
    wb = load_workbook(BytesIO(run_xlsx(run)))
    sheet = wb.worksheets[0]
    rows = list(sheet.values)
    assert rows[0][1] == "锂电池正极材料包覆技术" and rows[1][0] == "排名" and len(rows) == 2 + 3


def test_api_and_cli(client, api_client, users, corpus, demand, capsys):
    from django.core.management import call_command

    api = api_client.as_user(users["center_a"])
    body = api.post(f"/matching/demands/{demand.pk}/match").json()
    assert len(body) == 3 and body[0]["explanation"]["matched_terms"]
    decided = api.post(f"/matching/matches/{body[0]['id']}/decision", {"confirm": True, "reason": "ok"}).json()
    assert decided["status"] == "confirmed"
    assert api_client.as_user(users["ent_b"]).get(f"/matching/demands/{demand.pk}/matches").status_code in (200, 404)
    call_command("match", "--all", "--json")
    out = json.loads(capsys.readouterr().out)
    assert out["demands"] == 1 and out["results"][0]["patents"][0]["terms"]
