"""专利导航分析引擎: every analysis is one SQL aggregation over a set's members, run in the database.

Each *dimension* (application year, applicant, IPC subclass, 国省代码, …) is declared once as a FROM clause,
a key expression and a condition. The same declaration gives the count (``GROUP BY key``) and the drill-down
(``WHERE key = ?`` → patent ids), so a figure on a chart and the patents behind it cannot disagree.

The engine only needs a DB-API cursor and the table names, so the benchmark runs the very same SQL on a
separate SQLite file (``bench/analytics_landscape.py``), and the platform on the read replica inside
``core.db_router.replica_reads()`` (``selectors.source`` picks the connection, ``Source.fork`` keeps it). SQLite and PostgreSQL differ only in how a JSON
array is expanded (``json_each`` / ``jsonb_array_elements``) and in the name of ``instr``/``strpos``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

TABLES = {
    "patent": "patents_patent",
    "party": "patents_patentparty",
    "cls": "patents_patentclassification",
    "member": "analytics_patentsetmember",
    "set_applicant": "analytics_setapplicant",
    "set_class": "analytics_setclass",
    "set_inventor": "analytics_setinventor",
    "deal": "deals_deal",
    "deal_patents": "deals_deal_patents",
}

TOP = 20  # rows of a ranking
NETWORK_EDGES = 60  # edges of a co-applicant or citation network shown
HEAT_ROWS = 12  # IPC subclasses of the IPC × year heat map
LIFE_BUCKETS = ((1, "0-1"), (3, "1-3"), (5, "3-5"), (10, "5-10"))  # remaining life, years


@dataclass
class Source:
    """Where the patents are: a cursor factory, the vendor and the table names."""

    cursor: Callable[[], object]
    vendor: str = "sqlite"
    qmark: bool = False  # plain sqlite3 connections take ``?``; Django cursors take ``%s``
    tables: dict[str, str] = field(default_factory=lambda: dict(TABLES))
    # another connection to the same database for another thread: () -> (source, close)
    fork: Callable[[], tuple[Source, Callable[[], None]]] | None = None

    def rows(self, sql: str, params: Sequence = ()) -> list[tuple]:
        if self.qmark:
            sql = sql.replace("%s", "?")
        cur = self.cursor()
        try:
            cur.execute(sql, list(params))
            return list(cur.fetchall())
        finally:
            cur.close()

    # vendor differences ---------------------------------------------------------------
    @property
    def join(self) -> str:
        """SQLite's CROSS JOIN keeps the written order (set members first, then their patents, then their
        rows): its planner, averaging over every set, would otherwise scan a whole table of the store."""
        return "CROSS JOIN" if self.vendor == "sqlite" else "JOIN"

    def json_items(self, column: str, alias: str) -> str:
        """A FROM item expanding the JSON array ``column`` into rows with a ``value`` column."""
        if self.vendor == "postgresql":
            return f"jsonb_array_elements({column}) AS {alias}(value)"
        return f"json_each({column}) AS {alias}"

    def json_text(self, alias: str) -> str:
        """The text of an expanded JSON array item that is a string."""
        return f"({alias}.value #>> '{{}}')" if self.vendor == "postgresql" else f"{alias}.value"

    def json_field(self, alias: str, name: str) -> str:
        return f"({alias}.value ->> '{name}')" if self.vendor == "postgresql" else f"json_extract({alias}.value, '$.{name}')"

    def find(self, column: str) -> str:
        """Position of a parameter (``%s``) in ``column``, 0 when absent."""
        return f"strpos({column}, %s)" if self.vendor == "postgresql" else f"instr({column}, %s)"

    def position(self, needle: str, column: str) -> str:
        return f"strpos({column}, '{needle}')" if self.vendor == "postgresql" else f"instr({column}, '{needle}')"


@dataclass(frozen=True)
class Dimension:
    """Joins after the set's member rows ``m``, key expression and extra condition of one breakdown."""

    joins: str
    key: str
    where: str = "1=1"
    multi: bool = False  # a patent may have several keys or rows (COUNT DISTINCT needed)
    table: str = "member"  # the set's rows it reads, aliased ``m``: member facts, applicants, IPC codes, inventors


