"""The export risk check (出口前风险预警): who may do what, the matter, search rounds, candidates and their claim
charts (权利要求对比)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from ipoc.core.errors import ApplicationError, PermissionDenied
from ipoc.core.models import Organization, OrganizationKind, Role, User
from ipoc.core.permissions import CHANGE, can, settled_by_role
from ipoc.core.services import audit_record, notify, validated_save
from ipoc.risk import engine, rules, selectors
from ipoc.risk.models import (
    Candidate,
    CandidateOrigin,
    CheckStatus,
    ClaimElement,
    Mapping,
    RiskCheck,
    SearchRound,
    SearchRoute,
    SupplyReview,
)

MAX_LIST_ITEMS = 50
MAX_ITEM_CHARS = 500
ROUND_LIMIT = 40  # hits read per search round
CANDIDATES_CHARTED = 15  # kept candidates whose claims are charted after a run
MAX_BOM_ROWS = 2000
REPORT_REJECTED_KEPT = 200


# ---------------------------------------------------------------- who may do what


def may_manage(actor: User | None, check: RiskCheck | SupplyReview) -> bool:
    """The handling center's staff (and administrators, and the system) run a check or a review."""
    if (settled := settled_by_role(actor)) is not None:
        return settled
    return actor.role == Role.CENTER_STAFF and actor.organization_id == check.center_id and can(actor, CHANGE, check)


def require_manager(actor: User | None, obj) -> None:
    if not may_manage(actor, obj):
        raise PermissionDenied(_("只有承办该排查的运营中心可以办理：%(c)s") % {"c": obj})


def _scope(actor: User | None, requester: Organization | None, center: Organization | None):
    """Who may open a check (出口前风险预警) or a supply review (供应链合规排查), and for whom — used by
    ``check_create`` and ``review_import``.

    Enterprises ask for their own organisation at a center they choose. Center staff register for an organisation
    their center serves (``selectors.center_serves_requester``: a party of a deal the center brokers, the requester
    of a demand it handles, or an organisation that itself asked this center before) and handle it themselves —
    not in the name of any enterprise (probe: a center could open checks naming anyone, and count them as members
    served). Administrators and the system are unrestricted. Source: the guideline's duty 开展专业服务 — centers serve
    产业链各类主体 and 积极提供产品出口前风险预警和供应链合规排查服务 (guideline_interpretation, policy/RULES.md five
    duties [I]); which records show that a center serves an organisation is this platform's rule, not the guideline's."""
    if actor is not None and not actor.is_platform_admin:
        if actor.role == Role.ENTERPRISE_USER:
            if requester is not None and requester.pk != actor.organization_id:
                raise PermissionDenied(_("只能为本单位申请排查"), field="requester")
            requester = actor.organization
        elif actor.role == Role.CENTER_STAFF:
            if center is not None and center.pk != actor.organization_id:
                raise PermissionDenied(_("只能登记由本运营中心承办的排查"), field="center")
            center = actor.organization
        else:
            raise PermissionDenied(_("此操作仅限企业用户和运营中心工作人员"))
    if requester is None:
        raise ApplicationError(_("请选择申请单位"), field="requester")
    if requester.kind not in selectors.REQUESTER_KINDS:
        raise ApplicationError(_("申请单位应为企业或高校院所"), field="requester")
    if center is None and actor is not None:
        raise ApplicationError(_("请选择承办运营中心"), field="center")
    if center is not None and center.kind != OrganizationKind.OPERATION_CENTER:
        raise ApplicationError(_("承办机构必须是产业知识产权运营中心"), field="center")
    if (actor is not None and not actor.is_platform_admin and actor.role == Role.CENTER_STAFF
            and not selectors.center_serves_requester(center.pk, requester.pk)):
        raise PermissionDenied(_("本中心尚未服务%(o)s（无本中心撮合的交易、受理的需求或其本身提出的排查申请），"
                                 "不能以其名义登记排查") % {"o": requester.name}, field="requester")
    return requester, center


