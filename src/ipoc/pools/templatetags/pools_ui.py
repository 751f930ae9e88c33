"""Display helpers of the pool pages: money with thousands separators (元), rates without trailing zeros."""

from decimal import Decimal, InvalidOperation

from django import template

from ipoc.core.display import yuan_text

register = template.Library()


@register.filter
def money(value):
    """12345.6 → "12,345.60"; missing → "—" (``core.display.yuan_text``)."""
    try:
        return yuan_text(value)
    except (InvalidOperation, ValueError):
        return value


@register.filter
def rate(value):
    """A unit rate: 2.4000 → "2.40", 0.1250 → "0.125"."""
    if value is None or value == "":
        return "—"
    try:
        d = Decimal(str(value))
    except (InvalidOperation, ValueError):
        return value
    text = f"{d:.4f}".rstrip("0")
    whole, _, frac = text.partition(".")
    return f"{int(whole):,}." + frac.ljust(2, "0")


@register.filter
def count(value):
    """A number of units: 33750 → "33,750"; missing → "—"."""
    if value is None or value == "":
        return "—"
    try:
        return f"{int(value):,}"
    except (TypeError, ValueError):
        return value
