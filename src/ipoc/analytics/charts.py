"""ECharts options for the landscape (read by ``static/ipoc/ipoc.js`` from ``data-chart``): every chart has a
title and its unit, a legend naming each series, labels that are truncated or hidden rather than overlapping,
and ``ipocLinks`` so a click on a bar opens the patents behind it."""

from __future__ import annotations

from django.utils.translation import gettext as _

BLUE, GREEN, ORANGE, PURPLE, RED = "#206bc4", "#2fb344", "#f76707", "#ae3ec9", "#d63939"


def _title(text: str, unit: str = "") -> dict:
    return {"text": text, "subtext": _("单位：%(u)s") % {"u": unit} if unit else "", "left": 0, "top": 0,
            "textStyle": {"fontSize": 14, "fontWeight": 600}, "subtextStyle": {"fontSize": 12}}


def _chart(chart_id: str, title: str, option: dict | None, *, height: int = 320, empty: str = "") -> dict:
    return {"id": chart_id, "title": title, "option": option, "height": height, "drill": True,
            "empty": empty or _("暂无数据")}


def bar(title: str, unit: str, series: str, labels: list[str], values: list, *, links: dict | None = None,
        horizontal: bool = True, color: str = BLUE) -> dict:
    """A bar chart that reads: horizontal bars largest first with truncated labels, or vertical bars with
    rotated labels when there are many."""
    label_axis = {"type": "category", "data": labels[::-1] if horizontal else labels,
                  "axisTick": {"alignWithLabel": True},
                  "axisLabel": ({"width": 130, "overflow": "truncate", "interval": 0} if horizontal
                                else {"interval": "auto", "rotate": 40 if len(labels) > 8 else 0, "hideOverlap": True})}
    value_axis = {"type": "value", "minInterval": 1}  # the unit is in the subtitle
    option = {
        "title": _title(title, unit),
        "legend": {"data": [series], "bottom": 0, "left": "center"},
        "tooltip": {"trigger": "axis", "axisPointer": {"type": "shadow"}, "confine": True},
        "grid": {"left": 8, "right": 40, "top": 60, "bottom": 30, "containLabel": True},
        "xAxis": value_axis if horizontal else label_axis,
        "yAxis": label_axis if horizontal else value_axis,
        "series": [{"name": series, "type": "bar", "data": values[::-1] if horizontal else values, "barMaxWidth": 26,
                    "label": {"show": True, "position": "right" if horizontal else "top"},
                    "labelLayout": {"hideOverlap": True}, "itemStyle": {"color": color}}],
    }
    if links:
        option["ipocLinks"] = links
    return option


def _hbar_height(n: int) -> int:
    return max(220, 100 + 26 * n)


def _ranking(chart_id: str, table: dict, label_col: int, value_col: int, series: str, *, color: str = BLUE,
             horizontal: bool = True) -> dict:
    rows = table["rows"]
    labels = [str(r["cells"][label_col]) for r in rows]
    values = [r["cells"][value_col] for r in rows]
    option = bar(table["title"], table["unit"], series, labels, values, color=color, horizontal=horizontal,
                 links={lab: r["url"] for lab, r in zip(labels, rows, strict=True) if r["url"]}) if rows else None
    return _chart(chart_id, table["title"], option, height=_hbar_height(len(rows)) if horizontal else 320,
                  empty=table["empty"])


def _continuous(rows: list[dict]) -> list[dict]:
    """Rows of every year from the first to the last (a year without filings is a 0, not a missing bar)."""
    by_year = {str(r["cells"][0]): r for r in rows}
    years = [int(y) for y in by_year if y.isdigit()]
    if not years:
        return rows
    return [by_year.get(str(y)) or {"cells": [str(y), 0, 0, 0], "url": ""} for y in range(min(years), max(years) + 1)]


