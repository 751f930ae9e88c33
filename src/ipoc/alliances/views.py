"""Pages of 创新联合体: the list, a consortium's page with tabs (概况与协议, 成员, 联合攻关, 共享专利, 共同保护,
大手拉小手), a joint project's page, and the forms — each offered only to who may use it."""

from __future__ import annotations

from decimal import Decimal

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from ipoc.alliances import rules, selectors, services
from ipoc.alliances.filtersets import ConsortiumFilterSet
from ipoc.alliances.forms import (
    AgreementFileForm,
    AgreementForm,
    ConsortiumForm,
    JointPatentForm,
    LeaveForm,
    MemberForm,
    MilestoneDoneForm,
    MilestoneForm,
    ProjectForm,
    ProtectionForm,
    ProtectionUpdateForm,
    SharedPatentForm,
    SmeServiceForm,
)
from ipoc.alliances.models import ConsortiumAgreement, ConsortiumStatus
from ipoc.alliances.tables import ConsortiumTable
from ipoc.core.display import money_text
from ipoc.core.errors import ApplicationError, PermissionDenied
from ipoc.core.models import Role
from ipoc.core.pickers import set_picker_querysets
from ipoc.core.tables import render_table
from ipoc.core.ui import handle_application_error


def _may_create(user) -> bool:
    return user.is_platform_admin or user.role == Role.CENTER_STAFF


def form_errors(form, exc: ApplicationError) -> None:
    """A service error under its field (each field a model validation names gets its message)."""
    errors = (exc.extra or {}).get("errors") or {}
    placed = False
    for field, messages_ in errors.items():
        if field in form.fields:
            for message in messages_:
                form.add_error(field, message)
            placed = True
    if not placed:
        handle_application_error(form, exc)


# ---------------------------------------------------------------- list


@login_required
def consortium_list(request):
    base = selectors.with_counts(selectors.consortium_list(user=request.user))
    filterset = ConsortiumFilterSet(request.GET or None, queryset=base, request=request)
    qs = selectors.with_counts(filterset.qs) if filterset.is_bound and filterset.is_valid() else base
    table = ConsortiumTable(qs, request=request)
    return render_table(request, table, "alliances/consortium_list.html", {
        "filterset": filterset, "can_create": _may_create(request.user)})


# ---------------------------------------------------------------- one consortium

TABS = (
    ("overview", gettext_lazy("概况与协议"), "info-circle"),
    ("members", gettext_lazy("成员"), "users"),
    ("projects", gettext_lazy("联合攻关"), "flask"),
    ("patents", gettext_lazy("共享专利"), "file-certificate"),
    ("protection", gettext_lazy("共同保护"), "shield-check"),
    ("sme", gettext_lazy("大手拉小手"), "heart-handshake"),
)


@login_required
def consortium_detail(request, pk: int):
    user = request.user
    consortium = selectors.consortium_get(user=user, pk=pk)
    tab = request.GET.get("tab", "overview")
    if tab not in {t[0] for t in TABS}:
        tab = "overview"
    manage = services.may_manage(user, consortium)
    agreement = ConsortiumAgreement.objects.filter(consortium=consortium).first()
    current = list(selectors.members(consortium, current=True))
    former = list(selectors.members(consortium, current=False))
    ctx = {
        "consortium": consortium, "tab": tab, "tabs": TABS, "manage": manage,
        "contribute": services.may_contribute(user, consortium),
        "is_open": consortium.status != ConsortiumStatus.DISSOLVED,
        "agreement": agreement, "current_members": current, "former_members": former,
        "counts": {"members": len(current), "projects": consortium.projects.count(),
                   "patents": consortium.shared_patents.filter(withdrawn_on__isnull=True).count(),
                   "protection": consortium.protection_actions.count(), "sme": consortium.sme_services.count()},
        "rules": rules.RULES,
    }
    if tab == "overview":
        ctx["role_counts"] = _role_counts(current)
    elif tab == "members":
        ctx["leave_form"] = LeaveForm() if manage else None
    elif tab == "projects":
        projects = list(selectors.projects(consortium))
        for p in projects:
            p.budget_text = money_text(p.budget)
        ctx["projects"] = projects
        ctx["budget_total"] = money_text(sum((p.budget for p in projects), Decimal("0"))) if projects else "—"
    elif tab == "patents":
        ctx["shared"] = list(selectors.shared_patents(consortium))
        ctx["ledger"] = selectors.contribution_ledger(consortium)
        ctx["joint"] = [jp for p in selectors.projects(consortium) for jp in p.joint_patents.all()]
    elif tab == "protection":
        actions = list(selectors.protection_actions(consortium))
        for a in actions:
            a.budget_text = money_text(a.budget)
            a.update_form = ProtectionUpdateForm(initial={"status": a.status, "outcome": a.outcome},
                                                 auto_id=f"id_p{a.pk}_%s") if manage else None
        ctx["actions"] = actions
    elif tab == "sme":
        services_ = list(selectors.sme_services(consortium))
        ctx["services"] = services_
        ctx["smes_served"] = len({s.sme_id for s in services_})
        by_year: dict[int, set] = {}
        for s in services_:
            by_year.setdefault(s.served_on.year, set()).add(s.sme_id)
        ctx["smes_by_year"] = [(y, len(ids)) for y, ids in sorted(by_year.items(), reverse=True)]
    return render(request, "alliances/consortium_detail.html", ctx)


