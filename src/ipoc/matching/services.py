"""转化对接 writes: listings, chain nodes and tagging, matching a demand to patents with explanations,
staff decisions that push to both sides and retrain the reranker, and batch matching of a center."""

from __future__ import annotations

import time
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from ipoc.core.errors import ApplicationError, PermissionDenied
from ipoc.core.jobs import JobContext, job_create, job_run
from ipoc.core.models import Organization, OrganizationKind, Role, User
from ipoc.core.permissions import CHANGE, require, require_role
from ipoc.core.services import audit_record, notify, validated_save
from ipoc.demands import selectors as demand_selectors
from ipoc.matching import ranking, understanding
from ipoc.matching.models import (
    ChainNode,
    DemandChainTag,
    Listing,
    ListingStatus,
    Match,
    MatchQuery,
    MatchRun,
    MatchStatus,
    NeedKind,
    RankingModel,
)
from ipoc.matching.ranking import POSSIBLE, STRONG, WEAK
from ipoc.patents import selectors as patent_selectors

CANDIDATES = 60
MATCHES_PER_DEMAND = 10
ROUTE_PATENTS = 100  # patents read to find the institutions / suppliers of a routed demand
ROUTE_PARTIES = 10


# ---------------------------------------------------------------- listings and chain nodes


@transaction.atomic
def listing_create(*, actor: User | None, patent_id: int, holder: Organization, modes: list[str],
                   asking_price: Decimal | None = None, terms: str = "", open_license: bool = False,
                   center: Organization | None = None) -> Listing:
    """挂牌. The holder's own users or center staff list a patent; prices cannot be negative or absurd."""
    if actor is not None:
        require_role(actor, Role.ENTERPRISE_USER, Role.INSTITUTION_USER, Role.CENTER_STAFF)
        if actor.role != Role.CENTER_STAFF and actor.organization_id != holder.pk:
            raise PermissionDenied(_("只能为本单位的专利挂牌"), field="holder")
        if actor.role == Role.CENTER_STAFF:
            center = actor.organization
        if not actor.is_platform_admin and not patent_selectors.patents_held_by(
                user=None, organization=holder).filter(pk=patent_id).exists():
            raise PermissionDenied(_("“%(h)s”不是该专利的申请人或权利人：只能为持有的专利挂牌") % {"h": holder},
                                   field="patent")
    if not modes or any(m not in demand_selectors.DEAL_MODES for m in modes):
        raise ApplicationError(_("请选择交易方式：转让、许可或作价入股"), field="modes")
    if asking_price is not None and not (0 <= Decimal(asking_price) <= Decimal("100000000000")):
        raise ApplicationError(_("挂牌价格超出合理范围（0 至 1000 亿元）"), field="asking_price")
    listing = Listing(patent_id=patent_id, holder=holder, center=center, modes=modes, asking_price=asking_price,
                      terms=terms, open_license=open_license, created_by=actor if actor and actor.pk else None)
    validated_save(listing)
    audit_record(actor=actor, action="create", obj=listing, changes={"patent": [None, patent_id],
                                                                      "modes": [None, modes]})
    return listing


@transaction.atomic
def chain_node_create(*, actor: User | None, center: Organization, name: str, position: str,
                      keywords: list[str] | None = None, ipc_prefixes: list[str] | None = None) -> ChainNode:
    if actor is not None:
        require_role(actor, Role.CENTER_STAFF)
        if actor.role == Role.CENTER_STAFF and actor.organization_id != center.pk:
            raise PermissionDenied(_("只能维护本中心的产业链图谱"), field="center")
    if center is None or center.kind != OrganizationKind.OPERATION_CENTER:  # e.g. an administrator of no center
        raise ApplicationError(_("产业链图谱属于运营中心"), field="center")
    node = ChainNode(center=center, name=name, position=position, keywords=keywords or [],
                     ipc_prefixes=[p.replace(" ", "").upper() for p in ipc_prefixes or []])
    validated_save(node)
    audit_record(actor=actor, action="create", obj=node, changes={"name": [None, name], "position": [None, position]})
    return node


