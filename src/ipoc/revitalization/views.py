"""Pages of 存量专利盘活: the stock list, filing (from the institution's own patents, a sheet, or numbers),
a stock patent's page with the moves its user may make now, pushes and the progress dashboard."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from ipoc.core.display import patent_label, wan_text
from ipoc.core.errors import ApplicationError
from ipoc.core.jobs import job_of_request
from ipoc.core.models import JobStatus, Role
from ipoc.core.pickers import set_picker_querysets
from ipoc.core.tables import render_table
from ipoc.core.ui import handle_application_error
from ipoc.revitalization import grading, importers, matching, selectors, services
from ipoc.revitalization.filtersets import PushFilterSet, StockFilterSet
from ipoc.revitalization.forms import (
    DealRecordForm,
    DecideForm,
    PushForm,
    ReasonForm,
    ResponseForm,
    ServiceRequestForm,
    StockEditForm,
    StockFileForm,
    StockNumbersForm,
    StockUploadForm,
)
from ipoc.revitalization.models import (
    PROMOTABLE,
    Intention,
    Library,
    Recommendation,
    ReviewLevel,
    ServiceRequestStatus,
    Stage,
)
from ipoc.revitalization.tables import PushTable, StockTable


def _is_institution_user(user) -> bool:
    return user.role == Role.INSTITUTION_USER and user.organization_id is not None


def _institution_of(user):
    if not _is_institution_user(user):
        raise ApplicationError(_("只有高校/院所用户可以为本单位建档"), field="institution", status=403)
    return user.organization


# ---------------------------------------------------------------- the list


@login_required
def stock_list(request):
    base = selectors.stock_list(user=request.user)
    filterset = StockFilterSet(request.GET or None, queryset=base, request=request)
    qs = filterset.qs if filterset.is_bound and filterset.is_valid() else base
    table = StockTable(qs, request=request)
    if "institution" not in filterset.filters:  # one institution only: no need to repeat it on every row
        table.columns.hide("institution")
    user = request.user
    pending = (selectors.service_request_list(user=user, status=ServiceRequestStatus.PENDING).count()
               if _is_institution_user(user) else 0)
    return render_table(request, table, "revitalization/stock_list.html", {
        "filterset": filterset, "may_file": _is_institution_user(user), "pending_requests": pending,
        "show_services": _is_institution_user(user) or user.role == Role.CENTER_STAFF or user.is_platform_admin})


def stock_template(request):
    response = HttpResponse(importers.template_xlsx(),
                            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    response["Content-Disposition"] = 'attachment; filename="stock-patent-template.xlsx"'
    return response


# ---------------------------------------------------------------- filing (建档)


def _after_filing(request, report: dict):
    counts = report["counts"]
    if counts["created"] or counts["updated"]:
        messages.success(request, _("已建档 %(c)s 件、更新 %(u)s 件，请在清单中逐件提交院系审核。")
                         % {"c": counts["created"], "u": counts["updated"]})
    if counts["rejected"]:
        messages.warning(request, _("有 %(n)s 件未能建档，原因见下表。") % {"n": counts["rejected"]})
    return redirect("stock_import_report", pk=report["id"])


@login_required
def stock_file(request):
    """A university or institute files patents it holds (chosen by search, numbered or not) for 存量盘活."""
    institution = _institution_of(request.user)
    form = StockFileForm(request.POST or None)
    set_picker_querysets(form, request.user)
    if request.method == "POST" and form.is_valid():
        try:
            report = services.stock_select(actor=request.user, institution=institution,
                                           patents=list(form.cleaned_data["patents"]), **form.defaults())
            return _after_filing(request, report)
        except ApplicationError as exc:
            handle_application_error(form, exc)
    return render(request, "revitalization/stock_file.html", {"form": form, "institution": institution})


@login_required
def stock_import(request):
    """批量建档 from the template sheet, or by typing numbers."""
    institution = _institution_of(request.user)
    upload = StockUploadForm(prefix="upload")
    by_numbers = StockNumbersForm(prefix="numbers")
    if request.method == "POST" and "upload-file" in request.FILES:
        upload = StockUploadForm(request.POST, request.FILES, prefix="upload")
        if upload.is_valid():
            from ipoc.core.jobs import job_start_background
            from ipoc.core.uploads import save_upload

            file = upload.cleaned_data["file"]
            try:  # a background job (short transactions); its page shows progress, then the report
                job = services.stock_import_start(actor=request.user, institution=institution,
                                                  path=save_upload(file), file_name=file.name)
                job_start_background(job)
                return redirect(f"{request.path}?job={job.pk}")
            except ApplicationError as exc:
                exc.field = "file"
                handle_application_error(upload, exc)
    elif request.method == "POST" and "numbers-numbers" in request.POST:
        by_numbers = StockNumbersForm(request.POST, prefix="numbers")
        if by_numbers.is_valid():
            try:
                report = services.stock_select(actor=request.user, institution=institution,
                                               numbers=by_numbers.cleaned_data["numbers"], **by_numbers.defaults())
                return _after_filing(request, report)
            except ApplicationError as exc:
                handle_application_error(by_numbers, exc)
    elif request.method == "POST":
        upload = StockUploadForm(request.POST, request.FILES, prefix="upload")
        upload.is_valid()
    elif (job := job_of_request(request, "stock.import")) is not None:
        if job.status in (JobStatus.PENDING, JobStatus.RUNNING):
            return redirect("job_detail", pk=job.pk)
        if job.status == JobStatus.SUCCEEDED and (job.result or {}).get("report"):
            return _after_filing(request, job.result["report"])
        messages.error(request, job.error or _("导入未完成（任务 #%(j)s）") % {"j": job.pk})
    return render(request, "revitalization/stock_import.html", {
        "upload": upload, "by_numbers": by_numbers, "institution": institution},
        status=400 if upload.errors or by_numbers.errors else 200)


@login_required
def stock_import_report(request, pk: int):
    record = selectors.import_get(user=request.user, pk=pk)
    report = services.import_report(record)
    stocks = {s.pk: s for s in selectors.stock_list(user=request.user).filter(
        pk__in=[i["stock_id"] for i in report["items"] if i.get("stock_id")])}
    for item in report["items"]:
        item["stock"] = stocks.get(item.get("stock_id"))
        if item["stock"] is not None:  # the number under the title, or only the source of a patent without one
            label, item["badge"] = patent_label(item["stock"].patent)
            item["patent_number"] = "" if item["badge"] else label
    return render(request, "revitalization/stock_import_report.html", {"record": record, "report": report})


# ---------------------------------------------------------------- one stock patent


def stock_actions(user, stock) -> list[dict]:
    """The moves ``user`` may make on ``stock`` now, each a button on the page (only those allowed)."""
    institution = stock.institution
    admin = user.is_platform_admin
    member = services.is_member(user, institution)
    serving = services.serves(user, institution)
    school = services.is_reviewer(user, institution, ReviewLevel.SCHOOL)
    actions = []
    if stock.stage == Stage.DRAFT and (admin or member):
        actions.append({"action": "submit", "label": _("提交院系审核"), "icon": "send", "style": "primary",
                        "confirm": _("提交后进入院系审核，审核期间不能修改建档信息。确定提交？")})
    reviewer = ((stock.stage == Stage.DEPT_REVIEW
                 and services.is_reviewer(user, institution, ReviewLevel.DEPARTMENT, stock.department))
                or (stock.stage == Stage.SCHOOL_REVIEW and school))
    if stock.stage in (Stage.DEPT_REVIEW, Stage.SCHOOL_REVIEW) and (admin or reviewer):
        label = _("院系审核通过") if stock.stage == Stage.DEPT_REVIEW else _("学校审核通过，入库")
        actions.append({"action": "approve", "label": label, "icon": "check", "style": "success",
                        "confirm": _("确定审核通过？")})
        actions.append({"action": "refuse", "label": _("退回建档"), "icon": "arrow-back-up", "style": "outline-danger",
                        "confirm": _("确定退回？退回须在“意见或理由”中说明原因。"), "needs_reason": True})
    if stock.stage == Stage.STORED and (admin or member or serving):
        actions.append({"action": "grade", "label": _("市场评价（本单位全部存量专利）") if not stock.graded_at
                        else _("重新评价（本单位全部存量专利）"), "icon": "chart-bar", "style": "outline-primary",
                        "confirm": _("将用专利评估模块为本单位全部存量专利评级并给出分层分类建议。确定开始？")})
    if (stock.stage == Stage.STORED and stock.recommendation and stock.library != Library.RESOURCE
            and (admin or serving or school)):
        actions.append({"action": "screen", "label": _("按分层分类建议筛选入库"), "icon": "filter-check",
                        "style": "outline-primary",
                        "confirm": _("建议重点推广、一般推广的专利进入专利转化资源库，其余留在基础库。确定筛选？")})
    return actions


STAGE_STEPS = [Stage.DRAFT.label, gettext_lazy("院系审核"), gettext_lazy("学校审核"), gettext_lazy("入库（基础库）"),
               gettext_lazy("市场评价"), gettext_lazy("专利转化资源库")]


def may_push(user, stock) -> bool:
    return ((user.is_platform_admin or services.serves(user, stock.institution))
            and stock.library == Library.RESOURCE and stock.recommendation in PROMOTABLE)


def _move_rows(stock) -> list[dict]:
    """The stock patent's moves with who made them by name ("系统" for the system)."""
    rows = selectors.stock_moves(stock)
    names = [str(m.actor) if m.actor_id else _("系统") for m in stock.moves.select_related("actor")]
    for row, name in zip(rows, names, strict=False):
        row["actor_label"] = name
        if row["kind"] == "library":
            row["from_label"] = row["from_label"] if row["from_value"] else _("未入库")
    return rows


