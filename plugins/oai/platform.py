"""Generic OAI-PMH: any repository that speaks the protocol, read through its common ground.

Harvests ListRecords (through resumption tokens, incrementally from the source's own
last responseDate), one set after another when sets are included, drops records whose
sets are all excluded, and crosswalks the metadata prefix through the registered
crosswalks. Full-text candidates come from links in the record (landing pages rejected
by the crosswalk). DSpace, EPrints and custom plugins extend this class.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from datetime import datetime
from typing import Any

from hub.http import HarvestError
from hub.normalise.record import NormalisedRecord
from hub.platform import (
    CheckFinding,
    CheckReport,
    HarvestedItem,
    Notice,
    Page,
    Platform,
    Probe,
    SourceConfig,
    SourceEntry,
)
from oai.client import BrokenRecord, ListPage, OAIClient, ParsedRecord


class OAIPlatform(Platform):
    """A repository harvested over plain OAI-PMH."""

    name = "oai"
    label = "OAI-PMH (generic)"
    description = "Any OAI-PMH 2.0 repository; metadata only from its records' links."
    fetches_items = True

    @property
    def client(self) -> OAIClient:
        if not hasattr(self, "_client"):
            self._client = OAIClient(self.source.base_url, self.http)
        return self._client

    @property
    def metadata_prefix(self) -> str:
        """The metadata format harvested; platforms that choose their own format override this."""
        return self.source.metadata_prefix

    # --- gather ----------------------------------------------------------------

    def list_plan(self) -> list[str | None]:
        """The list requests a harvest makes: one per included set, or one for everything."""
        return list(self.source.sets_include) or [None]

    def gather(self, *, since: datetime | None, checkpoint: dict[str, Any] | None) -> Iterator[Page]:
        plan = self.list_plan()
        start = int(checkpoint.get("set_index", 0)) if checkpoint else 0
        for index in range(start, len(plan)):
            resume = checkpoint.get("list") if checkpoint and index == start else None
            set_spec = plan[index]
            pages = self.client.list_records(self.metadata_prefix, from_=since, set_=set_spec,
                                             checkpoint=resume)
            for page in pages:
                yield self._page(page, index, set_spec)

    def list_source_identifiers(self) -> Iterator[SourceEntry]:
        """ListIdentifiers over the list plan, records in excluded sets left out."""
        for set_spec in self.list_plan():
            for page in self.client.list_identifiers(self.metadata_prefix, set_=set_spec):
                for header in page.records:
                    if self._wanted(header.sets):
                        yield header.identifier, header.datestamp, header.deleted

    def fetch_item(self, identifier: str) -> HarvestedItem:
        """GetRecord of one record, in the harvested format."""
        return self.harvested_item(self.client.get_record(identifier, self.metadata_prefix))

    def _page(self, page: ListPage, set_index: int, set_spec: str | None = None) -> Page:
        items = [self.harvested_item(r) for r in page.records if self._wanted(r.sets)]
        items.extend(self._broken(b) for b in page.broken)
        for item in items:
            item.list_set = set_spec  # the import keeps the union of memberships over the run's lists
        return Page(items=items, checkpoint={"set_index": set_index, "list": page.checkpoint},
                    response_date=page.response_date, list_set=set_spec, list_done=bool(page.checkpoint.get("done")),
                    notices=[Notice(kind, message) for kind, message in page.notices])

    def _wanted(self, sets: list[str]) -> bool:
        """A record in any excluded set is left out."""
        return not (set(sets) & set(self.source.sets_exclude))

    def harvested_item(self, record: ParsedRecord) -> HarvestedItem:
        """A harvested record; one the client mended to read keeps its repair notes and bytes as received."""
        return HarvestedItem(
            source_identifier=record.identifier, datestamp=record.datestamp, deleted=record.deleted,
            sets=list(record.sets), metadata_format=self.metadata_prefix,
            raw_metadata=record.metadata_xml or "", metadata=record.metadata, about=list(record.about_xml),
            repairs=list(record.repairs), raw_bytes=record.raw_bytes,
        )

    @staticmethod
    def _broken(broken: BrokenRecord) -> HarvestedItem:
        """An item error (unreadable record, header without identifier) with the record's raw bytes."""
        return HarvestedItem(source_identifier=broken.identifier_guess or "", error=broken.reason,
                             error_kind=str(broken.kind), raw_bytes=broken.raw)

    # --- normalise -------------------------------------------------------------

    def normalise(self, item: HarvestedItem) -> NormalisedRecord:
        crosswalk = self.crosswalks.get(item.metadata_format)
        if crosswalk is None:
            raise LookupError(f"no crosswalk for metadata format {item.metadata_format!r}")
        if item.metadata is None:
            raise ValueError("record has no metadata")
        return crosswalk(item.metadata)

    # --- check -----------------------------------------------------------------

    @classmethod
    def reads_format(cls, prefix: str, crosswalks: Mapping[str, Any],
                     options: Mapping[str, Any] | None = None) -> bool:
        """Whether this platform can turn records in ``prefix`` into normalised records.

        Asked at registration, before anything is saved or fetched. The answer comes from
        :meth:`normalise` itself, given an item without metadata: a ``LookupError`` is the
        platform's "no crosswalk for this format" (the generic reading needs a registered
        crosswalk); any other answer means the platform has a reader of its own for the format
        (such as ``oai-mapped``'s field mapping). Platforms that know better override this.
        """
        try:
            probe = cls(SourceConfig(0, "", prefix, options=dict(options or {})), None,  # type: ignore[arg-type]
                        crosswalks)
            probe.normalise(HarvestedItem("", metadata_format=prefix))
        except LookupError:
            return False
        except Exception:  # its own reader refused the empty item: the format itself is readable
            return True
        return True

    def probe(self) -> Probe:
        """One Identify request: an OAI-PMH repository answers it with its repositoryName."""
        try:
            identify = self.client.identify()
        except HarvestError as exc:
            return Probe(False, f"the address does not answer OAI-PMH Identify: {exc}")
        return Probe(True, f"OAI-PMH {identify.protocol_version or '?'}", identify.repository_name.strip())

    def check(self) -> CheckReport:
        """Identify, formats, sets and one page of records: what the hub can harvest."""
        from plugins.oai.check import check_oai_repository

        return check_oai_repository(self)


__all__ = ["OAIPlatform", "CheckFinding"]
