"""Writes for patents: the import engine (idempotent, transactional, resumable) and change hooks.

An import reads a file through ``ipoc.patents.importers`` row by row. Valid
records are upserted in batches keyed on ``PatentRecord.key``; each batch —
patents, their parties and classifications, the batch's rejected rows and the
report counts — commits in one transaction with the job checkpoint that records the
last committed row. A crashed import resumed from that checkpoint ends in the
same state as an uninterrupted one: rows already committed are skipped, and
upserts are idempotent anyway.
"""

from __future__ import annotations

import hashlib
import json
import re
import time
import zlib
from collections.abc import Callable, Iterable
from pathlib import Path

import orjson
from django.db import transaction
from django.utils import timezone

from ipoc.core.bulk import RawJson, fast_insert
from ipoc.core.errors import ApplicationError
from ipoc.core.jobs import JobContext, job_create, job_run
from ipoc.core.models import Job, User
from ipoc.core.services import audit_record, organization_ids_ensure
from ipoc.patents import lifecycle
from ipoc.patents.claims import claim_breadth
from ipoc.patents.importers import FORMATS, UnknownFormatError, detect_format, iter_records
from ipoc.patents.models import (
    APPLICANT_TYPE_FROM_CN,
    LEGAL_STATUS_FROM_CN,
    PATENT_TYPE_FROM_CN,
    ApplicantType,
    ImportBatch,
    ImportRejection,
    ImportStatus,
    PartyRole,
    Patent,
    PatentClassification,
    PatentParty,
)
from ipoc.patents.records import PatentRecord

DEFAULT_BATCH_SIZE = 2000
REJECTIONS_KEPT = 1000  # rejected rows stored per import; the batch's rejected_count counts them all

# Called with the ids of patents created or changed by an import, once it has finished (the search index
# listens). Once per import rather than per batch: the index commits in large chunks, and a resumed import
# hands over everything it touched, including what was committed before a crash.
PATENT_CHANGE_LISTENERS: list[Callable[[list[int]], None]] = []
PATENT_DELETE_LISTENERS: list[Callable[[list[int]], None]] = []


def on_patents_changed(listener: Callable[[list[int]], None]) -> None:
    if listener not in PATENT_CHANGE_LISTENERS:
        PATENT_CHANGE_LISTENERS.append(listener)


def on_patents_deleted(listener: Callable[[list[int]], None]) -> None:
    if listener not in PATENT_DELETE_LISTENERS:
        PATENT_DELETE_LISTENERS.append(listener)


# ---------------------------------------------------------------- record → model

_SCALAR_FIELDS = (
    "application_number", "application_number_raw", "publication_number", "publication_number_raw",
    "grant_number", "grant_number_raw", "external_id", "jurisdiction", "kind_code", "title", "abstract",
    "description", "language", "agency", "examiner", "ipc_main", "cpc_main", "application_date",
    "publication_date", "grant_date", "priority_date", "region_code", "region_name", "legal_status_detail",
    "lapse_date", "examination_days", "transfer_count", "last_transfer_date", "licence_count",
    "last_licence_date", "pledge_count", "last_pledge_date",
)


JSON_FIELDS = ("title_translations", "claims", "claims_translations", "inventors", "agents", "priority_claims",
               "legal_events", "backward_citations", "forward_citations", "family_members", "source_meta", "flags")


def serialise(fields: dict) -> tuple[str, dict[str, RawJson]]:
    """Encode a patent's JSON columns once; the fingerprint of all its content (to tell 'updated' from
    'unchanged') is taken over those strings and the scalar values, so nothing is encoded twice."""
    # key order is deterministic (records are built field by field), so no sort_keys is needed
    encoded = {name: RawJson(json.dumps(fields[name], ensure_ascii=False, default=str))
               for name in JSON_FIELDS}
    # sha1 over "name\x1fvalue" joined by "\x1e", fed part by part: joining first would copy a 40 MB
    # description three more times
    digest = hashlib.sha1()
    for i, name in enumerate(sorted(fields)):
        digest.update(f"{chr(0x1e) if i else ''}{name}\x1f".encode())
        digest.update(f"{encoded.get(name, fields[name])}".encode())
    return digest.hexdigest(), encoded


