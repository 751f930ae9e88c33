"""Template tags every page uses to show values the same way (see ``ipoc.core.display``).

    {% load ipoc_ui %}
    {{ value|dash }}                      — "—" for None / "" (0 stays 0)
    {% patent_name patent %}              — linked number, or title + source badge
    {% status_badge obj "status" %}       — the label of a choices field in its colour
    {% choice_label "deal_mode" value %}  — not needed when the model has get_FOO_display
    <div lang="{{ text|text_lang }}">     — "en" for an English patent text (quoted, not a label)
    {{ amount|yuan }}  {{ amount|wan }}   — an amount stored in 元: "1,250,000.00" / in 万元 "125.00" ("—" for none)
    (Django's own {% querystring page=3 %} keeps the current filters in links.)
"""

from __future__ import annotations

from django import template
from django.urls import reverse
from django.utils.html import format_html

from ipoc.core.display import EMPTY, patent_label, status_colour, wan_text, yuan_text

register = template.Library()


@register.filter
def yuan(value):
    return yuan_text(value)


@register.filter
def wan(value):
    """万元 with two decimals, for a column of figures."""
    return wan_text(value, trim=False)


@register.filter
def thousands(value) -> str:
    """3012609 → "3,012,609" (a count too long to read without separators)."""
    try:
        return f"{int(value):,}"
    except (TypeError, ValueError):
        return str(value)


@register.filter
def dash(value):
    if value is None or value == "" or value == [] or value == {}:
        return EMPTY
    return value


@register.filter
def text_lang(value) -> str:
    """The language of a record's own text for a ``lang`` attribute: "en" for Latin-script text without Chinese
    characters (a US or EP patent's title, abstract, claims), else "zh" — so screen readers and the page check
    treat a quoted English claim as a quotation, not as an untranslated label."""
    text = str(value or "")
    if any("\u4e00" <= ch <= "\u9fff" for ch in text):
        return "zh"
    return "en" if any(ch.isascii() and ch.isalpha() for ch in text) else "zh"


@register.simple_tag
def patent_name(patent, link=True):
    if patent is None:
        return EMPTY
    label, badge = patent_label(patent)
    inner = format_html('<a href="{}">{}</a>', reverse("patent_detail", args=[patent.pk]), label) if link \
        else format_html("{}", label)
    if badge:
        return format_html('{} <span class="badge bg-azure-lt">{}</span>', inner, badge)
    return inner


@register.filter
def patent_label_text(patent):
    return patent_label(patent)[0]


@register.simple_tag
def status_badge(obj, field="status"):
    code = getattr(obj, field, "")
    getter = getattr(obj, f"get_{field}_display", None)
    label = getter() if callable(getter) else code
    if not code:
        return EMPTY
    return format_html('<span class="badge bg-{}-lt">{}</span>', status_colour(str(code)), label)


@register.simple_tag
def code_badge(code, label):
    """A badge for a code whose label the view already has (e.g. from a choices class)."""
    if not code:
        return EMPTY
    return format_html('<span class="badge bg-{}-lt">{}</span>', status_colour(str(code)), label)
