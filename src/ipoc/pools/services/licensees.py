"""Licensees of a pool: agreements, royalty reports, statements, payments and audits, and the allocation among licensors."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from ipoc.core.errors import ApplicationError, PermissionDenied
from ipoc.core.models import Organization, OrganizationKind, Role, User
from ipoc.core.services import audit_record, notify, validated_save
from ipoc.pools import engine, selectors
from ipoc.pools.models import (
    Agreement,
    AgreementStatus,
    Allocation,
    AllocationMethod,
    AllocationShare,
    AuditFlag,
    AuditRecord,
    FlagKind,
    ListingStatus,
    Pool,
    Programme,
    Report,
    ReportLine,
    ReportStatus,
    Statement,
    StatementLine,
)
from ipoc.pools.services.setup import (
    DROP_THRESHOLD,
    MAX_REPORT_LINES,
    MAX_UNITS,
    _category,
    _date,
    _member_of,
    _uid,
    clean_countries,
    clean_country,
    clean_decimal,
    is_admin,
    parse_period,
    require_admin,
)

# ---------------------------------------------------------------- licensees


@transaction.atomic
def agreement_create(*, actor: User | None, pool: Pool, programme: Programme, licensee: Organization,
                     number: str = "", countries=(), back_royalty_from: dt.date | None = None) -> Agreement:
    require_admin(actor, pool)
    if programme.pool_id != pool.pk:
        raise ApplicationError(_("许可计划不属于该专利池"), field="programme")
    if licensee.kind == OrganizationKind.IP_OFFICE:
        raise ApplicationError(_("知识产权局不能作为被许可人"), field="licensee")
    if programme.agreements.filter(licensee=licensee).exists():
        raise ApplicationError(_("该单位已有本许可计划的协议"), field="licensee")
    agreement = Agreement(pool=pool, programme=programme, licensee=licensee, number=(number or "").strip(),
                          countries=clean_countries(countries), back_royalty_from=back_royalty_from)
    validated_save(agreement)
    audit_record(actor=actor, action="create", obj=agreement, changes={"licensee": [None, str(licensee)],
                                                                      "countries": [None, agreement.countries]})
    return agreement


@transaction.atomic
def agreement_sign(*, actor: User | None, agreement: Agreement, signed_on: dt.date | None = None) -> Agreement:
    """The licensee (its users) or the administrator records the signature."""
    if not (_member_of(actor, agreement.licensee_id) or is_admin(actor, agreement.pool)):
        raise PermissionDenied(_("只有被许可人或管理人可以签约"))
    if agreement.status != AgreementStatus.DRAFT:
        raise ApplicationError(_("协议已签约或已终止"), field="status")
    agreement.status = AgreementStatus.SIGNED
    agreement.signed_on = signed_on or timezone.localdate()
    validated_save(agreement)
    audit_record(actor=actor, action="transition", obj=agreement,
                 changes={"status": [AgreementStatus.DRAFT, agreement.status], "signed_on": [None, agreement.signed_on]})
    return agreement


def _may_report(actor: User | None, agreement: Agreement) -> bool:
    return _member_of(actor, agreement.licensee_id) or is_admin(actor, agreement.pool)


def clean_lines(agreement: Agreement, rows, period_end: dt.date) -> list[dict]:
    """Report rows [{category, country_made, country_sold, units, sale_date?}] checked; the first error names
    the row."""
    rows = list(rows or ())
    if not rows:
        raise ApplicationError(_("报告至少需要一行"), field="lines")
    if len(rows) > MAX_REPORT_LINES:
        raise ApplicationError(_("报告最多 %(n)d 行") % {"n": MAX_REPORT_LINES}, field="lines")
    out = []
    for i, r in enumerate(rows, start=1):
        try:
            out.append(_clean_line(agreement, r, period_end))
        except ApplicationError as exc:
            raise ApplicationError(_("第 %(i)d 行：%(m)s") % {"i": i, "m": exc.message},
                                   field=f"lines[{i}].{exc.field}") from None
    return out


def _clean_line(agreement: Agreement, r: dict, period_end: dt.date) -> dict:
    try:
        units = int(str(r.get("units", "")).strip().replace(",", ""))
    except ValueError:
        raise ApplicationError(_("数量必须是整数：%(v)s") % {"v": r.get("units")}, field="units") from None
    if units < 0 or units > MAX_UNITS:
        raise ApplicationError(_("数量应在 0 至 %(m)s 件之间：%(v)s") % {"m": f"{MAX_UNITS:,}", "v": f"{units:,}"},
                               field="units")
    sale = r.get("sale_date")
    sale_date = _date(sale, "sale_date") if sale not in (None, "") else period_end
    if sale_date > period_end:
        raise ApplicationError(_("销售日期不能晚于报告期末 %(d)s") % {"d": period_end}, field="sale_date")
    return {"category": _category(agreement.programme, r.get("category"), "category"),
            "country_made": clean_country(r.get("country_made"), "country_made"),
            "country_sold": clean_country(r.get("country_sold"), "country_sold"),
            "units": units, "sale_date": sale_date}


@transaction.atomic
def report_submit(*, actor: User | None, agreement: Agreement, period: str, lines, file_name: str = "",
                  on: dt.date | None = None) -> Report:
    """A licensee's report for a period; its statement is issued at once and audit flags raised. Lines may go
    back before the period (back-royalties) but not after its end."""
    if not _may_report(actor, agreement):
        raise PermissionDenied(_("只有被许可人或管理人可以提交报告"))
    if agreement.status == AgreementStatus.TERMINATED:
        raise ApplicationError(_("协议已终止"), field="agreement")
    period, start, end = parse_period(period)
    if start > (on or timezone.localdate()):
        raise ApplicationError(_("报告期 %(p)s 尚未开始，不能提交报告") % {"p": period}, field="period")
    if agreement.reports.filter(period=period).exists():
        raise ApplicationError(_("该报告期已提交报告：%(p)s") % {"p": period}, field="period")
    cleaned = clean_lines(agreement, lines, end)
    report = Report(agreement=agreement, period=period, period_start=start, period_end=end,
                    submitted_by=_uid(actor), file_name=(file_name or "")[:200])
    validated_save(report)
    ReportLine.objects.bulk_create([ReportLine(report=report, **c) for c in cleaned])
    audit_record(actor=actor, action="create", obj=report, changes={"period": [None, period],
                                                                   "lines": [None, len(cleaned)]})
    if on is not None and on != timezone.localdate():  # a report entered after the fact keeps its own date
        from django.utils.timezone import make_aware

        report.submitted_at = make_aware(dt.datetime.combine(on, dt.time(12)))
        Report.objects.filter(pk=report.pk).update(submitted_at=report.submitted_at)
    report_flags(report=report, on=on or timezone.localdate())
    statement_issue(actor=None, report=report)
    admins = User.objects.filter(organization_id=agreement.pool.administrator_id, role=Role.CENTER_STAFF,
                                 is_active=True)
    notify(users=admins, title=_("被许可人已提交报告：%(r)s") % {"r": report}, url=f"/pools/reports/{report.pk}/",
           kind="pool_report")
    return report


def report_flags(*, report: Report, on: dt.date) -> list[AuditFlag]:
    """Drops against the trend, countries outside the agreement, late reports."""
    agreement = report.agreement
    flags = []
    due = report.period_end + dt.timedelta(days=agreement.pool.report_due_days)
    if on > due:
        flags.append((FlagKind.LATE, _("期限 %(d)s，提交于 %(s)s") % {"d": due, "s": on}))
    allowed = {c.upper() for c in agreement.countries or ()}
    if allowed:
        outside = sorted({c for pair in report.lines.values_list("country_made", "country_sold") for c in pair}
                         - allowed)
        if outside:
            flags.append((FlagKind.OUTSIDE, _("协议地域外：%(c)s") % {"c": "、".join(outside)}))
    units = sum(report.lines.values_list("units", flat=True))
    previous = list(agreement.reports.filter(period_end__lt=report.period_start).order_by("-period_end")[:4])
    if previous:
        avg = Decimal(sum(sum(p.lines.values_list("units", flat=True)) for p in previous)) / len(previous)
        if avg > 0 and Decimal(units) < avg * DROP_THRESHOLD:
            flags.append((FlagKind.DROP, _("本期 %(u)s 件，前 %(n)d 期平均 %(a)s 件")
                          % {"u": f"{units:,}", "n": len(previous), "a": f"{avg.quantize(Decimal('0.1')):,}"}))
    return [AuditFlag.objects.update_or_create(report=report, kind=k, defaults={"detail": d[:500]})[0]
            for k, d in flags]


@transaction.atomic
def statement_issue(*, actor: User | None, report: Report) -> Statement:
    """Compute the report's statement (engine) and freeze it; a previous statement of the report is superseded."""
    if actor is not None:
        require_admin(actor, report.agreement.pool)
    if report.statements.filter(is_current=True, paid_on__isnull=False).exists():
        raise ApplicationError(_("账单已付款，不能重新出具；差额请以稽核记录调整"), field="statement")
    agreement = report.agreement
    pool = agreement.pool
    result = engine.compute_statement(selectors.report_sale_lines(report), selectors.pool_lives(pool),
                                      selectors.rate_card_terms(agreement.programme_id),
                                      selectors.agreement_terms(agreement), selectors.prior_charged(report))
    report.statements.filter(is_current=True).update(is_current=False)
    st = Statement.objects.create(report=report, total=result.total, back_royalties=result.back_royalties,
                                  steps=result.steps)
    StatementLine.objects.bulk_create([StatementLine(
        statement=st, report_line_id=r.line.id, owes=r.owes, back_royalty=r.back_royalty, rate=r.rate,
        rate_basis=r.rate_basis[:200], gross=r.gross, discount=r.discount, surcharge=r.surcharge,
        cap_reduction=r.cap_reduction, amount=r.amount, reason=r.reason,
        coverage=[list(c) for c in r.coverage]) for r in result.lines])
    report.status = ReportStatus.STATEMENT
    report.save(update_fields=["status"])
    audit_record(actor=actor, action="create", obj=st, changes={"total": [None, st.total],
                                                               "back_royalties": [None, st.back_royalties]})
    return st


