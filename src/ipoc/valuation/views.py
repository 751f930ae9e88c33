"""专利评估 pages: runs (list, start, results), a patent's report, and the indicator system as a tree table
with its edit form. Words for officials, never the engine's codes or fingerprints."""

from __future__ import annotations

import json

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop
from django.views.decorators.http import require_POST

from ipoc.core.display import patent_label
from ipoc.core.errors import ApplicationError, NotFound, PermissionDenied
from ipoc.core.jobs import job_start_background
from ipoc.core.models import Role
from ipoc.core.tables import render_table
from ipoc.core.ui import handle_application_error
from ipoc.patents import selectors as patent_selectors
from ipoc.valuation import selectors, services
from ipoc.valuation.engine import RECOMMENDATIONS
from ipoc.valuation.engine.scoring import GRADE_LABELS
from ipoc.valuation.engine.tree import GBT_SOURCE, PROJECT_SOURCE
from ipoc.valuation.export import export_run_xlsx
from ipoc.valuation.forms import RunStartForm, TreeForm, TreeWeightsForm, ValuationFilterForm
from ipoc.valuation.pdf import pdf_filename, report_pdf
from ipoc.valuation.tables import (
    GRADE_COLOURS,
    RECOMMENDATION_COLOURS,
    RunTable,
    ValuationTable,
    tree_version_label,
)

RUN_ROLES = (Role.OFFICE_STAFF, Role.CENTER_STAFF)

# How the engine's peer-group keys and normalisations read to a person.
PEER_KEYS = {"ipc_main_subclass": gettext_noop("IPC 小类"), "ipc_section": gettext_noop("IPC 部"),
             "filing_year": gettext_noop("申请年"), "patent_type": gettext_noop("专利类型")}
NORMALIZATIONS = {"peer_percentile": gettext_noop("同行百分位"), "fixed_range": gettext_noop("按固定区间折算"),
                  "term_fraction": gettext_noop("占法定保护期的比例"), "identity": gettext_noop("按规则取值")}
DIRECTIONS = {"higher": gettext_noop("越大越好"), "lower": gettext_noop("越小越好")}


def plain(text: str) -> str:
    """An indicator description without the engine's codes (the default tree says "可改为 lower")."""
    return (text or "").replace("lower", _("越小越好")).replace("higher", _("越大越好"))


def _may_run(user) -> bool:
    return user.is_platform_admin or user.role in RUN_ROLES


def provenance(source: str) -> str:
    """Where an indicator or weight comes from, worded for officials (STYLE: rule provenance)."""
    basis = (source or "").replace("[S]", "").replace("[P]", "").replace("[I]", "").strip(" ；;")
    if not basis or basis == PROJECT_SOURCE:
        basis = _("平台默认方案（参照 GB/T 42748-2023 框架拟定，非标准原文）")
    elif basis == GBT_SOURCE.replace("[S]", "").strip():
        basis = _("GB/T 42748-2023《专利评估指引》一级指标与评估场景")
    return _("依据：%(basis)s；本项为平台默认值，可由管理部门调整") % {"basis": basis}


# ---------------------------------------------------------------- runs


def _run_list_page(request, form, status=200):
    version = services.tree_active()
    runs = selectors.valuation_run_list(user=request.user)
    table = RunTable(runs, request=request)
    latest = runs.filter(finished=True).order_by("-created_at", "-id").first()
    response = render_table(request, table, "valuation/run_list.html", {
        "form": form, "version": version, "version_label": tree_version_label(version), "latest": latest,
        "may_run": _may_run(request.user)})
    response.status_code = status if response.status_code == 200 else response.status_code
    return response


@login_required
def run_list(request):
    version = services.tree_active()
    return _run_list_page(request, RunStartForm(scenarios=version.tree.get("scenarios", {})))


@login_required
@require_POST
def run_start(request):
    version = services.tree_active()
    form = RunStartForm(request.POST, scenarios=version.tree.get("scenarios", {}))
    if form.is_valid():
        try:
            run, job = services.valuation_run_start(actor=request.user, scenario=form.cleaned_data["scenario"],
                                                    as_of=form.cleaned_data.get("as_of"))
            job_start_background(job)
            messages.success(request, _("已开始评估（%(s)s），完成后可查看结果。") % {"s": run.scenario_label})
            return redirect("job_detail", pk=job.pk)
        except ApplicationError as exc:
            if exc.status == 403:
                raise
            handle_application_error(form, exc)
    return _run_list_page(request, form, status=400)