def chain_nodes_for(*, center_id: int | None, text: str, ipc_codes: list[str]) -> list[ChainNode]:
    """The center's chain nodes a text/IPC set belongs to: a keyword in the text or an IPC prefix match."""
    if not center_id:
        return []
    hits = []
    for node in ChainNode.objects.filter(center_id=center_id):
        if any(k and k in text for k in node.keywords) or any(
                c.startswith(p) for p in node.ipc_prefixes for c in ipc_codes):
            hits.append(node)
    return hits


@transaction.atomic
def demand_tag_chain(*, actor: User | None, demand, suggested_ipc: list[str] | None = None) -> list[ChainNode]:
    """Tag a demand to its center's chain nodes automatically; manual corrections are kept."""
    text = f"{demand.title} {' '.join(demand.keywords)} {demand.description[:300]}"
    nodes = chain_nodes_for(center_id=demand.center_id, text=text, ipc_codes=suggested_ipc or [])
    kept = {t.node_id: t for t in DemandChainTag.objects.filter(demand=demand)}
    for node in nodes:
        if node.pk not in kept:
            DemandChainTag.objects.create(demand=demand, node=node)
    for node_id, tag in kept.items():
        if not tag.manual and not tag.excluded and node_id not in {n.pk for n in nodes}:
            tag.delete()
    return [t.node for t in DemandChainTag.objects.filter(demand=demand, excluded=False).select_related("node")]


# ---------------------------------------------------------------- matching one demand


def demand_understanding(demand) -> understanding.Understanding:
    """The demand's kind, need and weighted terms — with the staff's corrections when there are any."""
    saved = MatchQuery.objects.filter(demand=demand).first()
    return understanding.understand(demand, terms_text=saved.terms_text if saved else "",
                                    kind=saved.kind if saved and saved.kind_manual else "")


def demand_query(demand) -> str:
    """The need terms a demand is matched on, as one line (what the matches page shows and staff edit)."""
    return demand_understanding(demand).query


@transaction.atomic
def match_query_set(*, actor: User | None, demand, terms_text: str, kind: str = "") -> MatchQuery:
    """Center staff correct the terms (blank: back to the automatic ones) or the kind a demand is matched
    with; the next match uses them."""
    if actor is not None:
        require_role(actor, Role.CENTER_STAFF)
        if not actor.is_platform_admin and actor.organization_id != demand.center_id:
            raise PermissionDenied(_("只有受理该需求的运营中心可以修改匹配关键词"), field="terms_text")
    words = understanding.parse_terms(terms_text)
    if len(" ".join(words)) > 500:
        raise ApplicationError(_("匹配关键词过长（最多 500 字）"), field="terms_text")
    if kind and kind not in NeedKind.values:
        raise ApplicationError(_("请选择需求类型"), field="kind")
    record, _created = MatchQuery.objects.get_or_create(demand=demand)
    before = {"terms_text": record.terms_text, "kind": record.kind if record.kind_manual else ""}
    record.terms_text = " ".join(words)
    record.kind_manual = bool(kind)
    if kind:
        record.kind = kind
    record.edited_by = actor if actor and actor.pk else None
    record.edited_at = timezone.now()
    record.save()
    audit_record(actor=actor, action="update", obj=demand, changes={
        "match_terms": [before["terms_text"], record.terms_text], "match_kind": [before["kind"], kind]})
    return record


def current_weights(center_id: int | None) -> dict:
    model = RankingModel.objects.filter(center_id=center_id).first()
    return model.weights if model else ranking.fit([])


def _features(hit, summary: dict, listing: Listing | None, demand_ipc: set[str], demand_nodes: set[int],
              patent_nodes: set[int], top_score: float) -> dict:
    holder_types = {h["type"] for h in summary["holders"]}
    return {
        "retrieval": round(hit.score / top_score, 6) if top_score > 0 else 0.0,
        "ipc_shared": 1.0 if demand_ipc & set(summary["ipc_subclasses"]) else 0.0,
        "chain_node_shared": 1.0 if demand_nodes & patent_nodes else 0.0,
        "listed": 1.0 if listing else 0.0,
        "open_license": 1.0 if listing and listing.open_license else 0.0,
        "in_force": 1.0 if summary["legal_status"] == "valid" else 0.0,
        "pending": 1.0 if summary["legal_status"] == "pending" else 0.0,
        "remaining_life": min((summary["remaining_life_years"] or 0.0) / 20.0, 1.0),
        "holder_university_or_institute": 1.0 if holder_types & {"university", "research"} else 0.0,
    }


