"""出口前风险预警与供应链合规排查: records."""

from django.db import models  # noqa: F401
