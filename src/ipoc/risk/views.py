"""Pages of the risk app: the checks (list, form, detail with rounds and candidates, claim charts, report HTML and
PDF), the industry exposure view, alerts, the litigation/337 watch list and the supply-chain reviews."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from ipoc.core.errors import ApplicationError, NotFound, PermissionDenied
from ipoc.core.models import Role
from ipoc.core.pickers import set_picker_querysets
from ipoc.core.tables import render_table
from ipoc.core.ui import handle_application_error
from ipoc.risk import engine, rules, selectors, services
from ipoc.risk.filtersets import CheckFilterSet
from ipoc.risk.forms import (
    AddCandidateForm,
    BomForm,
    CheckForm,
    ElementForm,
    LitigationForm,
    LitigationImportForm,
    NoteForm,
    RemediationForm,
    RemoveForm,
    TermsForm,
)
from ipoc.risk.models import RISK_COLOURS, CheckStatus, LitigationCase, Mapping, RiskLevel
from ipoc.risk.tables import CheckTable, LitigationTable, ReviewTable

FAMILIES_SHOWN = 20  # families listed before “显示全部”
EXCLUDED_SHOWN = 20
MAPPING_COLOURS = {"literal": "red", "equivalent": "orange", "absent": "green", "open": "secondary"}


def _may_create(user) -> bool:
    return user.is_platform_admin or user.role in (Role.ENTERPRISE_USER, Role.CENTER_STAFF)


def _is_center(user) -> bool:
    return user.is_platform_admin or user.role == Role.CENTER_STAFF


def _error(request, exc: ApplicationError) -> None:
    messages.error(request, exc.message)


# ---------------------------------------------------------------- checks


@login_required
def check_list(request):
    base = selectors.check_list(user=request.user)
    filterset = CheckFilterSet(request.GET or None, queryset=base, request=request)
    qs = filterset.qs if filterset.is_bound and filterset.is_valid() else base
    return render_table(request, CheckTable(qs, request=request), "risk/check_list.html", {
        "filterset": filterset, "can_create": _may_create(request.user), "is_center": _is_center(request.user)})


def _form_page(request, check=None):
    user = request.user
    initial = {}
    if check is not None:
        initial = {"title": check.title, "product_name": check.product_name, "description": check.description,
                   "features": "\n".join(check.features), "variants": "\n".join(check.variants),
                   "components": "\n".join(check.components), "markets": check.markets,
                   "horizon_date": check.horizon_date, "ipc_codes": "\n".join(check.ipc_codes),
                   "competitors": "\n".join(check.competitors)}
    products = selectors.requester_products(user.organization_id) if (
        check is None and user.role == Role.ENTERPRISE_USER and user.organization_id) else []
    form = CheckForm(request.POST or None, initial=initial, user=user, products=products)
    set_picker_querysets(form, user)
    if check is not None:
        form.fields.pop("requester", None)
        form.fields.pop("center", None)
    if request.method == "POST" and form.is_valid():
        data = {k: v for k, v in form.cleaned_data.items() if k not in ("requester", "center", "product")}
        try:
            if check is None:
                check = services.check_create(actor=user, requester=form.cleaned_data.get("requester"),
                                              center=form.cleaned_data.get("center"),
                                              product_id=form.cleaned_data.get("product"), **data)
                messages.success(request, _("已提交出口风险预警申请：%(t)s") % {"t": check.title})
            else:
                services.check_update(actor=user, check=check, data=data)
                messages.success(request, _("排查事项已保存"))
            return redirect("risk_check_detail", pk=check.pk)
        except ApplicationError as exc:
            handle_application_error(form, exc)
    return render(request, "risk/check_form.html", {"form": form, "check": check})


@login_required
def check_create(request):
    if not _may_create(request.user):
        raise PermissionDenied(_("只有企业用户和运营中心工作人员可以申请风险预警"))
    return _form_page(request)


@login_required
def check_edit(request, pk: int):
    return _form_page(request, selectors.check_get(user=request.user, pk=pk))


def _market_rows(cand) -> list[dict]:
    return [{"code": m, "label": rules.market_label(m), "kept": v.get("kept"), "reason": v.get("reason", ""),
             "state": v.get("state", "")} for m, v in (cand.markets or {}).items()]


@login_required
def check_detail(request, pk: int):
    check = selectors.check_get(user=request.user, pk=pk)
    manage = services.may_manage(request.user, check)
    view = selectors.candidates_view(check)
    families = []
    show_all = request.GET.get("all") == "1"
    shown = view["families"] if show_all else view["families"][:FAMILIES_SHOWN]
    for fam in shown:
        families.append([{"c": c, "markets": [m for m in _market_rows(c) if m["kept"]],
                          "colour": RISK_COLOURS.get(c.risk, "secondary"), "charted": len(c.elements.all()),
                          "has_number": bool(c.patent.publication_number or c.patent.grant_number
                                             or c.patent.application_number)} for c in fam])
    excluded = [{"c": c, "markets": _market_rows(c)}
                for c in (view["excluded"] if show_all else view["excluded"][:EXCLUDED_SHOWN])]
    add_form = AddCandidateForm() if manage else None
    if add_form is not None:
        set_picker_querysets(add_form, request.user)
    report = selectors.report_latest(check)
    editable = manage or (request.user.organization_id == check.requester_id and check.status == CheckStatus.REQUESTED)
    return render(request, "risk/check_detail.html", {
        "check": check, "manage": manage, "families": families, "excluded": excluded, "removed": view["removed"],
        "kept_count": view["kept_count"], "more_families": len(view["families"]) - len(shown),
        "more_excluded": len(view["excluded"]) - len(excluded), "rounds": check.rounds.all(), "report": report, "add_form": add_form,
        "alerts": check.alerts.select_related("patent")[:20], "editable": editable,
        "markets": [rules.market_label(m) for m in check.markets], "risk_colour": RISK_COLOURS.get(check.risk),
        "remove_form": RemoveForm()})


@login_required
@require_POST
def check_run(request, pk: int):
    check = selectors.check_get(user=request.user, pk=pk)
    try:
        services.check_run(actor=request.user, check=check)
        messages.success(request, _("检索完成：%(r)s") % {"r": check.stop_reason})
    except ApplicationError as exc:
        _error(request, exc)
    return redirect("risk_check_detail", pk=pk)


@login_required
@require_POST
def candidate_add(request, pk: int):
    check = selectors.check_get(user=request.user, pk=pk)
    form = AddCandidateForm(request.POST)
    set_picker_querysets(form, request.user)
    if form.is_valid():
        try:
            cand = services.candidate_add(actor=request.user, check=check, patent_id=form.cleaned_data["patent"].pk)
            messages.success(request, _("已添加候选专利"))
            if cand.in_scope:
                return redirect("risk_chart", pk=pk, cid=cand.pk)
        except ApplicationError as exc:
            _error(request, exc)
    else:
        messages.error(request, _("请选择专利"))
    return redirect("risk_check_detail", pk=pk)


@login_required
@require_POST
def candidate_remove(request, pk: int, cid: int):
    check = selectors.check_get(user=request.user, pk=pk)
    cand = selectors.candidate_get(check=check, pk=cid)
    try:
        services.candidate_remove(actor=request.user, candidate=cand, reason=request.POST.get("reason", ""))
        messages.success(request, _("已移除候选专利"))
    except ApplicationError as exc:
        _error(request, exc)
    return redirect("risk_check_detail", pk=pk)


@login_required
def chart(request, pk: int, cid: int):
    check = selectors.check_get(user=request.user, pk=pk)
    cand = selectors.candidate_get(check=check, pk=cid)
    manage = services.may_manage(request.user, check)
    row = selectors.patent_rows([cand.patent_id]).get(cand.patent_id, {})
    claims = services.independent_claims(row.get("claims"))
    elements = list(cand.elements.all())
    charts = []
    for claim in claims:
        if not claim["independent"]:
            continue
        els = [e for e in elements if e.claim_number == claim["number"]]
        risk = engine.claim_risk([e.mapping for e in els])
        charts.append({"claim": claim, "risk": risk, "risk_label": RiskLevel(risk).label,
                       "colour": RISK_COLOURS.get(risk),
                       "rows": [{"e": e, "colour": MAPPING_COLOURS[e.mapping],
                                 "proposed_colour": MAPPING_COLOURS[e.proposed],
                                 "form": ElementForm(initial={"mapping": e.mapping, "note": e.note},
                                                     prefix=f"e{e.pk}") if manage else None} for e in els],
                       "dependents": [d for d in claims if claim["number"] in d["refers_to"]]})
    options = selectors.licence_options([cand.patent_id]).get(cand.patent_id, {})
    return render(request, "risk/chart.html", {
        "check": check, "cand": cand, "patent": row, "charts": charts, "manage": manage,
        "markets": _market_rows(cand), "colour": RISK_COLOURS.get(cand.risk), "options": options,
        "holders": selectors.patent_holder_names([cand.patent_id]).get(cand.patent_id, []),
        "note_form": NoteForm(initial={"design_around": cand.design_around}) if manage else None,
        "open_count": sum(1 for e in elements if not e.confirmed), "mapping_choices": Mapping.choices})


@login_required
@require_POST
def element_confirm(request, pk: int, eid: int):
    check = selectors.check_get(user=request.user, pk=pk)
    from ipoc.risk.models import ClaimElement

    element = ClaimElement.objects.filter(pk=eid, candidate__check_obj=check).select_related("candidate").first()
    if element is None:
        raise NotFound(_("技术特征不存在"), field="element")
    form = ElementForm(request.POST, prefix=f"e{eid}")
    if form.is_valid():
        try:
            services.element_confirm(actor=request.user, element=element, mapping=form.cleaned_data["mapping"],
                                     note=form.cleaned_data["note"])
            messages.success(request, _("已确认：权利要求 %(c)s 第 %(p)s 项特征") % {
                "c": element.claim_number, "p": element.position})
        except ApplicationError as exc:
            _error(request, exc)
    return redirect(reverse("risk_chart", args=[pk, element.candidate_id]) + f"#e{eid}")


@login_required
@require_POST
def chart_confirm_all(request, pk: int, cid: int):
    check = selectors.check_get(user=request.user, pk=pk)
    cand = selectors.candidate_get(check=check, pk=cid)
    try:
        n = services.chart_confirm_all(actor=request.user, candidate=cand)
        messages.success(request, _("已按平台建议确认 %(n)d 项特征") % {"n": n})
    except ApplicationError as exc:
        _error(request, exc)
    return redirect("risk_chart", pk=pk, cid=cid)


@login_required
@require_POST
def candidate_note(request, pk: int, cid: int):
    check = selectors.check_get(user=request.user, pk=pk)
    cand = selectors.candidate_get(check=check, pk=cid)
    form = NoteForm(request.POST)
    if form.is_valid():
        try:
            services.candidate_note(actor=request.user, candidate=cand,
                                    design_around=form.cleaned_data["design_around"])
            messages.success(request, _("规避设计建议已保存"))
        except ApplicationError as exc:
            _error(request, exc)
    return redirect("risk_chart", pk=pk, cid=cid)


@login_required
@require_POST
def report_publish(request, pk: int):
    check = selectors.check_get(user=request.user, pk=pk)
    try:
        report = services.report_publish(actor=request.user, check=check)
        messages.success(request, _("报告已出具（第 %(v)d 版），已通知申请单位") % {"v": report.version})
        return redirect("risk_report", pk=pk)
    except ApplicationError as exc:
        _error(request, exc)
    return redirect("risk_check_detail", pk=pk)


def _report_of(request, pk: int):
    check = selectors.check_get(user=request.user, pk=pk)
    version = request.GET.get("v", "")
    reports = check.reports.all()
    report = reports.filter(version=int(version)).first() if version.isdecimal() and len(version) < 6 else reports.first()
    if report is None:
        raise NotFound(_("该排查尚未出具报告"), field="report")
    return check, report


@login_required
def report(request, pk: int):
    check, rep = _report_of(request, pk)
    content = rep.content
    for b in content.get("blocking", []):
        b["colour"] = RISK_COLOURS.get(b["risk"], "secondary")
        b["market_rows"] = [{"label": rules.market_label(m), **v} for m, v in b["markets"].items()]
        for chart_ in b["charts"]:
            for e in chart_["elements"]:
                e["colour"] = MAPPING_COLOURS.get(e["mapping"], "secondary")
    for c in content.get("conclusions", []):
        c["colour"] = RISK_COLOURS.get(c["risk"], "secondary")
    return render(request, "risk/report.html", {"check": check, "report": rep, "c": content,
                                                "versions": check.reports.all()})


@login_required
def report_pdf(request, pk: int):
    check, rep = _report_of(request, pk)
    response = HttpResponse(services.report_pdf(rep), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="risk-report-{check.pk}-v{rep.version}.pdf"'
    return response


# ---------------------------------------------------------------- exposure and alerts


@login_required
def exposure(request):
    user = request.user
    if not (user.is_platform_admin or user.role in (Role.CENTER_STAFF, Role.OFFICE_STAFF)):
        raise PermissionDenied(_("行业风险视图供运营中心和管理部门使用"))
    center_id = user.organization_id if user.role == Role.CENTER_STAFF else None
    rows = selectors.exposure(user=user, center_id=center_id)
    return render(request, "risk/exposure.html", {"rows": rows, "can_alert": _is_center(user)})


@login_required
@require_POST
def exposure_alert(request):
    value = request.POST.get("patent", "")
    if not value.isdecimal() or len(value) > 12:
        raise ApplicationError(_("请选择专利"), field="patent")
    try:
        services.exposure_alert(actor=request.user, patent_id=int(value), message=request.POST.get("message", ""))
        messages.success(request, _("已向相关会员单位发布风险提示"))
    except ApplicationError as exc:
        _error(request, exc)
    return redirect("risk_exposure")


@login_required
def report_by_id(request, pk: int):
    """A report version by its own id (the annual report's drill-down names reports)."""
    rep = selectors.report_get(user=request.user, pk=pk)
    return redirect(reverse("risk_report", args=[rep.check_obj_id]) + f"?v={rep.version}")


@login_required
def alert_detail(request, pk: int):
    """An alert: its check (the watch re-opened it), or the list of alerts for an industry alert."""
    alert = selectors.alert_list(user=request.user).filter(pk=pk).first()
    if alert is None:
        raise NotFound(_("风险提示不存在"), field="alert")
    if alert.check_obj_id:
        return redirect("risk_check_detail", pk=alert.check_obj_id)
    return redirect(reverse("risk_alert_list") + f"#alert-{alert.pk}")


@login_required
def alert_list(request):
    alerts = selectors.alert_list(user=request.user)[:200]
    return render(request, "risk/alert_list.html", {"alerts": alerts})


# ---------------------------------------------------------------- litigation watch list


@login_required
def litigation_list(request):
    qs = selectors.litigation_list(user=request.user, q=request.GET.get("q", "").strip()[:100])
    can_edit = _is_center(request.user)
    form = LitigationImportForm(request.POST or None, request.FILES or None) if can_edit else None
    report = None
    if form is not None and request.method == "POST" and form.is_valid():
        from ipoc.core.uploads import discard_upload, save_upload

        upload = form.cleaned_data["file"]
        path = None
        try:
            path = save_upload(upload)
            report = services.litigation_import(actor=request.user, path=path, file_name=upload.name)
            messages.success(request, _("新增 %(n)d 件，更新 %(u)d 件，拒绝 %(r)d 行") % {
                "n": report["counts"]["new"], "u": report["counts"]["updated"], "r": report["counts"]["rejected"]})
        except ApplicationError as exc:
            handle_application_error(form, exc)
        finally:
            discard_upload(path)
    return render_table(request, LitigationTable(qs, request=request), "risk/litigation_list.html", {
        "can_edit": can_edit, "q": request.GET.get("q", ""), "import_form": form, "report": report})


def _litigation_form(request, case=None):
    if not _is_center(request.user):
        raise PermissionDenied(_("诉讼/337 监控名单由运营中心维护"))
    form = LitigationForm(request.POST or None, instance=case)
    if request.method == "POST" and form.is_valid():
        data = {k: form.cleaned_data[k] for k in LitigationForm.Meta.fields}
        try:
            if case is None:
                case = services.litigation_case_create(actor=request.user, **data)
                messages.success(request, _("已加入监控名单：%(c)s") % {"c": case.case_number})
            else:
                case.refresh_from_db()
                services.litigation_case_update(actor=request.user, case=case, data=data)
                messages.success(request, _("案件已保存"))
            return redirect("risk_litigation_list")
        except ApplicationError as exc:
            handle_application_error(form, exc)
    return render(request, "risk/litigation_form.html", {"form": form, "case": case})


@login_required
def litigation_create(request):
    return _litigation_form(request)


@login_required
def litigation_edit(request, pk: int):
    case = selectors.litigation_list(user=request.user).filter(pk=pk).first()
    if case is None:
        raise NotFound(_("案件不存在"), field="case")
    return _litigation_form(request, case if isinstance(case, LitigationCase) else None)


# ---------------------------------------------------------------- supply chain


@login_required
def review_list(request):
    qs = selectors.review_list(user=request.user)
    return render_table(request, ReviewTable(qs, request=request), "risk/review_list.html", {
        "can_create": _may_create(request.user)})


@login_required
def bom_template(request):
    response = HttpResponse(services.bom_template_xlsx(),
                            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    response["Content-Disposition"] = 'attachment; filename="bom-template.xlsx"'
    return response


@login_required
def review_create(request):
    if not _may_create(request.user):
        raise PermissionDenied(_("只有企业用户和运营中心工作人员可以发起供应链合规排查"))
    form = BomForm(request.POST or None, request.FILES or None, user=request.user)
    set_picker_querysets(form, request.user)
    report = None
    if request.method == "POST" and form.is_valid():
        from ipoc.core.uploads import discard_upload, save_upload

        upload = form.cleaned_data["file"]
        path = None
        try:
            path = save_upload(upload)
            review = services.review_import(actor=request.user, path=path, file_name=upload.name,
                                            title=form.cleaned_data.get("title") or "",
                                            requester=form.cleaned_data.get("requester"),
                                            center=form.cleaned_data.get("center"))
            counts = review.import_report["counts"]
            messages.success(request, _("已导入 %(a)d 行，拒绝 %(r)d 行") % {"a": counts["accepted"],
                                                                         "r": counts["rejected"]})
            return redirect("risk_review_detail", pk=review.pk)
        except ApplicationError as exc:
            report = exc.extra.get("report")
            handle_application_error(form, exc)
        finally:
            discard_upload(path)
    return render(request, "risk/review_form.html", {"form": form, "report": report})


def _prefix(name: str) -> str:
    """A stable form prefix per supplier (several checklists on one page)."""
    import zlib

    return f"s{zlib.crc32(name.encode()):x}"


def _heatmap(suppliers: list[dict]) -> dict | None:
    """Components × risk dimensions (专利、许可、诉讼、合同、综合) as an ECharts heat map option."""
    if not suppliers:
        return None
    dims = [_("诉讼/337"), _("许可与承诺"), _("合同条款"), _("综合评分")]
    labels, data = [], []
    y = 0
    for s in suppliers:
        f = s["facts"]
        terms = (s["terms"].checks if s["terms"] else {}) or {}
        ok = sum(1 for v in terms.values() if v.get("ok"))
        values = [min(100, 50 * len([c for c in f["cases"] if c.status == "open"]) + 20 * len(f["cases"])),
                  0 if (f["licences"] or f["pledges"] or f["pools"]) else 60,
                  round(100 * (1 - ok / len(rules.CONTRACT_TERMS))), s["score"]["score"]]
        for line in s["lines"][:20]:
            label = f"{line.component} · {s['name']}"
            labels.append(label if len(label) <= 24 else label[:23] + "…")
            for x, v in enumerate(values):
                data.append([x, y, v])
            y += 1
        if y >= 60:
            break
    return {"tooltip": {"position": "top"}, "grid": {"left": 10, "right": 20, "top": 10, "bottom": 80, "containLabel": True},
            "xAxis": {"type": "category", "data": dims, "splitArea": {"show": True}},
            "yAxis": {"type": "category", "data": labels, "splitArea": {"show": True}},
            "visualMap": {"min": 0, "max": 100, "calculable": True, "orient": "horizontal", "left": "center",
                          "bottom": 0, "itemHeight": 120, "inRange": {"color": ["#2fb344", "#f59f00", "#d63939"]}},
            "series": [{"type": "heatmap", "data": data, "label": {"show": True}}],
            # the chart is 320 px high: more than six rows scroll
            **({"dataZoom": [{"type": "slider", "yAxisIndex": 0, "right": 0, "width": 14, "startValue": 0,
                              "endValue": 5, "showDetail": False}]} if y > 6 else {})}


@login_required
def review_detail(request, pk: int):
    review = selectors.review_get(user=request.user, pk=pk)
    suppliers = selectors.review_suppliers(review)
    manage = services.may_manage(request.user, review) or services._is_requester(request.user, review)
    for s in suppliers:
        s["form"] = TermsForm(initial_checks=s["terms"].checks if s["terms"] else {},
                              prefix=_prefix(s["name"])) if manage else None
        s["colour"] = RISK_COLOURS.get(s["score"]["level"])
        s["level_label"] = RiskLevel(s["score"]["level"]).label
        s["term_rows"] = [{"label": label, **((s["terms"].checks.get(code) if s["terms"] else None) or {})}
                          for code, label in rules.CONTRACT_TERMS]
    heat = _heatmap(suppliers)
    return render(request, "risk/review_detail.html", {
        "review": review, "suppliers": suppliers, "heat": heat, "manage": manage, "lines": review.lines.all(),
        "actions": review.actions.all(), "remediation_form": RemediationForm() if manage else None,
        "report": review.import_report})


@login_required
@require_POST
def terms_set(request, pk: int):
    review = selectors.review_get(user=request.user, pk=pk)
    name = request.POST.get("supplier_name", "")
    prefix = _prefix(name)
    form = TermsForm(request.POST, prefix=prefix)
    if form.is_valid():
        try:
            services.terms_set(actor=request.user, review=review, supplier_name=name, checks=form.checks())
            messages.success(request, _("合同条款核查已保存：%(s)s") % {"s": name})
        except ApplicationError as exc:
            _error(request, exc)
    return redirect("risk_review_detail", pk=pk)


@login_required
@require_POST
def remediation_add(request, pk: int):
    review = selectors.review_get(user=request.user, pk=pk)
    form = RemediationForm(request.POST)
    if form.is_valid():
        try:
            services.remediation_add(actor=request.user, review=review, **form.cleaned_data)
            messages.success(request, _("整改措施已登记"))
        except ApplicationError as exc:
            _error(request, exc)
    else:
        messages.error(request, _("请填写措施、负责人和完成期限"))
    return redirect("risk_review_detail", pk=pk)


@login_required
@require_POST
def remediation_done(request, pk: int, aid: int):
    review = selectors.review_get(user=request.user, pk=pk)
    item = review.actions.filter(pk=aid).first()
    if item is None:
        raise NotFound(_("整改措施不存在"), field="action")
    try:
        services.remediation_done(actor=request.user, item=item)
        messages.success(request, _("整改措施已完成"))
    except ApplicationError as exc:
        _error(request, exc)
    return redirect("risk_review_detail", pk=pk)

