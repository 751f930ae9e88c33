"""The landscape report (专利导航/分析报告) of a set: JSON (API, CLI), PDF (every analysis as a table with
drawn bars, Chinese font) and Excel (one sheet per analysis)."""

from __future__ import annotations

import io

from django.utils import timezone
from django.utils.translation import gettext as _

ORDER = ("trend", "applicants", "applicant_types", "co_applicants", "inventors", "ipc_section", "ipc_class",
         "ipc_subclass", "ipc_group", "ipc_year", "regions", "countries", "priority_flows", "legal_status",
         "remaining_life", "transactions", "deals", "most_cited", "citations")
SHEET_NAMES = {"trend": "趋势", "applicants": "申请人", "applicant_types": "申请人类型", "co_applicants": "合作申请",
               "inventors": "发明人", "ipc_section": "IPC部", "ipc_class": "IPC大类", "ipc_subclass": "IPC小类",
               "ipc_group": "IPC大组", "ipc_year": "IPC×年份", "regions": "国省", "countries": "国家地区",
               "priority_flows": "优先权流向", "legal_status": "法律状态", "remaining_life": "剩余保护期",
               "transactions": "转让许可质押", "deals": "平台交易", "most_cited": "高被引", "citations": "引证网络",
               "matrix": "技术功效矩阵", "chain": "产业链"}


def _local(moment):
    """A stored time as the pages show it (the instance's time zone)."""
    return timezone.localtime(moment) if timezone.is_aware(moment) else moment


def _plain(value):
    return value if isinstance(value, (int, float)) or value is None else str(value)


def as_json(land: dict) -> dict:
    """Every analysis as {title, unit, columns, rows (values and the link to their patents)}."""
    s = land["set"]
    out = {"set": {"id": s.pk, "name": s.name, "kind": s.kind, "kind_label": str(s.get_kind_display()),
                   "size": s.size, "evaluated_at": _local(s.evaluated_at).isoformat() if s.evaluated_at else None},
           "as_of": land["today"].isoformat(), "totals": land["totals"], "analyses": {}}
    for key in ORDER:
        a = land["analyses"][key]
        out["analyses"][key] = {"title": str(a["title"]), "unit": str(a["unit"]), "note": str(a.get("note") or ""),
                                "columns": [str(c) for c in a["columns"]],
                                "rows": [{"values": [_plain(c) for c in r["cells"]], "patents_url": r["url"]}
                                         for r in a["rows"]]}
    m = land["analyses"]["matrix"]
    out["analyses"]["matrix"] = {
        "title": str(m["title"]), "technologies": [{"id": r["term"].pk, "label": r["term"].label, "total": r["total"],
                                                    "reviewed": r["term"].reviewed} for r in m["rows"]],
        "effects": [{"id": c["term"].pk, "label": c["term"].label, "total": c["total"], "reviewed": c["term"].reviewed}
                    for c in m["columns"]],
        "cells": [[{"count": c["count"], "reviewed": c["reviewed"], "patents_url": c["url"]} for c in r["cells"]]
                  for r in m["rows"]]}
    c = land["analyses"]["chain"]
    out["analyses"]["chain"] = {"title": str(c["title"]), "rows": [
        {"node": r["node"]["name"], "position": str(r["node"]["position"]), "patents": r["patents"],
         "holders": r["holders"], "demands": r["demands"], "listings": r["listings"], "deals": r["deals"],
         "open_licences": r["open_licences"] if r["open_known"] else None,
         "pool_patents": r["pool_patents"] if r["pool_known"] else None, "patents_url": r["url"]}
        for r in c["rows"]]}
    return out


def _sheet_rows(land: dict):
    """(key, title, unit, header, rows) per analysis, matrix and chain included."""
    for key in ORDER:
        a = land["analyses"][key]
        yield key, str(a["title"]), str(a["unit"]), [str(c) for c in a["columns"]], [
            [_plain(c) for c in r["cells"]] for r in a["rows"]]
    m = land["analyses"]["matrix"]
    if m["ready"]:
        header = [_("技术分支 \\ 技术功效")] + [c["term"].label + ("" if c["term"].reviewed else _("（未审核）"))
                                         for c in m["columns"]]
        rows = [[r["term"].label + ("" if r["term"].reviewed else _("（未审核）")), *[c["count"] for c in r["cells"]]]
                for r in m["rows"]]
        yield "matrix", str(m["title"]), _("件"), header, rows
    c = land["analyses"]["chain"]
    if c["rows"]:
        header = [_("产业链节点"), _("专利（件）"), _("权利人/申请人（个）"), _("中心需求（项）"), _("挂牌（项）"),
                  _("撮合交易（项）"), _("开放许可专利（件）"), _("入池专利（件）")]
        rows = [[r["node"]["name"], r["patents"], r["holders"], r["demands"], r["listings"], r["deals"],
                 r["open_licences"] if r["open_known"] else _("数据未接入"),
                 r["pool_patents"] if r["pool_known"] else _("数据未接入")] for r in c["rows"]]
        yield "chain", str(c["title"]), "", header, rows