def _coverage(u: understanding.Understanding, indexes: list[int]) -> float:
    """Share of the weight of the demand's core terms (title, keywords or the staff's words:
    :attr:`~understanding.Understanding.core_terms`) found among the terms ``indexes``."""
    need = [k for k, t in enumerate(u.terms) if t.source in understanding.CORE_SOURCES]
    total = sum(u.terms[k].weight for k in need)
    return round(sum(u.terms[k].weight for k in set(indexes) if k in need) / total, 4) if total > 0 else 0.0


def _route(u: understanding.Understanding, actor: User | None) -> dict:
    """Who can answer a demand patents cannot: for a talent request the universities and institutes (and
    inventors) behind the patents closest to its field; for a purchase, the enterprises holding them
    (possible suppliers). Ranked by how many of those patents they hold, the closest counting most."""
    from ipoc.search import selectors as search_selectors

    page = search_selectors.search_weighted(user=actor, groups=u.groups(), text=u.dense_text, limit=ROUTE_PATENTS,
                                            snippets=False)
    hits = [h for h in page.hits if _coverage(u, h.matched_groups) >= ranking.POSSIBLE_AT] or page.hits[:20]
    summaries = patent_selectors.patent_summaries([h.patent_id for h in hits])
    wanted = {"university", "research"} if u.kind == understanding.TALENT else {"enterprise"}
    parties: dict[str, dict] = {}
    inventors: dict[str, dict] = {}
    for rank, hit in enumerate(hits, start=1):
        summary = summaries.get(hit.patent_id)
        if summary is None:
            continue
        patent = {"id": hit.patent_id, "title": summary["title"]}
        for holder in summary["holders"]:
            if holder["type"] not in wanted or not holder["name"]:
                continue
            entry = parties.setdefault(holder["name"], {"name": holder["name"], "type": holder["type"],
                                                        "organization_id": holder["organization_id"],
                                                        "score": 0.0, "patents": []})
            entry["score"] += 1.0 / rank
            if len(entry["patents"]) < 3:
                entry["patents"].append(patent)
        if u.kind == understanding.TALENT:
            for name in summary.get("inventors", []):
                entry = inventors.setdefault(name, {"name": name, "score": 0.0, "patents": []})
                entry["score"] += 1.0 / rank
                if len(entry["patents"]) < 3:
                    entry["patents"].append(patent)
    top = sorted(parties.values(), key=lambda e: (-e["score"], e["name"]))[:ROUTE_PARTIES]
    people = sorted(inventors.values(), key=lambda e: (-e["score"], e["name"]))[:ROUTE_PARTIES]
    for e in (*top, *people):
        e["score"] = round(e["score"], 4)
    return {"kind": u.kind, "parties": top, "inventors": people, "patents_read": len(hits)}


def _lock_query(record: MatchQuery) -> None:
    """Two matches of one demand at once (two staff pressing 匹配, or a batch meanwhile) replace the proposed
    rows one after the other: without the lock both deleted, both inserted, and the second hit the unique
    (demand, patent) constraint — a 500 seen under 50 users (bench/RESULTS.md, issue 21)."""
    MatchQuery.objects.select_for_update().filter(pk=record.pk).first()


