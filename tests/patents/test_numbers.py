"""CN/US/EP number parsing: check digits, canonical forms, 专利类型."""

from __future__ import annotations

import pytest

from ipoc.patents.numbers import (
    CheckDigitError,
    PatentNumberError,
    cn_check_digit,
    parse_application_number,
    parse_publication_number,
    patent_type_from_application,
    patent_type_from_kind,
)


@pytest.mark.parametrize(
    ("body", "digit"),
    [
        ("202223220665", "2"),  # real: CN202223220665.2 (incoPat sample)
        ("202121635235", "X"),  # real: remainder 10 → X
        ("202211740332", "4"),
        ("201910123456", "X"),
        ("98123456", "9"),  # pre-2003 8-digit form, weights 2..9
    ],
)
def test_check_digit(body: str, digit: str) -> None:
    assert cn_check_digit(body) == digit


@pytest.mark.parametrize(
    "raw",
    ["CN202223220665.2", "202223220665.2", "ZL 2022 2 3220665.2", "2022232206652", "ＣＮ２０２２２３２２０６６５．２",
     "CN 202223220665.2", "zl202223220665.2"],
)
def test_application_number_forms(raw: str) -> None:
    app = parse_application_number(raw)
    assert app.canonical == "CN202223220665.2"
    assert app.raw == raw
    assert app.year == 2022 and app.type_digit == "2"
    assert app.patent_type == "实用新型"
    assert not app.check_digit_computed


def test_x_check_digit_without_dot() -> None:
    assert parse_application_number("202121635235X").canonical == "CN202121635235.X"


def test_wrong_check_digit_raises_bilingual_error() -> None:
    with pytest.raises(CheckDigitError) as info:
        parse_application_number("CN202223220665.3")
    assert info.value.given == "3" and info.value.expected == "2"
    assert "校验位" in str(info.value) and "check digit" in str(info.value)
    # the example number has check digit X, so .7 is wrong
    with pytest.raises(CheckDigitError):
        parse_application_number("CN201910123456.7")


def test_missing_check_digit_is_computed_and_flagged() -> None:
    app = parse_application_number("201910123456")
    assert app.canonical == "CN201910123456.X"
    assert app.check_digit_computed


def test_old_eight_digit_form_and_pct() -> None:
    app = parse_application_number("98123456.9")
    assert app.canonical == "CN98123456.9" and app.year == 1998 and app.patent_type == "发明"
    pct = parse_application_number("CN201880012345." + cn_check_digit("201880012345"))
    assert pct.is_pct and pct.patent_type == "发明"


@pytest.mark.parametrize("raw", ["", "CN20191012345", "CN201940123456.0", "CN199910123456.0", "hello", "CN2005101234567.X"])
def test_invalid_application_numbers(raw: str) -> None:
    with pytest.raises(PatentNumberError):
        parse_application_number(raw)


def test_foreign_application_numbers() -> None:
    assert parse_application_number("EP17171508.9").canonical == "EP17171508.9"
    assert parse_application_number("29381217", country="US").canonical == "US29381217"


@pytest.mark.parametrize(
    ("raw", "country", "kind", "canonical", "ptype"),
    [
        ("CN112345678A", None, None, "CN112345678A", "发明"),
        ("CN 1234567 C", None, None, "CN1234567C", "发明"),
        ("CN218751475U", None, None, "CN218751475U", "实用新型"),
        ("CN 2187514 Y", None, None, "CN2187514Y", "实用新型"),
        ("CN306123456S", None, None, "CN306123456S", "外观设计"),
        ("US8145678B2", None, None, "US8145678B2", "发明"),
        ("US 2012/0123456 A1", None, None, "US20120123456A1", "发明"),
        ("EP1234567A1", None, None, "EP1234567A1", "发明"),
        ("EP 1 234 567 B1", None, None, "EP1234567B1", "发明"),
        ("08145678", "US", "B2", "US8145678B2", "发明"),
        ("D0656296", "US", "S1", "USD656296S1", "外观设计"),
        ("ＣＮ１１２３４５６７８Ａ", None, None, "CN112345678A", "发明"),
    ],
)
def test_publication_numbers(raw, country, kind, canonical, ptype) -> None:
    pub = parse_publication_number(raw, country, kind)
    assert pub.canonical == canonical
    assert pub.patent_type == ptype


@pytest.mark.parametrize("raw", ["112345678A", "CN12A", "CN112345678Q", ""])
def test_invalid_publication_numbers(raw: str) -> None:
    with pytest.raises(PatentNumberError):
        parse_publication_number(raw)


def test_patent_type_helpers() -> None:
    assert patent_type_from_kind("CN", "B") == "发明"
    assert patent_type_from_kind("CN", "U") == "实用新型"
    assert patent_type_from_kind("CN", None) is None
    assert patent_type_from_application("CN202130001234.9") == "外观设计"
