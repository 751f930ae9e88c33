"""专利产业化 services: projects from deals, stage moves, yearly data once per year, filing checks and pack."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from openpyxl import load_workbook

from ipoc.core.errors import ApplicationError, PermissionDenied
from ipoc.industrialization import selectors, services
from ipoc.industrialization.models import FilingStatus, ProductPatent, ProductYear, ProjectStage


def test_project_from_deal_takes_enterprise_demand_and_patents(project, orgs, deal, patents):
    assert project.enterprise == orgs["ent_a"]
    assert project.center == orgs["center_a"]
    links = {link.patent_id: link for link in project.project_patents.all()}
    assert set(links) == {patents["univ1"].pk, patents["univ2"].pk}
    assert all(link.source == "licensed" and link.deal_id == deal.pk for link in links.values())


def test_project_refuses_unsigned_deal_and_other_center(users, orgs, patents):
    from ipoc.deals import services as deal_services

    d = deal_services.deal_create(actor=users["center_a"], title="意向交易", deal_type="license",
                                  buyers=[orgs["ent_a"]], patents=[patents["univ1"]])
    with pytest.raises(ApplicationError) as exc:
        services.project_create(actor=users["center_a"], title="x", deal=d)
    assert exc.value.field == "deal"
    with pytest.raises(PermissionDenied):
        services.project_create(actor=users["ent_a"], title="x", enterprise=orgs["ent_a"])


def test_stage_moves_one_step_at_a_time(users, project):
    actor = users["center_a"]
    with pytest.raises(ApplicationError) as exc:
        services.project_transition(actor=actor, project=project, to_stage=ProjectStage.MASS_PRODUCTION)
    assert exc.value.code == "invalid_transition"
    with pytest.raises(PermissionDenied):
        services.project_transition(actor=users["center_b"], project=project, to_stage=ProjectStage.PILOT)
    for stage in (ProjectStage.PILOT, ProjectStage.MASS_PRODUCTION, ProjectStage.FULL_CAPACITY):
        project = services.project_transition(actor=actor, project=project, to_stage=stage)
    assert project.stage == ProjectStage.FULL_CAPACITY
    assert [c.to_stage for c in project.stage_changes.all()] == ["initiated", "pilot", "mass_production",
                                                                 "full_capacity"]


def test_licensed_patent_must_come_from_a_deal_naming_the_enterprise(users, orgs, project, patents, deal):
    actor = users["center_a"]
    with pytest.raises(ApplicationError) as exc:  # the deal does not cover this patent
        services.project_patent_add(actor=actor, project=project, patent=patents["own"], source="licensed",
                                    deal_id=deal.pk)
    assert exc.value.field == "deal"
    with pytest.raises(ApplicationError):  # licensed without a deal or an open licence
        services.project_patent_add(actor=actor, project=project, patent=patents["own"], source="licensed")
    link = services.project_patent_add(actor=actor, project=project, patent=patents["own"], source="owned")
    assert link.deal_id is None


def test_licensed_patents_product_links_to_its_licence(product, deal, patents):
    link = product.product_patents.get(patent=patents["univ1"])
    assert link.source == "licensed"
    assert link.deal_id == deal.pk


def test_yearly_data_cannot_be_filed_twice_for_one_year(users, product_with_data, data_year):
    with pytest.raises(ApplicationError) as exc:
        services.product_year_add(actor=users["center_a"], product=product_with_data, year=data_year,
                                  output_value="1", sales="1", patent_revenue_share="1")
    assert exc.value.field == "year" and exc.value.code == "duplicate"
    assert "不能重复填报" in exc.value.message
    assert ProductYear.objects.filter(product=product_with_data, year=data_year).count() == 1


def test_outcomes_once_per_year_and_enterprise_may_report(users, project):
    services.project_outcome_add(actor=users["ent_a"], project=project, year=2025, output_value="100", jobs=3)
    with pytest.raises(ApplicationError) as exc:
        services.project_outcome_add(actor=users["center_a"], project=project, year=2025, output_value="1")
    assert exc.value.code == "duplicate"
    with pytest.raises(PermissionDenied):
        services.project_outcome_add(actor=users["ent_b"], project=project, year=2024)


def test_pack_refused_while_a_covering_patent_has_lapsed(users, product_with_data, patents, data_year):
    actor = users["center_a"]
    services.product_patent_add(actor=actor, product=product_with_data, patent=patents["lapsed"], source="owned")
    with pytest.raises(ApplicationError) as exc:
        services.filing_prepare(actor=actor, product=product_with_data, data_year=data_year)
    assert exc.value.code == "pack_refused"
    problems = exc.value.extra["problems"]
    assert [p["code"] for p in problems] == ["lapsed"]
    assert patents["lapsed"].publication_number in problems[0]["message"]
    assert "失效" in problems[0]["message"]
    assert not product_with_data.filings.exists()


def test_pack_checks_holder_licence_and_figures(users, orgs, product, patents, data_year):
    # a patent recorded as owned that is someone else's now (the service refuses it at entry; a transfer after it
    # is what the check catches), and no figures for the year
    ProductPatent.objects.create(product=product, patent=patents["univ2"], source="owned")
    codes = {p.get("code") or p["field"] for p in services.filing_problems(product, data_year)}
    assert codes == {"not_held", "year"}


def test_pack_prepared_exported_and_filed_to_a_result(users, product_with_data, data_year):
    actor = users["ent_a"]
    filing = services.filing_prepare(actor=actor, product=product_with_data, data_year=data_year)
    assert filing.status == FilingStatus.PREPARED
    fields = {f["code"]: f for f in filing.pack["fields"]}
    assert fields["output_value"]["value"] == "2000.00"  # 万元
    assert fields["credit_code"]["value"] == "914403001922038216"
    assert all(not f["verified"] for f in filing.pack["fields"])  # 待核实
    wb = load_workbook(io.BytesIO(services.pack_xlsx(filing)))
    assert wb.sheetnames == ["备案信息", "支撑专利", "依据"]
    assert wb["支撑专利"].max_row == 3
    assert services.pack_pdf(filing).startswith(b"%PDF")
    filing = services.filing_transition(actor=actor, filing=filing, to_status="filed", platform_reference="BA-1")
    for status in ("reviewing", "publicized", "recognised"):  # the platform's answers, recorded by the center
        filing = services.filing_transition(actor=users["center_a"], filing=filing, to_status=status)
    assert filing.status == FilingStatus.RECOGNISED and filing.filed_date and filing.result_date
    with pytest.raises(ApplicationError):  # filed already: the pack for that year is frozen
        services.filing_prepare(actor=actor, product=product_with_data, data_year=data_year)


def test_not_recognised_needs_a_reason(users, product_with_data, data_year):
    actor = users["center_a"]
    filing = services.filing_prepare(actor=actor, product=product_with_data, data_year=data_year)
    filing = services.filing_transition(actor=actor, filing=filing, to_status="filed")
    with pytest.raises(ApplicationError) as exc:
        services.filing_transition(actor=actor, filing=filing, to_status="not_recognised")
    assert exc.value.field == "reason"


def test_trademark_class_validated(users, orgs):
    brand = services.brand_create(actor=users["ent_a"], name="甲品牌")
    assert brand.holder == orgs["ent_a"]
    for bad in (0, 46, "x"):
        with pytest.raises(ApplicationError) as exc:
            services.trademark_add(actor=users["ent_a"], brand=brand, registration_number="123", mark="甲",
                                   nice_class=bad)
        assert exc.value.field == "nice_class"
    with pytest.raises(ApplicationError) as exc:
        services.trademark_add(actor=users["ent_a"], brand=brand, registration_number="12a", mark="甲", nice_class=9)
    assert exc.value.field == "registration_number"
    tm = services.trademark_add(actor=users["ent_a"], brand=brand, registration_number="123", mark="甲",
                                nice_class="第9类")
    assert tm.nice_class == 9
    with pytest.raises(PermissionDenied):
        services.trademark_add(actor=users["ent_b"], brand=brand, registration_number="124", mark="甲", nice_class=9)


def test_import_reports_rows(users, product_with_data, data_year, tmp_path):
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.append(["产品名称", "数据年度", "产值（元）", "销售额（元）", "专利贡献收入占比（%）"])
    ws.append(["产品甲", data_year - 1, 1000, 800, 30])       # new year: imported
    ws.append(["产品甲", data_year, 1000, 800, 30])           # already filed: refused
    ws.append(["不存在的产品", data_year, 1, 1, 1])            # unknown product
    ws.append(["产品甲", data_year - 2, "abc", 1, 1])          # bad number
    ws.append(["产品甲", data_year - 3, 1, 1, 150])            # share out of range
    path = tmp_path / "years.xlsx"
    wb.save(path)
    report = services.product_years_import(actor=users["ent_a"], path=path)
    assert report["created"] == 1
    assert [(e["row"], e["field"]) for e in report["errors"]] == [
        (3, "数据年度"), (4, "产品名称"), (5, "产值（元）"), (6, "专利贡献收入占比（%）")]


def test_other_organisations_do_not_see_projects(users, project):
    assert selectors.project_list(user=users["ent_b"]).count() == 0
    assert selectors.project_list(user=users["ent_a"]).count() == 1
    assert selectors.project_list(user=users["js_office"]).count() == 1  # center_a is in Jiangsu
    assert selectors.project_list(user=users["center_b"]).count() == 0


def test_contract_selectors(product_with_data, orgs):
    assert selectors.product_features(product_with_data.pk) == ["产品甲"]
    rows = selectors.products_for_organization(orgs["ent_a"].pk)
    assert [r["name"] for r in rows] == ["产品甲"]
    assert selectors.product_features(999999) == []


def test_reminder_before_the_window(users, product_with_data, data_year, settings):
    from ipoc.core.models import Notification
    from ipoc.industrialization import rules

    actor = users["center_a"]
    filing = services.filing_prepare(actor=actor, product=product_with_data, data_year=data_year)
    for status in ("filed", "reviewing", "publicized", "recognised"):
        filing = services.filing_transition(actor=actor, filing=filing, to_status=status,
                                            publication_reference="公告-1" if status == "recognised" else "")
    today = rules.window_opens(data_year + 2) - dt.timedelta(days=10)
    assert services.filing_reminders(today=today) == 1
    assert services.filing_reminders(today=today) == 0  # once
    assert Notification.objects.filter(recipient=users["ent_a"]).count() == 1
    assert services.filing_reminders(today=today - dt.timedelta(days=200)) == 0  # not before the window nears


def test_patent_licensed_through_an_open_licence(users, product_with_data, patents, data_year, monkeypatch):
    from ipoc.licensing import selectors as licensing_selectors

    rows = [{"id": 7, "patent_number": patents["univ2"].number, "role": "licensee", "status": "in_force"}]
    monkeypatch.setattr(licensing_selectors, "organization_licences", lambda org_id: rows, raising=False)
    actor = users["center_a"]
    with pytest.raises(ApplicationError) as exc:
        services.product_patent_add(actor=actor, product=product_with_data, patent=patents["univ2"],
                                    source="licensed", open_licence_id=8)
    assert exc.value.field == "open_licence"
    link = services.product_patent_add(actor=actor, product=product_with_data, patent=patents["univ2"],
                                       source="licensed", open_licence_id=7)
    assert link.open_licence_id == 7 and link.deal_id is None
    assert services.filing_problems(product_with_data, data_year) == []
    rows[0]["status"] = "ended"  # the licence ended: the pack is refused again
    assert [p["code"] for p in services.filing_problems(product_with_data, data_year)] == ["no_licence"]


def test_a_center_registers_products_and_brands_only_for_enterprises_it_serves(users, orgs, deal):
    """Probe (issue 19): any center could register a product or a brand in any enterprise's name, then prepare its
    备案 pack and count it. Center 乙 has no project, deal or demand with 苏州甲科技; center 甲 brokered its deal."""
    from ipoc.core.errors import PermissionDenied

    with pytest.raises(PermissionDenied) as err:
        services.product_create(actor=users["center_b"], name="他人的产品", category="电子专用材料", enterprise=orgs["ent_a"])
    assert err.value.field == "enterprise" and "尚未服务" in err.value.message
    with pytest.raises(PermissionDenied) as err:
        services.brand_create(actor=users["center_b"], name="他人的品牌", holder=orgs["ent_a"])
    assert err.value.field == "holder"
    assert services.product_create(actor=users["center_a"], name="服务企业的产品", category="电子专用材料",
                                   enterprise=orgs["ent_a"]).center == orgs["center_a"]
    assert services.brand_create(actor=users["center_a"], name="服务企业的品牌", holder=orgs["ent_a"]).pk