def demand_match(*, actor: User | None, demand, limit: int = MATCHES_PER_DEMAND,
                 run: MatchRun | None = None) -> list[Match]:
    """Rank patents (有效或审中) for a demand and store the matches with explanations.

    The demand is understood first (:mod:`ipoc.matching.understanding`): a talent request or a purchase
    is routed to institutions, inventors or suppliers instead of patents (stored on its ``MatchQuery``;
    no patent matches). Otherwise the need's weighted terms (plus a little profile context) are searched,
    every candidate gets the share of the need it covers and a confidence band (较强/可能/较弱,
    :func:`ranking.band`), and the feedback reranker orders them: retrieval relevance and the explainable
    features (shared IPC and chain node, listing, legal status, remaining life, holder type).
    Decisions already made (confirmed or rejected) are kept; a rejected patent is never proposed again
    for the same demand.
    """

    if actor is not None:
        require(actor, CHANGE, demand)
    u = demand_understanding(demand)
    record, _created = MatchQuery.objects.get_or_create(demand=demand)
    record.kind = u.kind
    record.terms = [t.as_dict() for t in u.terms]
    record.need_text = u.need[:2000]
    record.matched_at = timezone.now()
    if u.kind in understanding.ROUTED_KINDS:
        record.routed = _route(u, actor)
        record.summary = {"routed": len(record.routed["parties"]) + len(record.routed["inventors"])}
        with transaction.atomic():
            _lock_query(record)
            Match.objects.filter(demand=demand, status=MatchStatus.PROPOSED).delete()
            record.save()
        return []
    record.routed = {}
    decided = dict(Match.objects.filter(demand=demand).exclude(status=MatchStatus.PROPOSED)
                   .values_list("patent_id", "status"))
    scored = score_candidates(actor=actor, demand=demand, u=u, rejected={p for p, st in decided.items()
                                                                         if st == MatchStatus.REJECTED})
    with transaction.atomic():
        _lock_query(record)
        Match.objects.filter(demand=demand, status=MatchStatus.PROPOSED).delete()
        keep = set(decided)
        out, rank = [], 0
        for value, hit, feats, explanation in scored:
            if hit.patent_id in keep:
                continue
            rank += 1
            if rank > limit:
                break
            out.append(Match(demand=demand, patent_id=hit.patent_id, run=run, rank=rank, score=round(value, 6),
                             retrieval_score=hit.score, features=feats, explanation=explanation))
        Match.objects.bulk_create(out)
        bands = [m.explanation["band"] for m in out]
        record.summary = {b: bands.count(b) for b in (STRONG, POSSIBLE, WEAK)}
        if not record.summary[STRONG]:  # nothing strong: whom to ask instead (universities, institutes)
            record.routed = {"kind": u.kind, "parties": _institutions(scored), "inventors": []}
        record.save()
    return out


def _institutions(scored: list[tuple[float, Any, dict, dict]]) -> list[dict]:
    """Universities and institutes holding the closest candidates (the closest counting most)."""
    out: dict[str, dict] = {}
    for rank, (_v, hit, _f, explanation) in enumerate(scored, start=1):
        for holder in explanation["holders"]:
            if holder["type"] in ("university", "research") and holder["name"]:
                entry = out.setdefault(holder["name"], {"name": holder["name"], "type": holder["type"],
                                                        "score": 0.0, "patents": []})
                entry["score"] += 1.0 / rank
                if len(entry["patents"]) < 3:
                    entry["patents"].append({"id": hit.patent_id, "title": explanation.get("title", "")})
    top = sorted(out.values(), key=lambda e: (-e["score"], e["name"]))[:ROUTE_PARTIES]
    for e in top:
        e["score"] = round(e["score"], 4)
    return top