@transaction.atomic
def statement_mark_paid(*, actor: User | None, statement: Statement, paid_on: dt.date | None = None) -> Statement:
    report = statement.report
    require_admin(actor, report.agreement.pool)
    if not statement.is_current:
        raise ApplicationError(_("只能登记当前账单的付款"), field="statement")
    if statement.paid_on is not None:
        raise ApplicationError(_("该账单已登记付款"), field="paid_on")
    statement.paid_on = paid_on or timezone.localdate()
    statement.save(update_fields=["paid_on"])
    report.status = ReportStatus.PAID
    report.save(update_fields=["status"])
    audit_record(actor=actor, action="update", obj=statement, changes={"paid_on": [None, statement.paid_on]})
    return statement


@transaction.atomic
def audit_create(*, actor: User | None, report: Report, findings: str, adjustment: Any = 0) -> AuditRecord:
    require_admin(actor, report.agreement.pool)
    if not (findings or "").strip():
        raise ApplicationError(_("请填写稽核发现"), field="findings")
    rec = AuditRecord(report=report, findings=findings.strip(), actor=_uid(actor),
                      adjustment=clean_decimal(adjustment, "adjustment", minimum=Decimal("-1e12"),
                                               label=_("调整金额")))
    validated_save(rec)
    audit_record(actor=actor, action="create", obj=report, changes={"audit": [None, rec.findings[:100]],
                                                                   "adjustment": [None, rec.adjustment]})
    return rec


