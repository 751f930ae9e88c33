"""Input schema and indicator formulas of the valuation engine (Django-free).

Every indicator of the tree names a formula id from :data:`FORMULAS`. A formula
turns the input columns of :data:`INPUT_SCHEMA` into one raw value per patent
(a polars expression). A null input gives a null raw value — it is never
replaced by zero; scoring then drops the indicator for that patent and lowers
its confidence.

Also here: the text helpers that turn claim text into claim counts / claim-1
features, and a minimal adapter from an incoPat-style export row (Chinese
headers) to an input row, used by the tests and the benchmark. The platform's
real parsers live elsewhere and only need to produce :data:`INPUT_SCHEMA`.
"""

from __future__ import annotations

import datetime as _dt
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import polars as pl

from .fees import DESIGN_NEW_TERM_FROM, DESIGN_OLD_TERM_YEARS, TERM_YEARS

# ------------------------------------------------------------------ schema

#: column -> (polars dtype, required?, meaning). Optional columns absent from
#: the frame are added as all-null (= missing, lowering confidence).
INPUT_SCHEMA: dict[str, tuple[pl.DataType, bool, str]] = {
    "id": (pl.String, True, "专利/申请号，唯一"),
    "patent_type": (pl.String, True, "发明 | 实用新型 | 外观设计"),
    "jurisdiction": (pl.String, False, "受理局 ISO 代码，如 CN（费用表仅适用于 CN）"),
    "filing_date": (pl.Date, True, "申请日（保护期自申请日起算）"),
    "grant_date": (pl.Date, False, "授权公告日；未授权为 null"),
    "legal_status": (pl.String, False, "有效 | 审中 | 失效（null = 未知）"),
    "expiry_date": (pl.Date, False, "届满/失效日；null 时按申请日+法定保护期计算"),
    "claims_count": (pl.Int32, False, "权利要求总数"),
    "independent_claims_count": (pl.Int32, False, "独立权利要求数"),
    "claim1_chars": (pl.Int32, False, "首项权利要求字符数（去空白与序号“1.”）"),
    "claim1_features": (pl.Int32, False, "首项权利要求技术特征数（见 count_claim_features）"),
    "forward_citations": (pl.Int32, False, "被引证次数"),
    "backward_citations": (pl.Int32, False, "引证专利数"),
    "family_size": (pl.Int32, False, "简单同族成员数（含自身）"),
    "family_countries": (pl.Int32, False, "同族覆盖国家/地区/组织数"),
    "ipc_subclass_count": (pl.Int32, False, "分类号中不同 IPC 小类（前4位）数"),
    "ipc_main_subclass": (pl.String, False, "主分类号的小类，如 H04N（同行组的技术领域）"),
    "transfers": (pl.Int32, False, "专利权转移次数"),
    "licences": (pl.Int32, False, "许可备案次数"),
    "pledges": (pl.Int32, False, "质押登记次数"),
    "examination_days": (pl.Int32, False, "实质审查生效日至授权公告日天数（仅发明）"),
    "applicant_type": (pl.String, False, "企业 | 高校 | 科研机构 | 机关团体 | 个人"),
}

#: columns the engine derives itself (do not supply)
DERIVED_COLUMNS = {
    "filing_year": "申请年份（同行组）",
    "ipc_section": "IPC 部（主小类首字母，同行组回退）",
    "term_years": "法定保护期（年）",
}

PATENT_TYPES = tuple(TERM_YEARS)
LEGAL_STATUSES = ("有效", "审中", "失效")


class InputSchemaError(ValueError):
    pass


def schema_doc() -> list[dict[str, str]]:
    """The input schema as JSON-serialisable rows (for docs / UI)."""
    return [
        {"column": c, "dtype": str(t), "required": req, "meaning": m}
        for c, (t, req, m) in INPUT_SCHEMA.items()
    ]


