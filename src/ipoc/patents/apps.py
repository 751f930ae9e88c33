from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PatentsConfig(AppConfig):
    name = "ipoc.patents"
    label = "patents"
    verbose_name = _("专利数据")

    def ready(self) -> None:
        from ipoc.patents import home

        home.register()  # home-page work queues, figures and audit-log names
        from ipoc.core.demo import register_demo_step
        from ipoc.core.jobs import register_job
        from ipoc.core.navigation import MenuEntry, register_menu
        from ipoc.patents import demo

        register_menu(MenuEntry(_("专利"), "patent_list", order=20))
        from ipoc.core.display import patent_label
        from ipoc.core.pickers import register_lookup
        from ipoc.patents import selectors

        register_lookup("patents", queryset=lambda user: selectors.patent_list(user=user),
                        search=("publication_number", "application_number", "grant_number", "title"),
                        label=lambda p: " ".join(x for x in patent_label(p) if x),
                        sub=lambda p: p.title[:60] if (p.publication_number or p.grant_number) else "")
        register_job("patents.import", "ipoc.patents.services:patent_import_job",
                     on_abandon="ipoc.patents.services:patent_import_abandoned")
        from ipoc.core.queue import register_chunked_job

        register_chunked_job("patents.import", plan="ipoc.patents.services:patent_import_plan",
                             chunk="ipoc.patents.services:patent_import_chunk",
                             finish="ipoc.patents.services:patent_import_finish")
        register_demo_step("patents", demo.demo_patents, order=30)
