"""Pages of 专利导航与分析: the sets, a set's landscape (a chart and its table per analysis, every figure a
link to exactly its patents), the drill-down list, the 技术功效矩阵 editor, the 产业链图谱 against the
patents, and the report downloads (PDF, Excel, JSON)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.staticfiles import finders
from django.http import HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from ipoc.analytics import charts, report, selectors, services
from ipoc.analytics.forms import MatrixTermForm, PatentSetForm
from ipoc.analytics.models import MatrixTerm, SetKind, TermAxis
from ipoc.analytics.tables import DrillPatentTable, PatentSetTable
from ipoc.core.errors import ApplicationError, NotFound
from ipoc.core.pickers import set_picker_querysets
from ipoc.core.tables import render_table
from ipoc.core.ui import handle_application_error
from ipoc.patents.selectors import NEWEST_FIRST

ECHARTS = "vendor/echarts/echarts.min.js"

SECTIONS = (
    ("trend", _("申请趋势与生命周期"), ("trend", "lifecycle")),
    ("applicants", _("申请人与发明人"), ("applicants", "applicant_types", "co_applicants", "inventors")),
    ("ipc", _("技术构成（IPC）"), ("ipc_section", "ipc_class", "ipc_subclass", "ipc_group", "ipc_year")),
    ("regions", _("地域分布"), ("regions", "countries", "priority_flows")),
    ("legal", _("法律状态与剩余保护期"), ("legal_status", "remaining_life")),
    ("transactions", _("运营与交易"), ("transactions", "deals")),
    ("citations", _("引证分析"), ("most_cited", "citations")),
)
# which table sits under which chart
TABLE_OF = {"lifecycle": None, "trend": "trend"}


def _charts_on() -> bool:
    return finders.find(ECHARTS) is not None


@login_required
def set_list(request):
    qs = selectors.patent_set_list(user=request.user, q=request.GET.get("q", "").strip()[:100],
                                   kind=request.GET.get("kind", "") if request.GET.get("kind") in SetKind.values else "")
    table = PatentSetTable(qs, request=request)
    if not services.may_create(request.user):
        table.empty_text = _("专利导航分析由运营中心和知识产权管理部门的工作人员建立；您可以查看产业链图谱与专利。")
    return render_table(request, table, "analytics/set_list.html", {
        "can_create": services.may_create(request.user), "kinds": SetKind.choices,
        "q": request.GET.get("q", ""), "kind": request.GET.get("kind", "")})


@login_required
def set_create(request):
    user = request.user
    if not services.may_create(user):
        raise ApplicationError(_("只有运营中心和知识产权管理部门的工作人员可以新建专利集合"), status=403)
    kind = request.GET.get("kind") or request.POST.get("kind") or SetKind.SEARCH
    if kind not in SetKind.values:
        raise ApplicationError(_("未知的集合类型"), field="kind")
    form = PatentSetForm(request.POST or None, kind=kind,
                         nodes=selectors.chain_node_choices(user=user) if kind == SetKind.CHAIN_NODE else (),
                         batches=selectors.import_batch_choices(user=user) if kind == SetKind.IMPORT_BATCH else ())
    set_picker_querysets(form, user)
    if request.method == "POST" and form.is_valid():
        try:
            patent_set = services.patent_set_create(actor=user, name=form.cleaned_data["name"], kind=kind,
                                                    definition=form.definition(),
                                                    description=form.cleaned_data.get("description") or "")
            if patent_set.evaluated_at is None:
                messages.success(request, _("专利集合已建立，正在后台评估，完成后本页显示分析结果"))
            else:
                messages.success(request, _("专利集合已建立：%(n)d 件专利") % {"n": patent_set.size})
            return redirect("analytics_set_detail", pk=patent_set.pk)
        except ApplicationError as exc:
            handle_application_error(form, exc)
    return render(request, "analytics/set_form.html", {"form": form, "kind": kind, "kinds": SetKind.choices,
                                                      "kind_label": SetKind(kind).label})


def _sections(land: dict, built: dict) -> list[dict]:
    out = []
    for key, title, names in SECTIONS:
        items = []
        for name in names:
            table_key = TABLE_OF.get(name, name)
            chart = built[name]
            items.append({"chart": chart, "table": land["analyses"][table_key] if table_key else None,
                          "wide": bool(chart["option"]) and name in ("ipc_year", "co_applicants", "citations",
                                                                     "priority_flows")})
        out.append({"key": key, "title": title, "items": items})
    return out


@login_required
def set_detail(request, pk: int):
    patent_set = selectors.patent_set_get(user=request.user, pk=pk)
    land = selectors.landscape(patent_set, user=request.user)
    charts_on = _charts_on()
    built = charts.build(land)
    return render(request, "analytics/set_detail.html", {
        "set": patent_set, "land": land, "sections": _sections(land, built), "charts_on": charts_on,
        "echarts": ECHARTS, "matrix": land["analyses"]["matrix"], "matrix_chart": built["matrix"],
        "chain": land["analyses"]["chain"], "chain_chart": built["chain"],
        "chain_activity": built["chain_activity"],
        "can_change": selectors.may_change(request.user, patent_set),
        **_evaluation_context(request.user, patent_set)})


def _evaluation_context(user, patent_set) -> dict:
    """The job evaluating the set, if any; its link and progress only for a viewer who may open the job — the
    re-evaluation after an import covers every set on the platform (its progress counts them all) and belongs
    to no organisation (probe)."""
    from ipoc.core.permissions import VIEW, can

    job = selectors.evaluation_job(patent_set)
    return {"evaluation_job": job, "evaluation_job_visible": job is not None and can(user, VIEW, job)}


@login_required
def set_patents(request, pk: int):
    patent_set = selectors.patent_set_get(user=request.user, pk=pk)
    analysis, key = request.GET.get("a", "all")[:40], request.GET.get("k", "")[:400]
    qs, words = selectors.drill(patent_set, analysis, key)
    table = DrillPatentTable(qs.order_by(*NEWEST_FIRST), request=request)
    return render_table(request, table, "analytics/set_patents.html", {
        "set": patent_set, "words": words, "count": qs.count()})


@login_required
@require_POST
def set_evaluate(request, pk: int):
    patent_set = selectors.patent_set_get(user=request.user, pk=pk)
    job = services.patent_set_evaluate_request(actor=request.user, patent_set=patent_set)
    if job is not None:
        messages.success(request, _("已开始在后台重新评估，可在任务页查看进度"))
        return redirect("job_detail", pk=job.pk)
    messages.success(request, _("已重新评估：%(n)d 件专利") % {"n": patent_set.size})
    return redirect("analytics_set_detail", pk=pk)


@login_required
@require_POST
def set_delete(request, pk: int):
    patent_set = selectors.patent_set_get(user=request.user, pk=pk)
    services.patent_set_delete(actor=request.user, patent_set=patent_set)
    messages.success(request, _("专利集合已删除"))
    return redirect("analytics_set_list")


# ---------------------------------------------------------------- matrix


@login_required
def matrix_edit(request, pk: int):
    user = request.user
    patent_set = selectors.patent_set_get(user=user, pk=pk)
    can_change = selectors.may_change(user, patent_set)
    form = MatrixTermForm(initial={"reviewed": True})
    if request.method == "POST":
        if not can_change:
            raise ApplicationError(_("您无权修改此专利集合的矩阵"), status=403)
        action = request.POST.get("action", "")
        try:
            if action == "propose":
                added = services.matrix_terms_propose(actor=user, patent_set=patent_set)
                messages.success(request, _("已从文本中提出 %(t)d 个技术分支、%(e)d 个技术功效（待审核）") % {
                    "t": added.get(TermAxis.TECHNOLOGY, 0), "e": added.get(TermAxis.EFFECT, 0)})
                return redirect("analytics_matrix", pk=pk)
            if action == "review_all":
                n = services.matrix_terms_review(actor=user, patent_set=patent_set)
                messages.success(request, _("已审核 %(n)d 个词条") % {"n": n})
                return redirect("analytics_matrix", pk=pk)
            if action == "delete":
                term = _term(patent_set, request.POST.get("term"))
                services.matrix_term_delete(actor=user, patent_set=patent_set, term=term)
                messages.success(request, _("词条已删除"))
                return redirect("analytics_matrix", pk=pk)
            form = MatrixTermForm(request.POST)
            if form.is_valid():
                term = _term(patent_set, request.POST.get("term")) if request.POST.get("term") else None
                services.matrix_term_save(actor=user, patent_set=patent_set, term=term, **form.cleaned_data)
                messages.success(request, _("词条已保存"))
                return redirect("analytics_matrix", pk=pk)
        except NotFound:  # a term id not of this set (or not an id): 404, not a form error on a form never sent
            raise
        except ApplicationError as exc:
            if form.is_bound:
                handle_application_error(form, exc)
            else:  # 提出 / 全部审核 / 删除 send no term form: an unbound form cannot take an error (was a 500)
                messages.error(request, exc.message)
    tech, effects = selectors.matrix_terms(patent_set)
    raw = selectors.landscape_raw(patent_set)
    view = selectors.matrix_view(patent_set, raw)
    return render(request, "analytics/matrix.html", {
        "set": patent_set, "form": form, "technologies": tech, "effects": effects, "matrix": view,
        "can_change": can_change})


def _term(patent_set, value) -> MatrixTerm:
    term = MatrixTerm.objects.filter(patent_set=patent_set, pk=value if str(value or "").isdecimal() else None).first()
    if term is None:
        raise NotFound(_("矩阵词条不存在"), field="term")
    return term


# ---------------------------------------------------------------- chain map


@login_required
def chain_map(request):
    user = request.user
    centers = selectors.chain_center_choices(user=user)
    wanted = request.GET.get("center", "")
    center_id = int(wanted) if wanted.isdecimal() else (
        user.organization_id if any(c[0] == user.organization_id for c in centers) else (centers[0][0] if centers else None))
    if center_id is not None and not any(c[0] == center_id for c in centers):
        raise NotFound(_("该运营中心没有您可查看的产业链图谱"), field="center")
    view = selectors.chain_view(None, None, user=user, center_id=center_id) if center_id else {"rows": []}
    built = charts.chain(view) if view.get("rows") else None
    activity = charts.chain_activity(view) if view.get("rows") else None
    return render(request, "analytics/chain_map.html", {
        "centers": centers, "center_id": center_id, "view": view, "chart": built, "activity": activity,
        "charts_on": _charts_on(),
        "echarts": ECHARTS})


# ---------------------------------------------------------------- reports


@login_required
def set_report(request, pk: int, fmt: str):
    patent_set = selectors.patent_set_get(user=request.user, pk=pk)
    if fmt not in ("pdf", "xlsx", "json"):
        raise NotFound(_("不支持的报告格式"), field="format")
    land = selectors.landscape(patent_set, user=request.user)
    services.landscape_report_record(actor=request.user, patent_set=patent_set, format=fmt)
    name = f"landscape-{patent_set.pk}"
    if fmt == "json":
        return JsonResponse(report.as_json(land), json_dumps_params={"ensure_ascii": False})
    if fmt == "pdf":
        body, ctype = report.as_pdf(land), "application/pdf"
    else:
        body, ctype = report.as_xlsx(land), "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    response = HttpResponse(body, content_type=ctype)
    response["Content-Disposition"] = f'attachment; filename="{name}.{fmt}"'
    return response


@login_required
def report_record(request, pk: int):
    """A landscape report record (what the KPI figure 年度专利导航与分析报告数 names) opens its set's page."""
    row = selectors.report_list(user=request.user).filter(pk=pk).first()
    if row is None:
        raise NotFound(_("报告记录不存在或无权查看"), field="report")
    return redirect("analytics_set_detail", pk=row.patent_set_id)
