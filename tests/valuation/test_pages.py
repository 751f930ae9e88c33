"""The valuation pages as officials read them: runs and results in words (no fingerprints), the indicator
system as a tree table with provenance wording, the weight grid that saves a new version, the report."""

from __future__ import annotations

import re

import pytest

from ipoc.patents.models import Patent
from ipoc.valuation import engine, services
from ipoc.valuation.models import IndicatorTreeVersion, PatentValuation

from .test_app_services import import_records, make_records


@pytest.fixture
def patents(db, tmp_path):
    return import_records(tmp_path, make_records())


@pytest.fixture
def run(patents):
    return services.valuation_run(actor=None, scenario="finance")


def text_of(response) -> str:
    html = re.sub(r"<script.*?</script>|<style.*?</style>", "", response.content.decode(), flags=re.S)
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def test_tree_page_is_a_tree_table_with_weights_and_provenance_not_json(client, users, db):
    client.force_login(users["cnipa"])
    response = client.get("/valuation/tree/", {"scenario": "finance"})
    text = text_of(response)
    assert response.status_code == 200
    for word in ("法律价值", "法律状态与保护期", "剩余保护期", "同级权重", "占总分权重", "待核实"):
        assert word in text, word
    assert "依据：GB/T 42748-2023《专利评估指引》一级指标与评估场景；本项为平台默认值，可由管理部门调整" in text
    assert "依据：平台默认方案" in text
    for code in ("name_en", "normalization", "null", "peer_percentile", "term_fraction", "[S]", "lower"):
        assert code not in text.split("技术信息")[0], code
    # the finance scenario weighs 法律价值 0.40 of the first level
    assert re.search(r"法律价值 待核实 .*? 40\.0% 40\.0%", text)
    version = IndicatorTreeVersion.objects.get(is_active=True)
    assert version.digest not in text.split("技术信息")[0] and "平台默认方案 2026.1" in text


def _grid(tree, **changes):
    data = {"note": "测试"}
    for nid in tree.order:
        node = tree.nodes[nid]
        for s in tree.scenarios:
            data[f"w__{nid}__{s}"] = str(round(node.weights[s], 4))
        if node.pending_check:
            data[f"p__{nid}"] = "on"
    data.update(changes)
    return data


def test_the_weight_grid_saves_a_new_version_and_refuses_zero_siblings(client, users, db):
    tree = engine.load_tree(services.tree_active().tree)
    client.force_login(users["admin"])
    unchanged = client.post("/valuation/tree/", _grid(tree), follow=True)
    assert "指标体系没有改动" in text_of(unchanged) and IndicatorTreeVersion.objects.count() == 1

    zero = {f"w__{r}__finance": "0" for r in tree.roots}
    refused = client.post("/valuation/tree/", _grid(tree, **zero))
    assert refused.status_code == 400 and "“一级指标”下的指标在“金融（质押融资）”场景的权重不能全为 0" in text_of(refused)
    assert IndicatorTreeVersion.objects.count() == 1

    saved = client.post("/valuation/tree/", _grid(tree, **{"w__legal__finance": "0.6"}), follow=True)
    assert "已保存为新版本" in text_of(saved)
    active = engine.load_tree(IndicatorTreeVersion.objects.get(is_active=True).tree)
    assert active.nodes["legal"].weights["finance"] == 0.6
    assert active.nodes["technical"].weights["other"] == tree.nodes["technical"].weights["other"]  # 1/3 kept exact
    assert IndicatorTreeVersion.objects.count() == 2

    client.force_login(users["cnipa"])
    assert client.post("/valuation/tree/", _grid(tree)).status_code == 403


def test_run_pages_show_words_and_filter_the_results(client, users, run):
    client.force_login(users["center_a"])
    listing = text_of(client.get("/valuation/"))
    assert f"第 {run.pk} 批" in listing and "金融（质押融资）" in listing and "平台默认方案 2026.1" in listing
    assert run.tree_version.digest not in listing
    detail = client.get(f"/valuation/runs/{run.pk}/")
    text = text_of(detail)
    assert "评级分布" in text and "分层建议" in text and run.tree_version.digest not in text.split("技术信息")[0]
    assert " observe " not in text and " abandon " not in text and " key " not in text
    graded = PatentValuation.objects.filter(run=run).exclude(grade="").first()
    only = text_of(client.get(f"/valuation/runs/{run.pk}/", {"grade": graded.grade}))
    count = PatentValuation.objects.filter(run=run, grade=graded.grade).count()
    assert f"共 {count} 条" in only
    from io import BytesIO

    from openpyxl import load_workbook

    sheet = load_workbook(BytesIO(client.get(f"/valuation/runs/{run.pk}/export.xlsx").content)).active
    cells = [str(c) for row in sheet.iter_rows(values_only=True) for c in row if c is not None]
    assert not any(c.startswith("ext:") or run.tree_version.digest in c for c in cells)
    ungraded = PatentValuation.objects.filter(run=run, grade="").count()
    assert f"共 {ungraded} 条" in text_of(client.get(f"/valuation/runs/{run.pk}/", {"grade": "-"}))


def test_report_explains_indicators_in_words(client, users, run):
    patent = Patent.objects.get(key="ext:valtest:p03")
    client.force_login(users["ent_a"])
    response = client.get(f"/valuation/patents/{patent.pk}/", {"run": run.pk})
    text = text_of(response)
    assert response.status_code == 200 and "一种传感器3" in text and "指标明细" in text
    assert "高于" in text and "同行：" in text and "按规则取值" in text and "合计" in text
    for code in ("peer_percentile", "identity", "term_fraction", "ext:", "None", "ipc_main_subclass"):
        assert code not in text.split("技术信息")[0], code


def test_a_patent_not_yet_valued_gets_a_page_not_a_command(client, users, db):
    patent = Patent.objects.create(key="CN111111111A", publication_number="CN111111111A", title="一种未评估的装置")
    client.force_login(users["ent_a"])
    response = client.get(f"/valuation/patents/{patent.pk}/")
    text = text_of(response)
    assert response.status_code == 404 and "还没有评估结果" in text and "ipoc valuation" not in text


def test_run_list_and_run_page_name_the_starter_by_name_not_username(client, users, patents):
    officer = users["cnipa"]
    officer.display_name = "国家局工作人员"
    officer.save(update_fields=["display_name"])
    run = services.valuation_run(actor=officer, scenario="finance")
    client.force_login(officer)
    for url in ("/valuation/", f"/valuation/runs/{run.pk}/"):
        text = text_of(client.get(url))
        assert "国家局工作人员" in text and " cnipa " not in text, url
