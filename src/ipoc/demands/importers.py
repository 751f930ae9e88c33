"""Reading demand spreadsheets (CSV or XLSX): the downloadable template and the real
``demands.csv`` layout, through one column map. Rows become ``DemandRow`` or row errors."""

from __future__ import annotations

import datetime as dt
import io
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from ipoc.core.tabular import sheet_rows
from ipoc.demands.models import DealMode

# header (template Chinese, or the real data's English) → field
COLUMN_MAP = {
    "需求名称": "title", "title": "title",
    "需求描述": "description", "detail": "description",
    "行业": "industry", "所属行业": "industry", "category": "industry",
    "国民经济行业分类": "industry_code",
    "需求方": "requester", "company": "requester",
    "发布日期": "created", "created": "created",
    "预算": "budget", "预算区间": "budget", "budget": "budget",
    "关键词": "keywords", "合作方式": "modes", "期望合作方式": "modes",
    "行政区划代码": "region_code", "截止日期": "deadline",
    "联系人": "contact_name", "联系电话": "contact_phone", "联系邮箱": "contact_email",
    "需求类型": "kind",
}
TEMPLATE_HEADERS = ["需求名称", "需求描述", "所属行业", "国民经济行业分类", "关键词", "期望合作方式", "预算区间",
                    "需求方", "行政区划代码", "截止日期", "发布日期", "联系人", "联系电话", "联系邮箱"]
MODE_NAMES = {str(label): value for value, label in DealMode.choices} | {v: v for v in DealMode.values}
WAN = Decimal(10000)


@dataclass
class DemandRow:
    row: int
    title: str
    description: str = ""
    industry: str = ""
    industry_code: str = ""
    requester: str = ""
    created: dt.date | None = None
    budget_text: str = ""
    budget_min: Decimal | None = None
    budget_max: Decimal | None = None
    keywords: list[str] = field(default_factory=list)
    modes: list[str] = field(default_factory=list)
    region_code: str = ""
    deadline: dt.date | None = None
    contact_name: str = ""
    contact_phone: str = ""
    contact_email: str = ""


@dataclass(frozen=True)
class RowError:
    file: str
    row: int
    field: str
    reason: str


def parse_budget(text: str) -> tuple[Decimal | None, Decimal | None]:
    """'10~50万' → (100000, 500000); '>200万' → (2000000, None); '<1万' → (None, 10000); '面议' → (None, None)."""
    t = (text or "").replace(" ", "").replace("～", "~").replace("-", "~").replace("—", "~")
    if not t or t in ("面议", "不限"):
        return None, None
    unit = Decimal(10000) if "万" in t else Decimal(1)
    if "亿" in t:
        unit = Decimal(100000000)
    numbers = [Decimal(n) * unit for n in re.findall(r"\d+(?:\.\d+)?", t)]
    if not numbers:
        raise ValueError(f"无法识别的预算：{text}")
    if "~" in t and len(numbers) == 2:
        return numbers[0], numbers[1]
    if t.startswith((">", "≥", "大于")) or t.endswith(("以上", "+")):
        return numbers[0], None
    if t.startswith(("<", "≤", "小于")) or t.endswith("以下"):
        return None, numbers[0]
    return numbers[0], numbers[0]


def parse_date(value: object) -> dt.date | None:
    if value in (None, ""):
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    text = str(value).strip()
    m = re.fullmatch(r"(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?", text)
    if not m:
        raise ValueError(f"无法识别的日期：{text}")
    return dt.date(int(m[1]), int(m[2]), int(m[3]))


def _split(text: str) -> list[str]:
    return [w for w in re.split(r"[,，;；、\s]+", text or "") if w]


def read_rows(path: Path, file_name: str | None = None) -> Iterator[DemandRow | RowError]:
    file = file_name or path.name
    for number, cells in sheet_rows(path, file_name=file):
        data = {COLUMN_MAP[h]: v for h, v in cells.items() if h in COLUMN_MAP}
        text = {k: str(v).strip() if v is not None else "" for k, v in data.items()}
        if not text.get("title"):
            yield RowError(file, number, "需求名称", "缺少需求名称 / missing title")
            continue
        try:
            created = parse_date(data.get("created"))
        except ValueError as exc:
            yield RowError(file, number, "发布日期", str(exc))
            continue
        try:
            deadline = parse_date(data.get("deadline"))
        except ValueError as exc:
            yield RowError(file, number, "截止日期", str(exc))
            continue
        try:
            lo, hi = parse_budget(text.get("budget", ""))
        except (ValueError, ArithmeticError) as exc:
            yield RowError(file, number, "预算区间", str(exc))
            continue
        modes, bad = [], []
        for name in _split(text.get("modes", "")):
            (modes if name in MODE_NAMES else bad).append(MODE_NAMES.get(name, name))
        if bad:
            yield RowError(file, number, "期望合作方式", f"未知的合作方式：{'、'.join(bad)}（可选：转让、许可、作价入股、合作开发、其他）")
            continue
        yield DemandRow(row=number, title=text["title"], description=text.get("description", ""),
                        industry=text.get("industry", ""), industry_code=text.get("industry_code", ""),
                        requester=text.get("requester", ""), created=created, budget_text=text.get("budget", ""),
                        budget_min=lo, budget_max=hi, keywords=_split(text.get("keywords", "")), modes=modes,
                        region_code=text.get("region_code", ""), deadline=deadline,
                        contact_name=text.get("contact_name", ""), contact_phone=text.get("contact_phone", ""),
                        contact_email=text.get("contact_email", ""))


def template_xlsx() -> bytes:
    """The downloadable Excel template (批量导入模板) with an example row and the allowed values."""
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.title = "技术需求"
    ws.append(TEMPLATE_HEADERS)
    ws.append(["高纯氧化铝粉体连续化制备技术", "现有间歇工艺能耗高，寻求连续化制备方案", "新材料", "C30", "氧化铝，粉体，连续化",
               "许可，合作开发", "50~200万", "某某新材料有限公司", "370700", "2026-12-31", "2026-01-15", "王工",
               "13800000000", "wang@example.com"])
    for column in "ABCDEFGHIJKLMN":
        ws.column_dimensions[column].width = 18
    help_ws = wb.create_sheet("填写说明")
    for line in [
        ["字段", "说明"], ["需求名称", "必填"], ["期望合作方式", "多个用逗号分隔：转让、许可、作价入股、合作开发、其他"],
        ["预算区间", "如 10~50万、>200万、<1万、面议；单位可为 元/万/亿"], ["日期", "YYYY-MM-DD，或 2026/1/15"],
        ["行政区划代码", "6位 GB/T 2260 代码，可空"], ["国民经济行业分类", "GB/T 4754 门类字母或大类两位代码，可空"],
    ]:
        help_ws.append(line)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()
