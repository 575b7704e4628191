"""Dates as repositories write them, to ISO 8601 at the precision the source gives.

Understood forms (after fullwidth digits and Chinese numerals are turned into ASCII digits):

- ISO: ``2016``, ``2016-05``, ``2016-05-03``, ``2016-05-03T10:00:00Z`` (the date part is kept as
  written; no time-zone shift), ``2016-05-03 10:00``;
- Y/M/D with ``-`` ``/`` ``.``: ``2016/5/3``, ``2016.05``, ``2016.5.3``; compact ``20160503``;
- Chinese: ``2016年``, ``2016年5月``, ``2016年5月3日`` (``号`` too), ``二〇一六年十二月``;
- D/M/Y or M/D/Y: ``25/12/2016`` and ``12/25/2016`` are read where only one reading is a date;
  ``5/3/2016`` is ambiguous and gives the year only;
- English month names: ``May 2016``, ``3 May 2016``, ``May 3, 2016``;
- catalogue forms: ``c2001``, ``c.2001``, ``©2001``, ``[2001]``, ``[c2001]``, ``2001?``;
- anything else holding one 4-digit year (``2015-2016``, ``Spring 2001``) gives that year.

The rule for the issued date of a record is in :func:`parse_issued`.
"""

from __future__ import annotations

import re
import time
from typing import NamedTuple


class ParsedDate(NamedTuple):
    """One parsed date; ``timestamp`` is True when the source gave a time of day too."""

    year: int
    month: int | None = None
    day: int | None = None
    timestamp: bool = False

    @property
    def iso(self) -> str:
        """ISO 8601 at the parsed precision: ``2016``, ``2016-05`` or ``2016-05-03``."""
        if self.month is None:
            return f"{self.year:04d}"
        if self.day is None:
            return f"{self.year:04d}-{self.month:02d}"
        return f"{self.year:04d}-{self.month:02d}-{self.day:02d}"


_TO_ASCII = str.maketrans(
    "０１２３４５６７８９" "〇○零" "一二三四五六七八九" "／－．：，",
    "0123456789" "000" "123456789" "/-.:,",
)
_ISO_RE = re.compile(
    r"(\d{4})(?:-(\d{1,2})(?:-(\d{1,2}))?)?"
    r"(?:[T ]\d{1,2}:\d{2}(?::\d{2}(?:[.,]\d+)?)?\s*(?:Z|[+-]\d{2}(?::?\d{2})?)?)?"
)
_YMD_RE = re.compile(r"(\d{4})\s*[/.\-]\s*(\d{1,2})(?:\s*[/.\-]\s*(\d{1,2}))?\.?")
_CHINESE_RE = re.compile(r"(\d{4})\s*年(?:\s*(\d{1,2})\s*月(?:\s*(\d{1,2})\s*[日号號]?)?)?.*")
_CHINESE_TENS_RE = re.compile(r"(\d?)十(\d?)")
_DMY_RE = re.compile(r"(\d{1,2})\s*[/.\-]\s*(\d{1,2})\s*[/.\-]\s*(\d{4})")
_COMPACT_RE = re.compile(r"(\d{4})(\d{2})(\d{2})")
_MONTH_NAME_RE = re.compile(r"(?:(\d{1,2})\s+)?([A-Za-z]{3,9})\.?\s+(?:(\d{1,2})(?:st|nd|rd|th)?,?\s+)?(\d{4})")
_CATALOGUE_PREFIX_RE = re.compile(r"^(?:circa|ca\.?|c\.?|©|℗|copyright)\s*", re.I)
_YEAR_RE = re.compile(r"(?<!\d)(\d{4})(?!\d)")
_MONTHS = {
    name: number
    for number, names in enumerate(
        (("jan", "january"), ("feb", "february"), ("mar", "march"), ("apr", "april"), ("may",),
         ("jun", "june"), ("jul", "july"), ("aug", "august"), ("sep", "sept", "september"),
         ("oct", "october"), ("nov", "november"), ("dec", "december")),
        start=1,
    )
    for name in names
}
_DAYS_IN_MONTH = (0, 31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)
_MIN_YEAR = 1000


def _chinese_tens(match: re.Match[str]) -> str:
    tens, units = match.group(1), match.group(2)
    return str(int(tens or 1) * 10 + int(units or 0))


