"""PDF output shared by every app: the CJK font and a document with it registered.

Chinese needs a CJK font embedded in the file. It comes from the PyPI package ``pylopdf-fonts-zh-cn``
(Noto Sans SC, SIL OFL 1.1, a project dependency), so a fresh ``pip install`` is enough; fpdf2
embeds only the glyphs used (a subset) with a ToUnicode map, so the text stays searchable and
extractable. ``settings.IPOC_PDF_FONT`` / env ``IPOC_PDF_FONT`` may name another TTF/OTF file.
"""

from __future__ import annotations

import os
from pathlib import Path

from django.conf import settings
from django.utils.translation import gettext as _

from ipoc.core.errors import ApplicationError

FONT = "ipoc-cjk"


def font_path() -> Path:
    """The CJK font embedded in PDFs: the configured file, else Noto Sans SC from its PyPI package."""
    configured = getattr(settings, "IPOC_PDF_FONT", None) or os.environ.get("IPOC_PDF_FONT")
    if configured:
        path = Path(configured)
    else:
        try:
            import pylopdf_fonts_zh_cn
        except ImportError as exc:  # a broken install: say what is missing instead of writing tofu
            raise ApplicationError(_("缺少中文字体包 pylopdf-fonts-zh-cn，无法生成 PDF"), field="font",
                                   code="not_ready", status=503) from exc
        path = Path(pylopdf_fonts_zh_cn.sans_path())
    if not path.is_file():
        raise ApplicationError(_("PDF 字体文件不存在：%(p)s") % {"p": path}, field="font", code="not_ready",
                               status=503)
    return path


def new_document(*, orientation: str = "P", title: str = ""):
    """An A4 ``fpdf.FPDF`` with the CJK font registered as ``FONT`` and selected."""
    from fpdf import FPDF

    pdf = FPDF(orientation=orientation, format="A4")
    pdf.add_font(FONT, fname=str(font_path()))
    pdf.set_font(FONT, size=11)
    if title:
        pdf.set_title(title)
    pdf.set_creator("IPOC")
    return pdf
