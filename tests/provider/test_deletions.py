"""``deletedRecord=persistent`` kept for good: removed repositories and members, records that leave
a format, ids and setSpecs never reused. Runs on SQLite and, when configured, PostgreSQL."""

from __future__ import annotations

import time

import pytest
from sqlalchemy import select, text, update

from hub.members import add_institution, forget_records, remove_institution, remove_repository
from hub.models import Institution, Record, Repository, utcnow
from tests.provider.conftest import OAI, PREFIX, error_code, identifiers
from tests.provider.factories import record_meta

FORMATS = ("oai_dc", "oai_openaire", "mods")


def headers(oai, **arguments) -> dict[str, tuple[bool, str, list[str]]]:
    """Every header of a whole list (following tokens): identifier -> (deleted, datestamp, setSpecs)."""
    found: dict[str, tuple[bool, str, list[str]]] = {}
    root = oai(verb="ListIdentifiers", **arguments)
    while True:
        if error_code(root) == "noRecordsMatch":
            return found
        assert error_code(root) is None
        for h in root.iter(f"{OAI}header"):
            found[h.findtext(f"{OAI}identifier")] = (h.get("status") == "deleted", h.findtext(f"{OAI}datestamp"),
                                                     [s.text for s in h.iter(f"{OAI}setSpec")])
        token = next(root.iter(f"{OAI}resumptionToken"), None)
        if token is None or not token.text:
            return found
        root = oai(verb="ListIdentifiers", resumptionToken=token.text)


def _ids(oai_ids) -> set[int]:
    return {int(i.rsplit(":", 1)[1]) for i in oai_ids}


def _remove(hub, removal_function, key):
    """Remove as the admin views do (commit, then free files and search documents), then let the
    second of the removal pass: a list longer than a page ends at the second before it began
    (oai.provider.tokens), so the new tombstones are listed from the next second on."""
    with hub.db.session() as session:
        removal = removal_function(session, key)
    forget_records(hub, removal.record_ids, removal.shas)
    _next_second()
    return removal


def _next_second() -> None:
    moment = utcnow()
    while utcnow() <= moment:
        time.sleep(0.05)


@pytest.mark.parametrize("prefix", FORMATS)
def test_a_removed_repository_keeps_its_records_as_deleted_headers_in_every_format_and_set(
        hub, client, oai, network, prefix):
    repo_id = network.repositories[0].id
    before = headers(oai, metadataPrefix=prefix)
    in_repo = {i: h for i, h in before.items() if f"repo:{repo_id}" in h[2]}
    assert any(not h[0] for h in in_repo.values())
    with hub.db.session() as session:
        live = set(session.scalars(select(Record.id).where(Record.repository_id == repo_id,
                                                           Record.deleted.is_(False))))
    started = utcnow()

    removal = _remove(hub, remove_repository, repo_id)
    assert removal.tombstoned == len(live)

    after = headers(oai, metadataPrefix=prefix)
    for identifier, (was_deleted, stamp, specs) in in_repo.items():
        deleted, new_stamp, new_specs = after[identifier]
        assert deleted, identifier
        assert new_specs == specs  # repo:N, inst:<slug>, type, openaire, fulltext as they were
        if not was_deleted:
            assert new_stamp >= started.strftime("%Y-%m-%dT%H:%M:%SZ")  # an incremental harvester learns of it
        else:
            assert new_stamp == stamp  # an old tombstone is not touched
    # The rest is untouched; a record of the repository that the format could never express (no title)
    # shows up as a deleted header too: tombstones are listed in every format.
    others = {i: h for i, h in after.items() if i not in in_repo}
    assert {i: h for i, h in others.items() if f"repo:{repo_id}" not in h[2]} == \
        {i: h for i, h in before.items() if i not in in_repo}
    assert all(h[0] for h in others.values() if f"repo:{repo_id}" in h[2])
    # Incremental harvest from the removal: exactly the records that were live, all deleted.
    incremental = headers(oai, metadataPrefix=prefix, **{"from": started.strftime("%Y-%m-%dT%H:%M:%SZ")})
    assert _ids(incremental) == live
    assert all(h[0] for h in incremental.values())
    # Selective harvests by the removed repository's sets go on answering.
    assert set(headers(oai, metadataPrefix=prefix, set=f"repo:{repo_id}")) == \
        {i for i, h in after.items() if f"repo:{repo_id}" in h[2]} >= set(in_repo)
    assert set(in_repo) <= set(headers(oai, metadataPrefix=prefix, set="inst:pku"))
    record = oai(verb="GetRecord", metadataPrefix=prefix, identifier=next(iter(in_repo)))
    assert record.find(f"{OAI}GetRecord/{OAI}record/{OAI}header").get("status") == "deleted"
    specs = [s.text for s in oai(verb="ListSets").iter(f"{OAI}setSpec")]
    assert f"repo:{repo_id}" in specs or token_pages_hold(oai, f"repo:{repo_id}")
    # Gone from the portal and the API.
    some = min(live)
    assert client.get(f"/records/{some}").status_code == 404
    assert client.get(f"/api/v1/records/{some}").status_code == 404
    listed = client.get("/api/v1/records?deleted=true&limit=100").get_json()["items"]
    assert all(item["repository"] != repo_id for item in listed)
    assert repo_id not in [r["id"] for r in client.get("/api/v1/repositories").get_json()["items"]]


