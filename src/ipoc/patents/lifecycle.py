"""Patent term and legal status (专利期限与法律状态).

* Term (保护期限), counted from the filing date (申请日): 发明 20 years, 实用新型
  10 years, 外观设计 10 years — 15 years for designs filed on or after 2021-06-01
  (专利法第四次修正).  The right ends on the day before the anniversary
  (期限届满日 = 申请日 + N 年 − 1 天); a 29 February filing date rolls to 28 February.
* Legal status (法律状态) is normalised to three values: 有效 (in force), 审中
  (pending) and 失效 (lapsed / never granted).  :func:`normalize_legal_status`
  maps detailed status texts as CNIPA and commercial databases write them
  (``有权-审定授权``, ``审中-实质审查``, ``无权-视为撤回``, ``未缴年费``, ``部分无效`` …).
"""

from __future__ import annotations

import datetime as _dt

from .numbers import DESIGN, INVENTION, UTILITY_MODEL

__all__ = [
    "ACTIVE",
    "LAPSED",
    "LEGAL_STATUSES",
    "PENDING",
    "DESIGN_15Y_FROM",
    "expiry_date",
    "in_force",
    "normalize_legal_status",
    "remaining_life_years",
    "term_years",
]

ACTIVE = "有效"
PENDING = "审中"
LAPSED = "失效"
LEGAL_STATUSES: tuple[str, ...] = (ACTIVE, PENDING, LAPSED)

#: Designs filed on or after this date get a 15-year term.
DESIGN_15Y_FROM = _dt.date(2021, 6, 1)


def term_years(patent_type: str, filing_date: _dt.date) -> int:
    """Length of the term in years for a 专利类型 and 申请日."""
    if patent_type == INVENTION:
        return 20
    if patent_type == UTILITY_MODEL:
        return 10
    if patent_type == DESIGN:
        return 15 if filing_date >= DESIGN_15Y_FROM else 10
    raise ValueError(f"未知的专利类型 / unknown patent type: {patent_type!r}")


def _add_years(day: _dt.date, years: int) -> _dt.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def expiry_date(patent_type: str, filing_date: _dt.date) -> _dt.date:
    """期限届满日: the last day of the term (filing date + term − 1 day)."""
    return _add_years(filing_date, term_years(patent_type, filing_date)) - _dt.timedelta(days=1)


def remaining_life_years(patent_type: str, filing_date: _dt.date, on_date: _dt.date | None = None) -> float:
    """剩余保护期 in years (365.25-day years) on ``on_date`` (default today); never negative."""
    on_date = on_date or _dt.date.today()
    days = (expiry_date(patent_type, filing_date) - on_date).days + 1
    return max(0.0, round(days / 365.25, 4))


def in_force(
    legal_status: str | None,
    on_date: _dt.date | None = None,
    *,
    expiry: _dt.date | None = None,
    lapse_date: _dt.date | None = None,
    grant_date: _dt.date | None = None,
) -> bool:
    """Whether the right is in force (有效) on ``on_date``.

    ``legal_status`` is the current normalised status (有效/审中/失效, or a detail
    text, normalised here).  A lapse date (失效日期) or expiry before ``on_date``
    means not in force; a 失效 patent whose lapse date is later than ``on_date`` was
    still in force then (if it had been granted by that date).  A pending (审中)
    application is never in force.
    """
    on_date = on_date or _dt.date.today()
    status = normalize_legal_status(legal_status) if legal_status else None
    if expiry is not None and on_date > expiry:
        return False
    if lapse_date is not None and on_date >= lapse_date:
        return False
    if grant_date is not None and on_date < grant_date:
        return False
    if status == ACTIVE:
        return True
    if status == LAPSED:
        return lapse_date is not None and on_date < lapse_date and grant_date is not None
    return False


# Checked in order; the first rule whose keyword occurs in the text wins.
_RULES: tuple[tuple[str, str], ...] = (
    ("部分无效", ACTIVE),  # partially invalidated: the rest stays in force
    ("全部无效", LAPSED),
    ("宣告无效", LAPSED),
    ("复审", PENDING),  # 驳回复审 in progress
    ("恢复", ACTIVE),  # 权利恢复
    ("未缴年费", LAPSED),
    ("期限届满", LAPSED),
    ("届满", LAPSED),
    ("权利终止", LAPSED),
    ("终止", LAPSED),
    ("视为撤回", LAPSED),
    ("撤回", LAPSED),
    ("视为放弃", LAPSED),
    ("放弃", LAPSED),
    ("驳回", LAPSED),
    ("无效", LAPSED),
    ("失效", LAPSED),
    ("无权", LAPSED),
    ("避重授权", ACTIVE),
    ("授权", ACTIVE),
    ("有权", ACTIVE),
    ("有效", ACTIVE),
    ("维持", ACTIVE),
    ("转让", ACTIVE),
    ("许可", ACTIVE),
    ("质押", ACTIVE),
    ("实质审查", PENDING),
    ("实审", PENDING),
    ("审中", PENDING),
    ("审查", PENDING),
    ("公开", PENDING),
    ("受理", PENDING),
    ("pending", PENDING),
    ("expired", LAPSED),
    ("lapsed", LAPSED),
    ("withdrawn", LAPSED),
    ("revoked", LAPSED),
    ("refused", LAPSED),
    ("abandoned", LAPSED),
    ("granted", ACTIVE),
    ("active", ACTIVE),
    ("in force", ACTIVE),
)
_PREFIXES = {"有权": ACTIVE, "有效": ACTIVE, "审中": PENDING, "无权": LAPSED, "失效": LAPSED}


def normalize_legal_status(text: str | None) -> str | None:
    """Map a detailed legal status text to 有效 / 审中 / 失效 (``None`` if unknown).

    An explicit database prefix (``有权-…``, ``审中-…``, ``无权-…``) decides first;
    multi-valued texts (``授权;权利转移``) are judged as a whole by keyword order.
    """
    if not text or not str(text).strip():
        return None
    value = str(text).strip()
    if value in LEGAL_STATUSES:
        return value
    head = value.split("-", 1)[0].split("－", 1)[0].strip()
    if head in _PREFIXES and head != value:
        return _PREFIXES[head]
    lowered = value.lower()
    for keyword, status in _RULES:
        if keyword in lowered:
            return status
    return None
