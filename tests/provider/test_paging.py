"""Resumption tokens: exact cursor and completeListSize, tampering, expiry, lists that change."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select, update

from hub.models import Record
from oai.provider import tokens
from oai.provider.formats import metadata_formats
from tests.provider.conftest import OAI, PREFIX, error_code, identifiers, token
from tests.provider.factories import record_values


def harvest(oai, verb: str = "ListIdentifiers", **arguments: str) -> tuple[list[str], list]:
    """Follow a list to its end; return the identifiers and the token elements seen."""
    seen: list[str] = []
    tokens_seen = []
    root = oai(verb=verb, **arguments)
    while True:
        if error_code(root):
            return seen, tokens_seen
        page = identifiers(root)
        tok = token(root)
        if tok is not None:
            assert int(tok.get("cursor")) == len(seen), "cursor = records sent before this page"
            tokens_seen.append(tok)
        seen.extend(page)
        if tok is None or not tok.text:
            return seen, tokens_seen
        root = oai(verb=verb, resumptionToken=tok.text, _format=arguments.get("metadataPrefix"))


def expected_ids(hub, prefix: str) -> list[str]:
    """Identifiers the database says a list of ``prefix`` holds, in datestamp order."""
    fmt = metadata_formats()[prefix]
    with hub.db.session() as session:
        rows = session.scalars(select(Record).order_by(Record.hub_datestamp, Record.id)).all()
    return [f"oai:{PREFIX}:{r.id}" for r in rows if r.deleted or fmt.can_disseminate(r)]


@pytest.mark.parametrize("verb", ["ListIdentifiers", "ListRecords"])
@pytest.mark.parametrize("prefix", ["oai_dc", "oai_openaire", "mods"])
def test_whole_list_exact_counts(oai, hub, network, verb, prefix):
    seen, toks = harvest(oai, verb, metadataPrefix=prefix)
    assert seen == expected_ids(hub, prefix)
    assert len(toks) > 1
    assert {int(t.get("completeListSize")) for t in toks} == {len(seen)}
    assert toks[-1].text is None and toks[-1].get("expirationDate") is None
    for tok in toks[:-1]:
        expires = datetime.strptime(tok.get("expirationDate"), "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)
        assert expires - datetime.now(UTC) > timedelta(hours=24)


def test_a_page_holding_exactly_one_record(oai, hub, network):
    hub.configure(OAI_PAGE_SIZE_IDENTIFIERS=1)
    seen, toks = harvest(oai, metadataPrefix="oai_dc", set="repo:2")
    with hub.db.session() as session:
        in_repo = set(session.scalars(select(Record.id).where(Record.repository_id == 2)).all())
    expected = [i for i in expected_ids(hub, "oai_dc") if int(i.rpartition(":")[2]) in in_repo]
    assert seen == expected and len(expected) > 10
    assert int(toks[0].get("completeListSize")) == len(toks) == len(expected)
    # a list of n records with pages of n - 1: the last page holds exactly one record
    window = {"until": "2024-03-01T08:20:00Z"}
    hub.configure(OAI_PAGE_SIZE_IDENTIFIERS=1000)
    n = len(identifiers(oai(verb="ListIdentifiers", metadataPrefix="oai_dc", **window)))
    hub.configure(OAI_PAGE_SIZE_IDENTIFIERS=n - 1)
    root = oai(verb="ListIdentifiers", metadataPrefix="oai_dc", **window)
    assert len(identifiers(root)) == n - 1 and token(root).get("completeListSize") == str(n)
    last = oai(verb="ListIdentifiers", resumptionToken=token(root).text)
    assert len(identifiers(last)) == 1 and token(last).text is None and token(last).get("cursor") == str(n - 1)


def test_a_list_of_exactly_one_page_has_no_token(oai, hub, network):
    window = {"until": "2024-03-01T08:20:00Z"}
    hub.configure(OAI_PAGE_SIZE_RECORDS=1000)
    everything = identifiers(oai(verb="ListRecords", metadataPrefix="oai_dc", **window))
    hub.configure(OAI_PAGE_SIZE_RECORDS=len(everything))
    root = oai(verb="ListRecords", metadataPrefix="oai_dc", **window)
    assert identifiers(root) == everything and token(root) is None
    hub.configure(OAI_PAGE_SIZE_RECORDS=len(everything) - 1)
    assert token(oai(verb="ListRecords", metadataPrefix="oai_dc", **window)) is not None


def test_deleted_records_are_tombstones(oai, hub, network):
    with hub.db.session() as session:
        deleted = session.scalars(select(Record.id).where(Record.deleted)).all()
    assert deleted
    for verb in ("ListIdentifiers", "ListRecords"):
        seen = 0
        for root in _pages(oai, verb=verb, metadataPrefix="mods"):
            for header in root.iter(f"{OAI}header"):
                record_id = int(header.findtext(f"{OAI}identifier").rpartition(":")[2])
                assert (header.get("status") == "deleted") == (record_id in deleted)
                seen += header.get("status") == "deleted"
        assert seen == len(deleted)
    for record_id in deleted[:3]:
        for prefix in ("oai_dc", "oai_openaire", "mods"):
            root = oai(verb="GetRecord", identifier=f"oai:{PREFIX}:{record_id}", metadataPrefix=prefix)
            record = root.find(f"{OAI}GetRecord/{OAI}record")
            assert record.find(f"{OAI}header").get("status") == "deleted"
            assert record.find(f"{OAI}metadata") is None


def _pages(oai, verb: str, **arguments: str):
    root = oai(verb=verb, **arguments)
    yield root
    while token(root) is not None and token(root).text:
        root = oai(verb=verb, resumptionToken=token(root).text, _format=arguments.get("metadataPrefix"))
        yield root


def _first_token(oai) -> str:
    return token(oai(verb="ListRecords", metadataPrefix="oai_dc")).text


def test_tampered_foreign_and_expired_tokens(oai, hub, network):
    good = _first_token(oai)
    payload, signature = good.split(".")
    assert error_code(oai(verb="ListRecords", resumptionToken=good)) is None
    flipped = payload[:-2] + ("A" if payload[-2] != "A" else "B") + payload[-1]
    for bad in (f"{flipped}.{signature}", f"{payload}.{signature[::-1]}", good + "x", payload, ""):
        assert error_code(oai(verb="ListRecords", resumptionToken=bad)) == "badResumptionToken"
    decoded = tokens.decode(good, "test-secret", 86400)
    assert error_code(oai(verb="ListRecords", resumptionToken=tokens.encode(decoded, "another-hub"))) \
        == "badResumptionToken"
    old = tokens.ResumptionToken(**{**decoded.__dict__, "issued": decoded.issued - 8 * 24 * 3600})
    assert error_code(oai(verb="ListRecords", resumptionToken=tokens.encode(old, "test-secret"))) \
        == "badResumptionToken"
    # a token of ListRecords is not one of ListIdentifiers
    assert error_code(oai(verb="ListIdentifiers", resumptionToken=good)) == "badResumptionToken"


def test_changes_during_a_harvest_never_skip_nor_repeat(oai, hub, network):
    """Update and insert records between pages: the harvest returns each record present at its
    start exactly once; what changed is returned by the next incremental harvest from the
    responseDate of the first page."""
    before = expected_ids(hub, "oai_dc")
    first = oai(verb="ListIdentifiers", metadataPrefix="oai_dc")
    started = datetime.strptime(first.findtext(f"{OAI}responseDate"), "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)
    seen = identifiers(first)
    sent_ids = [int(i.rpartition(":")[2]) for i in seen]
    unsent = [int(i.rpartition(":")[2]) for i in before if i not in seen][:3]
    changed = [sent_ids[0], sent_ids[5], *unsent]
    with hub.db.session() as session:
        # changes made in the very second the harvest started: the worst case
        session.execute(update(Record).where(Record.id.in_(changed)).values(hub_datestamp=started))
        session.add(Record(**record_values(1000, network.repositories[0], started)))
    harvested = seen
    root = first
    while token(root).text:
        root = oai(verb="ListIdentifiers", resumptionToken=token(root).text)
        harvested += identifiers(root)
    assert len(harvested) == len(set(harvested)), "no record repeated"
    unchanged = [i for i in before if int(i.rpartition(":")[2]) not in changed]
    assert set(unchanged) <= set(harvested), "no unchanged record skipped"
    later, _ = harvest(oai, metadataPrefix="oai_dc", **{"from": first.findtext(f"{OAI}responseDate")})
    changed_ids = {f"oai:{PREFIX}:{i}" for i in changed}
    assert changed_ids <= set(later), "what changed is harvested next time"
    assert set(before) <= set(harvested) | set(later)