def _role_counts(members) -> list[dict]:
    from ipoc.alliances.models import MemberRole

    counts: dict[str, int] = {}
    for m in members:
        counts[m.role] = counts.get(m.role, 0) + 1
    return [{"role": code, "label": label, "count": counts.get(code, 0)} for code, label in MemberRole.choices]


def _tab_url(consortium_id: int, tab: str) -> str:
    return reverse("consortium_detail", args=[consortium_id]) + f"?tab={tab}"


def _form_page(request, form, *, title: str, consortium=None, back: str = "", multipart: bool = False,
               note: str = "", testid: str = "alliance-form"):
    return render(request, "alliances/form.html", {"form": form, "title": title, "consortium": consortium,
                                                   "back": back, "multipart": multipart, "note": note,
                                                   "testid": testid})


@login_required
def consortium_create(request):
    user = request.user
    if not _may_create(user):
        raise PermissionDenied(_("只有运营中心工作人员可以组建创新联合体"))
    form = ConsortiumForm(request.POST or None)
    set_picker_querysets(form, user)
    if not user.is_platform_admin:
        del form.fields["center"]
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            consortium = services.consortium_create(
                actor=user, name=d["name"], industry=d["industry"], lead=d.get("lead"),
                established_on=d.get("established_on"), center=d.get("center"), status=d["status"],
                goal=d.get("goal", ""))
            messages.success(request, _("创新联合体已组建：%(n)s") % {"n": consortium.name})
            return redirect("consortium_detail", pk=consortium.pk)
        except ApplicationError as exc:
            form_errors(form, exc)
    return _form_page(request, form, title=_("组建创新联合体"), back=reverse("consortium_list"),
                      note=str(rules.LEAD_RULE_SOURCE), testid="consortium-form")


@login_required
def consortium_edit(request, pk: int):
    consortium = selectors.consortium_get(user=request.user, pk=pk)
    services.require_manager(request.user, consortium)
    form = ConsortiumForm(request.POST or None, instance=consortium, editing=True)
    if request.method == "POST" and form.is_valid():
        try:
            consortium.refresh_from_db()
            services.consortium_update(actor=request.user, consortium=consortium, data=form.cleaned_data)
            messages.success(request, _("联合体已保存"))
            return redirect("consortium_detail", pk=pk)
        except ApplicationError as exc:
            form_errors(form, exc)
    return _form_page(request, form, title=_("修改联合体"), consortium=consortium,
                      back=reverse("consortium_detail", args=[pk]), testid="consortium-form")


# ---------------------------------------------------------------- members


