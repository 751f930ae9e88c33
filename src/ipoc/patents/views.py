from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render

from ipoc.core.errors import ApplicationError
from ipoc.core.jobs import job_start_background
from ipoc.core.ui import handle_application_error
from ipoc.core.uploads import save_upload
from ipoc.patents import export, selectors, services
from ipoc.patents.forms import ImportForm, PatentFilterForm


def _filtered(request):
    form = PatentFilterForm(request.GET or None)
    data = form.cleaned_data if form.is_valid() else {}
    filters = selectors.PatentFilters(**{k: v for k, v in data.items() if v not in ("", None)})
    return form, selectors.patent_list(user=request.user, filters=filters)


@login_required
def patent_list(request):
    form, qs = _filtered(request)
    page = Paginator(selectors.with_parties(qs), 30).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(request, "patents/patent_list.html", {"form": form, "page": page, "query": query.urlencode()})


@login_required
def patent_export(request, fmt: str):
    _form, qs = _filtered(request)
    qs = selectors.with_parties(qs)[:100000]
    if fmt == "xlsx":
        response = HttpResponse(export.export_xlsx(qs),
                                content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    else:
        response = StreamingHttpResponse(export.export_csv(qs.iterator(chunk_size=1000)),
                                         content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="patents.{ "xlsx" if fmt == "xlsx" else "csv"}"'
    return response


@login_required
def patent_detail(request, ref: str):
    patent = selectors.patent_get(user=request.user, key_or_number=ref)
    data = selectors.patent_detail_dict(patent)
    return render(request, "patents/patent_detail.html", {"p": patent, "d": data})


@login_required
def import_new(request):
    form = ImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            job = services.patent_import_start(actor=request.user, path=save_upload(upload),
                                               format=form.cleaned_data["format"], file_name=upload.name)
            job_start_background(job)
            return redirect("job_detail", pk=job.pk)
        except ApplicationError as exc:
            handle_application_error(form, exc)
    batches = selectors.import_batch_list(user=request.user)[:20]
    return render(request, "patents/import_form.html", {"form": form, "batches": batches})


@login_required
def import_report(request, pk: int):
    batch = selectors.import_batch_get(user=request.user, pk=pk)
    return render(request, "patents/import_report.html",
                  {"batch": batch, "report": selectors.import_report(batch, limit=2000)})
