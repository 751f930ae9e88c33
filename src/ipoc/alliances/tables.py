"""The list of 创新联合体 as a table (sort, paginate, choose columns, export)."""

import django_tables2 as tables
from django.utils.translation import gettext_lazy as _

from ipoc.alliances.models import Consortium
from ipoc.core.tables import DateColumn, IpocTable, LinkedColumn, OrganizationColumn, StatusColumn


class CountColumn(tables.Column):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("attrs", {"td": {"class": "text-end"}, "th": {"class": "text-end"}})
        super().__init__(*args, **kwargs)


class ConsortiumTable(IpocTable):
    export_name = "consortia"

    name = LinkedColumn(viewname="consortium_detail", verbose_name=_("联合体名称"))
    industry = tables.Column(verbose_name=_("产业领域"))
    lead = OrganizationColumn(verbose_name=_("牵头单位"))
    center = OrganizationColumn(verbose_name=_("组建运营中心"))
    status = StatusColumn(verbose_name=_("状态"))
    member_count = CountColumn(verbose_name=_("在册成员"))
    project_count = CountColumn(verbose_name=_("联合攻关项目"))
    shared_count = CountColumn(verbose_name=_("共享专利"), visible=False)
    established_on = DateColumn(verbose_name=_("成立日期"))

    class Meta(IpocTable.Meta):
        model = Consortium
        fields = ("name", "industry", "lead", "center", "status", "member_count", "project_count", "shared_count",
                  "established_on")
        sequence = fields
        empty_text = _("没有符合条件的创新联合体")
