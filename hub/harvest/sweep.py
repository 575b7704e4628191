"""The sweep: records a source no longer lists become tombstones, guarded against outages.

Sources that declare ``deletedRecord`` ``transient`` or ``no`` (DSpace among them) drop withdrawn
items without a tombstone; only a complete listing shows them gone. Two complete listings exist:
a full harvest whose every list finished (the import marks each record it saw with the run's id,
``Record.last_seen_run_id``), and the identifier sweep of a completeness check. What they did not
see is tombstoned, so the hub's OAI-PMH provider reports the deletion like any other.

Memberships are swept the same way: at the end of one set's list in a full harvest, records that
list did not deliver leave that set (:func:`prune_memberships`); while the lists of a run go on,
the import keeps the union of memberships (each set's list names only that set in the header).

A source that suddenly lists nothing (an outage, a broken set, a login page) is not a mass deletion:
when the records to tombstone exceed ``HARVEST_SWEEP_MAX_SHARE`` of the repository's live records,
nothing is tombstoned, the run notes a held sweep, and the dashboard shows it until a harvest with
the deletions confirmed (``chair harvest ID --full --confirm-deletions``) or a normal one clears it.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import String, cast, func, or_, select, update
from sqlalchemy.orm import Session

from hub.health.status import status_of
from hub.models import HarvestRun, ItemError, Record, utcnow
from hub.states import NoticeKind, Stage

CHUNK = 500  # ids per UPDATE
NAMED = 20  # identifiers named in the run's note


def sweep_unseen(session: Session, run: HarvestRun, settings: Mapping[str, Any], *, confirmed: bool = False) -> list[int]:
    """After a full run whose lists all finished: tombstone the live records it did not see.

    Returns the ids tombstoned (for the follow-up stages). Skipped when the run met items it could
    not identify (an unreadable header might be any stored record).
    """
    if run.checkpoint.get("unidentified"):
        _note(session, run, NoticeKind.SWEEP_HELD,
              f"{run.checkpoint['unidentified']} unreadable record(s) without an identifier: records not listed "
              "by this full harvest were not tombstoned (one of them might be any stored record)")
        return []
    unseen = list(session.scalars(select(Record.id).where(
        Record.repository_id == run.repository_id, Record.deleted.is_(False),
        or_(Record.last_seen_run_id.is_(None), Record.last_seen_run_id != run.id)).order_by(Record.id)))
    return tombstone_unlisted(session, run, unseen, settings, confirmed=confirmed, how="this full harvest",
                              confirm_with=f"chair harvest {run.repository_id} --full --confirm-deletions")


def tombstone_unlisted(session: Session, run: HarvestRun, record_ids: Sequence[int], settings: Mapping[str, Any], *,
                       confirmed: bool, how: str, confirm_with: str) -> list[int]:
    """Tombstone ``record_ids`` (live records ``how`` found unlisted), unless they are too large a share.

    The tombstones keep their metadata and sets; their hub datestamp moves, so harvesters of the hub
    learn of the deletion. Held or done, the repository's status says so.
    """
    status = status_of(session, run.repository_id)
    if not record_ids:
        status.sweep_held, status.sweep_held_run_id = 0, None
        return []
    live = session.scalar(select(func.count()).select_from(Record).where(
        Record.repository_id == run.repository_id, Record.deleted.is_(False))) or 0
    share = len(record_ids) / max(live, 1)
    limit = float(settings["HARVEST_SWEEP_MAX_SHARE"])
    named = _identifiers(session, record_ids[:NAMED])
    if share > limit and not confirmed:
        status.sweep_held, status.sweep_held_run_id = len(record_ids), run.id
        _note(session, run, NoticeKind.SWEEP_HELD,
              f"{len(record_ids)} of {live} live records ({share:.0%}) were not listed by {how}: more than "
              f"HARVEST_SWEEP_MAX_SHARE={limit:.0%}, so none was tombstoned (an outage is not a mass deletion). "
              f"If they were really withdrawn, confirm: {confirm_with}. First ones: {named}")
        return []
    now = utcnow()
    for start in range(0, len(record_ids), CHUNK):
        chunk = list(record_ids[start:start + CHUNK])
        session.execute(update(Record).where(Record.id.in_(chunk))
                        .values(deleted=True, hub_datestamp=now, content_hash=""))
    run.deleted += len(record_ids)
    status.sweep_held, status.sweep_held_run_id = 0, None
    _note(session, run, NoticeKind.SWEPT,
          f"{len(record_ids)} record(s) no longer listed by the source ({how}) became tombstones: {named}")
    return list(record_ids)


def prune_memberships(session: Session, run: HarvestRun, set_spec: str) -> list[int]:
    """At the end of ``set_spec``'s list in a full run: live records the list did not deliver leave the set.

    Returns the ids changed. Their content hash is left unknown (empty): the next import compares the
    record field by field, so a harvest of identical data finds it unchanged.
    """
    listed_elsewhere = or_(Record.last_seen_run_id.is_(None), Record.last_seen_run_id != run.id,
                           Record.last_seen_set.is_(None), Record.last_seen_set != set_spec)
    rows = session.execute(select(Record.id, Record.sets).where(
        Record.repository_id == run.repository_id, Record.deleted.is_(False), listed_elsewhere,
        cast(Record.sets, String).contains(json.dumps(set_spec, ensure_ascii=False), autoescape=True))).all()
    now, changed = utcnow(), []
    for row in rows:
        if set_spec not in (row.sets or []):
            continue
        sets = [spec for spec in row.sets if spec != set_spec]
        session.execute(update(Record).where(Record.id == row.id).values(sets=sets, hub_datestamp=now,
                                                                          content_hash=""))
        changed.append(row.id)
    if changed:
        run.updated += len(changed)
        _note(session, run, NoticeKind.SET_LEFT,
              f"{len(changed)} record(s) no longer in set {set_spec!r} (its list in this full harvest did not "
              f"deliver them) left it: {_identifiers(session, changed[:NAMED])}")
    return changed


def _identifiers(session: Session, record_ids: Sequence[int]) -> str:
    names = session.scalars(select(Record.source_identifier).where(Record.id.in_(list(record_ids)))
                            .order_by(Record.id))
    return ", ".join(names) + (" …" if len(record_ids) >= NAMED else "")


def _note(session: Session, run: HarvestRun, kind: NoticeKind, message: str) -> None:
    session.add(ItemError(run_id=run.id, repository_id=run.repository_id, stage=Stage.GATHER, kind=kind,
                          message=message))
