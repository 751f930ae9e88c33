from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from ipoc.core.jobs import job_start_background
from ipoc.core.models import Role
from ipoc.demands import selectors as demand_selectors
from ipoc.matching import selectors, services


@login_required
def match_home(request):
    user = request.user
    demands = demand_selectors.demand_list(user=user, mine=True).filter(status__in=demand_selectors.OPEN_STATUSES)
    return render(request, "matching/home.html", {"demands": demands[:200], "is_center": user.role == Role.CENTER_STAFF})


@login_required
def demand_matches(request, pk: int):
    demand = demand_selectors.demand_get(user=request.user, pk=pk)
    if request.method == "POST":
        services.demand_match(actor=request.user, demand=demand)
        return redirect("match_demand", pk=pk)
    matches = selectors.demand_matches(user=request.user, demand_id=pk)
    return render(request, "matching/demand_matches.html", {
        "demand": demand, "matches": matches, "tags": selectors.demand_chain_tags(demand_id=pk),
        "nodes": selectors.chain_nodes(user=request.user, center_id=demand.center_id) if demand.center_id else [],
        "can_decide": request.user.role == Role.CENTER_STAFF and request.user.organization_id == demand.center_id})


@login_required
@require_POST
def match_decide(request, pk: int):
    match = selectors.match_get(user=request.user, pk=pk)
    services.match_decide(actor=request.user, match=match, confirm=request.POST.get("decision") == "confirm",
                          reason=request.POST.get("reason", ""))
    return redirect("match_demand", pk=match.demand_id)


@login_required
@require_POST
def batch_start(request):
    job = services.match_batch_start(actor=request.user, center=request.user.organization)
    job_start_background(job)
    return redirect("job_detail", pk=job.pk)


@login_required
def run_detail(request, pk: int):
    run = selectors.run_get(user=request.user, pk=pk)
    if request.GET.get("format") == "xlsx":
        from ipoc.matching.export import run_xlsx

        response = HttpResponse(run_xlsx(run),
                                content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
        response["Content-Disposition"] = f'attachment; filename="matching-run-{run.pk}.xlsx"'
        return response
    return render(request, "matching/run_detail.html", {"run": run, "matches": selectors.run_matches(run)[:500]})


@login_required
@require_POST
def demand_chain_tag(request, pk: int):
    demand = demand_selectors.demand_get(user=request.user, pk=pk)
    node = selectors.chain_nodes(user=request.user, center_id=demand.center_id).get(pk=request.POST["node"])
    services.demand_chain_tag_set(actor=request.user, demand=demand, node=node,
                                  include=request.POST.get("include") == "1")
    return redirect("match_demand", pk=pk)


@login_required
def chain_map(request):
    """A center's 产业链图谱: nodes by chain position, and a form to add one (center staff)."""
    from ipoc.core.errors import ApplicationError
    from ipoc.core.ui import handle_application_error
    from ipoc.matching.forms import ChainNodeForm

    center_id = request.GET.get("center") or request.user.organization_id
    form = ChainNodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.chain_node_create(actor=request.user, center=request.user.organization, **form.service_data())
            return redirect("match_chain")
        except ApplicationError as exc:
            handle_application_error(form, exc)
    nodes = selectors.chain_nodes(user=request.user, center_id=center_id) if center_id else []
    return render(request, "matching/chain_map.html", {"nodes": nodes, "form": form,
                                                        "can_edit": request.user.role == Role.CENTER_STAFF})


@login_required
def listings(request):
    """挂牌: active listings, and a form to list a patent (holders and center staff)."""
    from ipoc.core import selectors as core_selectors
    from ipoc.core.errors import ApplicationError
    from ipoc.core.ui import handle_application_error
    from ipoc.matching.forms import ListingForm
    from ipoc.patents import selectors as patent_selectors

    form = ListingForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            patent = patent_selectors.patent_get(user=request.user, key_or_number=data["patent"])
            holder = (core_selectors.organization_get(user=request.user, pk=data["holder"]) if data.get("holder")
                      else request.user.organization)
            services.listing_create(actor=request.user, patent_id=patent.pk, holder=holder, modes=data["modes"],
                                    asking_price=data.get("asking_price"), terms=data.get("terms", ""),
                                    open_license=data.get("open_license", False))
            return redirect("match_listings")
        except ApplicationError as exc:
            handle_application_error(form, exc)
    return render(request, "matching/listings.html",
                  {"form": form, "listings": selectors.listing_list(user=request.user)[:300]})
