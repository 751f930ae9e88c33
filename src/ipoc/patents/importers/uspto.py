"""USPTO full-text XML: grants (``<us-patent-grant>``) and applications (``<us-patent-application>``).

DTD 4.x (2005–today) is read completely: numbers, kind, title, abstract, claims
with dependencies from ``<claim-ref idref>``, description, applicants, assignees,
inventors, agents, examiner, IPC/CPC, dates, priority claims and citations
(patent and non-patent).  The older SGML-like ``PATDOC`` grants (DTD 2.5) and
``patent-application-publication`` (DTD 1.5) are read best-effort (numbers,
dates, title, abstract, claims, inventors, assignees, IPC, citations).

Weekly bulk files concatenate many ``<?xml …?><!DOCTYPE …><us-patent-grant>``
documents.  The file is streamed and cut at each XML declaration; each document
is fed to an incremental parser in bounded pieces (:func:`iter_documents`), and
the paragraphs of its ``<description>`` are folded into one text as they end, so
a single 45 MB document costs about its text, not a tree of 70,000 paragraph
elements.  A document the incremental parser refuses (stray ``&`` or ``<``) is
read again from its byte range and parsed with repairs (:func:`parse_xml`).  The
row number of a document is the line where it starts.  A document that cannot be
parsed yields one row error.
"""

from __future__ import annotations

import html.entities
import re
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from pathlib import Path

from ..claims import Claim, claim_references
from ..ipc import try_normalize_ipc
from ..numbers import DESIGN, INVENTION, PatentNumberError, parse_publication_number
from ..records import Citation, Party, PatentRecord, PriorityClaim, classify_applicant
from .base import ImportItem, RowError, apply_numbers, parse_date

__all__ = ["iter_documents", "iter_uspto", "parse_xml", "split_documents", "record_from_uspto_xml"]

_DECL = re.compile(rb"^\s*<\?xml\b")
FEED_BYTES = 1 << 20  # the incremental parser is fed at most this much at a time
FOLDED = frozenset({"description"})  # elements whose content is kept as text only, folded while parsing


def split_documents(path: str | Path) -> Iterator[tuple[int, bytes]]:
    """Yield ``(start line, document bytes)`` for each XML document of a (bulk) file."""
    buffer: list[bytes] = []
    start = 1
    with open(path, "rb") as fh:
        for line_no, line in enumerate(fh, start=1):
            if _DECL.match(line) and any(b.strip() for b in buffer):
                yield start, b"".join(buffer)
                buffer = []
            if not buffer:
                start = line_no
            buffer.append(line)
    if any(b.strip() for b in buffer):
        yield start, b"".join(buffer)


class _Squasher:
    """Builds ``squash_whitespace(a + b + …)`` (without the final strip) from pieces, one at a time."""

    def __init__(self) -> None:
        self.out: list[str] = []
        self.space = False

    def add(self, text: str | None) -> None:
        if not text:
            return
        piece = _squash_inner(text)
        if self.space and piece.startswith(" "):
            piece = piece[1:]
        if piece:
            self.out.append(piece)
            self.space = piece.endswith(" ")

    def result(self) -> str:
        return "".join(self.out)


class _Folder:
    """Folds the content of ``FOLDED`` elements into their text while an XMLPullParser builds the tree:
    each element inside the zone, once ended, keeps only its text with whitespace runs collapsed (what
    ``_text`` makes of it); finished children are merged into their parent as soon as a later sibling
    starts, so only the text is ever held."""

    def __init__(self) -> None:
        self.stack: list[ET.Element] = []
        self.root: ET.Element | None = None
        self.zone = 0  # how many open elements are FOLDED (or inside one)
        self.parts: dict[int, _Squasher] = {}

    def _merge(self, parent: ET.Element, upto: int) -> None:
        if upto <= 0:
            return
        parts = self.parts.get(id(parent))
        if parts is None:
            parts = self.parts[id(parent)] = _Squasher()
            parts.add(parent.text)
            parent.text = None
        for child in parent[:upto]:
            parts.add(child.text)
            parts.add(child.tail)
        del parent[:upto]

    def event(self, kind: str, elem: ET.Element) -> None:
        if kind == "start":
            if self.root is None:
                self.root = elem
            if self.zone and self.stack:
                parent = self.stack[-1]
                self._merge(parent, len(parent) - 1 if len(parent) and parent[-1] is elem else
                            _index(parent, elem))
            self.stack.append(elem)
            if self.zone or elem.tag in FOLDED:
                self.zone += 1
        else:  # end
            self.stack.pop()
            if self.zone:
                self._merge(elem, len(elem))
                parts = self.parts.pop(id(elem), None)
                if parts is not None:
                    elem.text = parts.result()
                elif elem.text and elem.tag in FOLDED:
                    elem.text = _squash_inner(elem.text)
                self.zone -= 1


