from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DemandsConfig(AppConfig):
    name = "ipoc.demands"
    label = "demands"
    verbose_name = _("专利技术需求")

    def ready(self) -> None:
        from ipoc.demands import home

        home.register()  # home-page work queues, figures and audit-log names
        from ipoc.core.demo import register_demo_step
        from ipoc.core.navigation import MenuEntry, register_menu
        from ipoc.demands.demo import demo_demands

        register_menu(MenuEntry(_("技术需求"), "demand_list", order=30))
        from ipoc.core.pickers import register_lookup
        from ipoc.demands import selectors

        register_lookup("demands", queryset=lambda user: selectors.demand_list(user=user),
                        search=("title", "organization__name", "requester_name"),
                        sub=lambda d: f"{d.organization or ''} · {d.get_status_display()}")
        register_lookup("operation_centers", queryset=_operation_centers, search=("name", "region_code"),
                        sub=_region_of, order_by=("name",))
        register_demo_step("demands", demo_demands, order=40)
        from ipoc.core.jobs import register_job

        register_job("demands.import", "ipoc.demands.services:demand_import_job")


def _operation_centers(user):
    """The centers a demand can be filed with (the picker of 受理运营中心)."""
    from ipoc.core import selectors as core_selectors
    from ipoc.core.models import OrganizationKind

    return core_selectors.organization_list(user=user, kind=OrganizationKind.OPERATION_CENTER)


def _region_of(org) -> str:
    from ipoc.core.validators import region_name

    return region_name(org.region_code) or "" if org.region_code else ""
