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
        "demand": demand, "matches": matches,
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
