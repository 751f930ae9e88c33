"""Reads for 创新联合体, restricted to what the user may see, and the figures the center's reports count.

Cross-app reads (CONTRACTS.md): ``consortium_patent_ids()`` and ``organization_consortia(org_id)``.
"""

from __future__ import annotations

import datetime as dt

from django.db.models import Count, Prefetch, Q, QuerySet
from django.urls import reverse
from django.utils.translation import gettext as _

from ipoc.alliances.models import (
    Consortium,
    ConsortiumMember,
    JointPatent,
    JointProject,
    Milestone,
    ProjectStatus,
    ProtectionAction,
    SharedPatent,
    SmeService,
)
from ipoc.core.errors import NotFound
from ipoc.core.models import User
from ipoc.core.permissions import VIEW, restrict


def consortium_list(*, user: User | None, q: str = "", status: str = "", center: int | None = None,
                    member: int | None = None, industry: str = "") -> QuerySet[Consortium]:
    """Consortia the user may see (``user=None``: the system, every one)."""
    qs = Consortium.objects.select_related("center", "lead")
    qs = restrict(qs, user, VIEW) if user is not None else qs
    if q:
        qs = qs.filter(Q(name__icontains=q) | Q(industry__icontains=q) | Q(lead__name__icontains=q))
    if status:
        qs = qs.filter(status=status)
    if center:
        qs = qs.filter(center=center)
    if member:
        qs = qs.filter(members__organization=member).distinct()
    if industry:
        qs = qs.filter(industry__icontains=industry)
    return qs


def with_counts(qs: QuerySet[Consortium]) -> QuerySet[Consortium]:
    """Active members, projects and shared patents counted per row (for lists)."""
    return qs.annotate(
        member_count=Count("members", filter=Q(members__left_on__isnull=True), distinct=True),
        project_count=Count("projects", distinct=True),
        shared_count=Count("shared_patents", filter=Q(shared_patents__withdrawn_on__isnull=True), distinct=True))


def consortium_get(*, user: User | None, pk: int) -> Consortium:
    consortium = consortium_list(user=user).filter(pk=pk).first()
    if consortium is None:
        raise NotFound(_("创新联合体 %(pk)s 不存在或无权查看") % {"pk": pk}, field="consortium")
    return consortium


def _sub_get(model, user: User | None, pk: int, what: str, related: tuple[str, ...], field: str = ""):
    qs = model.objects.select_related(*related)
    obj = (restrict(qs, user, VIEW) if user is not None else qs).filter(pk=pk).first()
    if obj is None:
        raise NotFound(_("%(w)s %(pk)s 不存在或无权查看") % {"w": what, "pk": pk}, field=field or model._meta.model_name)
    return obj


def member_get(*, user: User | None, pk: int) -> ConsortiumMember:
    return _sub_get(ConsortiumMember, user, pk, _("联合体成员"), ("consortium", "organization"), field="member_id")


def project_get(*, user: User | None, pk: int) -> JointProject:
    return _sub_get(JointProject, user, pk, _("联合攻关项目"), ("consortium", "consortium__center", "leader"), field="project_id")


def milestone_get(*, user: User | None, pk: int) -> Milestone:
    return _sub_get(Milestone, user, pk, _("项目里程碑"), ("project", "project__consortium"), field="milestone_id")


def joint_patent_get(*, user: User | None, pk: int) -> JointPatent:
    return _sub_get(JointPatent, user, pk, _("联合创造专利"), ("project", "patent"), field="joint_patent_id")


def shared_patent_get(*, user: User | None, pk: int) -> SharedPatent:
    return _sub_get(SharedPatent, user, pk, _("共享专利"), ("consortium", "patent", "contributed_by"), field="shared_id")


def protection_get(*, user: User | None, pk: int) -> ProtectionAction:
    return _sub_get(ProtectionAction, user, pk, _("共同保护决定"), ("consortium", "target_patent"), field="protection_id")


def sme_service_get(*, user: User | None, pk: int) -> SmeService:
    return _sub_get(SmeService, user, pk, _("服务记录"), ("consortium", "provider", "sme"), field="sme_service_id")


# ---------------------------------------------------------------- one consortium's parts


def members(consortium: Consortium, *, current: bool | None = None) -> QuerySet[ConsortiumMember]:
    qs = consortium.members.select_related("organization").order_by("left_on", "joined_on", "id")
    if current is True:
        qs = qs.filter(left_on__isnull=True)
    elif current is False:
        qs = qs.filter(left_on__isnull=False)
    return qs


