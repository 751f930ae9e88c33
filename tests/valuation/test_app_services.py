"""The valuation app: features from patent rows, runs as jobs, reports that add up, tree versions."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from django.conf import settings

from ipoc.core.errors import ApplicationError, PermissionDenied
from ipoc.core.models import AuditEntry, Job, JobStatus
from ipoc.patents import services as patent_services
from ipoc.patents.models import Patent
from ipoc.valuation import engine, selectors, services
from ipoc.valuation.models import IndicatorTreeVersion, PatentValuation, ValuationRun

SAMPLE = Path(settings.IPOC_SAMPLE_DATA)
INCOPAT = SAMPLE / "cn" / "incopat_style_sample.csv"

CLAIMS = ("1.一种传感器，包括壳体、电路板和探头，其特征在于，所述探头设于壳体前端；所述电路板连接探头。\n"
          "2.根据权利要求1所述的传感器，其特征在于，还包括外壳。\n"
          "3.一种检测方法，使用权利要求1所述的传感器。")


def make_records(n: int = 12) -> list[dict]:
    """n complete patents (two IPC fields, varied counts); 'bare' with most inputs unknown; 'nodate' with
    neither filing date, type nor legal status."""
    rows = []
    for i in range(n):
        rows.append({
            "id": f"p{i:02d}", "source": "valtest", "title": f"一种传感器{i}", "abstract": "摘要",
            "patent_type": "发明" if i % 2 else "实用新型", "jurisdiction": "CN",
            "application_date": f"20{15 + i % 6}-03-0{1 + i % 8}", "grant_date": f"20{17 + i % 6}-05-01",
            "legal_status": "有效" if i % 5 else "失效", "claims": CLAIMS if i % 3 else CLAIMS[:60],
            "applicants": [{"name": f"苏州{i}科技有限公司", "type": "企业"}] if i % 4 else ["江南测试大学"],
            "ipc_main": "H04N5/225" if i % 2 else "G06F16/30",
            "ipc_all": ["H04N5/225", "G06F16/30"][: 1 + i % 2],
            "forward_citations": [f"CN1000{j}A" for j in range(i % 4)],
            "backward_citations": [f"CN2000{j}A" for j in range(i % 3)],
            "family_members": ["CN1", "US2", "EP3"][: 1 + i % 3],
            "transfer_count": i % 3, "licence_count": i % 2, "pledge_count": 0, "examination_days": 300 + i,
        })
    rows.append({"id": "bare", "source": "valtest", "title": "一种缺数据的装置", "patent_type": "发明",
                 "application_date": "2019-06-01", "legal_status": "有效"})
    rows.append({"id": "nodate", "source": "valtest", "title": "一种没有申请日和类型的装置"})
    return rows


def import_records(tmp_path: Path, rows: list[dict]) -> list[Patent]:
    path = tmp_path / "valtest.jsonl"
    path.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in rows), encoding="utf-8")
    batch = patent_services.patent_import(actor=None, path=path, format="jsonl")
    assert batch.rejected_count == 0, list(batch.rejections.values_list("field", "reason"))
    return list(Patent.objects.filter(source="valtest"))


@pytest.fixture
def patents(db, tmp_path):
    return import_records(tmp_path, make_records())


def test_features_frame_maps_codes_and_keeps_unknowns_null(patents):
    frame = services.features_frame(Patent.objects.filter(source="valtest"))
    assert set(frame.columns) == set(engine.INPUT_SCHEMA)
    rows = {Patent.objects.get(pk=int(r["id"])).external_id: r for r in frame.iter_rows(named=True)}
    p3 = rows["p03"]
    assert (p3["patent_type"], p3["legal_status"], p3["applicant_type"]) == ("发明", "有效", "企业")
    stored = Patent.objects.get(key="ext:valtest:p03")
    assert p3["claims_count"] == stored.claims_count > 0 and p3["ipc_subclass_count"] == 2 and p3["ipc_main_subclass"] == "H04N"
    assert p3["forward_citations"] == 3 and p3["family_size"] == 1 + 3 % 3 and p3["transfers"] == 0
    assert rows["p00"]["applicant_type"] == "高校" and rows["p00"]["legal_status"] == "失效"
    assert rows["p00"]["forward_citations"] == 0  # the source carries citations: a real zero
    bare = rows["bare"]
    for column in ("claims_count", "claim1_chars", "family_size", "ipc_subclass_count", "applicant_type",
                   "examination_days"):
        assert bare[column] is None, column


def test_run_persists_a_valuation_per_patent_as_an_audited_job(patents, users):
    run = services.valuation_run(actor=users["cnipa"], scenario="finance")
    assert run.finished and run.scored_count == len(patents) == PatentValuation.objects.filter(run=run).count()
    assert sum(run.grade_distribution.values()) == len(patents)
    job = Job.objects.get(pk=run.job_id)
    assert job.kind == "valuation.run" and job.status == JobStatus.SUCCEEDED
    assert job.result["scored"] == len(patents) and job.result["seconds"] >= 0
    audit = AuditEntry.objects.filter(content_type__model="valuationrun", object_id=str(run.pk))
    assert sorted(audit.values_list("action", "actor_name")) == [("create", "cnipa"), ("update", "cnipa")]
    # a second run makes the latest valuation the newer one
    run2 = services.valuation_run(actor=None, patents=patents[:3])
    assert selectors.valuation_latest(user=users["ent_a"], patent=patents[0]).run_id == run2.pk
    assert selectors.valuation_latest(user=users["ent_a"], patent=patents[5]).run_id == run.pk


def test_report_lists_every_leaf_and_contributions_sum_to_the_score(patents, users):
    services.valuation_run(actor=None)
    tree = engine.default_tree()
    for patent in patents:
        report = selectors.valuation_report(selectors.valuation_get(user=users["expert"], patent=patent))
        assert [i["id"] for i in report["indicators"]] == tree.leaves
        assert abs(sum(i["weight"] for i in report["indicators"]) - 1) < 1e-4
        if report["score"] is not None:
            assert abs(report["contribution_total"] - report["score"]) < 1e-3
        for i in report["indicators"]:
            assert i["missing"] == (i["contribution"] is None)


def test_missing_inputs_lower_confidence_and_are_listed(patents):
    services.valuation_run(actor=None)
    bare = Patent.objects.get(key="ext:valtest:bare")
    report = selectors.valuation_report(selectors.valuation_get(user=None, patent=bare))
    assert report["confidence"] < 1
    assert "legal.scope.claims_count" in report["missing"] and "economic.market.family_size" in report["missing"]
    claims = next(i for i in report["indicators"] if i["id"] == "legal.scope.claims_count")
    assert claims["missing"] and claims["raw"] is None and claims["contribution"] is None
    full = Patent.objects.get(key="ext:valtest:p05")
    assert selectors.valuation_latest(user=None, patent=full).confidence > report["confidence"]


@pytest.mark.skipif(not INCOPAT.exists(), reason="shared incoPat sample not present")
@pytest.mark.django_db
def test_run_over_the_incopat_sample_values_each_patent():
    patent_services.patent_import(actor=None, path=INCOPAT)
    run = services.valuation_run(actor=None)
    assert run.scored_count == Patent.objects.count() == 10
    assert set(PatentValuation.objects.filter(run=run).values_list("patent_id", flat=True)) == set(
        Patent.objects.values_list("pk", flat=True))
    for v in PatentValuation.objects.filter(run=run):
        assert 0 < v.confidence <= 1 and v.grade in {"A", "B", "C", "D"}
        # this export's zero citation/operation counts cannot be told from "not provided": missing, not zero
        assert "economic.operation.transfers" in v.missing
        # the export carries claim 1 only (主权项): claim counts are unknown, claim 1's length is known
        assert "legal.scope.claims_count" in v.missing and "legal.scope.claim1_chars" not in v.missing


@pytest.mark.django_db
def test_default_tree_is_stored_once_and_active():
    version = services.tree_active()
    assert version.digest == engine.default_tree().digest() and version.is_active
    assert services.tree_active().pk == version.pk == IndicatorTreeVersion.objects.get().pk


def test_tree_update_makes_a_new_active_version_used_by_the_next_run(patents, users):
    old = services.tree_active()
    data = engine.DEFAULT_TREE | {"version": "test-2"}
    data["nodes"] = [dict(n) for n in data["nodes"] if n["id"] != "legal.stability.examination_days"]
    new = services.tree_update(actor=users["admin"], tree_json=json.dumps(data, ensure_ascii=False), note="去掉审查时长")
    assert new.is_active and new.label == "test-2" and not IndicatorTreeVersion.objects.get(pk=old.pk).is_active
    assert services.tree_update(actor=users["admin"], tree_json=data).pk == new.pk  # unchanged: no new version
    run = services.valuation_run(actor=None)
    assert run.tree_version_id == new.pk
    report = selectors.valuation_report(selectors.valuation_get(user=None, patent=patents[1]))
    assert "legal.stability.examination_days" not in [i["id"] for i in report["indicators"]]
    assert AuditEntry.objects.filter(object_id=str(new.pk), action="update").exists()


def test_tree_update_with_a_bad_formula_is_refused_naming_the_node(users):
    data = json.loads(json.dumps(engine.DEFAULT_TREE))
    leaf = next(n for n in data["nodes"] if n["id"] == "legal.scope.claims_count")
    leaf["formula"] = "no_such_formula"
    with pytest.raises(ApplicationError) as err:
        services.tree_update(actor=users["admin"], tree_json=data)
    assert "legal.scope.claims_count" in err.value.message and "no_such_formula" in err.value.message
    assert err.value.field == "tree" and err.value.extra["nodes"] == ["legal.scope.claims_count"]
    with pytest.raises(ApplicationError) as err:
        services.tree_update(actor=users["admin"], tree_json="{not json")
    assert "JSON" in err.value.message
    assert IndicatorTreeVersion.objects.count() <= 1


def test_only_platform_admins_edit_the_tree_and_only_staff_start_runs(patents, users):
    with pytest.raises(PermissionDenied):
        services.tree_update(actor=users["cnipa"], tree_json=engine.DEFAULT_TREE)
    with pytest.raises(PermissionDenied):
        services.valuation_run_start(actor=users["ent_a"])
    with pytest.raises(ApplicationError) as err:
        services.valuation_run_start(actor=users["center_a"], scenario="nope")
    assert err.value.field == "scenario"
    assert ValuationRun.objects.count() == 0


def test_stored_explanations_match_the_engine_explanation(patents):
    as_of = dt.date(2025, 7, 1)
    services.valuation_run(actor=None, scenario="finance", as_of=as_of)
    result = engine.score(services.features_frame(Patent.objects.all()), engine.default_tree(), "finance",
                          as_of=as_of)
    for row in result.detail.iter_rows(named=True):
        full = engine.report.explain_row(result, row)
        valuation = PatentValuation.objects.select_related("run").get(patent_id=int(row["id"]))
        stored = selectors.indicator_values(valuation)
        for indicator in full["indicators"]:
            mine = stored[indicator["id"]]
            for key in ("raw", "percentile", "normalized", "contribution"):
                assert mine[key] == pytest.approx(indicator[key], abs=1e-6), (indicator["id"], key)
            assert mine["peer_group"] == indicator["peer_group"], indicator["id"]
