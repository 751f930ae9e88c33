from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AlliancesConfig(AppConfig):
    name = "ipoc.alliances"
    label = "alliances"
    verbose_name = _("创新联合体")

    def ready(self) -> None:
        # Menu entry (url name "consortium_list"), home cards and KPI providers are registered here.
        pass