def score_candidates(*, actor: User | None, demand, u: understanding.Understanding,
                     rejected: set[int] = frozenset()) -> list[tuple[float, Any, dict, dict]]:
    """Up to :data:`CANDIDATES` patents for an understood technology demand, best first:
    ``(reranker score, search hit, features, explanation)``. Nothing is stored (chain tags aside)."""
    from ipoc.search import selectors as search_selectors

    # Lapsed patents are excluded; patents whose legal status is unknown (many research data sets carry
    # none) stay in, ranked below known valid/pending ones by the in_force/pending features.
    page = search_selectors.search_weighted(user=actor, groups=u.groups(), text=u.dense_text, limit=CANDIDATES * 2,
                                            snippets=True)
    hits = [h for h in page.hits if h.patent_id not in rejected]
    summaries = patent_selectors.patent_summaries([h.patent_id for h in hits])
    hits = [h for h in hits if h.patent_id in summaries and summaries[h.patent_id]["legal_status"] != "lapsed"]
    hits = hits[:CANDIDATES]
    if not hits:
        return []
    ids = [h.patent_id for h in hits]
    listings = {}
    for listing in Listing.objects.filter(patent_id__in=ids, status=ListingStatus.ACTIVE).order_by("created_at"):
        listings[listing.patent_id] = listing
    try:
        suggested = [code for code, _s in search_selectors.suggest_ipc(text=u.need or u.query, top=3)]
        ipc_note = ""
    except ApplicationError as exc:  # no IPC model trained yet: explain without the IPC feature
        suggested, ipc_note = [], exc.message
    demand_ipc = set(suggested)
    demand_nodes = {n.pk for n in demand_tag_chain(actor=None, demand=demand, suggested_ipc=suggested)}
    weights = current_weights(demand.center_id)
    top = max(h.score for h in hits)
    terms = [t.as_dict() for t in u.terms]
    scored = []
    for hit in hits:
        summary = summaries.get(hit.patent_id)
        if summary is None:
            continue
        nodes = chain_nodes_for(center_id=demand.center_id, text=summary["title"], ipc_codes=summary["ipc_subclasses"])
        feats = _features(hit, summary, listings.get(hit.patent_id), demand_ipc, demand_nodes,
                          {n.pk for n in nodes}, top)
        coverage = _coverage(u, hit.matched_groups)
        feats["coverage"] = coverage  # what the confidence band reads (not a reranker feature)
        feats["title_coverage"] = _coverage(u, hit.title_groups)
        explanation = {
            "query": u.query,
            "kind": u.kind,
            "title": summary["title"],
            "terms": terms,
            "matched_terms": [u.terms[k].word for k in hit.matched_groups if u.terms[k].source != "profile"],
            "context_terms": [u.terms[k].word for k in hit.matched_groups if u.terms[k].source == "profile"],
            "coverage": coverage,
            "band": ranking.band(coverage),
            "snippets": hit.snippets,
            "shared_ipc": sorted(demand_ipc & set(summary["ipc_subclasses"])),
            "demand_ipc": suggested,
            "demand_ipc_note": ipc_note,
            "patent_ipc": summary["ipc_subclasses"],
            "chain_nodes": [str(n) for n in nodes if n.pk in demand_nodes],
            "holders": [{"name": h["name"], "type": h["type"]} for h in summary["holders"]],
            "legal_status": summary["legal_status_label"] or _("法律状态未知"),
            "remaining_life_years": summary["remaining_life_years"],
            "listed": bool(listings.get(hit.patent_id)),
            "listing": ({"modes": listings[hit.patent_id].modes,
                         "asking_price": str(listings[hit.patent_id].asking_price or ""),
                         "open_license": listings[hit.patent_id].open_license}
                        if hit.patent_id in listings else None),
            "weights": {k: round(weights.get(k, 0.0), 3) for k in (*ranking.FEATURES, "bias")},
        }
        scored.append((ranking.score(feats, weights), hit, feats, explanation))
    scored.sort(key=lambda t: (-t[0], t[1].patent_id))
    return scored


# ---------------------------------------------------------------- decisions, pushes, feedback


def _holder_users(patent_id: int) -> list[User]:
    summary = patent_selectors.patent_summaries([patent_id]).get(patent_id, {"holders": []})
    org_ids = [h["organization_id"] for h in summary["holders"] if h["organization_id"]]
    return list(User.objects.filter(organization_id__in=org_ids, is_active=True))


def _patent_words(summary: dict) -> str:
    """What a person calls a patent in a message: its number, else its title in 《》 (never an internal key)."""
    number = summary.get("number") or ""
    if number and not number.startswith("ext:"):
        return number
    title = (summary.get("title") or "").strip()
    return f"《{title[:30]}{'…' if len(title) > 30 else ''}》" if title else _("（无题名专利）")


