"""Test helpers for apps that search: an isolated index with the deterministic hashing encoder.

Use in a test module with ``from ipoc.search.testing import search_index  # noqa: F401`` and
request the ``search_index`` fixture; patents imported during the test are indexed into it.
"""

from __future__ import annotations

import pytest


@pytest.fixture
def search_index(settings, tmp_path):
    """A fresh search folder under ``tmp_path`` and the ``hashing:256`` encoder; yields the engine."""
    from ipoc.search import services

    settings.IPOC_SEARCH_DIR = str(tmp_path / "search")
    settings.IPOC_ENCODER = "hashing:256"
    services.reset_engine()
    yield services.engine()
    services.reset_engine()
