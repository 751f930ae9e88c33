from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DealsConfig(AppConfig):
    name = "ipoc.deals"
    label = "deals"
    verbose_name = _("交易撮合")

    def ready(self) -> None:
        from ipoc.deals import home

        home.register()  # home-page work queues, figures and audit-log names
        from ipoc.core.models import Role
        from ipoc.core.navigation import MenuEntry, register_home_card, register_menu
        from ipoc.deals import kpi
        from ipoc.deals.views import home_card

        register_menu(MenuEntry(_("交易撮合"), "deal_list", order=45))
        register_menu(MenuEntry(_("转化统计"), "deal_statistics",
                                roles=(Role.CENTER_STAFF, Role.OFFICE_STAFF), order=46))
        register_home_card((Role.CENTER_STAFF,), home_card)
        kpi.register()
