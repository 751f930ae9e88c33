"""The batch-match Excel export is formula-safe (issue 14 item 11): a demand title, patent title or holder name
that starts with = + - @ reaches the sheet as text, never as a live formula."""

from __future__ import annotations

import io
from types import SimpleNamespace

from openpyxl import load_workbook

from ipoc.matching import export


def test_cells_starting_with_formula_characters_are_text(db, monkeypatch):
    demand = SimpleNamespace(title="=HYPERLINK(\"http://evil.example\",\"点我\")",
                             organization=SimpleNamespace(name="@SUM(1+1)*cmd|' /C calc'!A0"))
    patent = SimpleNamespace(number="CN1A", title="-2+3 一种装置")
    match = SimpleNamespace(demand_id=7, demand=demand, patent=patent, rank=1, score=0.5,
                            explanation={"matched_terms": ["+cmd"], "holders": [{"name": "=1+1", "type": ""}]})
    monkeypatch.setattr(export, "run_matches", lambda run: [match])
    sheet = load_workbook(io.BytesIO(export.run_xlsx(SimpleNamespace(pk=1)))).worksheets[0]
    cells = [c.value for row in sheet.iter_rows() for c in row if isinstance(c.value, str)]
    dangerous = [c for c in cells if c.startswith(("=", "+", "-", "@"))]
    assert not dangerous, dangerous
    assert all(c.data_type != "f" for row in sheet.iter_rows() for c in row)
    assert "'=HYPERLINK(\"http://evil.example\",\"点我\")" in cells and "'-2+3 一种装置" in cells
