"""The search page: query box, filters, facets, highlighted hits linking to patent pages, CSV export."""

from __future__ import annotations

import csv
import io

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from ipoc.core.errors import ApplicationError
from ipoc.search import selectors
from ipoc.search.forms import SearchForm, _choices

PAGE_SIZE = 20
EXPORT_LIMIT = 1000
FACET_LABELS = {"ipc": gettext_noop("IPC小类"), "applicant": gettext_noop("申请人"), "year": gettext_noop("申请年"),
                "legal_status": gettext_noop("法律状态")}


def _run(request, *, limit: int, offset: int, facets: bool):
    form = SearchForm(request.GET or None)
    if form.is_bound and not form.is_valid():
        raise ApplicationError("；".join(f"{form.fields[k].label}：{' '.join(v)}" if k in form.fields else " ".join(v)
                                        for k, v in form.errors.items()))
    q = (form.cleaned_data.get("q") or "") if form.is_bound else ""
    filters = form.filters()
    page = selectors.search_patents(user=request.user, q=q, filters=filters, limit=limit, offset=offset,
                                    facets=facets)
    return form, q, filters, page


def _facet_links(request, facets: dict) -> list[dict]:
    """Each facet value as a link that adds (or, when active, removes) it as a filter."""
    keys = {"ipc": "ipc", "applicant": "applicant", "legal_status": "legal_status"}
    status_labels = {k: str(v) for k, v in _choices("Patent", "legal_status")}
    out = []
    for name, values in facets.items():
        rows = []
        for value, count in values:
            link = None
            if name in keys:
                query = request.GET.copy()
                query.pop("page", None)
                active = value in query.getlist(keys[name])
                if active:
                    query.setlist(keys[name], [v for v in query.getlist(keys[name]) if v != value])
                else:
                    query.setlist(keys[name], ([*query.getlist(keys[name]), value] if name == "legal_status"
                                               else [value]))
                link = {"url": "?" + query.urlencode(), "active": active}
            label = status_labels.get(value, value) if name == "legal_status" else value
            rows.append({"value": value, "label": label, "count": count, "link": link})
        out.append({"name": name, "label": _(FACET_LABELS.get(name, name)), "values": rows})
    return out


@login_required
def search(request):
    try:
        page_no = max(int(request.GET.get("page") or 1), 1)
    except ValueError:
        page_no = 1
    error = None
    try:
        form, q, _filters, page = _run(request, limit=PAGE_SIZE, offset=(page_no - 1) * PAGE_SIZE, facets=True)
        hits = selectors.describe_hits(page.hits)
        total, facets = page.total, _facet_links(request, page.facets)
    except ApplicationError as exc:
        form, q, hits, total, facets, error = SearchForm(request.GET or None), "", [], 0, [], exc.message
    query = request.GET.copy()
    query.pop("page", None)
    pages = (total + PAGE_SIZE - 1) // PAGE_SIZE
    return render(request, "search/search.html", {
        "form": form, "q": q, "hits": hits, "total": total, "facets": facets, "error": error,
        "query": query.urlencode(), "page_no": page_no, "has_prev": page_no > 1, "has_next": page_no < pages,
        "searched": bool(request.GET), "rebuild_required": selectors.index_rebuild_required()})


@login_required
def search_export(request):
    """The current result list (up to 1000 hits) as CSV with Chinese headers, UTF-8 with BOM."""
    _form, _q, _filters, page = _run(request, limit=EXPORT_LIMIT, offset=0, facets=False)
    rows = selectors.describe_hits(page.hits)
    buffer = io.StringIO()
    buffer.write("\ufeff")
    writer = csv.writer(buffer)
    writer.writerow(["排名", "公开（公告）号", "专利名称", "申请人", "IPC", "专利类型", "法律状态", "申请日",
                     "公开（公告）日", "得分", "命中词"])
    for r in rows:
        writer.writerow([r["rank"], r["number"], r["title"], "; ".join(r["applicants"]), "; ".join(r["ipc"]),
                         r["patent_type"], r["legal_status"], r["application_date"] or "",
                         r["publication_date"] or "", r["score"], " ".join(r["matched_terms"])])
    response = HttpResponse(buffer.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="search.csv"'
    return response
