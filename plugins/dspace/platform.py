"""The DSpace platform: richest metadata over OAI-PMH, full texts through the REST API.

- **Format**: the richest format the repository offers and the hub can read, in the order
  ``dim``, ``qdc``, ``mods``, ``xoai``, ``oai_dc`` (a format counts only when a crosswalk for it is
  registered). Chosen by the repository check from ListMetadataFormats and stored in
  ``Repository.options['metadata_prefix']``; a harvest of a repository never checked asks
  ListMetadataFormats once at its start. A prefix other than ``oai_dc`` given at registration wins.
- **Full texts**: per record, one request to the REST API found next to the OAI endpoint (DSpace 7
  Discovery with embeds, or DSpace 5/6 ``/rest/handle``), falling back to the documented way of
  finding an item by handle when that fails (DSpace 7 ``/pid/find``, DSpace 5/6
  ``find-by-metadata-field``; see :mod:`plugins.dspace.rest`; the check reports which way served), stored
  by the check in ``options['rest_version']`` / ``options['rest_url']`` (``rest_version`` 0: no
  API, the record's own bitstream links are used). Discovery runs in :meth:`discover_files`, in the
  files stage, once per record a harvest changed (an incremental harvest only receives new or changed
  records, so the cost follows what changed), never inside the import's page transaction; the import
  keeps the record's own links until then, and the files stage stores the API's in
  ``Record.fulltext_links`` (a changed list is a visible change: a new hub datestamp).
- **Identifiers and sets**: the handle (from the OAI identifier) is kept as a ``handle``
  identifier; ``com_``/``col_`` setSpecs become ``extra['dspace']['communities'|'collections']``
  with the names ListSets gave (read once per harvest).
- **Deep pages**: DSpace's Solr-backed deep pages are slow, so the read timeout is raised to
  ``options['read_timeout']`` (default 300 s) when the hub's is shorter.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterator
from datetime import datetime
from typing import Any

from hub.http import HarvestError
from hub.normalise.record import FileLink, Identifier, NormalisedRecord
from hub.platform import CheckFinding, CheckReport, HarvestedItem, Page
from plugins.dspace.rest import LookupWay, RestEndpoint, detect_rest, item_files
from plugins.oai.platform import OAIPlatform

FORMAT_PREFERENCE = ("dim", "qdc", "mods", "xoai", "oai_dc")
DEFAULT_READ_TIMEOUT = 300.0
_HANDLE_RE = re.compile(r"(\d+(?:\.\d+)*/\d+)$")


def choose_format(offered: set[str], readable: set[str]) -> str:
    """The richest prefix both offered by the repository and readable by the hub (oai_dc at worst)."""
    return next((p for p in FORMAT_PREFERENCE if p in offered and p in readable), "oai_dc")


def handle_of(identifier: str) -> str:
    """The handle in a DSpace OAI identifier (``oai:host:123456789/17`` -> ``123456789/17``), or ''."""
    match = _HANDLE_RE.search(identifier.rpartition(":")[2] if ":" in identifier else identifier)
    return match[1] if match else ""


class DSpacePlatform(OAIPlatform):
    """A DSpace repository (1.x to 8.x)."""

    name = "dspace"
    discovers_files = True
    label = "DSpace"
    description = "DSpace over OAI-PMH (dim/qdc/mods/oai_dc) with full texts from the REST API (7+ or 5/6)."

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        read = float(self.source.options.get("read_timeout", DEFAULT_READ_TIMEOUT))
        connect, current = getattr(self.http, "timeout", (10.0, read))
        if current < read:
            self.http.timeout = (connect, read)
        self._set_names: dict[str, str] | None = None
        self._prefix: str | None = None
        self._rest: RestEndpoint | None | bool = False  # False: not looked up yet
        self.lookups: Counter[LookupWay] = Counter()  # how items were found by handle (shown by the check)
        self.lookup_notes: list[str] = []  # why the first way did not serve, a few examples

    # --- choices ---------------------------------------------------------------

    @classmethod
    def validate_options(cls, options: dict[str, Any]) -> dict[str, Any]:
        """Refuse options of the wrong shape (REST version and URL, timeout)."""
        if "rest_version" in options and options["rest_version"] not in (0, 6, 7):
            raise ValueError("options.rest_version must be 0 (no REST API), 6 (DSpace 5/6) or 7 (DSpace 7+)")
        if options.get("rest_version") and not str(options.get("rest_url", "")).startswith(("http://", "https://")):
            raise ValueError("options.rest_url must be the http(s) URL of the REST API")
        if "read_timeout" in options:
            try:
                float(options["read_timeout"])
            except (TypeError, ValueError) as exc:
                raise ValueError("options.read_timeout must be a number of seconds") from exc
        return options

    @property
    def metadata_prefix(self) -> str:
        if self._prefix is None:
            chosen = self.source.options.get("metadata_prefix")
            if self.source.metadata_prefix != "oai_dc":
                chosen = self.source.metadata_prefix
            if not chosen:
                try:
                    offered = {f.prefix for f in self.client.list_metadata_formats()}
                except HarvestError:
                    offered = {"oai_dc"}
                chosen = choose_format(offered, set(self.crosswalks))
            self._prefix = chosen
        return self._prefix

    @property
    def rest(self) -> RestEndpoint | None:
        """The REST API to find files with (from the options, else detected once)."""
        if self._rest is False:
            options = self.source.options
            if "rest_version" in options:
                version = int(options["rest_version"] or 0)
                self._rest = RestEndpoint(version, str(options.get("rest_url", ""))) if version else None
            else:
                self._rest = detect_rest(self.http, self.source.base_url)
        return self._rest  # type: ignore[return-value]

    def set_names(self) -> dict[str, str]:
        """setSpec -> setName from ListSets (read once; {} when the repository has none or fails)."""
        if self._set_names is None:
            try:
                self._set_names = {s.spec: s.name for s in self.client.list_sets()}
            except HarvestError:
                self._set_names = {}
        return self._set_names

    # --- gather and normalise ----------------------------------------------------

    def gather(self, *, since: datetime | None, checkpoint: dict[str, Any] | None) -> Iterator[Page]:
        self.set_names()
        yield from super().gather(since=since, checkpoint=checkpoint)

    def normalise(self, item: HarvestedItem) -> NormalisedRecord:
        record = super().normalise(item)
        handle = handle_of(item.source_identifier)
        if handle and not any(i.scheme == "handle" for i in record.identifiers):
            record.identifiers.append(Identifier("handle", handle))
        names = self.set_names() if item.sets else {}
        dspace = dict(record.extra.get("dspace") or {})
        for prefix, key in (("com_", "communities"), ("col_", "collections")):
            found = [{"spec": s, "name": names.get(s, "")} for s in item.sets if s.startswith(prefix)]
            if found:
                dspace[key] = found
        if handle:
            dspace["handle"] = handle
        if dspace:
            record.extra["dspace"] = dspace
        return record

    def fulltext_links(self, item: HarvestedItem, record: NormalisedRecord) -> list[FileLink]:
        """At import, no request: the record's own bitstream links (restricted ones left out)."""
        return [f for f in record.files if f.access != "restricted"]

    def discover_files(self, source_identifier: str, links: list[FileLink]) -> list[FileLink]:
        """Open (and embargoed) ORIGINAL bitstreams from the REST API: one request per record (files stage)."""
        endpoint, handle = self.rest, handle_of(source_identifier)
        if endpoint is None or not handle:
            return list(links)
        found = item_files(self.http, endpoint, handle)  # HarvestError: the record's own links stand
        self.lookups[found.way] += 1
        if found.note and len(self.lookup_notes) < 5:
            self.lookup_notes.append(f"{handle}: {found.note}")
        return found.files

    # --- check -----------------------------------------------------------------

    def fulltext_strategy(self) -> str:
        """How this platform finds full texts (shown in the check)."""
        endpoint = self.rest
        if endpoint is None:
            return "bitstream links in the records (no REST API found)"
        return f"DSpace {endpoint.version} REST API at {endpoint.url}, one request per record, ORIGINAL bundle"

    def check(self) -> CheckReport:
        """The OAI-PMH check, with the format chosen and the REST API found stored as options."""
        report = super().check()
        if not report.reachable:
            return report
        offered = set(report.facts.get("metadata_formats") or ())
        prefix = (self.source.metadata_prefix if self.source.metadata_prefix != "oai_dc"
                  else choose_format(offered, set(self.crosswalks)))
        endpoint = self.rest
        report.options.update(metadata_prefix=prefix, **(endpoint.to_options() if endpoint else {"rest_version": 0}))
        report.facts["rest_api"] = f"DSpace {endpoint.version} REST at {endpoint.url}" if endpoint else "none found"
        report.findings.append(CheckFinding(
            "rest_api", endpoint is not None,
            report.facts["rest_api"],
            "Expose the DSpace REST API (DSpace 7: /server/api; DSpace 5/6: /rest) to anonymous readers, "
            "so the hub can find full-text files, their checksums and access status.",
            "请向匿名用户开放 DSpace REST API（DSpace 7：/server/api；DSpace 5/6：/rest），"
            "以便中心获取全文文件、校验值和访问权限。"))
        if endpoint is not None:
            self._lookup_finding(report)
        report.findings.append(CheckFinding(
            "rich_format", prefix != "oai_dc", f"harvesting {prefix} (offered: {', '.join(sorted(offered))})",
            "Enable the dim (or qdc/mods) metadata format in DSpace's OAI module (oai/config/xoai.xml).",
            "请在 DSpace 的 OAI 模块（oai/config/xoai.xml）中启用 dim（或 qdc/mods）元数据格式。"))
        return report

    def _lookup_finding(self, report: CheckReport) -> None:
        """Which way the REST API found the sampled items by handle (discovery search, pid/find, ...)."""
        ways = {str(way): n for way, n in self.lookups.items()}
        report.facts["rest_lookup"] = ways
        if self.lookup_notes:
            report.facts["rest_lookup_notes"] = list(self.lookup_notes)
        found = sum(n for way, n in self.lookups.items() if way != LookupWay.NOT_FOUND)
        missing = self.lookups[LookupWay.NOT_FOUND]
        if not self.lookups:
            detail = "not verified: no sampled record was looked up in the REST API"
        else:
            used = ", ".join(f"{way}: {n}" for way, n in self.lookups.items() if way != LookupWay.NOT_FOUND)
            detail = "; ".join(part for part in (f"items found by handle through {used}" if used else "",
                                                 f"not found by any way: {missing}" if missing else "") if part)
            if self.lookup_notes:
                detail += f" ({self.lookup_notes[0]})"
        if self.rest is not None and self.rest.version >= 7:
            where_en = ("/server/api/pid/find, and the discovery search kept up to date with "
                        "'dspace index-discovery'")
            where_zh = "/server/api/pid/find，并用 dspace index-discovery 保持检索索引最新"
        else:
            where_en = where_zh = "/rest/handle/<handle>, or dc.identifier.uri through /rest/items/find-by-metadata-field"
        report.findings.append(CheckFinding(
            "rest_lookup", found > 0 and not missing, detail,
            f"Make every item findable by its handle for anonymous readers of the REST API ({where_en}).",
            f"请使 REST API 的匿名用户能按 handle 找到每个条目（{where_zh}）。"))
