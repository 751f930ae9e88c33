"""Pages, API, CLI, reports and the KPI provider."""

from __future__ import annotations

import io
import json

import pytest
from django.core.management import call_command

from ipoc.analytics import services
from ipoc.analytics.models import LandscapeReport, SetKind, TermAxis
from tests.conftest import PASSWORD


@pytest.fixture
def center_set(corpus, users, chain_node):
    s = services.patent_set_create(actor=users["center_a"], name="通信", kind=SetKind.SEARCH,
                                   definition={"q": "", "filters": {"ipc": "H"}})
    services.matrix_term_save(actor=users["center_a"], patent_set=s, axis=TermAxis.TECHNOLOGY, label="电池",
                              words=["电池"])
    services.matrix_term_save(actor=users["center_a"], patent_set=s, axis=TermAxis.EFFECT, label="效率",
                              words=["效率"], reviewed=False)
    return s


def test_pages_render_for_the_center(client, users, center_set):
    client.login(username="center_a", password=PASSWORD)
    for url in ("/analytics/", f"/analytics/{center_set.pk}/", f"/analytics/{center_set.pk}/matrix/",
                "/analytics/chain/", "/analytics/new/?kind=search", "/analytics/new/?kind=chain_node",
                "/analytics/new/?kind=manual", f"/analytics/{center_set.pk}/patents/?a=applicant&k=甲电池有限公司"):
        r = client.get(url)
        assert r.status_code == 200, url
    page = client.get(f"/analytics/{center_set.pk}/").content.decode()
    assert "申请人排名" in page and 'data-chart="chart-trend-data"' in page or "申请与授权趋势" in page
    assert "未审核" in page
    drill = client.get(f"/analytics/{center_set.pk}/patents/?a=applicant&k=甲电池有限公司").content.decode()
    assert "共 2 件专利" in drill
    assert client.get(f"/analytics/{center_set.pk}/patents/?a=nonsense&k=1").status_code == 400


def test_other_centers_get_404_and_enterprises_cannot_create(client, users, center_set):
    client.login(username="center_b", password=PASSWORD)
    assert client.get(f"/analytics/{center_set.pk}/").status_code == 404
    client.login(username="ent_a", password=PASSWORD)
    assert client.get("/analytics/new/").status_code == 403


def test_create_a_set_from_the_form(client, users, corpus):
    client.login(username="center_a", password=PASSWORD)
    r = client.post("/analytics/new/?kind=search", {"kind": "search", "name": "发明", "ipc": "H01M"})
    assert r.status_code == 302
    page = client.get(r["Location"]).content.decode()
    assert "2 件专利" in page


def test_reports_pdf_xlsx_json_and_the_kpi(client, users, center_set):
    client.login(username="center_a", password=PASSWORD)
    pdf = client.get(f"/analytics/{center_set.pk}/report.pdf")
    assert pdf.status_code == 200 and pdf.content[:4] == b"%PDF"
    xlsx = client.get(f"/analytics/{center_set.pk}/report.xlsx")
    from openpyxl import load_workbook

    wb = load_workbook(io.BytesIO(xlsx.content))
    assert {"概况", "趋势", "申请人", "IPC小类", "技术功效矩阵", "产业链"} <= set(wb.sheetnames)
    data = client.get(f"/analytics/{center_set.pk}/report.json").json()
    assert data["set"]["size"] == center_set.size and "trend" in data["analyses"]
    assert LandscapeReport.objects.filter(patent_set=center_set).count() == 3
    from django.utils import timezone

    from ipoc.analytics.kpi import navigation_reports

    class Center:
        organization_id = users["center_a"].organization_id

    fig = navigation_reports(Center, timezone.localdate().year)
    assert fig.value == 2 and len(fig.record_refs) == 2  # PDF and Excel; JSON is data, not a report


def test_api(api_client, users, corpus):
    api = api_client.as_user(users["center_a"])
    r = api.post("/analytics/sets", {"name": "API", "kind": "search", "filters": {"ipc": "H04"}})
    assert r.status_code == 201, r.content
    pk = r.json()["id"]
    land = api.get(f"/analytics/sets/{pk}/landscape").json()
    assert land["totals"]["patents"] == 2
    row = land["analyses"]["applicants"]["rows"][0]
    assert row["values"] == ["丙通信有限公司", 2]
    drill = api.get(f"/analytics/sets/{pk}/patents", a="applicant", k="丙通信有限公司").json()
    assert drill["count"] == 2
    bad = api.post("/analytics/sets", {"name": "x", "kind": "nope"})
    assert bad.status_code == 400 and bad.json()["error"]["field"] == "kind"
    other = api_client.as_user(users["center_b"])
    assert other.get(f"/analytics/sets/{pk}").status_code == 404


def test_cli_report(users, center_set, tmp_path):
    out = io.StringIO()
    call_command("analytics", "report", "--set", str(center_set.pk), "--json", stdout=out)
    data = json.loads(out.getvalue())
    assert data["set"]["id"] == center_set.pk
    pdf, xlsx = tmp_path / "r.pdf", tmp_path / "r.xlsx"
    call_command("analytics", "report", "--set", str(center_set.pk), "--pdf", str(pdf), "--xlsx", str(xlsx),
                 stdout=io.StringIO())
    assert pdf.read_bytes()[:4] == b"%PDF" and xlsx.stat().st_size > 0


def test_a_report_record_opens_its_set(client, users, center_set):
    client.login(username="center_a", password=PASSWORD)
    report = services.landscape_report_record(actor=users["center_a"], patent_set=center_set, format="pdf")
    r = client.get(f"/analytics/reports/{report.pk}/")
    assert r.status_code == 302 and r["Location"] == f"/analytics/{center_set.pk}/"
    client.login(username="center_b", password=PASSWORD)
    assert client.get(f"/analytics/reports/{report.pk}/").status_code == 404