def _steps(stock) -> tuple[list, int]:
    """The chain 建档 → 院系审核 → 学校审核 → 入库 → 市场评价 → 资源库, and the index of the step reached."""
    reached = [Stage.DRAFT, Stage.DEPT_REVIEW, Stage.SCHOOL_REVIEW, Stage.STORED].index(stock.stage)
    if stock.stage == Stage.STORED and stock.graded_at:
        reached = 4
    if stock.library == Library.RESOURCE:
        reached = 5
    return STAGE_STEPS, reached


@login_required
def stock_detail(request, pk: int):
    user = request.user
    stock = selectors.stock_get(user=user, pk=pk)
    searched = request.GET.get("candidates") == "1"
    pushing = may_push(user, stock)
    candidates = matching.find_enterprises(user=user, stock=stock) if searched and pushing else []
    push_form = PushForm()
    set_picker_querysets(push_form, user)
    center = user.role == Role.CENTER_STAFF or user.is_platform_admin
    intention_labels = dict(Intention.choices)
    actions = stock_actions(user, stock)
    return render(request, "revitalization/stock_detail.html", {
        "stock": stock, "moves": _move_rows(stock), "actions": actions,
        "needs_reason": any(a["action"] in ("submit", "approve", "refuse", "screen") for a in actions),
        "reason_form": ReasonForm(), "may_edit": stock.stage == Stage.DRAFT and (
            user.is_platform_admin or services.is_member(user, stock.institution)),
        "may_push": pushing, "push_form": push_form, "candidates": candidates, "searched": searched,
        "pushes": selectors.push_list(user=user, stock=stock.pk), "may_record": center,
        "response_form": ResponseForm(), "deal_form": DealRecordForm(),
        "intentions": [intention_labels.get(i, i) for i in stock.intentions], "steps": _steps(stock)[0], "step": _steps(stock)[1],
        "source_label": services.SOURCE_LABELS.get(stock.source, stock.source),
        "gradable": grading.gradable(stock.patent)})


