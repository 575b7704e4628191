"""OAIClient against a real local server serving recorded and hand-written OAI-PMH responses."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta, timezone
from typing import Any

import pytest
from werkzeug.wrappers import Response

from hub.http import HttpError, ResponseTooLarge
from oai.client import (
    DAY,
    SECONDS,
    ListRestartFailed,
    MalformedResponse,
    NotOAIResponse,
    OAIClient,
    OAIProtocolError,
    RunawayList,
    format_datestamp,
    parse_datestamp,
)

LR = "ListRecords"


def records(*numbers: int, day: str = "2024-01-0") -> list[tuple[str, str]]:
    return [(f"oai:repo:{n}", f"{day}{n % 9 + 1}T10:00:00Z") for n in numbers]


def harvest(client: OAIClient, **kwargs: Any) -> list[Any]:
    return list(client.list_records("oai_dc", **kwargs))


# -- Identify and not-OAI answers ----------------------------------------------------------------

def test_identify_reads_every_field(server, http, kit):
    server.script(kit.xml(kit.fixture("erasmus2003_oaicat_Identify.xml")))
    info = OAIClient(server.url, http).identify()
    assert info.repository_name == "Erasmus University : Research Online"
    assert info.base_url == "http://dspace.ubib.eur.nl/oai/" and info.protocol_version == "2.0"
    assert info.granularity == SECONDS and info.deleted_record == "no"
    assert info.compression == ["gzip", "compress", "deflate"]
    assert info.admin_emails == ["service@ubib.eur.nl"] and info.response_date == "2003-04-30T16:08:01Z"
    assert server.args == [{"verb": "Identify"}]


def test_eprints_identify_with_stylesheet_and_year_one(server, http, kit):
    server.script(kit.xml(kit.fixture("eprints_Identify.xml")))
    info = OAIClient(server.url, http).identify()
    assert info.earliest_datestamp == "0001-01-01T00:00:00Z"
    assert parse_datestamp(info.earliest_datestamp) == datetime(1, 1, 1, tzinfo=UTC)


def test_echoed_double_slash_base_url_is_kept_but_not_used(server, http, kit):
    server.script(kit.xml(kit.fixture("day_Identify.xml")), kit.xml(kit.fixture("mit_ListRecords_deletedOnly.xml")))
    client = OAIClient(server.url, http)
    assert client.identify().base_url == "http://repo.example.org//oai/request"
    assert client.identify  # the client keeps its own URL for the next request
    list(client.list_records("oai_dc"))
    assert [r.path for r in server.requests] == ["/oai/request", "/oai/request"]


def test_bad_earliest_datestamp_is_kept_verbatim(server, http, kit):
    server.script(kit.xml(kit.fixture("pyoai_Identify_badEarliestDatestamp.xml")))
    info = OAIClient(server.url, http).identify()
    assert info.earliest_datestamp == "aaaa-bb-cc"
    with pytest.raises(ValueError, match="aaaa-bb-cc"):
        parse_datestamp(info.earliest_datestamp)


def test_html_login_page_with_200_is_an_error(server, http, sleeps, kit):
    server.handler = lambda request: Response(kit.fixture("login_page.html"), content_type="text/html")
    with pytest.raises(NotOAIResponse) as info:
        OAIClient(server.url, http).identify()
    assert "expected an OAI-PMH response, got an HTML page (<html>, title 'Login')" in str(info.value)
    assert not info.value.retryable and len(server.requests) == 1


def test_well_formed_html_and_foreign_xml_are_errors(server, http, kit):
    server.script(kit.xml("<html><head><title>Maintenance</title></head><body/></html>"),
                  kit.xml('<rss version="2.0"><channel/></rss>'))
    client = OAIClient(server.url, http)
    with pytest.raises(NotOAIResponse, match="HTML page.*'Maintenance'"):
        client.identify()
    with pytest.raises(NotOAIResponse, match="<rss>"):
        client.identify()


def test_plain_text_body_is_an_error(server, http, kit):
    server.script(kit.xml(kit.fixture("sickle_ListRecordsBroken.xml")))
    with pytest.raises(NotOAIResponse, match="not XML.*broken xml"):
        harvest(OAIClient(server.url, http))


def test_undefined_entity_is_not_resolved_and_fails_clearly(server, http, kit):
    server.script(kit.xml(kit.fixture("pyoai_Identify_undefinedEntity.xml")))
    with pytest.raises(MalformedResponse, match="bogus"):
        OAIClient(server.url, http).identify()
    assert len(server.requests) == 1


def test_entity_expansion_bomb_is_not_expanded(server, http, kit):
    bomb = ('<?xml version="1.0"?><!DOCTYPE OAI-PMH [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;">]>'
            '<OAI-PMH xmlns="http://www.openarchives.org/OAI/2.0/"><responseDate>&b;</responseDate>'
            '<Identify><repositoryName>&b;</repositoryName><granularity>YYYY-MM-DD</granularity></Identify></OAI-PMH>')
    server.script(kit.xml(bomb))
    assert "aaaaaaaaaa" not in OAIClient(server.url, http).identify().repository_name


# -- GetRecord ---------------------------------------------------------------------------------

def test_get_record_oai_dc(server, http, kit):
    server.script(kit.xml(kit.fixture("mit_GetRecord_oai_dc.xml")))
    record = OAIClient(server.url, http).get_record("oai:dspace.mit.edu:1721.1/142400", "oai_dc")
    assert record.identifier.startswith("oai:dspace.mit.edu:") and not record.deleted
    assert record.datestamp and record.sets
    assert record.metadata.tag == "{http://www.openarchives.org/OAI/2.0/oai_dc/}dc"
    assert record.metadata_xml.startswith("<oai_dc:dc") and "xmlns:doc" in record.metadata_xml
    assert server.args[0] == {"verb": "GetRecord", "identifier": "oai:dspace.mit.edu:1721.1/142400",
                              "metadataPrefix": "oai_dc"}


def test_get_record_deleted_keeps_sets(server, http, kit):
    server.script(kit.xml(kit.fixture("mit_GetRecord_deleted.xml")))
    record = OAIClient(server.url, http).get_record("oai:dspace.mit.edu:1721.1/112746", "oai_dc")
    assert record.deleted and record.metadata is None and record.metadata_xml is None
    assert record.sets == ["com_1721.1_7803", "hdl_1721.1_7803", "col_1721.1_42001", "hdl_1721.1_42001"]


def test_get_record_chinese_text(server, http, kit):
    server.script(kit.xml(kit.fixture("sickle_GetRecord_utf8test.xml")))
    record = OAIClient(server.url, http).get_record("oai:test.example.com:1996652", "oai_dc")
    assert "某人" in record.metadata_xml


def test_get_record_id_does_not_exist(server, http, kit):
    server.script(kit.xml(kit.fixture("mit_GetRecord_error_idDoesNotExist.xml")))
    with pytest.raises(OAIProtocolError) as info:
        OAIClient(server.url, http).get_record("oai:nope", "oai_dc")
    assert info.value.code == "idDoesNotExist" and not info.value.retryable


# -- broken records ----------------------------------------------------------------------------

def test_illegal_characters_are_dropped_from_their_records_only(server, http, kit):
    server.script(kit.xml(kit.fixture("ListRecords_illegal_chars.xml")), kit.page(LR, records(7)))
    pages = harvest(OAIClient(server.url, http))
    first = pages[0]
    assert [r.identifier for r in first.records] == [f"oai:repo.example.edu.cn:{n}" for n in range(1, 7)]
    assert "中文" in first.records[2].metadata_xml and not first.broken
    mended = [r for r in first.records if r.repairs]
    assert [r.identifier for r in mended] == [f"oai:repo.example.edu.cn:{n}" for n in (2, 4, 5, 6)]
    raws = [r.raw_bytes for r in mended]
    assert b"\x00" in raws[0] and b"\x0b" in raws[1] and b"\xef\xbf\xbe" in raws[2] and b"\xed\xa0\x80" in raws[3]
    assert all(raw.startswith(b"<record>") and raw.endswith(b"</record>") for raw in raws)
    titles = [r.metadata.findtext("{http://purl.org/dc/elements/1.1/}title") for r in mended]
    assert titles == ["Bad  null", "Bad  vertical tab", "Bad ", "Lone surrogate \ufffd"]
    assert first.response_date == "2024-06-03T19:51:07Z" and first.complete_list_size == 20
    assert first.resumption_token == "metadataPrefix%3Doai_dc%26offset%3D6"
    assert pages[1].records[0].identifier == "oai:repo:7"


def test_double_escaped_token_is_encoded_exactly_once(server, http, kit):
    token = "metadataPrefix%3Doai_dc%26offset%3D6"
    server.script(kit.xml(kit.fixture("ListRecords_illegal_chars.xml")),
                  lambda request: kit.xml(kit.page(LR, records(7)) if request.args.get("resumptionToken") == token
                                      else kit.error("badResumptionToken", request.args.get("resumptionToken"))))
    pages = harvest(OAIClient(server.url, http))
    assert server.args[1] == {"verb": "ListRecords", "resumptionToken": token}
    assert b"resumptionToken=metadataPrefix%253Doai_dc%2526offset%253D6" in server.requests[1].query_string
    assert not pages[1].notices


def test_prefixed_oai_elements_and_nested_marc_records(server, http, kit):
    server.script(kit.xml(kit.fixture("ListRecords_prefixed_marc_broken.xml")))
    [page] = harvest(OAIClient(server.url, http))
    assert [r.identifier for r in page.records] == ["oai:x:1", "oai:x:2", "oai:x:3"] and not page.broken
    assert page.records[0].metadata.tag == "{http://www.loc.gov/MARC21/slim}record"
    assert "First" in page.records[0].metadata_xml and "Broken </subfield>" in page.records[1].metadata_xml
    assert page.records[1].repairs and not page.records[0].repairs
    assert page.resumption_token is None and page.checkpoint["done"]


def test_broken_page_outside_records_fails_clearly(server, http, kit):
    body = kit.page(LR, records(1), token="t1").replace(b"<responseDate>", b"<responseDate>\x00")
    server.script(kit.xml(body))
    with pytest.raises(MalformedResponse, match="outside its records"):
        harvest(OAIClient(server.url, http))


# -- empty, truncated, oversized ------------------------------------------------------------------

def test_empty_and_truncated_bodies_are_retried(server, http, sleeps, kit):
    whole = kit.page(LR, records(1, 2))
    server.script(kit.xml(b""), kit.xml(whole[: len(whole) // 2]), kit.xml(whole))
    [page] = harvest(OAIClient(server.url, http))
    assert len(page.records) == 2 and len(server.requests) == 3 and len(sleeps) == 2


def test_always_empty_body_fails_clearly_and_resumably(server, http, kit):
    server.handler = lambda request: kit.xml(b"")
    with pytest.raises(MalformedResponse, match="empty or truncated response 4 times") as info:
        harvest(OAIClient(server.url, http))
    assert info.value.retryable and len(server.requests) == 4


def test_http_500_with_empty_body_is_retried(server, http, sleeps, kit):
    server.script(Response(b"", status=500), Response(b"", status=503, headers={"Retry-After": "7"}),
                  kit.xml(kit.page(LR, records(1))))
    [page] = harvest(OAIClient(server.url, http))
    assert len(page.records) == 1 and sleeps[1] == 7.0


def test_oversized_page_fails_clearly(server, settings, sleeps, kit):
    from hub.http import HttpClient

    settings["HARVEST_MAX_PAGE_BYTES"] = 2000
    server.handler = lambda request: kit.xml(kit.page(LR, records(*range(50))))
    with pytest.raises(ResponseTooLarge, match="2000"):
        harvest(OAIClient(server.url, HttpClient(settings, sleep=sleeps.append)))
    assert len(server.requests) == 1


# -- paging, tokens, checkpoints --------------------------------------------------------------------

def test_pages_follow_tokens_through_empty_pages_to_an_empty_last_token(server, http, kit):
    server.script(kit.page(LR, records(1, 2), token="t1", complete_list_size=5, cursor="0"),
                  kit.page(LR, [], token="t2", complete_list_size=5, cursor="1"),
                  kit.page(LR, records(3, 4, 5), complete_list_size=5, cursor="2"))
    pages = harvest(OAIClient(server.url, http))
    assert [len(p.records) for p in pages] == [2, 0, 3]
    assert [p.resumption_token for p in pages] == ["t1", "t2", None]
    assert pages[0].cursor == "0" and pages[0].complete_list_size == 5
    assert server.args[1:] == [{"verb": LR, "resumptionToken": "t1"}, {"verb": LR, "resumptionToken": "t2"}]
    last = pages[-1].checkpoint
    assert last["done"] and last["token"] is None and last["pages"] == 3
    json.dumps([p.checkpoint for p in pages])  # checkpoints are JSON-serialisable


def test_deleted_only_page(server, http, kit):
    server.script(kit.fixture("mit_ListRecords_deletedOnly.xml"))
    [page] = harvest(OAIClient(server.url, http))
    [record] = page.records
    assert record.deleted and record.metadata is None and record.sets[0] == "com_1721.1_7803"


def test_no_records_match_yields_one_empty_final_page(server, http, kit):
    server.script(kit.fixture("mit_ListRecords_error_noRecordsMatch.xml"))
    pages = harvest(OAIClient(server.url, http), set_="com_1721.1_100263")
    assert len(pages) == 1 and pages[0].records == [] and pages[0].resumption_token is None
    assert pages[0].response_date == "2024-06-03T19:51:07Z" and pages[0].checkpoint["done"]
    assert server.args[0] == {"verb": LR, "metadataPrefix": "oai_dc", "set": "com_1721.1_100263"}


def test_resume_from_a_checkpoint_continues_after_that_page(server, http, kit):
    server.script(kit.page(LR, records(1), token="t1"), kit.page(LR, records(2), token="t2"))
    iterator = OAIClient(server.url, http).list_records("oai_dc", set_="col_1")
    first = next(iterator)
    checkpoint = json.loads(json.dumps(next(iterator).checkpoint))
    server.script(kit.page(LR, records(3)))
    pages = harvest(OAIClient(server.url, http), checkpoint=checkpoint)
    assert server.args[-1] == {"verb": LR, "resumptionToken": "t2"}
    assert [r.identifier for p in pages for r in p.records] == ["oai:repo:3"]
    assert first.checkpoint["token"] == "t1" and pages[-1].checkpoint["pages"] == 3
    assert harvest(OAIClient(server.url, http), checkpoint=pages[-1].checkpoint) == []


def test_bad_resumption_token_restarts_the_list_from_its_original_from(server, http, kit):
    """Page 2 of a shuffled list holds records older than page 1's newest: a restart from the newest
    datestamp seen would skip oai:repo:2's neighbours, so the list restarts whole (QUIRKS.md)."""
    server.script(kit.fixture("erasmus2003_oaicat_Identify.xml"),
                  kit.page(LR, [("oai:repo:1", "2024-01-05T10:00:00.250Z"), ("oai:repo:2", "2024-01-03T00:00:00Z")],
                           token="t1"),
                  kit.fixture("sickle_badResumptionToken.xml"),
                  kit.page(LR, records(3)))
    pages = harvest(OAIClient(server.url, http), from_="2024-01-01", until=date(2024, 2, 1), set_="col_1")
    assert server.args[1] == {"verb": LR, "metadataPrefix": "oai_dc", "from": "2024-01-01T00:00:00Z",
                              "until": "2024-02-01T00:00:00Z", "set": "col_1"}
    assert server.args[3] == server.args[1]
    assert [kind for kind, _ in pages[1].notices] == ["token_fallback"]
    assert "badResumptionToken" in pages[1].notices[0][1] and "original from=2024-01-01" in pages[1].notices[0][1]
    assert pages[1].checkpoint["restarts"] == 1


