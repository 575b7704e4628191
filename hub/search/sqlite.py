"""The embedded search backend: SQLite FTS5 in its own file, CJK-aware through the shared analyzer.

Text is analysed in Python (:mod:`hub.search.analysis`) and stored as space-separated tokens
in an FTS5 table with the ``ascii`` tokenizer (which keeps every non-ASCII character inside
tokens), so CJK bigrams and stemmed English words are matched exactly as the analyzer made
them. Relevance is FTS5's bm25 with per-column weights (title above abstract above full text).

Results are collapsed on the ``work_id`` column (one hit per work, see
:mod:`hub.search.sqlite_query`); generations written before that column existed get it added on
first use, each old document a work of its own until it is indexed again.

One file holds *generations* of three tables (``docs_<g>``, ``facets_<g>``, ``fts_<g>``); the
``meta`` table names the live one. ``rebuild`` fills a new generation and swaps the name in
one transaction, so searches never see a half-built index.
"""

from __future__ import annotations

import json
import sqlite3
import threading
import time
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path
from typing import Any

from hub.search.analysis import index_text
from hub.search.base import PREFIX_FIELDS, Plan, SearchBackend, SearchResult
from hub.search.document import STORED_FIELDS
from hub.search.query import And, Node, Not, Or, Term, YearRange

FTS_COLUMNS = ("title", "creators", "subjects", "abstract", "fulltext", "other")
# Facets stored as (doc, field, value) rows; year and fulltext are columns of docs.
ROW_FACETS = {"institution": "institution", "repository": "repository", "type": "type",
              "language": "languages", "subject": "subjects_facet", "discipline": "disciplines", "doi": "doi"}


def fts_expression(node: Node) -> str:
    """Compile a text-only AST (no YearRange, no MatchAll) into an FTS5 MATCH expression."""
    if isinstance(node, Term):
        phrase = '"' + " ".join(node.tokens) + '"'
        columns = PREFIX_FIELDS.get(node.field or "")
        return f"{{{' '.join(columns)}}} : {phrase}" if columns else phrase
    if isinstance(node, And):
        positives = [c for c in node.children if not isinstance(c, Not)]
        negatives = [c.child for c in node.children if isinstance(c, Not)]
        expr = " AND ".join(f"({fts_expression(c)})" for c in positives)
        for neg in negatives:
            expr = f"({expr}) NOT ({fts_expression(neg)})"
        return expr
    if isinstance(node, Or):
        return " OR ".join(f"({fts_expression(c)})" for c in node.children)
    raise TypeError(f"cannot compile {node!r} to FTS5")


def _has_year(node: Node) -> bool:
    if isinstance(node, YearRange):
        return True
    if isinstance(node, And | Or):
        return any(_has_year(c) for c in node.children)
    if isinstance(node, Not):
        return _has_year(node.child)
    return False