@login_required
def run_detail(request, pk: int):
    run = selectors.valuation_run_get(user=request.user, pk=pk)
    filters = ValuationFilterForm(request.GET or None)
    data = filters.cleaned_data if filters.is_valid() else {}
    qs = selectors.run_valuations(user=request.user, run=run, grade=data.get("grade", ""),
                                  recommendation=data.get("recommendation", ""))
    table = ValuationTable(qs, request=request)
    tree = selectors.tree_of(run.tree_version)
    total = max(run.patent_count, 1)
    recommendations = [{"code": code, "label": RECOMMENDATIONS.get(code, code), "count": n,
                        "percent": round(100 * n / total, 2), "colour": RECOMMENDATION_COLOURS.get(code, "secondary")}
                       for code, n in sorted(run.recommendation_distribution.items(),
                                             key=lambda x: list(RECOMMENDATIONS).index(x[0])
                                             if x[0] in RECOMMENDATIONS else 99)]
    grades = [{"code": g, "label": (f"{g}（{GRADE_LABELS[g]}）" if g in GRADE_LABELS else _("未评级")),
               "count": run.grade_distribution[g], "percent": round(100 * run.grade_distribution[g] / total, 2),
               "colour": GRADE_COLOURS.get(g, "secondary")}
              for g in ("A", "B", "C", "D", "-") if run.grade_distribution.get(g)]
    return render_table(request, table, "valuation/run_detail.html", {
        "run": run, "filters": filters, "scenario_label": tree.scenarios.get(run.scenario, run.scenario),
        "grades": grades, "recommendations": recommendations, "tree_label": tree_version_label(run.tree_version),
        "tree_changed": run.tree_version.digest != selectors.active_tree_digest()})


