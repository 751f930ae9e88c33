import datetime as dt

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from ipoc.core import selectors as core_selectors
from ipoc.core.errors import ApplicationError, NotFound
from ipoc.core.models import OrganizationKind, Role
from ipoc.core.ui import handle_application_error
from ipoc.deals import selectors, services
from ipoc.deals.forms import AttachmentForm, DealForm
from ipoc.deals.models import DEAL_TRANSITIONS, ChainScope, DealStage, DealType
from ipoc.events import selectors as event_selectors

FORM_EXTRA = ("center_name", "seller_names", "buyer_names", "patent_refs", "demand_id", "event_id")


def split_refs(raw: str, *, on_spaces: bool = True) -> list[str]:
    """Split '1, CN1234567A；3' into ['1', 'CN1234567A', '3'] (organisation names keep their spaces)."""
    for sep in ("，", "；", ";", "、", "\n", *((" ",) if on_spaces else ())):
        raw = (raw or "").replace(sep, ",")
    return [p.strip() for p in raw.split(",") if p.strip()]


def _int(value: str) -> int | None:
    return int(value) if value and value.isdigit() else None


def _orgs(user, raw: str, field: str) -> list:
    names = split_refs(raw, on_spaces=False)
    found = {o.name: o for o in core_selectors.organization_list(user=user).filter(name__in=names)}
    missing = [n for n in names if n not in found]
    if missing:
        raise ApplicationError("组织机构不存在：" + "、".join(missing), field=field)
    return [found[n] for n in names]


def _patents(user, raw: str) -> list:
    from ipoc.patents import selectors as patent_selectors

    out = []
    for ref in split_refs(raw):
        try:
            out.append(patent_selectors.patent_get(user=user, key_or_number=ref))
        except NotFound as exc:
            raise ApplicationError(exc.message, field="patent_refs") from exc
    return out


def _service_data(user, cleaned: dict) -> dict:
    from ipoc.demands import selectors as demand_selectors

    data = {k: v for k, v in cleaned.items() if k not in FORM_EXTRA}
    data["sellers"] = _orgs(user, cleaned.get("seller_names", ""), "seller_names")
    data["buyers"] = _orgs(user, cleaned.get("buyer_names", ""), "buyer_names")
    data["patents"] = _patents(user, cleaned.get("patent_refs", ""))
    try:
        data["demand"] = demand_selectors.demand_get(user=user, pk=cleaned["demand_id"]) \
            if cleaned.get("demand_id") else None
    except NotFound as exc:
        raise ApplicationError(exc.message, field="demand_id") from exc
    try:
        data["event"] = event_selectors.event_get(user=user, pk=cleaned["event_id"]) if cleaned.get("event_id") else None
    except NotFound as exc:
        raise ApplicationError(exc.message, field="event_id") from exc
    return data


@login_required
def deal_list(request):
    g = request.GET
    qs = selectors.deal_list(user=request.user, q=g.get("q", ""), stage=g.get("stage", ""),
                             deal_type=g.get("deal_type", ""), chain_scope=g.get("chain_scope", ""),
                             center=_int(g.get("center", "")), signed_year=_int(g.get("signed_year", "")),
                             counted=g.get("counted") == "1")
    page = Paginator(qs, 30).get_page(g.get("page"))
    return render(request, "deals/deal_list.html", {
        "page": page, "stages": DealStage.choices, "types": DealType.choices, "scopes": ChainScope.choices,
        "can_create": request.user.is_platform_admin or request.user.role == Role.CENTER_STAFF})


@login_required
def deal_detail(request, pk: int):
    deal = selectors.deal_get(user=request.user, pk=pk)
    manage = services.may_manage(request.user, deal)
    moves = [(s, DealStage(s).label) for s in DEAL_TRANSITIONS[deal.stage]] if manage else []
    return render(request, "deals/deal_detail.html", {
        "deal": deal, "manage": manage, "moves": moves, "today": timezone.localdate(),
        "sellers": deal.sellers.all(), "buyers": deal.buyers.all(), "patents": deal.patents.all(),
        "changes": deal.stage_changes.select_related("actor"),
        "attachment_form": AttachmentForm() if manage else None})


