"""重点领域专利池: records."""

from django.db import models  # noqa: F401
