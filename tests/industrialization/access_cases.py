"""Access-matrix cases (tests/core/test_access_matrix.py) for the industrialization app's write endpoints: for each, a
builder that makes the record with the services, names its owner (whose call must succeed) and the outsiders
who must be refused."""

from __future__ import annotations

from tests.core.test_access_matrix import Call, case  # noqa: F401
