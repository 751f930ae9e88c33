"""The valuation API, pages, Excel export and the ``ipoc valuation`` commands."""

from __future__ import annotations

import io
import json

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from openpyxl import load_workbook

from ipoc.core.services import api_token_create
from ipoc.patents.models import Patent
from ipoc.valuation import engine, services
from ipoc.valuation.models import IndicatorTreeVersion, PatentValuation, ValuationRun

from .test_app_services import import_records, make_records

PASSWORD = "test-pass-2026"


@pytest.fixture
def patents(db, tmp_path):
    return import_records(tmp_path, make_records())


def _put(client, user, path, data):
    _token, plain = api_token_create(actor=None, user=user, name="put")
    return client.put("/api/v1" + path, json.dumps(data), content_type="application/json",
                      HTTP_AUTHORIZATION=f"Bearer {plain}")


def test_api_start_run_list_and_patent_report(patents, users, api_client):
    response = api_client.as_user(users["center_a"]).post("/valuation/runs", {"scenario": "management"})
    assert response.status_code == 202, response.content
    body = response.json()
    assert body["status"] == "succeeded"  # jobs run inline in tests
    run = ValuationRun.objects.get(pk=body["run_id"])
    assert run.finished and run.scored_count == len(patents)

    listing = api_client.as_user(users["ent_a"]).get("/valuation/runs").json()
    assert listing["count"] == 1 and listing["items"][0]["grade_distribution"] == run.grade_distribution
    assert api_client.get(f"/valuation/runs/{run.pk}").json()["scenario"] == "management"

    report = api_client.get("/valuation/patents/ext:valtest:bare").json()
    assert report["run"]["id"] == run.pk and report["confidence"] < 1 and report["missing"]
    assert len(report["indicators"]) == len(engine.default_tree().leaves)
    assert {"raw", "percentile", "peer_group", "weight", "contribution", "missing", "pending_check"} <= set(
        report["indicators"][0])
    assert api_client.as_user(users["ent_a"]).post("/valuation/runs", {}).status_code == 403
    assert api_client.post("/valuation/runs", {"patent_ids": [patents[0].pk]}).status_code == 403
    missing = api_client.as_user(users["admin"]).post("/valuation/runs", {"patent_ids": [patents[0].pk, 999999]})
    assert missing.status_code == 404 and "999999" in missing.json()["error"]["message"]


def test_api_report_of_an_unvalued_patent_is_404(patents, users, api_client):
    response = api_client.as_user(users["expert"]).get("/valuation/patents/ext:valtest:p01")
    assert response.status_code == 404 and response.json()["error"]["field"] == "patent"


def test_api_tree_get_and_put(users, client, api_client):
    current = api_client.as_user(users["ent_a"]).get("/valuation/tree").json()
    assert current["digest"] == engine.default_tree().digest() and current["is_active"]
    tree = current["tree"]
    tree["nodes"][0]["weights"]["finance"] = 0.5
    assert _put(client, users["cnipa"], "/valuation/tree", {"tree": tree}).status_code == 403
    response = _put(client, users["admin"], "/valuation/tree", {"tree": tree, "note": "金融场景法律价值权重 0.5"})
    assert response.status_code == 200 and response.json()["digest"] != current["digest"]
    tree["nodes"][-1]["formula"] = "bogus"
    bad = _put(client, users["admin"], "/valuation/tree", {"tree": tree})
    assert bad.status_code == 400
    error = bad.json()["error"]
    assert error["code"] == "invalid_tree" and error["nodes"] == ["economic.holder.applicant_type"]
    assert "economic.holder.applicant_type" in error["message"]
    assert IndicatorTreeVersion.objects.count() == 2


def test_pages_run_list_report_tree_and_export(patents, users, client):
    client.login(username="cnipa", password=PASSWORD)
    assert client.get("/valuation/").status_code == 200
    response = client.post("/valuation/runs/start/", {"scenario": "license_transfer"})
    assert response.status_code == 302 and "/jobs/" in response["Location"]
    run = ValuationRun.objects.get()
    page = client.get(f"/valuation/runs/{run.pk}/")
    html = page.content.decode()
    p03 = Patent.objects.get(key="ext:valtest:p03")
    assert page.status_code == 200 and f"/patents/{p03.pk}/" in html and "一种传感器3" in html
    assert "ext:" not in html and run.tree_version.digest not in html.split("技术信息")[0]  # no keys, no hashes

    report = client.get("/valuation/patents/ext:valtest:bare/").content.decode()
    assert "待核实" in report and "缺失" in report and "权利要求数" in report

    export = client.get(f"/valuation/runs/{run.pk}/export.xlsx")
    assert export.status_code == 200
    sheet = load_workbook(io.BytesIO(export.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[1][:5] == ("公开（公告）号", "申请号", "专利名称", "总分", "评级")
    assert len(rows) == 2 + len(patents)

    tree_page = client.get("/valuation/tree/").content.decode()
    assert "指标体系由平台管理员根据管理部门意见调整" in tree_page and 'name="tree"' not in tree_page
    assert client.post("/valuation/tree/", {"tree": "{}"}).status_code == 403


def test_tree_editor_shows_errors_on_the_form_and_saves_a_new_version(patents, users, client):
    client.login(username="admin", password=PASSWORD)
    data = json.loads(json.dumps(engine.DEFAULT_TREE))
    data["nodes"][3]["formula"] = "nope"  # a group node must not have a formula
    response = client.post("/valuation/tree/", {"tree": json.dumps(data, ensure_ascii=False)})
    assert response.status_code == 400 and data["nodes"][3]["id"] in response.content.decode()
    data = json.loads(json.dumps(engine.DEFAULT_TREE))
    data["version"] = "edited"
    response = client.post("/valuation/tree/", {"tree": json.dumps(data, ensure_ascii=False), "rescore": "on"})
    assert response.status_code == 302
    assert IndicatorTreeVersion.objects.get(is_active=True).label == "edited"
    assert ValuationRun.objects.get().tree_version.label == "edited"


def test_cli_score_all_and_show_with_json(patents, capsys):
    call_command("valuation", "score", "--all", "--scenario", "finance", "--json")
    summary = json.loads(capsys.readouterr().out)
    assert summary["scored"] == len(patents) and sum(summary["grades"].values()) == len(patents)
    assert summary["scenario"] == "finance" and summary["seconds"] >= 0
    assert PatentValuation.objects.count() == len(patents)

    call_command("valuation", "show", "ext:valtest:p03", "--json")
    report = json.loads(capsys.readouterr().out)
    assert report["run"]["scenario"] == "finance"
    for indicator in report["indicators"]:
        assert {"raw", "percentile", "weight", "contribution"} <= set(indicator)
    assert abs(sum(i["contribution"] or 0 for i in report["indicators"]) - report["score"]) < 1e-3

    call_command("valuation", "show", "ext:valtest:p03")
    assert "权利要求数" in capsys.readouterr().out


def test_cli_refuses_unclear_requests(patents):
    with pytest.raises(CommandError, match="--all"):
        call_command("valuation", "score")
    with pytest.raises(CommandError, match="尚未评估"):
        call_command("valuation", "show", "ext:valtest:p03")
    with pytest.raises(CommandError, match="scenario"):
        call_command("valuation", "score", "--all", "--scenario", "nope")
    assert Patent.objects.count() == len(patents) and services.tree_active()