def clean_list(value: Any, field: str, *, required: bool = False) -> list[str]:
    """A list of short texts from a list or a text with one item per line (or separated by ；/;)."""
    if value is None:
        items: list[str] = []
    elif isinstance(value, str):
        items = [p for line in value.splitlines() for p in line.replace("；", ";").split(";")]
    elif isinstance(value, (list, tuple)):
        items = [str(v) for v in value]
    else:
        raise ApplicationError(_("格式不正确，应为列表或每行一项的文本"), field=field)
    items = [i.strip() for i in items if i and i.strip()]
    if len(items) > MAX_LIST_ITEMS:
        raise ApplicationError(_("最多 %(n)d 项") % {"n": MAX_LIST_ITEMS}, field=field)
    if any(len(i) > MAX_ITEM_CHARS for i in items):
        raise ApplicationError(_("每项最多 %(n)d 字") % {"n": MAX_ITEM_CHARS}, field=field)
    if required and not items:
        raise ApplicationError(_("请至少填写一项"), field=field)
    return list(dict.fromkeys(items))


def clean_markets(value: Any) -> list[str]:
    codes = clean_list(value if not isinstance(value, str) else value.replace(",", ";").replace("，", ";"),
                       "markets", required=True)
    codes = [c.upper() for c in codes]
    unknown = [c for c in codes if c not in rules.MARKET_LABELS]
    if unknown:
        raise ApplicationError(_("未知的目标市场：%(m)s（可选：%(all)s）") % {
            "m": "、".join(unknown), "all": "、".join(rules.MARKET_LABELS)}, field="markets")
    return codes


def clean_horizon(value: Any) -> dt.date:
    if isinstance(value, str):
        try:
            value = dt.date.fromisoformat(value.strip())
        except ValueError:
            raise ApplicationError(_("日期格式应为 YYYY-MM-DD：%(v)s") % {"v": value}, field="horizon_date") from None
    if not isinstance(value, dt.date):
        raise ApplicationError(_("请填写排查时间范围"), field="horizon_date")
    today = timezone.localdate()
    if value < today or value.year > today.year + 30:
        raise ApplicationError(_("时间范围应在今天到 30 年之内"), field="horizon_date")
    return value


# ---------------------------------------------------------------- the matter


CHECK_FIELDS = ("title", "product_name", "description", "features", "variants", "components", "ipc_codes",
                "competitors", "markets", "horizon_date")


PRODUCT_NAME_MAX = 200


def _clean_matter(data: dict) -> dict:
    out = dict(data)
    for name in ("features",):
        if name in out:
            out[name] = clean_list(out[name], name, required=True)
    for name in ("variants", "components", "ipc_codes", "competitors"):
        if name in out:
            out[name] = clean_list(out[name], name)
    if "ipc_codes" in out:
        out["ipc_codes"] = [c.replace(" ", "").upper() for c in out["ipc_codes"]]
    if "markets" in out:
        out["markets"] = clean_markets(out["markets"])
    if "horizon_date" in out:
        out["horizon_date"] = clean_horizon(out["horizon_date"])
    for name in ("title", "product_name"):
        if name in out:
            out[name] = (out[name] or "").strip()
            if not out[name]:
                raise ApplicationError(_("此项必填"), field=name)
    return out


@transaction.atomic
def check_create(*, actor: User | None, product_name: str, features: Any, markets: Any, horizon_date: Any,
                 requester: Organization | None = None, center: Organization | None = None, title: str = "",
                 description: str = "", variants: Any = None, components: Any = None, ipc_codes: Any = None,
                 competitors: Any = None, product_id: int | None = None) -> RiskCheck:
    """Ask for an export risk check (出口前风险预警) of a product in some markets up to a date. With
    ``product_id`` (a product of the requester in the industrialization module) empty features are pre-filled
    from the product record."""
    requester, center = _scope(actor, requester, center)
    if len(product_name or "") > PRODUCT_NAME_MAX:  # before the default title is made of it
        raise ApplicationError(_("产品名称最多 %(n)d 字") % {"n": PRODUCT_NAME_MAX}, field="product_name")
    if product_id:
        products = {p["id"]: p for p in selectors.requester_products(requester.pk)}
        if int(product_id) not in products:
            raise ApplicationError(_("产品记录不属于申请单位"), field="product")
        if not clean_list(features, "features"):
            features = selectors.product_features(int(product_id))
    data = _clean_matter({"title": title or _("%(p)s 出口风险排查") % {"p": product_name}, "product_name": product_name,
                          "description": description or "", "features": features, "variants": variants,
                          "components": components, "ipc_codes": ipc_codes, "competitors": competitors,
                          "markets": markets, "horizon_date": horizon_date})
    check = RiskCheck(requester=requester, center=center, product_id=product_id or None,
                      created_by=actor if actor is not None and actor.pk else None, **data)
    validated_save(check)
    audit_record(actor=actor, action="create", obj=check, changes={
        "product_name": [None, check.product_name], "markets": [None, check.markets],
        "requester": [None, str(requester)], "center": [None, str(center)]})
    if center is not None:
        notify(users=center.users.filter(role=Role.CENTER_STAFF),
               title=_("新的出口前风险预警申请：%(t)s") % {"t": check.title},
               body=str(requester), url=reverse("risk_check_detail", args=[check.pk]), kind="risk")
    return check