@login_required
def stock_edit(request, pk: int):
    stock = selectors.stock_get(user=request.user, pk=pk)
    initial = {f: getattr(stock, f) for f in services.EDITABLE_FIELDS}
    initial["inventors"] = "；".join(stock.inventors or [])
    form = StockEditForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.stock_update(actor=request.user, stock=stock, data=form.data_for_service())
            messages.success(request, _("建档信息已保存"))
            return redirect("stock_detail", pk=stock.pk)
        except ApplicationError as exc:
            handle_application_error(form, exc)
    return render(request, "revitalization/stock_edit.html", {"form": form, "stock": stock})


SUCCESS = {
    "submit": gettext_lazy("已提交院系审核"),
    "approve": gettext_lazy("审核通过"),
    "refuse": gettext_lazy("已退回建档"),
    "screen": gettext_lazy("已按分层分类建议完成筛选"),
}


@login_required
@require_POST
def stock_action(request, pk: int):
    stock = selectors.stock_get(user=request.user, pk=pk)
    action = request.POST.get("action", "")
    reason = (request.POST.get("reason") or "").strip()
    try:
        if action == "submit":
            services.stock_submit(actor=request.user, stock=stock, reason=reason)
        elif action in ("approve", "refuse"):
            stock = services.stock_review(actor=request.user, stock=stock, approve=action == "approve",
                                          reason=reason)
        elif action == "screen":
            stock = services.stock_screen(actor=request.user, stock=stock, reason=reason)
        elif action == "grade":
            result = services.stock_grade(actor=request.user, institution=stock.institution)
            summary = "、".join(_("%(k)s %(v)s 件") % {"k": k, "v": v} for k, v in result["by_recommendation"].items())
            messages.success(request, _("市场评价完成：共评价 %(n)s 件%(s)s") % {
                "n": result["graded"], "s": f"（{summary}）" if summary else ""})
            if result["ungraded"]:
                messages.warning(request, _("%(n)s 件专利缺少专利类型或申请日，评估引擎无法评级：%(p)s") % {
                    "n": len(result["ungraded"]), "p": "、".join(result["ungraded"][:5])
                    + ("…" if len(result["ungraded"]) > 5 else "")})
        elif action == "push":
            form = PushForm(request.POST)
            set_picker_querysets(form, request.user)
            if not form.is_valid():
                raise ApplicationError(_("请选择要推送的企业"), field="enterprise")
            enterprise = form.cleaned_data["enterprise"]
            services.push_create(actor=request.user, stock=stock, enterprise=enterprise,
                                 note=form.cleaned_data["note"])
            messages.success(request, _("已推送给 %(e)s") % {"e": enterprise.name})
        else:
            raise ApplicationError(_("未知操作"), field="action")
    except ApplicationError as exc:
        messages.error(request, exc.message)
        return redirect("stock_detail", pk=pk)
    if action in SUCCESS:
        if action == "approve" and stock.stage == Stage.STORED:
            messages.success(request, _("学校审核通过，已进入存量专利基础库"))
        elif action == "screen":
            messages.success(request, _("筛选通过，已进入专利转化资源库") if stock.screen_passed
                             else _("未通过筛选，留在存量专利基础库"))
        else:
            messages.success(request, SUCCESS[action])
    return redirect("stock_detail", pk=pk)