def _json_parts(record: PatentRecord) -> dict:
    """The list/dict parts of a record as JSON-able data (what ``to_dict`` gives for them, without
    converting every other field too — this runs once per imported row)."""
    return {
        "title_translations": dict(record.title_translations),
        "claims": [c.to_dict() for c in record.claims],
        "claims_translations": {lang: [c.to_dict() for c in cl] for lang, cl in record.claims_translations.items()},
        "inventors": list(record.inventors),
        "agents": list(record.agents),
        "priority_claims": [p.to_dict() for p in record.priority_claims],
        "legal_events": [e.to_dict() for e in record.legal_events],
        "backward_citations": [c.to_dict() for c in record.backward_citations],
        "forward_citations": [c.to_dict() for c in record.forward_citations],
        "family_members": list(record.family_members),
        "source_meta": dict(record.source_meta),
        "flags": list(record.flags),
    }


def _patent_fields(record: PatentRecord, data: dict) -> dict:
    values = {name: getattr(record, name) for name in _SCALAR_FIELDS}
    for name, value in values.items():
        if value is None and name not in ("application_date", "publication_date", "grant_date", "priority_date",
                                          "lapse_date", "examination_days", "last_transfer_date",
                                          "last_licence_date", "last_pledge_date"):
            values[name] = ""
    claims = data["claims"]
    breadth = claim_breadth(record.claims) if record.claims else None
    values.update(
        key=record.key,
        source=str(record.source_meta.get("source") or record.source_format),
        patent_type=PATENT_TYPE_FROM_CN.get(record.patent_type or "", ""),
        legal_status=LEGAL_STATUS_FROM_CN.get(record.legal_status or "", ""),
        title_translations=data["title_translations"],
        claims=claims,
        claims_translations=data["claims_translations"],
        claims_count=len(claims),
        independent_claims_count=sum(1 for c in claims if c["independent"]),
        claim1_chars=breadth.chars if breadth else None,
        claim1_features=breadth.features if breadth else None,
        inventors=data["inventors"],
        agents=data["agents"],
        priority_claims=data["priority_claims"],
        legal_events=data["legal_events"],
        backward_citations=data["backward_citations"],
        forward_citations=data["forward_citations"],
        family_members=data["family_members"],
        backward_citations_count=len(record.backward_citations),
        forward_citations_count=len(record.forward_citations),
        family_size=len(record.family_members),
        source_meta=data["source_meta"],
        flags=data["flags"],
    )
    expiry = (lifecycle.expiry_date(record.patent_type, record.application_date)
              if record.patent_type in PATENT_TYPE_FROM_CN and record.application_date else None)
    return values | {"expiry_date": expiry}


PARTY_COLUMNS = ("patent_id", "role", "position", "name", "party_type", "organization_id", "country", "address")
CLASS_COLUMNS = ("patent_id", "scheme", "code", "subclass", "is_main")


def _children(patent_id: int, record: PatentRecord, orgs: dict[str, int]) -> tuple[list, list]:
    """Rows for PatentParty and PatentClassification (tuples in PARTY_COLUMNS / CLASS_COLUMNS order)."""
    parties = []
    for role, people in ((PartyRole.APPLICANT, record.applicants), (PartyRole.HOLDER, record.holders)):
        for position, party in enumerate(people):
            party_type = APPLICANT_TYPE_FROM_CN.get(party.type or "", "")
            org_id = orgs.get(party.name) if party_type != ApplicantType.INDIVIDUAL else None
            parties.append((patent_id, role, position, party.name[:300], party_type, org_id,
                            party.country or "", (party.address or "")[:300]))
    classes = []
    for scheme, main, codes in (("ipc", record.ipc_main, record.ipc_all), ("cpc", record.cpc_main, record.cpc_all)):
        for code in dict.fromkeys([c for c in [main, *codes] if c]):
            classes.append((patent_id, scheme, code[:32], code[:4], code == main))
    return parties, classes


def _organization_names(records: Iterable[PatentRecord]) -> set[str]:
    return {p.name for r in records for p in (*r.applicants, *r.holders)
            if p.name and APPLICANT_TYPE_FROM_CN.get(p.type or "") != ApplicantType.INDIVIDUAL and len(p.name) <= 200}