def projects(consortium: Consortium) -> QuerySet[JointProject]:
    return (consortium.projects.select_related("leader")
            .prefetch_related("participants", Prefetch("milestones", queryset=Milestone.objects.order_by("due_on")),
                              Prefetch("joint_patents", queryset=JointPatent.objects.select_related("patent")))
            .order_by("-start_date", "-id"))


def shared_patents(consortium: Consortium) -> QuerySet[SharedPatent]:
    return consortium.shared_patents.select_related("patent", "contributed_by", "recorded_by").order_by(
        "withdrawn_on", "contributed_on", "id")


def protection_actions(consortium: Consortium) -> QuerySet[ProtectionAction]:
    return (consortium.protection_actions.select_related("target_patent")
            .prefetch_related("patents", Prefetch("shares", queryset=_shares_qs())))


def _shares_qs():
    from ipoc.alliances.models import ProtectionShare

    return ProtectionShare.objects.select_related("organization")


def sme_services(consortium: Consortium) -> QuerySet[SmeService]:
    return consortium.sme_services.select_related("provider", "sme")


def contribution_ledger(consortium: Consortium) -> list[dict]:
    """Per contributing member: how many patents it brought, how many are still on the list, first and last date."""
    rows: dict[int, dict] = {}
    for s in shared_patents(consortium):
        r = rows.setdefault(s.contributed_by_id, {"organization": s.contributed_by, "brought": 0, "current": 0,
                                                  "first": s.contributed_on, "last": s.contributed_on})
        r["brought"] += 1
        r["current"] += s.withdrawn_on is None
        r["first"] = min(r["first"], s.contributed_on)
        r["last"] = max(r["last"], s.contributed_on)
    return sorted(rows.values(), key=lambda r: (-r["current"], -r["brought"], r["organization"].name))


def milestones_due(*, user: User, within_days: int = 30, today: dt.date | None = None) -> QuerySet[Milestone]:
    """Open milestones (not done) of projects the user may manage, overdue or due within ``within_days``, of
    consortia not dissolved and projects not closed; the earliest first."""
    from ipoc.alliances import services

    today = today or services.today()
    qs = restrict(Milestone.objects.select_related("project", "project__consortium"), user, VIEW)
    qs = qs.filter(done_on__isnull=True, due_on__lte=today + dt.timedelta(days=within_days),
                   project__status__in=(ProjectStatus.PLANNED, ProjectStatus.ONGOING)).exclude(
        project__consortium__status="dissolved")
    if not user.is_platform_admin:
        qs = qs.filter(Q(project__consortium__center=user.organization_id)
                       | Q(project__consortium__lead=user.organization_id))
    return qs.order_by("due_on", "id")


# ---------------------------------------------------------------- figures for the center's reports (system-wide)


def _year_bounds(year: int) -> tuple[dt.date, dt.date]:
    return dt.date(year, 1, 1), dt.date(year, 12, 31)


def counted_members(center_org_id: int, year: int) -> QuerySet[ConsortiumMember]:
    """Memberships in the center's consortia in force at some time in the year (joined by 31 Dec, not left
    before 1 Jan)."""
    start, end = _year_bounds(year)
    return (ConsortiumMember.objects.filter(consortium__center_id=center_org_id, joined_on__lte=end)
            .filter(Q(left_on__isnull=True) | Q(left_on__gte=start)).order_by("pk"))


def counted_projects(center_org_id: int, year: int) -> QuerySet[JointProject]:
    """Joint projects of the center's consortia under way in the year (started by 31 Dec, planned end not before
    1 Jan or open) and not 已终止."""
    start, end = _year_bounds(year)
    return (JointProject.objects.filter(consortium__center_id=center_org_id, start_date__lte=end)
            .filter(Q(end_date__isnull=True) | Q(end_date__gte=start))
            .exclude(status=ProjectStatus.CANCELLED).order_by("pk"))


def counted_joint_patents(center_org_id: int, year: int) -> QuerySet[JointPatent]:
    """Patents produced by the center's joint projects (not 已终止) whose application date is in the year — or,
    when the platform does not know the application date, whose link was recorded (登记日期) in the year."""
    from django.db.models.functions import Coalesce

    start, end = _year_bounds(year)
    return (JointPatent.objects.filter(project__consortium__center_id=center_org_id)
            .annotate(counted_on=Coalesce("patent__application_date", "recorded_on"))
            .filter(counted_on__gte=start, counted_on__lte=end)
            .exclude(project__status=ProjectStatus.CANCELLED).order_by("pk"))


