from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LicensingConfig(AppConfig):
    name = "ipoc.licensing"
    label = "licensing"
    verbose_name = _("专利开放许可与专利开源")

    def ready(self) -> None:
        from ipoc.core.navigation import MenuEntry, register_menu
        from ipoc.licensing import home, kpi

        register_menu(MenuEntry(_("开放许可与开源"), "licensing_home", order=60))
        from ipoc.core.pickers import register_lookup
        from ipoc.licensing import lookups
        from ipoc.patents.selectors import NEWEST_FIRST

        register_lookup("licensing_patents", queryset=lookups.declarable_patents, search=lookups.PATENT_SEARCH,
                        label=lookups.label, sub=lookups.sub, order_by=NEWEST_FIRST)
        home.register()
        kpi.register()
        from ipoc.patents import services as patent_services

        patent_services.on_patents_changed(_refresh_pledges)


def _refresh_pledges(ids: list[int]) -> None:
    """After each import: pledges by definition pick up new patents and drop lapsed ones."""
    from ipoc.licensing import services

    services.pledges_refresh(ids)
