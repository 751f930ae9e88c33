from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MatchingConfig(AppConfig):
    name = "ipoc.matching"
    label = "matching"
    verbose_name = _("转化对接")

    def ready(self) -> None:
        from ipoc.core.jobs import register_job
        from ipoc.core.models import Role
        from ipoc.core.navigation import MenuEntry, register_menu

        register_menu(MenuEntry(_("供需对接"), "match_home", roles=(Role.CENTER_STAFF, Role.OFFICE_STAFF,
                                                                    Role.ENTERPRISE_USER, Role.INSTITUTION_USER),
                                order=35))
        register_job("matching.batch", "ipoc.matching.services:match_batch_job")