@transaction.atomic
def check_update(*, actor: User | None, check: RiskCheck, data: dict) -> RiskCheck:
    """Edit the matter: the requester while it waits, the center's staff at any time."""
    mine = actor is not None and actor.organization_id == check.requester_id and can(actor, CHANGE, check)
    if not (may_manage(actor, check) or (mine and check.status == CheckStatus.REQUESTED)):
        raise PermissionDenied(_("排查开始后只有承办运营中心可以修改"))
    unknown = set(data) - set(CHECK_FIELDS)
    if unknown:
        raise ApplicationError(_("未知字段：%(f)s") % {"f": ", ".join(sorted(unknown))}, field=sorted(unknown)[0])
    data = _clean_matter(data)
    changes = {}
    for name, value in data.items():
        if getattr(check, name) != value:
            changes[name] = [getattr(check, name), value]
            setattr(check, name, value)
    if changes:
        validated_save(check)
        audit_record(actor=actor, action="update", obj=check, changes=changes)
    return check


def product_text(check: RiskCheck) -> str:
    return "\n".join([check.product_name, check.description or "", *check.features, *check.variants,
                      *check.components])


# ---------------------------------------------------------------- search rounds


def _search(query: str, filters: dict | None = None, limit: int = ROUND_LIMIT) -> list[tuple[int, float]]:
    from ipoc.search import selectors as search_selectors

    if not query.strip() and not filters:
        return []
    try:
        page = search_selectors.search_patents(user=None, q=query, filters=filters, limit=limit, snippets=False)
    except ApplicationError:
        return []
    return [(h.patent_id, h.score) for h in page.hits]


def _keyword_query(check: RiskCheck, limit: int = 24) -> str:
    """The product's words as the index sees them (its tokenizer and stop list), name and features first."""
    from ipoc.search.selectors import query_words

    seen: list[str] = []
    for text in [check.product_name, *check.features]:
        for word, _tokens in query_words(text):
            w = word.lower()
            if w not in seen and w not in engine._EN_STOP:
                seen.append(w)
    return " ".join(seen[:limit])


def _best(found: dict[int, float], n: int) -> list[int]:
    return sorted(found, key=lambda i: -found[i])[:n]


def _ipc_codes(check: RiskCheck, found: dict[int, float]) -> tuple[list[str], str]:
    """The IPC codes to search: the matter's, else the IPC model's suggestion, else the subclasses of the best hits."""
    if check.ipc_codes:
        return check.ipc_codes[:3], _("排查事项给出的 IPC")
    try:
        from ipoc.search import selectors as search_selectors

        codes = [c for c, score in search_selectors.suggest_ipc(text=product_text(check)[:2000], top=2) if score >= 0.2]
        if codes:
            return codes, _("IPC 推荐模型的建议")
    except Exception:
        pass
    subclasses: list[str] = []
    for row in selectors.patent_rows(_best(found, 5)).values():
        sub = (row.get("ipc_main") or "")[:4]
        if sub and sub not in subclasses:
            subclasses.append(sub)
    return subclasses[:3], _("前 5 件命中专利的 IPC 小类")


def _applicants(check: RiskCheck, found: dict[int, float]) -> tuple[list[str], str]:
    if check.competitors:
        return check.competitors[:5], _("排查事项关注的申请人")
    names: list[str] = []
    for pid in _best(found, 5):
        for name in selectors.patent_holder_names([pid]).get(pid, [])[:1]:
            if name not in names:
                names.append(name)
    return names[:3], _("前 5 件命中专利的申请人")


