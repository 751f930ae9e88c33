"""Reads for patents and import reports. One filter set serves the list page, the API and exports."""

from __future__ import annotations

import datetime as dt
import os
import re
from dataclasses import asdict, dataclass

from django.core.exceptions import FieldDoesNotExist
from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet
from django.utils.translation import get_language, gettext, gettext_noop

from ipoc.core.errors import NotFound
from ipoc.core.models import User
from ipoc.core.permissions import VIEW, restrict
from ipoc.patents.models import NEWEST_FIRST, ImportBatch, Patent, PatentClassification, PatentParty  # noqa: F401 (NEWEST_FIRST: for other apps)


@dataclass
class PatentFilters:
    """The filters of the patent list (页面、API 与导出共用)."""

    q: str = ""
    patent_type: str = ""
    legal_status: str = ""
    ipc: str = ""  # IPC prefix, e.g. H04N or H04N5/
    applicant: str = ""  # name contains
    applicant_type: str = ""
    organization: int | None = None
    region: str = ""  # 国省代码 prefix
    jurisdiction: str = ""
    source: str = ""
    application_date_from: dt.date | None = None
    application_date_to: dt.date | None = None
    publication_date_from: dt.date | None = None
    publication_date_to: dt.date | None = None
    grant_date_from: dt.date | None = None
    grant_date_to: dt.date | None = None

    def __post_init__(self) -> None:
        """Out-of-range values are a 400 naming the filter (the search index holds 1700–2199, SQLite 2^63-1)."""
        from ipoc.core.bounds import check_date, check_id

        self.organization = check_id(self.organization, "organization")
        for name in ("application_date", "publication_date", "grant_date"):
            for end in ("from", "to"):
                check_date(getattr(self, f"{name}_{end}"), f"{name}_{end}")

    def as_dict(self) -> dict:
        return {k: v for k, v in asdict(self).items() if v not in ("", None)}


def patent_list(*, user: User, filters: PatentFilters | None = None) -> QuerySet[Patent]:
    return filter_patents(restrict(Patent.objects.all(), user, VIEW), filters)


def filter_patents(qs: QuerySet[Patent], filters: PatentFilters | None) -> QuerySet[Patent]:
    """``qs`` narrowed by ``filters`` — the one implementation behind the list page's FilterSet, the API
    and the exports."""
    f = filters or PatentFilters()
    if f.q:
        qs = qs.filter(Q(title__icontains=f.q) | Q(publication_number__iexact=f.q.replace(" ", ""))
                       | Q(application_number__icontains=f.q.replace(" ", "")) | Q(abstract__icontains=f.q))
    for field in ("patent_type", "legal_status", "jurisdiction", "source"):
        if getattr(f, field):
            qs = qs.filter(**{field: getattr(f, field)})
    if f.ipc:
        code = f.ipc.replace(" ", "").upper()
        qs = qs.filter(Exists(PatentClassification.objects.filter(patent=OuterRef("pk"), scheme="ipc",
                                                                  code__startswith=code)))
    if f.applicant or f.applicant_type or f.organization:
        parties = PatentParty.objects.filter(patent=OuterRef("pk"))
        if f.applicant:
            parties = parties.filter(name__icontains=f.applicant)
        if f.applicant_type:
            parties = parties.filter(party_type=f.applicant_type)
        if f.organization:
            parties = parties.filter(organization=f.organization)
        qs = qs.filter(Exists(parties))
    if f.region:
        qs = qs.filter(region_code__startswith=f.region)
    for name in ("application_date", "publication_date", "grant_date"):
        lo, hi = getattr(f, f"{name}_from"), getattr(f, f"{name}_to")
        if lo:
            qs = qs.filter(**{f"{name}__gte": lo})
        if hi:
            qs = qs.filter(**{f"{name}__lte": hi})
    return qs


def patents_held_by(*, user: User | None, organization) -> QuerySet[Patent]:
    """The organisation's own patents (it is an applicant or the current holder, linked or by exact name),
    as far as ``user`` may see them (``user=None``: the system)."""
    qs = restrict(Patent.objects.all(), user, VIEW) if user is not None else Patent.objects.all()
    if organization is None:
        return qs.none()
    parties = PatentParty.objects.filter(patent=OuterRef("pk")).filter(
        Q(organization=organization.pk) | Q(organization__isnull=True, name=organization.name))
    return qs.filter(Exists(parties))


def is_held_by(patent, organization) -> bool:
    """The organisation is an applicant or the current holder of ``patent`` (as :func:`patents_held_by`)."""
    return patents_held_by(user=None, organization=organization).filter(pk=patent.pk).exists()


