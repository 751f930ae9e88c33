"""Supply-chain review: BOM import with row-level errors, supplier score moved by a recorded pledge."""

import datetime as dt

import pytest
from openpyxl import Workbook

from ipoc.core.errors import ApplicationError
from ipoc.risk import selectors, services


def bom(tmp_path, rows, name="bom.xlsx"):
    wb = Workbook()
    ws = wb.active
    ws.append(["部件", "供应商", "原产国", "金额（元）"])
    for r in rows:
        ws.append(r)
    path = tmp_path / name
    wb.save(path)
    return path


def test_bom_import_rejects_bad_rows_one_by_one(db, users, orgs, tmp_path):
    path = bom(tmp_path, [["电池模组", orgs["ent_b"].name, "中国", "120000"],
                          ["", "某供应商", "德国", "10"],
                          ["控制器", "", "", "abc"],
                          ["电机", "外国电机公司", "日本", "-5"],
                          ["线束", "某线束厂", "中国", ""]])
    review = services.review_import(actor=users["ent_a"], path=path, center=orgs["center_a"])
    report = review.import_report
    assert report["counts"] == {"rows": 5, "accepted": 2, "rejected": 3}
    assert [(r["row"], r["field"]) for r in report["rejected_rows"]] == [
        (3, "部件"), (4, "供应商"), (4, "金额（元）"), (5, "金额（元）")]
    lines = list(review.lines.all())
    assert [line.component for line in lines] == ["电池模组", "线束"]
    assert lines[0].supplier_id == orgs["ent_b"].pk  # matched to the registered organisation


def test_bom_with_only_bad_rows_is_refused(db, users, orgs, tmp_path):
    with pytest.raises(ApplicationError) as err:
        services.review_import(actor=users["ent_a"], path=bom(tmp_path, [["", "", "", ""], ["x", "", "", ""]]),
                               center=orgs["center_a"])
    assert err.value.field == "file"
    with pytest.raises(ApplicationError):
        services.read_bom(tmp_path / "notes.txt")


def test_supplier_score_changes_when_a_pledge_is_recorded(db, users, orgs, tmp_path):
    review = services.review_import(actor=users["ent_a"], path=bom(tmp_path, [["电池模组", orgs["ent_b"].name, "中国", "1"]]),
                                    center=orgs["center_a"])
    before = selectors.review_suppliers(review)[0]["score"]["score"]
    from ipoc.licensing import services as licensing_services

    licensing_services.pledge_create(actor=None, pledgor=orgs["ent_b"], title="电池技术开源承诺", summary="不起诉",
                                     mechanism="covenant", scope_kind="definition", scope_applicant=orgs["ent_b"].name,
                                     pledged_on=dt.date.today())
    after = selectors.review_suppliers(review)[0]
    assert after["score"]["score"] < before
    assert any("开源承诺" in r for r in after["score"]["reasons"])


def test_contract_terms_need_evidence_and_lower_the_score(db, users, orgs, tmp_path):
    name = orgs["ent_b"].name
    review = services.review_import(actor=users["ent_a"], path=bom(tmp_path, [["电池模组", name, "中国", "1"]]),
                                    center=orgs["center_a"])
    before = selectors.review_suppliers(review)[0]["score"]["score"]
    with pytest.raises(ApplicationError) as err:
        services.terms_set(actor=users["center_a"], review=review, supplier_name=name,
                           checks={"ip_warranty": {"ok": True, "evidence": ""}})
    assert err.value.field == "evidence_ip_warranty"
    services.terms_set(actor=users["center_a"], review=review, supplier_name=name,
                       checks={"ip_warranty": {"ok": True, "evidence": "采购合同第 12.1 条"},
                               "indemnity": {"ok": True, "evidence": "第 12.3 条"}})
    assert selectors.review_suppliers(review)[0]["score"]["score"] < before
    item = services.remediation_add(actor=users["ent_a"], review=review, action="补签知识产权担保条款", owner="采购部 王工",
                                    due_date="2027-03-31", supplier_name=name)
    assert services.remediation_done(actor=users["center_a"], item=item).done


def test_open_litigation_raises_the_score(db, users, orgs, tmp_path):
    name = orgs["ent_b"].name
    review = services.review_import(actor=users["ent_a"], path=bom(tmp_path, [["电池模组", name, "中国", "1"]]),
                                    center=orgs["center_a"])
    before = selectors.review_suppliers(review)[0]["score"]["score"]
    services.litigation_case_create(actor=users["center_a"], case_number="(2026)苏01民初1号", parties=f"某公司；{name}",
                                    products="电池模组")
    assert selectors.review_suppliers(review)[0]["score"]["score"] > before


def test_litigation_list_import_adds_updates_and_rejects_rows(db, users, orgs, tmp_path):
    from ipoc.risk.models import LitigationCase

    wb = Workbook()
    ws = wb.active
    ws.append(["案号", "类型", "当事人", "涉案产品", "涉案专利号", "状态", "立案日期", "备注"])
    ws.append(["337-TA-1", "337 调查", "甲公司；乙公司", "电池模组", "US1", "进行中", "2026-01-05", ""])
    ws.append(["", "专利诉讼", "丙公司", "", "", "", "", ""])
    ws.append(["(2026)沪73民初2号", "仲裁", "丁公司", "", "", "", "2026/13/01", ""])
    path = tmp_path / "cases.xlsx"
    wb.save(path)
    report = services.litigation_import(actor=users["center_a"], path=path)
    assert report["counts"] == {"rows": 3, "new": 1, "updated": 0, "rejected": 2}
    assert [(r["row"], r["field"]) for r in report["rejected_rows"]] == [(3, "案号"), (4, "类型"), (4, "立案日期")]
    ws["F2"] = "已结案"
    wb.save(path)
    assert services.litigation_import(actor=users["center_a"], path=path)["counts"]["updated"] == 1
    assert LitigationCase.objects.get(case_number="337-TA-1").status == "closed"
    from ipoc.core.errors import PermissionDenied

    with pytest.raises(PermissionDenied):
        services.litigation_import(actor=users["ent_a"], path=path)


def test_members_and_smes_served(db, users, orgs, tmp_path):
    from ipoc.demands import services as demand_services

    # center 甲 serves 苏州甲科技: it handles a demand of the enterprise (a center opens reviews only for those)
    demand_services.demand_create(actor=users["ent_a"], title="电池管理芯片专利需求", organization=orgs["ent_a"],
                                  center=orgs["center_a"])
    services.review_import(actor=users["center_a"], path=bom(tmp_path, [["电池", "某公司", "中国", "1"]]),
                           requester=orgs["ent_a"])
    served = selectors.center_members_served(orgs["center_a"].pk, dt.date.today().year)
    assert served == {"members": [orgs["ent_a"].pk], "smes": [orgs["ent_a"].pk]}
