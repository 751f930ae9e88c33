"""KPI providers (the basic-conditions figure reconciles with the records), API, pages and the command line."""

from __future__ import annotations

import datetime as dt
import json
from io import StringIO
from types import SimpleNamespace

import pytest
from django.core.management import call_command
from django.urls import reverse

from ipoc.centers import kpi
from ipoc.deals import selectors as deal_selectors
from ipoc.industrialization import services
from ipoc.industrialization.models import Project


def _center(orgs):
    return SimpleNamespace(organization_id=orgs["center_a"].pk)


def test_cumulative_projects_reconciles_with_deals_and_projects(users, orgs, project, deal):
    year = dt.date.today().year
    services.project_create(actor=users["center_a"], title="自主项目", enterprise=orgs["ent_a"],
                            start_date=dt.date(year, 1, 5))
    services.project_create(actor=users["center_b"], title="别的中心", enterprise=orgs["ent_b"])
    figure = kpi.kpi_figure(kpi.CUMULATIVE_PROJECTS, _center(orgs), year)
    deal_ids = deal_selectors.cumulative_conversion_projects(orgs["center_a"].pk, year)
    project_ids = sorted(Project.objects.filter(center=orgs["center_a"]).values_list("pk", flat=True))
    assert figure.value == len(deal_ids) + len(project_ids) == 3
    assert figure.record_refs == [("deals.deal", i) for i in deal_ids] + \
        [("industrialization.project", i) for i in project_ids]
    # last year: the deal (signed last year) and the project opened last year, not this year's
    last = kpi.kpi_figure(kpi.CUMULATIVE_PROJECTS, _center(orgs), year - 1)
    assert last.record_refs == [("deals.deal", deal.pk), ("industrialization.project", project.pk)]


def test_annual_report_lines_are_connected(users, orgs, product_with_data, project, data_year):
    actor = users["center_a"]
    services.project_outcome_add(actor=actor, project=project, year=data_year, output_value="3000000")
    filing = services.filing_prepare(actor=actor, product=product_with_data, data_year=data_year)
    services.filing_transition(actor=actor, filing=filing, to_status="filed", on=dt.date(data_year + 1, 3, 5))
    services.brand_create(actor=actor, name="中心培育品牌", holder=orgs["ent_a"])
    lines = {line["code"]: line for line in kpi.report_lines(_center(orgs), data_year + 1)}
    for code in (kpi.INDUSTRIALISATION_PROJECTS, kpi.INDUSTRIALISATION_OUTPUT, kpi.PATENT_INTENSIVE_PRODUCTS,
                 kpi.BRANDS, kpi.CUMULATIVE_PROJECTS):
        assert not lines[code]["missing"], code
    assert lines[kpi.PATENT_INTENSIVE_PRODUCTS]["value"] == 1
    assert lines[kpi.PATENT_INTENSIVE_PRODUCTS]["records"] == [{"model": "industrialization.product",
                                                               "id": product_with_data.pk}]
    output = kpi.kpi_figure(kpi.INDUSTRIALISATION_OUTPUT, _center(orgs), data_year)
    assert output.value == 300 and output.unit == "万元"
    started = kpi.kpi_figure(kpi.INDUSTRIALISATION_PROJECTS, _center(orgs), data_year)
    assert started.record_refs == [("industrialization.project", project.pk)]


def test_api_project_and_product(api_client, users, orgs, deal, patents, data_year):
    api = api_client.as_user(users["center_a"])
    r = api.post("/industrialization/projects", {"title": "API 项目", "deal_id": deal.pk})
    assert r.status_code == 201, r.content
    body = r.json()
    assert body["enterprise_id"] == orgs["ent_a"].pk and len(body["patents"]) == 2
    pid = body["id"]
    assert api.post(f"/industrialization/projects/{pid}/transition", {"to_stage": "full_capacity"}).status_code == 400
    assert api.post(f"/industrialization/projects/{pid}/transition", {"to_stage": "pilot"}).json()["stage"] == "pilot"
    r = api.post("/industrialization/products", {"name": "API 产品", "category": "材料", "project_id": pid})
    assert r.status_code == 201, r.content
    prod = r.json()["id"]
    r = api.post(f"/industrialization/products/{prod}/patents",
                 {"patent_id": patents["lapsed"].pk, "source": "owned"})
    assert r.status_code == 201
    assert api.post(f"/industrialization/products/{prod}/years", {"year": data_year, "output_value": "10",
                                                                 "sales": "5", "patent_revenue_share": "30"}
                    ).status_code == 201
    r = api.post(f"/industrialization/products/{prod}/years", {"year": data_year})
    assert r.status_code == 400 and r.json()["error"]["field"] == "year"
    r = api.post(f"/industrialization/products/{prod}/filings", {"data_year": data_year})
    assert r.status_code == 400
    error = r.json()["error"]
    assert error["code"] == "pack_refused" and error["problems"][0]["code"] == "lapsed"
    checks = api.get(f"/industrialization/products/{prod}/checks", data_year=data_year).json()
    assert checks["ok"] is False
    other = api_client.as_user(users["ent_b"])
    assert other.get(f"/industrialization/projects/{pid}").status_code == 404
    assert other.get(f"/industrialization/products/{prod}").status_code == 404
    assert api.get("/industrialization/projects").json()["count"] == 1


