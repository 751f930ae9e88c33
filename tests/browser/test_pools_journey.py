"""重点领域专利池 in the browser (issue 17):

a center creates a pool (standard, two licensors, programme and rate card, a licensee) through its pages; the two
licensors each add a patent; two evaluators declare no conflict, fill the claim chart and find the first patent
essential, and the center decides (the second patent's evaluation goes through the services, as the first showed
the pages); the licensee signs and uploads a quarterly report; the statement with its reasons appears for the
licensee (PDF download), the center records the payment and runs the allocation, each licensor sees its share;
the public page (no login) lists licensors, licensee and patents with their status."""

from __future__ import annotations

import datetime as dt

import pytest

from ipoc.patents.models import Patent, PatentParty
from ipoc.pools import services
from ipoc.pools.models import Pool
from tests.conftest import browser_login, pick

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _patent(number, org, country):
    p = Patent.objects.create(key=number, publication_number=number, title=f"视频编码方法 {number}",
                              jurisdiction=country, patent_type="invention", legal_status="valid",
                              application_date=dt.date(2016, 1, 1), grant_date=dt.date(2018, 1, 1),
                              expiry_date=dt.date(2035, 12, 31))
    PatentParty.objects.create(patent=p, role="applicant", name=org.name, organization=org)
    return p


def _as(page, username: str) -> None:
    page.context.clear_cookies()
    browser_login(page, username)


def _submit(page) -> None:
    page.locator("[data-testid=pool-form] button[type=submit]").click()
    page.wait_for_load_state()


def _xlsx(path) -> None:
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.append(["产品类别", "制造国", "销售国", "数量", "销售日期"])
    ws.append(["TV", "CN", "CN", 1000, "2025-11-10"])
    ws.append(["TV", "US", "US", 300, "2025-12-01"])
    ws.append(["TV", "VN", "VN", 50, None])
    wb.save(path)


