"""Amounts shown to a person (core.display): 元 with thousands separators, 万元, and "—" for none."""

from decimal import Decimal

from django.utils import translation

from ipoc.core.display import money_text, wan_text, yuan_text


def test_yuan_text_two_decimals_thousands_and_dash():
    assert yuan_text(Decimal("1250000")) == "1,250,000.00"
    assert yuan_text("0.5") == "0.50"
    assert yuan_text(None) == "—"
    assert yuan_text("") == "—"


def test_wan_text_trims_for_a_sentence_and_keeps_places_for_a_column():
    assert wan_text(1250000) == "125"
    assert wan_text(Decimal("1234567.89")) == "123.46"
    assert wan_text(15000) == "1.5"
    assert wan_text(1250000, trim=False) == "125.00"
    assert wan_text(123456789000, trim=False) == "12,345,678.90"
    assert wan_text(0) == "0"
    assert wan_text(None) == "—"


def test_money_text_shows_yuan_with_wan_equivalent():
    with translation.override("zh-hans"):
        assert money_text(Decimal("1250000")) == "1,250,000.00 元（125 万元）"
        assert money_text(None) == "—"
