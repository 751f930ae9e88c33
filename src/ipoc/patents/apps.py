from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PatentsConfig(AppConfig):
    name = "ipoc.patents"
    label = "patents"
    verbose_name = _("专利数据")

    def ready(self) -> None:
        from ipoc.core.demo import register_demo_step
        from ipoc.core.jobs import register_job
        from ipoc.core.navigation import MenuEntry, register_menu
        from ipoc.patents import demo

        register_menu(MenuEntry(_("专利"), "patent_list", order=20))
        register_job("patents.import", "ipoc.patents.services:patent_import_job")
        register_demo_step("patents", demo.demo_patents, order=30)
