"""Fault injection: the spec grammar, and every fault kind firing as specified."""

from __future__ import annotations

from email.utils import parsedate_to_datetime

import pytest
import requests
from lxml import etree

from hub.samples import attach_faults, demo_repositories, parse_fault
from hub.samples.faults import FaultKind, FaultSpecError

from . import OAI, PARSER, error_code, harvest, parse, running


def test_parse_fault_grammar():
    fault = parse_fault("page=3:http503:retry-after=1:times=2")
    assert (fault.kind, fault.page, fault.retry_after, fault.times) == (FaultKind.HTTP503, 3, 1, 2)
    fault = parse_fault("repo=donghai:illegal-char:page=2:char=1b:verb=ListRecords")
    assert (fault.repo, fault.char, fault.times, fault.verbs) == ("donghai", "\x1b", None, ("ListRecords",))
    assert parse_fault("http500").page is None and parse_fault("http500").times == 1
    assert parse_fault("bad-token:times=always").times is None
    for bad in ("", "page=2", "nonsense", "http500:http504", "http500:page=x", "http500:colour=red", "http500:page=0"):
        with pytest.raises(FaultSpecError):
            parse_fault(bad)


def test_attach_faults_per_repository():
    repos = demo_repositories()
    attach_faults(repos, ["repo=xiling:http500", "http504:page=2"])
    assert [f.kind for f in repos[1].faults] == [FaultKind.HTTP500, FaultKind.HTTP504]
    assert [f.kind for f in repos[0].faults] == [FaultKind.HTTP504]
    assert repos[0].faults[0] is not repos[2].faults[0]
    with pytest.raises(FaultSpecError):
        attach_faults(repos, ["repo=nowhere:http500"])


def _server(spec, slug="donghai"):
    repos = [r for r in demo_repositories() if r.slug == slug]
    attach_faults(repos, [spec])
    return repos[0], running(repos)


def _get(session, url, token=None):
    params = {"verb": "ListRecords", "resumptionToken": token} if token else {"verb": "ListRecords",
                                                                              "metadataPrefix": "oai_dc"}
    return session.get(url, params=params)


PAGE2 = {"donghai": "oai_dc////100", "xiling": "metadataPrefix%3Doai_dc%26offset%3D101"}


@pytest.mark.parametrize("slug", ["donghai", "xiling"])
@pytest.mark.parametrize("spec,status,check", [
    ("page=2:http500:times=2", 500, lambda r: r.content == b""),
    ("page=2:http504", 504, lambda r: b"Gateway" in r.content),
    ("page=2:http429:retry-after=3", 429, lambda r: r.headers["Retry-After"] == "3"),
    ("page=2:http503:retry-after=1", 503, lambda r: r.headers["Retry-After"] == "1"),
    ("page=2:http503:retry-after-date=5", 503, lambda r: parsedate_to_datetime(r.headers["Retry-After"]).year > 2000),
    ("page=2:html-login", 200, lambda r: r.content.lstrip().startswith(b"<!DOCTYPE html>")),
    ("page=2:empty-body", 200, lambda r: r.content == b""),
    ("page=2:truncated", 200, lambda r: r.content.startswith(b"<?xml") and not r.content.rstrip().endswith(b">")
     or b"</OAI-PMH>" not in r.content),
])
def test_transient_faults_fire_times_then_succeed(slug, spec, status, check):
    repo, server = _server(spec, slug)
    times = repo.faults[0].times
    with server as url, requests.Session() as session:
        base = repo.base_url(url)
        assert _get(session, base).status_code == 200  # page 1 untouched
        for _ in range(times):
            response = _get(session, base, PAGE2[slug])
            assert response.status_code == status and check(response)
        ok = _get(session, base, PAGE2[slug])
        assert ok.status_code == 200 and error_code(ok.content) is None
    if spec.endswith("truncated"):
        with pytest.raises(etree.XMLSyntaxError):
            etree.fromstring(response.content, PARSER)


def test_fault_on_any_page_fires_on_the_first_request():
    repo, server = _server("http503:retry-after=2:times=1")
    with server as url, requests.Session() as session:
        first = _get(session, repo.base_url(url))
        assert first.status_code == 503 and first.headers["Retry-After"] == "2"
        assert _get(session, repo.base_url(url)).status_code == 200


