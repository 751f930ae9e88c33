"""The centers app's lists as tables (sort, paginate, choose columns, export)."""

from __future__ import annotations

import django_tables2 as tables
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from ipoc.centers.models import AnnualReport, Center, Evaluation, ExpertReview, RecognitionApplication
from ipoc.core.display import EMPTY
from ipoc.core.tables import (
    ChoiceColumn,
    DateColumn,
    DateTimeColumn,
    IpocTable,
    LinkedColumn,
    OrganizationColumn,
    StatusColumn,
)

NOWRAP = {"td": {"class": "text-nowrap"}}

# An application's status by what it means for the people working on it: waiting (yellow), in publicity
# (azure), recognised (green), ended without recognition (red), a draft (grey).
APPLICATION_COLOURS = {
    "draft": "secondary", "submitted": "yellow", "recommended": "yellow", "returned": "orange",
    "expert_review": "yellow", "publicity": "azure", "recognised": "green", "not_recommended": "red",
    "rejected": "red", "withdrawn": "red",
}


# A center's status: recognised (green), under rectification (orange), applying (azure), building or
# supported by letter (blue / cyan), revoked (red), exited (grey).
CENTER_COLOURS = {
    "building": "blue", "letter_supported": "cyan", "applying": "azure", "recognised": "green",
    "rectifying": "orange", "revoked": "red", "exited": "secondary",
}


def center_badge(center):
    return format_html('<span class="badge bg-{}-lt">{}</span>', CENTER_COLOURS.get(center.status, "secondary"),
                       center.get_status_display())


def application_badge(application):
    return format_html('<span class="badge bg-{}-lt">{}</span>',
                       APPLICATION_COLOURS.get(application.status, "secondary"), application.get_status_display())


class RegionColumn(tables.Column):
    """A region code shown by its name (江苏省苏州市), never the six digits alone."""

    def render(self, value):
        from ipoc.core.validators import region_name

        return region_name(value) or value or EMPTY

    def value(self, value):
        return self.render(value)


class CenterTable(IpocTable):
    export_name = "centers"

    name = LinkedColumn(viewname="center_detail", verbose_name=_("运营中心名称"))
    level = ChoiceColumn(verbose_name=_("层级"), attrs=NOWRAP)
    industry = tables.Column(verbose_name=_("产业领域"))
    host_organization = OrganizationColumn(verbose_name=_("建设主体"))
    managing_office = tables.Column(verbose_name=_("管理部门"), accessor="managing_office__name", attrs=NOWRAP)
    region_code = RegionColumn(verbose_name=_("所在地区"))
    status = StatusColumn(verbose_name=_("状态"), attrs=NOWRAP)
    branch_flag = tables.Column(verbose_name=_("提示"), orderable=False, empty_values=("",))

    class Meta(IpocTable.Meta):
        model = Center
        fields = ("name", "level", "industry", "host_organization", "managing_office", "region_code", "status",
                  "branch_flag")
        sequence = fields
        empty_text = _("没有符合条件的运营中心")

    def render_status(self, record):
        return center_badge(record)

    def render_branch_flag(self, value):
        return format_html('<span class="badge bg-orange-lt" title="{}">{}</span>', value, _("疑似分中心"))

    def value_branch_flag(self, value):
        return value


class PublicCenterTable(IpocTable):
    """已认定运营中心名录 — what the public reads: no internal hints."""

    export_name = "recognised-centers"

    name = LinkedColumn(viewname="center_detail", verbose_name=_("运营中心名称"))
    level = ChoiceColumn(verbose_name=_("层级"), attrs=NOWRAP)
    industry = tables.Column(verbose_name=_("产业领域"))
    industry_chain = tables.Column(verbose_name=_("产业链"), default=EMPTY)
    host_organization = tables.Column(verbose_name=_("建设主体"), accessor="host_organization__name")
    managing_office = tables.Column(verbose_name=_("管理部门"), accessor="managing_office__name", attrs=NOWRAP)
    region_code = RegionColumn(verbose_name=_("所在地区"))
    status = StatusColumn(verbose_name=_("状态"), attrs=NOWRAP)

    class Meta(IpocTable.Meta):
        model = Center
        fields = ("name", "level", "industry", "industry_chain", "host_organization", "managing_office",
                  "region_code", "status")
        sequence = fields
        attrs = {**IpocTable.Meta.attrs, "id": "public-centers"}
        empty_text = _("暂无已认定的运营中心")

    def render_status(self, record):
        return center_badge(record)


