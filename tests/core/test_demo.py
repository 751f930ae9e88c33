"""``ipoc demo``: every role's work is there, built through the services (audited), and a second run changes
nothing."""

from __future__ import annotations

import json

import pytest
from django.apps import apps
from django.core.management import call_command
from django.utils import timezone

from ipoc.core.demo import demo_steps

WORKFLOW_STEPS = ["organizations", "users", "centers", "center_reports"]


def _counts() -> dict[str, int]:
    return {m._meta.label: m.objects.count() for m in apps.get_models() if m.__module__.startswith("ipoc.")}


def test_every_app_registers_its_steps_in_order():
    names = [s.name for s in demo_steps()]
    assert names[:2] == ["organizations", "users"]
    for before, after in (("patents", "search"), ("search", "demands"), ("demands", "demand_flow"),
                          ("demand_flow", "matching"), ("matching", "events"), ("events", "deals"),
                          ("deals", "stock"), ("stock", "valuation"), ("centers", "center_reports"),
                          ("stock", "center_reports")):
        assert names.index(before) < names.index(after), (before, after)


@pytest.mark.django_db
def test_centers_demo_reaches_every_status_and_workflow_step_once(tmp_path, capsys):
    from ipoc.centers.models import (
        AnnualReport,
        ApplicationStatus,
        Center,
        CenterStatus,
        ExpertReview,
        RecognitionApplication,
    )
    from ipoc.core.models import AuditEntry, Notification, User

    call_command("demo", "--data", str(tmp_path), "--json", "--only", *WORKFLOW_STEPS)
    first = json.loads(capsys.readouterr().out)
    assert first["steps"]["centers"]["centers_created"] == 14
    counts = _counts()
    call_command("demo", "--data", str(tmp_path), "--json", "--only", *WORKFLOW_STEPS)
    second = json.loads(capsys.readouterr().out)
    assert second["steps"]["centers"] == {**first["steps"]["centers"], "centers_created": 0, "status_decisions": 0}
    assert _counts() == counts

    # every status of the registry, in several provinces
    assert set(Center.objects.values_list("status", flat=True)) == set(CenterStatus.values)
    assert len({c[:2] for c in Center.objects.values_list("region_code", flat=True)}) >= 6
    # every step of 认定: 申报, 推荐, 形式审查, 专家评审, 公示, 认定 (and 退回补正)
    statuses = set(RecognitionApplication.objects.values_list("status", flat=True))
    assert {ApplicationStatus.DRAFT, ApplicationStatus.SUBMITTED, ApplicationStatus.RECOMMENDED,
            ApplicationStatus.RETURNED, ApplicationStatus.EXPERT_REVIEW, ApplicationStatus.PUBLICITY,
            ApplicationStatus.RECOGNISED} <= statuses
    demo = Center.objects.get(organization__name="新一代信息技术产业知识产权运营中心（演示）")
    assert demo.status == CenterStatus.RECOGNISED
    recognised = demo.applications.get()
    assert recognised.certificate_no and recognised.decision.to_status == CenterStatus.RECOGNISED
    # a recognised national center carries the national name
    assert Center.objects.filter(name="国家现代种业产业知识产权运营中心", status=CenterStatus.RECOGNISED).exists()

    # each office has its own step to take
    office, office_js, expert = (User.objects.get(username=u) for u in ("office", "office_js", "expert"))
    waiting = RecognitionApplication.objects.filter(status=ApplicationStatus.RECOMMENDED)
    assert waiting.filter(deciding_office=office.organization).exists()
    assert waiting.filter(deciding_office=office_js.organization).exists()
    assert RecognitionApplication.objects.filter(status=ApplicationStatus.SUBMITTED,
                                                 recommending_office=office_js.organization).exists()
    publicity = RecognitionApplication.objects.filter(status=ApplicationStatus.PUBLICITY)
    assert publicity.filter(objections__resolved_at__isnull=True).exists()
    assert any(a.publicity_end < timezone.localdate() for a in publicity)  # a decision is due
    # the expert has a scoring sheet and an evaluation waiting, and scored others
    mine = ExpertReview.objects.filter(expert=expert)
    assert mine.filter(application__status=ApplicationStatus.EXPERT_REVIEW, submitted_at__isnull=True).exists()
    assert mine.filter(evaluation__status="draft", submitted_at__isnull=True).exists()
    assert mine.filter(submitted_at__isnull=False).exists()
    assert Notification.objects.filter(recipient=expert).exists()

    # reports and evaluations: accepted and graded, submitted and waiting, 限期整改 with its report
    assert demo.annual_reports.filter(status="accepted").exists() and demo.annual_reports.filter(status="draft")
    assert demo.evaluations.filter(status="final").exclude(grade="").exists()
    rectifying = Center.objects.get(status=CenterStatus.RECTIFYING)
    assert rectifying.management_actions.get(kind="rectification").reports.exists()
    for user in (office, office_js):  # each office has a report to review
        assert AnnualReport.objects.filter(status="submitted", center__managing_office=user.organization).exists()

    # built through the services: every center and application has its audit trail, with people as actors
    for model, ids in (("centers.center", Center.objects.values_list("pk", flat=True)),
                       ("centers.recognitionapplication", RecognitionApplication.objects.values_list("pk", flat=True))):
        audited = set(AuditEntry.objects.filter(content_type__app_label=model.split(".")[0],
                                                content_type__model=model.split(".")[1])
                      .values_list("object_id", flat=True))
        assert {str(i) for i in ids} <= audited
    assert AuditEntry.objects.filter(actor=office_js, action="transition").exists()


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_full_demo_fills_every_role_and_repeats_without_change(capsys, monkeypatch):
    """The whole demo on the real sample data (IPOC_SAMPLE_DATA), as scripts/up.sh runs it."""
    from django.conf import settings

    from ipoc.core.models import User
    from ipoc.deals.models import Deal, DealStage
    from ipoc.demands.models import Demand, DemandStatus
    from ipoc.events.models import Event
    from ipoc.matching.models import Listing, Match
    from ipoc.revitalization import selectors as stock_selectors
    from ipoc.revitalization.models import StockPatent, StockPush
    from ipoc.valuation.models import ValuationRun

    if not (settings.IPOC_SAMPLE_DATA / "cn" / "demands.csv").exists():
        pytest.skip("sample data not available")
    monkeypatch.setenv("IPOC_DEMO_IPC_MODEL", "0")
    monkeypatch.setenv("IPOC_DEMO_ENCODE", "0")
    call_command("demo", "--json")
    capsys.readouterr()
    counts = _counts()
    call_command("demo", "--json")
    assert json.loads(capsys.readouterr().out)["steps"]["demand_flow"] == {"demands_created": 0, "status_moves": 0}
    changed = {k: (v, _counts()[k]) for k, v in counts.items() if _counts()[k] != v}
    # a re-run records its imports and index rebuild (audit, jobs); no record of the demo is duplicated
    assert set(changed) <= {"core.AuditEntry", "core.Job"}, changed

    assert set(Demand.objects.values_list("status", flat=True)) == set(DemandStatus.values)
    enterprise = Demand.objects.filter(organization__name="华为技术有限公司")
    assert {"draft", "pending", "matching", "solved"} <= set(enterprise.values_list("status", flat=True))
    assert Match.objects.filter(status="confirmed", demand__in=enterprise).exists()
    assert Match.objects.filter(status="proposed").exists() and Match.objects.filter(status="rejected").exists()
    assert set(Deal.objects.values_list("stage", flat=True)) == set(DealStage.values)
    assert not Deal.objects.filter(stage__in=("signed", "performing", "completed"), amount__isnull=True).exists()
    today = timezone.localdate()
    assert Event.objects.filter(held_on__lt=today, outcomes__isnull=False).exists()
    assert Event.objects.filter(held_on__gt=today, status="published", registrations__isnull=False).exists()
    assert Listing.objects.count() >= 5
    office_js = User.objects.get(username="office_js")  # the Jiangsu office has stock patents in its area
    assert stock_selectors.stock_list(user=office_js).exists()
    university = StockPatent.objects.filter(institution__name="浙江大学")
    assert {"draft", "dept_review", "school_review", "stored"} <= set(university.values_list("stage", flat=True))
    assert university.filter(library="resource").exists() and university.filter(patent__publication_number="")
    assert StockPush.objects.filter(deals__isnull=False).exists() and StockPush.objects.filter(response="")
    assert ValuationRun.objects.filter(finished=True, scored_count__gt=0).count() >= 2
