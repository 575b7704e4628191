"""Fixtures of the provider tests: a hub with records, small pages, and a validating request helper."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from lxml import etree

from tests.provider.factories import Network, populate
from tests.provider.schemas import assert_valid

OAI = "{http://www.openarchives.org/OAI/2.0/}"
PREFIX = "chair.example.org"


@pytest.fixture
def overrides(overrides: dict[str, object]) -> dict[str, object]:
    """Small pages so that lists span several pages."""
    return {**overrides, "OAI_PAGE_SIZE_RECORDS": 7, "OAI_PAGE_SIZE_IDENTIFIERS": 11, "OAI_PAGE_SIZE_SETS": 10,
            "BASE_URL": "https://hub.example.org", "OAI_IDENTIFIER_PREFIX": PREFIX}


@pytest.fixture
def network(hub) -> Network:
    """60 records of mixed kinds in three repositories of two institutions."""
    with hub.db.session() as session:
        return populate(session, 60)


OaiCall = Callable[..., etree._Element]


@pytest.fixture
def oai(client) -> OaiCall:
    """``oai(verb=..., **arguments)``: request /oai (GET, or POST with ``_post=True``), validate the
    response against the schemas of its metadata format and return the root element."""

    def call(_post: bool = False, _format: str | None = None, **arguments: str) -> etree._Element:
        response = client.post("/oai", data=arguments) if _post else client.get("/oai", query_string=arguments)
        assert response.status_code == 200
        assert response.headers["Content-Type"].startswith("text/xml")
        prefix = _format or arguments.get("metadataPrefix") or "oai_dc"
        return assert_valid(response.get_data(), prefix if prefix in ("oai_dc", "oai_openaire", "mods") else "oai_dc")

    return call


def error_code(root: etree._Element) -> str | None:
    """The code of the response's error, or None."""
    error = root.find(f"{OAI}error")
    return None if error is None else error.get("code")


def identifiers(root: etree._Element) -> list[str]:
    """The identifiers of the headers in a response, in order."""
    return [h.findtext(f"{OAI}identifier") for h in root.iter(f"{OAI}header")]


def token(root: etree._Element) -> etree._Element | None:
    """The resumptionToken element of a list response, or None."""
    return next(root.iter(f"{OAI}resumptionToken"), None)
