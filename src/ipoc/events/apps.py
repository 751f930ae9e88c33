from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EventsConfig(AppConfig):
    name = "ipoc.events"
    label = "events"
    verbose_name = _("路演推介与对接会")

    def ready(self) -> None:
        from ipoc.events import home

        home.register()  # home-page work queues, figures and audit-log names
        from ipoc.core.navigation import MenuEntry, register_menu

        register_menu(MenuEntry(_("路演对接"), "event_list", order=40))
        from ipoc.core.pickers import register_lookup
        from ipoc.events import selectors

        register_lookup("events", queryset=lambda user: selectors.event_list(user=user), search=("title",),
                        sub=lambda e: f"{e.get_kind_display()} · {e.held_on:%Y-%m-%d}")
        from ipoc.events import kpi

        kpi.register()