def _rounds(check: RiskCheck, actor: User | None, found: dict[int, float], number: int) -> list[SearchRound]:
    """Keywords, semantic, IPC, applicants, citations — each round logged with the hits it brought."""
    who = actor if actor is not None and actor.pk else None
    kw = _keyword_query(check)
    made: list[SearchRound] = []

    def log(route: str, query: str, hits: list[tuple[int, float]]) -> None:
        new = _fuse(found, hits)
        made.append(SearchRound.objects.create(check_obj=check, number=number + len(made) + 1, route=route,
                                               query=query[:4000], hits=len(hits), new_hits=new, actor=who))

    log(SearchRoute.KEYWORDS, kw, _search(kw))
    semantic = " ".join(product_text(check).split())[:2000]
    log(SearchRoute.SEMANTIC, semantic, _search(semantic))
    codes, source = _ipc_codes(check, found)
    if not codes:
        log(SearchRoute.IPC, _("（无可用的 IPC 分类，本途径跳过）"), [])
    for code in codes:
        log(SearchRoute.IPC, f"IPC {code}（{source}）· {kw}", _search(kw, {"ipc": code}))
    names, source = _applicants(check, found)
    if not names:
        log(SearchRoute.APPLICANTS, _("（无可用的申请人，本途径跳过）"), [])
    for name in names:
        log(SearchRoute.APPLICANTS, f"{name}（{source}）· {kw}", _search(kw, {"applicant": name}))
    best = _best(found, 10)
    cited: list[str] = []
    for row in selectors.patent_rows(best).values():
        for c in row.get("backward_citations") or []:
            num = c.get("number") if isinstance(c, dict) else str(c)
            if num:
                cited.append(str(num))
    log(SearchRoute.CITATIONS, _("前 %(n)d 件命中专利的引证文献 %(c)d 篇") % {"n": len(best), "c": len(cited)},
        [(i, 0.0) for i in selectors.patent_ids_by_numbers(cited)])
    return made


def _fuse(found: dict[int, float], hits: list[tuple[int, float]]) -> int:
    """Reciprocal-rank fusion over rounds; returns how many hits are new."""
    new = 0
    for rank, (pid, _score) in enumerate(hits, start=1):
        if pid not in found:
            new += 1
            found[pid] = 0.0
        found[pid] += 1.0 / (60 + rank)
    return new


@transaction.atomic
def check_run(*, actor: User | None, check: RiskCheck, charted: int = CANDIDATES_CHARTED) -> RiskCheck:
    """Run the search rounds (keywords, semantic, IPC, applicants, citations of the best hits), each logged,
    until a round brings too few new hits; filter by market; chart the best kept candidates."""
    require_manager(actor, check)
    start = check.rounds.count()
    found: dict[int, float] = {}
    for c in check.candidates.all():
        found[c.patent_id] = c.score
    threshold = rules.value("saturation")
    rounds = _rounds(check, actor, found, start)
    number = start + len(rounds)
    last = rounds[-1]
    total = max(1, len(found))
    if not found:
        stop = _("各检索途径均无命中：检索库中未发现相关专利（请确认检索索引已建立，或补充关键词、IPC 与申请人）")
    elif last.new_hits <= threshold * total:
        stop = _("检索饱和：最后一轮（%(r)s）新增命中 %(n)d 件，不超过累计命中的 %(p)d%%") % {
            "r": last.get_route_display(), "n": last.new_hits, "p": round(threshold * 100)}
    else:
        stop = _("已完成全部检索途径（关键词、语义、IPC、申请人、引证），累计命中 %(n)d 件") % {"n": len(found)}
    last.stop_reason = stop
    last.save(update_fields=["stop_reason"])
    check.stop_reason = stop
    # candidates: the best 60 by fused score, filtered by market, best kept ones charted
    ranked = sorted(found, key=lambda i: -found[i])[:60]
    existing = {c.patent_id: c for c in check.candidates.all()}
    rows = selectors.patent_rows(ranked)
    round_of = rounds[0]
    for rank, pid in enumerate(ranked, start=1):
        row = rows.get(pid)
        if row is None:
            continue
        cand = existing.get(pid) or Candidate(check_obj=check, patent_id=pid, origin=CandidateOrigin.SEARCH,
                                              found_in=round_of)
        cand.score = round(found[pid], 6)
        cand.rank = rank
        _apply_markets(check, cand, row)
        cand.save()
        existing[pid] = cand
    kept = [c for c in sorted(existing.values(), key=lambda c: c.rank) if c.in_scope and not c.removed]
    for cand in kept[:charted]:
        if not cand.elements.filter(confirmed=True).exists():
            chart_propose(candidate=cand, rows=rows)
    if check.status == CheckStatus.REQUESTED:
        check.status = CheckStatus.IN_PROGRESS
    _grade_check(check)
    audit_record(actor=actor, action="run", obj=check, changes={
        "rounds": [start, number], "candidates": [None, len(existing)], "kept": [None, len(kept)]}, message=stop)
    return check


