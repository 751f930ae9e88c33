"""CN official annual fees (专利年费) and the saving of letting a patent lapse.

The table is data with its source and confidence marks, so an office can
check and change it in one place.

Source: CNIPA 专利收费标准 (国家知识产权局 "专利收费、集成电路布图设计收费标准",
as published on cnipa.gov.cn 缴费服务 pages; the 发明/实用新型 bands have been
unchanged since 2018 and are widely reproduced). The 外观设计 years 11–15 band
exists because designs filed on or after 2021-06-01 have a 15-year term
(Patent Law art. 42 as amended 2020); the 3,000 元 figure is from secondary
reproductions and is marked 待核实. The whole table is marked [S] because it was
not read from the official schedule here.

Not modelled (documented, left to the caller): 费减 (fee reductions of 85%/70%
for eligible individuals and small enterprises for the first 10 years after
grant), the annual-fee reduction while an 开放许可 declaration is in force
(Patent Law art. 51), and late-payment surcharges (5% per month of the 6-month
grace period). ``fee_saving`` takes a ``reduction_rate`` for the first.

Patent years: year k runs from filing_date + (k-1) years to filing_date + k
years. The fee for year k is due before year k starts. "Saving if the patent is
allowed to lapse" = the sum of the fees of the patent years strictly after the
current one (the current year's fee is assumed paid) up to the last year of the
term, or only the next ``horizon_years`` of them when a horizon is given.
"""

from __future__ import annotations

import datetime as _dt
from typing import Any

import polars as pl

FEE_TABLE_SOURCE = (
    "CNIPA 专利收费标准 (annual fees). [S] reproduced from secondary sources; "
    "外观设计 11–15年 3000元 待核实"
)

# (first_year, last_year, fee_yuan, needs_check)
ANNUAL_FEES_CN: dict[str, list[tuple[int, int, int, bool]]] = {
    "发明": [
        (1, 3, 900, False),
        (4, 6, 1200, False),
        (7, 9, 2000, False),
        (10, 12, 4000, False),
        (13, 15, 6000, False),
        (16, 20, 8000, False),
    ],
    "实用新型": [
        (1, 3, 600, False),
        (4, 5, 900, False),
        (6, 8, 1200, False),
        (9, 10, 2000, False),
    ],
    "外观设计": [
        (1, 3, 600, False),
        (4, 5, 900, False),
        (6, 8, 1200, False),
        (9, 10, 2000, False),
        (11, 15, 3000, True),
    ],
}

FEE_TABLE_PENDING_CHECK = True  # the table as a whole is [S] / 待核实

# Statutory terms from filing (Patent Law art. 42). Designs filed before
# 2021-06-01 keep the old 10-year term.
TERM_YEARS = {"发明": 20, "实用新型": 10, "外观设计": 15}
DESIGN_NEW_TERM_FROM = _dt.date(2021, 6, 1)
DESIGN_OLD_TERM_YEARS = 10


def fee_table() -> dict[str, Any]:
    """The fee table as JSON-serialisable data (for a UI)."""
    return {
        "source": FEE_TABLE_SOURCE,
        "pending_check": FEE_TABLE_PENDING_CHECK,
        "currency": "CNY",
        "bands": {
            t: [
                {"from_year": a, "to_year": b, "fee": fee, "待核实": chk}
                for a, b, fee, chk in bands
            ]
            for t, bands in ANNUAL_FEES_CN.items()
        },
    }


def annual_fee(patent_type: str, year: int) -> int | None:
    """Official annual fee (元) for patent year ``year`` (1-based); None outside the term."""
    for a, b, fee, _ in ANNUAL_FEES_CN.get(patent_type, []):
        if a <= year <= b:
            return fee
    return None


def term_years(patent_type: str, filing_date: _dt.date | None) -> int | None:
    if patent_type not in TERM_YEARS:
        return None
    if patent_type == "外观设计" and filing_date is not None and filing_date < DESIGN_NEW_TERM_FROM:
        return DESIGN_OLD_TERM_YEARS
    return TERM_YEARS[patent_type]


