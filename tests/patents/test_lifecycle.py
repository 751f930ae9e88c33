"""Patent term, remaining life, in-force checks and legal status normalisation."""

from __future__ import annotations

from datetime import date

import pytest

from ipoc.patents.lifecycle import (
    expiry_date,
    in_force,
    normalize_legal_status,
    remaining_life_years,
    term_years,
)


def test_terms_by_type() -> None:
    assert term_years("发明", date(2010, 3, 1)) == 20
    assert term_years("实用新型", date(2010, 3, 1)) == 10
    assert term_years("外观设计", date(2021, 5, 31)) == 10
    assert term_years("外观设计", date(2021, 6, 1)) == 15
    with pytest.raises(ValueError):
        term_years("商标", date(2021, 6, 1))


def test_expiry_dates() -> None:
    assert expiry_date("发明", date(2003, 5, 10)) == date(2023, 5, 9)
    assert expiry_date("实用新型", date(2021, 7, 15)) == date(2031, 7, 14)
    assert expiry_date("外观设计", date(2021, 6, 1)) == date(2036, 5, 31)
    assert expiry_date("外观设计", date(2021, 5, 31)) == date(2031, 5, 30)
    assert expiry_date("发明", date(2004, 2, 29)) == date(2024, 2, 28)  # 2024 is a leap year
    assert expiry_date("实用新型", date(2004, 2, 29)) == date(2014, 2, 27)  # 29 Feb → 28 Feb, minus a day


def test_remaining_life() -> None:
    assert remaining_life_years("发明", date(2020, 1, 1), date(2030, 1, 1)) == pytest.approx(10.0, abs=0.01)
    assert remaining_life_years("实用新型", date(2000, 1, 1), date(2030, 1, 1)) == 0.0
    assert remaining_life_years("发明", date(2020, 1, 1), date(2020, 1, 1)) == pytest.approx(20.0, abs=0.01)


def test_in_force() -> None:
    expiry = date(2031, 7, 14)
    assert in_force("有效", date(2025, 1, 1), expiry=expiry)
    assert not in_force("有效", date(2032, 1, 1), expiry=expiry)  # expired meanwhile
    assert not in_force("审中", date(2025, 1, 1))
    assert not in_force("失效", date(2025, 1, 1), lapse_date=date(2024, 3, 1))
    # lapsed later, but in force on the given earlier date (granted by then)
    assert in_force("失效", date(2023, 1, 1), lapse_date=date(2024, 3, 1), grant_date=date(2022, 1, 1))
    assert not in_force("失效", date(2021, 1, 1), lapse_date=date(2024, 3, 1), grant_date=date(2022, 1, 1))
    assert in_force("有权-审定授权", date(2025, 1, 1))
    assert not in_force("有效", date(2025, 1, 1), lapse_date=date(2024, 12, 31))
    assert not in_force(None, date(2025, 1, 1))


@pytest.mark.parametrize(
    ("text", "status"),
    [
        ("授权", "有效"), ("有权-审定授权", "有效"), ("实质审查", "审中"), ("审中-实质审查", "审中"),
        ("公开", "审中"), ("驳回", "失效"), ("撤回", "失效"), ("视为撤回", "失效"), ("无权-视为撤回", "失效"),
        ("未缴年费", "失效"), ("期限届满", "失效"), ("权利终止", "失效"), ("放弃", "失效"), ("无效", "失效"),
        ("全部无效", "失效"), ("部分无效", "有效"), ("驳回复审", "审中"), ("权利恢复", "有效"),
        ("有效", "有效"), ("失效", "失效"), ("审中", "审中"), ("", None), ("未知文本", None),
    ],
)
def test_normalize_legal_status(text: str, status: str | None) -> None:
    assert normalize_legal_status(text) == status
