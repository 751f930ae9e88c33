"""What the alliances app puts on home pages: milestones of joint projects overdue or due within 30 days for
the organising center's staff and the lead's users, and the consortia an organisation belongs to."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from ipoc.core.home import item, queue, register_home_card, register_queue
from ipoc.core.models import Role

DUE_WITHIN_DAYS = 30


def milestones_queue(user):
    """Open milestones of the consortia the user manages, the most overdue first."""
    if user.role not in (Role.CENTER_STAFF, Role.ENTERPRISE_USER, Role.INSTITUTION_USER) or not user.organization_id:
        return None
    from ipoc.alliances import selectors

    qs = selectors.milestones_due(user=user, within_days=DUE_WITHIN_DAYS)
    if user.role != Role.CENTER_STAFF and not qs.exists():
        return None  # an enterprise or institution that leads no consortium sees no empty card
    return queue(_("联合攻关里程碑"), qs, lambda m: item(
        m.title, reverse("joint_project_detail", args=[m.project_id]),
        detail=f"{m.project.title} · {m.project.consortium.name}", due=m.due_on, due_label=_("计划完成")),
        url=reverse("consortium_list"), icon="flag", empty=_("近 30 天内没有到期的里程碑"))


def member_card(user):
    if user.role not in (Role.ENTERPRISE_USER, Role.INSTITUTION_USER) or not user.organization_id:
        return None
    from ipoc.alliances import selectors

    n = selectors.consortium_list(user=user, member=user.organization_id).count()
    if not n:
        return None
    return {"title": _("参加的创新联合体"), "value": n,
            "url": reverse("consortium_list") + f"?member={user.organization_id}", "icon": "users-group"}


def center_card(user):
    if user.role != Role.CENTER_STAFF or not user.organization_id:
        return None
    from ipoc.alliances import selectors

    qs = selectors.consortium_list(user=user, center=user.organization_id)
    return {"title": _("组建的创新联合体"), "value": qs.count(),
            "url": reverse("consortium_list") + f"?center={user.organization_id}", "icon": "users-group"}


def register() -> None:
    from ipoc.core.audit_display import register_audit_object

    register_queue((Role.CENTER_STAFF, Role.ENTERPRISE_USER, Role.INSTITUTION_USER), milestones_queue, order=55)
    register_home_card((Role.CENTER_STAFF,), center_card, order=55)
    register_home_card((Role.ENTERPRISE_USER, Role.INSTITUTION_USER), member_card, order=55)
    register_audit_object("alliances.consortium", url_name="consortium_detail")
    register_audit_object("alliances.consortiummember", url_name="consortium_member_record")
    register_audit_object("alliances.jointproject", url_name="joint_project_detail")
    register_audit_object("alliances.smeservice", url_name="sme_service_record")
    register_audit_object("alliances.jointpatent", url_name="joint_patent_record")
    # The annual report links each record behind a figure to its page.
    from ipoc.centers import kpi

    for label, name in (("alliances.consortium", "consortium_detail"),
                        ("alliances.consortiummember", "consortium_member_record"),
                        ("alliances.jointproject", "joint_project_detail"),
                        ("alliances.jointpatent", "joint_patent_record"),
                        ("alliances.smeservice", "sme_service_record")):
        kpi.register_record_page(label, name)
