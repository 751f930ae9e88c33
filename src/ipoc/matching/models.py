"""转化对接: supply listings (挂牌), the center's 产业链图谱, demand–patent matches with their
explanations, staff decisions, pushes (定向推送) and the learned ranking weights."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from ipoc.core.permissions import AccessRule


class ListingStatus(models.TextChoices):
    ACTIVE = "active", _("挂牌中")
    WITHDRAWN = "withdrawn", _("已撤牌")
    DEALT = "dealt", _("已成交")


class Listing(models.Model):
    """挂牌: a holder offers a patent for 转让/许可/作价入股 with an asking price or terms."""

    patent = models.ForeignKey("patents.Patent", verbose_name=_("专利"), on_delete=models.CASCADE,
                               related_name="listings")
    holder = models.ForeignKey("core.Organization", verbose_name=_("权利人"), on_delete=models.PROTECT,
                               related_name="listings")
    center = models.ForeignKey("core.Organization", verbose_name=_("受理运营中心"), null=True, blank=True,
                               on_delete=models.SET_NULL, related_name="center_listings")
    modes = models.JSONField(_("交易方式"), default=list)
    asking_price = models.DecimalField(_("挂牌价格（元）"), max_digits=16, decimal_places=2, null=True, blank=True)
    terms = models.TextField(_("交易条件"), blank=True)
    open_license = models.BooleanField(_("开放许可"), default=False)
    status = models.CharField(_("状态"), max_length=16, choices=ListingStatus.choices, default=ListingStatus.ACTIVE)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    access = AccessRule(owner_fields=("holder", "center"), creator_field="created_by",
                        public_view=Q(status=ListingStatus.ACTIVE))

    class Meta:
        verbose_name = _("挂牌")
        verbose_name_plural = _("挂牌")
        constraints = [models.CheckConstraint(condition=Q(asking_price__isnull=True) | Q(asking_price__gte=0),
                                              name="listing_price_non_negative")]

    def __str__(self) -> str:
        return f"{self.patent} @ {self.holder}"


class ChainPosition(models.TextChoices):
    UPSTREAM = "upstream", _("上游")
    MIDSTREAM = "midstream", _("中游")
    DOWNSTREAM = "downstream", _("下游")


class ChainNode(models.Model):
    """A node of a center's 产业链图谱, with the keywords and IPC prefixes that tag patents and demands to it."""

    center = models.ForeignKey("core.Organization", verbose_name=_("运营中心"), on_delete=models.CASCADE,
                               related_name="chain_nodes")
    name = models.CharField(_("节点名称"), max_length=100)
    position = models.CharField(_("链位"), max_length=16, choices=ChainPosition.choices)
    keywords = models.JSONField(_("关键词"), default=list, blank=True)
    ipc_prefixes = models.JSONField(_("IPC前缀"), default=list, blank=True)
    order = models.PositiveSmallIntegerField(default=0)

    access = AccessRule(owner_fields=("center",), public_view=Q())

    class Meta:
        verbose_name = _("产业链节点")
        verbose_name_plural = _("产业链节点")
        ordering = ["center", "position", "order", "name"]
        constraints = [models.UniqueConstraint(fields=["center", "name"], name="unique_chain_node_name")]

    def __str__(self) -> str:
        return f"{self.get_position_display()}·{self.name}"


class DemandChainTag(models.Model):
    """A demand tagged to a chain node — automatically (keywords/IPC) or corrected by staff."""

    demand = models.ForeignKey("demands.Demand", on_delete=models.CASCADE, related_name="chain_tags")
    node = models.ForeignKey(ChainNode, on_delete=models.CASCADE, related_name="demand_tags")
    manual = models.BooleanField(_("人工确认"), default=False)
    excluded = models.BooleanField(_("人工排除"), default=False)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["demand", "node"], name="unique_demand_chain_tag")]

    def __str__(self) -> str:
        return f"{self.demand_id} → {self.node}"


class MatchStatus(models.TextChoices):
    PROPOSED = "proposed", _("待确认")
    CONFIRMED = "confirmed", _("已确认")
    REJECTED = "rejected", _("已否决")