def _index(parent: ET.Element, elem: ET.Element) -> int:
    for i, child in enumerate(parent):
        if child is elem:
            return i
    return 0


def _pieces(line: bytes) -> Iterator[bytes]:
    """A line cut into pieces of at most FEED_BYTES, each ending after a '>' when one is near
    (so an entity reference is never cut in two)."""
    while len(line) > FEED_BYTES:
        cut = line.rfind(b">", 0, FEED_BYTES) + 1
        if cut <= 0:
            cut = FEED_BYTES
            amp = line.rfind(b"&", cut - 64, cut)
            if amp > 0:
                cut = amp
        yield line[:cut]
        line = line[cut:]
    if line:
        yield line


def iter_documents(path: str | Path) -> Iterator[tuple[int, ET.Element | None, int, str]]:
    """Yield ``(start line, root or None, repairs, error)`` for each XML document of a (bulk) file,
    parsed incrementally (see the module docstring); memory is bounded by one document's text."""
    path = Path(path)
    with open(path, "rb") as fh:
        state: dict = {}

        def begin(line_no: int, offset: int) -> None:
            state.update(start=line_no, offset=offset, parser=ET.XMLPullParser(events=("start", "end")),
                         folder=_Folder(), failed=False, content=False, first=True)

        def finish(end_offset: int):
            if not state.get("content"):
                return None
            if not state["failed"]:
                try:
                    parser = state["parser"]
                    parser.close()
                    for kind, elem in parser.read_events():
                        state["folder"].event(kind, elem)
                    root = state["folder"].root
                    return state["start"], root, 0, ""
                except ET.ParseError:
                    pass
            state["parser"] = state["folder"] = None  # free the partial tree before the second attempt
            with open(path, "rb") as again:
                again.seek(state["offset"])
                doc = again.read(end_offset - state["offset"])
            try:
                root, repairs = parse_xml(doc)
            except ET.ParseError as exc:
                return state["start"], None, 0, f"XML 解析失败 / XML parse error: {exc}"
            return state["start"], root, repairs, ""

        offset = 0
        begin(1, 0)
        for line_no, line in enumerate(fh, start=1):
            if _DECL.match(line) and state["content"]:
                item = finish(offset)
                if item:
                    yield item
                begin(line_no, offset)
            offset += len(line)
            if not state["content"]:
                if not line.strip():
                    state["offset"], state["start"] = offset, line_no + 1
                    continue
                state["content"] = True
                state["start"] = line_no
            if state["failed"]:
                continue
            if state["first"]:
                line = line.lstrip()
                state["first"] = False
            if b"&" in line:
                line = _ENTITY_REF.sub(_replace_entity, line)
            try:
                for piece in _pieces(line):
                    state["parser"].feed(piece)
                    for kind, elem in state["parser"].read_events():
                        state["folder"].event(kind, elem)
            except ET.ParseError:
                state["failed"] = True
        item = finish(offset)
        if item:
            yield item


def iter_uspto(path: str | Path) -> Iterator[ImportItem]:
    """Yield ``(line, record, errors)`` per XML document in a USPTO file."""
    file = Path(path).name
    for line_no, root, repairs, error in iter_documents(path):
        if root is None:
            yield line_no, None, [RowError(file, line_no, "xml", error)]
            continue
        item = record_from_uspto_xml(root, file, line_no)
        if repairs and item[1] is not None:
            item[1].flags.append(f"xml: 修复了 {repairs} 处未转义的 & 或 < / repaired {repairs} unescaped & or <")
        yield item


