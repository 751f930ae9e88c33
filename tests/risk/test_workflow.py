"""The check from request to report and watch: market filter, chart grading, report and PDF, re-opening."""

import datetime as dt

import pytest

from ipoc.core.errors import ApplicationError, PermissionDenied
from ipoc.core.models import Notification
from ipoc.risk import selectors, services
from ipoc.risk.models import CheckStatus, RiskAlert
from tests.risk.conftest import FEATURES

CLAIMS = ("1. 一种混合动力车辆的预充电系统，其特征在于，包括：电池组通过预充电电阻连接到直流母线；"
          "控制器检测母线电压达到阈值后闭合主接触器；倒车时由电机驱动车辆。\n"
          "2. 根据权利要求1所述的系统，其特征在于，所述预充电电阻为陶瓷电阻。")


def family(import_jsonl):
    """One invention filed in the US in 2000 (expired) and in CN in 2015 (in force)."""
    prio = [{"country": "US", "number": "US09/000001", "date": "2000-01-05"}]
    return import_jsonl([
        {"id": "us-old", "source": "risktest", "jurisdiction": "US", "title": "Hybrid vehicle pre-charge system",
         "claims": CLAIMS, "application_date": "2000-01-05", "grant_date": "2003-01-07", "patent_type": "发明",
         "priority_claims": prio},
        {"id": "cn-alive", "source": "risktest", "jurisdiction": "CN", "title": "混合动力车辆的预充电系统",
         "claims": CLAIMS, "application_date": "2015-03-01", "grant_date": "2018-01-01", "legal_status": "有效",
         "patent_type": "发明", "priority_claims": prio},
    ])


def test_expired_in_us_alive_in_cn_excluded_for_us_kept_for_cn(db, users, orgs, import_jsonl):
    ids = family(import_jsonl)
    horizon = dt.date.today() + dt.timedelta(days=700)
    us_only = services.check_create(actor=users["ent_a"], center=orgs["center_a"], product_name="预充电控制器",
                                    features=["电池组"], markets=["US"], horizon_date=horizon)
    cn = services.check_create(actor=users["ent_a"], center=orgs["center_a"], product_name="预充电控制器",
                               features=["电池组"], markets=["CN"], horizon_date=horizon)
    staff = users["center_a"]
    for pid in ids.values():
        services.candidate_add(actor=staff, check=us_only, patent_id=pid)
        services.candidate_add(actor=staff, check=cn, patent_id=pid)
    us_view = selectors.candidates_view(us_only)
    assert us_view["kept_count"] == 0
    reasons = {c.patent_id: c.markets["US"]["reason"] for c in us_view["excluded"]}
    assert "届满" in reasons[ids["us-old"]] and "不在目标市场" in reasons[ids["cn-alive"]]
    cn_view = selectors.candidates_view(cn)
    kept = [c.patent_id for fam in cn_view["families"] for c in fam]
    assert kept == [ids["cn-alive"]]
    assert {c.family_key for c in cn.candidates.all()} == {"US09/000001"}  # one family


def test_chart_with_one_absent_element_grades_low_and_report_publishes(db, users, check, import_jsonl):
    ids = family(import_jsonl)
    staff = users["center_a"]
    cand = services.candidate_add(actor=staff, check=check, patent_id=ids["cn-alive"])
    elements = list(cand.elements.filter(claim_number=1))
    assert len(elements) >= 3 and all(e.claim_number == 1 for e in elements)  # claim 2 is dependent: not charted
    cand.refresh_from_db()
    assert cand.risk == "high"  # the product has every feature
    services.element_confirm(actor=staff, element=elements[-1], mapping="absent", note="产品不具备该特征")
    cand.refresh_from_db()
    check.refresh_from_db()
    assert cand.risk == "low" and check.risk == "low"
    with pytest.raises(PermissionDenied):
        services.element_confirm(actor=users["ent_a"], element=elements[0], mapping="literal")
    services.check_run(actor=staff, check=check)  # no index: logged rounds, nothing new; confirmed chart kept
    assert check.rounds.count() >= 3
    report = services.report_publish(actor=staff, check=check)
    check.refresh_from_db()
    assert check.status == CheckStatus.FINISHED and report.version == 1
    assert any(c["market"] == "CN" for c in report.content["conclusions"])
    assert "不构成法律意见" in report.content["disclaimer"]
    pdf = services.report_pdf(report)
    assert pdf.startswith(b"%PDF") and len(pdf) > 2000
    assert Notification.objects.filter(recipient=users["ent_a"], url__contains=f"/risk/{check.pk}/report").exists()


