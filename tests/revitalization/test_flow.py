"""The review chain with its refusals and audit, grading, screening, candidates, pushes,
responses, deals, the dashboard (reconciled with the records) and the pages."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal

import pytest
from django.core.management import call_command

from ipoc.core.models import AuditEntry
from ipoc.demands import services as demand_services
from ipoc.revitalization import grading, services
from ipoc.revitalization.models import (
    Library,
    Recommendation,
    Stage,
    StockDeal,
    StockMove,
    StockPatent,
    StockPush,
)
from ipoc.valuation import selectors as valuation_selectors
from tests.revitalization.conftest import INSTITUTE, SAMPLE_ROWS, needs_sample

pytestmark = [needs_sample, pytest.mark.django_db]


@pytest.fixture
def inventory(cast):
    """All ten sample patents 建档 by the filer (through the store selection)."""
    for number, _pub, dept in SAMPLE_ROWS:
        services.stock_select(actor=cast["filer"], institution=cast["institute"], numbers=[number],
                              department=dept, intentions=["assignment"])
    return {s.patent.publication_number: s for s in StockPatent.objects.select_related("patent")}


def _through_chain(cast, stock):
    services.stock_submit(actor=cast["filer"], stock=stock)
    reviewer = cast["dept"] if stock.department == "无人机学院" else cast["env"]
    if stock.department == "计算机学院":
        reviewer = None  # the system (CLI) may review: no 院系审核人 is appointed for 计算机学院
    services.stock_review(actor=reviewer, stock=stock, approve=True)
    services.stock_review(actor=cast["school"], stock=stock, approve=True)
    stock.refresh_from_db()
    return stock


def test_review_chain_refusals_and_audit(api_client, cast, inventory):
    stock = inventory["CN218751475U"]  # 无人机学院
    sid = stock.pk
    # only the institute's own users may submit
    assert api_client.as_user(cast["center_a"]).post(f"/stock/items/{sid}/submit").status_code == 403
    assert api_client.as_user(cast["univ"]).post(f"/stock/items/{sid}/submit").status_code == 404  # not visible
    response = api_client.as_user(cast["filer"]).post(f"/stock/items/{sid}/submit", {"reason": "发明人建档完成"})
    assert response.status_code == 200 and response.json()["stage"] == "dept_review"

    # 院系审核: not the filer, not the other 院系's reviewer, not the school reviewer, not the center
    for who in ("filer", "env", "school", "center_a"):
        response = api_client.as_user(cast[who]).post(f"/stock/items/{sid}/review", {"approve": True})
        assert response.status_code == 403, who
        assert response.json()["error"]["code"] == "permission_denied"
    response = api_client.as_user(cast["dept"]).post(f"/stock/items/{sid}/review", {"approve": True})
    assert response.status_code == 200 and response.json()["stage"] == "school_review"

    # 学校审核: the 院系审核人 may not; a refusal needs a reason and returns it to 建档
    assert api_client.as_user(cast["dept"]).post(f"/stock/items/{sid}/review", {"approve": True}).status_code == 403
    api_client.as_user(cast["school"])
    response = api_client.post(f"/stock/items/{sid}/review", {"approve": False})
    assert response.status_code == 400 and response.json()["error"]["field"] == "reason"
    response = api_client.post(f"/stock/items/{sid}/review", {"approve": False, "reason": "权属待核实"})
    assert response.json()["stage"] == "draft"

    # editing is possible at 建档 only
    api_client.as_user(cast["filer"])
    assert api_client.patch(f"/stock/items/{sid}", {"self_rating": 5}).json()["self_rating"] == 5
    api_client.post(f"/stock/items/{sid}/submit")
    assert api_client.patch(f"/stock/items/{sid}", {"self_rating": 4}).status_code == 400
    api_client.as_user(cast["dept"]).post(f"/stock/items/{sid}/review", {"approve": True})
    response = api_client.as_user(cast["school"]).post(f"/stock/items/{sid}/review",
                                                       {"approve": True, "reason": "同意入库"})
    body = response.json()
    assert (body["stage"], body["library"], body["library_label"]) == ("stored", "base", "存量专利基础库")
    # reviewing a stored patent again is not a move of the chain
    assert api_client.post(f"/stock/items/{sid}/review", {"approve": True}).status_code == 400

    moves = [(m["from_value"], m["to_value"], m["actor"], m["reason"]) for m in body["moves"]]
    assert moves == [
        ("", "draft", "filer", "建档（从专利库选择）"),
        ("draft", "dept_review", "filer", "发明人建档完成"),
        ("dept_review", "school_review", "dept_rev", "院系审核通过"),
        ("school_review", "draft", "school_rev", "权属待核实"),
        ("draft", "dept_review", "filer", "提交院系审核"),
        ("dept_review", "school_review", "dept_rev", "院系审核通过"),
        ("school_review", "stored", "school_rev", "同意入库"),
        ("", "base", "school_rev", "同意入库"),
    ]
    audit = AuditEntry.objects.filter(object_id=str(sid), content_type__model="stockpatent", action="transition")
    assert audit.count() == 7 and set(audit.values_list("via", flat=True)) == {"api"}
    assert audit.filter(actor=cast["school"], message="权属待核实").exists()


def test_only_school_reviewer_or_admin_appoints_reviewers(api_client, cast):
    payload = {"user_id": cast["filer"].pk, "level": "department", "department": "计算机学院"}
    assert api_client.as_user(cast["filer"]).post("/stock/reviewers", payload).status_code == 403
    assert api_client.as_user(cast["dept"]).post("/stock/reviewers", payload).status_code == 403
    response = api_client.as_user(cast["school"]).post("/stock/reviewers", payload)
    assert response.status_code == 200 and response.json()["department"] == "计算机学院"
    # a reviewer must be a user of the institution
    bad = {"user_id": cast["univ"].pk, "level": "school"}
    assert api_client.as_user(cast["school"]).post("/stock/reviewers", bad).status_code == 400


def test_grading_assigns_a_recommendation_to_every_patent(api_client, cast, inventory):
    response = api_client.as_user(cast["filer"]).post("/stock/grade", {})
    assert response.status_code == 200, response.content
    summary = response.json()
    assert summary["graded"] == 10 and summary["ungraded"] == []
    for stock in StockPatent.objects.all():
        assert stock.recommendation in Recommendation.values and stock.grade in ("A", "B", "C", "D")
        assert stock.graded_at is not None and stock.score is not None
    # the two pending inventions (审中) are to be observed; valid CN patents have a fee saving
    pending = StockPatent.objects.filter(patent__publication_number__in=["CN116245100A", "CN116595400A"])
    assert set(pending.values_list("recommendation", flat=True)) == {Recommendation.OBSERVE}
    valid = StockPatent.objects.get(patent__publication_number="CN218751475U")
    assert valid.fee_saving is not None and valid.fee_saving > 0
    assert sum(summary["by_code"].values()) == 10
    # graded through the valuation app: one run over exactly these patents, its reports kept there
    [run_id] = summary["valuation_runs"]
    assert set(StockPatent.objects.values_list("valuation_run_ref", flat=True)) == {run_id}
    run = valuation_selectors.valuation_run_get(user=None, pk=run_id)
    assert run.patent_count == 10
    assert {v.patent_id: v.recommendation for v in valuation_selectors.run_valuations(user=None, run=run)} == {
        s.patent_id: s.recommendation for s in StockPatent.objects.all()}
    # an enterprise may not grade the institute's list
    assert api_client.as_user(cast["ent_a"]).post("/stock/grade", {"institution_id": cast["institute"].pk}
                                                  ).status_code == 403


def test_engine_path_without_the_valuation_app(cast, inventory):
    patents = [s.patent for s in inventory.values()]
    grades = grading.grade_patents(patents, use_valuation_app=False)
    assert set(grades) == {p.pk for p in patents}
    for g in grades.values():
        assert g.recommendation in Recommendation.values and g.grade in ("A", "B", "C", "D") and g.run_id is None
    pending = {inventory[n].patent_id for n in ("CN116245100A", "CN116595400A")}
    assert {grades[pk].recommendation for pk in pending} == {"observe"}
    assert all(grades[pk].rule for pk in pending)
    assert grades[inventory["CN218751475U"].patent_id].fee_saving > 0


def _promote(cast, stock, recommendation=Recommendation.KEY):
    """Through the chain, graded, then (for a deterministic test) the recommendation fixed and screened."""
    stock = _through_chain(cast, stock)
    services.stock_grade(actor=cast["filer"], institution=cast["institute"])
    StockPatent.objects.filter(pk=stock.pk).update(recommendation=recommendation)
    stock.refresh_from_db()
    return services.stock_screen(actor=cast["center_a"], stock=stock)


def test_screening_candidates_push_response_deal(api_client, cast, inventory, orgs):
    demand_services.demand_create(actor=cast["ent_b"], title="大气质量监测传感器技术需求",
                                  description="寻求空气污染物监测与大气质量监测系统", keywords=["大气质量", "监测"],
                                  status="published")
    drone = _promote(cast, inventory["CN217546176U"])  # 无人机巡检系统
    assert (drone.library, drone.screen_passed) == (Library.RESOURCE, True)
    observed = _promote(cast, inventory["CN215590999U"], Recommendation.OBSERVE)
    assert (observed.library, observed.screen_passed) == (Library.BASE, False)
    air = _promote(cast, inventory["CN218824140U"], Recommendation.GENERAL)  # 大气质量监测系统

    # screening is for the serving center or the school reviewer, not the filer
    response = api_client.as_user(cast["filer"]).post(f"/stock/items/{drone.pk}/screen", {"passed": True})
    assert response.status_code == 403

    api_client.as_user(cast["center_a"])
    candidates = api_client.get(f"/stock/items/{drone.pk}/candidates").json()
    assert candidates[0]["name"] == "苏州甲科技有限公司"
    assert "B64C" in candidates[0]["shared_ipc"] and "无人机" in candidates[0]["matched_terms"]
    assert "CN219123456U" in candidates[0]["patents"] and "共享IPC小类" in candidates[0]["reason"]
    air_candidates = api_client.get(f"/stock/items/{air.pk}/candidates").json()
    top = air_candidates[0]
    assert top["name"] == "杭州乙材料有限公司" and "G01N" in top["shared_ipc"]
    assert top["demands"] and top["demands"][0]["title"] == "大气质量监测传感器技术需求"

    # pushes: by the serving center only, of promotable resource-library patents only
    assert api_client.as_user(cast["filer"]).post(f"/stock/items/{drone.pk}/pushes",
                                                  {"enterprise_id": orgs["ent_a"].pk}).status_code == 403
    assert api_client.as_user(cast["center_b"]).post(f"/stock/items/{drone.pk}/pushes",
                                                     {"enterprise_id": orgs["ent_a"].pk}).status_code == 404
    api_client.as_user(cast["center_a"])
    refused = api_client.post(f"/stock/items/{observed.pk}/pushes", {"enterprise_id": orgs["ent_a"].pk})
    assert refused.status_code == 400
    assert api_client.post(f"/stock/items/{drone.pk}/pushes",
                           {"enterprise_id": orgs["univ"].pk}).json()["error"]["field"] == "enterprise"
    response = api_client.post(f"/stock/items/{drone.pk}/pushes", {"enterprise_id": orgs["ent_a"].pk,
                                                                   "note": "推介会后跟进"})
    assert response.status_code == 201, response.content
    push = response.json()
    assert "B64C" in push["match"]["shared_ipc"] and push["center_id"] == orgs["center_a"].pk
    assert api_client.post(f"/stock/items/{drone.pk}/pushes", {"enterprise_id": orgs["ent_a"].pk}
                           ).status_code == 400  # once per enterprise
    api_client.post(f"/stock/items/{air.pk}/pushes", {"enterprise_id": orgs["ent_b"].pk})

    # responses: the enterprise itself, or the center; not another enterprise
    assert api_client.as_user(cast["ent_b"]).post(f"/stock/pushes/{push['id']}/responses",
                                                  {"response": "interested"}).status_code == 404
    response = api_client.as_user(cast["ent_a"]).post(f"/stock/pushes/{push['id']}/responses",
                                                      {"response": "interested", "note": "请安排技术交流"})
    assert response.json()["response_label"] == "感兴趣"
    api_client.as_user(cast["center_a"])
    assert api_client.post(f"/stock/pushes/{push['id']}/responses", {"response": "deal"}).status_code == 400
    api_client.post(f"/stock/pushes/{push['id']}/responses", {"response": "negotiating"})
    assert api_client.as_user(cast["ent_a"]).post(f"/stock/pushes/{push['id']}/deals", {
        "mode": "license", "signed_on": "2026-11-01"}).status_code == 403
    response = api_client.as_user(cast["center_a"]).post(f"/stock/pushes/{push['id']}/deals", {
        "mode": "license", "signed_on": "2026-11-01", "amount": "300000", "note": "普通许可三年"})
    assert response.status_code == 201 and response.json()["mode_label"] == "许可"
    pushed = StockPush.objects.get(pk=push["id"])
    assert pushed.response == "deal"
    assert list(pushed.responses.values_list("response", flat=True)) == ["interested", "negotiating", "deal"]
    assert AuditEntry.objects.filter(content_type__model="stockpush", object_id=str(push["id"])).count() == 4
    listed = api_client.get("/stock/pushes", stock=drone.pk).json()
    assert listed["count"] == 1 and listed["items"][0]["response"] == "deal"


def test_dashboard_counts_reconcile_with_records(api_client, cast, inventory, orgs, users):
    drone = _promote(cast, inventory["CN217546176U"])
    air = _promote(cast, inventory["CN218824140U"], Recommendation.GENERAL)
    _promote(cast, inventory["CN215590999U"], Recommendation.ABANDON)
    _through_chain(cast, inventory["CN216774847U"])
    services.stock_submit(actor=cast["filer"], stock=inventory["CN218751475U"])
    p1 = services.push_create(actor=cast["center_a"], stock=drone, enterprise=orgs["ent_a"])
    p2 = services.push_create(actor=cast["center_a"], stock=drone, enterprise=orgs["ent_b"])
    services.push_create(actor=cast["center_a"], stock=air, enterprise=orgs["ent_b"])
    services.push_respond(actor=cast["ent_a"], push=p1, response="interested")
    services.push_respond(actor=cast["ent_b"], push=p2, response="declined")
    services.deal_record(actor=cast["center_a"], push=p1, mode="assignment", signed_on=dt.date(2026, 10, 8),
                         amount=Decimal("500000"))

    data = api_client.as_user(cast["center_a"]).get("/stock/dashboard").json()
    stocks = StockPatent.objects.filter(institution=cast["institute"])
    expected = {
        "inventoried": stocks.count(),
        "in_review": stocks.filter(stage__in=[Stage.DEPT_REVIEW, Stage.SCHOOL_REVIEW]).count(),
        "base_library": stocks.filter(stage=Stage.STORED).count(),
        "graded": stocks.exclude(graded_at=None).count(),
        "screened": stocks.exclude(screened_at=None).count(),
        "resource_library": stocks.filter(library=Library.RESOURCE).count(),
        "pushed": StockPush.objects.values("stock").distinct().count(),
        "responded": StockPush.objects.exclude(response="").values("stock").distinct().count(),
        "converted": StockDeal.objects.values("push__stock").distinct().count(),
        "deals": StockDeal.objects.count(),
    }
    assert expected == {"inventoried": 10, "in_review": 1, "base_library": 4, "graded": 10, "screened": 3,
                        "resource_library": 2, "pushed": 2, "responded": 1, "converted": 1, "deals": 1}
    [row] = data["institutions"]
    assert row["name"] == INSTITUTE and {k: row[k] for k in expected} == expected
    [center] = data["centers"]
    assert center["name"] == orgs["center_a"].name and center["institutions"] == 1
    assert {k: center[k] for k in expected} == expected
    assert {k: data["totals"][k] for k in expected} == expected
    assert Decimal(row["deal_amount"]) == Decimal("500000")
    abandon = stocks.get(patent__publication_number="CN215590999U").fee_saving
    assert Decimal(row["abandon_fee_saving"]) == (abandon or 0)
    assert sum(row["by_recommendation"].values()) == 10

    # the institute sees the same; a center that does not serve it and an enterprise see nothing
    assert api_client.as_user(cast["filer"]).get("/stock/dashboard").json()["totals"]["inventoried"] == 10
    assert api_client.as_user(users["center_b"]).get("/stock/dashboard").json()["institutions"] == []
    assert api_client.as_user(users["ent_a"]).get("/stock/dashboard").json()["totals"]["inventoried"] == 0


def test_lists_and_visibility(api_client, cast, inventory, users):
    api_client.as_user(cast["center_a"])
    listed = api_client.get("/stock/items", department="环境学院").json()
    assert listed["count"] == 2 and {i["department"] for i in listed["items"]} == {"环境学院"}
    detail = api_client.get(f"/stock/items/{inventory['CN218751475U'].pk}").json()
    assert detail["number"] == "CN218751475U" and detail["moves"][0]["to_value"] == "draft"
    assert api_client.as_user(users["center_b"]).get("/stock/items").json()["count"] == 0
    assert api_client.as_user(users["ent_a"]).get("/stock/items").json()["count"] == 0
    assert api_client.as_user(users["admin"]).get("/stock/items").json()["count"] == 10


def test_cli_grade_screen_dashboard_json(cast, inventory, capsys):
    for stock in list(inventory.values())[:4]:
        _through_chain(cast, stock)
    call_command("stock", "grade", "--institution", INSTITUTE, "--json")
    graded = json.loads(capsys.readouterr().out)
    assert graded["graded"] == 10
    call_command("stock", "screen", "--institution", INSTITUTE, "--json")
    screened = json.loads(capsys.readouterr().out)
    assert screened["passed"] + screened["kept_in_base"] == 4
    call_command("stock", "dashboard", "--json")
    data = json.loads(capsys.readouterr().out)
    assert data["totals"]["screened"] == 4
    assert data["totals"]["resource_library"] == StockPatent.objects.filter(library="resource").count()
    assert StockMove.objects.filter(kind="library", to_value="base").count() == 4


def test_pages(client, cast, inventory, tmp_path):
    from tests.revitalization.conftest import fill_template, template_rows

    client.force_login(cast["filer"])
    html = client.get("/stock/").content.decode()
    assert "一种无人机机载多功能盒" in html and "选择本单位专利建档" in html and "批量建档" in html
    stock = inventory["CN218751475U"]
    html = client.get(f"/stock/{stock.pk}/").content.decode()
    assert "流转记录" in html and 'value="submit"' in html and 'value="approve"' not in html
    response = client.post(f"/stock/{stock.pk}/action/", {"action": "submit"}, follow=True)
    assert "已提交院系审核" in response.content.decode()
    stock.refresh_from_db()
    assert stock.stage == "dept_review"
    # the filer is no reviewer: no approve button, and a forged approval is refused with a message
    assert 'value="approve"' not in client.get(f"/stock/{stock.pk}/").content.decode()
    response = client.post(f"/stock/{stock.pk}/action/", {"action": "approve"}, follow=True)
    assert response.status_code == 200 and "院系审核人" in response.content.decode()
    assert client.get("/stock/template.xlsx").status_code == 200
    path = fill_template(client.get("/stock/template.xlsx").content,
                         template_rows()[:2] + [["CN202223220665.3", "", "", "", "", "", "", "", "", ""]],
                         tmp_path / "web.xlsx")
    with path.open("rb") as fh:
        response = client.post("/stock/import/", {"upload-file": fh}, follow=True)
    html = response.content.decode()
    assert response.redirect_chain[-1][0].startswith("/stock/imports/")
    assert "web.xlsx" in html and "校验位" in html
    html = client.post("/stock/import/", {"numbers-numbers": "CN219123456U\nCN202121741650.9",
                                          "numbers-department": "环境学院"}, follow=True).content.decode()
    assert "专利库选择" in html and "校验位" in html and "只能为本单位持有" in html
    assert not StockPatent.objects.filter(patent__publication_number="CN219123456U").exists()
    assert "中科大数据研究院" in client.get("/stock/dashboard/").content.decode()


def test_api_walk_from_upload_to_response_on_the_dashboard(client, api_client, cast, orgs, tmp_path):
    """The whole chain through the API with the real sample: the filer uploads the filled template,
    the reviewers approve the drone patent, grading (the valuation app) recommends it for 重点推广, the
    serving center screens it into the 资源库, finds candidates through the retrieval engine, pushes to
    the top one; that enterprise responds and the dashboard counts it."""
    from tests.revitalization.conftest import fill_template, template_rows

    api_client.as_user(cast["filer"])
    sheet = fill_template(client.get("/api/v1/stock/template.xlsx").content, template_rows(), tmp_path / "清单.xlsx")
    with sheet.open("rb") as fh:
        report = client.post("/api/v1/stock/imports", {"file": fh}, **api_client.headers).json()["report"]
    assert report["counts"]["created"] == 10 and report["counts"]["rejected"] == 0
    [item] = api_client.get("/stock/items", q="无人机巡检系统").json()["items"]
    sid = item["id"]
    assert api_client.post(f"/stock/items/{sid}/submit").json()["stage"] == "dept_review"
    assert api_client.as_user(cast["dept"]).post(f"/stock/items/{sid}/review", {"approve": True}
                                                 ).json()["stage"] == "school_review"
    assert api_client.as_user(cast["school"]).post(f"/stock/items/{sid}/review", {"approve": True}
                                                   ).json()["library"] == "base"

    graded = api_client.as_user(cast["filer"]).post("/stock/grade", {}).json()
    assert graded["graded"] == 10
    detail = api_client.get(f"/stock/items/{sid}").json()
    assert detail["recommendation"] == "key" and detail["grade"] == "A"
    screened = api_client.as_user(cast["center_a"]).post(f"/stock/items/{sid}/screen", {}).json()
    assert screened["library"] == "resource"

    candidates = api_client.get(f"/stock/items/{sid}/candidates").json()
    top = candidates[0]
    assert top["organization_id"] == orgs["ent_a"].pk and "CN219123456U" in top["patents"]
    response = api_client.post(f"/stock/items/{sid}/pushes", {"enterprise_id": top["organization_id"]})
    assert response.status_code == 201
    push = response.json()
    assert push["match"]["reason"] == top["reason"] and push["match"]["patent_hits"]

    api_client.as_user(cast["ent_a"])
    [mine] = api_client.get("/stock/pushes").json()["items"]
    assert mine["id"] == push["id"] and mine["number"] == "CN217546176U"
    answered = api_client.post(f"/stock/pushes/{push['id']}/responses", {"response": "interested", "note": "请安排交流"})
    assert answered.json()["response_label"] == "感兴趣"

    totals = api_client.as_user(cast["center_a"]).get("/stock/dashboard").json()["totals"]
    assert {k: totals[k] for k in ("inventoried", "base_library", "graded", "resource_library", "pushed",
                                   "responded", "converted")} == {
        "inventoried": 10, "base_library": 1, "graded": 10, "resource_library": 1, "pushed": 1, "responded": 1,
        "converted": 0}
