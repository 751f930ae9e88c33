"""How a rule's basis and value are shown to officials: in official wording, never as developer notes.

``rules.py`` keeps each rule's source as a research note (which part of the guideline or its interpretation,
what was not found, what the platform assumed). An official reads instead:

    依据：《产业知识产权运营中心建设管理工作指引（暂行）》（国知办函运字〔2024〕1155号）第四部分“认定管理”；
    本项为平台默认值，待核实，可由管理部门调整。

and a value in words (labels, units, tables), never a stored code or a Python/JSON literal.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _l

from ipoc.centers import rules
from ipoc.centers.models import CenterLevel, EvidenceKind, Grade, HostType, RevocationGround

GUIDELINE = "《产业知识产权运营中心建设管理工作指引（暂行）》（国知办函运字〔2024〕1155号）"
SHORT_GUIDELINE = _l("《工作指引》")  # where a page names the guideline in full once (see SHORT_NOTE)
SHORT_NOTE = _l("《工作指引》即《产业知识产权运营中心建设管理工作指引（暂行）》（国知办函运字〔2024〕1155号）。")
PARTS = {
    1: _l("第一部分“总则”"),
    2: _l("第二部分“主要职责”"),
    3: _l("第三部分“基础条件”"),
    4: _l("第四部分“认定管理”"),
    5: _l("第五部分“服务保障”"),
}

# Where each rule rests: guideline parts (as CNIPA's interpretation describes them), a topic of the
# interpretation itself, or nothing (a platform default). Kept in step with the source notes in ``rules``.
BASIS: dict[str, tuple] = {
    "no_sub_centers": ("part", 4, _l("不得自行设立分中心")),
    "branch_name_markers": ("part", 4, _l("不得自行设立分中心")),
    "name_required_text": (),
    "national_name_pattern": ("part", 4, _l("命名方式")),
    "national_name_prefix": ("part", 4, _l("命名方式")),
    "office_level_for_center_level": ("part", 4, ""),
    "build_then_recognise": ("part", 3, _l("先建设、后认定")),
    "legacy_letter_support": ("interpretation", _l("关于工作衔接")),
    "host_types_national": ("part", 3, _l("建设主体")),
    "host_types_local": ("interpretation", _l("总体思路")),
    "support_conditions": ("part", 3, _l("条件保障")),
    "national_annual_deal_amount": ("part", 3, _l("工作成效")),
    "national_cumulative_projects": ("part", 3, _l("工作成效")),
    "national_stock_revitalized": ("part", 3, _l("工作成效")),
    "national_smes_served": ("part", 3, _l("工作成效")),
    "national_demands_solved": ("part", 2, _l("开展转化对接")),
    "local_smes_served": (),
    "local_demands_solved": (),
    "recognition_procedure": ("part", 4, _l("认定程序")),
    "step_days": (),
    "remind_days_before": (),
    "scoring_sheet": ("part", 3, ""),
    "min_expert_scores": (),
    "pass_score": (),
    "publicity_working_days": ("part", 4, _l("认定程序")),
    "certificate_number_pattern": (),
    "evaluation_indicators": ("part", 4, _l("定期评价")),
    "grade_thresholds": ("part", 4, _l("定期评价")),
    "rectify_on_fail": ("part", 4, _l("动态管理")),
    "revocation_grounds": ("part", 4, _l("资格取消")),
    "commend_excellent": ("interpretation", _l("总体思路")),
}


def _basis_text(code: str, doc: str) -> str:
    basis = BASIS.get(code, ())
    if not basis:
        return ""
    if basis[0] == "part":
        _kind, part, topic = basis
        where = str(PARTS[part]) + (f"（{topic}）" if topic else "")
        return _("依据：%(doc)s%(where)s") % {"doc": doc, "where": where}
    return _("依据：国家知识产权局办公室关于%(doc)s的解读（%(topic)s）") % {"doc": doc, "topic": basis[1]}


def basis(rule_or_code, *, short: bool = False) -> dict:
    """``{"text", "to_confirm", "official"}``: the wording an official reads for a rule's basis. ``short``
    names the guideline as 《工作指引》 (for a table that repeats it on every row; the page explains it once)."""
    rule = rules.RULES[rule_or_code] if isinstance(rule_or_code, str) else rule_or_code
    parts = [p for p in (_basis_text(rule.code, str(SHORT_GUIDELINE) if short else GUIDELINE),) if p]
    if rule.to_confirm:
        who = _("管理部门") if rule.office_configurable else _("平台管理员")
        parts.append(_("本项为平台默认值，待核实，可由%(who)s调整") % {"who": who})
    text = "；".join(parts) + "。" if parts else ""
    return {"text": text, "to_confirm": rule.to_confirm, "official": not rule.to_confirm}


def with_basis(conditions: list[dict]) -> list[dict]:
    """Condition rows of a basic-conditions check (or its snapshot) with the official basis of their rule
    (short form: the table's footer names the guideline in full)."""
    out = []
    for c in conditions:
        row = dict(c)
        code = row.get("rule")
        row["basis"] = basis(code, short=True)["text"] if code in rules.RULES else ""
        row["any_of"] = with_basis(row.get("any_of") or [])
        out.append(row)
    return out


# ---------------------------------------------------------------- values in words

UNITS = {
    "national_annual_deal_amount": _l("万元"), "national_cumulative_projects": _l("个"), "national_stock_revitalized": _l("件"),
    "national_smes_served": _l("家"), "national_demands_solved": _l("项"), "local_smes_served": _l("家"),
    "local_demands_solved": _l("项"), "remind_days_before": _l("日"), "min_expert_scores": _l("份"), "pass_score": _l("分"),
    "publicity_working_days": _l("个工作日"), "rectify_on_fail": _l("日"),
}
STEP_LABELS = {"recommend": _l("地方推荐"), "formal_review": _l("形式审查"), "correction": _l("补正"), "expert_review": _l("专家评审")}
CODE_LABELS = {
    "host_types_national": dict(HostType.choices), "host_types_local": dict(HostType.choices),
    "support_conditions": dict(EvidenceKind.choices), "revocation_grounds": dict(RevocationGround.choices),
}
INDICATOR_SOURCES = {"kpi": _l("平台记录"), "expert": _l("专家评分")}


def _number(v) -> str:
    if isinstance(v, float) and v.is_integer():
        v = int(v)
    return f"{v:,}" if isinstance(v, int) else str(v)


def value_display(code: str, value: Any) -> dict:
    """A rule value for people: ``{"text": …}`` or ``{"rows": […], "columns": […]}`` for a table."""
    from ipoc.core.models import OfficeLevel

    if value is None:
        return {"text": ""}
    if isinstance(value, bool):
        return {"text": _("是") if value else _("否")}
    if isinstance(value, (int, float)):
        unit = UNITS.get(code, "")
        return {"text": f"{_number(value)} {unit}".strip()}
    if isinstance(value, str):
        if code == "national_name_pattern":
            return {"text": value.replace("{industry}", _("〔产业领域〕"))}
        if code == "certificate_number_pattern":
            try:
                return {"text": _("如 %(e)s") % {"e": value.format(level="NAT", year=2025, seq=1)}}
            except (KeyError, IndexError, ValueError):
                return {"text": value}
        return {"text": value}
    if isinstance(value, dict):
        if code == "step_days":
            return {"text": "；".join(f"{STEP_LABELS.get(k, k)} {_number(v)} 日" for k, v in value.items())}
        if code == "grade_thresholds":
            labels = dict(Grade.choices)
            return {"text": "；".join(f"{labels.get(k, k)} ≥ {_number(v)} 分" for k, v in value.items())}
        if code == "office_level_for_center_level":
            levels, offices = dict(CenterLevel.choices), dict(OfficeLevel.choices)
            return {"text": "；".join(
                _("%(c)s运营中心：%(o)s管理部门") % {"c": levels.get(k, k),
                                                   "o": "、".join(str(offices.get(x, x)) for x in v)}
                for k, v in value.items())}
        return {"text": "；".join(f"{k}：{v}" for k, v in value.items())}
    if isinstance(value, list):
        if value and all(isinstance(x, dict) for x in value):
            if code == "scoring_sheet":
                return {"columns": [_("评分项"), _("满分")],
                        "rows": [[x.get("label", ""), _number(x.get("max", ""))] for x in value],
                        "total": _("合计 %(n)s 分") % {"n": _number(sum(x.get("max", 0) for x in value))}}
            if code == "evaluation_indicators":
                return {"columns": [_("指标"), _("来源"), _("目标值"), _("权重")],
                        "rows": [[x.get("label", ""), INDICATOR_SOURCES.get(x.get("source"), ""),
                                  _number(x.get("target", "")), _number(x.get("weight", ""))] for x in value]}
            return {"text": "；".join(str(x.get("label", "")) for x in value)}
        labels = CODE_LABELS.get(code, {})
        return {"text": "、".join(str(labels.get(x, x)) for x in value)}
    return {"text": str(value)}
