"""专利导航 in the browser (issue 20): a center's staff builds a set from a saved search, sees every chart drawn,
adds and confirms matrix terms, and a matrix cell opens exactly its patents; a chart bar opens its patents too.
The data is built through the services in the test (not the demo)."""

from __future__ import annotations

import json

import pytest

from ipoc.patents import services as patent_services
from ipoc.search import testing
from tests.conftest import browser_login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
search_index = testing.search_index

PATENTS = [
    {"publication_number": "CN111900011A", "title": "锂电池正极材料", "abstract": "提高能量密度。",
     "applicants": [{"name": "甲电池有限公司", "type": "企业"}], "ipc_all": ["H01M4/36"], "patent_type": "发明",
     "legal_status": "有效", "application_date": "2020-03-01", "grant_date": "2022-01-01", "inventors": ["张三"]},
    {"publication_number": "CN111900012A", "title": "锂电池电解液", "abstract": "降低成本，提高能量密度。",
     "applicants": [{"name": "甲电池有限公司", "type": "企业"}], "ipc_all": ["H01M10/05"], "patent_type": "发明",
     "legal_status": "审中", "application_date": "2021-03-01", "inventors": ["李四"]},
    {"publication_number": "CN111900013A", "title": "电池隔膜", "abstract": "降低成本。",
     "applicants": [{"name": "乙材料有限公司", "type": "企业"}], "ipc_all": ["H01M50/40"], "patent_type": "发明",
     "legal_status": "有效", "application_date": "2022-03-01", "inventors": ["王五"]},
]


@pytest.fixture
def corpus(search_index, tmp_path):
    path = tmp_path / "p.jsonl"
    path.write_text("\n".join(json.dumps(p, ensure_ascii=False) for p in PATENTS), encoding="utf-8")
    patent_services.patent_import(actor=None, path=path, format="jsonl")


def test_center_builds_a_landscape_and_drills_into_a_matrix_cell(page, live_server, users, corpus):
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    browser_login(page, "center_a")
    page.goto("/analytics/")
    page.click("text=新建专利集合")
    page.click(".dropdown-menu >> text=保存的检索")
    page.fill("#id_name", "锂电池")
    page.fill("#id_ipc", "H01M")
    page.click("button[type=submit] >> text=建立并评估")
    page.wait_for_selector("[data-testid=set-meta]")
    assert "3 件专利" in page.inner_text("[data-testid=set-meta]")
    page.wait_for_selector("#chart-trend[data-chart-ready]")
    assert page.locator("#chart-applicants[data-chart-ready] canvas").count() == 1
    # matrix: add a technology and an effect, confirmed
    page.click("text=从专利文本中提取词条并审核")
    for axis, label in (("technology", "锂电池"), ("effect", "能量密度")):
        page.select_option("#id_axis", axis)
        page.fill("#id_label", label)
        page.click("[data-testid=term-form] button[type=submit]")
        page.wait_for_selector(".alert-success")
    cell = page.locator("[data-testid=matrix] td[data-cell='锂电池×能量密度'] a")
    assert cell.inner_text().strip() == "2"
    cell.click()
    assert "共 2 件专利" in page.inner_text("[data-testid=drill-count]")
    assert page.locator("text=CN111900011A").count() == 1 and page.locator("text=CN111900012A").count() == 1
    assert page.locator("text=CN111900013A").count() == 0
    assert not errors
