from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "ipoc.core"
    label = "core"
    verbose_name = _("组织、用户与审计")
