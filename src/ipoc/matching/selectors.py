"""Reads for 转化对接: a demand's matches, runs, listings, and demands/enterprises for a patent."""

from __future__ import annotations

from django.db.models import QuerySet

from ipoc.core.errors import NotFound
from ipoc.core.models import User
from ipoc.core.permissions import VIEW, restrict
from ipoc.demands import selectors as demand_selectors
from ipoc.matching.models import ChainNode, Listing, Match, MatchQuery, MatchRun, MatchStatus
from ipoc.patents import selectors as patent_selectors


def demand_matches(*, user: User, demand_id: int) -> QuerySet[Match]:
    demand_selectors.demand_get(user=user, pk=demand_id)  # refuses what the user may not see
    return restrict(Match.objects.filter(demand_id=demand_id), user, VIEW).select_related("patent", "decided_by")


def match_get(*, user: User, pk: int) -> Match:
    match = restrict(Match.objects.select_related("demand", "patent"), user, VIEW).filter(pk=pk).first()
    if match is None:
        raise NotFound(f"匹配 {pk} 不存在或无权查看", field="match")
    return match


def run_get(*, user: User, pk: int) -> MatchRun:
    run = restrict(MatchRun.objects.all(), user, VIEW).filter(pk=pk).first()
    if run is None:
        raise NotFound(f"批量匹配 {pk} 不存在或无权查看", field="run")
    return run


def run_matches(run: MatchRun) -> QuerySet[Match]:
    return Match.objects.filter(run=run).select_related("demand", "patent").order_by("demand_id", "rank")


def listing_list(*, user: User, patent_id: int | None = None) -> QuerySet[Listing]:
    qs = restrict(Listing.objects.select_related("patent", "holder"), user, VIEW)
    return qs.filter(patent_id=patent_id) if patent_id else qs


def chain_nodes(*, user: User, center_id: int) -> QuerySet[ChainNode]:
    return restrict(ChainNode.objects.filter(center_id=center_id), user, VIEW)


def patent_demands(*, user: User, patent_id: int, limit: int = 10) -> list[dict]:
    """Open demands ranked for a patent (BM25 over demand texts with the engine's tokenizer), and the
    organisations behind them: 'for each patent or listing, ranked demands and enterprises'."""
    from ipoc.search import selectors as search_selectors

    summary = patent_selectors.patent_summaries([patent_id]).get(patent_id)
    if summary is None:
        raise NotFound(f"专利 {patent_id} 不存在", field="patent")
    patent = patent_selectors.patent_get(user=user, key_or_number=patent_id)
    demands = list(demand_selectors.demand_list(user=user).filter(status__in=demand_selectors.OPEN_STATUSES))
    if not demands:
        return []
    ranked = search_selectors.rank_texts(f"{patent.title} {patent.abstract[:400]}",
                                         [f"{d.title} {d.title} {' '.join(d.keywords)}" for d in demands])
    order = sorted(range(len(demands)), key=lambda i: (-ranked[i][0], demands[i].pk))[:limit]
    return [{"demand_id": demands[i].pk, "title": demands[i].title, "score": round(ranked[i][0], 4),
             "organization": demands[i].organization.name, "organization_id": demands[i].organization_id,
             "matched_terms": ranked[i][1][:12]} for i in order if ranked[i][0] > 0]


def demand_chain_tags(*, demand_id: int):
    from ipoc.matching.models import DemandChainTag

    return DemandChainTag.objects.filter(demand_id=demand_id).select_related("node")


def demand_match_counts(*, user: User, demand_id: int) -> dict[str, int]:
    """How many matches of a demand the user may see, by status (待确认/已确认/已否决) and in total."""
    from django.db.models import Count

    rows = (restrict(Match.objects.filter(demand_id=demand_id), user, VIEW).order_by()
            .values_list("status").annotate(n=Count("id")))
    counts = {s: 0 for s in MatchStatus.values}
    counts.update(dict(rows))
    counts["total"] = sum(counts.values())
    return counts


def match_status_counts(*, user: User, demand_ids) -> dict[str, int]:
    """How many matches of these demands (ids or a subquery) the user may see, by status."""
    from django.db.models import Count

    rows = (restrict(Match.objects.filter(demand_id__in=demand_ids), user, VIEW).order_by()
            .values_list("status").annotate(n=Count("id")))
    counts = {s: 0 for s in MatchStatus.values}
    counts.update(dict(rows))
    return counts


def run_list(*, user: User) -> QuerySet[MatchRun]:
    return restrict(MatchRun.objects.select_related("job", "created_by"), user, VIEW).order_by("-created_at", "-id")


def matches_for_patent(*, user: User, patent_id: int) -> QuerySet[Match]:
    """The demands a patent was matched to, that the user may see (for the patent's page)."""
    return (restrict(Match.objects.filter(patent_id=patent_id), user, VIEW).select_related("demand")
            .order_by("-created_at", "-id"))


def listings_for_patent(*, user: User, patent_id: int) -> QuerySet[Listing]:
    """The patent's listings (挂牌) the user may see (for the patent's page)."""
    return listing_list(user=user, patent_id=patent_id).order_by("-created_at", "-id")


def centers_with_chain(*, user: User) -> list[tuple[int, str]]:
    """The centers whose 产业链图谱 the user may see and that have one: (id, name), by name."""
    rows = (restrict(ChainNode.objects.all(), user, VIEW).order_by("center__name")
            .values_list("center_id", "center__name").distinct())
    return list(dict.fromkeys(rows))


def demand_match_query(*, demand_id: int) -> MatchQuery | None:
    """What the demand's last match used (kind, weighted terms, routing) and the staff's corrections."""
    return MatchQuery.objects.filter(demand_id=demand_id).select_related("edited_by").first()