def prepare_input(df: pl.DataFrame | pl.LazyFrame) -> pl.LazyFrame:
    """Check required columns, add missing optional ones as null, cast, and derive helper columns."""
    lf = df.lazy() if isinstance(df, pl.DataFrame) else df
    cols = lf.collect_schema().names()
    missing_req = [c for c, (_, req, _) in INPUT_SCHEMA.items() if req and c not in cols]
    if missing_req:
        raise InputSchemaError(f"input frame lacks required column(s): {', '.join(missing_req)}")
    schema = lf.collect_schema()
    bad = []
    for c, (dtype, _, _) in INPUT_SCHEMA.items():
        if c not in schema or schema[c] == pl.Null:
            continue
        got = schema[c]
        if dtype == pl.Date:
            ok = got == pl.Date or isinstance(got, pl.Datetime)
        elif dtype == pl.Int32:
            ok = got.is_integer()
        else:
            ok = got == pl.String or isinstance(got, pl.Categorical | pl.Enum)
        if not ok:
            bad.append(f"{c} ({got}, expected {dtype})")
    if bad:
        raise InputSchemaError(f"input column(s) of the wrong type: {', '.join(bad)}")
    exprs = []
    for c, (dtype, _, _) in INPUT_SCHEMA.items():
        if c in cols:
            exprs.append(pl.col(c).cast(dtype, strict=True).alias(c))
        else:
            exprs.append(pl.lit(None, dtype=dtype).alias(c))
    extra = [c for c in cols if c not in INPUT_SCHEMA]
    lf = lf.select(exprs + [pl.col(c) for c in extra])
    return lf.with_columns(
        pl.col("filing_date").dt.year().cast(pl.Int32).alias("filing_year"),
        pl.col("ipc_main_subclass").str.slice(0, 1).alias("ipc_section"),
        term_years_expr().alias("term_years"),
    )


def term_years_expr() -> pl.Expr:
    """Statutory term by type; designs filed before 2021-06-01 keep 10 years."""
    return (
        pl.when((pl.col("patent_type") == "外观设计") & (pl.col("filing_date") < pl.lit(DESIGN_NEW_TERM_FROM)))
        .then(pl.lit(DESIGN_OLD_TERM_YEARS, pl.Int32))
        .otherwise(pl.col("patent_type").replace_strict(TERM_YEARS, default=None, return_dtype=pl.Int32))
    )


def expiry_expr() -> pl.Expr:
    """expiry_date if given, else filing_date + statutory term."""
    computed = pl.col("filing_date").dt.offset_by(
        pl.format("{}y", pl.col("term_years"))
    )
    return pl.coalesce(pl.col("expiry_date"), computed)


# ---------------------------------------------------------------- formulas

@dataclass(frozen=True)
class Formula:
    id: str
    description: str
    inputs: tuple[str, ...]
    build: Callable[[Mapping[str, Any], _dt.date], pl.Expr]
    unit: str = ""
    param_keys: tuple[str, ...] = ()

    def check_params(self, params: Mapping[str, Any]) -> None:
        unknown = set(params) - set(self.param_keys)
        if unknown:
            raise ValueError(f"unknown parameter(s) {sorted(unknown)}; allowed {list(self.param_keys)}")
        if "mapping" in self.param_keys:
            m = params.get("mapping")
            if m is not None:
                if not isinstance(m, Mapping) or not m:
                    raise ValueError("'mapping' must be a non-empty {category: score} object")
                for k, v in m.items():
                    if not isinstance(v, int | float) or not 0 <= v <= 1:
                        raise ValueError(f"mapping score for '{k}' must be within [0, 1], got {v!r}")
        if "column" in self.param_keys:
            col = params.get("column")
            if col not in INPUT_SCHEMA or INPUT_SCHEMA[col][0] not in (pl.Int32,):
                raise ValueError(f"'column' must be a numeric input column, got {col!r}")


