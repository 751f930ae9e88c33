"""专利开放许可与专利开源: records."""

from django.db import models  # noqa: F401
