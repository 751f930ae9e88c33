from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IndustrializationConfig(AppConfig):
    name = "ipoc.industrialization"
    label = "industrialization"
    verbose_name = _("专利产业化")

    def ready(self) -> None:
        # Menu entry (url name "industrialization_project_list"), home cards and KPI providers are registered here.
        pass