def with_parties(qs: QuerySet[Patent]) -> QuerySet[Patent]:
    """Prefetch applicants (one extra query for the page) for list rendering."""
    return qs.prefetch_related(Prefetch("parties", queryset=PatentParty.objects.filter(role="applicant")))


def patent_get(*, user: User, key_or_number: str | int) -> Patent:
    """A patent by id, key, publication, grant or application number."""
    qs = restrict(Patent.objects.all(), user, VIEW) if user is not None else Patent.objects.all()
    value = str(key_or_number).strip().replace(" ", "")
    match = None
    if value.isdecimal() and len(value) < 12:
        match = qs.filter(pk=int(value)).first()
    if match is None:
        upper = value.upper()
        match = (qs.filter(key=value).first() or qs.filter(publication_number=upper).first()
                 or qs.filter(grant_number=upper).first() or qs.filter(application_number=upper).first()
                 or qs.filter(application_number="CN" + upper).first())
    if match is None:
        raise NotFound(f"专利 {key_or_number} 不存在", field="number")
    return match


def patent_detail_dict(patent: Patent, *, on_date: dt.date | None = None) -> dict:
    """One normalised record as JSON-able data, with computed expiry, remaining life and in-force status."""
    on_date = on_date or dt.date.today()
    parties = list(patent.parties.all())
    classes = list(patent.classifications.all())
    return {
        "id": patent.pk, "key": patent.key,
        "application_number": patent.application_number, "application_number_raw": patent.application_number_raw,
        "publication_number": patent.publication_number, "publication_number_raw": patent.publication_number_raw,
        "grant_number": patent.grant_number, "jurisdiction": patent.jurisdiction, "kind_code": patent.kind_code,
        "patent_type": patent.patent_type, "patent_type_label": str(patent.get_patent_type_display()),
        "title": patent.title, "title_translations": patent.title_translations, "abstract": patent.abstract,
        "claims": patent.claims, "claims_translations": patent.claims_translations,
        "claims_count": patent.claims_count, "independent_claims_count": patent.independent_claims_count,
        "description_chars": len(patent.description),
        "applicants": [_party(p) for p in parties if p.role == "applicant"],
        "holders": [_party(p) for p in parties if p.role == "holder"],
        "inventors": patent.inventors, "agency": patent.agency, "agents": patent.agents,
        "ipc_main": patent.ipc_main, "ipc": [c.code for c in classes if c.scheme == "ipc"],
        "cpc_main": patent.cpc_main, "cpc": [c.code for c in classes if c.scheme == "cpc"],
        "application_date": patent.application_date, "publication_date": patent.publication_date,
        "grant_date": patent.grant_date, "priority_date": patent.priority_date,
        "priority_claims": patent.priority_claims, "region_code": patent.region_code,
        "region_name": patent.region_name,
        "legal_status": patent.legal_status, "legal_status_label": str(patent.get_legal_status_display()),
        "legal_status_detail": patent.legal_status_detail, "legal_events": patent.legal_events,
        "lapse_date": patent.lapse_date, "examination_days": patent.examination_days,
        "expiry_date": patent.expiry_date, "remaining_life_years": patent.remaining_life_years(on_date),
        "in_force": patent.in_force_on(on_date), "as_of": on_date,
        "backward_citations": patent.backward_citations, "forward_citations": patent.forward_citations,
        "family_members": patent.family_members,
        "transfers": {"count": patent.transfer_count, "last": patent.last_transfer_date},
        "licences": {"count": patent.licence_count, "last": patent.last_licence_date},
        "pledges": {"count": patent.pledge_count, "last": patent.last_pledge_date},
        "source": patent.source, "source_meta": {k: v for k, v in patent.source_meta.items()
                                                 if k not in ("label", "label_source")},
        "flags": patent.flags,
    }


def _party(p: PatentParty) -> dict:
    return {"name": p.name, "type": p.party_type, "organization_id": p.organization_id, "country": p.country}


def import_batch_list(*, user: User) -> QuerySet[ImportBatch]:
    return restrict(ImportBatch.objects.all(), user, VIEW)


def import_batch_get(*, user: User | None, pk: int) -> ImportBatch:
    qs = ImportBatch.objects.all() if user is None else restrict(ImportBatch.objects.all(), user, VIEW)
    batch = qs.filter(pk=pk).first()
    if batch is None:
        raise NotFound(f"导入批次 {pk} 不存在或无权查看", field="batch")
    return batch


