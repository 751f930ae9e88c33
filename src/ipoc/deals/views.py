"""Pages of 交易撮合: the list, a deal's page with the stage moves its manager may make, the form (pickers, no
typed ids), attachments and the center's statistics with charts that open the records behind each figure."""

from decimal import Decimal
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from ipoc.core import selectors as core_selectors
from ipoc.core.display import money_text
from ipoc.core.errors import ApplicationError
from ipoc.core.models import OrganizationKind, Role
from ipoc.core.pickers import set_picker_querysets
from ipoc.core.tables import render_table
from ipoc.core.ui import handle_application_error
from ipoc.deals import selectors, services
from ipoc.deals.filtersets import DealFilterSet
from ipoc.deals.forms import AttachmentForm, DealForm, TransitionForm
from ipoc.deals.models import DEAL_TRANSITIONS, OPEN_STAGES, DealStage
from ipoc.deals.tables import DealTable


def _may_create(user) -> bool:
    return user.is_platform_admin or user.role == Role.CENTER_STAFF


def form_errors(form, exc: ApplicationError) -> None:
    """A service error under its field; every field a model validation names gets its own message."""
    errors = (exc.extra or {}).get("errors") or {}
    placed = False
    for field, messages_ in errors.items():
        if field in form.fields:
            for message in messages_:
                form.add_error(field, message)
            placed = True
    if not placed:
        handle_application_error(form, exc)


# ---------------------------------------------------------------- list


@login_required
def deal_list(request):
    base = selectors.deal_list(user=request.user).prefetch_related("sellers", "buyers")
    filterset = DealFilterSet(request.GET or None, queryset=base, request=request)
    qs = (filterset.qs.prefetch_related("sellers", "buyers") if filterset.is_bound and filterset.is_valid()
          else base)
    table = DealTable(qs, request=request)
    return render_table(request, table, "deals/deal_list.html", {
        "filterset": filterset, "can_create": _may_create(request.user)})


# ---------------------------------------------------------------- one deal


STEPS = (DealStage.INTENTION, DealStage.NEGOTIATION, DealStage.SIGNED, DealStage.PERFORMING, DealStage.COMPLETED)


def _detail(request, deal, *, bound: TransitionForm | None = None, attachment_form=None):
    user = request.user
    manage = services.may_manage(user, deal)
    moves = []
    if manage:
        for stage in DEAL_TRANSITIONS[deal.stage]:
            moves.append(bound if bound is not None and bound.stage == stage
                         else TransitionForm(stage=stage, deal=deal))
    patents = list(deal.patents.all())
    return render(request, "deals/deal_detail.html", {
        "deal": deal, "amount_text": money_text(deal.amount), "manage": manage, "moves": moves,
        "steps": [(s, DealStage(s).label) for s in STEPS],
        "step": STEPS.index(deal.stage) if deal.stage in STEPS else -1,
        "sellers": deal.sellers.all(), "buyers": deal.buyers.all(), "patents": patents,
        "changes": deal.stage_changes.select_related("actor"),
        "attachment_form": (attachment_form or AttachmentForm()) if manage else None,
        "is_open": deal.stage in OPEN_STAGES})


@login_required
def deal_detail(request, pk: int):
    return _detail(request, selectors.deal_get(user=request.user, pk=pk))


def _form_page(request, deal=None):
    user = request.user
    initial = {}
    if deal is None:  # a deal started from a demand's or an event's page
        for name in ("demand", "event"):
            value = request.GET.get(name, "")
            if value.isdecimal():
                initial[name] = int(value)
    form = DealForm(request.POST or None, instance=deal, initial=initial)
    set_picker_querysets(form, user)
    if deal is not None or not user.is_platform_admin:
        del form.fields["center"]
    if request.method == "POST" and form.is_valid():
        data = {k: v for k, v in form.cleaned_data.items() if k != "center"}
        for name in ("sellers", "buyers", "patents"):
            data[name] = list(data.get(name) or [])
        try:
            if deal is None:
                for name in ("signed_date", "completed_date"):
                    if data.get(name) is None:
                        data.pop(name, None)
                deal = services.deal_create(actor=user, center=form.cleaned_data.get("center"), **data)
                messages.success(request, _("交易已登记（意向阶段）：%(t)s") % {"t": deal.title})
            else:
                deal.refresh_from_db()
                services.deal_update(actor=user, deal=deal, data=data)
                messages.success(request, _("交易已保存"))
            return redirect("deal_detail", pk=deal.pk)
        except ApplicationError as exc:
            form_errors(form, exc)
    return render(request, "deals/deal_form.html", {"form": form, "deal": deal})


