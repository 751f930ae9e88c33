"""Pages of 重点领域专利池: the list, a pool's page (standards, licensors, patents by family and country,
programmes and rate cards, licensees, reports, allocation, conflicts), the forms of each step, a report's
statement (PDF/XLSX), an evaluation, the allocation with each licensor's statement, the simulator, and the public
pages (no login)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from ipoc.core.errors import ApplicationError, NotFound, PermissionDenied
from ipoc.core.models import Role
from ipoc.core.pickers import set_picker_querysets
from ipoc.core.ui import handle_application_error
from ipoc.pools import documents, forms, rules, selectors, services
from ipoc.pools.models import (
    Agreement,
    AgreementStatus,
    ConflictFlag,
    EvaluationStatus,
    PoolStatus,
    Programme,
    Standard,
    StandardSection,
)


def _may_create(user) -> bool:
    return user.is_platform_admin or user.role == Role.CENTER_STAFF


def _form_page(request, form, *, title, pool=None, intro="", multipart=False):
    return render(request, "pools/form.html", {"form": form, "title": title, "pool": pool, "intro": intro,
                                               "multipart": multipart})


# ---------------------------------------------------------------- list and pool page


@login_required
def pool_list(request):
    q, status = request.GET.get("q", "").strip()[:100], request.GET.get("status", "")
    status = status if status in PoolStatus.values else ""
    pools = list(selectors.pool_list(user=request.user, q=q, status=status)[:200])
    summaries = selectors.pool_counts([p.pk for p in pools])
    assignments = list(selectors.my_assignments(request.user)) if request.user.role == Role.EXPERT else []
    return render(request, "pools/pool_list.html", {
        "pools": [(p, summaries.get(p.pk, {})) for p in pools], "q": q, "status": status,
        "statuses": PoolStatus.choices, "can_create": _may_create(request.user), "assignments": assignments})


@login_required
def pool_detail(request, pk: int):
    pool = selectors.pool_get(user=request.user, pk=pk)
    role = selectors.role_in_pool(request.user, pool)
    admin = services.is_admin(request.user, pool)
    year = timezone.localdate().year
    programmes = list(pool.programmes.prefetch_related("categories"))
    cards = []
    for prog in programmes:
        card = selectors.rate_card_current(prog)
        cards.append({"programme": prog, "card": card, "versions": list(prog.rate_cards.all())})
    agreements = list(pool.agreements.select_related("licensee", "programme"))
    if not admin:
        agreements = [a for a in agreements if a.status == AgreementStatus.SIGNED
                      or a.licensee_id == request.user.organization_id]
    reports = list(selectors.report_list(user=request.user, pool=pool)[:100])
    statements = {r.pk: selectors.statement_current(r) for r in reports}
    evaluations = []
    if admin or role["licensor"]:
        from ipoc.pools.models import Evaluation

        evs = Evaluation.objects.filter(pool_patent__pool=pool, status=EvaluationStatus.OPEN).select_related(
            "pool_patent__patent", "version__standard", "pool_patent__licensor__organization")
        if not admin:
            evs = evs.filter(pool_patent__licensor=role["licensor"])
        evaluations = list(evs)
    conflicts = (list(ConflictFlag.objects.filter(pool_patent__pool=pool, resolved_at__isnull=True)
                      .select_related("pool_patent__patent")) if admin else [])
    allocations = list(pool.allocations.filter(is_current=True)) if (admin or role["licensor"]) else []
    return render(request, "pools/pool_detail.html", {
        "pool": pool, "admin": admin, "role": role, "year": year,
        "standards": pool.standards.prefetch_related("versions__sections"),
        "licensors": pool.licensors.select_related("organization"),
        "patents": selectors.patent_list_rows(pool, public=not (admin or role["licensor"])),
        "cards": cards, "agreements": agreements,
        "reports": [(r, statements[r.pk]) for r in reports], "evaluations": evaluations,
        "conflicts": conflicts, "allocations": allocations, "rules": rules.rule_rows()})


@login_required
def pool_create(request):
    if not _may_create(request.user):
        raise PermissionDenied(_("只有运营中心工作人员可以组建专利池"))
    form = forms.PoolForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            pool = services.pool_create(actor=request.user, **form.cleaned_data)
            messages.success(request, _("专利池已创建：%(p)s") % {"p": pool})
            return redirect("pool_detail", pk=pool.pk)
        except ApplicationError as exc:
            handle_application_error(form, exc)
    return _form_page(request, form, title=_("组建专利池"),
                      intro=_("两个或以上专利权人委托管理人联合运营；本中心为管理人"))


def _admin_pool(request, pk):
    pool = selectors.pool_get(user=request.user, pk=pk)
    services.require_admin(request.user, pool)
    return pool


@login_required
def pool_edit(request, pk: int):
    pool = _admin_pool(request, pk)
    initial = {k: getattr(pool, k) for k in services.POOL_EDITABLE}
    form = forms.PoolEditForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.pool_update(actor=request.user, pool=pool, data=form.cleaned_data)
            messages.success(request, _("专利池已保存"))
            return redirect("pool_detail", pk=pool.pk)
        except ApplicationError as exc:
            handle_application_error(form, exc)
    return _form_page(request, form, title=_("修改专利池"), pool=pool)


def _simple(request, pk, form_cls, title, call, *, intro="", **form_kwargs):
    pool = _admin_pool(request, pk)
    form = form_cls(request.POST or None, **form_kwargs)
    set_picker_querysets(form, request.user)
    if request.method == "POST" and form.is_valid():
        try:
            message = call(pool, form)
            messages.success(request, message)
            return redirect("pool_detail", pk=pool.pk)
        except ApplicationError as exc:
            handle_application_error(form, exc)
    return _form_page(request, form, title=title, pool=pool, intro=intro)


@login_required
def standard_add(request, pk: int):
    def call(pool, form):
        d = form.cleaned_data
        existing = Standard.objects.filter(pool=pool, code=d["code"].strip()).first()
        if existing is not None:
            v = services.standard_version_add(actor=request.user, standard=existing, version=d["version"],
                                              published_on=d["published_on"], sections=form.section_list())
            return _("已登记 %(s)s 的新版本，入池专利将重新评估") % {"s": v}
        v = services.standard_add(actor=request.user, pool=pool, code=d["code"], name=d["name"],
                                  version=d["version"], published_on=d["published_on"], sections=form.section_list())
        return _("标准已登记：%(s)s") % {"s": v}
    return _simple(request, pk, forms.StandardForm, _("登记标准或新版本"), call,
                   intro=_("同一标准号再次登记即为新版本：已入池专利会按新版本重新评估必要性"))


@login_required
def licensor_add(request, pk: int):
    def call(pool, form):
        lic = services.licensor_add(actor=request.user, pool=pool, organization=form.cleaned_data["organization"],
                                    joined_on=form.cleaned_data["joined_on"])
        return _("许可人已加入：%(o)s") % {"o": lic.organization}
    return _simple(request, pk, forms.LicensorForm, _("增加许可人"), call)


@login_required
def programme_add(request, pk: int):
    def call(pool, form):
        prog = services.programme_create(actor=request.user, pool=pool, name=form.cleaned_data["name"],
                                         terms=form.cleaned_data["terms"], categories=form.category_list())
        return _("许可计划已登记：%(p)s") % {"p": prog}
    return _simple(request, pk, forms.ProgrammeForm, _("登记许可计划"), call)


@login_required
def rate_card_add(request, pk: int, programme: int):
    pool = _admin_pool(request, pk)
    prog = Programme.objects.filter(pool=pool, pk=programme).first()
    if prog is None:
        raise NotFound(_("许可计划不存在"), field="programme")
    form = forms.RateCardForm(request.POST or None, programme=prog)
    if request.method == "POST" and form.is_valid():
        try:
            card = services.rate_card_create(actor=request.user, programme=prog, **form.service_kwargs())
            messages.success(request, _("费率表已登记：%(c)s，%(d)s 起生效") % {"c": card, "d": card.effective_from})
            return redirect("pool_detail", pk=pool.pk)
        except ApplicationError as exc:
            handle_application_error(form, exc)
        except Exception as exc:  # a ValidationError from parsing the discount lines
            from django.core.exceptions import ValidationError

            if not isinstance(exc, ValidationError):
                raise
            form.add_error("discounts", exc)
    return _form_page(request, form, title=_("登记费率表版本：%(p)s") % {"p": prog}, pool=pool,
                      intro=_("新版本自生效日期起适用于销售日在其后的产品；之前的销售仍按旧版本计算"))


@login_required
def patent_submit(request, pk: int):
    pool = selectors.pool_get(user=request.user, pk=pk)
    admin = services.is_admin(request.user, pool)
    licensors = list(pool.licensors.select_related("organization"))
    if not admin:
        licensors = [x for x in licensors if x.organization_id == request.user.organization_id]
    if not licensors:
        raise PermissionDenied(_("只有许可人或管理人可以提交入池专利"))
    sections = list(StandardSection.objects.filter(version__standard__pool=pool).select_related("version__standard"))
    form = forms.PatentSubmitForm(request.POST or None, licensors=licensors, sections=sections)
    set_picker_querysets(form, request.user)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        licensor = next(x for x in licensors if str(x.pk) == d["licensor"])
        chosen = [s for s in sections if str(s.pk) in set(d["sections"])]
        try:
            listing = services.pool_patent_submit(actor=request.user, pool=pool, licensor=licensor,
                                                  patent=d["patent"], family=d["family"], sections=chosen)
            messages.success(request, _("已提交，等待必要性评估：%(p)s") % {"p": listing.patent.number})
            return redirect("pool_detail", pk=pool.pk)
        except ApplicationError as exc:
            handle_application_error(form, exc)
    return _form_page(request, form, title=_("提交入池专利"), pool=pool,
                      intro=_("专利经独立专家评估为必要后入池"))


@login_required
def agreement_add(request, pk: int):
    pool = _admin_pool(request, pk)
    programmes = list(pool.programmes.all())

    def call(pool, form):
        d = form.cleaned_data
        prog = next(p for p in programmes if str(p.pk) == d["programme"])
        ag = services.agreement_create(actor=request.user, pool=pool, programme=prog, licensee=d["licensee"],
                                       number=d["number"], countries=d["countries"],
                                       back_royalty_from=d["back_royalty_from"])
        return _("许可协议已登记，等待被许可人签约：%(a)s") % {"a": ag}
    if not programmes:
        messages.warning(request, _("请先登记许可计划"))
        return redirect("pool_detail", pk=pool.pk)
    return _simple(request, pk, forms.AgreementForm, _("登记被许可人与许可协议"), call, programmes=programmes)


def _agreement(request, pk) -> Agreement:
    ag = Agreement.objects.select_related("pool", "licensee", "programme").filter(pk=pk).first()
    if ag is None or not (services.is_admin(request.user, ag.pool)
                          or ag.licensee_id == request.user.organization_id):
        raise NotFound(_("许可协议不存在或无权查看"), field="agreement")
    return ag


@login_required
def agreement_sign(request, pk: int):
    ag = _agreement(request, pk)
    form = forms.SignForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.agreement_sign(actor=request.user, agreement=ag, signed_on=form.cleaned_data["signed_on"])
            messages.success(request, _("已签约：%(a)s") % {"a": ag})
            return redirect("pool_detail", pk=ag.pool_id)
        except ApplicationError as exc:
            handle_application_error(form, exc)
    return _form_page(request, form, title=_("签署许可协议：%(a)s") % {"a": ag}, pool=ag.pool,
                      intro=ag.programme.terms)


@login_required
def report_upload(request, pk: int):
    ag = _agreement(request, pk)
    form = forms.ReportUploadForm(request.POST or None, request.FILES or None)
    errors = []
    if request.method == "POST" and form.is_valid():
        from ipoc.core.uploads import discard_upload, save_upload

        path = None
        try:
            upload = form.cleaned_data["file"]
            path = save_upload(upload)
            report, errors = services.report_import(actor=request.user, agreement=ag,
                                                    period=form.cleaned_data["period"], path=path,
                                                    file_name=upload.name)
            if report is not None:
                messages.success(request, _("报告已提交，账单已出具：%(r)s") % {"r": report})
                return redirect("pool_report", pk=report.pk)
            form.add_error(None, _("文件中有 %(n)d 行无法导入，请修改后重新上传") % {"n": len(errors)})
        except ApplicationError as exc:
            handle_application_error(form, exc)
        finally:
            discard_upload(path)
    return render(request, "pools/form.html", {
        "form": form, "title": _("上传许可报告：%(a)s") % {"a": ag}, "pool": ag.pool, "multipart": True,
        "row_errors": errors[:200],
        "intro": _("每行：产品类别（代码或名称）、制造国、销售国（两位代码）、数量、销售日期（可空，默认期末）")})


# ---------------------------------------------------------------- reports and statements


@login_required
def report_detail(request, pk: int):
    report = selectors.report_get(user=request.user, pk=pk)
    pool = report.agreement.pool
    admin = services.is_admin(request.user, pool)
    statement = selectors.statement_current(report)
    return render(request, "pools/report_detail.html", {
        "report": report, "pool": pool, "admin": admin, "statement": statement,
        "data": selectors.statement_dict(statement) if statement else None,
        "flags": report.flags.all(), "audits": report.audits.select_related("actor"),
        "audit_form": forms.AuditForm() if admin else None,
        "paid_form": forms.PaidForm() if admin and statement and statement.paid_on is None else None})


@login_required
def statement_download(request, pk: int, fmt: str):
    report = selectors.report_get(user=request.user, pk=pk)
    statement = selectors.statement_current(report)
    if statement is None:
        raise NotFound(_("该报告尚无账单"), field="statement")
    name = f"statement-{report.agreement.pool_id}-{report.period}"
    if fmt == "pdf":
        response = HttpResponse(documents.statement_pdf(statement), content_type="application/pdf")
    else:
        response = HttpResponse(documents.statement_xlsx(statement),
                                content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    response["Content-Disposition"] = f'attachment; filename="{name}.{fmt}"'
    return response


@login_required
@require_POST
def report_action(request, pk: int, action: str):
    report = selectors.report_get(user=request.user, pk=pk)
    try:
        if action == "paid":
            form = forms.PaidForm(request.POST)
            if not form.is_valid():
                raise ApplicationError(_("请填写付款日期"), field="paid_on")
            statement = selectors.statement_current(report)
            if statement is None:
                raise ApplicationError(_("该报告尚无账单"), field="statement")
            services.statement_mark_paid(actor=request.user, statement=statement,
                                         paid_on=form.cleaned_data["paid_on"])
            messages.success(request, _("已登记付款"))
        elif action == "audit":
            form = forms.AuditForm(request.POST)
            if not form.is_valid():
                raise ApplicationError(_("请填写稽核发现"), field="findings")
            services.audit_create(actor=request.user, report=report, **form.cleaned_data)
            messages.success(request, _("稽核记录已保存"))
        elif action == "reissue":
            services.statement_issue(actor=request.user, report=report)
            messages.success(request, _("账单已按当前专利状态与费率重新出具"))
        else:
            raise NotFound(_("未知操作"), field="action")
    except ApplicationError as exc:
        messages.error(request, exc.message)
    return redirect("pool_report", pk=report.pk)


# ---------------------------------------------------------------- evaluation


@login_required
def evaluation_detail(request, pk: int):
    ev = selectors.evaluation_get(user=request.user, pk=pk)
    pool = ev.pool_patent.pool
    admin = services.is_admin(request.user, pool)
    mine = ev.assignments.filter(expert=request.user).first()
    sections = list(ev.version.sections.all())
    bound = {}
    if request.method == "POST":
        step = request.POST.get("step", "")
        try:
            if step == "assign" and admin:
                f = forms.AssignForm(request.POST)
                set_picker_querysets(f, request.user)
                bound["assign"] = f
                if f.is_valid():
                    services.evaluator_assign(actor=request.user, evaluation=ev, expert=f.cleaned_data["expert"])
                    messages.success(request, _("已指派评估专家"))
                    return redirect("pool_evaluation", pk=ev.pk)
            elif step == "declare" and mine:
                f = forms.DeclareForm(request.POST)
                bound["declare"] = f
                if f.is_valid():
                    services.evaluator_declare(actor=request.user, assignment=mine,
                                               conflict=f.cleaned_data["conflict"] == "conflict",
                                               note=f.cleaned_data["note"])
                    messages.success(request, _("利益冲突声明已提交"))
                    return redirect("pool_evaluation", pk=ev.pk)
            elif step == "chart" and mine:
                f = forms.ChartRowForm(request.POST, sections=sections)
                bound["chart"] = f
                if f.is_valid():
                    d = f.cleaned_data
                    section = next(s for s in sections if str(s.pk) == d["section"])
                    services.claim_chart_add(actor=request.user, assignment=mine, element=d["element"],
                                             section=section, claim_number=d["claim_number"],
                                             reads_on=d["reads_on"], note=d["note"])
                    messages.success(request, _("已加入权利要求对照"))
                    return redirect("pool_evaluation", pk=ev.pk)
            elif step == "opinion" and mine:
                f = forms.OpinionForm(request.POST)
                bound["opinion"] = f
                if f.is_valid():
                    services.evaluator_opinion(actor=request.user, assignment=mine, **f.cleaned_data)
                    messages.success(request, _("评估意见已提交"))
                    return redirect("pool_evaluation", pk=ev.pk)
            elif step == "decide" and admin:
                services.evaluation_decide(actor=request.user, evaluation=ev, note=request.POST.get("note", "")[:2000])
                ev.refresh_from_db()
                messages.success(request, _("评估结论：%(d)s") % {"d": ev.get_decision_display()})
                return redirect("pool_evaluation", pk=ev.pk)
            else:
                raise PermissionDenied(_("您不能办理此步骤"))
        except ApplicationError as exc:
            target = bound.get(step)
            if target is not None:
                handle_application_error(target, exc)
            else:
                messages.error(request, exc.message)
    is_open = ev.status == EvaluationStatus.OPEN
    assign_form = bound.get("assign") or forms.AssignForm()
    set_picker_querysets(assign_form, request.user)
    return render(request, "pools/evaluation_detail.html", {
        "ev": ev, "pool": pool, "admin": admin, "mine": mine, "is_open": is_open,
        "assignments": ev.assignments.select_related("expert"),
        "chart": ev.chart.select_related("section", "author__expert"),
        "counted": services.counted_opinions(ev),
        "assign_form": assign_form if admin and is_open else None,
        "declare_form": (bound.get("declare") or forms.DeclareForm()) if mine and not mine.declaration and is_open
        else None,
        "chart_form": (bound.get("chart") or forms.ChartRowForm(sections=sections))
        if mine and mine.declaration == "none" and mine.submitted_at is None and is_open else None,
        "opinion_form": (bound.get("opinion") or forms.OpinionForm())
        if mine and mine.declaration == "none" and mine.submitted_at is None and is_open else None,
        "patent": ev.pool_patent.patent})


# ---------------------------------------------------------------- allocation, conflicts, simulator


def _year(request) -> int:
    value = request.GET.get("year", "") or request.POST.get("year", "")
    try:
        year = int(value)
    except ValueError:
        return timezone.localdate().year
    if not 2000 <= year <= 2100:
        raise ApplicationError(_("年度超出范围：%(y)s") % {"y": value}, field="year")
    return year


@login_required
def allocation_page(request, pk: int):
    pool = selectors.pool_get(user=request.user, pk=pk)
    role = selectors.role_in_pool(request.user, pool)
    admin = services.is_admin(request.user, pool)
    if not (admin or role["licensor"]):
        raise PermissionDenied(_("只有管理人和许可人可以查看分配"))
    year = _year(request)
    if request.method == "POST":
        method = request.POST.get("method") or None
        try:
            alloc = services.allocation_run(actor=request.user, pool=pool, year=year, method=method)
            messages.success(request, _("已按%(m)s完成 %(y)s 年度分配") % {"m": alloc.get_method_display(), "y": year})
        except ApplicationError as exc:
            messages.error(request, exc.message)
        return redirect(f"{request.path}?year={year}")
    alloc = selectors.allocation_current(pool, year)
    data = None
    if alloc is not None:
        data = selectors.allocation_dict(alloc, licensor_id=None if admin else role["licensor"].pk)
    from ipoc.pools.models import AllocationMethod

    collected = sum((s.total for s in selectors.collected_statements(pool, year)), Decimal("0"))
    return render(request, "pools/allocation.html", {
        "pool": pool, "admin": admin, "year": year, "alloc": alloc, "data": data, "collected_now": collected,
        "methods": AllocationMethod.choices, "years": range(timezone.localdate().year, 2019, -1)})


@login_required
def allocation_download(request, pk: int, licensor: int):
    pool = selectors.pool_get(user=request.user, pk=pk)
    role = selectors.role_in_pool(request.user, pool)
    admin = services.is_admin(request.user, pool)
    lic = pool.licensors.select_related("organization").filter(pk=licensor).first()
    if lic is None or not (admin or (role["licensor"] and role["licensor"].pk == lic.pk)):
        raise NotFound(_("许可人不存在或无权查看"), field="licensor")
    year = _year(request)
    alloc = selectors.allocation_current(pool, year)
    if alloc is None:
        raise NotFound(_("%(y)s 年度尚未分配") % {"y": year}, field="year")
    response = HttpResponse(documents.allocation_pdf(alloc, lic), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="allocation-{pool.pk}-{year}-{lic.pk}.pdf"'
    return response


@login_required
@require_POST
def conflicts_refresh(request, pk: int):
    pool = _admin_pool(request, pk)
    new = services.conflicts_refresh(actor=request.user, pool=pool)
    messages.success(request, _("冲突检查完成：新发现 %(n)d 条") % {"n": len(new)})
    return redirect("pool_detail", pk=pool.pk)


@login_required
@require_POST
def conflict_resolve(request, pk: int):
    flag = ConflictFlag.objects.select_related("pool_patent__pool").filter(pk=pk).first()
    if flag is None or not services.is_admin(request.user, flag.pool_patent.pool):
        raise NotFound(_("冲突提示不存在"), field="flag")
    try:
        services.conflict_resolve(actor=request.user, flag=flag, resolution=request.POST.get("resolution", ""))
        messages.success(request, _("已处理"))
    except ApplicationError as exc:
        messages.error(request, exc.message)
    return redirect("pool_detail", pk=flag.pool_patent.pool_id)


@login_required
def simulator(request, pk: int):
    pool = _admin_pool(request, pk)
    from ipoc.pools.models import ProductCategory

    categories = list(ProductCategory.objects.filter(programme__pool=pool))
    last_year = timezone.localdate().year - 1
    form = forms.SimulatorForm(request.GET or None, categories=categories, initial={"year": last_year})
    result = None
    if form.is_bound and form.is_valid():
        d = form.cleaned_data
        try:
            extra = []
            from ipoc.patents import selectors as patent_selectors

            for number in [x for x in (d["patents"] or "").replace("，", ",").split(",") if x.strip()][:50]:
                extra.append(patent_selectors.patent_get(user=request.user, key_or_number=number.strip()).pk)
            countries = services.clean_countries(d["discount_countries"] or "", "discount_countries")
            result = selectors.simulate(pool=pool, year=d["year"], extra_patent_ids=extra,
                                        rate_category=int(d["category"]) if d["category"] else None,
                                        per_unit=d["per_unit"], discount_countries=countries,
                                        discount_percent=d["discount_percent"], years_ahead=d["years_ahead"] or 0)
        except ApplicationError as exc:
            handle_application_error(form, exc)
    chart = None
    if result:


        chart = ({
            "tooltip": {"trigger": "axis"}, "grid": {"left": 60, "right": 20, "top": 30, "bottom": 30},
            "xAxis": {"type": "category", "data": [str(y["year"]) for y in result["years"]]},
            "yAxis": {"type": "value", "name": "元"},
            "series": [{"type": "bar", "name": _("收取许可费"), "data": [float(y["collected"]) for y in result["years"]]}]})
    return render(request, "pools/simulator.html", {"pool": pool, "form": form, "result": result, "chart": chart})


# ---------------------------------------------------------------- public pages (no login)


def public_list(request):
    pools = list(selectors.public_pool_list()[:200])
    return render(request, "pools/public_list.html", {"pools": pools})


def public_detail(request, pk: int):
    pool = selectors.public_pool_get(pk)
    cards = []
    for prog in pool.programmes.prefetch_related("categories"):
        card = selectors.rate_card_current(prog)
        cards.append({"programme": prog, "card": card})
    return render(request, "pools/public_detail.html", {
        "pool": pool, "licensors": pool.licensors.select_related("organization"),
        "licensees": pool.agreements.filter(status=AgreementStatus.SIGNED).select_related("licensee", "programme"),
        "patents": selectors.patent_list_rows(pool, public=True), "cards": cards,
        "standards": pool.standards.prefetch_related("versions"), "today": dt.date.today()})