class ApplicationTable(IpocTable):
    export_name = "center-applications"

    center = tables.Column(verbose_name=_("运营中心"), accessor="center__name", linkify=lambda record: reverse(
        "center_application_detail", args=[record.pk]))
    level = ChoiceColumn(verbose_name=_("申请层级"), attrs=NOWRAP)
    year = tables.Column(verbose_name=_("工作成效年度"))
    status = StatusColumn(verbose_name=_("状态"), attrs=NOWRAP)
    due_on = DateColumn(verbose_name=_("当前环节办理期限"), default=EMPTY)
    recommending_office = tables.Column(verbose_name=_("推荐部门"), accessor="recommending_office__name",
                                        default=EMPTY)
    deciding_office = tables.Column(verbose_name=_("认定部门"), accessor="deciding_office__name")
    created_at = DateColumn(verbose_name=_("创建时间"))

    class Meta(IpocTable.Meta):
        model = RecognitionApplication
        fields = ("center", "level", "year", "status", "due_on", "recommending_office", "deciding_office",
                  "created_at")
        sequence = fields
        attrs = {**IpocTable.Meta.attrs, "id": "applications"}
        empty_text = _("没有符合条件的认定申请")

    def render_status(self, record):
        return application_badge(record)


class ReportTable(IpocTable):
    export_name = "center-reports"

    center = tables.Column(verbose_name=_("运营中心"), accessor="center__name", linkify=lambda record: reverse(
        "center_report_detail", args=[record.pk]))
    year = tables.Column(verbose_name=_("年度"))
    status = StatusColumn(verbose_name=_("状态"), attrs=NOWRAP)
    generated_at = DateTimeColumn(verbose_name=_("生成时间"), default=EMPTY)
    submitted_at = DateTimeColumn(verbose_name=_("提交时间"), default=EMPTY)
    reviewed_at = DateTimeColumn(verbose_name=_("审核时间"), default=EMPTY)

    class Meta(IpocTable.Meta):
        model = AnnualReport
        fields = ("center", "year", "status", "generated_at", "submitted_at", "reviewed_at")
        sequence = fields
        attrs = {**IpocTable.Meta.attrs, "id": "reports"}
        empty_text = _("没有符合条件的年度工作报告")


class EvaluationTable(IpocTable):
    export_name = "center-evaluations"

    center = tables.Column(verbose_name=_("运营中心"), accessor="center__name", linkify=lambda record: reverse(
        "center_evaluation_detail", args=[record.pk]))
    year = tables.Column(verbose_name=_("评价年度"))
    status = StatusColumn(verbose_name=_("状态"), attrs=NOWRAP)
    total = tables.Column(verbose_name=_("综合得分"), default=EMPTY,
                          attrs={"td": {"class": "text-end"}, "th": {"class": "text-end"}})
    grade = tables.Column(verbose_name=_("评价等次"), empty_values=("",), default=EMPTY)
    finalised_at = DateColumn(verbose_name=_("定级时间"), default=EMPTY)

    class Meta(IpocTable.Meta):
        model = Evaluation
        fields = ("center", "year", "status", "total", "grade", "finalised_at")
        sequence = fields
        attrs = {**IpocTable.Meta.attrs, "id": "evaluations"}
        empty_text = _("没有符合条件的定期评价")

    def render_grade(self, value, record):
        colour = {"excellent": "green", "good": "azure", "pass": "blue", "fail": "red"}.get(value, "secondary")
        return format_html('<span class="badge bg-{}-lt">{}</span>', colour, record.get_grade_display())

    def value_grade(self, value, record):
        return record.get_grade_display()


class ReviewTable(IpocTable):
    """An expert's 评审任务."""

    export_name = "my-reviews"

    target = tables.Column(verbose_name=_("评审对象"), empty_values=(), orderable=False)
    kind = tables.Column(verbose_name=_("类型"), empty_values=(), orderable=False)
    declaration = tables.Column(verbose_name=_("利益冲突声明"), empty_values=())
    total = tables.Column(verbose_name=_("总分"), default=EMPTY)
    due_on = DateColumn(verbose_name=_("评审期限"), default=EMPTY)
    state = tables.Column(verbose_name=_("进度"), empty_values=(), orderable=False)

    class Meta(IpocTable.Meta):
        model = ExpertReview
        fields = ("target", "kind", "declaration", "total", "due_on", "state")
        sequence = fields
        attrs = {**IpocTable.Meta.attrs, "id": "my-reviews"}
        empty_text = _("暂无评审任务；管理部门指派后会在此列出并通知您")

    def render_target(self, record):
        target = record.application or record.evaluation
        return format_html('<a href="{}">{}</a>', reverse("center_review_detail", args=[record.pk]), target)

    def value_target(self, record):
        return str(record.application or record.evaluation)

    def render_kind(self, record):
        return _("认定评审") if record.application_id else _("定期评价")

    def render_declaration(self, record):
        colour = {"none": "green", "conflict": "orange"}.get(record.declaration, "yellow")
        return format_html('<span class="badge bg-{}-lt">{}</span>', colour, record.get_declaration_display())

    def value_declaration(self, record):
        return str(record.get_declaration_display())

    @staticmethod
    def _state(record) -> tuple[str, str]:
        if record.declaration == "conflict":
            return str(_("已回避")), "secondary"
        if record.submitted_at:
            return str(_("已提交评分表")), "green"
        if not record.declaration:
            return str(_("待声明利益冲突")), "yellow"
        return str(_("待评分")), "yellow"

    def render_state(self, record):
        label, colour = self._state(record)
        return format_html('<span class="badge bg-{}-lt">{}</span>', colour, label)

    def value_state(self, record):
        return self._state(record)[0]
