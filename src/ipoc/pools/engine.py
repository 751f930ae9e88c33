"""许可费引擎: pure functions, exact ``Decimal`` arithmetic, no database.

A reported unit owes royalty only where at least one listed patent is in force in its country of manufacture
or its country of sale **on the sale date**; every line says why ("CN 有效：CN1234567B；US 已届满").

Calculation order for one line (rules.RULES["calculation_order"]):

1. coverage — the listed patents in force on the sale date in the country of manufacture or of sale;
   none → the line owes nothing;
2. back-royalty — a sale before the agreement was signed is a back-royalty line (standard rate, no early
   bird, plus the rate card's surcharge); a sale before ``back_royalty_from`` owes nothing;
3. the rate card in effect on the sale date (the latest ``effective_from`` on or before it);
4. the unit rate — the early-bird rate when the agreement was signed inside the window and the sale is on or
   before ``sales_until`` (never for back-royalties), else the standard rate;
5. gross = units × rate, rounded to the cent (ROUND_HALF_UP);
6. regional discount by country of sale (the largest applicable), rounded to the cent;
7. back-royalty surcharge on the discounted amount, rounded to the cent;
8. annual cap per licensee, category and calendar year of sale — lines in sale-date order; what the year's
   earlier statements already charged counts first.

Allocation: collected − administrator's fee (rounded to the cent) = distributable, split among licensors by
weights computed exactly (``Fraction``) and rounded by largest remainder, so the shares add up to the
distributable amount to the cent.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field, replace
from decimal import ROUND_DOWN, ROUND_HALF_UP, Decimal
from fractions import Fraction

CENT = Decimal("0.01")
ZERO = Decimal("0")
HUNDRED = Decimal("100")

IN_FORCE, EXPIRED, LAPSED, NOT_GRANTED, NEVER, NOT_LISTED = (
    "in_force", "expired", "lapsed", "not_granted", "never", "not_listed")
STATE_WORDS = {EXPIRED: "已届满", LAPSED: "已失效", NOT_GRANTED: "未授权", NEVER: "未生效",
               NOT_LISTED: "未入池"}

POINTS, FAMILY_COUNTRY, PATENT_COUNT = "points", "family_country", "patent_count"


def percent_text(value: Decimal) -> str:
    """30.00 → "30", 12.50 → "12.5"."""
    text = f"{Decimal(value):f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def cents(value) -> Decimal:
    return Decimal(value).quantize(CENT, rounding=ROUND_HALF_UP)


# ---------------------------------------------------------------- inputs


@dataclass(frozen=True)
class PatentLife:
    """A listed patent's life as the patent store knows it, as an interval of days in force.

    ``in_force_from``/``in_force_to`` bound the days on which it is in force (None: open); ``never`` when the
    store says it never was (pending, or lapsed without dates); ``end`` tells why it stops (expired/lapsed).
    ``listed_to`` is the day it left the pool (exclusive)."""

    id: int
    number: str
    country: str
    licensor_id: int
    family: str = ""
    in_force_from: dt.date | None = None
    in_force_to: dt.date | None = None
    never: bool = False
    end: str = EXPIRED
    listed_to: dt.date | None = None

    def state_on(self, day: dt.date) -> str:
        if self.listed_to is not None and day >= self.listed_to:
            return NOT_LISTED
        if self.never:
            return NEVER
        if self.in_force_from is not None and day < self.in_force_from:
            return NOT_GRANTED
        if self.in_force_to is not None and day > self.in_force_to:
            return self.end
        return IN_FORCE

    @property
    def family_key(self) -> str:
        return self.family or self.number


@dataclass(frozen=True)
class EarlyBirdTerms:
    category_id: int
    per_unit: Decimal
    signed_from: dt.date
    signed_to: dt.date
    sales_until: dt.date


@dataclass(frozen=True)
class DiscountTerms:
    group: str
    countries: frozenset[str]
    percent: Decimal


@dataclass(frozen=True)
class RateCardTerms:
    id: int
    version: str
    effective_from: dt.date
    rates: dict[int, Decimal]  # category id → 元 per unit
    caps: dict[int, Decimal | None] = field(default_factory=dict)  # category id → annual cap per licensee
    discounts: tuple[DiscountTerms, ...] = ()
    early_birds: tuple[EarlyBirdTerms, ...] = ()
    back_surcharge_percent: Decimal = ZERO


@dataclass(frozen=True)
class AgreementTerms:
    signed_on: dt.date | None
    back_royalty_from: dt.date | None = None
    countries: frozenset[str] = frozenset()


@dataclass(frozen=True)
class SaleLine:
    id: int
    category_id: int
    country_made: str
    country_sold: str
    sale_date: dt.date
    units: int
    category_name: str = ""


# ---------------------------------------------------------------- statement


@dataclass
class LineResult:
    line: SaleLine
    owes: bool
    reason: str
    coverage: list[tuple[int, str]] = field(default_factory=list)  # (pool patent id, country)
    back_royalty: bool = False
    rate: Decimal = ZERO
    rate_basis: str = ""
    rate_card_id: int | None = None
    gross: Decimal = ZERO
    discount: Decimal = ZERO
    surcharge: Decimal = ZERO
    cap_reduction: Decimal = ZERO
    amount: Decimal = ZERO


@dataclass
class StatementResult:
    lines: list[LineResult]
    total: Decimal
    back_royalties: Decimal
    steps: list[str]


STEPS = [
    "1 有效性：销售日在制造国或销售国至少一件入池专利有效才计费",
    "2 补缴：签约前的销售按标准费率补缴（不适用早鸟），加收补缴附加；早于补缴起算日的销售不计",
    "3 费率表：采用销售日生效的费率表版本",
    "4 单价：签约日在早鸟窗口内且销售日不晚于早鸟截止日时用早鸟单价，否则用标准单价",
    "5 折前金额 = 数量 × 单价，四舍五入到分",
    "6 地区折扣：按销售国所属国家组的折扣比例（取最大），四舍五入到分",
    "7 补缴附加：按折后金额与附加比例，四舍五入到分",
    "8 年度封顶：同一被许可人、产品类别、销售年度内累计不超过封顶额（按销售日先后扣减，含本年此前账单）",
]


def _numbers(lives: list[PatentLife], limit: int = 3) -> str:
    numbers = sorted(p.number for p in lives)
    text = "、".join(numbers[:limit])
    return text + (f" 等 {len(numbers)} 件" if len(numbers) > limit else "")


def country_reason(country: str, lives: list[PatentLife], day: dt.date) -> tuple[str, list[PatentLife]]:
    """("CN 有效：CN1…", in-force lives) or ("US 已届满", []) for one country on one day."""
    here = [p for p in lives if p.country == country]
    if not here:
        return f"{country} 无入池专利", []
    states: dict[str, list[PatentLife]] = defaultdict(list)
    for p in here:
        states[p.state_on(day)].append(p)
    if states.get(IN_FORCE):
        return f"{country} 有效：{_numbers(states[IN_FORCE])}", states[IN_FORCE]
    if len(states) == 1:
        return f"{country} {STATE_WORDS[next(iter(states))]}", []
    parts = "、".join(f"{STATE_WORDS[s]} {len(v)} 件" for s, v in sorted(states.items()))
    return f"{country} 无有效专利（{parts}）", []


def coverage_on(line: SaleLine, lives: list[PatentLife]) -> tuple[str, list[tuple[int, str]]]:
    """The reason text and the in-force (patent, country) pairs for a line's countries on its sale date."""
    countries = [line.country_made] if line.country_made == line.country_sold else [line.country_made,
                                                                                     line.country_sold]
    reasons, covered = [], []
    for c in countries:
        text, alive = country_reason(c, lives, line.sale_date)
        reasons.append(text)
        covered += [(p.id, c) for p in alive]
    return "；".join(reasons), sorted(set(covered))


