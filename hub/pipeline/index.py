"""The index stage: keep the search backend (:mod:`hub.search`) in step with the Record table.

- :func:`index_records` ``(hub, ids)`` — the stage itself, bulk and idempotent: live records are
  (re)indexed with their extracted text and work, deleted or missing ones are removed. What makes
  it run (a harvest's changes, a new text, a regrouping) is declared in :mod:`hub.pipeline.graph`
  and dispatched by :mod:`hub.pipeline.dispatch`; this module never asks what follows;
- :func:`rebuild_index` — ``chair index rebuild``: a new index swapped in when complete;
- :func:`check_index` — ``chair index check``: ids missing or extra, and stale versions.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from hub.models import Institution, Record, Repository
from hub.search import search_backend
from hub.search.document import build_document, expected_version
from hub.states import FulltextState

if TYPE_CHECKING:
    from hub.context import Hub
    from hub.search.base import SearchBackend

log = logging.getLogger(__name__)
BATCH = 500


@dataclass
class IndexReport:
    """What an index run did."""

    indexed: int = 0
    deleted: int = 0

    def line(self) -> str:
        return f"search index: {self.indexed} indexed, {self.deleted} removed"


def load_fulltexts(hub: Hub, records: list[Record], session: Session) -> dict[int, str]:
    """Extracted text of each record whose full text is extracted (its files' texts, in link order)."""
    wanted = [r.id for r in records if r.fulltext_state == FulltextState.EXTRACTED]
    if not wanted:
        return {}
    try:
        from hub.fulltext.states import ExtractState, FileState
        from hub.models import RecordFile, StoredFile
        from storage.base import StorageError, text_key
    except ImportError:  # a deployment without the full-text stages
        return {}
    rows = session.execute(
        select(RecordFile.record_id, RecordFile.sha256).join(StoredFile, StoredFile.sha256 == RecordFile.sha256)
        .where(RecordFile.record_id.in_(wanted), RecordFile.state == FileState.STORED,
               StoredFile.extract_state == ExtractState.EXTRACTED)
        .order_by(RecordFile.record_id, RecordFile.position, RecordFile.id)).all()
    store = hub.store
    texts: dict[int, list[str]] = {}
    for record_id, sha256 in rows:
        if sha256 is None:  # not stored (the query joins stored files only)
            continue
        try:
            text = store.get_bytes(text_key(sha256), max_bytes=16 * 1024 * 1024).decode("utf-8", "replace")
        except (StorageError, OSError) as exc:
            log.warning("text of %s (record %s) unreadable: %s", sha256, record_id, exc)
            continue
        if text not in texts.setdefault(record_id, []):
            texts[record_id].append(text)
    return {rid: "\n\n".join(parts) for rid, parts in texts.items()}


def documents_for(hub: Hub, session: Session, records: list[Record]) -> list[dict[str, Any]]:
    """Search documents of live records (with institution, repository, extracted text and work)."""
    from hub.works.api import work_ids

    repo_ids = {r.repository_id for r in records}
    repos = {r.id: r for r in session.scalars(select(Repository).where(Repository.id.in_(repo_ids)))}
    insts = {i.id: i for i in session.scalars(select(Institution).where(
        Institution.id.in_({r.institution_id for r in repos.values()})))}
    texts = load_fulltexts(hub, records, session)
    works = work_ids(session, [r.id for r in records])
    docs = []
    for record in records:
        repo = repos[record.repository_id]
        docs.append(build_document(record, repo, insts[repo.institution_id], texts.get(record.id),
                                   works.get(record.id)))
    return docs


def index_records(hub: Hub, ids: Iterable[int], backend: SearchBackend | None = None) -> IndexReport:
    """(Re)index these records; deleted or unknown ids are removed from the index. Idempotent."""
    backend = backend or search_backend(hub)
    ids = list(dict.fromkeys(int(i) for i in ids))
    report = IndexReport()
    for start in range(0, len(ids), BATCH):
        chunk = ids[start:start + BATCH]
        with hub.db.session() as session:
            records = list(session.scalars(select(Record).where(Record.id.in_(chunk))))
            live = [r for r in records if not r.deleted]
            docs = documents_for(hub, session, live)
        live_ids = {r.id for r in live}
        gone = [i for i in chunk if i not in live_ids]
        backend.index_documents(docs)
        backend.delete_documents(gone)
        report.indexed += len(docs)
        report.deleted += len(gone)
    backend.refresh()
    return report


def iter_documents(hub: Hub, batch_size: int = BATCH) -> Iterator[list[dict[str, Any]]]:
    """Every live record's document, in id order, in batches (keyset paging, constant cost per batch)."""
    last = 0
    while True:
        with hub.db.session() as session:
            records = list(session.scalars(select(Record).where(Record.id > last, Record.deleted.is_(False))
                                           .order_by(Record.id).limit(batch_size)))
            if not records:
                return
            docs = documents_for(hub, session, records)
        last = records[-1].id
        yield docs


@dataclass
class RebuildReport:
    """What ``rebuild_index`` did."""

    documents: int = 0
    caught_up: int = 0


def rebuild_index(hub: Hub, batch_size: int = BATCH,
                  progress: Callable[[int], None] | None = None) -> RebuildReport:
    """Build a complete new index from the database and swap it in; then index what changed meanwhile."""
    from hub.models import utcnow

    backend = search_backend(hub)
    started = utcnow()

    def batches() -> Iterator[list[dict[str, Any]]]:
        done = 0
        for batch in iter_documents(hub, batch_size):
            done += len(batch)
            if progress:
                progress(done)
            yield batch

    report = RebuildReport(documents=backend.rebuild(batches()))
    with hub.db.session() as session:
        changed = list(session.scalars(select(Record.id).where(Record.hub_datestamp >= started)))
    if changed:
        report.caught_up = index_records(hub, changed, backend).indexed
    backend.refresh()
    return report


@dataclass
class DriftReport:
    """Differences between the database and the index."""

    missing: list[int] = field(default_factory=list)  # live in the database, absent from the index
    extra: list[int] = field(default_factory=list)  # in the index, deleted or unknown in the database
    stale: list[int] = field(default_factory=list)  # indexed with an older version
    database: int = 0
    indexed: int = 0

    @property
    def ok(self) -> bool:
        return not (self.missing or self.extra or self.stale)

    def to_dict(self, limit: int = 100) -> dict[str, Any]:
        return {"ok": self.ok, "database": self.database, "indexed": self.indexed,
                "missing": len(self.missing), "extra": len(self.extra), "stale": len(self.stale),
                "missing_ids": self.missing[:limit], "extra_ids": self.extra[:limit], "stale_ids": self.stale[:limit]}


def check_index(hub: Hub) -> DriftReport:
    """Compare every live record's expected version with the index (a merge of two id-sorted streams)."""
    backend = search_backend(hub)
    indexed = dict(backend.iter_versions())
    report = DriftReport(indexed=len(indexed))
    last = 0
    while True:
        with hub.db.session() as session:
            rows = list(session.scalars(select(Record).where(Record.id > last, Record.deleted.is_(False))
                                        .order_by(Record.id).limit(5000)))
            versions = [(r.id, expected_version(r)) for r in rows]
        if not rows:
            break
        last = rows[-1].id
        for rid, version in versions:
            report.database += 1
            have = indexed.pop(rid, None)
            if have is None:
                report.missing.append(rid)
            elif have != version:
                report.stale.append(rid)
    report.extra = sorted(indexed)
    return report
