"""专利池 rules the platform applies, each with its source and confidence (see /docs policy RULES).

Confidence marks: [P] primary legal text, [I] official interpretation, [S] secondary or practice — shown in the
interface as 待核实 (to be confirmed against the official text). Rates, regions, windows, caps and the
allocation formula are the pool's own configuration (its rate card and settings), not rules.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

RULES = {
    "pool_definition": {
        "text": _("专利池由两个或以上专利权人委托其中一方或第三方进行联合运营"),
        "source": "《专利池建设运行工作指引》（国知发运字〔2025〕11号）",
        "confidence": "S",
    },
    "royalty_territorial": {
        "text": _("产品仅在制造国或销售国至少有一件入池专利于销售日有效时计收许可费"),
        "source": "专利权的地域性与期限（专利法第四十二条）；大型专利池（Via LA、Access Advance、Avanci、Sisvel）惯例",
        "confidence": "S",
    },
    "calculation_order": {
        "text": _("计费顺序：有效性判断 → 生效费率表 → 早鸟或标准单价 → 地区折扣 → 补缴附加 → 年度封顶"),
        "source": "专利池许可惯例；本平台约定，可由专利池配置",
        "confidence": "S",
    },
    "allocation_default": {
        "text": _("默认按有效专利·国家计点分配：每件在计费产品制造国或销售国有效的入池专利计一点"),
        "source": "大型专利池惯例（Via LA、Access Advance）；分配公式为专利池配置",
        "confidence": "S",
    },
    "essentiality": {
        "text": _("专利入池前由独立专家评估必要性；声明利益冲突的专家回避，不参与结论"),
        "source": "《专利池建设运行工作指引》（国知发运字〔2025〕11号）；认定评审回避规则参照",
        "confidence": "S",
    },
    "open_licence_conflict": {
        "text": _("开放许可声明期间不得授予独占或排他许可；存在独占、排他许可的专利不得作开放许可声明"),
        "source": "专利法第五十一条；专利法实施细则第八十六条",
        "confidence": "P",
    },
}

# Minimum number of non-conflicted evaluators whose opinions a decision rests on.
MIN_EVALUATORS = 2


def rule_rows() -> list[dict]:
    """The rules as rows for a page: text, source and whether it still needs confirming (待核实)."""
    return [{"code": code, "text": str(r["text"]), "source": r["source"], "confidence": r["confidence"],
             "to_confirm": r["confidence"] == "S"} for code, r in RULES.items()]
