"""Quoted source text (claims, product features written in the patent's language) marked with its language, so
readers, screen readers and the crawl's code check know it is a quotation, not a platform word."""

import re

from django import template
from django.utils.html import conditional_escape, format_html
from django.utils.safestring import mark_safe

register = template.Library()

# a run of Latin-script words (with the punctuation and digits between them)
_LATIN = re.compile(r"[A-Za-z][A-Za-z0-9\s,.;:'\"()/&+\-]*[A-Za-z0-9.)]|[A-Za-z]")


@register.filter
def quoted(text):
    """``text`` with every run of Latin-script words in a ``<span lang="en">`` (the rest, Chinese, as is)."""
    text = "" if text is None else str(text)
    out, last = [], 0
    for m in _LATIN.finditer(text):
        if not re.search(r"[a-z]{3}", m.group(0)):  # numbers and codes (CN1234A, US9358892B1) stay plain
            continue
        out.append(conditional_escape(text[last:m.start()]))
        out.append(format_html('<span lang="en">{}</span>', m.group(0)))
        last = m.end()
    out.append(conditional_escape(text[last:]))
    return mark_safe("".join(str(x) for x in out))
