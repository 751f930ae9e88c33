"""Detect an import file's format (``--format auto``) from its extension and first bytes."""

from __future__ import annotations

import zipfile
from pathlib import Path

__all__ = ["FORMATS", "UnknownFormatError", "detect_format"]

#: Format names accepted by :func:`ipoc.patents.importers.iter_records`.
FORMATS: tuple[str, ...] = ("incopat", "uspto-xml", "epo-xml", "jsonl")


class UnknownFormatError(ValueError):
    """The file's format could not be recognised (无法识别的文件格式)."""


def detect_format(path: str | Path) -> str:
    """Return one of :data:`FORMATS` for ``path``.

    * ``.xlsx``/``.xlsm`` (a zip with ``xl/`` inside) → ``incopat``
    * XML (``.xml`` or content starting with ``<``): the root element decides —
      ``us-patent-grant``/``us-patent-application``/``PATDOC``/``patent-application-publication``
      → ``uspto-xml``, ``ep-patent-document`` → ``epo-xml``
    * content starting with ``{`` (``.jsonl``/``.ndjson``/``.json``) → ``jsonl``
    * ``.csv``/``.tsv``/``.txt`` whose header row has a known Chinese column
      (申请号, 公开号 …) → ``incopat``

    Raises :class:`UnknownFormatError` otherwise.
    """
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix in (".xlsx", ".xlsm"):
        if zipfile.is_zipfile(path):
            return "incopat"
        raise UnknownFormatError(f"{path}: .xlsx 文件不是有效的压缩包 / not a valid xlsx (zip) file")
    with open(path, "rb") as fh:
        head = fh.read(64 * 1024)
    text = head.lstrip(b"\xef\xbb\xbf").lstrip()
    if text.startswith(b"<"):
        for marker, name in (
            (b"<us-patent-grant", "uspto-xml"), (b"<us-patent-application", "uspto-xml"),
            (b"<PATDOC", "uspto-xml"), (b"<patent-application-publication", "uspto-xml"),
            (b"<ep-patent-document", "epo-xml"),
        ):
            if marker in head:
                return name
        raise UnknownFormatError(f"{path}: 未知的 XML 文档类型 / unknown XML document type")
    if text.startswith(b"{") or suffix in (".jsonl", ".ndjson"):
        return "jsonl"  # by content, or by name (a file whose first line is broken is still JSON Lines)
    if suffix in (".csv", ".tsv", ".txt", ""):
        first_line = text.split(b"\n", 1)[0]
        for encoding in ("utf-8", "gb18030"):
            try:
                header = first_line.decode(encoding)
            except UnicodeDecodeError:
                continue
            if any(key in header for key in ("申请号", "公开号", "公开（公告）号", "公开(公告)号", "专利名称", "标题")):
                return "incopat"
    raise UnknownFormatError(f"{path}: 无法识别的文件格式 / cannot recognise the file format")
