"""Tests of the Django-free patent parsing layer (plain pytest, no database).

Helpers live here (this package owns no conftest): :func:`require_sample_dir`
skips a test when the shared real sample data is absent.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from ipoc.patents.importers.base import sample_data_dir

FIXTURES = Path(__file__).parent / "fixtures"


def require_sample_dir() -> Path:
    """The shared real sample data folder (``$IPOC_SAMPLE_DATA`` or ``../shared/data``); skip if absent."""
    path = sample_data_dir()
    if not (path / "README.md").exists():
        pytest.skip(f"shared sample data not found at {path} (set IPOC_SAMPLE_DATA)")
    return path
