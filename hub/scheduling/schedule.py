"""Repository schedules: an interval (``30m``, ``6h``, ``1d``, ``2w``) or a five-field cron line
(``minute hour day-of-month month day-of-week``, UTC). Empty means manual harvesting only."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

INTERVAL = re.compile(r"^\s*(\d+)\s*([mhdw])\s*$", re.IGNORECASE)
UNITS = {"m": 60, "h": 3600, "d": 86400, "w": 7 * 86400}
MIN_INTERVAL = 5 * 60
MONTHS = {name: i for i, name in enumerate(
    ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"], start=1)}
DAYS = {name: i for i, name in enumerate(["sun", "mon", "tue", "wed", "thu", "fri", "sat"])}
# (low, high, names) per cron field
FIELDS: tuple[tuple[int, int, dict[str, int]], ...] = ((0, 59, {}), (0, 23, {}), (1, 31, {}), (1, 12, MONTHS), (0, 7, DAYS))
FIELD_NAMES = ("minute", "hour", "day of month", "month", "day of week")


class ScheduleError(ValueError):
    """A schedule that cannot be read; the message says what is wrong."""


@dataclass(frozen=True)
class Interval:
    """Every ``seconds`` after the previous run."""

    seconds: int

    def next_after(self, previous: datetime) -> datetime:
        return previous + timedelta(seconds=self.seconds)


@dataclass(frozen=True)
class Cron:
    """A cron line's sets of minutes, hours, days of month, months and days of week (0 = Sunday)."""

    minutes: frozenset[int]
    hours: frozenset[int]
    days: frozenset[int]
    months: frozenset[int]
    weekdays: frozenset[int]
    days_restricted: bool
    weekdays_restricted: bool

    def _day_matches(self, day: datetime) -> bool:
        if day.month not in self.months:
            return False
        dom = day.day in self.days
        dow = (day.isoweekday() % 7) in self.weekdays
        if self.days_restricted and self.weekdays_restricted:
            return dom or dow  # cron's rule: either restriction matches
        return dom and dow

    def next_after(self, previous: datetime) -> datetime:
        """The first matching minute strictly after ``previous``."""
        start = previous.astimezone(UTC).replace(second=0, microsecond=0) + timedelta(minutes=1)
        day = start.replace(hour=0, minute=0)
        for _ in range(366 * 5):
            if self._day_matches(day):
                for hour in sorted(self.hours):
                    for minute in sorted(self.minutes):
                        candidate = day.replace(hour=hour, minute=minute)
                        if candidate >= start:
                            return candidate
            day += timedelta(days=1)
        raise ScheduleError("the cron line never matches a real date")


Schedule = Interval | Cron


def _value(text: str, low: int, high: int, names: dict[str, int], field: str) -> int:
    text = text.lower()
    if text in names:
        return names[text]
    if not text.isdigit():
        raise ScheduleError(f"{field}: {text!r} is not a number")
    value = int(text)
    if not low <= value <= high:
        raise ScheduleError(f"{field}: {value} is outside {low}-{high}")
    return value


def _field(text: str, index: int) -> frozenset[int]:
    low, high, names = FIELDS[index]
    field = FIELD_NAMES[index]
    values: set[int] = set()
    for part in text.split(","):
        if not part:
            raise ScheduleError(f"{field}: empty list item")
        base, _, step_text = part.partition("/")
        step = 1
        if step_text:
            if not step_text.isdigit() or int(step_text) == 0:
                raise ScheduleError(f"{field}: step {step_text!r} must be a positive number")
            step = int(step_text)
        if base == "*":
            first, last = low, high
        elif "-" in base:
            a, _, b = base.partition("-")
            first, last = _value(a, low, high, names, field), _value(b, low, high, names, field)
            if first > last:
                raise ScheduleError(f"{field}: range {base} runs backwards")
        else:
            first = _value(base, low, high, names, field)
            last = high if step_text else first
        values.update(range(first, last + 1, step))
    if index == 4 and 7 in values:  # 7 is Sunday too
        values.discard(7)
        values.add(0)
    return frozenset(values)


def parse_schedule(text: str) -> Schedule | None:
    """The schedule ``text`` describes; None for an empty one (manual). ScheduleError when invalid."""
    text = (text or "").strip()
    if not text:
        return None
    match = INTERVAL.match(text)
    if match:
        seconds = int(match.group(1)) * UNITS[match.group(2).lower()]
        if seconds < MIN_INTERVAL:
            raise ScheduleError(f"an interval must be at least {MIN_INTERVAL // 60} minutes")
        return Interval(seconds)
    parts = text.split()
    if len(parts) != 5:
        raise ScheduleError("use an interval such as 6h or 1d, or a cron line of five fields "
                            "(minute hour day-of-month month day-of-week), e.g. '30 2 * * *'")
    sets = [_field(part, i) for i, part in enumerate(parts)]
    return Cron(sets[0], sets[1], sets[2], sets[3], sets[4], parts[2] != "*", parts[4] != "*")


def validate_schedule(text: str) -> str:
    """The schedule normalised (stripped, single spaces); ScheduleError when invalid."""
    parse_schedule(text)
    return " ".join((text or "").split())


def next_run(text: str, previous: datetime | None, now: datetime) -> datetime | None:
    """When a repository with schedule ``text`` is due next; None when manual or invalid.

    A repository never harvested is due now; otherwise the schedule's next time after the previous run.
    """
    try:
        schedule = parse_schedule(text)
    except ScheduleError:
        return None
    if schedule is None:
        return None
    if previous is None:
        return now
    return schedule.next_after(previous)