def trend(table: dict) -> dict:
    rows = _continuous(table["rows"])
    if not rows:
        return _chart("chart-trend", table["title"], None, empty=table["empty"])
    years = [str(r["cells"][0]) for r in rows]
    option = {
        "title": _title(table["title"], _("件（申请量、授权量）；个（申请人数）")),
        "legend": {"data": [_("申请量"), _("授权量"), _("申请人数")], "bottom": 0},
        "tooltip": {"trigger": "axis", "confine": True},
        "grid": {"left": 8, "right": 8, "top": 70, "bottom": 34, "containLabel": True},
        "xAxis": {"type": "category", "data": years,
                  "axisLabel": {"interval": "auto", "rotate": 40 if len(years) > 12 else 0, "hideOverlap": True}},
        "yAxis": [{"type": "value", "minInterval": 1},  # left: 件, right: 个 (both named in the subtitle)
                  {"type": "value", "minInterval": 1, "splitLine": {"show": False}}],
        "series": [
            {"name": _("申请量"), "type": "bar", "data": [r["cells"][1] for r in rows], "itemStyle": {"color": BLUE},
             "barMaxWidth": 22},
            {"name": _("授权量"), "type": "bar", "data": [r["cells"][2] for r in rows], "itemStyle": {"color": GREEN},
             "barMaxWidth": 22},
            {"name": _("申请人数"), "type": "line", "yAxisIndex": 1, "data": [r["cells"][3] for r in rows],
             "itemStyle": {"color": ORANGE}, "smooth": False},
        ],
        "ipocLinks": {y: r["url"] for y, r in zip(years, rows, strict=True) if r["url"]},
    }
    return _chart("chart-trend", table["title"], option, height=340)


def lifecycle(table: dict) -> dict:
    """技术生命周期图: applications (x) against applicants (y), one point per year, joined in time order."""
    rows = [r for r in table["rows"] if r["cells"][1] or r["cells"][3]]
    title = _("技术生命周期（申请量—申请人数）")
    if len(rows) < 2:
        return _chart("chart-lifecycle", title, None, empty=_("至少需要两个年份的申请数据"))
    points = [{"name": str(r["cells"][0]), "value": [r["cells"][1], r["cells"][3]]} for r in rows]
    option = {
        "title": _title(title, _("横轴：申请量（件）；纵轴：申请人数（个）")),
        "tooltip": {"trigger": "item", "formatter": "{b}：{c}", "confine": True},
        "legend": {"data": [_("年份")], "bottom": 0},
        "grid": {"left": 8, "right": 30, "top": 80, "bottom": 60, "containLabel": True},
        "xAxis": {"type": "value", "name": _("申请量"), "minInterval": 1, "nameLocation": "middle", "nameGap": 28},
        # the axis name starts at the axis and runs right: centred on it, a long name is cut at the card's edge
        "yAxis": {"type": "value", "name": _("申请人数"), "minInterval": 1, "nameTextStyle": {"align": "left"}},
        "series": [{"name": _("年份"), "type": "line", "data": points, "symbolSize": 7,
                    "label": {"show": True, "formatter": "{b}", "position": "top", "fontSize": 10},
                    "labelLayout": {"hideOverlap": True}, "itemStyle": {"color": PURPLE}}],
        "ipocLinks": {p["name"]: r["url"] for p, r in zip(points, rows, strict=True)},
    }
    return _chart("chart-lifecycle", title, option, height=340)