def import_report(batch: ImportBatch, *, limit: int | None = None) -> dict:
    """The import report: counts and every rejected row with file, row, field and reason."""
    rejections = batch.rejections.all()
    if limit:
        rejections = rejections[:limit]
    return {"id": batch.pk, "file": batch.file_name, "format": batch.format, "status": batch.status,
            "counts": batch.counts(), "seconds": batch.seconds, "job_id": batch.job_id,
            "rejected_rows": [{"file": r.file, "row": r.row, "field": r.field, "reason": r.reason}
                              for r in rejections]}


# Where in a file a rejected row went wrong, for the parts of a file that are not a patent field.
REJECTION_PLACES = {
    "xml": gettext_noop("XML 文档"), "csv": gettext_noop("CSV 格式"), "json": gettext_noop("JSON 行"),
    "encoding": gettext_noop("文件编码"), "columns": gettext_noop("表头"), "record": gettext_noop("整条记录"),
    "ipc": gettext_noop("IPC 分类号"), "cpc": gettext_noop("CPC 分类号"), "invention-title": gettext_noop("专利名称"),
    "publication-reference": gettext_noop("公开号"), "us-bibliographic-data": gettext_noop("著录项目"),
    "SDOBI": gettext_noop("著录项目"), "subdoc-bibliographic-information": gettext_noop("著录项目"),
    "B542": gettext_noop("专利名称"), "B320": gettext_noop("优先权"),
}


def rejection_place(field: str) -> str:
    """The field of a rejected row in words: a patent field by its label, a part of the file by its name."""
    if field in REJECTION_PLACES:
        return gettext(REJECTION_PLACES[field])
    try:
        return str(Patent._meta.get_field(field).verbose_name)
    except FieldDoesNotExist:
        return field  # an incoPat header: already the file's own (Chinese) column name


def rejection_reason(reason: str) -> str:
    """A rejection reason in the reader's language. Importers write "中文 / English: value"; the value the
    row held (a quoted number or date) is kept, the other language dropped."""
    zh, sep, en = (reason or "").partition(" / ")
    if not sep:
        return reason
    if (get_language() or "").startswith("en"):
        return en
    quoted = re.search(r"'[^']*'|\"[^\"]*\"", en)
    detail = quoted.group(0) if quoted else (en.rsplit(": ", 1)[1] if ": " in en else "")
    if not detail or detail in zh:
        return zh
    return f"{zh}：{detail}"


def import_report_readable(batch: ImportBatch, *, limit: int | None = None) -> dict:
    """The import report for a person: counts by name, and each rejected row with the uploaded file's name
    (never the server's path), the field by its label and the reason in words."""
    report = import_report(batch, limit=limit)
    stored = os.path.basename(batch.file_path or "")
    for r in report["rejected_rows"]:
        name = os.path.basename(r["file"] or "")
        r["file"] = batch.file_name if not name or name == stored else name
        r["field_label"] = rejection_place(r["field"])
        r["reason_text"] = rejection_reason(r["reason"])
    labels = {"rows": gettext("读取行数"), "new": gettext("新增"), "updated": gettext("更新"),
              "unchanged": gettext("未变"), "rejected": gettext("拒绝")}
    report["count_cards"] = [{"key": k, "label": labels[k], "value": v} for k, v in report["counts"].items()]
    return report


def patent_summaries(ids: list[int], *, on_date: dt.date | None = None) -> dict[int, dict]:
    """What matching and pushes need to explain a patent, for many ids in three queries."""
    on_date = on_date or dt.date.today()
    rows = {p.pk: p for p in Patent.objects.filter(pk__in=ids).only(
        "id", "key", "publication_number", "grant_number", "title", "legal_status", "patent_type",
        "application_date", "expiry_date", "lapse_date", "grant_date", "inventors")}
    subclasses: dict[int, set[str]] = {}
    for pid, sub in PatentClassification.objects.filter(patent_id__in=ids, scheme="ipc").values_list(
            "patent_id", "subclass"):
        subclasses.setdefault(pid, set()).add(sub)
    parties: dict[int, list[dict]] = {}
    for pid, role, name, ptype, org in PatentParty.objects.filter(patent_id__in=ids).values_list(
            "patent_id", "role", "name", "party_type", "organization_id"):
        parties.setdefault(pid, []).append({"role": role, "name": name, "type": ptype, "organization_id": org})
    out = {}
    for pid, p in rows.items():
        people = parties.get(pid, [])
        holders = [x for x in people if x["role"] == "holder"] or [x for x in people if x["role"] == "applicant"]
        out[pid] = {"id": pid, "number": p.number, "key": p.key, "title": p.title, "legal_status": p.legal_status,
                    "legal_status_label": str(p.get_legal_status_display()), "patent_type": p.patent_type,
                    "remaining_life_years": p.remaining_life_years(on_date), "expiry_date": p.expiry_date,
                    "in_force": p.in_force_on(on_date), "ipc_subclasses": sorted(subclasses.get(pid, ())),
                    "holders": holders, "inventors": [str(x) for x in p.inventors or [] if str(x).strip()]}
    return out


