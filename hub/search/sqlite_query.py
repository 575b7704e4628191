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
_COUNTS: OrderedDict[tuple, tuple[int, int, dict[str, list[FacetValue]], bool]] = OrderedDict()
_LOCK = threading.Lock()
# Ranked rows are read with ORDER BY … LIMIT (SQLite keeps only the best rows while sorting), the
# limit doubling until the page's works are found; this many rows per wanted work to start with.
_ROWS_PER_WORK = 2
# Huge hit sets: totals and facet counts come from a deterministic sample of about SAMPLE_SIZE
# records (every record whose id hashes below a cut-off), scaled up, and the result says it is
# approximate. Hit sets estimated at EXACT_LIMIT records or fewer are counted exactly.
EXACT_LIMIT = 10_000
SAMPLE_SIZE = 4_000
_HASH_MOD = 65_536
_HASH_MUL = 40_503  # Knuth's multiplicative hash (16 bits): spreads periodic ids evenly over the sample


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


def _filters_sql(plan: Plan, g: str, params: list[Any], id_col: str = "d.id") -> list[str]:
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
            conds.append(f"{id_col} IN (SELECT doc_id FROM facets_{g} WHERE field = ? AND value IN ({marks}))")
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
        return None, years, [c.child for c in rest if isinstance(c, Not)], None
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
    # text with facet filters only (no year, no full-text flag) needs no column of docs: the FTS
    # table alone is read, each hit's id checked against the filters
    fts_only = match is not None and not years and general is None and not {"year", "fulltext"} & set(plan.filters)
    conds.extend(_filters_sql(plan, g, params, f"+fts_{g}.rowid" if fts_only else "d.id"))
    where = " AND ".join(conds) or "1"
    source = f"fts_{g} JOIN docs_{g} d ON d.id = fts_{g}.rowid" if match else f"docs_{g} d"
    sort = plan.sort
    if sort == "relevance" and match is None:
        sort = "newest"
    order = {"relevance": "score, d.id", "newest": "d.date_sort DESC, d.id DESC",
             "oldest": "CASE WHEN d.date_sort = '' THEN 1 ELSE 0 END, d.date_sort, d.id"}[sort]
    score = f"bm25(fts_{g}, {_WEIGHTS})" if match else "0"
    size = min(req.size, max_results - req.offset)
    if fts_only and sort == "relevance":
        # ranked on the FTS table alone; work ids are read for the rows kept only
        ranked = _page(conn, f"SELECT rowid, NULL, {score} AS score FROM fts_{g} WHERE {where} ORDER BY score, rowid",
                       params, req.offset, size, g)
    else:
        ranked = _page(conn, f"SELECT d.id, d.work_id, {score} AS score FROM {source} WHERE {where} "
                       f"ORDER BY {order}", params, req.offset, size)
    key = (str(conn.execute("PRAGMA database_list").fetchone()[2]), g, _writes(conn), where, tuple(params),
           req.facet_size, req.facet_names)
    cached = _COUNTS.get(key)
    if cached is not None:
        _COUNTS.move_to_end(key)
        works, records, facets, approximate = cached
    else:
        works, records, facets, approximate = _counts(conn, g, f"fts_{g}" if fts_only else source, conds, where, params, bool(match),
                                                      req.facet_size, req.facet_names)
        with _LOCK:
            _COUNTS[key] = (works, records, facets, approximate)
            while len(_COUNTS) > _CACHE_SIZE:
                _COUNTS.popitem(last=False)
    terms = positive_terms(plan.query) if req.highlight else []
    data = _data(conn, g, [doc_id for doc_id, _ in ranked])
    hits = [_hit(conn, g, (doc_id, data[doc_id], score), terms) for doc_id, score in ranked if doc_id in data]
    return SearchResult(works, hits, facets, req.page, req.size, max_results, records=records,
                        approximate=approximate)


