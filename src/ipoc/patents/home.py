"""What the patents app puts on home pages: the administrator's recent imports (failed ones first), the
patent count, an organisation's patents. Registered once from ``PatentsConfig.ready``."""

from __future__ import annotations

import datetime as dt

from django.db.models import Case, IntegerField, Value, When
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ipoc.core.display import patent_label
from ipoc.core.home import item, queue, register_home_card, register_organization_figure, register_queue
from ipoc.core.models import Role
from ipoc.patents import selectors
from ipoc.patents.models import ImportStatus
from ipoc.patents.selectors import PatentFilters


def admin_imports(user):
    """Patent imports of the last 30 days: failed or interrupted first, then running, then the rest."""
    if not user.is_platform_admin:
        return None
    since = timezone.now() - dt.timedelta(days=30)
    urgency = Case(When(status__in=(ImportStatus.FAILED, ImportStatus.INTERRUPTED), then=Value(0)),
                   When(status=ImportStatus.RUNNING, then=Value(1)), default=Value(2), output_field=IntegerField())
    qs = (selectors.import_batch_list(user=user).filter(created_at__gte=since)
          .annotate(urgency=urgency).order_by("urgency", "-created_at"))

    def make(b):
        detail = _("读取 %(r)s 行 · 新增 %(n)s · 更新 %(u)s · 拒绝 %(x)s") % {
            "r": f"{b.rows_read:,}", "n": f"{b.new_count:,}", "u": f"{b.updated_count:,}", "x": f"{b.rejected_count:,}"}
        colour = {ImportStatus.DONE: "green", ImportStatus.RUNNING: "yellow"}.get(b.status, "red")
        return item(b.file_name, reverse("patent_import_report", args=[b.pk]), detail=detail,
                    badge=b.get_status_display(), colour=colour)

    result = queue(_("专利导入（近 30 天）"), qs, make, url=reverse("patent_import"), icon="file-import",
                   empty=_("近 30 天没有导入"))
    result.info = True  # a record of what was imported; failed imports are also among the failed jobs
    return result


def admin_patents_card(user):
    if not user.is_platform_admin:
        return None
    return {"title": _("专利数据"), "value": selectors.patent_list(user=user).count(), "url": reverse("patent_list"),
            "icon": "file-certificate"}


def organization_patents(user, organization):
    qs = selectors.patent_list(user=user, filters=PatentFilters(organization=organization.pk))
    n = qs.count()
    if not n:
        return None
    return {"title": _("申请或持有的专利"), "value": n, "url": reverse("patent_list") + f"?organization={organization.pk}",
            "icon": "file-certificate"}


def register() -> None:
    from ipoc.core.audit_display import register_audit_object

    register_queue((Role.PLATFORM_ADMIN,), admin_imports, order=20)
    register_home_card((Role.PLATFORM_ADMIN,), admin_patents_card, order=20)
    register_organization_figure(organization_patents, order=10)
    register_audit_object("patents.patent", url_name="patent_detail", label=lambda p: patent_label(p)[0])
    register_audit_object("patents.importbatch", url_name="patent_import_report", label=lambda b: b.file_name)
