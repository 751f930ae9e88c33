from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DemandsConfig(AppConfig):
    name = "ipoc.demands"
    label = "demands"
    verbose_name = _("专利技术需求")

    def ready(self) -> None:
        from ipoc.core.demo import register_demo_step
        from ipoc.core.navigation import MenuEntry, register_menu
        from ipoc.demands.demo import demo_demands

        register_menu(MenuEntry(_("技术需求"), "demand_list", order=30))
        register_demo_step("demands", demo_demands, order=40)