_ENTITIES: dict[str, str] = {k.rstrip(";"): v for k, v in html.entities.html5.items()}
# ISO 8879 Greek (ISOgrk1) names used by old USPTO SGML-derived XML: &lgr; = λ, &Ggr; = Γ …
_GREEK = dict(zip(
    "a b g d e z ee th i k l m n x o p r s t u ph kh ps oh".split(),
    "αβγδεζηθικλμνξοπρστυφχψω", strict=True))
_ENTITIES.update({f"{k}gr": v for k, v in _GREEK.items()})
_ENTITIES.update({f"{k[0].upper()}{k[1:]}gr": v.upper() for k, v in _GREEK.items()})
_XML_BUILTIN = {"amp", "lt", "gt", "quot", "apos"}
_ENTITY_REF = re.compile(rb"&([A-Za-z][A-Za-z0-9.]*);")


def _replace_entity(match: re.Match[bytes]) -> bytes:
    name = match.group(1).decode("ascii")
    if name in _XML_BUILTIN:
        return match.group(0)
    value = _ENTITIES.get(name)
    if value is None:
        return b"[" + match.group(1) + b"]"  # unknown entity: keep its name visible
    return value.encode("utf-8").replace(b"&", b"&amp;").replace(b"<", b"&lt;")


def _old_ipc(raw: str) -> str | None:
    """Old USPTO fixed-width IPC (``A47L  514`` → A47L5/14, ``E03C 104`` → E03C1/04); best effort."""
    match = re.match(r"^\s*([A-H]\d{2}[A-Z])([ \d]*?)\s*$", raw)
    if not match:
        return None
    subclass, rest = match.groups()
    if len(rest) >= 5 and rest[:3].strip().isdecimal():
        group, sub = rest[:3].strip(), rest[3:].strip()
    else:
        digits = rest.replace(" ", "")
        if len(digits) < 3:
            return None
        group, sub = digits[:-2], digits[-2:]
    return try_normalize_ipc(f"{subclass}{int(group)}/{sub}")


def parse_xml(doc: bytes, max_repairs: int = 50) -> tuple[ET.Element, int]:
    """Parse one XML document; return ``(root, repairs)``.

    Named entities (``&ldquo;``, ``&lgr;`` …) that old DTDs declare externally are
    resolved; an unknown entity becomes ``[name]``.  Real EPO/USPTO files contain
    unescaped ``&`` (``Kador & Partner``) and ``<`` (``<First Embodiment</heading>``):
    at each parse error the offending ``&`` or the last ``<`` before the error
    position is escaped and parsing retried, up to ``max_repairs`` times; the
    number of repairs is returned so the record can be flagged.
    """
    body = doc.lstrip()
    if b"&" in body:
        body = _ENTITY_REF.sub(_replace_entity, body)
    repairs = 0
    while True:
        try:
            parser = ET.XMLParser()
            parser.feed(body)
            return parser.close(), repairs
        except ET.ParseError as exc:
            if repairs >= max_repairs:
                raise
            fixed = _repair(body, *exc.position)
            if fixed is None:
                raise
            body, repairs = fixed, repairs + 1


def _repair(body: bytes, line: int, column: int) -> bytes | None:
    """Escape the stray ``&`` at, or the stray ``<`` before, a parse error position."""
    start = 0
    for _ in range(line - 1):
        start = body.find(b"\n", start) + 1
        if start == 0:
            return None
    pos = start + column
    for amp in (pos, pos - 1):  # expat reports the & itself or the byte after it
        if body[amp:amp + 1] == b"&":
            return body[:amp] + b"&amp;" + body[amp + 1:]
    lt = body.rfind(b"<", start, pos)
    if lt < 0:
        return None
    return body[:lt] + b"&lt;" + body[lt + 1:]


_WS = re.compile(r"\s+")
_SQUASH_SLICE = 1 << 20


