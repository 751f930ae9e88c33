"""Probe finding on spreadsheet formula injection (issue 14 item 11): the valuation export neutralised its data
rows but not its two header rows, which carry the indicator system's version label, scenario names and
indicator names — an indicator named "=HYPERLINK(…)" came out of /valuation/runs/N/export.xlsx as a live
formula in the header."""

from __future__ import annotations

import copy
from io import BytesIO

from openpyxl import load_workbook

from ipoc.valuation import services

from .test_pages import patents  # noqa: F401  (fixture)

EVIL = '=HYPERLINK("http://evil.example","点击")'


def test_header_cells_of_the_valuation_export_are_not_formulas(client, users, patents):  # noqa: F811
    tree = copy.deepcopy(services.tree_active().tree)
    tree["version"] = EVIL
    tree["scenarios"]["finance"] = "+" + tree["scenarios"]["finance"]
    tree["nodes"][0]["name_zh"] = EVIL
    services.tree_update(actor=None, tree_json=tree)
    run = services.valuation_run(actor=None, scenario="finance")
    client.force_login(users["cnipa"])
    response = client.get(f"/valuation/runs/{run.pk}/export.xlsx")
    assert response.status_code == 200
    sheet = load_workbook(BytesIO(response.content)).active
    cells = [c for row in sheet.iter_rows() for c in row if c.value is not None]
    assert not [c.coordinate for c in cells if c.data_type == "f"]
    texts = [str(c.value) for c in cells]
    assert "'" + EVIL in texts and any(t.startswith("'=HYPERLINK") and t.endswith("得分") for t in texts)
