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
        from ipoc.core.display import patent_label
        from ipoc.core.pickers import register_lookup
        from ipoc.pools import selectors

        # 必要性评估 evaluators: the platform's experts, offered to pool administrators (center staff).
        register_lookup("pool_experts", queryset=selectors.evaluator_choices,
                        search=("username", "display_name", "organization__name"),
                        sub=lambda u: str(u.organization or ""), order_by=("display_name", "username"))
        # Patents a licensor may offer: its own (applicant or holder); administrators search the whole store.
        register_lookup("pool_patents", queryset=selectors.offerable_patents,
                        search=("publication_number", "grant_number", "application_number", "title"),
                        label=lambda p: " ".join(x for x in patent_label(p) if x), sub=lambda p: p.title[:60])
        home.register()
        kpi.register()
        from ipoc.patents import services as patent_services
        from ipoc.pools import services

        patent_services.on_patents_changed(services.patents_changed)  # a lapse or transfer flags the pool