def squash_whitespace(text: str) -> str:
    """Collapse whitespace runs to one space and strip — a long text slice by slice, since one
    ``re.sub`` over a 40 MB description builds millions of pieces at once (hundreds of MB)."""
    if len(text) <= _SQUASH_SLICE:
        return _WS.sub(" ", text).strip()
    out: list[str] = []
    previous_space = True  # also drops leading whitespace
    for start in range(0, len(text), _SQUASH_SLICE):
        piece = _WS.sub(" ", text[start:start + _SQUASH_SLICE])
        if previous_space and piece.startswith(" "):
            piece = piece[1:]
        if piece:
            out.append(piece)
            previous_space = piece.endswith(" ")
    return "".join(out).rstrip()


_UNSQUASHED = re.compile(r"\s\s|[^\S ]")


def _squash_inner(text: str) -> str:
    """Whitespace runs collapsed to one space, leading and trailing ones kept (as one space)."""
    if len(text) <= _SQUASH_SLICE:
        return _WS.sub(" ", text)
    return squash_whitespace(f"x{text}x")[1:-1]


def _text(el: ET.Element | None) -> str:
    if el is None:
        return ""
    if len(el) == 0 and el.text and not _UNSQUASHED.search(el.text):  # a folded element: already squashed
        return el.text.strip()
    return squash_whitespace("".join(el.itertext()))


def _find_text(el: ET.Element, path: str) -> str:
    return _text(el.find(path))


def record_from_uspto_xml(root: ET.Element, file: str, row: int) -> ImportItem:
    """Dispatch on the root element (DTD family) and build a record."""
    if root.tag in ("us-patent-grant", "us-patent-application"):
        return _v4(root, file, row)
    if root.tag == "PATDOC":
        return _v25(root, file, row)
    if root.tag == "patent-application-publication":
        return _v15(root, file, row)
    return row, None, [RowError(file, row, "xml", f"未知的 USPTO 文档类型 / unknown USPTO document <{root.tag}>")]


def _finish(rec: PatentRecord, errors: list[RowError], file: str, row: int) -> ImportItem:
    if not rec.title:
        errors.append(RowError(file, row, "invention-title", "缺少专利名称 / missing title"))
    if not rec.publication_number:
        if not any(e.field.startswith("publication") for e in errors):
            errors.append(RowError(file, row, "publication-reference", "缺少公开号 / missing publication number"))
    if errors:
        return row, None, errors
    return row, rec, []


def _date_of(el: ET.Element | None, path: str, errors: list[RowError], file: str, row: int):
    if el is None:
        return None
    raw = _find_text(el, path)
    if not raw or raw.endswith("0000"):
        return None
    if raw.endswith("00"):  # month known, day unknown (old citations)
        raw = raw[:-2] + "01"
    try:
        return parse_date(raw)
    except ValueError as exc:
        errors.append(RowError(file, row, path, str(exc)))
        return None


def _party_name(el: ET.Element) -> str:
    org = _find_text(el, ".//orgname")
    if org:
        return org
    last, first = _find_text(el, ".//last-name"), _find_text(el, ".//first-name")
    return ", ".join(p for p in (last, first) if p)


def _claims_v4(claims_el: ET.Element | None, claim_tag: str = "claim") -> list[Claim]:
    if claims_el is None:
        return []
    claims = []
    elements = claims_el.findall(claim_tag)
    id_to_num: dict[str, int] = {}
    for i, el in enumerate(elements, start=1):
        num = el.get("num", "")
        number = int(num) if num.isdecimal() else i
        if el.get("id"):
            id_to_num[el.get("id", "")] = number
    for i, el in enumerate(elements, start=1):
        num = el.get("num", "")
        number = int(num) if num.isdecimal() else i
        text = re.sub(r"^\s*\d+\s*\.\s*", "", _text(el))
        refs = sorted({id_to_num[r.get("idref", "")] for r in el.iter("claim-ref") if r.get("idref") in id_to_num})
        if not refs:
            refs = [r for r in claim_references(text) if r < number]
        refs = [r for r in refs if r != number]
        claims.append(Claim(number=number, text=text, independent=not refs, refers_to=refs))
    return claims


