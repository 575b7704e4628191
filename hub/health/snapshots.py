"""Daily snapshots of each repository's record and full-text counts: the trend on the dashboard."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from hub.models import CountSnapshot, Record, Repository, utcnow
from hub.states import FulltextState

HAVE_FULLTEXT = (FulltextState.STORED, FulltextState.EXTRACTED)


def current_counts(session: Session) -> dict[int, tuple[int, int]]:
    """Per repository: (live records, records with a stored full text)."""
    rows = session.execute(
        select(Record.repository_id, func.count(),
               func.sum(case((Record.fulltext_state.in_(HAVE_FULLTEXT), 1), else_=0)))
        .where(Record.deleted.is_(False)).group_by(Record.repository_id))
    return {repo_id: (n, int(f or 0)) for repo_id, n, f in rows}


def take_snapshots(session: Session, now: datetime | None = None) -> int:
    """Write (or overwrite) today's snapshot of every repository; returns how many were written."""
    day = (now or utcnow()).strftime("%Y-%m-%d")
    counts = current_counts(session)
    existing = {s.repository_id: s for s in session.scalars(select(CountSnapshot).where(CountSnapshot.day == day))}
    written = 0
    for repo_id in session.scalars(select(Repository.id).where(Repository.removed_at.is_(None))):
        records, fulltexts = counts.get(repo_id, (0, 0))
        snap = existing.get(repo_id)
        if snap is None:
            session.add(CountSnapshot(repository_id=repo_id, day=day, records=records, fulltexts=fulltexts))
        else:
            snap.records, snap.fulltexts = records, fulltexts
        written += 1
    return written


def trends(session: Session, days: int, now: datetime | None = None) -> dict[int, list[tuple[str, int, int]]]:
    """Per repository: [(day, records, fulltexts)] for the last ``days`` days, oldest first."""
    since = ((now or utcnow()) - timedelta(days=days)).strftime("%Y-%m-%d")
    out: dict[int, list[tuple[str, int, int]]] = {}
    rows = session.execute(select(CountSnapshot.repository_id, CountSnapshot.day, CountSnapshot.records,
                                  CountSnapshot.fulltexts).where(CountSnapshot.day >= since)
                           .order_by(CountSnapshot.repository_id, CountSnapshot.day))
    for repo_id, day, records, fulltexts in rows:
        out.setdefault(repo_id, []).append((day, records, fulltexts))
    return out
