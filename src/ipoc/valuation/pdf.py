"""The per-patent valuation report as PDF (the same dict as the HTML page: ``selectors.valuation_report``).

The CJK font (embedded as a searchable subset) comes from ``ipoc.core.pdf``.
"""

from __future__ import annotations

import re

from django.utils.translation import get_language
from django.utils.translation import gettext as _

from ipoc.core.pdf import FONT, font_path


def _num(x, digits: int = 2) -> str:
    """Like the page's ``floatformat:"-2"``: at most ``digits`` decimals, none for whole numbers."""
    if x is None:
        return "—"
    if isinstance(x, bool):
        return str(x)
    if isinstance(x, (int, float)):
        text = f"{x:.{digits}f}"
        return text.rstrip("0").rstrip(".") if "." in text else text
    return str(x)


def _peer(i: dict) -> str:
    p = i.get("peer_group")
    if not p:
        return "—"
    keys = " ".join(f"{k}={v}" for k, v in p["keys"].items())
    text = f"{p['level']} {keys} · n={p['size']}".replace("  ", " ")
    return text + (f" ({_('同行组过小')})" if p.get("small_peer_group") else "")


def _percentile(i: dict) -> str:
    if i.get("percentile") is not None:
        return _num(i["percentile"])
    if i.get("normalized") is not None:
        return f"{_('不适用')} ({i['normalization']}: {_num(i['normalized'])})"
    return "—"


def report_pdf(report: dict) -> bytes:
    """The report as an A4 landscape PDF: header, summary, level-1 scores, every indicator (raw value,
    percentile among peers, peer group, weight, contribution; missing ones marked 缺失) and the notes."""
    from fpdf import FPDF
    from fpdf.fonts import FontFace

    english = (get_language() or "").startswith("en")
    p, run = report["patent"], report["run"]
    title = f"{_('专利评估报告')} {p['number']}"

    class ReportPDF(FPDF):
        def footer(self):
            self.set_y(-12)
            self.set_font(FONT, size=8)
            self.set_text_color(110)
            self.cell(0, 6, f"{title} · {_('评估批次')} #{run['id']} · {self.page_no()}/{{nb}}", align="C")

    pdf = ReportPDF(orientation="L", unit="mm", format="A4")
    pdf.set_title(title)
    pdf.set_creator("IPOC")
    pdf.set_lang("en" if english else "zh-CN")
    pdf.add_font(FONT, "", str(font_path()))
    pdf.set_auto_page_break(auto=True, margin=16)
    pdf.add_page()
    width = pdf.epw

    pdf.set_font(FONT, size=16)
    pdf.multi_cell(width, 9, title, new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(FONT, size=11)
    pdf.multi_cell(width, 6, f"{p['title']} · {p['patent_type']} · {p['legal_status'] or _('状态未知')}",
                   new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(FONT, size=9)
    pdf.set_text_color(90)
    line = (f"{_('评估批次')} #{run['id']} · {run['scenario_zh'] or run['scenario']} · {_('评估基准日')} "
            f"{run['as_of']} · {_('指标体系')} {run['tree_label']} ({run['tree_digest']})")
    if not run["tree_is_active"]:
        line += f" · {_('指标体系已修改，可重新评估')}"
    pdf.multi_cell(width, 5, line, new_x="LMARGIN", new_y="NEXT")
    pdf.set_text_color(0)
    pdf.ln(2)

    rec = report["recommendation"]
    confidence = _num(report["confidence"])
    if report["confidence"] is not None and report["confidence"] < 1:
        confidence += f" ({_('有缺失指标')})"
    summary = [
        (_("总分"), _num(report["score"], 1)),
        (_("评级"), f"{report['grade'] or '—'} {report['grade_zh'] or ''}".strip()),
        (_("置信度"), confidence),
        (_("分层建议"), f"{rec['zh'] or '—'} {rec['reason'] or ''}".strip()),
        (_("剩余保护期（年）"), _num(rec["remaining_life_years"], 1)),
        (_("可节省年费（元）"), _num(report["fee_saving"])),
    ]
    heading = FontFace(emphasis=None, fill_color=(232, 236, 242))
    pdf.set_font(FONT, size=10)
    with pdf.table(col_widths=(45, 230), width=width, text_align="LEFT", first_row_as_headings=False,
                   line_height=6) as table:
        for label, value in summary:
            row = table.row()
            row.cell(label, style=heading)
            row.cell(value)
    pdf.ln(3)

    pdf.set_font(FONT, size=12)
    pdf.cell(width, 8, _("一级指标"), new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(FONT, size=10)
    with pdf.table(col_widths=(120, 40, 40), width=150, align="LEFT", text_align=("LEFT", "RIGHT", "RIGHT"),
                   headings_style=heading, line_height=6) as table:
        table.row([_("指标"), _("得分"), _("权重")])
        for lv in report["level1"]:
            table.row([lv["name_en"] if english else lv["name_zh"], _num(lv["score"], 1), _num(lv["weight"], 3)])
    pdf.ln(3)

    pdf.set_font(FONT, size=12)
    pdf.cell(width, 8, _("指标明细"), new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(FONT, size=8)
    missing_style = FontFace(color=(150, 90, 0))
    with pdf.table(col_widths=(92, 24, 34, 62, 20, 20, 25), width=width, headings_style=heading,
                   text_align=("LEFT", "RIGHT", "RIGHT", "LEFT", "RIGHT", "RIGHT", "LEFT"), line_height=4.6,
                   repeat_headings=1) as table:
        table.row([_("指标"), _("原值"), _("百分位"), _("同行组"), _("权重"), _("贡献"), _("说明")])
        for i in report["indicators"]:
            notes = []
            if i["direction"] == "lower":
                notes.append(_("越小越好"))
            if i["pending_check"]:
                notes.append(_("待核实"))
            row = table.row()
            row.cell(i["name_en"] if english else " › ".join(i["path"]))
            if i["missing"]:
                row.cell(_("缺失"), style=missing_style)
            else:
                row.cell(_num(i["raw"]))
            row.cell(_percentile(i))
            row.cell(_peer(i))
            row.cell(_num(i["weight"], 4))
            row.cell(_num(i["contribution"]))
            row.cell(" ".join(notes))
        row = table.row()
        row.cell(_("合计"), style=heading)
        for _n in range(4):
            row.cell("")
        row.cell(_num(report["contribution_total"]))
        row.cell("")
    pdf.ln(3)

    pdf.set_font(FONT, size=9)
    missing = [i["name_en"] if english else i["name_zh"] for i in report["indicators"] if i["missing"]]
    if missing:
        pdf.multi_cell(width, 5, f"{_('缺失指标（不计为 0，降低置信度）')}：{'、'.join(missing)}",
                       new_x="LMARGIN", new_y="NEXT")
    pdf.set_text_color(90)
    for note in report["notes"]:
        pdf.multi_cell(width, 5, f"· {note}", new_x="LMARGIN", new_y="NEXT")
    return bytes(pdf.output())


def pdf_filename(report: dict) -> str:
    """``valuation-<number>.pdf`` with anything but letters, digits, ``.``, ``-`` and ``_`` replaced."""
    return "valuation-" + re.sub(r"[^A-Za-z0-9._-]+", "_", str(report["patent"]["number"])) + ".pdf"
