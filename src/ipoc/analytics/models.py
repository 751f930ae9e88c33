"""专利导航与分析: records."""

from django.db import models  # noqa: F401
