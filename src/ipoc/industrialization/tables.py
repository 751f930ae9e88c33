"""The lists of 专利产业化 as tables (sort, paginate, choose columns, export)."""

import django_tables2 as tables
from django.utils.translation import gettext_lazy as _

from ipoc.core.tables import DateColumn, IpocTable, LinkedColumn, OrganizationColumn, StatusColumn
from ipoc.industrialization.models import Brand, Product, Project


class ProjectTable(IpocTable):
    export_name = "industrialization-projects"

    title = LinkedColumn(viewname="industrialization_project_detail", verbose_name=_("项目名称"))
    enterprise = OrganizationColumn(verbose_name=_("实施企业"))
    chain_node = tables.Column(verbose_name=_("产业链节点"), default="—")
    stage = StatusColumn(verbose_name=_("阶段"))
    center = OrganizationColumn(verbose_name=_("运营中心"))
    start_date = DateColumn(verbose_name=_("立项日期"), default="—")

    class Meta(IpocTable.Meta):
        model = Project
        fields = ("title", "enterprise", "chain_node", "stage", "center", "start_date")
        sequence = fields
        empty_text = _("尚无专利产业化项目。运营中心可从已签约的交易或技术需求登记项目。")


class ProductTable(IpocTable):
    export_name = "patent-intensive-products"

    name = LinkedColumn(viewname="industrialization_product_detail", verbose_name=_("产品名称"))
    category = tables.Column(verbose_name=_("产品类别"))
    catalogue_code = tables.Column(verbose_name=_("目录代码"), default="—")
    enterprise = OrganizationColumn(verbose_name=_("生产企业"))
    brand = tables.Column(verbose_name=_("品牌"), default="—")
    filing = tables.Column(verbose_name=_("备案认定"), accessor="pk", orderable=False, empty_values=())

    class Meta(IpocTable.Meta):
        model = Product
        fields = ("name", "category", "catalogue_code", "enterprise", "brand", "filing")
        sequence = fields
        empty_text = _("尚无专利密集型产品。企业或运营中心可登记产品、关联覆盖专利并填报年度数据，再准备备案材料。")

    def _latest(self, record):
        filings = list(record.filings.all())
        return max(filings, key=lambda f: (f.data_year, f.pk)) if filings else None

    def render_filing(self, record):
        from django.utils.html import format_html

        from ipoc.core.display import status_colour

        f = self._latest(record)
        if f is None:
            return _("未备案")
        return format_html('<span class="badge bg-{}-lt">{} · {}</span>', status_colour(f.status), f.data_year,
                           f.get_status_display())

    def value_filing(self, record):
        f = self._latest(record)
        return f"{f.data_year} {f.get_status_display()}" if f else str(_("未备案"))


class BrandTable(IpocTable):
    export_name = "brands"

    name = LinkedColumn(viewname="industrialization_brand_detail", verbose_name=_("品牌名称"))
    holder = OrganizationColumn(verbose_name=_("品牌持有人"))
    trademarks = tables.Column(verbose_name=_("商标数"), accessor="pk", orderable=False, empty_values=())
    products = tables.Column(verbose_name=_("产品数"), accessor="pk", orderable=False, empty_values=())

    class Meta(IpocTable.Meta):
        model = Brand
        fields = ("name", "holder", "trademarks", "products")
        sequence = fields
        empty_text = _("尚无商标品牌。企业或运营中心可登记品牌及其注册商标。")

    def render_trademarks(self, record):
        return len(record.trademarks.all())

    def render_products(self, record):
        return len(record.products.all())

    value_trademarks = render_trademarks
    value_products = render_products



