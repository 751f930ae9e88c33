"""Canonical patent numbers: 申请号 (application numbers) and 公开号/公告号 (publication numbers).

Canonical forms chosen here (the raw input is always kept beside them):

* CN application number (申请号): ``CN`` + 12 digits (from 2003: 4-digit year, one
  type digit, 7-digit serial) or 8 digits (before 2003: 2-digit year, type digit,
  5-digit serial), then ``.`` and the check digit (校验位), e.g.
  ``CN201910123456.7`` or ``CN98123456.X``.  The ``ZL`` prefix (专利号) is dropped.
* Other application numbers: country code + digits, keeping a given ``.`` check
  digit as is (EPO ``EP17171508.9``; USPTO ``US29381217``).
* Publication numbers (公开号/授权公告号): country + number without spaces,
  slashes or leading zeros of the serial, + kind code, e.g. ``CN112345678A``,
  ``US8145678B2``, ``USD656296S1``, ``US20120123456A1``, ``EP1234567B1``.

The CN check digit is ``sum(d_i * w_i) mod 11`` with weights 2,3,4,5,6,7,8,9,2,3,4,5
(8-digit form: 2..9); a remainder of 10 is written ``X``.  A *wrong* check digit
raises :class:`CheckDigitError`; a *missing* one is computed and flagged
(``ApplicationNumber.check_digit_computed``).
"""

from __future__ import annotations

import datetime as _dt
import operator
import re
import unicodedata
from typing import NamedTuple

__all__ = [
    "ApplicationNumber",
    "CheckDigitError",
    "PatentNumberError",
    "PublicationNumber",
    "cn_check_digit",
    "normalize_text",
    "parse_application_number",
    "parse_publication_number",
    "patent_type_from_application",
    "patent_type_from_kind",
    "PATENT_TYPES",
]

#: 专利类型 values used throughout IPOC.
INVENTION = "发明"
UTILITY_MODEL = "实用新型"
DESIGN = "外观设计"
PATENT_TYPES: tuple[str, ...] = (INVENTION, UTILITY_MODEL, DESIGN)

#: CN 申请号 type digit → 专利类型 (8 = PCT 发明 entering China, 9 = PCT 实用新型).
CN_TYPE_DIGITS: dict[str, str] = {
    "1": INVENTION,
    "2": UTILITY_MODEL,
    "3": DESIGN,
    "8": INVENTION,
    "9": UTILITY_MODEL,
}

_THIS_YEAR = _dt.date.today().year
_WEIGHTS_12 = (2, 3, 4, 5, 6, 7, 8, 9, 2, 3, 4, 5)
_WEIGHTS_8 = (2, 3, 4, 5, 6, 7, 8, 9)


class PatentNumberError(ValueError):
    """A patent number that cannot be understood (号码格式错误)."""


class CheckDigitError(PatentNumberError):
    """A CN application number whose check digit does not match (申请号校验位错误)."""

    def __init__(self, raw: str, given: str, expected: str) -> None:
        self.raw = raw
        self.given = given
        self.expected = expected
        super().__init__(
            f"申请号校验位错误：{raw!r} 的校验位为 {given}，应为 {expected} / "
            f"wrong check digit in application number {raw!r}: got {given}, expected {expected}"
        )


def normalize_text(value: str) -> str:
    """Fold full-width characters (全角) to ASCII (NFKC) and strip surrounding whitespace."""
    return unicodedata.normalize("NFKC", value).strip()


def cn_check_digit(body: str) -> str:
    """Return the check digit (校验位) of a 12- or 8-digit CN application number body."""
    if not body.isdigit() or len(body) not in (8, 12):
        raise PatentNumberError(f"申请号主体应为 8 或 12 位数字 / application number body must be 8 or 12 digits: {body!r}")
    weights = _WEIGHTS_12 if len(body) == 12 else _WEIGHTS_8
    remainder = sum(map(operator.mul, map(int, body), weights)) % 11
    return "X" if remainder == 10 else str(remainder)


class ApplicationNumber(NamedTuple):
    """A parsed application number (申请号); immutable."""

    raw: str
    canonical: str
    country: str
    body: str
    check_digit: str | None
    check_digit_computed: bool = False
    year: int | None = None
    type_digit: str | None = None

    @property
    def patent_type(self) -> str | None:
        """专利类型 implied by the CN type digit, else ``None``."""
        if self.country == "CN" and self.type_digit:
            return CN_TYPE_DIGITS.get(self.type_digit)
        return None

    @property
    def is_pct(self) -> bool:
        """True for CN national-phase PCT applications (type digit 8 or 9)."""
        return self.country == "CN" and self.type_digit in ("8", "9")


