"""Writes of the risk app: the export risk check (申请 → 检索 → 筛选 → 权利要求对比 → 报告 → 监控) and the
supply-chain review (物料清单导入、合同条款核查、整改措施), each audited."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterable
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from ipoc.core.errors import ApplicationError, PermissionDenied
from ipoc.core.models import Organization, OrganizationKind, Role, User
from ipoc.core.permissions import CHANGE, can
from ipoc.core.services import audit_record, notify, validated_save
from ipoc.risk import engine, rules, selectors
from ipoc.risk.models import (
    AlertKind,
    BomLine,
    Candidate,
    CandidateOrigin,
    CheckStatus,
    ClaimElement,
    LitigationCase,
    Mapping,
    RemediationAction,
    RiskAlert,
    RiskCheck,
    RiskLevel,
    RiskReport,
    SearchRound,
    SearchRoute,
    SupplierTerms,
    SupplyReview,
)

log = logging.getLogger(__name__)

MAX_LIST_ITEMS = 50
MAX_ITEM_CHARS = 500
ROUND_LIMIT = 40  # hits read per search round
CANDIDATES_CHARTED = 15  # kept candidates whose claims are charted after a run
MAX_BOM_ROWS = 2000
REPORT_REJECTED_KEPT = 200


# ---------------------------------------------------------------- who may do what


def may_manage(actor: User | None, check: RiskCheck | SupplyReview) -> bool:
    """The handling center's staff (and administrators, and the system) run a check or a review."""
    if actor is None:
        return True
    if not actor.is_authenticated:
        return False
    if actor.is_platform_admin:
        return True
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


# ---------------------------------------------------------------- the report


