"""The ``resourcesync`` platform: a member (or another hub) that publishes ResourceSync, not OAI-PMH.

Discovery: the registered URL is a Source Description (``/.well-known/resourcesync``; a site root
is tried there too) or a Capability List; ``options.capability_list`` chooses one among several
(a hub offers one per member and repository), else the first is taken.

A full harvest (or the first) reads the Resource List (a Resource List Index page after page),
or, when the Capability List offers a Resource Dump and ``options.use_dumps`` is not false, the
dump's packages and their manifests (see :mod:`plugins.resourcesync.dumps`). The high-water mark
is the list's own ``rs:md at``: the source's clock. An incremental harvest reads the Change Lists
(through the Change List Index) whose period reaches the mark: created and updated resources are
fetched, deleted ones become tombstones, and the mark moves to the newest list's ``until`` (an
open list: its newest change). When no Change List reaches back to the mark, the baseline is read
again (a notice says so).

Every resource is fetched through the hub's HTTP client (retries, Retry-After, size cap) and its
declared hash (md5, sha-256) and length verified; a mismatch is an item error with the bytes kept.
Pages hold ``options.page_size`` entries; each checkpoint is the plan (mode, lists, mark), the
list reached, the position in it and the last location read, so a killed harvest resumes right
after its last committed page (at the list's start when the list changed meanwhile).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from hub.http import HarvestError
from hub.normalise.record import NormalisedRecord
from hub.platform import CheckReport, HarvestedItem, Notice, Page, Platform
from plugins.resourcesync.documents import RsDocument, RsEntry, hash_problem, moment_of, parse_document, stamp
from plugins.resourcesync.dumps import dump_packages, gather_dump
from plugins.resourcesync.records import (
    JSON_FORMAT,
    ResourceFault,
    declared_kind,
    guessed_kind,
    hub_record,
    read_resource,
    wanted_kind,
)

PAGE_SIZE = 100
MAX_PAGE_SIZE = 1000
WELL_KNOWN = "/.well-known/resourcesync"
OPTIONS = ("capability_list", "page_size", "use_dumps")


class ResourceSyncPlatform(Platform):
    """A source harvested through its ResourceSync Capability List."""

    name = "resourcesync"
    label = "ResourceSync"
    description = ("A ResourceSync source (ANSI/NISO Z39.99): Resource List baseline, Change List increments, "
                   "Resource Dumps when offered; oai_dc or another CHAIR hub's JSON records.")

    # --- options and formats -----------------------------------------------------

    @classmethod
    def validate_options(cls, options: dict[str, Any]) -> dict[str, Any]:
        """Refuse unknown keys, a capability list that is not an http(s) URL, a bad page size."""
        unknown = sorted(set(options) - set(OPTIONS))
        if unknown:
            raise ValueError(f"unknown resourcesync options: {', '.join(unknown)} (known: {', '.join(OPTIONS)})")
        url = options.get("capability_list")
        if url is not None and (not isinstance(url, str) or urlsplit(url).scheme not in ("http", "https")
                                or not urlsplit(url).netloc):
            raise ValueError("options.capability_list must be the http(s) URL of a Capability List")
        size = options.get("page_size", PAGE_SIZE)
        if isinstance(size, bool) or not isinstance(size, int) or not 1 <= size <= MAX_PAGE_SIZE:
            raise ValueError(f"options.page_size must be a whole number from 1 to {MAX_PAGE_SIZE}")
        if not isinstance(options.get("use_dumps", True), bool):
            raise ValueError("options.use_dumps must be true or false")
        return options

    @classmethod
    def reads_format(cls, prefix: str, crosswalks: Mapping[str, Any],
                     options: Mapping[str, Any] | None = None) -> bool:
        """XML resources in a format with a registered crosswalk, or another hub's JSON (``chair-json``)."""
        return prefix == JSON_FORMAT or prefix in crosswalks

    @property
    def page_size(self) -> int:
        return int(self.source.options.get("page_size", PAGE_SIZE))

    # --- documents -----------------------------------------------------------------

    def fetch_document(self, url: str, *expected: str) -> RsDocument:
        """Fetch and parse one ResourceSync document (HTTP errors and non-ResourceSync bodies raise)."""
        cached = getattr(self, "_documents", {}).get(url)
        if cached is not None and (not expected or cached.capability in expected):
            return cached
        result = self.http.get(url)
        result.raise_for_status()
        return parse_document(result.body, url, expected)

    def _remember(self, document: RsDocument) -> None:
        if not hasattr(self, "_documents"):
            self._documents: dict[str, RsDocument] = {}
        self._documents[document.url] = document

    def capability_list(self) -> tuple[RsDocument, list[str]]:
        """The Capability List harvested, and every Capability List the source describes."""
        chosen = self.source.options.get("capability_list")
        if chosen:
            return self.fetch_document(chosen, "capabilitylist"), [chosen]
        try:
            document = self.fetch_document(self.source.base_url, "capabilitylist", "description")
        except HarvestError:
            parts = urlsplit(self.source.base_url)
            if parts.path.rstrip("/") not in ("", WELL_KNOWN.rstrip("/")):
                raise
            document = self.fetch_document(urlunsplit((parts.scheme, parts.netloc, WELL_KNOWN, "", "")),
                                           "description")
        if document.capability == "capabilitylist":
            return document, [document.url]
        offered = [e.loc for e in document.entries if e.md.get("capability") == "capabilitylist" and e.loc]
        if not offered:
            raise HarvestError(f"the Source Description {document.url} lists no Capability List")
        return self.fetch_document(offered[0], "capabilitylist"), offered

    @staticmethod
    def capabilities(caplist: RsDocument) -> dict[str, list[str]]:
        """The locations the Capability List gives for each capability (resourcelist, changelist...)."""
        found: dict[str, list[str]] = {}
        for entry in caplist.entries:
            if entry.loc and entry.md.get("capability"):
                found.setdefault(entry.md["capability"], []).append(entry.loc)
        return found

    # --- the plan of a harvest ---------------------------------------------------------

    def plan(self, since: datetime | None) -> tuple[dict[str, Any], list[Notice]]:
        """What this harvest reads: ``mode`` (baseline, dump, changes), its ``lists`` and the ``mark``."""
        caplist, offered = self.capability_list()
        notices = []
        if len(offered) > 1 and not self.source.options.get("capability_list"):
            notices.append(Notice("capability-list-chosen", f"the source describes {len(offered)} Capability Lists; "
                                  f"{caplist.url} was harvested (options.capability_list chooses another)"))
        caps = self.capabilities(caplist)
        if since is not None and caps.get("changelist"):
            changes = self._change_plan(caps["changelist"][0], since)
            if changes is not None:
                return changes, notices
            notices.append(Notice("baseline-again", "the Change Lists do not reach back to the last harvest "
                                  f"({stamp(since)}): the Resource List was read again"))
        elif since is not None:
            notices.append(Notice("baseline-again", "the source offers no Change List: the Resource List was read "
                                  "again"))
        if since is None and caps.get("resourcedump") and self.source.options.get("use_dumps", True):
            dump = self.fetch_document(caps["resourcedump"][0], "resourcedump")
            packages = dump_packages(dump.entries)
            if packages:
                return {"mode": "dump", "lists": packages, "mark": dump.md.get("at", "")}, notices
        if not caps.get("resourcelist"):
            raise HarvestError(f"the Capability List {caplist.url} offers no Resource List", retryable=False)
        listing = self.fetch_document(caps["resourcelist"][0], "resourcelist")
        self._remember(listing)
        lists = [e.loc for e in listing.entries if e.loc] if listing.is_index else [listing.url]
        return {"mode": "baseline", "lists": lists, "mark": listing.md.get("at", "")}, notices

    def _change_plan(self, url: str, since: datetime) -> dict[str, Any] | None:
        """The Change Lists whose period reaches ``since``, oldest first (None: they begin after it)."""
        document = self.fetch_document(url, "changelist")
        if document.is_index:
            periods = [(moment_of(e.md.get("from", "")), moment_of(e.md.get("until", "")), e.loc)
                       for e in document.entries if e.loc]
        else:
            periods = [(moment_of(document.md.get("from", "")), moment_of(document.md.get("until", "")), url)]
            self._remember(document)
        starts = [start for start, _until, _loc in periods if start is not None]
        # ``since`` is the mark minus the harvest overlap: a first list starting within the overlap
        # begins where the last harvest ended (the baseline's ``at`` is the first list's ``from``).
        overlap = timedelta(seconds=self.http.settings.HARVEST_OVERLAP_SECONDS)
        if not periods or (starts and len(starts) == len(periods) and min(starts) > since + overlap):
            return None
        chosen = sorted((p for p in periods if p[1] is None or p[1] >= since),
                        key=lambda p: (p[0] is not None, p[0] or since))
        return {"mode": "changes", "lists": [loc for _s, _u, loc in chosen], "since": stamp(since),
                "mark": self._change_mark(chosen, since)}

    def _change_mark(self, chosen: list[tuple[datetime | None, datetime | None, str]], since: datetime) -> str:
        """The source time the changes read reach: the newest list's ``until``, else its newest change."""
        if not chosen:  # nothing changed since the last harvest: the mark stays where it is
            return ""
        _start, until, loc = chosen[-1]
        if until is not None:
            return stamp(until)
        newest = self.fetch_document(loc, "changelist")
        self._remember(newest)
        if moment_of(newest.md.get("until", "")) is not None:
            return stamp(moment_of(newest.md["until"]))
        moments = [m for m in (moment_of(e.moment) for e in newest.entries) if m is not None]
        latest = max(moments, default=None) or moment_of(newest.md.get("from", ""))
        return stamp(latest) if latest is not None else ""

    # --- gather ----------------------------------------------------------------------

    def gather(self, *, since: datetime | None, checkpoint: dict[str, Any] | None) -> Iterator[Page]:
        plan: dict[str, Any]
        notices: list[Notice]
        if checkpoint:
            plan, notices = {k: checkpoint[k] for k in ("mode", "lists", "mark", "since") if k in checkpoint}, []
            index, position, last_loc = int(checkpoint["index"]), int(checkpoint["position"]), checkpoint["last_loc"]
        else:
            plan, notices = self.plan(since)
            index, position, last_loc = 0, 0, ""
        moment = moment_of(plan.get("mark", ""))
        mark = stamp(moment) if moment is not None else ""
        if checkpoint and checkpoint.get("done"):  # everything was read before the run stopped
            yield Page(items=[], response_date=mark, checkpoint=dict(checkpoint))
            return
        if plan["mode"] == "dump":
            yield from gather_dump(self, plan, index, position, last_loc, mark, notices)
            return
        latest = self._latest_changes(plan["lists"], index) if plan["mode"] == "changes" else {}
        yielded = False
        for list_index in range(index, len(plan["lists"])):
            url = plan["lists"][list_index]
            document = self.fetch_document(url, "changelist" if plan["mode"] == "changes" else "resourcelist")
            entries = document.entries
            start = position if list_index == index else 0
            if start and (start > len(entries) or entries[start - 1].loc != last_loc):
                notices.append(Notice("list-changed", f"{url} changed since the interrupted harvest: read again "
                                      "from its start"))
                start = 0
            last = list_index == len(plan["lists"]) - 1
            for first in range(start, max(len(entries), start + 1), self.page_size):
                chunk = entries[first:first + self.page_size]
                items = [item for offset, entry in enumerate(chunk, start=first)
                         if latest.get(entry.loc, (list_index, offset)) == (list_index, offset)
                         and (item := self.entry_item(entry, plan)) is not None]
                end = first + len(chunk)
                done = last and end >= len(entries)
                yield Page(items=items, response_date=mark, notices=notices,
                           checkpoint={**plan, "index": list_index, "position": end,
                                       "last_loc": chunk[-1].loc if chunk else "", "done": done})
                notices, yielded = [], True
        if not yielded:  # nothing to read: the mark still moves to the source's time
            yield Page(items=[], response_date=mark, notices=notices,
                       checkpoint={**plan, "index": len(plan["lists"]), "position": 0, "last_loc": "", "done": True})

    def _latest_changes(self, lists: list[str], start: int) -> dict[str, tuple[int, int]]:
        """Where each resource's latest change is among the Change Lists from ``start`` on (list, position).

        An older change of a resource changed again is left out: its declared hash is that of a state
        the source no longer serves. The lists read here are kept for the walk that follows.
        """
        latest: dict[str, tuple[int, int]] = {}
        for list_index in range(start, len(lists)):
            document = self.fetch_document(lists[list_index], "changelist")
            self._remember(document)
            for position, entry in enumerate(document.entries):
                latest[entry.loc] = (list_index, position)
        return latest

    def entry_item(self, entry: RsEntry, plan: dict[str, Any]) -> HarvestedItem | None:
        """The item of one list entry (None: not a metadata resource of the registered format, or older
        than the change period read)."""
        kind = declared_kind(entry.md.get("type", ""))
        if not entry.loc or (kind and kind != wanted_kind(self.source.metadata_prefix)):
            return None
        if plan["mode"] == "changes":
            moment, since = moment_of(entry.moment), moment_of(plan.get("since", ""))
            if moment is not None and since is not None and moment < since:
                return None
            if entry.change == "deleted":
                if not kind and guessed_kind(entry.loc) not in ("", wanted_kind(self.source.metadata_prefix)):
                    return None
                return HarvestedItem(entry.loc, datestamp=entry.moment, deleted=True,
                                     metadata_format=self.source.metadata_prefix)
        return self.fetch_resource(entry)

    def fetch_resource(self, entry: RsEntry) -> HarvestedItem | None:
        """Fetch, verify and read one resource; a resource the source cannot give is an item error."""
        result = self.http.get(entry.loc)
        if 400 <= result.status < 500:
            return HarvestedItem(entry.loc, error=f"{entry.loc} answered HTTP {result.status}",
                                 error_kind=ResourceFault.UNAVAILABLE, raw_bytes=result.body)
        result.raise_for_status()
        answered = declared_kind(result.headers.get("Content-Type", ""))
        if not entry.md.get("type") and answered == "other":
            return None  # a full text or image listed beside the records
        return self.verified_item(entry, result.body)

    def verified_item(self, entry: RsEntry, body: bytes) -> HarvestedItem:
        """The item of a resource's bytes, or a hash-mismatch item error keeping them."""
        problem = hash_problem(entry.md.get("hash", ""), entry.md.get("length", ""), body)
        if problem:
            return HarvestedItem(entry.loc, error=f"{entry.loc}: {problem}", error_kind=ResourceFault.HASH_MISMATCH,
                                 raw_bytes=body)
        return read_resource(entry.loc, entry.moment, body, self.source.metadata_prefix)

    # --- normalise and check -----------------------------------------------------------

    def normalise(self, item: HarvestedItem) -> NormalisedRecord:
        if item.metadata_format == JSON_FORMAT:
            if not isinstance(item.metadata, dict):
                raise ValueError("record has no metadata")
            return hub_record(item.metadata, item.source_identifier)
        crosswalk = self.crosswalks.get(item.metadata_format)
        if crosswalk is None:
            raise LookupError(f"no crosswalk for metadata format {item.metadata_format!r}")
        if item.metadata is None:
            raise ValueError("record has no metadata")
        return crosswalk(item.metadata)

    def check(self) -> CheckReport:
        """Discovery, capabilities, list sizes and a sample of resources read and crosswalked."""
        from plugins.resourcesync.check import check_resourcesync

        return check_resourcesync(self)
