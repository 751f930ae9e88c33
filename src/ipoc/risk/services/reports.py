"""The risk report (报告): its content, publication, PDF."""

from __future__ import annotations

from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from ipoc.core.errors import ApplicationError
from ipoc.core.models import User
from ipoc.core.services import audit_record, notify, validated_save
from ipoc.risk import engine, rules, selectors
from ipoc.risk.models import (
    CheckStatus,
    ClaimElement,
    RiskCheck,
    RiskLevel,
    RiskReport,
)
from ipoc.risk.services.checks import independent_claims, require_manager

# ---------------------------------------------------------------- the report


def report_content(check: RiskCheck) -> dict:
    """The report's data (what the HTML and the PDF show), frozen when published."""
    view = selectors.candidates_view(check)
    kept = [c for fam in view["families"] for c in fam]
    rows = selectors.patent_rows([c.patent_id for c in kept + view["excluded"]])
    holders = selectors.patent_holder_names([c.patent_id for c in kept])
    options = selectors.licence_options([c.patent_id for c in kept])
    blocking = []
    for c in kept:
        row = rows.get(c.patent_id, {})
        claims = independent_claims(row.get("claims"))
        elements = list(c.elements.all())
        charts = []
        for claim in claims:
            if not claim["independent"]:
                continue
            els = [e for e in elements if e.claim_number == claim["number"]]
            if not els:
                continue
            charts.append({"number": claim["number"],
                           "risk": engine.claim_risk([e.mapping for e in els]),
                           "dependents": [d["number"] for d in claims if claim["number"] in d["refers_to"]],
                           "elements": [{"text": e.text, "mapping": e.mapping, "mapping_label": e.get_mapping_display(),
                                         "feature": e.proposed_feature, "evidence": e.evidence,
                                         "confirmed": e.confirmed, "note": e.note} for e in els]})
        opt = options.get(c.patent_id, {})
        cites = [str(x.get("number") if isinstance(x, dict) else x) for x in row.get("backward_citations") or []][:8]
        blocking.append({
            "patent_id": c.patent_id, "number": row.get("number", ""), "title": row.get("title", ""),
            "holders": holders.get(c.patent_id, []), "risk": c.risk, "risk_label": c.get_risk_display(),
            "family": c.family_key, "markets": c.markets, "charts": charts,
            "design_around": c.design_around,
            "pools": [{"name": p.get("name", ""), "url": p.get("url", "")} for p in opt.get("pools", [])],
            "open_licence": bool(opt.get("open_licence")),
            "pledges": [{"title": p.get("title", ""), "url": p.get("url", "")} for p in opt.get("pledges", [])],
            "invalidity_leads": [x for x in cites if x and x != "None"]})
    order = engine.RISK_ORDER
    blocking.sort(key=lambda b: -order[b["risk"]])
    charted_low = [b for b in blocking if b["risk"] == "low"]
    unrated = [b for b in blocking if b["risk"] == "unrated"]
    blocking = [b for b in blocking if b["risk"] in ("high", "medium")]
    conclusions = []
    for m in check.markets:
        in_market = [b for b in blocking if b["markets"].get(m, {}).get("kept")]
        low_here = [b for b in charted_low if b["markets"].get(m, {}).get("kept")]
        open_here = [b for b in unrated if b["markets"].get(m, {}).get("kept")]
        worst = max((b["risk"] for b in in_market), key=order.__getitem__,
                    default="low" if low_here else "unrated")
        high = [b["number"] for b in in_market if b["risk"] == "high"]
        medium = [b["number"] for b in in_market if b["risk"] == "medium"]
        if worst == "high":
            text = _("存在较高侵权风险：%(n)s 的独立权利要求全部技术特征在产品中均有体现，建议在出口前取得许可、规避设计或评估无效可能") % {
                "n": "、".join(high)}
        elif worst == "medium":
            text = _("存在一定风险：%(n)s 含等同或待判断特征，建议专业律师进一步分析") % {"n": "、".join(medium)}
        elif low_here:
            text = _("已对比的 %(n)d 件有效或审中专利均至少缺少一项技术特征，未发现全面覆盖产品的专利") % {"n": len(low_here)}
        else:
            text = _("在检索范围内未发现该市场有效或审中、且可对比权利要求的相关专利")
        if open_here:
            text += _("；另有 %(n)d 件因库中无权利要求文本未做对比，建议补充全文后复核") % {"n": len(open_here)}
        conclusions.append({"market": m, "label": rules.market_label(m), "risk": worst,
                            "risk_label": str(RiskLevel(worst).label), "text": text,
                            "patents": len(in_market) + len(low_here) + len(open_here)})
    next_actions = []
    if any(b["risk"] == "high" for b in blocking):
        next_actions.append(_("就高风险专利联系权利人洽谈许可，或通过运营中心了解专利池、开放许可渠道"))
        next_actions.append(_("组织技术人员评估规避设计方案，并对引证文献开展无效检索"))
    if any(b["risk"] == "medium" for b in blocking):
        next_actions.append(_("对含等同特征的专利委托专业机构出具侵权分析意见"))
    next_actions.append(_("平台将持续监控：新增相关专利、申请授权、专利权恢复或新的诉讼/337 案件时通知申请单位"))
    return {
        "title": check.title, "product_name": check.product_name, "description": check.description,
        "features": check.features, "variants": check.variants, "components": check.components,
        "markets": [{"code": m, "label": rules.market_label(m)} for m in check.markets],
        "horizon_date": check.horizon_date.isoformat(), "requester": check.requester.name,
        "center": check.center.name if check.center else "",
        "rounds": [{"number": r.number, "route": r.get_route_display(), "query": r.query[:300], "hits": r.hits,
                    "new_hits": r.new_hits, "stop_reason": r.stop_reason} for r in check.rounds.all()],
        "stop_reason": check.stop_reason,
        "kept_count": len(kept), "excluded_count": len(view["excluded"]),
        "excluded": [{"number": rows.get(c.patent_id, {}).get("number", ""),
                      "reasons": [f"{rules.market_label(m)}：{v['reason']}" for m, v in c.markets.items()]}
                     for c in view["excluded"][:100]],
        "blocking": blocking, "conclusions": conclusions, "next_actions": next_actions,
        "low": [{"number": b["number"], "title": b["title"], "patent_id": b["patent_id"],
                 "absent": [e["text"][:120] for ch in b["charts"] for e in ch["elements"] if e["mapping"] == "absent"][:3]}
                for b in charted_low],
        "unrated": [{"number": b["number"], "title": b["title"], "patent_id": b["patent_id"]} for b in unrated[:100]],
        "unrated_count": len(unrated),
        "risk": check.risk, "risk_label": check.get_risk_display(),
        "disclaimer": _("本报告由产业知识产权运营中心基于平台专利数据检索与比对生成，仅供企业决策参考，不构成法律意见；"
                        "侵权判定以有管辖权的法院或行政机关的认定为准。专利法律状态以各国专利局公告为准，"
                        "标注“待核实”的内容须进一步核实。"),
        "generated_at": timezone.localtime().strftime("%Y-%m-%d %H:%M"),
    }


