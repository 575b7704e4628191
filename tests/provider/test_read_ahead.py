"""Read-ahead of list pages (OAI_READ_AHEAD): the same bytes as without it, bounded, never in the way."""

from __future__ import annotations

import re
import threading
import time

import pytest

from oai.provider import views
from oai.provider.readahead import Page, ReadAhead
from tests.provider.conftest import OAI, token

RESPONSE_DATE = re.compile(rb"<responseDate>[^<]*</responseDate>")
# A token carries the second its harvest began: two harvests may straddle a second.
TOKEN = re.compile(rb'(<resumptionToken[^>]*?)(?: expirationDate="[^"]*")?>[^<]*</resumptionToken>')
ECHOED_TOKEN = re.compile(rb' resumptionToken="[^"]*"')


def pages(client, verb: str, prefix: str) -> list[bytes]:
    """Every page of a whole list, responseDate and token values blanked, following the tokens
    (POST, as pyoai)."""
    out = []
    data = {"verb": verb, "metadataPrefix": prefix}
    while True:
        body = client.post("/oai", data=data).get_data()
        out.append(ECHOED_TOKEN.sub(b"", TOKEN.sub(rb"\1/>", RESPONSE_DATE.sub(b"", body))))
        found = re.search(rb"<resumptionToken[^>]*>([^<]+)</resumptionToken>", body)
        if not found:
            return out
        data = {"verb": verb, "resumptionToken": found.group(1).decode()}


def read_ahead_of(app) -> ReadAhead:
    return app.extensions[views.READ_AHEAD]


@pytest.mark.parametrize(("verb", "prefix"), [("ListRecords", "oai_dc"), ("ListRecords", "mods"),
                                              ("ListIdentifiers", "oai_openaire")])
def test_a_whole_harvest_is_byte_identical_and_served_ahead(app, client, hub, network, verb, prefix):
    hub.configure(OAI_READ_AHEAD=False)
    plain = pages(client, verb, prefix)
    hub.configure(OAI_READ_AHEAD=True)
    ahead = pages(client, verb, prefix)
    assert len(plain) > 2
    assert ahead == plain
    assert read_ahead_of(app).served == len(plain) - 1, "every page after the first came from read-ahead"


def test_changes_between_pages_neither_skip_nor_repeat(oai, hub, network):
    from tests.provider import test_paging

    hub.configure(OAI_READ_AHEAD=True)
    test_paging.test_changes_during_a_harvest_never_skip_nor_repeat(oai, hub, network)


def test_a_failing_read_ahead_leaves_the_page_to_the_request(app, client, hub, network, monkeypatch, caplog):
    hub.configure(OAI_READ_AHEAD=False)
    plain = pages(client, "ListRecords", "oai_dc")

    def broken(*args):
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(views, "render_page", broken)
    hub.configure(OAI_READ_AHEAD=True)
    assert pages(client, "ListRecords", "oai_dc") == plain
    assert read_ahead_of(app).served == 0
    assert "reading an OAI-PMH page ahead failed" in caplog.text


def test_a_bad_token_is_still_an_error(oai, hub, network):
    hub.configure(OAI_READ_AHEAD=True)
    first = oai(verb="ListRecords", metadataPrefix="oai_dc")
    tampered = token(first).text[:-2] + ("AA" if not token(first).text.endswith("AA") else "BB")
    root = oai(verb="ListRecords", resumptionToken=tampered)
    assert root.find(f"{OAI}error").get("code") == "badResumptionToken"


def test_off_by_default(app, client, hub, network):
    assert hub.settings["OAI_READ_AHEAD"] is False
    pages(client, "ListRecords", "oai_dc")
    assert read_ahead_of(app).served == 0 and read_ahead_of(app).pending() == 0, "nothing read ahead"


# --- the ReadAhead object itself ------------------------------------------------------------


def test_take_waits_for_a_page_being_rendered():
    ahead = ReadAhead()
    gate = threading.Event()

    def slow() -> Page:
        gate.wait(5)
        return Page(["<ListRecords/>"], "next")

    assert ahead.schedule("ListRecords", "t1", slow)
    threading.Timer(0.05, gate.set).start()
    page = ahead.take("ListRecords", "t1")
    assert page is not None and page.chunks == ["<ListRecords/>"] and page.next_token == "next"
    assert ahead.take("ListRecords", "t1") is None, "a page is served once"
    ahead.shutdown()


def test_one_page_at_a_time_and_none_queued():
    ahead = ReadAhead()
    gate = threading.Event()
    assert ahead.schedule("ListRecords", "a", lambda: (gate.wait(5), Page([], None))[1])
    assert not ahead.schedule("ListRecords", "b", lambda: Page([], None)), "busy: not queued"
    gate.set()
    assert ahead.take("ListRecords", "a") is not None
    assert ahead.take("ListRecords", "b") is None
    ahead.shutdown()


def test_pages_are_bounded_in_number_and_age():
    ahead = ReadAhead(max_pages=2, ttl=0.2)
    for name in ("a", "b", "c"):
        assert ahead.schedule("ListRecords", name, lambda: Page(["x"], None))
        deadline = time.monotonic() + 5
        while ahead._busy and time.monotonic() < deadline:
            time.sleep(0.005)
    assert ahead.pending() == 2
    assert ahead.take("ListRecords", "a", wait=0) is None, "the oldest page went first"
    time.sleep(0.25)
    assert ahead.take("ListRecords", "c", wait=0) is None, "an unclaimed page expires"
    assert ahead.pending() == 0
    ahead.shutdown()


def test_a_page_for_another_verb_is_not_served():
    ahead = ReadAhead()
    assert ahead.schedule("ListRecords", "t", lambda: Page(["x"], None))
    assert ahead.take("ListIdentifiers", "t") is None
    assert ahead.take("ListRecords", "t") is not None
    ahead.shutdown()