def index_texts(ids) -> dict[int, dict[str, str]]:
    """Title, abstract and claims (one text, claims in order) of the patents ``ids`` that exist —
    the search index keeps no text of its own and reads snippets and key terms from here."""
    out: dict[int, dict[str, str]] = {}
    wanted = sorted({int(i) for i in ids or ()})
    for a in range(0, len(wanted), 5000):
        rows = Patent.objects.filter(pk__in=wanted[a:a + 5000]).values_list("id", "title", "abstract", "claims")
        for pk, title, abstract, claims in rows:
            out[pk] = {"title": title or "", "abstract": abstract or "", "claims": claims_text(claims)}
    return out


def claims_text(claims) -> str:
    """Claims (a list of ``{"number", "text", …}`` or of strings, or a text) as one text."""
    if isinstance(claims, (list, tuple)):
        return "\n".join(str(c.get("text", "")) if isinstance(c, dict) else str(c) for c in claims)
    return str(claims or "")


def patent_ids_after(after_id: int, limit: int) -> list[int]:
    """The next ``limit`` patent ids after ``after_id``, in id order (for work done in id chunks)."""
    return list(Patent.objects.filter(pk__gt=after_id).order_by("pk").values_list("pk", flat=True)[:limit])


def index_documents(ids=None, *, after_id: int | None = None, limit: int = 10000) -> list[dict]:
    """Patents as flat dicts for the search index (``PatentDoc.from_mapping`` shape), by ``ids``
    or, with ``after_id``, the next ``limit`` patents in id order. Three queries per call
    (patents, applicants, IPC codes); no ORM objects, no description text."""
    fields = ("id", "key", "publication_number", "grant_number", "title", "abstract", "claims", "patent_type",
              "legal_status", "region_code", "jurisdiction", "application_date", "publication_date",
              "grant_date", "ipc_main")
    if after_id is not None:
        rows = list(Patent.objects.filter(pk__gt=after_id).order_by("pk").values(*fields)[:limit])
    else:
        wanted = sorted({int(i) for i in ids or ()})
        rows = []
        for a in range(0, len(wanted), 5000):
            rows += Patent.objects.filter(pk__in=wanted[a:a + 5000]).order_by("pk").values(*fields)
    if not rows:
        return []
    by_id = {r["id"]: r | {"applicants": [], "ipc": [], "number": r["publication_number"] or r["grant_number"]
                           or r["key"]} for r in rows}
    if after_id is not None:  # a contiguous id range: range filters instead of long IN lists
        scopes = [Q(patent_id__gte=rows[0]["id"], patent_id__lte=rows[-1]["id"])]
    else:
        keys = list(by_id)
        scopes = [Q(patent_id__in=keys[a:a + 5000]) for a in range(0, len(keys), 5000)]
    for scope in scopes:
        parties = PatentParty.objects.filter(scope, role="applicant").order_by("patent_id", "position")
        for pid, name, ptype in parties.values_list("patent_id", "name", "party_type").iterator(chunk_size=5000):
            if pid in by_id:
                by_id[pid]["applicants"].append({"name": name, "type": ptype})
        # the scheme is checked here, not in SQL: with scheme = 'ipc' in the WHERE clause SQLite
        # answers through the (scheme, code) index and reads every IPC row of the store per chunk
        codes = PatentClassification.objects.filter(scope).order_by("patent_id", "-is_main", "id")
        for pid, code, scheme in codes.values_list("patent_id", "code", "scheme").iterator(chunk_size=5000):
            if scheme == "ipc" and pid in by_id:
                by_id[pid]["ipc"].append(code)
    return list(by_id.values())


def patent_ids_changed_since(epoch_seconds: float) -> list[int]:
    """Ids of patents created or changed after this time (a restored search index re-checks them)."""
    import datetime as _dt

    since = _dt.datetime.fromtimestamp(epoch_seconds, tz=_dt.UTC)
    return list(Patent.objects.filter(updated_at__gte=since).values_list("pk", flat=True))