class PublicationNumber(NamedTuple):
    """A parsed publication or grant number (公开号 / 授权公告号); immutable."""

    raw: str
    canonical: str
    country: str
    number: str
    kind: str | None

    @property
    def patent_type(self) -> str | None:
        """专利类型 implied by country and kind code."""
        return patent_type_from_kind(self.country, self.kind, self.number)


_CN_APP_CANONICAL = re.compile(r"^CN(\d{12}|\d{8})\.([0-9X])$")
_APP_CLEAN = re.compile(r"[\s\-_/,]")
_CN_APP = re.compile(r"^(?:CN|ZL)?(\d{8}|\d{12})(?:\.?([0-9X]))?$")
_GENERIC_APP = re.compile(r"^([A-Z]{2})(\d[\dA-Z]*)(?:\.([0-9X]))?$")


def parse_application_number(raw: str, country: str | None = None) -> ApplicationNumber:
    """Parse an application number (申请号) into its canonical form.

    Accepts ``CN201910123456.7``, ``201910123456.7``, ``ZL 2019 1 0123456.7``,
    ``2019101234567``, ``201910123456`` (check digit computed and flagged),
    full-width digits, the pre-2003 8-digit form, and foreign numbers
    (``EP17171508.9``, ``US29381217``; ``country`` supplies the code when absent).

    Raises :class:`CheckDigitError` for a wrong CN check digit and
    :class:`PatentNumberError` for anything unreadable.
    """
    if raw is None or not str(raw).strip():
        raise PatentNumberError("申请号为空 / empty application number")
    fast = _CN_APP_CANONICAL.match(raw) if isinstance(raw, str) else None
    if fast is not None and country in (None, "CN"):  # already canonical: skip normalisation
        return _cn_application(raw, fast.group(1), fast.group(2))
    text = _APP_CLEAN.sub("", normalize_text(str(raw)).upper())
    text = text.replace("·", ".")
    country_code = (country or "").upper()
    if text.startswith("ZL"):
        country_code = "CN"
    elif text[:2].isalpha():
        country_code = text[:2]
    if country_code in ("", "CN"):
        # CN forms: the body may carry its check digit as a 13th/9th char without a dot.
        digits = text[2:] if text[:2] in ("CN", "ZL") else text
        match = _CN_APP.match(digits)
        if match is None and re.fullmatch(r"\d{13}|\d{12}X|\d{9}|\d{8}X", digits):
            match = _CN_APP.match(digits[:-1] + "." + digits[-1])
        if match is not None:
            return _cn_application(str(raw), match.group(1), match.group(2))
        if country_code == "CN":
            raise PatentNumberError(
                f"无法识别的中国申请号 / unrecognised CN application number: {raw!r}"
            )
        raise PatentNumberError(f"无法识别的申请号 / unrecognised application number: {raw!r}")
    rest = text[2:] if text[:2] == country_code else text
    match = _GENERIC_APP.match(country_code + rest)
    if match is None:
        raise PatentNumberError(f"无法识别的申请号 / unrecognised application number: {raw!r}")
    body, check = match.group(2), match.group(3)
    canonical = f"{country_code}{body}" + (f".{check}" if check else "")
    return ApplicationNumber(raw=str(raw), canonical=canonical, country=country_code, body=body, check_digit=check)


def _cn_application(raw: str, body: str, given: str | None) -> ApplicationNumber:
    if len(body) == 12:
        year, type_digit = int(body[:4]), body[4]
        if not 2003 <= year <= _THIS_YEAR + 1:
            raise PatentNumberError(
                f"申请号年份 {year} 不合理 / implausible year {year} in application number {raw!r}"
            )
    else:
        yy, type_digit = int(body[:2]), body[2]
        year = 1900 + yy if yy >= 85 else 2000 + yy
        if year > 2003:
            raise PatentNumberError(
                f"8 位申请号仅用于 2003 年以前 / 8-digit application numbers predate 2003: {raw!r}"
            )
    if type_digit not in CN_TYPE_DIGITS:
        raise PatentNumberError(
            f"申请号类型位 {type_digit} 无效 / invalid type digit {type_digit} in application number {raw!r}"
        )
    expected = cn_check_digit(body)
    if given is not None and given != expected:
        raise CheckDigitError(raw, given, expected)
    return ApplicationNumber(
        raw=raw,
        canonical=f"CN{body}.{expected}",
        country="CN",
        body=body,
        check_digit=expected,
        check_digit_computed=given is None,
        year=year,
        type_digit=type_digit,
    )