def _apply_markets(check: RiskCheck, cand: Candidate, row: dict, *, on: dt.date | None = None) -> None:
    start = on or timezone.localdate()
    cand.markets = {m: engine.market_status(row, m, start=start, horizon=check.horizon_date) for m in check.markets}
    cand.in_scope = any(v["kept"] for v in cand.markets.values())
    cand.family_key = engine.family_key(row)


def refilter(*, actor: User | None, check: RiskCheck) -> RiskCheck:
    """Re-apply the market filter (after the markets or the horizon changed)."""
    require_manager(actor, check)
    rows = selectors.patent_rows(check.candidates.values_list("patent_id", flat=True))
    for cand in check.candidates.all():
        if cand.patent_id in rows:
            _apply_markets(check, cand, rows[cand.patent_id])
            cand.save(update_fields=["markets", "in_scope", "family_key"])
    _grade_check(check)
    return check


# ---------------------------------------------------------------- candidates and charts


@transaction.atomic
def candidate_add(*, actor: User | None, check: RiskCheck, patent_id: int,
                  origin: str = CandidateOrigin.STAFF) -> Candidate:
    """Staff add a patent they know of; it is filtered by market and charted at once."""
    require_manager(actor, check)
    rows = selectors.patent_rows([patent_id])
    if patent_id not in rows:
        raise ApplicationError(_("专利不存在"), field="patent")
    cand = check.candidates.filter(patent_id=patent_id).first()
    if cand is not None and not cand.removed:
        raise ApplicationError(_("该专利已在候选名单中"), field="patent")
    if cand is None:
        cand = Candidate(check_obj=check, patent_id=patent_id, origin=origin,
                         rank=check.candidates.count() + 1,
                         added_by=actor if actor is not None and actor.pk else None)
    cand.removed, cand.removed_reason = False, ""
    _apply_markets(check, cand, rows[patent_id])
    cand.save()
    if cand.in_scope and not cand.elements.exists():
        chart_propose(candidate=cand, rows=rows)
    _grade_check(check)
    audit_record(actor=actor, action="update", obj=check, changes={"candidates": [None, rows[patent_id]["number"]]},
                 message=_("添加候选专利"))
    return cand


@transaction.atomic
def candidate_remove(*, actor: User | None, candidate: Candidate, reason: str) -> Candidate:
    check = candidate.check_obj
    require_manager(actor, check)
    reason = (reason or "").strip()
    if not reason:
        raise ApplicationError(_("移除候选专利须说明理由"), field="reason")
    candidate.removed, candidate.removed_reason = True, reason[:300]
    candidate.save(update_fields=["removed", "removed_reason"])
    _grade_check(check)
    audit_record(actor=actor, action="update", obj=check,
                 changes={"candidates": [candidate.patent_id, None]}, message=reason)
    return candidate


def independent_claims(claims) -> list[dict]:
    """Claims as dicts ``{"number","text","independent","refers_to"}`` (the store keeps this shape; a plain
    text is split by the patents app's claim parser)."""
    if isinstance(claims, str) or not claims:
        from ipoc.patents.claims import split_claims

        return [c.to_dict() for c in split_claims(claims or "")]
    out = []
    for i, c in enumerate(claims, start=1):
        if isinstance(c, dict):
            out.append({"number": int(c.get("number") or i), "text": str(c.get("text") or ""),
                        "independent": bool(c.get("independent", not c.get("refers_to"))),
                        "refers_to": list(c.get("refers_to") or [])})
        else:
            out.append({"number": i, "text": str(c), "independent": i == 1, "refers_to": []})
    if len(out) == 1 and "\n" in out[0]["text"]:  # a whole claim text in one item (CN samples)
        from ipoc.patents.claims import split_claims

        return [c.to_dict() for c in split_claims(out[0]["text"])]
    return out