def test_report_refused_while_high_risk_elements_unconfirmed(db, users, check, import_jsonl):
    ids = family(import_jsonl)
    services.candidate_add(actor=users["center_a"], check=check, patent_id=ids["cn-alive"])
    with pytest.raises(ApplicationError) as err:
        services.report_publish(actor=users["center_a"], check=check)
    assert err.value.field == "check"


def test_new_relevant_patent_reopens_finished_check_and_notifies_requester(db, users, check, import_jsonl):
    staff = users["center_a"]
    check.status = CheckStatus.FINISHED
    check.save()
    import_jsonl([{"id": "unrelated", "source": "risktest", "jurisdiction": "CN", "title": "一种茶叶揉捻机",
                   "claims": "1. 一种茶叶揉捻机，包括揉桶和压盖。", "legal_status": "有效",
                   "application_date": "2020-01-01", "patent_type": "实用新型"}])
    check.refresh_from_db()
    assert check.status == CheckStatus.FINISHED
    ids = import_jsonl([{"id": "new-one", "source": "risktest", "jurisdiction": "CN", "title": "混合动力车预充电控制器",
                         "claims": CLAIMS, "legal_status": "审中", "application_date": "2025-06-01",
                         "patent_type": "发明"}])
    check.refresh_from_db()
    assert check.status == CheckStatus.REOPENED
    alert = RiskAlert.objects.get(check_obj=check)
    assert alert.kind == "new_patent" and alert.patent_id == ids["new-one"]
    assert Notification.objects.filter(recipient=users["ent_a"], title__contains="重新打开").exists()
    assert Notification.objects.filter(recipient=staff, title__contains="重新打开").exists()
    assert check.candidates.get(patent_id=ids["new-one"]).origin == "watch"


def test_litigation_entry_naming_the_product_class_reopens(db, users, orgs, check):
    check.status = CheckStatus.FINISHED
    check.save()
    services.litigation_case_create(actor=users["center_a"], case_number="337-TA-1400", kind="itc337",
                                    parties="某外国公司, 某中国公司", products="混合动力车预充电控制器")
    check.refresh_from_db()
    assert check.status == CheckStatus.REOPENED
    with pytest.raises(PermissionDenied):
        services.litigation_case_create(actor=users["ent_a"], case_number="X", parties="A")


def test_other_organisations_cannot_see_a_check(db, users, check):
    with pytest.raises(ApplicationError):
        selectors.check_get(user=users["ent_b"], pk=check.pk)
    assert selectors.check_get(user=users["center_a"], pk=check.pk) == check
    with pytest.raises(PermissionDenied):
        services.check_run(actor=users["center_b"], check=check)


def test_exposure_when_two_members_hit_one_patent(db, users, orgs, import_jsonl):
    ids = family(import_jsonl)
    horizon = dt.date.today() + dt.timedelta(days=700)
    for who in ("ent_a", "ent_b"):
        c = services.check_create(actor=users[who], center=orgs["center_a"], product_name="预充电控制器",
                                  features=FEATURES, markets=["CN"], horizon_date=horizon)
        services.candidate_add(actor=users["center_a"], check=c, patent_id=ids["cn-alive"])
    rows = selectors.exposure(user=users["center_a"], center_id=orgs["center_a"].pk)
    assert [r["patent"]["id"] for r in rows] == [ids["cn-alive"]] and rows[0]["members"] == 2
    alert = services.exposure_alert(actor=users["center_a"], patent_id=ids["cn-alive"])
    assert alert.kind == "exposure"
    assert Notification.objects.filter(recipient=users["ent_b"], title="行业知识产权风险提示").exists()
    assert selectors.exposure(user=users["ent_a"]) == []  # a member sees only its own check


def test_features_prefilled_from_an_industrialization_product(db, users, orgs):
    from ipoc.industrialization import services as ind_services

    product = ind_services.product_create(actor=users["ent_a"], name="预充电控制器", category="汽车电子",
                                          features="电池组通过预充电电阻连接到直流母线\n控制器闭合主接触器")
    c = services.check_create(actor=users["ent_a"], center=orgs["center_a"], product_name="预充电控制器",
                              features=[], markets=["CN"], horizon_date=dt.date.today() + dt.timedelta(days=90),
                              product_id=product.pk)
    assert c.features == ["电池组通过预充电电阻连接到直流母线", "控制器闭合主接触器"]
    assert selectors.checks_for_product(product.pk)[0]["id"] == c.pk
    other = ind_services.product_create(actor=users["ent_b"], name="别家产品", category="汽车电子")
    with pytest.raises(ApplicationError) as err:
        services.check_create(actor=users["ent_a"], center=orgs["center_a"], product_name="x", features=["a"],
                              markets=["CN"], horizon_date=dt.date.today() + dt.timedelta(days=90),
                              product_id=other.pk)
    assert err.value.field == "product"