def card_on(cards: list[RateCardTerms], day: dt.date) -> RateCardTerms | None:
    usable = [c for c in cards if c.effective_from <= day]
    return max(usable, key=lambda c: c.effective_from) if usable else None


def compute_statement(lines: list[SaleLine], lives: list[PatentLife], cards: list[RateCardTerms],
                      agreement: AgreementTerms,
                      prior: dict[tuple[int, int], Decimal] | None = None) -> StatementResult:
    """The statement for a licensee's report lines. ``prior[(category id, year)]`` is what earlier statements
    of the same agreement already charged in that year (it counts first against the cap)."""
    used: dict[tuple[int, int], Decimal] = defaultdict(lambda: ZERO, prior or {})
    results: list[LineResult] = []
    for line in sorted(lines, key=lambda x: (x.sale_date, x.id)):
        reason, covered = coverage_on(line, lives)
        if not covered:
            results.append(LineResult(line, False, f"{reason} → 不计费", covered))
            continue
        back = agreement.signed_on is None or line.sale_date < agreement.signed_on
        if back and agreement.back_royalty_from and line.sale_date < agreement.back_royalty_from:
            results.append(LineResult(line, False, f"{reason} → 早于补缴起算日 {agreement.back_royalty_from}，不计费",
                                      covered, back_royalty=True))
            continue
        card = card_on(cards, line.sale_date)
        if card is None or line.category_id not in card.rates:
            results.append(LineResult(line, False, f"{reason} → 销售日无生效费率，不计费", covered, back_royalty=back))
            continue
        rate, basis = card.rates[line.category_id], f"费率表 {card.version} 标准单价"
        if not back and agreement.signed_on is not None:
            for eb in card.early_birds:
                if (eb.category_id == line.category_id and eb.signed_from <= agreement.signed_on <= eb.signed_to
                        and line.sale_date <= eb.sales_until):
                    rate, basis = eb.per_unit, f"费率表 {card.version} 早鸟单价（{eb.signed_from} 至 {eb.signed_to} 签约）"
                    break
        gross = cents(Decimal(line.units) * rate)
        pct = max((d.percent for d in card.discounts if line.country_sold in d.countries), default=ZERO)
        discount = cents(gross * pct / HUNDRED)
        net = gross - discount
        surcharge = cents(net * card.back_surcharge_percent / HUNDRED) if back else ZERO
        due = net + surcharge
        cap = card.caps.get(line.category_id)
        key = (line.category_id, line.sale_date.year)
        reduction = ZERO
        if cap is not None:
            room = max(ZERO, cap - used[key])
            if due > room:
                reduction = due - room
        amount = due - reduction
        used[key] += amount
        outcome = "补缴" if back else "应付"
        if reduction:
            outcome += f"（年度封顶扣减 {reduction}）"
        results.append(LineResult(line, True, f"{reason} → {outcome}", covered, back_royalty=back, rate=rate,
                                  rate_basis=basis + (f"；{percent_text(pct)}% 地区折扣" if pct else ""), rate_card_id=card.id,
                                  gross=gross, discount=discount, surcharge=surcharge, cap_reduction=reduction,
                                  amount=amount))
    total = sum((r.amount for r in results), ZERO)
    back_total = sum((r.amount for r in results if r.back_royalty), ZERO)
    return StatementResult(results, total, back_total, list(STEPS))


