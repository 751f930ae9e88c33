"""Lists of 开放许可 and 专利开源 as tables (sort, paginate, choose columns, CSV/XLSX export)."""

import django_tables2 as tables
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from ipoc.core.display import EMPTY, patent_label, status_colour
from ipoc.core.tables import (
    ChoiceColumn,
    DateColumn,
    IpocTable,
    LinkedColumn,
    MoneyColumn,
    OrganizationColumn,
    PatentColumn,
    StatusColumn,
)
from ipoc.licensing.models import OpenLicence, OpenLicenceDeclaration, PatentPledge, PaymentStatus

NOWRAP = {"td": {"class": "text-nowrap"}}


class FeeColumn(tables.Column):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("orderable", False)
        kwargs.setdefault("empty_values", ())
        super().__init__(*args, **kwargs)

    def render(self, record):
        from ipoc.licensing.selectors import fee_text

        return fee_text(record)

    def value(self, record):
        return self.render(record)


class PublicPatentColumn(tables.Column):
    """The patent by number and title, linked to the public page of the declaration (no login)."""

    def render(self, value, record):
        label, _badge = patent_label(value)
        return format_html('<a href="{}">{}</a><div class="small text-secondary">{}</div>',
                           reverse("licensing_public_detail", args=[record.pk]), label, value.title[:60])

    def value(self, value):
        return patent_label(value)[0]


class LegalStatusTodayColumn(tables.Column):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("orderable", False)
        kwargs.setdefault("empty_values", ())
        kwargs.setdefault("attrs", NOWRAP)
        super().__init__(*args, **kwargs)

    def _text(self, record):
        p = record.patent
        if not p.legal_status:
            return str(_("未知"))
        return str(_("有效")) if p.in_force_on(timezone.localdate()) else str(p.get_legal_status_display())

    def render(self, record):
        text = self._text(record)
        colour = "green" if text == str(_("有效")) else ("secondary" if text == str(_("未知")) else "red")
        return format_html('<span class="badge bg-{}-lt">{}</span>', colour, text)

    def value(self, record):
        return self._text(record)


class PublicDeclarationTable(IpocTable):
    """公告的开放许可声明 — what the public reads."""

    export_name = "open-licences"

    patent = PublicPatentColumn(verbose_name=_("专利"), order_by=("patent__publication_number",))
    patent_type = tables.Column(verbose_name=_("类型"), accessor="patent__patent_type", attrs=NOWRAP)
    ipc = tables.Column(verbose_name=_("IPC"), accessor="patent__ipc_main", default=EMPTY, attrs=NOWRAP)
    patentee = tables.Column(verbose_name=_("专利权人"), accessor="patentee__name")
    field = tables.Column(verbose_name=_("技术领域"), default=EMPTY)
    fee = FeeColumn(verbose_name=_("许可使用费"))
    term_years = tables.Column(verbose_name=_("期限（年）"), attrs=NOWRAP)
    legal_status = LegalStatusTodayColumn(verbose_name=_("今日法律状态"))
    published_on = DateColumn(verbose_name=_("公告日期"))

    class Meta(IpocTable.Meta):
        model = OpenLicenceDeclaration
        fields = ("patent", "patent_type", "ipc", "patentee", "field", "fee", "term_years", "legal_status",
                  "published_on")
        sequence = fields
        empty_text = _("暂无公告中的开放许可声明")

    def render_patent_type(self, record):
        return record.patent.get_patent_type_display() or EMPTY

    def value_patent_type(self, record):
        return record.patent.get_patent_type_display() or ""