def report_content(check: RiskCheck) -> dict:
    """The report's data (what the HTML and the PDF show), frozen when published."""
    view = selectors.candidates_view(check)
    kept = [c for fam in view["families"] for c in fam]
    rows = selectors.patent_rows([c.patent_id for c in kept + view["excluded"]])
    holders = selectors.patent_holder_names([c.patent_id for c in kept])
    options = selectors.licence_options([c.patent_id for c in kept])
    blocking = []
    for c in kept:
        row = rows.get(c.patent_id, {})
        claims = independent_claims(row.get("claims"))
        elements = list(c.elements.all())
        charts = []
        for claim in claims:
            if not claim["independent"]:
                continue
            els = [e for e in elements if e.claim_number == claim["number"]]
            if not els:
                continue
            charts.append({"number": claim["number"],
                           "risk": engine.claim_risk([e.mapping for e in els]),
                           "dependents": [d["number"] for d in claims if claim["number"] in d["refers_to"]],
                           "elements": [{"text": e.text, "mapping": e.mapping, "mapping_label": e.get_mapping_display(),
                                         "feature": e.proposed_feature, "evidence": e.evidence,
                                         "confirmed": e.confirmed, "note": e.note} for e in els]})
        opt = options.get(c.patent_id, {})
        cites = [str(x.get("number") if isinstance(x, dict) else x) for x in row.get("backward_citations") or []][:8]
        blocking.append({
            "patent_id": c.patent_id, "number": row.get("number", ""), "title": row.get("title", ""),
            "holders": holders.get(c.patent_id, []), "risk": c.risk, "risk_label": c.get_risk_display(),
            "family": c.family_key, "markets": c.markets, "charts": charts,
            "design_around": c.design_around,
            "pools": [{"name": p.get("name", ""), "url": p.get("url", "")} for p in opt.get("pools", [])],
            "open_licence": bool(opt.get("open_licence")),
            "pledges": [{"title": p.get("title", ""), "url": p.get("url", "")} for p in opt.get("pledges", [])],
            "invalidity_leads": [x for x in cites if x and x != "None"]})
    order = engine.RISK_ORDER
    blocking.sort(key=lambda b: -order[b["risk"]])
    charted_low = [b for b in blocking if b["risk"] == "low"]
    unrated = [b for b in blocking if b["risk"] == "unrated"]
    blocking = [b for b in blocking if b["risk"] in ("high", "medium")]
    conclusions = []
    for m in check.markets:
        in_market = [b for b in blocking if b["markets"].get(m, {}).get("kept")]
        low_here = [b for b in charted_low if b["markets"].get(m, {}).get("kept")]
        open_here = [b for b in unrated if b["markets"].get(m, {}).get("kept")]
        worst = max((b["risk"] for b in in_market), key=order.__getitem__,
                    default="low" if low_here else "unrated")
        high = [b["number"] for b in in_market if b["risk"] == "high"]
        medium = [b["number"] for b in in_market if b["risk"] == "medium"]
        if worst == "high":
            text = _("存在较高侵权风险：%(n)s 的独立权利要求全部技术特征在产品中均有体现，建议在出口前取得许可、规避设计或评估无效可能") % {
                "n": "、".join(high)}
        elif worst == "medium":
            text = _("存在一定风险：%(n)s 含等同或待判断特征，建议专业律师进一步分析") % {"n": "、".join(medium)}
        elif low_here:
            text = _("已对比的 %(n)d 件有效或审中专利均至少缺少一项技术特征，未发现全面覆盖产品的专利") % {"n": len(low_here)}
        else:
            text = _("在检索范围内未发现该市场有效或审中、且可对比权利要求的相关专利")
        if open_here:
            text += _("；另有 %(n)d 件因库中无权利要求文本未做对比，建议补充全文后复核") % {"n": len(open_here)}
        conclusions.append({"market": m, "label": rules.market_label(m), "risk": worst,
                            "risk_label": str(RiskLevel(worst).label), "text": text,
                            "patents": len(in_market) + len(low_here) + len(open_here)})
    next_actions = []
    if any(b["risk"] == "high" for b in blocking):
        next_actions.append(_("就高风险专利联系权利人洽谈许可，或通过运营中心了解专利池、开放许可渠道"))
        next_actions.append(_("组织技术人员评估规避设计方案，并对引证文献开展无效检索"))
    if any(b["risk"] == "medium" for b in blocking):
        next_actions.append(_("对含等同特征的专利委托专业机构出具侵权分析意见"))
    next_actions.append(_("平台将持续监控：新增相关专利、申请授权、专利权恢复或新的诉讼/337 案件时通知申请单位"))
    return {
        "title": check.title, "product_name": check.product_name, "description": check.description,
        "features": check.features, "variants": check.variants, "components": check.components,
        "markets": [{"code": m, "label": rules.market_label(m)} for m in check.markets],
        "horizon_date": check.horizon_date.isoformat(), "requester": check.requester.name,
        "center": check.center.name if check.center else "",
        "rounds": [{"number": r.number, "route": r.get_route_display(), "query": r.query[:300], "hits": r.hits,
                    "new_hits": r.new_hits, "stop_reason": r.stop_reason} for r in check.rounds.all()],
        "stop_reason": check.stop_reason,
        "kept_count": len(kept), "excluded_count": len(view["excluded"]),
        "excluded": [{"number": rows.get(c.patent_id, {}).get("number", ""),
                      "reasons": [f"{rules.market_label(m)}：{v['reason']}" for m, v in c.markets.items()]}
                     for c in view["excluded"][:100]],
        "blocking": blocking, "conclusions": conclusions, "next_actions": next_actions,
        "low": [{"number": b["number"], "title": b["title"], "patent_id": b["patent_id"],
                 "absent": [e["text"][:120] for ch in b["charts"] for e in ch["elements"] if e["mapping"] == "absent"][:3]}
                for b in charted_low],
        "unrated": [{"number": b["number"], "title": b["title"], "patent_id": b["patent_id"]} for b in unrated[:100]],
        "unrated_count": len(unrated),
        "risk": check.risk, "risk_label": check.get_risk_display(),
        "disclaimer": _("本报告由产业知识产权运营中心基于平台专利数据检索与比对生成，仅供企业决策参考，不构成法律意见；"
                        "侵权判定以有管辖权的法院或行政机关的认定为准。专利法律状态以各国专利局公告为准，"
                        "标注“待核实”的内容须进一步核实。"),
        "generated_at": timezone.localtime().strftime("%Y-%m-%d %H:%M"),
    }


@transaction.atomic
def report_publish(*, actor: User | None, check: RiskCheck) -> RiskReport:
    """Publish a report version, finish the check (it stays watched) and tell the requester."""
    require_manager(actor, check)
    if not check.candidates.exists() and not check.rounds.exists():
        raise ApplicationError(_("请先运行检索，再出具报告"), field="check")
    unconfirmed = ClaimElement.objects.filter(candidate__check_obj=check, candidate__removed=False,
                                              candidate__in_scope=True, candidate__risk__in=("high", "medium"),
                                              confirmed=False).count()
    if unconfirmed:
        raise ApplicationError(_("中高风险专利还有 %(n)d 项技术特征对比未经确认") % {"n": unconfirmed}, field="check")
    version = (check.reports.order_by("-version").values_list("version", flat=True).first() or 0) + 1
    report = RiskReport.objects.create(check_obj=check, version=version, content=report_content(check),
                                       published_by=actor if actor is not None and actor.pk else None)
    old = check.status
    check.status = CheckStatus.FINISHED
    check.finished_at = timezone.now()
    check.reopen_reason = ""
    validated_save(check)
    audit_record(actor=actor, action="transition", obj=check, changes={"status": [old, check.status],
                                                                      "report": [None, version]})
    notify(users=check.requester.users.all(), title=_("风险预警报告已出具：%(t)s") % {"t": check.title},
           body=_("总体风险：%(r)s") % {"r": check.get_risk_display()},
           url=reverse("risk_report", args=[check.pk]), kind="risk")
    return report


