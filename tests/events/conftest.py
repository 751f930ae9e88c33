"""Events fixtures: a few patents and one published event of center 甲."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from ipoc.events import services
from ipoc.patents.models import Patent

SOON = timezone.localdate() + dt.timedelta(days=30)


@pytest.fixture
def patents(db):
    return [Patent.objects.create(key=f"CN11000000{i}A", publication_number=f"CN11000000{i}A", title=f"测试专利{i}")
            for i in range(1, 4)]


@pytest.fixture
def event(users, patents):
    ev = services.event_create(actor=users["center_a"], title="纳米材料专利路演", held_on=SOON,
                               place="苏州国际博览中心", patents=patents[:2])
    return services.event_transition(actor=users["center_a"], event=ev, to_status="published")
