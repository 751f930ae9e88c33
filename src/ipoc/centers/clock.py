"""The centers' clock: the local date every deadline of the 认定 workflow, the reports and the evaluations is
measured against — one place, so tests and the demo (``centers.demo.days_ago``) can move it."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone


def today() -> dt.date:
    """The local date (moved by tests and by the demo's ``days_ago``)."""
    return timezone.localdate()


def add_working_days(start: dt.date, days: int) -> dt.date:
    """The date ``days`` working days (Mon–Fri) after ``start``; public holidays are not known to the platform."""
    current = start
    left = days
    while left > 0:
        current += dt.timedelta(days=1)
        if current.weekday() < 5:
            left -= 1
    return current
