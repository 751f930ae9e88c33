"""Pages of 专利产业化: projects (list + map by chain node, page with its chain of records, stage buttons and
the forms that add patents, partners, milestones, money and outcomes), 专利密集型产品 (page, yearly data, the
备案认定 pack with its checks and exports, status buttons), brands (trademarks, products, patents, awards)."""

from __future__ import annotations

from pathlib import Path

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from ipoc.core.display import money_text
from ipoc.core.errors import ApplicationError, PermissionDenied
from ipoc.core.models import Role
from ipoc.core.pickers import set_picker_querysets
from ipoc.core.tables import render_table
from ipoc.core.ui import handle_application_error
from ipoc.industrialization import forms as f
from ipoc.industrialization import rules, selectors, services
from ipoc.industrialization.filtersets import ProjectFilterSet
from ipoc.industrialization.models import (
    FILING_TRANSITIONS,
    PROJECT_TRANSITIONS,
    FilingStatus,
    ProjectStage,
)
from ipoc.industrialization.tables import BrandTable, ProductTable, ProjectTable


def _may_create_project(user) -> bool:
    return user.is_platform_admin or user.role == Role.CENTER_STAFF


def _may_create_product(user) -> bool:
    return user.is_platform_admin or user.role in (Role.CENTER_STAFF, Role.ENTERPRISE_USER)


def _errors_to_messages(request, form) -> None:
    for name, errs in form.errors.items():
        label = form.fields[name].label if name in form.fields else ""
        for e in errs:
            messages.error(request, f"{label}：{e}" if label else str(e))


def _refusal(request, exc: ApplicationError) -> None:
    problems = (exc.extra or {}).get("problems")
    if problems:
        messages.error(request, _("备案材料未通过导出前检查："))
        for p in problems:
            messages.error(request, p["message"])
    else:
        messages.error(request, exc.message)


def _tabs(active: str) -> list[dict]:
    return [{"key": "projects", "label": _("产业化项目"), "url": reverse("industrialization_project_list"),
             "active": active == "projects"},
            {"key": "products", "label": _("专利密集型产品"), "url": reverse("industrialization_product_list"),
             "active": active == "products"},
            {"key": "brands", "label": _("商标品牌"), "url": reverse("industrialization_brand_list"),
             "active": active == "brands"}]


# ================================================================ projects


STAGE_COLOURS = {ProjectStage.INITIATED: "#a8aeb7", ProjectStage.PILOT: "#f59f00",
                 ProjectStage.MASS_PRODUCTION: "#206bc4", ProjectStage.FULL_CAPACITY: "#2fb344"}


def chain_map_chart(rows: list[dict], center: int | None) -> dict | None:
    """Projects by chain node, stacked by stage; a click opens the node's projects."""
    if not rows:
        return None
    labels = [r["node"] or str(_("未关联产业链节点")) for r in rows]
    base = reverse("industrialization_project_list")
    links = {}
    for label, r in zip(labels, rows, strict=True):
        if r["node_id"]:
            links[label] = f"{base}?chain_node={r['node_id']}" + (f"&center={center}" if center else "")
    series = [{"name": str(ProjectStage(s).label), "type": "bar", "stack": "stage", "barMaxWidth": 26,
               "itemStyle": {"color": STAGE_COLOURS[s]}, "data": [r["stages"].get(s) or None for r in rows],
               "label": {"show": True}}
              for s in ProjectStage.values]
    return {"title": {"text": str(_("按产业链节点的产业化项目（个）")), "left": 0,
                      "textStyle": {"fontSize": 14, "fontWeight": 600}},
            "tooltip": {"trigger": "axis", "axisPointer": {"type": "shadow"}},
            "legend": {"top": 0, "right": 0},
            "grid": {"left": 8, "right": 24, "top": 40, "bottom": 8, "containLabel": True},
            "xAxis": {"type": "value", "minInterval": 1},
            "yAxis": {"type": "category", "inverse": True, "data": labels,
                      "axisLabel": {"width": 200, "overflow": "truncate"}},
            "series": series, "ipocLinks": links}