def test_kpi_providers_name_their_records(db, users, orgs, check, import_jsonl):
    from types import SimpleNamespace

    from ipoc.centers import kpi
    from ipoc.risk import kpi as risk_kpi

    assert kpi.KPI_PROVIDERS[kpi.RISK_CHECKS].fn is risk_kpi.risk_checks
    ids = family(import_jsonl)
    staff = users["center_a"]
    cand = services.candidate_add(actor=staff, check=check, patent_id=ids["cn-alive"])
    services.chart_confirm_all(actor=staff, candidate=cand)
    report = services.report_publish(actor=staff, check=check)
    center = SimpleNamespace(organization_id=orgs["center_a"].pk)
    year = dt.date.today().year
    assert risk_kpi.risk_checks(center, year).record_refs == [("risk.riskcheck", check.pk)]
    assert risk_kpi.risk_reports(center, year).value == 1
    assert risk_kpi.risk_reports(center, year).record_refs == [("risk.riskreport", report.pk)]
    assert risk_kpi.risk_alerts(center, year).value == 0
    other = SimpleNamespace(organization_id=orgs["center_b"].pk)
    assert risk_kpi.risk_reports(other, year).value == 0


def test_pending_application_granted_reopens_the_check(db, users, check, import_jsonl):
    record = {"id": "cn-pending", "source": "risktest", "jurisdiction": "CN", "title": "混合动力车辆的预充电系统",
              "claims": CLAIMS, "application_date": "2024-03-01", "legal_status": "审中", "patent_type": "发明"}
    ids = import_jsonl([record])
    staff = users["center_a"]
    cand = services.candidate_add(actor=staff, check=check, patent_id=ids["cn-pending"])
    assert cand.markets["CN"]["state"] == "pending"
    services.chart_confirm_all(actor=staff, candidate=cand)
    services.report_publish(actor=staff, check=check)
    import_jsonl([record | {"legal_status": "有效", "grant_date": "2026-06-01"}])
    check.refresh_from_db()
    assert check.status == CheckStatus.REOPENED
    assert RiskAlert.objects.get(check_obj=check).kind == "granted"


def test_a_large_change_set_is_watched_by_a_job_of_its_own_in_parts(db, users, check, import_jsonl, monkeypatch):
    """Issue 21: an import of millions is not read inside the import's finish: above WATCH_INLINE_MAX the
    watch is a ``risk.watch`` job, in parts of WATCH_CHUNK, each committed with its resume point."""
    from ipoc.core.models import Job, JobStatus
    from ipoc.risk.services import watch

    monkeypatch.setattr(watch, "WATCH_INLINE_MAX", 2)
    monkeypatch.setattr(watch, "WATCH_CHUNK", 2)
    check.status = CheckStatus.FINISHED
    check.save()
    tea = [{"id": f"tea-{n}", "source": "risktest", "jurisdiction": "CN", "title": f"一种茶叶揉捻机 {n}",
            "claims": "1. 一种茶叶揉捻机，包括揉桶和压盖。", "legal_status": "有效",
            "application_date": "2020-01-01", "patent_type": "实用新型"} for n in range(4)]
    relevant = {"id": "late-one", "source": "risktest", "jurisdiction": "CN", "title": "混合动力车预充电控制器",
                "claims": CLAIMS, "legal_status": "审中", "application_date": "2025-06-01", "patent_type": "发明"}
    ids = import_jsonl([*tea, relevant])  # the relevant patent is in the last part
    job = Job.objects.get(kind=services.WATCH_KIND)
    assert job.status == JobStatus.SUCCEEDED and job.params["count"] == 5 and len(job.params["runs"]) == 1
    assert job.result == {"patents": 5, "reopened": 1} and job.checkpoint == {"done": 5, "reopened": 1}
    check.refresh_from_db()
    assert check.status == CheckStatus.REOPENED
    assert RiskAlert.objects.get(check_obj=check).patent_id == ids["late-one"]


def test_id_runs_round_trip():
    ids = [9, 3, 4, 5, 5, 12, 10, 11, 40]
    assert services.id_runs(ids) == [[3, 5], [9, 12], [40, 40]]
    assert services.ids_of_runs(services.id_runs(ids)) == sorted(set(ids))
