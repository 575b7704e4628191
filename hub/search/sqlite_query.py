"""The query half of the SQLite backend: compile a validated plan to SQL over one index generation.

The common shape (text terms ANDed with year ranges and facet filters) runs as one FTS5
MATCH ranked by weighted bm25. A year range nested inside an OR falls back to a boolean
SQL expression of MATCH sub-queries, sorted by date (there is no single bm25 to rank by).
The matched ids go to a per-connection temporary table once; the totals (works and records)
and every facet count are read from it.

Results are collapsed on ``work_id``: the ranked rows are streamed and the first row of each
work (its best-ranked record) is kept, so page *n* holds works *(n-1)·size+1 … n·size* in the
order of their best hits — the same order a window function ranking each work's records would
give, at the cost of reading the rows up to the page (as OFFSET does) instead of sorting them all.
"""

from __future__ import annotations

import json
import sqlite3
import threading
from collections import OrderedDict
from typing import Any

from hub.search.base import FACETS, FIELD_BOOSTS, FacetValue, Hit, Plan, SearchResult
from hub.search.highlight import highlight, render
from hub.search.query import And, MatchAll, Node, Not, Or, Term, YearRange, positive_terms
from hub.search.sqlite import FTS_COLUMNS, ROW_FACETS, _has_year, fts_expression

_WEIGHTS = ", ".join(str(FIELD_BOOSTS[c]) for c in FTS_COLUMNS)
# Totals and facet counts of recent searches, keyed by the index's write counter: any write
# (or a rebuild's new generation) makes older entries unreachable. Pages are never cached.
_CACHE_SIZE = 512
_COUNTS: OrderedDict[tuple, tuple[int, int, dict[str, list[FacetValue]]]] = OrderedDict()
_FETCH = 500
_LOCK = threading.Lock()


def _writes(conn: sqlite3.Connection) -> str:
    row = conn.execute("SELECT value FROM meta WHERE key = 'writes'").fetchone()
    return row[0] if row else "0"


def _boolean_sql(node: Node, g: str, params: list[Any]) -> str:
    """A SQL condition on ``d`` equivalent to ``node`` (any shape, year ranges anywhere)."""
    if isinstance(node, MatchAll):
        return "1"
    if isinstance(node, YearRange):
        params.extend([node.start, node.end])
        return "d.year BETWEEN ? AND ?"
    if isinstance(node, Not):
        return f"NOT ({_boolean_sql(node.child, g, params)})"
    if isinstance(node, And | Or) and any(_has_year(c) for c in node.children):
        joiner = " AND " if isinstance(node, And) else " OR "
        return joiner.join(f"({_boolean_sql(c, g, params)})" for c in node.children)
    params.append(fts_expression(node))
    return f"d.id IN (SELECT rowid FROM fts_{g} WHERE fts_{g} MATCH ?)"


def _filters_sql(plan: Plan, g: str, params: list[Any]) -> list[str]:
    conds = []
    for name, values in plan.filters.items():
        if name == "year":
            parts = []
            for yr in values:
                parts.append("d.year BETWEEN ? AND ?")
                params.extend([yr.start, yr.end])
            conds.append("(" + " OR ".join(parts) + ")")
        elif name == "fulltext":
            conds.append("(" + " OR ".join("d.has_fulltext = ?" for _ in values) + ")")
            params.extend(int(v) for v in values)
        else:
            marks = ",".join("?" for _ in values)
            conds.append(f"d.id IN (SELECT doc_id FROM facets_{g} WHERE field = ? AND value IN ({marks}))")
            params.append(name)
            params.extend(values)
    return conds


def _split(node: Node) -> tuple[str | None, list[YearRange], list[Node], Node | None]:
    """(MATCH expression, top-level years, negated text nodes without positives, general node)."""
    if isinstance(node, MatchAll):
        return None, [], [], None
    if isinstance(node, YearRange):
        return None, [node], [], None
    children = list(node.children) if isinstance(node, And) else [node]
    years = [c for c in children if isinstance(c, YearRange)]
    rest = [c for c in children if not isinstance(c, YearRange)]
    if any(_has_year(c) for c in rest):
        return None, [], [], node
    positives = [c for c in rest if not isinstance(c, Not)]
    if not positives:
        return None, years, [c.child for c in rest], None
    text = rest[0] if len(rest) == 1 else And(tuple(rest))
    return fts_expression(text), years, [], None


