from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PoolsConfig(AppConfig):
    name = "ipoc.pools"
    label = "pools"
    verbose_name = _("重点领域专利池")

    def ready(self) -> None:
        # Menu entry (url name "pool_list"), home cards and KPI providers are registered here.
        pass
