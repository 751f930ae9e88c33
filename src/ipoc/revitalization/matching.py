"""分层推广: which enterprises to push a stock patent to, found through the retrieval engine.

``find_enterprises`` is the one entry point. It reads the platform's search engine only through
``ipoc.search.selectors`` (hybrid BM25 + dense search, more-like-this, the engine's tokenizer) and
explains every candidate by its evidence:

* **own patents** (enterprise profile, 1): the engine's similar patents of the stock patent
  (its vector when encoded, and its key terms) fused (reciprocal rank) with a search of the stock
  patent's title and abstract among enterprise-filed patents. Each hit's holders that are
  enterprises collect it; an enterprise's patent evidence is its best ``TOP_EVIDENCE`` hits,
  each worth ``rel(rank) = 10 / (9 + rank)`` (1 for the best hit, 0.5 for the 11th).
* **demands** (2): open enterprise 技术需求 (``ipoc.demands.selectors``). Their text (title,
  keywords and a description that states a need, ``ipoc.matching.services.demand_query``) and the
  stock patent's are cut with the engine's tokenizer; demands sharing terms are then checked the
  way the platform matches demands to patents: the demand's own engine search — does it retrieve
  the stock patent, and at which rank? A demand is worth ``0.25 × min(shared terms, 4)`` plus
  ``rel(rank)`` when its search retrieves the patent within ``DEMAND_DEPTH``.
* **business scope** (enterprise profile, 3): the organisation's 简介/经营范围 cut the same way;
  worth ``min(shared terms, 5) / 5``.

score = W_PATENTS × patent evidence + W_DEMANDS × demand evidence (best ``TOP_EVIDENCE``)
        + W_PROFILE × profile evidence + W_IPC × min(shared IPC 小类, 2)
A stated need weighs most (W_DEMANDS = 1.5), own patents 1, the business scope 0.5 and every
shared IPC 小类 of the enterprise's retrieved patents 0.25. The stock patent's own institution and
non-enterprises are never candidates.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from ipoc.core.errors import NotFound
from ipoc.core.models import Organization, OrganizationKind, User
from ipoc.demands import selectors as demand_selectors
from ipoc.matching import services as matching_services
from ipoc.patents import selectors as patent_selectors
from ipoc.search import selectors as search_selectors

# boilerplate the engine's tokenizer keeps but that says nothing about a technology
STOPWORDS = {
    "一种", "方法", "装置", "系统", "设备", "及其", "用于", "基于", "包括", "所述", "实用新型", "本发明", "发明",
    "进行", "通过", "以及", "其中", "提供", "一个", "能够", "可以", "具有", "使用", "实现", "问题", "目前",
    "技术", "领域", "解决", "本实", "新型", "相关", "结构", "组件", "部件", "模块", "单元", "连接", "设置",
    "采用", "所以", "从而", "同时", "并且", "或者", "不能", "没有", "一端", "另一端", "上述", "以上", "之间",
    "由于", "方便", "快捷", "实际", "过程", "步骤", "用途", "有效", "提高", "降低", "需求", "寻求", "公开",
    "公司", "企业", "产品", "研发", "生产", "合作", "有限", "有限公司", "开发", "服务", "销售", "项目",
}
PATENT_DEPTH = 60  # hits read from each engine list (similar patents; enterprise-filed search)
DEMAND_CHECK = 15  # term-sharing demands whose own search is run
DEMAND_DEPTH = 50  # how deep a demand's search may retrieve the stock patent
PROFILE_LIMIT = 400  # enterprise profiles read
TOP_EVIDENCE = 3
QUERY_CHARS = 200  # of the abstract, in the stock patent's search query
W_PATENTS, W_DEMANDS, W_PROFILE, W_IPC = 1.0, 1.5, 0.5, 0.25
_QUOTES = re.compile(r"[\"“”「」『』'‘’]")


def rel(rank: int) -> float:
    """Worth of a hit at 1-based ``rank``: 1 at rank 1, 0.5 at rank 11."""
    return 10.0 / (9.0 + rank)


def terms(text: str) -> list[str]:
    """Key terms of a text as the search engine cuts it (its tokenizer and stop words), boilerplate and
    single characters removed, in order of first appearance."""
    return [t for t in search_selectors.query_terms(_QUOTES.sub(" ", text or ""))
            if len(t) >= 2 and t not in STOPWORDS and not t.isdigit()]


def readable(matched) -> list[str]:
    """Matched terms for people: longest first, without the fragments of a longer one (无人/人机 ⊂ 无人机)."""
    out: list[str] = []
    for t in sorted(set(matched), key=lambda t: (-len(t), t)):
        if not any(t in longer for longer in out):
            out.append(t)
    return out


@dataclass
class Candidate:
    organization: Organization
    patents: list[dict] = field(default_factory=list)  # {id, number, title, rank, source, matched_terms, ipc}
    demands: list[dict] = field(default_factory=list)  # {id, title, terms, rank, score}
    profile_terms: list[str] = field(default_factory=list)
    shared_ipc: set[str] = field(default_factory=set)

    @property
    def patent_score(self) -> float:
        return sum(sorted((rel(p["rank"]) for p in self.patents), reverse=True)[:TOP_EVIDENCE])

    @property
    def demand_score(self) -> float:
        return sum(sorted((d["score"] for d in self.demands), reverse=True)[:TOP_EVIDENCE])

    @property
    def profile_score(self) -> float:
        return min(len(self.profile_terms), 5) / 5

    @property
    def score(self) -> float:
        return (W_PATENTS * self.patent_score + W_DEMANDS * self.demand_score + W_PROFILE * self.profile_score
                + W_IPC * min(len(self.shared_ipc), 2))

    def as_dict(self) -> dict:
        patents = sorted(self.patents, key=lambda p: p["rank"])
        demands = sorted(self.demands, key=lambda d: -d["score"])
        parts = []
        for d in demands[:TOP_EVIDENCE]:
            found = (_("其检索将本专利排第 %(r)d 位") % {"r": d["rank"]}) if d["rank"] else _("其检索未命中本专利")
            parts.append(_("需求《%(t)s》（共同术语：%(w)s；%(f)s）")
                         % {"t": d["title"], "w": "、".join(d["terms"][:5]) or "—", "f": found})
        if patents:
            listed = "、".join(f"{_display_number(p)}（{_('第 %(r)d 位') % {'r': p['rank']}}）"
                               for p in patents[:TOP_EVIDENCE])
            parts.append(_("自有专利与本专利相似：%(p)s") % {"p": listed})
        if self.shared_ipc:
            parts.append(_("共享IPC小类 %(c)s") % {"c": "、".join(sorted(self.shared_ipc))})
        if self.profile_terms:
            parts.append(_("经营范围含 %(t)s") % {"t": "、".join(self.profile_terms[:8])})
        matched = readable({t for p in patents for t in p["matched_terms"]}
                           | {t for d in demands for t in d["terms"]} | set(self.profile_terms))
        return {
            "organization_id": self.organization.pk, "name": self.organization.name,
            "score": round(self.score, 3),
            "evidence": {"patents": round(W_PATENTS * self.patent_score, 3),
                         "demands": round(W_DEMANDS * self.demand_score, 3),
                         "profile": round(W_PROFILE * self.profile_score, 3),
                         "ipc": round(W_IPC * min(len(self.shared_ipc), 2), 3)},
            "shared_ipc": sorted(self.shared_ipc), "matched_terms": matched,
            "patents": [p["number"] for p in patents[:5]],
            "patent_hits": [{**p, "label": _display_number(p)} for p in patents[:5]],
            "demands": demands[:5], "profile_terms": self.profile_terms,
            "reason": "；".join(parts),
        }


def _display_number(hit: dict) -> str:
    """A patent of the evidence as a person names it: its number, else its title (never a store key)."""
    number = hit.get("number") or ""
    if number and not number.startswith("ext:"):
        return number
    title = (hit.get("title") or "").strip()
    return "《" + (title[:24] + "…" if len(title) > 25 else title) + "》"


def _rrf(lists: list[list[int]], k: int = 60) -> list[int]:
    scores: dict[int, float] = {}
    for ids in lists:
        for r, pid in enumerate(ids):
            scores[pid] = scores.get(pid, 0.0) + 1.0 / (k + r + 1)
    return sorted(scores, key=lambda pid: (-scores[pid], pid))


def _patent_evidence(*, user: User | None, stock, own_ipc: set[str], enterprise) -> None:
    """Own patents: the engine's similar patents fused with an enterprise-filed search of the stock text."""
    patent = stock.patent
    query = _QUOTES.sub(" ", f"{patent.title} {patent.abstract[:QUERY_CHARS]}")
    matched: dict[int, list[str]] = {}
    similar: list[int] = []
    try:
        for h in search_selectors.similar_patents(user=user, patent_id=patent.pk, limit=PATENT_DEPTH):
            similar.append(h.patent_id)
            matched.setdefault(h.patent_id, h.matched_terms)
    except NotFound:  # not (yet) in the index: the text search alone
        pass
    page = search_selectors.search_patents(user=user, q=query, filters={"applicant_type": "enterprise"},
                                           limit=PATENT_DEPTH, snippets=False)
    for h in page.hits:
        matched[h.patent_id] = list(dict.fromkeys([*matched.get(h.patent_id, []), *h.matched_terms]))
    fused = [pid for pid in _rrf([similar, [h.patent_id for h in page.hits]]) if pid != patent.pk]
    summaries = patent_selectors.patent_summaries(fused)
    stock_terms = set(terms(f"{patent.title} {patent.abstract}"))
    for rank, pid in enumerate(fused, start=1):
        summary = summaries.get(pid)
        if summary is None:
            continue
        owners = {h["organization_id"] for h in summary["holders"] if h["organization_id"]}
        if stock.institution_id in owners:
            continue
        ipc = set(summary["ipc_subclasses"])
        for org_id in owners:
            c = enterprise(org_id)
            if c is None:
                continue
            c.patents.append({"id": pid, "number": summary["number"], "title": summary["title"], "rank": rank,
                              "matched_terms": readable(t for t in matched.get(pid, []) if t in stock_terms)
                              or readable(t for t in matched.get(pid, []) if len(t) >= 2),
                              "ipc": sorted(ipc)})
            c.shared_ipc |= own_ipc & ipc