@login_required
def member_add(request, pk: int):
    consortium = selectors.consortium_get(user=request.user, pk=pk)
    services.require_manager(request.user, consortium)
    form = MemberForm(request.POST or None)
    set_picker_querysets(form, request.user)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            member = services.member_add(actor=request.user, consortium=consortium, organization=d["organization"],
                                         role=d["role"], joined_on=d.get("joined_on"), note=d.get("note", ""))
            messages.success(request, _("已加入成员：%(o)s（%(r)s）") % {"o": member.organization.name,
                                                                       "r": member.get_role_display()})
            return redirect(_tab_url(pk, "members"))
        except ApplicationError as exc:
            form_errors(form, exc)
    return _form_page(request, form, title=_("加入成员"), consortium=consortium, back=_tab_url(pk, "members"),
                      note=str(rules.ROLE_RULE_SOURCE), testid="member-form")


@login_required
@require_POST
def member_leave(request, pk: int):
    member = selectors.member_get(user=request.user, pk=pk)
    services.require_manager(request.user, member.consortium)
    form = LeaveForm(request.POST)
    if form.is_valid():
        try:
            services.member_leave(actor=request.user, member=member, left_on=form.cleaned_data.get("left_on"),
                                  reason=form.cleaned_data.get("reason", ""))
            messages.success(request, _("已登记退出：%(o)s") % {"o": member.organization.name})
        except ApplicationError as exc:
            messages.error(request, exc.message)
    else:
        messages.error(request, _("退出日期无效"))
    return redirect(_tab_url(member.consortium_id, "members"))


@login_required
def member_record(request, pk: int):
    """A membership (a record behind the report's 成员单位数) opens the consortium's members tab."""
    member = selectors.member_get(user=request.user, pk=pk)
    return redirect(_tab_url(member.consortium_id, "members"))


# ---------------------------------------------------------------- agreement


@login_required
def agreement_edit(request, pk: int):
    consortium = selectors.consortium_get(user=request.user, pk=pk)
    services.require_manager(request.user, consortium)
    agreement = ConsortiumAgreement.objects.filter(consortium=consortium).first()
    form = AgreementForm(request.POST or None, instance=agreement)
    if request.method == "POST" and form.is_valid():
        try:
            services.agreement_save(actor=request.user, consortium=consortium, data=form.cleaned_data)
            messages.success(request, _("协议条款已保存"))
            return redirect("consortium_detail", pk=pk)
        except ApplicationError as exc:
            form_errors(form, exc)
    return _form_page(request, form, title=_("联合体协议条款"), consortium=consortium,
                      back=reverse("consortium_detail", args=[pk]), testid="agreement-form")


@login_required
def agreement_upload(request, pk: int):
    consortium = selectors.consortium_get(user=request.user, pk=pk)
    services.require_manager(request.user, consortium)
    form = AgreementFileForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.agreement_attach(actor=request.user, consortium=consortium,
                                      document=form.cleaned_data["document"])
            messages.success(request, _("协议文本已上传"))
            return redirect("consortium_detail", pk=pk)
        except ApplicationError as exc:
            form_errors(form, exc)
    return _form_page(request, form, title=_("上传协议文本"), consortium=consortium, multipart=True,
                      back=reverse("consortium_detail", args=[pk]), testid="agreement-file-form")


# ---------------------------------------------------------------- joint projects


@login_required
def project_create(request, pk: int):
    consortium = selectors.consortium_get(user=request.user, pk=pk)
    services.require_manager(request.user, consortium)
    form = ProjectForm(request.POST or None)
    set_picker_querysets(form, request.user)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            project = services.project_create(
                actor=request.user, consortium=consortium, title=d["title"], leader=d["leader"],
                participants=list(d.get("participants") or []), budget=d.get("budget"), status=d["status"],
                start_date=d.get("start_date"), end_date=d.get("end_date"), description=d.get("description", ""))
            messages.success(request, _("联合攻关项目已立项：%(t)s") % {"t": project.title})
            return redirect("joint_project_detail", pk=project.pk)
        except ApplicationError as exc:
            form_errors(form, exc)
    return _form_page(request, form, title=_("新建联合攻关项目"), consortium=consortium,
                      back=_tab_url(pk, "projects"), testid="project-form")