def _form_page(request, deal=None):
    initial = {}
    if deal is not None:
        initial = {"seller_names": ", ".join(o.name for o in deal.sellers.all()),
                   "buyer_names": ", ".join(o.name for o in deal.buyers.all()),
                   "patent_refs": ", ".join(p.publication_number or str(p.pk) for p in deal.patents.all()),
                   "demand_id": deal.demand_id, "event_id": deal.event_id}
    form = DealForm(request.POST or None, instance=deal, initial=initial)
    if deal is not None:
        del form.fields["center_name"]
    if request.method == "POST" and form.is_valid():
        try:
            data = _service_data(request.user, form.cleaned_data)
            if deal is None:
                center_name = form.cleaned_data.get("center_name", "").strip()
                center = None
                if center_name:
                    center = core_selectors.organization_list(user=request.user, kind=OrganizationKind.OPERATION_CENTER
                                                              ).filter(name=center_name).first()
                    if center is None:
                        raise ApplicationError("运营中心不存在：" + center_name, field="center_name")
                for name in ("signed_date", "completed_date"):
                    if data.get(name) is None:
                        data.pop(name, None)
                deal = services.deal_create(actor=request.user, center=center, **data)
            else:
                deal.refresh_from_db()
                services.deal_update(actor=request.user, deal=deal, data=data)
            return redirect("deal_detail", pk=deal.pk)
        except ApplicationError as exc:
            handle_application_error(form, exc)
    return render(request, "deals/deal_form.html", {"form": form, "deal": deal})


@login_required
def deal_create(request):
    return _form_page(request)


@login_required
def deal_edit(request, pk: int):
    deal = selectors.deal_get(user=request.user, pk=pk)
    services.require_manager(request.user, deal)
    return _form_page(request, deal)


@login_required
@require_POST
def deal_transition(request, pk: int):
    deal = selectors.deal_get(user=request.user, pk=pk)
    on = request.POST.get("on", "")
    try:
        on_date = dt.date.fromisoformat(on) if on else None
    except ValueError:
        raise ApplicationError("日期格式应为 YYYY-MM-DD：" + on, field="on") from None
    services.deal_transition(actor=request.user, deal=deal, to_stage=request.POST.get("to_stage", ""),
                             reason=request.POST.get("reason", ""), amount=request.POST.get("amount") or None,
                             on=on_date)
    return redirect("deal_detail", pk=pk)


@login_required
@require_POST
def deal_attach(request, pk: int):
    deal = selectors.deal_get(user=request.user, pk=pk)
    services.deal_attach(actor=request.user, deal=deal, contract_file=request.FILES.get("contract_file"),
                         filing_file=request.FILES.get("filing_file"))
    return redirect("deal_detail", pk=pk)


def _center_and_year(request):
    g = request.GET
    year = _int(g.get("year", "")) or timezone.localdate().year
    center_id = _int(g.get("center", ""))
    if center_id is None and request.user.role == Role.CENTER_STAFF:
        center_id = request.user.organization_id
    center = selectors.center_for_statistics(user=request.user, pk=center_id) if center_id else None
    return center, year


@login_required
def deal_statistics(request):
    center, year = _center_and_year(request)
    figures = selectors.deal_statistics(user=request.user, center=center, year=year) if center else None
    centers = [c for c in core_selectors.organization_list(user=request.user, kind=OrganizationKind.OPERATION_CENTER)
               if selectors.may_view_statistics(request.user, c)]
    return render(request, "deals/deal_statistics.html", {
        "center": center, "year": year, "figures": figures, "centers": centers})


@login_required
def deal_statistics_records(request):
    center, year = _center_and_year(request)
    if center is None:
        raise ApplicationError("请选择运营中心", field="center")
    data = selectors.statistics_records(user=request.user, center=center, year=year,
                                        figure=request.GET.get("figure", ""))
    return render(request, "deals/deal_statistics_records.html", {"center": center, "year": year, **data})


def home_card(user):
    """Center staff's home page: this year's 转化运营金额 with a link to the statistics."""
    if user.role != Role.CENTER_STAFF or not user.organization_id:
        return None
    year = timezone.localdate().year
    figure = selectors.deal_statistics(user=user, center=user.organization, year=year)[selectors.CONVERSION_AMOUNT]
    return {"title": _("%(y)s 年转化运营金额（元）") % {"y": year}, "value": figure["value"],
            "url": reverse("deal_statistics") + f"?year={year}"}