def report_pdf(report: RiskReport) -> bytes:
    from ipoc.risk.pdf import render_pdf

    return render_pdf(report.content)


# ---------------------------------------------------------------- the watch


def _reopen(check: RiskCheck, kind: str, message: str, patent_id: int | None = None) -> RiskAlert:
    alert = RiskAlert.objects.create(check_obj=check, center=check.center, kind=kind, patent_id=patent_id,
                                     message=message[:2000])
    if check.status == CheckStatus.FINISHED:
        check.status = CheckStatus.REOPENED
    check.reopen_reason = message[:2000]
    validated_save(check)
    audit_record(actor=None, action="transition", obj=check, changes={"status": [CheckStatus.FINISHED, check.status]},
                 message=message)
    users = list(check.requester.users.all())
    if check.center_id:
        users += list(check.center.users.filter(role=Role.CENTER_STAFF))
    notify(users=users, title=_("风险预警重新打开：%(t)s") % {"t": check.title}, body=message,
           url=reverse("risk_check_detail", args=[check.pk]), kind="risk")
    return alert


WATCH_KIND = "risk.watch"
WATCH_INLINE_MAX = 2000  # a change set this small (a record edited, a small import) is watched at once
WATCH_CHUNK = 2000


def watch_patents_changed(ids: list[int]) -> int:
    """Listener of ``patents.services.on_patents_changed``: a new relevant patent in a chosen market, a pending
    application granted or a lapsed patent restored re-opens a finished check. Never fails the import.

    A large change set (an import of millions) is not read inside the import's finish: it becomes a
    ``risk.watch`` job (风险预警监测) of its own, chunked, with progress and a resume point."""
    try:
        if not ids or not RiskCheck.objects.filter(status=CheckStatus.FINISHED).exists():
            return 0
        if len(ids) <= WATCH_INLINE_MAX:
            return _watch(list(ids))
        from ipoc.core.jobs import job_create, job_start_background

        job = job_create(actor=None, kind=WATCH_KIND, params={"runs": id_runs(ids), "count": len(ids)},
                         title=f"风险预警监测：{len(ids)} 件新入库或变更的专利 / risk watch", total=len(ids))
        job_start_background(job)
        return 0
    except Exception:
        log.exception("risk watch failed")
        return 0


def id_runs(ids: Iterable[int]) -> list[list[int]]:
    """Sorted ids as runs ``[first, last]``: an import's ids are mostly consecutive, so millions fit a job's
    parameters in a few runs."""
    runs: list[list[int]] = []
    for i in sorted(set(int(x) for x in ids)):
        if runs and i == runs[-1][1] + 1:
            runs[-1][1] = i
        else:
            runs.append([i, i])
    return runs


def ids_of_runs(runs: list[list[int]]) -> list[int]:
    return [i for first, last in runs for i in range(int(first), int(last) + 1)]


def watch_job(ctx) -> dict:
    """Job ``risk.watch``: the watch over a large change set, 2,000 patents per transaction; the checkpoint is
    saved in the same transaction, so a resumed or redone job neither skips nor repeats a part."""
    ids = ids_of_runs(ctx.params["runs"])
    point = ctx.checkpoint_data or {}
    done, reopened = int(point.get("done", 0)), int(point.get("reopened", 0))
    ctx.set_total(len(ids))
    ctx.set_done(done)
    for a in range(done, len(ids), WATCH_CHUNK):
        part = ids[a:a + WATCH_CHUNK]
        with transaction.atomic():
            reopened += _watch(part)
            ctx.job.progress_done = a + len(part)
            ctx.checkpoint({"done": a + len(part), "reopened": reopened})
    return {"patents": len(ids), "reopened": reopened}