@transaction.atomic
def match_decide(*, actor: User | None, match: Match, confirm: bool, reason: str = "") -> Match:
    """Staff confirm or reject a match with a reason. A confirmation is pushed (定向推送) to both
    sides; every decision retrains the center's reranker."""
    if actor is not None:
        require_role(actor, Role.CENTER_STAFF)
        if not actor.is_platform_admin and actor.organization_id != match.demand.center_id:
            raise PermissionDenied(_("只有受理该需求的运营中心可以确认或否决匹配"), field="match")
    if not confirm and not reason.strip():
        raise ApplicationError(_("否决匹配必须说明理由"), field="reason")
    previous = match.status
    match.status = MatchStatus.CONFIRMED if confirm else MatchStatus.REJECTED
    match.reason = reason
    match.decided_by = actor if actor and actor.pk else None
    match.decided_at = timezone.now()
    match.save(update_fields=["status", "reason", "decided_by", "decided_at"])
    audit_record(actor=actor, action="transition", obj=match, changes={"status": [previous, match.status]},
                 message=reason)
    if confirm:
        demand = demand_selectors.demand_by_id(match.demand_id)  # fresh: an earlier confirmation may have moved it
        patent = patent_selectors.patent_summaries([match.patent_id])[match.patent_id]
        patent["number"] = _patent_words(patent)
        demand_users = list(User.objects.filter(organization=demand.organization, is_active=True))
        notify(users=demand_users, kind="push", url=f"/matching/demands/{demand.pk}/",
               title=_("定向推送：专利 %(n)s 与您的需求“%(d)s”匹配") % {"n": patent["number"], "d": demand.title},
               body=_("运营中心推荐专利《%(t)s》（%(s)s）。理由：%(r)s") % {
                   "t": patent["title"], "s": patent["legal_status_label"] or _("法律状态未知"), "r": reason or "—"})
        notify(users=_holder_users(match.patent_id), kind="push", url=f"/patents/{patent['key']}/",
               title=_("定向推送：您的专利 %(n)s 有对接需求“%(d)s”") % {"n": patent["number"], "d": demand.title},
               body=_("需求方：%(o)s。理由：%(r)s") % {"o": demand.organization.name, "r": reason or "—"})
        if demand.status == demand_selectors.STATUS_PUBLISHED:
            from ipoc.demands.services import demand_transition

            demand_transition(actor=None, demand=demand, to_status=demand_selectors.STATUS_MATCHING,
                              reason=_("已确认匹配专利 %(n)s") % {"n": patent["number"]})
    ranking_train(center_id=match.demand.center_id)
    return match


def ranking_train(*, center_id: int | None) -> RankingModel:
    """Refit the center's reranker on all its decided matches."""
    decided = Match.objects.filter(demand__center_id=center_id).exclude(status=MatchStatus.PROPOSED)
    examples = [(m.features, 1 if m.status == MatchStatus.CONFIRMED else 0) for m in decided.only("features", "status")]
    return RankingModel.objects.create(center_id=center_id, weights=ranking.fit(examples), trained_on=len(examples))


# ---------------------------------------------------------------- batch


BATCH_CHUNK = 40  # demands per chunk of a batch matching split across workers


def _batch_demand_ids(run: MatchRun) -> list[int]:
    center = run.center
    return list(demand_selectors.open_demands(center_id=center.pk if center else None)
                .order_by("id").values_list("id", flat=True))


def _run_totals(run: MatchRun, *, demands: int, matches: int, seconds: float) -> dict:
    run.demands, run.matches, run.seconds = demands, matches, round(seconds, 3)
    run.save(update_fields=["demands", "matches", "seconds"])
    return {"run_id": run.pk, "demands": run.demands, "matches": run.matches, "seconds": run.seconds,
            "demands_per_second": round(run.demands / run.seconds, 2) if run.seconds else None,
            "report_url": f"/matching/runs/{run.pk}/"}


def match_batch_job(ctx: JobContext) -> dict:
    """Job ``matching.batch``: match every open demand of a center (resumable: demands done are skipped).
    Run whole here; on a networked queue :func:`match_batch_plan` splits it into chunks of demands instead."""
    run = MatchRun.objects.get(pk=ctx.params["run_id"])
    demands = _batch_demand_ids(run)
    done_until = int(ctx.checkpoint_data.get("last_demand_id", 0))
    ctx.set_total(len(demands))
    ctx.set_done(sum(1 for d in demands if d <= done_until))
    started = time.monotonic() - float(ctx.checkpoint_data.get("seconds", 0.0))
    total_matches = int(ctx.checkpoint_data.get("matches", 0))
    for demand_id in demands:
        if demand_id <= done_until:
            continue
        matches = demand_match(actor=None, demand=demand_selectors.demand_by_id(demand_id), run=run)
        total_matches += len(matches)
        ctx.advance()
        ctx.checkpoint({"last_demand_id": demand_id, "matches": total_matches,
                        "seconds": time.monotonic() - started})
    return _run_totals(run, demands=len(demands), matches=total_matches, seconds=time.monotonic() - started)