def _may_update(batch: ImportBatch):
    """Whether this batch may rewrite an existing patent, given who last imported it (organisation, user).
    The patent store is shared: an import by a user updates only what its own organisation (or the user)
    imported — a university's file rewrote another institute's patent, applicants included, and so became
    its holder. The system (command line, demo) and platform administrators update any patent."""
    actor = batch.created_by
    if actor is None or actor.is_platform_admin:
        return lambda org_id, user_id: True
    return lambda org_id, user_id: ((batch.organization_id is not None and org_id == batch.organization_id)
                                    or user_id == actor.pk)


def _upsert_batch(batch: ImportBatch, records: list[PatentRecord]) -> tuple[int, int, int, list[int], set[str]]:
    """Upsert one batch of valid records; returns (new, updated, unchanged, changed patent ids, keys refused
    because the patent is someone else's — see ``_may_update``)."""
    prepared: dict[str, tuple[PatentRecord, dict, str, dict]] = {}
    for record in records:  # the last occurrence of a key within a batch wins, as it would row by row
        fields = _patent_fields(record, _json_parts(record))
        digest, encoded = serialise(fields)
        prepared[record.key] = (record, fields, digest, encoded)
    may_update = _may_update(batch)
    existing, refused = {}, set()
    for key, pk, digest, org_id, user_id in Patent.objects.filter(key__in=list(prepared)).values_list(
            "key", "id", "content_hash", "last_import__organization_id", "last_import__created_by_id"):
        existing[key] = (pk, digest)
        if digest != prepared[key][2] and not may_update(org_id, user_id):
            refused.add(key)
    for key in refused:
        del prepared[key]
    orgs = organization_ids_ensure(actor=None, names=_organization_names(v[0] for v in prepared.values()),
                                   source=f"import:{batch.format}")
    new_rows, changed_objs, unchanged = [], [], 0
    now = timezone.now()
    for key, (record, fields, digest, encoded) in prepared.items():
        if key in existing and existing[key][1] == digest:
            unchanged += 1
            continue
        if key in existing:
            obj = Patent(pk=existing[key][0], content_hash=digest, last_import=batch, updated_at=now, **fields)
            changed_objs.append((obj, record))
        else:
            new_rows.append((fields | encoded | {"content_hash": digest, "last_import_id": batch.pk,
                                                 "created_at": now, "updated_at": now}, record))
    if new_rows:
        columns = list(new_rows[0][0])
        fast_insert(Patent, columns, [tuple(row[c] for c in columns) for row, _r in new_rows])
        ids = dict(Patent.objects.filter(key__in=[row["key"] for row, _r in new_rows]).values_list("key", "id"))
    if changed_objs:
        update_fields = [f.name for f in Patent._meta.concrete_fields if f.name not in ("id", "key", "created_at")]
        Patent.objects.bulk_update([o for o, _r in changed_objs], update_fields, batch_size=200)
        changed_ids = [o.pk for o, _r in changed_objs]
        PatentParty.objects.filter(patent_id__in=changed_ids).delete()
        PatentClassification.objects.filter(patent_id__in=changed_ids).delete()
    touched = [(ids[row["key"]], record) for row, record in new_rows] + [(o.pk, r) for o, r in changed_objs]
    parties, classes = [], []
    for patent_id, record in touched:
        p, c = _children(patent_id, record, orgs)
        parties += p
        classes += c
    fast_insert(PatentParty, PARTY_COLUMNS, parties)
    fast_insert(PatentClassification, CLASS_COLUMNS, classes)
    return len(new_rows), len(changed_objs), unchanged, [pid for pid, _r in touched], refused


def _notify(ids: list[int]) -> None:
    if ids:
        for listener in PATENT_CHANGE_LISTENERS:
            listener(ids)


# ---------------------------------------------------------------- the import job


FOREIGN_PATENT = ("该专利已在平台中，由其他单位或平台导入，本单位的导入不能改动它（包括申请人和权利人）；"
                  "如需更正请联系平台管理员 / already on the platform, imported by another organisation: not changed")


