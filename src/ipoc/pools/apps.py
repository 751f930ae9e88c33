from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PoolsConfig(AppConfig):
    name = "ipoc.pools"
    label = "pools"
    verbose_name = _("重点领域专利池")

    def ready(self) -> None:
        from ipoc.core.navigation import MenuEntry, register_menu
        from ipoc.pools import demo, home, kpi  # noqa: F401  (demo registers its step on import)

        register_menu(MenuEntry(_("重点领域专利池"), "pool_list", order=50))
        home.register()
        kpi.register()
