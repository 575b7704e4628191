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
A row whose identifier or date is missing or unreadable (or a JSON line that does not parse) is
quarantined as an unreadable item; the rest go on. The page's ``response_date`` is the latest date
in the feed: the source's own clock, used as the next harvest's starting point.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from datetime import datetime
from typing import Any

from hub.http import HarvestError
from hub.normalise.record import NormalisedRecord
from hub.platform import CheckFinding, CheckReport, HarvestedItem, Page, Platform
from oai.client import parse_datestamp
from plugins.custom.mapping import apply_columns, validate_column_mapping

PAGE_SIZE = 500
FORMATS = ("jsonl", "csv")


def _stamp(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


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

    def fetch_rows(self) -> list[tuple[int, dict[str, Any] | None, str]]:
        """(line number, row or None, error) for every row of the feed."""
        result = self.http.get(self.source.base_url)
        result.raise_for_status()
        text = result.body.decode("utf-8-sig", "replace")
        if self.source.options["format"] == "csv":
            return [(n, dict(row), "") for n, row in enumerate(csv.DictReader(io.StringIO(text)), start=2)]
        rows: list[tuple[int, dict[str, Any] | None, str]] = []
        for n, line in enumerate(text.splitlines(), start=1):
            if not line.strip():
                continue
            try:
                row = json.loads(line)
            except ValueError as exc:
                rows.append((n, None, f"line {n} is not JSON: {exc}"))
                continue
            rows.append((n, row, "") if isinstance(row, dict) else (n, None, f"line {n} is not a JSON object"))
        return rows

    def _item(self, n: int, row: dict[str, Any] | None, error: str) -> tuple[datetime | None, HarvestedItem]:
        cols = self.columns
        if row is None:
            return None, HarvestedItem(f"line:{n}", error=error, error_kind="unreadable-record")
        identifier = str(row.get(cols["identifier"]) or "").strip()
        raw = json.dumps(row, ensure_ascii=False, sort_keys=True, default=str)
        try:
            moment = parse_datestamp(str(row.get(cols["datestamp"]) or ""))
        except ValueError as exc:
            return None, HarvestedItem(identifier or f"line:{n}", error=f"line {n}: bad date: {exc}",
                                       error_kind="unreadable-record", raw_bytes=raw.encode("utf-8"))
        if not identifier:
            return moment, HarvestedItem(f"line:{n}", error=f"line {n}: no identifier",
                                         error_kind="unreadable-record", raw_bytes=raw.encode("utf-8"))
        status = str(row.get(cols["status"], "")).strip().lower() if "status" in cols else ""
        deleted = status in {v.lower() for v in self.source.options.get("deleted_values", ["deleted"])}
        return moment, HarvestedItem(identifier, _stamp(moment), deleted, [], "feed", "" if deleted else raw,
                                     None if deleted else row)

    def gather(self, *, since: datetime | None, checkpoint: dict[str, Any] | None) -> Iterator[Page]:
        rows = [self._item(n, row, error) for n, row, error in self.fetch_rows()]
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
        items = [self._item(n, row, error)[1] for n, row, error in rows]
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
            "rows", not bad, f"{len(bad)} of {len(rows)} rows unreadable" + (f" (e.g. {bad[0].error})" if bad else ""),
            "Give every row an identifier and a date (ISO 8601) in the mapped columns.",
            "请在映射的列中为每一行提供标识符和日期（ISO 8601 格式）。"))
        return report