def token_pages_hold(oai, spec: str) -> bool:
    """Whether ListSets, followed page by page, names ``spec``."""
    root = oai(verb="ListSets")
    while True:
        if spec in [s.text for s in root.iter(f"{OAI}setSpec")]:
            return True
        token = next(root.iter(f"{OAI}resumptionToken"), None)
        if token is None or not token.text:
            return False
        root = oai(verb="ListSets", resumptionToken=token.text)


def test_a_removed_member_keeps_its_slug_and_its_records_as_tombstones(hub, client, oai, network):
    before = headers(oai, metadataPrefix="oai_dc", set="inst:pku")
    _remove(hub, remove_institution, "pku")
    after = headers(oai, metadataPrefix="oai_dc", set="inst:pku")
    assert set(after) >= set(before) and all(h[0] for h in after.values())  # (+ the untitled ones, deleted)
    assert token_pages_hold(oai, "inst:pku")
    with hub.db.session() as session:
        with pytest.raises(ValueError, match="removed member"):
            add_institution(session, "pku", "Another University")
        assert all(r.removed for r in session.scalars(select(Repository).join(Institution).where(
            Institution.slug == "pku")))
    assert client.get("/api/v1/institutions/pku").status_code == 404
    assert "pku" not in [i["slug"] for i in client.get("/api/v1/institutions").get_json()["items"]]
    assert client.get("/institutions/pku").status_code == 404
    # The other member is untouched.
    fudan = headers(oai, metadataPrefix="oai_dc", set="inst:fudan")
    assert fudan and not all(h[0] for h in fudan.values())


def test_ids_are_never_reused(hub, network):
    """Not even the largest, freed on SQLite (which reuses it unless the table is AUTOINCREMENT)."""
    with hub.db.session() as session:
        top_record = session.scalar(select(Record.id).order_by(Record.id.desc()).limit(1))
        spare = Institution(slug="spare", name_en="Spare")
        session.add(spare)
        session.flush()
        spare_repo = Repository(institution_id=spare.id, platform="oai", base_url="http://spare.example.org/oai")
        session.add(spare_repo)
        session.flush()
        top_inst, top_repo = spare.id, spare_repo.id
        session.execute(text("DELETE FROM record WHERE id = :i"), {"i": top_record})
        session.execute(text("DELETE FROM repository WHERE id = :i"), {"i": top_repo})
        session.execute(text("DELETE FROM institution WHERE id = :i"), {"i": top_inst})
    with hub.db.session() as session:
        again = Institution(slug="again", name_en="Again")
        session.add(again)
        session.flush()
        repo = Repository(institution_id=again.id, platform="oai", base_url="http://again.example.org/oai")
        session.add(repo)
        session.flush()
        record = Record(repository_id=repo.id, source_identifier="oai:again:1", meta={})
        session.add(record)
        session.flush()
        assert again.id > top_inst and repo.id > top_repo and record.id > top_record


def _leave_open_access(hub, record_id: int, index: int) -> str:
    """Update the record the way the importer does (the records_rewriting and records_written hooks around
    a bulk UPDATE by id, new hub datestamp): it loses its access right, so it no longer meets the
    OpenAIRE Guidelines. Returns the new datestamp."""
    meta = record_meta(index)
    del meta["access_rights"]
    now = utcnow()
    with hub.db.session() as session:
        hub.pm.hook.records_rewriting(connection=session.connection(), record_ids=[record_id], pm=hub.pm)
        session.execute(update(Record), [{"id": record_id, "meta": meta, "hub_datestamp": now,
                                          "content_hash": "changed"}])
        hub.pm.hook.records_written(connection=session.connection(), record_ids=[record_id], pm=hub.pm)
    _next_second()
    return now.strftime("%Y-%m-%dT%H:%M:%SZ")


