"""基础条件 check: figures reconcile with the demand records and name their ids; missing data is shown honestly."""

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.utils import timezone

from ipoc.centers import conditions, kpi, services
from ipoc.core import services as core_services
from ipoc.core.models import OrganizationKind
from ipoc.demands import services as demand_services
from ipoc.demands.models import DemandStatusChange

YEAR = timezone.localdate().year


@pytest.fixture
def unconnected(monkeypatch):
    """The figures whose source apps are not connected (whatever other apps have registered meanwhile)."""
    for code in (kpi.ANNUAL_DEAL_AMOUNT, kpi.CUMULATIVE_PROJECTS, kpi.STOCK_PATENTS_REVITALIZED):
        monkeypatch.delitem(kpi.KPI_PROVIDERS, code, raising=False)


@pytest.fixture
def demand_records(orgs, center_a):
    """Demands around center 甲: what counts for YEAR and what must not."""
    big = core_services.organization_create(actor=None, name="苏州大型制造有限公司", kind=OrganizationKind.ENTERPRISE,
                                            is_sme=False, region_code="320505")

    def mk(title, org, center, status="published"):
        return demand_services.demand_create(actor=None, title=title, organization=org, center=center, status=status)

    d = {
        "sme_a_solved": mk("纳米涂层耐磨技术", orgs["ent_a"], orgs["center_a"]),
        "sme_a_second": mk("纳米粉体分散", orgs["ent_a"], orgs["center_a"]),
        "sme_b_matching": mk("石墨烯导热膜", orgs["ent_b"], orgs["center_a"]),
        "big_solved": mk("大型设备降噪", big, orgs["center_a"]),
        "univ": mk("高校专利转化", orgs["univ"], orgs["center_a"]),
        "other_center": mk("别的中心的需求", orgs["ent_b"], orgs["center_b"]),
        "draft": mk("草稿需求", orgs["ent_b"], orgs["center_a"], status="draft"),
        "last_year": mk("去年的需求", orgs["ent_b"], orgs["center_a"]),
    }
    t = demand_services.demand_transition
    t(actor=None, demand=d["sme_a_solved"], to_status="solved")
    t(actor=None, demand=d["sme_b_matching"], to_status="matching")
    t(actor=None, demand=d["big_solved"], to_status="solved")
    t(actor=None, demand=d["other_center"], to_status="solved")
    t(actor=None, demand=d["last_year"], to_status="solved")
    DemandStatusChange.objects.filter(demand=d["last_year"]).update(at=timezone.now().replace(year=YEAR - 1))
    return d


def _by_code(data):
    out = {}
    for c in data["conditions"]:
        out[c["code"]] = c
        for child in c["any_of"]:
            out[child["code"]] = child
    return out


def test_demand_figures_reconcile_with_the_records(orgs, center_a, demand_records):
    d = demand_records
    conds = _by_code(conditions.check_basic_conditions(center_a, year=YEAR))

    smes = conds["smes_served"]
    assert smes["figure"] == 2 and smes["verdict"] == "met" and smes["unit"] == "家"
    assert {r["id"] for r in smes["records"] if r["model"] == "core.organization"} == {orgs["ent_a"].pk,
                                                                                        orgs["ent_b"].pk}
    assert sorted(r["id"] for r in smes["records"] if r["model"] == "demands.demand") == sorted(
        [d["sme_a_solved"].pk, d["sme_a_second"].pk, d["sme_b_matching"].pk])

    solved = conds["demands_solved"]
    assert solved["figure"] == 2
    assert sorted(r["id"] for r in solved["records"]) == sorted([d["sme_a_solved"].pk, d["big_solved"].pk])
    assert all(r["model"] == "demands.demand" for r in solved["records"])

    last_year = _by_code(conditions.check_basic_conditions(center_a, year=YEAR - 1))
    assert last_year["demands_solved"]["records"] == [{"model": "demands.demand", "id": d["last_year"].pk}]
    assert last_year["smes_served"]["figure"] == 1


def test_national_check_reports_missing_deal_data_honestly(center_a, demand_records, unconnected):
    data = conditions.check_basic_conditions(center_a, level="national", year=YEAR)
    conds = _by_code(data)
    group = conds["transfer_and_industrialisation"]
    assert group["verdict"] == "missing" and [c["code"] for c in group["any_of"]] == [
        kpi.ANNUAL_DEAL_AMOUNT, kpi.CUMULATIVE_PROJECTS]
    for code, threshold in ((kpi.ANNUAL_DEAL_AMOUNT, 500), (kpi.CUMULATIVE_PROJECTS, 10)):
        c = conds[code]
        assert c["figure"] is None and c["verdict"] == "missing" and "数据未接入" in c["note"]
        assert c["threshold"] == threshold and c["to_confirm"] is True and c["records"] == []
    assert conds[kpi.STOCK_PATENTS_REVITALIZED]["verdict"] == "missing"
    assert conds["host_type"]["verdict"] == "met"  # 行业龙头企业 may host a national center
    assert data["verdict"] == "missing"