def _v4(root: ET.Element, file: str, row: int) -> ImportItem:
    errors: list[RowError] = []
    rec = PatentRecord(source_format="uspto-xml", source_file=file, source_row=row, jurisdiction="US", language="en")
    biblio = root.find("us-bibliographic-data-grant")
    if biblio is None:
        biblio = root.find("us-bibliographic-data-application")
    if biblio is None:
        return row, None, [RowError(file, row, "us-bibliographic-data", "缺少著录项目 / no bibliographic data")]
    is_grant = root.tag == "us-patent-grant"
    pub = biblio.find("publication-reference/document-id")
    app = biblio.find("application-reference/document-id")
    pub_no = _find_text(pub, "doc-number") if pub is not None else ""
    kind = _find_text(pub, "kind") if pub is not None else ""
    apply_numbers(rec, errors, file, row,
                  application=_find_text(app, "doc-number") if app is not None else None,
                  publication=pub_no or None, country="US", kind=kind or None,
                  field_names=("application-reference", "publication-reference", "publication-reference"))
    if is_grant and rec.publication_number:
        rec.grant_number, rec.grant_number_raw = rec.publication_number, rec.publication_number_raw
    appl_type = biblio.find("application-reference")
    if appl_type is not None and appl_type.get("appl-type") == "design":
        rec.patent_type = DESIGN
    rec.patent_type = rec.patent_type or INVENTION
    rec.publication_date = _date_of(pub, "date", errors, file, row)
    rec.application_date = _date_of(app, "date", errors, file, row)
    if is_grant:
        rec.grant_date = rec.publication_date
    rec.title = _find_text(biblio, "invention-title")
    rec.abstract = _text(root.find("abstract"))
    rec.description = _text(root.find("description"))
    rec.claims = _claims_v4(root.find("claims"))
    # parties: v4.0–4.2 <parties><applicants>, v4.3+ <us-parties><us-applicants>
    for path in ("us-parties/us-applicants/us-applicant", "parties/applicants/applicant"):
        for el in biblio.findall(path):
            name = _party_name(el)
            if not name:
                continue
            if el.get("app-type") == "applicant-inventor" or el.find(".//orgname") is None and path.startswith("parties"):
                rec.inventors.append(name)
                if el.get("app-type") == "applicant-inventor" or not biblio.findall(".//assignee"):
                    rec.applicants.append(Party(name=name, type=classify_applicant(name) or "个人",
                                                country=_find_text(el, ".//address/country") or None))
            else:
                rec.applicants.append(Party(name=name, type=classify_applicant(name),
                                            country=_find_text(el, ".//address/country") or None))
    for path in ("us-parties/inventors/inventor", "parties/inventors/inventor"):
        for el in biblio.findall(path):
            name = _party_name(el)
            if name and name not in rec.inventors:
                rec.inventors.append(name)
    for el in biblio.findall("assignees/assignee"):
        name = _party_name(el)
        if name:
            rec.holders.append(Party(name=name, type=classify_applicant(name),
                                     country=_find_text(el, ".//address/country") or None))
    rec.agents = [n for n in (_party_name(el) for el in biblio.findall(".//agents/agent")) if n]
    examiner = biblio.find("examiners/primary-examiner")
    if examiner is not None:
        rec.examiner = _party_name(examiner) or None
    # classification
    for el in biblio.findall("classifications-ipcr/classification-ipcr"):
        symbol = "{}{}{} {}/{}".format(*(_find_text(el, t) for t in ("section", "class", "subclass", "main-group", "subgroup")))
        code = try_normalize_ipc(symbol.strip())
        if code and code not in rec.ipc_all:
            rec.ipc_all.append(code)
    for el in biblio.findall("classification-ipc"):
        for tag in ("main-classification", "further-classification"):
            for sub in el.findall(tag):
                code = try_normalize_ipc(_text(sub))
                if code and code not in rec.ipc_all:
                    rec.ipc_all.append(code)
    rec.ipc_main = rec.ipc_all[0] if rec.ipc_all else None
    cpc_main = biblio.find("classifications-cpc/main-cpc/classification-cpc")
    cpc_elements = ([cpc_main] if cpc_main is not None else []) + biblio.findall("classifications-cpc/further-cpc/classification-cpc")
    for el in cpc_elements:
        symbol = "{}{}{}{}/{}".format(*(_find_text(el, t) for t in ("section", "class", "subclass", "main-group", "subgroup")))
        code = try_normalize_ipc(symbol)
        if code and code not in rec.cpc_all:
            rec.cpc_all.append(code)
    rec.cpc_main = rec.cpc_all[0] if cpc_main is not None and rec.cpc_all else None
    # priority claims
    for el in biblio.findall("priority-claims/priority-claim"):
        rec.priority_claims.append(PriorityClaim(country=_find_text(el, "country") or None,
                                                 number=_find_text(el, "doc-number"),
                                                 date=_date_of(el, "date", errors, file, row)))
    dates = [p.date for p in rec.priority_claims if p.date]
    rec.priority_date = min(dates) if dates else None
    # citations: <references-cited>/<us-references-cited> → <citation>/<us-citation>
    for cit in [*biblio.iterfind(".//references-cited/citation"), *biblio.iterfind(".//us-references-cited/us-citation")]:
        category = _find_text(cit, "category") or None
        patcit = cit.find("patcit")
        if patcit is not None:
            doc = patcit.find("document-id")
            rec.backward_citations.append(_patent_citation(doc, category))
        nplcit = cit.find("nplcit")
        if nplcit is not None:
            rec.backward_citations.append(Citation(text=_text(nplcit), category=category))
    return _finish(rec, errors, file, row)


