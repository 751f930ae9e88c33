"""Pages for the home dashboards, organisations, the audit log and job progress. Thin: parse, call, render."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _

from ipoc.core import selectors, services
from ipoc.core.errors import ApplicationError
from ipoc.core.forms import OrganizationForm
from ipoc.core.models import Role
from ipoc.core.pagination import CountedPaginator
from ipoc.core.permissions import CHANGE, can, require
from ipoc.core.tables import render_table
from ipoc.core.ui import handle_application_error

HOME_TEMPLATES = {
    Role.PLATFORM_ADMIN: "core/home/platform_admin.html",
    Role.OFFICE_STAFF: "core/home/office_staff.html",
    Role.CENTER_STAFF: "core/home/center_staff.html",
    Role.ENTERPRISE_USER: "core/home/enterprise_user.html",
    Role.INSTITUTION_USER: "core/home/institution_user.html",
    Role.EXPERT: "core/home/expert.html",
}

def csrf_failure(request, reason=""):
    """The CSRF failure page inside the layout, in plain words (Django's default is an English debug page)."""
    return render(request, "403_csrf.html", {"status_code": 403}, status=403)


def help_index(request):
    """用户操作手册: the guide of the reader's role first, every role's guide listed."""
    from ipoc.core.help import guides_for

    role = "" if not request.user.is_authenticated else (
        Role.PLATFORM_ADMIN if request.user.is_platform_admin else request.user.role)
    return render(request, "core/help/index.html", {"guides": guides_for(role), "role": role})


def help_page(request, slug: str):
    from django.http import Http404

    from ipoc.core.help import GUIDES

    guide = GUIDES.get(slug)
    if guide is None:
        raise Http404
    return render(request, f"core/help/{slug}.html", {"guide": guide, "guides": list(GUIDES.values())})


def _role(user) -> str:
    return Role.PLATFORM_ADMIN if user.is_platform_admin else user.role


@login_required
def home(request):
    """The role's work queue: what waits for this user (with deadlines) and a few key figures."""
    from ipoc.core.home import home_context

    role = _role(request.user)
    return render(request, HOME_TEMPLATES[role], home_context(request.user, role))


@login_required
def organization_list(request):
    from ipoc.core.filtersets import OrganizationFilterSet, OrganizationTable

    filterset = OrganizationFilterSet(request.GET, request=request)
    qs = filterset.qs if filterset.is_valid() else selectors.organization_list(user=request.user)
    table = OrganizationTable(qs, request=request)
    return render_table(request, table, "core/organization_list.html", {"filterset": filterset})


def source_label(source: str) -> str:
    """Where a record came from, in words (never the stored key such as ``demo:sample-applicants``)."""
    source = (source or "").strip()
    if not source or source == "manual":
        return _("手工登记")
    if source == "demo" or source.startswith("demo:"):
        return _("演示数据")
    if source.startswith("import:"):
        name = source.split(":", 1)[1].strip()
        return _("批量导入（%(f)s）") % {"f": name} if name else _("批量导入")
    if source in ("api",):
        return _("接口登记")
    return _("其他来源")


@login_required
def organization_detail(request, pk: int):
    from ipoc.core.home import organization_figures
    from ipoc.core.validators import region_name

    org = selectors.organization_get(user=request.user, pk=pk)
    own = request.user.is_platform_admin or request.user.organization_id == org.pk
    members = list(org.users.filter(is_active=True).order_by("role", "username")) if own else []
    history = []
    if request.user.is_platform_admin:
        from ipoc.core.audit_display import audit_rows

        history = audit_rows(selectors.audit_list(user=request.user, model="organization",
                                                  object_id=str(org.pk))[:10])
    return render(request, "core/organization_detail.html", {
        "org": org, "can_change": can(request.user, CHANGE, org),
        "region": (region_name(org.region_code) or org.region_code) if org.region_code else "",
        "source": source_label(org.source), "figures": organization_figures(request.user, org),
        "member_count": org.users.filter(is_active=True).count(), "members": members, "own": own,
        "show_contacts": selectors.organization_contacts_visible(user=request.user, organization=org),
        "history": history,
        "audit_url": reverse("audit_list") + f"?model=organization&object_id={org.pk}",
    })


@login_required
def organization_edit(request, pk: int):
    org = selectors.organization_get(user=request.user, pk=pk)
    require(request.user, CHANGE, org)  # an edit page one cannot use is refused outright
    form = OrganizationForm(request.POST or None, instance=org, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            data = {k: v for k, v in form.cleaned_data.items()}
            org.refresh_from_db()
            services.organization_update(actor=request.user, organization=org, data=data)
            messages.success(request, _("已保存“%(name)s”的修改") % {"name": org.name})
            return redirect("organization_detail", pk=org.pk)
        except ApplicationError as exc:
            handle_application_error(form, exc)
    return render(request, "core/organization_form.html", {"form": form, "org": org})


@login_required
def audit_list(request):
    """审计日志: each entry as time, who, what, which record (linked) and 字段: 旧值 → 新值."""
    from ipoc.core.audit_display import audit_rows
    from ipoc.core.filtersets import AuditFilterForm

    form = AuditFilterForm(request.GET)
    data = form.cleaned_data if form.is_valid() else {}
    qs = selectors.audit_list(user=request.user, actor=(data.get("actor") or "").strip(),
                              model=data.get("model") or "", object_id=(data.get("object_id") or "").strip(),
                              action=data.get("action") or "")
    page = CountedPaginator(qs.select_related("actor", "content_type"), 30).get_page(request.GET.get("page"))
    return render(request, "core/audit_list.html", {"page": page, "rows": audit_rows(page.object_list),
                                                    "form": form})


@login_required
def job_detail(request, pk: int):
    from ipoc.core.job_views import job_detail_context

    job = selectors.job_get(user=request.user, pk=pk)
    template = "core/_job_progress.html" if request.htmx else "core/job_detail.html"
    return render(request, template, job_detail_context(request, job))


@login_required
def notification_list(request):
    """站内消息: unread first marked, one button per message and one for all."""
    if request.method == "POST":
        if request.POST.get("all"):
            ids = list(selectors.notification_list(user=request.user, unread=True).values_list("pk", flat=True))
        else:
            ids = [int(i) for i in request.POST.getlist("id") if str(i).isdecimal()]
        done = services.notification_mark_read(user=request.user, ids=ids)
        target = request.POST.get("next", "")
        if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()},
                                                      require_https=request.is_secure()):
            return redirect(target)  # 查看: the message is read where it points
        if done:
            messages.success(request, _("已将 %(n)s 条消息标为已读") % {"n": done})
        else:
            messages.info(request, _("没有需要标为已读的消息"))
        return redirect(request.get_full_path())
    unread_only = request.GET.get("unread") == "1"
    qs = selectors.notification_list(user=request.user, unread=unread_only)
    page = CountedPaginator(qs, 30).get_page(request.GET.get("page"))
    return render(request, "core/notification_list.html", {
        "page": page, "unread_only": unread_only,
        "unread_total": selectors.notification_list(user=request.user, unread=True).count()})
