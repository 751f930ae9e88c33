"""The one application error type (HackSoft style): raised by services, rendered
identically as JSON by the API and as form errors by the views."""

from __future__ import annotations

import re


def _path_roots() -> list[str]:
    """Folders whose paths must never reach a user: the instance folder (uploads, database), the code,
    the Python installation and the temporary folder."""
    import sys
    import tempfile

    roots = [sys.prefix, tempfile.gettempdir()]
    try:
        from django.conf import settings

        roots += [str(settings.IPOC_HOME), str(getattr(settings, "BASE_DIR", "") or "")]
        from ipoc.conf import PROJECT_DIR

        roots.append(str(PROJECT_DIR))
    except Exception:
        pass
    return sorted({r.rstrip("/") for r in roots if r and len(r) > 1}, key=len, reverse=True)


def redact_paths(text: str) -> str:
    """Replace server paths under the instance, code or temporary folders by the file's own name
    (``/srv/ipoc/uploads/tmpab12/demands.csv`` → ``demands.csv``)."""
    if not text or "/" not in text:
        return text
    for root in _path_roots():
        if root in text:
            text = re.sub(re.escape(root) + r"(?:/[^\s/'\"<>:]*)*/([^\s/'\"<>:]+)", r"\1", text)
            text = text.replace(root, "…")
    return text


class ApplicationError(Exception):
    """A business-rule or input error with a clear message and, where it applies,
    the field (or ``file:row:field`` location) it concerns."""

    status = 400
    code = "invalid"

    def __init__(self, message: str, *, field: str | None = None, code: str | None = None,
                 status: int | None = None, extra: dict | None = None) -> None:
        message = redact_paths(str(message))
        super().__init__(message)
        self.message = message
        self.field = field
        if code:
            self.code = code
        if status:
            self.status = status
        self.extra = extra or {}

    def as_dict(self) -> dict:
        body = {"message": self.message, "field": self.field, "code": self.code}
        if self.extra:
            body.update(self.extra)
        return body

    def __str__(self) -> str:
        return f"{self.field}: {self.message}" if self.field else self.message


class PermissionDenied(ApplicationError):
    """The user may not do this to this object (object-level permission refusal)."""

    status = 403
    code = "permission_denied"


class NotFound(ApplicationError):
    status = 404
    code = "not_found"