def network(chart_id: str, table: dict, *, unit: str) -> dict:
    """A force graph of pairs (co-applicants, citations); only the busiest nodes carry a label."""
    rows = table["rows"]
    if not rows:
        return _chart(chart_id, table["title"], None, empty=table["empty"])
    degree: dict[str, int] = {}
    for r in rows:
        w = r["cells"][2] if len(r["cells"]) > 2 else 1
        for name in r["cells"][:2]:
            degree[str(name)] = degree.get(str(name), 0) + w
    top = set(sorted(degree, key=lambda k: -degree[k])[:12])
    option = {
        "title": _title(table["title"], unit),
        "tooltip": {"confine": True},
        "legend": {"data": [_("节点")], "bottom": 0},
        "series": [{
            "name": _("节点"), "type": "graph", "layout": "force", "roam": True, "top": 60, "bottom": 30,
            "force": {"repulsion": 160, "edgeLength": [40, 120]},
            "labelLayout": {"hideOverlap": True},
            "data": [{"name": k, "value": v, "symbolSize": min(40, 8 + 3 * v),
                      "label": {"show": k in top, "width": 120, "overflow": "truncate"}} for k, v in degree.items()],
            "links": [{"source": str(r["cells"][0]), "target": str(r["cells"][1]),
                       "value": r["cells"][2] if len(r["cells"]) > 2 else 1,
                       "lineStyle": {"width": min(6, r["cells"][2] if len(r["cells"]) > 2 else 1)}} for r in rows],
            "lineStyle": {"color": "source", "opacity": 0.6, "curveness": 0.1},
            "itemStyle": {"color": BLUE},
        }],
    }
    return _chart(chart_id, table["title"], option, height=420)


def heatmap(table: dict) -> dict:
    rows = table["rows"]
    if not rows:
        return _chart("chart-ipc-year", table["title"], None, empty=table["empty"])
    subs = sorted({r["cells"][0] for r in rows})
    years = sorted({r["cells"][1] for r in rows})
    data = [[years.index(r["cells"][1]), subs.index(r["cells"][0]), r["cells"][2]] for r in rows]
    top = max(r["cells"][2] for r in rows)
    option = {
        "title": _title(table["title"], table["unit"]),
        "tooltip": {"position": "top", "confine": True},
        "grid": {"left": 8, "right": 8, "top": 60, "bottom": 70, "containLabel": True},
        "xAxis": {"type": "category", "data": years, "splitArea": {"show": True},
                  "axisLabel": {"interval": "auto", "rotate": 40 if len(years) > 12 else 0, "hideOverlap": True}},
        "yAxis": {"type": "category", "data": subs, "splitArea": {"show": True}},
        "visualMap": {"min": 0, "max": top, "calculable": False, "orient": "horizontal", "left": "center",
                      "bottom": 0, "itemHeight": 120, "text": [f"{top} {table['unit']}", f"0 {table['unit']}"],
                      "inRange": {"color": ["#eef3fb", BLUE]}},
        "series": [{"name": _("专利数"), "type": "heatmap", "data": data,
                    "label": {"show": len(years) <= 15, "fontSize": 10}}],
    }
    return _chart("chart-ipc-year", table["title"], option, height=max(300, 140 + 26 * len(subs)))


