from django.conf import settings
from django.contrib import admin
from django.urls import include, path
from django.views.generic import RedirectView

from ipoc.api import api
from ipoc.core import attachments

urlpatterns = [
    path("favicon.ico", RedirectView.as_view(url="/" + settings.STATIC_URL.strip("/") + "/ipoc/favicon.svg",
                                             permanent=True)),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("api/v1/", api.urls),
    path("patents/", include("ipoc.patents.urls")),
    path("search/", include("ipoc.search.urls")),
    path("valuation/", include("ipoc.valuation.urls")),
    path("demands/", include("ipoc.demands.urls")),
    path("matching/", include("ipoc.matching.urls")),
    path("centers/", include("ipoc.centers.urls")),
    path("stock/", include("ipoc.revitalization.urls")),
    path("events/", include("ipoc.events.urls")),
    path("deals/", include("ipoc.deals.urls")),
    path("licensing/", include("ipoc.licensing.urls")),
    path("pools/", include("ipoc.pools.urls")),
    path("alliances/", include("ipoc.alliances.urls")),
    path("risk/", include("ipoc.risk.urls")),
    path("industrialization/", include("ipoc.industrialization.urls")),
    path("analytics/", include("ipoc.analytics.urls")),
    path("files/<path:name>", attachments.download, name="attachment_download"),
    path("", include("ipoc.core.urls")),
]