def year_of(column: str) -> str:
    return f"substr(CAST({column} AS TEXT), 1, 4)"


# The member row's copy of a patent's facts, as ``fill_sql`` writes it (column → expression over ``p``).
MEMBER_FACTS = {
    "app_year": "COALESCE(substr(CAST(p.application_date AS TEXT), 1, 4), '')",
    "grant_year": "COALESCE(substr(CAST(p.grant_date AS TEXT), 1, 4), '')",
    "legal_status": "p.legal_status",
    "expiry_date": "p.expiry_date",
    "region_code": "p.region_code",
    "region_name": "p.region_name",
    "jurisdiction": "p.jurisdiction",
    "transfer_count": "p.transfer_count",
    "transfer_year": "COALESCE(substr(CAST(p.last_transfer_date AS TEXT), 1, 4), '')",
    "licence_count": "p.licence_count",
    "licence_year": "COALESCE(substr(CAST(p.last_licence_date AS TEXT), 1, 4), '')",
    "pledge_count": "p.pledge_count",
    "pledge_year": "COALESCE(substr(CAST(p.last_pledge_date AS TEXT), 1, 4), '')",
    "forward_citations": "p.forward_citations_count",
    "backward_citations": "p.backward_citations_count",
    "inventors": "p.inventors",
    "priority_claims": "p.priority_claims",
}


def fill_sql(src: Source, ids_sql: str) -> str:
    """INSERT the members of set ``%s`` (first parameter) for the patent ids that ``ids_sql`` selects,
    with their facts, in one statement."""
    t = src.tables
    cols = ", ".join(MEMBER_FACTS)
    exprs = ", ".join(MEMBER_FACTS.values())
    return (f"INSERT INTO {t['member']} (patent_set_id, patent_id, {cols}) SELECT %s, p.id, {exprs} "
            f"FROM {t['patent']} p WHERE p.id IN ({ids_sql})")


def fill_facts_sql(src: Source) -> list[str]:
    """INSERTs copying the applicants, IPC codes and inventors of set ``%s``'s members (run after ``fill_sql``)."""
    t = src.tables
    inventor = src.json_text("ji")
    return [
        f"INSERT INTO {t['set_applicant']} (patent_set_id, patent_id, name, party_type, app_year) "
        f"SELECT m.patent_set_id, m.patent_id, a.name, a.party_type, m.app_year FROM {t['member']} m "
        f"{src.join} {t['party']} a ON a.patent_id = m.patent_id AND a.role = 'applicant' WHERE m.patent_set_id = %s",
        f"INSERT INTO {t['set_class']} (patent_set_id, patent_id, code, subclass, app_year) "
        f"SELECT m.patent_set_id, m.patent_id, c.code, c.subclass, m.app_year FROM {t['member']} m "
        f"{src.join} {t['cls']} c ON c.patent_id = m.patent_id AND c.scheme || '' = 'ipc' WHERE m.patent_set_id = %s",
        f"INSERT INTO {t['set_inventor']} (patent_set_id, patent_id, name) "
        f"SELECT m.patent_set_id, m.patent_id, {inventor} FROM {t['member']} m, {src.json_items('m.inventors', 'ji')} "
        f"WHERE m.patent_set_id = %s AND {inventor} <> ''",
    ]


FACT_TABLES = ("set_applicant", "set_class", "set_inventor")