def _patent_citation(doc: ET.Element | None, category: str | None) -> Citation:
    if doc is None:
        return Citation(category=category)
    country = _find_text(doc, "country")
    number = _find_text(doc, "doc-number")
    kind = _find_text(doc, "kind")
    raw = f"{country}{number}{kind}"
    try:
        return Citation(number=parse_publication_number(number, country or None, kind or None).canonical, category=category)
    except PatentNumberError:
        return Citation(text=raw, category=category)


def _v25(root: ET.Element, file: str, row: int) -> ImportItem:
    """Best-effort reading of the 2001–2004 ``PATDOC`` grant format (DTD 2.5)."""
    errors: list[RowError] = []
    rec = PatentRecord(source_format="uspto-xml", source_file=file, source_row=row, jurisdiction="US", language="en")
    bi = root.find("SDOBI")
    if bi is None:
        return row, None, [RowError(file, row, "SDOBI", "缺少著录项目 / no bibliographic data")]
    number = _find_text(bi, "B100/B110/DNUM")
    kind = _find_text(bi, "B100/B130")
    apply_numbers(rec, errors, file, row, application=_find_text(bi, "B200/B210/DNUM") or None,
                  publication=number or None, country="US", kind=kind or None,
                  field_names=("B210", "B110", "B110"))
    rec.grant_number, rec.grant_number_raw = rec.publication_number, rec.publication_number_raw
    rec.publication_date = rec.grant_date = _date_of(bi, "B100/B140/DATE", errors, file, row)
    rec.application_date = _date_of(bi, "B200/B220/DATE", errors, file, row)
    rec.title = _find_text(bi, "B500/B540")
    rec.abstract = _text(root.find("SDOAB"))
    rec.description = _text(root.find("SDODE"))
    claims = []
    for i, el in enumerate(root.findall("SDOCL/CL/CLM"), start=1):
        text = re.sub(r"^\s*\d+\s*\.\s*", "", _text(el))
        refs = [r for r in claim_references(text) if r < i]
        claims.append(Claim(number=i, text=text, independent=not refs, refers_to=refs))
    rec.claims = claims
    for el in bi.findall("B700/B720/B721"):
        name = ", ".join(p for p in (_find_text(el, ".//SNM"), _find_text(el, ".//FNM")) if p)
        if name:
            rec.inventors.append(name)
    for el in bi.findall("B700/B730/B731"):
        name = _find_text(el, ".//ONM") or _find_text(el, ".//NAM")
        if name:
            rec.holders.append(Party(name=name, type=classify_applicant(name)))
    rec.applicants = list(rec.holders) or [Party(name=n, type="个人") for n in rec.inventors]
    for tag in ("B500/B510/B511", "B500/B510/B512"):
        for el in bi.findall(tag):
            code = _old_ipc("".join(el.itertext()).strip("\n\t"))
            if code and code not in rec.ipc_all:
                rec.ipc_all.append(code)
    rec.ipc_main = rec.ipc_all[0] if rec.ipc_all else None
    for el in bi.findall("B500/B560/B561"):
        number, country, kind = _find_text(el, "PCIT/DOC/DNUM"), _find_text(el, "PCIT/DOC/CTRY") or "US", _find_text(el, "PCIT/DOC/KIND")
        try:
            rec.backward_citations.append(Citation(number=parse_publication_number(number, country, kind or None).canonical))
        except PatentNumberError:
            rec.backward_citations.append(Citation(text=_text(el)))
    for el in bi.findall("B500/B560/B562"):
        rec.backward_citations.append(Citation(text=_text(el)))
    for el in bi.findall("B300"):
        rec.priority_claims.append(PriorityClaim(country=_find_text(el, "B330/CTRY") or None, number=_find_text(el, "B310/DNUM"),
                                                 date=_date_of(el, "B320/DATE", errors, file, row)))
    rec.priority_date = min((p.date for p in rec.priority_claims if p.date), default=None)
    rec.patent_type = DESIGN if number.upper().startswith("D") else INVENTION
    return _finish(rec, errors, file, row)


