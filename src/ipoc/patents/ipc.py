"""IPC / CPC classification symbols (国际专利分类号 / 联合专利分类号).

Canonical form: ``<subclass><main group>/<subgroup>`` without spaces or version,
e.g. ``H04N5/225``.  Accepted inputs:

* ``H04N 5/225``, ``H04N5/225(2006.01)``, ``H04N 5/225 (2006.01)``
* the fixed-width 14-character form ``H04N0005225000`` (4 subclass + 4 main group
  + 6 subgroup digits) used by EPO/USPTO bulk data
* EPO ``classification-ipcr`` text ``H01F  27/14        20060101AFI20171122BHEP``
* a bare subclass ``H04N`` (kept as is) or main group ``H04N5`` → ``H04N5/00``

Sections A–H are IPC; CPC additionally has section Y (``Y02E10/50``).
Subgroups lose trailing zeros but keep at least two digits (``5/00``, ``5/10``).
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

__all__ = ["IPCError", "is_valid_ipc", "normalize_ipc", "normalize_ipc_list", "ipc_subclass", "ipc_main_group", "try_normalize_ipc"]


class IPCError(ValueError):
    """An unreadable classification symbol (分类号格式错误)."""


_FIXED = re.compile(r"^([A-HY]\d{2}[A-Z])(\d{4})(\d{6})")
_SPACED = re.compile(r"^([A-HY])\s*(\d{2})\s*([A-Z])\s*(\d{1,4})\s*/\s*(\d{1,6})(?![\d/])")
_SUBCLASS = re.compile(r"^([A-HY])\s*(\d{2})\s*([A-Z])$")
_MAIN_GROUP = re.compile(r"^([A-HY])\s*(\d{2})\s*([A-Z])\s*(\d{1,4})$")


def _subgroup(digits: str) -> str:
    digits = digits.rstrip("0")
    return digits.ljust(2, "0")


@lru_cache(maxsize=65536)
def normalize_ipc(symbol: str) -> str:
    """Return the canonical form of an IPC/CPC symbol, raising :class:`IPCError` if unreadable (cached)."""
    if symbol is None:
        raise IPCError("分类号为空 / empty classification symbol")
    text = unicodedata.normalize("NFKC", str(symbol)).strip().upper()
    text = re.sub(r"\(\s*\d{4}\.\d{2}\s*\)", "", text).strip()  # version (2006.01)
    if not text:
        raise IPCError("分类号为空 / empty classification symbol")
    match = _FIXED.match(text.replace(" ", ""))
    if match and not _SPACED.match(text):
        subclass, group, sub = match.groups()
        return f"{subclass}{int(group)}/{_subgroup(sub)}"
    match = _SPACED.match(text)
    if match:
        section, klass, sub_letter, group, sub = match.groups()
        return f"{section}{klass}{sub_letter}{int(group)}/{_subgroup(sub)}"
    match = _MAIN_GROUP.match(text)
    if match:
        section, klass, sub_letter, group = match.groups()
        return f"{section}{klass}{sub_letter}{int(group)}/00"
    match = _SUBCLASS.match(text)
    if match:
        return "".join(match.groups())
    raise IPCError(f"无法识别的分类号 / unrecognised classification symbol: {symbol!r}")


def try_normalize_ipc(symbol: str) -> str | None:
    """:func:`normalize_ipc`, returning ``None`` instead of raising."""
    try:
        return normalize_ipc(symbol)
    except IPCError:
        return None


def is_valid_ipc(symbol: str) -> bool:
    """True if ``symbol`` is a readable IPC/CPC symbol."""
    return try_normalize_ipc(symbol) is not None


def ipc_subclass(symbol: str) -> str:
    """The subclass (小类) of a symbol: ``H04N 5/225`` → ``H04N``."""
    return normalize_ipc(symbol)[:4]


def ipc_main_group(symbol: str) -> str:
    """The main group (大组) of a symbol: ``H04N5/225`` → ``H04N5/00``."""
    canonical = normalize_ipc(symbol)
    if "/" not in canonical:
        raise IPCError(f"分类号没有大组 / symbol has no main group: {symbol!r}")
    return canonical.split("/")[0] + "/00"


def normalize_ipc_list(cell: str | list[str] | None) -> tuple[list[str], list[str]]:
    """Split a multi-valued cell (``;``/``；``/``,``/``|``) and normalise each symbol.

    Returns ``(symbols, unreadable)``, both without duplicates and in input order.
    """
    if not cell:
        return [], []
    items = cell if isinstance(cell, list) else re.split(r"[;；,，|\n]", str(cell))
    out: list[str] = []
    bad: list[str] = []
    for item in items:
        item = item.strip()
        if not item:
            continue
        canonical = try_normalize_ipc(item)
        if canonical is None:
            bad.append(item)
        elif canonical not in out:
            out.append(canonical)
    return out, bad