@login_required
def project_list(request):
    user = request.user
    filterset = ProjectFilterSet(request.GET or None, queryset=selectors.project_list(user=user), request=request)
    qs = filterset.qs if filterset.is_bound and filterset.is_valid() else selectors.project_list(user=user)
    center = request.GET.get("center", "")
    center_id = int(center) if center.isdecimal() else (user.organization_id if user.role == Role.CENTER_STAFF
                                                       else None)
    chart = chain_map_chart(selectors.projects_by_chain_node(user=user, center=center_id), center_id)
    table = ProjectTable(qs, request=request)
    return render_table(request, table, "industrialization/project_list.html", {
        "filterset": filterset, "can_create": _may_create_project(user), "chart": chart, "tabs": _tabs("projects"),
        "filtered": bool(request.GET.get("chain_node"))})


def _project_page(request, project):
    user = request.user
    manage = services.may_manage_project(user, project)
    report = services.may_report_project(user, project)
    links = list(project.project_patents.select_related("patent", "deal"))
    sub = {}
    if manage:
        for name, cls in (("patent_form", f.PatentLinkForm), ("partner_form", f.PartnerForm),
                          ("investment_form", f.InvestmentForm)):
            form = cls()
            set_picker_querysets(form, user)
            sub[name] = form
    if report:
        sub["milestone_form"] = f.MilestoneForm()
        sub["outcome_form"] = f.OutcomeForm(initial={"year": timezone.localdate().year - 1})
    steps = list(ProjectStage)
    totals = selectors.project_totals(project)
    return render(request, "industrialization/project_detail.html", {
        "project": project, "manage": manage, "report": report, "links": links,
        "patents": [link.patent for link in links],
        "moves": [(s, ProjectStage(s).label) for s in PROJECT_TRANSITIONS[project.stage]] if manage else [],
        "steps": [(s.value, s.label) for s in steps],
        "step": [s.value for s in steps].index(project.stage),
        "partners": project.partners.select_related("organization"),
        "milestones": project.milestones.all(), "investments": project.investments.select_related("investor"),
        "outcomes": project.outcomes.all(), "totals": totals,
        "investment_text": money_text(totals["investment_total"]) if totals["investment_by_source"] else "—",
        "chain": selectors.project_chain(project, user=user), "products": project.products.all(),
        "changes": project.stage_changes.select_related("actor"), **sub})


@login_required
def project_detail(request, pk: int):
    return _project_page(request, selectors.project_get(user=request.user, pk=pk))


def _project_form(request, project=None):
    user = request.user
    initial = {}
    if project is None:
        for name in ("demand", "event", "enterprise", "deal"):
            value = request.GET.get(name, "")
            if value.isdecimal():
                initial[name] = int(value)
        title = request.GET.get("title", "")
        if title:
            initial["title"] = title[:300]
    center_id = project.center_id if project else (user.organization_id if user.role == Role.CENTER_STAFF else None)
    nodes = selectors.chain_nodes_for(user=user, center_id=center_id)
    form = f.ProjectForm(request.POST or None, instance=project, initial=initial, chain_nodes=nodes)
    set_picker_querysets(form, user)
    if project is not None or not user.is_platform_admin:
        del form.fields["center"]
    if project is not None:
        del form.fields["deal"]
        form.fields["enterprise"].required = True
        form.fields["enterprise"].help_text = _("输入企业名称搜索")
        form.fields["start_date"].help_text = ""
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        try:
            if project is None:
                project = services.project_create(actor=user, center=data.pop("center", None), **data)
                messages.success(request, _("产业化项目已立项：%(t)s") % {"t": project.title})
            else:
                if data.get("start_date") is None:
                    data.pop("start_date")
                services.project_update(actor=user, project=project, data=data)
                messages.success(request, _("项目已保存"))
            return redirect("industrialization_project_detail", pk=project.pk)
        except ApplicationError as exc:
            handle_application_error(form, exc)
    return render(request, "industrialization/project_form.html", {"form": form, "project": project})


@login_required
def project_create(request):
    if not _may_create_project(request.user):
        raise PermissionDenied(_("只有运营中心工作人员可以登记产业化项目"))
    return _project_form(request)


