"""Demand import: the real demands.csv, the Excel template round trip, bad rows, near-duplicates."""

from decimal import Decimal
from io import BytesIO
from pathlib import Path

import pytest
from django.conf import settings
from openpyxl import load_workbook

from ipoc.demands import services
from ipoc.demands.importers import parse_budget
from ipoc.demands.models import Demand, DemandStatus

REAL = Path(settings.IPOC_SAMPLE_DATA) / "cn" / "demands.csv"


@pytest.mark.parametrize("text,expected", [
    ("10~50万", (Decimal(100000), Decimal(500000))), (">200万", (Decimal(2000000), None)),
    ("<1万", (None, Decimal(10000))), ("面议", (None, None)), ("1~10万", (Decimal(10000), Decimal(100000))),
])
def test_budget_bands(text, expected):
    assert parse_budget(text) == expected


@pytest.mark.skipif(not REAL.exists(), reason="shared sample data not present")
def test_real_demands_import_idempotently_with_duplicates_flagged(orgs):
    report = services.demand_import(actor=None, path=REAL, center=orgs["center_a"])
    assert report["counts"]["rows"] == 607 and report["counts"]["new"] == 607 and report["counts"]["rejected"] == 0
    assert Demand.objects.count() == 607
    # the file repeats some titles: each flagged pair points at an earlier demand with the same or a similar title
    flagged = Demand.objects.exclude(duplicate_of=None)
    assert flagged.count() == report["counts"]["flagged_duplicates"] > 0
    for d in flagged[:20]:
        assert d.duplicate_of_id < d.pk and d.duplicate_score >= services.DUPLICATE_THRESHOLD
    demand = Demand.objects.get(title="【寻求合作】大孔容活性氧化铝催化剂载体生产工艺技术")
    assert (demand.industry, demand.budget_min, demand.budget_max) == ("新材料", Decimal(100000), Decimal(500000))
    assert demand.status == DemandStatus.PUBLISHED and demand.center == orgs["center_a"]
    assert demand.published_at.date().isoformat() == "2020-07-31"
    again = services.demand_import(actor=None, path=REAL, center=orgs["center_a"])
    assert again["counts"] | {"flagged_duplicates": 0} == {"rows": 607, "new": 0, "updated": 0, "unchanged": 607,
                                                            "rejected": 0, "flagged_duplicates": 0}
    assert Demand.objects.count() == 607


def _template_with_rows(rows):
    from ipoc.demands.importers import template_xlsx

    wb = load_workbook(BytesIO(template_xlsx()))
    ws = wb["技术需求"]
    ws.delete_rows(2)
    for row in rows:
        ws.append(row)
    out = BytesIO()
    wb.save(out)
    return out.getvalue()


def test_template_round_trip_over_api_reports_bad_rows(client, api_client, users):
    response = client.get("/api/v1/demands/template.xlsx")
    headers = next(load_workbook(BytesIO(response.content)).active.iter_rows(values_only=True))
    assert headers[:3] == ("需求名称", "需求描述", "所属行业")
    content = _template_with_rows([
        ["钠离子电池正极材料量产", "寻求许可", "新能源材料", "C38", "钠电，正极", "许可", "50~200万", "", "320505",
         "2026-12-31", "2026-01-15", "周工", "13900000000", ""],
        ["", "缺名称", "", "", "", "", "", "", "", "", "", "", "", ""],
        ["热管理系统", "", "", "", "", "租赁", "", "", "", "", "", "", "", ""],
        ["储能变流器", "", "", "", "", "", "", "", "", "2026/13/40", "", "", "", ""],
        ["氢燃料电池膜电极", "", "", "", "", "", "", "", "110199", "", "", "", "", ""],
    ])
    api = api_client.as_user(users["ent_a"])
    from django.core.files.uploadedfile import SimpleUploadedFile

    upload = SimpleUploadedFile("需求.xlsx", content)
    response = client.post("/api/v1/demands/import", {"file": upload}, **api.headers)
    assert response.status_code == 202, response.content  # a background job (inline in tests); result = report
    report = response.json()["report"]
    rejected = {(r["row"], r["field"]) for r in report["rejected_rows"]}
    assert rejected == {(3, "需求名称"), (4, "期望合作方式"), (5, "截止日期"), (6, "region_code")}
    assert report["counts"]["new"] == 1
    demand = Demand.objects.get(title="钠离子电池正极材料量产")
    # an enterprise imports drafts for its own organisation
    assert demand.organization == users["ent_a"].organization and demand.status == DemandStatus.DRAFT
    assert demand.modes == ["license"] and demand.keywords == ["钠电", "正极"]


def test_experts_cannot_import(users, tmp_path):
    from ipoc.core.errors import PermissionDenied

    path = tmp_path / "d.csv"
    path.write_text("title\nx\n")
    with pytest.raises(PermissionDenied):
        services.demand_import(actor=users["expert"], path=path)


def test_cli_import_demands_json(orgs, tmp_path, capsys):
    import json

    from django.core.management import call_command

    path = tmp_path / "d.csv"
    path.write_text("title,category,company,created,budget,detail\n高端轴承钢冶炼,新材料,某钢铁集团有限公司,2019/3/2,>200万,x\n"
                    "高端轴承钢冶炼技术,新材料,管理员用户,2019/3/3,10~50万,y\n", encoding="utf-8")
    call_command("import-demands", str(path), "--center", orgs["center_a"].name, "--json")
    report = json.loads(capsys.readouterr().out)
    assert report["counts"]["new"] == 2 and report["counts"]["flagged_duplicates"] == 1
    assert report["duplicates"][0]["duplicate_of_title"] == "高端轴承钢冶炼"
    masked = Demand.objects.get(title="高端轴承钢冶炼")  # "某…" names are masked, not organisations
    assert masked.organization.name == services.UNNAMED_REQUESTER and masked.requester_name == "某钢铁集团有限公司"