def test_resumed_token_answering_500_falls_back(server, http, sleeps, kit):
    server.script(kit.page(LR, records(1), token="t1"))
    checkpoint = next(OAIClient(server.url, http, granularity=DAY).list_records("oai_dc")).checkpoint
    server.handler = lambda request: (Response(b"", status=500) if "resumptionToken" in request.args
                                      else kit.xml(kit.page(LR, records(2))))
    pages = harvest(OAIClient(server.url, http, granularity=DAY), checkpoint=checkpoint)
    assert server.args[-1] == {"verb": LR, "metadataPrefix": "oai_dc"}  # the list had no from: from the start
    assert pages[0].notices[0][0] == "token_fallback" and len(sleeps) == 3


def test_fallback_that_fails_again_stops(server, http, kit):
    server.handler = lambda request: kit.xml(kit.error("badResumptionToken") if "resumptionToken" in request.args
                                             else kit.page(LR, records(1), token="t1"))
    with pytest.raises(ListRestartFailed, match="died again after restarting the list 1 time") as info:
        harvest(OAIClient(server.url, http, granularity=SECONDS))
    assert info.value.retryable


def test_restarts_are_bounded_by_the_setting(server, settings, sleeps, kit):
    from hub.http import HttpClient

    settings["HARVEST_LIST_RESTARTS"] = 3
    server.handler = lambda request: kit.xml(kit.error("badResumptionToken") if "resumptionToken" in request.args
                                             else kit.page(LR, records(1), token="t1"))
    with pytest.raises(ListRestartFailed, match="3 time"):
        harvest(OAIClient(server.url, HttpClient(settings, sleep=sleeps.append), granularity=SECONDS))
    assert sum("resumptionToken" not in args for args in server.args) == 4  # the first request and 3 restarts


