"""How values are shown to a person, the same way on every page: missing values, patent identity, status colours.

A person never reads a code or an internal key (STYLE.md §12): a patent without a publication number is
shown by its title with a badge naming its source; a missing value is "—"; a status is its label in a colour
that says whether it is done, waiting or refused.
"""

from __future__ import annotations

from decimal import Decimal

from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

EMPTY = "—"
UNKNOWN = _("未知")

# Sources without publication numbers (research data sets), by the ``ext:<source>:`` part of a patent key.
SOURCE_BADGES = {
    "patents_bdci": _("研究数据集 · BDCI"),
    "patents_kp": _("研究数据集 · KPPatent"),
}


def yuan_text(yuan) -> str:
    """An amount in 元, thousands separated, two decimals: "1,250,000.00"; "—" when there is none."""
    if yuan is None or yuan == "":
        return EMPTY
    return f"{Decimal(str(yuan)):,.2f}"


def wan_text(yuan, *, trim: bool = True) -> str:
    """An amount in 元 shown in 万元, thousands separated: 1250000 → "125" (``trim=False``, for a column of
    figures: "125.00"); "—" when there is none."""
    if yuan is None or yuan == "":
        return EMPTY
    text = f"{Decimal(str(yuan)) / Decimal(10000):,.2f}"
    return text.rstrip("0").rstrip(".") if trim else text


def money_text(yuan) -> str:
    """An amount in 元 with its 万元 equivalent: "1,250,000.00 元（125 万元）"; "—" when there is none."""
    if yuan is None or yuan == "":
        return EMPTY
    return gettext("%(y)s 元（%(w)s 万元）") % {"y": yuan_text(yuan), "w": wan_text(yuan)}


def patent_source_badge(patent) -> str:
    key = getattr(patent, "key", "") or ""
    if key.startswith("ext:"):
        source = key.split(":", 2)[1]
        return str(SOURCE_BADGES.get(source, _("无公开号")))
    return ""


def patent_label(patent, *, max_title: int = 40) -> tuple[str, str]:
    """(what a person calls this patent, a source badge or ""): the number when it has one, else its title."""
    if patent is None:
        return EMPTY, ""
    number = getattr(patent, "publication_number", "") or getattr(patent, "grant_number", "") \
        or getattr(patent, "application_number", "")
    if number:
        return number, ""
    title = (getattr(patent, "title", "") or "").strip() or str(_("（无题名）"))
    if len(title) > max_title:
        title = title[: max_title - 1] + "…"
    return title, patent_source_badge(patent)


_GREEN = ("published", "valid", "approved", "recognised", "recognized", "signed", "completed", "done", "active",
          "accepted", "confirmed", "passed", "finalised", "finalized", "granted", "held", "licensed", "closed_won",
          "succeeded", "success", "in_force", "recommended", "supported", "qualified", "transferred", "excellent",
          "solved", "pushed", "registered", "attended", "listed")
_YELLOW = ("pending", "submitted", "review", "reviewing", "waiting", "draft", "publicity", "screening", "queued",
           "rectification", "negotiating", "proposed", "new", "open", "objection", "planned", "running")
_RED = ("rejected", "lapsed", "cancelled", "canceled", "revoked", "failed", "refused", "withdrawn", "expired",
        "disqualified", "terminated", "closed_lost", "invalid", "error", "unqualified", "returned")


def status_colour(code: str) -> str:
    """A Tabler colour name for a status code (green done, yellow waiting, red refused, blue otherwise)."""
    code = (code or "").lower()
    if any(code == w or code.endswith("_" + w) or code.startswith(w + "_") for w in _RED):
        return "red"
    if any(code == w or code.endswith("_" + w) or code.startswith(w + "_") for w in _GREEN):
        return "green"
    if any(code == w or code.endswith("_" + w) or code.startswith(w + "_") for w in _YELLOW):
        return "yellow"
    return "blue" if code else "secondary"
