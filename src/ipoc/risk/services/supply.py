"""The supply-chain review (供应链合规排查): bill of materials import, supplier contract terms, remediation."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from ipoc.core.errors import ApplicationError, PermissionDenied
from ipoc.core.models import Organization, Role, User
from ipoc.core.services import audit_record, validated_save
from ipoc.risk import rules
from ipoc.risk.models import (
    BomLine,
    RemediationAction,
    RiskCheck,
    SupplierTerms,
    SupplyReview,
)
from ipoc.risk.services.checks import MAX_BOM_ROWS, REPORT_REJECTED_KEPT, _scope, may_manage

# ---------------------------------------------------------------- supply chain


BOM_HEADERS = ("部件", "供应商", "原产国", "金额（元）")
BOM_ALIASES = {"部件": ("部件", "component", "零部件", "物料"), "供应商": ("供应商", "supplier", "供应商名称"),
               "原产国": ("原产国", "country", "原产地"), "金额（元）": ("金额（元）", "金额", "value", "采购金额")}


def bom_template_xlsx() -> bytes:
    import io

    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.title = "物料清单"
    ws.append(list(BOM_HEADERS))
    ws.append(["电池管理模块", "某某电子有限公司", "中国", "120000"])
    for col in "ABCD":
        ws.column_dimensions[col].width = 22
    help_ws = wb.create_sheet("填写说明")
    for line in (["字段", "说明"], ["部件", "必填，部件或物料名称"], ["供应商", "必填，供应商全称（与平台登记的单位名称一致时自动关联）"],
                 ["原产国", "可空"], ["金额（元）", "可空，非负数字"]):
        help_ws.append(line)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def _cell(row: dict, name: str) -> str:
    for alias in BOM_ALIASES[name]:
        for key, value in row.items():
            if (key or "").strip().lower() == alias.lower() and value not in (None, ""):
                return str(value).strip()
    return ""


def _check_bom_headers(row: dict, name: str) -> None:
    """A sheet whose header row names neither 部件 nor 供应商 is not a BOM: one clear refusal, not every row
    rejected as "部件必填"."""
    headers = {(key or "").strip().lower() for key in row}
    wanted = [alias.lower() for field in ("部件", "供应商") for alias in BOM_ALIASES[field]]
    if not headers & set(wanted):
        raise ApplicationError(_("%(f)s 的表头不是物料清单：第一行应为 %(h)s（可下载模板）")
                               % {"f": name, "h": "、".join(BOM_HEADERS)}, field="file")


def read_bom(path: Path, *, file_name: str | None = None) -> tuple[list[dict], dict]:
    """Rows of a BOM / supplier list with row-level errors (the first rejections kept, the rest counted)."""
    from ipoc.core.tabular import sheet_rows

    name = file_name or Path(path).name
    if Path(path).suffix.lower() not in (".xlsx", ".xlsm", ".csv"):
        raise ApplicationError(_("请上传 Excel（.xlsx）或 CSV 文件：%(f)s") % {"f": name}, field="file")
    report = {"file": name, "counts": {"rows": 0, "accepted": 0, "rejected": 0}, "rejected_rows": [],
              "rejected_more": 0}
    good = []
    for row_no, row in sheet_rows(Path(path), max_rows=MAX_BOM_ROWS, file_name=name):
        if not report["counts"]["rows"]:
            _check_bom_headers(row, name)
        report["counts"]["rows"] += 1
        errors = []
        component, supplier = _cell(row, "部件"), _cell(row, "供应商")
        if not component:
            errors.append(("部件", _("部件必填")))
        elif len(component) > 200:
            errors.append(("部件", _("部件名称超过 200 字")))
        if not supplier:
            errors.append(("供应商", _("供应商必填")))
        elif len(supplier) > 200:
            errors.append(("供应商", _("供应商名称超过 200 字")))
        raw_value = _cell(row, "金额（元）").replace(",", "")
        value = None
        if raw_value:
            try:
                value = Decimal(raw_value)
                if not value.is_finite() or value < 0 or value > Decimal("1e13"):
                    raise InvalidOperation
            except (InvalidOperation, ValueError):
                errors.append(("金额（元）", _("金额应为非负数字：%(v)s") % {"v": raw_value[:40]}))
        country = _cell(row, "原产国")[:40]
        if errors:
            report["counts"]["rejected"] += 1
            for field, reason in errors:
                if len(report["rejected_rows"]) < REPORT_REJECTED_KEPT:
                    report["rejected_rows"].append({"row": row_no, "field": field, "reason": str(reason)})
                else:
                    report["rejected_more"] += 1
            continue
        report["counts"]["accepted"] += 1
        good.append({"row": row_no, "component": component, "supplier_name": supplier, "country": country,
                     "value": value.quantize(Decimal("0.01")) if value is not None else None})
    return good, report


@transaction.atomic
def review_import(*, actor: User | None, path, title: str = "", file_name: str | None = None,
                  requester: Organization | None = None, center: Organization | None = None) -> SupplyReview:
    """Create a supply-chain review from a BOM / supplier list; bad rows are rejected one by one."""
    requester, center = _scope(actor, requester, center)
    good, report = read_bom(Path(path), file_name=file_name)
    if not good:
        raise ApplicationError(_("文件中没有可导入的行（%(n)d 行被拒绝）") % {"n": report["counts"]["rejected"]},
                               field="file", extra={"report": report})
    review = SupplyReview(title=(title or "").strip() or _("%(o)s 供应链合规排查") % {"o": requester.name},
                          requester=requester, center=center, file_name=report["file"][:300], import_report=report,
                          created_by=actor if actor is not None and actor.pk else None)
    validated_save(review)
    names = {g["supplier_name"] for g in good}
    orgs = dict(Organization.objects.filter(name__in=names).values_list("name", "pk"))
    checks = {c.product_name: c.pk for c in RiskCheck.objects.filter(requester=requester)}
    BomLine.objects.bulk_create([BomLine(review=review, supplier_id=orgs.get(g["supplier_name"]),
                                         risk_check_id=checks.get(g["component"]), **g) for g in good])
    audit_record(actor=actor, action="create", obj=review, changes={"rows": [None, report["counts"]]})
    return review


@transaction.atomic
def terms_set(*, actor: User | None, review: SupplyReview, supplier_name: str, checks: dict) -> SupplierTerms:
    """Record the contract-term checklist of one supplier: {code: {"ok": bool, "evidence": str}}."""
    if not (may_manage(actor, review) or _is_requester(actor, review)):
        raise PermissionDenied(_("只有申请单位和承办运营中心可以核查合同条款"))
    codes = dict(rules.CONTRACT_TERMS)
    clean = {}
    for code, value in (checks or {}).items():
        if code not in codes:
            raise ApplicationError(_("未知的合同条款：%(c)s") % {"c": code}, field="checks")
        value = value or {}
        clean[code] = {"ok": bool(value.get("ok")), "evidence": str(value.get("evidence") or "")[:1000]}
        if clean[code]["ok"] and not clean[code]["evidence"].strip():
            raise ApplicationError(_("“%(t)s”标记为已核查时须填写依据（合同条款或页码）") % {"t": codes[code]},
                                   field=f"evidence_{code}")
    if not review.lines.filter(supplier_name=supplier_name).exists():
        raise ApplicationError(_("该供应商不在物料清单中"), field="supplier_name")
    terms, _created = SupplierTerms.objects.get_or_create(review=review, supplier_name=supplier_name)
    old = terms.checks
    terms.checks = clean
    terms.save()
    audit_record(actor=actor, action="update", obj=review, changes={f"terms {supplier_name}": [old, clean]})
    return terms


def _is_requester(actor: User | None, review: SupplyReview) -> bool:
    return (actor is not None and actor.is_authenticated and actor.organization_id == review.requester_id
            and actor.role == Role.ENTERPRISE_USER)


@transaction.atomic
def remediation_add(*, actor: User | None, review: SupplyReview, action: str, owner: str, due_date: Any,
                    supplier_name: str = "") -> RemediationAction:
    if not (may_manage(actor, review) or _is_requester(actor, review)):
        raise PermissionDenied(_("只有申请单位和承办运营中心可以登记整改措施"))
    if isinstance(due_date, str):
        try:
            due_date = dt.date.fromisoformat(due_date)
        except ValueError:
            raise ApplicationError(_("日期格式应为 YYYY-MM-DD"), field="due_date") from None
    item = RemediationAction(review=review, action=(action or "").strip(), owner=(owner or "").strip(),
                             due_date=due_date, supplier_name=(supplier_name or "")[:200])
    validated_save(item)
    audit_record(actor=actor, action="create", obj=review, changes={"remediation": [None, item.action]})
    return item


@transaction.atomic
def remediation_done(*, actor: User | None, item: RemediationAction) -> RemediationAction:
    if not (may_manage(actor, item.review) or _is_requester(actor, item.review)):
        raise PermissionDenied(_("只有申请单位和承办运营中心可以更新整改措施"))
    item.done = True
    item.save(update_fields=["done"])
    audit_record(actor=actor, action="update", obj=item.review, changes={"remediation done": [None, item.action]})
    return item


def ids_of(objs: Iterable) -> list[int]:
    return sorted(o.pk for o in objs)