class DeclarationTable(IpocTable):
    export_name = "open-licence-declarations"

    patent = PatentColumn(verbose_name=_("专利"), order_by=("patent__publication_number",))
    title = tables.Column(verbose_name=_("名称"), accessor="patent__title")
    patentee = OrganizationColumn(verbose_name=_("专利权人"))
    fee = FeeColumn(verbose_name=_("许可使用费"))
    status = StatusColumn(verbose_name=_("状态"), attrs=NOWRAP)
    published_on = DateColumn(verbose_name=_("公告日期"), default=EMPTY)
    open = tables.Column(verbose_name=_("办理"), accessor="pk", orderable=False, exclude_from_export=True)

    class Meta(IpocTable.Meta):
        model = OpenLicenceDeclaration
        fields = ("patent", "title", "patentee", "fee", "status", "published_on", "open")
        sequence = fields
        empty_text = _("还没有开放许可声明")

    def render_title(self, value):
        return value[:40]

    def render_open(self, record):
        return format_html('<a href="{}">{}</a>', reverse("licensing_declaration_detail", args=[record.pk]),
                           _("查看"))


class LicenceTable(IpocTable):
    export_name = "open-licences-formed"

    patent = PatentColumn(verbose_name=_("专利"), accessor="declaration__patent",
                          order_by=("declaration__patent__publication_number",))
    licensor = OrganizationColumn(verbose_name=_("许可人"), accessor="declaration__patentee")
    licensee = OrganizationColumn(verbose_name=_("被许可人"))
    fee_method = ChoiceColumn(verbose_name=_("支付方式"), accessor="declaration__fee_method")
    formed_on = DateColumn(verbose_name=_("生效日期"))
    term_end = DateColumn(verbose_name=_("届满日"))
    payment_amount = MoneyColumn(verbose_name=_("通知时付款"), unit="元")
    payment_status = tables.Column(verbose_name=_("收款确认"), accessor="pk", orderable=False, attrs=NOWRAP)
    filed_on = DateColumn(verbose_name=_("备案日期"), default=EMPTY)
    open = tables.Column(verbose_name=_("办理"), accessor="pk", orderable=False, exclude_from_export=True)

    class Meta(IpocTable.Meta):
        model = OpenLicence
        fields = ("patent", "licensor", "licensee", "fee_method", "formed_on", "term_end", "payment_amount",
                  "payment_status", "filed_on", "open")
        sequence = fields
        empty_text = _("还没有通过开放许可达成的许可")

    def render_fee_method(self, record):
        return record.declaration.get_fee_method_display()

    def value_fee_method(self, record):
        return record.declaration.get_fee_method_display()

    def value_payment_status(self, record):
        code = record.payment_status
        return str(PaymentStatus(code).label) if code else str(_("无需付款"))

    def render_payment_status(self, record):
        code = record.payment_status
        if not code:
            return EMPTY
        label = _("付款待确认") if code == PaymentStatus.PENDING else PaymentStatus(code).label
        return format_html('<span class="badge bg-{}-lt">{}</span>', status_colour(code), label)

    def render_open(self, record):
        return format_html('<a href="{}">{}</a>', reverse("licensing_licence_detail", args=[record.pk]), _("查看"))


class PledgeTable(IpocTable):
    export_name = "patent-pledges"

    title = LinkedColumn(viewname="licensing_pledge_detail", verbose_name=_("承诺名称"))
    pledgor = OrganizationColumn(verbose_name=_("承诺人"))
    mechanism = ChoiceColumn(verbose_name=_("实现方式"), attrs=NOWRAP)
    scope_kind = ChoiceColumn(verbose_name=_("范围方式"), attrs=NOWRAP)
    covered = tables.Column(verbose_name=_("涵盖专利"), accessor="pk", orderable=False, attrs=NOWRAP)
    pledged_on = DateColumn(verbose_name=_("承诺日期"))
    status = StatusColumn(verbose_name=_("状态"), attrs=NOWRAP)

    class Meta(IpocTable.Meta):
        model = PatentPledge
        fields = ("title", "pledgor", "mechanism", "scope_kind", "covered", "pledged_on", "status")
        sequence = fields
        empty_text = _("还没有专利开源承诺")

    def render_covered(self, record):
        return _("%(n)s 件") % {"n": record.covered.filter(dropped_on__isnull=True).count()}

    def value_covered(self, record):
        return record.covered.filter(dropped_on__isnull=True).count()
