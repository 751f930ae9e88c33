"""The list of 技术需求 as a table (sort, paginate, choose columns, export)."""

import django_tables2 as tables
from django.utils.translation import gettext_lazy as _

from ipoc.core.tables import DateColumn, IpocTable, LinkedColumn, OrganizationColumn, StatusColumn
from ipoc.demands.models import Demand


class DemandTable(IpocTable):
    export_name = "demands"

    title = LinkedColumn(viewname="demand_detail", verbose_name=_("需求名称"))
    organization = OrganizationColumn(verbose_name=_("需求方"))
    center = OrganizationColumn(verbose_name=_("受理运营中心"), default="—")
    industry = tables.Column(verbose_name=_("所属行业"), default="—")
    budget_text = tables.Column(verbose_name=_("预算"), default="—", orderable=False)
    status = StatusColumn(verbose_name=_("状态"))
    deadline = DateColumn(verbose_name=_("截止日期"), default="—")
    created_at = DateColumn(verbose_name=_("创建时间"))

    class Meta(IpocTable.Meta):
        model = Demand
        fields = ("title", "organization", "center", "industry", "budget_text", "status", "deadline", "created_at")
        sequence = fields