def _watch(ids: list[int]) -> int:
    checks = list(RiskCheck.objects.filter(status=CheckStatus.FINISHED).select_related("requester", "center"))
    if not checks or not ids:
        return 0
    reopened = 0
    threshold = rules.value("watch_relevance")
    from ipoc.patents import selectors as patent_selectors

    wanted = {check.pk: engine.words(" ".join([check.product_name, *check.features])) for check in checks}
    for a in range(0, len(ids), WATCH_CHUNK):
        chunk = ids[a:a + WATCH_CHUNK]
        known = {(c.check_obj_id, c.patent_id): c
                 for c in Candidate.objects.filter(check_obj__in=checks, patent_id__in=chunk)}
        texts = patent_selectors.index_texts(chunk)
        rows = selectors.patent_rows(chunk)
        words: dict[int, Any] = {}  # each patent's words once, whatever the number of checks
        for check in checks:
            if check.status != CheckStatus.FINISHED:
                continue
            for pid in chunk:
                row = rows.get(pid)
                if row is None:
                    continue
                cand = known.get((check.pk, pid))
                if cand is not None:
                    before = {m: v.get("state") for m, v in cand.markets.items()}
                    was_in = cand.in_scope
                    _apply_markets(check, cand, row)
                    cand.save(update_fields=["markets", "in_scope", "family_key"])
                    now = {m: v.get("state") for m, v in cand.markets.items()}
                    if cand.removed:
                        continue
                    if not was_in and cand.in_scope:
                        _reopen(check, AlertKind.RESTORED, _("专利 %(n)s 在目标市场恢复有效，需重新评估") % {
                            "n": row["number"]}, pid)
                        reopened += 1
                        break
                    if any(before.get(m) == "pending" and now.get(m) == "in_force" for m in now):
                        _reopen(check, AlertKind.GRANTED, _("审中申请 %(n)s 已获授权，需重新评估") % {"n": row["number"]}, pid)
                        reopened += 1
                        break
                    continue
                if pid not in words:
                    t = texts.get(pid) or {}
                    words[pid] = engine.words(" ".join([t.get("title", ""), t.get("abstract", ""),
                                                        t.get("claims", "")]))
                if engine.coverage(wanted[check.pk], words[pid]) < threshold:
                    continue
                cand = Candidate(check_obj=check, patent_id=pid, origin=CandidateOrigin.WATCH,
                                 rank=check.candidates.count() + 1)
                _apply_markets(check, cand, row)
                if not cand.in_scope:
                    continue
                cand.save()
                chart_propose(candidate=cand, rows=rows)
                _grade_check(check)
                _reopen(check, AlertKind.NEW_PATENT, _("新入库的相关专利 %(n)s 在目标市场有效或审中，风险预警已重新打开") % {
                    "n": row["number"]}, pid)
                reopened += 1
                break
    return reopened


# ---------------------------------------------------------------- litigation / 337 watch list


LITIGATION_FIELDS = ("kind", "case_number", "parties", "products", "patents", "status", "filed_date", "note")


def _require_center_staff(actor: User | None) -> Organization | None:
    if actor is None:
        return None
    if not actor.is_authenticated or not (actor.is_platform_admin or actor.role == Role.CENTER_STAFF):
        raise PermissionDenied(_("诉讼/337 监控名单由运营中心维护"))
    return actor.organization


@transaction.atomic
def litigation_case_create(*, actor: User | None, center: Organization | None = None, **data: Any) -> LitigationCase:
    """Add a case to the watch list; finished checks whose product class it names are re-opened."""
    own = _require_center_staff(actor)
    center = own or center
    if center is None or center.kind != OrganizationKind.OPERATION_CENTER:
        raise ApplicationError(_("请指定维护名单的运营中心"), field="center")
    unknown = set(data) - set(LITIGATION_FIELDS)
    if unknown:
        raise ApplicationError(_("未知字段：%(f)s") % {"f": ", ".join(sorted(unknown))}, field=sorted(unknown)[0])
    case = LitigationCase(center=center, **data)
    validated_save(case)
    audit_record(actor=actor, action="create", obj=case, changes={"case_number": [None, case.case_number]})
    _watch_case(case)
    return case


@transaction.atomic
def litigation_case_update(*, actor: User | None, case: LitigationCase, data: dict) -> LitigationCase:
    own = _require_center_staff(actor)
    if actor is not None and not actor.is_platform_admin and own is not None and own.pk != case.center_id:
        raise PermissionDenied(_("只能修改本运营中心维护的案件"))
    changes = {}
    for name in LITIGATION_FIELDS:
        if name in data and getattr(case, name) != data[name]:
            changes[name] = [getattr(case, name), data[name]]
            setattr(case, name, data[name])
    validated_save(case)
    if changes:
        audit_record(actor=actor, action="update", obj=case, changes=changes)
    return case