REPORT_COLUMN_LABELS = {"category": _lazy("产品类别"), "country_made": _lazy("制造国"), "country_sold": _lazy("销售国"),
                        "units": _lazy("数量"), "sale_date": _lazy("销售日期"), "file": _lazy("文件")}


def report_import_rows(path: Path, *, file_name: str) -> tuple[list[dict], list[dict]]:
    """Rows of a licensee report spreadsheet (产品类别, 制造国, 销售国, 数量, 销售日期) and row-level errors
    [{row, field, message}] for rows that cannot be read at all (cell checks happen in ``report_submit``)."""
    from ipoc.core.tabular import sheet_rows

    columns = {"产品类别": "category", "category": "category", "制造国": "country_made",
               "country_made": "country_made", "销售国": "country_sold", "country_sold": "country_sold",
               "数量": "units", "units": "units", "销售日期": "sale_date", "sale_date": "sale_date"}
    rows, errors = [], []
    for number, record in sheet_rows(path, kind="spreadsheet", max_rows=MAX_REPORT_LINES, file_name=file_name):
        row = {columns[str(k).strip()]: v for k, v in record.items() if k and str(k).strip() in columns}
        if not rows and not errors and not row:  # the first record: no column the report knows
            errors.append({"row": 1, "field": "file", "message": _(
                "表头无法识别：第一行应为 产品类别、制造国、销售国、数量、销售日期")})
            break
        missing = [c for c in ("category", "country_made", "country_sold", "units") if row.get(c) in (None, "")]
        if missing:
            errors.append({"row": number, "field": missing[0], "message": _(
                "此项为空（公式单元格请先粘贴为数值）")})
            continue
        row["row"] = number
        rows.append(row)
    return rows, errors


