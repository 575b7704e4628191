"""The import stage: upsert one Record per (repository, source identifier).

A page is imported in bulk: one query finds the records it already holds, new ones
are inserted, changed ones updated, unchanged ones left alone (their hub datestamp
stays). Deletions become persistent tombstones. An item that cannot be normalised is
recorded as an item error of the IMPORT stage; the rest of the page goes on.

Fidelity rules applied here (issue 13):
- a record delivered by one set's list keeps the memberships stored for it (the union over the
  lists of a run), so harvesting two sets neither loses a membership nor churns the datestamp;
- a normalised value longer than ``HARVEST_MAX_VALUE_CHARS`` is cut, with a note on the run;
- an update that says nothing (no title, people, abstract or subject) never overwrites a good
  stored record: it is an item error and the stored record stays;
- a repaired record (characters illegal in XML dropped) is imported, its repair noted with the raw bytes;
- in a full run every record the source listed is marked seen, for the sweep of what it no longer lists.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import pluggy
from sqlalchemy import insert, select, update
from sqlalchemy.orm import Session

from hub.config import Settings
from hub.db import SerializedJSON, dump_json
from hub.harvest.bounds import cut_long_values, is_empty
from hub.models import HarvestRun, ItemError, Record, utcnow
from hub.platform import HarvestedItem, Platform, SourceConfig
from hub.states import FulltextState, ImportOutcome, NoticeKind, RunKind, Stage


@dataclass
class PageResult:
    """What importing one page did."""

    outcomes: dict[ImportOutcome, int] = field(default_factory=lambda: {o: 0 for o in ImportOutcome})
    changed_ids: list[int] = field(default_factory=list)  # records new or changed: queue files/index for them
    unidentified: int = 0  # unreadable items without an identifier: the source listed something unknown

    def count(self, outcome: ImportOutcome) -> None:
        self.outcomes[outcome] += 1


def content_hash(item: HarvestedItem, meta_json: str, links: list[dict[str, Any]]) -> str:
    """A digest of everything the hub's outputs show of a record.

    ``meta_json`` is the normalised record as stored (serialised once, for the hash and the
    column alike). Keys are not sorted: the crosswalks build them in a fixed order, so equal
    records give equal text.
    """
    payload = "\x1f".join((
        "1" if item.deleted else "0", item.datestamp, item.metadata_format, item.raw_metadata,
        "\x1e".join(sorted(item.sets)), meta_json, dump_json(links),
    ))
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


def _error(run: HarvestRun, source: SourceConfig, stage: Stage, kind: str, identifier: str,
           message: str, raw: bytes | None = None) -> ItemError:
    return ItemError(run_id=run.id, repository_id=source.id, stage=stage, kind=kind,
                     source_identifier=identifier[:1024], message=message, raw=raw)


def _prepare(item: HarvestedItem, platform: Platform, pm: pluggy.PluginManager,
             max_chars: int) -> tuple[dict[str, Any], list[tuple[str, int]], bool]:
    """The column values of a harvested item (normalised, enriched, bounded, links found), the values
    that had to be cut as ``(path, original length)``, and whether the record says nothing."""
    cut: list[tuple[str, int]] = []
    if item.deleted:
        meta: dict[str, Any] = {}
        links: list[dict[str, Any]] = []
    else:
        record = platform.normalise(item)
        pm.hook.enrich_record(record=record, repository=platform.source)
        links = [link.__dict__ for link in platform.fulltext_links(item, record)]
        meta = record.to_dict()
    meta_json = SerializedJSON(dump_json(meta))
    if len(meta_json) > max_chars > 0:  # no value can be longer than the whole record's JSON: most skip the walk
        cut = cut_long_values(meta, max_chars)
        if cut:
            meta_json = SerializedJSON(dump_json(meta))
    values = {
        "source_datestamp": item.datestamp[:40],
        "deleted": item.deleted,
        "metadata_format": item.metadata_format,
        "raw_metadata": item.raw_metadata,
        "meta": meta_json,
        "sets": list(item.sets),
        "fulltext_links": links,
        "content_hash": content_hash(item, meta_json, links),
    }
    return values, cut, not item.deleted and is_empty(meta)


def _same_as_stored(session: Session, record_id: int, values: dict[str, Any]) -> bool:
    """Whether the stored record shows exactly what ``values`` would (field by field, for a record whose
    content hash is unknown; JSON compared as data, so a database's key order does not matter)."""
    row = session.execute(select(
        Record.deleted, Record.source_datestamp, Record.metadata_format, Record.raw_metadata, Record.sets,
        Record.meta, Record.fulltext_links).where(Record.id == record_id)).one()
    return (row.deleted == values["deleted"] and row.source_datestamp == values["source_datestamp"]
            and row.metadata_format == values["metadata_format"] and row.raw_metadata == values["raw_metadata"]
            and sorted(row.sets or []) == sorted(values["sets"]) and (row.meta or {}) == json.loads(values["meta"])
            and (row.fulltext_links or []) == values["fulltext_links"])


def _merged_sets(item: HarvestedItem, stored: list[str] | None) -> list[str]:
    """The sets of an item: as its header says, plus, when one set's list delivered it, that set and
    the memberships already stored (each set's list names only that set in the header)."""
    if item.list_set is None:
        return list(item.sets)
    merged = dict.fromkeys(item.sets)
    merged.setdefault(item.list_set)
    for spec in stored or ():
        merged.setdefault(spec)
    return sorted(merged)


def import_page(session: Session, run: HarvestRun, platform: Platform, pm: pluggy.PluginManager,
                items: list[HarvestedItem], settings: Mapping[str, Any] | None = None) -> PageResult:
    """Upsert a page of items; the caller commits together with the run's checkpoint."""
    source = platform.source
    max_chars = Settings.from_mapping(settings or {}).HARVEST_MAX_VALUE_CHARS  # None: the defaults
    result = PageResult()
    # The last occurrence of an identifier on a page wins (sources do repeat records).
    latest: dict[str, HarvestedItem] = {}
    failed_identifiers: set[str] = set()
    for item in items:
        if not item.error and not item.source_identifier.strip():
            item.error, item.error_kind = "the record's header has no identifier", NoticeKind.MISSING_IDENTIFIER
        if item.error:
            session.add(_error(run, source, Stage.GATHER, item.error_kind or "unreadable-record",
                               item.source_identifier, item.error, item.raw_bytes))
            result.count(ImportOutcome.FAILED)
            if item.source_identifier.strip():
                failed_identifiers.add(item.source_identifier)
            else:
                result.unidentified += 1
            continue
        latest[item.source_identifier] = item
        for repair in item.repairs:
            session.add(_error(run, source, Stage.GATHER, NoticeKind.RECORD_REPAIRED, item.source_identifier,
                               f"record repaired and imported: {repair}", item.raw_bytes))
    if not latest and not failed_identifiers:
        return result
    existing = {
        row.source_identifier: row
        for row in session.execute(
            select(Record.id, Record.source_identifier, Record.content_hash, Record.deleted, Record.sets,
                   Record.fulltext_links, Record.fulltext_state)
            .where(Record.repository_id == source.id,
                   Record.source_identifier.in_(list(latest.keys() | failed_identifiers)))
        )
    }
    mark_seen = run.kind == RunKind.FULL
    list_set = next((item.list_set for item in items), None)  # a page comes from one list
    now = utcnow()
    inserts: list[dict[str, Any]] = []
    updates: list[dict[str, Any]] = []
    for identifier, item in latest.items():
        row = existing.get(identifier)
        item.sets = _merged_sets(item, row.sets if row is not None else None)
        try:
            values, cut, empty = _prepare(item, platform, pm, max_chars)
        except Exception as exc:  # a crosswalk or plugin bug must not stop the harvest
            session.add(_error(run, source, Stage.IMPORT, "normalise-failed", identifier,
                               f"{type(exc).__name__}: {exc}", item.raw_metadata.encode("utf-8")))
            result.count(ImportOutcome.FAILED)
            continue
        for path, length in cut:
            session.add(_error(run, source, Stage.IMPORT, NoticeKind.VALUE_CUT, identifier,
                               f"{path} was {length:,} characters long: cut to HARVEST_MAX_VALUE_CHARS="
                               f"{max_chars:,} (the raw metadata keeps it whole)"))
        if row is None:
            values.update(repository_id=source.id, source_identifier=identifier, hub_datestamp=now,
                          created_at=now,
                          fulltext_state=FulltextState.FOUND if values["fulltext_links"] else FulltextState.NONE)
            if mark_seen:
                values.update(last_seen_run_id=run.id, last_seen_set=list_set)
            inserts.append(values)
            result.count(ImportOutcome.DELETED if item.deleted else ImportOutcome.NEW)
            continue
        if row.content_hash == values["content_hash"]:
            result.count(ImportOutcome.UNCHANGED)
            continue
        if not row.content_hash and _same_as_stored(session, row.id, values):
            # A hash left unknown (a set membership pruned by a full harvest): nothing visible changed.
            session.execute(update(Record).where(Record.id == row.id).values(content_hash=values["content_hash"]))
            result.count(ImportOutcome.UNCHANGED)
            continue
        if item.deleted:
            # A tombstone keeps the metadata it had: nothing stored is lost.
            values = {"source_datestamp": values["source_datestamp"], "deleted": True, "sets": values["sets"],
                      "content_hash": values["content_hash"]}
            result.count(ImportOutcome.DELETED if not row.deleted else ImportOutcome.UPDATED)
        elif empty and not row.deleted and not is_empty(session.scalar(select(Record.meta).where(Record.id == row.id))
                                                        or {}):
            session.add(_error(run, source, Stage.IMPORT, NoticeKind.EMPTY_METADATA, identifier,
                               f"the source sent this record without any title, creator, abstract or subject "
                               f"(datestamp {item.datestamp or 'none'}): the stored record was kept",
                               item.raw_metadata.encode("utf-8")))
            result.count(ImportOutcome.FAILED)
            continue
        else:
            if values["fulltext_links"] != row.fulltext_links:
                values["fulltext_state"] = FulltextState.FOUND if values["fulltext_links"] else FulltextState.NONE
            result.count(ImportOutcome.UPDATED)
        values.update(id=row.id, hub_datestamp=now)
        updates.append(values)
        result.changed_ids.append(row.id)
    if inserts:
        # Core executemany: the ORM's bulk path with RETURNING cost more than the rest of the page.
        for inserted in inserts:
            inserted["metadata"] = inserted.pop("meta")
        session.execute(insert(Record.__table__), inserts)  # type: ignore[arg-type]  # a Table, not the entity
        new_identifiers = [inserted["source_identifier"] for inserted in inserts]
        result.changed_ids.extend(session.scalars(select(Record.id).where(
            Record.repository_id == source.id, Record.source_identifier.in_(new_identifiers))))
    if updates:
        rewritten = [row["id"] for row in updates]
        pm.hook.records_rewriting(connection=session.connection(), record_ids=rewritten, pm=pm)
        session.execute(update(Record), updates)
    if result.changed_ids:
        pm.hook.records_written(connection=session.connection(), record_ids=list(result.changed_ids), pm=pm)
    if mark_seen and existing:
        session.execute(update(Record).where(Record.id.in_([row.id for row in existing.values()]))
                        .values(last_seen_run_id=run.id, last_seen_set=list_set))
    return result