def _watch_case(case: LitigationCase) -> int:
    products = engine.words(case.products)
    if not products:
        return 0
    n = 0
    for check in RiskCheck.objects.filter(status=CheckStatus.FINISHED).select_related("requester", "center"):
        mine = engine.words(" ".join([check.product_name, *check.components]))
        if mine & products:
            _reopen(check, AlertKind.LITIGATION, _("诉讼/337 监控名单新增案件 %(c)s，涉案产品“%(p)s”与本产品同类") % {
                "c": case.case_number, "p": case.products[:80]})
            n += 1
    return n


@transaction.atomic
def exposure_alert(*, actor: User | None, patent_id: int, message: str = "") -> RiskAlert:
    """The center warns every member whose check hit the patent (行业风险提示)."""
    org = _require_center_staff(actor)
    rows = selectors.patent_rows([patent_id])
    if patent_id not in rows:
        raise ApplicationError(_("专利不存在"), field="patent")
    checks = RiskCheck.objects.filter(candidates__patent_id=patent_id, candidates__removed=False)
    if org is not None:
        checks = checks.filter(center=org)
    checks = list(checks.select_related("requester").distinct())
    if not checks:
        raise ApplicationError(_("本中心承办的排查中没有命中该专利的"), field="patent")
    text = (message or "").strip() or _("多家会员单位的出口风险排查命中专利 %(n)s，运营中心建议联合应对（共同许可、联合无效或维权援助）") % {
        "n": rows[patent_id]["number"]}
    alert = RiskAlert.objects.create(center=org or checks[0].center, kind=AlertKind.EXPOSURE, patent_id=patent_id,
                                     message=text[:2000])
    users: list[User] = []
    for c in checks:
        users += list(c.requester.users.all())
    notify(users=users, title=_("行业知识产权风险提示"), body=text, url=reverse("risk_alert_list"), kind="risk")
    audit_record(actor=actor, action="create", obj=alert, changes={"patent": [None, rows[patent_id]["number"]]})
    return alert


# ---------------------------------------------------------------- supply chain


BOM_HEADERS = ("部件", "供应商", "原产国", "金额（元）")
BOM_ALIASES = {"部件": ("部件", "component", "零部件", "物料"), "供应商": ("供应商", "supplier", "供应商名称"),
               "原产国": ("原产国", "country", "原产地"), "金额（元）": ("金额（元）", "金额", "value", "采购金额")}


def bom_template_xlsx() -> bytes:
    import io

    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.title = "物料清单"
    ws.append(list(BOM_HEADERS))
    ws.append(["电池管理模块", "某某电子有限公司", "中国", "120000"])
    for col in "ABCD":
        ws.column_dimensions[col].width = 22
    help_ws = wb.create_sheet("填写说明")
    for line in (["字段", "说明"], ["部件", "必填，部件或物料名称"], ["供应商", "必填，供应商全称（与平台登记的单位名称一致时自动关联）"],
                 ["原产国", "可空"], ["金额（元）", "可空，非负数字"]):
        help_ws.append(line)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def _cell(row: dict, name: str) -> str:
    for alias in BOM_ALIASES[name]:
        for key, value in row.items():
            if (key or "").strip().lower() == alias.lower() and value not in (None, ""):
                return str(value).strip()
    return ""


def _check_bom_headers(row: dict, name: str) -> None:
    """A sheet whose header row names neither 部件 nor 供应商 is not a BOM: one clear refusal, not every row
    rejected as "部件必填"."""
    headers = {(key or "").strip().lower() for key in row}
    wanted = [alias.lower() for field in ("部件", "供应商") for alias in BOM_ALIASES[field]]
    if not headers & set(wanted):
        raise ApplicationError(_("%(f)s 的表头不是物料清单：第一行应为 %(h)s（可下载模板）")
                               % {"f": name, "h": "、".join(BOM_HEADERS)}, field="file")


