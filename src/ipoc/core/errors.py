"""The one application error type (HackSoft style): raised by services, rendered
identically as JSON by the API and as form errors by the views."""

from __future__ import annotations


class ApplicationError(Exception):
    """A business-rule or input error with a clear message and, where it applies,
    the field (or ``file:row:field`` location) it concerns."""

    status = 400
    code = "invalid"

    def __init__(self, message: str, *, field: str | None = None, code: str | None = None,
                 status: int | None = None, extra: dict | None = None) -> None:
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
