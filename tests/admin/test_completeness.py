"""Completeness: the source's identifiers compared with the hub's records; missing, stale and extra
records listed with reasons, and the missing and stale ones repaired with GetRecord."""

from __future__ import annotations

from sqlalchemy import delete, select, update

from hub.health.completeness import check_completeness, compare, repair_with_getrecord
from hub.models import CompletenessReport, Record
from hub.pipeline.harvest import harvest


def test_compare_lists_reasons():
    source = {"a": ("2020-01-01", False), "b": ("2020-01-02", False), "c": ("2020-01-03", True), "d": ("x", False)}
    hub = {"b": ("2019-12-31", False), "c": ("2020-01-03", False), "d": ("x", True), "e": ("2020", False)}
    found = compare(source, hub)
    assert [(e["identifier"], e["reason"]) for e in found["missing"]] == [
        ("a", "listed by the source, never harvested"), ("d", "live at the source, a tombstone in the hub")]
    assert [e["identifier"] for e in found["stale"]] == ["b", "c"]
    assert found["stale"][1]["reason"] == "deleted at the source, still shown by the hub"
    assert [e["identifier"] for e in found["extra"]] == ["e"]


def test_sweep_finds_and_repairs(app, hub, network, signed_in):
    assert harvest(hub, network.donghai_repo).summary.state.value == "succeeded"
    with hub.db.session() as session:
        ids = list(session.scalars(select(Record.source_identifier).where(
            Record.repository_id == network.donghai_repo, Record.deleted.is_(False)).order_by(Record.id)))
        session.execute(delete(Record).where(Record.source_identifier == ids[0]))
        session.execute(update(Record).where(Record.source_identifier == ids[1]).values(source_datestamp="1999-01-01", content_hash=""))
        session.add(Record(repository_id=network.donghai_repo, source_identifier="oai:gone:1", source_datestamp="2001",
                           meta={}, sets=[], fulltext_links=[]))
    report_id = check_completeness(hub, network.donghai_repo)
    with hub.db.session() as session:
        report = session.get(CompletenessReport, report_id)
        assert [e["identifier"] for e in report.missing] == [ids[0]]
        assert [e["identifier"] for e in report.stale] == [ids[1]]
        assert [e["identifier"] for e in report.extra] == ["oai:gone:1"]
        assert report.source_count == 30 and report.error == ""
    client = signed_in("dh-admin")
    page = client.get(f"/admin/completeness/{report_id}").get_data(as_text=True)
    assert ids[0] in page and "never harvested" in page and "oai:gone:1" in page
    response = client.post(f"/admin/completeness/{report_id}/repair", data={"csrf_token": client.csrf})
    assert response.status_code == 302
    with hub.db.session() as session:
        assert session.scalar(select(Record).where(Record.source_identifier == ids[0])) is not None
        assert session.scalar(select(Record.source_datestamp).where(Record.source_identifier == ids[1])) != "1999-01-01"
        assert session.get(CompletenessReport, report_id).repair_note.endswith("0 failed")
        # Dropped by the source without a tombstone: the repair made it one (issue 13, item 12).
        assert session.scalar(select(Record.deleted).where(Record.source_identifier == "oai:gone:1"))
    again = check_completeness(hub, network.donghai_repo)
    with hub.db.session() as session:
        report = session.get(CompletenessReport, again)
        assert report.missing == [] and report.stale == [] and report.extra == []


def test_repair_holds_a_mass_tombstoning_until_confirmed(hub, network):
    assert harvest(hub, network.donghai_repo).summary.state.value == "succeeded"
    with hub.db.session() as session:
        for n in range(20):  # 20 records the source does not list, beside its 30: 40% of the live records
            session.add(Record(repository_id=network.donghai_repo, source_identifier=f"oai:gone:{n}",
                               source_datestamp="2001", meta={}, sets=[], fulltext_links=[]))
    report_id = check_completeness(hub, network.donghai_repo)
    held = repair_with_getrecord(hub, report_id)
    assert held["held"] == 20 and "20 tombstones held" in held["note"]
    with hub.db.session() as session:
        assert not any(session.scalars(select(Record.deleted).where(Record.source_identifier.like("oai:gone:%"))))
    done = repair_with_getrecord(hub, report_id, confirm_deletions=True)
    assert done["held"] == 0 and len(done["changed_ids"]) == 20
    with hub.db.session() as session:
        assert all(session.scalars(select(Record.deleted).where(Record.source_identifier.like("oai:gone:%"))))


def test_unreachable_source_gives_a_report_with_the_error(hub, network, site):
    from hub.models import Repository

    with hub.db.session() as session:
        session.get(Repository, network.xiling_repo).base_url = "http://127.0.0.1:9/oai"
    hub.configure(HTTP_MAX_RETRIES=0)
    with hub.db.session() as session:
        report = session.get(CompletenessReport, check_completeness(hub, network.xiling_repo))
        assert "could not be listed" in report.error
    assert repair_with_getrecord(hub, report.id)["note"] == "nothing to repair"
