"""专利产业化: records."""

from django.db import models  # noqa: F401