@login_required
def project_edit(request, pk: int):
    project = selectors.project_get(user=request.user, pk=pk)
    services.require_manager(request.user, project.consortium)
    form = ProjectForm(request.POST or None, instance=project)
    set_picker_querysets(form, request.user)
    if request.method == "POST" and form.is_valid():
        d = dict(form.cleaned_data)
        d["participants"] = list(d.get("participants") or [])
        try:
            project.refresh_from_db()
            services.project_update(actor=request.user, project=project, data=d)
            messages.success(request, _("项目已保存"))
            return redirect("joint_project_detail", pk=pk)
        except ApplicationError as exc:
            form_errors(form, exc)
    return _form_page(request, form, title=_("修改联合攻关项目"), consortium=project.consortium,
                      back=reverse("joint_project_detail", args=[pk]), testid="project-form")


def _project_page(request, project, *, milestone_form=None, patent_form=None):
    manage = services.may_manage(request.user, project.consortium)
    today = services.today()
    milestones = list(project.milestones.all())
    for m in milestones:
        m.overdue = m.done_on is None and m.due_on < today
        m.done_form = MilestoneDoneForm(auto_id=f"id_m{m.pk}_%s") if manage and m.done_on is None else None
    if manage and patent_form is None:
        patent_form = JointPatentForm()
        set_picker_querysets(patent_form, request.user)
    return render(request, "alliances/project_detail.html", {
        "project": project, "consortium": project.consortium, "manage": manage, "milestones": milestones,
        "budget_text": money_text(project.budget), "participants": list(project.participants.all()),
        "joint_patents": list(project.joint_patents.select_related("patent")),
        "milestone_form": (milestone_form or MilestoneForm()) if manage else None,
        "patent_form": patent_form if manage else None,
        "overdue": sum(1 for m in milestones if m.overdue)})


@login_required
def project_detail(request, pk: int):
    return _project_page(request, selectors.project_get(user=request.user, pk=pk))


@login_required
@require_POST
def milestone_add(request, pk: int):
    project = selectors.project_get(user=request.user, pk=pk)
    services.require_manager(request.user, project.consortium)
    form = MilestoneForm(request.POST)
    if form.is_valid():
        try:
            services.milestone_add(actor=request.user, project=project, **form.cleaned_data)
            messages.success(request, _("里程碑已添加"))
            return redirect("joint_project_detail", pk=pk)
        except ApplicationError as exc:
            form_errors(form, exc)
    return _project_page(request, project, milestone_form=form)


@login_required
@require_POST
def milestone_done(request, pk: int):
    milestone = selectors.milestone_get(user=request.user, pk=pk)
    services.require_manager(request.user, milestone.project.consortium)
    form = MilestoneDoneForm(request.POST)
    if form.is_valid():
        try:
            services.milestone_done(actor=request.user, milestone=milestone, done_on=form.cleaned_data.get("done_on"))
            messages.success(request, _("里程碑已完成：%(t)s") % {"t": milestone.title})
        except ApplicationError as exc:
            messages.error(request, exc.message)
    else:
        messages.error(request, _("完成日期无效"))
    return redirect("joint_project_detail", pk=milestone.project_id)


@login_required
@require_POST
def joint_patent_add(request, pk: int):
    project = selectors.project_get(user=request.user, pk=pk)
    services.require_manager(request.user, project.consortium)
    form = JointPatentForm(request.POST)
    set_picker_querysets(form, request.user)
    if form.is_valid():
        try:
            services.joint_patent_add(actor=request.user, project=project, **form.cleaned_data)
            messages.success(request, _("已登记联合创造专利"))
            return redirect("joint_project_detail", pk=pk)
        except ApplicationError as exc:
            form_errors(form, exc)
    return _project_page(request, project, patent_form=form)


@login_required
def joint_patent_record(request, pk: int):
    link = selectors.joint_patent_get(user=request.user, pk=pk)
    return redirect("joint_project_detail", pk=link.project_id)


# ---------------------------------------------------------------- shared patents


