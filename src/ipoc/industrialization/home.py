"""What 专利产业化 puts on home pages: a center's projects still on their way to 达产, an enterprise's products
due for the yearly 备案 update (before the window opens), and how its records appear in the audit log."""

from __future__ import annotations

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ipoc.core.home import item, queue, register_queue
from ipoc.core.models import Role
from ipoc.industrialization import rules, selectors
from ipoc.industrialization.models import ProjectStage


def center_projects(user):
    if user.role != Role.CENTER_STAFF or not user.organization_id:
        return None
    qs = (selectors.project_list(user=user, center=user.organization_id)
          .exclude(stage=ProjectStage.FULL_CAPACITY).order_by("updated_at", "id"))
    return queue(_("推进中的产业化项目"), qs, lambda p: item(
        p.title, reverse("industrialization_project_detail", args=[p.pk]), detail=p.enterprise.name,
        badge=p.get_stage_display(), colour="blue"), url=reverse("industrialization_project_list"),
        icon="building-factory-2", empty=_("暂无推进中的产业化项目"))


def products_due(user):
    if user.role not in (Role.ENTERPRISE_USER, Role.CENTER_STAFF) or not user.organization_id:
        return None
    today = timezone.localdate()
    if not rules.reminder_due(today):
        return None
    year = rules.data_year_for(today)
    qs = selectors.products_due_for_update(user=user, today=today)
    return queue(_("专利密集型产品年度备案"), qs, lambda p: item(
        p.name, reverse("industrialization_product_detail", args=[p.pk]),
        detail=_("请准备 %(y)s 年度数据") % {"y": year}, due=rules.window_opens(today.year),
        due_label=_("窗口开启"), badge=_("待更新"), colour="yellow"),
        url=reverse("industrialization_product_list"), icon="certificate", empty=_("暂无需要更新的产品"))


def register() -> None:
    from ipoc.core.audit_display import register_audit_object

    register_queue((Role.CENTER_STAFF,), center_projects, order=45)
    register_queue((Role.ENTERPRISE_USER, Role.CENTER_STAFF), products_due, order=46)
    register_audit_object("industrialization.project", url_name="industrialization_project_detail")
    register_audit_object("industrialization.product", url_name="industrialization_product_detail")
    register_audit_object("industrialization.brand", url_name="industrialization_brand_detail")
