"""Pages of 转化对接: the matching home, a demand's matches (explained, confirmed by the center), listings,
the 产业链图谱 and a batch run. Thin: parse, call, render."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Case, Count, IntegerField, Q, Value, When
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django.views.decorators.http import require_POST

from ipoc.core.display import patent_label
from ipoc.core.errors import ApplicationError, PermissionDenied
from ipoc.core.jobs import job_start_background
from ipoc.core.models import Role
from ipoc.core.pickers import set_picker_querysets
from ipoc.core.tables import render_table
from ipoc.core.ui import handle_application_error
from ipoc.demands import selectors as demand_selectors
from ipoc.matching import selectors, services, understanding
from ipoc.matching.filtersets import ListingFilterSet, OpenDemandFilterSet, RunMatchFilterSet
from ipoc.matching.models import ChainPosition, MatchStatus
from ipoc.matching.tables import ListingTable, OpenDemandTable, RunMatchTable

MATCHES_PER_PAGE = 10
# confidence bands of a match (ranking.band) in words, with their badge colour
BANDS = {"strong": (_lazy("较强"), "bg-green-lt"), "possible": (_lazy("可能"), "bg-yellow-lt"),
         "weak": (_lazy("较弱"), "bg-secondary-lt")}
TERM_SOURCES = {"title": _lazy("需求名称"), "keywords": _lazy("需求关键词"), "need": _lazy("需求描述"),
                "staff": _lazy("运营中心修改"), "profile": _lazy("企业简介")}


def _is_center(user) -> bool:
    return user.role == Role.CENTER_STAFF


def _open_demands(user):
    """The demands a user works on in matching: a center's own, an enterprise's or institution's own, all
    that an office or administrator may see — open (已发布、对接中), with their match counts."""
    qs = demand_selectors.demand_list(user=user).filter(status__in=demand_selectors.OPEN_STATUSES)
    if user.role == Role.CENTER_STAFF:
        qs = qs.filter(center=user.organization_id)
    elif user.role in (Role.ENTERPRISE_USER, Role.INSTITUTION_USER):
        qs = qs.filter(organization=user.organization_id)
    return qs.annotate(n_proposed=Count("matches", filter=Q(matches__status=MatchStatus.PROPOSED)),
                       n_confirmed=Count("matches", filter=Q(matches__status=MatchStatus.CONFIRMED)),
                       n_total=Count("matches")).order_by("-n_proposed", "-published_at", "-id")


def _owner_view(user) -> bool:
    """Enterprises and institutions see what the center pushed to them, not the center's candidates."""
    return user.role in (Role.ENTERPRISE_USER, Role.INSTITUTION_USER)


@login_required
def match_home(request):
    user = request.user
    base = _open_demands(user)
    owner_view = _owner_view(user)
    filterset = OpenDemandFilterSet(request.GET or None, queryset=base, request=request)
    if owner_view:
        del filterset.form.fields["waiting"]
    qs = filterset.qs if filterset.is_bound and filterset.is_valid() else base
    table = OpenDemandTable(qs, request=request, exclude=("n_proposed",) if owner_view else ())
    totals = base.order_by().aggregate(demands=Count("id", distinct=True))
    waiting = selectors.match_status_counts(user=user, demand_ids=base.values("pk"))
    runs = selectors.run_list(user=user)[:5] if _is_center(user) else []
    kpis = [(_("开放需求"), totals["demands"], "file-description", reverse("match_home"))]
    if not owner_view:
        kpis.append((_("待确认匹配"), waiting[MatchStatus.PROPOSED], "hourglass", f"{reverse('match_home')}?waiting=1"))
    kpis += [(_("已确认推送"), waiting[MatchStatus.CONFIRMED], "send", ""),
             (_("挂牌专利"), selectors.listing_list(user=user).filter(status="active").count(), "tag",
              reverse("match_listings"))]
    return render_table(request, table, "matching/home.html", {
        "filterset": filterset, "is_center": _is_center(user), "runs": runs, "kpis": kpis})