def dimensions(src: Source, today: dt.date) -> dict[str, Dimension]:
    t = src.tables
    j = src.join
    slash = src.position("/", "m.code")
    life = " ".join(f"WHEN m.expiry_date < '{_years_after(today, n).isoformat()}' THEN '{label}'"
                    for n, label in LIFE_BUCKETS)
    deal = f"{j} {t['deal_patents']} dp ON dp.patent_id = m.patent_id {j} {t['deal']} d ON d.id = dp.deal_id"
    priority = src.json_items("m.priority_claims", "jp")
    return {
        "app_year": Dimension("", "m.app_year", "m.app_year <> ''"),
        "grant_year": Dimension("", "m.grant_year", "m.grant_year <> ''"),
        "applicant_year": Dimension("", "m.app_year", "m.app_year <> ''", multi=True, table="set_applicant"),
        "applicant": Dimension("", "m.name", multi=True, table="set_applicant"),
        "applicant_type": Dimension("", "m.party_type", multi=True, table="set_applicant"),
        "co_applicants": Dimension(f"{j} {t['set_applicant']} b ON b.patent_set_id = m.patent_set_id "
                                   "AND b.patent_id = m.patent_id AND m.name < b.name", "m.name || '|' || b.name",
                                   multi=True, table="set_applicant"),
        "inventor": Dimension("", "m.name", multi=True, table="set_inventor"),
        "ipc_section": Dimension("", "substr(m.code, 1, 1)", multi=True, table="set_class"),
        "ipc_class": Dimension("", "substr(m.code, 1, 3)", multi=True, table="set_class"),
        "ipc_subclass": Dimension("", "m.subclass", multi=True, table="set_class"),
        "ipc_group": Dimension("", f"CASE WHEN {slash} > 0 THEN substr(m.code, 1, {slash} - 1) ELSE m.code END",
                               multi=True, table="set_class"),
        "ipc_year": Dimension("", "m.subclass || '|' || m.app_year", "m.app_year <> ''", multi=True,
                              table="set_class"),
        "region": Dimension("", "m.region_code", "m.region_code <> ''"),
        "country": Dimension("", "m.jurisdiction", "m.jurisdiction <> ''"),
        "priority_flow": Dimension(f", {priority}", f"{src.json_field('jp', 'country')} || '|' || m.jurisdiction",
                                   f"{src.json_field('jp', 'country')} <> ''", multi=True),
        "legal_status": Dimension("", "m.legal_status"),
        "remaining_life": Dimension("", f"CASE WHEN m.expiry_date IS NULL THEN 'unknown' {life} ELSE '10+' END",
                                    "m.legal_status = 'valid'"),
        "transfer_year": Dimension("", "m.transfer_year", "m.transfer_count > 0"),
        "licence_year": Dimension("", "m.licence_year", "m.licence_count > 0"),
        "pledge_year": Dimension("", "m.pledge_year", "m.pledge_count > 0"),
        "deal_type": Dimension(deal, "d.deal_type", multi=True),
    }