def _count(column: str, meaning: str) -> Formula:
    return Formula(
        id=column, description=f"{meaning}：原值 {column}", inputs=(column,),
        build=lambda params, as_of, c=column: pl.col(c).cast(pl.Float64), unit="count",
    )


def _mapping_formula(fid: str, column: str, description: str, default_mapping: dict[str, float]) -> Formula:
    def build(params: Mapping[str, Any], as_of: _dt.date) -> pl.Expr:
        mapping = dict(params.get("mapping") or default_mapping)
        # unknown categories -> null (missing), never 0
        return pl.col(column).replace_strict(
            {k: float(v) for k, v in mapping.items()}, default=None, return_dtype=pl.Float64
        )

    return Formula(id=fid, description=description, inputs=(column,), build=build, unit="score 0–1",
                   param_keys=("mapping",))


def _remaining_life(params: Mapping[str, Any], as_of: _dt.date) -> pl.Expr:
    days = (expiry_expr() - pl.lit(as_of)).dt.total_days().cast(pl.Float64)
    years = (days / 365.25).clip(lower_bound=0.0)
    return pl.when(pl.col("legal_status") == "失效").then(pl.lit(0.0)).otherwise(years)


def _field(params: Mapping[str, Any], as_of: _dt.date) -> pl.Expr:
    return pl.col(params["column"]).cast(pl.Float64)


FORMULAS: dict[str, Formula] = {
    f.id: f
    for f in [
        _mapping_formula("legal_status_score", "legal_status", "法律状态映射分（params.mapping）",
                         {"有效": 1.0, "审中": 0.5, "失效": 0.0}),
        Formula("remaining_life_years",
                "剩余保护年数 = (届满日 − 评估基准日)/365.25，下限 0；届满日 = expiry_date 或 申请日+法定保护期；"
                "法律状态为失效时 = 0",
                ("filing_date", "patent_type", "expiry_date", "legal_status"), _remaining_life, unit="years"),
        _count("claims_count", "权利要求数"),
        _count("independent_claims_count", "独立权利要求数"),
        _count("claim1_chars", "首项权利要求字符数"),
        _count("claim1_features", "首项权利要求技术特征数"),
        _count("forward_citations", "被引证次数"),
        _count("backward_citations", "引证专利数"),
        _count("family_size", "同族成员数"),
        _count("family_countries", "同族国家/地区数"),
        _count("ipc_subclass_count", "IPC 小类数"),
        _count("transfers", "转让次数"),
        _count("licences", "许可次数"),
        _count("pledges", "质押次数"),
        _count("examination_days", "审查天数"),
        _mapping_formula("examination_type_score", "patent_type", "审查类型映射分（发明经实审）",
                         {"发明": 1.0, "实用新型": 0.5, "外观设计": 0.5}),
        _mapping_formula("applicant_type_score", "applicant_type", "申请人类型映射分",
                         {"企业": 1.0, "科研机构": 0.7, "高校": 0.6, "机关团体": 0.5, "个人": 0.4}),
        Formula("transactions_total", "转让+许可+质押次数之和（任一缺失则缺失）",
                ("transfers", "licences", "pledges"),
                lambda p, a: (pl.col("transfers") + pl.col("licences") + pl.col("pledges")).cast(pl.Float64),
                unit="count"),
        Formula("field", "任一数值输入列的原值（params.column）", (), _field, param_keys=("column",)),
    ]
}


def formula_doc() -> list[dict[str, Any]]:
    return [
        {"id": f.id, "description": f.description, "inputs": list(f.inputs), "unit": f.unit,
         "params": list(f.param_keys)}
        for f in FORMULAS.values()
    ]


# ------------------------------------------------------------ text helpers

_CLAIM_SPLIT = re.compile(r"(?:^|\n)\s*(\d{1,3})\s*[.．、]\s*")
_DEPENDENT = re.compile(r"(?:根据|如|按照|依据|按)?(?:上述)?权利要求\s*\d")
_FEATURE_SPLIT = re.compile(r"[；;]")


