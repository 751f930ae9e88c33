"""专利开放许可 in the browser (issue 16):

1. a university drafts an open-licence declaration; the page shows a blocker (a co-owner's consent missing,
   with its rule); the university records the consent, the blocker is gone, it files and records the announcement;
2. the declaration is on the public list (no login) and in an SME's pushes, with the reason;
3. the SME sends its written notice with the payment: the licence is formed and shows for both sides;
4. the center's annual report counts it (开放许可达成许可数).

The data is built through the services in the test (not the demo)."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from playwright.sync_api import expect

from ipoc.centers import services as center_services
from ipoc.core import services as core_services
from ipoc.demands import services as demand_services
from ipoc.licensing.models import OpenLicence, OpenLicenceDeclaration
from ipoc.patents.models import Patent, PatentParty
from tests.conftest import browser_login, pick

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
NUMBER = "CN113700001B"


@pytest.fixture
def setup(orgs, users):
    patent = Patent.objects.create(key=NUMBER, publication_number=NUMBER, title="一种基于机器视觉的零件缺陷在线检测方法",
                                   abstract="采用机器视觉与深度学习识别零件表面缺陷。", patent_type="invention",
                                   legal_status="valid", application_date=dt.date(2020, 5, 1),
                                   grant_date=dt.date(2022, 8, 1), ipc_main="G06T7/00")
    for i, (name, org) in enumerate((("浙江大学", orgs["univ"]), ("李四", None))):
        for role in ("applicant", "holder"):
            PatentParty.objects.create(patent=patent, role=role, position=i, name=name, organization=org)
    demand_services.demand_create(actor=None, title="零件缺陷在线检测技术", organization=orgs["ent_a"],
                                  status="published", description="需要基于机器视觉的缺陷检测方案",
                                  keywords=["机器视觉", "缺陷检测"])
    host = core_services.organization_create(actor=None, name="苏州甲新材料集团股份有限公司", kind="enterprise",
                                             is_sme=False, region_code="320505")
    center = center_services.center_create(
        actor=None, organization=orgs["center_a"], name="甲产业知识产权运营中心", host_organization=host,
        host_type="leading_enterprise", industry="智能制造", level="provincial", managing_office=orgs["js_office"])
    return {"patent": patent, "center": center}


def test_university_declares_sme_takes_a_licence_center_reports_it(page, browser, live_server, setup, users, orgs):
    page.on("dialog", lambda d: d.accept())
    browser_login(page, "univ")
    page.goto("/licensing/")
    page.get_by_role("link", name="起草开放许可声明").first.click()
    pick(page, "id_patent", NUMBER, NUMBER)
    pick(page, "id_center", "甲产业", orgs["center_a"].name)
    page.select_option("#id_fee_method", "fixed")
    page.fill("#id_fixed_fee", "50000")
    page.fill("#id_field", "机器视觉")
    page.fill("#id_term_years", "3")
    page.fill("#id_contact_name", "王老师")
    page.get_by_role("button", name="保存草稿").click()
    page.wait_for_url(re.compile(r"/licensing/declarations/\d+/$"))

    # The blocker, with its rule; recording the co-owner's consent clears it.
    blocker = page.locator("[data-testid=blocker][data-code=co_owner_consent_missing]")
    assert "李四" in blocker.inner_text() and "第十四条" in blocker.inner_text()
    page.locator("[data-testid=consent][data-name=李四] [data-testid=record-consent]").click()
    expect(page.locator("[data-testid=eligible]")).to_be_visible()
    page.locator("[data-testid=file]").click()
    expect(page.locator("[data-testid=status]")).to_have_attribute("data-status", "filed")
    page.fill("#id_announcement_number", "开放许可公告 2026-0001")
    page.locator("[data-testid=publish]").click()
    expect(page.locator("[data-testid=status]")).to_have_attribute("data-status", "published")
    decl = OpenLicenceDeclaration.objects.get(patent=setup["patent"])

    # Public, without login.
    anon = browser.new_context(locale="zh-CN", base_url=live_server.url).new_page()
    anon.goto("/licensing/public/?q=机器视觉")
    assert NUMBER in anon.locator("table").inner_text()

    # The SME finds it pushed, with the reason, sends notice and payment.
    sme = browser.new_context(locale="zh-CN", base_url=live_server.url).new_page()
    browser_login(sme, "ent_a")
    sme.goto("/licensing/")
    pushes = sme.locator("[data-testid=pushes]")
    assert "中小企业" in pushes.inner_text() and "机器视觉" in pushes.inner_text()
    pushes.get_by_role("link").first.click()
    sme.locator("[data-testid=send-notice]").click()
    assert "50,000.00" in sme.locator("[data-testid=initial-fee]").inner_text()
    sme.fill("#id_payment_date", dt.date.today().isoformat())
    sme.fill("#id_payment_reference", "ZF-0001")
    sme.locator("[data-testid=submit-notice]").click()
    sme.wait_for_url(re.compile(r"/licensing/licences/\d+/$"))
    assert sme.locator("[data-testid=formed-on]").inner_text() == dt.date.today().isoformat()
    # The payment is the licensee's declaration until the licensor confirms receipt (确认收款).
    expect(sme.locator("[data-testid=payment-awaiting]")).to_be_visible()
    assert sme.locator("[data-testid=total-paid]").inner_text().strip() == "0.00"
    licence = OpenLicence.objects.get(declaration=decl)
    assert licence.licensee == orgs["ent_a"]
    page.goto(f"/licensing/licences/{licence.pk}/")
    page.locator("[data-testid=confirm-payment]").click()
    expect(page.locator("[data-testid=balance]")).to_have_text("0.00")

    # The licence shows for the licensor too.
    page.goto("/licensing/licences/")
    expect(page.locator("table")).to_contain_text(orgs["ent_a"].name)

    # The center's annual report counts it.
    report = center_services.report_generate(actor=users["center_a"], center=setup["center"],
                                             year=dt.date.today().year)
    center = browser.new_context(locale="zh-CN", base_url=live_server.url).new_page()
    browser_login(center, "center_a")
    center.goto(f"/centers/reports/{report.pk}/")
    line = center.locator("tr[data-code=open_licences_formed]")
    assert "1" in line.inner_text() and "数据未接入" not in line.inner_text()
    assert "数据未接入" not in center.locator("tr[data-code=open_licence_declarations]").inner_text()