# ---------------------------------------------------------------- allocation


@dataclass(frozen=True)
class CollectedLine:
    """An owed statement line as the allocation sees it."""

    id: int
    report_id: int
    amount: Decimal
    coverage: tuple[tuple[int, str], ...]


@dataclass
class ShareResult:
    licensor_id: int
    weight: Fraction = Fraction(0)
    points: Fraction = Fraction(0)
    amount: Decimal = ZERO
    trace: list[dict] = field(default_factory=list)


@dataclass
class AllocationResult:
    method: str
    collected: Decimal
    fee: Decimal
    distributable: Decimal
    shares: dict[int, ShareResult]


def _line_points(line: CollectedLine, lives: dict[int, PatentLife], method: str) -> dict[int, Fraction]:
    points: dict[int, Fraction] = defaultdict(Fraction)
    if method == FAMILY_COUNTRY:
        holders: dict[tuple[str, str], set[int]] = defaultdict(set)
        for pid, country in line.coverage:
            if pid in lives:
                holders[(lives[pid].family_key, country)].add(lives[pid].licensor_id)
        for owners in holders.values():
            for lic in owners:
                points[lic] += Fraction(1, len(owners))
    else:
        for pid, _country in line.coverage:
            if pid in lives:
                points[lives[pid].licensor_id] += 1
    return points


def split_to_cents(total: Decimal, weights: dict[int, Fraction]) -> dict[int, Decimal]:
    """``total`` split by ``weights`` exactly, rounded down to cents, the remaining cents to the largest
    remainders (ties: lower key) — the parts add up to ``total``."""
    whole = sum(weights.values(), Fraction(0))
    if not weights or whole == 0:
        return {k: ZERO for k in weights}
    total_cents = int((total / CENT).to_integral_value())
    exact = {k: Fraction(total_cents) * w / whole for k, w in weights.items()}
    base = {k: int(v) for k, v in exact.items()}  # floor (all non-negative)
    left = total_cents - sum(base.values())
    for k in sorted(exact, key=lambda k: (-(exact[k] - base[k]), k))[:left]:
        base[k] += 1
    return {k: Decimal(v) * CENT for k, v in base.items()}


