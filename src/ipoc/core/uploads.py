"""Uploaded files are kept under ``$IPOC_HOME/uploads`` (one folder per upload, original name kept)."""

import tempfile
from pathlib import Path

from django.conf import settings


def save_upload(file) -> str:
    """Write an uploaded file to disk in chunks and return its path."""
    folder = Path(settings.IPOC_HOME) / "uploads"
    folder.mkdir(parents=True, exist_ok=True)
    name = Path(file.name or "upload").name
    target = Path(tempfile.mkdtemp(dir=folder)) / name
    with target.open("wb") as fh:
        for chunk in file.chunks():
            fh.write(chunk)
    return str(target)
