"""The normalised patent record (标准化专利著录项目) every importer produces.

:class:`PatentRecord` is Django-free; the patents app maps it to models.
``to_dict`` / ``from_dict`` give a JSON-safe round trip (dates as ISO strings),
which is also the field list of the ``jsonl`` import format.
"""

from __future__ import annotations

import datetime as _dt
import re
from dataclasses import dataclass, field, fields
from typing import Any

from .claims import Claim

__all__ = [
    "APPLICANT_TYPES",
    "Citation",
    "Claim",
    "LegalEvent",
    "Party",
    "PatentRecord",
    "PriorityClaim",
    "classify_applicant",
    "normalize_applicant_type",
]

#: 申请人类型
ENTERPRISE = "企业"
UNIVERSITY = "高校"
RESEARCH = "科研机构"
INDIVIDUAL = "个人"
PUBLIC_BODY = "机关团体"
APPLICANT_TYPES: tuple[str, ...] = (ENTERPRISE, UNIVERSITY, RESEARCH, INDIVIDUAL, PUBLIC_BODY)

_UNIVERSITY_STRONG = re.compile(r"大学|university|institute of technology", re.IGNORECASE)
_UNIVERSITY = re.compile(r"学院|学校|college|school", re.IGNORECASE)
_RESEARCH = re.compile(r"研究院|研究所|科学院|研究中心|实验室|设计院|research|laborator|academy|fraunhofer|\bCNRS\b|\bCSIC\b", re.IGNORECASE)
_ENTERPRISE = re.compile(
    r"公司|集团|厂|企业|合作社|事务所|商行|工作室|医院|株式会社|有限|\b(?:inc|corp|corporation|co|ltd|llc|gmbh|ag|sa|s\.a|bv|nv|plc|kg|kk|oy|ab|spa|srl)\b\.?|company|limited",
    re.IGNORECASE,
)
_PUBLIC = re.compile(r"局|委员会|政府|部$|办公室|中心$|协会|学会|联合会|基金会|管理处|管理站|department|ministry|government|agency|office", re.IGNORECASE)
_PERSON_CN = re.compile(r"^[\u4e00-\u9fff·]{2,4}$")
_PERSON_EN = re.compile(r"^[A-Z][A-Za-z'\-]+,?\s+[A-Z][A-Za-z'.\-\s]*$")


def classify_applicant(name: str) -> str | None:
    """Guess 申请人类型 from a name: 大学/学院 → 高校, 研究院/研究所/科学院 → 科研机构,
    公司/集团/厂 → 企业, 局/委员会/政府 → 机关团体, a 2–4 Han-character name → 个人."""
    name = (name or "").strip()
    if not name:
        return None
    if _UNIVERSITY_STRONG.search(name):
        return UNIVERSITY
    if _RESEARCH.search(name):  # before 学院: 中国科学院… is a research body
        return RESEARCH
    if _UNIVERSITY.search(name):
        return UNIVERSITY
    if _ENTERPRISE.search(name):
        return ENTERPRISE
    if _PUBLIC.search(name):
        return PUBLIC_BODY
    if _PERSON_CN.match(name) or _PERSON_EN.match(name):
        return INDIVIDUAL
    return None


_TYPE_ALIASES = {
    "企业": ENTERPRISE, "公司": ENTERPRISE, "工矿企业": ENTERPRISE,
    "高校": UNIVERSITY, "大专院校": UNIVERSITY, "院校": UNIVERSITY, "大学": UNIVERSITY,
    "科研机构": RESEARCH, "科研单位": RESEARCH, "研究机构": RESEARCH,
    "个人": INDIVIDUAL, "自然人": INDIVIDUAL,
    "机关团体": PUBLIC_BODY, "机关": PUBLIC_BODY, "机关团体及其他": PUBLIC_BODY, "事业单位": PUBLIC_BODY,
    "政府": PUBLIC_BODY, "其他": PUBLIC_BODY,
}


def normalize_applicant_type(value: str | None) -> str | None:
    """Map a database's 申请人类型 label (大专院校, 工矿企业, 科研单位 …) to :data:`APPLICANT_TYPES`."""
    if not value:
        return None
    return _TYPE_ALIASES.get(value.strip())


