"""Rules of the 认定 workflow and of 动态管理 that the lifecycle walk does not reach."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.core.management import call_command

from ipoc.centers import clock, services
from ipoc.centers.models import (
    ApplicationStatus,
    CenterStatus,
    Evaluation,
    ImmutableRecord,
    ManagementAction,
)
from ipoc.core.errors import ApplicationError, PermissionDenied
from ipoc.core.models import Notification
from tests.centers.conftest import decide

YEAR = dt.date.today().year
SHEET = {"conditions": 20, "collaboration": 15, "academia": 15, "transfer": 20, "industrialisation": 15,
         "services": 15}


def _application(center, user, **kw):
    app = services.application_create(actor=user, center=center, year=YEAR, summary="建设情况", achievements="成效",
                                      **kw)
    return services.application_submit(actor=user, application=app)


def _to_publicity(app, office, experts, sheet=SHEET):
    services.application_formal_review(actor=office, application=app, outcome="accept")
    for expert in experts:
        review = services.review_assign(actor=office, application=app, expert=expert)
        services.review_declare(actor=expert, review=review, conflict=False)
        services.review_submit(actor=expert, review=review, scores=sheet)
    return services.application_close_review(actor=office, application=app)


def test_without_a_lower_office_the_application_goes_straight_to_formal_review(users, center_a):
    # 甲 is provincial (江苏省局); no municipal office of 苏州 is on the platform
    app = _application(center_a, users["center_a"])
    assert app.recommending_office is None and app.status == ApplicationStatus.RECOMMENDED
    assert Notification.objects.filter(recipient=users["js_office"], kind="center_application").exists()
    assert app.conditions_snapshot["level"] == "provincial" and app.conditions_snapshot["conditions"]


def test_one_open_application_and_only_for_centers_still_building(users, center_a, center_b):
    _application(center_a, users["center_a"])
    with pytest.raises(ApplicationError, match="已有办理中的认定申请|只有“建设运行中”"):
        services.application_create(actor=users["center_a"], center=center_a, year=YEAR)
    decide(center_b, users["cnipa"], "applying", "recognised")
    with pytest.raises(ApplicationError, match="只有“建设运行中”或“复函支持”"):
        services.application_create(actor=users["center_b"], center=center_b, year=YEAR)


def test_withdrawal_returns_the_center_to_building(users, center_a):
    app = _application(center_a, users["center_a"])
    center_a.refresh_from_db()
    assert center_a.status == CenterStatus.APPLYING
    with pytest.raises(ApplicationError):
        services.application_withdraw(actor=users["center_a"], application=app, reason="")
    services.application_withdraw(actor=users["center_a"], application=app, reason="材料尚需完善")
    center_a.refresh_from_db()
    assert center_a.status == CenterStatus.BUILDING
    assert [d.to_status for d in center_a.decisions.all()] == ["applying", "building"]


def test_a_conflicted_expert_scores_nothing_and_too_few_scores_block_closing(users, center_a):
    app = _application(center_a, users["center_a"])
    services.application_formal_review(actor=users["js_office"], application=app, outcome="accept")
    r1 = services.review_assign(actor=users["js_office"], application=app, expert=users["expert"])
    r2 = services.review_assign(actor=users["js_office"], application=app, expert=users["expert2"])
    with pytest.raises(PermissionDenied):
        services.review_assign(actor=users["center_a"], application=app, expert=users["expert"])
    with pytest.raises(ApplicationError, match="请说明情况"):
        services.review_declare(actor=users["expert2"], review=r2, conflict=True)
    services.review_declare(actor=users["expert2"], review=r2, conflict=True, note="曾为建设主体提供咨询")
    with pytest.raises(ApplicationError, match="声明"):
        services.review_declare(actor=users["expert2"], review=r2, conflict=False)
    with pytest.raises(ApplicationError, match="回避"):
        services.review_submit(actor=users["expert2"], review=r2, scores=SHEET)
    services.review_declare(actor=users["expert"], review=r1, conflict=False)
    with pytest.raises(ApplicationError) as missing:
        services.review_submit(actor=users["expert"], review=r1, scores={**SHEET, "services": None})
    assert missing.value.field == "scores.services"
    services.review_submit(actor=users["expert"], review=r1, scores=SHEET)
    with pytest.raises(ApplicationError, match="已提交"):
        services.review_submit(actor=users["expert"], review=r1, scores=SHEET)
    with pytest.raises(ApplicationError, match="少于规定的 2 份"):
        services.application_close_review(actor=users["js_office"], application=app)


def test_a_low_score_is_not_recognised(users, center_a):
    app = _application(center_a, users["center_a"])
    low = {k: v // 2 for k, v in SHEET.items()}  # 10 + 7 + 7 + 10 + 7 + 7 = 48
    app = _to_publicity(app, users["js_office"], [users["expert"], users["expert2"]], low)
    assert app.status == ApplicationStatus.REJECTED and str(app.score) == "48.00"
    center_a.refresh_from_db()
    assert center_a.status == CenterStatus.BUILDING


def test_an_upheld_objection_bars_recognition(users, center_a, monkeypatch):
    app = _to_publicity(_application(center_a, users["center_a"]), users["js_office"],
                        [users["expert"], users["expert2"]])
    assert app.status == ApplicationStatus.PUBLICITY
    assert (app.publicity_end - app.publicity_start).days >= 5 and app.publicity_end.weekday() < 5
    objection = services.objection_create(actor=None, application=app, submitter_name="李四",
                                          submitter_contact="li@example.com", content="场地为临时租用")
    with pytest.raises(ApplicationError, match="实名"):
        services.objection_create(actor=None, application=app, submitter_name="", submitter_contact="x",
                                  content="y")
    monkeypatch.setattr(clock, "today", lambda: app.publicity_end + dt.timedelta(days=1))
    with pytest.raises(ApplicationError, match="公示期已于"):
        services.objection_create(actor=None, application=app, submitter_name="王五", submitter_contact="x",
                                  content="迟到的异议")
    services.objection_resolve(actor=users["js_office"], objection=objection, upheld=True,
                               resolution="经核实，场地不符合要求")
    with pytest.raises(ApplicationError, match="异议经核实成立"):
        services.application_decide(actor=users["js_office"], application=app, recognise=True, reason="x",
                                    document_ref="y")
    app = services.application_decide(actor=users["js_office"], application=app, recognise=False,
                                      reason="异议成立", document_ref="苏知函〔2026〕8号")
    center_a.refresh_from_db()
    assert app.status == ApplicationStatus.REJECTED and center_a.status == CenterStatus.BUILDING


def test_excellent_is_commended_and_final_evaluations_are_immutable(users, center_a):
    decide(center_a, users["js_office"], "applying", "recognised")
    evaluation = services.evaluation_create(actor=users["js_office"], center=center_a, year=YEAR)
    review = services.review_assign(actor=users["js_office"], evaluation=evaluation, expert=users["expert"])
    services.review_declare(actor=users["expert"], review=review, conflict=False)
    services.review_submit(actor=users["expert"], review=review, scores={"expert_overall": 100})
    # Everything but the expert indicator is 0 here, so 30 points at most: 不合格 — and no commendation.
    evaluation = services.evaluation_finalise(actor=users["js_office"], evaluation=evaluation)
    assert evaluation.grade == "fail" and float(evaluation.total) == 30.0
    with pytest.raises(ApplicationError, match="优秀"):
        services.center_commend(actor=users["js_office"], evaluation=evaluation, content="x", document_ref="y")
    evaluation.comment = "改写"
    with pytest.raises(ImmutableRecord):
        evaluation.save()
    with pytest.raises(ApplicationError, match="已定级"):
        services.evaluation_create(actor=users["js_office"], center=center_a, year=YEAR)
    # A correction is a new evaluation that references the old one; graded 优秀 it can be commended.
    correction = services.evaluation_create(actor=users["js_office"], center=center_a, year=YEAR,
                                            supersedes=evaluation)
    Evaluation.objects.filter(pk=correction.pk).update(status="final", grade="excellent", total=95)
    correction.refresh_from_db()
    action = services.center_commend(actor=users["js_office"], evaluation=correction, content="给予经费支持",
                                      document_ref="苏知发〔2026〕20号")
    with pytest.raises(ImmutableRecord):
        action.save()
    fix = services.management_action_correct(actor=users["js_office"], action=action, content="支持金额更正",
                                             document_ref="苏知发〔2026〕21号")
    assert fix.corrects_id == action.pk and ManagementAction.objects.count() == 2


def test_fraud_revokes_at_once_with_the_ground_quoted(users, center_b):
    decide(center_b, users["cnipa"], "applying", "recognised")
    with pytest.raises(PermissionDenied):
        services.center_revoke(actor=users["zj_office"], center=center_b, ground="fraud", content="x",
                               document_ref="y")
    action = services.center_revoke(actor=users["cnipa"], center=center_b, ground="fraud",
                                    content="申报材料弄虚作假", document_ref="国知办函〔2026〕30号")
    center_b.refresh_from_db()
    assert center_b.status == CenterStatus.REVOKED and action.ground == "fraud"
    assert "弄虚作假" in action.decision.reason and "取消" in action.decision.reason


def test_reminders_once_a_day_for_overdue_steps(users, center_a, monkeypatch):
    app = _application(center_a, users["center_a"])
    monkeypatch.setattr(clock, "today", lambda: app.due_on + dt.timedelta(days=1))
    first = services.reminders_send()
    again = services.reminders_send()
    assert first["items"] == 1 and first["notifications"] == 1 and again["notifications"] == 0
    note = Notification.objects.get(recipient=users["js_office"], kind="center_reminder")
    assert "已逾期" in note.title and note.url.endswith(f"/centers/applications/{app.pk}/")


def test_cli_report_evaluate_and_remind(users, center_a, center_b, capsys):
    decide(center_b, users["cnipa"], "applying", "recognised")
    call_command("centers", "report", "--all", "--year", str(YEAR), "--json")
    data = json.loads(capsys.readouterr().out)
    assert {r["center"] for r in data["results"]} == {center_a.name, "国家新材料产业知识产权运营中心"}
    assert all(r["lines"] for r in data["results"])
    call_command("centers", "evaluate", "--all", "--year", str(YEAR), "--json")
    data = json.loads(capsys.readouterr().out)
    assert [r["center"] for r in data["results"]] == ["国家新材料产业知识产权运营中心"]  # recognised only
    call_command("centers", "evaluate", "--all", "--year", str(YEAR), "--json")
    again = json.loads(capsys.readouterr().out)
    assert "进行中" in again["results"][0]["error"]["message"]
    call_command("centers", "remind", "--json")
    assert json.loads(capsys.readouterr().out)["items"] == 0


def test_dashboard_by_province_and_kpi_comparison(client, users, center_a, center_b):
    from ipoc.centers import kpi, selectors

    decide(center_b, users["cnipa"], "applying", "recognised")
    data = selectors.dashboard(user=users["cnipa"], kpi_year=YEAR)
    assert {(r["label"], r["count"]) for r in data["by_province"]} == {("江苏省", 1), ("浙江省", 1)}
    [row] = data["kpi"]["rows"]  # recognised centers only
    assert row["name"] == "国家新材料产业知识产权运营中心"
    solved = data["kpi"]["codes"].index(kpi.DEMANDS_SOLVED)
    assert row["values"][solved] == kpi.figure_line(kpi.DEMANDS_SOLVED, center_b, YEAR)["value"] == 0
    client.force_login(users["cnipa"])
    page = client.get(f"/centers/dashboard/?year={YEAR}").content.decode()
    assert 'id="kpi-comparison"' in page and "国家新材料产业知识产权运营中心" in page and "浙江省" in page


def test_an_office_sets_its_own_rules_for_the_centers_it_manages(api_client, users, center_a, center_b):
    from ipoc.centers import conditions

    js = api_client.as_user(users["js_office"])
    services.rule_override_set(actor=users["js_office"], office=users["js_office"].organization,
                               code="local_smes_served", value=3, reason="苏知发〔2026〕5号 江苏省认定办法")
    check_a = {c["code"]: c for c in conditions.check_basic_conditions(center_a, year=YEAR)["conditions"]}
    assert check_a["smes_served"]["threshold"] == 3
    check_b = {c["code"]: c for c in conditions.check_basic_conditions(center_b, level="provincial",
                                                                        year=YEAR)["conditions"]}
    assert check_b["smes_served"]["threshold"] == 1  # 乙 is managed by CNIPA: the platform default
    for code, value, match in (("local_smes_served", "三", "数字"), ("no_sub_centers", True, "不能由管理部门设置"),
                               ("grade_thresholds", {"excellent": 90}, "只包含"),
                               ("evaluation_indicators", [{"code": "x", "label": "x", "source": "kpi", "target": 1,
                                                           "weight": 1}], "没有这一平台指标")):
        with pytest.raises(ApplicationError, match=match):
            services.rule_override_set(actor=users["js_office"], office=users["js_office"].organization, code=code,
                                       value=value, reason="x")
    with pytest.raises(PermissionDenied):
        services.rule_override_set(actor=users["zj_office"], office=users["js_office"].organization,
                                   code="pass_score", value=60, reason="x")
    rows = {r["code"]: r for r in js.get("/centers/rules", office_id=users["js_office"].organization_id).json()}
    assert rows["local_smes_served"]["effective_value"] == 3 and rows["pass_score"]["effective_value"] == 70


def test_rule_page_sets_and_clears_an_office_value(client, users, center_a):
    client.force_login(users["js_office"])
    page = client.get("/centers/rules/").content.decode()
    assert 'action="/centers/rules/pass_score/"' in page and 'action="/centers/rules/no_sub_centers/"' not in page
    client.post("/centers/rules/pass_score/", {"value": "65", "reason": "江苏省认定办法"})
    from ipoc.centers import rules

    assert rules.PASS_SCORE.value_for(users["js_office"].organization) == 65
    assert rules.PASS_SCORE.value_for(users["cnipa"].organization) == 70
    client.post("/centers/rules/pass_score/", {"clear": "1"})
    assert rules.PASS_SCORE.value_for(users["js_office"].organization) == 70


def test_the_public_sees_applications_only_in_publicity_or_recognised(client, users, center_a):
    app = _application(center_a, users["center_a"])
    assert client.get(f"/centers/applications/{app.pk}/certificate.pdf").status_code == 404
    assert client.get(f"/api/v1/centers/applications/{app.pk}/certificate.pdf").status_code == 404
    assert client.get("/api/v1/centers/publicity").json() == []


# ---------------------------------------------------------------- regressions found in review


def test_every_office_lists_the_applications_it_may_see(api_client, users, center_a, center_b):
    a = _application(center_a, users["center_a"])
    b = _application(center_b, users["center_b"])
    ids = {name: {r["id"] for r in api_client.as_user(users[name]).get("/centers/applications").json()["items"]}
           for name in ("cnipa", "js_office", "zj_office", "center_a", "ent_b")}
    # 国家局 sees all; 江苏 its own 甲; 浙江 recommends 乙; each center its own; an enterprise nothing
    assert ids == {"cnipa": {a.pk, b.pk}, "js_office": {a.pk}, "zj_office": {b.pk}, "center_a": {a.pk},
                   "ent_b": set()}
    client = api_client.as_user(users["ent_b"])
    assert client.get(f"/centers/applications/{b.pk}").status_code == 404
    assert client.get(f"/centers/applications/{b.pk}/moves").status_code == 404


def test_the_public_and_other_users_read_only_the_publicity_notice(api_client, users, center_a):
    app = _to_publicity(_application(center_a, users["center_a"]), users["js_office"],
                        [users["expert"], users["expert2"]])
    assert api_client.as_user(users["ent_b"]).get(f"/centers/applications/{app.pk}").status_code == 404
    [notice] = api_client.as_user(users["ent_b"]).get("/centers/publicity").json()
    assert notice["id"] == app.pk and "summary" not in notice
    services.objection_create(actor=None, application=app, submitter_name="李四", submitter_contact="139",
                              content="场地为临时租用")
    as_center = api_client.as_user(users["center_a"]).get(f"/centers/applications/{app.pk}/objections").json()
    as_office = api_client.as_user(users["js_office"]).get(f"/centers/applications/{app.pk}/objections").json()
    assert as_center[0]["submitter_name"] == "" and as_center[0]["content"] == "场地为临时租用"
    assert as_office[0]["submitter_name"] == "李四"


def test_expert_scores_of_a_draft_evaluation_are_for_the_office_only(api_client, users, center_a):
    decide(center_a, users["js_office"], "applying", "recognised")
    ev = services.evaluation_create(actor=users["js_office"], center=center_a, year=YEAR)
    r1 = services.review_assign(actor=users["js_office"], evaluation=ev, expert=users["expert"])
    r2 = services.review_assign(actor=users["js_office"], evaluation=ev, expert=users["expert2"])
    services.review_declare(actor=users["expert2"], review=r2, conflict=False)
    services.review_submit(actor=users["expert2"], review=r2, scores={"expert_overall": 55})
    with pytest.raises(ApplicationError, match="两位小数"):
        services.review_declare(actor=users["expert"], review=r1, conflict=False)
        services.review_submit(actor=users["expert"], review=r1, scores={"expert_overall": "60.125"})

    def expert_row(name):
        data = api_client.as_user(users[name]).get(f"/centers/evaluations/{ev.pk}").json()
        return next(i for i in data["indicators"] if i["source"] == "expert")

    assert expert_row("js_office")["value"] == 55
    for name in ("center_a", "expert"):
        row = expert_row(name)
        assert row["value"] is None and row["records"] == [] and row["hidden"] is True


def test_corrections_rectification_and_rules_stay_consistent(users, center_a):
    decide(center_a, users["js_office"], "applying", "recognised")
    ev = services.evaluation_create(actor=users["js_office"], center=center_a, year=YEAR - 1)
    review = services.review_assign(actor=users["js_office"], evaluation=ev, expert=users["expert"])
    services.review_declare(actor=users["expert"], review=review, conflict=False)
    services.review_submit(actor=users["expert"], review=review, scores={"expert_overall": 10})
    ev = services.evaluation_finalise(actor=users["js_office"], evaluation=ev)
    assert ev.grade == "fail"
    with pytest.raises(ApplicationError, match="同一年度"):
        services.evaluation_create(actor=users["js_office"], center=center_a, year=YEAR, supersedes=ev)
    action = services.center_order_rectification(actor=users["js_office"], evaluation=ev, content="整改",
                                                 document_ref="苏知函1号")
    services.rectification_report_submit(actor=users["center_a"], action=action, content="已整改")
    services.rectification_follow_up(actor=users["js_office"], action=action, passed=True, content="合格",
                                     document_ref="苏知函2号")
    with pytest.raises(ApplicationError, match="已依据该评价作出过"):
        services.center_order_rectification(actor=users["js_office"], evaluation=ev, content="再次整改",
                                            document_ref="苏知函3号")
    office = users["js_office"].organization
    with pytest.raises(ApplicationError, match="不小于1的整数"):
        services.rule_override_set(actor=users["js_office"], office=office, code="min_expert_scores", value=0,
                                   reason="x")
    with pytest.raises(ApplicationError, match="优秀 > 良好 > 合格"):
        services.rule_override_set(actor=users["js_office"], office=office, code="grade_thresholds",
                                   value={"excellent": 60, "good": 75, "pass": 90}, reason="x")


def test_the_scoring_sheet_is_fixed_when_the_application_is_accepted(users, center_a):
    app = _application(center_a, users["center_a"])
    services.application_formal_review(actor=users["js_office"], application=app, outcome="accept")
    services.rule_override_set(actor=users["js_office"], office=users["js_office"].organization,
                               code="scoring_sheet", value=[{"code": "all", "label": "综合", "max": 100}],
                               reason="新办法")
    review = services.review_assign(actor=users["js_office"], application=app, expert=users["expert"])
    assert [c["code"] for c in services.scoring_sheet_for(review)] == list(SHEET)  # the default when accepted


def test_a_letter_supported_center_returns_to_its_legacy_status(users, orgs, hosts):
    legacy = services.center_create(
        actor=None, organization=orgs["center_a"], name="甲产业知识产权运营中心", host_organization=hosts["leader"],
        host_type="leading_enterprise", industry="纳米新材料", level="provincial", managing_office=orgs["js_office"],
        status="letter_supported")
    app = _application(legacy, users["center_a"])
    services.application_withdraw(actor=users["center_a"], application=app, reason="暂缓申请")
    legacy.refresh_from_db()
    assert legacy.status == CenterStatus.LETTER_SUPPORTED
