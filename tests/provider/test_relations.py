"""Copies of one work stay records of their own in OAI-PMH, related to each other.

Regrouping moves the hub datestamp of exactly the records whose workmates changed, so that
incremental harvesters see relations appear and go; relations are rendered in oai_dc,
oai_openaire and mods (every response validated against the schemas) and loaded once per page.
"""

from __future__ import annotations

from datetime import datetime

import pytest
from sqlalchemy import func, insert, select, update

from hub.models import Record, WorkMember
from hub.works import api as works_api
from hub.works.decisions import split
from hub.works.grouping import group_all, regroup
from oai.provider import verbs
from tests.provider.conftest import OAI, PREFIX
from tests.provider.factories import BASE_DATE, populate, record_values

DC = "{http://purl.org/dc/elements/1.1/}"
DATACITE = "{http://datacite.org/schema/kernel-4}"
MODS = "{http://www.loc.gov/mods/v3}"
HUB = "https://hub.example.org"


@pytest.fixture
def copies(hub) -> tuple[int, int, int]:
    """Records a and b: the same paper (index 3, one DOI) in two repositories; c: another paper.
    All three carry the datestamp ``BASE_DATE`` and are in no work yet."""
    with hub.db.session() as session:
        network = populate(session, 0)
        repos = network.repositories
        rows = [record_values(3, repos[0], BASE_DATE), record_values(3, repos[2], BASE_DATE),
                record_values(4, repos[1], BASE_DATE)]
        ids = [session.scalar(insert(Record).values(**row).returning(Record.id)) for row in rows]
    return ids[0], ids[1], ids[2]


def datestamps(hub, ids) -> dict[int, datetime]:
    """Record id -> hub datestamp."""
    with hub.db.session() as session:
        return dict(session.execute(select(Record.id, Record.hub_datestamp).where(Record.id.in_(list(ids)))).all())


def reset_datestamps(hub, ids) -> None:
    """Put the datestamps of these records back to ``BASE_DATE``."""
    with hub.db.session() as session:
        session.execute(update(Record).where(Record.id.in_(list(ids))).values(hub_datestamp=BASE_DATE))


def get(oai, record_id: int, prefix: str):
    """GetRecord of one record in one format (validated)."""
    return oai(verb="GetRecord", identifier=f"oai:{PREFIX}:{record_id}", metadataPrefix=prefix)


def dc_relations(root) -> list[str]:
    """The dc:relation values of a response's records."""
    return [e.text for e in root.iter(f"{DC}relation")]


def related_identifiers(root) -> list[tuple[str, str, str]]:
    """(relatedIdentifierType, relationType, value) of a response's datacite:relatedIdentifier."""
    return [(e.get("relatedIdentifierType"), e.get("relationType"), e.text)
            for e in root.iter(f"{DATACITE}relatedIdentifier")]


def test_grouping_and_splitting_move_datestamps_and_relations(hub, oai, copies):
    a, b, c = copies
    with hub.db.session() as session:
        regroup(session, [a, b, c])
    stamps = datestamps(hub, copies)
    assert stamps[a] > BASE_DATE and stamps[b] > BASE_DATE
    assert stamps[c] == BASE_DATE  # grouped alone: nothing visible changed
    assert dc_relations(get(oai, a, "oai_dc")) == [f"oai:{PREFIX}:{b}"]
    assert dc_relations(get(oai, b, "oai_dc")) == [f"oai:{PREFIX}:{a}"]
    assert dc_relations(get(oai, c, "oai_dc")) == []
    # the shared DOI is the record's own: only the hub page of the other copy is named
    assert related_identifiers(get(oai, a, "oai_openaire")) == [("URL", "IsIdenticalTo", f"{HUB}/records/{b}")]
    assert related_identifiers(get(oai, b, "oai_openaire")) == [("URL", "IsIdenticalTo", f"{HUB}/records/{a}")]
    assert related_identifiers(get(oai, c, "oai_openaire")) == []
    listed = oai(verb="ListRecords", metadataPrefix="oai_dc")
    by_id = {r.findtext(f"{OAI}header/{OAI}identifier"): dc_relations(r) for r in listed.iter(f"{OAI}record")}
    assert by_id == {f"oai:{PREFIX}:{a}": [f"oai:{PREFIX}:{b}"], f"oai:{PREFIX}:{b}": [f"oai:{PREFIX}:{a}"],
                     f"oai:{PREFIX}:{c}": []}

    reset_datestamps(hub, copies)
    with hub.db.session() as session:
        regroup(session, [a, b, c])
        group_all(session)
    assert set(datestamps(hub, copies).values()) == {BASE_DATE}  # nothing changed, nothing moved

    with hub.db.session() as session:
        work_id = session.scalar(select(WorkMember.work_id).where(WorkMember.record_id == a))
        split(session, work_id, [b])
    stamps = datestamps(hub, copies)
    assert stamps[a] > BASE_DATE and stamps[b] > BASE_DATE and stamps[c] == BASE_DATE
    for record_id in copies:
        assert dc_relations(get(oai, record_id, "oai_dc")) == []
        assert related_identifiers(get(oai, record_id, "oai_openaire")) == []
        assert not list(get(oai, record_id, "mods").iter(f"{MODS}relatedItem[@type='otherVersion']"))