def _demand_evidence(*, user: User | None, stock, stock_terms: list[str], enterprise) -> None:
    """Open enterprise demands sharing terms with the stock patent, verified by their own engine search."""
    if user is None:
        demands = demand_selectors.open_demands(center_id=None)
    else:
        demands = demand_selectors.demand_list(user=user).filter(status__in=demand_selectors.OPEN_STATUSES)
    demands = [d for d in demands.filter(organization__kind=OrganizationKind.ENTERPRISE)
               .exclude(organization_id=stock.institution_id).order_by("pk")]
    if not demands:
        return
    wanted = set(stock_terms)
    cut = {d.pk: set(terms(matching_services.demand_query(d))) | {k for k in d.keywords or [] if len(k) >= 2}
           for d in demands}
    df: dict[str, int] = {}
    for words in cut.values():
        for t in words & wanted:
            df[t] = df.get(t, 0) + 1
    n = len(demands)
    sharing = []
    for d in demands:
        shared = cut[d.pk] & wanted
        if shared:
            weight = sum(math.log(1 + n / df[t]) for t in shared)
            sharing.append((weight, d, shared))
    sharing.sort(key=lambda x: (-x[0], x[1].pk))
    for _weight, d, shared in sharing[:DEMAND_CHECK]:
        c = enterprise(d.organization_id)
        if c is None:
            continue
        page = search_selectors.search_patents(user=user, q=matching_services.demand_query(d), limit=DEMAND_DEPTH,
                                               snippets=False)
        rank = next((r for r, h in enumerate(page.hits, start=1) if h.patent_id == stock.patent_id), None)
        shown = readable(shared)
        score = 0.25 * min(len(shown), 4) + (rel(rank) if rank else 0.0)
        c.demands.append({"id": d.pk, "title": d.title, "terms": shown, "rank": rank, "score": round(score, 3)})


