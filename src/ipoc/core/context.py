"""Which channel a write came through (web, api, cli, job, system), for the audit log."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from contextvars import ContextVar

_channel: ContextVar[str] = ContextVar("ipoc_channel", default="system")


def current_channel() -> str:
    return _channel.get()


@contextlib.contextmanager
def channel(name: str) -> Iterator[None]:
    token = _channel.set(name)
    try:
        yield
    finally:
        _channel.reset(token)


class ChannelMiddleware:
    """Marks requests under /api/ as ``api`` and the rest as ``web``."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        with channel("api" if request.path.startswith("/api/") else "web"):
            return self.get_response(request)
