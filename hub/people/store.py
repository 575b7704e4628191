"""Database side of linking: authorships and their blocks kept per record, neighbours, decisions.

Everything here works in bulk (``IN (...)`` over chunks of ids, ``executemany`` inserts and updates),
never one ORM query per row: the people stage runs it on every chunk of 2000 harvested records.

- :func:`refresh_authorships` rebuilds the authorships and blocks of some records from ``Record.meta``
  (a deleted or vanished record loses them); each new authorship keeps the researcher its reference
  ``"<record id>:<name>"`` had, so re-linking votes for the old ids;
- :func:`block_sizes`, :func:`block_members`: how many authorships share a block, and which;
- :func:`load_authors` (by authorship), :func:`researcher_members` (every authorship of researchers),
  :func:`load_refs` (by decision reference);
- :func:`decision_pairs`: the must-link and cannot-link reference pairs of every stored decision, the
  latest decision about a pair winning.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any, TypeVar, cast

from sqlalchemy import Table, delete, func, insert, select, tuple_
from sqlalchemy.orm import Session

from hub.models import Authorship, AuthorshipKey, DecisionKind, Record, Repository, ResearcherDecision, utcnow
from hub.people.features import AuthorFeatures, authorships_of, block_keys

CHUNK = 500  # ids per IN (...) clause
T = TypeVar("T")
Slot = tuple[int, int]  # (record id, position): an authorship's primary key


def chunks(items: Iterable[T], size: int = CHUNK) -> Iterator[list[T]]:
    """``items`` in lists of at most ``size``."""
    batch: list[T] = []
    for item in items:
        batch.append(item)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch


@dataclass
class Loaded:
    """Authorships read back: features and current researcher, by slot."""

    authors: dict[Slot, AuthorFeatures] = field(default_factory=dict)
    researcher: dict[Slot, int | None] = field(default_factory=dict)

    def update(self, other: Loaded) -> None:
        """Add ``other``'s authorships."""
        self.authors.update(other.authors)
        self.researcher.update(other.researcher)


@dataclass
class Refreshed:
    """What :func:`refresh_authorships` did."""

    loaded: Loaded = field(default_factory=Loaded)  # the new authorships of the live records
    old_researchers: set[int] = field(default_factory=set)  # researchers of the records' old authorships
    old_links: dict[int, dict[str, int | None]] = field(default_factory=dict)  # record -> name -> researcher
    removed: set[int] = field(default_factory=set)  # records deleted or vanished


def _institutions(session: Session, repository_ids: Iterable[int]) -> dict[int, int]:
    found: dict[int, int] = {}
    for batch in chunks(set(repository_ids)):
        found.update(session.execute(select(Repository.id, Repository.institution_id)
                                     .where(Repository.id.in_(batch))).all())
    return found


_COLUMNS = (Authorship.record_id, Authorship.position, Authorship.institution_id, Authorship.repository_id,
            Authorship.name, Authorship.key, Authorship.orcid, Authorship.features, Authorship.researcher_id)


def _read(rows: Iterable[Any], loaded: Loaded, wanted: set[Slot] | None = None) -> None:
    for row in rows:
        slot = (row.record_id, row.position)
        if wanted is not None and slot not in wanted:
            continue
        loaded.authors[slot] = AuthorFeatures.from_json(row.record_id, row.position, row.institution_id,
                                                        row.repository_id, row.name, row.key, row.orcid,
                                                        row.features or {})
        loaded.researcher[slot] = row.researcher_id