@dataclass(slots=True)
class Party:
    """An applicant (申请人), holder (权利人), inventor (发明人) or agent (代理人)."""

    name: str
    type: str | None = None  # 企业/高校/科研机构/个人/机关团体
    country: str | None = None
    address: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {"name": self.name, "type": self.type, "country": self.country, "address": self.address}

    @classmethod
    def from_value(cls, value: Any) -> Party:
        if isinstance(value, str):
            return cls(name=value.strip(), type=classify_applicant(value))
        if isinstance(value, dict):
            name = str(value.get("name") or "").strip()
            return cls(
                name=name,
                type=value.get("type") or classify_applicant(name),
                country=value.get("country"),
                address=value.get("address"),
            )
        raise TypeError(f"party must be a string or an object, not {type(value).__name__}")


@dataclass(slots=True)
class LegalEvent:
    """A legal status event (法律事件): date, code, text."""

    date: _dt.date | None
    code: str | None
    text: str

    def to_dict(self) -> dict[str, Any]:
        return {"date": _iso(self.date), "code": self.code, "text": self.text}


@dataclass(slots=True)
class PriorityClaim:
    """A priority claim (优先权): country, number, date."""

    country: str | None
    number: str
    date: _dt.date | None

    def to_dict(self) -> dict[str, Any]:
        return {"country": self.country, "number": self.number, "date": _iso(self.date)}


@dataclass(slots=True)
class Citation:
    """A cited document (引证文献): a patent number (canonical when parseable) or non-patent literature."""

    number: str | None = None
    text: str | None = None  # non-patent literature (非专利文献) or raw text
    category: str | None = None  # e.g. "cited by examiner", X/Y/A

    def to_dict(self) -> dict[str, Any]:
        return {"number": self.number, "text": self.text, "category": self.category}


def _iso(value: _dt.date | None) -> str | None:
    return value.isoformat() if value else None


def _date(value: Any) -> _dt.date | None:
    if value is None or value == "":
        return None
    if isinstance(value, _dt.datetime):
        return value.date()
    if isinstance(value, _dt.date):
        return value
    return _dt.date.fromisoformat(str(value))


_DATE_FIELDS = (
    "application_date", "publication_date", "grant_date", "priority_date", "lapse_date",
    "last_transfer_date", "last_licence_date", "last_pledge_date",
)