class SQLiteSearch(SearchBackend):
    """SQLite FTS5 search in the file named by ``sqlite:///path``."""

    name = "sqlite"

    def __init__(self, url: str, settings: Mapping[str, Any]) -> None:
        super().__init__(url, settings)
        self.path = Path(url.split("///", 1)[-1])
        self._local = threading.local()

    # -- connections and generations ---------------------------------------------------------

    def _conn(self) -> sqlite3.Connection:
        conn = getattr(self._local, "conn", None)
        if conn is None:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            conn = sqlite3.connect(self.path, timeout=60, isolation_level=None, check_same_thread=False)
            conn.execute("PRAGMA journal_mode=WAL")
            conn.execute("PRAGMA synchronous=NORMAL")
            conn.execute("PRAGMA busy_timeout=60000")
            conn.execute("PRAGMA cache_size=-65536")
            conn.execute("CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)")
            self._local.conn = conn
        return conn

    def _generation(self, conn: sqlite3.Connection) -> str | None:
        row = conn.execute("SELECT value FROM meta WHERE key = 'generation'").fetchone()
        return row[0] if row else None

    @staticmethod
    def _create(conn: sqlite3.Connection, g: str) -> None:
        conn.execute(f"CREATE TABLE IF NOT EXISTS docs_{g} (id INTEGER PRIMARY KEY, version TEXT NOT NULL, "
                     "year INTEGER, date_sort TEXT NOT NULL DEFAULT '', has_fulltext INTEGER NOT NULL DEFAULT 0, "
                     "data TEXT NOT NULL, fulltext TEXT NOT NULL DEFAULT '', work_id TEXT NOT NULL DEFAULT '')")
        conn.execute(f"CREATE INDEX IF NOT EXISTS docs_{g}_work ON docs_{g} (work_id)")
        conn.execute(f"CREATE INDEX IF NOT EXISTS docs_{g}_date ON docs_{g} (date_sort, id)")
        conn.execute(f"CREATE INDEX IF NOT EXISTS docs_{g}_year ON docs_{g} (year)")
        conn.execute(f"CREATE INDEX IF NOT EXISTS docs_{g}_text ON docs_{g} (has_fulltext)")
        conn.execute(f"CREATE TABLE IF NOT EXISTS facets_{g} (doc_id INTEGER NOT NULL, field TEXT NOT NULL, "
                     "value TEXT NOT NULL)")
        conn.execute(f"CREATE INDEX IF NOT EXISTS facets_{g}_fv ON facets_{g} (field, value, doc_id)")
        conn.execute(f"CREATE INDEX IF NOT EXISTS facets_{g}_doc ON facets_{g} (doc_id, field, value)")
        conn.execute(f"CREATE VIRTUAL TABLE IF NOT EXISTS fts_{g} USING fts5("
                     f"{', '.join(FTS_COLUMNS)}, tokenize='ascii')")

    @staticmethod
    def _add_work_column(conn: sqlite3.Connection, g: str) -> None:
        """Give a generation written before results were collapsed by work its ``work_id`` column
        (reads the schema only, and writes nothing, when the column is there)."""
        columns = {row[1] for row in conn.execute(f"PRAGMA table_info(docs_{g})")}
        if "work_id" not in columns:
            conn.execute(f"ALTER TABLE docs_{g} ADD COLUMN work_id TEXT NOT NULL DEFAULT ''")
            conn.execute(f"UPDATE docs_{g} SET work_id = 'r' || id")
            conn.execute(f"CREATE INDEX IF NOT EXISTS docs_{g}_work ON docs_{g} (work_id)")

    def ensure(self) -> None:
        conn = self._conn()
        conn.execute("BEGIN IMMEDIATE")
        try:
            if self._generation(conn) is None:
                self._create(conn, "g1")
                conn.execute("INSERT INTO meta (key, value) VALUES ('generation', 'g1')")
            conn.execute("COMMIT")
        except BaseException:
            conn.execute("ROLLBACK")
            raise

    def _live(self) -> tuple[sqlite3.Connection, str]:
        conn = self._conn()
        g = self._generation(conn)
        if g is None:
            self.ensure()
            g = self._generation(conn)
        if getattr(self._local, "checked", None) != g:
            self._add_work_column(conn, g)
            self._local.checked = g
        return conn, g

    # -- writing ------------------------------------------------------------------------------

    @staticmethod
    def _write(conn: sqlite3.Connection, g: str, docs: list[dict[str, Any]]) -> None:
        ids = [(d["id"],) for d in docs]
        conn.executemany(f"DELETE FROM docs_{g} WHERE id = ?", ids)
        conn.executemany(f"DELETE FROM facets_{g} WHERE doc_id = ?", ids)
        conn.executemany(f"DELETE FROM fts_{g} WHERE rowid = ?", ids)
        conn.executemany(
            f"INSERT INTO docs_{g} (id, version, year, date_sort, has_fulltext, data, fulltext, work_id) "
            "VALUES (?,?,?,?,?,?,?,?)",
            [(d["id"], d["version"], d.get("year"), d.get("date_sort") or "", int(bool(d.get("has_fulltext"))),
              json.dumps({k: d.get(k) for k in STORED_FIELDS}, ensure_ascii=False), d.get("fulltext") or "",
              d.get("work_id") or f"r{d['id']}")
             for d in docs])
        rows = []
        for d in docs:
            for facet, fieldname in ROW_FACETS.items():
                value = d.get(fieldname)
                for v in value if isinstance(value, list) else [value]:
                    if v not in (None, ""):
                        rows.append((d["id"], facet, str(v)))
        conn.executemany(f"INSERT INTO facets_{g} (doc_id, field, value) VALUES (?,?,?)", rows)
        conn.executemany(
            f"INSERT INTO fts_{g} (rowid, {', '.join(FTS_COLUMNS)}) VALUES (?,?,?,?,?,?,?)",
            [(d["id"], index_text(d.get("title") or ""), index_text(" ; ".join(d.get("creators") or [])),
              index_text(" ; ".join(d.get("subjects") or [])), index_text(d.get("abstract") or ""),
              index_text(d.get("fulltext") or ""), index_text(d.get("other") or "")) for d in docs])

    def _transaction(self, work) -> None:
        conn = self._conn()
        conn.execute("BEGIN IMMEDIATE")
        try:
            g = self._generation(conn)
            if g is None:
                self._create(conn, "g1")
                conn.execute("INSERT INTO meta (key, value) VALUES ('generation', 'g1')")
                g = "g1"
            elif getattr(self._local, "checked", None) != g:
                self._add_work_column(conn, g)
            work(conn, g)
            conn.execute("INSERT INTO meta (key, value) VALUES ('writes', '1') ON CONFLICT (key) "
                         "DO UPDATE SET value = CAST(value AS INTEGER) + 1")
            conn.execute("COMMIT")
            self._local.checked = g
        except BaseException:
            conn.execute("ROLLBACK")
            raise

    def index_documents(self, docs: list[dict[str, Any]]) -> None:
        if docs:
            self._transaction(lambda conn, g: self._write(conn, g, docs))

    def delete_documents(self, ids: Iterable[int]) -> None:
        rows = [(int(i),) for i in ids]
        if not rows:
            return

        def work(conn: sqlite3.Connection, g: str) -> None:
            conn.executemany(f"DELETE FROM docs_{g} WHERE id = ?", rows)
            conn.executemany(f"DELETE FROM facets_{g} WHERE doc_id = ?", rows)
            conn.executemany(f"DELETE FROM fts_{g} WHERE rowid = ?", rows)

        self._transaction(work)

    def refresh(self) -> None:
        """Writes are visible on commit."""

    def rebuild(self, batches: Iterable[list[dict[str, Any]]]) -> int:
        conn = self._conn()
        new = f"g{time.time_ns():x}"
        self._create(conn, new)
        total = 0
        try:
            for batch in batches:
                conn.execute("BEGIN IMMEDIATE")
                self._write(conn, new, batch)
                conn.execute("COMMIT")
                total += len(batch)
            conn.execute(f"INSERT INTO fts_{new} (fts_{new}) VALUES ('optimize')")
        except BaseException:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            self._drop_generation(conn, new)
            raise
        conn.execute("BEGIN IMMEDIATE")
        old = self._generation(conn)
        conn.execute("INSERT OR REPLACE INTO meta (key, value) VALUES ('generation', ?)", (new,))
        conn.execute("COMMIT")
        if old and old != new:
            self._drop_generation(conn, old)
        return total

    @staticmethod
    def _drop_generation(conn: sqlite3.Connection, g: str) -> None:
        for table in (f"fts_{g}", f"facets_{g}", f"docs_{g}"):
            conn.execute(f"DROP TABLE IF EXISTS {table}")

    def drop(self) -> None:
        conn = self._conn()
        g = self._generation(conn)
        if g:
            self._drop_generation(conn, g)
        conn.execute("DELETE FROM meta WHERE key = 'generation'")
        conn.execute("INSERT INTO meta (key, value) VALUES ('writes', '1') ON CONFLICT (key) "
                     "DO UPDATE SET value = CAST(value AS INTEGER) + 1")

    def close(self) -> None:
        conn = getattr(self._local, "conn", None)
        if conn is not None:
            conn.close()
            self._local.conn = None

    # -- reading ------------------------------------------------------------------------------

    def iter_versions(self) -> Iterator[tuple[int, str]]:
        conn, g = self._live()
        yield from conn.execute(f"SELECT id, version FROM docs_{g} ORDER BY id")

    def count(self) -> int:
        conn, g = self._live()
        return conn.execute(f"SELECT count(*) FROM docs_{g}").fetchone()[0]

    def get(self, doc_id: int) -> dict[str, Any] | None:
        conn, g = self._live()
        row = conn.execute(f"SELECT data FROM docs_{g} WHERE id = ?", (doc_id,)).fetchone()
        return json.loads(row[0]) if row else None

    def ids_by(self, field: str, value: str, limit: int = 50) -> list[int]:
        name = {v: k for k, v in ROW_FACETS.items()}.get(field, field)
        if name not in ROW_FACETS:
            raise ValueError(f"cannot look documents up by {field!r}")
        conn, g = self._live()
        rows = conn.execute(f"SELECT doc_id FROM facets_{g} WHERE field = ? AND value = ? ORDER BY doc_id LIMIT ?",
                            (name, value, limit))
        return [r[0] for r in rows]

    def describe(self) -> str:
        conn, g = self._live()
        return f"SQLite {sqlite3.sqlite_version} FTS5, {self.count():,} documents in {self.path}"

    def execute(self, plan: Plan) -> SearchResult:
        from hub.search.sqlite_query import run_search

        conn, g = self._live()
        return run_search(conn, g, plan, self.max_results)