def split_claims(text: str) -> list[str]:
    """Split full claim text numbered '1.' '2.' … (one claim per line start) into claims."""
    if not text:
        return []
    parts = _CLAIM_SPLIT.split(text.strip())
    # parts = [prefix, num, body, num, body, ...]
    claims = [parts[i + 1].strip() for i in range(1, len(parts) - 1, 2)]
    return [c for c in claims if c]


def is_dependent_claim(claim: str) -> bool:
    """Dependent = refers to another claim ('根据权利要求1所述…'), unless it opens a new
    subject with '一种…' (e.g. '一种衣物处理装置，…采用如权利要求1至8任一项所述的控制方法'),
    which CN practice treats as an independent claim of another category."""
    head = re.sub(r"\s+", "", claim)
    if head.startswith(("一种", "一个", "一套")):
        return False
    return bool(_DEPENDENT.search(head))


def count_claim_features(claim: str) -> int | None:
    """Technical features of one claim (heuristic, documented).

    The body is the text after '其特征在于' when present, else the whole claim.
    Elements are the body's segments separated by '；'/';'; when the body has no
    semicolon (one element), the segments separated by '，'/','/'：'/':' are used
    instead. Segments shorter than 4 characters ('包括', '其中') are not
    features. Features = elements + 1 for the preamble when the claim has a
    characterising part ('其特征在于'). None for empty text.
    """
    if not claim or not claim.strip():
        return None
    text = re.sub(r"\s+", "", claim)
    text = re.sub(r"^\d{1,3}[.．、]", "", text).rstrip("。.")
    preamble = 0
    body = text
    if "其特征在于" in text:
        body = text.split("其特征在于", 1)[1]
        preamble = 1

    def segs(pattern: str) -> list[str]:
        return [s for s in re.split(pattern, body) if len(s.strip("，,：:；; ")) >= 4]

    elements = segs(r"[；;]")
    if len(elements) <= 1:
        elements = segs(r"[；;，,：:]")
    return max(len(elements), 1) + preamble


def _claim_chars(claim: str) -> int | None:
    """Characters of a claim without whitespace and without its leading number ('1.')."""
    text = re.sub(r"^\d{1,3}\s*[.．、]", "", re.sub(r"\s+", "", claim or ""))
    return len(text) or None


def claim_stats(claims_text: str) -> dict[str, int | None]:
    """claims_count, independent_claims_count, claim1_chars, claim1_features from full claim text."""
    claims = split_claims(claims_text)
    if not claims:
        return {"claims_count": None, "independent_claims_count": None, "claim1_chars": None,
                "claim1_features": None}
    first = claims[0]
    return {
        "claims_count": len(claims),
        "independent_claims_count": sum(1 for c in claims if not is_dependent_claim(c)),
        "claim1_chars": _claim_chars(first),
        "claim1_features": count_claim_features(first),
    }


# --------------------------------------------------- incoPat-style adapter

def _date8(s: str | None) -> _dt.date | None:
    s = (s or "").strip()
    if not s:
        return None
    s = s.replace("-", "").replace(".", "").replace("/", "")
    if len(s) != 8 or not s.isdigit():
        return None
    return _dt.date(int(s[:4]), int(s[4:6]), int(s[6:]))


def _int_or_none(s: str | None) -> int | None:
    s = (s or "").strip()
    if not s:
        return None
    try:
        return int(float(s))
    except ValueError:
        return None


def normalize_patent_type(s: str | None) -> str | None:
    s = s or ""
    if "发明" in s:
        return "发明"
    if "实用新型" in s:
        return "实用新型"
    if "外观" in s:
        return "外观设计"
    return None