def run_search(conn: sqlite3.Connection, g: str, plan: Plan, max_results: int) -> SearchResult:
    """Run ``plan`` on generation ``g``: one page of hits, the total and the facet counts."""
    req = plan.request
    match, years, negatives, general = _split(plan.query)
    params: list[Any] = []
    conds: list[str] = []
    if match is not None:
        conds.append(f"fts_{g} MATCH ?")
        params.append(match)
    for yr in years:
        conds.append("d.year BETWEEN ? AND ?")
        params.extend([yr.start, yr.end])
    for neg in negatives:
        conds.append(f"d.id NOT IN (SELECT rowid FROM fts_{g} WHERE fts_{g} MATCH ?)")
        params.append(fts_expression(neg))
    if general is not None:
        conds.append(_boolean_sql(general, g, params))
    conds.extend(_filters_sql(plan, g, params))
    where = " AND ".join(conds) or "1"
    source = f"fts_{g} JOIN docs_{g} d ON d.id = fts_{g}.rowid" if match else f"docs_{g} d"
    sort = plan.sort
    if sort == "relevance" and match is None:
        sort = "newest"
    order = {"relevance": "score, d.id", "newest": "d.date_sort DESC, d.id DESC",
             "oldest": "CASE WHEN d.date_sort = '' THEN 1 ELSE 0 END, d.date_sort, d.id"}[sort]
    score = f"bm25(fts_{g}, {_WEIGHTS})" if match else "0"
    size = min(req.size, max_results - req.offset)
    ranked = _page(conn, f"SELECT d.id, d.work_id, {score} AS score FROM {source} WHERE {where} ORDER BY {order}",
                   params, req.offset, size)
    key = (str(conn.execute("PRAGMA database_list").fetchone()[2]), g, _writes(conn), where, tuple(params),
           req.facet_size, req.facet_names)
    cached = _COUNTS.get(key)
    if cached is not None:
        _COUNTS.move_to_end(key)
        works, records, facets = cached
    else:
        if not conds:
            records, works = conn.execute(f"SELECT count(*), count(DISTINCT work_id) FROM docs_{g}").fetchone()
            hitset = None
        else:
            conn.execute("CREATE TEMP TABLE IF NOT EXISTS hitset (id INTEGER PRIMARY KEY)")
            conn.execute("DELETE FROM temp.hitset")
            records = conn.execute(f"INSERT INTO temp.hitset SELECT d.id FROM {source} WHERE {where}",
                                   params).rowcount
            works = conn.execute(f"SELECT count(DISTINCT d.work_id) FROM temp.hitset h "
                                 f"CROSS JOIN docs_{g} d ON d.id = h.id").fetchone()[0]
            hitset = "temp.hitset"
        facets = _facets(conn, g, hitset, req.facet_size, req.facet_names)
        with _LOCK:
            _COUNTS[key] = (works, records, facets)
            while len(_COUNTS) > _CACHE_SIZE:
                _COUNTS.popitem(last=False)
    terms = positive_terms(plan.query) if req.highlight else []
    data = _data(conn, g, [doc_id for doc_id, _ in ranked])
    hits = [_hit(conn, g, (doc_id, data[doc_id], score), terms) for doc_id, score in ranked if doc_id in data]
    return SearchResult(works, hits, facets, req.page, req.size, max_results, records=records)


def _page(conn: sqlite3.Connection, sql: str, params: list[Any], offset: int, size: int) -> list[tuple[int, float]]:
    """(id, score) of the best-ranked record of works ``offset+1 … offset+size``, from rows in rank order."""
    seen: set[str] = set()
    page: list[tuple[int, float]] = []
    cursor = conn.execute(sql, params)
    try:
        while len(page) < size and (rows := cursor.fetchmany(_FETCH)):
            for doc_id, work, score in rows:
                if work in seen:
                    continue
                seen.add(work)
                if len(seen) > offset:
                    page.append((doc_id, score))
                    if len(page) == size:
                        break
    finally:
        cursor.close()
    return page


def _data(conn: sqlite3.Connection, g: str, ids: list[int]) -> dict[int, str]:
    """The stored fields (JSON) of these documents."""
    if not ids:
        return {}
    marks = ",".join("?" for _ in ids)
    return dict(conn.execute(f"SELECT id, data FROM docs_{g} WHERE id IN ({marks})", ids).fetchall())


def _facets(conn: sqlite3.Connection, g: str, hitset: str | None, size: int,
            names: tuple[str, ...] = FACETS) -> dict[str, list[FacetValue]]:
    out: dict[str, list[FacetValue]] = {}
    join = f"CROSS JOIN docs_{g} d ON d.id = h.id" if hitset else ""
    docs = f"{hitset} h" if hitset else f"docs_{g} d"
    for name in names:
        if name in ROW_FACETS:
            # CROSS JOIN makes the hit set the outer loop: cost follows the hits, not the collection
            source = f"{hitset} h CROSS JOIN facets_{g} f ON f.doc_id = h.id" if hitset else f"facets_{g} f"
            rows = conn.execute(f"SELECT f.value, count(*) FROM {source} WHERE f.field = ? "
                                "GROUP BY f.value ORDER BY 2 DESC, 1 LIMIT ?", (name, size)).fetchall()
        elif name == "year":
            rows = conn.execute(f"SELECT d.year, count(*) FROM {docs} {join} WHERE d.year IS NOT NULL "
                                "GROUP BY d.year ORDER BY d.year DESC LIMIT ?", (size,)).fetchall()
        else:
            rows = conn.execute(f"SELECT d.has_fulltext, count(*) FROM {docs} {join} "
                                "GROUP BY d.has_fulltext ORDER BY 2 DESC").fetchall()
            rows = [("true" if v else "false", c) for v, c in rows]
        out[name] = [FacetValue(str(v), c) for v, c in rows]
    return out


def _hit(conn: sqlite3.Connection, g: str, row: tuple, terms: list[Term]) -> Hit:
    doc_id, data, score = row
    doc = json.loads(data)
    highlights = {}
    if terms:
        general = [t for t in terms if t.field is None]
        title_terms = general + [t for t in terms if t.field == "title"]
        if marked := highlight(doc.get("title") or "", title_terms, whole=True):
            highlights["title"] = [render(f) for f in marked]
        if marked := highlight(doc.get("abstract") or "", general):
            highlights["abstract"] = [render(f) for f in marked]
        if general:
            text = conn.execute(f"SELECT fulltext FROM docs_{g} WHERE id = ?", (doc_id,)).fetchone()[0]
            if marked := highlight(text, general):
                highlights["fulltext"] = [render(f) for f in marked]
    return Hit(doc_id, -float(score or 0.0), doc, highlights)