class Match(models.Model):
    """A patent proposed for a demand, with the explanation a person can check, and the staff decision."""

    demand = models.ForeignKey("demands.Demand", verbose_name=_("需求"), on_delete=models.CASCADE,
                               related_name="matches")
    patent = models.ForeignKey("patents.Patent", verbose_name=_("专利"), on_delete=models.CASCADE,
                               related_name="matches")
    run = models.ForeignKey("MatchRun", null=True, blank=True, on_delete=models.SET_NULL, related_name="run_matches")
    rank = models.PositiveIntegerField(_("排名"))
    score = models.FloatField(_("匹配分"))
    retrieval_score = models.FloatField(_("检索分"))
    features = models.JSONField(_("特征"), default=dict)
    explanation = models.JSONField(_("匹配说明"), default=dict)
    status = models.CharField(_("状态"), max_length=16, choices=MatchStatus.choices, default=MatchStatus.PROPOSED,
                              db_index=True)
    reason = models.TextField(_("理由"), blank=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    decided_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    access = AccessRule(owner_fields=("demand__center", "demand__organization"))

    class Meta:
        verbose_name = _("匹配")
        verbose_name_plural = _("匹配")
        ordering = ["demand", "rank"]
        constraints = [models.UniqueConstraint(fields=["demand", "patent"], name="unique_match")]

    def __str__(self) -> str:
        return f"{self.demand_id} ↔ {self.patent_id} #{self.rank}"


class MatchRun(models.Model):
    """One batch matching run of a center (every open demand), with its job and counts."""

    center = models.ForeignKey("core.Organization", null=True, blank=True, on_delete=models.SET_NULL,
                               related_name="+")
    job = models.ForeignKey("core.Job", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    demands = models.PositiveIntegerField(default=0)
    matches = models.PositiveIntegerField(default=0)
    seconds = models.FloatField(null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    access = AccessRule(owner_fields=("center",), creator_field="created_by")

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"run#{self.pk} {self.demands} demands"


class RankingModel(models.Model):
    """Weights of the feedback reranker, learned from confirmed/rejected matches (one row per center; latest wins)."""

    center = models.ForeignKey("core.Organization", null=True, blank=True, on_delete=models.CASCADE,
                               related_name="+")
    weights = models.JSONField(default=dict)
    trained_on = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"ranking model {self.pk} ({self.trained_on} decisions)"


class NeedKind(models.TextChoices):
    TECHNOLOGY = "technology", _("技术需求")
    TALENT = "talent", _("人才需求")
    PROJECT = "project", _("项目落地需求")
    PURCHASE = "purchase", _("设备或服务采购")


class MatchQuery(models.Model):
    """How a demand is matched: its kind, the key terms the last match used (weighted, shown on the matches
    page) and the staff's corrections, which the next match uses instead of the automatic terms."""

    demand = models.OneToOneField("demands.Demand", verbose_name=_("需求"), on_delete=models.CASCADE,
                                  related_name="match_query")
    kind = models.CharField(_("需求类型"), max_length=16, choices=NeedKind.choices, default=NeedKind.TECHNOLOGY)
    kind_manual = models.BooleanField(_("人工指定类型"), default=False)
    terms_text = models.CharField(_("人工修改的匹配关键词"), max_length=500, blank=True)
    terms = models.JSONField(_("匹配关键词"), default=list, blank=True)
    need_text = models.TextField(_("技术需求"), blank=True)
    routed = models.JSONField(_("转介对象"), default=dict, blank=True)
    summary = models.JSONField(_("匹配概况"), default=dict, blank=True)
    matched_at = models.DateTimeField(_("匹配时间"), null=True, blank=True)
    edited_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                  related_name="+")
    edited_at = models.DateTimeField(null=True, blank=True)

    access = AccessRule(owner_fields=("demand__center", "demand__organization"))

    class Meta:
        verbose_name = _("匹配检索式")
        verbose_name_plural = _("匹配检索式")

    def __str__(self) -> str:
        return f"{self.demand_id}: {self.terms_text or '(auto)'}"
