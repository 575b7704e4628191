"""HTTP behaviour of /oai: streaming, gzip, Last-Modified and conditional GetRecord, methods."""

from __future__ import annotations

import gzip

from tests.provider.conftest import PREFIX, identifiers
from tests.provider.schemas import assert_valid

LIST = {"verb": "ListRecords", "metadataPrefix": "oai_openaire"}


def test_responses_are_streamed(client, network):
    response = client.get("/oai", query_string=LIST)
    assert response.is_streamed
    assert response.headers.get("Content-Length") is None
    assert response.get_data().endswith(b"</OAI-PMH>\n")


def test_gzip_when_the_client_accepts_it(client, network):
    plain = client.get("/oai", query_string=LIST)
    packed = client.get("/oai", query_string=LIST, headers={"Accept-Encoding": "gzip, deflate"})
    assert packed.headers["Content-Encoding"] == "gzip" and "Accept-Encoding" in packed.headers["Vary"]
    assert "Content-Encoding" not in plain.headers
    body = gzip.decompress(packed.get_data())
    assert_valid(body, "oai_openaire")
    assert identifiers(assert_valid(body, "oai_openaire")) == identifiers(assert_valid(plain.get_data(), "oai_openaire"))
    refused = client.get("/oai", query_string=LIST, headers={"Accept-Encoding": "gzip;q=0, identity"})
    assert "Content-Encoding" not in refused.headers


def test_identify_announces_gzip(client):
    assert b"<compression>gzip</compression>" in client.get("/oai?verb=Identify").get_data()


def test_get_record_last_modified_and_304(client, network):
    query = {"verb": "GetRecord", "identifier": f"oai:{PREFIX}:1", "metadataPrefix": "oai_dc"}
    first = client.get("/oai", query_string=query)
    assert first.get_data()
    assert first.headers["Last-Modified"] == "Fri, 01 Mar 2024 08:00:00 GMT"
    same = client.get("/oai", query_string=query, headers={"If-Modified-Since": first.headers["Last-Modified"]})
    assert same.status_code == 304 and same.get_data() == b""
    later = client.get("/oai", query_string=query, headers={"If-Modified-Since": "Sat, 02 Mar 2024 00:00:00 GMT"})
    assert later.status_code == 304
    earlier = client.get("/oai", query_string=query, headers={"If-Modified-Since": "Fri, 01 Mar 2024 07:59:59 GMT"})
    assert earlier.status_code == 200 and earlier.get_data()
    garbage = client.get("/oai", query_string=query, headers={"If-Modified-Since": "yesterday-ish"})
    assert garbage.status_code == 200 and garbage.get_data()
    unknown = client.get("/oai", query_string={**query, "identifier": f"oai:{PREFIX}:424242"},
                         headers={"If-Modified-Since": first.headers["Last-Modified"]})
    assert unknown.status_code == 200 and b'code="idDoesNotExist"' in unknown.get_data()


def test_other_methods_are_refused_and_bodies_ignored_on_get(client, network):
    assert client.put("/oai", data={"verb": "Identify"}).status_code == 405
    assert client.get("/oai", query_string={"verb": "Identify"}, data="verb=Bogus").get_data().count(b"<Identify>") == 1
    response = client.post("/oai", data="verb=Identify", content_type="application/x-www-form-urlencoded")
    assert b"<Identify>" in response.get_data()


def test_garbage_never_crashes(client, network):
    for query in ("verb=ListRecords&metadataPrefix=oai_dc&from=%00", "verb=%FF%FE", "verb=GetRecord&identifier="
                  + "9" * 5000 + "&metadataPrefix=oai_dc", "verb=ListRecords&resumptionToken=" + "A." * 3000,
                  "verb=ListRecords&metadataPrefix=oai_dc&set=" + "x:" * 300):
        response = client.get("/oai?" + query)
        assert response.status_code == 200
        assert_valid(response.get_data())
