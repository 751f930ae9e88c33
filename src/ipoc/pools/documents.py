"""Documents a licensee and a licensor can download: the royalty statement (PDF and XLSX) and the licensor's
allocation statement (PDF), each traceable to the report lines, units and patents behind every amount."""

from __future__ import annotations

import io

from django.utils import timezone

from ipoc.core.pdf import new_document
from ipoc.pools import selectors

STATEMENT_COLUMNS = ["产品类别", "制造国", "销售国", "销售日期", "数量", "单价", "折前", "折扣", "补缴附加", "封顶扣减",
                     "应付", "计费理由"]


def _plain():
    """Table headings without bold (the embedded CJK font has one style), on a grey fill."""
    from fpdf.fonts import FontFace

    return FontFace(emphasis="", fill_color=(235, 235, 235))


def _line_cells(ln: dict) -> list:
    return [ln["category"], ln["country_made"], ln["country_sold"], str(ln["sale_date"]), ln["units"],
            ln["rate"] if ln["owes"] else "—", ln["gross"], ln["discount"], ln["surcharge"], ln["cap_reduction"],
            ln["amount"], ln["reason"] + (f"（{ln['rate_basis']}）" if ln["rate_basis"] else "")]


def statement_pdf(statement) -> bytes:
    data = selectors.statement_dict(statement)
    pdf = new_document(orientation="L", title=f"许可费账单 {data['licensee']} {data['period']}")
    pdf.set_auto_page_break(True, margin=12)
    pdf.add_page()
    pdf.set_font_size(16)
    pdf.cell(0, 10, f"{data['pool']} · 许可费账单", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font_size(10)
    for text in (f"被许可人：{data['licensee']}    报告期：{data['period']}    账单编号：{data['id']}",
                 f"应付合计：{data['total']} 元（其中补缴 {data['back_royalties']} 元）",
                 f"出具时间：{timezone.localtime(statement.issued_at):%Y-%m-%d %H:%M}"):
        pdf.cell(0, 6, text, new_x="LMARGIN", new_y="NEXT")
    pdf.ln(2)
    pdf.set_font_size(8)
    widths = (22, 12, 12, 20, 16, 14, 18, 14, 14, 16, 18, 111)
    with pdf.table(col_widths=widths, text_align="LEFT", line_height=4.5, headings_style=_plain()) as table:
        table.row(STATEMENT_COLUMNS)
        for ln in data["lines"]:
            table.row([str(c) for c in _line_cells(ln)])
    pdf.ln(3)
    pdf.set_font_size(9)
    pdf.cell(0, 5, "计算顺序：", new_x="LMARGIN", new_y="NEXT")
    for step in data["steps"]:
        pdf.multi_cell(0, 4.5, step, new_x="LMARGIN", new_y="NEXT")
    return bytes(pdf.output())


def statement_xlsx(statement) -> bytes:
    from openpyxl import Workbook

    data = selectors.statement_dict(statement)
    wb = Workbook()
    ws = wb.active
    ws.title = "许可费账单"
    ws.append([data["pool"], data["licensee"], data["period"], f"应付合计 {data['total']} 元"])
    ws.append(STATEMENT_COLUMNS + ["有效专利"])
    for ln in data["lines"]:
        cells = _line_cells(ln)
        ws.append(cells + ["、".join(ln["patents"])])
    ws.append([])
    for step in data["steps"]:
        ws.append([step])
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def allocation_pdf(allocation, licensor) -> bytes:
    data = selectors.allocation_dict(allocation, licensor_id=licensor.pk)
    share = data["shares"][0] if data["shares"] else None
    pdf = new_document(title=f"许可费分配单 {licensor.organization.name} {allocation.year}")
    pdf.set_auto_page_break(True, margin=12)
    pdf.add_page()
    pdf.set_font_size(15)
    pdf.cell(0, 10, f"{data['pool']} · {allocation.year} 年度许可费分配单", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font_size(10)
    lines = [f"许可人：{licensor.organization.name}", f"分配公式：{data['method_label']}",
             f"收取许可费 {data['collected']} 元，管理费 {data['fee']} 元，可分配 {data['distributable']} 元",
             f"本许可人点数 {share['points'] if share else 0}，分配金额 {share['amount'] if share else '0.00'} 元"]
    for text in lines:
        pdf.cell(0, 6, text, new_x="LMARGIN", new_y="NEXT")
    pdf.ln(2)
    pdf.set_font_size(8)
    if share and share["trace"] and "statement_line" in share["trace"][0]:
        with pdf.table(col_widths=(18, 42, 16, 24, 12, 26, 52), text_align="LEFT", line_height=4.5,
                       headings_style=_plain()) as table:
            table.row(["报告期", "产品与国家、销售日", "数量", "该行许可费", "点数", "归属（扣管理费前）", "有效专利"])
            for t in share["trace"]:
                table.row([t.get("period", ""), f"{t.get('category', '')} {t.get('country_made', '')}→"
                           f"{t.get('country_sold', '')} {t.get('sale_date', '')}", str(t.get("units", "")),
                           t["line_amount"], t["points"], t["collected_part"], "、".join(t["patent_numbers"])])
    elif share:
        pdf.cell(0, 5, f"按入池专利件数分配：{share['points']} 件", new_x="LMARGIN", new_y="NEXT")
    return bytes(pdf.output())
