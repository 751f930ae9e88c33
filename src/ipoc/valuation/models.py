"""专利评估: indicator tree versions, valuation runs and one valuation per patent per run.

The scoring itself is the Django-free ``ipoc.valuation.engine``; these models
keep the tree an administrator edits (every change is a new version, one is
active), each run (scenario, tree version, as-of date, counts, grade
distribution, seconds, job) and every patent's result with a compact
explanation from which the report is rebuilt.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from ipoc.core.permissions import AccessRule


class IndicatorTreeVersion(models.Model):
    """一个版本的评估指标体系 (the engine's tree as JSON). Exactly one version is active."""

    tree = models.JSONField(_("指标体系"))
    digest = models.CharField(_("摘要值"), max_length=32, db_index=True)
    label = models.CharField(_("版本号"), max_length=100, blank=True)
    note = models.CharField(_("说明"), max_length=300, blank=True)
    is_active = models.BooleanField(_("当前使用"), default=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("创建人"), null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    access = AccessRule(public_view=Q())

    class Meta:
        verbose_name = _("评估指标体系版本")
        verbose_name_plural = _("评估指标体系版本")
        ordering = ["-created_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["is_active"], condition=Q(is_active=True),
                                               name="valuation_one_active_tree")]

    def __str__(self) -> str:
        return f"#{self.pk} {self.label} ({self.digest})"


class ValuationRun(models.Model):
    """一次批量评估: which patents, which scenario and tree, the outcome counts and how long it took."""

    scenario = models.CharField(_("评估场景"), max_length=32)
    tree_version = models.ForeignKey(IndicatorTreeVersion, verbose_name=_("指标体系版本"), on_delete=models.PROTECT,
                                     related_name="runs")
    as_of = models.DateField(_("评估基准日"))
    patent_ids = models.JSONField(_("指定专利"), null=True, blank=True,
                                  help_text=_("为空表示全部专利"))
    patent_count = models.PositiveIntegerField(_("专利数"), default=0)
    scored_count = models.PositiveIntegerField(_("已评分"), default=0)
    grade_distribution = models.JSONField(_("评级分布"), default=dict, blank=True)
    recommendation_distribution = models.JSONField(_("分层建议分布"), default=dict, blank=True)
    config = models.JSONField(_("评分参数"), default=dict, blank=True,
                              help_text=_("同行组层级、最小同行组、评级阈值等（engine.ScoringConfig）"))
    mean_confidence = models.FloatField(_("平均置信度"), null=True, blank=True)
    seconds = models.FloatField(_("耗时（秒）"), null=True, blank=True)
    finished = models.BooleanField(_("已完成"), default=False)
    job = models.ForeignKey("core.Job", verbose_name=_("后台任务"), null=True, blank=True,
                            on_delete=models.SET_NULL, related_name="+")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("发起人"), null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    access = AccessRule(public_view=Q())

    class Meta:
        verbose_name = _("评估批次")
        verbose_name_plural = _("评估批次")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"#{self.pk} {self.scenario} {self.as_of}"

    @property
    def scenario_label(self) -> str:
        return self.tree_version.tree.get("scenarios", {}).get(self.scenario, self.scenario)


class PatentValuation(models.Model):
    """一件专利在一次评估中的结果. ``explanation`` holds per-indicator values; names and weights
    come from the run's tree version when the report is built."""

    run = models.ForeignKey(ValuationRun, verbose_name=_("评估批次"), on_delete=models.CASCADE,
                            related_name="valuations")
    patent = models.ForeignKey("patents.Patent", verbose_name=_("专利"), on_delete=models.CASCADE,
                               related_name="valuations")
    score = models.FloatField(_("总分"), null=True, blank=True)
    level_scores = models.JSONField(_("一级指标得分"), default=dict, blank=True)
    grade = models.CharField(_("评级"), max_length=2, blank=True, db_index=True)
    confidence = models.FloatField(_("置信度"))
    missing = models.JSONField(_("缺失指标"), default=list, blank=True)
    recommendation = models.CharField(_("分层建议"), max_length=20, blank=True, db_index=True)
    recommendation_rule = models.CharField(_("建议依据"), max_length=40, blank=True)
    remaining_life_years = models.FloatField(_("剩余保护期（年）"), null=True, blank=True)
    fee_saving = models.FloatField(_("可节省年费（元）"), null=True, blank=True)
    explanation = models.JSONField(_("指标明细"), default=dict, blank=True)

    access = AccessRule(public_view=Q())

    class Meta:
        verbose_name = _("专利评估结果")
        verbose_name_plural = _("专利评估结果")
        ordering = ["-run_id", "-score"]
        indexes = [models.Index(fields=["patent", "run"])]
        constraints = [models.UniqueConstraint(fields=["run", "patent"], name="valuation_one_per_run")]

    def __str__(self) -> str:
        return f"{self.patent_id}@{self.run_id}: {self.score} {self.grade}"

    @property
    def recommendation_label(self) -> str:
        from ipoc.valuation.engine import RECOMMENDATIONS

        return RECOMMENDATIONS.get(self.recommendation, self.recommendation)
