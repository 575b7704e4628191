"""Which records a list request selects, counted and paged arithmetically (no scan, no storage).

A request's from/until map to index ranges because datestamps grow with the index (see
`hub.samples.records.record_timestamp`); set membership and "touched" records depend only on the index
modulo a small period. A `Selection` is therefore the union of at most two `Segment`s (ordinary records,
touched records), each an index range filtered by a periodic pattern, and it can count the records
below any index, find the next match after an index, and find the n-th match (binary search over the
count) in O(log N), whatever the size of the repository.
"""

from __future__ import annotations

import bisect
import math
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import lru_cache

from hub.samples import vocabulary as v
from hub.samples.catalog import RepositoryStyle, SampleRepository
from hub.samples.records import BASE_TIMESTAMP, HANDLE_PREFIX, hex_set


class BadDate(ValueError):
    """A from/until value that is not a valid OAI-PMH UTC date or datetime."""


def parse_oai_date(text: str, *, end_of_day: bool) -> tuple[int, bool]:
    """Seconds since the epoch and whether the value had a time part ("YYYY-MM-DD[Thh:mm:ssZ]")."""
    try:
        if len(text) == 10:
            day = datetime.strptime(text, "%Y-%m-%d").replace(tzinfo=UTC)
            return int(day.timestamp()) + (86399 if end_of_day else 0), False
        if len(text) == 20 and text.endswith("Z"):
            return int(datetime.strptime(text, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC).timestamp()), True
    except ValueError as exc:
        raise BadDate(text) from exc
    raise BadDate(text)


def _first_at_or_after(seconds: int, shift_minutes: int) -> int:
    i = max(0, (seconds - BASE_TIMESTAMP) // 60 - shift_minutes)
    stamp = BASE_TIMESTAMP + 60 * (i + shift_minutes) + (i * 37) % 60
    return i if stamp >= seconds else i + 1


def _last_at_or_before(seconds: int, shift_minutes: int) -> int:
    i = (seconds - BASE_TIMESTAMP) // 60 - shift_minutes
    if i < 0:
        return -1
    stamp = BASE_TIMESTAMP + 60 * (i + shift_minutes) + (i * 37) % 60
    return i if stamp <= seconds else i - 1


def set_predicate(style: RepositoryStyle, set_spec: str) -> Callable[[int], bool] | None:
    """A predicate over i % SET_PERIOD for a setSpec, or None when the platform style has no such set."""
    if style is RepositoryStyle.DSPACE:
        for prefix in ("com_", "col_", "hdl_"):
            if set_spec.startswith(f"{prefix}{HANDLE_PREFIX}_") and set_spec.rsplit("_", 1)[1].isdigit():
                handle = int(set_spec.rsplit("_", 1)[1])
                if prefix != "col_" and handle in (1, 2):
                    return lambda r: 1 + (r % v.DSPACE_COLLECTIONS) // 2 == handle
                if prefix != "com_" and 3 <= handle < 3 + v.DSPACE_COLLECTIONS:
                    return lambda r: r % v.DSPACE_COLLECTIONS == handle - 3
        return None
    for item_type in v.ITEM_TYPES:
        if set_spec == hex_set(f"types={item_type}"):
            wanted_type = item_type
            return lambda r: v.TYPE_CYCLE[r % len(v.TYPE_CYCLE)] == wanted_type
    for status in set(v.STATUS_CYCLE):
        if set_spec == hex_set(f"status={status}"):
            wanted_status = status
            return lambda r: v.STATUS_CYCLE[r % len(v.STATUS_CYCLE)] == wanted_status
    return None


@dataclass(frozen=True)
class Segment:
    """Indices in [lo, hi) whose residue modulo `period` is in `residues` (sorted)."""

    lo: int
    hi: int
    period: int
    residues: tuple[int, ...]

    def _count_to(self, y: int) -> int:
        full, rest = divmod(y, self.period)
        return full * len(self.residues) + bisect.bisect_left(self.residues, rest)

    def count_below(self, x: int) -> int:
        """How many indices of the segment are < x."""
        if self.hi <= self.lo:
            return 0
        y = min(max(x, self.lo), self.hi)
        return self._count_to(y) - self._count_to(self.lo)

    def next_at_or_after(self, x: int) -> int | None:
        """The smallest index of the segment >= x, or None."""
        x = max(x, self.lo)
        if x >= self.hi or not self.residues:
            return None
        base, rest = divmod(x, self.period)
        k = bisect.bisect_left(self.residues, rest)
        i = base * self.period + (self.residues[k] if k < len(self.residues) else self.period + self.residues[0])
        return i if i < self.hi else None


@lru_cache(maxsize=256)
def _residues(repo_key: tuple[RepositoryStyle, int, int], set_spec: str | None, touched: bool) -> tuple[int, ...] | None:
    style, revision, touch_every = repo_key
    period = math.lcm(v.SET_PERIOD, touch_every)
    predicate = set_predicate(style, set_spec) if set_spec else (lambda r: True)
    if predicate is None:
        return None
    return tuple(r for r in range(period)
                 if predicate(r % v.SET_PERIOD) and (revision > 0 and r % touch_every == 0) == touched)


@dataclass(frozen=True)
class Selection:
    """The records a list request selects, in index order."""

    segments: tuple[Segment, ...]
    total: int

    def count_below(self, x: int) -> int:
        """How many selected records have an index < x."""
        return sum(s.count_below(x) for s in self.segments)

    def next_at_or_after(self, x: int) -> int | None:
        """The smallest selected index >= x, or None."""
        found = [i for s in self.segments if (i := s.next_at_or_after(x)) is not None]
        return min(found) if found else None

    def nth(self, n: int) -> int | None:
        """The index of the n-th selected record (0-based), or None when n >= total."""
        if n < 0 or n >= self.total:
            return None
        lo, hi = 0, max(s.hi for s in self.segments)
        while lo < hi:  # smallest x with count_below(x + 1) > n
            mid = (lo + hi) // 2
            if self.count_below(mid + 1) > n:
                hi = mid
            else:
                lo = mid + 1
        return lo

    def iter_from(self, x: int, limit: int) -> Iterator[int]:
        """Up to `limit` selected indices >= x, in order."""
        for _ in range(limit):
            i = self.next_at_or_after(x)
            if i is None:
                return
            yield i
            x = i + 1


def select(repo: SampleRepository, set_spec: str | None, from_seconds: int | None,
           until_seconds: int | None) -> Selection | None:
    """The selection for a request, or None when `set_spec` is not a set of the repository."""
    key = (repo.style, repo.revision, repo.touch_every)
    period = math.lcm(v.SET_PERIOD, repo.touch_every)
    segments = []
    for touched, shift in ((False, 0), (True, repo.revision * repo.records)):
        residues = _residues(key, set_spec, touched)
        if residues is None:
            return None
        lo = 0 if from_seconds is None else _first_at_or_after(from_seconds, shift)
        hi = repo.records if until_seconds is None else min(repo.records,
                                                               _last_at_or_before(until_seconds, shift) + 1)
        segments.append(Segment(lo, max(lo, hi), period, residues))
    selection = Selection(tuple(segments), 0)
    return Selection(selection.segments, selection.count_below(repo.records))
