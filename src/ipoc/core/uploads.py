"""Uploaded files: bounded per kind, checked before they are read, deleted when their import ends.

Every upload has a *kind* with its own size limit (``settings.IPOC_UPLOAD_LIMITS``, bytes):

* ``patents`` — bulk patent files (USPTO/EPO XML, JSONL, incoPat CSV/XLSX), large (default 2 GB);
* ``spreadsheet`` — the Excel/CSV templates of demands and stock inventories (default 20 MB);
* ``attachment`` — contracts, evidence, materials (default 50 MB).

Three layers keep one file from stopping the platform:

1. :class:`LimitedUploadHandler` (installed by ``UploadLimitMiddleware``) stops receiving a file as soon
   as it passes the largest limit that applies to the URL, before it fills the disk;
2. :func:`save_upload` checks the exact limit of the kind (413 naming the field) and refuses an empty file;
3. :func:`check_xlsx` opens an Excel file's zip directory — never its content — and refuses zip bombs
   (entry count, total unpacked size, compression ratio) and sheets whose declared size passes the row
   cap; :func:`ipoc.core.tabular.sheet_rows` caps rows again while streaming, since a dimension can lie.

Kept files live under ``$IPOC_HOME/uploads`` (one folder per upload, original name kept) and are removed
by :func:`discard_upload` when their import ends; a refused file is removed at once. Messages name the
file by its original name, never by its path on the server.
"""

from __future__ import annotations

import re
import shutil
import tempfile
import time
import zipfile
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.core.files.uploadhandler import FileUploadHandler

from ipoc.core.errors import ApplicationError

MB = 1 << 20
DEFAULT_LIMITS = {"patents": 2048 * MB, "spreadsheet": 20 * MB, "attachment": 50 * MB}
KIND_LABELS = {"patents": "专利数据文件", "spreadsheet": "Excel/CSV 表格", "attachment": "附件"}


@dataclass(frozen=True)
class XlsxLimits:
    entries: int  # files inside the zip
    unpacked: int  # bytes, all entries together
    ratio: float  # unpacked / packed of one entry (only checked for entries over 1 MB unpacked)
    rows: int  # rows of a sheet


XLSX_LIMITS = {
    "spreadsheet": XlsxLimits(entries=2000, unpacked=200 * MB, ratio=100.0, rows=100_000),
    "patents": XlsxLimits(entries=5000, unpacked=4096 * MB, ratio=100.0, rows=1_048_576),
}


def upload_limit(kind: str) -> int:
    limits = {**DEFAULT_LIMITS, **getattr(settings, "IPOC_UPLOAD_LIMITS", {})}
    if kind not in limits:
        raise ValueError(f"unknown upload kind {kind!r}")
    return int(limits[kind])


def xlsx_limits(kind: str) -> XlsxLimits:
    configured = getattr(settings, "IPOC_XLSX_LIMITS", {})
    return configured.get(kind) or XLSX_LIMITS.get(kind) or XLSX_LIMITS["spreadsheet"]


def human_size(n: int) -> str:
    if n >= 1 << 30:
        return f"{n / (1 << 30):.1f} GB"
    if n >= MB:
        return f"{n / MB:.0f} MB" if n % MB == 0 else f"{n / MB:.1f} MB"
    return f"{n / 1024:.0f} KB"


class UploadTooLarge(ApplicationError):
    status = 413
    code = "too_large"


def too_large(field: str, name: str, limit: int, kind: str | None = None) -> UploadTooLarge:
    what = KIND_LABELS.get(kind or "", "此处上传的文件")
    return UploadTooLarge(f"文件 {name} 过大：{what}上限为 {human_size(limit)}", field=field)


def uploads_folder() -> Path:
    return Path(settings.IPOC_HOME) / "uploads"


def _field_of(file, default: str = "file") -> str:
    return getattr(file, "field_name", None) or default


def save_upload(file, *, kind: str = "spreadsheet", field: str | None = None) -> str:
    """Check an uploaded file against its kind's limits and write it under the uploads folder in chunks;
    return its path. Refused (413 too large, 400 empty or an unreadable/oversized workbook) before or
    right after writing — a refused file does not stay on disk."""
    field = field or _field_of(file)
    name = Path(file.name or "upload").name or "upload"
    limit = upload_limit(kind)
    if file.size is not None and file.size > limit:
        raise too_large(field, name, limit, kind)
    if not file.size:
        raise ApplicationError(f"文件 {name} 是空文件（0 字节）", field=field, code="empty_file")
    folder = uploads_folder()
    folder.mkdir(parents=True, exist_ok=True)
    target = Path(tempfile.mkdtemp(dir=folder)) / name
    written = 0
    try:
        with target.open("wb") as fh:
            for chunk in file.chunks():
                written += len(chunk)
                if written > limit:
                    raise too_large(field, name, limit, kind)
                fh.write(chunk)
        if target.suffix.lower() in (".xlsx", ".xlsm"):
            check_xlsx(target, kind=kind, field=field, name=name)
    except BaseException:
        discard_upload(target)
        raise
    return str(target)


def is_upload(path: str | Path) -> bool:
    """Whether ``path`` is a file this module saved (only those are ever deleted)."""
    try:
        return Path(path).resolve().parent.parent == uploads_folder().resolve()
    except OSError:
        return False


