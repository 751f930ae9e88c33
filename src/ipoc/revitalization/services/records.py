"""建档: stock patents uploaded, imported or selected from the store, edited and submitted."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from ipoc.core.errors import ApplicationError, NotFound, PermissionDenied
from ipoc.core.models import AuditAction, Organization, User
from ipoc.core.services import audit_record, model_update, validated_save
from ipoc.patents import numbers as patent_numbers
from ipoc.patents import selectors as patent_selectors
from ipoc.revitalization import importers
from ipoc.revitalization.models import (
    MoveKind,
    Stage,
    StockImport,
    StockPatent,
)
from ipoc.revitalization.services.access import (
    EDITABLE_FIELDS,
    SOURCE_LABELS,
    _check_fields,
    _check_institution,
    _move,
    _require_member,
    _system_or_admin,
    patent_name,
)

# ---------------------------------------------------------------- 建档


def _enrich(patent, fields: dict[str, Any]) -> dict[str, Any]:
    """Fill blank 名称/发明人 from the patent record."""
    if not fields.get("title"):
        fields["title"] = patent.title
    if not fields.get("inventors"):
        fields["inventors"] = list(patent.inventors or [])
    return fields


def _holder_warning(patent, institution: Organization) -> str:
    parties = list(patent.parties.all())
    if any(p.organization_id == institution.pk or p.name == institution.name for p in parties):
        return ""
    names = "、".join(sorted({p.name for p in parties})) or "—"
    return f"专利库记录的申请人/权利人（{names}）不含本单位，请核实权属"


def _not_held(warning: str) -> str:
    """The refusal of a 建档 for a patent the institution does not hold (platform administrators may)."""
    return _("%(w)s：只能为本单位持有（申请人或当前权利人）的专利建档；如权属已变更，请先更新专利著录数据，"
             "或请平台管理员代为建档") % {"w": warning.replace("，请核实权属", "")}


def _create(actor: User | None, institution: Organization, patent, source: str, number_raw: str,
            fields: dict[str, Any]) -> StockPatent:
    stock = StockPatent(institution=institution, patent=patent, source=source, number_raw=number_raw,
                        created_by=actor if actor is not None and actor.pk else None, **_enrich(patent, fields))
    validated_save(stock)
    _move(stock, MoveKind.STAGE, "", Stage.DRAFT, actor,
          _("建档（%(s)s）") % {"s": SOURCE_LABELS.get(source, _("其他方式"))})
    return stock


@transaction.atomic
def stock_create(*, actor: User | None, institution: Organization, patent, source: str = "manual",
                 number_raw: str = "", **fields: Any) -> StockPatent:
    """建档 one patent of the institution (selected from the store)."""
    _check_institution(institution)
    _require_member(actor, institution)
    unknown = set(fields) - set(EDITABLE_FIELDS)
    if unknown:
        raise ApplicationError(_("未知字段：%(f)s") % {"f": ", ".join(sorted(unknown))}, field=sorted(unknown)[0])
    _check_fields(fields)
    if StockPatent.objects.filter(institution=institution, patent=patent).exists():
        raise ApplicationError(_("该专利已在本单位的盘点清单中：%(n)s") % {"n": patent_name(patent)}, field="patent")
    warning = _holder_warning(patent, institution)
    if warning and not _system_or_admin(actor):
        raise PermissionDenied(_not_held(warning), field="patent")
    number = number_raw or patent.publication_number or patent.application_number
    stock = _create(actor, institution, patent, source, number, fields)
    audit_record(actor=actor, action=AuditAction.CREATE, obj=stock,
                 changes={"patent": [None, patent_name(patent)], "institution": [None, institution.name]})
    return stock


def _find_patent(number: str):
    try:
        return patent_selectors.patent_get(user=None, key_or_number=number)
    except NotFound:
        return None


IMPORT_CHUNK = 200  # rows per transaction of an upload: a concurrent edit waits for one chunk at most
REPORT_KEPT = 1000  # rejected rows, warnings and items each kept in the stored report; the counts count all
CHUNK_PAUSE = 0.15  # seconds a background import rests between chunks, so waiting writers get SQLite's lock


def _report(record: StockImport, items: list[dict]) -> dict:
    issues = record.rows
    summary = next((r for r in issues if r.get("level") == "summary"), {})
    return {"id": record.pk, "file": record.file_name, "institution": record.institution.name,
            "counts": {"rows": record.rows_read, "created": record.created_count, "updated": record.updated_count,
                       "rejected": record.rejected_count,
                       "warnings": summary.get("warnings", sum(1 for r in issues if r["level"] == "warning"))},
            "rejected_rows": [r for r in issues if r["level"] == "error"],
            "warnings": [r for r in issues if r["level"] == "warning"],
            "rejected_more": max(0, record.rejected_count - sum(1 for r in issues if r["level"] == "error")),
            "items": items}


def import_report(record: StockImport) -> dict:
    items = [{"row": m.get("row"), "number": m.get("number"), "stock_id": m.get("stock_id"), "status": m.get("status")}
             for m in record.rows if m.get("level") == "item"]
    record.rows = [r for r in record.rows if r.get("level") in ("error", "warning", "summary")]
    return _report(record, items)


def _apply_rows(*, actor: User | None, institution: Organization, rows: Iterable, file: str,
                source: str, first_row: dict[int, int] | None = None,
                stocks: dict[int, StockPatent] | None = None) -> tuple[list[dict], list[dict], dict[str, int]]:
    """Apply rows; ``first_row`` (patent id → row) and ``stocks`` (patent id → the institution's stock
    record, read once) carry over between the chunks of one upload."""
    issues: list[dict] = []
    items: list[dict] = []
    counts = {"rows": 0, "created": 0, "updated": 0, "rejected": 0}
    first_row = {} if first_row is None else first_row
    for row in rows:
        counts["rows"] += 1
        if isinstance(row, importers.RowError):
            issues.append(row.as_dict())
            counts["rejected"] += 1
            continue
        patent = _find_patent(str(row.patent_id)) if row.patent_id else _find_patent(row.number)
        if patent is None:
            issues.append(importers.RowError(file, row.row, "专利号",
                                             f"专利库中没有此专利：{row.number_raw}（{row.number}），"
                                             "请先导入其著录数据或核对号码").as_dict())
            counts["rejected"] += 1
            continue
        if patent.pk in first_row:
            issues.append(importers.RowError(file, row.row, "专利号",
                                             f"与第 {first_row[patent.pk]} 行是同一件专利（{patent_name(patent)}）"
                                             ).as_dict())
            counts["rejected"] += 1
            continue
        first_row[patent.pk] = row.row
        fields = {k: getattr(row, k) for k in EDITABLE_FIELDS}
        existing = (stocks.get(patent.pk) if stocks is not None
                    else StockPatent.objects.filter(institution=institution, patent=patent).first())
        if existing is not None and existing.stage != Stage.DRAFT:
            issues.append(importers.RowError(file, row.row, "专利号",
                                             f"该专利已{existing.get_stage_display()}，不能再通过导入修改").as_dict())
            counts["rejected"] += 1
            continue
        warning = _holder_warning(patent, institution)
        if warning and existing is None and not _system_or_admin(actor):  # only what the institution holds
            issues.append(importers.RowError(file, row.row, "专利号", _not_held(warning)).as_dict())
            counts["rejected"] += 1
            continue
        if warning:
            issues.append(importers.RowError(file, row.row, "专利号", warning, level="warning").as_dict())
        if existing is None:
            stock = _create(actor, institution, patent, source, row.number_raw, fields)
            if stocks is not None:
                stocks[patent.pk] = stock
            counts["created"] += 1
            status = "created"
        else:
            data = {k: v for k, v in _enrich(patent, fields).items()}
            model_update(instance=existing, data=data, fields=EDITABLE_FIELDS)
            stock = existing
            counts["updated"] += 1
            status = "updated"
        items.append({"row": row.row, "number": patent_name(patent), "patent_id": patent.pk, "stock_id": stock.pk,
                      "status": status})
    return issues, items, counts


def _save_import(actor: User | None, institution: Organization, file: str, issues: list[dict], items: list[dict],
                 counts: dict[str, int]) -> StockImport:
    record = StockImport.objects.create(
        institution=institution, file_name=file, rows_read=counts["rows"], created_count=counts["created"],
        updated_count=counts["updated"], rejected_count=counts["rejected"],
        rows=issues + [{"level": "item", **i} for i in items],
        created_by=actor if actor is not None and actor.pk else None)
    audit_record(actor=actor, action=AuditAction.IMPORT, obj=record, changes=counts,
                 message=_("存量专利批量建档：%(f)s") % {"f": file})
    return record


def _import_checks(actor: User | None, institution: Organization, path: Path, file: str) -> None:
    _check_institution(institution)
    _require_member(actor, institution)
    if not path.exists():
        raise ApplicationError(f"文件不存在 / no such file: {file}", field="file")
    if path.suffix.lower() not in (".xlsx", ".xlsm", ".csv"):
        raise ApplicationError(_("请上传 Excel（.xlsx）或 CSV 文件：%(f)s") % {"f": file}, field="file")
    try:
        missing = importers.missing_headers(path)
    except ApplicationError:
        raise
    except Exception as exc:  # a corrupt or mislabelled file (zip, encoding, openpyxl errors)
        raise ApplicationError(_("无法读取文件 %(f)s：%(e)s") % {"f": file, "e": type(exc).__name__},
                               field="file") from exc
    if missing:
        raise ApplicationError(_("表头缺少必填列：%(c)s（请使用下载的模板）") % {"c": "、".join(missing)}, field="file")


def stock_import_start(*, actor: User | None, institution: Organization, path: str | Path,
                       file_name: str | None = None):
    """Check who uploads and that the sheet can be read (a refused file is deleted at once), then create
    the ``stock.import`` job; the caller starts it (``job_start_background``) or runs it."""
    from ipoc.core.jobs import job_create
    from ipoc.core.uploads import discarded_on_error

    path = Path(path)
    file = file_name or path.name
    with discarded_on_error(path):
        _import_checks(actor, institution, path, file)
        return job_create(actor=actor, kind="stock.import", title=_("存量专利批量建档：%(f)s") % {"f": file},
                          organization=institution,
                          params={"path": str(path), "file_name": file, "institution_id": institution.pk})


def stock_import_job(ctx) -> dict:
    """Job handler ``stock.import``: params {path, file_name, institution_id}; the actor is who started it."""
    params = ctx.params
    institution = Organization.objects.get(pk=params["institution_id"])
    report = stock_import(actor=ctx.job.created_by, institution=institution, path=params["path"],
                          file_name=params.get("file_name"), progress=ctx)
    return {"report": report, "counts": report["counts"], "import_id": report["id"],
            "report_url": f"/stock/imports/{report['id']}/"}


def stock_import(*, actor: User | None, institution: Organization, path: str | Path,
                 file_name: str | None = None, progress=None) -> dict:
    """批量建档 from the Excel template (or CSV with the same headers). Rows are enriched from
    the patent records; every rejected row is reported with file, row, field and reason; valid
    rows land (re-uploading updates rows still at 建档). The sheet is streamed and applied in
    transactions of :data:`IMPORT_CHUNK` rows; the stored report keeps the first :data:`REPORT_KEPT`
    rejected rows, warnings and items, and counts them all."""
    import time
    from itertools import islice

    path = Path(path)
    file = file_name or path.name
    _import_checks(actor, institution, path, file)
    record = StockImport.objects.create(institution=institution, file_name=file, rows=[],
                                        created_by=actor if actor is not None and actor.pk else None)
    totals = {"rows": 0, "created": 0, "updated": 0, "rejected": 0}
    errors: list[dict] = []
    warnings: list[dict] = []
    items: list[dict] = []
    warning_count = 0
    first_row: dict[int, int] = {}
    stocks = {s.patent_id: s for s in StockPatent.objects.filter(institution=institution)}
    stream = importers.read_rows(path, file)
    while True:
        chunk = list(islice(stream, IMPORT_CHUNK))
        if not chunk:
            break
        with transaction.atomic():
            issues, done, counts = _apply_rows(actor=actor, institution=institution, rows=chunk, file=file,
                                               source="import", first_row=first_row, stocks=stocks)
            for key in totals:
                totals[key] += counts[key]
            for issue in issues:
                if issue["level"] == "warning":
                    warning_count += 1
                    if len(warnings) < REPORT_KEPT:
                        warnings.append(issue)
                elif len(errors) < REPORT_KEPT:
                    errors.append(issue)
            items += done[:max(0, REPORT_KEPT - len(items))]
            StockImport.objects.filter(pk=record.pk).update(
                rows_read=totals["rows"], created_count=totals["created"], updated_count=totals["updated"],
                rejected_count=totals["rejected"],
                rows=errors + warnings + [{"level": "item", **i} for i in items]
                + [{"level": "summary", "warnings": warning_count}])
        if progress is not None:  # a background job: let the requests waiting for the write lock in
            progress.advance(len(chunk))
            time.sleep(CHUNK_PAUSE)
    record.refresh_from_db()
    audit_record(actor=actor, action=AuditAction.IMPORT, obj=record, changes=totals,
                 message=_("存量专利批量建档：%(f)s") % {"f": file})
    record.rows = [r for r in record.rows if r.get("level") != "item"]
    return _report(record, items)


@transaction.atomic
def stock_select(*, actor: User | None, institution: Organization, numbers: Iterable[str] = (),
                 patents: Iterable = (), **defaults: Any) -> dict:
    """建档 by selecting patents from the store; same report as an upload.

    ``patents`` are patent records (or their ids) — a patent is identified by its id, so one without a
    publication number (a research data set's record) is filed like any other. ``numbers`` are what a
    person types: an application or publication number, a patent id or a store key."""
    _check_institution(institution)
    _require_member(actor, institution)
    unknown = set(defaults) - (set(EDITABLE_FIELDS) - {"title"})
    if unknown:
        raise ApplicationError(_("未知字段：%(f)s") % {"f": ", ".join(sorted(unknown))}, field=sorted(unknown)[0])
    _check_fields(defaults)
    file = "专利库选择"
    extra = {k: v for k, v in defaults.items() if k in EDITABLE_FIELDS}

    def rows():
        i = 0
        for patent in patents:
            i += 1
            pk = patent if isinstance(patent, int) else patent.pk
            yield importers.StockRow(row=i, number_raw="", number="", patent_id=pk, **extra)
        for raw in numbers:
            i += 1
            text = str(raw).strip()
            if (text.isdecimal() and len(text) < 12) or text.startswith("ext:"):  # an id or key from the store
                patent = _find_patent(text)
                if patent is None:
                    yield importers.RowError(file, i, "专利号", f"专利库中没有此专利：{text}")
                    continue
                yield importers.StockRow(row=i, number_raw=patent.publication_number or patent.application_number,
                                         number="", patent_id=patent.pk, **extra)
                continue
            try:
                canonical = importers.canonical_number(text)
            except patent_numbers.PatentNumberError as exc:
                yield importers.RowError(file, i, "专利号", str(exc))
                continue
            yield importers.StockRow(row=i, number_raw=text, number=canonical, **extra)

    issues, items, counts = _apply_rows(actor=actor, institution=institution, rows=rows(), file=file,
                                        source="select")
    record = _save_import(actor, institution, file, issues, items, counts)
    return _report(record, items)


@transaction.atomic
def stock_update(*, actor: User | None, stock: StockPatent, data: dict[str, Any]) -> StockPatent:
    _require_member(actor, stock.institution)
    if stock.stage != Stage.DRAFT:
        raise ApplicationError(_("只有处于“建档”环节的专利可以修改（当前：%(s)s）") % {"s": stock.get_stage_display()},
                               field="stage", code="invalid_transition")
    _check_fields(data)
    changes = model_update(instance=stock, data=data, fields=EDITABLE_FIELDS)
    if changes:
        audit_record(actor=actor, action=AuditAction.UPDATE, obj=stock, changes=changes)
    return stock
