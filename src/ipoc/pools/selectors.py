"""Reads for 重点领域专利池: pools as a user may see them, the public pages, engine inputs built from the
patent store (country, legal status, grant, lapse and expiry dates), statements and allocations.

Cross-app reads (CONTRACTS.md): ``pool_patent_ids``, ``pools_for_patents``, ``licensee_pools``.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from decimal import Decimal

from django.apps import apps
from django.db.models import Q, QuerySet
from django.urls import reverse

from ipoc.core.errors import NotFound
from ipoc.core.models import User
from ipoc.core.permissions import VIEW, restrict
from ipoc.patents import lifecycle
from ipoc.pools import engine
from ipoc.pools.models import (
    Agreement,
    AgreementStatus,
    Allocation,
    Evaluation,
    EvaluatorAssignment,
    ListingStatus,
    Pool,
    PoolPatent,
    PoolStatus,
    RateCard,
    Report,
    ReportStatus,
    Statement,
)

# ---------------------------------------------------------------- cross-app (CONTRACTS.md)


def pool_patent_ids() -> set[int]:
    """Patents listed (已入池) in any pool that is not closed."""
    return set(PoolPatent.objects.filter(status=ListingStatus.LISTED).exclude(pool__status=PoolStatus.CLOSED)
               .values_list("patent_id", flat=True))


def pools_for_patents(patent_ids) -> dict[int, list[dict]]:
    """{patent id: [{"id", "name", "url"}]} for the pools listing each of ``patent_ids``."""
    out: dict[int, list[dict]] = {}
    rows = (PoolPatent.objects.filter(patent_id__in=list(patent_ids or ()), status=ListingStatus.LISTED)
            .exclude(pool__status=PoolStatus.CLOSED).values_list("patent_id", "pool_id", "pool__name")
            .order_by("pool_id"))
    for pid, pool_id, name in rows:
        out.setdefault(pid, []).append({"id": pool_id, "name": name,
                                        "url": reverse("pool_public", args=[pool_id])})
    return out


def licensee_pools(org_id: int) -> list[dict]:
    """Pools whose licence the organisation holds (a signed agreement)."""
    rows = (Agreement.objects.filter(licensee_id=org_id, status=AgreementStatus.SIGNED)
            .values_list("pool_id", "pool__name", "programme__name", "signed_on").order_by("pool_id"))
    return [{"id": p, "name": n, "programme": prog, "signed_on": s, "url": reverse("pool_detail", args=[p])}
            for p, n, prog, s in rows]


# ---------------------------------------------------------------- pools


def pool_list(*, user: User | None, q: str = "", status: str = "") -> QuerySet[Pool]:
    qs = restrict(Pool.objects.all(), user, VIEW) if user is not None else Pool.objects.all()
    if q:
        qs = qs.filter(Q(name__icontains=q) | Q(domain__icontains=q))
    if status:
        qs = qs.filter(status=status)
    return qs.select_related("administrator").distinct()


def pool_counts(ids) -> dict[int, dict]:
    """{pool id: {"licensors", "patents" (listed), "licensees" (signed)}} in three queries."""
    from django.db.models import Count

    out: dict[int, dict] = {i: {"licensors": 0, "patents": 0, "licensees": 0} for i in ids}
    for key, qs in (("licensors", apps.get_model("pools", "Licensor").objects.filter(pool_id__in=ids)),
                    ("patents", PoolPatent.objects.filter(pool_id__in=ids, status=ListingStatus.LISTED)),
                    ("licensees", Agreement.objects.filter(pool_id__in=ids, status=AgreementStatus.SIGNED))):
        for pool_id, n in qs.values("pool_id").annotate(n=Count("pk")).values_list("pool_id", "n"):
            out[pool_id][key] = n
    return out


def public_pool_list() -> QuerySet[Pool]:
    return Pool.objects.filter(status=PoolStatus.ACTIVE).select_related("administrator")


def pool_get(*, user: User | None, pk: int) -> Pool:
    qs = pool_list(user=user) if user is not None else Pool.objects.all()
    pool = qs.filter(pk=pk).first()
    if pool is None:
        raise NotFound(f"专利池不存在或无权查看：{pk}", field="pool")
    return pool


def public_pool_get(pk: int) -> Pool:
    pool = public_pool_list().filter(pk=pk).first()
    if pool is None:
        raise NotFound(f"专利池不存在或未公开：{pk}", field="pool")
    return pool


def role_in_pool(user: User | None, pool: Pool) -> dict:
    """What the user is in this pool: administrator, licensor, licensee (flags)."""
    if user is None:
        return {"admin": True, "licensor": None, "licensee": []}
    if not user.is_authenticated:
        return {"admin": False, "licensor": None, "licensee": []}
    org = user.organization_id
    admin = user.is_platform_admin or (org is not None and org == pool.administrator_id
                                       and user.role == "center_staff")
    licensor = pool.licensors.filter(organization_id=org).first() if org else None
    licensee = list(pool.agreements.filter(licensee_id=org)) if org else []
    return {"admin": admin, "licensor": licensor, "licensee": licensee}


# ---------------------------------------------------------------- patent lives (from the patent store)


def _patent_rows(patent_ids) -> dict[int, dict]:
    Patent = apps.get_model("patents", "Patent")
    rows = Patent.objects.filter(pk__in=list(patent_ids)).values(
        "id", "key", "publication_number", "grant_number", "title", "jurisdiction", "legal_status",
        "grant_date", "lapse_date", "expiry_date", "application_date", "patent_type", "transfer_count",
        "last_transfer_date", "priority_claims", "family_members")
    out = {}
    for r in rows:
        r["number"] = r["publication_number"] or r["grant_number"] or r["key"]
        r["country"] = (r["jurisdiction"] or (r["number"][:2] if r["number"][:2].isalpha() else "")).upper()
        out[r["id"]] = r
    return out


STATUS_TO_CN = {"valid": lifecycle.ACTIVE, "pending": lifecycle.PENDING, "lapsed": lifecycle.LAPSED}


def life_interval(row: dict) -> dict:
    """The days a patent is in force, as the patent store's ``in_force_on`` judges them (lifecycle.in_force):
    from the grant date to the day before the lapse date or to the expiry date; never for a pending
    application or a lapsed patent without a lapse or grant date."""
    status = lifecycle.normalize_legal_status(STATUS_TO_CN.get(row["legal_status"], row["legal_status"]))
    grant, lapse, expiry = row["grant_date"], row["lapse_date"], row["expiry_date"]
    never = status not in (lifecycle.ACTIVE, lifecycle.LAPSED) or (
        status == lifecycle.LAPSED and (lapse is None or grant is None))
    end_candidates = [(expiry, engine.EXPIRED)] if expiry else []
    if lapse:
        end_candidates.append((lapse - dt.timedelta(days=1), engine.LAPSED))
    to, end = min(end_candidates, key=lambda c: c[0]) if end_candidates else (None, engine.EXPIRED)
    return {"in_force_from": grant, "in_force_to": to, "never": never, "end": end}


def pool_lives(pool: Pool, *, extra_patent_ids=(), extra_licensor_id: int | None = None) -> list[engine.PatentLife]:
    """The pool's listed (and formerly listed) patents as the engine sees them; ``extra_patent_ids`` are
    hypothetical additions (the simulator) attributed to ``extra_licensor_id``."""
    listings = list(pool.patents.filter(status__in=(ListingStatus.LISTED, ListingStatus.WITHDRAWN)).values(
        "id", "patent_id", "licensor_id", "family", "withdrawn_on", "status"))
    extra = [pid for pid in extra_patent_ids if pid not in {x["patent_id"] for x in listings}]
    rows = _patent_rows([x["patent_id"] for x in listings] + extra)
    lives = []
    for x in listings:
        r = rows.get(x["patent_id"])
        if r is None:
            continue
        lives.append(engine.PatentLife(x["id"], r["number"], r["country"], x["licensor_id"],
                                       family=x["family"], listed_to=x["withdrawn_on"], **life_interval(r)))
    for n, pid in enumerate(extra):
        r = rows.get(pid)
        if r is not None and extra_licensor_id is not None:
            lives.append(engine.PatentLife(-(n + 1), r["number"], r["country"], extra_licensor_id,
                                           **life_interval(r)))
    return lives


def patent_list_rows(pool: Pool, *, on_date: dt.date | None = None, public: bool = False) -> list[dict]:
    """The patent list by family and country: number, title, country, expiry, in force (computed), licensor,
    sections, status."""
    on_date = on_date or dt.date.today()
    qs = pool.patents.select_related("licensor__organization").prefetch_related("sections__version__standard")
    if public:
        qs = qs.filter(status=ListingStatus.LISTED)
    listings = list(qs)
    rows = _patent_rows([x.patent_id for x in listings])
    out = []
    for x in listings:
        r = rows.get(x.patent_id)
        if r is None:
            continue
        life = engine.PatentLife(x.pk, r["number"], r["country"], x.licensor_id, family=x.family,
                                 listed_to=x.withdrawn_on, **life_interval(r))
        state = life.state_on(on_date)
        out.append({"listing": x, "id": x.pk, "patent_id": x.patent_id, "number": r["number"], "title": r["title"],
                    "country": r["country"], "family": life.family_key, "expiry_date": r["expiry_date"],
                    "lapse_date": r["lapse_date"], "in_force": state == engine.IN_FORCE,
                    "state": state, "state_label": "有效" if state == engine.IN_FORCE else engine.STATE_WORDS[state],
                    "licensor": x.licensor.organization.name, "licensor_id": x.licensor_id,
                    "sections": [f"{s.version.standard.code} §{s.number}" for s in x.sections.all()],
                    "status": x.status, "status_label": x.get_status_display()})
    out.sort(key=lambda d: (d["family"], d["country"], d["number"]))
    return out


# ---------------------------------------------------------------- rate cards


def rate_card_terms(programme_id: int) -> list[engine.RateCardTerms]:
    cards = (RateCard.objects.filter(programme_id=programme_id)
             .prefetch_related("rates", "discounts", "early_birds"))
    out = []
    for c in cards:
        out.append(engine.RateCardTerms(
            c.pk, c.version, c.effective_from,
            rates={r.category_id: r.per_unit for r in c.rates.all()},
            caps={r.category_id: r.annual_cap for r in c.rates.all()},
            discounts=tuple(engine.DiscountTerms(d.group, frozenset(x.upper() for x in d.countries), d.percent)
                            for d in c.discounts.all()),
            early_birds=tuple(engine.EarlyBirdTerms(b.category_id, b.per_unit, b.signed_from, b.signed_to,
                                                    b.sales_until) for b in c.early_birds.all()),
            back_surcharge_percent=c.back_royalty_surcharge_percent))
    return out


def rate_card_current(programme, on_date: dt.date | None = None) -> RateCard | None:
    on_date = on_date or dt.date.today()
    return (programme.rate_cards.filter(effective_from__lte=on_date).order_by("-effective_from").first()
            or programme.rate_cards.order_by("effective_from").first())


def agreement_terms(agreement: Agreement) -> engine.AgreementTerms:
    return engine.AgreementTerms(signed_on=agreement.signed_on if agreement.status == AgreementStatus.SIGNED
                                 else None, back_royalty_from=agreement.back_royalty_from,
                                 countries=frozenset(c.upper() for c in agreement.countries or ()))


def report_sale_lines(report: Report) -> list[engine.SaleLine]:
    return [engine.SaleLine(ln.pk, ln.category_id, ln.country_made, ln.country_sold, ln.sale_date, ln.units,
                            ln.category.name) for ln in report.lines.select_related("category")]


def prior_charged(report: Report) -> dict[tuple[int, int], Decimal]:
    """What the agreement's other current statements charged per (category, sale year) for the years this report
    touches — counted first against the annual cap."""
    years = set(report.lines.values_list("sale_date__year", flat=True))
    out: dict[tuple[int, int], Decimal] = defaultdict(lambda: Decimal("0"))
    StatementLine = apps.get_model("pools", "StatementLine")
    rows = (StatementLine.objects.filter(statement__is_current=True,
                                         statement__report__agreement=report.agreement,
                                         report_line__sale_date__year__in=years)
            .exclude(statement__report=report)
            .filter(statement__report__period_end__lte=report.period_end)
            .values_list("report_line__category_id", "report_line__sale_date__year", "amount"))
    for cat, year, amount in rows:
        out[(cat, year)] += amount
    return dict(out)


# ---------------------------------------------------------------- statements, reports, allocations


def report_list(*, user: User | None, pool: Pool) -> QuerySet[Report]:
    qs = Report.objects.filter(agreement__pool=pool)
    if user is not None:
        qs = restrict(qs, user, VIEW)
    return qs.select_related("agreement__licensee").prefetch_related("flags")


def report_get(*, user: User | None, pk: int) -> Report:
    qs = Report.objects.all() if user is None else restrict(Report.objects.all(), user, VIEW)
    report = qs.select_related("agreement__pool", "agreement__licensee", "agreement__programme").filter(pk=pk).first()
    if report is None:
        raise NotFound(f"许可报告不存在或无权查看：{pk}", field="report")
    return report


def statement_current(report: Report) -> Statement | None:
    return report.statements.filter(is_current=True).first()


def statement_for_period(*, user: User | None, pool: Pool, period: str) -> list[Statement]:
    reports = report_list(user=user, pool=pool).filter(period=period)
    return list(Statement.objects.filter(report__in=reports, is_current=True)
                .select_related("report__agreement__licensee").order_by("report__agreement__licensee__name"))


def statement_dict(statement: Statement) -> dict:
    report = statement.report
    lines = list(statement.lines.select_related("report_line__category"))
    listing_numbers = _listing_numbers({pid for ln in lines for pid, _c in ln.coverage})
    return {
        "id": statement.pk, "report": report.pk, "period": report.period,
        "licensee": report.agreement.licensee.name, "pool": report.agreement.pool.name,
        "total": str(statement.total), "back_royalties": str(statement.back_royalties),
        "paid_on": statement.paid_on, "steps": statement.steps,
        "lines": [{
            "id": ln.pk, "report_line": ln.report_line_id, "category": ln.report_line.category.name,
            "country_made": ln.report_line.country_made, "country_sold": ln.report_line.country_sold,
            "sale_date": ln.report_line.sale_date, "units": ln.report_line.units, "owes": ln.owes,
            "back_royalty": ln.back_royalty, "rate": str(ln.rate), "rate_basis": ln.rate_basis,
            "gross": str(ln.gross), "discount": str(ln.discount), "surcharge": str(ln.surcharge),
            "cap_reduction": str(ln.cap_reduction), "amount": str(ln.amount), "reason": ln.reason,
            "patents": [listing_numbers.get(pid, str(pid)) + f"（{c}）" for pid, c in ln.coverage]}
            for ln in lines],
    }


def _listing_numbers(listing_ids) -> dict[int, str]:
    pairs = dict(PoolPatent.objects.filter(pk__in=list(listing_ids)).values_list("pk", "patent_id"))
    rows = _patent_rows(pairs.values())
    return {lid: rows[pid]["number"] for lid, pid in pairs.items() if pid in rows}


def allocation_current(pool: Pool, year: int) -> Allocation | None:
    return pool.allocations.filter(year=year, is_current=True).first()


def allocation_dict(allocation: Allocation, *, licensor_id: int | None = None) -> dict:
    shares = allocation.shares.select_related("licensor__organization")
    if licensor_id is not None:
        shares = shares.filter(licensor_id=licensor_id)
    numbers = _listing_numbers({pid for s in shares for t in s.trace for pid in t.get("patents", ())})
    StatementLine = apps.get_model("pools", "StatementLine")
    line_ids = {t["statement_line"] for s in shares for t in s.trace if "statement_line" in t}
    lines = {ln.pk: ln for ln in StatementLine.objects.filter(pk__in=line_ids).select_related(
        "report_line__category", "statement__report__agreement__licensee")}

    def where(t: dict) -> dict:
        ln = lines.get(t.get("statement_line"))
        if ln is None:
            return {}
        rl, report = ln.report_line, ln.statement.report
        return {"period": report.period, "licensee": report.agreement.licensee.name, "category": rl.category.name,
                "country_made": rl.country_made, "country_sold": rl.country_sold, "units": rl.units,
                "sale_date": rl.sale_date}

    return {
        "id": allocation.pk, "pool": allocation.pool.name, "year": allocation.year,
        "method": allocation.method, "method_label": str(allocation.get_method_display()),
        "collected": str(allocation.collected), "fee": str(allocation.fee),
        "distributable": str(allocation.distributable),
        "shares": [{"licensor_id": s.licensor_id, "licensor": s.licensor.organization.name,
                    "points": str(s.points.normalize()), "amount": str(s.amount),
                    "trace": [t | where(t) | {"patent_numbers": [numbers.get(p, str(p)) for p in t.get("patents", ())]}
                              for t in s.trace]}
                   for s in shares],
    }


def collected_statements(pool: Pool, year: int) -> QuerySet[Statement]:
    """Current statements of the pool paid in ``year``: the royalties collected that year."""
    return Statement.objects.filter(report__agreement__pool=pool, is_current=True, paid_on__year=year,
                                    report__status=ReportStatus.PAID)


# ---------------------------------------------------------------- evaluation


def evaluation_get(*, user: User | None, pk: int) -> Evaluation:
    qs = Evaluation.objects.select_related("pool_patent__pool", "pool_patent__licensor__organization",
                                           "version__standard")
    ev = qs.filter(pk=pk).first()
    if ev is None:
        raise NotFound(f"必要性评估不存在：{pk}", field="evaluation")
    if user is None or user.is_platform_admin:
        return ev
    visible = restrict(Evaluation.objects.filter(pk=pk), user, VIEW).exists() or ev.assignments.filter(
        expert=user).exists()
    if not visible:
        raise NotFound(f"必要性评估不存在：{pk}", field="evaluation")
    return ev


def my_assignments(user: User) -> QuerySet[EvaluatorAssignment]:
    return (EvaluatorAssignment.objects.filter(expert=user, evaluation__status="open")
            .select_related("evaluation__pool_patent__pool", "evaluation__version__standard")
            .order_by("id"))


def offerable_patents(user: User):
    """Patents ``user`` may offer to a pool: its organisation's own; center staff and administrators: any."""
    from ipoc.patents import selectors as patent_selectors

    if user.is_platform_admin or user.role == "center_staff":
        return patent_selectors.patent_list(user=user)
    return patent_selectors.patents_held_by(user=user, organization=user.organization)