@transaction.atomic
def report_import(*, actor: User | None, agreement: Agreement, period: str, path: Path,
                  file_name: str) -> tuple[Report | None, list[dict]]:
    """Import a report from CSV/XLSX: every bad row is reported with its row number and field; nothing is saved
    while any row is bad."""
    rows, errors = report_import_rows(path, file_name=file_name)
    _p, _s, end = parse_period(period)
    good = []
    for r in rows:
        try:
            _clean_line(agreement, r, end)
            good.append(r)
        except ApplicationError as exc:
            errors.append({"row": r["row"], "field": exc.field, "message": exc.message})
    if errors or not good:
        if not errors:
            errors.append({"row": 0, "field": "file", "message": _("文件中没有数据行")})
        for e in errors:
            e["field_label"] = str(REPORT_COLUMN_LABELS.get(e["field"], e["field"]))
        return None, sorted(errors, key=lambda e: e["row"])
    report = report_submit(actor=actor, agreement=agreement, period=period, lines=good, file_name=file_name)
    return report, []


# ---------------------------------------------------------------- allocation


@transaction.atomic
def allocation_run(*, actor: User | None, pool: Pool, year: int, method: str | None = None) -> Allocation:
    """Allocate the year's collected royalties (paid statements) minus the fee; a previous run is superseded."""
    require_admin(actor, pool)
    method = method or pool.allocation_method
    if method not in AllocationMethod.values:
        raise ApplicationError(_("未知的分配公式：%(v)s") % {"v": method}, field="method")
    statements = list(selectors.collected_statements(pool, year))
    lines = [engine.CollectedLine(ln.pk, st.report_id, ln.amount, tuple((int(p), c) for p, c in ln.coverage))
             for st in statements for ln in st.lines.all() if ln.owes]
    counts = {}
    for lic_id in pool.licensors.values_list("pk", flat=True):
        counts[lic_id] = pool.patents.filter(licensor_id=lic_id, status=ListingStatus.LISTED).count()
    result = engine.allocate(lines, selectors.pool_lives(pool), fee_percent=pool.admin_fee_percent, method=method,
                             licensor_ids=list(counts), listed_counts=counts)
    pool.allocations.filter(year=year, is_current=True).update(is_current=False)
    alloc = Allocation.objects.create(pool=pool, year=year, method=method, collected=result.collected, fee=result.fee,
                                      distributable=result.distributable, created_by=_uid(actor))
    AllocationShare.objects.bulk_create([AllocationShare(
        allocation=alloc, licensor_id=s.licensor_id, points=engine.fraction_decimal(s.points), amount=s.amount,
        trace=s.trace) for s in result.shares.values()])
    audit_record(actor=actor, action="create", obj=alloc,
                 changes={"collected": [None, alloc.collected], "fee": [None, alloc.fee],
                          "distributable": [None, alloc.distributable], "method": [None, method],
                          "statements": [None, sorted(s.pk for s in statements)]})
    return alloc