# ---------------------------------------------------------------- service relations (consent)


@login_required
def service_list(request, form=None):
    """服务关系: a center asks to serve an institution; the institution's users agree or decline."""
    user = request.user
    is_center = user.role == Role.CENTER_STAFF and user.organization_id is not None
    if is_center and form is None:
        form = ServiceRequestForm()
    if form is not None:
        set_picker_querysets(form, user)
    requests_ = selectors.service_request_list(user=user).order_by("-requested_at", "-id")
    return render(request, "revitalization/stock_services.html", {
        "requests": requests_, "pending": [r for r in requests_ if r.status == ServiceRequestStatus.PENDING],
        "form": form if is_center else None, "decide_form": DecideForm(),
        "may_decide": _is_institution_user(user) or user.is_platform_admin})


@login_required
@require_POST
def service_request(request):
    user = request.user
    if user.role != Role.CENTER_STAFF or user.organization_id is None:
        raise ApplicationError(_("只有运营中心工作人员可以申请服务"), status=403)
    form = ServiceRequestForm(request.POST)
    set_picker_querysets(form, user)
    if form.is_valid():
        institution = form.cleaned_data["institution"]
        try:
            result = services.service_link_create(actor=user, center=user.organization, institution=institution,
                                                  note=form.cleaned_data["note"])
            if result.status == ServiceRequestStatus.ACCEPTED:
                messages.success(request, _("本中心已在为 %(i)s 提供服务") % {"i": institution.name})
            else:
                messages.success(request, _("已向 %(i)s 发出服务申请，对方同意后即可查看其存量专利清单")
                                 % {"i": institution.name})
            return redirect("stock_services")
        except ApplicationError as exc:
            handle_application_error(form, exc)
    return service_list(request, form=form)


@login_required
@require_POST
def service_decide(request, pk: int):
    service_request_ = selectors.service_request_get(user=request.user, pk=pk)
    accept = request.POST.get("decision") == "accept"
    try:
        services.service_request_decide(actor=request.user, request=service_request_, accept=accept,
                                        reason=(request.POST.get("reason") or "").strip())
        messages.success(request, (_("已同意 %(c)s 为本单位提供存量专利盘活服务") if accept
                                   else _("已拒绝 %(c)s 的服务申请")) % {"c": service_request_.center.name})
    except ApplicationError as exc:
        messages.error(request, exc.message)
    return redirect("stock_services")


# ---------------------------------------------------------------- pushes


@login_required
def push_list(request):
    """推送给我的专利 (an enterprise) / the pushes a user may see; the enterprise records its response here."""
    user = request.user
    base = selectors.push_list(user=user)
    filterset = PushFilterSet(request.GET or None, queryset=base, request=request)
    qs = filterset.qs if filterset.is_bound and filterset.is_valid() else base
    enterprise = user.role == Role.ENTERPRISE_USER
    table = PushTable(qs, request=request, link_stock=not enterprise, may_respond=enterprise)
    if enterprise:  # its own pushes: the enterprise column would repeat its name
        table.columns.hide("enterprise")
        table.empty_text = _("运营中心尚未向贵企业推送专利")
    return render_table(request, table, "revitalization/push_list.html", {
        "filterset": filterset, "is_enterprise": enterprise, "response_form": ResponseForm()})


