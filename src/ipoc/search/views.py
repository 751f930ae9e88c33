"""The search pages: query box with filters and facets, highlighted hits naming each patent by its identity,
CSV export; patents similar to one patent; IPC subclass suggestion for a technical description."""

from __future__ import annotations

import csv
import io
from types import SimpleNamespace

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from ipoc.core.display import patent_source_badge
from ipoc.core.errors import ApplicationError
from ipoc.core.tables import safe_cell
from ipoc.patents import selectors as patent_selectors
from ipoc.search import selectors
from ipoc.search.forms import IpcSuggestForm, SearchForm, _choices

PAGE_SIZE = 20
EXPORT_LIMIT = 1000
FACET_LABELS = {"ipc": gettext_noop("IPC 小类"), "applicant": gettext_noop("申请人"), "year": gettext_noop("申请年份"),
                "legal_status": gettext_noop("法律状态")}
# IPC sections (部), so a subclass code in a facet or a suggestion says what field it is.
IPC_SECTIONS = {"A": gettext_noop("人类生活必需"), "B": gettext_noop("作业；运输"), "C": gettext_noop("化学；冶金"),
                "D": gettext_noop("纺织；造纸"), "E": gettext_noop("固定建筑物"),
                "F": gettext_noop("机械工程；照明；加热；武器；爆破"), "G": gettext_noop("物理"),
                "H": gettext_noop("电学"), "Y": gettext_noop("新技术跨领域（CPC）")}
# one query of keywords and one technical description (each example is a page the crawl test visits)
EXAMPLES = (gettext_noop("锂电池 极片 涂布"), gettext_noop("一种用于光伏组件清洁的机器人"))


def ipc_section_label(code: str) -> str:
    section = (code or "")[:1].upper()
    return _(IPC_SECTIONS[section]) if section in IPC_SECTIONS else ""


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
            query = request.GET.copy()
            query.pop("page", None)
            if name in keys:
                active = value in query.getlist(keys[name])
                if active:
                    query.setlist(keys[name], [v for v in query.getlist(keys[name]) if v != value])
                else:
                    query.setlist(keys[name], ([*query.getlist(keys[name]), value] if name == "legal_status"
                                               else [value]))
            elif name == "year" and str(value).isdecimal():
                active = (query.get("application_date_from") == f"{value}-01-01"
                          and query.get("application_date_to") == f"{value}-12-31")
                if active:
                    query.pop("application_date_from", None)
                    query.pop("application_date_to", None)
                else:
                    query["application_date_from"], query["application_date_to"] = f"{value}-01-01", f"{value}-12-31"
            else:
                rows.append({"value": value, "label": value, "count": count, "link": None})
                continue
            label = status_labels.get(value, value) if name == "legal_status" else value
            rows.append({"value": value, "label": label, "count": count,
                         "hint": ipc_section_label(value) if name == "ipc" else "",
                         "link": {"url": "?" + query.urlencode(), "active": active}})
        if rows:
            out.append({"name": name, "label": _(FACET_LABELS.get(name, name)), "values": rows})
    return out


def _identity(hit: dict) -> dict:
    """A hit's patent as a person names it: its number, else its title with a source badge (never its key)."""
    number = hit["number"] if hit["number"] and not str(hit["number"]).startswith("ext:") else ""
    badge = "" if number else patent_source_badge(SimpleNamespace(key=hit["key"]))
    return {"number": number, "badge": badge}


def _present(hits: list[dict]) -> list[dict]:
    types = {k: str(v) for k, v in _choices("Patent", "patent_type")}
    statuses = {k: str(v) for k, v in _choices("Patent", "legal_status")}
    for h in hits:
        h.update(_identity(h))
        h["patent_type_label"] = types.get(h["patent_type"], "")
        h["legal_status_label"] = statuses.get(h["legal_status"], "")
        h["year"] = str(h["application_date"])[:4] if h["application_date"] else ""
    return hits