def read_bom(path: Path, *, file_name: str | None = None) -> tuple[list[dict], dict]:
    """Rows of a BOM / supplier list with row-level errors (the first rejections kept, the rest counted)."""
    from ipoc.core.tabular import sheet_rows

    name = file_name or Path(path).name
    if Path(path).suffix.lower() not in (".xlsx", ".xlsm", ".csv"):
        raise ApplicationError(_("请上传 Excel（.xlsx）或 CSV 文件：%(f)s") % {"f": name}, field="file")
    report = {"file": name, "counts": {"rows": 0, "accepted": 0, "rejected": 0}, "rejected_rows": [],
              "rejected_more": 0}
    good = []
    for row_no, row in sheet_rows(Path(path), max_rows=MAX_BOM_ROWS, file_name=name):
        if not report["counts"]["rows"]:
            _check_bom_headers(row, name)
        report["counts"]["rows"] += 1
        errors = []
        component, supplier = _cell(row, "部件"), _cell(row, "供应商")
        if not component:
            errors.append(("部件", _("部件必填")))
        elif len(component) > 200:
            errors.append(("部件", _("部件名称超过 200 字")))
        if not supplier:
            errors.append(("供应商", _("供应商必填")))
        elif len(supplier) > 200:
            errors.append(("供应商", _("供应商名称超过 200 字")))
        raw_value = _cell(row, "金额（元）").replace(",", "")
        value = None
        if raw_value:
            try:
                value = Decimal(raw_value)
                if not value.is_finite() or value < 0 or value > Decimal("1e13"):
                    raise InvalidOperation
            except (InvalidOperation, ValueError):
                errors.append(("金额（元）", _("金额应为非负数字：%(v)s") % {"v": raw_value[:40]}))
        country = _cell(row, "原产国")[:40]
        if errors:
            report["counts"]["rejected"] += 1
            for field, reason in errors:
                if len(report["rejected_rows"]) < REPORT_REJECTED_KEPT:
                    report["rejected_rows"].append({"row": row_no, "field": field, "reason": str(reason)})
                else:
                    report["rejected_more"] += 1
            continue
        report["counts"]["accepted"] += 1
        good.append({"row": row_no, "component": component, "supplier_name": supplier, "country": country,
                     "value": value.quantize(Decimal("0.01")) if value is not None else None})
    return good, report


@transaction.atomic
def review_import(*, actor: User | None, path, title: str = "", file_name: str | None = None,
                  requester: Organization | None = None, center: Organization | None = None) -> SupplyReview:
    """Create a supply-chain review from a BOM / supplier list; bad rows are rejected one by one."""
    requester, center = _scope(actor, requester, center)
    good, report = read_bom(Path(path), file_name=file_name)
    if not good:
        raise ApplicationError(_("文件中没有可导入的行（%(n)d 行被拒绝）") % {"n": report["counts"]["rejected"]},
                               field="file", extra={"report": report})
    review = SupplyReview(title=(title or "").strip() or _("%(o)s 供应链合规排查") % {"o": requester.name},
                          requester=requester, center=center, file_name=report["file"][:300], import_report=report,
                          created_by=actor if actor is not None and actor.pk else None)
    validated_save(review)
    names = {g["supplier_name"] for g in good}
    orgs = dict(Organization.objects.filter(name__in=names).values_list("name", "pk"))
    checks = {c.product_name: c.pk for c in RiskCheck.objects.filter(requester=requester)}
    BomLine.objects.bulk_create([BomLine(review=review, supplier_id=orgs.get(g["supplier_name"]),
                                         risk_check_id=checks.get(g["component"]), **g) for g in good])
    audit_record(actor=actor, action="create", obj=review, changes={"rows": [None, report["counts"]]})
    return review


@transaction.atomic
def terms_set(*, actor: User | None, review: SupplyReview, supplier_name: str, checks: dict) -> SupplierTerms:
    """Record the contract-term checklist of one supplier: {code: {"ok": bool, "evidence": str}}."""
    if not (may_manage(actor, review) or _is_requester(actor, review)):
        raise PermissionDenied(_("只有申请单位和承办运营中心可以核查合同条款"))
    codes = dict(rules.CONTRACT_TERMS)
    clean = {}
    for code, value in (checks or {}).items():
        if code not in codes:
            raise ApplicationError(_("未知的合同条款：%(c)s") % {"c": code}, field="checks")
        value = value or {}
        clean[code] = {"ok": bool(value.get("ok")), "evidence": str(value.get("evidence") or "")[:1000]}
        if clean[code]["ok"] and not clean[code]["evidence"].strip():
            raise ApplicationError(_("“%(t)s”标记为已核查时须填写依据（合同条款或页码）") % {"t": codes[code]},
                                   field=f"evidence_{code}")
    if not review.lines.filter(supplier_name=supplier_name).exists():
        raise ApplicationError(_("该供应商不在物料清单中"), field="supplier_name")
    terms, _created = SupplierTerms.objects.get_or_create(review=review, supplier_name=supplier_name)
    old = terms.checks
    terms.checks = clean
    terms.save()
    audit_record(actor=actor, action="update", obj=review, changes={f"terms {supplier_name}": [old, clean]})
    return terms


