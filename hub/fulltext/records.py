"""A record's full-text rows: kept in step with its links, its state derived, its errors recorded."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from hub.fulltext.states import ExtractState, FileState
from hub.models import ItemError, Record, RecordFile, StoredFile, utcnow
from hub.states import FulltextState, Stage


def is_open(link: dict[str, Any], today: datetime | None = None) -> bool:
    """True when a link may be downloaded: open access, or an embargo that has ended."""
    access = str(link.get("access") or "open").lower()
    if access == "open":
        return True
    if access == "embargoed":
        until = str(link.get("embargo_until") or "")[:10]
        now = (today or datetime.now(UTC)).strftime("%Y-%m-%d")
        return len(until) == 10 and until < now
    return False


def sync_record_files(session: Session, record: Record) -> list[RecordFile]:
    """Make the record's RecordFile rows match its links (new links pending, gone links dropped)."""
    return sync_records_files(session, [record])[record.id]


def sync_records_files(session: Session, records: list[Record]) -> dict[int, list[RecordFile]]:
    """:func:`sync_record_files` for several records in one query and one flush: record id -> its rows
    (in link order)."""
    existing: dict[int, dict[str, RecordFile]] = {record.id: {} for record in records}
    for start in range(0, len(records), 500):
        ids = [record.id for record in records[start:start + 500]]
        for row in session.scalars(select(RecordFile).where(RecordFile.record_id.in_(ids))):
            existing[row.record_id][row.url] = row
    synced = {record.id: _sync(session, record, existing[record.id]) for record in records}
    session.flush()
    return synced


def _sync(session: Session, record: Record, rows: dict[str, RecordFile]) -> list[RecordFile]:
    """One record's rows (url -> row, as stored) made to match its links; not flushed."""
    links = [] if record.deleted else list(record.fulltext_links or [])
    wanted: list[RecordFile] = []
    seen: set[str] = set()
    for position, link in enumerate(links):
        url = str(link.get("url") or "")[:2048]
        if not url or url in seen:
            continue
        seen.add(url)
        row = rows.get(url)
        if row is None:
            row = RecordFile(record_id=record.id, url=url, state=FileState.PENDING, attempts=0, etag="",
                             last_modified="", error_kind="", error="", mime_type="")
            session.add(row)
        row.position = position
        row.label = str(link.get("label") or "")[:512]
        row.access = str(link.get("access") or "open")[:32]
        if not row.mime_type and link.get("mime_type"):
            row.mime_type = str(link["mime_type"])[:255]
        if not is_open(link):
            row.state = FileState.SKIPPED
        elif row.state is FileState.SKIPPED:
            row.state = FileState.PENDING
        wanted.append(row)
    for url, row in rows.items():
        if url not in seen:
            session.delete(row)
    return wanted


def derive_state(record: Record, rows: list[RecordFile], stored: dict[str, StoredFile]) -> FulltextState:
    """The record's full-text state from its rows and their stored files (best news first)."""
    held = [stored[r.sha256] for r in rows if r.state is FileState.STORED and r.sha256 in stored]
    states = {s.extract_state for s in held}
    if ExtractState.EXTRACTED in states:
        return FulltextState.EXTRACTED
    if ExtractState.QUARANTINED in states:
        return FulltextState.QUARANTINED
    if states & {ExtractState.FAILED, ExtractState.UNEXTRACTABLE}:
        return FulltextState.FAILED
    if held:
        return FulltextState.STORED
    if any(r.state is FileState.FAILED for r in rows):
        return FulltextState.FAILED
    if rows or (record.fulltext_links and not record.deleted):
        return FulltextState.FOUND
    return FulltextState.NONE


def refresh_records(session: Session, record_ids: list[int]) -> None:
    """Recompute ``Record.fulltext_state`` of these records.

    Holding the full text or not is visible to harvesters (the OAI-PMH ``fulltext`` set), so a
    record that enters or leaves that state gets a new hub datestamp, as any visible change does.
    """
    held = {FulltextState.STORED, FulltextState.EXTRACTED}
    ids = list(dict.fromkeys(record_ids))
    for start in range(0, len(ids), 500):  # three queries per 500 records, not three per record
        chunk = ids[start:start + 500]
        rows: dict[int, list[RecordFile]] = {}
        for row in session.scalars(select(RecordFile).where(RecordFile.record_id.in_(chunk))):
            rows.setdefault(row.record_id, []).append(row)
        shas = sorted({r.sha256 for group in rows.values() for r in group if r.sha256})
        stored = {s.sha256: s for s in session.scalars(select(StoredFile).where(StoredFile.sha256.in_(shas)))}
        for record in session.scalars(select(Record).where(Record.id.in_(chunk))):
            state = derive_state(record, rows.get(record.id, []), stored)
            if (state in held) != (record.fulltext_state in held):
                record.hub_datestamp = utcnow()
            record.fulltext_state = state


def record_error(session: Session, record: Record, stage: Stage, kind: str, message: str) -> None:
    """Record an item error of a full-text stage, replacing that stage's earlier one for the record."""
    clear_errors(session, record.id, stage)
    session.add(ItemError(run_id=None, repository_id=record.repository_id, record_id=record.id, stage=stage,
                          kind=kind[:64], source_identifier=record.source_identifier[:1024], message=message))


def clear_errors(session: Session, record_id: int, stage: Stage) -> None:
    """Forget the record's earlier item errors of a full-text stage (they belong to no harvest run)."""
    session.execute(delete(ItemError).where(ItemError.record_id == record_id, ItemError.stage == stage,
                                            ItemError.run_id.is_(None)))
