"""The command line (``ipoc risk``): a check from a product file, the litigation list from a spreadsheet."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from ipoc.core.errors import ApplicationError, PermissionDenied
from ipoc.core.models import Organization, OrganizationKind, User
from ipoc.risk import engine, selectors
from ipoc.risk.models import (
    Candidate,
    LitigationCase,
)
from ipoc.risk.services.checks import MAX_BOM_ROWS, REPORT_REJECTED_KEPT, check_create, check_run
from ipoc.risk.services.litigation import (
    _require_center_staff,
    litigation_case_create,
    litigation_case_update,
)

# ---------------------------------------------------------------- the command line


CLI_REQUESTER = "命令行排查（未指定申请单位）"


def cli_check(*, product: dict, markets: str | None, requester: str | None = None) -> dict:
    """``ipoc risk check``: create a check from a product JSON (name, description, features, variants,
    components, ipc_codes, competitors, horizon_date, requester, center), run it and return the result."""
    from ipoc.core import services as core_services

    if not isinstance(product, dict):
        raise ApplicationError(_("产品 JSON 应为对象"), field="product")
    name = (requester or product.get("requester") or "").strip() or CLI_REQUESTER
    org = Organization.objects.filter(name=name).first() or core_services.organization_create(
        actor=None, name=name, kind=OrganizationKind.ENTERPRISE, source="cli")
    center = None
    if product.get("center"):
        center = Organization.objects.filter(name=str(product["center"]).strip()).first()
        if center is None:
            raise ApplicationError(_("运营中心不存在：%(c)s") % {"c": product["center"]}, field="center")
    horizon = product.get("horizon_date") or (timezone.localdate() + dt.timedelta(days=5 * 365)).isoformat()
    check = check_create(
        actor=None, requester=org, center=center,
        product_name=str(product.get("product_name") or product.get("name") or ""),
        title=str(product.get("title") or ""), description=str(product.get("description") or ""),
        features=product.get("features"), variants=product.get("variants"), components=product.get("components"),
        ipc_codes=product.get("ipc_codes"), competitors=product.get("competitors"),
        markets=markets or product.get("markets"), horizon_date=horizon)
    check_run(actor=None, check=check)
    check.refresh_from_db()
    rows = selectors.patent_rows(check.candidates.values_list("patent_id", flat=True))
    cands = []
    for c in check.candidates.filter(removed=False).order_by("rank"):
        row = rows.get(c.patent_id, {})
        cands.append({"rank": c.rank, "patent_id": c.patent_id, "number": row.get("number", ""),
                      "title": row.get("title", ""), "in_scope": c.in_scope, "risk": c.risk, "markets": c.markets,
                      "charts": _chart_summary(c)})
    return {"id": check.pk, "title": check.title, "markets": check.markets, "risk": check.risk,
            "risk_label": str(check.get_risk_display()), "stop_reason": check.stop_reason,
            "rounds": [{"number": r.number, "route": r.route, "query": r.query[:200], "hits": r.hits,
                        "new_hits": r.new_hits, "stop_reason": r.stop_reason} for r in check.rounds.all()],
            "candidates": cands}


def _chart_summary(c: Candidate) -> list[dict]:
    out: dict[int, dict] = {}
    for e in c.elements.all():
        d = out.setdefault(e.claim_number, {"claim": e.claim_number, "elements": []})
        d["elements"].append({"text": e.text[:300], "mapping": e.mapping, "overlap": e.overlap,
                              "confirmed": e.confirmed})
    for d in out.values():
        d["risk"] = engine.claim_risk([x["mapping"] for x in d["elements"]])
    return list(out.values())


LITIGATION_HEADERS = ("案号", "类型", "当事人", "涉案产品", "涉案专利号", "状态", "立案日期", "备注")


def litigation_import(*, actor: User | None, path, file_name: str | None = None,
                      center: Organization | None = None) -> dict:
    """Import the litigation/337 watch list (the columns of ``LITIGATION_HEADERS``): a case number already on
    the center's list is updated, a new one added (and checked against finished checks); bad rows are rejected
    one by one with their row and field."""
    from ipoc.core.tabular import sheet_rows

    own = _require_center_staff(actor)
    center = own or center
    if center is None:
        raise ApplicationError(_("请指定维护名单的运营中心"), field="center")
    name = file_name or Path(path).name
    if Path(path).suffix.lower() not in (".xlsx", ".xlsm", ".csv"):
        raise ApplicationError(_("请上传 Excel（.xlsx）或 CSV 文件：%(f)s") % {"f": name}, field="file")
    kinds = {str(label): code for code, label in LitigationCase.Kind.choices} | {"337": "itc337", "诉讼": "litigation"}
    statuses = {str(label): code for code, label in LitigationCase.Status.choices}
    report = {"file": name, "counts": {"rows": 0, "new": 0, "updated": 0, "rejected": 0}, "rejected_rows": []}
    for row_no, row in sheet_rows(Path(path), max_rows=MAX_BOM_ROWS, file_name=name):
        report["counts"]["rows"] += 1
        cell = {k: str(row.get(k) or "").strip() for k in LITIGATION_HEADERS}
        errors = []
        if not cell["案号"] or len(cell["案号"]) > 120:
            errors.append(("案号", _("案号必填，最多 120 字")))
        if not cell["当事人"]:
            errors.append(("当事人", _("当事人必填")))
        kind = kinds.get(cell["类型"] or "专利诉讼")
        if kind is None:
            errors.append(("类型", _("类型应为“专利诉讼”或“337 调查”：%(v)s") % {"v": cell["类型"][:40]}))
        status = statuses.get(cell["状态"] or "进行中")
        if status is None:
            errors.append(("状态", _("状态应为“进行中”或“已结案”：%(v)s") % {"v": cell["状态"][:40]}))
        filed = None
        if cell["立案日期"]:
            try:
                filed = dt.date.fromisoformat(cell["立案日期"][:10].replace("/", "-"))
            except ValueError:
                errors.append(("立案日期", _("日期格式应为 YYYY-MM-DD：%(v)s") % {"v": cell["立案日期"][:40]}))
        if errors:
            report["counts"]["rejected"] += 1
            report["rejected_rows"] += [{"row": row_no, "field": f, "reason": str(r)} for f, r in errors][
                :max(0, REPORT_REJECTED_KEPT - len(report["rejected_rows"]))]
            continue
        data = {"kind": kind, "parties": cell["当事人"], "products": cell["涉案产品"], "patents": cell["涉案专利号"],
                "status": status, "filed_date": filed, "note": cell["备注"]}
        case = LitigationCase.objects.filter(center=center, case_number=cell["案号"]).first()
        try:
            with transaction.atomic():  # a row the model refuses (a date in year 9999, an overlong text) is
                # rejected with its row and field; the rows before and after it still count
                if case is None:
                    litigation_case_create(actor=actor, center=center, case_number=cell["案号"], **data)
                else:
                    litigation_case_update(actor=actor, case=case, data=data)
        except PermissionDenied:
            raise
        except ApplicationError as exc:
            report["counts"]["rejected"] += 1
            field = {"filed_date": "立案日期", "parties": "当事人", "products": "涉案产品", "patents": "涉案专利号",
                     "note": "备注"}.get(exc.field or "", exc.field or "")
            if len(report["rejected_rows"]) < REPORT_REJECTED_KEPT:
                report["rejected_rows"].append({"row": row_no, "field": field, "reason": exc.message})
            continue
        report["counts"]["new" if case is None else "updated"] += 1
    return report