def counted_sme_services(center_org_id: int, year: int) -> QuerySet[SmeService]:
    """大手拉小手 service records of the center's consortia dated in the year."""
    start, end = _year_bounds(year)
    return SmeService.objects.filter(consortium__center_id=center_org_id, served_on__gte=start,
                                     served_on__lte=end).order_by("pk")


def smes_served_ids(center_org_id: int, year: int) -> list[int]:
    """Distinct SMEs served through the center's consortia in the year (for 服务中小企业)."""
    return sorted(set(counted_sme_services(center_org_id, year).values_list("sme_id", flat=True)))


def figures(center_org_id: int, year: int) -> dict[str, dict]:
    """The four consortium figures of a center's year, each {value, unit, refs}; refs are (model, pk) pairs."""
    members_ = list(counted_members(center_org_id, year).values_list("pk", "organization_id"))
    member_orgs = sorted({o for _pk, o in members_})
    project_ids = list(counted_projects(center_org_id, year).values_list("pk", flat=True))
    joint = list(counted_joint_patents(center_org_id, year).values_list("pk", "patent_id"))
    patent_ids = sorted({p for _pk, p in joint})
    services_ = list(counted_sme_services(center_org_id, year).values_list("pk", "sme_id"))
    sme_ids = sorted({s for _pk, s in services_})
    return {
        "members": {"value": len(member_orgs), "unit": "家",
                    "refs": [("core.organization", o) for o in member_orgs]
                    + [("alliances.consortiummember", pk) for pk, _o in members_]},
        "joint_projects": {"value": len(project_ids), "unit": "个",
                           "refs": [("alliances.jointproject", pk) for pk in project_ids]},
        "joint_patents": {"value": len(patent_ids), "unit": "件",
                          "refs": [("patents.patent", p) for p in patent_ids]
                          + [("alliances.jointpatent", pk) for pk, _p in joint]},
        "smes_served": {"value": len(sme_ids), "unit": "家",
                        "refs": [("core.organization", s) for s in sme_ids]
                        + [("alliances.smeservice", pk) for pk, _s in services_]},
    }


def center_for_kpi(*, user: User | None, pk: int):
    """The registered center (centers.Center) by id; ``user=None`` is the system (CLI)."""
    from ipoc.centers import selectors as center_selectors

    if user is None:
        center = center_selectors.center_list_system().filter(pk=pk).first()
        if center is None:
            raise NotFound(_("运营中心 %(pk)s 不存在") % {"pk": pk}, field="center")
        return center
    return center_selectors.center_get(user=user, pk=pk)


def kpi_lines(center, year: int) -> list[dict]:
    """The center's four consortium lines as the annual report computes them (the registered providers)."""
    from ipoc.centers import kpi

    return [kpi.figure_line(code, center, year, "collaboration") for code in (
        kpi.CONSORTIUM_MEMBERS, kpi.CONSORTIUM_JOINT_PROJECTS, kpi.CONSORTIUM_JOINT_PATENTS,
        kpi.CONSORTIUM_SMES_SERVED)]


# ---------------------------------------------------------------- cross-app reads (CONTRACTS.md)


def consortium_patent_ids() -> set[int]:
    """Patents on a consortium's shared list now (not withdrawn) or produced by a joint project."""
    shared = SharedPatent.objects.filter(withdrawn_on__isnull=True).values_list("patent_id", flat=True)
    joint = JointPatent.objects.values_list("patent_id", flat=True)
    return set(shared) | set(joint)


def organization_consortia(org_id: int) -> list[dict]:
    """The consortia the organisation is a member of (now or before), with its role: [{id, name, url, role,
    role_label, lead, current}]."""
    rows = (ConsortiumMember.objects.filter(organization_id=org_id).select_related("consortium")
            .order_by("consortium__name", "-joined_on"))
    out: dict[int, dict] = {}
    for m in rows:
        if m.consortium_id in out:
            continue
        out[m.consortium_id] = {"id": m.consortium_id, "name": m.consortium.name,
                                "url": reverse("consortium_detail", args=[m.consortium_id]), "role": m.role,
                                "role_label": str(m.get_role_display()),
                                "lead": m.consortium.lead_id == org_id, "current": m.left_on is None}
    return list(out.values())
