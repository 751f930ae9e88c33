from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AnalyticsConfig(AppConfig):
    name = "ipoc.analytics"
    label = "analytics"
    verbose_name = _("专利导航与分析")

    def ready(self) -> None:
        # Menu entry (url name "analytics_set_list"), home cards and KPI providers are registered here.
        pass
