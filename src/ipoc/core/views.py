"""Pages for the home dashboards, organisations, the audit log and job progress. Thin: parse, call, render."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import redirect, render

from ipoc.core import selectors, services
from ipoc.core.errors import ApplicationError
from ipoc.core.forms import OrganizationForm
from ipoc.core.models import OrganizationKind, Role
from ipoc.core.navigation import HOME_CARDS
from ipoc.core.permissions import CHANGE, can, require
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


@login_required
def home(request):
    role = Role.PLATFORM_ADMIN if request.user.is_platform_admin else request.user.role
    cards = [card(request.user) for card in HOME_CARDS.get(role, [])]
    return render(request, HOME_TEMPLATES[role], {"cards": [c for c in cards if c]})


@login_required
def organization_list(request):
    qs = selectors.organization_list(user=request.user, q=request.GET.get("q", ""),
                                     kind=request.GET.get("kind", ""), region=request.GET.get("region", ""))
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    template = "core/_organization_rows.html" if request.htmx else "core/organization_list.html"
    return render(request, template, {"page": page, "kinds": OrganizationKind.choices})


@login_required
def organization_detail(request, pk: int):
    org = selectors.organization_get(user=request.user, pk=pk)
    return render(request, "core/organization_detail.html",
                  {"org": org, "can_change": can(request.user, CHANGE, org)})


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
            return redirect("organization_detail", pk=org.pk)
        except ApplicationError as exc:
            handle_application_error(form, exc)
    return render(request, "core/organization_form.html", {"form": form, "org": org})


@login_required
def audit_list(request):
    qs = selectors.audit_list(user=request.user, actor=request.GET.get("actor", ""),
                              model=request.GET.get("model", ""), object_id=request.GET.get("object_id", ""))
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    return render(request, "core/audit_list.html", {"page": page})


@login_required
def job_detail(request, pk: int):
    job = selectors.job_get(user=request.user, pk=pk)
    template = "core/_job_progress.html" if request.htmx else "core/job_detail.html"
    return render(request, template, {"job": job})


@login_required
def notification_list(request):
    if request.method == "POST":
        services.notification_mark_read(user=request.user, ids=[int(i) for i in request.POST.getlist("id")])
    items = selectors.notification_list(user=request.user)[:200]
    return render(request, "core/notification_list.html", {"items": items})