def patent_import_job(ctx: JobContext) -> dict:
    """Job handler ``patents.import``: params {batch_id, path, format, batch_size, options}."""
    params = ctx.params
    batch = ImportBatch.objects.get(pk=params["batch_id"])
    path = Path(params["path"])
    batch_size = int(params.get("batch_size") or DEFAULT_BATCH_SIZE)
    resume_after = int(ctx.checkpoint_data.get("row", 0))
    started = time.monotonic() - float(ctx.checkpoint_data.get("seconds", 0.0))
    ImportBatch.objects.filter(pk=batch.pk).update(status=ImportStatus.RUNNING)
    ctx.set_total(estimate_rows(path, batch.format))
    if resume_after:
        ctx.log(f"从第 {resume_after} 行之后续导 / resuming after row {resume_after}")

    pending: list[PatentRecord] = []
    pending_rows: list[int] = []  # the file row of each pending record
    rejections: list[ImportRejection] = []
    rows_in_batch = 0
    last_row = resume_after
    stored = batch.rejections.count()  # the report keeps the first REJECTIONS_KEPT rejections
    stream = iter_records(path, batch.format, **batch.options)

    def commit() -> None:
        nonlocal pending, pending_rows, rejections, rows_in_batch, stored
        with transaction.atomic():
            new, updated, unchanged, _ids, refused = _upsert_batch(batch, pending)
            rejections += [ImportRejection(batch=batch, file=batch.file_name[:300], row=row, field="专利",
                                           reason=FOREIGN_PATENT) for row, record in zip(pending_rows, pending,
                                                                                         strict=True)
                           if record.key in refused]
            keep = rejections[:max(0, REJECTIONS_KEPT - stored)]
            ImportRejection.objects.bulk_create(keep, batch_size=1000)
            stored += len(keep)
            batch.rows_read += rows_in_batch
            batch.new_count += new
            batch.updated_count += updated
            batch.unchanged_count += unchanged
            batch.rejected_count += len({(r.row) for r in rejections})
            batch.seconds = round(time.monotonic() - started, 3)
            batch.save(update_fields=["rows_read", "new_count", "updated_count", "unchanged_count",
                                      "rejected_count", "seconds"])
            # the resume point commits with the batch: a kill between the two made the resumed import read the
            # batch again and count its rows twice (3,050 rows of 3,000, seen in CI)
            ctx.checkpoint({"row": last_row, "seconds": batch.seconds})
        pending, pending_rows, rejections, rows_in_batch = [], [], [], 0

    try:
        for row, record, errors in stream:
            if row <= resume_after:
                continue
            last_row = row
            rows_in_batch += 1
            if errors or record is None:
                rejections += [ImportRejection(batch=batch, file=e.file[:300], row=e.row, field=e.field[:100],
                                               reason=e.reason[:2000]) for e in errors]
            else:
                pending.append(record)
                pending_rows.append(row)
            if rows_in_batch >= batch_size:
                commit()
                ctx.set_done(last_row)
        if rows_in_batch:
            commit()
    except (OSError, UnicodeError, UnknownFormatError) as exc:
        raise ApplicationError(f"无法读取文件 {batch.file_name}：{exc}", field="file") from exc
    batch.status = ImportStatus.DONE
    batch.finished_at = timezone.now()
    batch.seconds = round(time.monotonic() - started, 3)
    batch.save(update_fields=["status", "finished_at", "seconds"])
    ctx.set_done(max(last_row, ctx.job.progress_total or 0))
    _refresh_statistics(batch)
    _notify(list(Patent.objects.filter(last_import=batch).values_list("id", flat=True)))
    audit_record(actor=batch.created_by, action="import", obj=batch, changes=batch.counts(),
                 message=f"导入 {batch.file_name}（{batch.format}）")
    return {"batch_id": batch.pk, "counts": batch.counts(), "seconds": batch.seconds,
            "report_url": f"/patents/imports/{batch.pk}/"}


ANALYZE_MIN_ROWS = 50_000  # an import writing this many patents refreshes the planner's statistics (PostgreSQL)


def _refresh_statistics(batch: ImportBatch) -> bool:
    """After a large import the PostgreSQL planner still believes the tables' old sizes until autovacuum
    gets to them: at 1M derived patents it read the IPC rows of 200 patents through the ``(scheme, code)``
    index of 1.8M rows, and a match spent 0.38 s there instead of 0.01 s (bench/RESULTS.md, issue 21).
    ``ANALYZE`` samples the three tables the import wrote (seconds, whatever their size)."""
    from django.db import connection

    if connection.vendor != "postgresql" or (batch.new_count or 0) + (batch.updated_count or 0) < ANALYZE_MIN_ROWS:
        return False
    tables = ", ".join(connection.ops.quote_name(m._meta.db_table) for m in (Patent, PatentParty, PatentClassification))
    with connection.cursor() as cursor:
        cursor.execute(f"ANALYZE {tables}")
    return True


