"""CN annual fee table and the saving of letting a patent lapse."""

from __future__ import annotations

import datetime as dt

import polars as pl
import pytest

from ipoc.valuation.engine import annual_fee, fee_saving, fee_table
from ipoc.valuation.engine.fees import current_patent_year, fee_saving_expr


def test_annual_fee_bands():
    assert [annual_fee("发明", y) for y in (1, 3, 4, 6, 7, 9, 10, 12, 13, 15, 16, 20)] == [
        900, 900, 1200, 1200, 2000, 2000, 4000, 4000, 6000, 6000, 8000, 8000]
    assert [annual_fee("实用新型", y) for y in (1, 3, 4, 5, 6, 8, 9, 10)] == [
        600, 600, 900, 900, 1200, 1200, 2000, 2000]
    assert annual_fee("实用新型", 11) is None
    assert annual_fee("外观设计", 11) == 3000 and annual_fee("外观设计", 15) == 3000
    assert annual_fee("发明", 21) is None
    t = fee_table()
    assert t["pending_check"] is True
    assert any(b["待核实"] for b in t["bands"]["外观设计"])


def test_current_patent_year_is_anniversary_exact():
    f = dt.date(2020, 3, 10)
    assert current_patent_year(f, dt.date(2020, 3, 10)) == 1
    assert current_patent_year(f, dt.date(2021, 3, 9)) == 1
    assert current_patent_year(f, dt.date(2021, 3, 10)) == 2


def test_fee_saving_hand_computed():
    # 发明 filed 2016-05-20; on 2026-01-01 it is in patent year 10 -> years 11..20 remain:
    # 4000*2 (11-12) + 6000*3 (13-15) + 8000*5 (16-20) = 66000
    assert fee_saving("发明", dt.date(2016, 5, 20), dt.date(2026, 1, 1)) == 66000
    # next 3 years only: 4000 + 4000 + 6000
    assert fee_saving("发明", dt.date(2016, 5, 20), dt.date(2026, 1, 1), horizon_years=3) == 14000
    # 实用新型 in its last year: nothing left to save
    assert fee_saving("实用新型", dt.date(2016, 5, 20), dt.date(2026, 1, 1)) == 0
    # 外观设计 filed before 2021-06-01 keeps a 10-year term; after, 15 years
    assert fee_saving("外观设计", dt.date(2021, 5, 1), dt.date(2026, 1, 1)) == 1200 * 3 + 2000 * 2
    assert fee_saving("外观设计", dt.date(2021, 7, 1), dt.date(2026, 1, 1)) == 1200 * 3 + 2000 * 2 + 3000 * 5
    # 85% 费减 (pay 15%)
    assert fee_saving("实用新型", dt.date(2021, 7, 15), dt.date(2026, 1, 1), reduction_rate=0.85) == 1140
    assert fee_saving("商标", dt.date(2021, 7, 15), dt.date(2026, 1, 1)) is None


@pytest.mark.parametrize("horizon", [None, 1, 4])
def test_vectorised_equals_scalar(horizon):
    as_of = dt.date(2026, 1, 1)
    cases = [(t, dt.date(y, m, d)) for t in ("发明", "实用新型", "外观设计")
             for (y, m, d) in [(2006, 1, 2), (2010, 12, 31), (2016, 5, 20), (2021, 5, 31), (2021, 6, 1),
                               (2025, 1, 1), (2025, 12, 31), (2003, 1, 1)]]
    df = pl.DataFrame({"t": [c[0] for c in cases], "f": [c[1] for c in cases]})
    got = df.select(fee_saving_expr(pl.col("t"), pl.col("f"), as_of, horizon_years=horizon).alias("s"))["s"]
    assert got.to_list() == [fee_saving(t, f, as_of, horizon_years=horizon) for t, f in cases]