@login_required
def project_edit(request, pk: int):
    project = selectors.project_get(user=request.user, pk=pk)
    if not services.may_manage_project(request.user, project):
        raise PermissionDenied(_("只有负责该项目的运营中心可以修改"))
    return _project_form(request, project)


def _project_post(request, pk: int, form_cls, action, ok: str, *, files: bool = False, anchor: str = ""):
    project = selectors.project_get(user=request.user, pk=pk)
    form = form_cls(request.POST, request.FILES) if files else form_cls(request.POST)
    set_picker_querysets(form, request.user)
    if form.is_valid():
        try:
            action(project, form.cleaned_data)
            messages.success(request, ok)
        except ApplicationError as exc:
            messages.error(request, exc.message)
    else:
        _errors_to_messages(request, form)
    return redirect(reverse("industrialization_project_detail", args=[pk]) + (f"#{anchor}" if anchor else ""))


@login_required
@require_POST
def project_transition(request, pk: int):
    project = selectors.project_get(user=request.user, pk=pk)
    stage = request.POST.get("to_stage", "")
    try:
        services.project_transition(actor=request.user, project=project, to_stage=stage,
                                    reason=request.POST.get("reason", ""))
        messages.success(request, _("项目已进入“%(s)s”阶段") % {"s": ProjectStage(stage).label})
    except ApplicationError as exc:
        if isinstance(exc, PermissionDenied):
            raise
        messages.error(request, exc.message)
    return redirect("industrialization_project_detail", pk=pk)


@login_required
@require_POST
def project_patent_add(request, pk: int):
    def act(project, d):
        services.project_patent_add(actor=request.user, project=project, patent=d["patent"], source=d["source"],
                                    deal_id=d["deal"].pk if d.get("deal") else None)
    return _project_post(request, pk, f.PatentLinkForm, act, _("实施专利已登记"), anchor="patents")


@login_required
@require_POST
def project_partner_add(request, pk: int):
    def act(project, d):
        services.project_partner_add(actor=request.user, project=project, organization=d["organization"],
                                     role=d["role"])
    return _project_post(request, pk, f.PartnerForm, act, _("合作方已登记"), anchor="partners")


@login_required
@require_POST
def project_milestone_add(request, pk: int):
    def act(project, d):
        services.project_milestone_add(actor=request.user, project=project, **d)
    return _project_post(request, pk, f.MilestoneForm, act, _("里程碑已登记"), anchor="milestones")


@login_required
@require_POST
def project_investment_add(request, pk: int):
    def act(project, d):
        services.project_investment_add(actor=request.user, project=project, **d)
    return _project_post(request, pk, f.InvestmentForm, act, _("投资已登记"), anchor="investments")


@login_required
@require_POST
def project_outcome_add(request, pk: int):
    def act(project, d):
        services.project_outcome_add(actor=request.user, project=project, **d)
    return _project_post(request, pk, f.OutcomeForm, act, _("年度成效已填报"), files=True, anchor="outcomes")


# ================================================================ products


@login_required
def product_list(request):
    from ipoc.industrialization.filtersets import ProductFilterSet

    user = request.user
    base = selectors.product_list(user=user)
    filterset = ProductFilterSet(request.GET or None, queryset=base, request=request)
    qs = filterset.qs if filterset.is_bound and filterset.is_valid() else base
    table = ProductTable(qs.prefetch_related("filings"), request=request)
    today = timezone.localdate()
    return render_table(request, table, "industrialization/product_list.html", {
        "filterset": filterset, "can_create": _may_create_product(user), "tabs": _tabs("products"),
        "import_form": f.ImportForm() if _may_create_product(user) else None,
        "reminder": rules.reminder_due(today), "window": rules.window_opens(today.year),
        "data_year": rules.data_year_for(today),
        "due": selectors.products_due_for_update(user=user, today=today)[:10]})


