"""Reads of the risk app, restricted to what the user may see, and the cross-app reads it offers
(``checks_for_product``, ``supplier_results_for_product``)."""

from __future__ import annotations

from collections import defaultdict

from django.apps import apps
from django.db.models import Count, F, Q, QuerySet
from django.urls import reverse
from django.utils.translation import gettext as _

from ipoc.core.errors import NotFound
from ipoc.core.models import OrganizationKind, Role, User
from ipoc.core.permissions import VIEW, restrict
from ipoc.risk.models import (
    Candidate,
    CheckStatus,
    LitigationCase,
    RiskAlert,
    RiskCheck,
    RiskReport,
    SupplyReview,
)

PATENT_FIELDS = ("id", "key", "publication_number", "grant_number", "application_number", "title", "abstract",
                 "claims", "jurisdiction", "kind_code", "patent_type", "legal_status", "application_date",
                 "grant_date", "expiry_date", "lapse_date", "priority_claims", "family_members",
                 "backward_citations", "ipc_main")


def _patent_model():
    return apps.get_model("patents", "Patent")


def patent_rows(ids) -> dict[int, dict]:
    """What the check needs of each patent (number, text, claims, status, dates, family, citations)."""
    wanted = sorted({int(i) for i in ids or ()})
    out: dict[int, dict] = {}
    for a in range(0, len(wanted), 2000):
        for row in _patent_model().objects.filter(pk__in=wanted[a:a + 2000]).values(*PATENT_FIELDS):
            # what a person calls it: a number, else its title (never the store's internal key)
            row["has_number"] = bool(row["publication_number"] or row["grant_number"] or row["application_number"])
            row["number"] = (row["publication_number"] or row["grant_number"] or row["application_number"]
                             or (row["title"] or "")[:30])
            out[row["id"]] = row
    return out


def patent_ids_by_numbers(numbers: list[str]) -> list[int]:
    """Patents in the store with one of these publication, grant or application numbers."""
    clean = sorted({str(n).replace(" ", "").upper() for n in numbers if str(n).strip()})[:500]
    if not clean:
        return []
    return list(_patent_model().objects.filter(
        Q(publication_number__in=clean) | Q(grant_number__in=clean) | Q(application_number__in=clean)
    ).values_list("pk", flat=True))


def patent_holder_names(ids) -> dict[int, list[str]]:
    party = apps.get_model("patents", "PatentParty")
    out: dict[int, list[str]] = defaultdict(list)
    for pid, name in party.objects.filter(patent_id__in=list(ids), role__in=("applicant", "holder")).order_by(
            "patent_id", "role", "position").values_list("patent_id", "name"):
        if name not in out[pid]:
            out[pid].append(name)
    return out


# ---------------------------------------------------------------- checks


def check_list(*, user: User, q: str = "", status: str = "", risk: str = "", requester: int | None = None,
               center: int | None = None) -> QuerySet[RiskCheck]:
    qs = restrict(RiskCheck.objects.select_related("requester", "center"), user, VIEW)
    if q:
        qs = qs.filter(Q(title__icontains=q) | Q(product_name__icontains=q))
    if status:
        qs = qs.filter(status=status)
    if risk:
        qs = qs.filter(risk=risk)
    if requester:
        qs = qs.filter(requester=requester)
    if center:
        qs = qs.filter(center=center)
    return qs


def check_get(*, user: User | None, pk: int) -> RiskCheck:
    qs = RiskCheck.objects.select_related("requester", "center", "created_by")
    if user is not None:
        qs = restrict(qs, user, VIEW)
    check = qs.filter(pk=pk).first()
    if check is None:
        raise NotFound(_("风险预警 %(pk)s 不存在或无权查看") % {"pk": pk}, field="check")
    return check


def candidate_get(*, check: RiskCheck, pk: int) -> Candidate:
    cand = check.candidates.select_related("patent").filter(pk=pk).first()
    if cand is None:
        raise NotFound(_("候选专利 %(pk)s 不存在") % {"pk": pk}, field="candidate")
    return cand


def candidates_view(check: RiskCheck) -> dict:
    """Candidates grouped by family: kept (in force or pending in a chosen market), excluded with reasons,
    removed by staff."""
    cands = list(check.candidates.select_related("patent", "found_in").prefetch_related("elements"))
    groups: dict[str, list[Candidate]] = defaultdict(list)
    excluded, removed = [], []
    for c in cands:
        if c.removed:
            removed.append(c)
        elif c.in_scope:
            groups[c.family_key or str(c.patent_id)].append(c)
        else:
            excluded.append(c)
    families = sorted(groups.values(), key=lambda g: min(c.rank for c in g))
    return {"families": families, "excluded": excluded, "removed": removed,
            "kept_count": sum(len(g) for g in families)}


def report_latest(check: RiskCheck) -> RiskReport | None:
    return check.reports.order_by("-version").first()


