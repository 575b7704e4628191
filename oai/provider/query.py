"""Keyset paging over the Record table: the filters of a list request, its pages and its size.

Pages are read in ``(hub_datestamp, id)`` order from the ``ix_record_hub_datestamp_id`` index.
The condition after the cursor ``(d, i)`` is written ``hub_datestamp >= d AND (hub_datestamp > d OR
(hub_datestamp = d AND id > i))``: the leading ``>=`` gives SQLite and PostgreSQL an index range
to seek to (an ``OR`` alone makes SQLite scan the index from its start), so every page costs the
same, however deep. Pages larger than ``STREAM_ABOVE`` rows are streamed (``yield_per``), so the
driver's buffer does not grow with the page size.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import cache
from typing import Any

try:  # orjson decodes the stored JSON several times faster; the standard library does the same job
    from orjson import loads
except ImportError:  # pragma: no cover - depends on the environment
    from json import loads  # type: ignore[assignment]

from sqlalchemy import Text, and_, case, cast, exists, false, func, or_, select, true
from sqlalchemy.orm import Session, aliased
from sqlalchemy.sql.elements import ColumnElement

from hub.models import Record, WorkMember
from oai.provider.disseminated import was_disseminated
from oai.provider.sets import openaire_membership

RAW_HEAD_CHARS = 2048
# Pages up to this many rows are fetched in one round trip; larger ones (a deployment's big page
# size) are streamed from a server-side cursor in batches of this size, so the driver's buffer
# stays bounded. A server-side cursor costs PostgreSQL a DECLARE, a FETCH per batch and a CLOSE:
# for the default pages (100 records, 1,000 identifiers) one plain query is several times cheaper.
STREAM_ABOVE = 1_001


@cache
def deleted_in(prefix: str, format_clause: ColumnElement[bool]) -> ColumnElement[bool]:
    """SQL: the record is a deleted record in format ``prefix``: a tombstone, or a record that no
    longer qualifies for the format (it can be listed in it only if it once did, see
    :mod:`oai.provider.disseminated`). Built once per format."""
    return case((Record.deleted == true(), true()), (format_clause, false()), else_=true())


@cache
def in_format(prefix: str, format_clause: ColumnElement[bool]) -> ColumnElement[bool]:
    """SQL: the record belongs to the lists of format ``prefix``: a tombstone, a record that
    qualifies for it, or one that did once (listed as deleted). Built once per format."""
    return or_(Record.deleted == true(), format_clause, was_disseminated(prefix))


@dataclass(frozen=True)
class ListFilter:
    """What a list request selects: a format's records (tombstones and the records that left the
    format included), a set, a date range."""

    prefix: str
    format_clause: ColumnElement[bool]
    set_clause: ColumnElement[bool] | None
    start: datetime | None
    until: datetime | None

    def conditions(self) -> list[ColumnElement[bool]]:
        """The WHERE conditions, cursor excluded."""
        found: list[ColumnElement[bool]] = [in_format(self.prefix, self.format_clause)]
        if self.set_clause is not None:
            found.append(self.set_clause)
        if self.start is not None:
            found.append(Record.hub_datestamp >= self.start)
        if self.until is not None:
            found.append(Record.hub_datestamp <= self.until)
        return found


def after(datestamp: datetime, record_id: int) -> ColumnElement[bool]:
    """Rows strictly after the keyset cursor ``(datestamp, record_id)``."""
    return and_(Record.hub_datestamp >= datestamp,
                or_(Record.hub_datestamp > datestamp,
                    and_(Record.hub_datestamp == datestamp, Record.id > record_id)))


Format = tuple[str, ColumnElement[bool]] | None  # (prefix, eligibility clause), or None for the record itself


def _base_columns(fmt: Format) -> tuple[Any, ...]:
    """Identifier, datestamp, status (``deleted``: in the format, when one is given), repository,
    full-text state."""
    deleted = deleted_in(*fmt).label("deleted") if fmt is not None else Record.deleted
    return (Record.id, Record.hub_datestamp, deleted, Record.repository_id, Record.fulltext_state)


@cache
def header_columns(fmt: Format = None) -> tuple[Any, ...]:
    """What a header in format ``fmt`` needs: identifier, datestamp, status and set membership
    (computed in SQL).

    Built once per format: constructing SQL expressions costs more than running the page query itself.
    """
    return (
        *_base_columns(fmt),
        Record.meta["resource_type"].as_string().label("resource_type"),
        in_openaire(fmt),
    )


def in_openaire(fmt: Format = None) -> ColumnElement[bool]:
    """Whether the record belongs to the ``openaire`` set (in format ``fmt``: a record deleted in it
    keeps the membership it had), labelled ``in_openaire``."""
    deleted_here = deleted_in(*fmt) if fmt is not None else Record.deleted == true()
    return case((openaire_membership(deleted_here), true()), else_=false()).label("in_openaire")


def has_copies() -> ColumnElement[bool]:
    """Whether another record shares the record's work (two index probes on ``work_member``).

    Read with the page, so that relations are loaded only for the records that have some (most
    records are alone in their work). Deleted copies count here; the relations leave them out.
    """
    mine, other = aliased(WorkMember), aliased(WorkMember)
    return exists().where(mine.record_id == Record.id, other.work_id == mine.work_id,
                          other.record_id != Record.id)


@cache
def record_columns(fmt: Format = None) -> tuple[Any, ...]:
    """What metadata, headers, provenance and relations need (only the head of the raw XML), in
    format ``fmt``. The JSON columns are read as text and decoded by :class:`RecordView` (with
    orjson when installed). Built once per format, like :func:`header_columns`."""
    return (
        *_base_columns(fmt),
        cast(Record.meta, Text).label("meta_json"), cast(Record.fulltext_links, Text).label("links_json"),
        Record.source_identifier, Record.source_datestamp, Record.metadata_format, Record.created_at,
        func.substr(Record.raw_metadata, 1, RAW_HEAD_CHARS).label("raw_head"),
        has_copies().label("has_copies"),
        in_openaire(fmt),
        Record.disseminated,
    )


def _json(value: str | None, empty: Any) -> Any:
    if not value or value == "[]" or value == "{}":
        return empty
    try:
        decoded = loads(value)
    except ValueError:
        return empty
    return decoded if isinstance(decoded, type(empty)) else empty


class RecordView:
    """A record as the provider reads it: the columns of :func:`record_columns`, JSON decoded.

    ``meta`` and ``fulltext_links`` have the shapes of the Record attributes of the same names;
    ``has_copies`` tells whether other records share its work (see :func:`has_copies`);
    ``in_openaire`` whether it belongs to the ``openaire`` set, computed in SQL as for headers;
    ``deleted`` whether it is a deleted record in the format it was read for (a tombstone, or a
    record that left that format); ``disseminated`` the formats it was ever served in.
    """

    __slots__ = ("id", "hub_datestamp", "deleted", "repository_id", "fulltext_state", "meta", "fulltext_links",
                 "source_identifier", "source_datestamp", "metadata_format", "created_at", "raw_head", "has_copies",
                 "in_openaire", "disseminated")

    def __init__(self, row: Sequence[Any]) -> None:
        (self.id, self.hub_datestamp, deleted, self.repository_id, self.fulltext_state, meta, links,
         self.source_identifier, self.source_datestamp, self.metadata_format, self.created_at,
         self.raw_head, has_copies, in_openaire, self.disseminated) = row
        self.deleted = bool(deleted)
        self.has_copies = bool(has_copies)
        self.in_openaire = bool(in_openaire)
        self.meta: dict[str, Any] = _json(meta, {})
        self.fulltext_links: list[dict[str, Any]] = _json(links, [])


def page_rows(session: Session, list_filter: ListFilter, cursor: tuple[datetime, int] | None, limit: int,
              *, with_metadata: bool) -> Iterator[Any]:
    """Stream up to ``limit`` rows after ``cursor``, in keyset order: header rows, or :class:`RecordView`
    objects ``with_metadata``."""
    conditions = list_filter.conditions()
    if cursor is not None:
        conditions.append(after(*cursor))
    fmt = (list_filter.prefix, list_filter.format_clause)
    columns = record_columns(fmt) if with_metadata else header_columns(fmt)
    statement = (select(*columns).where(*conditions)
                 .order_by(Record.hub_datestamp, Record.id).limit(limit))
    if limit > STREAM_ABOVE:
        statement = statement.execution_options(yield_per=STREAM_ABOVE)
    # Core execution on the session's connection: the ORM layer adds nothing to a column select
    # but a per-statement cost comparable to the query's own.
    result = session.connection().execute(statement)
    if not with_metadata:
        yield from result
        return
    for row in result:
        yield RecordView(row)


def count(session: Session, list_filter: ListFilter) -> int:
    """How many records the list holds (``completeListSize``), counted once per list."""
    return session.scalar(select(func.count()).select_from(Record).where(*list_filter.conditions())) or 0


def one_record(session: Session, record_id: int, fmt: Format = None) -> RecordView | None:
    """One record (GetRecord), or None; with ``fmt`` (prefix, clause), None too when the record is
    not in that format's lists, and ``deleted`` when it is a deleted record in it."""
    statement = select(*record_columns(fmt)).where(Record.id == record_id)
    if fmt is not None:
        statement = statement.where(in_format(*fmt))
    row = session.execute(statement).first()
    return RecordView(row) if row is not None else None


def earliest_datestamp(session: Session) -> datetime | None:
    """The earliest hub datestamp (Identify), or None when the hub holds no record."""
    return session.scalar(select(func.min(Record.hub_datestamp)))


def has_more_than(session: Session, list_filter: ListFilter, limit: int) -> bool:
    """Whether the list holds more than ``limit`` records (one probe on the index, first page only)."""
    statement = (select(Record.id).where(*list_filter.conditions())
                 .order_by(Record.hub_datestamp, Record.id).offset(limit).limit(1))
    return session.execute(statement).first() is not None