def _page_numbers(current: int, pages: int) -> list:
    """1 … 4 5 [6] 7 8 … 40: the page links shown under the results."""
    if pages <= 1:
        return []
    wanted = {1, pages, *range(max(1, current - 2), min(pages, current + 2) + 1)}
    out, last = [], 0
    for n in sorted(wanted):
        if n - last > 1:
            out.append(None)
        out.append(n)
        last = n
    return out


@login_required
def search(request):
    try:
        page_no = max(int(request.GET.get("page") or 1), 1)
    except ValueError:
        page_no = 1
    # the landing page (nothing asked yet) shows the search box and an explanation, and runs no search
    form, q, filters, hits, total, facets, error = SearchForm(), "", {}, [], 0, [], None
    if request.GET:
        try:
            form, q, filters, page = _run(request, limit=PAGE_SIZE, offset=(page_no - 1) * PAGE_SIZE, facets=True)
            hits = _present(selectors.describe_hits(page.hits))
            for h in hits:
                h["rank"] += (page_no - 1) * PAGE_SIZE
            total, facets = page.total, _facet_links(request, page.facets)
        except ApplicationError as exc:
            form, error = SearchForm(request.GET), exc.message
    query = request.GET.copy()
    query.pop("page", None)
    pages = (total + PAGE_SIZE - 1) // PAGE_SIZE
    return render(request, "search/search.html", {
        "form": form, "q": q, "hits": hits, "total": total, "facets": facets, "error": error,
        "query": query.urlencode(), "page_no": page_no, "pages": pages, "page_numbers": _page_numbers(page_no, pages),
        "has_prev": page_no > 1, "has_next": page_no < pages, "filtered": bool(filters),
        "searched": bool(request.GET), "rebuild_required": selectors.index_rebuild_required(),
        "examples": [_(e) for e in EXAMPLES]})


@login_required
def search_export(request):
    """The current result list (up to 1000 hits) as CSV with Chinese headers, UTF-8 with BOM, formula-safe."""
    _form, _q, _filters, page = _run(request, limit=EXPORT_LIMIT, offset=0, facets=False)
    rows = _present(selectors.describe_hits(page.hits))
    buffer = io.StringIO()
    buffer.write("\ufeff")
    writer = csv.writer(buffer)
    writer.writerow(["排名", "公开（公告）号", "专利名称", "申请人", "IPC", "专利类型", "法律状态", "申请日",
                     "公开（公告）日", "得分", "命中词"])
    for r in rows:
        writer.writerow([safe_cell(v) for v in (
            r["rank"], r["number"], r["title"], "; ".join(r["applicants"]), "; ".join(r["ipc"]),
            r["patent_type_label"], r["legal_status_label"], r["application_date"] or "", r["publication_date"] or "",
            r["score"], " ".join(r["matched_terms"]))])
    response = HttpResponse(buffer.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="search.csv"'
    return response


@login_required
def similar(request, pk: int):
    """Patents like one patent (its stored vector fused with its key terms), with the shared terms marked."""
    patent = patent_selectors.patent_get(user=request.user, key_or_number=pk)
    error, hits = None, []
    try:
        found = [h for h in selectors.similar_patents(user=request.user, patent_id=patent.pk, limit=21)
                 if h.patent_id != patent.pk][:20]
        hits = _present(selectors.describe_hits(found))
    except ApplicationError as exc:
        error = exc.message
    return render(request, "search/similar.html", {"patent": patent, "hits": hits, "error": error})


@login_required
def ipc_suggest(request):
    """IPC subclasses suggested for a technical description, each linked to the patents filed under it."""
    form = IpcSuggestForm(request.GET or None)
    suggestions, error = [], None
    if form.is_bound and form.is_valid():
        try:
            pairs = selectors.suggest_ipc(text=form.cleaned_data["text"], top=form.cleaned_data.get("top") or 5)
            suggestions = [{"code": code, "score": score, "percent": round(score * 100, 1),
                            "section": ipc_section_label(code)} for code, score in pairs]
        except ApplicationError as exc:
            error = (_("IPC 分类推荐尚未启用：需要管理员先训练分类模型。") if exc.code == "not_ready"
                     else exc.message)
    return render(request, "search/ipc_suggest.html", {"form": form, "suggestions": suggestions, "error": error})
