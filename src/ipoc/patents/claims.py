"""Claims (权利要求书): splitting full claim text, dependency references, breadth of claim 1.

* :func:`split_claims` cuts a full claim text into numbered :class:`Claim` objects.
  Chinese numbering ``1.`` ``2、`` ``1．`` and English ``1.`` are recognised; a
  claim number must follow a line break or a sentence end (``。``/``.``) and the
  numbers must run 1, 2, 3 …, so ``3.5 mm`` or a step list ``1)…；2)…`` inside a
  claim does not start a new claim.
* :func:`claim_references` finds the claims a claim refers to (引用关系):
  ``根据权利要求1所述``, ``如权利要求1-3任一项所述``, ``权利要求1或2``,
  ``claim 1``, ``claims 1 to 3``, ``any one of claims 1-3``, ``claim 1 or 2``.
  A claim with references is a dependent claim (从属权利要求), one without is an
  independent claim (独立权利要求).
* :func:`claim_breadth` measures claim 1 (保护范围宽度 proxy for valuation): its
  length in characters and words and its number of technical features
  (技术特征), i.e. segments separated by ``；``/``;`` — or, when a claim has no
  semicolon, by ``，``/``,``.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

__all__ = ["Claim", "ClaimBreadth", "claim_breadth", "claim_references", "split_claims", "build_claims"]


@dataclass(slots=True)
class Claim:
    """One claim (一项权利要求)."""

    number: int
    text: str
    independent: bool = True
    refers_to: list[int] = field(default_factory=list)

    def to_dict(self) -> dict[str, object]:
        return {"number": self.number, "text": self.text, "independent": self.independent, "refers_to": self.refers_to}

    @classmethod
    def from_dict(cls, data: dict[str, object]) -> Claim:
        refs = [int(r) for r in data.get("refers_to") or ()]  # type: ignore[union-attr]
        independent = data.get("independent")
        text = data.get("text")
        return cls(
            int(data["number"]),  # type: ignore[arg-type]
            text if isinstance(text, str) else str(text or ""),
            (not refs) if independent is None else bool(independent),
            refs,
        )


@dataclass(frozen=True, slots=True)
class ClaimBreadth:
    """Size of claim 1: fewer characters/features usually means a broader claim (保护范围更宽)."""

    chars: int
    words: int
    features: int


# A claim number: at the start, or after a line break / sentence end / whitespace,
# followed by a separator; the number itself is then checked for sequence.
_NUMBER = re.compile(r"(?<![\d.．])(\d{1,3})\s*[\.．、](?!\d)\s*")
_HAN = re.compile(r"[\u3400-\u9fff]")
_WORD = re.compile(r"[A-Za-z0-9]+(?:[-'][A-Za-z0-9]+)*")


def split_claims(text: str | None) -> list[Claim]:
    """Split a full claim text into claims numbered 1..n, with references resolved.

    Text without any recognisable claim number becomes a single claim 1.  A text
    cut off at the start (the first number found is N > 1 at a line start) keeps
    its leading fragment as the tail of claim N-1.
    """
    if not text or not text.strip():
        return []
    text = text.replace("\r\n", "\n").strip()
    starts: list[tuple[int, int, int]] = []  # (number, start of number, start of text)
    expected: int | None = None
    for match in _NUMBER.finditer(text):
        number = int(match.group(1))
        if not _at_claim_boundary(text, match.start()):
            continue
        if expected is None:
            # the first claim is 1, or — for a truncated source text — any number
            # at the very start or at a line start
            if number != 1 and not (match.start() == 0 or text[match.start() - 1] == "\n"):
                continue
        elif number != expected:
            continue
        starts.append((number, match.start(), match.end()))
        expected = number + 1
    if not starts:
        return build_claims([text])
    bodies: list[str] = []
    numbers: list[int] = []
    lead = text[: starts[0][1]].strip()
    if lead and starts[0][0] > 1:
        # text cut off mid-claim: the fragment is the tail of the preceding claim
        bodies.append(lead)
        numbers.append(starts[0][0] - 1)
    elif lead:
        starts[0] = (starts[0][0], 0, 0)  # no real claim number before "1.": keep the text whole
    for i, (number, _start, body_start) in enumerate(starts):
        end = starts[i + 1][1] if i + 1 < len(starts) else len(text)
        bodies.append(text[body_start:end].strip())
        numbers.append(number)
    return build_claims(bodies, numbers)


def _at_claim_boundary(text: str, pos: int) -> bool:
    before = text[:pos].rstrip(" \t\u3000")
    return not before or before[-1] in "\n。."


def build_claims(texts: Sequence[str], numbers: Sequence[int] | None = None) -> list[Claim]:
    """Make :class:`Claim` objects from claim texts (numbered 1..n unless ``numbers`` given)."""
    claims = []
    for i, body in enumerate(texts):
        number = numbers[i] if numbers else i + 1
        refs = [r for r in claim_references(body) if r < number]
        claims.append(Claim(number=number, text=body, independent=not refs, refers_to=refs))
    return claims


_CN_REF = re.compile(r"权利要求\s*((?:\d+|[\-－—~～至到或、,，和及与以及]|权利要求|中|\s)+)")
_EN_REF = re.compile(
    r"\bclaims?\s+((?:\d+|\s|,|-|–|—|\bto\b|\bthrough\b|\bor\b|\band\b|\bclaims?\b)+)", re.IGNORECASE
)
_RANGE_SEP = re.compile(r"^\s*(?:[\-－—~～–]|至|到|to|through)\s*$", re.IGNORECASE)


def claim_references(text: str) -> list[int]:
    """Claim numbers referred to in a claim text (sorted, unique)."""
    refs: set[int] = set()
    norm = unicodedata.normalize("NFKC", text)
    for pattern in (_CN_REF, _EN_REF):
        for match in pattern.finditer(norm):
            refs.update(_expand(match.group(1)))
    return sorted(refs)


def _expand(expression: str) -> Iterable[int]:
    """Expand ``1-3或5`` / ``1 to 3, or 5`` into 1, 2, 3, 5."""
    parts = re.split(r"(\d+)", expression)
    numbers: list[int] = []
    pending_range = False
    for part in parts:
        if part.isdecimal():
            value = int(part)
            if pending_range and numbers and value > numbers[-1] and value - numbers[-1] < 500:
                numbers.extend(range(numbers[-1] + 1, value + 1))
            else:
                numbers.append(value)
            pending_range = False
        elif part:
            pending_range = bool(_RANGE_SEP.match(part))
    return numbers


_SPACE = re.compile(r"\s+")


def claim_breadth(claims: Sequence[Claim] | str) -> ClaimBreadth:
    """Breadth measures of claim 1 (first independent claim); accepts claims or claim-1 text."""
    if isinstance(claims, str):
        text = claims
    else:
        first = next((c for c in claims if c.independent), claims[0] if claims else None)
        text = first.text if first else ""
    text = text.strip()
    chars = len(_SPACE.sub("", text))
    words = len(_HAN.findall(text)) + len(_WORD.findall(text))
    segments = [s for s in re.split(r"[；;]", text) if s.strip()]
    if len(segments) <= 1:
        segments = [s for s in re.split(r"[，,]", text) if s.strip()]
    return ClaimBreadth(chars=chars, words=words, features=len(segments) if text else 0)
