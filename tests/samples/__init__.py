"""Tests of the sample repositories (hub.samples); helpers shared by the test modules."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import requests
from lxml import etree

from hub.samples import SampleRepository, serve

OAI = {"o": "http://www.openarchives.org/OAI/2.0/", "dc": "http://purl.org/dc/elements/1.1/"}
SCHEMA_PATH = Path(__file__).resolve().parent.parent / "schemas" / "local" / "oai-pmh_oai_dc.xsd"
PARSER = etree.XMLParser(no_network=True, resolve_entities=False)


@contextmanager
def running(repos: list[SampleRepository]) -> Iterator[str]:
    """Serve `repos` on a free loopback port for the duration of the block; yields the server URL."""
    server, thread, base_url = serve(repos)
    try:
        yield base_url
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)


def parse(body: bytes) -> etree._Element:
    """Parse an OAI-PMH response strictly (raises on anything not well-formed)."""
    return etree.fromstring(body, PARSER)


def oai_schema() -> etree.XMLSchema:
    """The OAI-PMH + oai_dc schemas, loaded offline from tests/schemas."""
    return etree.XMLSchema(etree.parse(str(SCHEMA_PATH), PARSER))


def error_code(body: bytes) -> str | None:
    """The OAI error code of a response, or None."""
    codes = parse(body).xpath("//o:error/@code", namespaces=OAI)
    return codes[0] if codes else None


def harvest(session: requests.Session, base_url: str, verb: str = "ListIdentifiers",
            max_pages: int = 1000, **params: str) -> tuple[list[etree._Element], list[str]]:
    """Page through a list verb; returns (headers, tokens seen). Tokens are URL-encoded once by requests."""
    headers: list[etree._Element] = []
    tokens: list[str] = []
    query = {"verb": verb, "metadataPrefix": "oai_dc", **params}
    for _ in range(max_pages):
        response = session.get(base_url, params=query, timeout=10)
        assert response.status_code == 200, response.text[:200]
        root = parse(response.content)
        assert error_code(response.content) is None, response.text[:500]
        headers += root.xpath("//o:header", namespaces=OAI)
        token = root.xpath("//o:resumptionToken/text()", namespaces=OAI)
        if not token:
            return headers, tokens
        tokens.append(token[0])
        query = {"verb": verb, "resumptionToken": token[0]}
    raise AssertionError("too many pages")