def patent_import_abandoned(job: Job) -> None:
    """``on_abandon`` of ``patents.import`` (the job failed, or its process died): the batch is marked
    failed or interrupted — never left "running" — and the patents its committed chunks wrote are handed
    to the search index, so they are found even if the import is never resumed."""
    batch = ImportBatch.objects.filter(pk=(job.params or {}).get("batch_id")).first()
    if batch is None:
        return
    status = ImportStatus.FAILED if job.status == "failed" else ImportStatus.INTERRUPTED
    ImportBatch.objects.filter(pk=batch.pk, status=ImportStatus.RUNNING).update(status=status,
                                                                               finished_at=timezone.now())
    _notify(list(Patent.objects.filter(last_import=batch).values_list("id", flat=True)))


def estimate_rows(path: Path, fmt: str) -> int | None:
    """How many rows (lines, documents) the file holds, for the progress bar; cheap byte counting."""
    try:
        if fmt in ("jsonl", "incopat") and path.suffix.lower() not in (".xlsx", ".xlsm"):
            with path.open("rb") as fh:
                return sum(chunk.count(b"\n") for chunk in iter(lambda: fh.read(1 << 20), b"")) or 1
        if fmt == "uspto-xml":
            with path.open("rb") as fh:
                return sum(chunk.count(b"<?xml") for chunk in iter(lambda: fh.read(1 << 20), b"")) or 1
        if fmt == "epo-xml":
            return 1
    except OSError:
        return None
    return None


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


@transaction.atomic
def patent_import_start(*, actor: User | None, path: str | Path, format: str = "auto",
                        batch_size: int = DEFAULT_BATCH_SIZE, options: dict | None = None,
                        file_name: str | None = None) -> Job:
    """Create an import batch and its job (not yet run): the CLI runs it in the foreground,
    the web in a background thread. A refused upload is deleted at once."""
    from ipoc.core.uploads import discarded_on_error

    with discarded_on_error(path):
        return _import_start(actor=actor, path=path, format=format, batch_size=batch_size, options=options,
                             file_name=file_name)


def _import_start(*, actor: User | None, path: str | Path, format: str, batch_size: int, options: dict | None,
                  file_name: str | None) -> Job:
    path = Path(path).resolve()
    shown = file_name or path.name
    if not path.exists():
        raise ApplicationError(f"文件不存在 / no such file: {shown}", field="file")
    try:
        fmt = detect_format(path) if format == "auto" else format
    except UnknownFormatError as exc:
        raise ApplicationError(f"{shown}：{str(exc).split(': ', 1)[-1]}", field="format") from exc
    except OSError as exc:
        raise ApplicationError(f"无法读取文件 {shown}：{exc.strerror or type(exc).__name__}", field="file") from exc
    if fmt not in FORMATS:
        raise ApplicationError(f"未知格式 {format}，可选：{', '.join(FORMATS)}", field="format")
    if batch_size < 1:
        raise ApplicationError("batch_size 必须为正整数", field="batch_size")
    batch = ImportBatch.objects.create(
        file_name=file_name or path.name, file_path=str(path), file_sha256=_sha256(path), format=fmt,
        options=options or {}, created_by=actor if actor and actor.pk else None,
        organization=actor.organization if actor and actor.pk else None)
    job = job_create(actor=actor, kind="patents.import", title=f"导入专利：{batch.file_name}",
                     params={"batch_id": batch.pk, "path": str(path), "batch_size": batch_size})
    batch.job = job
    batch.save(update_fields=["job"])
    return job


def patent_import(*, actor: User | None, path: str | Path, format: str = "auto",
                  batch_size: int = DEFAULT_BATCH_SIZE, options: dict | None = None,
                  progress_bar: bool = False) -> ImportBatch:
    """Import a file in the foreground and return its report."""
    job = patent_import_start(actor=actor, path=path, format=format, batch_size=batch_size, options=options)
    job_run(job, progress_bar=progress_bar, via="cli" if progress_bar else "job")
    return ImportBatch.objects.get(pk=job.params["batch_id"])


def patent_import_resume(*, job: Job, progress_bar: bool = False) -> ImportBatch:
    """Continue an interrupted import from its checkpoint."""
    from ipoc.core.jobs import job_resume

    job_resume(job, progress_bar=progress_bar)
    return ImportBatch.objects.get(pk=job.params["batch_id"])


