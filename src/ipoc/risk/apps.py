from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RiskConfig(AppConfig):
    name = "ipoc.risk"
    label = "risk"
    verbose_name = _("出口前风险预警与供应链合规排查")

    def ready(self) -> None:
        from ipoc.core.jobs import register_job
        from ipoc.core.models import Role
        from ipoc.core.navigation import MenuEntry, register_menu
        from ipoc.core.pickers import register_lookup
        from ipoc.patents.services import on_patents_changed
        from ipoc.risk import home, kpi, selectors, services

        register_menu(MenuEntry(_("出口风险预警"), "risk_check_list",
                                roles=(Role.CENTER_STAFF, Role.ENTERPRISE_USER, Role.OFFICE_STAFF), order=62))
        home.register()
        # the requester picker: for center staff only the organisations their center serves (services._scope)
        register_lookup("risk_requesters", queryset=selectors.requesters_for, search=("name", "credit_code"),
                        sub=lambda o: o.get_kind_display())
        kpi.register()
        # The watch: a finished check re-opens when an import adds or changes a relevant patent.
        on_patents_changed(services.watch_patents_changed)
        register_job(services.WATCH_KIND, "ipoc.risk.services:watch_job")  # a large change set's watch
