"""Which formats a record was ever disseminated in, so that leaving one is a deletion in it.

``deletedRecord=persistent`` holds per record, and an OAI-PMH record is an item *in one format*: a
record served as ``oai_openaire`` that loses its open access (and so no longer meets the
OpenAIRE Guidelines) must appear as a deleted record in ``oai_openaire`` lists, not vanish from
them. ``Record.disseminated`` keeps the metadataPrefixes a record ever qualified for (each followed
by a space, ``" oai_dc oai_openaire "``, so that one ``LIKE`` tests membership in SQL alike on
SQLite and PostgreSQL); the provider lists a record in format F when it is a tombstone, qualifies
for F now, or was marked with F, and shows it deleted in F when it no longer qualifies.

The marks are kept where records are written, whoever writes them: a listener on every Session
statement (:func:`around_record_write`) marks the rows an INSERT or a metadata UPDATE of the record
table touches, with the formats their metadata qualifies for, before the UPDATE (the old
metadata: also what records stored before the column existed qualified for) and after it. A
record's eligibility depends on its normalised metadata only, and any change of it bumps the hub
datestamp in the importer, so the record leaves a format with a new datestamp.

The formats marked are the built-in ones and every format the provider's registry has built in
this process (:func:`track`), plugin formats included.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy import String, and_, case, inspect, literal, or_, select, update
from sqlalchemy.orm import ORMExecuteState, Session
from sqlalchemy.sql.elements import ColumnElement

from hub.models import Record

_TRACKED: dict[str, ColumnElement[bool]] = {}
_METADATA_KEYS = frozenset({"meta", "metadata"})
CHUNK = 500


def track(formats: Iterable[Any]) -> None:
    """Mark records with these formats from now on (the provider's registry calls this)."""
    for fmt in formats:
        _TRACKED[fmt.prefix] = fmt.sql_clause()


def tracked() -> dict[str, ColumnElement[bool]]:
    """The formats marked, by prefix, with their eligibility clauses (built-ins always)."""
    if not _TRACKED:
        from oai.provider.formats import BUILTIN_FORMATS

        track(cls() for cls in BUILTIN_FORMATS)
    return _TRACKED


def mark(prefix: str) -> str:
    """How ``prefix`` is written in ``Record.disseminated``."""
    return f"{prefix} "


def was_disseminated(prefix: str) -> ColumnElement[bool]:
    """SQL: the record was once disseminated in ``prefix``."""
    return Record.disseminated.contains(f" {mark(prefix)}", autoescape=True)


def disseminated_in(record: Any, prefix: str) -> bool:
    """Python: whether ``record`` (a row with ``disseminated``) was once disseminated in ``prefix``."""
    return f" {mark(prefix)}" in (getattr(record, "disseminated", None) or " ")


def mark_records(connection: Any, record_ids: list[int]) -> None:
    """Add to these records every tracked format their current metadata qualifies for (one UPDATE
    per chunk of ids; rows already marked keep their text)."""
    formats = tracked()
    current = case((Record.disseminated.is_(None), literal(" ", String)), else_=Record.disseminated)
    added: ColumnElement[str] = current
    for prefix, clause in formats.items():
        added = added + case((and_(clause, ~was_disseminated(prefix)), literal(mark(prefix), String)),
                             else_=literal("", String))
    missing = or_(*(and_(clause, or_(Record.disseminated.is_(None), ~was_disseminated(prefix)))
                    for prefix, clause in formats.items()))
    ids = sorted(set(record_ids))
    for start in range(0, len(ids), CHUNK):
        part = ids[start:start + CHUNK]
        connection.execute(update(Record.__table__).where(Record.id.in_(part), missing)
                           .values(disseminated=added))


def _written_ids(state: ORMExecuteState, connection: Any) -> list[int]:
    """The ids of the record rows an INSERT statement of ``state`` wrote."""
    params = state.parameters
    rows = params if isinstance(params, list) else [params] if params else []
    keys = {(row.get("repository_id"), row.get("source_identifier")) for row in rows if isinstance(row, dict)}
    ids: list[int] = []
    by_repository: dict[Any, list[str]] = {}
    for repository_id, identifier in keys:
        if repository_id is not None and identifier is not None:
            by_repository.setdefault(repository_id, []).append(identifier)
    for repository_id, identifiers in by_repository.items():
        for start in range(0, len(identifiers), CHUNK):
            ids += connection.execute(select(Record.id).where(
                Record.repository_id == repository_id,
                Record.source_identifier.in_(identifiers[start:start + CHUNK]))).scalars().all()
    return ids


def _updated_ids(state: ORMExecuteState) -> list[int]:
    """The ids of a bulk UPDATE by primary key that writes metadata (the importer's form)."""
    params = state.parameters
    rows = params if isinstance(params, list) else []
    return [row["id"] for row in rows if isinstance(row, dict) and "id" in row and _METADATA_KEYS & row.keys()]


def _targets_records(state: ORMExecuteState) -> bool:
    statement = state.statement
    table = getattr(statement, "table", None)
    return table is not None and getattr(table, "name", None) == Record.__tablename__


def around_record_write(state: ORMExecuteState) -> Any:
    """The ``do_orm_execute`` listener: run a record INSERT or metadata UPDATE between marks.

    Any other statement returns None, which lets the Session run it as usual.
    """
    if not (state.is_insert or state.is_update) or not _targets_records(state):
        return None
    connection = state.session.connection()
    if state.is_update:
        ids = _updated_ids(state)
        if not ids:
            return None
        mark_records(connection, ids)  # what the rows qualified for before this write
        result = state.invoke_statement()
        mark_records(connection, ids)
        return result
    result = state.invoke_statement()
    ids = _written_ids(state, connection)
    if ids:
        mark_records(connection, ids)
    return result


def _flushed_records(session: Session, *, new: bool) -> list[int]:
    found = [obj.id for obj in session.dirty if isinstance(obj, Record) and obj.id is not None
             and inspect(obj).attrs.meta.history.has_changes()]
    if new:
        found += [obj.id for obj in session.new if isinstance(obj, Record) and obj.id is not None]
    return found


def before_flush(session: Session, _context: Any, _instances: Any) -> None:
    """The ``before_flush`` listener: mark what changed Record objects qualified for before."""
    ids = _flushed_records(session, new=False)
    if ids:
        mark_records(session.connection(), ids)


def after_flush(session: Session, _context: Any) -> None:
    """The ``after_flush`` listener: mark what new and changed Record objects qualify for now."""
    ids = _flushed_records(session, new=True)
    if ids:
        mark_records(session.connection(), ids)