@login_required
def deal_create(request):
    if not _may_create(request.user):
        raise ApplicationError(_("只有运营中心工作人员可以登记交易"), status=403)
    return _form_page(request)


@login_required
def deal_edit(request, pk: int):
    deal = selectors.deal_get(user=request.user, pk=pk)
    services.require_manager(request.user, deal)
    return _form_page(request, deal)


MOVED = {
    DealStage.NEGOTIATION: gettext_lazy("交易已进入洽谈"),
    DealStage.SIGNED: gettext_lazy("交易已签约"),
    DealStage.PERFORMING: gettext_lazy("交易进入履行"),
    DealStage.COMPLETED: gettext_lazy("交易已完成"),
    DealStage.TERMINATED: gettext_lazy("交易已终止"),
}


@login_required
@require_POST
def deal_transition(request, pk: int):
    deal = selectors.deal_get(user=request.user, pk=pk)
    services.require_manager(request.user, deal)  # a party that forges the form gets the 403 page
    stage = request.POST.get("to_stage", "")
    if stage not in DealStage.values:
        messages.error(request, _("未知的交易阶段"))
        return redirect("deal_detail", pk=pk)
    form = TransitionForm(request.POST, stage=stage, deal=deal)
    if form.is_valid():
        d = form.cleaned_data
        try:
            services.deal_transition(actor=request.user, deal=deal, to_stage=stage, reason=d.get("reason", ""),
                                     amount=d.get("amount"), on=d.get("on"))
            messages.success(request, str(MOVED.get(stage, _("阶段已变更"))))
            return redirect("deal_detail", pk=pk)
        except ApplicationError as exc:
            if exc.field in ("signed_date", "completed_date"):
                exc.field = "on"
            if exc.field not in form.fields or stage not in DEAL_TRANSITIONS.get(deal.stage, ()):
                messages.error(request, exc.message)  # not about a field of this move (a refusal, another stage)
                return redirect("deal_detail", pk=pk)
            handle_application_error(form, exc)
    messages.error(request, _("未能变更阶段，请按提示更正。"))
    deal.refresh_from_db()
    return _detail(request, deal, bound=form)


@login_required
@require_POST
def deal_attach(request, pk: int):
    deal = selectors.deal_get(user=request.user, pk=pk)
    services.require_manager(request.user, deal)
    form = AttachmentForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            services.deal_attach(actor=request.user, deal=deal, contract_file=form.cleaned_data.get("contract_file"),
                                 filing_file=form.cleaned_data.get("filing_file"))
            messages.success(request, _("附件已上传"))
            return redirect("deal_detail", pk=pk)
        except ApplicationError as exc:
            handle_application_error(form, exc)
    return _detail(request, deal, attachment_form=form)


# ---------------------------------------------------------------- statistics


def _int(value: str) -> int | None:
    return int(value) if value and value.isdecimal() else None


def _center_and_year(request):
    g = request.GET
    year = _int(g.get("year", "")) or timezone.localdate().year
    center_id = _int(g.get("center", ""))
    if center_id is None and request.user.role == Role.CENTER_STAFF:
        center_id = request.user.organization_id
    center = selectors.center_for_statistics(user=request.user, pk=center_id) if center_id else None
    return center, year


def figure_text(value, unit) -> str:
    """A figure as a person reads it: thousands separated, amounts with two decimals, "—" when there is none."""
    if value is None:
        return "—"
    if isinstance(value, Decimal):
        return f"{value:,.2f}"
    if isinstance(value, float):
        return f"{value:,.1f}"
    return f"{value:,}"


def _wan(yuan) -> float:
    return round(float(Decimal(yuan or 0) / Decimal(10000)), 2)


def bar_chart(title: str, unit: str, labels: list[str], values: list, links: dict[str, str],
              *, horizontal: bool = False, color: str = "#206bc4") -> dict:
    """An ECharts bar chart with its title and unit, values on the bars, and ``links`` (label → URL) that open
    the records behind each bar."""
    category = {"type": "category", "data": labels, "axisTick": {"alignWithLabel": True},
                "axisLabel": {"interval": 0, "width": 240 if horizontal else 80, "overflow": "truncate"}}
    value = {"type": "value", "minInterval": 1 if unit in ("个", "件", "项", "家") else 0}
    values = [v if v else None for v in values]  # an empty month shows no bar and no "0" label
    if horizontal:
        category["inverse"] = True
    return {
        "title": {"text": f"{title}（{unit}）", "left": 0, "textStyle": {"fontSize": 14, "fontWeight": 600}},
        "tooltip": {"trigger": "axis", "axisPointer": {"type": "shadow"}},
        "grid": {"left": 8, "right": 40, "top": 48, "bottom": 8, "containLabel": True},
        "xAxis": value if horizontal else category, "yAxis": category if horizontal else value,
        "series": [{"type": "bar", "data": values, "barMaxWidth": 28, "itemStyle": {"color": color},
                    "label": {"show": True, "position": "right" if horizontal else "top"}}],
        "ipocLinks": links,
    }


