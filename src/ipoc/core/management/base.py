"""Shared pieces of ``ipoc`` commands: ``--json`` output and ApplicationError → clean exit."""

from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from ipoc.core.errors import ApplicationError


def to_json(data: Any) -> str:
    return json.dumps(data, ensure_ascii=False, indent=2, default=str)


class IpocCommand(BaseCommand):
    """A command that may print JSON (``--json``) and turns ApplicationError into a one-line error."""

    json_option = True

    def create_parser(self, prog_name, subcommand, **kwargs):
        parser = super().create_parser(prog_name, subcommand, **kwargs)
        if self.json_option:
            parser.add_argument("--json", action="store_true", help="以 JSON 输出 / print machine-readable JSON")
        return parser

    def execute(self, *args, **options):
        try:
            return super().execute(*args, **options)
        except ApplicationError as exc:
            where = f" [{exc.field}]" if exc.field else ""
            raise CommandError(f"{exc.message}{where}") from exc

    def emit(self, options: dict, data: Any, text: str) -> None:
        """Print ``data`` as JSON with ``--json``, else the human ``text``."""
        self.stdout.write(to_json(data) if options.get("json") else text)