def _build(year: str, month: str | None, day: str | None, timestamp: bool = False) -> ParsedDate:
    """A ParsedDate keeping only the parts that are valid (a bad month drops month and day)."""
    y = int(year)
    m = int(month) if month else None
    if m is None or not 1 <= m <= 12:
        return ParsedDate(y)
    d = int(day) if day else None
    if d is None or not 1 <= d <= _DAYS_IN_MONTH[m] or (m == 2 and d == 29 and not _leap(y)):
        return ParsedDate(y, m)
    return ParsedDate(y, m, d, timestamp)


def _leap(year: int) -> bool:
    return year % 4 == 0 and (year % 100 != 0 or year % 400 == 0)


def _clean(value: str) -> str:
    text = value.strip()
    if not text.isascii():
        text = text.translate(_TO_ASCII)
        if "十" in text:
            text = _CHINESE_TENS_RE.sub(_chinese_tens, text)
    text = text.strip("[]()（）【】 ?？").rstrip(".")
    if text and not text[0].isdigit():
        text = _CATALOGUE_PREFIX_RE.sub("", text).lstrip("[(")
    return text


def parse_date(value: str) -> ParsedDate | None:
    """Parse one date string in any of the forms listed in the module docstring, or None."""
    text = _clean(value)
    if not text:
        return None
    if text[0].isdigit():
        match = _ISO_RE.fullmatch(text)
        if match:
            return _build(match[1], match[2], match[3], timestamp=len(text) > 10)
        match = _YMD_RE.fullmatch(text)
        if match:
            return _build(match[1], match[2], match[3])
        match = _CHINESE_RE.fullmatch(text)
        if match:
            return _build(match[1], match[2], match[3])
        match = _DMY_RE.fullmatch(text)
        if match:
            return _day_month_year(int(match[1]), int(match[2]), match[3])
        match = _COMPACT_RE.fullmatch(text)
        if match:
            return _build(match[1], match[2], match[3])
    match = _MONTH_NAME_RE.fullmatch(text)
    if match and match[2].lower() in _MONTHS:
        day = match[1] or match[3]
        return _build(match[4], str(_MONTHS[match[2].lower()]), day)
    years = _YEAR_RE.findall(text)
    if years:
        return ParsedDate(int(years[0]))
    return None


def _day_month_year(first: int, second: int, year: str) -> ParsedDate:
    """D/M/Y or M/D/Y: keep month and day only when just one reading is possible."""
    if first == second or (first > 12 >= second):
        return _build(year, str(second), str(first))
    if second > 12 >= first:
        return _build(year, str(first), str(second))
    return ParsedDate(int(year))


def _sort_key(date: ParsedDate) -> tuple[int, int, int]:
    # Missing parts sort after present ones: 2016-05-03 comes before 2016-05 and 2016,
    # so a more precise date within the same period wins.
    return (date.year, date.month or 13, date.day or 32)


def parse_issued(dates: list[str]) -> tuple[str, int | None]:
    """The issued date (ISO) and year of a record from its verbatim dc:date values.

    Rule: parse every value; drop ``info:eu-repo/date/...`` values (embargo ends and the like)
    and implausible years (before 1000 or after next year). If any date without a time of day
    remains, drop the timestamps: DSpace writes accession/availability as full timestamps
    (``2022-02-24T20:08:20Z``) beside the real issued date (``1984-10``). Of what remains, choose
    the earliest; a more precise date inside the earliest period wins (``2016`` and
    ``2016-05-03`` give ``2016-05-03``). No usable date gives ``('', None)``.
    """
    max_year = time.gmtime().tm_year + 1
    plain: list[ParsedDate] = []
    stamps: list[ParsedDate] = []
    for value in dates:
        if value.startswith("info:"):
            continue
        parsed = parse_date(value)
        if parsed is None or not _MIN_YEAR <= parsed.year <= max_year:
            continue
        (stamps if parsed.timestamp else plain).append(parsed)
    candidates = plain or stamps
    if not candidates:
        return "", None
    best = min(candidates, key=_sort_key)
    return best.iso, best.year


def embargo_end(dates: list[str]) -> str:
    """The ISO date of an OpenAIRE ``info:eu-repo/date/embargoEnd/YYYY-MM-DD`` value, or ``''``."""
    for value in dates:
        if value.startswith("info:eu-repo/date/embargoEnd/"):
            parsed = parse_date(value.rpartition("/")[2])
            return parsed.iso if parsed else ""
    return ""
