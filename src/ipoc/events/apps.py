from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EventsConfig(AppConfig):
    name = "ipoc.events"
    label = "events"
    verbose_name = _("路演推介与对接会")

    def ready(self) -> None:
        from ipoc.core.navigation import MenuEntry, register_menu

        register_menu(MenuEntry(_("路演对接"), "event_list", order=40))
        from ipoc.events import kpi

        kpi.register()
