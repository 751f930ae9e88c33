"""Reminders of 专利产业化: yearly data and filings that are due."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone
from django.utils.translation import gettext as _

from ipoc.core.models import User
from ipoc.industrialization import rules
from ipoc.industrialization.models import (
    FilingStatus,
    Product,
)

# ---------------------------------------------------------------- reminders


def filing_reminders(*, today: dt.date | None = None) -> int:
    """Before the yearly window (rules.window_opens, 待核实): tell the users of each enterprise with a recognised
    product not yet filed for the new data year. Sent once per product and year; returns how many were sent."""
    from django.urls import reverse

    from ipoc.core.models import Notification
    from ipoc.core.services import notify

    today = today or timezone.localdate()
    if not rules.reminder_due(today):
        return 0
    data_year = rules.data_year_for(today)
    kind = f"industrialization.filing_reminder.{data_year}"
    sent = 0
    products = (Product.objects.filter(filings__status=FilingStatus.RECOGNISED)
                .exclude(filings__data_year=data_year).distinct().select_related("enterprise"))
    for product in products:
        url = reverse("industrialization_product_detail", args=[product.pk])
        already = Notification.objects.filter(kind=kind, url=url).values("recipient_id")
        users = list(User.objects.filter(organization=product.enterprise, is_active=True).exclude(pk__in=already))
        if not users:
            continue
        sent += notify(users=users, kind=kind,
                       title=_("专利密集型产品年度备案即将开始：%(p)s") % {"p": product.name},
                       body=_("请在 %(d)s 前准备 %(y)s 年度数据并更新备案材料。") % {
                           "d": rules.window_opens(today.year).isoformat(), "y": data_year},
                       url=url)
    return sent
