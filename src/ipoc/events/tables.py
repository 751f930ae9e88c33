"""The list of 路演推介 / 对接会 as a table (sort, paginate, choose columns, export)."""

import django_tables2 as tables
from django.utils.translation import gettext_lazy as _

from ipoc.core.tables import (
    ChoiceColumn,
    DateColumn,
    IpocTable,
    LinkedColumn,
    OrganizationColumn,
    StatusColumn,
)
from ipoc.events.models import Event


class PlaceColumn(tables.Column):
    """Where: the place, else "线上"."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("empty_values", ())
        super().__init__(*args, **kwargs)

    def render(self, value, record):
        return record.place or (_("线上") if record.online_url else "—")

    def value(self, value, record):
        return str(self.render(value, record))


class EventTable(IpocTable):
    export_name = "events"

    title = LinkedColumn(viewname="event_detail", verbose_name=_("活动名称"))
    kind = ChoiceColumn(verbose_name=_("活动类型"))
    organizer = OrganizationColumn(verbose_name=_("主办运营中心"))
    held_on = DateColumn(verbose_name=_("举办日期"))
    place = PlaceColumn(verbose_name=_("举办地点"))
    registered = tables.Column(verbose_name=_("报名单位"), attrs={"td": {"class": "text-end"}, "th": {"class": "text-end"}})
    status = StatusColumn(verbose_name=_("状态"))

    class Meta(IpocTable.Meta):
        model = Event
        fields = ("title", "kind", "organizer", "held_on", "place", "registered", "status")
        sequence = fields
        empty_text = _("没有符合条件的活动")
