from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RevitalizationConfig(AppConfig):
    name = "ipoc.revitalization"
    label = "revitalization"
    verbose_name = _("存量专利盘活")

    def ready(self) -> None:
        from ipoc.revitalization import home

        home.register()  # home-page work queues, figures and audit-log names
        from ipoc.core.models import Role
        from ipoc.core.navigation import MenuEntry, register_menu

        register_menu(MenuEntry(_("存量专利盘活"), "stock_list", order=40,
                                roles=(Role.INSTITUTION_USER, Role.CENTER_STAFF, Role.OFFICE_STAFF,
                                       Role.PLATFORM_ADMIN)))
        register_menu(MenuEntry(_("专利推送"), "stock_push_list", order=41, roles=(Role.ENTERPRISE_USER,)))
        from ipoc.core.pickers import register_lookup
        from ipoc.patents.selectors import NEWEST_FIRST
        from ipoc.revitalization import kpi, lookups

        register_lookup("own_patents", queryset=lookups.own_patents, search=lookups.PATENT_SEARCH,
                        label=lookups.patent_label, sub=lookups.patent_sub, order_by=NEWEST_FIRST)
        register_lookup("enterprises", queryset=lookups.enterprises, search=("name", "credit_code"),
                        sub=lookups.region_of, order_by=("name",))
        register_lookup("institutions", queryset=lookups.institutions, search=("name", "credit_code"),
                        sub=lookups.region_of, order_by=("name",))
        kpi.register()
        from ipoc.core.jobs import register_job

        register_job("stock.import", "ipoc.revitalization.services:stock_import_job")
