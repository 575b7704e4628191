"""Feeds: members without OAI-PMH publish a JSON-lines or CSV file at a URL.

``Repository.options``::

    {"format": "jsonl" | "csv",
     "columns": {"identifier": "id", "datestamp": "updated", "status": "status",
                 "titles": "title", "creators": "authors", "dates": "year", "files": "pdf_url", ...},
     "deleted_values": ["deleted", "withdrawn"],   # status values meaning "deleted" (default: deleted)
     "separator": ";"}                              # splits multi-valued string cells (default ";")

The feed is read whole (bounded by HARVEST_MAX_PAGE_BYTES), its rows ordered by the date column
(ties keep the feed's order) and handed out in pages of ``PAGE_SIZE``. Incremental: a harvest with
``since`` keeps rows dated at or after it. The checkpoint after each page is the last date seen
and how many rows of that date are done, so a resumed harvest skips exactly what was imported.
A row whose identifier or date is missing or unreadable is quarantined as an unreadable item with
its bytes as received; so is a row that cannot be decoded: a JSON line that does not parse, bytes
that are not UTF-8 (in a JSON line or a CSV row), or a lone surrogate escaped in a JSON string
(``"\ud800"``, which is no character and which no database or page could hold). The rest go on. The page's ``response_date`` is the latest date
in the feed: the source's own clock, used as the next harvest's starting point.
"""

from __future__ import annotations

import codecs
import csv
import io
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from hub.http import HarvestError
from hub.normalise.record import NormalisedRecord
from hub.platform import CheckFinding, CheckReport, HarvestedItem, Page, Platform
from oai.client import parse_datestamp
from oai.xml import RecordFault
from plugins.custom.mapping import apply_columns, validate_column_mapping

PAGE_SIZE = 500
FORMATS = ("jsonl", "csv")
EXTRA_CELLS = "(extra cells)"  # where a CSV row's cells beyond the header go
_SURROGATE = re.compile("[\ud800-\udfff]")
_UNDECODED = re.compile("[\udc80-\udcff]+")  # bytes that were not UTF-8, as surrogateescape keeps them


@dataclass
class FeedRow:
    """One row of a feed: its first line, the row (None when unreadable, ``error`` says why), its bytes."""

    line: int
    row: dict[str, Any] | None
    error: str
    raw: bytes


