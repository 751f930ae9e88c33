"""The pools pages: each role sees what it may, forms go through the services, downloads, public pages."""

from __future__ import annotations

import datetime as dt
import io

from django.core.files.uploadedfile import SimpleUploadedFile

from ipoc.pools import selectors, services
from ipoc.pools.models import Pool

PASSWORD = "ipoc-test-2026"


def _login(client, user):
    client.force_login(user)
    return client


def _xlsx(rows):
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.append(["产品类别", "制造国", "销售国", "数量", "销售日期"])
    for r in rows:
        ws.append(list(r))
    buf = io.BytesIO()
    wb.save(buf)
    return SimpleUploadedFile("q4.xlsx", buf.getvalue(),
                              content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")


def test_center_creates_a_pool_through_the_form(client, users):
    c = _login(client, users["center_a"])
    r = c.post("/pools/new/", {"name": "储能电池专利池", "domain": "储能", "admin_fee_percent": "8",
                               "allocation_method": "points", "report_due_days": "30"})
    pool = Pool.objects.get(name="储能电池专利池")
    assert r.status_code == 302 and r["Location"] == f"/pools/{pool.pk}/"
    assert pool.administrator_id == users["center_a"].organization_id
    page = c.get(f"/pools/{pool.pk}/").content.decode()
    assert "储能电池专利池" in page and "尚无入池专利" in page
    r = c.post(f"/pools/{pool.pk}/standards/new/", {"code": "GB/T 36276", "name": "电力储能用锂离子电池",
                                                     "version": "2023", "sections": "5.1 安全要求\n5.2 循环寿命"})
    assert r.status_code == 302 and pool.standards.get().versions.get().sections.count() == 2
    r = c.post(f"/pools/{pool.pk}/edit/", {"name": "储能电池专利池", "admin_fee_percent": "8",
                                           "allocation_method": "points", "report_due_days": "30", "status": "active"})
    assert "至少需要两个许可人" in r.content.decode()
    assert _login(client, users["ent_a"]).get("/pools/new/").status_code == 403


def test_pages_by_role_and_public_pages(client, make_pool, users):
    built = make_pool()
    pool = built["pool"]
    report = services.report_submit(actor=users["ent_b"], agreement=built["agreement"], period="2025Q4", lines=[
        {"category": "TV", "country_made": "US", "country_sold": "US", "units": 10}])
    admin_page = _login(client, users["center_a"]).get(f"/pools/{pool.pk}/").content.decode()
    assert "冲突检查" in admin_page and "登记被许可人" in admin_page and "US9000003B2" in admin_page
    for path in (f"/pools/{pool.pk}/allocation/", f"/pools/{pool.pk}/simulator/?year=2025&years_ahead=3",
                 f"/pools/reports/{report.pk}/", f"/pools/{pool.pk}/programmes/{built['programme'].pk}/rates/new/",
                 f"/pools/{pool.pk}/agreements/new/", f"/pools/{pool.pk}/licensors/new/", "/pools/"):
        r = client.get(path)
        assert r.status_code == 200, path
    licensee = _login(client, users["ent_b"])
    page = licensee.get(f"/pools/reports/{report.pk}/").content.decode()
    assert "US 有效：US9000003B2 → 应付" in page and "登记付款" not in page
    pdf = licensee.get(f"/pools/reports/{report.pk}/statement.pdf")
    assert pdf.status_code == 200 and pdf.content[:4] == b"%PDF"
    xlsx = licensee.get(f"/pools/reports/{report.pk}/statement.xlsx")
    assert xlsx.status_code == 200 and xlsx.content[:2] == b"PK"
    assert licensee.get(f"/pools/{pool.pk}/allocation/").status_code == 403
    assert licensee.get(f"/pools/{pool.pk}/simulator/").status_code == 403
    other = _login(client, users["center_b"])
    assert other.get(f"/pools/reports/{report.pk}/").status_code == 404
    assert other.get(f"/pools/reports/{report.pk}/statement.pdf").status_code == 404
    assert other.get(f"/pools/{pool.pk}/edit/").status_code == 403
    client.logout()
    public = client.get(f"/pools/public/{pool.pk}/")
    body = public.content.decode()
    assert public.status_code == 200 and "杭州乙材料有限公司" in body and "浙江大学" in body
    assert "CN100000001B" in body and "已失效" in body and "2.00" in body
    assert client.get("/pools/public/").status_code == 200
    assert client.get(f"/pools/{pool.pk}/").status_code == 302  # the working page needs a login


def test_licensee_signs_and_uploads_a_report_with_row_errors_then_a_good_one(client, make_pool, users):
    built = make_pool(signed=None)
    ag = built["agreement"]
    c = _login(client, users["ent_b"])
    assert f"/pools/agreements/{ag.pk}/sign/" in c.get(f"/pools/{built['pool'].pk}/").content.decode()
    r = c.post(f"/pools/agreements/{ag.pk}/sign/", {"signed_on": "2025-02-01"})
    assert r.status_code == 302
    r = c.post(f"/pools/agreements/{ag.pk}/report/", {"period": "2025Q4", "file": _xlsx([
        ("电视机", "CN", "US", 100, "2025-11-01"), ("冰箱", "CN", "US", 5, None), ("TV", "China", "US", 5, None)])})
    page = r.content.decode()
    assert r.status_code == 200 and "2 行无法导入" in page and "未知的产品类别" in page and "两位字母" in page
    assert not ag.reports.exists()
    r = c.post(f"/pools/agreements/{ag.pk}/report/", {"period": "2025Q4", "file": _xlsx([
        ("电视机", "CN", "US", 100, "2025-11-01"), ("STB", "CN", "CN", 10, None)])})
    report = ag.reports.get()
    assert r.status_code == 302 and r["Location"] == f"/pools/reports/{report.pk}/"
    assert selectors.statement_current(report).total == 205
    assert _login(client, users["ent_a"]).post(f"/pools/agreements/{ag.pk}/report/", {}).status_code == 404


def test_evaluation_page_flow(client, make_pool, users, store):
    built = make_pool(listed=["cn_a"])
    listing = services.pool_patent_submit(actor=users["ent_a"], pool=built["pool"], licensor=built["lic_a"],
                                          patent=store["us_a"], sections=[built["sections"][0]])
    ev = listing.evaluations.get()
    url = f"/pools/evaluations/{ev.pk}/"
    admin = _login(client, users["center_a"])
    assert admin.post(url, {"step": "assign", "expert": users["expert"].pk}).status_code == 302
    assert admin.post(url, {"step": "assign", "expert": users["expert2"].pk}).status_code == 302
    for ex in ("expert", "expert2"):
        e = _login(client, users[ex])
        assert "利益冲突声明" in e.get(url).content.decode()
        assert e.post(url, {"step": "declare", "conflict": "none"}).status_code == 302
        sec = built["sections"][0].pk
        assert e.post(url, {"step": "chart", "claim_number": 1, "element": "运动矢量", "section": sec,
                            "reads_on": "on"}).status_code == 302
        assert e.post(url, {"step": "opinion", "opinion": "essential"}).status_code == 302
    assert _login(client, users["ent_b"]).get(url).status_code == 404
    admin = _login(client, users["center_a"])
    assert admin.post(url, {"step": "decide"}).status_code == 302
    listing.refresh_from_db()
    assert listing.status == "listed"


def test_allocation_page_and_licensor_statement(client, make_pool, users):
    built = make_pool()
    report = services.report_submit(actor=users["ent_b"], agreement=built["agreement"], period="2025Q1", lines=[
        {"category": "TV", "country_made": "CN", "country_sold": "CN", "units": 100, "sale_date": "2025-02-01"}])
    services.statement_mark_paid(actor=users["center_a"], statement=selectors.statement_current(report),
                                 paid_on=dt.date(2025, 5, 1))
    admin = _login(client, users["center_a"])
    assert admin.post(f"/pools/{built['pool'].pk}/allocation/?year=2025", {"year": "2025"}).status_code == 302
    univ = _login(client, users["univ"])
    page = univ.get(f"/pools/{built['pool'].pk}/allocation/?year=2025").content.decode()
    assert "浙江大学" in page and "苏州甲科技有限公司" not in page and "CN100000002B" in page
    pdf = univ.get(f"/pools/{built['pool'].pk}/allocation/{built['lic_u'].pk}.pdf?year=2025")
    assert pdf.status_code == 200 and pdf.content[:4] == b"%PDF"
    assert univ.get(f"/pools/{built['pool'].pk}/allocation/{built['lic_a'].pk}.pdf?year=2025").status_code == 404


def test_pool_list_counts_and_an_experts_empty_task_list(client, make_pool, users, django_assert_max_num_queries):
    built = make_pool()
    c = _login(client, users["center_a"])
    with django_assert_max_num_queries(25):
        page = c.get("/pools/").content.decode()
    assert built["pool"].name in page
    expert = _login(client, users["expert"]).get("/pools/").content.decode()
    assert "暂无必要性评估任务" in expert and built["pool"].name in expert  # an active pool is public