def report_get(*, user: User, pk: int) -> RiskReport:
    report = restrict(RiskReport.objects.all(), user, VIEW).filter(pk=pk).first()
    if report is None:
        raise NotFound(_("报告 %(pk)s 不存在或无权查看") % {"pk": pk}, field="report")
    return report


def alert_list(*, user: User) -> QuerySet[RiskAlert]:
    return restrict(RiskAlert.objects.select_related("check_obj", "patent", "center"), user, VIEW)


# ---------------------------------------------------------------- industry exposure


def exposure(*, user: User, center_id: int | None = None, min_members: int = 2) -> list[dict]:
    """Patents that several members' checks hit (kept, not removed, rated medium or high or not yet rated):
    for joint licensing, a pooled invalidation or 维权援助."""
    checks = restrict(RiskCheck.objects.all(), user, VIEW)
    if center_id:
        checks = checks.filter(center=center_id)
    rows = (Candidate.objects.filter(check_obj__in=checks, removed=False, in_scope=True)
            .exclude(risk="low").values("patent_id")
            .annotate(members=Count("check_obj__requester", distinct=True), checks=Count("check_obj", distinct=True))
            .filter(members__gte=min_members).order_by("-members", "-checks")[:200])
    rows = list(rows)
    info = patent_rows([r["patent_id"] for r in rows])
    holders = patent_holder_names([r["patent_id"] for r in rows])
    detail = defaultdict(list)
    for c in Candidate.objects.filter(check_obj__in=checks, patent_id__in=[r["patent_id"] for r in rows],
                                      removed=False).select_related("check_obj__requester"):
        detail[c.patent_id].append({"check": c.check_obj, "requester": c.check_obj.requester, "risk": c.risk,
                                    "risk_label": c.get_risk_display()})
    out = []
    for r in rows:
        p = info.get(r["patent_id"])
        if p is None:
            continue
        out.append({"patent": p, "holders": holders.get(r["patent_id"], []), "members": r["members"],
                    "checks": detail[r["patent_id"]]})
    return out


# ---------------------------------------------------------------- supply chain


def review_list(*, user: User) -> QuerySet[SupplyReview]:
    return restrict(SupplyReview.objects.select_related("requester", "center"), user, VIEW).annotate(
        line_count=Count("lines"))


def review_get(*, user: User | None, pk: int) -> SupplyReview:
    qs = SupplyReview.objects.select_related("requester", "center")
    if user is not None:
        qs = restrict(qs, user, VIEW)
    review = qs.filter(pk=pk).first()
    if review is None:
        raise NotFound(_("供应链合规排查 %(pk)s 不存在或无权查看") % {"pk": pk}, field="review")
    return review


def litigation_list(*, user: User, q: str = "") -> QuerySet[LitigationCase]:
    qs = restrict(LitigationCase.objects.select_related("center"), user, VIEW)
    if q:
        qs = qs.filter(Q(case_number__icontains=q) | Q(parties__icontains=q) | Q(products__icontains=q)
                       | Q(patents__icontains=q))
    return qs


def litigation_for_name(name: str) -> list[LitigationCase]:
    """Watch-list cases naming an organisation among their parties."""
    if not (name or "").strip():
        return []
    return list(LitigationCase.objects.filter(parties__icontains=name.strip())[:50])


def _optional(module: str, fn: str, *args, default=None):
    """A read from another app that may not be written yet (the licensing and pools helpers): an empty
    answer when the function is missing or fails."""
    import importlib
    import logging

    try:
        mod = importlib.import_module(module)
    except ImportError:
        return default
    func = getattr(mod, fn, None)
    if func is None:
        return default
    try:
        return func(*args)
    except Exception:
        logging.getLogger(__name__).exception("%s.%s failed", module, fn)
        return default


def requester_products(org_id: int) -> list[dict]:
    """The organisation's products in the industrialization module (empty while that module has none)."""
    return _optional("ipoc.industrialization.selectors", "products_for_organization", org_id, default=[]) or []


def product_features(product_id: int) -> list[str]:
    return _optional("ipoc.industrialization.selectors", "product_features", product_id, default=[]) or []


def licence_options(patent_ids: list[int]) -> dict[int, dict]:
    """Per patent: pools that license it and its open-licence / pledge status on the platform."""
    pools = _optional("ipoc.pools.selectors", "pools_for_patents", list(patent_ids), default={}) or {}
    out = {}
    for pid in patent_ids:
        status = _optional("ipoc.licensing.selectors", "patent_licensing_status", pid, default=None) or {}
        out[pid] = {"pools": pools.get(pid, []) or [], "open_licence": status.get("open_licence"),
                    "pledges": status.get("pledges") or []}
    return out