def _explain(match, party_types: dict[str, str]) -> list[tuple[str, str]]:
    """A match's explanation in words, one (heading, sentence) per reason, from what the ranker saw."""
    e = match.explanation or {}
    lines = []
    if "coverage" in e:
        words = "、".join(e.get("matched_terms", [])[:12]) or _("无")
        lines.append((_("匹配度"), _("%(b)s：专利文本覆盖需求关键词（按重要性加权）的 %(c)d%%，命中：%(w)s") % {
            "b": BANDS.get(e.get("band"), BANDS["weak"])[0], "c": round(100 * float(e["coverage"])), "w": words}))
        if e.get("context_terms"):
            lines.append((_("背景词"), _("与企业简介相符：%(t)s（仅作参考，不计入匹配度）") % {
                "t": "、".join(e["context_terms"][:8])}))
    elif e.get("matched_terms"):
        lines.append((_("命中词"), _("专利文本含需求用词：%(t)s") % {"t": "、".join(e["matched_terms"][:12])}))
    if e.get("shared_ipc"):
        lines.append((_("技术领域"), _("与需求推荐的IPC小类一致：%(c)s") % {"c": "、".join(e["shared_ipc"])}))
    elif e.get("demand_ipc"):
        lines.append((_("技术领域"), _("需求推荐IPC小类 %(d)s；专利IPC小类 %(p)s") % {
            "d": "、".join(e["demand_ipc"]), "p": "、".join(e.get("patent_ipc") or []) or "—"}))
    elif e.get("patent_ipc"):
        lines.append((_("技术领域"), _("专利IPC小类 %(p)s") % {"p": "、".join(e["patent_ipc"])}))
    if e.get("chain_nodes"):
        lines.append((_("产业链"), _("与需求同属产业链节点：%(n)s") % {"n": "、".join(e["chain_nodes"])}))
    holders = []
    for h in e.get("holders") or []:
        kind = party_types.get(h.get("name", ""), "")
        holders.append(f"{h.get('name', '')}（{kind}）" if kind else h.get("name", ""))
    if holders:
        lines.append((_("权利人"), "；".join(holders)))
    legal = e.get("legal_status") or _("法律状态未知")
    years = e.get("remaining_life_years")
    if years:
        legal = _("%(s)s，剩余保护期约 %(y).1f 年") % {"s": legal, "y": years}
    lines.append((_("法律状态"), legal))
    listing = e.get("listing")
    if listing:
        text = _("已挂牌：%(m)s") % {"m": "、".join(demand_selectors.deal_mode_labels(listing.get("modes"))) or "—"}
        if listing.get("asking_price"):
            text += _("，挂牌价 %(p)s 元") % {"p": f"{float(listing['asking_price']):,.0f}"}
        if listing.get("open_license"):
            text += _("，开放许可")
        lines.append((_("挂牌"), text))
    else:
        lines.append((_("挂牌"), _("未挂牌，可联系权利人洽谈")))
    lines += _licensing_lines(match.patent_id)
    return lines


def _licensing_lines(patent_id: int) -> list[tuple[str, str]]:
    """Read now, not from the stored explanation (a declaration may have been published or withdrawn since):
    a patent under open licence can be licensed by written notice and payment (专利法第五十一条); one in an
    open-source pledge (专利开源) may be used on the pledge's terms."""
    from ipoc.licensing import selectors as licensing_selectors

    status = licensing_selectors.patent_licensing_status(patent_id)
    lines = []
    if status["open_licence"]:
        lines.append((_("开放许可"), _("已声明开放许可（%(f)s）：书面通知专利权人并支付许可使用费即可获得普通许可"
                                      "（专利法第五十一条）") % {"f": status["open_licence"]["fee"]}))
    if status["pledges"]:
        lines.append((_("专利开源"), _("列入开源承诺：%(t)s，可按承诺条件实施") % {
            "t": "、".join(p["title"] for p in status["pledges"])}))
    return lines


