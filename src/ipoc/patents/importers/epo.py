"""EPO publication server XML (``<ep-patent-document>``, DTD 1.0–1.5.1): A and B publications.

Bibliographic data comes from the ST.36 ``SDOBI`` B-tags: B110/B130/B140 number,
kind and date; B210/B220 application; B300 priorities; B430/B450 publication and
grant dates; B510/B510EP IPC; B540 titles (B541 language + B542 title); B560
citations (B561 patent, B562 non-patent); B710 applicants; B730 proprietors;
B720 inventors; B740 representatives.  Titles and claims in every language
present (en/de/fr, zh if any) are kept: the document language (``lang``) gives
``title``/``claims``, all languages go to ``title_translations`` /
``claims_translations``.  One file may hold one document (or several
concatenated; they are split like USPTO bulk files).
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from pathlib import Path

from ..claims import Claim, claim_references
from ..ipc import try_normalize_ipc
from ..numbers import INVENTION, PatentNumberError, parse_publication_number
from ..records import Citation, Party, PatentRecord, PriorityClaim, classify_applicant
from .base import ImportItem, RowError, apply_numbers, parse_date
from .uspto import iter_documents, squash_whitespace

__all__ = ["iter_epo", "record_from_epo_xml", "parse_ep_citation"]


def iter_epo(path: str | Path) -> Iterator[ImportItem]:
    """Yield ``(line, record, errors)`` per ``<ep-patent-document>`` in a file."""
    file = Path(path).name
    for line_no, root, repairs, error in iter_documents(path):
        if root is None:
            yield line_no, None, [RowError(file, line_no, "xml", error)]
            continue
        item = record_from_epo_xml(root, file, line_no)
        if repairs and item[1] is not None:
            item[1].flags.append(f"xml: 修复了 {repairs} 处未转义的 & 或 < / repaired {repairs} unescaped & or <")
        yield item


def _text(el: ET.Element | None) -> str:
    if el is None:
        return ""
    return squash_whitespace("".join(el.itertext()))


_CITATION = re.compile(r"^\s*([A-Z]{2})\s*-\s*([A-Z]\d?)\s*-\s*(.+?)\s*$")


def parse_ep_citation(text: str) -> Citation:
    """Parse an EPO citation text (``EP-A1- 3 109 871``, ``US-A1- 2008 197 955``, ``WO-A-03/008444``)."""
    match = _CITATION.match(text)
    if not match:
        return Citation(text=text)
    country, kind, number = match.groups()
    digits = re.sub(r"[\s/]", "", number)
    if country == "US" and kind.startswith("A") and len(digits) == 10 and digits[:2] in ("19", "20"):
        digits = digits[:4] + "0" + digits[4:]  # 2008 197 955 → 20080197955
    if country == "WO" and len(digits) == 8 and digits[:2].isdecimal():
        digits = ("19" if digits[:2] > "50" else "20") + digits  # WO 03/008444 → WO2003008444
    try:
        return Citation(number=parse_publication_number(digits, country, kind).canonical, text=text)
    except PatentNumberError:
        return Citation(text=text)


def _claims(el: ET.Element) -> list[Claim]:
    claims = []
    for i, claim in enumerate(el.findall("claim"), start=1):
        num = claim.get("num", "")
        number = int(num) if num.isdecimal() else i
        text = re.sub(r"^\s*\d+\s*\.\s*", "", _text(claim))
        refs = [r for r in claim_references(text) if r < number]
        refs += [r for r in _german_french_refs(text) if r < number and r not in refs]
        claims.append(Claim(number=number, text=text, independent=not refs, refers_to=sorted(refs)))
    return claims


_DE_FR_REF = re.compile(r"\b(?:Anspr(?:uch|üche)|revendications?)\s+(\d+)(?:\s*(?:bis|à|-|oder|ou|und|et|,)\s*(\d+))*", re.IGNORECASE)


def _german_french_refs(text: str) -> list[int]:
    refs: list[int] = []
    for match in _DE_FR_REF.finditer(text):
        numbers = [int(n) for n in re.findall(r"\d+", match.group(0))]
        if re.search(r"\b(?:bis|à)\b|-", match.group(0)) and len(numbers) == 2 and numbers[1] > numbers[0]:
            numbers = list(range(numbers[0], numbers[1] + 1))
        refs.extend(numbers)
    return refs


def _ipc(text: str) -> str | None:
    # "H01F  27/14        20060101AFI…" (ipcr) or " 7C 07C  29/44   A" (edition 7 prefix)
    text = re.sub(r"^\s*\d+\s*(?=[A-H])", "", text)
    return try_normalize_ipc(text)


def record_from_epo_xml(root: ET.Element, file: str, row: int) -> ImportItem:
    """Build a record from one ``<ep-patent-document>`` element."""
    if root.tag != "ep-patent-document":
        return row, None, [RowError(file, row, "xml", f"不是 EP 文献 / not an <ep-patent-document>: <{root.tag}>")]
    errors: list[RowError] = []
    lang = (root.get("lang") or "en").lower()
    rec = PatentRecord(source_format="epo-xml", source_file=file, source_row=row, jurisdiction="EP",
                       language=lang, patent_type=INVENTION)
    bi = root.find("SDOBI")
    if bi is None:
        return row, None, [RowError(file, row, "SDOBI", "缺少著录项目 / no bibliographic data")]
    number = _text(bi.find("B100/B110")) or root.get("doc-number", "")
    kind = _text(bi.find("B100/B130")) or root.get("kind", "")
    apply_numbers(rec, errors, file, row, application=("EP" + _text(bi.find("B200/B210"))) if bi.find("B200/B210") is not None else None,
                  publication=number or None, country="EP", kind=kind or None,
                  field_names=("B210", "B110", "B110"))

    def date(path: str):
        raw = _text(bi.find(path))
        if not raw:
            return None
        try:
            return parse_date(raw)
        except ValueError as exc:
            errors.append(RowError(file, row, path.split("/")[-2] if "/" in path else path, str(exc)))
            return None

    rec.publication_date = date("B100/B140/date")
    rec.application_date = date("B200/B220/date")
    if kind.startswith("B"):
        rec.grant_number, rec.grant_number_raw = rec.publication_number, rec.publication_number_raw
        rec.grant_date = date("B400/B450/date") or rec.publication_date
    # titles: B541 (language) followed by B542 (title)
    b540 = bi.find("B500/B540")
    if b540 is not None:
        current = None
        for child in b540:
            if child.tag == "B541":
                current = _text(child).lower()
            elif child.tag == "B542" and current:
                rec.title_translations[current] = _text(child)
    rec.title = rec.title_translations.get(lang) or next(iter(rec.title_translations.values()), "")
    abstract = root.find(f"abstract[@lang='{lang}']")
    if abstract is None:
        abstract = root.find("abstract")
    rec.abstract = _text(abstract)
    rec.description = _text(root.find("description"))
    for claims_el in root.findall("claims"):
        claims_lang = (claims_el.get("lang") or lang).lower()
        if claims_lang not in rec.claims_translations:
            rec.claims_translations[claims_lang] = _claims(claims_el)
    rec.claims = rec.claims_translations.get(lang) or next(iter(rec.claims_translations.values()), [])
    # parties
    for path, target in (("B700/B710/B711", rec.applicants), ("B700/B730/B731", rec.holders)):
        for el in bi.findall(path):
            name = _text(el.find("snm"))
            if name:
                target.append(Party(name=name, type=classify_applicant(name),
                                    country=_text(el.find("adr/ctry")) or None,
                                    address=", ".join(t for t in (_text(el.find("adr/str")), _text(el.find("adr/city"))) if t) or None))
    if not rec.applicants:
        rec.applicants = list(rec.holders)
    rec.inventors = [n for n in (_text(el.find("snm")) for el in bi.findall("B700/B720/B721")) if n]
    rec.agents = [n for n in (_text(el.find("snm")) for el in bi.findall("B700/B740/B741")) if n]
    # classification
    ipc_texts = [_text(el.find("text")) for el in bi.findall("B500/B510EP/classification-ipcr")]
    ipc_texts += [_text(el) for el in bi.findall("B500/B510/B511")] + [_text(el) for el in bi.findall("B500/B510/B512")]
    for text in ipc_texts:
        code = _ipc(text)
        if code and code not in rec.ipc_all:
            rec.ipc_all.append(code)
    rec.ipc_main = rec.ipc_all[0] if rec.ipc_all else None
    # priorities
    for el in bi.findall("B300"):
        numbers, dates, countries = el.findall("B310"), el.findall("B320"), el.findall("B330")
        for i, num in enumerate(numbers):
            pdate = None
            if i < len(dates):
                try:
                    pdate = parse_date(_text(dates[i]))
                except ValueError as exc:
                    errors.append(RowError(file, row, "B320", str(exc)))
            rec.priority_claims.append(PriorityClaim(country=_text(countries[i]) if i < len(countries) else None,
                                                     number=_text(num), date=pdate))
    rec.priority_date = min((p.date for p in rec.priority_claims if p.date), default=None)
    # citations
    for el in bi.findall("B500/B560/B561"):
        rec.backward_citations.append(parse_ep_citation(_text(el)))
    for el in bi.findall("B500/B560/B562"):
        rec.backward_citations.append(Citation(text=_text(el)))
    if not rec.title:
        errors.append(RowError(file, row, "B542", "缺少专利名称 / missing title"))
    if errors:
        return row, None, errors
    return row, rec, []