@transaction.atomic
def patents_delete(*, actor: User | None, patents: Iterable[Patent]) -> int:
    """Delete patents (platform administrators); the search index is told."""
    from ipoc.core.permissions import require_role

    if actor is not None:
        require_role(actor)
    ids = [p.pk for p in patents]
    for patent in Patent.objects.filter(pk__in=ids):
        audit_record(actor=actor, action="delete", obj=patent)
    count, _ = Patent.objects.filter(pk__in=ids).delete()
    transaction.on_commit(lambda: [listener(ids) for listener in PATENT_DELETE_LISTENERS])
    return count


# ---------------------------------------------------------------- the import split across task-queue workers
#
# ``ipoc.core.queue`` runs a large JSON Lines import as chunks that any worker takes (分块导入). The plan
# deals the file's lines into part files, a patent's lines always to the same part (by its number), so
# no two chunks write one patent and each part keeps the file's order — the last row of a number wins,
# as in one run. A chunk imports its part in one transaction: a worker killed midway leaves nothing, and
# the worker that redoes it counts exactly what one uninterrupted run counts. The finish step adds the
# chunks' counts to the batch and hands the patents to the search index.

CHUNK_ROWS = 2000  # rows per chunk (one transaction each)
_NUMBER_FIELDS = ("application_number", "publication_number", "grant_number", "application_number_raw",
                  "publication_number_raw", "external_id", "id")


def _part_of(raw: bytes | None, row: int, parts: int) -> int:
    """Which part a line goes to: by the first number it carries (normalised), else by its text."""
    try:
        data = orjson.loads(raw) if raw else None
    except orjson.JSONDecodeError:  # what orjson refuses and json may take (NaN, huge integers, deep nesting)
        try:
            data = json.loads(raw)
        except (ValueError, RecursionError):
            data = None
    if not isinstance(data, dict):
        return row % parts
    for name in _NUMBER_FIELDS:
        value = data.get(name)
        if isinstance(value, str | int) and str(value).strip():
            token = re.sub(r"[^0-9A-Z]", "", str(value).upper())
            return zlib.crc32(f"{name[:3]}:{token}".encode()) % parts
    text = f"{data.get('title', '')}\n{data.get('abstract', '')}"
    return zlib.crc32(text.encode("utf-8", "replace")) % parts


