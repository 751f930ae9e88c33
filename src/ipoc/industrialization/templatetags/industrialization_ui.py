"""``{{ yuan|wan }}``: an amount stored in 元 shown in 万元 (two decimals, thousands separated; "—" when none)."""

from django import template

from ipoc.core.display import wan_text, yuan_text

register = template.Library()


@register.filter
def wan(value):
    return wan_text(value, trim=False)


@register.filter
def yuan(value):
    return yuan_text(value)