@login_required
def demand_matches(request, pk: int):
    user = request.user
    demand = demand_selectors.demand_get(user=user, pk=pk)
    can_decide = (_is_center(user) and user.organization_id == demand.center_id) or user.is_platform_admin
    query_form = None
    if request.method == "POST":
        try:
            found = services.demand_match(actor=user, demand=demand)
        except ApplicationError as exc:
            messages.error(request, exc.message)
        else:
            saved = selectors.demand_match_query(demand_id=demand.pk)
            if saved and saved.kind in ("talent", "purchase"):
                messages.info(request, _("这类需求不以专利作答：已列出可对接的单位和发明人。"))
            elif found:
                messages.success(request, _("匹配完成：推荐 %(n)s 件专利，请逐条确认或否决。") % {"n": len(found)})
            else:
                messages.warning(request, _("匹配完成，但没有找到新的合适专利；可补充需求关键词后重试。"))
        return redirect("match_demand", pk=pk)
    owner_view = _owner_view(user)
    if owner_view and user.organization_id != demand.organization_id:
        raise PermissionDenied(_("需求的匹配结果仅对需求方、受理运营中心和管理部门开放"))
    counts = selectors.demand_match_counts(user=user, demand_id=pk)
    status = MatchStatus.CONFIRMED if owner_view else request.GET.get("status", "")
    matches = selectors.demand_matches(user=user, demand_id=pk).prefetch_related("patent__parties")
    if status in MatchStatus.values:
        matches = matches.filter(status=status)
    weak = matches.filter(status=MatchStatus.PROPOSED, explanation__band="weak")
    hidden_weak = 0
    if not owner_view and request.GET.get("band") != "all":  # weak candidates only on request
        hidden_weak = weak.count()
        matches = matches.exclude(pk__in=weak.values("pk"))
    # what waits for a decision first, in rank order; then the confirmed, then the rejected
    matches = matches.annotate(decided=Case(When(status=MatchStatus.PROPOSED, then=Value(0)),
                                            When(status=MatchStatus.CONFIRMED, then=Value(1)), default=Value(2),
                                            output_field=IntegerField())).order_by("decided", "rank", "pk")
    page = Paginator(matches, MATCHES_PER_PAGE).get_page(request.GET.get("page"))
    items = []
    for m in page:
        party_types = {p.name: p.get_party_type_display() for p in m.patent.parties.all() if p.party_type}
        label, badge = patent_label(m.patent)
        band = (m.explanation or {}).get("band")
        items.append({"m": m, "lines": _explain(m, party_types), "number": "" if badge else label, "badge": badge,
                      "band": BANDS[band] if band in BANDS else None,
                      "title": (m.explanation or {}).get("snippets", {}).get("title") or "",
                      "abstract": (m.explanation or {}).get("snippets", {}).get("abstract") or ""})
    tabs = [("", _("全部"), counts["total"])] + [(s.value, s.label, counts[s.value]) for s in MatchStatus]
    return render(request, "matching/demand_matches.html", {
        **_match_query_context(demand, can_decide=can_decide, owner_view=owner_view, hidden_weak=hidden_weak,
                               form=query_form),
        "demand": demand, "page": page, "items": items, "tabs": tabs, "status": status,
        "tags": selectors.demand_chain_tags(demand_id=pk),
        "nodes": selectors.chain_nodes(user=user, center_id=demand.center_id) if demand.center_id else [],
        "can_decide": can_decide, "is_open": demand.status in demand_selectors.OPEN_STATUSES,
        "owner_view": owner_view})


