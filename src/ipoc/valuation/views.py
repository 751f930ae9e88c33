import json

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from ipoc.core.errors import ApplicationError
from ipoc.core.jobs import job_start_background
from ipoc.core.models import Role
from ipoc.core.ui import handle_application_error
from ipoc.patents import selectors as patent_selectors
from ipoc.valuation import selectors, services
from ipoc.valuation.export import export_run_xlsx
from ipoc.valuation.forms import RunStartForm, TreeForm
from ipoc.valuation.pdf import pdf_filename, report_pdf

RUN_ROLES = (Role.OFFICE_STAFF, Role.CENTER_STAFF)


def _may_run(user) -> bool:
    return user.is_platform_admin or user.role in RUN_ROLES


def _start(request, form):
    run, job = services.valuation_run_start(actor=request.user, scenario=form.cleaned_data["scenario"],
                                            as_of=form.cleaned_data.get("as_of"))
    job_start_background(job)
    return redirect("job_detail", pk=job.pk)


@login_required
def run_list(request):
    version = services.tree_active()
    form = RunStartForm(scenarios=version.tree.get("scenarios", {}))
    page = Paginator(selectors.valuation_run_list(user=request.user), 30).get_page(request.GET.get("page"))
    return render(request, "valuation/run_list.html", {"page": page, "form": form, "version": version,
                                                       "may_run": _may_run(request.user)})


@login_required
@require_POST
def run_start(request):
    version = services.tree_active()
    form = RunStartForm(request.POST, scenarios=version.tree.get("scenarios", {}))
    if form.is_valid():
        try:
            return _start(request, form)
        except ApplicationError as exc:
            handle_application_error(form, exc)
    page = Paginator(selectors.valuation_run_list(user=request.user), 30).get_page(1)
    return render(request, "valuation/run_list.html", {"page": page, "form": form, "version": version,
                                                       "may_run": _may_run(request.user)}, status=400)


@login_required
def run_detail(request, pk: int):
    run = selectors.valuation_run_get(user=request.user, pk=pk)
    grade = request.GET.get("grade", "")
    page = Paginator(selectors.run_valuations(user=request.user, run=run, grade=grade), 50).get_page(
        request.GET.get("page"))
    tree = selectors.tree_of(run.tree_version)
    return render(request, "valuation/run_detail.html", {
        "run": run, "page": page, "grade": grade, "scenario_label": tree.scenarios.get(run.scenario, run.scenario),
        "tree_changed": run.tree_version.digest != selectors.active_tree_digest()})


@login_required
def run_export(request, pk: int):
    run = selectors.valuation_run_get(user=request.user, pk=pk)
    data = export_run_xlsx(run, selectors.run_valuations(user=request.user, run=run))
    response = HttpResponse(data, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    response["Content-Disposition"] = f'attachment; filename="valuation-run-{run.pk}.xlsx"'
    return response


@login_required
def patent_report(request, ref: str):
    patent = patent_selectors.patent_get(user=request.user, key_or_number=ref)
    valuation = selectors.valuation_get(user=request.user, patent=patent)
    report = selectors.valuation_report(valuation)
    return render(request, "valuation/patent_report.html", {"r": report, "patent": patent,
                                                            "tree_changed": not report["run"]["tree_is_active"]})


@login_required
def patent_report_pdf(request, ref: str):
    patent = patent_selectors.patent_get(user=request.user, key_or_number=ref)
    report = selectors.valuation_report(selectors.valuation_get(user=request.user, patent=patent))
    response = HttpResponse(report_pdf(report), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{pdf_filename(report)}"'
    return response


@login_required
def tree_edit(request):
    version = services.tree_active()
    may_edit = request.user.is_platform_admin
    form = TreeForm(request.POST or None, initial={
        "tree": json.dumps(version.tree, ensure_ascii=False, indent=2)})
    if request.method == "POST" and form.is_valid():
        try:
            new = services.tree_update(actor=request.user, tree_json=form.cleaned_data["tree"],
                                       note=form.cleaned_data["note"])
            if form.cleaned_data["rescore"]:
                _run, job = services.valuation_run_start(actor=request.user)
                job_start_background(job)
                return redirect("job_detail", pk=job.pk)
            return redirect(f"{request.path}?saved={new.pk}")
        except ApplicationError as exc:
            if exc.status == 403:
                raise
            handle_application_error(form, exc)
    status = 400 if form.errors else 200
    return render(request, "valuation/tree_edit.html", {
        "form": form, "version": version, "may_edit": may_edit,
        "versions": selectors.tree_version_list(user=request.user)[:20]}, status=status)