def test_a_resumed_list_may_restart_again(server, http, kit):
    """A run that stopped after using its restarts gets new ones on its next attempt (nothing is stuck)."""
    server.script(kit.page(LR, records(1), token="t1"))
    checkpoint = dict(next(OAIClient(server.url, http, granularity=DAY).list_records("oai_dc")).checkpoint,
                      restarts=1)
    server.handler = lambda request: kit.xml(kit.error("badResumptionToken") if "resumptionToken" in request.args
                                             else kit.page(LR, records(1, 2)))
    pages = harvest(OAIClient(server.url, http, granularity=DAY), checkpoint=checkpoint)
    assert [r.identifier for r in pages[0].records] == ["oai:repo:1", "oai:repo:2"]


def test_same_token_twice_in_a_row_is_a_runaway(server, http, kit):
    server.handler = lambda request: kit.xml(kit.page(LR, records(1), token="same"))
    with pytest.raises(RunawayList, match="same resumption token twice"):
        harvest(OAIClient(server.url, http))
    assert len(server.requests) == 2


def test_token_cycle_is_a_runaway(server, http, kit):
    server.script(kit.page(LR, records(1), token="a"), kit.page(LR, records(2), token="b"),
                  kit.page(LR, records(3), token="a"))
    with pytest.raises(RunawayList, match="cycle"):
        harvest(OAIClient(server.url, http))


