"""The OAI-PMH endpoints: every verb, the XOAI and EPrints shapes, paging, errors, schema validity."""

from __future__ import annotations

import re
from urllib.parse import quote

import pytest
import requests

from hub.samples import demo_repositories, find_repository
from hub.samples.records import BASE_TIMESTAMP, generate_record

from . import OAI, error_code, harvest, oai_schema, parse, running


@pytest.fixture(scope="module")
def repos():
    repos = demo_repositories()
    find_repository(repos, "beishan").has_sets = False
    return repos


@pytest.fixture(scope="module")
def server_url(repos):
    with running(repos) as url:
        yield url


@pytest.fixture(scope="module")
def session():
    with requests.Session() as s:
        yield s


@pytest.fixture(scope="module")
def schema():
    return oai_schema()


def _url(repos, server_url, slug):
    return find_repository(repos, slug).base_url(server_url)


VERB_QUERIES = [
    {"verb": "Identify"},
    {"verb": "ListMetadataFormats"},
    {"verb": "ListSets"},
    {"verb": "ListRecords", "metadataPrefix": "oai_dc"},
    {"verb": "ListIdentifiers", "metadataPrefix": "oai_dc"},
    {"verb": "ListRecords", "metadataPrefix": "oai_dc", "from": "2024-01-01T01:00:00Z",
     "until": "2024-01-01T02:00:00Z"},
    {"verb": "Bogus"},
    {"verb": "ListRecords"},
    {"verb": "ListRecords", "metadataPrefix": "marcxml"},
    {"verb": "GetRecord", "metadataPrefix": "oai_dc", "identifier": "oai:nowhere:1"},
    {"verb": "ListRecords", "resumptionToken": "nonsense"},
    {"verb": "ListRecords", "metadataPrefix": "oai_dc", "from": "2030-01-01"},
]


@pytest.mark.parametrize("slug", ["donghai", "xiling", "yunling"])
@pytest.mark.parametrize("query", VERB_QUERIES, ids=lambda q: "-".join(q.values())[:40])
def test_every_response_is_well_formed_and_schema_valid(repos, server_url, session, schema, slug, query):
    response = session.get(_url(repos, server_url, slug), params=query)
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("text/xml")
    root = parse(response.content)
    assert schema.validate(root), schema.error_log.last_error


@pytest.mark.parametrize("slug", ["donghai", "xiling", "nanhu", "beishan", "yunling"])
@pytest.mark.parametrize("verb", ["ListIdentifiers", "ListRecords"])
def test_paging_to_the_end_yields_every_identifier_once(repos, server_url, session, slug, verb):
    repo = find_repository(repos, slug)
    headers, tokens = harvest(session, repo.base_url(server_url), verb)
    identifiers = [h.findtext("o:identifier", namespaces=OAI) for h in headers]
    assert len(identifiers) == repo.records == len(set(identifiers))
    deleted = [h.findtext("o:identifier", namespaces=OAI) for h in headers if h.get("status") == "deleted"]
    assert deleted == [generate_record(repo, i).identifier for i in range(96, repo.records, 97)]
    assert all(h.findall("o:setSpec", namespaces=OAI) for h in headers)
    assert len(tokens) == (repo.records - 1) // 100


def test_dspace_shapes(repos, server_url, session):
    url = _url(repos, server_url, "donghai")
    first = session.get(url, params={"verb": "ListRecords", "metadataPrefix": "oai_dc"}).content
    assert first.startswith(b'<?xml version="1.0" encoding="UTF-8"?><?xml-stylesheet')
    token = parse(first).find(".//o:resumptionToken", namespaces=OAI)
    assert token.text == "oai_dc////100" and token.get("cursor") == "0" and token.get("completeListSize") == "240"
    second = parse(session.get(url, params={"verb": "ListRecords", "resumptionToken": token.text}).content)
    assert second.find(".//o:resumptionToken", namespaces=OAI).get("cursor") == "1"
    last = parse(session.get(url, params={"verb": "ListRecords", "resumptionToken": "oai_dc////200"}).content)
    empty = last.find(".//o:resumptionToken", namespaces=OAI)
    assert empty.text is None and empty.get("cursor") == "2" and empty.get("completeListSize") == "240"
    assert len(last.findall(".//o:record", namespaces=OAI)) == 40
    record = second.find(".//o:record", namespaces=OAI)
    identifier = record.findtext(".//o:identifier", namespaces=OAI)
    assert re.fullmatch(r"oai:dspace\.donghai\.example\.edu\.cn:123456789/\d+", identifier)
    dc_ids = record.xpath(".//dc:identifier/text()", namespaces=OAI)
    number = identifier.rsplit("/", 1)[1]
    assert f"{server_url}/donghai/handle/123456789/{number}" in dc_ids
    sets = parse(session.get(url, params={"verb": "ListSets"}).content).xpath("//o:setSpec/text()", namespaces=OAI)
    assert {"com_123456789_1", "hdl_123456789_1", "col_123456789_3", "hdl_123456789_3"} <= set(sets)
    identify = parse(session.get(url, params={"verb": "Identify"}).content)
    assert identify.findtext(".//o:deletedRecord", namespaces=OAI) == "persistent"
    assert identify.findtext(".//o:granularity", namespaces=OAI) == "YYYY-MM-DDThh:mm:ssZ"