def _deal_list_url(**params) -> str:
    return reverse("deal_list") + "?" + urlencode({k: v for k, v in params.items() if v not in (None, "")})


@login_required
def deal_statistics(request):
    user = request.user
    center, year = _center_and_year(request)
    this_year = timezone.localdate().year
    ctx = {"center": center, "year": year, "years": list(range(this_year, this_year - 8, -1)),
           "choose_center": user.role != Role.CENTER_STAFF}
    if ctx["choose_center"]:
        ctx["centers"] = [c for c in core_selectors.organization_list(user=user, kind=OrganizationKind.OPERATION_CENTER)
                          if selectors.may_view_statistics(user, c)]
    if center is None:
        rows = selectors.statistics_overview(user=user, year=year)
        for r in rows:
            r["wan"] = _wan(r["amount"])
        ctx["overview"] = rows
        shown = [r for r in rows if r["count"]][:15]
        if shown:
            stats_url = reverse("deal_statistics")
            ctx["overview_chart"] = bar_chart(
                _("%(y)s 年各运营中心转化运营金额") % {"y": year}, _("万元"), [r["center"].name for r in shown],
                [_wan(r["amount"]) for r in shown],
                {r["center"].name: f"{stats_url}?{urlencode({'center': r['center'].pk, 'year': year})}"
                 for r in shown}, horizontal=True)
        return render(request, "deals/deal_statistics.html", ctx)
    figures = selectors.deal_statistics(user=user, center=center, year=year)
    for f in figures.values():
        f["display"] = figure_text(f["value"], f["unit"])
    breakdown = selectors.statistics_breakdown(user=user, center=center, year=year)
    months = [_("%(m)s月") % {"m": m["month"]} for m in breakdown["by_month"]]
    common = {"center": center.pk, "signed_year": year, "counted": "1"}
    ctx.update({
        "figures": figures,
        "has_deals": any(m["count"] for m in breakdown["by_month"]),
        "month_chart": bar_chart(
            _("%(y)s 年各月签约金额") % {"y": year}, _("万元"), months,
            [_wan(m["amount"]) for m in breakdown["by_month"]],
            {label: _deal_list_url(**common, signed_month=m["month"])
             for label, m in zip(months, breakdown["by_month"], strict=True) if m["count"]}),
        "type_chart": bar_chart(
            _("按交易方式：签约项目数"), _("个"), [t["label"] for t in breakdown["by_type"]],
            [t["count"] for t in breakdown["by_type"]],
            {t["label"]: _deal_list_url(**common, deal_type=t["deal_type"]) for t in breakdown["by_type"]},
            horizontal=True, color="#2fb344") if breakdown["by_type"] else None,
        "by_type": breakdown["by_type"],
    })
    return render(request, "deals/deal_statistics.html", ctx)


@login_required
def deal_statistics_records(request):
    center, year = _center_and_year(request)
    if center is None:
        raise ApplicationError(_("请选择运营中心"), field="center")
    data = selectors.statistics_records(user=request.user, center=center, year=year,
                                        figure=request.GET.get("figure", ""))
    data["figure"]["display"] = figure_text(data["figure"]["value"], data["figure"]["unit"])
    return render(request, "deals/deal_statistics_records.html", {"center": center, "year": year, **data})


def home_card(user):
    """Center staff's home page: this year's 转化运营金额 with a link to the statistics."""
    if user.role != Role.CENTER_STAFF or not user.organization_id:
        return None
    year = timezone.localdate().year
    figure = selectors.deal_statistics(user=user, center=user.organization, year=year)[selectors.CONVERSION_AMOUNT]
    # 万元, as the deal list, the statistics and the annual report show amounts
    return {"title": _("%(y)s 年转化运营金额（万元）") % {"y": year}, "value": _wan(figure["value"]),
            "url": reverse("deal_statistics") + f"?year={year}"}
