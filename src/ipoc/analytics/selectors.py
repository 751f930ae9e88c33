"""Reads for 专利导航与分析: sets the user may see, each set's landscape (figures in words, with the link
to the patents behind every figure), drill-downs, the 技术功效矩阵 and the 产业链图谱 against the patents.

Other apps' records are read through their selectors, or by ``apps.get_model`` here for plain counts
(chain nodes, demand tags, listings, deals); the patent store itself is aggregated in SQL (``engine``).

读写分离: the counting of a landscape and of the 产业链 map runs on the read replica when one is configured
(``core.db_router.replica_reads``), unless the set was evaluated moments ago; what a person edits and then sees
(the set, its 矩阵 terms, the chain nodes) is read from the primary and handed to the counting.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import fields as dc_fields
from urllib.parse import urlencode

from django.apps import apps
from django.db import connection, connections
from django.db.models import Q, QuerySet
from django.db.models.expressions import RawSQL
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from ipoc.analytics import engine
from ipoc.analytics.models import (
    LandscapeReport,
    MatrixTerm,
    PatentSet,
    PatentSetMember,
    SetApplicant,
    SetClass,
    SetInventor,
    SetKind,
    TermAxis,
)
from ipoc.core.bounds import check_id
from ipoc.core.db_router import read_alias, replica_reads
from ipoc.core.errors import ApplicationError, NotFound
from ipoc.core.models import Organization, User
from ipoc.core.permissions import CHANGE, VIEW, can, restrict
from ipoc.patents import selectors as patent_selectors

SEARCH_FILTER_KEYS = tuple(f.name for f in dc_fields(patent_selectors.PatentFilters) if f.name != "q")
FILTER_MAX_CHARS = 200  # one filter's text (an IPC prefix, an applicant name)
DATE_FILTERS = tuple(k for k in SEARCH_FILTER_KEYS if k.endswith(("_from", "_to")))

COUNTRY_NAMES = {
    "CN": "中国", "US": "美国", "EP": "欧洲专利局", "WO": "世界知识产权组织", "JP": "日本", "KR": "韩国",
    "DE": "德国", "FR": "法国", "GB": "英国", "TW": "中国台湾", "HK": "中国香港", "CA": "加拿大", "AU": "澳大利亚",
    "RU": "俄罗斯", "IN": "印度", "IT": "意大利", "NL": "荷兰", "CH": "瑞士", "SE": "瑞典", "IL": "以色列",
    "SG": "新加坡", "ES": "西班牙", "AT": "奥地利", "BE": "比利时", "DK": "丹麦", "FI": "芬兰",
}
IPC_SECTIONS = {"A": "人类生活必需", "B": "作业；运输", "C": "化学；冶金", "D": "纺织；造纸", "E": "固定建筑物",
                "F": "机械工程；照明；加热；武器；爆破", "G": "物理", "H": "电学"}
LIFE_LABELS = {"0-1": "1 年内届满", "1-3": "1–3 年", "3-5": "3–5 年", "5-10": "5–10 年", "10+": "10 年以上",
               "unknown": "届满日未知"}


def _model(label: str):
    return apps.get_model(label)


def country_name(code: str) -> str:
    return _(COUNTRY_NAMES[code]) if code in COUNTRY_NAMES else code


def _choices(model_label: str, field: str) -> dict[str, str]:
    return {k: str(v) for k, v in _model(model_label)._meta.get_field(field).choices}


# ---------------------------------------------------------------- sets


def patent_set_list(*, user: User, q: str = "", kind: str = "") -> QuerySet[PatentSet]:
    qs = restrict(PatentSet.objects.select_related("organization", "created_by"), user, VIEW)
    if q:
        qs = qs.filter(Q(name__icontains=q) | Q(description__icontains=q))
    if kind:
        qs = qs.filter(kind=kind)
    return qs


def patent_set_get(*, user: User | None, pk: int) -> PatentSet:
    qs = PatentSet.objects.select_related("organization", "created_by")
    found = (qs if user is None else restrict(qs, user, VIEW)).filter(pk=pk).first()
    if found is None:
        raise NotFound(_("专利集合 %(pk)s 不存在或无权查看") % {"pk": pk}, field="set")
    return found


def may_change(user: User | None, patent_set: PatentSet) -> bool:
    return user is not None and can(user, CHANGE, patent_set)


def patent_filters(filters: dict) -> patent_selectors.PatentFilters:
    """A saved search's filters as the patent list's ``PatentFilters`` (dates parsed, bounds checked)."""
    values = {}
    for key, value in (filters or {}).items():
        if key not in SEARCH_FILTER_KEYS or value in (None, ""):
            continue
        if isinstance(value, (list, dict, tuple, set, bool)):  # a filter holds one text, date or id
            raise ApplicationError(_("筛选条件应为单个值"), field=key)
        if key in DATE_FILTERS and not isinstance(value, dt.date):
            try:
                value = dt.date.fromisoformat(str(value)[:10])
            except ValueError:
                raise ApplicationError(_("日期格式应为 YYYY-MM-DD：%(v)s") % {"v": str(value)[:40]},
                                       field=key) from None
        elif key == "organization":
            value = check_id(value, key)  # "abc" or 10**30 is a 400 naming the filter
        elif key not in DATE_FILTERS:
            value = str(value).strip()
            if len(value) > FILTER_MAX_CHARS:
                raise ApplicationError(_("筛选条件最多 %(n)d 字") % {"n": FILTER_MAX_CHARS}, field=key)
        values[key] = value
    return patent_selectors.PatentFilters(**values)


def chain_node_get(*, user: User | None, pk: int | None) -> dict:
    node_model = _model("matching.ChainNode")
    qs = node_model.objects.all() if user is None else restrict(node_model.objects.all(), user, VIEW)
    node = qs.filter(pk=pk).first() if pk else None
    if node is None:
        raise NotFound(_("产业链节点不存在或无权查看"), field="node_id")
    return {"id": node.pk, "center_id": node.center_id, "name": node.name, "label": str(node),
            "keywords": list(node.keywords or []), "ipc_prefixes": list(node.ipc_prefixes or [])}


def chain_node_choices(*, user: User) -> list[tuple[int, str]]:
    node_model = _model("matching.ChainNode")
    rows = restrict(node_model.objects.select_related("center"), user, VIEW).order_by("center__name", "order", "name")
    return [(n.pk, f"{n.center.name} · {n}") for n in rows[:500]]


def import_batch_get(*, user: User | None, pk: int):
    return patent_selectors.import_batch_get(user=user, pk=pk)


def import_batch_choices(*, user: User) -> list[tuple[int, str]]:
    rows = patent_selectors.import_batch_list(user=user).filter(status="done")[:200]
    return [(b.pk, f"{b.file_name} · {b.created_at:%Y-%m-%d %H:%M}") for b in rows]


def organization_of(pk: int | None) -> Organization | None:
    return Organization.objects.filter(pk=pk).first() if pk else None


def existing_patent_ids(ids) -> set[int]:
    return set(_model("patents.Patent").objects.filter(pk__in=list(ids)).values_list("pk", flat=True))


def source(alias: str | None = None) -> engine.Source:
    """The engine's view of this instance's database, on connection ``alias`` — by default where reads go now
    (``read_alias``: the replica inside ``replica_reads()``); its forks (other threads) use the same alias."""
    alias = alias or read_alias()
    conn = connections[alias]
    tables = dict(engine.TABLES)
    patent = _model("patents.Patent")
    tables.update(patent=patent._meta.db_table, party=_model("patents.PatentParty")._meta.db_table,
                  cls=_model("patents.PatentClassification")._meta.db_table, member=PatentSetMember._meta.db_table,
                  set_applicant=SetApplicant._meta.db_table, set_class=SetClass._meta.db_table,
                  set_inventor=SetInventor._meta.db_table,
                  deal=_model("deals.Deal")._meta.db_table,
                  deal_patents=_model("deals.Deal").patents.through._meta.db_table)
    return engine.Source(cursor=conn.cursor, vendor=conn.vendor, tables=tables, fork=lambda: _fork(alias))


def _fork(alias: str) -> tuple[engine.Source, object]:
    """The engine's second connection, opened in (and closed by) the thread that calls this: Django gives
    each thread its own connection to the same database (the alias is passed: a thread does not inherit the
    caller's ``replica_reads`` scope)."""
    src = source(alias)
    src.fork = None
    return src, connections[alias].close


def evaluation_job(patent_set: PatentSet, *, user: User | None = None, pending_only: bool = False):
    """The queued (or, unless ``pending_only``, running) job that will (re-)evaluate this set, if any; with
    ``user``, only one that user may open. Shown on the set's page; a queued one is reused by 重新评估."""
    from ipoc.core.jobs import active_jobs
    from ipoc.core.models import JobStatus

    qs = active_jobs("analytics.evaluate")
    if pending_only:
        qs = qs.filter(status=JobStatus.PENDING)
    if user is not None:
        qs = restrict(qs, user, VIEW)
    for job in qs.order_by("-pk")[:50]:
        if patent_set.pk in (job.params or {}).get("set_ids", []):
            return job
    return None


def store_size() -> int:
    """Patents in the store (decides whether sets are evaluated in the request or on the queue)."""
    return _model("patents.Patent").objects.count()


PARALLEL_MIN = 50_000  # a set this large may run its landscape on several connections


def landscape_workers(size: int) -> int:
    """Connections a large set's landscape runs on: ``settings.IPOC_ANALYTICS_CONNECTIONS``, by default 2 on
    PostgreSQL (each connection is its own server process) and 1 on SQLite (two connections to one file
    were not reliably faster at 1M patents: bench/RESULTS.md); never inside a transaction another connection
    could not see (the test suite's, or a write's)."""
    from django.conf import settings

    default = 2 if connection.vendor == "postgresql" else 1
    wanted = int(getattr(settings, "IPOC_ANALYTICS_CONNECTIONS", default) or 1)
    return wanted if size >= PARALLEL_MIN and not connection.in_atomic_block else 1


def _sql_of(qs: QuerySet) -> tuple[str, list]:
    """The ids ``qs`` selects as SQL for ``IN (…)``: unordered (an order there is only a sort to throw away)."""
    sql, params = qs.order_by().values("id").query.sql_with_params()
    return sql, list(params)


def member_source(patent_set: PatentSet) -> tuple[str | None, list, str]:
    """What a set's definition selects: (SQL selecting patent ids, params, note) — or (None, ids, note) when
    the ids come from another app's selectors."""
    d = patent_set.definition or {}
    patent = _model("patents.Patent")
    kind = patent_set.kind
    if kind == SetKind.SEARCH:
        return _search_source(patent_set)
    if kind == SetKind.CHAIN_NODE:
        node = chain_node_get(user=None, pk=d.get("node_id"))
        src = source()
        cond, params = engine.node_condition(src, node["keywords"], node["ipc_prefixes"])
        sql, params = engine.condition_ids_sql(src, None, [(cond, params)])
        return sql, params, _("节点“%(n)s”：关键词 %(k)s；IPC %(i)s") % {
            "n": node["name"], "k": "、".join(node["keywords"]) or "—", "i": "、".join(node["ipc_prefixes"]) or "—"}
    if kind == SetKind.IMPORT_BATCH:
        return (*_sql_of(patent.objects.filter(last_import_id=d.get("batch_id"))),
                _("该批次最近一次导入或更新的专利"))
    if kind == SetKind.STOCK:
        from ipoc.revitalization import selectors as stock_selectors

        owner = patent_set.created_by
        if owner is None:
            return None, list(PatentSetMember.objects.filter(patent_set=patent_set).values_list("patent_id", flat=True)), \
                _("创建人已不存在，保留上次的专利")
        qs = stock_selectors.stock_list(user=owner, institution=d.get("institution_id"))
        return None, [i for i in qs.values_list("patent_id", flat=True) if i], _("存量专利盘活清单中已关联专利的记录")
    if kind == SetKind.POOL:
        from ipoc.pools import selectors as pool_selectors

        if not hasattr(pool_selectors, "pool_patent_ids"):
            return None, [], _("专利池数据尚未接入")
        return None, list(pool_selectors.pool_patent_ids()), _("全部专利池的入池专利")
    return None, [int(i) for i in d.get("patent_ids") or []], _("人工挑选的专利")


def _search_source(patent_set: PatentSet) -> tuple[str | None, list, str]:
    """A saved search: with a query, the patents the search engine matches lexically (as on the search page;
    at most ``SEARCH_CAP``); without one, the filters applied to the store."""
    d = patent_set.definition or {}
    q, filters = d.get("q") or "", d.get("filters") or {}
    patent = _model("patents.Patent")
    if q:
        try:
            ids = _search_ids(q, filters)
            return None, ids, _("检索“%(q)s”的文本匹配结果") % {"q": q}
        except Exception:  # no index yet (or an index being rebuilt): the store's own text filter
            pass
    f = patent_filters({**filters, **({"q": q} if q else {})}) if q else patent_filters(filters)
    if q:
        f.q = q
    qs = patent_selectors.filter_patents(patent.objects.all(), f)
    return (*_sql_of(qs), _("按筛选条件（检索式按名称、摘要、号码匹配）"))


def _search_ids(q: str, filters: dict) -> list[int]:
    from ipoc.search import selectors as search_selectors

    if search_selectors.index_rebuild_required():
        raise RuntimeError("index not ready")
    ids: list[int] = []
    offset, page = 0, search_selectors.MAX_LIMIT
    while offset <= search_selectors.MAX_OFFSET:
        res = search_selectors.search_patents(user=None, q=q, filters=filters, limit=page, offset=offset,
                                              snippets=False)
        ids += [h.patent_id for h in res.hits if h.lexical_rank is not None]
        if len(res.hits) < page or all(h.lexical_rank is None for h in res.hits):
            break
        offset += page
    return ids


def set_patents(patent_set: PatentSet) -> QuerySet:
    """The set's patents (public records) as a queryset."""
    return _model("patents.Patent").objects.filter(
        pk__in=PatentSetMember.objects.filter(patent_set=patent_set).values("patent_id"))


def set_texts(patent_set: PatentSet, *, limit: int = 3000) -> tuple[list[str], list[str]]:
    rows = set_patents(patent_set).order_by("pk").values_list("title", "abstract")[:limit]
    return [t or "" for t, _a in rows], [a or "" for _t, a in rows]


def matrix_terms(patent_set: PatentSet) -> tuple[list[MatrixTerm], list[MatrixTerm]]:
    rows = list(MatrixTerm.objects.filter(patent_set=patent_set).select_related("reviewed_by"))
    return ([t for t in rows if t.axis == TermAxis.TECHNOLOGY], [t for t in rows if t.axis == TermAxis.EFFECT])


def _engine_terms(rows) -> list[engine.Term]:
    return [engine.Term(t.pk, t.label, tuple(t.search_words())) for t in rows]


def chain_center_id(patent_set: PatentSet) -> int | None:
    """Whose 产业链图谱 a set is read against: the node's center, else the owning organisation's."""
    if patent_set.kind == SetKind.CHAIN_NODE:
        return (patent_set.definition or {}).get("center_id")
    return patent_set.organization_id


def chain_nodes(center_id: int | None) -> list[dict]:
    if not center_id:
        return []
    node_model = _model("matching.ChainNode")
    return [{"id": n.pk, "name": n.name, "label": str(n), "position": n.get_position_display(),
             "keywords": list(n.keywords or []), "ipc_prefixes": list(n.ipc_prefixes or [])}
            for n in node_model.objects.filter(center_id=center_id)]


# ---------------------------------------------------------------- landscape


def _link(patent_set: PatentSet, analysis: str, key) -> str:
    return reverse("analytics_set_patents", args=[patent_set.pk]) + "?" + urlencode({"a": analysis, "k": key})


def landscape_raw(patent_set: PatentSet, *, today: dt.date | None = None) -> dict:
    """The engine's figures; the 矩阵 terms and chain nodes are the primary's (just edited, and listed again by
    ``matrix_view`` and ``chain_view`` in the same order), the counting runs on the replica when there is one."""
    tech, effects = matrix_terms(patent_set)
    nodes = chain_nodes(chain_center_id(patent_set))
    with replica_reads(written_at=patent_set.evaluated_at):
        return engine.landscape(source(), patent_set.pk, today=today or timezone.localdate(),
                                workers=landscape_workers(patent_set.size or 0),
                                technologies=_engine_terms(tech), effects=_engine_terms(effects),
                                nodes=[engine.Term(n["id"], n["name"], tuple(n["keywords"]), tuple(n["ipc_prefixes"]))
                                       for n in nodes])


def _table(key: str, title: str, unit: str, columns: list[str], rows: list[dict], *, note: str = "",
           empty: str = "") -> dict:
    return {"key": key, "title": title, "unit": unit, "columns": columns, "rows": rows, "note": note,
            "empty": empty or _("本集合中没有可统计的数据")}


def _row(cells: list, url: str = "", links: list[str] | None = None, **extra) -> dict:
    """A table row; ``display`` pairs each cell with its link: ``links`` for the cells after the first, else
    ``url`` on the last (the count)."""
    if links is None:
        links = [""] * (len(cells) - 2) + [url] if len(cells) > 1 else [url]
    display = [{"v": cells[0], "url": "", "num": False}]
    display += [{"v": c, "url": u, "num": isinstance(c, (int, float))} for c, u in zip(cells[1:], links, strict=False)]
    return {"cells": cells, "url": url, "display": display, **extra}


def _trend_note(total: int, trend: list) -> str:
    """How the trend is counted, and how many patents of the set it leaves out for want of a filing date (a
    set of 1,043 patents whose chart shows three is explained, not a puzzle)."""
    note = _("按申请日与授权公告日的年份统计；申请人数为当年申请的专利的不同申请人数。")
    undated = total - sum(row[1] for row in trend)
    if undated > 0:
        note += _("另有 %(n)d 件专利缺少申请日，未计入申请量。") % {"n": undated}
    return note


def landscape(patent_set: PatentSet, *, user: User | None = None, today: dt.date | None = None,
              raw: dict | None = None) -> dict:
    """Every analysis as {title, unit, columns, rows (each with the link to its patents)} plus the raw
    figures; ``charts.build`` turns them into ECharts options."""
    today = today or timezone.localdate()
    raw = raw if raw is not None else landscape_raw(patent_set, today=today)
    ps = patent_set
    party_types = _choices("patents.PatentParty", "party_type")
    statuses = _choices("patents.Patent", "legal_status")
    deal_types = _choices("deals.Deal", "deal_type")
    n = raw["totals"]["patents"]
    out: dict[str, dict] = {}

    out["trend"] = _table("trend", _("申请与授权趋势（技术生命周期）"), _("件"),
                          [_("年份"), _("申请量（件）"), _("授权量（件）"), _("申请人数（个）")],
                          [_row([y, a, g, h], _link(ps, "app_year", y), links=[
                              _link(ps, "app_year", y), _link(ps, "grant_year", y), _link(ps, "applicant_year", y)])
                           for y, a, g, h in raw["trend"]],
                          note=_trend_note(n, raw["trend"]))
    out["applicants"] = _table("applicants", _("申请人排名（前 %(n)d 位）") % {"n": engine.TOP}, _("件"),
                               [_("申请人"), _("专利数（件）")],
                               [_row([name, c], _link(ps, "applicant", name)) for name, c in raw["applicants"]],
                               note=_("共 %(n)d 个不同申请人") % {"n": raw["applicant_count"]})
    out["applicant_types"] = _table("applicant_types", _("申请人类型"), _("件"), [_("类型"), _("专利数（件）")],
                                    [_row([party_types.get(k) or _("未分类"), c], _link(ps, "applicant_type", k))
                                     for k, c in raw["applicant_types"]],
                                    note=_("一件专利有多个不同类型的申请人时在每个类型下各计一次。"))
    out["co_applicants"] = _table("co_applicants", _("合作申请网络"), _("件"),
                                  [_("申请人甲"), _("申请人乙"), _("共同申请（件）")],
                                  [_row([*k.split("|", 1), c], _link(ps, "co_applicants", k))
                                   for k, c in raw["co_applicants"]],
                                  empty=_("本集合中没有共同申请的专利"))
    out["inventors"] = _table("inventors", _("发明人排名（前 %(n)d 位）") % {"n": engine.TOP}, _("件"),
                              [_("发明人"), _("专利数（件）")],
                              [_row([k, c], _link(ps, "inventor", k)) for k, c in raw["inventors"]],
                              note=_("共 %(n)d 位不同发明人") % {"n": raw["inventor_count"]})
    levels = (("section", _("部")), ("class", _("大类")), ("subclass", _("小类")), ("group", _("大组")))
    for level, word in levels:
        rows = []
        for k, c in raw[f"ipc_{level}"]:
            label = f"{k}（{_(IPC_SECTIONS[k])}）" if level == "section" and k in IPC_SECTIONS else (
                f"{k}/00" if level == "group" else k)
            rows.append(_row([label, c], _link(ps, f"ipc_{level}", k)))
        out[f"ipc_{level}"] = _table(f"ipc_{level}", _("IPC 分布（%(w)s）") % {"w": word}, _("件"),
                                     [_("IPC %(w)s") % {"w": word}, _("专利数（件）")], rows,
                                     note=_("按全部 IPC 分类号统计，一件专利有多个分类号时在每个分类下各计一次。"))
    out["ipc_year"] = _table("ipc_year", _("IPC 小类 × 申请年份"), _("件"), [_("IPC 小类"), _("申请年份"), _("专利数（件）")],
                             [_row([*k.split("|", 1), c], _link(ps, "ipc_year", k)) for k, c in raw["ipc_year"]],
                             note=_("专利数最多的 %(n)d 个小类") % {"n": engine.HEAT_ROWS})
    names = raw["region_names"]
    out["regions"] = _table("regions", _("国省分布（国省代码）"), _("件"), [_("国省代码"), _("地区"), _("专利数（件）")],
                            [_row([k, names.get(k) or "—", c], _link(ps, "region", k)) for k, c in raw["regions"]],
                            empty=_("本集合的专利没有国省代码"))
    out["countries"] = _table("countries", _("国家/地区分布"), _("件"), [_("国家/地区"), _("专利数（件）")],
                              [_row([country_name(k), c], _link(ps, "country", k)) for k, c in raw["countries"]])
    out["priority_flows"] = _table("priority_flows", _("优先权流向（优先权国 → 申请国）"), _("件"),
                                   [_("优先权国"), _("申请国/地区"), _("专利数（件）")],
                                   [_row([country_name(k.split("|", 1)[0]), country_name(k.split("|", 1)[-1]), c],
                                         _link(ps, "priority_flow", k)) for k, c in raw["priority_flows"]],
                                   empty=_("本集合的专利没有优先权信息"))
    out["legal_status"] = _table("legal_status", _("法律状态"), _("件"), [_("法律状态"), _("专利数（件）")],
                                 [_row([statuses.get(k) or _("未知"), c], _link(ps, "legal_status", k))
                                  for k, c in raw["legal_status"]])
    life_order = list(LIFE_LABELS)
    life = sorted(raw["remaining_life"], key=lambda kc: life_order.index(kc[0]) if kc[0] in life_order else 99)
    out["remaining_life"] = _table("remaining_life", _("有效专利剩余保护期"), _("件"), [_("剩余保护期"), _("专利数（件）")],
                                   [_row([_(LIFE_LABELS.get(k, k)), c], _link(ps, "remaining_life", k))
                                    for k, c in life],
                                   note=_("按期限届满日计算，截至 %(d)s") % {"d": today.isoformat()},
                                   empty=_("本集合中没有有效专利"))
    t = raw["totals"]
    trows = []
    for kind, label, count_key, pat_key in (("transfer", _("转让"), "transfers", "transferred_patents"),
                                            ("licence", _("许可"), "licences", "licensed_patents"),
                                            ("pledge", _("质押"), "pledges", "pledged_patents")):
        years = raw[f"{kind}_years"]
        trows.append(_row([label, t[count_key] or 0, t[pat_key] or 0,
                           "、".join(f"{y or _('日期不详')}：{c}" for y, c in years) or "—"],
                          _link(ps, f"{kind}_year_any", "1"), links=["", _link(ps, f"{kind}_year_any", "1"), ""],
                          kind=kind))
    out["transactions"] = _table("transactions", _("转让、许可、质押（著录数据）"), _("次"),
                                 [_("类型"), _("次数"), _("涉及专利（件）"), _("按最近一次的年份（件）")], trows,
                                 note=_("来自专利著录数据中的转让、许可、质押次数与最近日期。"))
    out["deals"] = _table("deals", _("平台撮合交易涉及的专利"), _("件"), [_("交易类型"), _("涉及专利（件）")],
                          [_row([deal_types.get(k, k), c], _link(ps, "deal_type", k)) for k, c in raw["deal_types"]],
                          empty=_("本集合的专利尚无平台撮合的交易"))
    cited_rows = [_row([number, title[:60], c], reverse("patent_detail", args=[number or pk]))
                  for pk, number, key, title, c in ((r[0], r[1] or r[2], r[2], r[3], r[4]) for r in raw["most_cited"])]
    out["most_cited"] = _table("most_cited", _("被引用最多的专利（前 %(n)d 件）") % {"n": engine.TOP}, _("次"),
                               [_("专利"), _("名称"), _("被引证次数")], cited_rows,
                               empty=_("本集合的专利没有被引证数据"))
    with replica_reads(written_at=patent_set.evaluated_at):
        labels = engine.patent_labels(source(), [x for e in raw["citation_edges"] for x in e])
    out["citations"] = _table("citations", _("集合内引证网络"), _("条"), [_("引证专利"), _("被引专利")],
                              [_row([labels.get(a, ("", ""))[0], labels.get(b, ("", ""))[0]],
                                    reverse("patent_detail", args=[labels.get(a, (a,))[0] or a]))
                               for a, b in raw["citation_edges"]],
                              empty=_("集合内的专利之间没有引证关系"))
    out["matrix"] = matrix_view(patent_set, raw)
    out["chain"] = chain_view(patent_set, raw, user=user)
    return {"set": patent_set, "size": n, "totals": raw["totals"], "today": today, "analyses": out, "raw": raw}


def matrix_view(patent_set: PatentSet, raw: dict) -> dict:
    """技术功效矩阵: rows 技术分支, columns 技术功效, each cell a count with its link; a cell is reviewed when
    both its terms are; 0 means searched and none found."""
    tech, effects = matrix_terms(patent_set)
    m = raw.get("matrix")
    rows = []
    for i, t in enumerate(tech):
        cells = []
        for j, e in enumerate(effects):
            count = m["cells"][i][j] if m else 0
            cells.append({"count": count, "reviewed": t.reviewed and e.reviewed,
                          "url": _link(patent_set, "matrix", f"{t.pk}:{e.pk}"), "tech": t.label, "effect": e.label})
        rows.append({"term": t, "total": m["technologies"][i] if m else 0, "cells": cells,
                     "url": _link(patent_set, "term", t.pk)})
    cols = [{"term": e, "total": m["effects"][j] if m else 0, "url": _link(patent_set, "term", e.pk)}
            for j, e in enumerate(effects)]
    return {"key": "matrix", "title": _("技术功效矩阵"), "unit": _("件"), "rows": rows, "columns": cols,
            "ready": bool(tech and effects), "unreviewed": sum(1 for t in (*tech, *effects) if not t.reviewed)}


def chain_view(patent_set: PatentSet | None, raw: dict | None, *, user: User | None, center_id: int | None = None) -> dict:
    """产业链图谱 vs patents: per node of the center's chain, the set's (or the store's) patents, their holders,
    the center's demands tagged to the node, listings, deals, open licences and pool patents."""
    center_id = center_id or (chain_center_id(patent_set) if patent_set else None)
    nodes = chain_nodes(center_id)
    if not nodes:
        return {"key": "chain", "title": _("产业链图谱与专利"), "rows": [], "center_id": center_id}
    with replica_reads(written_at=patent_set.evaluated_at if patent_set else None):
        rows = _chain_rows(patent_set, raw, nodes, center_id)
    return {"key": "chain", "title": _("产业链图谱与专利"), "rows": rows, "center_id": center_id}


def _chain_rows(patent_set: PatentSet | None, raw: dict | None, nodes: list[dict], center_id: int) -> list[dict]:
    """Per chain node: the set's (or the store's) patents, holders, demands, listings, deals, open licences and
    pool patents (counts only: it may run on the replica)."""
    src = source()
    set_id = patent_set.pk if patent_set else None
    open_ids = _other_ids("licensing", "open_licence_patent_ids")
    pool_ids = _other_ids("pools", "pool_patent_ids")
    tag_model = _model("matching.DemandChainTag")
    listing_model = _model("matching.Listing")
    deal_model = _model("deals.Deal")
    party_model = _model("patents.PatentParty")
    rows = []
    for i, node in enumerate(nodes):
        cond = engine.node_condition(src, node["keywords"], node["ipc_prefixes"])
        sql, params = engine.condition_ids_sql(src, set_id, [cond])
        ids = RawSQL(sql, params)
        if raw is not None and set_id is not None and raw.get("chain_counts"):
            patents = raw["chain_counts"][i]
        else:
            patents = _model("patents.Patent").objects.filter(pk__in=ids).count()
        holders = (party_model.objects.filter(patent_id__in=RawSQL(sql, params)).exclude(role="")
                   .values("name").distinct().count())
        demands = tag_model.objects.filter(node_id=node["id"], excluded=False).values("demand_id").distinct().count()
        listings = listing_model.objects.filter(patent_id__in=RawSQL(sql, params), status="active").count()
        deals = deal_model.objects.filter(center_id=center_id, patents__in=RawSQL(sql, params)).distinct().count()
        open_n = (_model("patents.Patent").objects.filter(pk__in=RawSQL(sql, params)).filter(pk__in=open_ids).count()
                  if open_ids else 0)
        pool_n = (_model("patents.Patent").objects.filter(pk__in=RawSQL(sql, params)).filter(pk__in=pool_ids).count()
                  if pool_ids else 0)
        url = (_link(patent_set, "chain", node["id"]) if patent_set else "")
        rows.append({"node": node, "patents": patents, "holders": holders, "demands": demands, "listings": listings,
                     "deals": deals, "open_licences": open_n, "pool_patents": pool_n, "url": url,
                     "open_known": open_ids is not None, "pool_known": pool_ids is not None})
    return rows


def _other_ids(app: str, fn: str) -> list[int] | None:
    """Ids from another app's selector when that app provides it (None: not provided yet)."""
    import importlib

    try:
        module = importlib.import_module(f"ipoc.{app}.selectors")
    except ImportError:
        return None
    if not hasattr(module, fn):
        return None
    return sorted(getattr(module, fn)())


# ---------------------------------------------------------------- drill-down

DRILL_EXTRA = ("matrix", "term", "chain", "transfer_year_any", "licence_year_any", "pledge_year_any")


def drill(patent_set: PatentSet, analysis: str, key: str, *, today: dt.date | None = None) -> tuple[QuerySet, str]:
    """Exactly the patents counted under ``key`` of ``analysis`` in this set, and a sentence saying which."""
    today = today or timezone.localdate()
    src = source()
    patent = _model("patents.Patent")
    dims = engine.dimensions(src, today)
    key = str(key or "")
    if analysis in dims:
        sql, params = engine.drill_sql(src, dims[analysis], patent_set.pk, key)
        return patent.objects.filter(pk__in=RawSQL(sql, params)), _drill_words(analysis, key)
    if analysis in ("transfer_year_any", "licence_year_any", "pledge_year_any"):
        kind = analysis.split("_", 1)[0]
        qs = set_patents(patent_set).filter(**{f"{kind}_count__gt": 0})
        return qs, {"transfer": _("有转让记录的专利"), "licence": _("有许可记录的专利"), "pledge": _("有质押记录的专利")}[kind]
    if analysis in ("matrix", "term"):
        ids = key.split(":")
        try:
            terms = [MatrixTerm.objects.get(pk=int(i), patent_set=patent_set) for i in ids]
        except (ValueError, MatrixTerm.DoesNotExist):
            raise NotFound(_("矩阵词条不存在"), field="k") from None
        conds = [engine.words_condition(src, t.search_words()) for t in terms]
        sql, params = engine.condition_ids_sql(src, patent_set.pk, conds)
        return patent.objects.filter(pk__in=RawSQL(sql, params)), " × ".join(t.label for t in terms)
    if analysis == "chain":
        node = chain_node_get(user=None, pk=_key_int(key))
        cond = engine.node_condition(src, node["keywords"], node["ipc_prefixes"])
        sql, params = engine.condition_ids_sql(src, patent_set.pk, [cond])
        return patent.objects.filter(pk__in=RawSQL(sql, params)), _("产业链节点：%(n)s") % {"n": node["label"]}
    if analysis in ("", "all"):
        return set_patents(patent_set), _("集合全部专利")
    raise ApplicationError(_("未知的分析项：%(a)s") % {"a": analysis}, field="a")


def _key_int(key: str) -> int:
    try:
        return int(key)
    except ValueError:
        raise ApplicationError(_("参数无效"), field="k") from None


def _drill_words(analysis: str, key: str) -> str:
    party_types = _choices("patents.PatentParty", "party_type")
    statuses = _choices("patents.Patent", "legal_status")
    words = {
        "app_year": _("%(k)s 年申请"), "grant_year": _("%(k)s 年授权"), "applicant_year": _("%(k)s 年申请（有申请人）"),
        "applicant": _("申请人：%(k)s"), "co_applicants": _("共同申请：%(k)s"), "inventor": _("发明人：%(k)s"),
        "ipc_section": _("IPC 部：%(k)s"), "ipc_class": _("IPC 大类：%(k)s"), "ipc_subclass": _("IPC 小类：%(k)s"),
        "ipc_group": _("IPC 大组：%(k)s/00"), "ipc_year": _("IPC 小类与年份：%(k)s"), "region": _("国省代码：%(k)s"),
        "priority_flow": _("优先权流向：%(k)s"), "transfer_year": _("最近转让年份：%(k)s"),
        "licence_year": _("最近许可年份：%(k)s"), "pledge_year": _("最近质押年份：%(k)s"),
    }
    if analysis == "applicant_type":
        return _("申请人类型：%(k)s") % {"k": party_types.get(key) or _("未分类")}
    if analysis == "legal_status":
        return _("法律状态：%(k)s") % {"k": statuses.get(key) or _("未知")}
    if analysis == "remaining_life":
        return _("有效专利剩余保护期：%(k)s") % {"k": _(LIFE_LABELS.get(key, key))}
    if analysis == "country":
        return _("国家/地区：%(k)s") % {"k": country_name(key)}
    if analysis == "deal_type":
        return _("平台交易类型：%(k)s") % {"k": _choices("deals.Deal", "deal_type").get(key, key)}
    return words.get(analysis, "%(k)s") % {"k": key.replace("|", " · ")}


# ---------------------------------------------------------------- chain map page, reports, KPI


def chain_center_choices(*, user: User) -> list[tuple[int, str]]:
    from ipoc.matching import selectors as matching_selectors

    return matching_selectors.centers_with_chain(user=user)


def report_list(*, user: User) -> QuerySet[LandscapeReport]:
    return restrict(LandscapeReport.objects.select_related("patent_set", "created_by"), user, VIEW)


def reports_in_year(center_org_id: int, year: int) -> list[int]:
    return sorted(LandscapeReport.objects.filter(organization_id=center_org_id, created_at__year=year)
                  .exclude(format="json").values_list("pk", flat=True))
