"""A national center's whole life through the API: registration → application → local recommendation → formal
review (returned once) → two expert scores → publicity with one objection → recognition (name, certificate) →
an annual report built from real demand and stock-patent records → an evaluation graded 不合格 → rectification
→ revocation; each step refused for the wrong role, and the public list following along."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

import pytest
from pypdf import PdfReader

from ipoc.centers import clock, kpi
from ipoc.centers.models import Center, RecognitionApplication
from ipoc.deals import services as deal_services
from ipoc.demands import services as demand_services
from ipoc.revitalization import services as stock_services
from ipoc.revitalization.models import Recommendation, StockDeal, StockPatent, StockPush
from ipoc.search.testing import search_index  # noqa: F401
from tests.revitalization.conftest import SAMPLE_ROWS, cast, needs_sample, patents  # noqa: F401

pytestmark = [needs_sample, pytest.mark.django_db]
YEAR = dt.date.today().year


def _refused(response, status=None):
    """A refusal: 403, or 404 where the user may not even see the record; ``status`` pins one."""
    assert response.status_code in ((status,) if status else (403, 404)), response.content
    return response.json()["error"]


@pytest.fixture
def records(cast, orgs, users):  # noqa: F811
    """Real records of center 乙 for YEAR: two stock patents of the institute it serves pushed, one converted;
    two SME demands it handles, one solved."""
    request = stock_services.service_link_create(actor=users["center_b"], center=orgs["center_b"],
                                                 institution=cast["institute"])
    stock_services.service_request_decide(actor=cast["filer"], request=request, accept=True)
    for number, _pub, dept in SAMPLE_ROWS[:3]:
        stock_services.stock_select(actor=cast["filer"], institution=cast["institute"], numbers=[number],
                                    department=dept, intentions=["assignment"])
    stocks = list(StockPatent.objects.filter(institution=cast["institute"]).order_by("pk"))
    for stock in stocks[:2]:
        stock_services.stock_submit(actor=cast["filer"], stock=stock)
        stock_services.stock_review(actor=cast["dept"], stock=stock, approve=True)
        stock_services.stock_review(actor=cast["school"], stock=stock, approve=True)
    stock_services.stock_grade(actor=cast["filer"], institution=cast["institute"])
    StockPatent.objects.filter(pk__in=[s.pk for s in stocks[:2]]).update(recommendation=Recommendation.KEY)
    pushes = []
    for stock in stocks[:2]:
        stock.refresh_from_db()
        stock = stock_services.stock_screen(actor=users["center_b"], stock=stock)
        pushes.append(stock_services.push_create(actor=users["center_b"], stock=stock, enterprise=orgs["ent_b"]))
    stock_services.push_respond(actor=users["ent_b"], push=pushes[0], response="interested")
    stock_services.deal_record(actor=users["center_b"], push=pushes[0], mode="license",
                               signed_on=dt.date(YEAR, 1, 1), amount=Decimal("300000"))
    d1 = demand_services.demand_create(actor=None, title="新材料耐磨涂层技术", organization=orgs["ent_b"],
                                       center=orgs["center_b"], status="published")
    d2 = demand_services.demand_create(actor=None, title="石墨烯导热材料", organization=orgs["ent_a"],
                                       center=orgs["center_b"], status="published")
    demand_services.demand_transition(actor=None, demand=d1, to_status="matching")
    demand_services.demand_transition(actor=None, demand=d1, to_status="solved")
    demand_services.demand_transition(actor=None, demand=d2, to_status="matching")
    deal = deal_services.deal_create(actor=users["center_b"], title="耐磨涂层专利许可", deal_type="license",
                                     sellers=[cast["institute"]], buyers=[orgs["ent_b"]], demand=d1,
                                     amount=Decimal("1234567.89"), intention_date=dt.date(YEAR, 1, 1))
    for stage in ("negotiation", "signed"):
        deal = deal_services.deal_transition(actor=users["center_b"], deal=deal, to_stage=stage,
                                             on=dt.date(YEAR, 1, 2) if stage == "signed" else None)
    return {"stocks": stocks, "pushes": pushes, "demands": (d1, d2), "deal": deal}


def test_national_center_lifecycle_through_the_api(api_client, users, orgs, center_b, records, monkeypatch):
    api = {name: api_client.as_user(users[name]) for name in
           ("center_a", "center_b", "cnipa", "zj_office", "js_office", "expert", "expert2", "ent_b")}
    cid = center_b.pk
    public = lambda: {c["name"] for c in api["ent_b"].get("/centers/public").json()["items"]}  # noqa: E731
    assert public() == set()

    # 中心申报 — only the center's own staff
    _refused(api["center_a"].post("/centers/applications", {"center_id": cid, "year": YEAR}))  # not even visible to another center
    _refused(api["cnipa"].post("/centers/applications", {"center_id": cid, "year": YEAR}))
    r = api["center_b"].post("/centers/applications", {"year": YEAR, "summary": "已建成工作机构，配备专职人员"})
    assert r.status_code == 201, r.content
    app = r.json()
    aid = app["id"]
    assert app["status"] == "draft" and app["recommending_office_id"] == orgs["zj_office"].pk
    err = _refused(api["center_b"].post(f"/centers/applications/{aid}/submit"), 400)
    assert err["field"] == "achievements"
    api["center_b"].patch(f"/centers/applications/{aid}", {"achievements": "盘活高校存量专利，服务中小企业"})
    _refused(api["zj_office"].post(f"/centers/applications/{aid}/submit"))
    app = api["center_b"].post(f"/centers/applications/{aid}/submit").json()
    assert app["status"] == "submitted" and app["due_on"]
    assert Center.objects.get(pk=cid).status == "applying"
    snap = {c["code"]: c for top in app["conditions_snapshot"]["conditions"] for c in (top, *top["any_of"])}
    deal = records["deal"]
    # every 工作成效 figure of the check reconciles exactly with the records
    assert Decimal(str(snap["annual_deal_amount"]["figure"])) == Decimal("123.456789")  # 万元, not rounded
    assert snap["annual_deal_amount"]["records"] == [{"model": "deals.deal", "id": deal.pk}]
    assert snap["cumulative_projects"]["figure"] == 1
    assert snap["cumulative_projects"]["records"] == [{"model": "deals.deal", "id": deal.pk}]
    assert snap["stock_patents_revitalized"]["figure"] == 1
    assert {(r["model"], r["id"]) for r in snap["stock_patents_revitalized"]["records"]} == {
        ("revitalization.stockpatent", records["stocks"][0].pk)} | {
        ("revitalization.stockdeal", d.pk) for d in StockDeal.objects.all()}
    d1, d2 = records["demands"]
    assert snap["demands_solved"]["figure"] == 1
    assert snap["demands_solved"]["records"] == [{"model": "demands.demand", "id": d1.pk}]
    assert snap["smes_served"]["figure"] == 2
    assert snap["transfer_and_industrialisation"]["verdict"] == "not_met"  # 123.46 万元 < 500, 1 < 10

    # 地方审核推荐 — the provincial office covering 杭州, not another province's nor the deciding office
    for who in ("js_office", "cnipa", "center_b"):
        _refused(api[who].post(f"/centers/applications/{aid}/recommend", {"recommend": True, "opinion": "同意"}))
    app = api["zj_office"].post(f"/centers/applications/{aid}/recommend",
                                {"recommend": True, "opinion": "材料齐全，同意推荐"}).json()
    assert app["status"] == "recommended"

    # 形式审查 — returned once for correction, then accepted
    _refused(api["zj_office"].post(f"/centers/applications/{aid}/formal-review", {"outcome": "accept"}))
    assert _refused(api["cnipa"].post(f"/centers/applications/{aid}/formal-review", {"outcome": "return"}),
                    400)["field"] == "reason"
    app = api["cnipa"].post(f"/centers/applications/{aid}/formal-review",
                            {"outcome": "return", "reason": "缺少经费证明"}).json()
    assert app["status"] == "returned"
    api["center_b"].patch(f"/centers/applications/{aid}", {"plan": "补充经费预算"})
    app = api["center_b"].post(f"/centers/applications/{aid}/resubmit", {"note": "已补充经费证明"}).json()
    assert app["status"] == "recommended"
    app = api["cnipa"].post(f"/centers/applications/{aid}/formal-review", {"outcome": "accept"}).json()
    assert app["status"] == "expert_review"

    # 专家评审 — the office assigns; each expert declares, then scores their own sheet only
    _refused(api["center_b"].post(f"/centers/applications/{aid}/reviews", {"expert_id": users["expert"].pk}))
    r1 = api["cnipa"].post(f"/centers/applications/{aid}/reviews", {"expert_id": users["expert"].pk}).json()
    r2 = api["cnipa"].post(f"/centers/applications/{aid}/reviews", {"expert_id": users["expert2"].pk}).json()
    sheet = {"conditions": 18, "collaboration": 12, "academia": 13, "transfer": 16, "industrialisation": 11,
             "services": 12}  # 82
    assert _refused(api["expert"].post(f"/centers/reviews/{r1['id']}/scores", {"scores": sheet}),
                    400)["field"] == "declaration"
    _refused(api["expert2"].post(f"/centers/reviews/{r1['id']}/declare", {"conflict": False}), 404)
    api["expert"].post(f"/centers/reviews/{r1['id']}/declare", {"conflict": False})
    assert _refused(api["expert"].post(f"/centers/reviews/{r1['id']}/scores",
                                       {"scores": {**sheet, "transfer": 25}}), 400)["field"] == "scores.transfer"
    assert api["expert"].post(f"/centers/reviews/{r1['id']}/scores", {"scores": sheet}).json()["total"] == 82
    api["expert2"].post(f"/centers/reviews/{r2['id']}/declare", {"conflict": False})
    api["expert2"].post(f"/centers/reviews/{r2['id']}/scores", {"scores": {**sheet, "services": 7}})  # 77
    assert len(api["expert"].get(f"/centers/applications/{aid}/reviews").json()) == 1
    _refused(api["center_b"].post(f"/centers/applications/{aid}/close-review"))
    app = api["cnipa"].post(f"/centers/applications/{aid}/close-review").json()
    assert app["status"] == "publicity" and app["score"] == 79.5
    assert [p["id"] for p in api["ent_b"].get("/centers/publicity").json()] == [aid]

    # 公示 — an objection from anyone; the decision waits for the period and the objection
    from django.test import Client

    anon = Client()
    assert f"/centers/publicity/{aid}/object/" in anon.get("/centers/publicity/").content.decode()
    form = anon.get(f"/centers/publicity/{aid}/object/")
    assert form.status_code == 200 and 'name="submitter_name"' in form.content.decode()
    r = anon.post(f"/api/v1/centers/publicity/{aid}/objections",
                  {"submitter_name": "张三", "submitter_contact": "13800000000", "content": "经费证明存疑"},
                  content_type="application/json")
    assert r.status_code == 201, r.content
    oid = r.json()["id"]
    decide = {"recognise": True, "reason": "评审通过、公示无异议", "document_ref": "国知发运函〔2026〕1号"}
    assert "公示期" in _refused(api["cnipa"].post(f"/centers/applications/{aid}/decide", decide), 400)["message"]
    end = dt.date.fromisoformat(app["publicity_end"])
    monkeypatch.setattr(clock, "today", lambda: end + dt.timedelta(days=1))
    assert _refused(api["cnipa"].post(f"/centers/applications/{aid}/decide", decide), 400)["field"] == "objections"
    _refused(api["center_b"].post(f"/centers/objections/{oid}/resolve", {"upheld": False, "resolution": "x"}))
    api["cnipa"].post(f"/centers/objections/{oid}/resolve", {"upheld": False, "resolution": "经核实，经费已到位"})
    _refused(api["zj_office"].post(f"/centers/applications/{aid}/decide", decide))
    app = api["cnipa"].post(f"/centers/applications/{aid}/decide", decide).json()
    assert app["status"] == "recognised" and app["certificate_no"]
    center = Center.objects.get(pk=cid)
    assert center.status == "recognised" and center.name == "国家新材料产业知识产权运营中心"
    assert public() == {"国家新材料产业知识产权运营中心"}
    pdf = anon.get(f"/api/v1/centers/applications/{aid}/certificate.pdf")
    assert pdf["Content-Type"] == "application/pdf"
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf.content)).pages).replace("\x00", "")
    assert "国家新材料产业知识产权运营中心" in text and app["certificate_no"] in text

    # 年度工作报告 — from the records; every figure reconciles with them
    _refused(api["cnipa"].post("/centers/reports", {"center_id": cid, "year": YEAR}))
    report = api["center_b"].post("/centers/reports", {"year": YEAR}).json()
    lines = {ln["code"]: ln for ln in report["lines"]}
    stocks, pushes, (d1, d2) = records["stocks"], records["pushes"], records["demands"]
    expect = {
        kpi.STOCK_INSTITUTIONS_SERVED: (1, {("core.organization", stocks[0].institution_id)}),
        kpi.STOCK_PATENTS_INVENTORIED: (3, {("revitalization.stockpatent", s.pk) for s in stocks}),
        kpi.STOCK_PATENTS_PUSHED: (2, {("revitalization.stockpush", p.pk) for p in pushes}),
        kpi.STOCK_PATENTS_REVITALIZED: (1, {("revitalization.stockpatent", stocks[0].pk)} | {
            ("revitalization.stockdeal", d.pk) for d in StockDeal.objects.all()}),
        kpi.DEMANDS_MATCHED: (2, {("demands.demand", d1.pk), ("demands.demand", d2.pk)}),
        kpi.DEMANDS_SOLVED: (1, {("demands.demand", d1.pk)}),
        kpi.CONVERSION_PROJECTS: (1, {("deals.deal", records["deal"].pk)}),
        kpi.CUMULATIVE_PROJECTS: (1, {("deals.deal", records["deal"].pk)}),
    }
    for code, (value, refs) in expect.items():
        assert lines[code]["value"] == value, code
        assert {(r["model"], r["id"]) for r in lines[code]["records"]} == refs, code
    assert StockPush.objects.filter(center=orgs["center_b"]).count() == 2
    assert Decimal(lines[kpi.ANNUAL_DEAL_AMOUNT]["value"]) == Decimal("123.456789")
    # The center runs no patent pool: the pools app reports zero from no records, not 数据未接入.
    assert lines[kpi.POOL_PATENTS]["missing"] is False and lines[kpi.POOL_PATENTS]["value"] == 0
    assert lines[kpi.POOL_PATENTS]["records"] == []
    rows = api["center_b"].get(f"/centers/reports/{report['id']}/records/{kpi.DEMANDS_SOLVED}").json()
    assert [(r["id"], r["visible"]) for r in rows] == [(d1.pk, True)]
    api["center_b"].patch(f"/centers/reports/{report['id']}", {"narrative": {"academia": "服务1家科研院所"}})
    _refused(api["zj_office"].post(f"/centers/reports/{report['id']}/submit"))
    api["center_b"].post(f"/centers/reports/{report['id']}/submit")
    _refused(api["center_b"].post(f"/centers/reports/{report['id']}/review", {"accept": True}))
    report = api["cnipa"].post(f"/centers/reports/{report['id']}/review", {"accept": True}).json()
    assert report["status"] == "accepted" and report["narrative"]["academia"] == "服务1家科研院所"

    # 定期评价 → 不合格 (the figures are far below the targets; experts give 20)
    _refused(api["center_b"].post("/centers/evaluations", {"center_id": cid, "year": YEAR}))
    ev = api["cnipa"].post("/centers/evaluations", {"center_id": cid, "year": YEAR}).json()
    assert ev["report_id"] == report["id"]
    rv = api["cnipa"].post(f"/centers/evaluations/{ev['id']}/reviews", {"expert_id": users["expert"].pk}).json()
    assert _refused(api["cnipa"].post(f"/centers/evaluations/{ev['id']}/finalise"), 400)["field"] == "reviews"
    api["expert"].post(f"/centers/reviews/{rv['id']}/declare", {"conflict": False})
    api["expert"].post(f"/centers/reviews/{rv['id']}/scores", {"scores": {"expert_overall": 20}})
    ev = api["cnipa"].post(f"/centers/evaluations/{ev['id']}/finalise", {"comment": "成效不足"}).json()
    ind = {i["code"]: i for i in ev["indicators"]}
    # stock 1/10 → 10 × 15; demands solved 1/10 → 10 × 10; SMEs (苏州甲, 杭州乙) 2/20 → 10 × 10; expert 20 × 30;
    # amount 123.456789/500 → 24.6913578 × 20; projects 1/10 → 10 × 15
    assert ind["stock_patents_revitalized"]["from"] == "report" and ind["stock_patents_revitalized"]["score"] == 10
    assert ind["smes_served"]["value"] == 2 == lines[kpi.SMES_SERVED]["value"]
    assert {(r["model"], r["id"]) for r in ind["smes_served"]["records"] if r["model"] == "core.organization"} == {
        ("core.organization", orgs["ent_a"].pk), ("core.organization", orgs["ent_b"].pk)}
    assert ind["annual_deal_amount"]["value"] == pytest.approx(123.456789) and ind["expert_overall"]["value"] == 20
    assert ind["annual_deal_amount"]["score"] == 24.69 and ind["cumulative_projects"]["score"] == 10
    assert ev["total"] == pytest.approx(sum(i["contribution"] for i in ev["indicators"]), abs=0.011)
    assert ev["total"] == pytest.approx((24.6913578 * 20 + 10 * 15 + 10 * 15 + 10 * 10 + 10 * 10 + 20 * 30) / 100,
                                        abs=0.011)
    assert ev["grade"] == "fail"
    _refused(api["cnipa"].post(f"/centers/evaluations/{ev['id']}/commendation",
                               {"content": "x", "document_ref": "y"}), 400)

    # 动态管理: 限期整改 → 整改报告 → 复查不合格 → 取消资格; the public list drops the center
    _refused(api["center_b"].post(f"/centers/evaluations/{ev['id']}/rectification",
                                  {"content": "提升转化成效", "document_ref": "整改通知"}))
    action = api["cnipa"].post(f"/centers/evaluations/{ev['id']}/rectification",
                               {"content": "三个月内提升转化成效", "document_ref": "国知办函〔2026〕9号"}).json()
    assert action["kind"] == "rectification" and Center.objects.get(pk=cid).status == "rectifying"
    assert public() == {"国家新材料产业知识产权运营中心"}
    _refused(api["cnipa"].post(f"/centers/management/{action['id']}/reports", {"content": "x"}))
    api["center_b"].post(f"/centers/management/{action['id']}/reports", {"content": "已新增两项许可"})
    follow = {"passed": False, "content": "复查仍不合格", "document_ref": "国知办函〔2026〕12号"}
    _refused(api["center_b"].post(f"/centers/management/{action['id']}/follow-up", follow))
    done = api["cnipa"].post(f"/centers/management/{action['id']}/follow-up", follow).json()
    assert done["kind"] == "follow_up_failed" and done["ground"] == "failed_rectification"
    center = Center.objects.get(pk=cid)
    assert center.status == "revoked" and center.name == "乙产业知识产权运营中心"
    assert public() == set()
    kinds = [m["kind"] for m in api["cnipa"].get(f"/centers/{cid}/management").json()]
    assert kinds == ["rectification", "follow_up_failed"]
    assert RecognitionApplication.objects.get(pk=aid).status == "recognised"  # history stays as it was
