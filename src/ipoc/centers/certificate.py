"""认定证书 as PDF: rendered from the recognition decision (name, level, host, number, document, date)."""

from __future__ import annotations

from django.utils import timezone
from django.utils.translation import gettext as _

from ipoc.core.pdf import FONT, new_document


def render_certificate(application) -> bytes:
    """The certificate of a recognised application; every line comes from its records."""
    decision = application.decision
    center = application.center
    pdf = new_document(orientation="L", title=_("产业知识产权运营中心认定证书"))
    pdf.add_page()
    pdf.set_line_width(1.2)
    pdf.rect(10, 10, pdf.w - 20, pdf.h - 20)
    pdf.set_y(32)
    pdf.set_font(FONT, size=28)
    pdf.cell(0, 16, _("认定证书"), align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(FONT, size=12)
    pdf.cell(0, 8, _("证书编号：%(n)s") % {"n": application.certificate_no}, align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(10)
    pdf.set_font(FONT, size=16)
    body = _("经审核推荐、专家评审和公示，%(host)s建设的运营中心被认定为%(level)s产业知识产权运营中心，名称为：") % {
        "host": center.host_organization.name, "level": application.get_level_display()}
    pdf.set_x(30)
    pdf.multi_cell(pdf.w - 60, 10, body, align="L", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(4)
    pdf.set_font(FONT, size=22)
    pdf.cell(0, 14, decision.name_after, align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(8)
    pdf.set_font(FONT, size=12)
    decided = timezone.localtime(decision.decided_at)
    for line in (_("产业领域：%(i)s") % {"i": center.industry},
                 _("认定文件：%(d)s") % {"d": decision.document_ref},
                 _("认定部门：%(o)s") % {"o": application.deciding_office.name},
                 _("认定日期：%(y)s年%(m)s月%(d)s日") % {"y": decided.year, "m": decided.month, "d": decided.day}):
        pdf.set_x(30)
        pdf.cell(0, 8, line, new_x="LMARGIN", new_y="NEXT")
    return bytes(pdf.output())
