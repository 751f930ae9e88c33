"""Excel export of a valuation run: one row per patent, totals, level-1 scores, then every indicator's
raw value and contribution (Chinese headers)."""

from __future__ import annotations

import io

from django.db.models import QuerySet
from openpyxl import Workbook

from ipoc.core.tables import safe_cell, safe_row
from ipoc.valuation import engine, selectors
from ipoc.valuation.models import ValuationRun


def export_run_xlsx(run: ValuationRun, valuations: QuerySet) -> bytes:
    tree = selectors.tree_of(run.tree_version)
    weights = tree.leaf_weights(run.scenario)
    names = {nid: tree.nodes[nid].name_zh for nid in tree.order}
    wb = Workbook(write_only=True)
    ws = wb.create_sheet("专利评估")
    ws.append(safe_row(["评估批次", run.pk, "场景", tree.scenarios.get(run.scenario, run.scenario), "评估基准日",
                        run.as_of.isoformat(), "指标体系", run.tree_version.label]))
    header = ["公开（公告）号", "申请号", "专利名称", "总分", "评级", "置信度"]
    header += [f"{names[r]}得分" for r in tree.roots]
    header += ["缺失指标", "分层建议", "剩余保护期（年）", "可节省年费（元）"]
    for leaf in tree.leaves:
        header += [f"{names[leaf]}·原值", f"{names[leaf]}·百分位", f"{names[leaf]}·贡献（权重 {weights[leaf]:.4f}）"]
    ws.append(safe_row(header))  # indicator names come from the editable indicator system
    for v in valuations.select_related("run").iterator(chunk_size=2000):
        p = v.patent
        ind = selectors.indicator_values(v)
        # a patent without numbers is named by its title (the next column), never by its internal key
        row = [p.publication_number or p.grant_number, p.application_number, safe_cell(p.title), v.score, v.grade,
               v.confidence]
        row += [v.level_scores.get(r) for r in tree.roots]
        row += ["、".join(names.get(m, m) for m in v.missing), engine.RECOMMENDATIONS.get(v.recommendation, ""),
                v.remaining_life_years, v.fee_saving]
        for leaf in tree.leaves:
            i = ind.get(leaf, {})
            row += [i.get("raw"), i.get("percentile"), i.get("contribution")]
        ws.append(safe_row(row))
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()
