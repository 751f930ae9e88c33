"""Valuation runs and a run's results as IpocTables: words and badges, no fingerprints."""

from __future__ import annotations

import django_tables2 as tables
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _

from ipoc.core.display import EMPTY
from ipoc.core.tables import DateColumn, DateTimeColumn, IpocTable, PatentColumn
from ipoc.valuation.engine.scoring import GRADE_LABELS

GRADE_COLOURS = {"A": "green", "B": "teal", "C": "yellow", "D": "red"}
RECOMMENDATION_COLOURS = {"key": "green", "general": "teal", "observe": "yellow", "abandon": "red",
                          "not_applicable": "secondary"}


def tree_version_label(version) -> str:
    """A version of the indicator system as an official reads it: the default scheme by its year, else the
    label an administrator gave it."""
    label = getattr(version, "label", version) or ""
    if label.startswith("ipoc-default-"):
        return _("平台默认方案 %(v)s") % {"v": label.removeprefix("ipoc-default-")}
    return label or str(_("未命名版本"))


def grade_badge(grade: str):
    if not grade or grade == "-":
        return format_html('<span class="badge bg-secondary-lt">{}</span>', _("未评级"))
    return format_html('<span class="badge bg-{}-lt">{} {}</span>', GRADE_COLOURS.get(grade, "blue"), grade,
                       GRADE_LABELS.get(grade, ""))


def grade_badges(distribution: dict):
    """A run's grade distribution as badges in grade order (A, B, C, D, then the ungraded)."""
    order = [g for g in ("A", "B", "C", "D") if distribution.get(g)] + (["-"] if distribution.get("-") else [])
    return format_html_join(" ", '<span class="badge bg-{}-lt" title="{}">{} {}</span>', (
        (GRADE_COLOURS.get(g, "secondary"), GRADE_LABELS.get(g, _("未评级")), g if g != "-" else _("未评级"),
         distribution[g]) for g in order))


def percent(value) -> str:
    return f"{value * 100:.0f}%" if value is not None else EMPTY


class RunTable(IpocTable):
    export_name = "valuation-runs"

    run = tables.Column(accessor="pk", verbose_name=_("评估批次"))
    scenario = tables.Column(verbose_name=_("评估场景"))
    as_of = DateColumn(verbose_name=_("评估基准日"))
    tree_version = tables.Column(verbose_name=_("指标体系"), orderable=False)
    scored_count = tables.Column(verbose_name=_("已评分 / 专利数"), attrs={"td": {"class": "text-end text-nowrap"}})
    grade_distribution = tables.Column(verbose_name=_("评级分布"), orderable=False)
    mean_confidence = tables.Column(verbose_name=_("平均置信度"), attrs={"td": {"class": "text-end"}})
    seconds = tables.Column(verbose_name=_("用时（秒）"), visible=False, attrs={"td": {"class": "text-end"}})
    finished = tables.Column(verbose_name=_("状态"))
    created_by = tables.Column(verbose_name=_("发起人"), orderable=False, default=_("系统"))
    created_at = DateTimeColumn(verbose_name=_("创建时间"))

    class Meta(IpocTable.Meta):
        empty_text = _("尚无评估批次。管理部门或运营中心工作人员可在上方选择场景后“开始评估”。")

    def render_run(self, record):
        return format_html('<a href="{}">{}</a>', reverse("valuation_run_detail", args=[record.pk]),
                           _("第 %(n)s 批") % {"n": record.pk})

    def value_run(self, record):
        return record.pk

    def render_scenario(self, record):
        return record.scenario_label

    def value_scenario(self, record):
        return record.scenario_label

    def render_tree_version(self, value):
        label = tree_version_label(value)
        if value.is_active:
            return label
        return format_html('{} <span class="badge bg-yellow-lt">{}</span>', label, _("旧版本"))

    def value_tree_version(self, value):
        return tree_version_label(value)

    def render_scored_count(self, record):
        return f"{record.scored_count:,} / {record.patent_count:,}"

    def render_grade_distribution(self, value):
        return grade_badges(value) or EMPTY

    def value_grade_distribution(self, value):
        return "；".join(f"{g}:{n}" for g, n in value.items())

    def render_mean_confidence(self, value):
        return percent(value)

    def render_finished(self, record):
        if record.finished:
            return format_html('<span class="badge bg-green-lt">{}</span>', _("已完成"))
        if record.job_id:
            return format_html('<a class="badge bg-yellow-lt" href="{}">{}</a>',
                               reverse("job_detail", args=[record.job_id]), record.job.get_status_display())
        return format_html('<span class="badge bg-secondary-lt">{}</span>', _("未开始"))

    def value_finished(self, record):
        return str(_("已完成")) if record.finished else (record.job.get_status_display() if record.job_id else "")

    def render_created_by(self, value):
        return str(value)  # the person's name (display_name), else the username


class ValuationPatentColumn(PatentColumn):
    """The patent by its identity, with its title beneath when it has a number."""

    def render(self, value):
        identity = super().render(value)
        if value.publication_number or value.grant_number or value.application_number:
            title = value.title if len(value.title) <= 50 else value.title[:49] + "…"
            return format_html('{}<div class="text-secondary small">{}</div>', identity, title)
        return identity


class ValuationTable(IpocTable):
    export_name = "valuations"

    patent = ValuationPatentColumn(verbose_name=_("专利"), orderable=False)
    score = tables.Column(verbose_name=_("总分"), attrs={"td": {"class": "text-end fw-bold"}, "th": {"class": "text-end"}})
    grade = tables.Column(verbose_name=_("评级"), empty_values=())
    confidence = tables.Column(verbose_name=_("置信度"), attrs={"td": {"class": "text-end"}, "th": {"class": "text-end"}})
    missing = tables.Column(verbose_name=_("缺失指标"), orderable=False, empty_values=(),
                            attrs={"td": {"class": "text-end"}})
    recommendation = tables.Column(verbose_name=_("分层建议"))
    remaining_life_years = tables.Column(verbose_name=_("剩余保护期"), attrs={"td": {"class": "text-end text-nowrap"}})
    fee_saving = tables.Column(verbose_name=_("可节省年费（元）"), attrs={"td": {"class": "text-end"}, "th": {"class": "text-end"}})
    report = tables.Column(accessor="pk", verbose_name="", orderable=False, exclude_from_export=True)

    class Meta(IpocTable.Meta):
        per_page = 50
        empty_text = _("没有符合条件的评估结果")

    def render_score(self, value):
        return f"{value:.1f}"

    def render_grade(self, record):
        return grade_badge(record.grade)

    def value_grade(self, record):
        return record.grade or str(_("未评级"))

    def render_confidence(self, value):
        return percent(value)

    def render_missing(self, value):
        return _("%(n)d 项") % {"n": len(value)} if value else "0"

    def value_missing(self, value):
        return len(value or [])

    def render_recommendation(self, record):
        return format_html('<span class="badge bg-{}-lt">{}</span>',
                           RECOMMENDATION_COLOURS.get(record.recommendation, "secondary"), record.recommendation_label)

    def value_recommendation(self, record):
        return record.recommendation_label

    def render_remaining_life_years(self, value):
        return _("%(y)s 年") % {"y": f"{value:.1f}"}

    def render_fee_saving(self, value):
        return f"{value:,.0f}"

    def render_report(self, record):
        return format_html('<a class="btn btn-sm btn-outline-primary" href="{}?run={}">{}</a>',
                           reverse("valuation_patent_report", args=[record.patent_id]), record.run_id, _("评估报告"))