@pytest.mark.parametrize("history", ["marked-when-written", "stored-before-the-column"])
def test_a_record_that_stops_qualifying_for_a_format_is_deleted_in_it(hub, oai, network, history):
    openaire = headers(oai, metadataPrefix="oai_openaire")
    record_id = 1  # index 0 of the factories: full metadata, open access
    identifier = f"oai:{PREFIX}:{record_id}"
    assert openaire[identifier][0] is False and "openaire" in openaire[identifier][2]
    never = f"oai:{PREFIX}:3"  # index 2: no access right, never served as oai_openaire
    assert never not in openaire
    if history == "stored-before-the-column":  # rows the hub held before it kept marks
        with hub.db.session() as session:
            session.execute(text("UPDATE record SET disseminated = ' '"))

    stamp = _leave_open_access(hub, record_id, 0)

    changed = headers(oai, metadataPrefix="oai_openaire", **{"from": stamp})
    assert changed == {identifier: (True, stamp, changed[identifier][2])}
    assert "openaire" in changed[identifier][2]  # its deleted header keeps the sets it had there
    assert identifier in headers(oai, metadataPrefix="oai_openaire", set="openaire", **{"from": stamp})
    got = oai(verb="GetRecord", metadataPrefix="oai_openaire", identifier=identifier)
    header = got.find(f"{OAI}GetRecord/{OAI}record/{OAI}header")
    assert header.get("status") == "deleted" and got.find(f".//{OAI}metadata") is None
    listed = oai(verb="ListRecords", metadataPrefix="oai_openaire", **{"from": stamp})
    assert identifiers(listed) == [identifier] and listed.find(f".//{OAI}metadata") is None
    # Still a live record in the other formats, with the new datestamp, out of the openaire set.
    dc = headers(oai, metadataPrefix="oai_dc", **{"from": stamp})
    assert dc[identifier][0] is False and "openaire" not in dc[identifier][2]
    assert identifier not in headers(oai, metadataPrefix="oai_dc", set="openaire")
    formats = [f.text for f in oai(verb="ListMetadataFormats", identifier=identifier).iter(f"{OAI}metadataPrefix")]
    assert "oai_openaire" in formats
    # A record that never qualified stays out of the format (and GetRecord refuses it).
    assert never not in headers(oai, metadataPrefix="oai_openaire")
    assert error_code(oai(verb="GetRecord", metadataPrefix="oai_openaire", identifier=never)) == \
        "cannotDisseminateFormat"


def test_the_migration_keeps_every_row_when_it_makes_the_tables_autoincrement(tmp_path):
    """SQLite: the rebuild of record/repository/institution must not cascade into their children."""
    from hub.db import Database

    db = Database(f"sqlite:///{tmp_path / 'old.db'}")
    heads = [h for h in (db.head_revision() or "").split(",") if h != "0d01forgood"]
    for head in heads:
        db.upgrade(head)
    with db.engine.begin() as conn:
        conn.execute(text("INSERT INTO institution (id, slug, name_en, name_zh, region, website, contact_email, "
                          "created_at) VALUES (1, 'pku', 'PKU', '', '', '', '', '2024-01-01 00:00:00')"))
        conn.execute(text("INSERT INTO repository (id, institution_id, name, platform, base_url, metadata_prefix, "
                          "sets_include, sets_exclude, options, schedule, state, high_water_mark, granularity, "
                          "check_report, created_at, notes) VALUES (1, 1, '', 'oai', 'http://x/oai', 'oai_dc', "
                          "'[]', '[]', '{}', '', 'active', '', '', '{}', '2024-01-01 00:00:00', '')"))
        conn.execute(text("INSERT INTO record (id, repository_id, source_identifier, source_datestamp, hub_datestamp, "
                          "deleted, metadata_format, raw_metadata, metadata, sets, fulltext_links, fulltext_state, "
                          "content_hash, created_at) VALUES (7, 1, 'oai:x:1', '', '2024-01-01 00:00:00', 0, "
                          "'oai_dc', '', '{}', '[]', '[]', 'none', '', '2024-01-01 00:00:00')"))
        conn.execute(text("INSERT INTO record_file (id, record_id, position, url, label, access, mime_type, etag, "
                          "last_modified, state, error_kind, error, attempts) VALUES (3, 7, 0, 'http://x/1.pdf', '', "
                          "'open', '', '', '', 'stored', '', '', 0)"))
        children = {table: conn.execute(text(f"SELECT count(*) FROM {table}")).scalar()
                    for table in ("institution", "repository", "record", "record_file")}
        assert set(children.values()) == {1}
    db.upgrade()
    with db.engine.connect() as conn:
        for table in ("institution", "repository", "record"):
            sql = conn.execute(text("SELECT sql FROM sqlite_master WHERE name = :n"), {"n": table}).scalar()
            assert "AUTOINCREMENT" in sql, table
        assert {table: conn.execute(text(f"SELECT count(*) FROM {table}")).scalar() for table in children} == children
        assert conn.execute(text("SELECT disseminated FROM record WHERE id = 7")).scalar() == " "
        assert conn.execute(text("PRAGMA foreign_keys")).scalar() == 1
    db.dispose()
