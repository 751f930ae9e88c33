"""Pushes of a published declaration to enterprises whose demands fit (大手拉小手: SMEs first)."""

from __future__ import annotations

from django.db import transaction
from django.urls import reverse
from django.utils.translation import gettext as _

from ipoc.core.models import OrganizationKind
from ipoc.core.services import notify
from ipoc.licensing import rules
from ipoc.licensing.models import (
    DeclarationPush,
    DeclarationStatus,
    OpenLicenceDeclaration,
)
from ipoc.licensing.services.declarations import _users_of
from ipoc.licensing.services.licences import _fee_text

# ---------------------------------------------------------------- pushes (大手拉小手: SMEs first)


def _words(text: str) -> set[str]:
    import rjieba

    return {w for w in rjieba.cut(text or "") if len(w) >= 2 and not w.isdigit()} - STOPWORDS


STOPWORDS = {"一种", "方法", "系统", "装置", "及其", "制备", "应用", "基于", "用于", "技术", "需求", "我们", "企业",
             "公司", "产品", "需要", "进行", "研发", "合作", "相关", "以及", "实现", "提高", "具有", "提供", "解决",
             "问题", "能够", "通过", "包括", "一个", "使用", "可以", "采用", "本发明", "实用新型", "公开"}


def push_candidates(declaration: OpenLicenceDeclaration, *, limit: int | None = None) -> list[dict]:
    """Open demands whose words meet the patent's (title, abstract, field; the demand's keywords, title and
    description), SMEs first, then by how many words meet: {"demand", "organization", "score", "is_sme",
    "explanation"}; one per enterprise."""
    from ipoc.demands import selectors as demand_selectors

    patent = declaration.patent
    patent_words = _words(f"{patent.title} {patent.abstract[:2000]} {declaration.field}")
    best: dict[int, dict] = {}
    for demand in demand_selectors.open_demands(center_id=None):
        org = demand.organization
        if org is None or org.pk == declaration.patentee_id or org.kind != OrganizationKind.ENTERPRISE:
            continue
        keywords = {str(k) for k in (demand.keywords or []) if str(k)}
        demand_words = _words(f"{demand.title} {demand.description[:2000]}") | keywords
        common = sorted(demand_words & patent_words, key=lambda w: (-len(w), w))
        common = [w for w in common if not any(w != o and w in o for o in common)]  # 学习 within 深度学习
        kw_hits = sorted(k for k in keywords if k in patent.title or k in patent.abstract or k in declaration.field)
        if not common and not kw_hits:
            continue
        score = len(common) + 2 * len(kw_hits)
        is_sme = bool(org.is_sme)
        words = "、".join((kw_hits + [w for w in common if w not in kw_hits])[:6])
        explanation = _("需求“%(d)s”与专利 %(p)s 的共同技术词：%(w)s；开放许可，%(f)s") % {
            "d": demand.title, "p": patent.number, "w": words, "f": _fee_text(declaration)}
        if is_sme:
            explanation += _("；需求方为中小企业，优先推送（大手拉小手）")
        row = {"demand": demand, "organization": org, "score": float(score), "is_sme": is_sme,
               "explanation": explanation}
        if org.pk not in best or best[org.pk]["score"] < score:
            best[org.pk] = row
    rows = sorted(best.values(), key=lambda r: (not r["is_sme"], -r["score"], r["organization"].name))
    return rows[: (limit or int(rules.PUSH_LIMIT.value))]


@transaction.atomic
def declaration_push(*, declaration: OpenLicenceDeclaration) -> list[DeclarationPush]:
    """Push a published declaration to the enterprises whose open demands fit (once each), and tell them."""
    if declaration.status != DeclarationStatus.PUBLISHED:
        return []
    made = []
    url = reverse("licensing_public_detail", args=[declaration.pk])
    for row in push_candidates(declaration):
        push, created = DeclarationPush.objects.get_or_create(
            declaration=declaration, organization=row["organization"],
            defaults={"demand": row["demand"], "score": row["score"], "is_sme": row["is_sme"],
                      "explanation": row["explanation"]})
        if created:
            made.append(push)
            notify(users=_users_of([row["organization"].pk]),
                   title=_("开放许可专利推荐：%(t)s") % {"t": declaration.patent.title[:60]},
                   body=row["explanation"], url=url, kind="licensing")
    return made