@dataclass(slots=True)
class PatentRecord:
    """A normalised patent record (专利记录).  Text fields are plain strings."""

    source_format: str
    # numbers (号码)
    application_number: str | None = None  # canonical 申请号, e.g. CN202223220665.2
    application_number_raw: str | None = None
    publication_number: str | None = None  # canonical 公开号, e.g. CN218751475U
    publication_number_raw: str | None = None
    grant_number: str | None = None  # 授权公告号 (canonical)
    grant_number_raw: str | None = None
    external_id: str | None = None  # for sources without publication numbers
    jurisdiction: str | None = None  # CN / US / EP …
    kind_code: str | None = None
    patent_type: str | None = None  # 发明 / 实用新型 / 外观设计
    # text
    title: str = ""
    title_translations: dict[str, str] = field(default_factory=dict)  # lang → title
    abstract: str = ""
    claims: list[Claim] = field(default_factory=list)
    claims_translations: dict[str, list[Claim]] = field(default_factory=dict)
    description: str = ""
    language: str | None = None
    # parties
    applicants: list[Party] = field(default_factory=list)  # 申请人
    holders: list[Party] = field(default_factory=list)  # 当前权利人
    inventors: list[str] = field(default_factory=list)  # 发明人
    agency: str | None = None  # 代理机构
    agents: list[str] = field(default_factory=list)  # 代理人
    examiner: str | None = None  # 审查员
    # classification
    ipc_main: str | None = None
    ipc_all: list[str] = field(default_factory=list)
    cpc_main: str | None = None
    cpc_all: list[str] = field(default_factory=list)
    # dates
    application_date: _dt.date | None = None  # 申请日
    publication_date: _dt.date | None = None  # 公开日
    grant_date: _dt.date | None = None  # 授权公告日
    priority_date: _dt.date | None = None  # 最早优先权日
    priority_claims: list[PriorityClaim] = field(default_factory=list)
    # region
    region_code: str | None = None  # 国省代码, e.g. "41"
    region_name: str | None = None  # e.g. "河南"
    # status
    legal_status: str | None = None  # 有效 / 审中 / 失效
    legal_status_detail: str | None = None
    legal_events: list[LegalEvent] = field(default_factory=list)
    lapse_date: _dt.date | None = None  # 失效日期
    examination_days: int | None = None  # 审查时长
    # citations and family
    backward_citations: list[Citation] = field(default_factory=list)  # 引证
    forward_citations: list[Citation] = field(default_factory=list)  # 被引证
    family_members: list[str] = field(default_factory=list)  # 同族
    # operations (运营): 转让、许可、质押
    transfer_count: int = 0
    last_transfer_date: _dt.date | None = None
    licence_count: int = 0
    last_licence_date: _dt.date | None = None
    pledge_count: int = 0
    last_pledge_date: _dt.date | None = None
    # provenance
    source_file: str | None = None
    source_row: int | None = None
    source_meta: dict[str, Any] = field(default_factory=dict)  # non-searchable extras (labels, keyphrases …)
    flags: list[str] = field(default_factory=list)  # non-fatal notes, e.g. a computed check digit

    @property
    def key(self) -> str:
        """Stable identity: canonical publication number, else grant number, else ``ext:<source>:<id>``."""
        if self.publication_number:
            return self.publication_number
        if self.grant_number:
            return self.grant_number
        if self.external_id:
            source = self.source_meta.get("source") or self.source_format
            return f"ext:{source}:{self.external_id}"
        if self.application_number:
            return f"app:{self.application_number}"
        raise ValueError("record has no publication number, grant number, external id or application number")

    @property
    def applicant_names(self) -> list[str]:
        return [p.name for p in self.applicants]

    def searchable_text(self) -> str:
        """Title, abstract and claims — never labels or other ``source_meta``."""
        parts = [self.title, *self.title_translations.values(), self.abstract]
        parts.extend(c.text for c in self.claims)
        return "\n".join(p for p in parts if p)

    def to_dict(self) -> dict[str, Any]:
        """A JSON-safe dict (dates as ISO strings); inverse of :meth:`from_dict`."""
        out: dict[str, Any] = {}
        for f in fields(self):
            value = getattr(self, f.name)
            if f.name in _DATE_FIELDS:
                value = _iso(value)
            elif f.name in ("claims",):
                value = [c.to_dict() for c in value]
            elif f.name == "claims_translations":
                value = {lang: [c.to_dict() for c in cl] for lang, cl in value.items()}
            elif f.name in ("applicants", "holders", "legal_events", "priority_claims",
                            "backward_citations", "forward_citations"):
                value = [v.to_dict() for v in value]
            elif isinstance(value, (list, dict)):
                value = value.copy()
            out[f.name] = value
        return out

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> PatentRecord:
        """Build a record from :meth:`to_dict` output (unknown keys raise ``TypeError``)."""
        kwargs = dict(data)
        for name in _DATE_FIELDS:
            if name in kwargs:
                kwargs[name] = _date(kwargs[name])
        if "claims" in kwargs:
            kwargs["claims"] = [Claim.from_dict(c) for c in kwargs["claims"] or []]
        if "claims_translations" in kwargs:
            kwargs["claims_translations"] = {
                lang: [Claim.from_dict(c) for c in cl] for lang, cl in (kwargs["claims_translations"] or {}).items()
            }
        for name in ("applicants", "holders"):
            if name in kwargs:
                kwargs[name] = [Party.from_value(p) for p in kwargs[name] or []]
        if "legal_events" in kwargs:
            kwargs["legal_events"] = [
                LegalEvent(date=_date(e.get("date")), code=e.get("code"), text=e.get("text") or "")
                for e in kwargs["legal_events"] or []
            ]
        if "priority_claims" in kwargs:
            kwargs["priority_claims"] = [
                PriorityClaim(country=p.get("country"), number=str(p.get("number") or ""), date=_date(p.get("date")))
                for p in kwargs["priority_claims"] or []
            ]
        for name in ("backward_citations", "forward_citations"):
            if name in kwargs:
                kwargs[name] = [
                    Citation(number=c) if isinstance(c, str) else Citation(**c) for c in kwargs[name] or []
                ]
        return cls(**kwargs)


RECORD_FIELDS: tuple[str, ...] = tuple(f.name for f in fields(PatentRecord))
