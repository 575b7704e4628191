"""A harvest through a page with characters illegal in XML: mended records are stored, with a note.

The repository (a real local server) sends one page whose records hold every kind of character
illegal in XML, one record that stays broken once they are dropped and two headers without an
identifier (tests/oai/conftest.py). The hub stores the mended record and notes the repair on the run
with the record's bytes as received (``record-repaired``), quarantines only the record it cannot
mend (``unreadable-record``) and the headers (``missing-identifier``), and imports the rest. A second
harvest of the same page changes nothing.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import select
from werkzeug.wrappers import Request, Response

from hub.harvest.gather import harvest_repository
from hub.members import add_institution, add_repository
from hub.models import ItemError, Record
from hub.states import RunState, Stage
from tests.core.servers import serve_app
from tests.oai.conftest import DIRTY_RECORDS, dirty_page

IDENTIFY = (b'<?xml version="1.0" encoding="UTF-8"?><OAI-PMH xmlns="http://www.openarchives.org/OAI/2.0/">'
            b"<responseDate>2024-06-03T19:51:07Z</responseDate><request verb=\"Identify\">http://repo/oai</request>"
            b"<Identify><repositoryName>Dirty</repositoryName><baseURL>http://repo/oai</baseURL>"
            b"<protocolVersion>2.0</protocolVersion><adminEmail>a@example.org</adminEmail>"
            b"<earliestDatestamp>2024-01-01T00:00:00Z</earliestDatestamp><deletedRecord>persistent</deletedRecord>"
            b"<granularity>YYYY-MM-DDThh:mm:ssZ</granularity></Identify></OAI-PMH>")


def _repository(environ, start_response):
    verb = Request(environ).args.get("verb")
    body = IDENTIFY if verb == "Identify" else dirty_page()
    return Response(body, content_type="text/xml; charset=utf-8")(environ, start_response)


@pytest.fixture
def dirty_repo(hub) -> Iterator[int]:
    with serve_app(_repository) as url:
        with hub.db.session() as session:
            add_institution(session, "dirty", "Dirty Data University")
            repo = add_repository(session, hub.pm, hub.settings, member="dirty", platform="oai",
                                  base_url=f"{url}oai", metadata_prefix="oai_dc")
            session.commit()
            repo_id = repo.id
        yield repo_id


def _errors(hub, run_id: int) -> dict[str, list[ItemError]]:
    with hub.db.session() as session:
        rows = session.scalars(select(ItemError).where(ItemError.run_id == run_id).order_by(ItemError.id)).all()
        session.expunge_all()
    grouped: dict[str, list[ItemError]] = {}
    for row in rows:
        grouped.setdefault(row.kind, []).append(row)
    return grouped


def test_mended_records_are_stored_and_only_the_unmendable_quarantined(hub, dirty_repo):
    summary = harvest_repository(hub.db, hub.pm, hub.settings, dirty_repo)
    assert summary.state == RunState.PARTIAL, summary.message
    assert summary.counts["new"] == 3 and summary.counts["failed"] == 3
    with hub.db.session() as session:
        stored = {r.source_identifier: r for r in session.scalars(select(Record).where(
            Record.repository_id == dirty_repo))}
        assert sorted(stored) == ["oai:dirty:1", "oai:dirty:2", "oai:dirty:4"]
        mended = stored["oai:dirty:2"]
        assert mended.meta["titles"][0]["value"] == "Control and noncharacter"
        assert "\x01" not in mended.raw_metadata and "&#xD800;" not in mended.raw_metadata
        assert "中文 kept" in mended.raw_metadata and not mended.deleted
    errors = _errors(hub, summary.run_id)
    [unreadable] = errors["unreadable-record"]
    assert unreadable.source_identifier == "oai:dirty:3" and unreadable.stage == Stage.GATHER
    assert unreadable.raw == DIRTY_RECORDS["oai:dirty:3"] and "even after the repair" in unreadable.message
    missing = errors["missing-identifier"]
    assert [e.raw for e in missing] == [DIRTY_RECORDS["(no identifier, deleted)"], DIRTY_RECORDS["(empty identifier)"]]
    assert all(e.source_identifier == "" and e.stage == Stage.GATHER for e in missing)


def test_a_repair_is_noted_on_the_run_with_the_raw_bytes(hub, dirty_repo):
    """Needs the importer's part of the contract: one ``record-repaired`` note per repaired item."""
    summary = harvest_repository(hub.db, hub.pm, hub.settings, dirty_repo)
    repaired = _errors(hub, summary.run_id).get("record-repaired", [])
    assert repaired, "the repair is noted on the run"
    assert {e.source_identifier for e in repaired} == {"oai:dirty:2"}
    assert all(e.stage == Stage.GATHER and e.raw == DIRTY_RECORDS["oai:dirty:2"] for e in repaired)
    notes = " ".join(e.message for e in repaired)
    assert "U+0001 x2, U+FFFF" in notes and "&#xD800;" in notes and "FF FE; ED A0 80" in notes


def _stamps(hub, repository_id: int) -> dict[str, object]:
    with hub.db.session() as session:
        return dict(session.execute(select(Record.source_identifier, Record.hub_datestamp)
                                    .where(Record.repository_id == repository_id)).all())


def test_a_second_harvest_of_the_same_dirty_page_changes_nothing(hub, dirty_repo):
    harvest_repository(hub.db, hub.pm, hub.settings, dirty_repo)
    before = _stamps(hub, dirty_repo)
    again = harvest_repository(hub.db, hub.pm, hub.settings, dirty_repo, full=True)
    assert again.counts["new"] == 0 and again.counts["updated"] == 0 and again.counts["unchanged"] == 3
    assert again.counts["failed"] == 3
    assert _stamps(hub, dirty_repo) == before and "oai:dirty:2" in before, "the mended record is not re-dated"
