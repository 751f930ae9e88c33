"""The 批量建档 sheet of 存量专利盘活: the downloadable Excel template and the reader that turns
its rows (XLSX or CSV) into ``StockRow`` values or ``RowError`` entries (file, row, field, reason).

Patent numbers are checked here with ``ipoc.patents.numbers``: a wrong CN check digit is reported
with the expected digit; whether the number exists in the patent store is checked by the service.
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from ipoc.core.tabular import sheet_rows
from ipoc.patents import numbers

TEMPLATE_HEADERS = ["专利号", "专利名称", "发明人", "所属院系", "转化意愿", "是否已实施", "价值自评", "联系人",
                    "联系电话", "联系邮箱"]
REQUIRED = ("专利号",)
COLUMN_MAP = {
    "专利号": "number", "申请号": "number", "公开号": "number", "公开（公告）号": "number",
    "专利名称": "title", "名称": "title",
    "发明人": "inventors",
    "所属院系": "department", "院系": "department",
    "转化意愿": "intentions",
    "是否已实施": "implemented", "已实施": "implemented",
    "价值自评": "self_rating",
    "联系人": "contact_name", "联系电话": "contact_phone", "联系邮箱": "contact_email",
}
INTENTION_NAMES = {"转让": "assignment", "许可": "license", "自行应用或产业化": "self_use", "自行应用": "self_use",
                   "产业化": "self_use", "自行实施": "self_use", "transfer": "assignment", "assignment": "assignment", "license": "license",
                   "self_use": "self_use"}
YES = {"是", "已实施", "y", "yes", "true", "1", "√"}
NO = {"否", "未实施", "n", "no", "false", "0", ""}
RATING_NAMES = {"高": 5, "较高": 4, "中": 3, "较低": 2, "低": 1}


@dataclass
class StockRow:
    row: int
    number_raw: str
    number: str  # canonical application or publication number ("" when the patent is given by id)
    title: str = ""
    inventors: list[str] = field(default_factory=list)
    department: str = ""
    intentions: list[str] = field(default_factory=list)
    implemented: bool = False
    self_rating: int | None = None
    contact_name: str = ""
    contact_phone: str = ""
    contact_email: str = ""
    patent_id: int | None = None  # the patent in the store, when chosen from it (numbered or not)


@dataclass(frozen=True)
class RowError:
    file: str
    row: int
    field: str
    reason: str
    level: str = "error"  # error: row rejected; warning: row kept

    def as_dict(self) -> dict:
        return {"file": self.file, "row": self.row, "field": self.field, "reason": self.reason, "level": self.level}


def _split(text: str) -> list[str]:
    return [w for w in re.split(r"[,，;；、/\s]+", text or "") if w]


def split_names(text: str) -> list[str]:
    """Names typed in one box (发明人), separated by commas, semicolons or 、."""
    return [w.strip() for w in re.split(r"[,，;；、\n]+", text or "") if w.strip()]


def canonical_number(raw: str) -> str:
    """A 专利号 as typed (ZL/CN application number with or without check digit, or a publication
    number) → the canonical number. Raises ``numbers.CheckDigitError`` / ``numbers.PatentNumberError``."""
    try:
        return numbers.parse_application_number(raw).canonical
    except numbers.CheckDigitError:
        raise
    except numbers.PatentNumberError as app_error:
        try:
            return numbers.parse_publication_number(raw).canonical
        except numbers.PatentNumberError:
            raise numbers.PatentNumberError(
                f"无法识别的专利号（既不是申请号也不是公开号）：{raw} / unrecognised patent number") from app_error


def missing_headers(path: Path) -> list[str]:
    """Required headers that the sheet lacks (checked once, before reading rows)."""
    for _number, cells in sheet_rows(path):
        return [h for h in REQUIRED if not any(COLUMN_MAP.get(k) == COLUMN_MAP[h] for k in cells)]
    return []


def read_rows(path: Path, file_name: str | None = None) -> Iterator[StockRow | RowError]:
    file = file_name or path.name
    for number, cells in sheet_rows(path):
        data = {COLUMN_MAP[h]: v for h, v in cells.items() if h in COLUMN_MAP}
        text = {k: str(v).strip() if v is not None else "" for k, v in data.items()}
        raw = text.get("number", "")
        if not raw:
            yield RowError(file, number, "专利号", "缺少专利号 / missing patent number")
            continue
        try:
            canonical = canonical_number(raw)
        except numbers.PatentNumberError as exc:  # CheckDigitError included: its message names both digits
            yield RowError(file, number, "专利号", str(exc))
            continue
        intentions, bad = [], []
        for name in _split(text.get("intentions", "")):
            code = INTENTION_NAMES.get(name)
            if code is None:
                bad.append(name)
            elif code not in intentions:
                intentions.append(code)
        if bad:
            yield RowError(file, number, "转化意愿",
                           f"未知的转化意愿：{'、'.join(bad)}（可选：转让、许可、自行应用或产业化）")
            continue
        flag = text.get("implemented", "").lower()
        if flag not in YES | NO:
            yield RowError(file, number, "是否已实施", f"应填“是”或“否”：{text.get('implemented')}")
            continue
        rating_text = text.get("self_rating", "")
        rating: int | None = None
        if rating_text:
            if rating_text in RATING_NAMES:
                rating = RATING_NAMES[rating_text]
            else:
                try:
                    rating = int(float(rating_text))
                except ValueError:
                    rating = None
                if rating is None or not 1 <= rating <= 5 or float(rating_text) != rating:
                    yield RowError(file, number, "价值自评", f"应为 1–5 的整数或 高/较高/中/较低/低：{rating_text}")
                    continue
        yield StockRow(row=number, number_raw=raw, number=canonical, title=text.get("title", ""),
                       inventors=_split(text.get("inventors", "")), department=text.get("department", ""),
                       intentions=intentions, implemented=flag in YES, self_rating=rating,
                       contact_name=text.get("contact_name", ""), contact_phone=text.get("contact_phone", ""),
                       contact_email=text.get("contact_email", ""))


def template_xlsx() -> bytes:
    """The downloadable 批量建档 template: headers, one example row, and a sheet of instructions."""
    from openpyxl import Workbook
    from openpyxl.worksheet.datavalidation import DataValidation

    wb = Workbook()
    ws = wb.active
    ws.title = "存量专利批量建档"
    ws.append(TEMPLATE_HEADERS)
    ws.append(["ZL202223220665.2", "一种无人机机载多功能盒", "刘迪；刘敏", "计算机学院", "转让，许可", "否", 4, "张老师",
               "13800000000", "zhang@example.edu.cn"])
    for column, width in zip("ABCDEFGHIJ", (22, 36, 20, 16, 22, 12, 10, 12, 16, 24), strict=True):
        ws.column_dimensions[column].width = width
    yes_no = DataValidation(type="list", formula1='"是,否"', allow_blank=True)
    rating = DataValidation(type="whole", operator="between", formula1="1", formula2="5", allow_blank=True)
    ws.add_data_validation(yes_no)
    ws.add_data_validation(rating)
    yes_no.add("F2:F2000")
    rating.add("G2:G2000")
    help_ws = wb.create_sheet("填写说明")
    for line in [
        ["字段", "说明"],
        ["专利号", "必填。申请号（如 ZL202223220665.2、202223220665.2，校验位可省略）或公开（公告）号（如 CN218751475U）；"
                 "须已在平台专利库中"],
        ["专利名称、发明人", "可空，留空时按专利库著录信息补全；多个发明人用分号或逗号分隔"],
        ["所属院系", "决定由哪个院系审核人审核"],
        ["转化意愿", "可多选，用逗号分隔：转让、许可、自行应用或产业化"],
        ["是否已实施", "是 / 否"],
        ["价值自评", "1–5 的整数（5 最高），或 高、较高、中、较低、低"],
        ["流程", "发明人/院系建档 → 院系审核 → 学校审核 → 入库（存量专利基础库）→ 筛选 → 专利转化资源库"],
    ]:
        help_ws.append(line)
    help_ws.column_dimensions["A"].width = 18
    help_ws.column_dimensions["B"].width = 90
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()
