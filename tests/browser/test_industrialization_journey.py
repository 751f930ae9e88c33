"""专利产业化 in the browser (issue 19): from a confirmed match and the deal it led to, the center's staff open an
industrialization project (the deal brings the enterprise, the demand and the licensed patent), add the product,
fill its yearly data, prepare its 备案 pack and download it, then see the project behind 转化项目、产业化项目累计
in the center's annual report.

The data before the first click is built through the services (not the demo)."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

import pytest

from ipoc.centers import services as center_services
from ipoc.core import services as core_services
from ipoc.core.models import OrganizationKind
from ipoc.deals import services as deal_services
from ipoc.demands import services as demand_services
from ipoc.industrialization.models import Product, Project
from ipoc.matching.models import Match, MatchStatus
from ipoc.patents.models import Patent, PatentParty
from tests.conftest import browser_login, pick

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def story(users, orgs):
    """A demand of 苏州甲科技 handled by 甲中心, a confirmed match to a patent of 浙江大学, the licence deal signed
    from it last year; 甲中心 registered in the center registry."""
    core_services.organization_update(actor=None, organization=orgs["ent_a"],
                                      data={"credit_code": "914403001922038216"})
    patent = Patent.objects.create(key="CN119990001B", publication_number="CN119990001B", title="一种封装基板复合材料",
                                   legal_status="valid", patent_type="invention", grant_date=dt.date(2022, 5, 1),
                                   application_date=dt.date(2020, 5, 1), expiry_date=dt.date(2040, 5, 1))
    PatentParty.objects.create(patent=patent, role="holder", name=orgs["univ"].name, organization=orgs["univ"])
    demand = demand_services.demand_create(actor=None, title="芯片封装基板导热材料", organization=orgs["ent_a"],
                                           center=orgs["center_a"], status="matching")
    Match.objects.create(demand=demand, patent=patent, rank=1, score=0.9, retrieval_score=0.9,
                         status=MatchStatus.CONFIRMED)
    center_user = users["center_a"]
    year = dt.date.today().year - 1
    deal = deal_services.deal_create(actor=center_user, title="封装基板材料专利许可", deal_type="license",
                                     sellers=[orgs["univ"]], buyers=[orgs["ent_a"]], patents=[patent],
                                     demand=demand, intention_date=dt.date(year, 2, 1), amount=Decimal("800000"))
    for stage in ("negotiation", "signed"):
        deal = deal_services.deal_transition(actor=center_user, deal=deal, to_stage=stage,
                                             on=dt.date(year, 4, 1) if stage == "signed" else None)
    host = core_services.organization_create(actor=None, name="苏州甲新材料集团股份有限公司",
                                             kind=OrganizationKind.ENTERPRISE, region_code="320505")
    center_services.center_create(actor=None, organization=orgs["center_a"], name="甲产业知识产权运营中心",
                                  host_organization=host, host_type="leading_enterprise", industry="纳米新材料",
                                  level="provincial", managing_office=orgs["js_office"])
    return {"demand": demand, "deal": deal, "patent": patent, "data_year": year}


def test_from_deal_to_project_product_pack_and_annual_report(page, story, users, orgs):
    page.on("dialog", lambda dialog: dialog.accept())  # the stage button asks for confirmation
    browser_login(page, "center_a")
    page.goto("/industrialization/")
    page.get_by_role("link", name="登记产业化项目").click()
    page.fill("#id_title", "封装基板材料产业化项目")
    pick(page, "id_deal", "封装基板", "封装基板材料专利许可")
    page.get_by_role("button", name="保存").click()
    page.wait_for_url(re.compile(r"/industrialization/projects/\d+/$"))
    assert "已立项" in page.locator(".alert").first.inner_text()
    project = Project.objects.get(title="封装基板材料产业化项目")
    assert project.enterprise == orgs["ent_a"] and project.demand == story["demand"]

    # demand → match → deal → project, each a link
    chain = page.locator("[data-testid=chain]")
    assert chain.locator("[data-kind=demand]").inner_text().endswith("芯片封装基板导热材料")
    assert chain.locator("[data-kind=match]").count() == 1
    assert chain.locator("[data-kind=deal]").get_attribute("href") == f"/deals/{story['deal'].pk}/"
    assert "封装基板材料专利许可" in page.locator("[data-testid=patent-deal]").first.inner_text()

    # move the project on with a button
    with page.expect_navigation():  # (the URL is already the project's: waiting for it would not wait)
        page.locator("button[data-stage=pilot]").click()
    assert page.locator("[data-testid=stage]").get_attribute("data-status") == "pilot"

    # add the product from the project
    page.locator("[data-testid=add-product]").click()
    page.fill("#id_name", "高导热封装基板")
    page.fill("#id_category", "电子专用材料")
    page.get_by_role("button", name="保存").click()
    page.wait_for_url(re.compile(r"/industrialization/products/\d+/$"))
    product = Product.objects.get(name="高导热封装基板")
    assert product.project == project and product.enterprise == orgs["ent_a"]

    # its covering patent, licensed through the deal
    page.get_by_role("button", name="登记专利").click()
    pick(page, "id_patent-patent", "CN119990001", "CN119990001B")
    page.select_option("#id_patent-source", "licensed")
    pick(page, "id_patent-deal", "封装基板", "封装基板材料专利许可")
    with page.expect_navigation():
        page.locator("[data-testid=add-patent] button[type=submit]").click()
    assert product.product_patents.get().deal == story["deal"]

    # last year's figures
    year = story["data_year"]
    page.locator("[data-testid=add-year-toggle]").click()
    page.fill("#id_year-year", str(year))
    page.fill("#id_year-output_value", "20000000")
    page.fill("#id_year-sales", "16000000")
    page.fill("#id_year-patent_revenue_share", "45")
    with page.expect_navigation():
        page.locator("#add-year button[type=submit]").click()
    assert "年度数据已填报" in page.locator(".alert").first.inner_text()

    # the checks pass and the pack is prepared, then downloaded
    page.goto(f"/industrialization/products/{product.pk}/?year={year}")
    assert page.locator("[data-testid=checks-ok]").is_visible()
    page.fill("#id_filing-data_year", str(year))
    with page.expect_navigation():
        page.locator("[data-testid=prepare-form] button").click()
    assert page.locator("[data-testid=filing]").get_attribute("data-status") == "prepared"
    with page.expect_download() as download:
        page.locator("[data-testid=pack-xlsx]").click()
    assert download.value.suggested_filename == f"product-{product.pk}-{year}.xlsx"
    with page.expect_navigation():
        page.locator("button[data-status=filed]").click()
    assert page.locator("[data-testid=filing]").get_attribute("data-status") == "filed"

    # the center's annual report counts the deal and the project, and opens the project from the figure
    page.goto("/centers/reports/")
    page.fill("#gen-year", str(dt.date.today().year))
    page.locator("#generate-form button[type=submit]").click()
    page.wait_for_url(re.compile(r"/centers/reports/\d+/$"))
    row = page.locator("tr", has_text="组织实施转化项目、专利产业化项目累计数")
    assert row.locator("a.figure").inner_text() == "2"
    row.locator("a.figure").click()
    page.get_by_role("link", name="封装基板材料产业化项目").click()
    page.wait_for_url(f"**/industrialization/projects/{project.pk}/")
