"""Bulk writes of the showcase's rows: many rows per statement, without the ORM's per-row work.

A refresh writes tens of thousands of contribution rows and a rebuild millions; SQLAlchemy's
per-row parameter processing would cost more than the database does. :func:`insert_rows` hands rows
of plain values (numbers, strings, booleans) to the driver's ``executemany`` directly, in the
driver's own parameter style (SQLite's ``?``, psycopg's ``%s``); a table with JSON columns (the
record facts) goes through SQLAlchemy Core, which serialises them.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, cast

from sqlalchemy import JSON, Table, insert
from sqlalchemy.orm import Session
from sqlalchemy.sql import FromClause

BATCH = 5000
_PLACEHOLDER = {"qmark": "?", "format": "%s", "pyformat": "%s"}


def _plain(table: Table) -> bool:
    """Whether every column holds plain values (no JSON to serialise)."""
    return not any(isinstance(column.type, JSON) for column in table.columns)


def insert_rows(session: Session, target: FromClause, rows: Sequence[Mapping[str, Any]]) -> None:
    """Insert ``rows`` (dicts holding every column of the table ``target``, a model's ``__table__``) in batches."""
    if not rows:
        return
    table = cast(Table, target)
    dialect = session.get_bind().dialect
    placeholder = _PLACEHOLDER.get(dialect.paramstyle)
    if placeholder is None or not _plain(table):
        for start in range(0, len(rows), BATCH):
            session.execute(insert(table), list(rows[start:start + BATCH]))
        return
    names = [column.name for column in table.columns]
    quote = dialect.identifier_preparer.quote
    sql = (f"INSERT INTO {quote(table.name)} ({', '.join(quote(n) for n in names)}) "
           f"VALUES ({', '.join([placeholder] * len(names))})")
    connection = session.connection()
    for start in range(0, len(rows), BATCH):
        values = [tuple(_value(row[n]) for n in names) for row in rows[start:start + BATCH]]
        connection.exec_driver_sql(sql, values)


def _value(value: Any) -> Any:
    """A value as the driver takes it (an Enum member as its plain string)."""
    if isinstance(value, str) and type(value) is not str:
        return str(value.value) if hasattr(value, "value") else str(value)
    return value
