import datetime as dt
from decimal import Decimal, InvalidOperation

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from ipoc.core import selectors as core_selectors
from ipoc.core.errors import ApplicationError
from ipoc.core.models import Role
from ipoc.revitalization import importers, matching, selectors, services
from ipoc.revitalization.models import DealMode, Library, Recommendation, Response, Stage


@login_required
def stock_list(request):
    qs = selectors.stock_list(user=request.user, stage=request.GET.get("stage", ""),
                              library=request.GET.get("library", ""),
                              recommendation=request.GET.get("recommendation", ""), q=request.GET.get("q", ""))
    page = Paginator(qs, 30).get_page(request.GET.get("page"))
    return render(request, "revitalization/stock_list.html", {
        "page": page, "stages": Stage.choices, "libraries": Library.choices[1:],
        "recommendations": Recommendation.choices})


def stock_template(request):
    response = HttpResponse(importers.template_xlsx(),
                            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    response["Content-Disposition"] = 'attachment; filename="stock-patent-template.xlsx"'
    return response


@login_required
def stock_import(request):
    report = None
    if request.method == "POST" and request.POST.get("numbers"):
        numbers = [n for n in request.POST["numbers"].replace("，", ",").replace(",", "\n").split() if n]
        try:
            if request.user.organization is None:
                raise ApplicationError(_("您的账号不属于任何高校/院所"), field="institution")
            report = services.stock_select(actor=request.user, institution=request.user.organization,
                                           numbers=numbers, department=request.POST.get("department", "").strip())
        except ApplicationError as exc:
            messages.error(request, exc.message)
    elif request.method == "POST" and request.FILES.get("file"):
        from ipoc.core.uploads import save_upload

        upload = request.FILES["file"]
        try:
            if request.user.organization is None:
                raise ApplicationError(_("您的账号不属于任何高校/院所"), field="institution")
            report = services.stock_import(actor=request.user, institution=request.user.organization,
                                           path=save_upload(upload), file_name=upload.name)
        except ApplicationError as exc:
            messages.error(request, exc.message)
    return render(request, "revitalization/stock_import.html", {"report": report})


@login_required
def stock_dashboard(request):
    data = selectors.dashboard(user=request.user)
    return render(request, "revitalization/stock_dashboard.html", {"data": data})


@login_required
def stock_detail(request, pk: int):
    stock = selectors.stock_get(user=request.user, pk=pk)
    searched = request.GET.get("candidates") == "1"
    candidates = matching.find_enterprises(user=request.user, stock=stock) if searched else []
    return render(request, "revitalization/stock_detail.html", {
        "stock": stock, "moves": selectors.stock_moves(stock), "candidates": candidates, "searched": searched,
        "pushes": selectors.push_list(user=request.user, stock=stock.pk),
        "is_center": request.user.role == Role.CENTER_STAFF or request.user.is_platform_admin,
        "responses": Response.choices, "deal_modes": DealMode.choices})


@login_required
@require_POST
def stock_action(request, pk: int):
    stock = selectors.stock_get(user=request.user, pk=pk)
    action, reason = request.POST.get("action"), request.POST.get("reason", "")
    try:
        if action == "submit":
            services.stock_submit(actor=request.user, stock=stock, reason=reason)
        elif action in ("approve", "refuse"):
            services.stock_review(actor=request.user, stock=stock, approve=action == "approve", reason=reason)
        elif action == "screen":
            services.stock_screen(actor=request.user, stock=stock, reason=reason)
        elif action == "grade":
            services.stock_grade(actor=request.user, institution=stock.institution)
        elif action == "push":
            enterprise = core_selectors.organization_get(user=request.user, pk=int(request.POST["enterprise"]))
            services.push_create(actor=request.user, stock=stock, enterprise=enterprise,
                                 note=request.POST.get("note", ""))
        else:
            raise ApplicationError(_("未知操作"), field="action")
    except ApplicationError as exc:
        messages.error(request, exc.message)
    return redirect("stock_detail", pk=pk)


@login_required
def push_list(request):
    """推送给我的专利 (an enterprise) / the pushes a user may see, each with the response form."""
    qs = selectors.push_list(user=request.user, response=request.GET.get("response", ""))
    page = Paginator(qs, 30).get_page(request.GET.get("page"))
    return render(request, "revitalization/push_list.html", {
        "page": page, "responses": Response.choices, "response": request.GET.get("response", "")})


@login_required
@require_POST
def push_action(request, pk: int):
    push = selectors.push_get(user=request.user, pk=pk)
    try:
        if request.POST.get("action") == "deal":
            try:
                amount = Decimal(request.POST["amount"]) if request.POST.get("amount") else None
                signed_on = dt.date.fromisoformat(request.POST.get("signed_on", ""))
            except (InvalidOperation, ValueError) as exc:
                raise ApplicationError(_("金额或签约日期格式不正确"), field="amount") from exc
            services.deal_record(actor=request.user, push=push, mode=request.POST.get("mode", ""),
                                 signed_on=signed_on, amount=amount, note=request.POST.get("note", ""))
        else:
            services.push_respond(actor=request.user, push=push, response=request.POST.get("response", ""),
                                  note=request.POST.get("note", ""))
    except ApplicationError as exc:
        messages.error(request, exc.message)
    if request.POST.get("next") == "pushes":  # the enterprise's page: it cannot see the stock item
        return redirect("stock_push_list")
    return redirect("stock_detail", pk=push.stock_id)
