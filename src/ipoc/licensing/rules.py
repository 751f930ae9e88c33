"""Every rule the licensing app applies, in ONE place, each with its source.

Confidence marks follow /work/shared/policy/RULES.md: ``P`` primary legal text (《中华人民共和国专利法》2020 年修正,
《专利法实施细则》2023 年修订), ``S`` a secondary report or a platform default — configuration that the pages show as
待核实 (to be confirmed against the official text). An instance overrides a value with the Django setting
``IPOC_LICENSING_RULES = {"<code>": value}``. The 细则 article texts are summarised here, not quoted: their exact
wording was not available, so where a rule's *list* (e.g. the obstacles of 细则第八十六条) drives a refusal, the
list itself is configuration marked 待核实.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.utils.translation import gettext_lazy as _

LAW = "《中华人民共和国专利法》"
REGS = "《中华人民共和国专利法实施细则》"
PLATFORM = "平台默认配置（无官方原文依据）"


@dataclass(frozen=True)
class LicensingRule:
    code: str
    title: str
    text: str
    source: str
    confidence: str  # "P" | "S"
    default: Any = None

    @property
    def value(self) -> Any:
        return getattr(settings, "IPOC_LICENSING_RULES", {}).get(self.code, self.default)

    @property
    def to_confirm(self) -> bool:
        return self.confidence == "S"

    def quote(self) -> str:
        return f"“{self.text}”（{self.source}）"

    def as_dict(self) -> dict:
        value = self.value
        if isinstance(value, Decimal):
            value = str(value)
        return {"code": self.code, "title": str(self.title), "text": str(self.text), "source": self.source,
                "confidence": self.confidence, "to_confirm": self.to_confirm, "value": value}


RULES: dict[str, LicensingRule] = {}


def _rule(code: str, title, text, source: str, confidence: str, default: Any = None) -> LicensingRule:
    rule = LicensingRule(code, title, text, source, confidence, default)
    RULES[code] = rule
    return rule


def rule(code: str) -> LicensingRule:
    return RULES[code]


# ---------------------------------------------------------------- the law (专利法第五十条至第五十二条)

LAW_50_DECLARATION = _rule(
    "law_50_declaration", _("开放许可声明"),
    _("专利权人自愿以书面方式向国务院专利行政部门声明愿意许可任何单位或者个人实施其专利，并明确许可使用费支付方式、"
      "标准的，由国务院专利行政部门予以公告，实行开放许可。"),
    f"{LAW}第五十条第一款", "P")

LAW_50_EVALUATION_REPORT = _rule(
    "law_50_evaluation_report", _("实用新型、外观设计须提供专利权评价报告"),
    _("就实用新型、外观设计专利提出开放许可声明的，应当提供专利权评价报告。"),
    f"{LAW}第五十条第一款", "P")

LAW_50_WITHDRAWAL = _rule(
    "law_50_withdrawal", _("撤回开放许可声明"),
    _("专利权人撤回开放许可声明的，应当以书面方式提出，并由国务院专利行政部门予以公告。开放许可声明被公告撤回的，"
      "不影响在先给予的开放许可的效力。"),
    f"{LAW}第五十条第二款", "P")

LAW_51_FORMATION = _rule(
    "law_51_formation", _("通知并付费即获得许可"),
    _("任何单位或者个人有意愿实施开放许可的专利的，以书面方式通知专利权人，并依照公告的许可使用费支付方式、标准支付"
      "许可使用费后，即获得专利实施许可。"),
    f"{LAW}第五十一条第一款", "P")

LAW_51_ANNUITY = _rule(
    "law_51_annuity", _("开放许可期间年费减免"),
    _("开放许可实施期间，对专利权人缴纳专利年费相应给予减免。"),
    f"{LAW}第五十一条第二款", "P")

LAW_51_NO_EXCLUSIVE = _rule(
    "law_51_no_exclusive", _("开放许可期间不得给予独占或排他许可"),
    _("实行开放许可的专利权人可以与被许可人就许可使用费进行协商后给予普通许可，但不得就该专利给予独占或者排他许可。"),
    f"{LAW}第五十一条第三款", "P")

LAW_52_DISPUTES = _rule(
    "law_52_disputes", _("开放许可纠纷的解决"),
    _("当事人就实施开放许可发生纠纷的，由当事人自行协商解决。不愿协商或者协商不成的，可以请求国务院专利行政部门进行"
      "调解，也可以向人民法院起诉。"),
    f"{LAW}第五十二条", "P")

LAW_14_CO_OWNERS = _rule(
    "law_14_co_owners", _("共有专利权的行使须经全体共有人同意"),
    _("除共有人可以单独实施或者以普通许可方式许可他人实施的情形外，行使共有的专利权应当取得全体共有人的同意；"
      "平台据此要求开放许可声明记录每一共有人的同意。"),
    f"{LAW}第十四条（适用于开放许可声明为平台的理解，待核实）", "S")

# ---------------------------------------------------------------- the regulations (细则第八十五条至第八十八条)

REGS_85_CONTENT = _rule(
    "regs_85_content", _("声明的内容与时间"),
    _("专利权人在专利权授予后提出开放许可声明，写明专利号、专利权人、许可使用费支付方式和标准、许可期限等，"
      "内容准确、清楚，不得有商业宣传用语。"),
    f"{REGS}第八十五条（要点，原文措辞未获取）", "P")

REGS_86_OBSTACLES = _rule(
    "regs_86_obstacles", _("不予公告开放许可声明的情形"),
    _("专利权处于独占或者排他许可有效期内、存在权属纠纷或者被采取保全措施而中止、未按规定缴纳年费、"
      "已经质押但未经质权人同意，或者存在其他妨碍开放许可实施的情形的，不予公告。"),
    f"{REGS}第八十六条（情形清单为平台配置，待核实）", "S",
    ["exclusive_licence", "dispute_or_preservation", "annuity_unpaid", "pledged_without_consent"])

REGS_87_FILING = _rule(
    "regs_87_filing", _("开放许可的备案"),
    _("通过开放许可达成专利实施许可的，专利权人或者被许可人应当凭能够证明达成许可的书面文件向国务院专利行政部门"
      "备案。"),
    f"{REGS}第八十七条（要点，原文措辞未获取）", "P")

REGS_88_TRUTHFUL = _rule(
    "regs_88_truthful", _("不得提供虚假材料"),
    _("专利权人不得通过提供虚假材料、隐瞒事实等手段作出开放许可声明或者在开放许可实施期间获得专利年费减免。"),
    f"{REGS}第八十八条（要点，原文措辞未获取）", "P")

# ---------------------------------------------------------------- eligibility (each blocker names one of these)

GRANTED = _rule(
    "granted", _("专利权已授予"),
    _("开放许可声明在专利权授予后提出；审中申请不能声明。"),
    f"{LAW}第五十条；{REGS}第八十五条", "P")

IN_FORCE = _rule(
    "in_force", _("专利权有效"),
    _("失效、期限届满或被宣告无效的专利不能实行开放许可。"),
    f"{LAW}第五十条（以有效专利权为前提）", "P")

# ---------------------------------------------------------------- fees (flags, not refusals) [S]

FEE_METHODS = _rule(
    "fee_methods", _("许可使用费支付方式"),
    _("一次性付费、提成支付、入门费加提成；免费许可须写明期限。"),
    "国家知识产权局《专利开放许可使用费估算指引（试行）》（转述，待核实）", "S",
    ["fixed", "royalty", "entry_plus_royalty", "free"])

FIXED_FEE_CEILING = _rule(
    "fixed_fee_ceiling", _("一次性许可费参考上限（元）"),
    _("一次性付费的许可使用费超过参考上限的，提示专利权人核实定价。"),
    "《专利开放许可使用费估算指引（试行）》（报道转述，待核实）", "S", Decimal("20000000"))

ROYALTY_NET_SALES_CEILING = _rule(
    "royalty_net_sales_ceiling", _("按净销售额提成的参考上限（%）"),
    _("提成比例超过净销售额的参考上限的，提示专利权人核实定价。"),
    "《专利开放许可使用费估算指引（试行）》（报道转述，待核实）", "S", Decimal("20"))

ROYALTY_PROFIT_CEILING = _rule(
    "royalty_profit_ceiling", _("按利润提成的参考上限（%）"),
    _("提成比例超过利润的参考上限的，提示专利权人核实定价。"),
    "《专利开放许可使用费估算指引（试行）》（报道转述，待核实）", "S", Decimal("40"))

ANNUITY_REDUCTION = _rule(
    "annuity_reduction", _("开放许可年费减缴比例（%）"),
    _("开放许可实施期间，专利年费按比例减缴，不与其他减缴同时享受。"),
    f"{LAW}第五十一条第二款；比例与不叠加规则见国家知识产权局公告（转述，待核实）", "S", Decimal("15"))

FILING_REMINDER_DAYS = _rule(
    "filing_reminder_days", _("许可备案提醒期限（天）"),
    _("开放许可达成后，提醒在三个月内办理备案。"),
    "《专利实施许可合同备案办法》（三个月期限为转述，待核实）", "S", 90)

ROYALTY_OVERDUE_DAYS = _rule(
    "royalty_overdue_days", _("提成应付期限（报告期结束后天数）"),
    _("提成在报告期结束后该天数内支付，逾期提醒双方。"),
    PLATFORM, "S", 30)

PUSH_LIMIT = _rule(
    "push_limit", _("每项声明推送企业数上限"),
    _("公告后按匹配度推送给需求相符的企业，中小企业优先（大手拉小手）。"),
    PLATFORM, "S", 20)

# Blocker code → the rule it cites.
BLOCKER_RULES: dict[str, LicensingRule] = {
    "not_granted": GRANTED,
    "not_in_force": IN_FORCE,
    "annuity_unpaid": REGS_86_OBSTACLES,
    "exclusive_licence": REGS_86_OBSTACLES,
    "pledged_without_consent": REGS_86_OBSTACLES,
    "dispute_or_preservation": REGS_86_OBSTACLES,
    "no_evaluation_report": LAW_50_EVALUATION_REPORT,
    "co_owner_consent_missing": LAW_14_CO_OWNERS,
    "already_declared": REGS_85_CONTENT,
}
