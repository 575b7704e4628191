"""Which formats a record was ever disseminated in, so that leaving one is a deletion in it.

``deletedRecord=persistent`` holds per record, and an OAI-PMH record is an item *in one format*: a
record served as ``oai_openaire`` that loses its open access (and so no longer meets the
OpenAIRE Guidelines) must appear as a deleted record in ``oai_openaire`` lists, not vanish from
them. ``Record.disseminated`` keeps the metadataPrefixes a record ever qualified for (each followed
by a space, ``" oai_dc oai_openaire "``, so that one ``LIKE`` tests membership in SQL alike on
SQLite and PostgreSQL); the provider lists a record in format F when it is a tombstone, qualifies
for F now, or was marked with F, and shows it deleted in F when it no longer qualifies.

The marks are kept by the import stage, the one writer of harvested metadata, through two hooks it
calls for every page (``records_rewriting`` before it rewrites records, ``records_written`` after it
inserted or rewrote them; see hub/hookspecs.py). This module implements both as a built-in plugin:
each marks the records with the formats their metadata qualifies for at that moment, every format
the plugin manager serves (plugin formats included). Marking before a rewrite records what the old
metadata qualified for, so rows stored before the column existed need no backfill. A record's
eligibility depends on its normalised metadata only, and any change of it bumps the hub datestamp
in the importer, so the record leaves a format with a new datestamp.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import pluggy
from sqlalchemy import String, and_, case, literal, or_, update
from sqlalchemy.engine import Connection
from sqlalchemy.sql.elements import ColumnElement

from hub.hookspecs import hookimpl
from hub.models import Record

CHUNK = 500


def mark(prefix: str) -> str:
    """How ``prefix`` is written in ``Record.disseminated``."""
    return f"{prefix} "


def was_disseminated(prefix: str) -> ColumnElement[bool]:
    """SQL: the record was once disseminated in ``prefix``."""
    return Record.disseminated.contains(f" {mark(prefix)}", autoescape=True)


def disseminated_in(record: Any, prefix: str) -> bool:
    """Python: whether ``record`` (a row with ``disseminated``) was once disseminated in ``prefix``."""
    return f" {mark(prefix)}" in (getattr(record, "disseminated", None) or " ")


def mark_records(connection: Connection, record_ids: Iterable[int], formats: Iterable[Any]) -> None:
    """Add to these records every format of ``formats`` their current metadata qualifies for (one
    UPDATE per chunk of ids; rows already marked keep their text)."""
    clauses = {fmt.prefix: fmt.sql_clause() for fmt in formats}
    current = case((Record.disseminated.is_(None), literal(" ", String)), else_=Record.disseminated)
    added: ColumnElement[str] = current
    for prefix, clause in clauses.items():
        added = added + case((and_(clause, ~was_disseminated(prefix)), literal(mark(prefix), String)),
                             else_=literal("", String))
    missing = or_(*(and_(clause, or_(Record.disseminated.is_(None), ~was_disseminated(prefix)))
                    for prefix, clause in clauses.items()))
    ids = sorted(set(record_ids))
    for start in range(0, len(ids), CHUNK):
        part = ids[start:start + CHUNK]
        table = Record.__table__
        connection.execute(update(table).where(Record.id.in_(part), missing)  # type: ignore[arg-type]
                           .values(disseminated=added))


@hookimpl
def records_rewriting(connection: Connection, record_ids: list[int], pm: pluggy.PluginManager) -> None:
    """Before the import rewrites records: keep the formats their old metadata qualified for."""
    from oai.provider.formats import metadata_formats

    mark_records(connection, record_ids, metadata_formats(pm).values())


@hookimpl
def records_written(connection: Connection, record_ids: list[int], pm: pluggy.PluginManager) -> None:
    """After the import inserted or rewrote records: add the formats they qualify for now."""
    from oai.provider.formats import metadata_formats

    mark_records(connection, record_ids, metadata_formats(pm).values())