def test_pool_journey(page, live_server, users, orgs, tmp_path):
    cn = _patent("CN110000001B", orgs["ent_a"], "CN")
    us = _patent("US10900002B2", orgs["univ"], "US")

    # 1. the center creates the pool and sets it up through its pages
    _as(page, "center_a")
    page.goto("/pools/new/")
    page.fill("#id_name", "超高清视频专利池")
    page.fill("#id_domain", "视频编码")
    page.fill("#id_admin_fee_percent", "10")
    _submit(page)
    pool = Pool.objects.get(name="超高清视频专利池")
    assert page.url.endswith(f"/pools/{pool.pk}/")
    page.goto(f"/pools/{pool.pk}/standards/new/")
    page.fill("#id_code", "AVS3-P2")
    page.fill("#id_name", "智能媒体编码 视频")
    page.fill("#id_version", "2021")
    page.fill("#id_sections", "9.5 仿射运动补偿\n10.2 熵编码")
    _submit(page)
    for query, name in (("甲科技", "苏州甲科技有限公司"), ("浙江大学", "浙江大学")):
        page.goto(f"/pools/{pool.pk}/licensors/new/")
        pick(page, "id_organization", query, name)
        _submit(page)
    page.goto(f"/pools/{pool.pk}/programmes/new/")
    page.fill("#id_name", "终端许可计划")
    page.fill("#id_categories", "TV 电视机")
    _submit(page)
    programme = pool.programmes.get()
    page.goto(f"/pools/{pool.pk}/programmes/{programme.pk}/rates/new/")
    page.fill("#id_version", "2025版")
    page.fill("#id_effective_from", "2025-01-01")
    page.fill("#id_rate_TV", "2")
    _submit(page)
    page.goto(f"/pools/{pool.pk}/agreements/new/")
    pick(page, "id_licensee", "乙材料", "杭州乙材料有限公司")
    page.fill("#id_countries", "CN,US")
    _submit(page)
    assert "等待被许可人签约" in page.locator(".alert").first.inner_text()

    # 2. each licensor adds its patent
    for user, number in (("ent_a", cn.publication_number), ("univ", us.publication_number)):
        _as(page, user)
        page.goto(f"/pools/{pool.pk}/patents/new/")
        pick(page, "id_patent", number, number)
        page.locator("input[name=sections]").first.check()
        _submit(page)
        assert "等待必要性评估" in page.locator(".alert").first.inner_text()

    # 3. the center assigns two evaluators; each declares no conflict, fills the chart, finds it essential
    cn_ev = pool.patents.get(patent=cn).evaluations.get()
    _as(page, "center_a")
    page.goto(f"/pools/evaluations/{cn_ev.pk}/")
    for query, name in (("expert", "expert"), ("expert2", "expert2")):
        pick(page, "id_expert", query, name)
        page.locator("[data-testid=assign]").click()
        page.wait_for_load_state()
    for expert in ("expert", "expert2"):
        _as(page, expert)
        page.goto("/pools/")
        page.locator("[data-testid=my-evaluations] a").first.click()
        page.locator("[data-testid=declare] input[value=none]").check()
        page.locator("[data-testid=declare] button[type=submit]").click()
        page.fill("#id_element", "仿射控制点运动矢量推导")
        page.locator("[data-testid=add-chart-row]").click()
        page.select_option("#id_opinion", "essential")
        page.locator("[data-testid=opinion] button[type=submit]").click()
        assert "评估意见已提交" in page.locator(".alert").first.inner_text()
    _as(page, "center_a")
    page.goto(f"/pools/evaluations/{cn_ev.pk}/")
    page.locator("[data-testid=decide]").click()
    assert page.locator("[data-testid=decision]").inner_text() == "必要"
    us_ev = pool.patents.get(patent=us).evaluations.get()
    for ex in (users["expert"], users["expert2"]):
        a = services.evaluator_assign(actor=users["center_a"], evaluation=us_ev, expert=ex)
        services.evaluator_declare(actor=ex, assignment=a, conflict=False)
        services.claim_chart_add(actor=ex, assignment=a, element="熵编码", section=us_ev.version.sections.first())
        services.evaluator_opinion(actor=ex, assignment=a, opinion="essential")
    services.evaluation_decide(actor=users["center_a"], evaluation=us_ev)
    page.goto(f"/pools/{pool.pk}/edit/")
    page.select_option("#id_status", "active")
    _submit(page)

    # 4. the licensee signs and uploads its quarterly report
    _as(page, "ent_b")
    page.goto(f"/pools/{pool.pk}/")
    page.locator("[data-testid=sign]").click()
    page.fill("#id_signed_on", "2025-01-20")
    _submit(page)
    page.locator("[data-testid=upload-report]").click()
    page.fill("#id_period", "2025Q4")
    xlsx = tmp_path / "2025Q4.xlsx"
    _xlsx(xlsx)
    page.set_input_files("#id_file", str(xlsx))
    _submit(page)
    assert page.locator("[data-testid=statement-total]").inner_text() == "2,600.00 元"
    reasons = page.locator("[data-testid=reason]").all_inner_texts()
    assert any(r.startswith("CN 有效：CN110000001B → 应付") for r in reasons)
    assert any(r.startswith("VN 无入池专利 → 不计费") for r in reasons)
    with page.expect_download() as download:
        page.locator("[data-testid=statement-pdf]").click()
    assert download.value.suggested_filename.endswith(".pdf")
    report_url = page.url

    # 5. the center records the payment and runs the allocation; each licensor sees its share
    _as(page, "center_a")
    page.goto(report_url)
    page.fill("#id_paid_on", "2025-12-28")
    page.locator("[data-testid=mark-paid]").click()
    page.goto(f"/pools/{pool.pk}/allocation/?year=2025")
    page.locator("[data-testid=run-allocation]").click()
    assert page.locator("[data-testid=distributable]").inner_text() == "2,340.00 元"
    for user, amount in (("ent_a", "1,800.00 元"), ("univ", "540.00 元")):
        _as(page, user)
        page.goto(f"/pools/{pool.pk}/allocation/?year=2025")
        shares = page.locator("[data-testid=share]")
        assert shares.count() == 1 and shares.locator("[data-testid=share-amount]").inner_text() == amount

    # 6. the public page, without login
    page.context.clear_cookies()
    page.goto(f"/pools/public/{pool.pk}/")
    assert page.locator("[data-testid=public-pool-name]").inner_text() == "超高清视频专利池"
    assert "浙江大学" in page.locator("[data-testid=public-licensors]").inner_text()
    assert "杭州乙材料有限公司" in page.locator("[data-testid=public-licensees]").inner_text()
    patents = page.locator("[data-testid=pool-patents]").inner_text()
    assert "CN110000001B" in patents and "US10900002B2" in patents and "有效" in patents