def _product_page(request, product, *, checks_year: int | None = None):
    user = request.user
    manage = services.may_manage_product(user, product)
    links = list(product.product_patents.select_related("patent", "deal"))
    years = list(product.years.all())
    filings = list(product.filings.all())
    data_year = checks_year or (years[0].year if years else rules.data_year_for(timezone.localdate()))
    problems = services.filing_problems(product, data_year)
    sub = {}
    if manage:
        form = f.PatentLinkForm()
        set_picker_querysets(form, user)
        sub["patent_form"] = form
        sub["year_form"] = f.ProductYearForm(initial={"year": rules.data_year_for(timezone.localdate())})
        sub["filing_form"] = f.FilingPrepareForm(initial={"data_year": data_year})
        tms = selectors.trademarks_for(user=user, organization_id=product.enterprise_id)
        sub["trademark_form"] = f.TrademarkLinkForm(queryset=tms, initial={"trademarks": product.trademarks.all()}) \
            if tms.exists() else None
    # only the moves this user may make: 备案 for the applicant's side, the platform's results for the recorders
    allowed = ({FilingStatus.FILED} if manage else set()) | (
        set(services.FILING_RESULTS) if filings and services.may_record_filing_result(user, product) else set())
    filing_moves = {filing.pk: [(s, FilingStatus(s).label) for s in FILING_TRANSITIONS[filing.status] if s in allowed]
                    for filing in filings}
    return render(request, "industrialization/product_detail.html", {
        "product": product, "manage": manage, "links": links, "patents": [link.patent for link in links],
        "years": years, "filings": [(x, filing_moves.get(x.pk, [])) for x in filings], "data_year": data_year,
        "problems": problems, "trademarks": product.trademarks.all(),
        "risk_checks": selectors.product_risk_checks(product.pk),
        "supplier_results": selectors.product_supplier_results(product.pk),
        "pack_fields": rules.pack_fields(), "unverified": rules.UNVERIFIED,
        "sources": (rules.SOURCE_FILING, rules.SOURCE_APPLICANT, rules.SOURCE_STANDARD),
        "results_source": rules.SOURCE_RESULTS, **sub})


@login_required
def product_detail(request, pk: int):
    year = request.GET.get("year", "")
    return _product_page(request, selectors.product_get(user=request.user, pk=pk),
                         checks_year=int(year) if year.isdecimal() and 2000 <= int(year) <= 2100 else None)


def _product_form(request, product=None):
    user = request.user
    initial = {}
    if product is None:
        project = request.GET.get("project", "")
        if project.isdecimal():
            initial["project"] = int(project)
            p = selectors.project_list(user=user).filter(pk=int(project)).first()
            if p is not None:
                initial["enterprise"] = p.enterprise_id
    form = f.ProductForm(request.POST or None, instance=product, initial=initial)
    set_picker_querysets(form, user)
    if product is not None or user.role == Role.ENTERPRISE_USER:
        del form.fields["enterprise"]
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        try:
            if product is None:
                product = services.product_create(actor=user, **data)
                messages.success(request, _("产品已登记：%(n)s") % {"n": product.name})
            else:
                services.product_update(actor=user, product=product, data=data)
                messages.success(request, _("产品已保存"))
            return redirect("industrialization_product_detail", pk=product.pk)
        except ApplicationError as exc:
            handle_application_error(form, exc)
    return render(request, "industrialization/product_form.html", {"form": form, "product": product})


@login_required
def product_create(request):
    if not _may_create_product(request.user):
        raise PermissionDenied(_("只有企业或运营中心可以登记专利密集型产品"))
    return _product_form(request)


@login_required
def product_edit(request, pk: int):
    product = selectors.product_get(user=request.user, pk=pk)
    if not services.may_manage_product(request.user, product):
        raise PermissionDenied(_("您无权修改该产品"))
    return _product_form(request, product)


def _product_post(request, pk: int, form_cls, action, ok: str, *, files: bool = False, anchor: str = "",
                  form_kwargs=None):
    product = selectors.product_get(user=request.user, pk=pk)
    form_kwargs = form_kwargs(product) if form_kwargs else {}
    form = form_cls(request.POST, request.FILES, **form_kwargs) if files else form_cls(request.POST, **form_kwargs)
    set_picker_querysets(form, request.user)
    target = reverse("industrialization_product_detail", args=[pk])
    if form.is_valid():
        try:
            result = action(product, form.cleaned_data)
            messages.success(request, ok)
            if isinstance(result, str):
                target = result
        except ApplicationError as exc:
            if isinstance(exc, PermissionDenied):
                raise
            _refusal(request, exc)
    else:
        _errors_to_messages(request, form)
    return redirect(target + (f"#{anchor}" if anchor and "#" not in target else ""))