def _profile_evidence(*, stock, stock_terms: list[str], enterprise) -> None:
    """The organisation's 简介/经营范围, cut with the engine's tokenizer."""
    wanted = set(stock_terms)
    readable_terms = readable(wanted)
    if not readable_terms:
        return
    from functools import reduce
    from operator import or_

    from django.db.models import Q

    profiled = (Organization.objects.filter(kind=OrganizationKind.ENTERPRISE).exclude(profile="")
                .exclude(pk=stock.institution_id)
                .filter(reduce(or_, (Q(profile__icontains=t) for t in readable_terms[:12]))).order_by("pk"))
    for org in profiled[:PROFILE_LIMIT]:
        shared = readable(set(terms(org.profile)) & wanted)
        if shared:
            c = enterprise(org.pk, org)
            if c is not None:
                c.profile_terms = shared


def find_enterprises(*, user: User | None, stock, limit: int = 10) -> list[dict]:
    """Ranked enterprises to push ``stock`` (a StockPatent) to, each with its evidence and the reason."""
    patent = stock.patent
    summary = patent_selectors.patent_summaries([patent.pk]).get(patent.pk, {})
    own_ipc = set(summary.get("ipc_subclasses", ()))
    stock_terms = terms(f"{patent.title} {patent.abstract}")
    candidates: dict[int, Candidate] = {}
    refused: set[int] = {stock.institution_id}

    def enterprise(org_id: int, org: Organization | None = None) -> Candidate | None:
        if org_id in refused:
            return None
        if org_id not in candidates:
            org = org or Organization.objects.filter(pk=org_id).first()
            if org is None or org.kind != OrganizationKind.ENTERPRISE:
                refused.add(org_id)
                return None
            candidates[org_id] = Candidate(org)
        return candidates[org_id]

    _patent_evidence(user=user, stock=stock, own_ipc=own_ipc, enterprise=enterprise)
    _demand_evidence(user=user, stock=stock, stock_terms=stock_terms, enterprise=enterprise)
    _profile_evidence(stock=stock, stock_terms=stock_terms, enterprise=enterprise)
    ranked = sorted(candidates.values(), key=lambda c: (-c.score, c.organization.name))
    return [c.as_dict() for c in ranked[:limit] if c.score > 0]
