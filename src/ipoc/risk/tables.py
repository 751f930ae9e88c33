"""Lists of the risk app as tables (sort, paginate, choose columns, export)."""

import django_tables2 as tables
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from ipoc.core.display import EMPTY
from ipoc.core.tables import (
    DateColumn,
    DateTimeColumn,
    IpocTable,
    LinkedColumn,
    OrganizationColumn,
    StatusColumn,
)
from ipoc.risk import rules
from ipoc.risk.models import RISK_COLOURS, LitigationCase, RiskCheck, SupplyReview


class RiskColumn(tables.Column):
    """高/中/低风险 in its colour."""

    def render(self, value, record, bound_column):
        name = bound_column.accessor.split(".")[-1]
        label = getattr(record, f"get_{name}_display")()
        return format_html('<span class="badge bg-{}-lt">{}</span>', RISK_COLOURS.get(value, "secondary"), label)

    def value(self, value, record, bound_column):
        return str(getattr(record, f"get_{bound_column.accessor.split('.')[-1]}_display")())


class MarketsColumn(tables.Column):
    def render(self, value):
        return "、".join(rules.market_label(m) for m in value or []) or EMPTY

    def value(self, value):
        return "、".join(rules.market_label(m) for m in value or [])


class CheckTable(IpocTable):
    export_name = "risk-checks"
    title = LinkedColumn(viewname="risk_check_detail", verbose_name=_("排查名称"))
    requester = OrganizationColumn(verbose_name=_("申请单位"))
    center = OrganizationColumn(verbose_name=_("承办运营中心"))
    markets = MarketsColumn(verbose_name=_("目标市场"), orderable=False)
    status = StatusColumn(verbose_name=_("状态"))
    risk = RiskColumn(verbose_name=_("总体风险"))
    horizon_date = DateColumn(verbose_name=_("时间范围至"))
    created_at = DateTimeColumn(verbose_name=_("申请时间"))

    class Meta(IpocTable.Meta):
        model = RiskCheck
        fields = ("title", "requester", "center", "markets", "status", "risk", "horizon_date", "created_at")


class ReviewTable(IpocTable):
    export_name = "supply-reviews"
    title = LinkedColumn(viewname="risk_review_detail", verbose_name=_("排查名称"))
    requester = OrganizationColumn(verbose_name=_("申请单位"))
    center = OrganizationColumn(verbose_name=_("承办运营中心"))
    line_count = tables.Column(verbose_name=_("物料行数"))
    created_at = DateTimeColumn(verbose_name=_("创建时间"))

    class Meta(IpocTable.Meta):
        model = SupplyReview
        fields = ("title", "requester", "center", "line_count", "created_at")


class LitigationTable(IpocTable):
    export_name = "litigation-watch"
    case_number = LinkedColumn(viewname="risk_litigation_edit", verbose_name=_("案号"))
    kind = StatusColumn(verbose_name=_("类型"))
    parties = tables.Column(verbose_name=_("当事人"))
    products = tables.Column(verbose_name=_("涉案产品"))
    patents = tables.Column(verbose_name=_("涉案专利号"))
    status = StatusColumn(verbose_name=_("状态"))
    filed_date = DateColumn(verbose_name=_("立案日期"))
    center = OrganizationColumn(verbose_name=_("维护运营中心"))

    class Meta(IpocTable.Meta):
        model = LitigationCase
        fields = ("case_number", "kind", "parties", "products", "patents", "status", "filed_date", "center")
