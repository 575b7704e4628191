"""Records through the files and extract stages, serving, deletion, quarantine and the CLI."""

from __future__ import annotations

import hashlib
import json

from click.testing import CliRunner
from sqlalchemy import select

from hub.cli import cli
from hub.fulltext.extract import extract_file
from hub.fulltext.objects import collect_garbage, delete_record_files
from hub.fulltext.pipeline import fetch_pending, process_record_files
from hub.fulltext.states import ExtractState, FileState
from hub.harvest.gather import HarvestSummary
from hub.models import ItemError, Record, RecordFile, StoredFile
from hub.pipeline.graph import PipelineStage
from hub.pipeline.harvest import after_harvest
from hub.states import FulltextState, RunState, Stage
from storage.base import file_key, text_key
from tests.fulltext.conftest import run_files
from tests.storage.backends import CHINESE, bilingual_pdf, corrupt_pdf, encrypted_pdf, scanned_pdf


def state_of(hub, record_id):
    with hub.db.session() as session:
        return session.get(Record, record_id).fulltext_state


def test_record_downloaded_extracted_and_served(hub, app, files_server, make_record):
    data = bilingual_pdf()
    rid = make_record({"url": files_server.add_file("/bitstream/1/论文.pdf", data)})
    report = run_files(hub, [rid])
    assert report.counts["stored"] == 1
    sha = hashlib.sha256(data).hexdigest()
    assert state_of(hub, rid) is FulltextState.EXTRACTED
    with hub.db.session() as session:
        stored = session.get(StoredFile, sha)
        assert stored.extract_state is ExtractState.EXTRACTED and stored.text_language == "zho"
        assert not stored.needs_ocr and stored.text_quality > 0.8
    assert CHINESE in hub.store.get_bytes(text_key(sha)).decode()

    client = app.test_client()
    whole = client.get(f"/files/{sha}")
    assert whole.status_code == 200 and whole.data == data
    assert whole.headers["Content-Type"] == "application/pdf" and whole.headers["ETag"] == f'"{sha}"'
    assert "filename*=UTF-8''%E8%AE%BA%E6%96%87.pdf" in whole.headers["Content-Disposition"]
    part = client.get(f"/files/{sha}", headers={"Range": "bytes=5-14"})
    assert part.status_code == 206 and part.data == data[5:15]
    assert part.headers["Content-Range"] == f"bytes 5-14/{len(data)}"
    assert client.get(f"/files/{sha}", headers={"Range": f"bytes={len(data) + 10}-"}).status_code == 416
    assert client.get(f"/files/{sha}", headers={"If-None-Match": f'"{sha}"'}).status_code == 304
    assert client.get(f"/records/{rid}/files/0").data == data
    assert client.get(f"/records/{rid}/files/1").status_code == 404
    text = client.get(f"/files/{sha}/text")
    assert text.status_code == 200 and CHINESE in text.get_data(as_text=True)
    assert client.get("/files/" + "0" * 64).status_code == 404
    assert client.get("/files/not-a-digest").status_code == 404


def test_restricted_and_embargoed_files_are_never_downloaded(hub, app, files_server, make_record):
    url = files_server.add_file("/secret.pdf", bilingual_pdf("secret"))
    rid = make_record({"url": url, "access": "restricted"},
                      {"url": url + "?e", "access": "embargoed", "embargo_until": "2999-01-01"})
    run_files(hub, [rid])
    assert files_server.hits("/secret.pdf") == []
    with hub.db.session() as session:
        states = {r.state for r in session.scalars(select(RecordFile).where(RecordFile.record_id == rid))}
    assert states == {FileState.SKIPPED}
    assert state_of(hub, rid) is FulltextState.FOUND
    assert app.test_client().get(f"/records/{rid}/files/0").status_code == 404


def test_shared_file_stored_once_and_deleted_with_its_last_record(hub, files_server, make_record):
    data = bilingual_pdf("shared")
    sha = hashlib.sha256(data).hexdigest()
    a = make_record({"url": files_server.add_file("/a/x.pdf", data)})
    b = make_record({"url": files_server.add_file("/b/x.pdf", data)})
    run_files(hub, [a, b])
    store = hub.store
    assert list(store.keys("files/")) == [file_key(sha)]
    assert delete_record_files(hub, a) == []
    assert store.exists(file_key(sha))
    assert delete_record_files(hub, b) == [sha]
    assert not store.exists(file_key(sha)) and not store.exists(text_key(sha))
    with hub.db.session() as session:
        assert session.get(StoredFile, sha) is None


def test_reharvest_of_unchanged_record_downloads_nothing(hub, files_server, make_record):
    rid = make_record({"url": files_server.add_file("/a.pdf", bilingual_pdf())})
    run_files(hub, [rid])
    report = process_record_files(hub, rid)  # the record changed, its file did not
    assert report.outcomes["not-modified"] == 1
    assert len(files_server.hits("/a.pdf")) == 2  # one download, one conditional request answered 304
    assert fetch_pending(hub).outcomes["records"] == 0  # nothing left to do


def test_landing_page_recorded_on_the_record(hub, files_server, make_record):
    files_server.add_file("/landing.pdf", b"<html><body>Item page</body></html>", content_type="application/pdf")
    rid = make_record({"url": files_server.base + "/landing.pdf"})
    run_files(hub, [rid])
    assert state_of(hub, rid) is FulltextState.FAILED
    with hub.db.session() as session:
        errors = list(session.scalars(select(ItemError).where(ItemError.record_id == rid)))
        row = session.scalars(select(RecordFile).where(RecordFile.record_id == rid)).one()
    assert [(e.stage, e.kind) for e in errors] == [(Stage.FILES, "landing-page")]
    assert row.state is FileState.FAILED and row.error_kind == "landing-page"