def test_tokens_past_complete_list_size_end_the_list(server, http, kit):
    server.script(kit.page(LR, records(1, 2), token="t1", complete_list_size=2),
                  kit.page(LR, [], token="t2", complete_list_size=2))
    pages = harvest(OAIClient(server.url, http))
    assert len(pages) == 2 and pages[-1].checkpoint["done"] and pages[-1].notices[0][0] == "runaway_tokens"


def test_too_many_empty_pages_stop(server, http, kit):
    server.handler = lambda request: kit.xml(kit.page(LR, [], token=f"t{len(server.requests)}"))
    with pytest.raises(RunawayList, match="HARVEST_MAX_EMPTY_PAGES=5"):
        harvest(OAIClient(server.url, http))
    assert len(server.requests) == 6


def test_too_many_pages_stop(server, settings, sleeps, kit):
    from hub.http import HttpClient

    settings["HARVEST_MAX_PAGES"] = 3
    server.handler = lambda request: kit.xml(kit.page(LR, records(len(server.requests)),
                                                      token=f"t{len(server.requests)}"))
    with pytest.raises(RunawayList, match="HARVEST_MAX_PAGES=3"):
        harvest(OAIClient(server.url, HttpClient(settings, sleep=sleeps.append)))


# -- granularity -----------------------------------------------------------------------------------