def supplier_facts(org_id: int | None, name: str) -> dict:
    """What the platform knows of a supplier: its patents, licences and pledges, pool licences, cases."""
    from ipoc.core.models import Organization

    org = Organization.objects.filter(pk=org_id).first() if org_id else None
    if org is None and name:
        org = Organization.objects.filter(name=name.strip()).first()
    patents = 0
    licences, pledges, pools = [], [], []
    if org is not None:
        from ipoc.patents import selectors as patent_selectors

        patents = patent_selectors.patents_held_by(user=None, organization=org).count()
        licences = _optional("ipoc.licensing.selectors", "organization_licences", org.pk, default=[]) or []
        pledges = _optional("ipoc.licensing.selectors", "organization_pledges", org.pk, default=[]) or []
        pools = _optional("ipoc.pools.selectors", "licensee_pools", org.pk, default=[]) or []
    cases = litigation_for_name(org.name if org else name)
    return {"organization": org, "patents": patents, "licences": list(licences), "pledges": list(pledges),
            "pools": list(pools), "cases": cases}


def supplier_score(facts: dict, terms: dict | None) -> dict:
    """A risk score per supplier, 0 (none) … 100 (severe), with the reasons that make it up."""
    from ipoc.risk.rules import CONTRACT_TERMS

    score = 50
    reasons = []
    open_cases = [c for c in facts["cases"] if c.status == "open"]
    if open_cases:
        score += 25
        reasons.append(_("涉及进行中的诉讼/337 案件 %(n)d 件") % {"n": len(open_cases)})
    elif facts["cases"]:
        score += 10
        reasons.append(_("曾涉及诉讼/337 案件 %(n)d 件") % {"n": len(facts["cases"])})
    if facts["patents"]:
        score -= 10
        reasons.append(_("在库专利 %(n)d 件") % {"n": facts["patents"]})
    if facts["licences"]:
        score -= 15
        reasons.append(_("平台登记的许可 %(n)d 项") % {"n": len(facts["licences"])})
    if facts["pledges"]:
        score -= 10
        reasons.append(_("专利开源承诺 %(n)d 项") % {"n": len(facts["pledges"])})
    if facts["pools"]:
        score -= 15
        reasons.append(_("持有专利池许可 %(n)d 项") % {"n": len(facts["pools"])})
    terms = terms or {}
    ok = [code for code, _label in CONTRACT_TERMS if (terms.get(code) or {}).get("ok")]
    if ok:
        score -= 4 * len(ok)
        reasons.append(_("合同条款已核查 %(n)d/%(t)d 项") % {"n": len(ok), "t": len(CONTRACT_TERMS)})
    else:
        reasons.append(_("合同知识产权条款未核查"))
    score = max(0, min(100, score))
    level = "high" if score >= 60 else "medium" if score >= 35 else "low"
    return {"score": score, "level": level, "reasons": reasons}


def review_suppliers(review: SupplyReview) -> list[dict]:
    """Each supplier of the review with its components, facts, terms and score."""
    terms = {t.supplier_name: t for t in review.terms.all()}
    by_supplier: dict[str, dict] = {}
    for line in review.lines.select_related("supplier", "risk_check"):
        entry = by_supplier.setdefault(line.supplier_name, {"name": line.supplier_name,
                                                            "supplier_id": line.supplier_id, "lines": []})
        entry["lines"].append(line)
    out = []
    for name, entry in by_supplier.items():
        facts = supplier_facts(entry["supplier_id"], name)
        t = terms.get(name)
        entry.update(facts=facts, terms=t, score=supplier_score(facts, t.checks if t else None))
        out.append(entry)
    return sorted(out, key=lambda e: -e["score"]["score"])


def reviews_with_org_as_supplier(org_id: int) -> list[int]:
    return sorted(set(SupplyReview.objects.filter(lines__supplier=org_id).values_list("pk", flat=True)))


# ---------------------------------------------------------------- cross-app reads (CONTRACTS.md)


def checks_for_product(product_id: int) -> list[dict]:
    """Risk checks of an industrialization product: {"id","title","status","risk","url"}."""
    return [{"id": c.pk, "title": c.title, "status": c.get_status_display(), "risk": c.get_risk_display(),
             "url": reverse("risk_check_detail", args=[c.pk])}
            for c in RiskCheck.objects.filter(product_id=product_id)]


def supplier_results_for_product(product_id: int) -> list[dict]:
    """Supplier scores of reviews whose components were checked for this product."""
    ids = [c["id"] for c in checks_for_product(product_id)]
    if not ids:
        return []
    out = []
    for review in SupplyReview.objects.filter(lines__risk_check__in=ids).distinct():
        for s in review_suppliers(review):
            out.append({"review_id": review.pk, "supplier": s["name"], "score": s["score"]["score"],
                        "level": s["score"]["level"], "url": reverse("risk_review_detail", args=[review.pk])})
    return out


