from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IndustrializationConfig(AppConfig):
    name = "ipoc.industrialization"
    label = "industrialization"
    verbose_name = _("专利产业化")

    def ready(self) -> None:
        from ipoc.core.demo import register_demo_step
        from ipoc.core.models import Role
        from ipoc.core.navigation import MenuEntry, register_home_card, register_menu
        from ipoc.core.pickers import register_lookup
        from ipoc.industrialization import demo, home, kpi, lookups
        from ipoc.industrialization.views import home_card

        register_menu(MenuEntry(_("专利产业化"), "industrialization_project_list", order=55,
                                roles=(Role.PLATFORM_ADMIN, Role.OFFICE_STAFF, Role.CENTER_STAFF, Role.ENTERPRISE_USER,
                                       Role.INSTITUTION_USER)))
        register_home_card((Role.CENTER_STAFF,), home_card, order=60)
        home.register()
        register_lookup("industrialization_deals", queryset=lookups.deals, search=("title",), sub=lookups.deal_sub)
        register_lookup("industrialization_projects", queryset=lookups.projects, search=("title", "enterprise__name"),
                        sub=lookups.project_sub)
        register_lookup("industrialization_brands", queryset=lookups.brands, search=("name", "holder__name"),
                        sub=lambda b: b.holder.name)
        register_demo_step("industrialization", demo.demo_industrialization, order=85)
        kpi.register()