def test_day_granularity_server_gets_days(server, http, kit):
    server.script(kit.fixture("day_Identify.xml"), kit.page(LR, records(1)))
    harvest(OAIClient(server.url, http), from_=datetime(2024, 1, 2, 23, 59, 59, tzinfo=UTC),
            until="2024-03-01T05:00:00.999Z")
    assert server.args[1] == {"verb": LR, "metadataPrefix": "oai_dc", "from": "2024-01-02", "until": "2024-03-01"}


def test_seconds_granularity_server_gets_seconds_in_utc(server, http, kit):
    server.script(kit.page(LR, records(1)))
    harvest(OAIClient(server.url, http, granularity=SECONDS),
            from_=datetime(2024, 1, 2, 8, 0, 0, tzinfo=timezone(timedelta(hours=8))), until="2024-03-01")
    assert server.args[0]["from"] == "2024-01-02T00:00:00Z" and server.args[0]["until"] == "2024-03-01T00:00:00Z"


def test_rejected_seconds_retry_once_with_days(server, http, kit):
    server.script(kit.fixture("sickle_badArgument.xml"), kit.page(LR, records(1)))
    pages = harvest(OAIClient(server.url, http, granularity=SECONDS), from_="2024-01-02T03:04:05Z")
    assert server.args[1]["from"] == "2024-01-02" and pages[0].notices[0][0] == "granularity_fallback"
    server.handler = lambda request: kit.xml(kit.fixture("sickle_badArgument.xml"))
    with pytest.raises(OAIProtocolError, match="badArgument"):
        harvest(OAIClient(server.url, http, granularity=SECONDS), from_="2024-01-02T03:04:05Z")
    assert len(server.requests) == 4


