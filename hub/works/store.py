"""Database side of grouping: features and blocking keys kept per record, neighbours, decisions.

- :func:`refresh_features` recomputes the features and keys of some records from ``Record.meta``
  (deleted or vanished records leave ``work_member`` and ``work_key``);
- :func:`load_features`, :func:`neighbour_pairs` (records sharing a key, buckets above the cap
  skipped), :func:`workmates` (records currently in the same works);
- :func:`decision_pairs`: the must-link and cannot-link pairs of every stored decision, the latest
  decision about a pair winning.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator
from typing import Any, TypeVar

from sqlalchemy import delete, func, insert, select, update
from sqlalchemy.orm import Session

from hub.models import DecisionKind, Record, WorkDecision, WorkKey, WorkMember, utcnow
from hub.works.features import Features, blocking_keys, features_of

CHUNK = 500  # ids per IN (...) clause
T = TypeVar("T")


def chunks(ids: Iterable[T], size: int = CHUNK) -> Iterator[list[T]]:
    """``ids`` (or any items) in lists of at most ``size``."""
    batch: list[T] = []
    for record_id in ids:
        batch.append(record_id)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch


def refresh_features(session: Session, record_ids: Iterable[int]) -> tuple[dict[int, Features], set[int]]:
    """Recompute features and keys of these records; returns (features of live ones, ids removed)."""
    found: dict[int, Features] = {}
    removed: set[int] = set()
    now = utcnow()
    for batch in chunks(sorted(set(record_ids))):
        rows = session.execute(select(Record.id, Record.repository_id, Record.deleted, Record.meta)
                               .where(Record.id.in_(batch))).all()
        live = {row.id: row for row in rows if not row.deleted}
        gone = set(batch) - set(live)
        removed |= gone
        session.execute(delete(WorkKey).where(WorkKey.record_id.in_(batch)))
        if gone:
            session.execute(delete(WorkMember).where(WorkMember.record_id.in_(list(gone))))
        existing = set(session.scalars(select(WorkMember.record_id).where(WorkMember.record_id.in_(list(live)))))
        inserts: list[dict[str, Any]] = []
        updates: list[dict[str, Any]] = []
        keys: list[dict[str, Any]] = []
        for record_id, row in live.items():
            features = features_of(record_id, row.repository_id, row.meta or {})
            found[record_id] = features
            values = {"record_id": record_id, "repository_id": row.repository_id, "features": features.to_json()}
            if record_id in existing:
                updates.append(values)
            else:
                inserts.append({**values, "work_id": None, "evidence": [], "score": 0.0, "grouped_at": now})
            keys += [{"key": key, "record_id": record_id} for key in blocking_keys(features)]
        if inserts:
            session.execute(insert(WorkMember), inserts)
        if updates:
            session.execute(update(WorkMember), updates)
        if keys:
            session.execute(insert(WorkKey), keys)
    return found, removed


def load_features(session: Session, record_ids: Iterable[int]) -> dict[int, Features]:
    """Stored features of these records (records never grouped are left out)."""
    found: dict[int, Features] = {}
    for batch in chunks(record_ids):
        for row in session.execute(select(WorkMember.record_id, WorkMember.repository_id, WorkMember.features)
                                   .where(WorkMember.record_id.in_(batch))):
            found[row.record_id] = Features.from_json(row.record_id, row.repository_id, row.features or {})
    return found


def neighbour_pairs(session: Session, record_ids: Iterable[int], cap: int) -> set[tuple[int, int]]:
    """Pairs (a, b), a among ``record_ids``, of records sharing a key whose bucket holds at most ``cap``."""
    pairs: set[tuple[int, int]] = set()
    for batch in chunks(record_ids):
        own = session.execute(select(WorkKey.key, WorkKey.record_id).where(WorkKey.record_id.in_(batch))).all()
        by_key: dict[str, list[int]] = defaultdict(list)
        for key, record_id in own:
            by_key[key].append(record_id)
        for keys in chunks(list(by_key)):
            sizes: dict[str, int] = dict(session.execute(select(WorkKey.key, func.count()).where(WorkKey.key.in_(keys))
                                         .group_by(WorkKey.key)).all())
            small = [k for k in keys if 2 <= sizes.get(k, 0) <= cap]
            if not small:
                continue
            for key, other in session.execute(select(WorkKey.key, WorkKey.record_id).where(WorkKey.key.in_(small))):
                for record_id in by_key[key]:
                    if other != record_id:
                        pairs.add((record_id, other))
    return pairs


def current_works(session: Session, record_ids: Iterable[int]) -> dict[int, int]:
    """Record id -> its current work id, for those of ``record_ids`` in a work."""
    found: dict[int, int] = {}
    for batch in chunks(record_ids):
        found.update(session.execute(select(WorkMember.record_id, WorkMember.work_id)
                                     .where(WorkMember.record_id.in_(batch), WorkMember.work_id.is_not(None))).all())
    return found


def workmates(session: Session, work_ids: Iterable[int]) -> set[int]:
    """Every record currently in one of these works."""
    found: set[int] = set()
    for batch in chunks(set(work_ids)):
        found.update(session.scalars(select(WorkMember.record_id).where(WorkMember.work_id.in_(batch))))
    return found


def decision_pairs(session: Session) -> tuple[set[tuple[int, int]], set[tuple[int, int]]]:
    """(must-link pairs, cannot-link pairs) of the stored decisions; the latest about a pair wins."""
    latest: dict[tuple[int, int], DecisionKind] = {}
    for decision in session.scalars(select(WorkDecision).order_by(WorkDecision.created_at, WorkDecision.id)):
        for a in decision.left:
            for b in decision.right:
                if a != b:
                    latest[(min(a, b), max(a, b))] = decision.kind
    must = {pair for pair, kind in latest.items() if kind is DecisionKind.JOIN}
    cannot = {pair for pair, kind in latest.items() if kind is DecisionKind.SPLIT}
    return must, cannot


def partners(pairs: Iterable[tuple[int, int]]) -> dict[int, set[int]]:
    """Record -> the records a decision pairs it with."""
    found: dict[int, set[int]] = defaultdict(set)
    for a, b in pairs:
        found[a].add(b)
        found[b].add(a)
    return found