@transaction.atomic
def report_publish(*, actor: User | None, check: RiskCheck) -> RiskReport:
    """Publish a report version, finish the check (it stays watched) and tell the requester."""
    require_manager(actor, check)
    if not check.candidates.exists() and not check.rounds.exists():
        raise ApplicationError(_("请先运行检索，再出具报告"), field="check")
    unconfirmed = ClaimElement.objects.filter(candidate__check_obj=check, candidate__removed=False,
                                              candidate__in_scope=True, candidate__risk__in=("high", "medium"),
                                              confirmed=False).count()
    if unconfirmed:
        raise ApplicationError(_("中高风险专利还有 %(n)d 项技术特征对比未经确认") % {"n": unconfirmed}, field="check")
    version = (check.reports.order_by("-version").values_list("version", flat=True).first() or 0) + 1
    report = RiskReport.objects.create(check_obj=check, version=version, content=report_content(check),
                                       published_by=actor if actor is not None and actor.pk else None)
    old = check.status
    check.status = CheckStatus.FINISHED
    check.finished_at = timezone.now()
    check.reopen_reason = ""
    validated_save(check)
    audit_record(actor=actor, action="transition", obj=check, changes={"status": [old, check.status],
                                                                      "report": [None, version]})
    notify(users=check.requester.users.all(), title=_("风险预警报告已出具：%(t)s") % {"t": check.title},
           body=_("总体风险：%(r)s") % {"r": check.get_risk_display()},
           url=reverse("risk_report", args=[check.pk]), kind="risk")
    return report


def report_pdf(report: RiskReport) -> bytes:
    from ipoc.risk.pdf import render_pdf

    return render_pdf(report.content)
