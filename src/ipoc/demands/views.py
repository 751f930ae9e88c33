from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from ipoc.core.errors import ApplicationError
from ipoc.core.permissions import CHANGE, can
from ipoc.core.ui import handle_application_error
from ipoc.demands import selectors, services
from ipoc.demands.forms import DemandForm
from ipoc.demands.models import DEMAND_TRANSITIONS, DemandStatus


@login_required
def demand_list(request):
    qs = selectors.demand_list(user=request.user, q=request.GET.get("q", ""), status=request.GET.get("status", ""),
                               mine=request.GET.get("mine") == "1")
    page = Paginator(qs, 30).get_page(request.GET.get("page"))
    return render(request, "demands/demand_list.html", {"page": page, "statuses": DemandStatus.choices})


@login_required
def demand_detail(request, pk: int):
    demand = selectors.demand_get(user=request.user, pk=pk)
    moves = [(s, DemandStatus(s).label) for s in DEMAND_TRANSITIONS[demand.status]] \
        if can(request.user, CHANGE, demand) else []
    return render(request, "demands/demand_detail.html", {
        "demand": demand, "contact": selectors.demand_contact(user=request.user, demand=demand),
        "moves": moves, "changes": demand.status_changes.select_related("actor")})


@login_required
def demand_create(request):
    form = DemandForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            demand = services.demand_create(actor=request.user, **form.service_data())
            return redirect("demand_detail", pk=demand.pk)
        except ApplicationError as exc:
            handle_application_error(form, exc)
    return render(request, "demands/demand_form.html", {"form": form})


@login_required
@require_POST
def demand_transition(request, pk: int):
    demand = selectors.demand_get(user=request.user, pk=pk)
    services.demand_transition(actor=request.user, demand=demand, to_status=request.POST["to_status"],
                               reason=request.POST.get("reason", ""))
    return redirect("demand_detail", pk=pk)


@login_required
def demand_template(request):
    from django.http import HttpResponse

    from ipoc.demands.importers import template_xlsx

    response = HttpResponse(template_xlsx(),
                            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    response["Content-Disposition"] = 'attachment; filename="demand-template.xlsx"'
    return response


@login_required
def demand_import(request):
    report = None
    if request.method == "POST" and request.FILES.get("file"):
        from ipoc.core.uploads import save_upload

        report = services.demand_import(actor=request.user, path=save_upload(request.FILES["file"]))
    return render(request, "demands/demand_import.html", {"report": report})