@login_required
@require_POST
def product_patent_add(request, pk: int):
    def act(product, d):
        services.product_patent_add(actor=request.user, product=product, patent=d["patent"], source=d["source"],
                                    deal_id=d["deal"].pk if d.get("deal") else None)
    return _product_post(request, pk, f.PatentLinkForm, act, _("覆盖专利已登记"), anchor="patents")


@login_required
@require_POST
def product_year_add(request, pk: int):
    def act(product, d):
        services.product_year_add(actor=request.user, product=product, **d)
    return _product_post(request, pk, f.ProductYearForm, act, _("年度数据已填报"), files=True, anchor="years")


@login_required
@require_POST
def product_trademarks(request, pk: int):
    def act(product, d):
        services.product_update(actor=request.user, product=product, data={"trademarks": d["trademarks"]})

    def kwargs(product):
        return {"queryset": selectors.trademarks_for(user=request.user, organization_id=product.enterprise_id)}
    return _product_post(request, pk, f.TrademarkLinkForm, act, _("使用商标已保存"), anchor="brand",
                         form_kwargs=kwargs)


@login_required
@require_POST
def filing_prepare(request, pk: int):
    def act(product, d):
        filing = services.filing_prepare(actor=request.user, product=product, data_year=d["data_year"])
        return reverse("industrialization_product_detail", args=[pk]) + f"?year={filing.data_year}#filings"
    return _product_post(request, pk, f.FilingPrepareForm, act, _("备案材料已准备，可导出 Excel 或 PDF"),
                         anchor="filings")


@login_required
@require_POST
def filing_transition(request, pk: int, filing_pk: int):
    product = selectors.product_get(user=request.user, pk=pk)
    filing = selectors.filing_get(user=request.user, product=product, pk=filing_pk)
    form = f.FilingTransitionForm(request.POST)
    if form.is_valid():
        d = form.cleaned_data
        try:
            services.filing_transition(actor=request.user, filing=filing, to_status=d["to_status"],
                                       reason=d.get("reason", ""), on=d.get("on"),
                                       platform_reference=d.get("platform_reference", ""),
                                       publication_reference=d.get("publication_reference", ""))
            messages.success(request, _("备案状态已更新：%(s)s") % {"s": FilingStatus(d["to_status"]).label})
        except ApplicationError as exc:
            if isinstance(exc, PermissionDenied):
                raise
            _refusal(request, exc)
    else:
        _errors_to_messages(request, form)
    return redirect(reverse("industrialization_product_detail", args=[pk]) + "#filings")


def _pack_download(request, pk: int, filing_pk: int, fmt: str):
    product = selectors.product_get(user=request.user, pk=pk)
    filing = selectors.filing_get(user=request.user, product=product, pk=filing_pk)
    if fmt == "pdf":
        body, ctype = services.pack_pdf(filing), "application/pdf"
    else:
        body, ctype = services.pack_xlsx(filing), \
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    response = HttpResponse(body, content_type=ctype)
    response["Content-Disposition"] = f'attachment; filename="product-{product.pk}-{filing.data_year}.{fmt}"'
    return response


@login_required
def filing_xlsx(request, pk: int, filing_pk: int):
    return _pack_download(request, pk, filing_pk, "xlsx")


@login_required
def filing_pdf(request, pk: int, filing_pk: int):
    return _pack_download(request, pk, filing_pk, "pdf")