def allocate(lines: list[CollectedLine], lives: list[PatentLife], *, fee_percent: Decimal,
             method: str = POINTS, licensor_ids: list[int] | None = None,
             listed_counts: dict[int, int] | None = None) -> AllocationResult:
    """Split collected royalties (the sum of ``lines``) minus the fee among licensors.

    ``points`` (default): each line's amount by the licensors' patents in force in its countries;
    ``family_country``: by (family, country) pairs, a pair shared among the licensors holding it;
    ``patent_count``: the whole pot by ``listed_counts`` (listed patents per licensor)."""
    by_id = {p.id: p for p in lives}
    collected = sum((ln.amount for ln in lines), ZERO)
    fee = cents(collected * Decimal(fee_percent) / HUNDRED)
    distributable = collected - fee
    shares: dict[int, ShareResult] = {i: ShareResult(i) for i in (licensor_ids or [])}
    if method == PATENT_COUNT:
        for lic, n in (listed_counts or {}).items():
            shares.setdefault(lic, ShareResult(lic))
            shares[lic].weight = Fraction(n)
            shares[lic].points = Fraction(n)
            shares[lic].trace.append({"basis": "listed_patents", "points": n})
    else:
        for ln in lines:
            if ln.amount == 0:
                continue
            points = _line_points(ln, by_id, method)
            whole = sum(points.values(), Fraction(0))
            if whole == 0:
                continue
            for lic, pts in points.items():
                share = shares.setdefault(lic, ShareResult(lic))
                part = Fraction(ln.amount) * pts / whole
                share.weight += part
                share.points += pts
                share.trace.append({
                    "statement_line": ln.id, "report": ln.report_id,
                    "patents": sorted(pid for pid, _c in ln.coverage if pid in by_id
                                      and by_id[pid].licensor_id == lic),
                    "points": str(Decimal(pts.numerator) / Decimal(pts.denominator)),
                    "line_amount": str(ln.amount),
                    "collected_part": str(cents(Decimal(part.numerator) / Decimal(part.denominator)))})
    amounts = split_to_cents(distributable, {k: s.weight for k, s in shares.items() if s.weight})
    for k, s in shares.items():
        s.amount = amounts.get(k, ZERO)
    return AllocationResult(method, collected, fee, distributable, shares)


def fraction_decimal(value: Fraction, places: int = 6) -> Decimal:
    return (Decimal(value.numerator) / Decimal(value.denominator)).quantize(Decimal(1).scaleb(-places),
                                                                           rounding=ROUND_DOWN)


# ---------------------------------------------------------------- simulator


@dataclass(frozen=True)
class SimulationCase:
    """One licensee's year of reports, as the simulator replays it."""

    agreement_id: int
    licensee: str
    agreement: AgreementTerms
    lines: tuple[SaleLine, ...]


def shift_years(line: SaleLine, years: int) -> SaleLine:
    day = line.sale_date
    try:
        moved = day.replace(year=day.year + years)
    except ValueError:  # 29 February
        moved = day.replace(year=day.year + years, day=28)
    return replace(line, sale_date=moved)


def simulate(cases: list[SimulationCase], lives: list[PatentLife], cards: list[RateCardTerms], *,
             fee_percent: Decimal, method: str = POINTS, years_ahead: int = 0,
             listed_counts: dict[int, int] | None = None) -> list[dict]:
    """What the cases would have paid, and to which licensor, under ``lives``/``cards``; then the same
    units moved 1…``years_ahead`` years on, so expiries change the answer year by year."""
    out = []
    for shift in range(0, years_ahead + 1):
        collected: list[CollectedLine] = []
        by_licensee = []
        for case in cases:
            lines = [shift_years(ln, shift) for ln in case.lines]
            result = compute_statement(lines, lives, cards, case.agreement)
            by_licensee.append({"agreement": case.agreement_id, "licensee": case.licensee,
                                "total": result.total,
                                "owing_lines": sum(1 for r in result.lines if r.owes),
                                "lines": len(result.lines)})
            collected += [CollectedLine(r.line.id, case.agreement_id, r.amount, tuple(r.coverage))
                          for r in result.lines if r.owes]
        alloc = allocate(collected, lives, fee_percent=fee_percent, method=method, listed_counts=listed_counts)
        out.append({"shift": shift, "collected": alloc.collected, "fee": alloc.fee,
                    "distributable": alloc.distributable, "licensees": by_licensee,
                    "licensors": {k: s.amount for k, s in alloc.shares.items()}})
    return out
