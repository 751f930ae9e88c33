"""基础条件 check (先建设、后认定): each condition of a level's rule set as met / not met / missing,
with its figure, threshold, the rule it comes from and the ids of the records behind it.

The rule sets below only arrange rules; every threshold, host type and source string is in ``rules``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from ipoc.centers import kpi, rules
from ipoc.centers.models import CenterEvidence, CenterLevel, EvidenceKind, HostType

MET, NOT_MET, MISSING = "met", "not_met", "missing"
VERDICT_LABELS = {MET: gettext_lazy("满足"), NOT_MET: gettext_lazy("不满足"), MISSING: gettext_lazy("缺少证明/数据")}


@dataclass
class ConditionResult:
    code: str
    label: str
    group: str
    rule: rules.PolicyRule
    verdict: str
    figure: Any = None
    unit: str = ""
    threshold: Any = None
    note: str = ""
    records: list[tuple[str, int]] = field(default_factory=list)
    any_of: list[ConditionResult] = field(default_factory=list)

    def as_dict(self) -> dict:
        return {
            "code": self.code, "label": str(self.label), "group": str(self.group),
            "figure": self.figure, "unit": self.unit, "threshold": self.threshold,
            "verdict": self.verdict, "verdict_label": str(VERDICT_LABELS[self.verdict]), "note": self.note,
            "records": [{"model": m, "id": i} for m, i in self.records],
            "rule": self.rule.code, "source": self.rule.source, "to_confirm": self.rule.to_confirm,
            "any_of": [c.as_dict() for c in self.any_of],
        }


def _host_type(center, rule: rules.PolicyRule) -> ConditionResult:
    eligible = list(rule.value_for(center.managing_office_id))
    ok = center.host_type in eligible
    return ConditionResult(
        "host_type", _("建设主体类型"), _("建设主体"), rule, MET if ok else NOT_MET,
        figure=str(HostType(center.host_type).label),
        threshold="、".join(str(HostType(t).label) for t in eligible if t in HostType.values),
        records=[("core.organization", center.host_organization_id)],
        note="" if ok else _("建设主体类型不在该层级的合格类型之内"))


def _support(center, kind: str) -> ConditionResult:
    evidence = list(CenterEvidence.objects.filter(center=center, kind=kind).order_by("id"))
    with_file = [e for e in evidence if e.file]
    if with_file:
        verdict, note = MET, ""
    elif evidence:
        verdict, note = MISSING, _("已申报但未附证明材料")
    else:
        verdict, note = MISSING, _("未申报")
    return ConditionResult(
        f"support_{kind}", str(EvidenceKind(kind).label), _("条件保障"), rules.SUPPORT_CONDITIONS, verdict,
        figure=len(with_file), unit=_("份材料"), threshold=1, note=note,
        records=[("centers.centerevidence", e.pk) for e in with_file or evidence])


def _kpi(center, year: int, code: str, rule: rules.PolicyRule, unit: str = "") -> ConditionResult:
    threshold = rule.value_for(center.managing_office_id)
    figure = kpi.kpi_figure(code, center, year)
    label = str(kpi.KPI_LABELS.get(code, code))
    if figure is None:
        return ConditionResult(code, label, _("工作成效"), rule, MISSING, unit=unit, threshold=threshold,
                               note=_("数据未接入：该指标的数据来源尚未在平台上线"))
    value = figure.value
    ok = Decimal(value) >= Decimal(str(threshold))
    return ConditionResult(code, label, _("工作成效"), rule, MET if ok else NOT_MET,
                           figure=value, unit=figure.unit or unit, threshold=threshold, records=list(figure.record_refs))


def _any_of(code: str, label: str, children: list[ConditionResult], rule: rules.PolicyRule) -> ConditionResult:
    verdicts = {c.verdict for c in children}
    verdict = MET if MET in verdicts else (MISSING if MISSING in verdicts else NOT_MET)
    return ConditionResult(code, label, _("工作成效"), rule, verdict, note=_("满足其一即可"), any_of=children,
                           records=[r for c in children for r in c.records])


def _ruleset(center, level: str, year: int) -> list[ConditionResult]:
    support = [_support(center, k) for k in rules.SUPPORT_CONDITIONS.value_for(center.managing_office_id)]
    if level == CenterLevel.NATIONAL:
        return [
            _host_type(center, rules.HOST_TYPES_NATIONAL),
            *support,
            _any_of("transfer_and_industrialisation", _("转化和产业化成效"), [
                _kpi(center, year, kpi.ANNUAL_DEAL_AMOUNT, rules.NATIONAL_ANNUAL_DEAL_AMOUNT, _("万元")),
                _kpi(center, year, kpi.CUMULATIVE_PROJECTS, rules.NATIONAL_CUMULATIVE_PROJECTS, _("个")),
            ], rules.NATIONAL_ANNUAL_DEAL_AMOUNT),
            _kpi(center, year, kpi.STOCK_PATENTS_REVITALIZED, rules.NATIONAL_STOCK_REVITALIZED, _("件")),
            _kpi(center, year, kpi.SMES_SERVED, rules.NATIONAL_SMES_SERVED, _("家")),
            _kpi(center, year, kpi.DEMANDS_SOLVED, rules.NATIONAL_DEMANDS_SOLVED, _("项")),
        ]
    return [
        _host_type(center, rules.HOST_TYPES_LOCAL),
        *support,
        _kpi(center, year, kpi.SMES_SERVED, rules.LOCAL_SMES_SERVED, _("家")),
        _kpi(center, year, kpi.DEMANDS_SOLVED, rules.LOCAL_DEMANDS_SOLVED, _("项")),
    ]


def overall(results: list[ConditionResult]) -> str:
    verdicts = {r.verdict for r in results}
    return NOT_MET if NOT_MET in verdicts else (MISSING if MISSING in verdicts else MET)


def check_basic_conditions(center, *, level: str | None = None, year: int) -> dict:
    """The basic-conditions check of ``center`` against ``level``'s rule set for ``year``."""
    level = level or center.level
    results = _ruleset(center, level, year)
    verdict = overall(results)
    return {
        "center": {"id": center.pk, "name": center.name},
        "level": level, "level_label": str(CenterLevel(level).label), "year": year,
        "verdict": verdict, "verdict_label": str(VERDICT_LABELS[verdict]),
        "principle": rules.BUILD_THEN_RECOGNISE.as_dict()["text"],
        "conditions": [r.as_dict() for r in results],
    }