def match_batch_plan(ctx: JobContext) -> list[dict] | None:
    """``plan`` of the chunked ``matching.batch``: chunks of :data:`BATCH_CHUNK` demands that workers on any
    machine take in parallel — on a networked queue (``IPOC_QUEUE_URL``) with at least two chunks of work, or
    when ``params["chunk_demands"]`` asks. On the embedded queue the job runs whole (its worker threads share
    one process, so chunks would not run any faster)."""
    from ipoc.core import queue

    size = int(ctx.params.get("chunk_demands") or 0)
    if not size and queue.is_embedded():
        return None
    size = size or BATCH_CHUNK
    run = MatchRun.objects.get(pk=ctx.params["run_id"])
    demands = _batch_demand_ids(run)
    if len(demands) < 2 * size and not ctx.params.get("chunk_demands"):
        return None
    ctx.checkpoint({"started": time.time(), "demands": len(demands)})
    return [{"demand_ids": demands[a:a + size], "size": len(demands[a:a + size])}
            for a in range(0, len(demands), size)]


def match_batch_chunk(ctx: JobContext, params: dict, spec: dict) -> dict:
    """One chunk: match its demands (a demand closed or deleted meanwhile is skipped). Matching a demand
    replaces its proposed matches, so a chunk redone after a lost worker gives the same rows."""
    run = MatchRun.objects.get(pk=params["run_id"])
    matched = matches = 0
    for demand_id in spec["demand_ids"]:
        demand = demand_selectors.open_demands(center_id=run.center_id).filter(pk=demand_id).first()
        if demand is not None:
            matches += len(demand_match(actor=None, demand=demand, run=run))
            matched += 1
        ctx.advance()
    return {"demands": matched, "matches": matches}


def match_batch_finish(ctx: JobContext, results: list[dict]) -> dict:
    """``finish``: the run's totals from its chunks; its time is the job's wall time (all workers)."""
    run = MatchRun.objects.get(pk=ctx.params["run_id"])
    started = float(ctx.checkpoint_data.get("started") or time.time())
    return _run_totals(run, demands=sum(int(r.get("demands", 0)) for r in results),
                       matches=sum(int(r.get("matches", 0)) for r in results), seconds=time.time() - started)


@transaction.atomic  # a run refused by the job limits (429/409) leaves no empty MatchRun behind
def match_batch_start(*, actor: User | None, center: Organization | None) -> Any:
    if actor is not None:
        require_role(actor, Role.CENTER_STAFF)
        center = actor.organization if actor.role == Role.CENTER_STAFF else center
    run = MatchRun.objects.create(center=center, created_by=actor if actor and actor.pk else None)
    job = job_create(actor=actor, kind="matching.batch", title=_("批量匹配：%(c)s") % {"c": center or _("全部")},
                     params={"run_id": run.pk}, organization=center)
    run.job = job
    run.save(update_fields=["job"])
    return job


def match_batch(*, actor: User | None, center: Organization | None, progress_bar: bool = False) -> MatchRun:
    job = match_batch_start(actor=actor, center=center)
    job_run(job, progress_bar=progress_bar, via="cli" if progress_bar else "job")
    return MatchRun.objects.get(pk=job.params["run_id"])


@transaction.atomic
def demand_chain_tag_set(*, actor: User | None, demand, node: ChainNode, include: bool) -> DemandChainTag:
    """Correct a demand's automatic chain tagging: staff include or exclude a node (kept across re-tagging)."""
    if actor is not None:
        require_role(actor, Role.CENTER_STAFF)
        if not actor.is_platform_admin and actor.organization_id != demand.center_id:
            raise PermissionDenied(_("只有受理该需求的运营中心可以修改产业链标注"), field="node")
    if node.center_id != demand.center_id:
        raise ApplicationError(_("该节点不属于受理该需求的运营中心的产业链图谱"), field="node")
    tag, _created = DemandChainTag.objects.get_or_create(demand=demand, node=node)
    tag.manual, tag.excluded = include, not include
    tag.save(update_fields=["manual", "excluded"])
    audit_record(actor=actor, action="update", obj=demand,
                 changes={"chain_node": [None, f"{'+' if include else '-'}{node}"]})
    return tag