def _years_after(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def _base(src: Source, dim: Dimension | None = None) -> str:
    return f"{src.tables[dim.table if dim else 'member']} m"


def _with_patent(src: Source) -> str:
    return f"{src.tables['member']} m {src.join} {src.tables['patent']} p ON p.id = m.patent_id"


def group(src: Source, dim: Dimension, set_id: int, *, limit: int | None = None, by_key: bool = False,
          min_count: int = 1) -> list[tuple[str, int]]:
    """(key, number of distinct patents) of a dimension over the set, largest first (or by key)."""
    order = "k" if by_key else "n DESC, k"
    count = "COUNT(DISTINCT m.patent_id)" if dim.multi else "COUNT(*)"
    sql = (f"SELECT {dim.key} AS k, {count} AS n FROM {_base(src, dim)} {dim.joins} "
           f"WHERE m.patent_set_id = %s AND ({dim.where}) GROUP BY {dim.key} "
           f"HAVING {count} >= {int(min_count)} ORDER BY {order}")
    if limit:
        sql += f" LIMIT {int(limit)}"
    return [(k if k is not None else "", int(n)) for k, n in src.rows(sql, [set_id])]


@dataclass(frozen=True)
class Ask:
    """One breakdown wanted from ``group_many``: its dimension, how many rows, in which order; or (``count``)
    only the number of distinct keys."""

    name: str
    dim: Dimension
    limit: int | None = None
    by_key: bool = False
    count: bool = False
    distinct_of: str = ""  # count distinct values of this expression instead of patents (e.g. applicants)


def group_many(src: Source, asks: Sequence[Ask], set_id: int) -> dict[str, list[tuple[str, int]] | int]:
    """Several breakdowns that share their joins, in one statement: the set's joined rows are read once into a
    materialised CTE (one column per key, NULL where the breakdown's condition fails) and each breakdown is a
    GROUP BY over it. Same keys and conditions as ``group`` and ``drill_sql``."""
    joins = {(a.dim.table, a.dim.joins) for a in asks}
    if len(joins) != 1:
        raise ValueError("group_many needs breakdowns over the same rows and joins")
    table, join = joins.pop()
    cols = ", ".join(f"CASE WHEN ({a.dim.where}) THEN COALESCE({a.dim.key}, '') END AS k{i}"
                     + (f", {a.distinct_of} AS v{i}" if a.distinct_of else "") for i, a in enumerate(asks))
    cte = (f"WITH x AS MATERIALIZED (SELECT m.patent_id AS pid, {cols} FROM {_base(src, asks[0].dim)} {join} "
           f"WHERE m.patent_set_id = %s)")
    parts = []
    for i, a in enumerate(asks):
        count = f"COUNT(DISTINCT v{i})" if a.distinct_of else "COUNT(DISTINCT pid)" if a.dim.multi else "COUNT(*)"
        if a.count:
            parts.append(f"SELECT {i} AS i, NULL AS k, COUNT(DISTINCT k{i}) AS n FROM x")
            continue
        order = "k" if a.by_key else "n DESC, k"
        limit = f" LIMIT {int(a.limit)}" if a.limit else ""
        parts.append(f"SELECT * FROM (SELECT {i} AS i, k{i} AS k, {count} AS n FROM x WHERE k{i} IS NOT NULL "
                     f"GROUP BY k{i} ORDER BY {order}{limit}) q{i}")
    out: dict = {a.name: (0 if a.count else []) for a in asks}
    for i, k, n in src.rows(cte + " " + " UNION ALL ".join(parts), [set_id]):
        a = asks[int(i)]
        if a.count:
            out[a.name] = int(n or 0)
        else:
            out[a.name].append((k, int(n)))
    return out


def distinct_count(src: Source, dim: Dimension, set_id: int) -> int:
    sql = (f"SELECT COUNT(DISTINCT {dim.key}) FROM {_base(src, dim)} {dim.joins} "
           f"WHERE m.patent_set_id = %s AND ({dim.where})")
    return int(src.rows(sql, [set_id])[0][0] or 0)


def drill_sql(src: Source, dim: Dimension, set_id: int, key: str) -> tuple[str, list]:
    """SQL selecting exactly the patent ids counted under ``key`` (NULL keys: ``key == ""``)."""
    cond = f"COALESCE({dim.key}, '') = %s"
    return (f"SELECT DISTINCT m.patent_id FROM {_base(src, dim)} {dim.joins} WHERE m.patent_set_id = %s "
            f"AND ({dim.where}) AND {cond}", [set_id, key])


# ---------------------------------------------------------------- word conditions (matrix, chain nodes)


TEXT = "(p.title || ' ' || p.abstract)"  # a patent's searchable text for matrix terms and chain keywords


def words_condition(src: Source, words: Sequence[str], text: str = TEXT) -> tuple[str, list]:
    """The patent's title or abstract (``text``) contains one of ``words`` (an empty list matches nothing)."""
    words = [w for w in words if w]
    if not words:
        return "1=0", []
    # instr/strpos: a plain substring test (no pattern characters to escape, no case folding)
    return "(" + " OR ".join(f"{src.find(text)} > 0" for _w in words) + ")", list(words)


def node_condition(src: Source, keywords: Sequence[str], ipc_prefixes: Sequence[str],
                   text: str = TEXT) -> tuple[str, list]:
    """A 产业链 node's rule (as ``matching.services.chain_nodes_for``): a keyword in the text, or an IPC code
    starting with one of its prefixes."""
    cond, params = words_condition(src, keywords, text)
    prefixes = [x.replace(" ", "").upper() for x in ipc_prefixes if x.strip()]
    if prefixes:
        likes = " OR ".join("c.code LIKE %s" for _ in prefixes)
        cond = (f"({cond} OR EXISTS (SELECT 1 FROM {src.tables['cls']} c WHERE c.patent_id = p.id "
                f"AND c.scheme || '' = 'ipc' AND ({likes})))")
        params = params + [x.replace("%", "") + "%" for x in prefixes]
    return cond, params


def flag_counts(src: Source, set_id: int | None, flags: list[tuple[str, list]],
                pairs: list[tuple[int, int]] | None = None) -> tuple[list[int], list[int]]:
    """In one pass over the set: how many patents meet each condition, and each pair of conditions.
    Conditions are written over ``p`` and may use ``TEXT`` (computed once per patent here as ``tx``)."""
    if not flags:
        return [], []
    inner_cols, params = [], []
    for i, (cond, p) in enumerate(flags):
        inner_cols.append(f"CASE WHEN {cond.replace(TEXT, 'p.tx')} THEN 1 ELSE 0 END AS f{i}")
        params += p
    outer = [f"SUM(f{i})" for i in range(len(flags))]
    outer += [f"SUM(f{a} * f{b})" for a, b in pairs or []]
    if set_id is None:
        rows = f"SELECT p.id, {TEXT} AS tx FROM {src.tables['patent']} p"
        set_params = []
    else:
        rows = f"SELECT p.id, {TEXT} AS tx FROM {_with_patent(src)} WHERE m.patent_set_id = %s"
        set_params = [set_id]
    inner = f"SELECT {', '.join(inner_cols)} FROM ({rows}) p"
    row = src.rows(f"SELECT {', '.join(outer)} FROM ({inner}) x", params + set_params)[0]
    values = [int(v or 0) for v in row]
    return values[:len(flags)], values[len(flags):]


def condition_ids_sql(src: Source, set_id: int | None, conds: list[tuple[str, list]]) -> tuple[str, list]:
    """SQL selecting the ids of the set's patents (or of the store's) meeting all ``conds``."""
    where = " AND ".join(c for c, _p in conds) or "1=1"
    params = [x for _c, p in conds for x in p]
    if set_id is None:
        return f"SELECT p.id FROM {src.tables['patent']} p WHERE {where}", params
    return f"SELECT p.id FROM {_with_patent(src)} WHERE m.patent_set_id = %s AND {where}", [set_id, *params]


# ---------------------------------------------------------------- figures that are not breakdowns


def totals(src: Source, set_id: int) -> dict:
    sql = ("SELECT COUNT(*), SUM(CASE WHEN m.legal_status = 'valid' THEN 1 ELSE 0 END), "
           "SUM(m.transfer_count), SUM(m.licence_count), SUM(m.pledge_count), "
           "SUM(CASE WHEN m.transfer_count > 0 THEN 1 ELSE 0 END), "
           "SUM(CASE WHEN m.licence_count > 0 THEN 1 ELSE 0 END), "
           "SUM(CASE WHEN m.pledge_count > 0 THEN 1 ELSE 0 END), "
           "MIN(NULLIF(m.app_year, '')), MAX(NULLIF(m.app_year, '')) "
           f"FROM {_base(src)} WHERE m.patent_set_id = %s")
    row = src.rows(sql, [set_id])[0]
    names = ("patents", "valid", "transfers", "licences", "pledges", "transferred_patents", "licensed_patents",
             "pledged_patents", "first_year", "last_year")
    return {k: (v if k in ("first_year", "last_year") else int(v or 0)) for k, v in zip(names, row, strict=True)}


def most_cited(src: Source, set_id: int, limit: int = TOP) -> list[tuple]:
    """(id, number, key, title, times cited) of the set's most cited patents."""
    sql = (f"SELECT m.patent_id, m.forward_citations FROM {_base(src)} WHERE m.patent_set_id = %s "
           f"AND m.forward_citations > 0 ORDER BY m.forward_citations DESC, m.patent_id LIMIT {int(limit)}")
    rows = src.rows(sql, [set_id])
    labels = patent_labels(src, [r[0] for r in rows], with_key=True)
    return [(pk, *labels.get(pk, ("", "", "")), n) for pk, n in rows]


def citation_edges(src: Source, set_id: int, limit: int = NETWORK_EDGES) -> list[tuple[int, int]]:
    """(citing id, cited id) where both patents are in the set (cited by its publication number)."""
    t = src.tables
    number = src.json_field("jc", "number")
    sql = (f"SELECT DISTINCT p.id, q.id FROM {_with_patent(src)}, {src.json_items('p.backward_citations', 'jc')} "
           f"{src.join} {t['patent']} q ON q.publication_number = {number} "
           f"{src.join} {t['member']} mq ON mq.patent_id = q.id AND mq.patent_set_id = %s "
           f"WHERE m.patent_set_id = %s AND m.backward_citations > 0 AND q.id <> p.id "
           f"ORDER BY p.id, q.id LIMIT {int(limit)}")
    return [(int(a), int(b)) for a, b in src.rows(sql, [set_id, set_id])]


def patent_labels(src: Source, ids: Sequence[int], *, with_key: bool = False) -> dict[int, tuple]:
    """(number, title) — or (publication number, key, title) — of patents by id."""
    ids = sorted({int(i) for i in ids})
    if not ids:
        return {}
    out = {}
    for a in range(0, len(ids), 500):
        chunk = ids[a:a + 500]
        marks = ", ".join(["%s"] * len(chunk))
        for pk, pub, key, title in src.rows(
                f"SELECT id, publication_number, key, title FROM {src.tables['patent']} WHERE id IN ({marks})", chunk):
            out[int(pk)] = (pub or "", key, title or "") if with_key else (pub or key, title or "")
    return out


def region_names(src: Source, set_id: int) -> dict[str, str]:
    sql = (f"SELECT m.region_code, MAX(m.region_name) FROM {_base(src)} WHERE m.patent_set_id = %s "
           f"AND m.region_code <> '' GROUP BY m.region_code")
    return {code: name or "" for code, name in src.rows(sql, [set_id])}


# ---------------------------------------------------------------- the whole landscape


@dataclass(frozen=True)
class Term:
    """A 技术功效矩阵 row or column, or a 产业链 node, as the engine needs it."""

    id: int
    label: str
    words: tuple[str, ...] = ()
    ipc_prefixes: tuple[str, ...] = ()


def _families(src: Source, set_id: int, d: dict, technologies: Sequence[Term], effects: Sequence[Term],
              nodes: Sequence[Term]) -> list[Callable[[Source], dict]]:
    """The landscape's independent statements, each a function of a ``Source`` returning part of the result,
    the longest first (so two connections finish together)."""
    fams: list[Callable[[Source], dict]] = [
        lambda s: group_many(s, [*(Ask(f"ipc_{level}", d[f"ipc_{level}"], limit=TOP)
                                   for level in ("section", "class", "subclass", "group")),
                                 Ask("ipc_year", d["ipc_year"], by_key=True)], set_id),
        lambda s: group_many(s, [Ask("inventors", d["inventor"], limit=TOP),
                                 Ask("inventor_count", d["inventor"], count=True)], set_id),
        lambda s: {"totals": totals(s, set_id), "region_names": region_names(s, set_id),
                   "priority_flows": group(s, d["priority_flow"], set_id, limit=TOP),
                   "deal_types": group(s, d["deal_type"], set_id), "most_cited": most_cited(s, set_id)},
        lambda s: {"citation_edges": citation_edges(s, set_id)},
        lambda s: group_many(s, [Ask("applicant_year", d["applicant_year"], by_key=True, distinct_of="m.name"),
                                 Ask("applicants", d["applicant"], limit=TOP),
                                 Ask("applicant_count", d["applicant"], count=True),
                                 Ask("applicant_types", d["applicant_type"])], set_id),
        lambda s: group_many(s, [Ask("app_year", d["app_year"], by_key=True),
                                 Ask("grant_year", d["grant_year"], by_key=True),
                                 Ask("regions", d["region"]), Ask("countries", d["country"]),
                                 Ask("legal_status", d["legal_status"]), Ask("remaining_life", d["remaining_life"]),
                                 *(Ask(f"{kind}_years", d[f"{kind}_year"], by_key=True)
                                   for kind in ("transfer", "licence", "pledge"))], set_id),
        lambda s: group_many(s, [Ask("co_applicants", d["co_applicants"], limit=NETWORK_EDGES)], set_id),
    ]
    if technologies and effects:
        def matrix(s: Source) -> dict:
            flags = [words_condition(s, t.words) for t in (*technologies, *effects)]
            n_t = len(technologies)
            pairs = [(i, n_t + j) for i in range(n_t) for j in range(len(effects))]
            singles, cells = flag_counts(s, set_id, flags, pairs)
            return {"matrix": {"technologies": singles[:n_t], "effects": singles[n_t:],
                               "cells": [cells[i * len(effects):(i + 1) * len(effects)] for i in range(n_t)]}}
        fams.insert(0, matrix)
    if nodes:
        fams.insert(0, lambda s: {"chain_counts": flag_counts(
            s, set_id, [node_condition(s, n.words, n.ipc_prefixes) for n in nodes])[0]})
    return fams


def _run(src: Source, fams: list[Callable[[Source], dict]], workers: int) -> dict:
    """Run the families on ``workers`` connections (``src.fork`` opens one per extra thread; the database
    engines release the interpreter while a statement runs, so two connections use two cores)."""
    out: dict = {}
    if workers <= 1 or src.fork is None or len(fams) < 2:
        for fam in fams:
            out.update(fam(src))
        return out
    import queue
    import threading

    todo: queue.SimpleQueue = queue.SimpleQueue()
    for fam in fams:
        todo.put(fam)
    results: list[dict] = []
    errors: list[BaseException] = []

    def drain(s: Source) -> None:
        while True:
            try:
                fam = todo.get_nowait()
            except queue.Empty:
                return
            try:
                results.append(fam(s))
            except BaseException as exc:  # re-raised in the calling thread
                errors.append(exc)
                return

    def other() -> None:
        try:
            s, close = src.fork()
        except BaseException as exc:
            errors.append(exc)
            return
        try:
            drain(s)
        finally:
            close()

    threads = [threading.Thread(target=other, name=f"ipoc-landscape-{i}", daemon=True) for i in range(workers - 1)]
    for t in threads:
        t.start()
    drain(src)
    for t in threads:
        t.join()
    if errors:
        raise errors[0]
    for part in results:
        out.update(part)
    return out


def landscape(src: Source, set_id: int, *, today: dt.date, technologies: Sequence[Term] = (),
              effects: Sequence[Term] = (), nodes: Sequence[Term] = (), workers: int = 1) -> dict:
    """Every analysis of a set as raw figures (keys and counts); ``selectors`` adds words, links and charts.
    One statement per family of breakdowns that share their joins; with ``workers`` > 1 (and ``src.fork``)
    the families run on that many connections at once."""
    d = dimensions(src, today)
    out = _run(src, _families(src, set_id, d, technologies, effects, nodes), workers)
    top_sub = [k for k, _n in out["ipc_subclass"][:HEAT_ROWS]]
    out["ipc_year"] = [(k, n) for k, n in out["ipc_year"] if k.split("|", 1)[0] in top_sub]
    apps_, grants, holders = (dict(out.pop(k)) for k in ("app_year", "grant_year", "applicant_year"))
    years = sorted(set(apps_) | set(grants) | set(holders))
    out["trend"] = [(y, apps_.get(y, 0), grants.get(y, 0), holders.get(y, 0)) for y in years]
    return out