def test_a_registered_provider_is_used_and_can_meet_the_any_of(center_a, unconnected, monkeypatch):
    monkeypatch.setitem(kpi.KPI_PROVIDERS, kpi.CUMULATIVE_PROJECTS, kpi.KpiProvider(
        kpi.CUMULATIVE_PROJECTS, "测试", lambda c, y: kpi.KpiFigure(12, "个", [("deals.project", 7)])))
    conds = _by_code(conditions.check_basic_conditions(center_a, level="national", year=YEAR))
    assert conds[kpi.CUMULATIVE_PROJECTS]["verdict"] == "met"
    assert conds["transfer_and_industrialisation"]["verdict"] == "met"
    assert conds["transfer_and_industrialisation"]["records"] == [{"model": "deals.project", "id": 7}]


def test_thresholds_are_configuration(settings, center_a, demand_records):
    settings.IPOC_CENTER_RULES = {"local_smes_served": 3}
    c = _by_code(conditions.check_basic_conditions(center_a, year=YEAR))["smes_served"]
    assert (c["figure"], c["threshold"], c["verdict"]) == (2, 3, "not_met")


def test_host_type_and_declared_conditions(users, center_a):
    center_a.host_type = "other"
    center_a.save()
    staff = users["center_a"]
    with_file = services.center_evidence_add(actor=staff, center=center_a, kind="premises", description="办公场地 800㎡",
                                             file=SimpleUploadedFile("租赁合同.pdf", b"%PDF"))
    services.center_evidence_add(actor=staff, center=center_a, kind="funding", description="年度经费 200 万元")
    with pytest.raises(Exception, match="无权"):
        services.center_evidence_add(actor=users["center_b"], center=center_a, kind="funding", description="x")
    conds = _by_code(conditions.check_basic_conditions(center_a, level="national", year=YEAR))
    assert conds["host_type"]["verdict"] == "not_met"
    assert conds["host_type"]["records"] == [{"model": "core.organization", "id": center_a.host_organization_id}]
    assert conds["support_premises"]["verdict"] == "met"
    assert conds["support_premises"]["records"] == [{"model": "centers.centerevidence", "id": with_file.pk}]
    assert conds["support_funding"]["verdict"] == "missing" and "未附" in conds["support_funding"]["note"]
    assert conds["support_work_unit"]["verdict"] == "missing" and conds["support_work_unit"]["note"] == "未申报"
    # the same host type passes the local rule set
    assert _by_code(conditions.check_basic_conditions(center_a, year=YEAR))["host_type"]["verdict"] == "met"


def test_cli_check_json(center_a, demand_records, capsys, unconnected):
    call_command("centers", "check", "甲产业知识产权运营中心", "--level", "国家级", "--year", str(YEAR), "--json")
    data = json.loads(capsys.readouterr().out)
    assert data["level"] == "national" and data["year"] == YEAR and data["verdict"] == "missing"
    conds = _by_code(data)
    assert conds["demands_solved"]["figure"] == 2 and conds["demands_solved"]["threshold"] == 1
    assert conds["demands_solved"]["verdict"] == "met"
    assert {r["id"] for r in conds["demands_solved"]["records"]} == {demand_records["sme_a_solved"].pk,
                                                                      demand_records["big_solved"].pk}
    assert conds[kpi.ANNUAL_DEAL_AMOUNT]["verdict"] == "missing"
    for c in conds.values():
        assert {"figure", "threshold", "verdict", "records", "source"} <= c.keys()


def test_cli_check_text_and_errors(center_a, demand_records, capsys, unconnected):
    call_command("centers", "check", "甲产业知识产权运营中心", "--year", str(YEAR))
    out = capsys.readouterr().out
    assert "按省级条件" in out and "数据未接入" not in out and f"demands.demand#{demand_records['big_solved'].pk}" in out
    call_command("centers", "check", "甲产业知识产权运营中心", "--level", "国家级", "--year", str(YEAR))
    assert "数据未接入" in capsys.readouterr().out
    with pytest.raises(CommandError, match="不存在"):
        call_command("centers", "check", "没有这个中心")
    with pytest.raises(CommandError, match="未知的层级"):
        call_command("centers", "check", "甲产业知识产权运营中心", "--level", "县级")
    call_command("centers", "list", "--json")
    assert json.loads(capsys.readouterr().out)[0]["name"] == "甲产业知识产权运营中心"