def test_dspace_bitstream_links_for_records_with_files(repos, server_url, session):
    repo = find_repository(repos, "donghai")
    record = generate_record(repo, 0)
    assert record.has_file
    body = session.get(repo.base_url(server_url), params={
        "verb": "GetRecord", "metadataPrefix": "oai_dc", "identifier": record.identifier}).content
    dc_ids = parse(body).xpath("//dc:identifier/text()", namespaces=OAI)
    assert f"{server_url}/donghai/bitstream/123456789/{record.number}/1/{record.file_name}" in dc_ids


def test_eprints_shapes_and_double_escaped_token(repos, server_url, session):
    url = _url(repos, server_url, "xiling")
    first = parse(session.get(url, params={"verb": "ListIdentifiers", "metadataPrefix": "oai_dc"}).content)
    token = first.findtext(".//o:resumptionToken", namespaces=OAI)
    assert token == "metadataPrefix%3Doai_dc%26offset%3D101"
    # Encoded once more (as a client must): the next page.
    response = session.get(f"{url}?verb=ListIdentifiers&resumptionToken={quote(token, safe='')}")
    page2 = parse(response.content)
    assert page2.findtext(".//o:identifier", namespaces=OAI) == "oai:eprints.xiling.example.edu.cn:101"
    # Sent raw (not encoded again): the server decodes it once and no longer recognises it.
    raw = session.get(f"{url}?verb=ListIdentifiers&resumptionToken={token}").content
    assert error_code(raw) in ("badResumptionToken", "badArgument")
    identify = parse(session.get(url, params={"verb": "Identify"}).content)
    assert identify.findtext(".//o:earliestDatestamp", namespaces=OAI) == "0001-01-01T00:00:00Z"
    assert identify.findtext(".//o:deletedRecord", namespaces=OAI) == "transient"
    sets = parse(session.get(url, params={"verb": "ListSets"}).content)
    specs = sets.xpath("//o:setSpec/text()", namespaces=OAI)
    assert "74797065733D61727469636C65" in specs and "7374617475733D707562" in specs
    assert sets.find(".//o:resumptionToken", namespaces=OAI) is None
    record = parse(session.get(url, params={"verb": "GetRecord", "metadataPrefix": "oai_dc",
                                            "identifier": "oai:eprints.xiling.example.edu.cn:1"}).content)
    assert f"{server_url}/xiling/1/1/" in " ".join(record.xpath("//dc:identifier/text()", namespaces=OAI))
    assert f"{server_url}/xiling/id/eprint/1" in record.xpath("//dc:relation/text()", namespaces=OAI)


@pytest.mark.parametrize("slug,spec", [("donghai", "col_123456789_4"), ("donghai", "hdl_123456789_2"),
                                       ("xiling", "74797065733D61727469636C65"), ("xiling", "7374617475733D707562")])
def test_set_filtering(repos, server_url, session, slug, spec):
    repo = find_repository(repos, slug)
    headers, _ = harvest(session, repo.base_url(server_url), set=spec)
    expected = [generate_record(repo, i).identifier for i in range(repo.records)
                if spec in generate_record(repo, i).set_specs]
    assert [h.findtext("o:identifier", namespaces=OAI) for h in headers] == expected
    assert all(spec in h.xpath("o:setSpec/text()", namespaces=OAI) for h in headers)


@pytest.mark.parametrize("slug", ["donghai", "xiling"])
def test_from_until_select_precise_slices(repos, server_url, session, slug):
    repo = find_repository(repos, slug)
    stamps = [generate_record(repo, i).datestamp for i in range(repo.records)]
    lo, hi = stamps[37], stamps[151]
    headers, _ = harvest(session, repo.base_url(server_url), **{"from": lo, "until": hi})
    assert [h.findtext("o:datestamp", namespaces=OAI) for h in headers] == stamps[37:152]
    day, _ = harvest(session, repo.base_url(server_url), **{"from": "2024-01-01", "until": "2024-01-01"})
    assert len(day) == repo.records  # under a day of minutes


def test_incremental_reharvest_after_revision(server_url, session):
    repos = demo_repositories()
    repo = repos[0]
    with running(repos) as url:
        first = harvest(session, repo.base_url(url))[0]
        last_stamp = max(h.findtext("o:datestamp", namespaces=OAI) for h in first)
        repo.revision = 1
        changed, _ = harvest(session, repo.base_url(url), verb="ListRecords", **{"from": last_stamp})
    numbers = sorted(int(h.findtext("o:identifier", namespaces=OAI).rsplit("/", 1)[1]) - 10 for h in changed)
    assert [i for i in numbers if i % 10 == 0] == list(range(0, repo.records, 10))
    assert len([i for i in numbers if i % 10 != 0]) <= 1  # the overlap at the from boundary