def _years_between(start: _dt.date, end: _dt.date) -> float:
    return (end - start).days / 365.25


def current_patent_year(filing_date: _dt.date, as_of: _dt.date) -> int:
    """1-based patent year that contains ``as_of`` (anniversary-exact)."""
    years = as_of.year - filing_date.year
    if (as_of.month, as_of.day) < (filing_date.month, filing_date.day):
        years -= 1
    return max(years, 0) + 1


def fee_saving(
    patent_type: str,
    filing_date: _dt.date,
    as_of: _dt.date,
    *,
    last_year: int | None = None,
    horizon_years: int | None = None,
    reduction_rate: float = 0.0,
) -> int | None:
    """Annual fees saved by letting the patent lapse now (scalar reference implementation).

    ``last_year`` defaults to the statutory term. Returns None for unknown types.
    """
    term = term_years(patent_type, filing_date)
    if term is None:
        return None
    last = term if last_year is None else min(term, last_year)
    cur = current_patent_year(filing_date, as_of)
    end = last if horizon_years is None else min(last, cur + horizon_years)
    total = 0.0
    for k in range(cur + 1, end + 1):
        total += annual_fee(patent_type, k) or 0
    return round(total * (1.0 - reduction_rate))


# ---------------------------------------------------------------- vectorised

def _cumulative_table() -> dict[str, list[int]]:
    """cum[type][k] = sum of fees for years 1..k (k = 0..max_term)."""
    out: dict[str, list[int]] = {}
    for t in ANNUAL_FEES_CN:
        max_year = max(b for _, b, _, _ in ANNUAL_FEES_CN[t])
        cum = [0]
        for k in range(1, max_year + 1):
            cum.append(cum[-1] + (annual_fee(t, k) or 0))
        out[t] = cum
    return out


def fee_saving_expr(
    patent_type: pl.Expr,
    filing_date: pl.Expr,
    as_of: _dt.date,
    *,
    last_year: pl.Expr | None = None,
    horizon_years: int | None = None,
    reduction_rate: float = 0.0,
) -> pl.Expr:
    """Polars expression equal to :func:`fee_saving` row by row (Int64, null for unknown type/date)."""
    cum = _cumulative_table()
    # current patent year: anniversary-exact, as in current_patent_year()
    md_as_of = as_of.month * 100 + as_of.day
    md_filing = filing_date.dt.month().cast(pl.Int32) * 100 + filing_date.dt.day().cast(pl.Int32)
    years = pl.lit(as_of.year, pl.Int32) - filing_date.dt.year().cast(pl.Int32)
    years = years - pl.when(md_filing > md_as_of).then(1).otherwise(0)
    cur = pl.max_horizontal(years, pl.lit(0)) + 1
    design_old = (patent_type == "外观设计") & (filing_date < pl.lit(DESIGN_NEW_TERM_FROM))
    term = (
        pl.when(design_old)
        .then(pl.lit(DESIGN_OLD_TERM_YEARS))
        .otherwise(patent_type.replace_strict(TERM_YEARS, default=None, return_dtype=pl.Int32))
    )
    last = term if last_year is None else pl.min_horizontal(term, last_year)
    end = last if horizon_years is None else pl.min_horizontal(last, cur + horizon_years)
    end = pl.max_horizontal(end, cur)  # nothing to save once past the last year

    def lookup(k: pl.Expr) -> pl.Expr:
        expr = pl.lit(None, dtype=pl.Int64)
        for t, table in cum.items():
            idx = k.clip(0, len(table) - 1)
            val = pl.lit(pl.Series(table, dtype=pl.Int64)).gather(idx.cast(pl.Int64))
            expr = pl.when(patent_type == t).then(val).otherwise(expr)
        return expr

    saving = (lookup(end) - lookup(cur)).cast(pl.Float64) * (1.0 - reduction_rate)
    return pl.when(term.is_null() | filing_date.is_null()).then(None).otherwise(saving.round(0).cast(pl.Int64))
