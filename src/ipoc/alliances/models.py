"""创新联合体: records."""

from django.db import models  # noqa: F401