def refresh_authorships(session: Session, record_ids: Iterable[int]) -> Refreshed:
    """Rebuild the authorships and blocks of these records (see the module docstring)."""
    done = Refreshed()
    now = utcnow()
    for batch in chunks(sorted(set(record_ids))):
        for record_id, name, researcher_id in session.execute(
                select(Authorship.record_id, Authorship.name, Authorship.researcher_id)
                .where(Authorship.record_id.in_(batch))):
            done.old_links.setdefault(record_id, {})[name] = researcher_id
            if researcher_id is not None:
                done.old_researchers.add(researcher_id)
        rows = session.execute(select(Record.id, Record.repository_id, Record.deleted, Record.meta)
                               .where(Record.id.in_(batch))).all()
        live = [row for row in rows if not row.deleted]
        done.removed |= set(batch) - {row.id for row in live}
        session.execute(delete(AuthorshipKey).where(AuthorshipKey.record_id.in_(batch)))
        session.execute(delete(Authorship).where(Authorship.record_id.in_(batch)))
        members = _institutions(session, {row.repository_id for row in live})
        inserts: list[dict[str, Any]] = []
        keys: list[dict[str, Any]] = []
        for row in live:
            institution = members.get(row.repository_id)
            if institution is None:
                continue
            old = done.old_links.get(row.id, {})
            for author in authorships_of(row.id, row.repository_id, institution, row.meta or {}):
                slot = (row.id, author.position)
                researcher = old.get(author.name)
                done.loaded.authors[slot] = author
                done.loaded.researcher[slot] = researcher
                inserts.append({"record_id": row.id, "position": author.position, "researcher_id": researcher,
                                "repository_id": row.repository_id, "institution_id": institution,
                                "name": author.name, "key": author.key, "orcid": author.orcid,
                                "features": author.to_json(), "evidence": [], "score": 0.0, "linked_at": now})
                keys += [{"key": key, "record_id": row.id, "position": author.position}
                         for key in block_keys(author)]
        if inserts:  # Core executemany: the ORM's bulk path costs more than the rows' JSON
            session.execute(insert(cast(Table, Authorship.__table__)), inserts)
        if keys:
            session.execute(insert(cast(Table, AuthorshipKey.__table__)), keys)
    return done


def block_sizes(session: Session, keys: Iterable[str]) -> dict[str, int]:
    """How many authorships hold each of these blocks."""
    sizes: dict[str, int] = {}
    for batch in chunks(set(keys)):
        sizes.update(session.execute(select(AuthorshipKey.key, func.count()).where(AuthorshipKey.key.in_(batch))
                                     .group_by(AuthorshipKey.key)).all())
    return sizes


def block_members(session: Session, keys: Iterable[str]) -> dict[str, list[Slot]]:
    """The authorships holding each of these blocks."""
    found: dict[str, list[Slot]] = defaultdict(list)
    for batch in chunks(set(keys)):
        for key, record_id, position in session.execute(
                select(AuthorshipKey.key, AuthorshipKey.record_id, AuthorshipKey.position)
                .where(AuthorshipKey.key.in_(batch))):
            found[key].append((record_id, position))
    return found


def load_authors(session: Session, slots: Iterable[Slot]) -> Loaded:
    """The stored authorships at these slots."""
    loaded = Loaded()
    for batch in chunks(sorted(set(slots))):  # row values: only these authorships' JSON is decoded
        _read(session.execute(select(*_COLUMNS).where(tuple_(Authorship.record_id, Authorship.position).in_(batch))),
              loaded)
    return loaded


def researcher_members(session: Session, researcher_ids: Iterable[int]) -> Loaded:
    """Every authorship of these researchers."""
    loaded = Loaded()
    for batch in chunks(sorted(set(researcher_ids))):
        _read(session.execute(select(*_COLUMNS).where(Authorship.researcher_id.in_(batch))), loaded)
    return loaded


def parse_ref(ref: str) -> tuple[int, str] | None:
    """``"<record id>:<name>"`` -> (record id, name); None when malformed."""
    head, sep, name = ref.partition(":")
    if not sep or not head.isdigit() or not name:
        return None
    return int(head), name


def load_refs(session: Session, refs: Iterable[str]) -> Loaded:
    """The stored authorships named by these references."""
    wanted: dict[int, set[str]] = defaultdict(set)
    for ref in refs:
        parsed = parse_ref(ref)
        if parsed is not None:
            wanted[parsed[0]].add(parsed[1])
    loaded = Loaded()
    for batch in chunks(sorted(wanted)):
        rows = session.execute(select(*_COLUMNS).where(Authorship.record_id.in_(batch))).all()
        _read([row for row in rows if row.name in wanted[row.record_id]], loaded)
    return loaded


def decision_pairs(session: Session) -> dict[tuple[str, str], DecisionKind]:
    """Reference pair (sorted) -> the latest decision's kind about it."""
    latest: dict[tuple[str, str], DecisionKind] = {}
    for kind, left, right in session.execute(
            select(ResearcherDecision.kind, ResearcherDecision.left, ResearcherDecision.right)
            .order_by(ResearcherDecision.created_at, ResearcherDecision.id)):
        for a in left or ():
            for b in right or ():
                if a != b:
                    latest[(a, b) if a < b else (b, a)] = kind
    return latest
