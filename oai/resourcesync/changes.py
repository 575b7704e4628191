"""Change Lists of a set: one per UTC day, indexed by a Change List Index, from the hub datestamps.

A record's hub datestamp moves whenever something visible changed, so the records of a day are
its changes: ``deleted`` for a tombstone (kept for good, as in OAI-PMH, records of removed
repositories included), ``created`` when the record was created that day (``created_at``), else
``updated``. Each change names the record's two URLs and the full texts it holds: a file no
live record holds any more is ``deleted``. A record appears in the list of its latest change
only (the hub keeps no history of earlier states, as OAI-PMH does not).

A day with more changes than fit in one list is split into parts, each starting after the keyset
cursor ``(hub datestamp, id)`` its name carries (``changelist/2024-03-01/20240301T120000Z-42.xml``);
the index groups the days in one query and walks the keys only of the days it must split.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import func, select

from hub.models import Record, utcnow
from oai.resourcesync import documents as doc
from oai.resourcesync.digests import file_md5s
from oai.resourcesync.documents import INDEX_END, URLSET_END, Capability, Change
from oai.resourcesync.lists import BadPage, Cursor, Source, cursor_token, file_md, parse_cursor, spooled
from oai.resourcesync.resources import BATCH, files_of, record_views, stored_files

DAY_RE = re.compile(r"\d{4}-\d{2}-\d{2}")


def parse_day(value: str) -> date:
    """The UTC day a Change List is named by; :class:`BadPage` when it is not one."""
    if not DAY_RE.fullmatch(value):
        raise BadPage(value)
    try:
        return date.fromisoformat(value)
    except ValueError as error:
        raise BadPage(value) from error


def day_start(day: date) -> datetime:
    """Midnight UTC at the start of ``day``."""
    return datetime.combine(day, time(0), tzinfo=UTC)


class Changes:
    """The Change List Index and the daily Change Lists of one set (see the module)."""

    def __init__(self, source: Source) -> None:
        self.source = source
        self.session = source.session
        # Each record gives up to two URLs and those of its files: a quarter of a list leaves room.
        self.per_page = max(1, source.page_size // 4)

    def conditions(self, day: date) -> list[Any]:
        """WHERE conditions of the set's records changed on ``day`` (tombstones included)."""
        start = day_start(day)
        return [*self.source.scope.records(), Record.hub_datestamp >= start,
                Record.hub_datestamp < start + timedelta(days=1)]

    def days(self) -> list[tuple[date, int]]:
        """The days with changes in the set, oldest first, with their number of changed records."""
        day = func.date(Record.hub_datestamp)
        rows = self.session.execute(select(day, func.count()).where(*self.source.scope.records())
                                    .group_by(day).order_by(day))
        return [(date.fromisoformat(str(value)[:10]), count) for value, count in rows if value is not None]

    def part_starts(self, day: date, count: int) -> list[Cursor | None]:
        """The cursors the parts of a day's list start after (None: the day's first part)."""
        if count <= self.per_page:
            return [None]
        statement = (select(Record.hub_datestamp, Record.id).where(*self.conditions(day))
                     .order_by(Record.hub_datestamp, Record.id).execution_options(yield_per=10_000))
        starts: list[Cursor | None] = []
        last: Cursor | None = None
        for seen, (datestamp, record_id) in enumerate(self.session.connection().execute(statement)):
            if seen % self.per_page == 0:
                starts.append(last)
            last = (datestamp, record_id)
        return starts

    def part_url(self, day: date, cursor: Cursor | None) -> str:
        """The URL of one part of a day's Change List."""
        name = f"changelist/{day.isoformat()}.xml" if cursor is None else \
            f"changelist/{day.isoformat()}/{cursor_token(cursor)}.xml"
        return self.source.url(name)

    def window(self, day: date, now: datetime) -> tuple[datetime, datetime | None]:
        """``from`` and ``until`` of a day's list (no ``until`` while the day is not over)."""
        start = day_start(day)
        end = start + timedelta(days=1)
        return start, (end if end <= now else None)

    # --- documents -----------------------------------------------------------

    def index(self) -> Iterator[str]:
        """The Change List Index: one entry per day (and part) with changes."""
        now = utcnow()
        days = self.days()

        def entries() -> Iterator[str]:
            for day, count in days:
                start, until = self.window(day, now)
                for cursor in self.part_starts(day, count):
                    yield doc.sitemap(self.part_url(day, cursor), doc.md(from_=start, until=until))

        first = day_start(days[0][0]) if days else now
        head = lambda: doc.opening("sitemapindex", doc.md(capability=Capability.CHANGE_LIST, from_=first),  # noqa: E731
                                   [self.source.up()])
        return spooled(head, entries(), INDEX_END)

    def day_list(self, day_name: str, token: str | None = None) -> Iterator[str]:
        """One part of a day's Change List; :class:`BadPage` for a name the hub never wrote."""
        day = parse_day(day_name)
        cursor = parse_cursor(token) if token is not None else None
        if cursor is not None and cursor[0].date() != day:
            raise BadPage(token or "")
        now = utcnow()
        start, until = self.window(day, now)
        head = lambda: doc.opening(  # noqa: E731
            "urlset", doc.md(capability=Capability.CHANGE_LIST, from_=start, until=until),
            [self.source.up(), doc.ln("index", self.source.url("changelist.xml"))])
        return spooled(head, self.entries(day, cursor), URLSET_END)

    def entries(self, day: date, cursor: Cursor | None) -> Iterator[str]:
        """The ``<url>`` entries of the records changed on ``day`` after ``cursor``, with their files
        (read in batches, so memory does not grow with the list)."""
        batch: list[Any] = []
        for view in record_views(self.session, self.conditions(day), cursor, self.per_page):
            batch.append(view)
            if len(batch) >= BATCH:
                yield from self._batch_entries(day_start(day), batch)
                batch = []
        yield from self._batch_entries(day_start(day), batch)

    def _batch_entries(self, start: datetime, views: list[Any]) -> Iterator[str]:
        held = files_of(self.session, [v.id for v in views])
        files = stored_files(self.session, [sha for shas in held.values() for sha in shas])
        md5s = file_md5s(self.session, self.source.store, [sha for sha, row in files.items() if row.served])
        renderer = self.source.renderer
        for view, representations in renderer.representations(views):
            moment = view.hub_datestamp
            created = view.created_at is not None and view.created_at >= start
            change = Change.DELETED if view.deleted else Change.CREATED if created else Change.UPDATED
            for rep in representations:
                if rep.data is None:
                    yield doc.url(rep.loc, moment, doc.md(change=Change.DELETED, datetime=moment))
                else:
                    yield doc.url(rep.loc, moment, doc.digest_md(rep.digest, rep.mime_type, change=change,
                                                                datetime=moment))
            for sha256 in held.get(view.id, ()):
                row = files.get(sha256)
                if row is None:
                    continue
                loc = renderer.file_url(sha256)
                if not row.served:
                    yield doc.url(loc, moment, doc.md(change=Change.DELETED, datetime=moment))
                elif not view.deleted:
                    kind = Change.CREATED if row.created_at >= start else Change.UPDATED
                    yield doc.url(loc, moment, file_md(row, md5s.get(sha256), change=kind, datetime=moment))
