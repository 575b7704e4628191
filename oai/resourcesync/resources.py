"""The resources the hub publishes: each record as oai_dc and as JSON, and the stored full texts.

Stable URLs, the same for the same resource forever (the hub's ids are never reused):

- ``<base>/resourcesync/records/<id>.xml``: the record's oai_dc document (the ``<oai_dc:dc>``
  the OAI-PMH provider serves, as a standalone XML document); a record oai_dc cannot express
  (no title) has none;
- ``<base>/resourcesync/records/<id>.json``: the record in the hub's JSON, the object the API's
  ``/api/v1/records/<id>`` and the bulk dumps show (``hub.records_json``), without the work
  grouping and relations the API adds per request (they would cost a query per record here);
- ``<base>/files/<sha256>``: a stored full text, as the files endpoint serves it.

Hashes and lengths are computed at list time from the very bytes these URLs serve: the views
render a record with the same functions. That costs one render and two digests per record,
about 0.1 ms with the row read (bench/bench_resourcesync.py: 20,000 URLs/s on SQLite, so a
Resource List page of 25,000 records takes 2.5 s and the million records' 40 pages about
100 s in all, each page paid only by the client that reads it), and it stays right whatever
changes the rendering (a relation to a new copy, a crosswalk fixed) where a digest stored per
record would go stale without moving the datestamp, and would need a write per record and a
migration. Files are immutable, so their md5 is computed once (:mod:`.digests`).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from types import SimpleNamespace
from typing import Any

from sqlalchemy import Row, and_, exists, select, true
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import ColumnElement

from hub.fulltext.states import FileState
from hub.models import Institution, Record, RecordFile, Repository, StoredFile
from hub.records_json import record_json
from hub.works.api import relations_for
from oai.provider import query
from oai.provider.formats import RenderContext
from oai.provider.formats.oai_dc import OaiDcFormat
from oai.resourcesync.documents import XML_DECLARATION, Digest
from oai.resourcesync.scopes import Scope

XML_TYPE = "application/xml"
JSON_TYPE = "application/json"
BATCH = 500  # records whose relations are loaded in one go
OAI_DC = OaiDcFormat()


@dataclass(frozen=True)
class Representation:
    """One URL of a record: where, its bytes (None when it is not served) and its type."""

    loc: str
    data: bytes | None
    mime_type: str

    @property
    def digest(self) -> Digest | None:
        """The digests of the served bytes (None when not served)."""
        return Digest.of(self.data) if self.data is not None else None


class Renderer:
    """Renders records as the documents the hub serves, for one request (settings and session)."""

    def __init__(self, settings: Mapping[str, Any], session: Session) -> None:
        self.session = session
        self.base = str(settings["BASE_URL"]).rstrip("/")
        self.prefix = str(settings["OAI_IDENTIFIER_PREFIX"])
        self.context = RenderContext(self.base, self.prefix, lambda record_id: f"{self.base}/records/{record_id}")
        self.slugs: dict[int, str] = {
            repository_id: slug for repository_id, slug in session.execute(
                select(Repository.id, Institution.slug).join(Institution, Institution.id == Repository.institution_id))}

    def xml_url(self, record_id: int) -> str:
        """The stable URL of a record's oai_dc document."""
        return f"{self.base}/resourcesync/records/{record_id}.xml"

    def json_url(self, record_id: int) -> str:
        """The stable URL of a record's JSON document."""
        return f"{self.base}/resourcesync/records/{record_id}.json"

    def file_url(self, sha256: str) -> str:
        """The stable URL of a stored full text."""
        return f"{self.base}/files/{sha256}"

    def oai_dc(self, view: query.RecordView, context: RenderContext) -> bytes | None:
        """The oai_dc document of a live record (None: deleted, or oai_dc cannot express it)."""
        if view.deleted or not OAI_DC.can_disseminate(view):
            return None
        return (XML_DECLARATION + OAI_DC.render(view, context) + "\n").encode("utf-8")

    def json(self, view: query.RecordView) -> bytes | None:
        """The JSON document of a live record (None when deleted); keys sorted, compact, UTF-8."""
        if view.deleted:
            return None
        body = record_json(view, SimpleNamespace(id=view.repository_id),  # type: ignore[arg-type]
                           SimpleNamespace(slug=self.slugs.get(view.repository_id, "")),  # type: ignore[arg-type]
                           self.base)
        return (json.dumps(body, ensure_ascii=False, sort_keys=True, separators=(",", ":")) + "\n").encode("utf-8")

    def representations(self, views: Iterable[query.RecordView]) -> Iterator[tuple[query.RecordView,
                                                                                     list[Representation]]]:
        """Each record with its two representations, relations loaded once per batch of records."""
        batch: list[query.RecordView] = []
        for view in views:
            batch.append(view)
            if len(batch) >= BATCH:
                yield from self._batch(batch)
                batch = []
        yield from self._batch(batch)

    def _batch(self, views: Sequence[query.RecordView]) -> Iterator[tuple[query.RecordView, list[Representation]]]:
        live = [v.id for v in views if not v.deleted and v.has_copies]
        context = replace(self.context, relations=relations_for(self.session, live)) if live else self.context
        for view in views:
            yield view, [Representation(self.xml_url(view.id), self.oai_dc(view, context), XML_TYPE),
                         Representation(self.json_url(view.id), self.json(view), JSON_TYPE)]

    def one(self, record_id: int) -> tuple[query.RecordView, list[Representation]] | None:
        """One record and its representations, or None when there is no such record."""
        view = query.one_record(self.session, record_id)
        if view is None:
            return None
        return next(self._batch([view]))


