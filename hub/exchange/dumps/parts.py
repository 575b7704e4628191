"""The parts of the dumps: one gzip member per repository and block of record ids.

A part holds the records (tombstones included) of one live repository whose ids fall in one
block of ``BLOCK_IDS`` ids, in id order. Its content digest is derived without reading a record:
from the repository, the block, the count and the latest hub datestamp of its records (any change
an output shows bumps a record's hub datestamp, and records are never removed, only tombstoned)
and from what else the lines show (the member's slug, the base URL, the OAI identifier prefix,
the line format), and from how many of its records are in each full-text state (the lines show
it, and a record can move between two states without a new datestamp, e.g. stored to extracted).
The part is stored under a key named by that digest, so a part whose digest is
already stored is reused without being read or written again.

Hub datestamps have seconds granularity and a page of a harvest stamps its records when the page
begins, so a part whose latest datestamp is younger than ``SETTLE`` may still change without its
digest changing (a second update within the same second, a page committed late). Such a part is
*unsettled*: its key is salted with the build's own id, so it is written anew by every build until
it has settled, and reused from then on.

Each part is a complete gzip member; members concatenated form one valid ``.jsonl.gz`` (RFC 1952,
section 2.2), which is how a member's or the hub's dump is made of shared parts.
"""

from __future__ import annotations

import hashlib
import json
import zlib
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session, load_only

from hub.exchange.dumps.lines import dump_line
from hub.models import Institution, Record, Repository
from hub.states import FulltextState
from storage.base import ObjectInfo, ObjectStore

BLOCK_IDS = 10_000  # record ids per part (a part is at most this many records)
LINE_FORMAT = 1  # bump when dump lines change shape: every part is then written anew
PARTS_PREFIX = "dumps/parts/"
SETTLE = timedelta(seconds=60)  # a part with a younger datestamp may still change within that second
EMPTY_KEY = PARTS_PREFIX + "empty.gz"  # the one part of a dump without records: an empty gzip member


@dataclass(frozen=True)
class PartPlan:
    """What one part will hold, known from an aggregate query (no record read)."""

    institution_slug: str
    repository_id: int
    block: int
    records: int
    deleted: int
    latest: datetime  # the latest hub datestamp among its records
    fulltext_states: tuple[int, ...] = ()  # records in each FulltextState, in the enum's order

    def digest(self, settings: Mapping[str, Any], unsettled_salt: str = "") -> str:
        """The content digest: the same for the same records shown the same way (salted when unsettled)."""
        basis = {"unsettled": unsettled_salt, "format": LINE_FORMAT, "base_url": str(settings["BASE_URL"]).rstrip("/"),
                 "oai_prefix": str(settings["OAI_IDENTIFIER_PREFIX"]), "institution": self.institution_slug,
                 "repository": self.repository_id, "block": self.block, "block_ids": BLOCK_IDS,
                 "records": self.records, "latest": self.latest.isoformat(),
                 "fulltext_states": list(self.fulltext_states)}
        return hashlib.sha256(json.dumps(basis, sort_keys=True).encode()).hexdigest()

    def key(self, settings: Mapping[str, Any], unsettled_salt: str = "") -> str:
        """Object key of the part: ``dumps/parts/r<repository>-b<block>-<digest>.gz``."""
        return f"{PARTS_PREFIX}r{self.repository_id}-b{self.block}-{self.digest(settings, unsettled_salt)}.gz"

    def settled(self, now: datetime) -> bool:
        """Whether no record of the part can change any more without a later datestamp."""
        return self.latest < now - SETTLE


def plan_parts(session: Session, institution_id: int | None = None) -> list[PartPlan]:
    """Every part of the live repositories (of one member, or all), in (repository, block) order."""
    block = (Record.id // BLOCK_IDS).label("block")
    states = [func.sum(case((Record.fulltext_state == state, 1), else_=0)) for state in FulltextState]
    query = (select(Institution.slug, Record.repository_id, block, func.count(Record.id),
                    func.sum(case((Record.deleted.is_(True), 1), else_=0)), func.max(Record.hub_datestamp), *states)
             .join(Repository, Repository.id == Record.repository_id)
             .join(Institution, Institution.id == Repository.institution_id)
             .where(Repository.removed_at.is_(None))
             .group_by(Institution.slug, Record.repository_id, block)
             .order_by(Record.repository_id, block))
    if institution_id is not None:
        query = query.where(Repository.institution_id == institution_id)
    return [PartPlan(slug, repo_id, int(number), int(count), int(deleted or 0), latest,
                     tuple(int(n or 0) for n in by_state))
            for slug, repo_id, number, count, deleted, latest, *by_state in session.execute(query)]


# The columns a dump line shows (hub.records_json): leaving out the raw XML, sets and links saves
# most of the reading and JSON decoding of a record.
LINE_COLUMNS = (Record.id, Record.repository_id, Record.deleted, Record.hub_datestamp, Record.source_identifier,
                Record.source_datestamp, Record.fulltext_state, Record.meta)


def part_lines(session: Session, plan: PartPlan, settings: Mapping[str, Any], batch: int = 1000) -> Iterator[bytes]:
    """The lines of one part in id order, read in batches (memory stays at one batch)."""
    low, high = plan.block * BLOCK_IDS, (plan.block + 1) * BLOCK_IDS
    repo = session.get(Repository, plan.repository_id)
    inst = session.get(Institution, repo.institution_id)
    query = (select(Record).options(load_only(*LINE_COLUMNS, raiseload=True))
             .where(Record.repository_id == plan.repository_id, Record.id >= low, Record.id < high)
             .order_by(Record.id).execution_options(yield_per=batch))
    for record in session.scalars(query):
        yield dump_line(record, repo, inst, settings)


def gzip_member(lines: Iterator[bytes], level: int = 6, chunk: int = 256 * 1024) -> Iterator[bytes]:
    """One gzip member of the lines (no file name, mtime 0: the same lines give the same bytes)."""
    compressor = zlib.compressobj(level, zlib.DEFLATED, 31)
    pending: list[bytes] = []
    size = 0
    for line in lines:
        pending.append(line)
        size += len(line)
        if size >= chunk:
            out = compressor.compress(b"".join(pending))
            pending, size = [], 0
            if out:
                yield out
    out = compressor.compress(b"".join(pending)) + compressor.flush()
    if out:
        yield out


@dataclass(frozen=True)
class StoredPart:
    """A part as it sits in the store."""

    key: str
    records: int
    deleted: int
    size: int
    sha256: str

    def to_dict(self) -> dict[str, Any]:
        return {"key": self.key, "records": self.records, "deleted": self.deleted, "size": self.size,
                "sha256": self.sha256}


def write_part(session: Session, store: ObjectStore, plan: PartPlan, settings: Mapping[str, Any],
               key: str) -> StoredPart:
    """Write one part to the store under ``key`` (its digest key); returns what was stored."""
    sha256, info = store.put_stream(gzip_member(part_lines(session, plan, settings)), key, "application/gzip")
    return StoredPart(key, plan.records, plan.deleted, info.size, sha256)


def empty_part(store: ObjectStore) -> StoredPart:
    """The empty gzip member (a dump without records is still a valid .jsonl.gz), written once."""
    data = b"".join(gzip_member(iter(())))
    info: ObjectInfo | None = store.stat(EMPTY_KEY)
    if info is None or info.size != len(data):
        info = store.put_bytes(EMPTY_KEY, data, "application/gzip")
    return StoredPart(EMPTY_KEY, 0, 0, info.size, hashlib.sha256(data).hexdigest())