@pytest.mark.parametrize("char", ["0b", "1b"])
def test_illegal_character_in_one_record_of_page_n(char):
    repo, server = _server(f"page=2:illegal-char:char={char}")
    with server as url, requests.Session() as session:
        body = _get(session, repo.base_url(url), "oai_dc////100").content
        assert _get(session, repo.base_url(url)).ok and parse(_get(session, repo.base_url(url)).content) is not None
    assert body.count(bytes([int(char, 16)])) == 1
    with pytest.raises(etree.XMLSyntaxError):
        etree.fromstring(body, PARSER)
    recovered = etree.fromstring(body, etree.XMLParser(recover=True, no_network=True))
    assert len(recovered.findall(".//o:record", namespaces=OAI)) == 100


@pytest.mark.parametrize("slug", ["donghai", "xiling"])
def test_bad_resumption_token_then_from_fallback(slug):
    repo, server = _server("page=2:bad-token", slug)
    with server as url, requests.Session() as session:
        base = repo.base_url(url)
        page1 = parse(_get(session, base).content)
        token = page1.findtext(".//o:resumptionToken", namespaces=OAI)
        assert error_code(_get(session, base, token).content) == "badResumptionToken"
        last = page1.xpath("//o:datestamp/text()", namespaces=OAI)[-1]
        rest, _ = harvest(session, base, **{"from": last})
    seen = {h.findtext("o:identifier", namespaces=OAI) for h in page1.xpath("//o:header", namespaces=OAI)}
    seen |= {h.findtext("o:identifier", namespaces=OAI) for h in rest}
    assert len(seen) == repo.records


@pytest.mark.parametrize("slug", ["donghai", "xiling"])
def test_token_repeated_forever(slug):
    repo, server = _server("page=2:repeat-token", slug)
    with server as url, requests.Session() as session:
        base = repo.base_url(url)
        for _ in range(4):
            token = parse(_get(session, base, PAGE2[slug]).content).findtext(".//o:resumptionToken", namespaces=OAI)
            assert token == PAGE2[slug]


@pytest.mark.parametrize("slug", ["donghai", "xiling"])
def test_tokens_issued_past_complete_list_size(slug):
    repo, server = _server("past-size", slug)
    with server as url, requests.Session() as session:
        base = repo.base_url(url)
        headers, tokens = [], []
        query = {"verb": "ListIdentifiers", "metadataPrefix": "oai_dc"}
        for _ in range(8):
            root = parse(session.get(base, params=query).content)
            assert error_code(etree.tostring(root)) is None
            headers += root.xpath("//o:header", namespaces=OAI)
            token = root.find(".//o:resumptionToken", namespaces=OAI)
            assert token is not None and token.text
            tokens.append(token.text)
            query = {"verb": "ListIdentifiers", "resumptionToken": token.text}
    assert len(headers) == repo.records and len(set(tokens)) == len(tokens)
    assert int(token.get("completeListSize")) == repo.records


@pytest.mark.parametrize("slug", ["donghai", "xiling"])
def test_page_with_zero_records_carries_a_token(slug):
    repo, server = _server("page=2:empty-page", slug)
    with server as url, requests.Session() as session:
        base = repo.base_url(url)
        empty = parse(_get(session, base, PAGE2[slug]).content)
        assert empty.findall(".//o:record", namespaces=OAI) == []
        assert empty.findtext(".//o:resumptionToken", namespaces=OAI) not in (None, PAGE2[slug])
        headers, tokens = harvest(session, base, verb="ListRecords")
    assert len({h.findtext("o:identifier", namespaces=OAI) for h in headers}) == repo.records
    assert len(set(tokens)) == len(tokens)


def test_seconds_granularity_declared_but_rejected():
    repo, server = _server("reject-seconds")
    with server as url, requests.Session() as session:
        base = repo.base_url(url)
        identify = parse(session.get(base, params={"verb": "Identify"}).content)
        assert identify.findtext(".//o:granularity", namespaces=OAI) == "YYYY-MM-DDThh:mm:ssZ"
        query = {"verb": "ListRecords", "metadataPrefix": "oai_dc", "from": "2024-01-01T00:00:00Z"}
        assert error_code(session.get(base, params=query).content) == "badArgument"
        query["from"] = "2024-01-01"
        assert error_code(session.get(base, params=query).content) is None



def test_broken_record_fault_makes_one_record_not_well_formed():
    """A record that no repair of characters can mend: the harvester must quarantine it alone."""
    repo, server = _server("page=2:broken-record")
    with server as url, requests.Session() as session:
        body = _get(session, repo.base_url(url), "oai_dc////100").content
        assert parse(_get(session, repo.base_url(url)).content) is not None  # page 1 untouched
    assert body.count(b"<unclosed>") == 1
    with pytest.raises(etree.XMLSyntaxError):
        etree.fromstring(body, PARSER)
