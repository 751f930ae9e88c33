"""创新联合体 in the browser: a center creates a consortium led by a large enterprise, adds an SME and a university
as members, starts a joint project and records the patent it produced (picked by search), records a 大手拉小手
service — and its annual report shows the four consortium figures, each opening its records."""

from __future__ import annotations

import datetime as dt

import pytest

from ipoc.centers import services as center_services
from ipoc.core import services as core_services
from ipoc.core.models import OrganizationKind
from ipoc.patents.models import Patent, PatentParty
from tests.conftest import browser_login, pick

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _alert(page) -> str:
    return page.locator(".page-body .alert").first.inner_text()


@pytest.fixture
def cast(users, orgs):
    big = core_services.organization_create(actor=None, name="苏州龙头电子集团有限公司", kind=OrganizationKind.ENTERPRISE,
                                            is_sme=False, region_code="320505")
    center_services.center_create(
        actor=None, organization=orgs["center_a"], name="甲产业知识产权运营中心", host_organization=big,
        host_type="leading_enterprise", industry="纳米电子", level="provincial", managing_office=orgs["js_office"])
    today = dt.date.today()
    patent = Patent.objects.create(key="CN399000001A", publication_number="CN399000001A", title="一种纳米传感芯片封装结构",
                                   application_date=today.replace(month=1, day=2) if today > today.replace(month=1, day=2)
                                   else today)
    PatentParty.objects.create(patent=patent, role="applicant", name=big.name, organization=big)
    return {"big": big, "patent": patent}


def test_center_builds_a_consortium_and_the_report_counts_it(page, live_server, users, orgs, cast):
    today = dt.date.today()
    start = today.replace(month=1, day=1).isoformat()
    browser_login(page, "center_a")
    page.goto("/alliances/")
    page.click("[data-testid=consortium-create]")
    page.fill("#id_name", "纳米电子产业知识产权创新联合体")
    page.fill("#id_industry", "纳米电子")
    pick(page, "id_lead", "龙头电子", "苏州龙头电子集团有限公司")
    page.select_option("#id_status", "active")
    page.fill("#id_established_on", start)
    page.click("[data-testid=consortium-form] button[type=submit]")
    assert "创新联合体已组建" in _alert(page)
    detail = page.url.split("?")[0]

    for name, query, role in (("苏州甲科技有限公司", "甲科技", "sme"), ("浙江大学", "浙江大学", "university")):
        page.goto(detail + "?tab=members")
        page.click("[data-testid=member-add]")
        pick(page, "id_organization", query, name)
        page.select_option("#id_role", role)
        page.fill("#id_joined_on", start)
        page.click("[data-testid=member-form] button[type=submit]")
        assert "已加入成员" in _alert(page)
    # a role that does not fit the organisation is refused under its field
    page.click("[data-testid=member-add]")
    pick(page, "id_organization", "乙材料", "杭州乙材料有限公司")
    page.select_option("#id_role", "university")
    page.click("[data-testid=member-form] button[type=submit]")
    assert "与单位类型不符" in page.locator("[data-testid=member-form]").inner_text()
    page.goto(detail + "?tab=members")
    members = page.locator("[data-testid=tab-members]").inner_text()
    assert "龙头企业" in members and "中小企业" in members and "浙江大学" in members

    page.click("[data-testid=tabs] [data-tab=projects]")
    page.click("[data-testid=project-add]")
    page.fill("#id_title", "纳米传感芯片联合攻关")
    pick(page, "id_leader", "龙头电子", "苏州龙头电子集团有限公司")
    pick(page, "id_participants", "浙江大学", "浙江大学")
    page.fill("#id_budget", "2000000")
    page.select_option("#id_status", "ongoing")
    page.fill("#id_start_date", start)
    page.click("[data-testid=project-form] button[type=submit]")
    assert "已立项" in _alert(page)
    assert "200 万元" in page.locator("[data-testid=budget]").inner_text()
    pick(page, "id_jp_patent", "CN399000001", "CN399000001A")
    page.click("[data-testid=joint-patent-form] button[type=submit]")
    assert "已登记联合创造专利" in _alert(page)
    assert "CN399000001A" in page.locator("[data-testid=joint-patents]").inner_text()

    page.goto(detail + "?tab=sme")
    page.click("[data-testid=sme-add]")
    pick(page, "id_provider", "龙头电子", "苏州龙头电子集团有限公司")
    pick(page, "id_sme", "甲科技", "苏州甲科技有限公司")
    page.select_option("#id_kind", "technical")
    page.fill("#id_served_on", today.isoformat())
    page.fill("#id_content", "纳米传感芯片封装工艺技术帮扶")
    page.click("[data-testid=sme-service-form] button[type=submit]")
    assert "服务记录已登记" in _alert(page)
    assert "已服务中小企业 1 家" in page.locator("[data-testid=smes-served]").inner_text()

    page.goto("/centers/reports/")
    page.fill("#gen-year", str(today.year))
    page.click("#generate-form button[type=submit]")
    figures = {code: page.locator(f"tr[data-code={code}] .figure").inner_text()
               for code in ("consortium_members", "consortium_joint_projects", "consortium_joint_patents",
                            "consortium_smes_served")}
    assert figures == {"consortium_members": "3", "consortium_joint_projects": "1", "consortium_joint_patents": "1",
                       "consortium_smes_served": "1"}
    page.click("tr[data-code=consortium_smes_served] a.figure")
    assert "苏州甲科技有限公司" in page.locator(".page-body").inner_text()
