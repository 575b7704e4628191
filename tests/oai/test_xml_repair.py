"""Records with characters illegal in XML are mended and read; only a record still broken is quarantined.

Every page comes from a real local server (tests/oai/conftest.py) as raw bytes, the way a repository
with bad data sends it: the illegal characters break the page for any XML parser, the client reads
the page record by record, mends the records it can and keeps every record's bytes as received.
"""

from __future__ import annotations

import pytest

from oai.client import MalformedResponse, OAIClient
from oai.xml import MissingIdentifier, RecordFault, repair_xml
from tests.oai.conftest import DIRTY_RECORDS

LR = "ListRecords"


def one_page(server, http, kit, body: bytes, verb: str = LR):
    server.script(kit.xml(body))
    client = OAIClient(server.url, http)
    pages = list(client.list_records("oai_dc") if verb == LR else client.list_identifiers("oai_dc"))
    assert len(pages) == 1
    return pages[0]


def test_a_record_with_every_kind_of_illegal_character_is_mended_with_notes_and_raw_bytes(server, http, kit):
    page = one_page(server, http, kit, kit.dirty_page())
    records = {r.identifier: r for r in page.records}
    assert list(records) == ["oai:dirty:1", "oai:dirty:2", "oai:dirty:4"]
    mended = records["oai:dirty:2"]
    raw = DIRTY_RECORDS["oai:dirty:2"]
    assert mended.raw_bytes == raw, "the record's bytes are kept exactly as the source sent them"
    title = mended.metadata.findtext("{http://purl.org/dc/elements/1.1/}title")
    description = mended.metadata.findtext("{http://purl.org/dc/elements/1.1/}description")
    assert title == "Control and noncharacter"
    assert description == "Lone surrogate reference, bytes \ufffd and \ufffd not UTF-8, 中文 kept"
    assert "\x01" not in mended.metadata_xml and "&#xD800;" not in mended.metadata_xml
    chars, refs, undecodable = mended.repairs
    first, second = raw.index(b"\x01"), raw.index(b"\x01", raw.index(b"\x01") + 1)
    at = [first, second, raw.index(b"\xef\xbf\xbf"), raw.index(b"&#xD800;"), raw.index(b"\xff\xfe"),
          raw.index(b"\xed\xa0\x80")]
    assert chars == f"dropped 3 characters illegal in XML (U+0001 x2, U+FFFF) at bytes {at[0]}, {at[1]}, {at[2]}"
    assert refs == f"dropped 1 character reference illegal in XML (&#xD800;) at byte {at[3]}"
    assert undecodable == ("replaced 2 invalid UTF-8 byte sequences (FF FE; ED A0 80) with U+FFFD at bytes "
                           f"{at[4]}, {at[5]}")
    assert mended.sets == ["col_1"] and mended.datestamp == "2024-03-02T00:00:00Z"
    clean = records["oai:dirty:1"]
    assert clean.repairs == [] and clean.raw_bytes is None, "a record read as sent carries no repair"


def test_a_record_still_broken_after_the_repair_is_quarantined_and_the_rest_read(server, http, kit):
    page = one_page(server, http, kit, kit.dirty_page())
    unreadable = [b for b in page.broken if b.kind is RecordFault.UNREADABLE]
    assert [b.identifier_guess for b in unreadable] == ["oai:dirty:3"]
    assert unreadable[0].raw == DIRTY_RECORDS["oai:dirty:3"]
    assert "even after the repair" in unreadable[0].reason and "U+0001" in unreadable[0].reason
    assert [r.identifier for r in page.records][-1] == "oai:dirty:4", "records after the broken one are read"


def test_headers_without_identifier_are_item_errors_in_a_broken_page(server, http, kit):
    page = one_page(server, http, kit, kit.dirty_page())
    missing = [b for b in page.broken if b.kind is RecordFault.MISSING_IDENTIFIER]
    assert [b.raw for b in missing] == [DIRTY_RECORDS["(no identifier, deleted)"], DIRTY_RECORDS["(empty identifier)"]]
    assert "deleted header without an identifier" in missing[0].reason
    assert [b.identifier_guess for b in missing] == ["", ""], "no identifier is guessed from the metadata"
    assert all(r.identifier for r in page.records), "no record with an empty identifier"


def test_headers_without_identifier_are_item_errors_in_a_well_formed_page(server, http, kit):
    records = {k: v for k, v in DIRTY_RECORDS.items() if k in ("oai:dirty:1", "(no identifier, deleted)",
                                                                  "(empty identifier)", "oai:dirty:4")}
    page = one_page(server, http, kit, kit.dirty_page(records))
    assert [r.identifier for r in page.records] == ["oai:dirty:1", "oai:dirty:4"]
    assert [b.kind for b in page.broken] == [RecordFault.MISSING_IDENTIFIER] * 2
    assert b"<datestamp>2024-03-04T00:00:00Z</datestamp>" in page.broken[0].raw