def record_views(session: Session, conditions: Sequence[ColumnElement[bool]], cursor: tuple[datetime, int] | None,
                 limit: int | None) -> Iterator[query.RecordView]:
    """Records matching ``conditions`` after the keyset ``cursor``, in (hub datestamp, id) order,
    streamed."""
    where = list(conditions)
    if cursor is not None:
        where.append(query.after(*cursor))
    statement = select(*query.record_columns(None)).where(*where).order_by(Record.hub_datestamp, Record.id)
    if limit is not None:
        statement = statement.limit(limit)
    result = session.connection().execute(statement.execution_options(yield_per=query.STREAM_ABOVE))
    for row in result:
        yield query.RecordView(row)


def served_condition(scope: Scope | None = None) -> ColumnElement[bool]:
    """SQL: the stored file is served (``/files/<sha256>``): a live record (of ``scope``) holds it."""
    conditions = [RecordFile.sha256 == StoredFile.sha256, RecordFile.state == FileState.STORED,
                  Record.id == RecordFile.record_id, Record.deleted.is_(False)]
    if scope is not None:
        conditions += scope.records()
    return exists().where(and_(*conditions))


def file_rows(session: Session, scope: Scope, after: str | None,
              limit: int | None) -> Iterator[Row[str, int, str, datetime]]:
    """The served files of ``scope`` after the sha256 ``after``, by sha256, streamed
    (sha256, size, mime type, created)."""
    statement = (select(StoredFile.sha256, StoredFile.size, StoredFile.mime_type, StoredFile.created_at)
                 .where(served_condition(scope), StoredFile.sha256 > after if after else true())
                 .order_by(StoredFile.sha256))
    if limit is not None:
        statement = statement.limit(limit)
    yield from session.connection().execute(statement.execution_options(yield_per=query.STREAM_ABOVE))


def files_of(session: Session, record_ids: Sequence[int]) -> dict[int, list[str]]:
    """Record id -> sha256 of its stored files (in link order)."""
    found: dict[int, list[str]] = {}
    for start in range(0, len(record_ids), BATCH):
        rows = session.execute(select(RecordFile.record_id, RecordFile.sha256)
                               .where(RecordFile.record_id.in_(record_ids[start:start + BATCH]),
                                      RecordFile.state == FileState.STORED, RecordFile.sha256.is_not(None))
                               .order_by(RecordFile.record_id, RecordFile.position, RecordFile.id))
        for record_id, sha256 in rows:
            if sha256 is not None and sha256 not in found.setdefault(record_id, []):
                found[record_id].append(sha256)
    return found


def stored_files(session: Session, sha256s: Iterable[str]) -> dict[str, Row[Any]]:
    """sha256 -> (sha256, size, mime type, created, served) of these stored files."""
    wanted = sorted(set(sha256s))
    found: dict[str, Row[Any]] = {}
    for start in range(0, len(wanted), BATCH):
        rows = session.execute(select(StoredFile.sha256, StoredFile.size, StoredFile.mime_type,
                                      StoredFile.created_at, served_condition().label("served"))
                               .where(StoredFile.sha256.in_(wanted[start:start + BATCH])))
        found.update({row.sha256: row for row in rows})
    return found