def _counts(conn: sqlite3.Connection, g: str, source: str, conds: list[str], where: str, params: list[Any],
            text: bool, facet_size: int, names: tuple[str, ...]) -> tuple[int, int, dict[str, list[FacetValue]], bool]:
    """(works, records, facet counts, approximate) of the hits of ``where``.

    Counted exactly over a temporary table of the hit ids, unless the hit set is huge: then over a
    deterministic sample of it (records whose id hashes below a cut-off), every count scaled up.
    """
    if not conds:
        records, works = conn.execute(f"SELECT count(*), count(DISTINCT work_id) FROM docs_{g}").fetchone()
        return works, records, _facets(conn, g, None, facet_size, names), False
    conn.execute("CREATE TEMP TABLE IF NOT EXISTS hitset (id INTEGER PRIMARY KEY)")
    conn.execute("DELETE FROM temp.hitset")
    rowid = f"fts_{g}.rowid" if text else "d.id"
    if text and len(conds) == 1:
        # a bare text query: FTS5 counts its matches without reading them
        estimate = conn.execute(f"SELECT count(*) FROM fts_{g} WHERE {where}", params).fetchone()[0]
    else:
        estimate = None
    total = conn.execute(f"SELECT max(id) FROM docs_{g}").fetchone()[0] or 0
    scale = 1.0
    records = conn.execute(f"INSERT INTO temp.hitset SELECT {rowid} FROM {source} WHERE {where} LIMIT ?",
                           [*params, EXACT_LIMIT + 1]).rowcount if estimate is None or estimate <= EXACT_LIMIT else 0
    if records > EXACT_LIMIT or (estimate is not None and estimate > EXACT_LIMIT):
        # huge: count a sample instead (about SAMPLE_SIZE of the collection's ids hash below the cut)
        conn.execute("DELETE FROM temp.hitset")
        cut = max(1, _HASH_MOD * SAMPLE_SIZE // max(total, 1))
        sampled = conn.execute(f"INSERT INTO temp.hitset SELECT {rowid} FROM {source} WHERE {where} "
                               f"AND ({rowid} * {_HASH_MUL}) % {_HASH_MOD} < {cut}", params).rowcount
        scale = _HASH_MOD / cut
        records = estimate if estimate is not None else max(round(sampled * scale), EXACT_LIMIT + 1)
    works, sampled_records = conn.execute(f"SELECT count(DISTINCT d.work_id), count(*) FROM temp.hitset h "
                                          f"CROSS JOIN docs_{g} d ON d.id = h.id").fetchone()
    facets = _facets(conn, g, "temp.hitset", facet_size, names)
    if scale == 1.0:
        return works, records, facets, False
    factor = records / max(1, sampled_records)
    facets = {name: [FacetValue(v.value, max(1, round(v.count * factor))) for v in values]
              for name, values in facets.items()}
    return min(records, max(1, round(works * factor))), records, facets, True


def _page(conn: sqlite3.Connection, sql: str, params: list[Any], offset: int, size: int,
          g: str | None = None) -> list[tuple[int, float]]:
    """(id, score) of the best-ranked record of works ``offset+1 … offset+size``, from rows in rank order.

    The rows are read with a LIMIT, so that SQLite sorts keeping only the best ones; when they hold
    fewer works than the page needs (several records of one work), the limit grows. With ``g``, the
    rows carry no work id (NULL) and it is read from ``docs_<g>`` for the rows read.
    """
    limit = (offset + size) * _ROWS_PER_WORK
    while True:
        rows = conn.execute(f"{sql} LIMIT ?", [*params, limit]).fetchall()
        if g is not None and rows:
            ids = [r[0] for r in rows]
            work_of: dict[int, str] = {}
            for start in range(0, len(ids), 500):
                chunk = ids[start:start + 500]
                work_of.update(conn.execute(f"SELECT id, work_id FROM docs_{g} WHERE id IN "
                                            f"({','.join('?' for _ in chunk)})", chunk).fetchall())
            rows = [(doc_id, work_of.get(doc_id, f"r{doc_id}"), score) for doc_id, _, score in rows]
        seen: set[str] = set()
        page: list[tuple[int, float]] = []
        for doc_id, work, score in rows:
            if work in seen:
                continue
            seen.add(work)
            if len(seen) > offset:
                page.append((doc_id, score))
                if len(page) == size:
                    return page
        if len(rows) < limit:
            return page
        limit *= 4


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
    fields = [name for name in names if name in ROW_FACETS]
    counted: dict[str, list[tuple[str, int]]] = {name: [] for name in fields}
    if fields and hitset:
        # one pass over the hits' facet rows (CROSS JOIN: the hit set is the outer loop)
        marks = ",".join("?" for _ in fields)
        for field, value, count in conn.execute(
                f"SELECT f.field, f.value, count(*) FROM {hitset} h CROSS JOIN facets_{g} f ON f.doc_id = h.id "
                f"WHERE f.field IN ({marks}) GROUP BY f.field, f.value", fields):
            counted[field].append((value, count))
    elif fields:
        for name in fields:
            counted[name] = conn.execute(f"SELECT value, count(*) FROM facets_{g} WHERE field = ? "
                                         "GROUP BY value ORDER BY 2 DESC, 1 LIMIT ?", (name, size)).fetchall()
    years: list[tuple[Any, int]] = []
    fulltext: dict[int, int] = {}
    if "year" in names or "fulltext" in names:
        for year, has_text, count in conn.execute(f"SELECT d.year, d.has_fulltext, count(*) FROM {docs} {join} "
                                                  "GROUP BY d.year, d.has_fulltext"):
            if year is not None:
                years.append((year, count))
            fulltext[has_text] = fulltext.get(has_text, 0) + count
    for name in names:
        if name in ROW_FACETS:
            rows = sorted(counted[name], key=lambda r: (-r[1], r[0]))[:size]
        elif name == "year":
            by_year: dict[Any, int] = {}
            for year, count in years:
                by_year[year] = by_year.get(year, 0) + count
            rows = sorted(by_year.items(), key=lambda r: -r[0])[:size]
        else:
            rows = [("true" if v else "false", c) for v, c in sorted(fulltext.items(), key=lambda r: (-r[1], r[0]))]
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
        if marked := highlight(doc.get("abstract") or "", general + [t for t in terms if t.field == "abstract"]):
            highlights["abstract"] = [render(f) for f in marked]
        if general:
            text = conn.execute(f"SELECT fulltext FROM docs_{g} WHERE id = ?", (doc_id,)).fetchone()[0]
            if marked := highlight(text, general):
                highlights["fulltext"] = [render(f) for f in marked]
    return Hit(doc_id, -float(score or 0.0), doc, highlights)