def test_pages_render_for_each_role(client, users, product_with_data, project, data_year):
    brand = services.brand_create(actor=users["center_a"], name="页面品牌", holder=product_with_data.enterprise)
    urls = [reverse("industrialization_project_list"), reverse("industrialization_product_list"),
            reverse("industrialization_brand_list"),
            reverse("industrialization_project_detail", args=[project.pk]),
            reverse("industrialization_product_detail", args=[product_with_data.pk]),
            reverse("industrialization_brand_detail", args=[brand.pk])]
    for name in ("center_a", "ent_a", "js_office", "admin"):
        client.force_login(users[name])
        for url in urls:
            r = client.get(url)
            assert r.status_code == 200, (name, url)
    client.force_login(users["ent_b"])
    assert client.get(urls[3]).status_code == 404
    client.force_login(users["center_a"])
    page = client.get(urls[3]).content.decode()
    assert "转化链条" in page and reverse("deal_detail", args=[project.project_patents.first().deal_id]) in page
    assert client.get(reverse("industrialization_project_create")).status_code == 200
    client.force_login(users["ent_a"])
    assert client.get(reverse("industrialization_project_create")).status_code == 403


def test_page_prepares_pack_and_downloads(client, users, product_with_data, data_year):
    client.force_login(users["ent_a"])
    url = reverse("industrialization_filing_prepare", args=[product_with_data.pk])
    r = client.post(url, {"filing-data_year": data_year})
    assert r.status_code == 302
    filing = product_with_data.filings.get()
    r = client.get(reverse("industrialization_filing_xlsx", args=[product_with_data.pk, filing.pk]))
    assert r.status_code == 200 and r.content.startswith(b"PK")
    r = client.post(reverse("industrialization_product_year_add", args=[product_with_data.pk]),
                    {"year-year": data_year}, follow=True)
    assert "不能重复填报" in r.content.decode()


def test_cli_projects_and_pack(users, orgs, project, product_with_data, data_year, tmp_path):
    out = StringIO()
    call_command("industrialization", "projects", "--center", str(orgs["center_a"].pk), "--json", stdout=out)
    data = json.loads(out.getvalue())
    assert [p["id"] for p in data["projects"]] == [project.pk]
    target = tmp_path / "pack.xlsx"
    out = StringIO()
    call_command("industrialization", "pack", str(product_with_data.pk), "--out", str(target), "--json", stdout=out)
    assert json.loads(out.getvalue())["data_year"] == data_year
    assert target.read_bytes().startswith(b"PK")


def test_cli_pack_refused_with_reason(users, patents, product_with_data, tmp_path):
    from django.core.management.base import CommandError

    services.product_patent_add(actor=users["center_a"], product=product_with_data, patent=patents["lapsed"],
                                source="owned")
    with pytest.raises(CommandError, match="失效"):
        call_command("industrialization", "pack", "产品甲", "--out", str(tmp_path / "x.xlsx"))


def test_list_queries_do_not_grow_with_rows(api_client, users, orgs, deal):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    api = api_client.as_user(users["center_a"])

    def count() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert api.get("/industrialization/projects").status_code == 200
        return len(ctx.captured_queries)

    services.project_create(actor=users["center_a"], title="一", deal=deal)
    count()  # the first request also records the token's use
    one = count()
    for n in range(3):
        services.project_create(actor=users["center_a"], title=f"多{n}", deal=deal)
    assert count() == one


def test_cli_import_years_and_reminders(product_with_data, data_year, tmp_path):
    path = tmp_path / "years.csv"
    path.write_text(f"产品名称,数据年度,产值（元）,销售额（元）,专利贡献收入占比（%）\n"
                    f"产品甲,{data_year - 1},100,80,20\n产品甲,{data_year},1,1,1\n", encoding="utf-8")
    out = StringIO()
    call_command("industrialization", "import-years", str(path), "--json", stdout=out)
    report = json.loads(out.getvalue())
    assert report["created"] == 1 and [e["row"] for e in report["errors"]] == [3]
    out = StringIO()
    call_command("industrialization", "reminders", "--json", stdout=out)
    assert json.loads(out.getvalue())["sent"] >= 0
