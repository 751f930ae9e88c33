"""专利密集型产品备案认定: the filing, its checks before the pack is exported, its status moves and results."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from ipoc.core.display import patent_label
from ipoc.core.errors import ApplicationError, PermissionDenied
from ipoc.core.models import User
from ipoc.core.services import audit_record, validated_save
from ipoc.industrialization import rules
from ipoc.industrialization.models import (
    FILING_TRANSITIONS,
    FilingStatus,
    FilingStatusChange,
    PatentSource,
    Product,
    ProductFiling,
)
from ipoc.industrialization.services.common import (
    FILING_REASON_MAX,
    FILING_RESULTS,
    SIGNED_DEAL_STAGES,
    _has_number,
    _licence_covers,
    _real,
    _require,
    clean_year,
    may_manage_product,
    may_move_filing,
    may_record_filing_result,
    open_licences_of,
    patent_text,
)

# ---------------------------------------------------------------- filing (备案认定)


def filing_problems(product: Product, data_year: int, *, on_date: dt.date | None = None) -> list[dict]:
    """What stops the pack from being exported: each problem names its field and says why.

    - at least one covering patent, each in force on ``on_date`` (today);
    - the enterprise holds each owned patent, and each licensed/bought one comes from a signed deal in which it
      is the buyer (or an open licence it holds);
    - the data year's figures (产值、销售额、专利贡献收入占比) are present.
    """
    from ipoc.patents import selectors as patent_selectors

    on_date = on_date or timezone.localdate()
    problems: list[dict] = []
    links = list(product.product_patents.select_related("patent", "deal"))
    if not links:
        problems.append({"field": "patents", "message": _("尚未登记覆盖该产品的专利")})
    summaries = patent_selectors.patent_summaries([link.patent_id for link in links], on_date=on_date)
    enterprise = product.enterprise
    for link in links:
        s = summaries.get(link.patent_id, {})
        label = patent_text(link.patent)
        if not s.get("in_force"):
            if s.get("legal_status"):
                problems.append({"field": "patents", "code": "lapsed", "patent": link.patent_id, "message": _(
                    "专利 %(p)s 已不在有效期内（法律状态：%(s)s），不能作为支撑专利") % {
                    "p": label, "s": s.get("legal_status_label")}})
            else:
                problems.append({"field": "patents", "code": "status_unknown", "patent": link.patent_id,
                                 "message": _("专利 %(p)s 的法律状态未知，无法确认有效，请先更新法律状态") % {"p": label}})
        if link.source == PatentSource.OWNED:
            holders = s.get("holders") or []
            held = any(h.get("organization_id") == enterprise.pk or h.get("name") == enterprise.name
                       for h in holders)
            if not held:
                problems.append({"field": "patents", "code": "not_held", "patent": link.patent_id, "message": _(
                    "专利 %(p)s 的权利人不是 %(o)s，请改为许可或受让取得并关联交易") % {"p": label, "o": enterprise}})
        elif link.deal_id:
            if link.deal is None or link.deal.stage not in SIGNED_DEAL_STAGES:
                problems.append({"field": "patents", "code": "deal_not_signed", "patent": link.patent_id,
                                 "message": _("专利 %(p)s 的来源交易尚未签约") % {"p": label}})
        elif not (link.open_licence_id and any(int(r.get("id", 0)) == link.open_licence_id
                                               and _licence_covers(r, link.patent)
                                               for r in open_licences_of(enterprise.pk))):
            problems.append({"field": "patents", "code": "no_licence", "patent": link.patent_id,
                             "message": _("专利 %(p)s 未关联有效的许可或受让记录") % {"p": label}})
    record = product.years.filter(year=data_year).first()
    if record is None:
        problems.append({"field": "year", "message": _("缺少 %(y)s 年度数据") % {"y": data_year}})
    else:
        for name, label in (("output_value", _("产值")), ("sales", _("销售额")),
                            ("patent_revenue_share", _("专利贡献收入占比"))):
            if getattr(record, name) is None:
                problems.append({"field": name, "message": _("%(y)s 年度缺少%(f)s") % {"y": data_year, "f": label}})
    if not enterprise.credit_code:
        problems.append({"field": "enterprise", "message": _("申报单位缺少统一社会信用代码")})
    return problems


def _wan(value: Decimal | None) -> str:
    return "" if value is None else f"{value / Decimal(10000):.2f}"


def pack_data(product: Product, data_year: int) -> dict:
    """The pack's fields (rules.PACK_FIELDS) filled from the records, and the covering patents' rows."""
    from ipoc.core.validators import region_name
    from ipoc.patents import selectors as patent_selectors

    record = product.years.filter(year=data_year).first()
    links = list(product.product_patents.select_related("patent", "deal"))
    summaries = patent_selectors.patent_summaries([link.patent_id for link in links])
    e = product.enterprise
    patents = []
    for link in links:
        s = summaries.get(link.patent_id, {})
        p = link.patent
        patents.append({"number": patent_label(p)[0] if _has_number(p) else "", "title": p.title,
                        "type": str(p.get_patent_type_display()) if p.patent_type else "",
                        "legal_status": s.get("legal_status_label", ""),
                        "source": str(link.get_source_display()),
                        "deal": str(link.deal) if link.deal else "",
                        "holders": "、".join(h["name"] for h in s.get("holders", []))})
    values = {
        "product_name": product.name, "category": product.category, "catalogue_code": product.catalogue_code,
        "enterprise": e.name, "credit_code": e.credit_code or "",
        "region": f"{region_name(e.region_code) or ''}（{e.region_code}）" if e.region_code else "",
        "contact": " ".join(x for x in (e.contact_name, e.contact_phone) if x), "data_year": str(data_year),
        "output_value": _wan(record.output_value) if record else "", "sales": _wan(record.sales) if record else "",
        "patent_revenue_share": str(record.patent_revenue_share) if record and record.patent_revenue_share
        is not None else "",
        "patents": "；".join(f"{x['number'] or x['title']}（{x['source']}）" for x in patents),
        "brand": "、".join(str(t) for t in product.trademarks.all()) or (product.brand.name if product.brand else ""),
        "evidence": _("已上传") if record and record.evidence else "",
    }
    fields = [{"code": f.code, "label": str(f.label), "value": values.get(f.code, ""), "required": f.required,
               "verified": f.verified} for f in rules.pack_fields()]
    return {"fields": fields, "patents": patents, "data_year": data_year,
            "sources": [str(rules.SOURCE_FILING), str(rules.SOURCE_APPLICANT), str(rules.SOURCE_STANDARD)]}


def _refuse_problems(problems: list[dict]) -> None:
    message = _("备案材料未通过导出前检查：") + "；".join(p["message"] for p in problems)
    raise ApplicationError(message, field=problems[0]["field"], code="pack_refused",
                           extra={"problems": [{k: str(v) if k == "message" else v for k, v in p.items()}
                                               for p in problems]})


@transaction.atomic
def filing_prepare(*, actor: User | None, product: Product, data_year: Any) -> ProductFiling:
    """Check the records and freeze the pack for the data year. Refused, with every reason, when a check fails."""
    _require(may_manage_product(actor, product), _("您无权为该产品准备备案材料：%(p)s") % {"p": product})
    data_year = clean_year(data_year, "data_year")
    problems = filing_problems(product, data_year)
    if problems:
        _refuse_problems(problems)
    filing = product.filings.filter(data_year=data_year).first()
    if filing is not None and filing.status != FilingStatus.PREPARED:
        raise ApplicationError(_("%(y)s 年度已备案（%(s)s），不能重新准备材料") % {
            "y": data_year, "s": filing.get_status_display()}, field="data_year", code="duplicate")
    pack = pack_data(product, data_year)
    if filing is None:
        filing = ProductFiling(product=product, data_year=data_year, created_by=_real(actor), pack=pack)
        validated_save(filing)
        FilingStatusChange.objects.create(filing=filing, from_status="", to_status=filing.status,
                                          actor=_real(actor), reason=_("材料已准备"))
    else:
        filing.pack = pack
        validated_save(filing)
    audit_record(actor=actor, action="update", obj=product, changes={"filing": [None, {"data_year": data_year}]})
    return filing


def filing_for_export(product: Product, data_year: int | None = None) -> ProductFiling:
    """The filing to export (the command line): the one of ``data_year`` (default: the latest year with data);
    prepared now — checks first, refused with every reason — when there is none yet or it is still a draft."""
    if data_year is None:
        latest = product.years.order_by("-year").first()
        if latest is None:
            raise ApplicationError(_("%(p)s 尚未填报年度数据") % {"p": product}, field="year")
        data_year = latest.year
    filing = product.filings.filter(data_year=data_year).first()
    if filing is None or filing.status == FilingStatus.PREPARED:
        filing = filing_prepare(actor=None, product=product, data_year=data_year)
    return filing


def _reference(value: str, field: str) -> str:
    value = (value or "").strip()
    if len(value) > 100:
        raise ApplicationError(_("编号最多 100 字"), field=field)
    return value


@transaction.atomic
def filing_transition(*, actor: User | None, filing: ProductFiling, to_status: str, reason: str = "",
                      on: dt.date | None = None, platform_reference: str = "",
                      publication_reference: str = "") -> ProductFiling:
    """Record the platform's progress: 备案 → 认定审查 → 公示 → 认定通过 (or 未通过, with the reason).

    备案 is marked by the enterprise or a center acting for it, with the platform's 受理编号 when known. The later
    statuses are the national platform's results (专利密集型产品备案认定试点平台, policy/RULES.md [S]; who publishes
    them: 待核实), transcribed here by others than the applicant (``may_record_filing_result``). 认定通过 needs the
    platform's reference or the 公示/公告 number (``publication_reference``) on the filing, so the recognised count
    can be traced to the publication."""
    filing = ProductFiling.objects.select_for_update().select_related("product").get(pk=filing.pk)
    product = filing.product
    _require(may_manage_product(actor, product) or may_record_filing_result(actor, product),
             _("您无权更新该产品的备案状态"))
    if to_status not in FILING_TRANSITIONS.get(filing.status, ()):
        label = FilingStatus(to_status).label if to_status in FilingStatus.values else to_status
        raise ApplicationError(_("备案状态不能从“%(a)s”变为“%(b)s”") % {"a": filing.get_status_display(), "b": label},
                               field="status", code="invalid_transition")
    if to_status == FilingStatus.FILED and not may_move_filing(actor, product, to_status):
        raise PermissionDenied(_("备案由申报企业或代其办理的运营中心登记"), field="status")
    if not may_move_filing(actor, product, to_status):
        raise PermissionDenied(_("“%(s)s”是国家专利密集型产品备案认定平台公布的结果，申报企业不能自行登记；"
                                 "请由服务该企业的运营中心、知识产权管理部门或平台管理员依据平台公布结果登记")
                               % {"s": FilingStatus(to_status).label}, field="status")
    reason = (reason or "").strip()
    if len(reason) > FILING_REASON_MAX:  # the page's form stops at 500; the API took any length (probe)
        raise ApplicationError(_("说明最多 %(n)d 字") % {"n": FILING_REASON_MAX}, field="reason")
    if on is not None and to_status in FILING_RESULTS:
        # A result is the platform's answer to this filing: not before it was filed, not in the future — else a
        # 认定通过 could be dated into an earlier year's figures (probe).
        if on > timezone.localdate():
            raise ApplicationError(_("结果日期不能晚于今天"), field="on")
        if filing.filed_date and on < filing.filed_date:
            raise ApplicationError(_("结果日期不能早于备案日期 %(d)s") % {"d": filing.filed_date}, field="on")
    platform_reference = _reference(platform_reference, "platform_reference")
    publication_reference = _reference(publication_reference, "publication_reference")
    if to_status == FilingStatus.NOT_RECOGNISED and not reason:
        raise ApplicationError(_("未通过时请填写原因"), field="reason")
    if publication_reference and to_status not in (FilingStatus.PUBLICIZED, FilingStatus.RECOGNISED):
        raise ApplicationError(_("公示/公告编号在登记公示或认定通过时填写"), field="publication_reference")
    if platform_reference and filing.platform_reference and platform_reference != filing.platform_reference:
        raise ApplicationError(_("平台受理编号已登记为 %(r)s，不能改为 %(n)s") % {
            "r": filing.platform_reference, "n": platform_reference}, field="platform_reference")
    if to_status == FilingStatus.FILED:
        # the records may have changed since the pack was prepared: check again before it counts as filed
        problems = filing_problems(product, filing.data_year)
        if problems:
            _refuse_problems(problems)
        filing.filed_date = on or timezone.localdate()
    if platform_reference:
        filing.platform_reference = platform_reference
    if publication_reference:
        filing.publication_reference = publication_reference
    if to_status == FilingStatus.RECOGNISED and not (filing.platform_reference or filing.publication_reference):
        raise ApplicationError(_("登记认定通过须填写平台受理编号或公示/公告编号，以便核对平台公布的结果"),
                               field="publication_reference")
    if to_status in (FilingStatus.RECOGNISED, FilingStatus.NOT_RECOGNISED):
        filing.result_date = on or timezone.localdate()
    previous = filing.status
    filing.status = to_status
    validated_save(filing)
    FilingStatusChange.objects.create(filing=filing, from_status=previous, to_status=to_status, actor=_real(actor),
                                      reason=reason)
    changes = {"filing_status": [previous, to_status], "data_year": [None, filing.data_year]}
    if platform_reference:
        changes["platform_reference"] = [None, platform_reference]
    if publication_reference:
        changes["publication_reference"] = [None, publication_reference]
    audit_record(actor=actor, action="transition", obj=product, changes=changes, message=reason)
    return filing


def pack_xlsx(filing: ProductFiling) -> bytes:
    """The filing pack as a workbook: the fields (with 待核实 marks), then the covering patents."""
    import io

    from openpyxl import Workbook

    from ipoc.core.tables import safe_row

    pack = filing.pack or pack_data(filing.product, filing.data_year)
    wb = Workbook()
    ws = wb.active
    ws.title = "备案信息"
    ws.append(safe_row(["字段", "填写内容", "必填", "核实情况"]))
    for f in pack["fields"]:
        ws.append(safe_row([f["label"], f["value"], "是" if f["required"] else "否",
                            "已核实" if f["verified"] else str(rules.UNVERIFIED)]))
    ws.column_dimensions["A"].width = 36
    ws.column_dimensions["B"].width = 60
    ps = wb.create_sheet("支撑专利")
    ps.append(safe_row(["专利号", "专利名称", "类型", "法律状态", "取得方式", "来源交易", "权利人"]))
    for p in pack["patents"]:
        ps.append(safe_row([p["number"], p["title"], p["type"], p["legal_status"], p["source"], p["deal"],
                            p["holders"]]))
    src = wb.create_sheet("依据")
    for line in pack.get("sources", []):
        src.append(safe_row([line]))
    src.append(safe_row([_("字段以国家平台实际表单为准；标“待核实”的字段尚未与平台表单核对。")]))
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def _line(pdf, height: int, text: str) -> None:
    pdf.multi_cell(0, height, text, new_x="LMARGIN", new_y="NEXT")


def pack_pdf(filing: ProductFiling) -> bytes:
    """The filing pack as a PDF (CJK font from ipoc.core.pdf)."""
    from ipoc.core.pdf import new_document

    pack = filing.pack or pack_data(filing.product, filing.data_year)
    title = _("专利密集型产品备案材料") + f" · {filing.product.name} · {filing.data_year}"
    pdf = new_document(title=title)
    pdf.set_auto_page_break(True, margin=15)
    pdf.add_page()
    pdf.set_font_size(15)
    _line(pdf, 9, title)
    pdf.set_font_size(10)
    pdf.ln(2)
    for f in pack["fields"]:
        mark = "" if f["verified"] else f"（{rules.UNVERIFIED}）"
        _line(pdf, 6, f"{f['label']}{mark}：{f['value'] or '—'}")
    pdf.ln(3)
    pdf.set_font_size(12)
    _line(pdf, 8, _("支撑专利"))
    pdf.set_font_size(10)
    for p in pack["patents"]:
        _line(pdf, 6, f"{p['number']} {p['title']}".strip() + f" · {p['type']} · {p['legal_status']} · {p['source']}"
                       + (f" · {p['deal']}" if p["deal"] else ""))
    pdf.ln(3)
    pdf.set_font_size(8)
    for line in pack.get("sources", []):
        _line(pdf, 5, line)
    return bytes(pdf.output())