@pytest.mark.parametrize("query,code", [
    ({"verb": "Nope"}, "badVerb"),
    ({}, "badVerb"),
    ({"verb": "ListRecords"}, "badArgument"),
    ({"verb": "ListRecords", "metadataPrefix": "oai_dc", "bogus": "1"}, "badArgument"),
    ({"verb": "ListRecords", "metadataPrefix": "oai_dc", "from": "2024-13-45"}, "badArgument"),
    ({"verb": "ListRecords", "metadataPrefix": "oai_dc", "from": "2024-01-01", "until": "2024-01-02T00:00:00Z"},
     "badArgument"),
    ({"verb": "ListRecords", "metadataPrefix": "oai_dc", "from": "2024-02-01", "until": "2024-01-01"},
     "badArgument"),
    ({"verb": "ListRecords", "metadataPrefix": "oai_dc", "resumptionToken": "oai_dc////100"}, "badArgument"),
    ({"verb": "ListRecords", "metadataPrefix": "mods"}, "cannotDisseminateFormat"),
    ({"verb": "GetRecord", "metadataPrefix": "oai_dc", "identifier": "oai:x:1"}, "idDoesNotExist"),
    ({"verb": "GetRecord", "metadataPrefix": "mods",
      "identifier": "oai:dspace.donghai.example.edu.cn:123456789/10"}, "cannotDisseminateFormat"),
    ({"verb": "ListMetadataFormats", "identifier": "oai:x:1"}, "idDoesNotExist"),
    ({"verb": "ListRecords", "metadataPrefix": "oai_dc", "from": "2031-01-01"}, "noRecordsMatch"),
    ({"verb": "ListRecords", "metadataPrefix": "oai_dc", "set": "col_123456789_99"}, "noRecordsMatch"),
    ({"verb": "ListRecords", "resumptionToken": "oai_dc////99999"}, "badResumptionToken"),
    ({"verb": "ListIdentifiers", "resumptionToken": "garbage"}, "badResumptionToken"),
    ({"verb": "ListSets", "resumptionToken": "x"}, "badResumptionToken"),
])
def test_error_codes(repos, server_url, session, schema, query, code):
    response = session.get(_url(repos, server_url, "donghai"), params=query)
    assert response.status_code == 200 and error_code(response.content) == code
    root = parse(response.content)
    assert schema.validate(root), schema.error_log.last_error
    if code in ("badVerb", "badArgument"):
        assert root.find("o:request", namespaces=OAI).attrib == {}


def test_repeated_argument_is_bad_argument(repos, server_url, session):
    url = _url(repos, server_url, "donghai") + "?verb=ListRecords&metadataPrefix=oai_dc&metadataPrefix=oai_dc"
    assert error_code(session.get(url).content) == "badArgument"


def test_no_set_hierarchy(repos, server_url, session):
    url = _url(repos, server_url, "beishan")
    assert error_code(session.get(url, params={"verb": "ListSets"}).content) == "noSetHierarchy"
    query = {"verb": "ListRecords", "metadataPrefix": "oai_dc", "set": "7374617475733D707562"}
    assert error_code(session.get(url, params=query).content) == "noSetHierarchy"


def test_post_is_accepted(repos, server_url, session):
    response = session.post(_url(repos, server_url, "xiling"), data={"verb": "Identify"})
    assert parse(response.content).findtext(".//o:repositoryName", namespaces=OAI)


def test_responses_are_deterministic_apart_from_response_date(repos, server_url, session):
    url = _url(repos, server_url, "nanhu")
    query = {"verb": "ListRecords", "resumptionToken": "oai_dc////100"}

    def body():
        return re.sub(rb"<responseDate>[^<]*</responseDate>", b"", session.get(url, params=query).content)

    assert body() == body()
    with running(demo_repositories()) as other_url:
        other = session.get(find_repository(repos, "nanhu").base_url(other_url), params=query).content
    other = re.sub(rb"<responseDate>[^<]*</responseDate>", b"", other).replace(other_url.encode(), server_url.encode())
    assert other == body()


def test_earliest_datestamp_of_dspace_is_the_first_record(repos, server_url, session):
    identify = parse(session.get(_url(repos, server_url, "donghai"), params={"verb": "Identify"}).content)
    assert identify.findtext(".//o:earliestDatestamp", namespaces=OAI) == "2024-01-01T00:00:00Z"
    assert BASE_TIMESTAMP == 1704067200


def test_index_page_lists_every_repository(repos, server_url, session):
    page = session.get(server_url + "/").text
    for repo in repos:
        assert repo.base_url(server_url) in page and repo.institution.name_zh in page