def as_xlsx(land: dict) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    wb = Workbook()
    ws = wb.active
    ws.title = "概况"
    s = land["set"]
    ws.append([_("专利集合"), s.name])
    ws.append([_("集合类型"), str(s.get_kind_display())])
    ws.append([_("专利数（件）"), s.size])
    ws.append([_("评估时间"), _local(s.evaluated_at).strftime("%Y-%m-%d %H:%M") if s.evaluated_at else "—"])
    ws.append([_("统计日期"), land["today"].isoformat()])
    for key, title, unit, header, rows in _sheet_rows(land):
        sheet = wb.create_sheet(SHEET_NAMES.get(key, key)[:31])
        sheet.append([title + (f"（{_('单位')}：{unit}）" if unit else "")])
        sheet["A1"].font = Font(bold=True)
        sheet.append(header)
        for cell in sheet[2]:
            cell.font = Font(bold=True)
        for row in rows:
            sheet.append(row)
        if not rows:
            sheet.append([_("本集合中没有可统计的数据")])
        sheet.column_dimensions["A"].width = 36
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def as_pdf(land: dict) -> bytes:
    """A4 PDF: cover figures, then each analysis as a table whose count column carries a drawn bar."""
    from fpdf.fonts import FontFace

    from ipoc.core.pdf import FONT, new_document

    s = land["set"]
    pdf = new_document(title=_("专利导航分析报告：%(n)s") % {"n": s.name})
    pdf.set_auto_page_break(auto=True, margin=15)
    pdf.add_page()
    width = pdf.epw
    pdf.set_font(FONT, size=16)
    pdf.multi_cell(width, 9, _("专利导航分析报告"), new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(FONT, size=12)
    pdf.multi_cell(width, 7, s.name, new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(FONT, size=9)
    pdf.set_text_color(90)
    evaluated = _local(s.evaluated_at).strftime("%Y-%m-%d %H:%M") if s.evaluated_at else "—"
    pdf.multi_cell(width, 5, _("%(k)s · %(n)d 件专利 · 评估时间 %(e)s · 统计日期 %(d)s") % {
        "k": s.get_kind_display(), "n": s.size, "e": evaluated, "d": land["today"].isoformat()},
        new_x="LMARGIN", new_y="NEXT")
    pdf.set_text_color(0)
    pdf.ln(3)
    heading = FontFace(emphasis=None, fill_color=(232, 236, 242))
    for _key, title, unit, header, rows in _sheet_rows(land):
        if pdf.will_page_break(30):
            pdf.add_page()
        pdf.set_font(FONT, size=12)
        pdf.multi_cell(width, 8, title + (f"（{_('单位')}：{unit}）" if unit else ""), new_x="LMARGIN", new_y="NEXT")
        if not rows:
            pdf.set_font(FONT, size=9)
            pdf.set_text_color(110)
            pdf.multi_cell(width, 6, _("本集合中没有可统计的数据"), new_x="LMARGIN", new_y="NEXT")
            pdf.set_text_color(0)
            pdf.ln(2)
            continue
        rows = rows[:30]
        numeric = isinstance(rows[0][-1], (int, float)) and all(isinstance(r[-1], (int, float)) for r in rows)
        if numeric and len(header) <= 3:
            _bar_table(pdf, header, rows, width)
        else:
            pdf.set_font(FONT, size=8)
            n = len(header)
            first = 50 if n > 2 else 110
            widths = [first] + [(width - first) / (n - 1)] * (n - 1)
            with pdf.table(col_widths=widths, width=width, headings_style=heading, line_height=5,
                           text_align=["LEFT"] + ["RIGHT"] * (n - 1), repeat_headings=1) as table:
                table.row(header)
                for r in rows:
                    table.row(["—" if v in (None, "") else str(v) for v in r])
        pdf.ln(3)
    return bytes(pdf.output())


def _fit(pdf, text: str, width: float) -> str:
    """``text`` cut to fit ``width`` (with an ellipsis), so a long name never runs into the next column."""
    if pdf.get_string_width(text) <= width:
        return text
    while text and pdf.get_string_width(text + "…") > width:
        text = text[:-1]
    return text + "…"


def _bar_table(pdf, header: list[str], rows: list[list], width: float) -> None:
    """Label, (middle column,) count and a drawn bar proportional to the count — the chart as a table."""
    from ipoc.core.pdf import FONT

    bar_w, num_w = 60.0, 24.0
    mid_w = 30.0 if len(header) == 3 else 0.0
    label_w = width - bar_w - num_w - mid_w
    top = max((r[-1] for r in rows), default=0) or 1
    pdf.set_font(FONT, size=8)
    pdf.set_fill_color(232, 236, 242)
    pdf.cell(label_w, 6, _fit(pdf, header[0], label_w - 2), border=1, fill=True)
    if mid_w:
        pdf.cell(mid_w, 6, _fit(pdf, header[1], mid_w - 2), border=1, fill=True)
    pdf.cell(num_w, 6, _fit(pdf, header[-1], num_w - 2), border=1, fill=True, align="R")
    pdf.cell(bar_w, 6, "", border=1, fill=True, new_x="LMARGIN", new_y="NEXT")
    for r in rows:
        if pdf.will_page_break(5):
            pdf.add_page()
        pdf.cell(label_w, 5, _fit(pdf, "—" if r[0] in (None, "") else str(r[0]), label_w - 2), border=1)
        if mid_w:
            pdf.cell(mid_w, 5, _fit(pdf, str(r[1]), mid_w - 2), border=1)
        pdf.cell(num_w, 5, str(r[-1]), border=1, align="R")
        x, y = pdf.get_x(), pdf.get_y()
        pdf.cell(bar_w, 5, "", border=1, new_x="LMARGIN", new_y="NEXT")
        pdf.set_fill_color(32, 107, 196)
        pdf.rect(x + 1, y + 1, max(0.4, (bar_w - 2) * r[-1] / top), 3, style="F")
        pdf.set_fill_color(232, 236, 242)
