"""专利密集型产品 备案认定: the rules this app applies, each with its source, in one place.

What is confirmed (policy/RULES.md '专利密集型产品', [S]): products are filed (备案) each year with the previous
year's data and recognised (认定: 申报 → 审查 → 认定 → 公示) on the national pilot platform (专利密集型产品备案
认定试点平台); applicants are patentees or licensees that make or sell the product; products are evaluated per
T/PPAC 402-2022, later GB/T 46961-2025.

What could not be confirmed against the official text — the exact fields of the platform's form, the yearly
filing window and the share of revenue the standard requires — is configuration here, shown to users as
待核实 and overridable in settings (``IPOC_PATENT_PRODUCT_PACK_FIELDS``, ``IPOC_PATENT_PRODUCT_WINDOW``).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.conf import settings
from django.utils.translation import gettext_lazy as _

# [S] sources (policy/RULES.md): shown to users under the 待核实 badge of the pack fields.
SOURCE_FILING = _("专利密集型产品备案认定试点平台：每年以上一年度数据备案；认定流程 申报 → 审查 → 认定 → 公示")
SOURCE_APPLICANT = _("申报主体为生产或销售该产品的专利权人或被许可人")
SOURCE_STANDARD = _("T/PPAC 402-2022《专利密集型产品评价方法》，后为 GB/T 46961-2025")
UNVERIFIED = _("待核实")

# Who records the platform's answers. [S] (policy/RULES.md '专利密集型产品'): 认定 (审查 → 认定 → 公示) is done on the
# national pilot platform, not by the applicant; the article of 国家知识产权局's rules that says who publishes the
# results could not be confirmed here (待核实). IPOC therefore records 认定审查中 / 公示中 / 认定通过 / 未通过 only as
# transcribed from the platform's published results, by a party other than the applicant: staff of an operation
# center serving the enterprise, an IP office whose area covers it, or a platform administrator; and 认定通过 only
# with the platform's reference or the 公示/公告 number, so the figure can be checked against the publication.
SOURCE_RESULTS = _("认定审查、公示与认定结果由国家专利密集型产品备案认定试点平台作出并公布；本平台据其公布结果登记"
                   "（依据条文待核实）")


@dataclass(frozen=True)
class PackField:
    """One field of the filing pack: its label on the platform, where its value comes from, whether it is
    confirmed against the platform's own form (False: shown as 待核实)."""

    code: str
    label: str
    source: str
    required: bool = True
    verified: bool = False


# The platform's form as far as it is known. Every field is 待核实 until checked against the platform.
PACK_FIELDS: tuple[PackField, ...] = (
    PackField("product_name", _("产品名称"), "product.name"),
    PackField("category", _("产品类别"), "product.category"),
    PackField("catalogue_code", _("国家产品目录代码"), "product.catalogue_code", required=False),
    PackField("enterprise", _("申报单位"), "product.enterprise.name"),
    PackField("credit_code", _("统一社会信用代码"), "product.enterprise.credit_code"),
    PackField("region", _("所在地区（行政区划代码）"), "product.enterprise.region_code", required=False),
    PackField("contact", _("联系人及电话"), "product.enterprise.contact", required=False),
    PackField("data_year", _("数据年度"), "filing.data_year"),
    PackField("output_value", _("产品年产值（万元）"), "year.output_value"),
    PackField("sales", _("产品年销售额（万元）"), "year.sales"),
    PackField("patent_revenue_share", _("专利贡献收入占比（%）"), "year.patent_revenue_share"),
    PackField("patents", _("支撑专利（专利号、名称、类型、法律状态、权利人/许可方式）"), "product.patents"),
    PackField("brand", _("产品品牌/商标"), "product.trademarks", required=False),
    PackField("evidence", _("证明材料"), "year.evidence", required=False),
)

# Window of the yearly 备案 (month, day) — 待核实; the reminder goes out this many days before it opens.
DEFAULT_WINDOW = (3, 1)
REMINDER_DAYS = 30


def pack_fields() -> tuple[PackField, ...]:
    configured = getattr(settings, "IPOC_PATENT_PRODUCT_PACK_FIELDS", None)
    return tuple(configured) if configured else PACK_FIELDS


def window_opens(year: int) -> dt.date:
    """The day the yearly 备案 window opens in ``year`` (待核实, configurable)."""
    month, day = getattr(settings, "IPOC_PATENT_PRODUCT_WINDOW", DEFAULT_WINDOW)
    return dt.date(year, month, day)


def data_year_for(today: dt.date) -> int:
    """备案 uses the previous year's data."""
    return today.year - 1


def reminder_due(today: dt.date) -> bool:
    """True from ``REMINDER_DAYS`` before the window opens until it opens."""
    opens = window_opens(today.year)
    return opens - dt.timedelta(days=REMINDER_DAYS) <= today <= opens
