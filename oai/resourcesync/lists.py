"""Resource Lists and Resource List Indexes of a set, keyset-paged like the OAI-PMH provider.

A set whose URLs fit in one list (``RESOURCESYNC_PAGE_SIZE``, 50,000 by the sitemap protocol)
gets one Resource List. A larger one gets a Resource List Index whose component lists each
cover at most that many URLs: pages of records (two URLs a record) named by the keyset cursor
``(hub datestamp, id)`` they start after, and pages of full texts named by the sha256 they
start after. The index finds its page boundaries in one streamed walk over the
``ix_record_hub_datestamp_id`` index (keys only); a page reads from its cursor on, never with
OFFSET, so the last page costs what the first one costs.

A record that changes while a client reads the pages gets a later datestamp and moves towards
the last page: it may be listed twice, and is never lost from the lists' snapshot but past the
last page's limit, where the Change Lists from ``at`` on name it anyway.

Every document says when its snapshot was taken (``at``) and when it was finished
(``completed``). Entries are spooled (to disk past a megabyte) while the document is generated,
so that ``completed``, which the schema places before the entries, is known; memory stays flat.
"""

from __future__ import annotations

import re
import tempfile
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from hub.models import Record, StoredFile, utcnow
from oai.resourcesync import documents as doc
from oai.resourcesync.digests import file_md5s
from oai.resourcesync.documents import INDEX_END, URLSET_END, Capability
from oai.resourcesync.resources import Renderer, file_rows, record_views, served_condition
from oai.resourcesync.scopes import Scope
from storage.base import ObjectStore

Cursor = tuple[datetime, int]
START = "start"
CURSOR_RE = re.compile(r"(\d{8}T\d{6}Z)-([1-9]\d{0,17})")
SHA_RE = re.compile(r"[0-9a-f]{64}")
SPOOL_BYTES = 1024 * 1024


class BadPage(ValueError):
    """A page name that is not one the hub writes."""


def cursor_token(cursor: Cursor | None) -> str:
    """The page name of a keyset cursor (``start`` for the first page)."""
    return START if cursor is None else f"{cursor[0].astimezone(UTC).strftime('%Y%m%dT%H%M%SZ')}-{cursor[1]}"


def parse_cursor(token: str) -> Cursor | None:
    """The keyset cursor of a page name; :class:`BadPage` when it is not one."""
    if token == START:
        return None
    match = CURSOR_RE.fullmatch(token)
    if match is None:
        raise BadPage(token)
    moment = datetime.strptime(match.group(1), "%Y%m%dT%H%M%SZ").replace(tzinfo=UTC)
    return moment, int(match.group(2))


def parse_sha(token: str) -> str | None:
    """The sha256 a files page starts after (None for the first); :class:`BadPage` otherwise."""
    if token == START:
        return None
    if not SHA_RE.fullmatch(token):
        raise BadPage(token)
    return token


def spooled(head: Callable[[], str], entries: Iterable[str], closing: str) -> Iterator[str]:
    """Write ``entries`` to a spool, then yield ``head()`` (called once they are all written:
    it may name the time they were finished), the spooled entries and ``closing``."""
    with tempfile.SpooledTemporaryFile(max_size=SPOOL_BYTES, mode="w+", encoding="utf-8") as spool:
        for entry in entries:
            spool.write(entry)
        yield head()
        spool.seek(0)
        while chunk := spool.read(256 * 1024):
            yield chunk
    yield closing