def chart_propose(*, candidate: Candidate, rows: dict | None = None) -> list[ClaimElement]:
    """Split every independent claim into elements and propose literal / equivalent / absent from the term
    overlap with the product's features (suggestions, kept apart from the staff's confirmed conclusion)."""
    check = candidate.check_obj
    rows = rows if rows and candidate.patent_id in rows else selectors.patent_rows([candidate.patent_id])
    row = rows.get(candidate.patent_id) or {}
    candidate.elements.filter(confirmed=False).delete()
    done = set(candidate.elements.values_list("claim_number", flat=True))
    features = [*check.features, *check.variants, *check.components]
    text = product_text(check)
    made = []
    for claim in independent_claims(row.get("claims")):
        if not claim["independent"] or claim["number"] in done:
            continue
        for pos, elem in enumerate(engine.claim_elements(claim["text"]), start=1):
            p = engine.propose(elem, features, text)
            made.append(ClaimElement(candidate=candidate, claim_number=claim["number"], position=pos, text=elem[:4000],
                                     proposed=p.mapping, proposed_feature=p.feature[:2000], evidence=p.evidence,
                                     overlap=p.overlap, mapping=p.mapping))
    ClaimElement.objects.bulk_create(made)
    _grade_candidate(candidate)
    return made


def _grade_candidate(candidate: Candidate) -> str:
    per_claim: dict[int, list[str]] = {}
    for claim_number, mapping in candidate.elements.values_list("claim_number", "mapping"):
        per_claim.setdefault(claim_number, []).append(mapping)
    risk = engine.patent_risk([engine.claim_risk(m) for m in per_claim.values()])
    if risk != candidate.risk:
        candidate.risk = risk
        candidate.save(update_fields=["risk"])
    return risk


def _grade_check(check: RiskCheck) -> None:
    risks = list(check.candidates.filter(removed=False, in_scope=True).values_list("risk", flat=True))
    rated = [r for r in risks if r != "unrated"]
    check.risk = max(rated, key=engine.RISK_ORDER.__getitem__) if rated else "unrated"
    validated_save(check)


@transaction.atomic
def element_confirm(*, actor: User | None, element: ClaimElement, mapping: str, note: str = "",
                    feature: str | None = None) -> ClaimElement:
    """Staff confirm (or correct) the platform's suggestion for one element."""
    candidate = element.candidate
    require_manager(actor, candidate.check_obj)
    if mapping not in Mapping.values:
        raise ApplicationError(_("未知的对比结论：%(m)s") % {"m": mapping}, field="mapping")
    old = [element.mapping, element.confirmed]
    element.mapping = mapping
    element.note = (note or "")[:2000]
    if feature is not None:
        element.proposed_feature = feature[:2000]
    element.confirmed = True
    element.confirmed_by = actor if actor is not None and actor.pk else None
    element.confirmed_at = timezone.now()
    validated_save(element)
    _grade_candidate(candidate)
    _grade_check(candidate.check_obj)
    audit_record(actor=actor, action="update", obj=candidate.check_obj, changes={
        f"element {element.claim_number}.{element.position}": [old, [mapping, True]]}, message=note)
    return element


@transaction.atomic
def chart_confirm_all(*, actor: User | None, candidate: Candidate) -> int:
    """Confirm every open suggestion of a chart as proposed."""
    require_manager(actor, candidate.check_obj)
    n = 0
    for element in candidate.elements.filter(confirmed=False):
        element_confirm(actor=actor, element=element, mapping=element.proposed)
        n += 1
    return n


@transaction.atomic
def candidate_note(*, actor: User | None, candidate: Candidate, design_around: str) -> Candidate:
    require_manager(actor, candidate.check_obj)
    candidate.design_around = (design_around or "").strip()[:4000]
    candidate.save(update_fields=["design_around"])
    audit_record(actor=actor, action="update", obj=candidate.check_obj,
                 changes={"design_around": [None, candidate.design_around]})
    return candidate
