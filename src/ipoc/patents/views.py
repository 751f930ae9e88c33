"""Patent pages: the filtered list (table, filters, exports), a patent's page with its related records,
the import form and the import report."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from ipoc.core.display import patent_label
from ipoc.core.errors import ApplicationError
from ipoc.core.jobs import job_start_background
from ipoc.core.models import Role
from ipoc.core.tables import render_table
from ipoc.core.ui import handle_application_error
from ipoc.core.uploads import save_upload
from ipoc.patents import export, selectors, services
from ipoc.patents.filtersets import PatentFilterSet
from ipoc.patents.forms import ImportForm, format_label, source_label
from ipoc.patents.tables import PatentTable

EXPORT_LIMIT = 100_000
IMPORT_ROLES = (Role.CENTER_STAFF, Role.OFFICE_STAFF, Role.INSTITUTION_USER)


def may_import(user) -> bool:
    return user.is_platform_admin or user.role in IMPORT_ROLES


def _exchange_export(qs, fmt: str):
    """The filtered patents in the exchange format offices use (Chinese headers, every cell formula-safe)."""
    qs = selectors.with_parties(qs)[:EXPORT_LIMIT]
    if fmt == "xlsx":
        response = HttpResponse(export.export_xlsx(qs),
                                content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    else:
        fmt = "csv"
        response = StreamingHttpResponse(export.export_csv(qs.iterator(chunk_size=1000)),
                                         content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="patents.{fmt}"'
    return response


@login_required
def patent_list(request):
    filterset = PatentFilterSet(request.GET or None, request=request)
    qs = filterset.qs
    fmt = request.GET.get("export", "")
    if fmt in ("csv", "xlsx"):  # the table's export menu: the same rows, in the exchange format
        return _exchange_export(qs, fmt)
    table = PatentTable(selectors.with_parties(qs), request=request)
    return render_table(request, table, "patents/patent_list.html", {
        "filterset": filterset, "may_import": may_import(request.user)})


@login_required
def patent_export(request, fmt: str):
    """/patents/export.csv|xlsx?<filters>: kept for links and scripts; same filters as the list page."""
    return _exchange_export(PatentFilterSet(request.GET or None, request=request).qs, fmt)


def _remaining_life(patent, data: dict) -> str:
    """The remaining term in words, only when it can be computed from type and filing date."""
    years = data["remaining_life_years"]
    if years is None or patent.legal_status == "lapsed":
        return ""
    if years <= 0:
        return _("已届满")
    return _("约 %(y)s 年") % {"y": f"{years:.1f}"}


def _related(user, patent) -> list[dict]:
    """The records of other modules that concern this patent, each linked to its page (the user may see)."""
    from ipoc.deals import selectors as deal_selectors
    from ipoc.demands.selectors import deal_mode_labels
    from ipoc.events import selectors as event_selectors
    from ipoc.matching import selectors as matching_selectors
    from ipoc.revitalization import selectors as stock_selectors
    from ipoc.valuation import selectors as valuation_selectors

    limit = 10
    sections = []

    listings = list(matching_selectors.listings_for_patent(user=user, patent_id=patent.pk)[:limit])
    sections.append({"key": "listings", "title": _("挂牌"), "icon": "building-store",
                     "more": reverse("match_listings"), "empty": _("尚未挂牌"), "rows": [{
                         "url": reverse("match_listings"), "label": x.holder.name,
                         "sub": "、".join(deal_mode_labels(x.modes)) + (
                             "（" + _("开放许可") + "）" if x.open_license else ""),
                         "status": x, "status_field": "status"} for x in listings]})

    matches = list(matching_selectors.matches_for_patent(user=user, patent_id=patent.pk)[:limit])
    sections.append({"key": "matches", "title": _("匹配的需求"), "icon": "arrows-exchange",
                     "empty": _("暂无匹配的需求"), "rows": [{
                         "url": reverse("match_demand", args=[m.demand_id]), "label": m.demand.title,
                         "sub": _("匹配分 %(s)s · 第 %(r)d 名") % {"s": f"{m.score:.2f}", "r": m.rank},
                         "status": m, "status_field": "status"} for m in matches]})

    valuations = list(valuation_selectors.valuations_for_patent(user=user, patent_id=patent.pk)[:limit])
    sections.append({"key": "valuations", "title": _("专利评估"), "icon": "report-analytics",
                     "empty": _("尚未评估"), "rows": [{
                         "url": reverse("valuation_patent_report", args=[patent.pk]) if n == 0
                         else reverse("valuation_run_detail", args=[v.run_id]),
                         "label": _("%(date)s · %(scenario)s") % {"date": v.run.as_of.isoformat(),
                                                                  "scenario": v.run.scenario_label},
                         "sub": (_("总分 %(s)s，评级 %(g)s") % {"s": f"{v.score:.1f}", "g": v.grade}
                                 if v.score is not None else _("数据不足，未评分")),
                         "badge": v.recommendation_label} for n, v in enumerate(valuations)]})

    stock = list(stock_selectors.stock_for_patent(user=user, patent_id=patent.pk)[:limit])
    sections.append({"key": "stock", "title": _("存量专利盘活"), "icon": "building-warehouse",
                     "empty": _("未列入高校院所存量专利"), "rows": [{
                         "url": reverse("stock_detail", args=[s.pk]), "label": s.institution.name,
                         "sub": s.get_library_display(), "status": s, "status_field": "stage"} for s in stock]})

    events = list(event_selectors.events_for_patent(user=user, patent_id=patent.pk)[:limit])
    sections.append({"key": "events", "title": _("推介活动"), "icon": "speakerphone",
                     "empty": _("未在活动中推介"), "rows": [{
                         "url": reverse("event_detail", args=[e.pk]), "label": e.title,
                         "sub": f"{e.get_kind_display()} · {e.held_on.isoformat()}",
                         "status": e, "status_field": "status"} for e in events]})

    from ipoc.licensing import selectors as licensing_selectors

    licensing = licensing_selectors.patent_licensing_status(patent.pk)
    rows = []
    if licensing["open_licence"]:
        o = licensing["open_licence"]
        rows.append({"url": o["url"], "label": _("开放许可声明"), "sub": _("%(d)s 公告 · %(f)s") % {
            "d": o["published_on"].isoformat() if o["published_on"] else "—", "f": o["fee"]}, "badge": _("开放许可")})
    rows += [{"url": x["url"], "label": x["title"], "sub": "", "badge": _("专利开源")} for x in licensing["pledges"]]
    sections.append({"key": "licensing", "title": _("开放许可与专利开源"), "icon": "license",
                     "empty": _("未声明开放许可，未列入开源承诺"), "rows": rows, "status": licensing})

    deals = list(deal_selectors.deals_for_patent(user=user, patent_id=patent.pk)[:limit])
    sections.append({"key": "deals", "title": _("交易"), "icon": "file-certificate",
                     "empty": _("暂无交易"), "rows": [{
                         "url": reverse("deal_detail", args=[d.pk]), "label": d.title,
                         "sub": d.get_deal_type_display() + (
                             " · " + _("%(a)s 万元") % {"a": f"{d.amount / 10000:,.2f}".rstrip("0").rstrip(".")}
                             if d.amount is not None else ""),  # 万元, as the deal list shows amounts
                         "status": d, "status_field": "stage"} for d in deals]})
    return sections


def _similar(user, patent, limit: int = 6) -> list:
    """Patents like this one from the search index, as patents (empty when the index does not hold it)."""
    from ipoc.search import selectors as search_selectors

    try:
        hits = search_selectors.similar_patents(user=user, patent_id=patent.pk, limit=limit + 1)
    except (ApplicationError, OSError, RuntimeError):
        return []
    ids = [h.patent_id for h in hits if h.patent_id != patent.pk][:limit]
    found = {p.pk: p for p in selectors.patent_list(user=user).filter(pk__in=ids)}
    return [found[i] for i in ids if i in found]


@login_required
def patent_detail(request, ref: str):
    patent = selectors.patent_get(user=request.user, key_or_number=ref)
    data = selectors.patent_detail_dict(patent)
    label, badge = patent_label(patent)
    return render(request, "patents/patent_detail.html", {
        "p": patent, "d": data, "remaining_life": _remaining_life(patent, data),
        "number": "" if badge else label, "source_badge": badge,
        "source": source_label(patent.source), "related": _related(request.user, patent),
        "similar": _similar(request.user, patent), "today": dt.date.today()})


@login_required
def import_new(request):
    form = ImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            job = services.patent_import_start(actor=request.user, path=save_upload(upload, kind="patents"),
                                               format=form.cleaned_data["format"], file_name=upload.name)
            job_start_background(job)
            messages.success(request, _("已开始导入 %(f)s，完成后可查看导入报告。") % {"f": upload.name})
            return redirect("job_detail", pk=job.pk)
        except ApplicationError as exc:
            handle_application_error(form, exc)
    batches = [{"batch": b, "format": format_label(b.format)}
               for b in selectors.import_batch_list(user=request.user)[:20]]
    return render(request, "patents/import_form.html", {"form": form, "batches": batches,
                                                        "may_import": may_import(request.user)},
                  status=400 if form.errors else 200)


@login_required
def import_report(request, pk: int):
    batch = selectors.import_batch_get(user=request.user, pk=pk)
    report = selectors.import_report_readable(batch, limit=2000)
    return render(request, "patents/import_report.html", {"batch": batch, "report": report,
                                                          "format": format_label(batch.format)})
