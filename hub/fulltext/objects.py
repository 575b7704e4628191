"""Stored objects seen from outside the pipeline: serving lookups, deletion, garbage collection.

Other modules call:

- :func:`served_file` / :func:`record_file` — what to stream for ``/files/<sha256>`` and
  ``/records/<id>/files/<n>`` (only files the hub downloaded: restricted ones never were);
- :func:`release_unreferenced` — after deleting records (or their links), remove the stored files
  no record holds any more, from the store and the table (``delete_record_files`` does both);
- :func:`collect_garbage` — ``chair files gc``: the same for every unreferenced file, plus
  (optionally) objects the table does not know.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import TYPE_CHECKING

from sqlalchemy import delete, select

from hub.fulltext.states import ExtractState, FileState
from hub.models import Record, RecordFile, StoredFile
from storage.base import SHA256_RE, file_key, meta_key, text_key

if TYPE_CHECKING:
    from hub.context import Hub

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class ServedFile:
    """A stored file as the web layer serves it."""

    sha256: str
    size: int
    mime_type: str
    filename: str
    extracted: bool


def _filename(url: str, sha256: str, mime_type: str) -> str:
    from urllib.parse import unquote, urlsplit

    name = unquote(urlsplit(url).path.rsplit("/", 1)[-1]) if url else ""
    name = "".join(ch for ch in name if ch.isprintable() and ch not in '\\/"')[:200]
    if not name:
        ext = {"application/pdf": ".pdf", "text/html": ".html", "text/plain": ".txt"}.get(mime_type, "")
        name = sha256[:16] + ext
    return name


def served_file(hub: Hub, sha256: str) -> ServedFile | None:
    """The stored file ``sha256`` if some record holds it as a downloaded (open) file, else None."""
    if not SHA256_RE.match(sha256 or ""):
        return None
    with hub.db.session() as session:
        stored = session.get(StoredFile, sha256)
        row = session.scalars(select(RecordFile).join(Record, Record.id == RecordFile.record_id).where(
            RecordFile.sha256 == sha256, RecordFile.state == FileState.STORED,
            Record.deleted.is_(False)).limit(1)).first()
        if stored is None or row is None:
            return None
        return ServedFile(sha256, stored.size, stored.mime_type or "application/octet-stream",
                          _filename(row.url, sha256, stored.mime_type),
                          stored.extract_state is ExtractState.EXTRACTED)


def record_file(hub: Hub, record_id: int, n: int) -> ServedFile | None:
    """The n-th (0-based, by link order) downloaded file of a record, or None."""
    with hub.db.session() as session:
        rows = list(session.scalars(select(RecordFile).join(Record, Record.id == RecordFile.record_id).where(
            RecordFile.record_id == record_id, RecordFile.state == FileState.STORED,
            Record.deleted.is_(False)).order_by(RecordFile.position, RecordFile.id)))
    if not 0 <= n < len(rows) or not rows[n].sha256:
        return None
    found = served_file(hub, rows[n].sha256)
    if found is None:
        return None
    return ServedFile(found.sha256, found.size, found.mime_type, _filename(rows[n].url, found.sha256,
                                                                            found.mime_type), found.extracted)


def record_files(hub: Hub, record_id: int) -> list[dict]:
    """The record's full-text rows for display (portal, admin, API): state, error, sha256, type, size."""
    with hub.db.session() as session:
        rows = session.scalars(select(RecordFile).where(RecordFile.record_id == record_id)
                               .order_by(RecordFile.position, RecordFile.id))
        return [{"url": r.url, "state": r.state.value, "sha256": r.sha256, "mime_type": r.mime_type,
                 "size": r.size, "access": r.access, "error_kind": r.error_kind, "error": r.error} for r in rows]


def _delete_objects(hub: Hub, sha256: str) -> None:
    store = hub.store
    for key in (file_key(sha256), text_key(sha256), meta_key(sha256)):
        store.delete(key)


def release_unreferenced(hub: Hub, shas: list[str] | None = None, record_ids: list[int] | None = None) -> list[str]:
    """Drop the RecordFile rows of ``record_ids``, then delete every file of ``shas`` (and of those
    records) that no remaining record holds: its objects first, then its StoredFile row. Returns the
    deleted digests. Safe to call repeatedly."""
    candidates = set(shas or [])
    with hub.db.session() as session:
        if record_ids:
            candidates.update(s for s in session.scalars(select(RecordFile.sha256).where(
                RecordFile.record_id.in_(record_ids))) if s)
            session.execute(delete(RecordFile).where(RecordFile.record_id.in_(record_ids)))
        held = set(session.scalars(select(RecordFile.sha256).where(RecordFile.sha256.in_(candidates))))
        orphans = sorted(candidates - held)
    deleted = []
    for sha256 in orphans:
        try:
            _delete_objects(hub, sha256)
        except Exception as exc:  # the row stays, so a later gc tries again
            log.warning("could not delete the objects of %s: %s", sha256, exc)
            continue
        with hub.db.session() as session:
            still_held = session.scalars(select(RecordFile.id).where(RecordFile.sha256 == sha256).limit(1)).first()
            if still_held is None:
                session.execute(delete(StoredFile).where(StoredFile.sha256 == sha256))
                deleted.append(sha256)
    return deleted


def delete_record_files(hub: Hub, record_id: int) -> list[str]:
    """For the admin/delete paths: forget a record's files and delete those no other record holds."""
    return release_unreferenced(hub, record_ids=[record_id])


def collect_garbage(hub: Hub, orphan_objects: bool = False) -> dict[str, int]:
    """Delete stored files no record holds; with ``orphan_objects`` also store objects without a row."""
    with hub.db.session() as session:
        held = select(RecordFile.sha256).where(RecordFile.sha256.is_not(None))
        unreferenced = list(session.scalars(select(StoredFile.sha256).where(StoredFile.sha256.not_in(held))))
        # Tombstoned records keep no files.
        dead = list(session.scalars(select(Record.id).where(Record.deleted.is_(True), Record.id.in_(
            select(RecordFile.record_id)))))
    deleted = release_unreferenced(hub, shas=unreferenced, record_ids=dead)
    removed_objects = 0
    if orphan_objects:
        store = hub.store
        with hub.db.session() as session:
            known = set(session.scalars(select(StoredFile.sha256)))
        for key in list(store.keys("files/")) + list(store.keys("text/")):
            sha = key.rsplit("/", 1)[-1].split(".", 1)[0]
            if SHA256_RE.match(sha) and sha not in known:
                store.delete(key)
                removed_objects += 1
    return {"files_deleted": len(deleted), "orphan_objects_deleted": removed_objects}