def test_a_deleted_copy_leaves_its_workmate_related_to_nothing(hub, oai, copies):
    a, b, c = copies
    with hub.db.session() as session:
        regroup(session, [a, b, c])
    reset_datestamps(hub, copies)
    with hub.db.session() as session:  # the harvest marks b deleted (and moves b's datestamp itself)
        session.execute(update(Record).where(Record.id == b).values(deleted=True))
    with hub.db.session() as session:
        regroup(session, [b])
    stamps = datestamps(hub, copies)
    assert stamps[a] > BASE_DATE
    assert stamps[b] == stamps[c] == BASE_DATE  # a tombstone shows no relation; c was never related
    assert dc_relations(get(oai, a, "oai_dc")) == []


def test_versions_are_related_by_type_with_their_own_doi_in_every_format(hub, oai, copies):
    a, b, _ = copies
    with hub.db.session() as session:
        regroup(session, [a, b])
        features = session.scalar(select(WorkMember.features).where(WorkMember.record_id == a))
        session.execute(update(WorkMember).where(WorkMember.record_id == a)
                        .values(features={**features, "v": "preprint", "d": "10.48550/arxiv.2401.00003"}))
        session.execute(update(WorkMember).where(WorkMember.record_id == b)
                        .values(features={**features, "v": "published"}))
    assert related_identifiers(get(oai, b, "oai_openaire")) == [
        ("URL", "HasVersion", f"{HUB}/records/{a}"), ("DOI", "HasVersion", "10.48550/arxiv.2401.00003")]
    assert related_identifiers(get(oai, a, "oai_openaire")) == [("URL", "IsVersionOf", f"{HUB}/records/{b}")]
    items = list(get(oai, b, "mods").iter(f"{MODS}relatedItem"))
    other = [i for i in items if i.get("type") == "otherVersion"]
    assert len(other) == 1 and other[0].get("otherType") == "HasVersion"
    assert [(e.get("type"), e.text) for e in other[0].iter(f"{MODS}identifier")] == [
        ("uri", f"{HUB}/records/{a}"), ("doi", "10.48550/arxiv.2401.00003")]
    assert other[0].findtext(f"{MODS}recordInfo/{MODS}recordIdentifier") == f"oai:{PREFIX}:{a}"


def test_relations_are_loaded_once_per_page_for_the_records_that_have_copies(hub, oai, monkeypatch):
    early = BASE_DATE.replace(year=2020)  # before the others: on the first page
    with hub.db.session() as session:
        repos = populate(session, 60).repositories
        rows = [record_values(1003, repos[0], early), record_values(1003, repos[2], early),
                record_values(1004, repos[1], early)]
        a, b, c = (session.scalar(insert(Record).values(**row).returning(Record.id)) for row in rows)
        regroup(session, list(session.scalars(select(Record.id))))
        # regrouping moved the datestamps of a and b (new workmates): back to the first page
        session.execute(update(Record).where(Record.id.in_([a, b, c])).values(hub_datestamp=early))
        shared = {record_id for record_id, work_id in session.execute(select(WorkMember.record_id, WorkMember.work_id))
                  if session.scalar(select(func.count()).where(WorkMember.work_id == work_id)) > 1}
    assert {a, b} <= shared and c not in shared
    calls: list[list[int]] = []

    def counting(session, record_ids):
        calls.append(list(record_ids))
        return works_api.relations_for(session, calls[-1])

    monkeypatch.setattr(verbs, "relations_for", counting)
    root = oai(verb="ListRecords", metadataPrefix="oai_dc")
    live = {int(r.findtext(f"{OAI}header/{OAI}identifier").rsplit(":", 1)[1]) for r in root.iter(f"{OAI}record")
            if r.find(f"{OAI}header").get("status") != "deleted"}
    assert len(calls) == 1 and set(calls[0]) == live & shared and {a, b} <= set(calls[0])
    oai(verb="ListIdentifiers", metadataPrefix="oai_dc")
    assert len(calls) == 1
    oai(verb="ListRecords", metadataPrefix="oai_dc", set=f"repo:{hub_repository_of(hub, c)}", until="2020-12-31")
    assert len(calls) == 1, "a page of records alone in their works loads no relation"


def hub_repository_of(hub, record_id: int) -> int:
    """The repository id of a record."""
    with hub.db.session() as session:
        return session.scalar(select(Record.repository_id).where(Record.id == record_id))
