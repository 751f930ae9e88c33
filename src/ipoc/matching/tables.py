"""Tables of 转化对接: open demands with their match counts, listings, a batch run's matches."""

import django_tables2 as tables
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from ipoc.core.display import patent_label
from ipoc.core.tables import (
    DateColumn,
    IpocTable,
    MoneyColumn,
    OrganizationColumn,
    PatentColumn,
    StatusColumn,
)
from ipoc.demands import selectors as demand_selectors
from ipoc.matching.models import Listing, Match


class OpenDemandTable(IpocTable):
    """Demands open for matching; each row leads to its matches."""

    export_name = "matching-demands"

    title = tables.Column(verbose_name=_("需求名称"))
    organization = OrganizationColumn(verbose_name=_("需求方"))
    industry = tables.Column(verbose_name=_("所属行业"), default="—")
    status = StatusColumn(verbose_name=_("状态"))
    n_proposed = tables.Column(verbose_name=_("待确认"), attrs={"td": {"class": "text-end"}, "th": {"class": "text-end"}})
    n_confirmed = tables.Column(verbose_name=_("已确认"), attrs={"td": {"class": "text-end"}, "th": {"class": "text-end"}})
    published_at = DateColumn(verbose_name=_("发布时间"), default="—")
    action = tables.Column(verbose_name="", empty_values=(), orderable=False, exclude_from_export=True)

    class Meta(IpocTable.Meta):
        fields = ()
        sequence = ("title", "organization", "industry", "status", "n_proposed", "n_confirmed", "published_at",
                    "action")
        empty_text = _("没有开放对接的需求：需求经运营中心受理发布后出现在这里")

    def render_title(self, value, record):
        return format_html('<a href="{}">{}</a>', reverse("demand_detail", args=[record.pk]), value)

    def render_n_proposed(self, value):
        return format_html('<span class="badge bg-yellow-lt">{}</span>', value) if value else "0"

    def render_action(self, record):
        return format_html('<a class="btn btn-sm btn-outline-primary" href="{}">{}</a>',
                           reverse("match_demand", args=[record.pk]), _("查看匹配"))


class PatentWithTitleColumn(PatentColumn):
    """A patent by its human identity, with its title underneath when the identity is its number."""

    def render(self, value):
        identity = super().render(value)
        if patent_label(value)[1]:  # no number: the identity already is the title
            return identity
        title = value.title if len(value.title) <= 40 else value.title[:39] + "…"
        return format_html('{}<div class="small text-secondary">{}</div>', identity, title)

    def value(self, value):
        label, badge = patent_label(value)
        return label if badge else f"{label} {value.title}"


class ModesColumn(tables.Column):
    """交易方式 by label (转让、许可 …), never the stored code."""

    def render(self, value):
        return "、".join(demand_selectors.deal_mode_labels(value)) or "—"

    def value(self, value):
        return "、".join(demand_selectors.deal_mode_labels(value))


class YesNoColumn(tables.Column):
    def render(self, value):
        return format_html('<span class="badge bg-green-lt">{}</span>', _("是")) if value else _("否")

    def value(self, value):
        return str(_("是") if value else _("否"))


class ListingTable(IpocTable):
    export_name = "listings"

    patent = PatentWithTitleColumn(verbose_name=_("专利"), order_by=("patent__publication_number",))
    holder = OrganizationColumn(verbose_name=_("权利人"))
    modes = ModesColumn(verbose_name=_("交易方式"), orderable=False, attrs={"td": {"class": "text-nowrap"}})
    asking_price = MoneyColumn(verbose_name=_("挂牌价格"), unit=_("元"), default="—")
    open_license = YesNoColumn(verbose_name=_("开放许可"))
    status = StatusColumn(verbose_name=_("状态"))
    created_at = DateColumn(verbose_name=_("挂牌日期"))

    class Meta(IpocTable.Meta):
        model = Listing
        fields = ("patent", "holder", "modes", "asking_price", "open_license", "status", "created_at")
        sequence = fields
        empty_text = _("暂无挂牌专利")


class RunMatchTable(IpocTable):
    export_name = "matching-run"

    demand = tables.Column(verbose_name=_("需求"), accessor="demand__title", order_by=("demand__title",))
    rank = tables.Column(verbose_name=_("排名"))
    patent = PatentWithTitleColumn(verbose_name=_("专利"), order_by=("patent__publication_number",))
    score = tables.Column(verbose_name=_("匹配分"), attrs={"td": {"class": "text-end"}, "th": {"class": "text-end"}})
    terms = tables.Column(verbose_name=_("命中词"), accessor="explanation", orderable=False)
    status = StatusColumn(verbose_name=_("状态"))

    class Meta(IpocTable.Meta):
        model = Match
        fields = ("demand", "rank", "patent", "score", "terms", "status")
        sequence = fields
        per_page = 50
        empty_text = _("本次匹配尚无结果")

    def render_demand(self, value, record):
        return format_html('<a href="{}">{}</a>', reverse("match_demand", args=[record.demand_id]), value)

    def render_score(self, value):
        return f"{value:.3f}"

    def render_terms(self, value):
        return "、".join((value or {}).get("matched_terms", [])[:5]) or "—"

    def value_terms(self, value):
        return "、".join((value or {}).get("matched_terms", []))

