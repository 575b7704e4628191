"""The EPrints platform: metadata over OAI-PMH, documents from each eprint's EP3 XML export.

- **Metadata**: EPrints' OAI-PMH (oai_dc unless another prefix is registered). EPrints' quirks
  are the client's business and covered by the end-to-end tests: resumption tokens that are
  themselves URL-escaped (``metadataPrefix%3Doai_dc%26offset%3D101``, encoded once more on the
  wire) and ``earliestDatestamp`` ``0001-01-01T00:00:00Z``.
- **Sets**: hex-encoded setSpecs are decoded (``74797065733D61727469636C65`` -> ``types=article``)
  into ``extra['eprints']['sets']``; sets to include or exclude may be given readable.
- **Full texts**: one request per record, the EP3 XML export
  (``<root>/cgi/export/eprint/<id>/XML/<repoid>-eprint-<id>.xml``); only documents readable by the
  public (``security`` ``public``) are open, documents under a future ``date_embargo`` are kept as
  embargoed, the rest left out (see :mod:`plugins.eprints.ep3`). The ``<repoid>`` of export file
  names is read once from an abstract page's export links (by the check, stored in
  ``options['export_name']``, or at the first record of a harvest). ORCID iDs of the export's
  creators are added to the record's people.
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urlsplit

from hub.http import HarvestError
from hub.normalise.record import FileLink, NormalisedRecord
from hub.platform import CheckFinding, CheckReport, HarvestedItem
from oai.xml import MalformedResponse
from plugins.eprints.ep3 import export_name_in, parse_export
from plugins.eprints.sets import decode_set_spec, encode_set_spec
from plugins.oai.platform import OAIPlatform

_EPRINT_ID_RE = re.compile(r"(\d+)$")
MAX_EXPORT_BYTES = 16 * 1024 * 1024


def eprint_id(identifier: str) -> str:
    """The eprint id of an EPrints OAI identifier (``oai:host:123`` -> ``123``), or ''."""
    match = _EPRINT_ID_RE.search(identifier)
    return match[1] if match else ""


class EPrintsPlatform(OAIPlatform):
    """An EPrints 3 repository."""

    name = "eprints"
    label = "EPrints"
    description = "EPrints 3 over OAI-PMH with full texts and access levels from the EP3 XML export."

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._export_name: str | None = self.source.options.get("export_name") or None
        self.exports_read = 0

    @classmethod
    def validate_options(cls, options: dict[str, Any]) -> dict[str, Any]:
        """``export_name`` must be a plain file-name prefix."""
        name = options.get("export_name")
        if name is not None and not re.fullmatch(r"[A-Za-z0-9_.-]+", str(name)):
            raise ValueError("options.export_name must be the repository id used in EP3 export file names "
                             "(letters, digits, '_', '.', '-')")
        return options

    @property
    def root(self) -> str:
        """The EPrints site root (the OAI base URL without ``/cgi/oai2``)."""
        base = self.source.base_url.rstrip("/")
        return base[: -len("/cgi/oai2")] if base.endswith("/cgi/oai2") else base.rsplit("/cgi/", 1)[0]

    # --- sets ------------------------------------------------------------------

    def list_plan(self) -> list[str | None]:
        return [encode_set_spec(s) for s in self.source.sets_include] or [None]

    def _wanted(self, sets: list[str]) -> bool:
        excluded = set(self.source.sets_exclude)
        return not any(s in excluded or decode_set_spec(s) in excluded for s in sets)

    # --- records ---------------------------------------------------------------

    def normalise(self, item: HarvestedItem) -> NormalisedRecord:
        record = super().normalise(item)
        decoded = [decode_set_spec(s) for s in item.sets]
        eprints: dict[str, Any] = {"id": eprint_id(item.source_identifier)}
        if decoded:
            eprints["sets"] = decoded
        record.extra["eprints"] = eprints
        return record

    def export_url(self, number: str, name: str) -> str:
        """The EP3 XML export URL of eprint ``number``."""
        return f"{self.root}/cgi/export/eprint/{number}/XML/{name}-eprint-{number}.xml"

    def export_name(self, landing_page: str = "", number: str = "") -> str:
        """The repository id of export file names: options, else read once from an abstract page."""
        if self._export_name is None:
            page = landing_page if landing_page.startswith(self.root) else (
                f"{self.root}/id/eprint/{number}" if number else "")
            name = ""
            if page:
                try:
                    result = self.http.get(page, max_bytes=2 * 1024 * 1024)
                    name = export_name_in(result.body) if result.status == 200 else ""
                except HarvestError:
                    name = ""
            self._export_name = name or urlsplit(self.root).hostname or ""
        return self._export_name

    def fulltext_links(self, item: HarvestedItem, record: NormalisedRecord) -> list[FileLink]:
        """Open and embargoed documents of the eprint's EP3 export (one request per record)."""
        number = eprint_id(item.source_identifier)
        if not number:
            return [f for f in record.files if f.access != "restricted"]
        url = self.export_url(number, self.export_name(record.landing_page, number))
        try:
            result = self.http.get(url, max_bytes=MAX_EXPORT_BYTES)
            if result.status != 200:
                raise HarvestError(f"{url} answered HTTP {result.status}")
            export = parse_export(result.body)
            self.exports_read += 1
        except (HarvestError, MalformedResponse, ValueError) as exc:  # lxml's XMLSyntaxError is a ValueError
            record.extra["fulltext_error"] = f"EP3 export unreadable: {exc}"
            return [f for f in record.files if f.access != "restricted"]
        for person in record.creators:
            family = person.family or person.name.split(",")[0].strip()
            person.orcid = person.orcid or export.orcids.get(family, "")
        if export.withheld:
            record.extra.setdefault("eprints", {})["documents_withheld"] = export.withheld
        return export.files

    # --- check -----------------------------------------------------------------

    def fulltext_strategy(self) -> str:
        """How this platform finds full texts (shown in the check)."""
        return f"EP3 XML export per record ({self.export_url('<id>', self._export_name or '<repoid>')}), public documents"

    def check(self) -> CheckReport:
        """The OAI-PMH check (whose full-text sample reads EP3 exports), plus the export name stored."""
        report = super().check()
        if not report.reachable:
            return report
        sampled = bool(report.facts.get("sample"))
        if self.exports_read and self._export_name:
            report.options["export_name"] = self._export_name
        report.facts["ep3_export"] = self.export_url("<id>", self._export_name or "<repoid>")
        report.findings.append(CheckFinding(
            "ep3_export", bool(self.exports_read),
            f"EP3 XML export read for {self.exports_read} sampled records at {report.facts['ep3_export']}"
            if sampled else "not verified: no record was sampled, so no EP3 XML export could be read",
            "Enable the EP3 XML export plugin for anonymous users (Export::XML), so the hub can read documents "
            "and their security levels.",
            "请为匿名用户启用 EP3 XML 导出插件（Export::XML），以便中心读取文档及其访问级别。"))
        return report