def discard_upload(path: str | Path | None) -> bool:
    """Delete a saved upload and its folder (a file given on the command line is never touched)."""
    if not path or not is_upload(path):
        return False
    shutil.rmtree(Path(path).resolve().parent, ignore_errors=True)
    return True


@contextmanager
def discarded_on_error(path: str | Path | None):
    """Delete the saved upload at ``path`` if the block raises (a refused import keeps no file)."""
    try:
        yield
    except BaseException:
        discard_upload(path)
        raise


def discard_old_uploads(*, older_than_days: float = 7.0, keep: set[str] | frozenset[str] = frozenset()) -> int:
    """Remove upload folders older than ``older_than_days`` (left by a crash), except the paths in ``keep``."""
    folder = uploads_folder()
    if not folder.is_dir():
        return 0
    cutoff = time.time() - older_than_days * 86400
    kept = {str(Path(p).resolve().parent) for p in keep}
    removed = 0
    for sub in folder.iterdir():
        try:
            if sub.is_dir() and str(sub.resolve()) not in kept and sub.stat().st_mtime < cutoff:
                shutil.rmtree(sub, ignore_errors=True)
                removed += 1
        except OSError:
            continue
    return removed


# ---------------------------------------------------------------- workbooks

_DIMENSION = re.compile(rb"<(?:\w+:)?dimension\s+ref=\"([A-Z]*)(\d*)(?::[A-Z]+(\d+))?\"")
_SHEET = re.compile(r"^xl/worksheets/[^/]+\.xml$")


def check_xlsx(path: str | Path, *, kind: str = "spreadsheet", field: str = "file", name: str | None = None) -> None:
    """Refuse a workbook before it is read: not a zip (0-byte, renamed file), too many entries, unpacking
    past the limit or with a zip-bomb ratio, or a sheet declaring more rows than allowed."""
    path = Path(path)
    name = name or path.name
    limits = xlsx_limits(kind)

    def refuse(message: str) -> ApplicationError:
        return ApplicationError(message, field=field, code="invalid_file")

    try:
        archive = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError, ValueError, EOFError) as exc:
        raise refuse(f"{name} 不是有效的 Excel（.xlsx）文件（无法作为压缩包打开），请用 Excel 另存为 .xlsx 后重试") from exc
    with archive:
        infos = archive.infolist()
        if len(infos) > limits.entries:
            raise refuse(f"{name} 内含 {len(infos)} 个文件，超过 Excel 工作簿的合理上限 {limits.entries}")
        unpacked = sum(i.file_size for i in infos)
        if unpacked > limits.unpacked:
            raise refuse(f"{name} 解压后为 {human_size(unpacked)}，超过上限 {human_size(limits.unpacked)}")
        for info in infos:
            if info.file_size > MB and info.file_size > limits.ratio * max(info.compress_size, 1):
                raise refuse(f"{name} 的压缩比异常（{info.file_size // max(info.compress_size, 1)} 倍，"
                             f"疑似压缩炸弹），已拒绝")
        names = {i.filename for i in infos}
        if "xl/workbook.xml" not in names:
            raise refuse(f"{name} 不是 Excel 工作簿（缺少 xl/workbook.xml）")
        for info in infos:
            if not _SHEET.match(info.filename):
                continue
            rows = _declared_rows(archive, info)
            if rows is not None and rows > limits.rows:
                raise refuse(f"{name} 的工作表有 {rows:,} 行，超过上限 {limits.rows:,} 行，请拆分后分批导入")


def _declared_rows(archive: zipfile.ZipFile, info: zipfile.ZipInfo) -> int | None:
    """The last row of a sheet's ``<dimension ref="A1:N421000"/>`` (read from its first 64 KB)."""
    try:
        with archive.open(info) as fh:
            head = fh.read(64 * 1024)
    except (zipfile.BadZipFile, OSError, RuntimeError, EOFError, NotImplementedError):
        return None
    match = _DIMENSION.search(head)
    if not match:
        return None
    last = match.group(3) or match.group(2)
    return int(last) if last else None


# ---------------------------------------------------------------- receiving


def upload_limit_for_path(path: str) -> int:
    """The largest upload a URL may receive: bulk patent imports take the ``patents`` limit, every other
    URL the larger of the spreadsheet and attachment limits (their exact kind is checked by save_upload)."""
    if re.match(r"^/(api/v1/)?patents/imports?(/|$)", path):
        return upload_limit("patents")
    return max(upload_limit("spreadsheet"), upload_limit("attachment"))


class LimitedUploadHandler(FileUploadHandler):
    """Stops a multipart upload as soon as one file passes the URL's limit (nothing more is written)."""

    def __init__(self, request=None, limit: int | None = None):
        super().__init__(request)
        self.limit = limit if limit is not None else upload_limit_for_path(getattr(request, "path", "") or "")
        self.received = 0

    def new_file(self, field_name, file_name, *args, **kwargs):
        self.received = 0
        super().new_file(field_name, file_name, *args, **kwargs)

    def receive_data_chunk(self, raw_data, start):
        self.received += len(raw_data)
        if self.received > self.limit:
            raise too_large(self.field_name or "file", Path(self.file_name or "upload").name, self.limit)
        return raw_data

    def file_complete(self, file_size):
        return None
