"""/api/v1/pools, the ``ipoc pools`` command and the KPI providers (each figure equals its records)."""

from __future__ import annotations

import datetime as dt
import io
import json
from decimal import Decimal as D

from django.core.management import call_command

from ipoc.centers import kpi as center_kpi
from ipoc.pools import selectors, services


def test_api_report_statement_allocation(api_client, make_pool, users):
    built = make_pool()
    pool, ag = built["pool"], built["agreement"]
    licensee = api_client.as_user(users["ent_b"])
    r = licensee.post(f"/pools/agreements/{ag.pk}/reports", {"period": "2025Q4", "lines": [
        {"category": "TV", "country_made": "US", "country_sold": "US", "units": 10, "sale_date": "2025-11-02"}]})
    assert r.status_code == 201, r.content
    body = r.json()
    assert body["statement"]["total"] == "20.00" and body["statement"]["lines"][0]["reason"].startswith("US 有效")
    r = licensee.post(f"/pools/agreements/{ag.pk}/reports", {"period": "2025Q5", "lines": [
        {"category": "TV", "country_made": "US", "country_sold": "US", "units": 1}]})
    assert r.status_code == 400 and r.json()["error"]["field"] == "period"
    r = licensee.post(f"/pools/agreements/{ag.pk}/reports", {"period": "2026Q1", "lines": [
        {"category": "TV", "country_made": "US", "country_sold": "US", "units": -1}]})
    assert r.status_code == 422
    assert licensee.get(f"/pools/reports/{body['report']}/statement").json()["total"] == "20.00"
    assert api_client.as_user(users["center_b"]).get(f"/pools/reports/{body['report']}/statement").status_code == 404
    assert api_client.as_user(users["ent_a"]).post(f"/pools/agreements/{ag.pk}/reports", {
        "period": "2025Q3", "lines": []}).status_code == 404
    admin = api_client.as_user(users["center_a"])
    detail = admin.get(f"/pools/{pool.pk}").json()
    assert {p["number"]: p["state"] for p in detail["patents"]}["US9000001B2"] == "expired"
    assert admin.get(f"/pools/{pool.pk}/statements", period="2025Q4").json()["total"] == "20.00"
    services.statement_mark_paid(actor=users["center_a"], statement=selectors.statement_current(ag.reports.get()),
                                 paid_on=dt.date(2025, 12, 20))
    alloc = admin.post(f"/pools/{pool.pk}/allocations", {"year": 2025})
    assert alloc.status_code == 201 and alloc.json()["distributable"] == "18.00"
    assert api_client.as_user(users["ent_b"]).post(f"/pools/{pool.pk}/allocations", {"year": 2025}).status_code == 403
    mine = api_client.as_user(users["ent_a"]).get(f"/pools/{pool.pk}/allocations/2025").json()
    assert [s["licensor"] for s in mine["shares"]] == ["苏州甲科技有限公司"] and mine["shares"][0]["amount"] == "18.00"
    sim = admin.get(f"/pools/{pool.pk}/simulate", year=2025, years_ahead=8).json()
    assert sim["years"][0]["collected"] == "20.00" and sim["years"][-1]["collected"] == "0"  # US patent ends 2032
    assert admin.post(f"/pools/{pool.pk}/conflicts/check").status_code == 200
    assert admin.get("/pools").json()["count"] == 1


def test_cli_report_statement_allocate(make_pool, users, tmp_path):
    from openpyxl import Workbook

    built = make_pool()
    pool = built["pool"]
    wb = Workbook()
    ws = wb.active
    ws.append(["产品类别", "制造国", "销售国", "数量", "销售日期"])
    ws.append(["TV", "CN", "CN", 50, "2025-10-15"])
    ws.append(["TV", "XX1", "CN", 5, None])
    bad = tmp_path / "bad.xlsx"
    wb.save(bad)
    out = io.StringIO()
    call_command("pools", "report", str(bad), "--pool", str(pool.pk), "--period", "2025Q4", "--json", stdout=out)
    data = json.loads(out.getvalue())
    assert data["report"] is None and data["errors"][0]["row"] == 3 and data["errors"][0]["field"] == "country_made"
    ws.delete_rows(3)
    good = tmp_path / "good.xlsx"
    wb.save(good)
    out = io.StringIO()
    call_command("pools", "report", str(good), "--pool", str(pool.pk), "--period", "2025Q4", "--json", stdout=out)
    report_id = json.loads(out.getvalue())["report"]
    out = io.StringIO()
    call_command("pools", "statement", "--pool", str(pool.pk), "--period", "2025Q4", "--json", stdout=out)
    st = json.loads(out.getvalue())["statements"][0]
    assert st["report"] == report_id and st["total"] == "100.00"
    services.statement_mark_paid(actor=None, statement=selectors.statement_current(built["agreement"].reports.get()),
                                 paid_on=dt.date(2025, 12, 1))
    out = io.StringIO()
    call_command("pools", "allocate", "--pool", str(pool.pk), "--year", "2025", "--json", stdout=out)
    alloc = json.loads(out.getvalue())
    assert alloc["collected"] == "100.00" and alloc["fee"] == "10.00"
    assert sum(D(s["amount"]) for s in alloc["shares"]) == D("90.00")


def test_kpi_providers_reconcile_with_their_records(make_pool, users):
    from ipoc.centers.models import Center

    built = make_pool()
    pool = built["pool"]
    r = services.report_submit(actor=users["ent_b"], agreement=built["agreement"], period="2025Q2", lines=[
        {"category": "TV", "country_made": "CN", "country_sold": "CN", "units": 1234}])
    st = selectors.statement_current(r)
    services.statement_mark_paid(actor=users["center_a"], statement=st, paid_on=dt.date(2025, 7, 1))
    alloc = services.allocation_run(actor=users["center_a"], pool=pool, year=2025)
    center = Center(organization=users["center_a"].organization)
    year = dt.date.today().year
    patents = center_kpi.kpi_figure(center_kpi.POOL_PATENTS, center, year)
    assert patents.value == 4 and sorted(i for _m, i in patents.record_refs) == sorted(
        x.pk for x in built["listings"].values())
    licensees = center_kpi.kpi_figure(center_kpi.POOL_LICENSEES, center, 2025)
    assert licensees.value == 1 and licensees.record_refs == [("pools.agreement", built["agreement"].pk)]
    collected = center_kpi.kpi_figure(center_kpi.POOL_ROYALTIES_COLLECTED, center, 2025)
    assert collected.value == st.total / 10000 and collected.record_refs == [("pools.statement", st.pk)]
    distributed = center_kpi.kpi_figure(center_kpi.POOL_ROYALTIES_DISTRIBUTED, center, 2025)
    assert distributed.value == alloc.distributable / 10000 == D("2221.20") / 10000
    assert center_kpi.kpi_figure(center_kpi.POOL_ROYALTIES_COLLECTED, center, 2024).value == 0


def test_the_annual_report_drill_down_opens_each_pool_record_on_its_page(make_pool, users):
    from ipoc.centers import selectors as center_selectors

    built = make_pool()
    r = services.report_submit(actor=users["ent_b"], agreement=built["agreement"], period="2025Q2", lines=[
        {"category": "TV", "country_made": "CN", "country_sold": "CN", "units": 10}])
    st = selectors.statement_current(r)
    refs = [{"model": "pools.statement", "id": st.pk}, {"model": "pools.agreement", "id": built["agreement"].pk}]
    rows = center_selectors.figure_records(user=users["admin"], refs=refs)
    assert [row["url"] for row in rows] == [f"/pools/reports/{r.pk}/", f"/pools/{built['pool'].pk}/"]
