"""``{{ yuan|wan }}``: an amount stored in 元 shown in 万元 (two decimals, thousands separated; "—" when none)."""

from decimal import Decimal

from django import template

register = template.Library()


@register.filter
def wan(value):
    if value is None or value == "":
        return "—"
    return f"{Decimal(value) / Decimal(10000):,.2f}"


@register.filter
def yuan(value):
    if value is None or value == "":
        return "—"
    return f"{Decimal(value):,.2f}"
