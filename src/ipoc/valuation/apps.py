from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ValuationConfig(AppConfig):
    name = "ipoc.valuation"
    label = "valuation"
    verbose_name = _("专利评估")

    def ready(self) -> None:
        from ipoc.valuation import home

        home.register()  # home-page work queues, figures and audit-log names
        from ipoc.core.jobs import register_job
        from ipoc.core.navigation import MenuEntry, register_menu

        register_menu(MenuEntry(_("专利评估"), "valuation_run_list", order=25))
        register_job("valuation.run", "ipoc.valuation.services:valuation_run_job")
