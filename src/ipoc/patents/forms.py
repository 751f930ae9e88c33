"""Forms of the patent pages, and the words a person reads for import formats and data sources."""

from django import forms
from django.utils.translation import gettext_lazy as _

from ipoc.core.display import SOURCE_BADGES
from ipoc.patents.importers import FORMATS

# Import formats by what an office calls the file it has, never by the code the importer uses.
FORMAT_LABELS = {
    "auto": _("自动识别（按文件内容判断）"),
    "incopat": _("incoPat / CNIPA 导出表（CSV/Excel）"),
    "uspto-xml": _("USPTO 全文 XML（含周更合并文件）"),
    "epo-xml": _("EPO 全文 XML"),
    "jsonl": _("JSON Lines 数据文件（.jsonl）"),
}

# Where a patent record came from (``Patent.source``): the import format, or the research set's name.
SOURCE_LABELS = {
    "incopat": _("incoPat / CNIPA 导出表"),
    "uspto-xml": _("USPTO 全文 XML"),
    "epo-xml": _("EPO 全文 XML"),
    "jsonl": _("JSON Lines 数据文件"),
    **SOURCE_BADGES,
}


def format_label(code: str) -> str:
    return str(FORMAT_LABELS.get(code, code or _("未知格式")))


def source_label(code: str) -> str:
    """A data source in words: a known format or research set, the IPC training set, else the name given."""
    if not code:
        return str(_("未知"))
    if code in SOURCE_LABELS:
        return str(SOURCE_LABELS[code])
    if code.startswith("titles_ipc"):
        return str(_("IPC 分类标注数据集"))
    if code.startswith("import:"):
        return format_label(code.split(":", 1)[1])
    return code


class ImportForm(forms.Form):
    file = forms.FileField(label=_("专利数据文件"),
                           help_text=_("CSV、Excel（.xlsx）、XML 或 JSONL 文件；大文件在后台导入，可随时查看进度。"))
    format = forms.ChoiceField(label=_("文件格式"), initial="auto",
                               choices=[(code, FORMAT_LABELS[code]) for code in ("auto", *FORMATS)],
                               help_text=_("一般选“自动识别”；识别有误时再指定格式。"))