def test_encrypted_and_scanned_files(hub, files_server, make_record):
    locked = encrypted_pdf()  # encryption is salted: keep one copy of the bytes
    enc = make_record({"url": files_server.add_file("/enc.pdf", locked)})
    scan = make_record({"url": files_server.add_file("/scan.pdf", scanned_pdf())})
    run_files(hub, [enc, scan])
    assert state_of(hub, enc) is FulltextState.FAILED
    with hub.db.session() as session:
        files = {s.sha256: s for s in session.scalars(select(StoredFile))}
        enc_file = files[hashlib.sha256(locked).hexdigest()]
        scan_file = files[hashlib.sha256(scanned_pdf()).hexdigest()]
        assert enc_file.extract_state is ExtractState.UNEXTRACTABLE and enc_file.extract_error_kind == "encrypted"
        assert scan_file.extract_state is ExtractState.EXTRACTED and scan_file.needs_ocr
        kinds = [e.kind for e in session.scalars(select(ItemError).where(ItemError.record_id == enc))]
    assert kinds == ["encrypted"]
    assert state_of(hub, scan) is FulltextState.EXTRACTED


def test_poison_file_quarantined_after_three_failures_then_released(hub, files_server, make_record):
    rid = make_record({"url": files_server.add_file("/poison.pdf", corrupt_pdf())})
    run_files(hub, [rid])
    sha = hashlib.sha256(corrupt_pdf()).hexdigest()
    assert extract_file(hub, sha) is ExtractState.FAILED  # second attempt
    assert extract_file(hub, sha) is ExtractState.QUARANTINED  # third
    assert extract_file(hub, sha) is ExtractState.QUARANTINED  # not retried: nothing changes
    with hub.db.session() as session:
        assert session.get(StoredFile, sha).extract_attempts == 3
    assert state_of(hub, rid) is FulltextState.QUARANTINED
    assert hub.store.exists(file_key(sha))  # the file itself is kept

    runner = CliRunner()
    env = {"CHAIR_INSTANCE_PATH": hub.settings["INSTANCE_PATH"]}
    obj = {"instance": hub.settings["INSTANCE_PATH"], "hub": hub}
    listed = runner.invoke(cli, ["files", "quarantine", "list", "--json"], obj=obj, env=env)
    assert listed.exit_code == 0, listed.output
    assert [row["sha256"] for row in json.loads(listed.output)] == [sha]
    released = runner.invoke(cli, ["files", "quarantine", "release", sha, "--now"], obj=obj, env=env)
    assert released.exit_code == 0 and "failed" in released.output  # tried again, fails again, counted anew
    status = runner.invoke(cli, ["files", "status", "--json"], obj=obj, env=env)
    data = json.loads(status.output)
    assert data["files"] == {"failed": 1} and data["links"] == {"stored": 1}


def test_after_harvest_and_deleted_records(hub, files_server, make_record):
    data = bilingual_pdf("tombstone")
    rid = make_record({"url": files_server.add_file("/t.pdf", data)})

    summary = HarvestSummary(0, None, RunState.SUCCEEDED, changed_ids=[rid])
    assert after_harvest(hub, summary).report(PipelineStage.FILES).counts["stored"] == 1
    with hub.db.session() as session:
        session.get(Record, rid).deleted = True
    process_record_files(hub, rid)
    assert not hub.store.exists(file_key(hashlib.sha256(data).hexdigest()))
    assert collect_garbage(hub) == {"files_deleted": 0, "orphan_objects_deleted": 0}


def test_entering_the_fulltext_set_bumps_the_hub_datestamp(hub):
    """Holding a full text is visible in OAI-PMH (set 'fulltext'): the record's datestamp moves."""
    from datetime import timedelta

    from sqlalchemy import select

    from hub.fulltext.records import refresh_records
    from hub.fulltext.states import ExtractState, FileState
    from hub.members import add_institution
    from hub.models import Record, RecordFile, Repository, StoredFile, utcnow
    from hub.states import FulltextState

    old = utcnow() - timedelta(days=3)
    with hub.db.session() as session:
        inst = add_institution(session, "ftset", "Fulltext Set University")
        repo = Repository(institution=inst, platform="oai", base_url="http://127.0.0.1:1/oai")
        session.add(repo)
        session.flush()
        record = Record(repository_id=repo.id, source_identifier="oai:x:1", hub_datestamp=old,
                        fulltext_links=[{"url": "http://127.0.0.1:1/a.pdf"}], fulltext_state=FulltextState.FOUND)
        session.add(record)
        session.flush()
        session.add(StoredFile(sha256="a" * 64, size=10, mime_type="application/pdf",
                               extract_state=ExtractState.EXTRACTED))
        session.add(RecordFile(record_id=record.id, url="http://127.0.0.1:1/a.pdf", sha256="a" * 64,
                               state=FileState.STORED))
        session.flush()
        refresh_records(session, [record.id])
        record_id = record.id
    with hub.db.session() as session:
        record = session.scalars(select(Record).where(Record.id == record_id)).one()
        assert record.fulltext_state == FulltextState.EXTRACTED
        assert record.hub_datestamp > old
        stamp = record.hub_datestamp
        refresh_records(session, [record_id])  # no change of membership: the datestamp stays
        assert record.hub_datestamp == stamp
