from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AlliancesConfig(AppConfig):
    name = "ipoc.alliances"
    label = "alliances"
    verbose_name = _("创新联合体")

    def ready(self) -> None:
        from ipoc.alliances import demo, home, kpi  # noqa: F401  (demo registers its step on import)
        from ipoc.core.models import Role
        from ipoc.core.navigation import MenuEntry, register_menu

        register_menu(MenuEntry(_("创新联合体"), "consortium_list", order=52, roles=(
            Role.CENTER_STAFF, Role.ENTERPRISE_USER, Role.INSTITUTION_USER, Role.OFFICE_STAFF)))
        home.register()
        kpi.register()