@login_required
def shared_patent_add(request, pk: int):
    consortium = selectors.consortium_get(user=request.user, pk=pk)
    if not services.may_contribute(request.user, consortium):
        raise PermissionDenied(_("只有联合体成员、牵头单位和组建运营中心可以纳入共享专利"))
    form = SharedPatentForm(request.POST or None)
    set_picker_querysets(form, request.user)
    if not services.may_record_for_members(request.user):
        del form.fields["contributed_by"]
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            services.shared_patent_add(actor=request.user, consortium=consortium, patent=d["patent"],
                                       contributed_by=d.get("contributed_by"),
                                       contributed_on=d.get("contributed_on"), note=d.get("note", ""))
            messages.success(request, _("专利已纳入共享清单"))
            return redirect(_tab_url(pk, "patents"))
        except ApplicationError as exc:
            form_errors(form, exc)
    return _form_page(request, form, title=_("纳入共享专利"), consortium=consortium, back=_tab_url(pk, "patents"),
                      testid="shared-patent-form")


@login_required
@require_POST
def shared_patent_withdraw(request, pk: int):
    shared = selectors.shared_patent_get(user=request.user, pk=pk)
    try:
        services.shared_patent_withdraw(actor=request.user, shared=shared)
        messages.success(request, _("专利已撤出共享清单"))
    except ApplicationError as exc:
        if exc.status == 403:
            raise
        messages.error(request, exc.message)
    return redirect(_tab_url(shared.consortium_id, "patents"))


# ---------------------------------------------------------------- protection


@login_required
def protection_create(request, pk: int):
    consortium = selectors.consortium_get(user=request.user, pk=pk)
    services.require_manager(request.user, consortium)
    members = list(selectors.members(consortium, current=True))
    form = ProtectionForm(request.POST or None, members=members)
    set_picker_querysets(form, request.user)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            services.protection_create(
                actor=request.user, consortium=consortium, kind=d["kind"], title=d["title"], target=d["target"],
                target_patent=d.get("target_patent"), patents=list(d.get("patents") or []),
                decided_on=d["decided_on"], status=d["status"], budget=d.get("budget"), shares=form.shares())
            messages.success(request, _("共同保护决定已登记"))
            return redirect(_tab_url(pk, "protection"))
        except ApplicationError as exc:
            if exc.field == "shares" and form.share_names:
                form.add_error(None, exc.message)
            else:
                form_errors(form, exc)
    return _form_page(request, form, title=_("登记共同保护决定"), consortium=consortium,
                      back=_tab_url(pk, "protection"), note=str(rules.SHARES_RULE_SOURCE),
                      testid="protection-form")


@login_required
@require_POST
def protection_update(request, pk: int):
    action = selectors.protection_get(user=request.user, pk=pk)
    services.require_manager(request.user, action.consortium)
    form = ProtectionUpdateForm(request.POST)
    if form.is_valid():
        try:
            services.protection_update(actor=request.user, action=action, **form.cleaned_data)
            messages.success(request, _("共同保护事项已更新"))
        except ApplicationError as exc:
            messages.error(request, exc.message)
    else:
        messages.error(request, _("状态无效"))
    return redirect(_tab_url(action.consortium_id, "protection"))


# ---------------------------------------------------------------- 大手拉小手


@login_required
def sme_service_create(request, pk: int):
    consortium = selectors.consortium_get(user=request.user, pk=pk)
    services.require_manager(request.user, consortium)
    form = SmeServiceForm(request.POST or None)
    set_picker_querysets(form, request.user)
    if request.method == "POST" and form.is_valid():
        try:
            services.sme_service_create(actor=request.user, consortium=consortium, **form.cleaned_data)
            messages.success(request, _("服务记录已登记"))
            return redirect(_tab_url(pk, "sme"))
        except ApplicationError as exc:
            form_errors(form, exc)
    return _form_page(request, form, title=_("登记“大手拉小手”服务"), consortium=consortium,
                      back=_tab_url(pk, "sme"), note=str(rules.SERVICE_RULE_SOURCE), testid="sme-service-form")


@login_required
def sme_service_record(request, pk: int):
    record = selectors.sme_service_get(user=request.user, pk=pk)
    return redirect(_tab_url(record.consortium_id, "sme"))