def _is_requester(actor: User | None, review: SupplyReview) -> bool:
    return (actor is not None and actor.is_authenticated and actor.organization_id == review.requester_id
            and actor.role == Role.ENTERPRISE_USER)


@transaction.atomic
def remediation_add(*, actor: User | None, review: SupplyReview, action: str, owner: str, due_date: Any,
                    supplier_name: str = "") -> RemediationAction:
    if not (may_manage(actor, review) or _is_requester(actor, review)):
        raise PermissionDenied(_("只有申请单位和承办运营中心可以登记整改措施"))
    if isinstance(due_date, str):
        try:
            due_date = dt.date.fromisoformat(due_date)
        except ValueError:
            raise ApplicationError(_("日期格式应为 YYYY-MM-DD"), field="due_date") from None
    item = RemediationAction(review=review, action=(action or "").strip(), owner=(owner or "").strip(),
                             due_date=due_date, supplier_name=(supplier_name or "")[:200])
    validated_save(item)
    audit_record(actor=actor, action="create", obj=review, changes={"remediation": [None, item.action]})
    return item


@transaction.atomic
def remediation_done(*, actor: User | None, item: RemediationAction) -> RemediationAction:
    if not (may_manage(actor, item.review) or _is_requester(actor, item.review)):
        raise PermissionDenied(_("只有申请单位和承办运营中心可以更新整改措施"))
    item.done = True
    item.save(update_fields=["done"])
    audit_record(actor=actor, action="update", obj=item.review, changes={"remediation done": [None, item.action]})
    return item


def ids_of(objs: Iterable) -> list[int]:
    return sorted(o.pk for o in objs)


# ---------------------------------------------------------------- the command line


CLI_REQUESTER = "命令行排查（未指定申请单位）"


def cli_check(*, product: dict, markets: str | None, requester: str | None = None) -> dict:
    """``ipoc risk check``: create a check from a product JSON (name, description, features, variants,
    components, ipc_codes, competitors, horizon_date, requester, center), run it and return the result."""
    from ipoc.core import services as core_services

    if not isinstance(product, dict):
        raise ApplicationError(_("产品 JSON 应为对象"), field="product")
    name = (requester or product.get("requester") or "").strip() or CLI_REQUESTER
    org = Organization.objects.filter(name=name).first() or core_services.organization_create(
        actor=None, name=name, kind=OrganizationKind.ENTERPRISE, source="cli")
    center = None
    if product.get("center"):
        center = Organization.objects.filter(name=str(product["center"]).strip()).first()
        if center is None:
            raise ApplicationError(_("运营中心不存在：%(c)s") % {"c": product["center"]}, field="center")
    horizon = product.get("horizon_date") or (timezone.localdate() + dt.timedelta(days=5 * 365)).isoformat()
    check = check_create(
        actor=None, requester=org, center=center,
        product_name=str(product.get("product_name") or product.get("name") or ""),
        title=str(product.get("title") or ""), description=str(product.get("description") or ""),
        features=product.get("features"), variants=product.get("variants"), components=product.get("components"),
        ipc_codes=product.get("ipc_codes"), competitors=product.get("competitors"),
        markets=markets or product.get("markets"), horizon_date=horizon)
    check_run(actor=None, check=check)
    check.refresh_from_db()
    rows = selectors.patent_rows(check.candidates.values_list("patent_id", flat=True))
    cands = []
    for c in check.candidates.filter(removed=False).order_by("rank"):
        row = rows.get(c.patent_id, {})
        cands.append({"rank": c.rank, "patent_id": c.patent_id, "number": row.get("number", ""),
                      "title": row.get("title", ""), "in_scope": c.in_scope, "risk": c.risk, "markets": c.markets,
                      "charts": _chart_summary(c)})
    return {"id": check.pk, "title": check.title, "markets": check.markets, "risk": check.risk,
            "risk_label": str(check.get_risk_display()), "stop_reason": check.stop_reason,
            "rounds": [{"number": r.number, "route": r.route, "query": r.query[:200], "hits": r.hits,
                        "new_hits": r.new_hits, "stop_reason": r.stop_reason} for r in check.rounds.all()],
            "candidates": cands}