def _v15(root: ET.Element, file: str, row: int) -> ImportItem:
    """Best-effort reading of the 2001–2004 pre-grant publication format (DTD 1.5)."""
    errors: list[RowError] = []
    rec = PatentRecord(source_format="uspto-xml", source_file=file, source_row=row, jurisdiction="US",
                       language="en", patent_type=INVENTION)
    bi = root.find("subdoc-bibliographic-information")
    if bi is None:
        return row, None, [RowError(file, row, "subdoc-bibliographic-information", "缺少著录项目 / no bibliographic data")]
    apply_numbers(rec, errors, file, row, application=_find_text(bi, "domestic-filing-data/application-number/doc-number") or None,
                  publication=_find_text(bi, "document-id/doc-number") or None, country="US",
                  kind=_find_text(bi, "document-id/kind-code") or None,
                  field_names=("application-number", "document-id", "document-id"))
    rec.publication_date = _date_of(bi, "document-id/document-date", errors, file, row)
    rec.application_date = _date_of(bi, "domestic-filing-data/filing-date", errors, file, row)
    rec.title = _find_text(bi, "technical-information/title-of-invention")
    rec.abstract = _text(root.find("subdoc-abstract"))
    rec.description = _text(root.find("subdoc-description"))
    claims = []
    for i, el in enumerate(root.findall("subdoc-claims/claim"), start=1):
        text = re.sub(r"^\s*\d+\s*\.\s*", "", _text(el))
        refs = [r for r in claim_references(text) if r < i]
        claims.append(Claim(number=i, text=text, independent=not refs, refers_to=refs))
    rec.claims = claims
    for el in bi.iterfind("inventors//name"):
        name = ", ".join(p for p in (_find_text(el, "family-name"), _find_text(el, "given-name")) if p)
        if name:
            rec.inventors.append(name)
    for el in bi.iterfind(".//assignee"):
        name = _find_text(el, ".//organization-name") or _find_text(el, ".//name")
        if name:
            rec.holders.append(Party(name=name, type=classify_applicant(name)))
    rec.applicants = list(rec.holders) or [Party(name=n, type="个人") for n in rec.inventors]
    ipc = bi.find("technical-information/classification-ipc")
    if ipc is not None:
        for el in ipc.iter("ipc"):
            code = try_normalize_ipc(_text(el))
            if code and code not in rec.ipc_all:
                rec.ipc_all.append(code)
    rec.ipc_main = rec.ipc_all[0] if rec.ipc_all else None
    return _finish(rec, errors, file, row)