def _match_query_context(demand, *, can_decide: bool, owner_view: bool, hidden_weak: int, form=None) -> dict:
    """What the matches page says about how the demand was matched: its kind, the weighted key terms (the
    last match's, else what the next one would use), the staff's form, and — when nothing is strong or
    the demand is not one patents answer — the institutions, inventors or suppliers to ask instead."""
    from ipoc.matching.forms import MatchQueryForm
    from ipoc.matching.models import NeedKind

    if owner_view:
        return {"mq": None}
    saved = selectors.demand_match_query(demand_id=demand.pk)
    u = services.demand_understanding(demand)
    terms = saved.terms if saved and saved.matched_at else [t.as_dict() for t in u.terms]
    kind = saved.kind if saved and saved.matched_at else u.kind
    need = [t for t in terms if t.get("source") not in ("profile", "need")]
    detail = [t for t in terms if t.get("source") == "need"]
    context = [t for t in terms if t.get("source") == "profile"]
    for t in (*need, *detail):
        t["generic"] = float(t.get("weight", 0)) < 0.35
        t["source_label"] = TERM_SOURCES.get(t.get("source"), "")
    if form is None and can_decide:
        form = MatchQueryForm(initial={"terms_text": saved.terms_text if saved and saved.terms_text else u.query,
                                       "kind": saved.kind if saved and saved.kind_manual else ""})
    summary = saved.summary if saved else {}
    matched = bool(saved and saved.matched_at)
    return {"mq": {
        "kind": kind, "kind_label": NeedKind(kind).label if kind in NeedKind.values else kind,
        "kind_manual": bool(saved and saved.kind_manual), "edited": bool(saved and saved.terms_text),
        "edited_by": saved.edited_by if saved else None, "edited_at": saved.edited_at if saved else None,
        "need_terms": need, "detail_terms": detail, "context_terms": context,
        "need_text": u.need if u.need != understanding.clean_title(demand.title) else "",
        "matched": matched, "matched_at": saved.matched_at if saved else None,
        "routed": (saved.routed or {}) if matched else {},
        "is_routed": matched and kind in ("talent", "purchase"),
        "no_strong": matched and kind not in ("talent", "purchase") and not summary.get("strong"),
        "hidden_weak": hidden_weak, "form": form}}


@login_required
@require_POST
def match_query(request, pk: int):
    """Center staff save the key terms / kind a demand is matched with, and the demand is matched again."""
    from ipoc.matching.forms import MatchQueryForm

    demand = demand_selectors.demand_get(user=request.user, pk=pk)
    form = MatchQueryForm(request.POST)
    if form.is_valid():
        try:
            services.match_query_set(actor=request.user, demand=demand, terms_text=form.cleaned_data["terms_text"],
                                     kind=form.cleaned_data["kind"])
            found = services.demand_match(actor=request.user, demand=demand)
        except ApplicationError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("已保存匹配关键词并重新匹配：推荐 %(n)s 件专利。") % {"n": len(found)}
                             if found else _("已保存匹配关键词并重新匹配。"))
    else:
        messages.error(request, "；".join(str(e) for errs in form.errors.values() for e in errs))
    return redirect("match_demand", pk=pk)


def _back(request, fallback: str) -> str:
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}) \
            and target.startswith("/"):
        return target
    return fallback


@login_required
@require_POST
def match_decide(request, pk: int):
    match = selectors.match_get(user=request.user, pk=pk)
    confirm = request.POST.get("decision") == "confirm"
    try:
        services.match_decide(actor=request.user, match=match, confirm=confirm,
                              reason=request.POST.get("reason", "").strip())
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("已确认该匹配，并定向推送给需求方和专利权利人。") if confirm
                         else _("已否决该匹配，今后不再为此需求推荐该专利。"))
    return redirect(_back(request, reverse("match_demand", args=[match.demand_id])))


@login_required
@require_POST
def batch_start(request):
    try:
        job = services.match_batch_start(actor=request.user, center=request.user.organization)
    except ApplicationError as exc:
        messages.error(request, exc.message)
        return redirect("match_home")
    job_start_background(job)
    messages.success(request, _("已开始批量匹配本中心全部开放需求，进度见下方。"))
    return redirect("match_run", pk=job.params["run_id"])