def patent_import_plan(ctx: JobContext) -> list[dict] | None:
    """``plan`` of the chunked ``patents.import``: ``None`` (run it whole) unless the file is JSON Lines of
    at least two chunks on a database that writes in parallel (PostgreSQL; ``params["chunks"]`` forces)."""
    from django.conf import settings
    from django.db import connection

    from ipoc.patents.importers.jsonl import _lines

    params = ctx.params
    batch = ImportBatch.objects.get(pk=params["batch_id"])
    path = Path(params["path"])
    rows = int(params.get("chunk_rows") or getattr(settings, "IPOC_IMPORT_CHUNK_ROWS", CHUNK_ROWS))
    if batch.format != "jsonl" or (connection.vendor == "sqlite" and not params.get("chunks")):
        return None
    total = estimate_rows(path, batch.format) or 0
    parts = int(params.get("chunks") or (total + rows - 1) // rows)
    if parts < 2:
        return None
    folder = _parts_folder(ctx.job.pk)
    folder.mkdir(parents=True, exist_ok=True)
    # a part is the list of its lines' (row, offset, length) in the file: the pass reads the file and writes a
    # few bytes per line (at 3M rows, copying the lines into part files wrote 16 GB and took 7 minutes)
    numbers = [(folder / f"part-{i:05d}.rows").open("w") for i in range(parts)]
    counts = [0] * parts
    try:
        with path.open("rb") as fh:
            lines = _lines(fh)
            while True:
                start = fh.tell()  # the generator waits after a line: this is where the next one starts
                try:
                    row, raw = next(lines)
                except StopIteration:
                    break
                i = _part_of(raw, row, parts)
                numbers[i].write(f"{row} {start} {-1 if raw is None else len(raw)}\n")
                counts[i] += 1
    finally:
        for fh in numbers:
            fh.close()
    ImportBatch.objects.filter(pk=batch.pk).update(status=ImportStatus.RUNNING)
    ctx.set_total(total)
    return [{"part": str(folder / f"part-{i:05d}"), "size": counts[i]} for i in range(parts) if counts[i]]


def _part_lines(part: str, path: Path):
    """(original row, bytes or None for an over-long line) of one part, read from the file at the offsets the
    plan recorded (a part planned by an earlier version is a copy, ``part.jsonl`` beside ``part.rows``)."""
    copy = Path(f"{part}.jsonl")
    with open(f"{part}.rows") as rows, open(copy if copy.exists() else path, "rb") as lines:
        for entry in rows:
            fields = entry.split()
            if len(fields) == 2:  # the earlier layout: the part's own copy, line by line
                raw = lines.readline()
                yield int(fields[0]), (None if fields[1] == "1" else raw)
                continue
            row, start, length = (int(x) for x in fields)
            if length < 0:
                yield row, None
                continue
            lines.seek(start)
            yield row, lines.read(length)


def patent_import_chunk(ctx: JobContext, params: dict, spec: dict) -> dict:
    """``chunk`` of the chunked ``patents.import``: import one part of the file in one transaction; returns its
    counts."""
    from ipoc.patents.importers.jsonl import iter_jsonl_lines

    batch = ImportBatch.objects.select_related("created_by").get(pk=params["batch_id"])
    path = Path(params["path"])
    source = (batch.options or {}).get("source") or path.stem
    records: list[PatentRecord] = []
    record_rows: list[int] = []
    rejections: list[ImportRejection] = []
    read = 0
    for row, record, errors in iter_jsonl_lines(_part_lines(spec["part"], path), path.name, source):
        read += 1
        if errors or record is None:
            rejections += [ImportRejection(batch=batch, file=e.file[:300], row=e.row, field=e.field[:100],
                                           reason=e.reason[:2000]) for e in errors]
        else:
            records.append(record)
            record_rows.append(row)
    with transaction.atomic():
        new, updated, unchanged, _ids, refused = _upsert_batch(batch, records) if records else (0, 0, 0, [], set())
        rejections += [ImportRejection(batch=batch, file=batch.file_name[:300], row=row, field="专利",
                                       reason=FOREIGN_PATENT)
                       for row, record in zip(record_rows, records, strict=True) if record.key in refused]
        room = max(0, REJECTIONS_KEPT - batch.rejections.count())
        ImportRejection.objects.bulk_create(sorted(rejections, key=lambda r: r.row)[:room], batch_size=1000)
        result = ctx.commit_result({"rows_read": read, "new": new, "updated": updated, "unchanged": unchanged,
                                    "rejected": len({r.row for r in rejections})})
    ctx.set_done(spec.get("size") or read)
    return result


def patent_import_finish(ctx: JobContext, results: list[dict]) -> dict:
    """``finish`` of the chunked ``patents.import``: the batch's counts, its end, the search index."""
    import shutil

    batch = ImportBatch.objects.get(pk=ctx.params["batch_id"])
    batch.rows_read = sum(r["rows_read"] for r in results)
    batch.new_count = sum(r["new"] for r in results)
    batch.updated_count = sum(r["updated"] for r in results)
    batch.unchanged_count = sum(r["unchanged"] for r in results)
    batch.rejected_count = sum(r["rejected"] for r in results)
    batch.status = ImportStatus.DONE
    batch.finished_at = timezone.now()
    started = ctx.job.started_at or batch.created_at
    batch.seconds = round((batch.finished_at - started).total_seconds(), 3)
    batch.save(update_fields=["rows_read", "new_count", "updated_count", "unchanged_count", "rejected_count",
                              "status", "finished_at", "seconds"])
    ctx.set_done(ctx.job.progress_total or batch.rows_read)
    _refresh_statistics(batch)
    _notify(list(Patent.objects.filter(last_import=batch).values_list("id", flat=True)))
    audit_record(actor=batch.created_by, action="import", obj=batch, changes=batch.counts(),
                 message=f"导入 {batch.file_name}（{batch.format}，{len(results)} 个分块）")
    shutil.rmtree(_parts_folder(ctx.job.pk), ignore_errors=True)
    return {"batch_id": batch.pk, "counts": batch.counts(), "seconds": batch.seconds, "chunks": len(results),
            "report_url": f"/patents/imports/{batch.pk}/"}


def _parts_folder(job_id: int) -> Path:
    from django.conf import settings

    return Path(settings.IPOC_HOME) / "jobs" / str(job_id)