# ---------------------------------------------------------------- KPI reads


def center_checks_in_year(center_id: int, year: int) -> list[tuple[str, int]]:
    """Checks finished and supply reviews created by the center in the year, as (model, id) references."""
    refs = [("risk.riskcheck", pk) for pk in RiskCheck.objects.filter(
        center=center_id, finished_at__year=year).values_list("pk", flat=True)]
    refs += [("risk.supplyreview", pk) for pk in SupplyReview.objects.filter(
        center=center_id, created_at__year=year).values_list("pk", flat=True)]
    return sorted(refs)


def center_reports_in_year(center_id: int, year: int) -> list[int]:
    return sorted(RiskReport.objects.filter(check_obj__center=center_id, published_at__year=year)
                  .values_list("pk", flat=True))


def center_alerts_in_year(center_id: int, year: int) -> list[int]:
    return sorted(RiskAlert.objects.filter(Q(check_obj__center=center_id) | Q(center=center_id),
                                           created_at__year=year).values_list("pk", flat=True))


def center_members_served(center_id: int, year: int) -> dict[str, list[int]]:
    """Organisations the center served in the year (a check finished or a supply review made for them), and
    those of them that are SMEs — for a "members and SMEs served" figure once the centers app names a code."""
    from ipoc.core.models import Organization

    ids = set(RiskCheck.objects.filter(center=center_id, finished_at__year=year).values_list("requester", flat=True))
    ids |= set(SupplyReview.objects.filter(center=center_id, created_at__year=year).values_list("requester", flat=True))
    smes = set(Organization.objects.filter(pk__in=ids, is_sme=True).values_list("pk", flat=True))
    return {"members": sorted(ids), "smes": sorted(smes)}


# ---------------------------------------------------------------- whom a center serves

REQUESTER_KINDS = (OrganizationKind.ENTERPRISE, OrganizationKind.UNIVERSITY, OrganizationKind.RESEARCH_INSTITUTE)


def _system_reader() -> User:
    """An unsaved administrator, to read other apps' records through their selectors the same way for everyone."""
    return User(username="system", role=Role.PLATFORM_ADMIN, is_superuser=True)


def asked_center_before(center_id: int, organization_id: int) -> bool:
    """The organisation itself (one of its users) asked the center for a check or a supply review before."""
    return (RiskCheck.objects.filter(center_id=center_id, requester_id=organization_id,
                                     created_by__organization_id=organization_id).exists()
            or SupplyReview.objects.filter(center_id=center_id, requester_id=organization_id,
                                           created_by__organization_id=organization_id).exists())


def center_serves_requester(center_id: int, organization_id: int) -> bool:
    """Whether center staff may name the organisation as the requester of a check or review: the center serves it
    (``deals.selectors.center_serves``: a party of a deal it brokers, the requester of a demand it handles), or the
    organisation itself asked this center for a check or review before."""
    from ipoc.deals.selectors import center_serves

    return center_serves(center_id, organization_id) or asked_center_before(center_id, organization_id)


def requesters_for(user: User | None) -> QuerySet:
    """The organisations ``user`` may name as requester (the picker of the check and review forms): all enterprises
    and institutions for administrators; for center staff those their center serves, by the same records as
    ``center_serves_requester``; otherwise the user's own organisation."""
    from ipoc.core import selectors as core_selectors
    from ipoc.core.models import Organization
    from ipoc.deals import selectors as deal_selectors
    from ipoc.demands import selectors as demand_selectors

    if user is None or not user.is_authenticated:
        return Organization.objects.none()
    qs = core_selectors.organization_list(user=user).filter(kind__in=REQUESTER_KINDS)
    if user.is_platform_admin:
        return qs
    if user.role != Role.CENTER_STAFF or not user.organization_id:
        return qs.filter(pk=user.organization_id or 0)
    center = user.organization_id
    deals = deal_selectors.deal_list(user=_system_reader(), center=center)
    demands = demand_selectors.demand_list(user=_system_reader(), center=center)
    asked_checks = RiskCheck.objects.filter(center_id=center, created_by__organization_id=F("requester_id"))
    asked_reviews = SupplyReview.objects.filter(center_id=center, created_by__organization_id=F("requester_id"))
    return qs.filter(Q(pk__in=deals.values("sellers")) | Q(pk__in=deals.values("buyers"))
                     | Q(pk__in=demands.values("organization_id")) | Q(pk__in=asked_checks.values("requester_id"))
                     | Q(pk__in=asked_reviews.values("requester_id")))


def open_checks_for_center(user: User) -> QuerySet[RiskCheck]:
    qs = restrict(RiskCheck.objects.select_related("requester"), user, VIEW)
    if user.role == Role.CENTER_STAFF:
        qs = qs.filter(center=user.organization_id)
    return qs.exclude(status=CheckStatus.FINISHED)