def test_identify_failure_falls_back_to_days(server, http, kit):
    server.script(kit.xml(kit.fixture("login_page.html")), kit.page(LR, records(1)))
    pages = harvest(OAIClient(server.url, http), from_="2024-01-02T03:04:05Z")
    assert server.args[1]["from"] == "2024-01-02" and pages[0].notices[0][0] == "granularity_unknown"


@pytest.mark.parametrize(("text", "expected"), [
    ("2024-01-02", datetime(2024, 1, 2, tzinfo=UTC)),
    ("2024-01-02T03:04:05Z", datetime(2024, 1, 2, 3, 4, 5, tzinfo=UTC)),
    ("2024-01-02T03:04:05.123Z", datetime(2024, 1, 2, 3, 4, 5, 123000, tzinfo=UTC)),
    ("2024-01-02T11:04:05+08:00", datetime(2024, 1, 2, 3, 4, 5, tzinfo=UTC)),
    ("2024-01-02T03:04:05", datetime(2024, 1, 2, 3, 4, 5, tzinfo=UTC)),
    ("0001-01-01T00:00:00Z", datetime(1, 1, 1, tzinfo=UTC)),
])
def test_parse_datestamp(text, expected):
    assert parse_datestamp(text) == expected


def test_format_datestamp():
    moment = datetime(2024, 1, 2, 3, 4, 5, 678000, tzinfo=UTC)
    assert format_datestamp(moment, SECONDS) == "2024-01-02T03:04:05Z"
    assert format_datestamp(moment, DAY) == "2024-01-02"
    assert format_datestamp(datetime(2024, 1, 2, 3, 4, 5), SECONDS) == "2024-01-02T03:04:05Z"
    assert format_datestamp("2024-01-02T03:04:05.123Z", SECONDS) == "2024-01-02T03:04:05Z"
    assert format_datestamp(date(2024, 1, 2), SECONDS) == "2024-01-02T00:00:00Z"
    assert format_datestamp("0001-01-01T00:00:00Z", SECONDS) == "0001-01-01T00:00:00Z"
    with pytest.raises(ValueError):
        format_datestamp("yesterday", DAY)


# -- other verbs -----------------------------------------------------------------------------------

def test_list_identifiers_headers_only(server, http, kit):
    server.script(kit.fixture("mit_ListIdentifiers_fullGranularity_fromUntil.xml"))
    [page] = OAIClient(server.url, http, granularity=SECONDS).list_identifiers(
        "oai_dc", from_="2021-11-09T03:30:00Z", until="2021-11-09T04:00:00Z")
    assert page.records and all(r.metadata is None for r in page.records)
    assert page.records[0].identifier == "oai:dspace.mit.edu:1721.1/137646"
    assert server.args[0] == {"verb": "ListIdentifiers", "metadataPrefix": "oai_dc",
                              "from": "2021-11-09T03:30:00Z", "until": "2021-11-09T04:00:00Z"}


