"""Bounded numbers and dates for filters, path parameters and schemas: bad input is a 400 naming the
field, never a 500.

The database stores 64-bit integers (SQLite raises ``OverflowError`` past 2**63-1), Python dates stop at
year 9999 (``ValueError`` for a year filter of 778518) and the search index keeps dates as nanosecond
timestamps (1677–2262). Filters and schemas use the types and checks here:

* ``DbId`` / ``DbInt`` / ``Year`` / ``BoundedDate`` — pydantic (django-ninja) annotations with ge/le, so the
  OpenAPI schema states the range and a value outside it is a 422 naming the parameter;
* :func:`check_id`, :func:`check_year`, :func:`check_date` and :func:`parse_int` — for selectors and page
  filters, raising ``ApplicationError`` (400) with the field;
* :func:`bad_input_error` — the last resort: after an ``OverflowError`` (or a ``ValueError`` caused by a
  date or year out of range) it finds the parameter that caused it in the request and answers 400 with
  that parameter's name. Used by the API's exception handlers and by the page middleware.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from typing import Annotated, Any

from pydantic import BeforeValidator, Field
from pydantic_core import PydanticCustomError

from ipoc.core.errors import ApplicationError

MAX_DB_INT = 2**63 - 1
MIN_DB_INT = -(2**63)
MIN_YEAR, MAX_YEAR = 1700, 2199
MIN_DATE, MAX_DATE = dt.date(MIN_YEAR, 1, 1), dt.date(MAX_YEAR, 12, 31)



def _not_bool(value: Any) -> Any:
    """``true`` is not an id: pydantic's lax mode would read it as 1 (a record the caller never named)."""
    if isinstance(value, bool):
        raise PydanticCustomError("int_type", "Input should be a valid integer")
    return value


DbId = Annotated[int, BeforeValidator(_not_bool), Field(ge=0, le=MAX_DB_INT)]
DbInt = Annotated[int, BeforeValidator(_not_bool), Field(ge=MIN_DB_INT, le=MAX_DB_INT)]
Year = Annotated[int, Field(ge=MIN_YEAR, le=MAX_YEAR)]
BoundedDate = Annotated[dt.date, Field(ge=MIN_DATE, le=MAX_DATE)]


class BadInput(ApplicationError):
    """A parameter out of range. The message says what is wrong with the value; the API names the parameter
    in ``field``, a form shows the message under it, and the error page prefixes it (``shown_with_field``)."""

    status = 400
    code = "out_of_range"

    def shown_with_field(self) -> BadInput:
        return BadInput(f"参数 {self.field}：{self.message}" if self.field else self.message, field=self.field)


def _out_of_range(field: str, value: Any, what: str) -> BadInput:
    shown = str(value)
    if len(shown) > 40:
        shown = shown[:37] + "…"
    return BadInput(f"{shown} 超出范围（{what}）", field=field)


def check_id(value: Any, field: str) -> int | None:
    """An id filter: ``None``/"" pass through; anything else must be an integer the database can hold."""
    return parse_int(value, field, minimum=0, maximum=MAX_DB_INT)


def parse_int(value: Any, field: str, *, minimum: int = MIN_DB_INT, maximum: int = MAX_DB_INT) -> int | None:
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        raise BadInput("应为整数", field=field)
    try:
        number = int(str(value).strip()) if not isinstance(value, int) else value
    except ValueError:
        raise BadInput(f"应为整数：{str(value)[:40]}", field=field) from None
    if not minimum <= number <= maximum:
        raise _out_of_range(field, number, f"{minimum} 至 {maximum}")
    return number


def check_year(value: Any, field: str) -> int | None:
    return parse_int(value, field, minimum=MIN_YEAR, maximum=MAX_YEAR)


def check_date(value: dt.date | None, field: str) -> dt.date | None:
    if value is None:
        return None
    if not MIN_DATE <= value <= MAX_DATE:
        raise _out_of_range(field, value.isoformat(), f"{MIN_DATE.isoformat()} 至 {MAX_DATE.isoformat()}")
    return value


# ---------------------------------------------------------------- the last resort

_INT = re.compile(r"^\s*[+-]?\d+\s*$")
_DATE = re.compile(r"^\s*([+-]?\d{1,9})-(\d{1,2})-(\d{1,2})")


def _culprit(name: str, value: Any, *, dates: bool) -> BadInput | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        text = str(value)
    elif isinstance(value, str):
        text = value
    else:
        return None
    if len(text) > 4000:
        return None
    if _INT.match(text):
        number = int(text)
        if not MIN_DB_INT <= number <= MAX_DB_INT:
            return _out_of_range(name, number, "整数不能超过 2^63-1")
        if dates and "year" in name.lower() and not MIN_YEAR <= number <= MAX_YEAR:
            return _out_of_range(name, number, f"年份 {MIN_YEAR} 至 {MAX_YEAR}")
        return None
    match = _DATE.match(text) if dates else None
    if match and not MIN_YEAR <= int(match.group(1)) <= MAX_YEAR:
        return _out_of_range(name, text.strip(), f"日期 {MIN_DATE.isoformat()} 至 {MAX_DATE.isoformat()}")
    return None


def _walk(value: Any, path: str):
    if isinstance(value, dict):
        for k, v in value.items():
            yield from _walk(v, f"{path}.{k}" if path else str(k))
    elif isinstance(value, list):
        for i, v in enumerate(value[:1000]):
            yield from _walk(v, f"{path}.{i}" if path else str(i))
    else:
        yield path, value


def _parameters(request) -> list[tuple[str, Any]]:
    found: list[tuple[str, Any]] = []
    match = getattr(request, "resolver_match", None)
    if match is not None:
        found += list(match.kwargs.items())
    found += [(k, v) for k, values in request.GET.lists() for v in values]
    content_type = request.META.get("CONTENT_TYPE", "")
    if request.method in ("POST", "PUT", "PATCH"):
        if content_type.startswith("application/json"):
            try:
                body = json.loads(request.body or b"null")
            except (ValueError, RecursionError):
                body = None
            found += list(_walk(body, ""))
        else:
            try:
                found += [(k, v) for k, values in request.POST.lists() for v in values]
            except Exception:
                pass
    return found


def bad_input_error(request, exc: BaseException) -> BadInput | None:
    """A 400 for an error caused by a parameter out of range, naming it; ``None`` when the error is not
    explained by the input (then it is a real failure and stays a 500)."""
    if not isinstance(exc, (OverflowError, ValueError)):
        return None
    nul = "NUL" in str(exc)  # PostgreSQL refuses text with a NUL character (psycopg raises ValueError)
    for name, value in _parameters(request):
        if nul and isinstance(value, str) and "\x00" in value:
            return BadInput("不能包含空字符（NUL）", field=name or "body")
        error = _culprit(name or "body", value, dates=True)
        if error is not None:
            return error
    if isinstance(exc, OverflowError) or "out of range" in str(exc):
        return BadInput("输入的数值超出可处理的范围", field=None)
    return None