def evaluator_choices(user: User) -> QuerySet[User]:
    """Active experts, for platform administrators and center staff (who administer pools); nobody else."""
    qs = User.objects.filter(role="expert", is_active=True).select_related("organization")
    return qs if user.is_platform_admin or user.role == "center_staff" else qs.none()


# ---------------------------------------------------------------- KPI helpers


def administered_pools(org_id: int) -> QuerySet[Pool]:
    return Pool.objects.filter(administrator_id=org_id)


# ---------------------------------------------------------------- simulator


def simulate(*, pool: Pool, year: int, extra_patent_ids=(), rate_category: int | None = None,
             per_unit: Decimal | None = None, discount_countries=(), discount_percent: Decimal | None = None,
             years_ahead: int = 5) -> dict:
    """"If the pool adds these patents / this rate / this region discount, what would ``year``'s reports have
    paid and to whom" — then the same units moved year by year, so expiries change the answer. Read-only."""
    from dataclasses import replace

    NEW = -1  # the hypothetical licensor of added patents
    lives = pool_lives(pool, extra_patent_ids=list(extra_patent_ids), extra_licensor_id=NEW)
    cases, cards_by_programme = [], {}
    agreements = (pool.agreements.filter(status=AgreementStatus.SIGNED).select_related("licensee")
                  .order_by("licensee__name"))
    for ag in agreements:
        lines = [engine.SaleLine(ln.pk, ln.category_id, ln.country_made, ln.country_sold, ln.sale_date, ln.units)
                 for r in ag.reports.all() for ln in r.lines.all() if ln.sale_date.year == year]
        if lines:
            cases.append((ag.programme_id, engine.SimulationCase(ag.pk, ag.licensee.name, agreement_terms(ag),
                                                                 tuple(lines))))
    counts = {}
    for lic in pool.licensors.all():
        counts[lic.pk] = pool.patents.filter(licensor=lic, status=ListingStatus.LISTED).count()
    if extra_patent_ids:
        counts[NEW] = len([x for x in lives if x.id < 0])
    results = []
    for programme_id in sorted({p for p, _c in cases}):
        cards = cards_by_programme.setdefault(programme_id, rate_card_terms(programme_id))
        changed = []
        for c in cards:
            rates = dict(c.rates)
            if rate_category is not None and per_unit is not None and rate_category in rates:
                rates[rate_category] = per_unit
            discounts = c.discounts
            if discount_countries and discount_percent is not None:
                discounts = discounts + (engine.DiscountTerms("模拟", frozenset(discount_countries),
                                                              discount_percent),)
            changed.append(replace(c, rates=rates, discounts=discounts))
        results.append(engine.simulate([c for p, c in cases if p == programme_id], lives, changed,
                                       fee_percent=pool.admin_fee_percent, method=pool.allocation_method,
                                       years_ahead=years_ahead, listed_counts=counts))
    names = {lic.pk: lic.organization.name for lic in pool.licensors.select_related("organization")}
    names[NEW] = "（假设新增专利）"
    years = []
    for shift in range(0, years_ahead + 1):
        mid = dt.date(year + shift, 7, 1)
        row = {"year": year + shift, "collected": Decimal("0"), "fee": Decimal("0"), "distributable": Decimal("0"),
               "licensees": [], "licensors": defaultdict(lambda: Decimal("0")),
               "in_force": sum(1 for x in lives if x.state_on(mid) == engine.IN_FORCE)}
        for per_programme in results:
            r = per_programme[shift]
            row["collected"] += r["collected"]
            row["fee"] += r["fee"]
            row["distributable"] += r["distributable"]
            row["licensees"] += r["licensees"]
            for k, v in r["licensors"].items():
                row["licensors"][k] += v
        row["licensors"] = [{"name": names.get(k, str(k)), "amount": v}
                            for k, v in sorted(row["licensors"].items(), key=lambda kv: -kv[1])]
        years.append(row)
    return {"year": year, "years": years, "cases": len(cases)}


def agreement_for_cli(*, pool: Pool, licensee: str = "") -> Agreement:
    """The pool's agreement with the licensee named (or its only agreement)."""
    qs = pool.agreements.select_related("programme", "licensee")
    if licensee:
        qs = qs.filter(licensee__name=licensee.strip())
    rows = list(qs[:2])
    if len(rows) != 1:
        raise NotFound("请用 --licensee 指明被许可人（名称须与协议一致）/ name the licensee", field="licensee")
    return rows[0]