def sankey(table: dict) -> dict:
    rows = table["rows"]
    if not rows:
        return _chart("chart-flows", table["title"], None, empty=table["empty"])
    src_names = [_("优先权·%(c)s") % {"c": r["cells"][0]} for r in rows]
    dst_names = [_("申请·%(c)s") % {"c": r["cells"][1]} for r in rows]
    nodes = list(dict.fromkeys([*src_names, *dst_names]))
    option = {
        "title": _title(table["title"], table["unit"]),
        "tooltip": {"trigger": "item", "confine": True},
        "series": [{"type": "sankey", "top": 60, "bottom": 10, "left": 10, "right": 90,
                    "data": [{"name": n} for n in nodes], "emphasis": {"focus": "adjacency"},
                    "links": [{"source": s, "target": d, "value": r["cells"][2]}
                              for s, d, r in zip(src_names, dst_names, rows, strict=True)],
                    "lineStyle": {"color": "gradient", "curveness": 0.5}}],
    }
    return _chart("chart-flows", table["title"], option, height=max(260, 80 + 30 * len(nodes) // 2))


def transactions(table: dict) -> dict:
    rows = table["rows"]
    if not any(r["cells"][1] for r in rows):
        return _chart("chart-transactions", table["title"], None, empty=_("本集合的专利没有转让、许可、质押记录"))
    labels = [r["cells"][0] for r in rows]
    option = {
        "title": _title(table["title"], _("次（次数）；件（涉及专利）")),
        "legend": {"data": [_("次数"), _("涉及专利")], "bottom": 0},
        "tooltip": {"trigger": "axis", "axisPointer": {"type": "shadow"}, "confine": True},
        "grid": {"left": 8, "right": 8, "top": 60, "bottom": 30, "containLabel": True},
        "xAxis": {"type": "category", "data": labels},
        "yAxis": {"type": "value", "minInterval": 1},
        "series": [{"name": _("次数"), "type": "bar", "data": [r["cells"][1] for r in rows], "barMaxWidth": 30,
                    "label": {"show": True, "position": "top"}, "itemStyle": {"color": BLUE}},
                   {"name": _("涉及专利"), "type": "bar", "data": [r["cells"][2] for r in rows], "barMaxWidth": 30,
                    "label": {"show": True, "position": "top"}, "itemStyle": {"color": GREEN}}],
        "ipocLinks": {lab: r["url"] for lab, r in zip(labels, rows, strict=True)},
    }
    return _chart("chart-transactions", table["title"], option, height=300)


def matrix(view: dict) -> dict:
    title = view["title"]
    if not view["ready"]:
        return _chart("chart-matrix", title, None, empty=_("尚未设定技术分支与技术功效"))
    techs = [r["term"].label for r in view["rows"]]
    effects = [c["term"].label for c in view["columns"]]
    n = len(techs)  # first technology on top, as in the table
    data = [[j, n - 1 - i, cell["count"]] for i, r in enumerate(view["rows"]) for j, cell in enumerate(r["cells"])]
    top = max([d[2] for d in data] + [1])
    option = {
        "title": _title(title, _("件；行为技术分支，列为技术功效")),
        "tooltip": {"position": "top", "confine": True},
        "grid": {"left": 8, "right": 8, "top": 90, "bottom": 60, "containLabel": True},
        "xAxis": {"type": "category", "data": effects, "position": "top",
                  "axisLabel": {"interval": 0, "rotate": 30 if len(effects) > 7 else 0, "width": 80,
                                "overflow": "truncate"}},
        "yAxis": {"type": "category", "data": techs[::-1], "axisLabel": {"width": 100, "overflow": "truncate"}},
        "visualMap": {"min": 0, "max": top, "orient": "horizontal", "left": "center", "bottom": 0, "itemHeight": 120,
                      "text": [f"{top} {_('件')}", f"0 {_('件')}"], "inRange": {"color": ["#f4f6fa", PURPLE]}},
        "series": [{"name": _("专利数"), "type": "heatmap", "data": data, "label": {"show": True}}],
    }
    return _chart("chart-matrix", title, option, height=max(300, 150 + 34 * len(techs)))


def chain(view: dict) -> dict:
    """Patents per 产业链 node (a bar per node; a click opens them)."""
    rows = view["rows"]
    title = _("产业链各节点的专利")
    if not rows:
        return _chart("chart-chain", title, None, empty=_("没有可对照的产业链图谱"))
    labels = [r["node"]["name"] for r in rows]
    option = bar(title, _("件"), _("专利数"), labels, [r["patents"] for r in rows],
                 links={r["node"]["name"]: r["url"] for r in rows if r["url"]})
    return _chart("chart-chain", title, option, height=_hbar_height(len(rows)))


def chain_activity(view: dict) -> dict:
    """The center's own data per node: demands, listings, deals, open licences and pool patents."""
    rows = view["rows"]
    title = _("产业链各节点的需求与运营数据")
    series = [(_("需求（项）"), "demands", ORANGE), (_("挂牌（项）"), "listings", GREEN), (_("交易（项）"), "deals", PURPLE)]
    if rows and rows[0]["open_known"]:
        series.append((_("开放许可专利（件）"), "open_licences", BLUE))
    if rows and rows[0]["pool_known"]:
        series.append((_("入池专利（件）"), "pool_patents", RED))
    series = [x for x in series if any(r[x[1]] for r in rows)]  # a measure that is 0 everywhere adds only noise
    if not rows or not series:
        return _chart("chart-chain-activity", title, None, empty=_("各节点尚无需求、挂牌或交易"))
    labels = [r["node"]["name"] for r in rows]
    option = {
        "title": _title(title, _("项（需求、挂牌、交易）；件（专利）") if len(series) > 3 else _("项")),
        # five series: a wrapped legend ran over the axis labels; one scrolling line never does
        "legend": {"data": [n for n, _k, _c in series], "bottom": 0, "type": "scroll"},
        "tooltip": {"trigger": "axis", "axisPointer": {"type": "shadow"}, "confine": True},
        "grid": {"left": 8, "right": 40, "top": 60, "bottom": 40, "containLabel": True},
        "xAxis": {"type": "value", "minInterval": 1},
        "yAxis": {"type": "category", "data": labels[::-1], "axisLabel": {"width": 120, "overflow": "truncate"}},
        "series": [{"name": name, "type": "bar", "barMaxWidth": 10, "itemStyle": {"color": color},
                    "data": [{"value": r[key], "label": {"show": bool(r[key])}} for r in rows][::-1],
                    "label": {"position": "right", "fontSize": 10},
                    "labelLayout": {"hideOverlap": True}} for name, key, color in series],
    }
    return _chart("chart-chain-activity", title, option, height=max(260, 100 + 14 * len(series) * len(rows)))


def build(land: dict) -> dict[str, dict]:
    """Every chart of a landscape, by analysis key."""
    a = land["analyses"]
    return {
        "trend": trend(a["trend"]),
        "lifecycle": lifecycle(a["trend"]),
        "applicants": _ranking("chart-applicants", a["applicants"], 0, 1, _("专利数")),
        "applicant_types": _ranking("chart-applicant-types", a["applicant_types"], 0, 1, _("专利数"), color=GREEN),
        "co_applicants": network("chart-co-applicants", a["co_applicants"], unit=_("件（连线粗细为共同申请数）")),
        "inventors": _ranking("chart-inventors", a["inventors"], 0, 1, _("专利数"), color=PURPLE),
        "ipc_section": _ranking("chart-ipc-section", a["ipc_section"], 0, 1, _("专利数")),
        "ipc_class": _ranking("chart-ipc-class", a["ipc_class"], 0, 1, _("专利数")),
        "ipc_subclass": _ranking("chart-ipc-subclass", a["ipc_subclass"], 0, 1, _("专利数")),
        "ipc_group": _ranking("chart-ipc-group", a["ipc_group"], 0, 1, _("专利数")),
        "ipc_year": heatmap(a["ipc_year"]),
        "regions": _ranking("chart-regions", {**a["regions"], "rows": [
            {**r, "cells": [f"{r['cells'][1]}（{r['cells'][0]}）" if r["cells"][1] != "—" else r["cells"][0],
                            r["cells"][2]]} for r in a["regions"]["rows"][:20]]}, 0, 1, _("专利数")),
        "countries": _ranking("chart-countries", a["countries"], 0, 1, _("专利数"), color=GREEN),
        "priority_flows": sankey(a["priority_flows"]),
        "legal_status": _ranking("chart-legal", a["legal_status"], 0, 1, _("专利数"), horizontal=False),
        "remaining_life": _ranking("chart-life", a["remaining_life"], 0, 1, _("有效专利数"), horizontal=False,
                                   color=GREEN),
        "transactions": transactions(a["transactions"]),
        "deals": _ranking("chart-deals", a["deals"], 0, 1, _("涉及专利"), color=ORANGE),
        "most_cited": _ranking("chart-cited", a["most_cited"], 0, 2, _("被引证次数"), color=RED),
        "citations": network("chart-citations", a["citations"], unit=_("条（引证关系）")),
        "matrix": matrix(a["matrix"]),
        "chain": chain(a["chain"]),
        "chain_activity": chain_activity(a["chain"]),
    }
