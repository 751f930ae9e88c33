"""The list of 交易撮合 as a table (sort, paginate, choose columns, export)."""

from decimal import Decimal

import django_tables2 as tables
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _

from ipoc.core.display import EMPTY
from ipoc.core.tables import (
    ChoiceColumn,
    DateColumn,
    IpocTable,
    LinkedColumn,
    MoneyColumn,
    OrganizationColumn,
    StatusColumn,
)
from ipoc.deals.models import Deal


class WanYuanColumn(MoneyColumn):
    """An amount stored in 元, shown in 万元 (the unit officials report in)."""

    def render(self, value):
        return super().render(Decimal(value) / Decimal(10000) if value is not None else None)

    def value(self, value):
        return "" if value is None else Decimal(value) / Decimal(10000)


class PartiesColumn(tables.Column):
    """转让/许可方 → 受让/被许可方, each linked."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("orderable", False)
        kwargs.setdefault("empty_values", ())
        super().__init__(*args, **kwargs)

    @staticmethod
    def _names(orgs):
        orgs = list(orgs)
        if not orgs:
            return EMPTY
        return format_html_join("、", '<a href="{}">{}</a>',
                                ((reverse("organization_detail", args=[o.pk]), o.name) for o in orgs))

    def render(self, record):
        return format_html('{} <i class="ti ti-arrow-right text-secondary"></i> {}',
                           self._names(record.sellers.all()), self._names(record.buyers.all()))

    def value(self, record):
        return "、".join(o.name for o in record.sellers.all()) + " → " + "、".join(o.name for o in record.buyers.all())


class DealTable(IpocTable):
    export_name = "deals"

    title = LinkedColumn(viewname="deal_detail", verbose_name=_("项目名称"))
    deal_type = ChoiceColumn(verbose_name=_("交易方式"))
    parties = PartiesColumn(verbose_name=_("交易双方"), accessor="pk")
    center = OrganizationColumn(verbose_name=_("撮合运营中心"))
    stage = StatusColumn(verbose_name=_("阶段"))
    amount = WanYuanColumn(verbose_name=_("交易金额"), default="—")
    signed_date = DateColumn(verbose_name=_("签约日期"), default="—")
    intention_date = DateColumn(verbose_name=_("意向日期"), default="—", visible=False)

    class Meta(IpocTable.Meta):
        model = Deal
        fields = ("title", "deal_type", "parties", "center", "stage", "amount", "signed_date", "intention_date")
        sequence = fields
        empty_text = _("没有符合条件的交易")
