"""Pages, the API and the command line of the risk app."""

import datetime as dt
import io
import json

from django.core.management import call_command
from openpyxl import Workbook

from ipoc.risk import services
from ipoc.risk.models import RiskCheck
from tests.risk.conftest import FEATURES
from tests.risk.test_workflow import family


def test_pages_from_request_to_report(db, client, users, orgs, import_jsonl):
    ids = family(import_jsonl)
    client.force_login(users["ent_a"])
    assert client.get("/risk/").status_code == 200
    r = client.post("/risk/new/", {"product_name": "预充电控制器", "center": orgs["center_a"].pk,
                                   "features": "\n".join(FEATURES), "markets": ["CN", "US"],
                                   "horizon_date": (dt.date.today() + dt.timedelta(days=900)).isoformat()})
    assert r.status_code == 302, r.content.decode()[:2000]
    check = RiskCheck.objects.get()
    assert check.requester == orgs["ent_a"] and check.markets == ["CN", "US"]
    page = client.get(f"/risk/{check.pk}/").content.decode()
    assert "尚未检索" in page and 'data-testid="run"' not in page  # the enterprise does not run it
    client.post(f"/risk/{check.pk}/run/")  # refused with a message: nothing is searched
    assert check.rounds.count() == 0
    client.force_login(users["center_a"])
    services.candidate_add(actor=users["center_a"], check=check, patent_id=ids["cn-alive"])
    services.candidate_add(actor=users["center_a"], check=check, patent_id=ids["us-old"])
    page = client.get(f"/risk/{check.pk}/").content.decode()
    assert 'data-testid="run"' in page and "期限届满" in page and "已排除" in page
    cand = check.candidates.get(patent_id=ids["cn-alive"])
    chart = client.get(f"/risk/{check.pk}/candidates/{cand.pk}/").content.decode()
    assert "独立权利要求 1" in chart and "平台建议" in chart and "从属权利要求" in chart
    assert client.post(f"/risk/{check.pk}/candidates/{cand.pk}/confirm-all/").status_code == 302
    assert client.post(f"/risk/{check.pk}/publish/").status_code == 302
    client.force_login(users["ent_a"])
    report = client.get(f"/risk/{check.pk}/report/").content.decode()
    assert "不构成法律意见" in report and "各市场结论" in report
    pdf = client.get(f"/risk/{check.pk}/report.pdf")
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    client.force_login(users["ent_b"])
    assert client.get(f"/risk/{check.pk}/").status_code == 404
    assert client.get(f"/risk/{check.pk}/report.pdf").status_code == 404


def test_other_pages_render_for_each_role(db, client, users):
    for who in ("ent_a", "center_a", "js_office", "admin"):
        client.force_login(users[who])
        for url in ("/risk/", "/risk/supply/", "/risk/litigation/", "/risk/alerts/", "/risk/supply/template.xlsx"):
            assert client.get(url).status_code == 200, (who, url)
    client.force_login(users["center_a"])
    assert client.get("/risk/exposure/").status_code == 200
    assert client.get("/risk/litigation/new/").status_code == 200
    client.force_login(users["ent_a"])
    assert client.get("/risk/exposure/").status_code == 403
    assert client.get("/risk/litigation/new/").status_code == 403


def test_api_create_list_detail_and_field_errors(db, api_client, users, orgs):
    api = api_client.as_user(users["ent_a"])
    r = api.post("/risk/checks", {"product_name": "控制器", "features": FEATURES, "markets": ["CN"],
                                  "horizon_date": "2030-01-01", "center_id": orgs["center_a"].pk})
    assert r.status_code == 201, r.content
    pk = r.json()["id"]
    assert api.get("/risk/checks").json()["count"] == 1
    assert api.get(f"/risk/checks/{pk}").json()["check"]["status_label"] == "已申请"
    bad = api.post("/risk/checks", {"product_name": "x", "features": ["a"], "markets": ["XX"],
                                    "horizon_date": "2030-01-01", "center_id": orgs["center_a"].pk})
    assert bad.status_code == 400 and bad.json()["error"]["field"] == "markets"
    assert api.post(f"/risk/checks/{pk}/run").status_code == 403
    other = api_client.as_user(users["ent_b"])
    assert other.get(f"/risk/checks/{pk}").status_code == 404


def test_cli_check_report_and_bom(db, tmp_path, import_jsonl):
    family(import_jsonl)
    product = tmp_path / "product.json"
    product.write_text(json.dumps({"name": "预充电控制器", "features": FEATURES, "horizon_date": "2030-06-30"},
                                  ensure_ascii=False), encoding="utf-8")
    out = io.StringIO()
    call_command("risk", "check", "--product", str(product), "--markets", "CN,US", "--json", stdout=out)
    data = json.loads(out.getvalue())
    assert data["markets"] == ["CN", "US"] and len(data["rounds"]) >= 3
    pdf = tmp_path / "r.pdf"
    out = io.StringIO()
    call_command("risk", "report", str(data["id"]), "--pdf", str(pdf), "--json", stdout=out)
    assert pdf.read_bytes().startswith(b"%PDF") and json.loads(out.getvalue())["check"] == data["id"]
    wb = Workbook()
    wb.active.append(["部件", "供应商", "原产国", "金额（元）"])
    wb.active.append(["电池", "某公司", "中国", "12"])
    wb.active.append(["", "某公司", "中国", "x"])
    wb.save(tmp_path / "bom.xlsx")
    out = io.StringIO()
    call_command("risk", "bom", str(tmp_path / "bom.xlsx"), "--json", stdout=out)
    bom = json.loads(out.getvalue())
    assert bom["counts"] == {"rows": 2, "accepted": 1, "rejected": 1}


def test_kpi_records_open_their_pages(db, client, users, orgs, check, import_jsonl):
    from ipoc.centers import kpi

    ids = family(import_jsonl)
    cand = services.candidate_add(actor=users["center_a"], check=check, patent_id=ids["cn-alive"])
    services.chart_confirm_all(actor=users["center_a"], candidate=cand)
    report = services.report_publish(actor=users["center_a"], check=check)
    assert kpi.RECORD_PAGES["risk.riskreport"] == "risk_report_by_id"
    client.force_login(users["ent_a"])
    r = client.get(f"/risk/reports/{report.pk}/")
    assert r.status_code == 302 and r["Location"] == f"/risk/{check.pk}/report/?v=1"
    client.force_login(users["ent_b"])
    assert client.get(f"/risk/reports/{report.pk}/").status_code == 404
