from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RiskConfig(AppConfig):
    name = "ipoc.risk"
    label = "risk"
    verbose_name = _("出口前风险预警与供应链合规排查")

    def ready(self) -> None:
        # Menu entry (url name "risk_check_list"), home cards and KPI providers are registered here.
        pass
