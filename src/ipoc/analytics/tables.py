"""Tables of 专利导航与分析: the sets and the patents behind a figure."""

from __future__ import annotations

import django_tables2 as tables
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from ipoc.analytics.models import PatentSet
from ipoc.core.tables import (
    ChoiceColumn,
    DateColumn,
    DateTimeColumn,
    IpocTable,
    LinkedColumn,
    OrganizationColumn,
    PatentColumn,
    StatusColumn,
)


class PatentSetTable(IpocTable):
    export_name = "patent-sets"

    name = LinkedColumn(viewname="analytics_set_detail", verbose_name=_("集合名称"))
    kind = ChoiceColumn(verbose_name=_("集合类型"))
    size = tables.Column(verbose_name=_("专利数（件）"), attrs={"td": {"class": "text-end num"},
                                                            "th": {"class": "text-end"}})
    evaluated_at = DateTimeColumn(verbose_name=_("评估时间"))
    organization = OrganizationColumn(verbose_name=_("所属机构"))

    class Meta(IpocTable.Meta):
        model = PatentSet
        fields = ("name", "kind", "size", "evaluated_at", "organization")
        empty_text = _("还没有专利集合。可从保存的检索、产业链节点、导入批次、存量专利清单、专利池或自选专利新建。")


class DrillPatentTable(IpocTable):
    export_name = "patents"

    patent = PatentColumn(accessor="pk", verbose_name=_("专利"), order_by=("publication_number", "key"),
                          empty_values=())
    patent_type = ChoiceColumn(verbose_name=_("类型"), attrs={"td": {"class": "text-nowrap"}})
    legal_status = StatusColumn(verbose_name=_("法律状态"), attrs={"td": {"class": "text-nowrap"}})
    application_date = DateColumn(verbose_name=_("申请日"))
    ipc_main = tables.Column(verbose_name=_("IPC 主分类"), attrs={"td": {"class": "text-nowrap"}})

    class Meta(IpocTable.Meta):
        empty_text = _("没有符合条件的专利")

    def render_patent(self, record):
        """The patent by its number with its title beneath — or by its title alone when it has no number."""
        identity = PatentColumn().render(record)
        if record.publication_number or record.grant_number or record.application_number:
            title = record.title if len(record.title) <= 60 else record.title[:59] + "…"
            return format_html('{}<div class="text-secondary small text-wrap">{}</div>', identity, title)
        return identity

    def value_patent(self, record):
        return PatentColumn().value(record)