def normalize_legal_status(s: str | None) -> str | None:
    s = (s or "").strip()
    if not s:
        return None
    if s.startswith(("有权", "有效")):
        return "有效"
    if s.startswith(("审中", "公开", "实质审查")):
        return "审中"
    if s.startswith(("无权", "失效", "撤回", "驳回", "届满", "放弃", "未缴年费")):
        return "失效"
    return None


def _subclasses(codes: str | None) -> list[str]:
    out: list[str] = []
    for c in re.split(r"[;；,，|\s]+", codes or ""):
        c = c.strip().upper()
        if len(c) >= 4 and c[0] in "ABCDEFGH":
            sub = c[:4]
            if sub not in out:
                out.append(sub)
    return out


def features_from_incopat_row(row: Mapping[str, str]) -> dict[str, Any]:
    """Map one incoPat-style export row (Chinese headers) to an :data:`INPUT_SCHEMA` row.

    Choices (documented; the real parser may refine them):
    - empty cells are unknown (null), not zero; explicit "0" counts are 0;
    - the export has no forward-citation column (引证专利/引证数 are the
      patent's own, backward citations) -> forward_citations = null;
    - 主权项 is claim 1 only, so claims_count / independent_claims_count = null;
    - 审查时长 "0" is a placeholder in this export: examination_days is
      授权公告日 − 实质审查日 when both dates exist, else 审查时长 when > 0, else null;
    - family_size from 简单同族数量, else number of ';'-separated 同族专利, else null;
    - expiry_date from 失效日期 when present (lapsed patents).
    """
    ptype = normalize_patent_type(row.get("专利类型"))
    filing = _date8(row.get("申请日"))
    grant = _date8(row.get("授权公告日"))
    exam_start = _date8(row.get("实质审查日"))
    exam_days: int | None = None
    if grant and exam_start and grant >= exam_start:
        exam_days = (grant - exam_start).days
    elif (_int_or_none(row.get("审查时长")) or 0) > 0:
        exam_days = _int_or_none(row.get("审查时长"))
    fam = _int_or_none(row.get("简单同族数量"))
    if fam is None and (row.get("同族专利") or "").strip():
        fam = len([x for x in re.split(r"[;；]", row["同族专利"]) if x.strip()])
    fam_countries = None
    if (row.get("同族专利") or "").strip():
        fam_countries = len({x.strip()[:2] for x in re.split(r"[;；]", row["同族专利"]) if x.strip()})
    claim1 = row.get("主权项") or ""
    subs = _subclasses(row.get("分类号"))
    main = _subclasses(row.get("主分类号"))
    return {
        "id": (row.get("申请号") or "").strip(),
        "patent_type": ptype,
        "jurisdiction": (row.get("申请号") or "CN")[:2].upper() or None,
        "filing_date": filing,
        "grant_date": grant,
        "legal_status": normalize_legal_status(row.get("法律状态")),
        "expiry_date": _date8(row.get("失效日期")),
        "claims_count": None,
        "independent_claims_count": None,
        "claim1_chars": _claim_chars(claim1),
        "claim1_features": count_claim_features(claim1),
        "forward_citations": None,
        "backward_citations": _int_or_none(row.get("引证数")),
        "family_size": fam,
        "family_countries": fam_countries,
        "ipc_subclass_count": len(subs) if subs else None,
        "ipc_main_subclass": main[0] if main else (subs[0] if subs else None),
        "transfers": _int_or_none(row.get("专利转移次数")),
        "licences": _int_or_none(row.get("许可次数")),
        "pledges": _int_or_none(row.get("质押次数")),
        "examination_days": exam_days,
        "applicant_type": (row.get("申请人类型") or "").strip() or None,
    }


def frame_from_rows(rows: list[Mapping[str, Any]]) -> pl.DataFrame:
    """Build an input frame with the exact schema dtypes from dict rows."""
    schema = {c: t for c, (t, _, _) in INPUT_SCHEMA.items()}
    return pl.DataFrame([{c: r.get(c) for c in schema} for r in rows], schema=schema, orient="row")