def _stamp(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def _lone_surrogate(row: dict[str, Any]) -> str:
    """Where a parsed JSON row holds a lone surrogate (a key or a string value), or ''."""
    stack: list[tuple[str, Any]] = [("", row)]
    while stack:
        path, value = stack.pop()
        if isinstance(value, dict):
            for key, child in value.items():
                if _SURROGATE.search(key):
                    return f"a key ({key!r}) holds a lone surrogate"
                stack.append((f"{path}.{key}" if path else key, child))
        elif isinstance(value, list):
            stack.extend((f"{path}[{i}]", child) for i, child in enumerate(value))
        elif isinstance(value, str) and (match := _SURROGATE.search(value)):
            return f"the value of {path!r} holds a lone surrogate (U+{ord(match.group(0)):04X}), which is no character"
    return ""


def read_jsonl(body: bytes) -> list[FeedRow]:
    """Every non-blank line of a JSON-lines body, each decoded, parsed and checked on its own."""
    rows: list[FeedRow] = []
    for n, line in enumerate(body.removeprefix(codecs.BOM_UTF8).split(b"\n"), start=1):
        line = line.removesuffix(b"\r")
        if not line.strip():
            continue
        try:
            row = json.loads(line.decode("utf-8"))
        except UnicodeDecodeError as exc:
            bad = exc.object[exc.start:exc.end].hex(" ").upper()
            rows.append(FeedRow(n, None, f"line {n} is not UTF-8: invalid bytes ({bad}) at byte {exc.start}", line))
            continue
        except (ValueError, RecursionError) as exc:
            rows.append(FeedRow(n, None, f"line {n} is not JSON: {exc}", line))
            continue
        if not isinstance(row, dict):
            rows.append(FeedRow(n, None, f"line {n} is not a JSON object", line))
        elif problem := _lone_surrogate(row):
            rows.append(FeedRow(n, None, f"line {n}: {problem}", line))
        else:
            rows.append(FeedRow(n, row, "", line))
    return rows


def read_csv(body: bytes) -> list[FeedRow]:
    """Every data row of a CSV body (the first row names the columns); a row with bytes that are
    not UTF-8 is unreadable, the others are read."""
    text = body.removeprefix(codecs.BOM_UTF8).decode("utf-8", "surrogateescape")
    lines = io.StringIO(text, newline="").readlines()
    reader = csv.reader(lines)
    try:
        header = next(reader, None)
    except csv.Error:
        header = None
    if header is None:
        return []
    names = [_UNDECODED.sub("\ufffd", name) for name in header]
    rows: list[FeedRow] = []
    while True:
        first = reader.line_num
        try:
            cells = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            raw = "".join(lines[first:reader.line_num]).encode("utf-8", "surrogateescape")
            rows.append(FeedRow(first + 1, None, f"line {first + 1} is not CSV: {exc}", raw))
            if reader.line_num == first:  # nothing consumed: the reader cannot go on
                break
            continue
        if not cells:
            continue
        n = first + 1
        raw = "".join(lines[first:reader.line_num]).encode("utf-8", "surrogateescape")
        bad = [(name, match) for name, cell in zip(names + [EXTRA_CELLS] * len(cells), cells, strict=False)
               if (match := _UNDECODED.search(cell))]
        if bad:
            name, match = bad[0]
            shown = match.group(0).encode("utf-8", "surrogateescape").hex(" ").upper()
            rows.append(FeedRow(n, None, f"line {n} is not UTF-8: invalid bytes ({shown}) in column {name!r}", raw))
            continue
        row: dict[str, Any] = dict(zip(names, cells, strict=False))
        if len(cells) > len(names):
            row[EXTRA_CELLS] = cells[len(names):]
        row.update((name, None) for name in names[len(cells):])
        rows.append(FeedRow(n, row, "", raw))
    return rows


class FeedPlatform(Platform):
    """A JSON-lines or CSV feed with a column mapping."""

    name = "feed"
    label = "JSON-lines / CSV feed"
    description = "A JSON-lines or CSV file at a URL, read through a column mapping; incremental by a date column."

    @classmethod
    def validate_options(cls, options: dict[str, Any]) -> dict[str, Any]:
        """Refuse an unknown format, a mapping without identifier/datestamp or with unknown fields."""
        if options.get("format") not in FORMATS:
            raise ValueError(f"options.format must be one of {', '.join(FORMATS)}")
        validate_column_mapping(options.get("columns"))
        deleted = options.get("deleted_values", ["deleted"])
        if not isinstance(deleted, list) or not all(isinstance(v, str) for v in deleted):
            raise ValueError("options.deleted_values must be a list of strings")
        if not isinstance(options.get("separator", ";"), str):
            raise ValueError("options.separator must be a string")
        return options

    @property
    def columns(self) -> dict[str, str]:
        return self.source.options["columns"]

    # --- reading ----------------------------------------------------------------

    def fetch_rows(self) -> list[FeedRow]:
        """Every row of the feed, read or not (an unreadable row fails alone, see :class:`FeedRow`)."""
        result = self.http.get(self.source.base_url)
        result.raise_for_status()
        return read_csv(result.body) if self.source.options["format"] == "csv" else read_jsonl(result.body)

    def _item(self, feed_row: FeedRow) -> tuple[datetime | None, HarvestedItem]:
        """The row's date (None: undated, left out of the dated order) and its item, or item error."""
        cols, n, row = self.columns, feed_row.line, feed_row.row
        unreadable = RecordFault.UNREADABLE
        if row is None:
            return None, HarvestedItem(f"line:{n}", error=feed_row.error, error_kind=unreadable,
                                       raw_bytes=feed_row.raw)
        identifier = str(row.get(cols["identifier"]) or "").strip()
        raw = json.dumps(row, ensure_ascii=False, sort_keys=True, default=str)
        try:
            moment = parse_datestamp(str(row.get(cols["datestamp"]) or ""))
        except ValueError as exc:
            return None, HarvestedItem(identifier or f"line:{n}", error=f"line {n}: bad date: {exc}",
                                       error_kind=unreadable, raw_bytes=feed_row.raw)
        if not identifier:
            return moment, HarvestedItem(f"line:{n}", error=f"line {n}: no identifier",
                                         error_kind=unreadable, raw_bytes=feed_row.raw)
        status = str(row.get(cols["status"], "")).strip().lower() if "status" in cols else ""
        deleted = status in {v.lower() for v in self.source.options.get("deleted_values", ["deleted"])}
        return moment, HarvestedItem(identifier, _stamp(moment), deleted, [], "feed", "" if deleted else raw,
                                     None if deleted else row)

    def gather(self, *, since: datetime | None, checkpoint: dict[str, Any] | None) -> Iterator[Page]:
        rows = [self._item(row) for row in self.fetch_rows()]
        dated = sorted(((m, i) for m, i in rows if m is not None), key=lambda pair: pair[0])
        broken = [i for m, i in rows if m is None]
        latest = _stamp(dated[-1][0]) if dated else ""
        if checkpoint:
            last = parse_datestamp(checkpoint["last_date"])
            done = int(checkpoint.get("rows_done", 0))
            same = [p for p in dated if p[0] == last][done:]
            dated = same + [p for p in dated if p[0] > last]
            broken = []  # reported by the run that read them first
        elif since is not None:
            dated = [p for p in dated if p[0] >= since]
        last_date, rows_done = (checkpoint["last_date"], int(checkpoint.get("rows_done", 0))) if checkpoint else ("", 0)
        if not dated:
            yield Page(items=broken, checkpoint={"last_date": last_date, "rows_done": rows_done, "done": True},
                       response_date=latest)
            return
        for start in range(0, len(dated), PAGE_SIZE):
            chunk = dated[start:start + PAGE_SIZE]
            for moment, _item in chunk:
                stamp = _stamp(moment)
                rows_done = rows_done + 1 if stamp == last_date else 1
                last_date = stamp
            items = [i for _m, i in chunk] + (broken if start == 0 else [])
            yield Page(items=items, checkpoint={"last_date": last_date, "rows_done": rows_done},
                       response_date=latest)

    def normalise(self, item: HarvestedItem) -> NormalisedRecord:
        if not isinstance(item.metadata, dict):
            raise ValueError("feed row missing")
        return apply_columns(self.columns, item.metadata, self.source.options.get("separator", ";"))

    def check(self) -> CheckReport:
        """Read the feed: rows, unreadable rows, mapped fields filled, deletions."""
        report = CheckReport(reachable=False)
        try:
            rows = self.fetch_rows()
        except HarvestError as exc:
            report.findings.append(CheckFinding("reachable", False, str(exc), "Publish the feed at a public URL.",
                                                "请将数据源发布在可公开访问的地址。"))
            return report
        report.reachable = True
        items = [self._item(row)[1] for row in rows]
        bad = [i for i in items if i.error]
        filled: dict[str, int] = {}
        for item in items[:50]:
            if item.error or item.deleted:
                continue
            for key in self.normalise(item).to_dict():
                filled[key] = filled.get(key, 0) + 1
        report.facts.update(rows=len(rows), unreadable=len(bad), deleted=sum(i.deleted for i in items),
                            field_fill=filled, strategy="whole feed read each harvest, rows at or after the "
                                                        "last date seen (minus the overlap) imported")
        report.findings.append(CheckFinding(
            "rows", bool(rows) and not bad,
            (f"{len(bad)} of {len(rows)} rows unreadable" + (f" (e.g. {bad[0].error})" if bad else "")) if rows
            else "the feed holds no rows: nothing could be verified",
            "Give every row an identifier and a date (ISO 8601) in the mapped columns.",
            "请在映射的列中为每一行提供标识符和日期（ISO 8601 格式）。"))
        return report
