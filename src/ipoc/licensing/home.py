"""What the licensing app puts on home pages: pushes of open licences to an enterprise (SMEs first), the
patentee's drafts and licences to 备案, overdue royalties. Registered once from ``LicensingConfig.ready``."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from ipoc.core.home import item, queue, register_home_card, register_queue
from ipoc.core.models import Role
from ipoc.licensing import selectors
from ipoc.licensing.models import DeclarationStatus


def enterprise_pushes(user):
    """开放许可专利推荐 to the enterprise, with why."""
    if user.role != Role.ENTERPRISE_USER or not user.organization_id:
        return None
    qs = selectors.pushes_for(user=user, organization_id=user.organization_id)
    return queue(_("开放许可专利推荐"), qs, lambda p: item(
        p.declaration.patent.title[:60], reverse("licensing_public_detail", args=[p.declaration_id]),
        detail=p.explanation[:120], badge=_("开放许可"), colour="green"),
        url=reverse("licensing_home"), icon="license", empty=_("暂无推荐"))


def patentee_work(user):
    """Declarations still to file or announce, and licences not yet 备案."""
    if user.role not in (Role.INSTITUTION_USER, Role.ENTERPRISE_USER, Role.CENTER_STAFF) or not user.organization_id:
        return None
    qs = selectors.declaration_list(user=user, mine=True).filter(
        status__in=(DeclarationStatus.DRAFT, DeclarationStatus.FILED)).order_by("-created_at")
    return queue(_("待办的开放许可声明"), qs, lambda d: item(
        str(d), reverse("licensing_declaration_detail", args=[d.pk]),
        detail=d.patent.title[:60], badge=d.get_status_display(), colour="yellow"),
        url=reverse("licensing_declaration_list"), icon="license", empty=_("暂无待办声明"))


def licences_card(user):
    if not user.organization_id or user.role not in (Role.INSTITUTION_USER, Role.ENTERPRISE_USER,
                                                       Role.CENTER_STAFF):
        return None
    qs = selectors.licence_list(user=user, mine=True)
    return {"title": _("开放许可"), "value": qs.count(), "url": reverse("licensing_licence_list"),
            "icon": "license", "hint": _("达成的许可，待备案 %(n)s 项") % {"n": qs.filter(filed_on__isnull=True).count()}}


def register() -> None:
    from ipoc.core.audit_display import register_audit_object

    register_queue((Role.ENTERPRISE_USER,), enterprise_pushes, order=45)
    register_queue((Role.INSTITUTION_USER, Role.ENTERPRISE_USER, Role.CENTER_STAFF), patentee_work, order=46)
    register_home_card((Role.INSTITUTION_USER, Role.ENTERPRISE_USER, Role.CENTER_STAFF), licences_card, order=45)
    register_audit_object("licensing.openlicencedeclaration", url_name="licensing_declaration_detail")
    register_audit_object("licensing.openlicence", url_name="licensing_licence_detail")
    register_audit_object("licensing.patentpledge", url_name="licensing_pledge_detail")
