"""The patent list as an IpocTable: identity (number, else title with its source badge), words for codes."""

from __future__ import annotations

import django_tables2 as tables
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _

from ipoc.core.display import EMPTY
from ipoc.core.tables import ChoiceColumn, DateColumn, IpocTable, PatentColumn, StatusColumn


class PatentIdentityColumn(PatentColumn):
    """The row's patent by its identity, with its title beneath when the identity is a number."""

    def render(self, record):
        identity = super().render(record)
        if record.publication_number or record.grant_number or record.application_number:
            title = record.title if len(record.title) <= 60 else record.title[:59] + "…"
            return format_html('{}<div class="text-secondary small text-wrap">{}</div>', identity, title)
        return identity

    def value(self, record):
        return super().value(record)


class ApplicantsColumn(tables.Column):
    """Applicants in filing order (prefetched by ``selectors.with_parties``)."""

    def render(self, record):
        names = [p.name for p in record.parties.all() if p.role == "applicant"]
        if not names:
            return EMPTY
        shown = format_html_join("；", "{}", ((n,) for n in names[:3]))
        if len(names) > 3:
            return format_html('{} <span class="text-secondary">{}</span>', shown, _("等 %(n)d 个") % {"n": len(names)})
        return shown

    def value(self, record):
        return "; ".join(p.name for p in record.parties.all() if p.role == "applicant")


class PatentTable(IpocTable):
    export_name = "patents"

    patent = PatentIdentityColumn(accessor="key", verbose_name=_("专利"), order_by=("publication_number", "key"),
                                  attrs={"td": {"class": "ipoc-col-patent"}})
    applicants = ApplicantsColumn(accessor="pk", verbose_name=_("申请人"), orderable=False)
    patent_type = ChoiceColumn(verbose_name=_("类型"), attrs={"td": {"class": "text-nowrap"}})
    legal_status = StatusColumn(verbose_name=_("法律状态"), attrs={"td": {"class": "text-nowrap"}})
    application_date = DateColumn(verbose_name=_("申请日"))
    publication_date = DateColumn(verbose_name=_("公开（公告）日"), visible=False)
    grant_date = DateColumn(verbose_name=_("授权公告日"), visible=False)
    ipc_main = tables.Column(verbose_name=_("IPC 主分类"), attrs={"td": {"class": "text-nowrap"}})
    region_name = tables.Column(verbose_name=_("国省"), visible=False)

    class Meta(IpocTable.Meta):
        empty_text = _("没有符合条件的专利。可放宽筛选条件，或导入专利数据。")

    def __init__(self, *args, request=None, **kwargs):
        super().__init__(*args, request=request, **kwargs)
        chosen = (request.GET.get("cols", "") if request is not None else "").strip()
        for name in filter(None, chosen.split(",")):
            if name in self.columns:  # a column hidden by default that the person chose to see
                self.columns.show(name)