@login_required
def run_detail(request, pk: int):
    run = selectors.run_get(user=request.user, pk=pk)
    if request.GET.get("format") == "xlsx":
        from ipoc.matching.export import run_xlsx

        response = HttpResponse(run_xlsx(run),
                                content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
        response["Content-Disposition"] = f'attachment; filename="matching-run-{run.pk}.xlsx"'
        return response
    job = run.job
    if request.htmx and request.GET.get("progress"):
        return render(request, "matching/_run_progress.html", {"run": run, "job": job})
    base = selectors.run_matches(run)
    filterset = RunMatchFilterSet(request.GET or None, queryset=base, request=request)
    qs = filterset.qs if filterset.is_bound and filterset.is_valid() else base
    return render_table(request, RunMatchTable(qs, request=request), "matching/run_detail.html",
                        {"run": run, "job": job, "filterset": filterset})


@login_required
@require_POST
def demand_chain_tag(request, pk: int):
    demand = demand_selectors.demand_get(user=request.user, pk=pk)
    node = selectors.chain_nodes(user=request.user, center_id=demand.center_id).filter(
        pk=request.POST.get("node") or 0).first()
    if node is None:
        messages.error(request, _("请选择本中心产业链图谱中的节点"))
        return redirect("match_demand", pk=pk)
    include = request.POST.get("include") == "1"
    try:
        services.demand_chain_tag_set(actor=request.user, demand=demand, node=node, include=include)
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, (_("已将需求标注到节点“%(n)s”") if include else _("已将需求从节点“%(n)s”排除"))
                         % {"n": node})
    return redirect("match_demand", pk=pk)


@login_required
def chain_map(request):
    """A center's 产业链图谱: nodes by chain position, and a form to add one (center staff)."""
    from ipoc.matching.forms import CenterChoiceForm, ChainNodeForm

    user = request.user
    can_edit = _is_center(user)
    chooser = CenterChoiceForm(request.GET or None)
    set_picker_querysets(chooser, user)
    center = None
    with_chain = [] if can_edit else selectors.centers_with_chain(user=user)
    if can_edit:
        center = user.organization
    elif chooser.is_bound and chooser.is_valid():
        center = chooser.cleaned_data.get("center")
    if center is None and with_chain:  # show a map at once: the first center that has one
        from ipoc.core import selectors as core_selectors

        center = core_selectors.organization_get(user=user, pk=with_chain[0][0])
        chooser = CenterChoiceForm(initial={"center": center.pk})
        set_picker_querysets(chooser, user)
    form = ChainNodeForm(request.POST or None)
    if request.method == "POST" and can_edit and form.is_valid():
        try:
            node = services.chain_node_create(actor=user, center=user.organization, **form.service_data())
        except ApplicationError as exc:
            handle_application_error(form, exc)
        else:
            messages.success(request, _("已新增产业链节点“%(n)s”") % {"n": node})
            return redirect("match_chain")
    nodes = list(selectors.chain_nodes(user=user, center_id=center.pk).annotate(
        n_demands=Count("demand_tags", filter=Q(demand_tags__excluded=False)))) if center else []
    columns = [(p.value, p.label, [n for n in nodes if n.position == p.value]) for p in ChainPosition]
    return render(request, "matching/chain_map.html", {
        "columns": columns, "nodes": nodes, "form": form, "chooser": chooser, "center": center,
        "with_chain": with_chain,
        "can_edit": can_edit, "show_form": bool(form.errors) or (can_edit and not nodes)})


@login_required
def listings(request):
    """挂牌: listings with filters, and a form to list a patent (holders and center staff)."""
    user = request.user
    may_list = user.role in (Role.ENTERPRISE_USER, Role.INSTITUTION_USER, Role.CENTER_STAFF)
    on_behalf = user.role == Role.CENTER_STAFF
    from ipoc.matching.forms import ListingForm

    form = ListingForm(request.POST or None, on_behalf=on_behalf) if may_list else None
    if form is not None:
        set_picker_querysets(form, user)
    if request.method == "POST" and form is not None and form.is_valid():
        data = form.cleaned_data
        holder = data.get("holder") or user.organization
        try:
            services.listing_create(actor=user, patent_id=data["patent"].pk, holder=holder, modes=data["modes"],
                                    asking_price=data.get("asking_price"), terms=data.get("terms", ""),
                                    open_license=data.get("open_license", False))
        except ApplicationError as exc:
            handle_application_error(form, exc)
        else:
            messages.success(request, _("专利已挂牌。"))
            return redirect("match_listings")
    base = selectors.listing_list(user=user).order_by("-created_at", "-id")
    filterset = ListingFilterSet(request.GET or None, queryset=base, request=request)
    qs = filterset.qs if filterset.is_bound and filterset.is_valid() else base
    return render_table(request, ListingTable(qs, request=request), "matching/listings.html",
                        {"filterset": filterset, "form": form, "show_form": bool(form and form.errors)})
