"""The lists of 存量专利盘活 as tables (sort, paginate, choose columns, export)."""

import django_tables2 as tables
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from ipoc.core.display import patent_label
from ipoc.core.tables import (
    ChoiceColumn,
    DateColumn,
    IpocTable,
    LinkedColumn,
    OrganizationColumn,
    PatentColumn,
    StatusColumn,
)
from ipoc.revitalization.models import Response, StockPatent, StockPush


class StockNumberColumn(PatentColumn):
    """The patent's number (the title has its own column); a patent without one is named by its source."""

    def render(self, value):
        label, badge = patent_label(value)
        url = reverse("patent_detail", args=[value.pk])
        if badge:
            return format_html('<a href="{}" class="badge bg-azure-lt">{}</a>', url, badge)
        return format_html('<a href="{}" class="text-nowrap">{}</a>', url, label)


class StockTable(IpocTable):
    export_name = "stock-patents"

    patent = StockNumberColumn(verbose_name=_("专利号"), order_by=("patent__publication_number", "patent__title"))
    title = LinkedColumn(viewname="stock_detail", verbose_name=_("名称"))
    institution = OrganizationColumn(verbose_name=_("高校/院所"))
    department = tables.Column(verbose_name=_("所属院系"), default="—")
    stage = StatusColumn(verbose_name=_("审核环节"))
    library = ChoiceColumn(verbose_name=_("所在库"), default=_("未入库"))
    grade = tables.Column(verbose_name=_("评级"), default="—")
    recommendation = ChoiceColumn(verbose_name=_("分层分类建议"), default="—")
    updated_at = DateColumn(verbose_name=_("更新时间"))

    class Meta(IpocTable.Meta):
        model = StockPatent
        fields = ("patent", "title", "institution", "department", "stage", "library", "grade", "recommendation",
                  "updated_at")
        sequence = fields
        empty_text = _("没有符合条件的存量专利")


class StockTitleColumn(tables.Column):
    """The stock patent's title, linked to its page for those who may open it (not the pushed enterprise)."""

    def render(self, value, record):
        if getattr(self, "linked", True):
            return format_html('<a href="{}">{}</a>', reverse("stock_detail", args=[record.stock_id]), value)
        return value


class ReasonColumn(tables.Column):
    """Why the patent was pushed: the first words, the whole explanation on hover and in exports."""

    def render(self, value):
        text = str(value)
        short = text if len(text) <= 60 else text[:59] + "…"
        return format_html('<span class="small" title="{}">{}</span>', text, short)


class PushTable(IpocTable):
    export_name = "stock-pushes"

    patent = StockNumberColumn(accessor="stock__patent", verbose_name=_("专利号"),
                               order_by=("stock__patent__publication_number",))
    title = StockTitleColumn(accessor="stock__title", verbose_name=_("名称"))
    institution = OrganizationColumn(accessor="stock__institution", verbose_name=_("高校/院所"))
    enterprise = OrganizationColumn(verbose_name=_("推送企业"))
    pushed_at = DateColumn(verbose_name=_("推送时间"))
    reason = ReasonColumn(accessor="match__reason", verbose_name=_("匹配依据"), default="—", orderable=False)
    response = StatusColumn(verbose_name=_("最新反馈"), default=_("尚未反馈"))
    respond = tables.TemplateColumn(template_name="revitalization/_push_respond.html", verbose_name=_("记录反馈"),
                                    orderable=False, exclude_from_export=True,
                                    attrs={"td": {"style": "min-width: 13rem"}},
                                    extra_context={"response_choices": [c for c in Response.choices
                                                                        if c[0] != Response.DEAL]})

    class Meta(IpocTable.Meta):
        model = StockPush
        fields = ("patent", "title", "institution", "enterprise", "pushed_at", "reason", "response", "respond")
        sequence = fields
        empty_text = _("暂无推送记录")

    def __init__(self, *args, link_stock: bool = True, may_respond: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.columns["title"].column.linked = link_stock
        if not may_respond:
            self.columns.hide("respond")
