from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SearchConfig(AppConfig):
    name = "ipoc.search"
    label = "search"
    verbose_name = _("专利检索")

    def ready(self) -> None:
        from ipoc.core.demo import register_demo_step
        from ipoc.core.jobs import register_job
        from ipoc.core.navigation import MenuEntry, register_menu
        from ipoc.patents.services import on_patents_changed, on_patents_deleted
        from ipoc.search import demo, services

        register_menu(MenuEntry(_("检索"), "search", order=25))
        register_job("search.rebuild", "ipoc.search.services:index_rebuild_job")
        register_job("search.encode", "ipoc.search.services:index_encode_job")
        register_job("search.sync", "ipoc.search.services:index_sync_job")
        from ipoc.core.queue import register_chunked_job

        for kind, step in (("search.rebuild", "index"), ("search.encode", "encode"), ("search.sync", "sync")):
            register_chunked_job(kind, plan=f"ipoc.search.workers:{step}_plan", chunk=f"ipoc.search.workers:{step}_chunk",
                                 finish=f"ipoc.search.workers:{step}_finish")
        from ipoc.core.backup import BackupPart, register_backup_part
        from ipoc.search import workers

        register_backup_part(BackupPart("search", folder=workers.backup_folder, lock=workers.backup_lock,
                                        skip=("spool", "write.lock", "*.tmp"),
                                        after_restore=workers.reconcile_after_restore))
        on_patents_changed(services.index_patents)
        on_patents_deleted(services.unindex_patents)
        register_demo_step("search", demo.demo_search, order=35)
