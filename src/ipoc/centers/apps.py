from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CentersConfig(AppConfig):
    name = "ipoc.centers"
    label = "centers"
    verbose_name = _("产业知识产权运营中心")

    def ready(self) -> None:
        from ipoc.centers import home

        home.register()  # home-page work queues, figures and audit-log names
        from ipoc.centers.demo import demo_centers
        from ipoc.centers.kpi import register_builtin_providers
        from ipoc.core.demo import register_demo_step
        from ipoc.core.models import Role
        from ipoc.core.navigation import MenuEntry, register_menu

        register_builtin_providers()
        register_demo_step("centers", demo_centers, order=50)
        register_menu(MenuEntry(_("运营中心"), "center_list", order=20))
        register_menu(MenuEntry(_("运营中心看板"), "center_dashboard", roles=(Role.OFFICE_STAFF,), order=21))
        register_menu(MenuEntry(_("认定申请"), "center_application_list",
                                roles=(Role.OFFICE_STAFF, Role.CENTER_STAFF, Role.PLATFORM_ADMIN), order=22))
        register_menu(MenuEntry(_("年度报告与评价"), "center_report_list",
                                roles=(Role.OFFICE_STAFF, Role.CENTER_STAFF, Role.PLATFORM_ADMIN), order=23))
        register_menu(MenuEntry(_("评审任务"), "center_review_list", roles=(Role.EXPERT,), order=24))
