"""分层推广: which enterprises to push a stock patent to.

``find_enterprises`` is the one entry point (a retrieval engine will replace the scoring behind
it). It gathers candidates from three sources and explains every candidate:

* enterprise patent portfolios — enterprises whose patents share an IPC 小类 with the stock
  patent, or whose titles/abstracts contain its key terms (``ipoc.patents.selectors``);
* enterprise demands — published enterprise 技术需求 whose title, description or keywords
  share terms with the stock patent (``ipoc.demands.selectors``);
* enterprise profiles — the organisation's 简介/经营范围 containing the terms.

Terms are rjieba tokens of the stock patent's title and abstract (two characters or more,
without boilerplate such as 一种/方法/装置). Score =
3 × shared IPC 小类 + 1 × terms matched in patents + 2 × terms matched in demands
+ 2 per matching demand + 1 × terms matched in the profile.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field
from functools import reduce
from operator import or_

from django.db.models import Q

from ipoc.core.models import Organization, OrganizationKind, User
from ipoc.demands import selectors as demand_selectors
from ipoc.patents import selectors as patent_selectors

STOPWORDS = {
    "一种", "方法", "装置", "系统", "设备", "及其", "用于", "基于", "包括", "所述", "实用新型", "本发明", "发明",
    "进行", "通过", "以及", "其中", "提供", "一个", "能够", "可以", "具有", "使用", "实现", "问题", "目前",
    "技术", "领域", "解决", "本实", "新型", "相关", "结构", "组件", "部件", "模块", "单元", "连接", "设置",
    "采用", "所以", "从而", "同时", "并且", "或者", "不能", "没有", "一端", "另一端", "上述", "该", "其",
    "以上", "之间", "由于", "方便", "快捷", "实际", "过程", "步骤", "用途", "有效", "提高", "降低",
}
TERM_LIMIT = 25  # stock patent terms kept (most frequent first)
QUERY_TERMS = 6  # terms searched in titles/abstracts and profiles
PORTFOLIO_LIMIT = 400  # patents read per IPC 小类 or term
W_IPC, W_PATENT_TERM, W_DEMAND_TERM, W_DEMAND, W_PROFILE_TERM = 3, 1, 2, 2, 1
DEMAND_STATUSES = ("published", "matching")
_WORD = re.compile(r"^[\w\u4e00-\u9fff]+$")


def terms(text: str) -> list[str]:
    """Key terms of a text, most frequent first (rjieba tokens, boilerplate removed)."""
    import rjieba

    counts: dict[str, int] = defaultdict(int)
    for token in rjieba.cut(text or ""):
        token = token.strip()
        if len(token) < 2 or token in STOPWORDS or token.isdigit() or not _WORD.match(token):
            continue
        counts[token] += 1
    return [t for t, _ in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))]


def _subclasses(patent) -> set[str]:
    codes = {c.code for c in patent.classifications.all() if c.scheme == "ipc"}
    if patent.ipc_main:
        codes.add(patent.ipc_main)
    return {c.replace(" ", "")[:4].upper() for c in codes if len(c.replace(" ", "")) >= 4}


@dataclass
class Candidate:
    organization: Organization
    shared_ipc: set[str] = field(default_factory=set)
    patent_terms: set[str] = field(default_factory=set)
    patents: list[str] = field(default_factory=list)
    demands: list[dict] = field(default_factory=list)
    profile_terms: set[str] = field(default_factory=set)

    @property
    def score(self) -> int:
        demand_terms = {t for d in self.demands for t in d["terms"]}
        return (W_IPC * len(self.shared_ipc) + W_PATENT_TERM * len(self.patent_terms)
                + W_DEMAND_TERM * len(demand_terms) + W_DEMAND * len(self.demands)
                + W_PROFILE_TERM * len(self.profile_terms))

    def as_dict(self) -> dict:
        parts = []
        if self.shared_ipc:
            parts.append("共享IPC小类 " + "、".join(sorted(self.shared_ipc)))
        if self.patent_terms:
            parts.append("专利术语 " + "、".join(sorted(self.patent_terms)[:8]))
        for d in self.demands[:3]:
            parts.append(f"匹配需求《{d['title']}》（{'、'.join(d['terms'][:5])}）")
        if self.profile_terms:
            parts.append("经营范围含 " + "、".join(sorted(self.profile_terms)[:8]))
        return {
            "organization_id": self.organization.pk, "name": self.organization.name, "score": self.score,
            "shared_ipc": sorted(self.shared_ipc),
            "matched_terms": sorted(self.patent_terms | self.profile_terms
                                    | {t for d in self.demands for t in d["terms"]}),
            "patents": self.patents[:5], "demands": self.demands[:5], "profile_terms": sorted(self.profile_terms),
            "reason": "；".join(parts),
        }


def find_enterprises(*, user: User, stock, limit: int = 10) -> list[dict]:
    """Ranked enterprises to push ``stock`` (a StockPatent) to, each with the reason."""
    patent = stock.patent
    own_subclasses = _subclasses(patent)
    own_terms = terms(f"{patent.title} {patent.abstract}")[:TERM_LIMIT]
    term_set = set(own_terms)
    candidates: dict[int, Candidate] = {}

    def candidate(org: Organization) -> Candidate:
        return candidates.setdefault(org.pk, Candidate(org))

    # 1. enterprise portfolios: same IPC 小类, or key terms in title/abstract
    queries = [patent_selectors.PatentFilters(ipc=s) for s in sorted(own_subclasses)]
    queries += [patent_selectors.PatentFilters(q=t) for t in own_terms[:QUERY_TERMS]]
    seen: set[int] = {patent.pk}
    portfolio = []
    for filters in queries:
        qs = patent_selectors.patent_list(user=user, filters=filters).exclude(pk__in=seen)
        batch = list(patent_selectors.with_parties(qs).prefetch_related("classifications")[:PORTFOLIO_LIMIT])
        seen.update(p.pk for p in batch)
        portfolio.extend(batch)
    org_ids = {party.organization_id for p in portfolio for party in p.parties.all() if party.organization_id}
    enterprises = {o.pk: o for o in Organization.objects.filter(pk__in=org_ids, kind=OrganizationKind.ENTERPRISE)
                   .exclude(pk=stock.institution_id)}
    for p in portfolio:
        owners = {party.organization_id for party in p.parties.all()} & enterprises.keys()
        if not owners:
            continue
        shared = own_subclasses & _subclasses(p)
        matched = term_set & set(terms(f"{p.title} {p.abstract}"))
        if not shared and not matched:
            continue
        for org_id in owners:
            c = candidate(enterprises[org_id])
            c.shared_ipc |= shared
            c.patent_terms |= matched
            if p.number not in c.patents:
                c.patents.append(p.number)

    # 2. enterprise demands
    for demand in demand_selectors.demand_list(user=user, kind="enterprise").filter(status__in=DEMAND_STATUSES):
        if demand.organization.kind != OrganizationKind.ENTERPRISE or demand.organization_id == stock.institution_id:
            continue
        text = " ".join([demand.title, demand.description, demand.industry, " ".join(demand.keywords or [])])
        demand_terms = set(terms(text)) | set(demand.keywords or [])
        matched = [t for t in own_terms if t in demand_terms]
        if matched:
            candidate(demand.organization).demands.append({"id": demand.pk, "title": demand.title, "terms": matched})

    # 3. enterprise profiles (经营范围)
    query_terms = own_terms[:QUERY_TERMS]
    if query_terms:
        profiled = (Organization.objects.filter(kind=OrganizationKind.ENTERPRISE).exclude(profile="")
                    .exclude(pk=stock.institution_id)
                    .filter(reduce(or_, (Q(profile__icontains=t) for t in query_terms))))
        for org in profiled[:PORTFOLIO_LIMIT]:
            matched = {t for t in own_terms if t in org.profile}
            if matched:
                candidate(org).profile_terms |= matched

    ranked = sorted(candidates.values(), key=lambda c: (-c.score, c.organization.name))
    return [c.as_dict() for c in ranked[:limit] if c.score > 0]
