from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LicensingConfig(AppConfig):
    name = "ipoc.licensing"
    label = "licensing"
    verbose_name = _("专利开放许可与专利开源")

    def ready(self) -> None:
        # Menu entry (url name "licensing_home"), home cards and KPI providers are registered here.
        pass
