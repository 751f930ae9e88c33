"""The risk report as PDF (the same content dict as the HTML page), with the CJK font of ``ipoc.core.pdf``."""

from __future__ import annotations

from django.utils.translation import gettext as _

from ipoc.core.pdf import FONT, font_path


def render_pdf(content: dict) -> bytes:
    from fpdf import FPDF
    from fpdf.fonts import FontFace

    title = f"{_('出口前风险预警报告')} · {content['title']}"

    class ReportPDF(FPDF):
        def footer(self):
            self.set_y(-12)
            self.set_font(FONT, size=8)
            self.set_text_color(110)
            self.cell(0, 6, f"{_('不构成法律意见')} · {self.page_no()}/{{nb}}", align="C")

    pdf = ReportPDF(orientation="P", unit="mm", format="A4")
    pdf.set_title(title)
    pdf.set_creator("IPOC")
    pdf.set_lang("zh-CN")
    pdf.add_font(FONT, "", str(font_path()))
    pdf.set_auto_page_break(auto=True, margin=16)
    pdf.add_page()
    w = pdf.epw
    head = FontFace(emphasis=None, fill_color=(232, 236, 242))

    def h(text: str, size: int = 13) -> None:
        pdf.ln(2)
        pdf.set_font(FONT, size=size)
        pdf.multi_cell(w, 7, text, new_x="LMARGIN", new_y="NEXT")
        pdf.set_font(FONT, size=9)

    def para(text: str) -> None:
        pdf.multi_cell(w, 5, text or "—", new_x="LMARGIN", new_y="NEXT")

    pdf.set_font(FONT, size=16)
    pdf.multi_cell(w, 9, title, new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(FONT, size=9)
    pdf.set_text_color(90)
    para(f"{_('申请单位')}：{content['requester']} · {_('承办运营中心')}：{content['center'] or '—'} · "
         f"{_('生成时间')}：{content['generated_at']}")
    pdf.set_text_color(0)

    h(_("一、排查事项"))
    with pdf.table(col_widths=(35, 145), width=w, text_align="LEFT", first_row_as_headings=False) as t:
        for label, value in ((_("产品"), content["product_name"]), (_("产品描述"), content["description"]),
                             (_("技术特征"), "；".join(content["features"])),
                             (_("型号/变体"), "；".join(content["variants"]) or "—"),
                             (_("部件"), "；".join(content["components"]) or "—"),
                             (_("目标市场"), "、".join(m["label"] for m in content["markets"])),
                             (_("时间范围至"), content["horizon_date"]),
                             (_("总体风险"), content["risk_label"])):
            row = t.row()
            row.cell(str(label), style=head)
            row.cell(str(value or "—"))

    h(_("二、检索范围与方法"))
    with pdf.table(col_widths=(12, 28, 100, 20, 20), width=w, text_align="LEFT", headings_style=head) as t:
        r = t.row()
        for x in (_("轮次"), _("途径"), _("检索式"), _("命中"), _("新增")):
            r.cell(x)
        for rd in content["rounds"]:
            r = t.row()
            for x in (rd["number"], rd["route"], rd["query"], rd["hits"], rd["new_hits"]):
                r.cell(str(x))
    para(f"{_('终止理由')}：{content['stop_reason'] or '—'}")
    para(_("在目标市场有效或审中的候选专利 %(k)d 件；已排除 %(e)d 件（届满、失效或不在目标市场，理由见附录）。") % {
        "k": content["kept_count"], "e": content["excluded_count"]})

    h(_("三、各市场结论"))
    for c in content["conclusions"]:
        para(f"{c['label']}（{c['risk_label']}）：{c['text']}")

    h(_("四、风险专利与权利要求对比"))
    if not content["blocking"]:
        para(_("无"))
    for b in content["blocking"]:
        h(f"{b['number']} {b['title']}（{b['risk_label']}）", size=11)
        para(f"{_('权利人')}：{'、'.join(b['holders']) or '—'}")
        para("；".join(f"{m}：{v['reason']}" for m, v in b["markets"].items()))
        for chart in b["charts"]:
            para(_("独立权利要求 %(n)s") % {"n": chart["number"]}
                 + (f"（{_('从属权利要求')}：{'、'.join(str(d) for d in chart['dependents'])}）" if chart["dependents"] else ""))
            with pdf.table(col_widths=(80, 22, 78), width=w, text_align="LEFT", headings_style=head) as t:
                r = t.row()
                for x in (_("技术特征"), _("对比结论"), _("产品对应特征 / 依据")):
                    r.cell(x)
                for e in chart["elements"]:
                    r = t.row()
                    r.cell(e["text"][:600])
                    r.cell(e["mapping_label"] + ("" if e["confirmed"] else f"（{_('建议')}）"))
                    r.cell(f"{e['feature'][:200] or '—'}\n{e['evidence']}" + (f"\n{e['note']}" if e["note"] else ""))
        options = []
        if b["design_around"]:
            options.append(f"{_('规避设计')}：{b['design_around']}")
        if b["pools"]:
            options.append(f"{_('专利池许可')}：{'、'.join(p['name'] for p in b['pools'])}")
        if b["open_licence"]:
            options.append(_("该专利有开放许可声明，可按公告条件取得普通许可"))
        if b["pledges"]:
            options.append(f"{_('专利开源承诺')}：{'、'.join(p['title'] for p in b['pledges'])}")
        if b["invalidity_leads"]:
            options.append(f"{_('无效线索（引证文献）')}：{'、'.join(b['invalidity_leads'])}")
        if not options:
            options.append(_("平台未登记该专利的许可渠道；可联系权利人洽谈许可"))
        for o in options:
            para(f"· {o}")

    if content.get("low"):
        h(_("已对比、未全面覆盖产品的专利（低风险）"), size=11)
        for x in content["low"]:
            para(f"{x['number']} {x['title'][:60]}" + (f"：{_('产品不具备的特征')} {'；'.join(x['absent'])}"
                                                      if x["absent"] else ""))
    if content.get("unrated_count"):
        h(_("未能对比的专利 %(n)d 件（库中无权利要求文本）") % {"n": content["unrated_count"]}, size=11)
        para("、".join(x["number"] for x in content["unrated"]))

    h(_("五、下一步建议"))
    for a in content["next_actions"]:
        para(f"· {a}")

    if content["excluded"]:
        h(_("附录：已排除的专利"))
        for x in content["excluded"]:
            para(f"{x['number']}：{'；'.join(x['reasons'])}")

    h(_("声明"))
    para(content["disclaimer"])
    return bytes(pdf.output())
