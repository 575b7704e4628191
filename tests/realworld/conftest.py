"""Fixtures of the real-world corpus: recorded repositories replayed on loopback, and what they hold.

``replay`` starts a :class:`~tests.realworld.replay.ReplayServer` for a scenario (stopped after the
test). The scenario builders below name the recorded pages of each repository (see README.md for
where each file comes from); ``recorded`` reads what a recording holds, independently of the hub,
so that tests compare the hub's store with the recording itself.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import ExitStack
from dataclasses import dataclass

import pytest
from lxml import etree
from sqlalchemy import select

from hub.harvest.gather import HarvestSummary, harvest_repository
from hub.members import add_institution, add_repository
from hub.models import Institution, Record
from tests.realworld.replay import DATA, Kill, RecordedList, ReplayServer, Scenario, q, serve_scenario

ZENODO_CHAIN = ["zenodo/ListRecords_oai_dc_page1.xml", "zenodo/ListRecords_oai_dc_page2.xml",
                "zenodo/ListRecords_oai_dc_page3.xml"]
ARXIV_FORMATS = [("oai_dc", "http://www.openarchives.org/OAI/2.0/oai_dc.xsd", "http://www.openarchives.org/OAI/2.0/oai_dc/"),
                 ("arXiv", "http://arxiv.org/OAI/arXiv.xsd", "http://arxiv.org/OAI/arXiv/")]
MARC_FORMATS = [("marc21", "http://www.loc.gov/standards/marcxml/schema/MARC21slim.xsd",
                 "http://www.loc.gov/MARC21/slim")]


def zenodo(kills: dict[str, Kill] | None = None) -> Scenario:
    """Zenodo's recorded three-page ListRecords chain (page 2 older than page 1's newest), 422 errors."""
    return Scenario(
        name="Zenodo", lists=[RecordedList("zenodo", "oai_dc", ZENODO_CHAIN)],
        identify="zenodo/Identify.xml", list_metadata_formats="zenodo/ListMetadataFormats.xml",
        list_sets=["zenodo/ListSets_page1.xml", "zenodo/ListSets_page2.xml"],
        no_records_match="zenodo/error_noRecordsMatch_422.xml", no_records_status=422, error_status=422,
        kills=kills or {})


def zenodo_two_sets() -> Scenario:
    """Zenodo's set=software list and a user-dryad list sharing records with it."""
    return Scenario(
        name="Zenodo", lists=[
            RecordedList("software", "oai_dc", ["zenodo/ListRecords_set_software_trimmed.xml"], "software"),
            RecordedList("dryad", "oai_dc", ["zenodo/ListRecords_set_user-dryad_derived.xml"], "user-dryad")],
        identify="zenodo/Identify.xml", list_metadata_formats="zenodo/ListMetadataFormats.xml",
        no_records_match="zenodo/error_noRecordsMatch_422.xml", no_records_status=422, error_status=422)


def zenodo_nonlatin() -> Scenario:
    """Zenodo records in Russian, Ukrainian and Chinese."""
    return Scenario(
        name="Zenodo", lists=[RecordedList("nonlatin", "oai_dc", ["zenodo/ListRecords_nonlatin_derived.xml"])],
        identify="zenodo/Identify.xml", list_metadata_formats="zenodo/ListMetadataFormats.xml",
        no_records_match="zenodo/error_noRecordsMatch_422.xml", no_records_status=422, error_status=422)


def arxiv() -> Scenario:
    """arXiv's ListRecords in its own ``arXiv`` format (no crosswalk in the hub)."""
    return Scenario(name="arXiv", lists=[RecordedList("arxiv", "arXiv", ["arxiv/ListRecords_arXiv_cs_trimmed.xml"])],
                    formats=ARXIV_FORMATS, granularity="YYYY-MM-DD", deleted_record="persistent",
                    earliest_datestamp="2007-05-23")


def dspace_tombstones() -> Scenario:
    """dspace.mit.edu (XOAI): a ListRecords page holding live records and a tombstone."""
    return Scenario(name="DSpace@MIT",
                    lists=[RecordedList("mit", "oai_dc", ["dspace/ListRecords_oai_dc_with_tombstone_derived.xml"])],
                    formats=ARXIV_FORMATS[:1], deleted_record="persistent", earliest_datestamp="2001-01-01T00:00:00Z")


def alma() -> Scenario:
    """An Alma catalogue's marc21 ListRecords of set blacklight (with deleted headers)."""
    return Scenario(name="Temple University Libraries (Alma)",
                    lists=[RecordedList("alma", "marc21", ["alma/ListRecords_marc21_blacklight_derived.xml"],
                                        "blacklight")],
                    formats=MARC_FORMATS, deleted_record="persistent")


@dataclass
class RecordedRecord:
    """What a recording says of one record, read with lxml alone."""

    identifier: str
    datestamp: str
    deleted: bool
    sets: list[str]
    dc: dict[str, list[str]]


def recorded(paths: list[str]) -> dict[str, RecordedRecord]:
    """Every record of the recorded pages (first occurrence of each identifier), in the recorded order."""
    out: dict[str, RecordedRecord] = {}
    for path in paths:
        root = etree.parse(str(DATA / path)).getroot()
        for record in root.iter(q("record")):
            header = record.find(q("header"))
            ident = header.findtext(q("identifier")).strip()
            if ident in out:
                continue
            dc: dict[str, list[str]] = {}
            for element in record.iterfind(".//{http://purl.org/dc/elements/1.1/}*"):
                dc.setdefault(etree.QName(element).localname, []).append(element.text or "")
            out[ident] = RecordedRecord(ident, header.findtext(q("datestamp")).strip(),
                                        header.get("status") == "deleted",
                                        [s.text.strip() for s in header.findall(q("setSpec"))], dc)
    return out


def response_date(path: str) -> str:
    """The responseDate of a recorded page."""
    return etree.parse(str(DATA / path)).getroot().findtext(q("responseDate")).strip()


def register(hub, server: ReplayServer, *, platform: str = "oai", metadata_prefix: str = "oai_dc",
             sets: tuple[str, ...] = (), options: dict | None = None, member: str = "realworld") -> int:
    """Register the replayed repository (and its member) in the hub; returns the repository id."""
    with hub.db.session() as session:
        if session.scalar(select(Institution).where(Institution.slug == member)) is None:
            add_institution(session, member, "Real-world corpus", "真实语料", "")
        repo = add_repository(session, hub.pm, hub.settings, member=member, platform=platform,
                              base_url=server.url, metadata_prefix=metadata_prefix, sets=sets, options=options)
        return repo.id


def harvest(hub, repository_id: int, **kwargs) -> HarvestSummary:
    return harvest_repository(hub.db, hub.pm, hub.settings, repository_id, **kwargs)


def stored(hub, repository_id: int) -> dict[str, Record]:
    """The hub's records of a repository by source identifier (detached, attributes loaded)."""
    with hub.db.session() as session:
        rows = session.scalars(select(Record).where(Record.repository_id == repository_id)).all()
        for row in rows:
            session.expunge(row)
    return {row.source_identifier: row for row in rows}


@pytest.fixture
def replay() -> Iterator[Callable[[Scenario], ReplayServer]]:
    """Start replay servers for scenarios; all are stopped after the test."""
    with ExitStack() as stack:
        yield lambda scenario: stack.enter_context(serve_scenario(scenario))