@login_required
def product_import(request):
    if not _may_create_product(request.user):
        raise PermissionDenied(_("只有企业或运营中心可以导入产品年度数据"))
    form = f.ImportForm(request.POST or None, request.FILES or None)
    report = None
    if request.method == "POST" and form.is_valid():
        from ipoc.core.uploads import discard_upload, save_upload

        upload = form.cleaned_data["file"]
        if Path(upload.name or "").suffix.lower() not in (".xlsx", ".csv"):
            form.add_error("file", _("请上传 Excel（.xlsx）或 .csv 文件"))
        else:
            path = None
            try:
                path = save_upload(upload, field="file")
                report = services.product_years_import(actor=request.user, path=Path(path), file_name=upload.name)
                messages.success(request, _("已导入 %(n)s 条年度数据") % {"n": report["created"]})
            except ApplicationError as exc:
                handle_application_error(form, exc)
            finally:
                discard_upload(path)
    return render(request, "industrialization/product_import.html", {"form": form, "report": report,
                                                                     "tabs": _tabs("products")})


# ================================================================ brands


@login_required
def brand_list(request):
    user = request.user
    q = request.GET.get("q", "").strip()[:100]
    table = BrandTable(selectors.brand_list(user=user, q=q).prefetch_related("trademarks", "products"),
                       request=request)
    return render_table(request, table, "industrialization/brand_list.html", {
        "q": q, "tabs": _tabs("brands"),
        "can_create": user.is_platform_admin or user.role in (Role.CENTER_STAFF, Role.ENTERPRISE_USER,
                                                              Role.INSTITUTION_USER)})


@login_required
def brand_create(request):
    user = request.user
    form = f.BrandForm(request.POST or None)
    set_picker_querysets(form, user)
    if user.role in (Role.ENTERPRISE_USER, Role.INSTITUTION_USER):
        del form.fields["holder"]
    if request.method == "POST" and form.is_valid():
        try:
            brand = services.brand_create(actor=user, **form.cleaned_data)
            messages.success(request, _("品牌已登记：%(n)s") % {"n": brand.name})
            return redirect("industrialization_brand_detail", pk=brand.pk)
        except ApplicationError as exc:
            if isinstance(exc, PermissionDenied) and exc.field is None:
                raise
            handle_application_error(form, exc)
    return render(request, "industrialization/brand_form.html", {"form": form})


@login_required
def brand_detail(request, pk: int):
    user = request.user
    brand = selectors.brand_get(user=user, pk=pk)
    manage = services.may_manage_brand(user, brand)
    from ipoc.patents import selectors as patent_selectors

    patent_ids = selectors.brand_patent_ids(brand)
    patents = list(patent_selectors.patent_list(user=user).filter(pk__in=patent_ids)) if patent_ids else []
    return render(request, "industrialization/brand_detail.html", {
        "brand": brand, "manage": manage, "trademarks": brand.trademarks.select_related("holder"),
        "products": selectors.product_list(user=user, brand=brand.pk), "patents": patents,
        "awards": brand.awards.all(),
        "trademark_form": f.TrademarkForm() if manage else None, "award_form": f.AwardForm() if manage else None})


def _brand_post(request, pk: int, form_cls, action, ok: str, anchor: str):
    brand = selectors.brand_get(user=request.user, pk=pk)
    form = form_cls(request.POST)
    if form.is_valid():
        try:
            action(brand, form.cleaned_data)
            messages.success(request, ok)
        except ApplicationError as exc:
            if isinstance(exc, PermissionDenied):
                raise
            messages.error(request, exc.message)
    else:
        _errors_to_messages(request, form)
    return redirect(reverse("industrialization_brand_detail", args=[pk]) + f"#{anchor}")


@login_required
@require_POST
def trademark_add(request, pk: int):
    def act(brand, d):
        services.trademark_add(actor=request.user, brand=brand, **d)
    return _brand_post(request, pk, f.TrademarkForm, act, _("商标已登记"), "trademarks")


@login_required
@require_POST
def award_add(request, pk: int):
    def act(brand, d):
        services.brand_award_add(actor=request.user, brand=brand, **d)
    return _brand_post(request, pk, f.AwardForm, act, _("荣誉已登记"), "awards")


# ================================================================ home


def home_card(user):
    """Center staff: this center's industrialization projects, with a link to the list."""
    if user.role != Role.CENTER_STAFF or not user.organization_id:
        return None
    count = selectors.project_list(user=user, center=user.organization_id).count()
    return {"title": _("专利产业化项目"), "value": count, "url": reverse("industrialization_project_list"),
            "icon": "building-factory-2"}