@dataclass
class Source:
    """The ResourceSync documents of one set, for one request."""

    settings: Mapping[str, Any]
    session: Session
    scope: Scope
    store: ObjectStore

    def __post_init__(self) -> None:
        self.base = str(self.settings["BASE_URL"]).rstrip("/")
        self.page_size = max(2, int(self.settings["RESOURCESYNC_PAGE_SIZE"]))
        self.renderer = Renderer(self.settings, self.session)

    # --- addresses ----------------------------------------------------------

    def url(self, name: str) -> str:
        """The URL of one of the set's documents (``capabilitylist.xml``, ``resourcelist.xml``...)."""
        return f"{self.base}/resourcesync/{self.scope.path}/{name}"

    def up(self) -> str:
        """The ``rs:ln rel="up"`` of the set's lists (its Capability List)."""
        return doc.ln("up", self.url("capabilitylist.xml"))

    # --- what the set holds --------------------------------------------------

    def live_conditions(self) -> list[Any]:
        """WHERE conditions of the set's live records."""
        return [Record.deleted.is_(False), *self.scope.records()]

    def records_per_page(self) -> int:
        """Records per Resource List page (each record has up to two URLs)."""
        return self.page_size // 2

    def counts(self) -> tuple[int, int]:
        """(live records, served files) of the set."""
        records = self.session.scalar(select(func.count()).select_from(Record).where(*self.live_conditions())) or 0
        files = self.session.scalar(select(func.count()).select_from(StoredFile)
                                    .where(served_condition(self.scope))) or 0
        return records, files

    def record_boundaries(self) -> list[Cursor | None]:
        """The cursors the record pages start after (None: the first), from one walk of the index."""
        statement = (select(Record.hub_datestamp, Record.id).where(*self.live_conditions())
                     .order_by(Record.hub_datestamp, Record.id).execution_options(yield_per=10_000))
        starts: list[Cursor | None] = []
        per_page = self.records_per_page()
        last: Cursor | None = None
        for seen, (datestamp, record_id) in enumerate(self.session.connection().execute(statement)):
            if seen % per_page == 0:
                starts.append(last)
            last = (datestamp.replace(tzinfo=UTC) if datestamp.tzinfo is None else datestamp, record_id)
        return starts

    def file_boundaries(self) -> list[str | None]:
        """The sha256 the file pages start after (None: the first)."""
        statement = (select(StoredFile.sha256).where(served_condition(self.scope))
                     .order_by(StoredFile.sha256).execution_options(yield_per=10_000))
        starts: list[str | None] = []
        last = None
        for seen, sha256 in enumerate(self.session.connection().scalars(statement)):
            if seen % self.page_size == 0:
                starts.append(last)
            last = sha256
        return starts

    # --- entries -------------------------------------------------------------

    def record_entries(self, cursor: Cursor | None, limit: int | None) -> Iterator[str]:
        """The ``<url>`` entries of the live records after ``cursor`` (each served representation)."""
        views = record_views(self.session, self.live_conditions(), cursor, limit)
        for view, representations in self.renderer.representations(views):
            for rep in representations:
                if rep.data is not None:
                    yield doc.url(rep.loc, view.hub_datestamp, doc.digest_md(rep.digest, rep.mime_type))

    def file_entries(self, after: str | None, limit: int | None) -> Iterator[str]:
        """The ``<url>`` entries of the set's served files after the sha256 ``after``."""
        batch: list[Any] = []
        for row in file_rows(self.session, self.scope, after, limit):
            batch.append(row)
            if len(batch) >= 500:
                yield from self._file_batch(batch)
                batch = []
        yield from self._file_batch(batch)

    def _file_batch(self, rows: list[Any]) -> Iterator[str]:
        md5s = file_md5s(self.session, self.store, [row.sha256 for row in rows])
        for row in rows:
            yield doc.url(self.renderer.file_url(row.sha256), row.created_at, file_md(row, md5s.get(row.sha256)))

    # --- documents -----------------------------------------------------------

    def resource_list(self) -> Iterator[str]:
        """The set's Resource List, or its Resource List Index when it is too large for one."""
        records, files = self.counts()
        at = utcnow()
        if records * 2 + files <= self.page_size:
            entries = _chain(self.record_entries(None, None), self.file_entries(None, None))
            return spooled(lambda: self._list_head(at), entries, URLSET_END)
        pages = [self.url(f"resourcelist/records/{cursor_token(c)}.xml") for c in self.record_boundaries()]
        pages += [self.url(f"resourcelist/files/{s or START}.xml") for s in self.file_boundaries()]
        return spooled(lambda: self._index_head(at), (doc.sitemap(loc, doc.md(at=at)) for loc in pages), INDEX_END)

    def record_page(self, token: str) -> Iterator[str]:
        """One records page of the Resource List Index; :class:`BadPage` for a name the hub never wrote."""
        cursor = parse_cursor(token)
        at = utcnow()
        return spooled(lambda: self._list_head(at, index=True),
                       self.record_entries(cursor, self.records_per_page()), URLSET_END)

    def file_page(self, token: str) -> Iterator[str]:
        """One full-texts page of the Resource List Index."""
        after = parse_sha(token)
        at = utcnow()
        return spooled(lambda: self._list_head(at, index=True), self.file_entries(after, self.page_size), URLSET_END)

    def _list_head(self, at: datetime, index: bool = False) -> str:
        links = [self.up()]
        if index:
            links.append(doc.ln("index", self.url("resourcelist.xml")))
        head = doc.md(capability=Capability.RESOURCE_LIST, at=at, completed=utcnow())
        return doc.opening("urlset", head, links)

    def _index_head(self, at: datetime) -> str:
        head = doc.md(capability=Capability.RESOURCE_LIST, at=at, completed=utcnow())
        return doc.opening("sitemapindex", head, [self.up()])


def file_md(row: Any, md5: str | None, **values: object) -> str:
    """The ``rs:md`` of a stored file: its md5 (when known), sha-256, length and type (and ``values``)."""
    hashes = (f"md5:{md5} " if md5 else "") + f"sha-256:{row.sha256}"
    return doc.md(hash=hashes, length=row.size, type=doc.mime(row.mime_type or "application/octet-stream"), **values)


def _chain(*parts: Iterable[str]) -> Iterator[str]:
    for part in parts:
        yield from part