@login_required
def run_export(request, pk: int):
    run = selectors.valuation_run_get(user=request.user, pk=pk)
    data = export_run_xlsx(run, selectors.run_valuations(user=request.user, run=run))
    response = HttpResponse(data, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    response["Content-Disposition"] = f'attachment; filename="valuation-run-{run.pk}.xlsx"'
    return response


# ---------------------------------------------------------------- a patent's report


def _valuation(request, patent):
    run_id = request.GET.get("run", "")
    if run_id.isdecimal():
        return selectors.valuation_in_run(user=request.user, patent=patent, run_id=int(run_id))
    return selectors.valuation_get(user=request.user, patent=patent)


def _peer_words(peer: dict | None) -> str:
    if not peer:
        return ""
    keys = [f"{_(PEER_KEYS.get(k, k))} {v}" for k, v in peer["keys"].items() if v not in (None, "")]
    group = _("同%(keys)s") % {"keys": "、同".join(keys)} if keys else _("本批次全部专利")
    return _("%(group)s（%(n)s 件）") % {"group": group, "n": peer["size"]}


def _present_report(report: dict) -> dict:
    """Indicators grouped under their first-level indicator, each with words for its method and peers."""
    groups = {item["id"]: {**item, "indicators": []} for item in report["level1"]}
    for i in report["indicators"]:
        i["path_text"] = " › ".join(i["path"][1:]) if len(i["path"]) > 1 else i["name_zh"]
        i["description"] = plain(i["description"])
        i["method"] = _(NORMALIZATIONS.get(i["normalization"], "")) if i["normalization"] else ""
        i["direction_text"] = _(DIRECTIONS.get(i["direction"], "")) if i["direction"] else ""
        i["peer_text"] = _peer_words(i["peer_group"])
        i["weight_percent"] = round(i["weight"] * 100, 1)
        groups[i["level1"]]["indicators"].append(i)
    report["groups"] = list(groups.values())
    for g in report["groups"]:
        g["weight_percent"] = round(g["weight"] * 100, 1)
    report["missing_names"] = [i["name_zh"] for i in report["indicators"] if i["missing"]]
    report["confidence_percent"] = round((report["confidence"] or 0) * 100)
    return report


@login_required
def patent_report(request, ref: str):
    patent = patent_selectors.patent_get(user=request.user, key_or_number=ref)
    label, badge = patent_label(patent)
    try:
        valuation = _valuation(request, patent)
    except NotFound as exc:
        return render(request, "valuation/patent_not_valued.html", {
            "patent": patent, "message": exc.message if request.GET.get("run") else "",
            "may_run": _may_run(request.user)}, status=404)
    report = _present_report(selectors.valuation_report(valuation))
    return render(request, "valuation/patent_report.html", {
        "r": report, "patent": patent, "valuation": valuation, "number": "" if badge else label, "badge": badge,
        "tree_changed": not report["run"]["tree_is_active"], "tree_label": tree_version_label(report["run"]["tree_label"]),
        "recommendation_colour": RECOMMENDATION_COLOURS.get(report["recommendation"]["code"], "secondary")})


@login_required
def patent_report_pdf(request, ref: str):
    patent = patent_selectors.patent_get(user=request.user, key_or_number=ref)
    report = selectors.valuation_report(_valuation(request, patent))
    response = HttpResponse(report_pdf(report), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{pdf_filename(report)}"'
    return response


# ---------------------------------------------------------------- the indicator system


def tree_rows(tree, scenario: str) -> list[dict]:
    """The tree in display order: each node with its depth, weight among siblings and overall (leaves), the
    wording of its source, and whether it is still 待核实."""
    rows = []
    for nid in tree.order:
        node = tree.nodes[nid]
        rows.append({
            "id": nid, "name": node.name_zh, "depth": len(tree.path(nid)) - 1, "is_leaf": node.is_leaf,
            "level": len(tree.path(nid)), "description": plain(node.description),
            "sibling_weight": round(tree.normalized_weight(nid, scenario) * 100, 1),
            "effective_weight": round(tree.effective_weight(nid, scenario) * 100, 2),
            "direction": _(DIRECTIONS[node.direction]) if node.direction in DIRECTIONS else "",
            "method": _(NORMALIZATIONS[node.normalization]) if node.normalization in NORMALIZATIONS else "",
            "provenance": provenance(node.source), "pending": node.pending_check,
        })
    return rows


@login_required
def tree_edit(request):
    version = services.tree_active()
    tree = selectors.tree_of(version)
    may_edit = request.user.is_platform_admin
    scenario = request.GET.get("scenario") or next(iter(tree.scenarios))
    if scenario not in tree.scenarios:
        scenario = next(iter(tree.scenarios))
    json_mode = request.method == "POST" and "tree" in request.POST
    weights_form = TreeWeightsForm(request.POST if request.method == "POST" and not json_mode else None, tree=tree)
    json_form = TreeForm(request.POST if json_mode else None, initial={
        "tree": json.dumps(version.tree, ensure_ascii=False, indent=2)})
    if request.method == "POST":
        if not may_edit:
            raise PermissionDenied(_("仅平台管理员可修改指标体系"))
        form = json_form if json_mode else weights_form
        if form.is_valid():
            try:
                new = services.tree_update(actor=request.user,
                                           tree_json=form.cleaned_data["tree"] if json_mode else form.tree_dict(),
                                           note=form.cleaned_data["note"])
                if new.pk == version.pk:
                    messages.info(request, _("指标体系没有改动，未保存新版本。"))
                    return redirect(request.path)
                messages.success(request, _("已保存为新版本。重新评估后，评估报告才使用新的指标体系。"))
                if form.cleaned_data["rescore"]:
                    _run, job = services.valuation_run_start(actor=request.user)
                    job_start_background(job)
                    return redirect("job_detail", pk=job.pk)
                return redirect(request.path)
            except ApplicationError as exc:
                if exc.status == 403:
                    raise
                if json_mode:
                    handle_application_error(form, exc)
                else:
                    form.add_error(None, exc.message)
    status = 400 if (weights_form.errors or json_form.errors) else 200
    return render(request, "valuation/tree_edit.html", {
        "version": version, "tree": tree, "rows": tree_rows(tree, scenario), "scenario": scenario,
        "scenarios": tree.scenarios, "may_edit": may_edit, "weights_form": weights_form, "json_form": json_form,
        "json_mode": json_mode, "version_label": tree_version_label(version),
        "versions": [(v, tree_version_label(v)) for v in selectors.tree_version_list(user=request.user)[:20]]},
        status=status)