_CN_PUB_CANONICAL = re.compile(r"^CN([1-9]\d{6,8})([ABCUYS]\d?)$")
_PUB_CLEAN = re.compile(r"[\s/,\-_.]")
_PUB = re.compile(r"^([A-Z]{2})([A-Z]{0,2}?)(\d+)([A-Z]\d?)?$")


def parse_publication_number(raw: str, country: str | None = None, kind: str | None = None) -> PublicationNumber:
    """Parse a publication / grant number (公开号、授权公告号) into canonical form.

    Examples: ``'CN 1234567 C'`` → ``CN1234567C``; ``'US 2012/0123456 A1'`` →
    ``US20120123456A1``; ``'EP 1 234 567 B1'`` → ``EP1234567B1``; USPTO XML
    ``D0656296`` + kind ``S1`` → ``USD656296S1``.  ``country`` and ``kind`` fill in
    what the raw text lacks (e.g. XML ``<doc-number>`` without ``<country>``).
    """
    if raw is None or not str(raw).strip():
        raise PatentNumberError("公开号为空 / empty publication number")
    fast = _CN_PUB_CANONICAL.match(raw) if isinstance(raw, str) and country in (None, "CN") else None
    if fast is not None:  # already canonical CN: skip normalisation
        return PublicationNumber(raw=raw, canonical=raw, country="CN", number=fast.group(1), kind=fast.group(2))
    text = _PUB_CLEAN.sub("", normalize_text(str(raw)).upper())
    if country and not text.startswith(country.upper()):
        text = country.upper() + text
    elif not text[:2].isalpha():
        raise PatentNumberError(f"公开号缺少国家代码 / publication number lacks a country code: {raw!r}")
    if kind and not re.search(r"\d[A-Z]\d?$", text):
        text += normalize_text(kind).upper()
    match = _PUB.match(text)
    if match is None:
        raise PatentNumberError(f"无法识别的公开号 / unrecognised publication number: {raw!r}")
    cc, prefix, digits, kind_code = match.groups()
    if cc == "US" and not prefix and len(digits) == 11 and digits[:2] in ("19", "20"):
        number = digits  # pre-grant publication: year + 7-digit serial, zeros kept
    else:
        number = prefix + (digits.lstrip("0") or "0")
    if cc == "CN" and not 7 <= len(number) <= 9:
        raise PatentNumberError(f"中国公开号应为 7–9 位数字 / CN publication numbers have 7–9 digits: {raw!r}")
    if kind_code and cc == "CN" and kind_code[0] not in "ABCUYS":
        raise PatentNumberError(f"未知的中国文献种类代码 {kind_code} / unknown CN kind code {kind_code}: {raw!r}")
    canonical = f"{cc}{number}{kind_code or ''}"
    return PublicationNumber(raw=str(raw), canonical=canonical, country=cc, number=number, kind=kind_code)


def patent_type_from_kind(country: str, kind: str | None, number: str = "") -> str | None:
    """Derive 专利类型 from a kind code (文献种类代码).

    CN: A/B/C → 发明, U/Y → 实用新型, S → 外观设计.  US: ``S``/``D…`` → 外观设计,
    other kinds → 发明.  EP and WO publications are inventions.
    """
    if not kind:
        if country == "US" and number.startswith("D"):
            return DESIGN
        return None
    letter = kind[0].upper()
    if country == "CN":
        return {"A": INVENTION, "B": INVENTION, "C": INVENTION, "U": UTILITY_MODEL, "Y": UTILITY_MODEL, "S": DESIGN}.get(
            letter
        )
    if country == "US":
        return DESIGN if letter == "S" or number.startswith("D") else INVENTION
    if country in ("EP", "WO"):
        return INVENTION
    if letter == "U" or letter == "Y":
        return UTILITY_MODEL
    if letter == "S":
        return DESIGN
    return INVENTION if letter in "ABC" else None


def patent_type_from_application(number: ApplicationNumber | str) -> str | None:
    """Derive 专利类型 from a CN application number's type digit."""
    parsed = number if isinstance(number, ApplicationNumber) else parse_application_number(number)
    return parsed.patent_type