@login_required
@require_POST
def push_action(request, pk: int):
    push = selectors.push_get(user=request.user, pk=pk)
    back = redirect("stock_push_list") if request.POST.get("next") == "pushes" \
        else redirect("stock_detail", pk=push.stock_id)
    try:
        if request.POST.get("action") == "deal":
            form = DealRecordForm(request.POST)
            if not form.is_valid():
                field, errors = next(iter(form.errors.items()))
                label = form.fields[field].label if field in form.fields else ""
                raise ApplicationError(f"{label}：{errors[0]}" if label else errors[0], field=field)
            d = form.cleaned_data
            services.deal_record(actor=request.user, push=push, mode=d["mode"], signed_on=d["signed_on"],
                                 amount=d["amount"], note=d["note"])
            messages.success(request, _("已登记成交：%(e)s") % {"e": push.enterprise.name})
        else:
            form = ResponseForm(request.POST)
            if not form.is_valid():
                raise ApplicationError(_("请选择反馈"), field="response")
            services.push_respond(actor=request.user, push=push, response=form.cleaned_data["response"],
                                  note=form.cleaned_data["note"])
            messages.success(request, _("反馈已记录"))
    except ApplicationError as exc:
        messages.error(request, exc.message)
    return back


# ---------------------------------------------------------------- the dashboard


def bar_option(title: str, unit: str, labels: list[str], values: list, links: dict[str, str] | None = None) -> dict:
    """An ECharts horizontal bar chart: a title with its unit, values at the bars, labels that do not overlap;
    ``links`` (label → URL) make each bar open the records behind it."""
    return {
        "title": {"text": f"{title}（{unit}）", "left": 0, "textStyle": {"fontSize": 14, "fontWeight": 600}},
        "tooltip": {"trigger": "axis", "axisPointer": {"type": "shadow"}},
        "grid": {"left": 8, "right": 48, "top": 40, "bottom": 8, "containLabel": True},
        "xAxis": {"type": "value", "minInterval": 1, "name": unit, "nameLocation": "end"},
        "yAxis": {"type": "category", "data": labels, "inverse": True,
                  "axisLabel": {"width": 140, "overflow": "truncate"}},
        "series": [{"type": "bar", "data": values, "barMaxWidth": 22, "label": {"show": True, "position": "right"},
                    "itemStyle": {"color": "#206bc4"}}],
        "ipocLinks": links or {},
    }


@login_required
def stock_dashboard(request):
    data = selectors.dashboard(user=request.user)
    totals = data["totals"]
    stock_url = reverse("stock_list")
    steps = [
        (_("已盘点"), totals["inventoried"], stock_url),
        (_("审核中"), totals["in_review"], None),
        (_("已入库"), totals["base_library"], f"{stock_url}?stage={Stage.STORED}"),
        (_("已评价"), totals["graded"], None),
        (_("已筛选"), totals["screened"], None),
        (_("转化资源库"), totals["resource_library"], f"{stock_url}?library={Library.RESOURCE}"),
        (_("已推送"), totals["pushed"], None),
        (_("有反馈"), totals["responded"], None),
        (_("已转化"), totals["converted"], None),
    ]
    progress = bar_option(_("盘活进度"), _("件"), [str(s[0]) for s in steps], [s[1] for s in steps],
                          {str(s[0]): s[2] for s in steps if s[2]})
    by_label = totals["by_recommendation"]
    recs = [(str(label), by_label[str(label)], f"{stock_url}?recommendation={code}")
            for code, label in Recommendation.choices if by_label.get(str(label))]
    recommendation = bar_option(_("分层分类建议"), _("件"), [r[0] for r in recs], [r[1] for r in recs],
                                {r[0]: r[2] for r in recs}) if recs else None
    pushes_url = reverse("stock_push_list")
    kpis = [
        (_("已盘点"), totals["inventoried"], _("件"), stock_url),
        (_("已入库"), totals["base_library"], _("件"), f"{stock_url}?stage={Stage.STORED}"),
        (_("专利转化资源库"), totals["resource_library"], _("件"), f"{stock_url}?library={Library.RESOURCE}"),
        (_("已推送"), totals["pushed"], _("件"), pushes_url),
        (_("已转化"), totals["converted"], _("件"), f"{pushes_url}?response=deal"),
        (_("成交金额"), wan_text(totals["deal_amount"] or 0), _("万元"), f"{pushes_url}?response=deal"),
    ]
    return render(request, "revitalization/stock_dashboard.html", {
        "data": data, "totals": totals, "progress": progress, "recommendation": recommendation,
        "stock_url": stock_url, "kpis": kpis})

