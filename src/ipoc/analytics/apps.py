from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AnalyticsConfig(AppConfig):
    name = "ipoc.analytics"
    label = "analytics"
    verbose_name = _("专利导航与分析")

    def ready(self) -> None:
        from ipoc.analytics import kpi, services
        from ipoc.core.models import Role
        from ipoc.core.navigation import MenuEntry, register_menu
        from ipoc.patents.services import on_patents_changed

        register_menu(MenuEntry(_("专利导航"), "analytics_set_list",
                                roles=(Role.PLATFORM_ADMIN, Role.CENTER_STAFF, Role.OFFICE_STAFF), order=64))
        from ipoc.core.jobs import register_job

        register_job(services.EVALUATE_KIND, "ipoc.analytics.services:patent_sets_evaluate_job")
        on_patents_changed(services.patent_sets_reevaluate)  # every set is evaluated again after an import
        kpi.register()
