"""What the network (or one institution) holds: records by year, type, language and subject,
full-text coverage and growth over time. Cached for a few minutes: the figures move with harvests."""

from __future__ import annotations

import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from hub.models import Record, Repository, UsageEvent, UsageKind
from hub.states import FulltextState

CACHE_SECONDS = 300
TOP = 15
HAVE_FULLTEXT = (FulltextState.STORED, FulltextState.EXTRACTED)


@dataclass
class HoldingStats:
    """The figures of one statistics page."""

    records: int = 0
    with_fulltext: int = 0
    by_year: list[tuple[str, int]] = field(default_factory=list)
    by_type: list[tuple[str, int]] = field(default_factory=list)
    by_language: list[tuple[str, int]] = field(default_factory=list)
    by_subject: list[tuple[str, int]] = field(default_factory=list)
    growth: list[tuple[str, int]] = field(default_factory=list)  # (YYYY-MM, records held at the month's end)
    views: int = 0
    downloads: int = 0

    @property
    def coverage(self) -> float:
        """The share of records with a full text (0 to 1)."""
        return self.with_fulltext / self.records if self.records else 0.0


_cache: dict[Any, tuple[float, HoldingStats]] = {}
_lock = threading.Lock()


def _scope(query, institution_id: int | None):
    """Live records of live repositories (what the portal shows), of one institution or all."""
    query = query.join(Repository, Repository.id == Record.repository_id).where(
        Record.deleted.is_(False), Repository.removed_at.is_(None))
    if institution_id is not None:
        query = query.where(Repository.institution_id == institution_id)
    return query


def holdings(session: Session, institution_id: int | None = None, use_cache: bool = True) -> HoldingStats:
    """The statistics of the whole network (``institution_id`` None) or of one institution.

    Cached per database (several hubs in one process never share figures) and institution."""
    key = ("holdings", str(session.get_bind().engine.url), institution_id)  # an Engine or a Connection
    now = time.monotonic()
    with _lock:
        hit = _cache.get(key)
    if use_cache and hit and now - hit[0] < CACHE_SECONDS:
        return hit[1]
    stats = _compute(session, institution_id)
    with _lock:
        _cache[key] = (now, stats)
    return stats


def _compute(session: Session, institution_id: int | None) -> HoldingStats:
    stats = HoldingStats()
    stats.records = session.scalar(_scope(select(func.count(Record.id)), institution_id)) or 0
    stats.with_fulltext = session.scalar(_scope(select(func.count(Record.id)), institution_id).where(
        Record.fulltext_state.in_(HAVE_FULLTEXT))) or 0
    years: Counter[str] = Counter()
    types: Counter[str] = Counter()
    languages: Counter[str] = Counter()
    subjects: Counter[str] = Counter()
    months: Counter[str] = Counter()
    query = _scope(select(Record.meta["year"], Record.meta["resource_type_label"], Record.meta["languages"],
                          Record.meta["subjects"], Record.created_at), institution_id)
    for year, rtype, langs, subs, created in session.execute(query):
        years[str(year) if year else "unknown"] += 1
        types[str(rtype) if rtype else "unknown"] += 1
        for lang in (langs or [])[:3]:
            languages[str(lang)] += 1
        for subject in (subs or [])[:10]:
            value = subject.get("value") if isinstance(subject, dict) else subject
            if value:
                subjects[str(value)[:80]] += 1
        if created:
            months[created.strftime("%Y-%m")] += 1
    stats.by_year = sorted(years.items(), key=lambda kv: (kv[0] == "unknown", kv[0]))
    stats.by_type = types.most_common(TOP)
    stats.by_language = languages.most_common(TOP)
    stats.by_subject = subjects.most_common(TOP)
    total = 0
    for month in sorted(months):
        total += months[month]
        stats.growth.append((month, total))
    usage = select(UsageEvent.kind, func.count()).group_by(UsageEvent.kind)
    if institution_id is not None:
        usage = usage.where(UsageEvent.institution_id == institution_id)
    for kind, n in session.execute(usage):
        if kind == UsageKind.VIEW:
            stats.views = n
        else:
            stats.downloads = n
    return stats


def clear_cache() -> None:
    """Forget cached figures (after a harvest in tests, or a deletion)."""
    with _lock:
        _cache.clear()


def month_bounds(month: str) -> tuple[datetime, datetime]:
    """The first instant of ``month`` (YYYY-MM) and of the month after; ValueError when malformed."""
    start = datetime.strptime(month, "%Y-%m").date()
    end = date(start.year + (start.month == 12), start.month % 12 + 1, 1)
    from datetime import UTC

    return (datetime(start.year, start.month, 1, tzinfo=UTC), datetime(end.year, end.month, 1, tzinfo=UTC))