def _chart_summary(c: Candidate) -> list[dict]:
    out: dict[int, dict] = {}
    for e in c.elements.all():
        d = out.setdefault(e.claim_number, {"claim": e.claim_number, "elements": []})
        d["elements"].append({"text": e.text[:300], "mapping": e.mapping, "overlap": e.overlap,
                              "confirmed": e.confirmed})
    for d in out.values():
        d["risk"] = engine.claim_risk([x["mapping"] for x in d["elements"]])
    return list(out.values())


LITIGATION_HEADERS = ("案号", "类型", "当事人", "涉案产品", "涉案专利号", "状态", "立案日期", "备注")


def litigation_import(*, actor: User | None, path, file_name: str | None = None,
                      center: Organization | None = None) -> dict:
    """Import the litigation/337 watch list (the columns of ``LITIGATION_HEADERS``): a case number already on
    the center's list is updated, a new one added (and checked against finished checks); bad rows are rejected
    one by one with their row and field."""
    from ipoc.core.tabular import sheet_rows

    own = _require_center_staff(actor)
    center = own or center
    if center is None:
        raise ApplicationError(_("请指定维护名单的运营中心"), field="center")
    name = file_name or Path(path).name
    if Path(path).suffix.lower() not in (".xlsx", ".xlsm", ".csv"):
        raise ApplicationError(_("请上传 Excel（.xlsx）或 CSV 文件：%(f)s") % {"f": name}, field="file")
    kinds = {str(label): code for code, label in LitigationCase.Kind.choices} | {"337": "itc337", "诉讼": "litigation"}
    statuses = {str(label): code for code, label in LitigationCase.Status.choices}
    report = {"file": name, "counts": {"rows": 0, "new": 0, "updated": 0, "rejected": 0}, "rejected_rows": []}
    for row_no, row in sheet_rows(Path(path), max_rows=MAX_BOM_ROWS, file_name=name):
        report["counts"]["rows"] += 1
        cell = {k: str(row.get(k) or "").strip() for k in LITIGATION_HEADERS}
        errors = []
        if not cell["案号"] or len(cell["案号"]) > 120:
            errors.append(("案号", _("案号必填，最多 120 字")))
        if not cell["当事人"]:
            errors.append(("当事人", _("当事人必填")))
        kind = kinds.get(cell["类型"] or "专利诉讼")
        if kind is None:
            errors.append(("类型", _("类型应为“专利诉讼”或“337 调查”：%(v)s") % {"v": cell["类型"][:40]}))
        status = statuses.get(cell["状态"] or "进行中")
        if status is None:
            errors.append(("状态", _("状态应为“进行中”或“已结案”：%(v)s") % {"v": cell["状态"][:40]}))
        filed = None
        if cell["立案日期"]:
            try:
                filed = dt.date.fromisoformat(cell["立案日期"][:10].replace("/", "-"))
            except ValueError:
                errors.append(("立案日期", _("日期格式应为 YYYY-MM-DD：%(v)s") % {"v": cell["立案日期"][:40]}))
        if errors:
            report["counts"]["rejected"] += 1
            report["rejected_rows"] += [{"row": row_no, "field": f, "reason": str(r)} for f, r in errors][
                :max(0, REPORT_REJECTED_KEPT - len(report["rejected_rows"]))]
            continue
        data = {"kind": kind, "parties": cell["当事人"], "products": cell["涉案产品"], "patents": cell["涉案专利号"],
                "status": status, "filed_date": filed, "note": cell["备注"]}
        case = LitigationCase.objects.filter(center=center, case_number=cell["案号"]).first()
        try:
            with transaction.atomic():  # a row the model refuses (a date in year 9999, an overlong text) is
                # rejected with its row and field; the rows before and after it still count
                if case is None:
                    litigation_case_create(actor=actor, center=center, case_number=cell["案号"], **data)
                else:
                    litigation_case_update(actor=actor, case=case, data=data)
        except PermissionDenied:
            raise
        except ApplicationError as exc:
            report["counts"]["rejected"] += 1
            field = {"filed_date": "立案日期", "parties": "当事人", "products": "涉案产品", "patents": "涉案专利号",
                     "note": "备注"}.get(exc.field or "", exc.field or "")
            if len(report["rejected_rows"]) < REPORT_REJECTED_KEPT:
                report["rejected_rows"].append({"row": row_no, "field": field, "reason": exc.message})
            continue
        report["counts"]["new" if case is None else "updated"] += 1
    return report
