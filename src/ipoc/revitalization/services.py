"""Writes for 存量专利盘活: 建档 (upload or selection from the store), the review chain, the two
libraries, grading and screening, pushes, responses and deals — each checked, transactional
and audited.

Who may do what (``actor=None`` is the system / CLI and may do everything; platform
administrators too):

* 建档, edit, submit (发明人/院系建档): institution users (``institution_user``) of the institution.
* 院系审核: an institution user appointed ``StockReviewer`` level 院系审核人 for the patent's 院系
  (an appointment with a blank 院系 covers every 院系).
* 学校审核: an institution user appointed 学校审核人. The 学校审核人 acts as the institution's
  administrator for this process and appoints reviewers; the first one is appointed by a
  platform administrator or from the CLI.
* A center serves an institution through a ``ServiceLink``, which needs the institution's consent: the
  center's staff ask (``ServiceRequest``), one of the institution's users accepts or declines; an institution's
  user or an administrator may set it up directly. Only then do the center's staff see the institution's list.
* 建档 only for patents the institution holds (applicant or current holder in the store); platform
  administrators may 建档 others' patents (with a warning in the report).
* Grading: the institution's users, serving center staff. Screening into the 专利转化资源库:
  serving center staff or the 学校审核人. Pushes, responses and deals: serving center staff;
  the pushed enterprise's users may record their own response.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from ipoc.core.display import patent_label
from ipoc.core.errors import ApplicationError, NotFound, PermissionDenied
from ipoc.core.models import AuditAction, Organization, OrganizationKind, Role, User
from ipoc.core.services import audit_record, model_update, validated_save
from ipoc.patents import numbers as patent_numbers
from ipoc.patents import selectors as patent_selectors
from ipoc.revitalization import grading, importers
from ipoc.revitalization.models import (
    PROMOTABLE,
    DealMode,
    Intention,
    Library,
    MoveKind,
    Recommendation,
    Response,
    ReviewLevel,
    ServiceLink,
    ServiceRequest,
    ServiceRequestStatus,
    Stage,
    StockDeal,
    StockImport,
    StockMove,
    StockPatent,
    StockPush,
    StockPushResponse,
    StockReviewer,
)

INSTITUTION_KINDS = (OrganizationKind.UNIVERSITY, OrganizationKind.RESEARCH_INSTITUTE)
EDITABLE_FIELDS = ("title", "inventors", "department", "intentions", "implemented", "self_rating",
                   "contact_name", "contact_phone", "contact_email")

# How a stock patent came in (``StockPatent.source``), as a person reads it.
SOURCE_LABELS = {"manual": gettext_lazy("逐件建档"), "import": gettext_lazy("批量导入"),
                 "select": gettext_lazy("从专利库选择")}

# ---------------------------------------------------------------- who may


def _system_or_admin(actor: User | None) -> bool:
    return actor is None or actor.is_platform_admin


def is_member(actor: User | None, institution: Organization) -> bool:
    return (actor is not None and actor.role == Role.INSTITUTION_USER
            and actor.organization_id == institution.pk)


def serves(actor: User | None, institution: Organization) -> bool:
    return (actor is not None and actor.role == Role.CENTER_STAFF and actor.organization_id is not None
            and ServiceLink.objects.filter(center=actor.organization_id, institution=institution).exists())


def is_reviewer(actor: User | None, institution: Organization, level: str, department: str = "") -> bool:
    if not is_member(actor, institution):
        return False
    qs = StockReviewer.objects.filter(institution=institution, user=actor, level=level)
    if level == ReviewLevel.DEPARTMENT:
        qs = qs.filter(department__in=("", department))
    return qs.exists()


def patent_name(patent) -> str:
    """What a person calls the patent: its number, else its title (never the store's internal key)."""
    return patent_label(patent)[0]


def _deny(message: str) -> None:
    raise PermissionDenied(message)


def _require_member(actor: User | None, institution: Organization) -> None:
    if not (_system_or_admin(actor) or is_member(actor, institution)):
        _deny(_("只有本单位（%(org)s）的高校/院所用户可以建档或提交") % {"org": institution.name})


def _check_institution(institution: Organization) -> None:
    if institution.kind not in INSTITUTION_KINDS:
        raise ApplicationError(_("存量专利盘活的主体须为高校或科研院所：%(org)s") % {"org": institution.name},
                               field="institution")


def _move(stock: StockPatent, kind: str, from_value: str, to_value: str, actor: User | None, reason: str) -> None:
    StockMove.objects.create(stock=stock, kind=kind, from_value=from_value, to_value=to_value,
                             actor=actor if actor is not None and actor.pk else None, reason=reason)


def _check_fields(data: dict[str, Any]) -> None:
    for code in data.get("intentions") or []:
        if code not in Intention.values:
            raise ApplicationError(_("未知的转化意愿：%(v)s") % {"v": code}, field="intentions")
    rating = data.get("self_rating")
    if rating is not None and not 1 <= int(rating) <= 5:
        raise ApplicationError(_("价值自评应为 1–5 分"), field="self_rating")


# ---------------------------------------------------------------- service links and reviewers


def _is_center_staff_of(actor: User | None, center: Organization) -> bool:
    return actor is not None and actor.role == Role.CENTER_STAFF and actor.organization_id == center.pk


def _accept_request(actor: User | None, request: ServiceRequest, reason: str) -> ServiceLink:
    request.status = ServiceRequestStatus.ACCEPTED
    request.decided_by = actor if actor is not None and actor.pk else None
    request.decided_at = timezone.now()
    request.reason = reason or ""
    request.save()
    link, created = ServiceLink.objects.get_or_create(center=request.center, institution=request.institution)
    if created:
        audit_record(actor=actor, action=AuditAction.CREATE, obj=link,
                     changes={"center": [None, request.center.name], "institution": [None, request.institution.name],
                              "request": [None, request.pk]}, message=reason or "")
    return link


@transaction.atomic
def service_link_create(*, actor: User | None, center: Organization, institution: Organization,
                        note: str = "") -> ServiceRequest:
    """服务关系: a center serves an institution's 存量专利盘活 only with the institution's consent.

    Center staff ask (a pending ``ServiceRequest``; the institution's users are told) and see nothing of the
    institution's inventory until one of its users accepts (``service_request_decide``). A relation set up by
    the institution's own user, a platform administrator or the system takes effect at once (accepted, with
    the same record). Asking again while a request is pending returns that request."""
    if center.kind != OrganizationKind.OPERATION_CENTER:
        raise ApplicationError(_("服务方须为产业知识产权运营中心"), field="center")
    _check_institution(institution)
    consenting = _system_or_admin(actor) or is_member(actor, institution)
    if not (consenting or _is_center_staff_of(actor, center)):
        _deny(_("只有该运营中心的工作人员可以申请服务，只有该高校/院所的用户可以同意"))
    pending = (ServiceRequest.objects.select_for_update()
               .filter(center=center, institution=institution, status=ServiceRequestStatus.PENDING).first())
    if ServiceLink.objects.filter(center=center, institution=institution).exists():
        done = (ServiceRequest.objects.filter(center=center, institution=institution,
                                              status=ServiceRequestStatus.ACCEPTED).first())
        if done is not None:
            return done
        pending = pending or ServiceRequest(center=center, institution=institution, note=note,
                                            requested_by=actor if actor is not None and actor.pk else None)
        _accept_request(None, pending, _("已有服务关系"))  # a relation made before consent was recorded
        return pending
    if consenting:
        request = pending or ServiceRequest(center=center, institution=institution, note=note,
                                            requested_by=actor if actor is not None and actor.pk else None)
        _accept_request(actor, request, note)
        return request
    if pending is not None:
        return pending
    request = ServiceRequest.objects.create(center=center, institution=institution, note=(note or "").strip(),
                                            requested_by=actor if actor is not None and actor.pk else None)
    audit_record(actor=actor, action=AuditAction.CREATE, obj=request,
                 changes={"center": [None, center.name], "institution": [None, institution.name],
                          "status": [None, request.status]}, message=request.note)
    from ipoc.core.services import notify

    notify(users=User.objects.filter(organization=institution, role=Role.INSTITUTION_USER, is_active=True),
           kind="stock_service_request",
           title=_("%(c)s 申请为本单位提供存量专利盘活服务") % {"c": center.name},
           body=_("同意后，该运营中心可以查看本单位的存量专利清单并开展评价、筛选和推广。请同意或拒绝。%(n)s")
           % {"n": request.note})
    return request


@transaction.atomic
def service_request_decide(*, actor: User | None, request: ServiceRequest, accept: bool,
                           reason: str = "") -> ServiceRequest:
    """The institution's user accepts (the ``ServiceLink`` is made) or declines a center's request."""
    request = (ServiceRequest.objects.select_for_update().select_related("center", "institution")
               .get(pk=request.pk))
    if not (_system_or_admin(actor) or is_member(actor, request.institution)):
        _deny(_("只有“%(org)s”的用户可以同意或拒绝服务申请") % {"org": request.institution.name})
    if request.status != ServiceRequestStatus.PENDING:
        raise ApplicationError(_("该服务申请已处理（%(s)s）") % {"s": request.get_status_display()},
                               field="status", code="invalid_transition")
    if accept:
        _accept_request(actor, request, reason)
    else:
        request.status = ServiceRequestStatus.DECLINED
        request.decided_by = actor if actor is not None and actor.pk else None
        request.decided_at = timezone.now()
        request.reason = (reason or "").strip()
        request.save()
    audit_record(actor=actor, action=AuditAction.TRANSITION, obj=request,
                 changes={"status": [ServiceRequestStatus.PENDING, request.status]}, message=request.reason)
    from ipoc.core.services import notify

    verdict = _("同意") if accept else _("拒绝")
    notify(users=User.objects.filter(organization=request.center, role=Role.CENTER_STAFF, is_active=True),
           kind="stock_service_request",
           title=_("%(i)s %(v)s了存量专利盘活服务申请") % {"i": request.institution.name, "v": verdict},
           body=request.reason)
    return request


@transaction.atomic
def reviewer_appoint(*, actor: User | None, institution: Organization, user: User, level: str,
                     department: str = "") -> StockReviewer:
    """Appoint an institution user as 院系审核人 (for one 院系, blank = all) or 学校审核人."""
    if level not in ReviewLevel.values:
        raise ApplicationError(_("未知的审核层级：%(v)s") % {"v": level}, field="level")
    if not (_system_or_admin(actor) or is_reviewer(actor, institution, ReviewLevel.SCHOOL)):
        _deny(_("只有学校审核人或平台管理员可以指定审核人"))
    if not is_member(user, institution):
        raise ApplicationError(_("审核人须为本单位的高校/院所用户"), field="user")
    department = "" if level == ReviewLevel.SCHOOL else (department or "").strip()
    reviewer, created = StockReviewer.objects.get_or_create(
        institution=institution, user=user, level=level, department=department,
        defaults={"appointed_by": actor if actor is not None and actor.pk else None})
    if created:
        audit_record(actor=actor, action=AuditAction.ASSIGN, obj=reviewer,
                     changes={"user": [None, user.username], "level": [None, level], "department": [None, department]})
    return reviewer


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


# ---------------------------------------------------------------- the review chain


def _set_stage(stock: StockPatent, to_stage: str, actor: User | None, reason: str) -> None:
    previous = stock.stage
    stock.stage = to_stage
    stock.save(update_fields=["stage", "updated_at"])
    _move(stock, MoveKind.STAGE, previous, to_stage, actor, reason)
    audit_record(actor=actor, action=AuditAction.TRANSITION, obj=stock, changes={"stage": [previous, to_stage]},
                 message=reason)


def _set_library(stock: StockPatent, to_library: str, actor: User | None, reason: str) -> None:
    previous = stock.library
    if previous == to_library:
        return
    stock.library = to_library
    stock.save(update_fields=["library", "updated_at"])
    _move(stock, MoveKind.LIBRARY, previous, to_library, actor, reason)
    audit_record(actor=actor, action=AuditAction.TRANSITION, obj=stock, changes={"library": [previous, to_library]},
                 message=reason)


def _locked(stock: StockPatent) -> StockPatent:
    return StockPatent.objects.select_for_update().select_related("institution", "patent").get(pk=stock.pk)


@transaction.atomic
def stock_submit(*, actor: User | None, stock: StockPatent, reason: str = "") -> StockPatent:
    """发明人/院系建档 → 院系审核."""
    stock = _locked(stock)
    _require_member(actor, stock.institution)
    if stock.stage != Stage.DRAFT:
        raise ApplicationError(_("只有“建档”环节的专利可以提交审核（当前：%(s)s）") % {"s": stock.get_stage_display()},
                               field="stage", code="invalid_transition")
    _set_stage(stock, Stage.DEPT_REVIEW, actor, reason or _("提交院系审核"))
    return stock


@transaction.atomic
def stock_review(*, actor: User | None, stock: StockPatent, approve: bool, reason: str = "") -> StockPatent:
    """院系审核 (→ 学校审核) or 学校审核 (→ 入库 存量专利基础库); a refusal returns it to 建档 and needs a reason."""
    stock = _locked(stock)
    institution = stock.institution
    if stock.stage == Stage.DEPT_REVIEW:
        if not (_system_or_admin(actor) or is_reviewer(actor, institution, ReviewLevel.DEPARTMENT, stock.department)):
            _deny(_("只有“%(d)s”的院系审核人可以进行院系审核") % {"d": stock.department or _("本单位")})
        target = Stage.SCHOOL_REVIEW
    elif stock.stage == Stage.SCHOOL_REVIEW:
        if not (_system_or_admin(actor) or is_reviewer(actor, institution, ReviewLevel.SCHOOL)):
            _deny(_("只有学校审核人可以进行学校审核"))
        target = Stage.STORED
    else:
        raise ApplicationError(_("该专利当前不在审核环节（%(s)s）") % {"s": stock.get_stage_display()},
                               field="stage", code="invalid_transition")
    if not approve:
        if not reason.strip():
            raise ApplicationError(_("退回必须说明理由"), field="reason")
        _set_stage(stock, Stage.DRAFT, actor, reason)
        return stock
    step = _("院系审核通过") if target == Stage.SCHOOL_REVIEW else _("学校审核通过，入库")
    _set_stage(stock, target, actor, reason or step)
    if target == Stage.STORED:
        _set_library(stock, Library.BASE, actor, reason or _("学校审核通过，进入存量专利基础库"))
    return stock


# ---------------------------------------------------------------- grading and screening


@transaction.atomic
def stock_grade(*, actor: User | None, institution: Organization, as_of: dt.date | None = None) -> dict:
    """市场评价: grade every inventoried patent of the institution (together, as peers) with the
    valuation engine; store score, grade, 分层分类 recommendation and the fee saving."""
    if not (_system_or_admin(actor) or is_member(actor, institution) or serves(actor, institution)):
        _deny(_("只有本单位用户或为其服务的运营中心可以进行评价"))
    stocks = list(StockPatent.objects.select_for_update().filter(institution=institution).select_related("patent"))
    grades = grading.grade_patents([s.patent for s in stocks], actor=actor, as_of=as_of)
    now = timezone.now()
    summary: dict[str, int] = {}
    ungraded = []
    for stock in stocks:
        g = grades.get(stock.patent_id)
        if g is None:
            ungraded.append(patent_name(stock.patent))
            continue
        old = stock.recommendation
        stock.score, stock.grade, stock.confidence = g.score, g.grade, g.confidence
        stock.recommendation = g.recommendation if g.recommendation in Recommendation.values else Recommendation.OBSERVE
        stock.recommendation_rule, stock.fee_saving, stock.graded_at = g.rule[:200], g.fee_saving, now
        stock.valuation_run_ref = g.run_id
        stock.save(update_fields=["score", "grade", "confidence", "recommendation", "recommendation_rule",
                                  "fee_saving", "graded_at", "valuation_run_ref", "updated_at"])
        summary[stock.recommendation] = summary.get(stock.recommendation, 0) + 1
        audit_record(actor=actor, action=AuditAction.UPDATE, obj=stock,
                     changes={"recommendation": [old, stock.recommendation], "grade": [None, g.grade]},
                     message=_("市场评价"))
    saving = sum((s.fee_saving or Decimal(0)) for s in stocks if s.recommendation == Recommendation.ABANDON)
    runs = sorted({g.run_id for g in grades.values() if g.run_id})
    return {"institution": institution.name, "graded": sum(summary.values()), "ungraded": ungraded,
            "valuation_runs": runs,
            "by_recommendation": {str(Recommendation(k).label): v for k, v in sorted(summary.items())},
            "by_code": summary, "abandon_fee_saving": str(saving)}


@transaction.atomic
def stock_screen(*, actor: User | None, stock: StockPatent, passed: bool | None = None,
                 reason: str = "") -> StockPatent:
    """筛选入库: a patent of the 存量专利基础库 passes into the 专利转化资源库 (or not).
    ``passed=None`` follows the grade: 重点推广/一般推广 pass, the rest stay in the base library."""
    stock = _locked(stock)
    institution = stock.institution
    if not (_system_or_admin(actor) or serves(actor, institution)
            or is_reviewer(actor, institution, ReviewLevel.SCHOOL)):
        _deny(_("只有为该单位服务的运营中心或学校审核人可以筛选入库"))
    if stock.stage != Stage.STORED:
        raise ApplicationError(_("只有已入库（存量专利基础库）的专利可以筛选"), field="stage", code="invalid_transition")
    if passed is None:
        if not stock.recommendation:
            raise ApplicationError(_("尚未评价，无法按评级筛选"), field="recommendation")
        passed = stock.recommendation in PROMOTABLE
        reason = reason or _("按分层分类建议筛选：%(r)s") % {"r": stock.get_recommendation_display()}
    if not passed and not reason.strip():
        raise ApplicationError(_("未通过筛选必须说明理由"), field="reason")
    stock.screened_at, stock.screen_passed = timezone.now(), passed
    stock.save(update_fields=["screened_at", "screen_passed", "updated_at"])
    audit_record(actor=actor, action=AuditAction.UPDATE, obj=stock, changes={"screen_passed": [None, passed]},
                 message=reason)
    _set_library(stock, Library.RESOURCE if passed else Library.BASE, actor,
                 reason or _("筛选通过，进入专利转化资源库"))
    return stock


def stock_screen_institution(*, actor: User | None, institution: Organization) -> dict:
    """Screen every graded patent of the base library by its recommendation."""
    if not (_system_or_admin(actor) or serves(actor, institution)
            or is_reviewer(actor, institution, ReviewLevel.SCHOOL)):  # refused even with nothing to screen
        _deny(_("只有为该单位服务的运营中心或学校审核人可以筛选入库"))
    counts = {"passed": 0, "kept_in_base": 0}
    for stock in StockPatent.objects.filter(institution=institution, stage=Stage.STORED).exclude(recommendation=""):
        stock = stock_screen(actor=actor, stock=stock)
        counts["passed" if stock.screen_passed else "kept_in_base"] += 1
    return counts


# ---------------------------------------------------------------- pushes, responses, deals


def _require_pusher(actor: User | None, stock: StockPatent) -> None:
    if not (_system_or_admin(actor) or serves(actor, stock.institution)):
        _deny(_("只有为该单位服务的运营中心工作人员可以推送"))


@transaction.atomic
def push_create(*, actor: User | None, stock: StockPatent, enterprise: Organization, note: str = "",
                match: dict | None = None) -> StockPush:
    """Push a 重点推广/一般推广 patent of the 专利转化资源库 to an enterprise, with why it was chosen."""
    _require_pusher(actor, stock)
    if stock.library != Library.RESOURCE or stock.recommendation not in PROMOTABLE:
        raise ApplicationError(_("只能推送专利转化资源库中建议重点推广或一般推广的专利"), field="stock",
                               code="invalid_transition")
    if enterprise.kind != OrganizationKind.ENTERPRISE:
        raise ApplicationError(_("推送对象须为企业：%(o)s") % {"o": enterprise.name}, field="enterprise")
    if StockPush.objects.filter(stock=stock, enterprise=enterprise).exists():
        raise ApplicationError(_("已向该企业推送过此专利"), field="enterprise")
    if match is None:
        from ipoc.revitalization.matching import find_enterprises

        found = [c for c in find_enterprises(user=actor, stock=stock, limit=50) if c["organization_id"] == enterprise.pk]
        match = found[0] if found else {"reason": _("人工指定")}
    center = actor.organization if actor is not None and actor.role == Role.CENTER_STAFF else None
    push = StockPush(stock=stock, enterprise=enterprise, center=center, note=note, match=match,
                     pushed_by=actor if actor is not None and actor.pk else None)
    validated_save(push)
    audit_record(actor=actor, action=AuditAction.CREATE, obj=push,
                 changes={"enterprise": [None, enterprise.name], "reason": [None, match.get("reason", "")]})
    return push


def _require_push_party(actor: User | None, push: StockPush, *, enterprise_may: bool) -> None:
    if _system_or_admin(actor) or serves(actor, push.stock.institution):
        return
    if actor.role == Role.CENTER_STAFF and push.center_id and actor.organization_id == push.center_id:
        return
    if enterprise_may and actor.role == Role.ENTERPRISE_USER and actor.organization_id == push.enterprise_id:
        return
    _deny(_("只有推送的运营中心%(e)s可以记录") % {"e": _("或被推送企业") if enterprise_may else ""})


@transaction.atomic
def push_respond(*, actor: User | None, push: StockPush, response: str, note: str = "") -> StockPush:
    """Record the enterprise's response: 感兴趣 / 洽谈 / 成交 / 不感兴趣."""
    push = StockPush.objects.select_for_update().select_related("stock__institution").get(pk=push.pk)
    _require_push_party(actor, push, enterprise_may=True)
    if response not in Response.values:
        raise ApplicationError(_("未知的反馈：%(v)s（可选：感兴趣、洽谈、成交、不感兴趣）") % {"v": response},
                               field="response")
    if response == Response.DEAL and not push.deals.exists():
        raise ApplicationError(_("成交请登记成交信息（转化方式、签约日期）"), field="response")
    _respond(actor, push, response, note)
    return push


def _respond(actor: User | None, push: StockPush, response: str, note: str) -> None:
    previous = push.response
    StockPushResponse.objects.create(push=push, response=response, note=note,
                                     actor=actor if actor is not None and actor.pk else None)
    push.response, push.responded_at = response, timezone.now()
    push.save(update_fields=["response", "responded_at"])
    audit_record(actor=actor, action=AuditAction.UPDATE, obj=push, changes={"response": [previous, response]},
                 message=note)


@transaction.atomic
def deal_record(*, actor: User | None, push: StockPush, mode: str, signed_on: dt.date,
                amount: Decimal | None = None, note: str = "") -> StockDeal:
    """A deal that followed a push: the stock patent is converted (the push's response becomes 成交)."""
    push = StockPush.objects.select_for_update().select_related("stock__institution").get(pk=push.pk)
    _require_push_party(actor, push, enterprise_may=False)
    if mode not in DealMode.values:
        raise ApplicationError(_("未知的转化方式：%(v)s") % {"v": mode}, field="mode")
    deal = StockDeal(push=push, mode=mode, signed_on=signed_on, amount=amount, note=note,
                     recorded_by=actor if actor is not None and actor.pk else None)
    validated_save(deal)
    audit_record(actor=actor, action=AuditAction.CREATE, obj=deal,
                 changes={"mode": [None, mode], "amount": [None, amount], "signed_on": [None, signed_on]})
    if push.response != Response.DEAL:
        _respond(actor, push, Response.DEAL, note or _("签约成交"))
    return deal
