"""Uploaded attachments (合同、备案材料、证明材料、申报材料 …): stored privately, checked on the way in, and served
only to people who may see the record they belong to.

- ``ProtectedStorage`` is the default storage. Its URLs point at ``/files/<name>`` (never a public media folder),
  and it refuses, before writing, a file whose content does not match its extension (an HTML page named
  ``.pdf``), any HTML/SVG/script, and types that are not documents or images.
- ``download`` finds the record that holds the file (every ``FileField`` of the platform's models is looked at),
  climbs to the nearest record with an access rule (e.g. an application material → its application) and serves
  the file only if the user may view that record — as an attachment, with the sniffed content type and
  ``nosniff``. Anyone else gets the same 404 as for a missing file.
"""

from __future__ import annotations

import mimetypes
from pathlib import PurePosixPath
from urllib.parse import quote

from django.apps import apps
from django.core.files.storage import FileSystemStorage
from django.db import models
from django.http import FileResponse, Http404
from django.utils.translation import gettext as _

from ipoc.core.errors import ApplicationError

# extension → (content type, signature check)
OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ZIP = b"PK\x03\x04"
KINDS = {
    ".pdf": ("application/pdf", lambda h: h.startswith(b"%PDF")),
    ".docx": ("application/vnd.openxmlformats-officedocument.wordprocessingml.document", lambda h: h.startswith(ZIP)),
    ".xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", lambda h: h.startswith(ZIP)),
    ".pptx": ("application/vnd.openxmlformats-officedocument.presentationml.presentation",
              lambda h: h.startswith(ZIP)),
    ".ofd": ("application/ofd", lambda h: h.startswith(ZIP)),
    ".zip": ("application/zip", lambda h: h.startswith(ZIP)),
    ".doc": ("application/msword", lambda h: h.startswith(OLE)),
    ".xls": ("application/vnd.ms-excel", lambda h: h.startswith(OLE)),
    ".ppt": ("application/vnd.ms-powerpoint", lambda h: h.startswith(OLE)),
    ".png": ("image/png", lambda h: h.startswith(b"\x89PNG")),
    ".jpg": ("image/jpeg", lambda h: h.startswith(b"\xff\xd8\xff")),
    ".jpeg": ("image/jpeg", lambda h: h.startswith(b"\xff\xd8\xff")),
    ".txt": ("text/plain; charset=utf-8", lambda h: not _looks_like_markup(h)),
    ".csv": ("text/csv; charset=utf-8", lambda h: not _looks_like_markup(h)),
}
MARKUP = (b"<html", b"<!doctype", b"<script", b"<svg", b"<?xml", b"<body", b"<iframe", b"<head")


def _looks_like_markup(head: bytes) -> bool:
    lowered = head.lower()
    return any(tag in lowered for tag in MARKUP)


def check_attachment(name: str, head: bytes) -> str:
    """The content type of an attachment, or an ApplicationError saying why it is refused."""
    ext = PurePosixPath(name).suffix.lower()
    kind = KINDS.get(ext)
    if kind is None:
        raise ApplicationError(
            _("不支持的附件类型“%(ext)s”。可上传 PDF、Word、Excel、PowerPoint、OFD、图片（PNG/JPG）、ZIP、TXT/CSV。")
            % {"ext": ext or _("无扩展名")}, field="file")
    content_type, matches = kind
    if not head:
        raise ApplicationError(_("附件是空文件"), field="file")
    if _looks_like_markup(head[:2048]) or not matches(head):
        raise ApplicationError(_("附件内容与扩展名“%(ext)s”不符（文件可能已损坏或被改名），请上传原始文件。")
                               % {"ext": ext}, field="file")
    return content_type


class ProtectedStorage(FileSystemStorage):
    """The media folder, served only through the permission-checked ``/files/`` view."""

    def __init__(self, **kwargs):
        kwargs.setdefault("base_url", "/files/")
        super().__init__(**kwargs)

    def _save(self, name, content):
        content.seek(0)
        head = content.read(8192)
        content.seek(0)
        check_attachment(name, head)
        return super()._save(name, content)


def _file_fields():
    for model in apps.get_models():
        if not model.__module__.startswith("ipoc."):
            continue
        for field in model._meta.get_fields():
            if isinstance(field, models.FileField):
                yield model, field


def _guarded_record(obj: models.Model) -> models.Model | None:
    """``obj`` if its model has an access rule, else the nearest record it points to that has one."""
    seen = 0
    while obj is not None and seen < 4:
        if getattr(type(obj), "access", None) is not None:
            return obj
        parent = None
        for field in obj._meta.concrete_fields:
            if isinstance(field, models.ForeignKey) and getattr(field.related_model, "access", None) is not None:
                parent = getattr(obj, field.name)
                break
        obj, seen = parent, seen + 1
    return None


def owner_of(name: str) -> models.Model | None:
    for model, field in _file_fields():
        obj = model._default_manager.filter(**{field.name: name}).first()
        if obj is not None:
            return obj
    return None


def download(request, name: str):
    from ipoc.core.permissions import VIEW, can

    if ".." in PurePosixPath(name).parts or name.startswith("/"):
        raise Http404
    user = request.user
    obj = owner_of(name)
    record = _guarded_record(obj) if obj is not None else None
    if record is None or not user.is_authenticated or not can(user, VIEW, record):
        raise Http404
    storage = ProtectedStorage()
    if not storage.exists(name):
        raise Http404
    handle = storage.open(name, "rb")
    ext = PurePosixPath(name).suffix.lower()
    content_type = KINDS.get(ext, (mimetypes.guess_type(name)[0] or "application/octet-stream", None))[0]
    response = FileResponse(handle, content_type=content_type)
    filename = PurePosixPath(name).name
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(filename)}"
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


ATTACHMENT_MAX_BYTES = 20 * 1024 * 1024


def check_upload(upload, *, field: str, suffixes: tuple[str, ...], max_bytes: int = ATTACHMENT_MAX_BYTES) -> None:
    """An attachment a service receives (合同、备案材料、协议 …): an allowed extension, at most 20 MB, and
    content that matches its extension (:func:`check_attachment`); refused with a 400 naming ``field``."""
    from pathlib import Path

    if Path(upload.name or "").suffix.lower() not in suffixes:
        raise ApplicationError(_("附件格式不支持（允许 %(s)s）：%(n)s") % {"s": " ".join(suffixes), "n": upload.name},
                               field=field)
    if upload.size is not None and upload.size > max_bytes:
        raise ApplicationError(_("附件过大（上限 20 MB）：%(n)s") % {"n": upload.name}, field=field)
    upload.seek(0)
    head = upload.read(8192)
    upload.seek(0)
    try:
        check_attachment(upload.name or "", head)
    except ApplicationError as exc:
        raise ApplicationError(exc.message, field=field) from None