def test_list_identifiers_headers_without_identifier_are_item_errors(server, http, kit):
    headers = {"good": b"<header><identifier>oai:h:1</identifier><datestamp>2024-01-01</datestamp></header>",
               "none": b'<header status="deleted"><datestamp>2024-01-02</datestamp></header>',
               "empty": b"<header><identifier> </identifier><datestamp>2024-01-03</datestamp></header>",
               "last": b"<header><identifier>oai:h:4</identifier><datestamp>2024-01-04</datestamp></header>"}
    page = one_page(server, http, kit, kit.dirty_page(headers, "ListIdentifiers"), "ListIdentifiers")
    assert [r.identifier for r in page.records] == ["oai:h:1", "oai:h:4"]
    assert [b.kind for b in page.broken] == [RecordFault.MISSING_IDENTIFIER] * 2
    with_bad_char = dict(headers, good=headers["good"].replace(b"oai:h:1", b"oai:h:\x0b1"))
    page = one_page(server, http, kit, kit.dirty_page(with_bad_char, "ListIdentifiers"), "ListIdentifiers")
    assert [r.identifier for r in page.records] == ["oai:h:1", "oai:h:4"]
    assert page.records[0].repairs and [b.kind for b in page.broken] == [RecordFault.MISSING_IDENTIFIER] * 2


def test_get_record_returns_a_mended_record_with_its_notes_and_raw_bytes(server, http, kit):
    raw = DIRTY_RECORDS["oai:dirty:2"]
    server.script(kit.xml(kit.dirty_page({"r": raw}, "GetRecord")))
    record = OAIClient(server.url, http).get_record("oai:dirty:2", "oai_dc")
    assert record.identifier == "oai:dirty:2" and record.raw_bytes == raw and len(record.repairs) == 3
    assert record.metadata.findtext("{http://purl.org/dc/elements/1.1/}title") == "Control and noncharacter"


def test_get_record_of_a_record_broken_for_good_or_without_identifier_fails_clearly(server, http, kit):
    broken = DIRTY_RECORDS["oai:dirty:3"]
    server.script(kit.xml(kit.dirty_page({"r": broken}, "GetRecord")),
                  kit.xml(kit.dirty_page({"r": DIRTY_RECORDS["(empty identifier)"]}, "GetRecord")),
                  kit.xml(kit.dirty_page({"r": DIRTY_RECORDS["(no identifier, deleted)"].replace(b"col_1", b"col\x01_1")},
                                         "GetRecord")))
    client = OAIClient(server.url, http)
    with pytest.raises(MalformedResponse, match="'oai:dirty:3' is broken: not well-formed XML, even after") as info:
        client.get_record("oai:dirty:3", "oai_dc")
    assert info.value.raw == broken
    with pytest.raises(MissingIdentifier, match="without an identifier") as info:
        client.get_record("oai:x", "oai_dc")
    assert b"<identifier/>" in info.value.raw
    with pytest.raises(MissingIdentifier, match="deleted header without an identifier"):
        client.get_record("oai:y", "oai_dc")


def test_the_declared_encoding_is_kept_when_a_record_is_mended(server, http, kit):
    record = kit.dirty_record(b"oai:latin:1", b"2024-01-01", b"<dc:title>Caf\xe9 \x1b au lait</dc:title>")
    body = kit.dirty_page({"r": record}).replace(b'encoding="UTF-8"', b'encoding="ISO-8859-1"')
    page = one_page(server, http, kit, body)
    [mended] = page.records
    assert mended.metadata.findtext("{http://purl.org/dc/elements/1.1/}title") == "Café  au lait"
    escape_at = record.index(b"\x1b")
    assert mended.repairs == [f"dropped 1 character illegal in XML (U+001B) at byte {escape_at}"]


def test_repair_xml_keeps_what_is_legal():
    text, notes = repair_xml(b"<a>tab\t nl\n cr\r &#x41;&#10;&amp;#1; \xe4\xb8\xad \xf0\x9f\x98\x80</a>")
    assert notes == [] and text == "<a>tab\t nl\n cr\r &#x41;&#10;&amp;#1; 中 😀</a>"
    text, notes = repair_xml(b"<a>&#0;&#x110000;&#99999999999;&#xFFFE;ok</a>")
    assert text == "<a>ok</a>" and notes == [
        "dropped 4 character references illegal in XML (&#0;, &#99999999999;, &#x110000;, &#xFFFE;) "
        "at bytes 3, 7, 17, 31"]
    many = b"<a>" + b"\x02" * 12 + b"</a>"
    assert repair_xml(many)[1] == ["dropped 12 characters illegal in XML (U+0002 x12) at bytes 3, 4, 5, 6, 7, 8, 9, "
                                   "10, 11, 12 and 2 more"]