def test_list_identifiers_follows_tokens(server, http, kit):
    server.script(kit.page("ListIdentifiers", records(1, 2), token="oai_dc////100"),
                  kit.page("ListIdentifiers", records(3), deleted=True))
    pages = list(OAIClient(server.url, http).list_identifiers("oai_dc"))
    assert [r.identifier for p in pages for r in p.records] == ["oai:repo:1", "oai:repo:2", "oai:repo:3"]
    assert pages[1].records[0].deleted and server.args[1]["resumptionToken"] == "oai_dc////100"


def test_list_sets_follows_tokens(server, http, kit):
    first = ('<?xml version="1.0"?><OAI-PMH xmlns="http://www.openarchives.org/OAI/2.0/"><responseDate>'
             "2024-06-03T19:51:07Z</responseDate><request/><ListSets><set><setSpec>74797065</setSpec>"
             "<setName>type</setName><setDescription><oai_dc:dc xmlns:oai_dc=\"http://www.openarchives.org/OAI/"
             '2.0/oai_dc/"/></setDescription></set><resumptionToken completeListSize="966" cursor="0">////100'
             "</resumptionToken></ListSets></OAI-PMH>")
    server.script(kit.xml(first), kit.fixture("mit_ListSets_page10_last.xml"))
    sets = list(OAIClient(server.url, http).list_sets())
    assert sets[0].spec == "74797065" and sets[0].name == "type" and "oai_dc:dc" in sets[0].description_xml
    assert len(sets) > 50 and sets[1].description_xml is None
    assert server.args[1] == {"verb": "ListSets", "resumptionToken": "////100"}


def test_list_sets_without_hierarchy_is_empty(server, http, kit):
    server.script(kit.error("noSetHierarchy", "This repository does not support sets"))
    assert list(OAIClient(server.url, http).list_sets()) == []


def test_list_metadata_formats(server, http, kit):
    body = ('<?xml version="1.0"?><OAI-PMH xmlns="http://www.openarchives.org/OAI/2.0/"><responseDate>'
            "2024-06-03T19:51:07Z</responseDate><request/><ListMetadataFormats><metadataFormat>"
            "<metadataPrefix>oai_dc</metadataPrefix><schema>http://www.openarchives.org/OAI/2.0/oai_dc.xsd</schema>"
            "<metadataNamespace>http://www.openarchives.org/OAI/2.0/oai_dc/</metadataNamespace></metadataFormat>"
            "</ListMetadataFormats></OAI-PMH>")
    server.script(kit.xml(body), kit.error("idDoesNotExist", "no such item"), kit.error("noMetadataFormats"))
    client = OAIClient(server.url, http)
    [fmt] = client.list_metadata_formats()
    assert (fmt.prefix, fmt.namespace) == ("oai_dc", "http://www.openarchives.org/OAI/2.0/oai_dc/")
    with pytest.raises(OAIProtocolError, match="idDoesNotExist"):
        client.list_metadata_formats("oai:nope")
    assert client.list_metadata_formats("oai:x") == [] and server.args[2]["identifier"] == "oai:x"


def test_oai_error_with_http_4xx_is_read_as_oai(server, http, kit):
    server.script(kit.xml(kit.error("cannotDisseminateFormat", "no marc"), status=422),
                  Response(b"Not Found", status=404))
    client = OAIClient(server.url, http)
    with pytest.raises(OAIProtocolError, match="cannotDisseminateFormat"):
        client.get_record("oai:x", "marc")
    with pytest.raises(HttpError, match="HTTP 404"):
        client.get_record("oai:x", "marc")


def test_long_retry_after_on_a_resumed_token_fails_resumably_without_fallback(server, http, kit):
    from hub.http import RetryLater

    server.script(kit.page(LR, records(1), token="t1"),
                  Response(b"", status=503, headers={"Retry-After": "86400"}))
    pages: list[Any] = []
    with pytest.raises(RetryLater):
        for page in OAIClient(server.url, http).list_records("oai_dc"):
            pages.append(page)
    assert len(pages) == 1 and pages[0].checkpoint["token"] == "t1" and len(server.requests) == 2
